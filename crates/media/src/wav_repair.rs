//! Reading WAV files whose header lies, and RF64 files.
//!
//! Many real-world WAV files have headers that disagree with their content: recorders that
//! crashed before fixing the sizes, tools streaming to stdout (sizes 0xFFFFFFFF), RIFF size 0,
//! half-copied files. Players such as ffmpeg play them anyway, and so should a mixing desk.
//! RF64 (the > 4 GB broadcast variant) keeps its real sizes in a `ds64` chunk that symphonia
//! does not read.
//!
//! Rather than fork the WAV reader, this module walks the chunk headers itself (reading only
//! a few bytes per chunk, never allocating from a size field) and produces byte *patches*:
//! corrected size fields that [`PatchedFile`] overlays on the file while symphonia reads it.
//! Each repair is reported as a warning for the user.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use symphonia::core::io::MediaSource;

/// Most chunks walked before giving up looking for `data` (a real file has a handful).
const MAX_CHUNKS: usize = 10_000;

/// Size-field corrections for one file, plus what to tell the user about them.
#[derive(Debug, Default)]
pub(crate) struct Repair {
    /// `(offset, bytes)`: bytes that replace the file's content at `offset` when read.
    pub patches: Vec<(u64, Vec<u8>)>,
    /// One sentence per repair, for [`crate::DecodedAudio::warnings`].
    pub warnings: Vec<String>,
    /// A header value that makes the file unreadable (0 channels, 0 Hz), in plain words.
    pub fatal: Option<String>,
}

/// Format fields needed to judge the data chunk.
#[derive(Debug, Clone, Copy)]
struct Fmt {
    block_align: u64,
    bytes_per_s: u64,
}

fn read_exact_at(file: &mut File, offset: u64, buf: &mut [u8]) -> io::Result<bool> {
    file.seek(SeekFrom::Start(offset))?;
    match file.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

fn u16_at(b: &[u8], i: usize) -> u64 {
    u64::from(u16::from_le_bytes([b[i], b[i + 1]]))
}

fn u32_at(b: &[u8], i: usize) -> u64 {
    u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]))
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

fn seconds(bytes: u64, fmt: Option<Fmt>) -> Option<f64> {
    fmt.filter(|f| f.bytes_per_s > 0)
        .map(|f| bytes as f64 / f.bytes_per_s as f64)
}

/// Work out the patches that make a RIFF/RF64 WAV file's sizes agree with its content.
///
/// Returns an empty repair for anything that is not a WAV file, or that needs none. Leaves
/// the file position unspecified (the caller seeks back).
pub(crate) fn plan(file: &mut File, file_len: u64) -> io::Result<Repair> {
    let mut repair = Repair::default();
    let mut head = [0u8; 12];
    if !read_exact_at(file, 0, &mut head)? || &head[8..12] != b"WAVE" {
        return Ok(repair);
    }
    let rf64 = match &head[0..4] {
        b"RIFF" => false,
        b"RF64" | b"BW64" => true,
        _ => return Ok(repair),
    };
    let riff_len = u32_at(&head, 4);
    let mut ds64_data_len: Option<u64> = None;
    let mut fmt: Option<Fmt> = None;
    let mut data_end: Option<u64> = None;

    let mut pos = 12u64;
    for _ in 0..MAX_CHUNKS {
        let mut header = [0u8; 8];
        if pos.saturating_add(8) > file_len || !read_exact_at(file, pos, &mut header)? {
            break;
        }
        let tag = [header[0], header[1], header[2], header[3]];
        let len = u32_at(&header, 4);
        let body = pos + 8;
        match &tag {
            b"ds64" if rf64 => {
                let mut ds = [0u8; 24];
                if len >= 24 && read_exact_at(file, body, &mut ds)? {
                    ds64_data_len = Some(u64_at(&ds, 8));
                }
            }
            b"fmt " => {
                let mut f = [0u8; 16];
                if len >= 16 && read_exact_at(file, body, &mut f)? {
                    let format_tag = u16_at(&f, 0);
                    let channels = u16_at(&f, 2);
                    let rate = u32_at(&f, 4);
                    let block_align = u16_at(&f, 12);
                    let bits = u16_at(&f, 14);
                    if channels == 0 {
                        repair.fatal = Some("the header says the file has 0 channels".to_owned());
                        return Ok(repair);
                    }
                    if rate == 0 {
                        repair.fatal = Some("the header gives a sample rate of 0 Hz".to_owned());
                        return Ok(repair);
                    }
                    let expected = channels * bits.div_ceil(8);
                    let plain = matches!(format_tag, 1 | 3 | 0xFFFE);
                    let mut align = block_align;
                    if plain && expected > 0 && block_align != expected && expected <= 0xFFFF {
                        repair.warnings.push(format!(
                            "the header's block size is wrong ({block_align} bytes per frame \
                             instead of {expected}): decoded as {channels} channels of {bits} bits"
                        ));
                        repair
                            .patches
                            .push((body + 12, (expected as u16).to_le_bytes().to_vec()));
                        align = expected;
                    }
                    fmt = Some(Fmt {
                        block_align: align.max(1),
                        bytes_per_s: rate * align,
                    });
                }
            }
            b"data" => {
                let declared = match ds64_data_len {
                    Some(l) if rf64 && len == u64::from(u32::MAX) => l,
                    _ => len,
                };
                let remaining = file_len.saturating_sub(body);
                let align = fmt.map_or(1, |f| f.block_align);
                let mut actual = declared;
                if declared > remaining {
                    actual = remaining - remaining % align;
                    if len == u64::from(u32::MAX) && !rf64 {
                        repair.warnings.push(
                            "the header does not give the audio length (data size 0xFFFFFFFF): \
                             read the audio up to the end of the file"
                                .to_owned(),
                        );
                    } else {
                        let msg = match (seconds(actual, fmt), seconds(declared, fmt)) {
                            (Some(have), Some(want)) => format!(
                                "the file is shorter than its header says: {have:.2} s of \
                                 {want:.2} s present (truncated?)"
                            ),
                            _ => "the file is shorter than its header says (truncated?)".to_owned(),
                        };
                        repair.warnings.push(msg);
                    }
                }
                let max_u32_len = u64::from(u32::MAX - 1);
                if actual > max_u32_len {
                    actual = max_u32_len - max_u32_len % align;
                    repair.warnings.push(
                        "only the first 4 GB of this very large WAV file can be read".to_owned(),
                    );
                }
                if actual != len {
                    repair
                        .patches
                        .push((pos + 4, (actual as u32).to_le_bytes().to_vec()));
                }
                data_end = Some(body + actual);
                break;
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        pos = body.saturating_add(len).saturating_add(len & 1);
    }

    if rf64 {
        // Present RF64 as a RIFF whose overall length is unknown (as ffmpeg's streamed WAVs):
        // symphonia then bounds reading by the data chunk patched above.
        repair.patches.push((0, b"RIFF".to_vec()));
        repair.patches.push((4, u32::MAX.to_le_bytes().to_vec()));
    } else if let Some(end) = data_end
        && riff_len != u64::from(u32::MAX)
        && (riff_len < 4 || riff_len + 8 < end)
    {
        repair.warnings.push(format!(
            "the header's RIFF size is wrong ({riff_len} bytes): ignored"
        ));
        repair.patches.push((4, u32::MAX.to_le_bytes().to_vec()));
    }
    Ok(repair)
}

/// A file read through a set of byte patches (see [`plan`]).
pub(crate) struct PatchedFile {
    file: File,
    len: u64,
    pos: u64,
    patches: Vec<(u64, Vec<u8>)>,
}

impl PatchedFile {
    /// Wrap `file` (of `len` bytes), positioned at its start.
    pub(crate) fn new(mut file: File, len: u64, patches: Vec<(u64, Vec<u8>)>) -> io::Result<Self> {
        file.seek(SeekFrom::Start(0))?;
        Ok(PatchedFile {
            file,
            len,
            pos: 0,
            patches,
        })
    }
}

impl Read for PatchedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        let start = self.pos;
        let end = start + n as u64;
        for (offset, bytes) in &self.patches {
            let p_end = offset + bytes.len() as u64;
            if *offset >= end || p_end <= start {
                continue;
            }
            for (i, b) in bytes.iter().enumerate() {
                let at = offset + i as u64;
                if at >= start && at < end {
                    buf[(at - start) as usize] = *b;
                }
            }
        }
        self.pos = end;
        Ok(n)
    }
}

impl Seek for PatchedFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = self.file.seek(to)?;
        Ok(self.pos)
    }
}

impl MediaSource for PatchedFile {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}
