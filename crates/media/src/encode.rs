//! Streaming WAV writer for bounces: RIFF/WAVE up to 4 GiB, RF64 beyond (see
//! `wav_header`).
//!
//! A bounce can take minutes and can fail (disk full, the user cancels, the app crashes).
//! The writer therefore writes into a hidden temporary file in the destination's folder and
//! only renames it over the destination in [`WavWriter::finalize`]: until then an existing
//! `MIX.wav` stays untouched, and an abandoned bounce leaves neither a broken `MIX.wav` nor a
//! stray temporary file (it is deleted when the writer is dropped).
//!
//! # Sample conversion
//!
//! * `Float32`: samples are written unchanged (bit-exact), only NaN/infinity become 0.
//! * `Int16` / `Int24`: each sample is multiplied by `2^(bits-1)` (32768 / 8388608), rounded
//!   to nearest and clamped to the integer range (+1.0 becomes the largest code, 32767 /
//!   8388607). This is the inverse of how decoders (symphonia, sox, ffmpeg) read integer
//!   PCM, so a stem that passes through a unity mix comes out with the very same codes.
//!   With [`WavWriter::with_dither`], TPDF dither (optionally noise-shaped) is added
//!   before rounding (see [`Dither`]); float files are never dithered.
//!
//! [`WavWriter::clipped_samples`] counts samples beyond ±1.0 (and non-finite ones) in every
//! format, so the UI can warn "the bounce clipped N samples" even for float files, which
//! will clip on any fixed-point playback.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempPath;

use crate::dither::{Dither, Ditherer};
use crate::error::{MediaError, Result};
use crate::metadata::{BEXT_LOUDNESS_AT, BextLoudness, Metadata, bext_loudness};
use crate::wav_header::{self, Encoding, Layout, write_header};

/// Sample encoding of a bounce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleFormat {
    /// 16-bit signed integer PCM (CD, most compatible).
    Int16,
    /// 24-bit signed integer PCM (studio delivery standard).
    Int24,
    /// 32-bit IEEE float (keeps overs above 0 dBFS; bit-exact with the engine).
    Float32,
}

impl SampleFormat {
    /// What a decoder reads back of `sample` written undithered in this format: rounded
    /// to the integer grid and clamped for integer formats, unchanged for float.
    pub fn round_trip(self, sample: f32) -> f32 {
        let bits = match self {
            SampleFormat::Float32 => return if sample.is_finite() { sample } else { 0.0 },
            SampleFormat::Int16 => 16,
            SampleFormat::Int24 => 24,
        };
        let scale = (1i64 << (bits - 1)) as f64;
        let s = if sample.is_finite() {
            f64::from(sample)
        } else {
            0.0
        };
        ((s * scale).round().clamp(-scale, scale - 1.0) / scale) as f32
    }

    /// Bits per sample.
    pub fn bits(self) -> u16 {
        match self {
            SampleFormat::Int16 => 16,
            SampleFormat::Int24 => 24,
            SampleFormat::Float32 => 32,
        }
    }
}

/// A WAV file being written; becomes visible at its destination only on [`finalize`].
///
/// [`finalize`]: WavWriter::finalize
pub struct WavWriter {
    // Field order matters: the file handle is dropped before the temporary path, whose
    // drop then deletes the abandoned file.
    writer: Option<BufWriter<File>>,
    layout: Layout,
    /// Reused for converting samples to bytes.
    bytes: Vec<u8>,
    /// Files whose RIFF size would pass this become RF64 (4 GiB; lower in tests).
    rf64_above: u64,
    /// Whether the finished file is RF64.
    rf64: bool,
    temp_path: Option<TempPath>,
    dest: PathBuf,
    channels: u16,
    format: SampleFormat,
    clipped: u64,
    data_bytes: u64,
    ditherer: Ditherer,
    loudness: Option<BextLoudness>,
}

impl std::fmt::Debug for WavWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavWriter")
            .field("dest", &self.dest)
            .field("channels", &self.channels)
            .field("format", &self.format)
            .field("clipped", &self.clipped)
            .finish_non_exhaustive()
    }
}

pub(crate) fn write_err(path: &Path, source: std::io::Error) -> MediaError {
    MediaError::Write {
        path: path.to_path_buf(),
        source,
    }
}

impl WavWriter {
    /// Start a bounce to `path` with the given rate, channel count and sample format.
    ///
    /// Creates a temporary file in `path`'s folder (so the final rename stays on one file
    /// system and is atomic). Fails, naming `path`, if the folder does not exist or is not
    /// writable, or if the rate or channel count is 0.
    pub fn create(
        path: &Path,
        sample_rate_hz: u32,
        channels: u16,
        format: SampleFormat,
    ) -> Result<Self> {
        Self::create_with_metadata(path, sample_rate_hz, channels, format, None)
    }

    /// Like [`WavWriter::create`], with a Broadcast Wave `bext` chunk and a `LIST`/`INFO`
    /// chunk describing the file.
    pub fn create_with_metadata(
        path: &Path,
        sample_rate_hz: u32,
        channels: u16,
        format: SampleFormat,
        metadata: Option<&Metadata>,
    ) -> Result<Self> {
        if sample_rate_hz == 0 || channels == 0 {
            return Err(write_err(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("invalid format: {channels} channels at {sample_rate_hz} Hz"),
                ),
            ));
        }
        let (file, temp_path) = create_temp(path)?;
        let encoding = match format {
            SampleFormat::Float32 => Encoding::Float32,
            SampleFormat::Int16 | SampleFormat::Int24 => Encoding::Int(format.bits()),
        };
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        let (extra, bext_offset) = match metadata {
            Some(m) => {
                let mut extra = m.bext_chunk();
                extra.extend(m.info_chunk());
                (extra, Some(0))
            }
            None => (Vec::new(), None),
        };
        let layout = write_header(
            &mut writer,
            sample_rate_hz,
            channels,
            encoding,
            &extra,
            bext_offset,
        )
        .map_err(|e| write_err(path, e))?;
        Ok(WavWriter {
            writer: Some(writer),
            layout,
            bytes: Vec::new(),
            rf64_above: u64::from(u32::MAX),
            rf64: false,
            temp_path: Some(temp_path),
            dest: path.to_path_buf(),
            channels,
            format,
            clipped: 0,
            data_bytes: 0,
            ditherer: Ditherer::new(Dither::Off, usize::from(channels)),
            loudness: None,
        })
    }

    /// Loudness figures for the `bext` chunk, written when the file is finished (ignored
    /// without metadata).
    pub fn set_loudness(&mut self, loudness: BextLoudness) {
        self.loudness = Some(loudness);
    }

    /// Dithers integer samples as `dither` says (float files are never dithered).
    #[must_use]
    pub fn with_dither(mut self, dither: Dither) -> Self {
        self.ditherer = Ditherer::new(dither, usize::from(self.channels));
        self
    }

    /// Append interleaved frames (`L R L R ...`); the length must be a whole number of
    /// frames. See the module docs for the conversion and what counts as clipped.
    pub fn write_interleaved(&mut self, samples: &[f32]) -> Result<()> {
        if !samples.len().is_multiple_of(usize::from(self.channels)) {
            return Err(write_err(
                &self.dest,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!(
                        "{} samples is not a whole number of {}-channel frames",
                        samples.len(),
                        self.channels
                    ),
                ),
            ));
        }
        let Some(writer) = self.writer.as_mut() else {
            return Err(write_err(
                &self.dest,
                std::io::Error::other("the writer is already closed"),
            ));
        };
        self.bytes.clear();
        let channels = usize::from(self.channels);
        self.clipped += samples
            .iter()
            .filter(|s| !s.is_finite() || s.abs() > 1.0)
            .count() as u64;
        let finite = samples.iter().map(|&s| if s.is_finite() { s } else { 0.0 });
        // One loop per format (no choice per sample), each quantising inline.
        match self.format {
            SampleFormat::Float32 => {
                self.bytes.reserve(samples.len() * 4);
                for s in finite {
                    self.bytes.extend_from_slice(&s.to_le_bytes());
                }
            }
            SampleFormat::Int16 => {
                self.bytes.reserve(samples.len() * 2);
                for (i, s) in finite.enumerate() {
                    let q = self.ditherer.quantize(s, 16, i % channels) as i16;
                    self.bytes.extend_from_slice(&q.to_le_bytes());
                }
            }
            SampleFormat::Int24 => {
                self.bytes.reserve(samples.len() * 3);
                for (i, s) in finite.enumerate() {
                    let q = self.ditherer.quantize(s, 24, i % channels);
                    self.bytes.extend_from_slice(&q.to_le_bytes()[..3]);
                }
            }
        }
        writer
            .write_all(&self.bytes)
            .map_err(|e| write_err(&self.dest, e))?;
        self.data_bytes += self.bytes.len() as u64;
        Ok(())
    }

    /// Pushes what is written so far to the file, so another reader of the file sees
    /// it (a decode still running is read as it grows).
    pub fn flush(&mut self) -> Result<()> {
        match self.writer.as_mut() {
            Some(w) => w.flush().map_err(|e| write_err(&self.dest, e)),
            None => Ok(()),
        }
    }

    /// Byte offset of the first sample in the file being written.
    pub fn data_offset(&self) -> u64 {
        self.layout.data_offset()
    }

    /// Samples written so far that were beyond ±1.0 or not finite.
    pub fn clipped_samples(&self) -> u64 {
        self.clipped
    }

    /// Writes RF64 as soon as the file passes `bytes` instead of 4 GiB, so tests can check
    /// the RF64 layout without writing 4 GiB.
    #[doc(hidden)]
    #[must_use]
    pub fn rf64_above(mut self, bytes: u64) -> Self {
        self.rf64_above = bytes;
        self
    }

    /// The hidden file being written, until [`WavWriter::finalize`] moves it (so a signal
    /// handler can remove it when the process is told to stop).
    pub fn temp_path(&self) -> Option<&Path> {
        self.temp_path.as_deref()
    }

    /// Finish the header, flush to disk and move the file to its destination, replacing
    /// any previous file there only now that the new one is complete.
    pub fn finalize(self) -> Result<()> {
        self.finish(true)
    }

    /// Like [`WavWriter::finalize`], but never replaces a file: when one appeared at the
    /// destination while the bounce ran (another program, a second bounce to the same
    /// name), the bounce fails with [`std::io::ErrorKind::AlreadyExists`] and that file
    /// stays as it is. The check and the rename are one atomic step.
    pub fn finalize_no_replace(self) -> Result<()> {
        self.finish(false)
    }

    fn finish(mut self, replace: bool) -> Result<()> {
        let dest = self.dest.clone();
        let mut writer = self.writer.take().ok_or_else(|| {
            write_err(&dest, std::io::Error::other("the writer is already closed"))
        })?;
        if let (Some(at), Some(l)) = (self.layout.bext_at, self.loudness.as_ref()) {
            writer
                .seek(SeekFrom::Start(at + BEXT_LOUDNESS_AT as u64))
                .and_then(|_| writer.write_all(&bext_loudness(Some(l))))
                .and_then(|()| writer.seek(SeekFrom::End(0)))
                .map_err(|e| write_err(&dest, e))?;
        }
        self.rf64 = wav_header::finish(&mut writer, self.layout, self.data_bytes, self.rf64_above)
            .map_err(|e| write_err(&dest, e))?;
        writer.flush().map_err(|e| write_err(&dest, e))?;
        drop(writer);
        let temp_path = self.temp_path.take().ok_or_else(|| {
            write_err(&dest, std::io::Error::other("the writer is already closed"))
        })?;
        commit(temp_path, &dest, replace)?;
        Ok(())
    }
}

/// Creates the hidden temporary file a bounce to `path` is written into, beside it (so
/// the final rename stays on one file system and is atomic), 0666 less the umask like any
/// file the user creates.
pub(crate) fn create_temp(path: &Path) -> Result<(File, TempPath)> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "bounce".to_owned(), |n| n.to_string_lossy().into_owned());
    let temp = tempfile::Builder::new()
        .prefix(&temp_prefix(&name))
        .suffix(TEMP_SUFFIX)
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(&dir)
        .map_err(|e| write_err(path, e))?;
    Ok(temp.into_parts())
}

/// Makes a finished temporary file the real `dest`: synced to disk first, then renamed
/// over it (`replace`) or only where no file of that name exists.
pub(crate) fn commit(temp_path: TempPath, dest: &Path, replace: bool) -> Result<()> {
    // Make sure the data is on disk before the rename makes it the real file.
    File::open(&temp_path)
        .and_then(|f| f.sync_all())
        .map_err(|e| write_err(dest, e))?;
    let persisted = if replace {
        temp_path.persist(dest)
    } else {
        temp_path.persist_noclobber(dest)
    };
    persisted.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            write_err(
                dest,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "a file of that name appeared while the bounce ran; it was not replaced",
                ),
            )
        } else {
            write_err(dest, e.error)
        }
    })?;
    Ok(())
}

const TEMP_SUFFIX: &str = ".partial";

/// Temporary files for `name` are `.NAME.XXXXXX.partial`, hidden beside the destination.
fn temp_prefix(name: &str) -> String {
    format!(".{name}.")
}

/// Removes temporary files an interrupted bounce to `dest` left behind (killed before it
/// could clean up): ours by name, and unchanged for `older_than` (a bounce still running
/// writes its file continuously, so it is never touched). Returns how many were removed.
pub fn remove_stale_temp_files(dest: &Path, older_than: Duration) -> usize {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Some(name) = dest.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return 0;
    };
    let prefix = temp_prefix(&name);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let ours = file_name.starts_with(&prefix) && file_name.ends_with(TEMP_SUFFIX);
        let stale = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= older_than);
        if ours && stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}
