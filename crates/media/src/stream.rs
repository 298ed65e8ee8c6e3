//! A source file read a block at a time at the session rate, never held in memory whole.
//!
//! A WAV at the session rate with one or two channels is read where it lies
//! ([`crate::wav_layout`]). Anything else (compressed formats, other rates, more channels,
//! a WAV whose header needs repair) is decoded once into the [`MediaCache`] as a float WAV
//! at the session rate, and that file is read in place instead.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::cache::MediaCache;
use crate::decode::{check_regular_file, not_a_regular_file};
use crate::error::{MediaError, Result};
use crate::wav_layout::{self, PcmEncoding, WavLayout};

/// Where a [`StreamSource`]'s samples come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The user's file itself, read in place.
    InPlace,
    /// A decoded copy in the cache (this file).
    Cached(PathBuf),
}

/// An opened source: frames at the session rate, read on demand.
#[derive(Debug)]
pub struct StreamSource {
    path: PathBuf,
    file: File,
    layout: WavLayout,
    origin: Origin,
    /// While the cache is still being filled: frames decoded so far (reads past them are
    /// [`MediaError::Pending`]).
    available: Option<Arc<AtomicU64>>,
    /// What the user should know (decoder warnings, downmix, resampling).
    pub warnings: Vec<String>,
}

impl StreamSource {
    /// Opens `path` for reading at `session_rate_hz`: in place when it is a WAV at that
    /// rate, otherwise through `cache` (decoding it first when the cache has no valid
    /// copy: this can take a while for a long compressed file).
    pub fn open(path: &Path, session_rate_hz: u32, cache: &MediaCache) -> Result<Self> {
        Self::open_with_progress(path, session_rate_hz, cache, &|_| {})
    }

    /// [`StreamSource::open`] reporting the fraction decoded to `progress` when the file
    /// has to be decoded into the cache first.
    pub fn open_with_progress(
        path: &Path,
        session_rate_hz: u32,
        cache: &MediaCache,
        progress: &dyn Fn(f32),
    ) -> Result<Self> {
        Self::open_progressive(path, session_rate_hz, cache, progress, &mut |_| {})
    }

    /// [`StreamSource::open_with_progress`] that, while a first decode into the cache
    /// runs, hands `early` a source over the part decoded so far as soon as its first
    /// seconds are there (when the file announces its length): it can play at once,
    /// reads past what is decoded are [`MediaError::Pending`]. The source returned at
    /// the end is complete.
    pub fn open_progressive(
        path: &Path,
        session_rate_hz: u32,
        cache: &MediaCache,
        progress: &dyn Fn(f32),
        early: &mut dyn FnMut(StreamSource),
    ) -> Result<Self> {
        check_regular_file(path)?;
        if let Some(source) = Self::open_in_place(path, session_rate_hz)? {
            progress(1.0);
            return Ok(source);
        }
        let entry = cache.get_or_build_progressive(path, session_rate_hz, progress, early)?;
        let mut source = Self::open_file(&entry.wav, Origin::Cached(entry.wav.clone()))?
            .ok_or_else(|| MediaError::Corrupt {
                path: entry.wav.clone(),
                detail: "the decode cache wrote a file it cannot read back".to_owned(),
            })?;
        source.path = path.to_path_buf();
        source.warnings = entry.warnings;
        Ok(source)
    }

    /// Opens `path` in place if it is a WAV at `session_rate_hz` with one or two channels
    /// and a header that needs no repair; `Ok(None)` otherwise.
    pub fn open_in_place(path: &Path, session_rate_hz: u32) -> Result<Option<Self>> {
        let Some(source) = Self::open_file(path, Origin::InPlace)? else {
            return Ok(None);
        };
        Ok((source.layout.sample_rate_hz == session_rate_hz).then_some(source))
    }

    fn open_file(path: &Path, origin: Origin) -> Result<Option<Self>> {
        let open_err = |source| MediaError::Open {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(open_err)?;
        if let Some(kind) = not_a_regular_file(meta.file_type()) {
            return Err(MediaError::NotAFile {
                path: path.to_path_buf(),
                kind,
            });
        }
        let file = File::open(path).map_err(open_err)?;
        let Some(layout) = wav_layout::parse(&file, meta.len()).map_err(open_err)? else {
            return Ok(None);
        };
        Ok(Some(StreamSource {
            path: path.to_path_buf(),
            file,
            layout,
            origin,
            available: None,
            warnings: Vec::new(),
        }))
    }

    /// A source over a cache file still being written: `frames` announced, the
    /// samples (float, `channels` interleaved) from `data_offset`, `available` decoded.
    pub(crate) fn growing(
        path: &Path,
        partial: &Path,
        layout: WavLayout,
        available: Arc<AtomicU64>,
    ) -> Result<Self> {
        let file = File::open(partial).map_err(|source| MediaError::Open {
            path: partial.to_path_buf(),
            source,
        })?;
        Ok(StreamSource {
            path: path.to_path_buf(),
            file,
            layout,
            origin: Origin::Cached(partial.to_path_buf()),
            available: Some(available),
            warnings: Vec::new(),
        })
    }

    /// Whether the whole source is there (not still being decoded).
    pub fn is_complete(&self) -> bool {
        self.available.is_none()
    }

    /// The user's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the samples are read from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Length in frames at the session rate.
    pub fn frames(&self) -> u64 {
        self.layout.frames
    }

    /// Channels: 1 (mono) or 2 (stereo).
    pub fn channels(&self) -> usize {
        self.layout.channels
    }

    /// The sample rate of the frames read (the session's).
    pub fn sample_rate_hz(&self) -> u32 {
        self.layout.sample_rate_hz
    }

    /// Reads frames from `start` into the planar buffers `out` (one per channel, all the
    /// same length), as many as fit or as the source has. Returns the frames read.
    pub fn read(&self, start: u64, out: &mut [&mut [f32]]) -> Result<usize> {
        let want = out.first().map_or(0, |c| c.len()) as u64;
        let frames = want.min(self.layout.frames.saturating_sub(start)) as usize;
        if frames == 0 {
            return Ok(0);
        }
        if let Some(available) = &self.available
            && start + frames as u64 > available.load(Ordering::Acquire)
        {
            return Err(MediaError::Pending {
                path: self.path.clone(),
            });
        }
        let frame_bytes = self.layout.frame_bytes();
        let sample_bytes = self.layout.encoding.bytes();
        let offset = self.layout.data_offset + start * frame_bytes as u64;
        RAW.with_borrow_mut(|bytes| {
            // Only what grows is zeroed; the read overwrites all of it.
            bytes.resize(frames * frame_bytes, 0);
            self.file
                .read_exact_at(bytes, offset)
                .map_err(|e| self.read_error(e))?;
            let channels = self.layout.channels;
            // One loop per encoding and common frame size, so each converts without a
            // branch per sample.
            for (c, dst) in out.iter_mut().enumerate().take(channels) {
                let dst = &mut dst[..frames];
                let at = c * sample_bytes;
                match self.layout.encoding {
                    PcmEncoding::U8 => convert_any(dst, bytes, frame_bytes, at, PcmEncoding::U8),
                    PcmEncoding::I16 => {
                        convert_any(dst, bytes, frame_bytes, at, PcmEncoding::I16);
                    }
                    PcmEncoding::I24 => {
                        convert_any(dst, bytes, frame_bytes, at, PcmEncoding::I24);
                    }
                    PcmEncoding::I32 => {
                        convert_any(dst, bytes, frame_bytes, at, PcmEncoding::I32);
                    }
                    PcmEncoding::F32 => {
                        convert_any(dst, bytes, frame_bytes, at, PcmEncoding::F32);
                    }
                    PcmEncoding::F64 => {
                        convert_any(dst, bytes, frame_bytes, at, PcmEncoding::F64);
                    }
                }
            }
            Ok(frames)
        })
    }

    fn read_error(&self, e: std::io::Error) -> MediaError {
        let shown = match &self.origin {
            Origin::InPlace => self.path.clone(),
            Origin::Cached(wav) => wav.clone(),
        };
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            MediaError::Corrupt {
                path: shown,
                detail: "the file became shorter while the session was open (was it \
                         overwritten?)"
                    .to_owned(),
            }
        } else {
            MediaError::Open {
                path: shown,
                source: e,
            }
        }
    }
}

/// Converts one channel of interleaved `bytes` (frames of `frame_bytes`, the channel's
/// sample at `at`) into `dst`. Inlined with a constant `encoding` per call site, so the
/// loop has no branch per sample.
#[inline(always)]
fn convert(dst: &mut [f32], bytes: &[u8], frame_bytes: usize, at: usize, encoding: PcmEncoding) {
    for (d, frame) in dst.iter_mut().zip(bytes.chunks_exact(frame_bytes)) {
        *d = encoding.to_f32(&frame[at..]);
    }
}

/// [`convert`] with the frame size a constant for the common layouts (mono and stereo
/// of 16, 24 and 32 bits), so the loop is unrolled and free of bounds checks.
#[inline(always)]
fn convert_any(dst: &mut [f32], bytes: &[u8], frame_bytes: usize, at: usize, enc: PcmEncoding) {
    match frame_bytes {
        2 => convert(dst, bytes, 2, at, enc),
        3 => convert(dst, bytes, 3, at, enc),
        4 => convert(dst, bytes, 4, at, enc),
        6 => convert(dst, bytes, 6, at, enc),
        8 => convert(dst, bytes, 8, at, enc),
        _ => convert(dst, bytes, frame_bytes, at, enc),
    }
}

thread_local! {
    /// The raw bytes of this thread's last read, kept for the next: a fresh zeroed buffer
    /// per chunk cost a fill and page faults for every byte of media read.
    static RAW: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The sample rate of an audio file, read from its header when it is a WAV, otherwise
/// from the first block the decoder gives (the rest is not decoded).
pub fn native_rate(path: &Path) -> Result<u32> {
    check_regular_file(path)?;
    if let Some(source) = StreamSource::open_file(path, Origin::InPlace)? {
        return Ok(source.layout.sample_rate_hz);
    }
    let mut rate = None;
    let mut first = |r: u32, _: Option<u64>, _: &[Vec<f32>]| -> Result<()> {
        rate = Some(r);
        // Stop the decoder: the rate is all that was wanted.
        Err(MediaError::Corrupt {
            path: path.to_path_buf(),
            detail: String::new(),
        })
    };
    let decoded = crate::decode::decode_file_streaming(path, &|_| {}, &mut first);
    match (rate, decoded) {
        (Some(r), _) => Ok(r),
        (None, Ok((audio, _))) => Ok(audio.sample_rate_hz),
        (None, Err(e)) => Err(e),
    }
}
