//! Where the samples of a well-formed WAV (RIFF, RF64/BW64) file lie, so they can be read
//! in place, a block at a time, instead of being decoded whole into memory.
//!
//! Only files whose header is exactly right qualify: plain PCM or float, one or two
//! channels, a data chunk that fits in the file. Anything else (a header that lies, more
//! channels, an odd sample format) goes through the decoder, which repairs and reports
//! (see `wav_repair`), into the decode cache.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// Most chunks walked before giving up looking for `data`.
const MAX_CHUNKS: usize = 1_000;

/// How the samples of a file are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PcmEncoding {
    /// Unsigned 8-bit (WAV's only unsigned width).
    U8,
    /// Signed little-endian 16-bit.
    I16,
    /// Signed little-endian 24-bit, packed in three bytes.
    I24,
    /// Signed little-endian 32-bit.
    I32,
    /// IEEE float, 32-bit little-endian.
    F32,
    /// IEEE float, 64-bit little-endian.
    F64,
}

impl PcmEncoding {
    /// Bytes per sample.
    pub fn bytes(self) -> usize {
        match self {
            PcmEncoding::U8 => 1,
            PcmEncoding::I16 => 2,
            PcmEncoding::I24 => 3,
            PcmEncoding::I32 | PcmEncoding::F32 => 4,
            PcmEncoding::F64 => 8,
        }
    }

    /// Converts one sample to `f32` exactly as the decoder (symphonia) does, so a stem read
    /// in place sounds bit for bit as one decoded whole.
    #[inline(always)]
    pub fn to_f32(self, b: &[u8]) -> f32 {
        match self {
            PcmEncoding::U8 => f32::from(b[0]) / 128.0 - 1.0,
            PcmEncoding::I16 => f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0,
            PcmEncoding::I24 => {
                // Sign-extend through the top byte of an i32.
                let v = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8;
                v as f32 / 8_388_608.0
            }
            PcmEncoding::I32 => {
                (f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])) / 2_147_483_648.0) as f32
            }
            PcmEncoding::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            PcmEncoding::F64 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(&b[..8]);
                f64::from_le_bytes(a) as f32
            }
        }
    }
}

/// The layout of a WAV file whose samples can be read where they lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WavLayout {
    /// Sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Channels (1 or 2).
    pub channels: usize,
    /// Sample encoding.
    pub encoding: PcmEncoding,
    /// Byte offset of the first sample.
    pub data_offset: u64,
    /// Whole frames in the data chunk.
    pub frames: u64,
}

impl WavLayout {
    /// Bytes per frame.
    pub fn frame_bytes(&self) -> usize {
        self.channels * self.encoding.bytes()
    }
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn read_at(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<bool> {
    match file.read_exact_at(buf, offset) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

/// The layout of `file` (`file_len` bytes) if it is a WAV that can be read in place;
/// `Ok(None)` for anything else, including a WAV whose header needs repair.
pub fn parse(file: &File, file_len: u64) -> io::Result<Option<WavLayout>> {
    let mut head = [0u8; 12];
    if !read_at(file, 0, &mut head)? || &head[8..12] != b"WAVE" {
        return Ok(None);
    }
    let rf64 = match &head[0..4] {
        b"RIFF" => false,
        b"RF64" | b"BW64" => true,
        _ => return Ok(None),
    };
    let mut ds64_data_len: Option<u64> = None;
    let mut format: Option<(u32, usize, PcmEncoding, usize)> = None;
    let mut pos = 12u64;
    for _ in 0..MAX_CHUNKS {
        let mut header = [0u8; 8];
        if pos.saturating_add(8) > file_len || !read_at(file, pos, &mut header)? {
            return Ok(None);
        }
        let len = u64::from(u32_at(&header, 4));
        let body = pos + 8;
        match &header[0..4] {
            b"ds64" if rf64 => {
                let mut ds = [0u8; 24];
                if len < 24 || !read_at(file, body, &mut ds)? {
                    return Ok(None);
                }
                let mut a = [0u8; 8];
                a.copy_from_slice(&ds[8..16]);
                ds64_data_len = Some(u64::from_le_bytes(a));
            }
            b"fmt " => {
                let mut f = [0u8; 40];
                let want = (len as usize).min(40);
                if len < 16 || !read_at(file, body, &mut f[..want])? {
                    return Ok(None);
                }
                format = fmt_chunk(&f[..want]);
                if format.is_none() {
                    return Ok(None);
                }
            }
            b"data" => {
                let Some((rate, channels, encoding, block_align)) = format else {
                    return Ok(None);
                };
                let declared = match ds64_data_len {
                    Some(l) if rf64 && len == u64::from(u32::MAX) => l,
                    _ => len,
                };
                if declared > file_len.saturating_sub(body) {
                    // Cut short or size unknown: the decoder reads it and says so.
                    return Ok(None);
                }
                return Ok(Some(WavLayout {
                    sample_rate_hz: rate,
                    channels,
                    encoding,
                    data_offset: body,
                    frames: declared / block_align as u64,
                }));
            }
            _ => {}
        }
        pos = body.saturating_add(len).saturating_add(len & 1);
    }
    Ok(None)
}

/// Rate, channels, encoding and block size of a `fmt ` chunk this reader takes.
fn fmt_chunk(f: &[u8]) -> Option<(u32, usize, PcmEncoding, usize)> {
    let mut tag = u16_at(f, 0);
    let channels = usize::from(u16_at(f, 2));
    let rate = u32_at(f, 4);
    let block_align = usize::from(u16_at(f, 12));
    let bits = u16_at(f, 14);
    if tag == 0xFFFE {
        // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the GUID.
        if f.len() < 40 {
            return None;
        }
        let valid_bits = u16_at(f, 18);
        if valid_bits != 0 && valid_bits != bits {
            return None;
        }
        tag = u16_at(f, 24);
    }
    let encoding = match (tag, bits) {
        (1, 8) => PcmEncoding::U8,
        (1, 16) => PcmEncoding::I16,
        (1, 24) => PcmEncoding::I24,
        (1, 32) => PcmEncoding::I32,
        (3, 32) => PcmEncoding::F32,
        (3, 64) => PcmEncoding::F64,
        _ => return None,
    };
    let good =
        rate > 0 && (1..=2).contains(&channels) && block_align == channels * encoding.bytes();
    good.then_some((rate, channels, encoding, block_align))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_match_the_decoder() {
        assert_eq!(PcmEncoding::I16.to_f32(&(-32768i16).to_le_bytes()), -1.0);
        assert_eq!(PcmEncoding::I16.to_f32(&16384i16.to_le_bytes()), 0.5);
        assert_eq!(PcmEncoding::I24.to_f32(&[0x00, 0x00, 0x80]), -1.0);
        assert_eq!(
            PcmEncoding::I24.to_f32(&[0xFF, 0xFF, 0x7F]),
            8_388_607.0 / 8_388_608.0
        );
        assert_eq!(
            PcmEncoding::I24.to_f32(&[0xFF, 0xFF, 0xFF]),
            -1.0 / 8_388_608.0
        );
        assert_eq!(PcmEncoding::U8.to_f32(&[0]), -1.0);
        assert_eq!(PcmEncoding::U8.to_f32(&[128]), 0.0);
        assert_eq!(PcmEncoding::F32.to_f32(&0.25f32.to_le_bytes()), 0.25);
    }
}
