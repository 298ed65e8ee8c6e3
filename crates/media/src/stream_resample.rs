//! Sample-rate conversion of a stream (a bounce delivered at another rate than the
//! session's): fed blocks of any length, gives blocks out, keeps timing (the resampler's
//! delay is trimmed) and length (`round(frames * to / from)` in all).

use std::path::PathBuf;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};

use crate::error::{MediaError, Result};

/// Frames per resampler call.
const CHUNK_FRAMES: usize = 1024;
const CHANNELS: usize = 2;

/// A stereo resampler for a stream of interleaved blocks.
pub struct StreamResampler {
    resampler: Fft<f32>,
    from_hz: u32,
    to_hz: u32,
    /// Input not yet handed to the resampler (less than a chunk), interleaved.
    pending: Vec<f32>,
    /// Output of one call, interleaved.
    scratch: Vec<f32>,
    /// Output frames still to drop (the resampler's delay).
    skip: usize,
    frames_in: u64,
    frames_out: u64,
}

impl std::fmt::Debug for StreamResampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamResampler")
            .field("from_hz", &self.from_hz)
            .field("to_hz", &self.to_hz)
            .finish_non_exhaustive()
    }
}

fn fail(detail: impl ToString) -> MediaError {
    MediaError::Resample {
        path: PathBuf::from("<bounce>"),
        detail: detail.to_string(),
    }
}

impl StreamResampler {
    /// Converts stereo from `from_hz` to `to_hz` (rubato's FFT resampler: exact ratio, long
    /// windowed-sinc anti-aliasing).
    pub fn new(from_hz: u32, to_hz: u32) -> Result<Self> {
        if from_hz == 0 || to_hz == 0 {
            return Err(fail(format!("cannot convert {from_hz} Hz to {to_hz} Hz")));
        }
        let resampler = Fft::<f32>::new(
            from_hz as usize,
            to_hz as usize,
            CHUNK_FRAMES,
            CHANNELS,
            FixedSync::Input,
        )
        .map_err(fail)?;
        let skip = resampler.output_delay();
        let max_out = resampler.output_frames_max();
        Ok(StreamResampler {
            resampler,
            from_hz,
            to_hz,
            pending: Vec::with_capacity(CHUNK_FRAMES * CHANNELS),
            scratch: vec![0.0; max_out * CHANNELS],
            skip,
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// The rate it converts to.
    pub fn to_hz(&self) -> u32 {
        self.to_hz
    }

    /// Converts `input` (interleaved stereo), appending what is ready to `out`.
    pub fn push(&mut self, input: &[f32], out: &mut Vec<f32>) -> Result<()> {
        self.frames_in += (input.len() / CHANNELS) as u64;
        let mut rest = input;
        while !rest.is_empty() {
            let need = self.resampler.input_frames_next() * CHANNELS - self.pending.len();
            let take = need.min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == self.resampler.input_frames_next() * CHANNELS {
                self.run(None, out)?;
            }
        }
        Ok(())
    }

    /// Flushes the end of the stream into `out`: exactly `round(frames * to / from)`
    /// frames have then been given in all.
    pub fn finish(&mut self, out: &mut Vec<f32>) -> Result<()> {
        let total = (self.frames_in as f64 * f64::from(self.to_hz) / f64::from(self.from_hz))
            .round() as u64;
        // Silence through the resampler until its delay is flushed.
        let mut guard = 0;
        while self.frames_out < total && guard < 64 {
            let partial = self.pending.len() / CHANNELS;
            self.pending
                .resize(self.resampler.input_frames_next() * CHANNELS, 0.0);
            self.run(Some(partial), out)?;
            self.pending.clear();
            guard += 1;
        }
        let excess = self.frames_out.saturating_sub(total) as usize;
        out.truncate(out.len() - excess * CHANNELS);
        self.frames_out = total;
        Ok(())
    }

    fn run(&mut self, partial: Option<usize>, out: &mut Vec<f32>) -> Result<()> {
        let frames = self.pending.len() / CHANNELS;
        let input = InterleavedSlice::new(&self.pending, CHANNELS, frames).map_err(fail)?;
        let out_frames = self.scratch.len() / CHANNELS;
        let mut output =
            InterleavedSlice::new_mut(&mut self.scratch, CHANNELS, out_frames).map_err(fail)?;
        let indexing = partial.map(|p| Indexing {
            input_offset: 0,
            output_offset: 0,
            partial_len: Some(p),
            active_channels_mask: None,
        });
        let (_, written) = self
            .resampler
            .process_into_buffer(&input, &mut output, indexing.as_ref())
            .map_err(fail)?;
        self.pending.clear();
        let drop = self.skip.min(written);
        self.skip -= drop;
        out.extend_from_slice(&self.scratch[drop * CHANNELS..written * CHANNELS]);
        self.frames_out += (written - drop) as u64;
        Ok(())
    }
}
