//! The WAV container of a bounce, written by hand so that a mix of any length is valid:
//! up to 4 GiB a plain RIFF/WAVE file, beyond that RF64 (EBU Tech 3306).
//!
//! The header always reserves a 28-byte `JUNK` chunk right after `WAVE`. When the file is
//! finished and its sizes do not fit the 32-bit RIFF fields, `RIFF` becomes `RF64`, the
//! `JUNK` chunk becomes the `ds64` chunk with the 64-bit sizes, and the 32-bit size fields
//! are set to 0xFFFFFFFF, as Tech 3306 specifies. Readers that know neither skip `JUNK`.
//!
//! The `fmt ` chunk is the form every reader accepts without a warning: `PCMWAVEFORMAT`
//! for 16-bit mono or stereo, `WAVEFORMATEXTENSIBLE` for 24-bit integer (and more than two
//! channels), `WAVEFORMATEX` with the IEEE-float tag for 32-bit float mono or stereo.

use std::io::{Seek, SeekFrom, Write};

/// Sample encodings the header describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Signed integer PCM of this many bits (16 or 24).
    Int(u16),
    /// 32-bit IEEE float.
    Float32,
}

impl Encoding {
    pub(crate) fn bytes_per_sample(self) -> u16 {
        match self {
            Encoding::Int(bits) => bits / 8,
            Encoding::Float32 => 4,
        }
    }
}

const JUNK_LEN: u32 = 28;
const SUBTYPE_PCM: [u8; 16] = [
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];
const SUBTYPE_FLOAT: [u8; 16] = [
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/// Where the finished file's sizes go, found while writing the header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    fmt_len: u32,
    /// Bytes of the chunks between `fmt ` and `data` (metadata).
    extra_len: u32,
    /// Where the `bext` chunk's data starts, when there is one.
    pub(crate) bext_at: Option<u64>,
    data_len_at: u64,
    channels: u16,
    bytes_per_sample: u16,
}

impl Layout {
    /// Where the first sample is written.
    pub(crate) fn data_offset(&self) -> u64 {
        self.data_len_at + 4
    }
}

/// Writes the header with placeholder sizes; the samples follow it.
pub(crate) fn write_header(
    out: &mut impl Write,
    rate_hz: u32,
    channels: u16,
    encoding: Encoding,
    extra: &[u8],
    bext_offset_in_extra: Option<usize>,
) -> std::io::Result<Layout> {
    let bytes_per_sample = encoding.bytes_per_sample();
    let block_align = channels * bytes_per_sample;
    let float = encoding == Encoding::Float32;
    let extensible = channels > 2 || encoding == Encoding::Int(24);
    let (tag, fmt_len): (u16, u32) = match (extensible, float) {
        (true, _) => (0xfffe, 40),
        (false, true) => (3, 18),
        (false, false) => (1, 16),
    };
    let mut h = Vec::with_capacity(80);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(b"WAVE");
    h.extend_from_slice(b"JUNK");
    h.extend_from_slice(&JUNK_LEN.to_le_bytes());
    h.extend_from_slice(&[0u8; JUNK_LEN as usize]);
    h.extend_from_slice(b"fmt ");
    h.extend_from_slice(&fmt_len.to_le_bytes());
    h.extend_from_slice(&tag.to_le_bytes());
    h.extend_from_slice(&channels.to_le_bytes());
    h.extend_from_slice(&rate_hz.to_le_bytes());
    h.extend_from_slice(&(rate_hz * u32::from(block_align)).to_le_bytes());
    h.extend_from_slice(&block_align.to_le_bytes());
    h.extend_from_slice(&(bytes_per_sample * 8).to_le_bytes());
    if fmt_len == 18 {
        h.extend_from_slice(&0u16.to_le_bytes()); // cbSize: no extension
    }
    if extensible {
        let valid_bits = match encoding {
            Encoding::Int(bits) => bits,
            Encoding::Float32 => 32,
        };
        h.extend_from_slice(&22u16.to_le_bytes());
        h.extend_from_slice(&valid_bits.to_le_bytes());
        h.extend_from_slice(&channel_mask(channels).to_le_bytes());
        h.extend_from_slice(match encoding {
            Encoding::Int(_) => &SUBTYPE_PCM,
            Encoding::Float32 => &SUBTYPE_FLOAT,
        });
    }
    let bext_at = bext_offset_in_extra.map(|o| (h.len() + o + 8) as u64);
    h.extend_from_slice(extra);
    h.extend_from_slice(b"data");
    let data_len_at = h.len() as u64;
    h.extend_from_slice(&0u32.to_le_bytes());
    out.write_all(&h)?;
    Ok(Layout {
        fmt_len,
        extra_len: extra.len() as u32,
        bext_at,
        data_len_at,
        channels,
        bytes_per_sample,
    })
}

fn channel_mask(channels: u16) -> u32 {
    match channels {
        1 => 0x4,
        2 => 0x3,
        n => (1u32 << n.min(18)) - 1,
    }
}

/// Writes the pad byte an odd-sized data chunk needs and the final sizes: RIFF when they
/// fit 32 bits, RF64 with a `ds64` chunk when they do not. Returns whether it is RF64.
pub(crate) fn finish(
    out: &mut (impl Write + Seek),
    layout: Layout,
    data_bytes: u64,
    rf64_above: u64,
) -> std::io::Result<bool> {
    if data_bytes % 2 == 1 {
        out.write_all(&[0])?;
    }
    let riff_size = 4
        + (8 + u64::from(JUNK_LEN))
        + (8 + u64::from(layout.fmt_len))
        + u64::from(layout.extra_len)
        + 8
        + data_bytes.next_multiple_of(2);
    let rf64 = riff_size > rf64_above.min(u64::from(u32::MAX));
    if rf64 {
        let frames = data_bytes / u64::from(layout.channels * layout.bytes_per_sample).max(1);
        out.seek(SeekFrom::Start(0))?;
        out.write_all(b"RF64")?;
        out.write_all(&u32::MAX.to_le_bytes())?;
        out.seek(SeekFrom::Start(12))?;
        out.write_all(b"ds64")?;
        out.write_all(&JUNK_LEN.to_le_bytes())?;
        out.write_all(&riff_size.to_le_bytes())?;
        out.write_all(&data_bytes.to_le_bytes())?;
        out.write_all(&frames.to_le_bytes())?;
        out.write_all(&0u32.to_le_bytes())?; // no table of other chunk sizes
        out.seek(SeekFrom::Start(layout.data_len_at))?;
        out.write_all(&u32::MAX.to_le_bytes())?;
    } else {
        // Both fit: riff_size <= u32::MAX was just checked, and data_bytes < riff_size.
        let small = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        out.seek(SeekFrom::Start(4))?;
        out.write_all(&small(riff_size).to_le_bytes())?;
        out.seek(SeekFrom::Start(layout.data_len_at))?;
        out.write_all(&small(data_bytes).to_le_bytes())?;
    }
    out.seek(SeekFrom::End(0))?;
    Ok(rf64)
}
