//! Streaming FLAC writer for bounces (16 or 24 bits), encoded frame by frame with the
//! pure-Rust `flacenc` encoder, so memory stays flat however long the mix. Like the WAV
//! writer it writes a hidden temporary file beside the destination and renames it only
//! when complete; the STREAMINFO header (length, MD5) is rewritten at the end.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use flacenc::bitsink::ByteSink;
use flacenc::component::{BitRepr, MetadataBlockData, Stream};
use flacenc::config;
use flacenc::error::{Verified, Verify};
use flacenc::source::{Context, Fill, FrameBuf};
use tempfile::TempPath;

use crate::dither::{Dither, Ditherer};
use crate::encode::{SampleFormat, commit, create_temp, write_err};
use crate::error::Result;
use crate::metadata::{BextLoudness, Metadata};

/// Frames per FLAC frame (the reference encoder's default).
const BLOCK_FRAMES: usize = 4096;

/// A FLAC file being written; visible at its destination only once finalized.
pub struct FlacWriter {
    // The file handle is dropped before the temporary path, whose drop deletes an
    // abandoned file.
    writer: Option<BufWriter<File>>,
    temp_path: Option<TempPath>,
    dest: PathBuf,
    channels: usize,
    bits: u32,
    stream: Stream,
    config: Verified<config::Encoder>,
    framebuf: (FrameBuf, Context),
    pending: Vec<i32>,
    ditherer: Ditherer,
    clipped: u64,
    header_len: usize,
}

impl std::fmt::Debug for FlacWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlacWriter")
            .field("dest", &self.dest)
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

impl FlacWriter {
    /// Starts a FLAC bounce to `path`: `format` 16- or 24-bit (FLAC holds integers only).
    pub fn create(
        path: &Path,
        sample_rate_hz: u32,
        channels: u16,
        format: SampleFormat,
    ) -> Result<Self> {
        Self::create_with_metadata(path, sample_rate_hz, channels, format, None)
    }

    /// Like [`FlacWriter::create`], with Vorbis comments (title, artist, date, encoder).
    pub fn create_with_metadata(
        path: &Path,
        sample_rate_hz: u32,
        channels: u16,
        format: SampleFormat,
        metadata: Option<&Metadata>,
    ) -> Result<Self> {
        let invalid = |what: String| {
            write_err(
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidInput, what),
            )
        };
        let bits = match format {
            SampleFormat::Int16 => 16,
            SampleFormat::Int24 => 24,
            SampleFormat::Float32 => {
                return Err(invalid(
                    "FLAC holds 16- or 24-bit integers, not 32-bit float".into(),
                ));
            }
        };
        let ch = usize::from(channels);
        let mut stream = Stream::new(sample_rate_hz as usize, ch, bits)
            .map_err(|e| invalid(format!("invalid FLAC format: {e:?}")))?;
        stream
            .stream_info_mut()
            .set_block_sizes(BLOCK_FRAMES, BLOCK_FRAMES)
            .map_err(|e| invalid(format!("FLAC block size: {e:?}")))?;
        if let Some(m) = metadata {
            let block = MetadataBlockData::new_unknown(4, &m.vorbis_comment())
                .map_err(|e| invalid(format!("FLAC comments: {e:?}")))?;
            stream.add_metadata_block(block);
        }
        let config = config::Encoder::default()
            .into_verified()
            .map_err(|e| invalid(format!("FLAC encoder set-up: {e:?}")))?;
        let framebuf = (
            FrameBuf::with_size(ch, BLOCK_FRAMES)
                .map_err(|e| invalid(format!("FLAC frame buffer: {e:?}")))?,
            Context::new(bits, ch),
        );
        let (file, temp_path) = create_temp(path)?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        let header = to_bytes(&stream).map_err(invalid)?;
        writer.write_all(&header).map_err(|e| write_err(path, e))?;
        Ok(FlacWriter {
            writer: Some(writer),
            temp_path: Some(temp_path),
            dest: path.to_path_buf(),
            channels: ch,
            bits: bits as u32,
            stream,
            config,
            framebuf,
            pending: Vec::with_capacity(BLOCK_FRAMES * ch),
            ditherer: Ditherer::new(Dither::Off, ch),
            clipped: 0,
            header_len: header.len(),
        })
    }

    /// Dithers as `dither` says when reducing the float mix to integers.
    #[must_use]
    pub fn with_dither(mut self, dither: Dither) -> Self {
        self.ditherer = Ditherer::new(dither, self.channels);
        self
    }

    /// Samples written so far beyond ±1.0 or not finite (clipped).
    pub fn clipped_samples(&self) -> u64 {
        self.clipped
    }

    /// The hidden file being written, until finalized.
    pub fn temp_path(&self) -> Option<&Path> {
        self.temp_path.as_deref()
    }

    /// Appends interleaved frames (a whole number of frames).
    pub fn write_interleaved(&mut self, samples: &[f32]) -> Result<()> {
        if !samples.len().is_multiple_of(self.channels) {
            return Err(write_err(
                &self.dest,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a whole number of frames",
                ),
            ));
        }
        for (i, &s) in samples.iter().enumerate() {
            if !s.is_finite() || s.abs() > 1.0 {
                self.clipped += 1;
            }
            let finite = if s.is_finite() { s } else { 0.0 };
            let q = self.ditherer.quantize(finite, self.bits, i % self.channels);
            self.pending.push(q);
            if self.pending.len() == BLOCK_FRAMES * self.channels {
                self.encode_pending()?;
            }
        }
        Ok(())
    }

    fn encode_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let dest = self.dest.clone();
        let fail = |what: String| write_err(&dest, std::io::Error::other(what));
        self.framebuf
            .fill_interleaved(&self.pending)
            .map_err(|e| fail(format!("FLAC: {e:?}")))?;
        let number = self
            .framebuf
            .1
            .current_frame_number()
            .ok_or_else(|| fail("FLAC: no frame number".into()))?;
        let frame = flacenc::encode_fixed_size_frame(
            &self.config,
            &self.framebuf.0,
            number,
            self.stream.stream_info(),
        )
        .map_err(|e| fail(format!("FLAC: {e:?}")))?;
        self.stream.stream_info_mut().update_frame_info(&frame);
        let bytes = to_bytes(&frame).map_err(fail)?;
        self.writer
            .as_mut()
            .ok_or_else(|| fail("the writer is already closed".into()))?
            .write_all(&bytes)
            .map_err(|e| write_err(&dest, e))?;
        self.pending.clear();
        Ok(())
    }

    /// Finishes the file and moves it to its destination, replacing a file there.
    pub fn finalize(self) -> Result<()> {
        self.finish(true)
    }

    /// Like [`FlacWriter::finalize`], but fails instead of replacing an existing file.
    pub fn finalize_no_replace(self) -> Result<()> {
        self.finish(false)
    }

    fn finish(mut self, replace: bool) -> Result<()> {
        self.encode_pending()?;
        let dest = self.dest.clone();
        let info = self.stream.stream_info_mut();
        info.set_md5_digest(&self.framebuf.1.md5_digest());
        info.set_total_samples(self.framebuf.1.total_samples());
        // A fixed-block stream: the short last frame does not count (FLAC's STREAMINFO).
        info.set_block_sizes(BLOCK_FRAMES, BLOCK_FRAMES)
            .map_err(|e| write_err(&dest, std::io::Error::other(format!("{e:?}"))))?;
        let header =
            to_bytes(&self.stream).map_err(|e| write_err(&dest, std::io::Error::other(e)))?;
        let mut writer = self
            .writer
            .take()
            .ok_or_else(|| write_err(&dest, std::io::Error::other("already closed")))?;
        if header.len() != self.header_len {
            return Err(write_err(
                &dest,
                std::io::Error::other("FLAC header changed size"),
            ));
        }
        writer
            .seek(SeekFrom::Start(0))
            .and_then(|_| writer.write_all(&header))
            .and_then(|()| writer.flush())
            .map_err(|e| write_err(&dest, e))?;
        drop(writer);
        let temp_path = self
            .temp_path
            .take()
            .ok_or_else(|| write_err(&dest, std::io::Error::other("already closed")))?;
        commit(temp_path, &dest, replace)
    }
}

/// The bytes of a FLAC component.
fn to_bytes(component: &impl BitRepr) -> std::result::Result<Vec<u8>, String> {
    let mut sink = ByteSink::new();
    component
        .write(&mut sink)
        .map_err(|e| format!("FLAC: {e:?}"))?;
    Ok(sink.into_inner())
}

/// The file types a mix can be written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Container {
    /// WAV (RIFF, RF64 beyond 4 GiB): 16/24-bit integer or 32-bit float.
    #[default]
    Wav,
    /// FLAC: lossless, 16 or 24 bits.
    Flac,
}

impl Container {
    /// The container a file name asks for: `.flac` is FLAC, anything else WAV.
    pub fn from_path(path: &Path) -> Container {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("flac") => Container::Flac,
            _ => Container::Wav,
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Container::Wav => "wav",
            Container::Flac => "flac",
        }
    }
}

/// A mix being written as WAV or FLAC.
#[derive(Debug)]
pub enum MixWriter {
    /// A WAV file.
    Wav(Box<crate::encode::WavWriter>),
    /// A FLAC file.
    Flac(Box<FlacWriter>),
}

impl MixWriter {
    /// Starts writing `path` as `container` (see [`crate::WavWriter::create`] and
    /// [`FlacWriter::create`]).
    pub fn create(
        path: &Path,
        sample_rate_hz: u32,
        channels: u16,
        format: SampleFormat,
        container: Container,
        metadata: Option<&Metadata>,
    ) -> Result<Self> {
        Ok(match container {
            Container::Wav => {
                MixWriter::Wav(Box::new(crate::encode::WavWriter::create_with_metadata(
                    path,
                    sample_rate_hz,
                    channels,
                    format,
                    metadata,
                )?))
            }
            Container::Flac => MixWriter::Flac(Box::new(FlacWriter::create_with_metadata(
                path,
                sample_rate_hz,
                channels,
                format,
                metadata,
            )?)),
        })
    }

    /// Loudness figures for the WAV `bext` chunk (FLAC has no place for them).
    pub fn set_loudness(&mut self, loudness: BextLoudness) {
        if let MixWriter::Wav(w) = self {
            w.set_loudness(loudness);
        }
    }

    /// Dithers as `dither` says when reducing to integers.
    #[must_use]
    pub fn with_dither(self, dither: Dither) -> Self {
        match self {
            MixWriter::Wav(w) => MixWriter::Wav(Box::new(w.with_dither(dither))),
            MixWriter::Flac(w) => MixWriter::Flac(Box::new(w.with_dither(dither))),
        }
    }

    /// Appends interleaved frames.
    pub fn write_interleaved(&mut self, samples: &[f32]) -> Result<()> {
        match self {
            MixWriter::Wav(w) => w.write_interleaved(samples),
            MixWriter::Flac(w) => w.write_interleaved(samples),
        }
    }

    /// Samples clipped so far.
    pub fn clipped_samples(&self) -> u64 {
        match self {
            MixWriter::Wav(w) => w.clipped_samples(),
            MixWriter::Flac(w) => w.clipped_samples(),
        }
    }

    /// The hidden temporary file being written.
    pub fn temp_path(&self) -> Option<&Path> {
        match self {
            MixWriter::Wav(w) => w.temp_path(),
            MixWriter::Flac(w) => w.temp_path(),
        }
    }

    /// Finishes and moves the file into place, replacing a file there.
    pub fn finalize(self) -> Result<()> {
        match self {
            MixWriter::Wav(w) => w.finalize(),
            MixWriter::Flac(w) => w.finalize(),
        }
    }

    /// Finishes and moves the file into place unless one exists there.
    pub fn finalize_no_replace(self) -> Result<()> {
        match self {
            MixWriter::Wav(w) => w.finalize_no_replace(),
            MixWriter::Flac(w) => w.finalize_no_replace(),
        }
    }
}
