//! Sample-rate conversion to the session rate.
//!
//! Uses rubato's FFT-based synchronous resampler: the ratio is exact (e.g. 160/147 for
//! 44.1 kHz -> 48 kHz), the anti-aliasing filter is a long Blackman-Harris windowed sinc, and
//! the whole clip is processed offline, so quality matters more than latency.
//!
//! Timing is preserved: the resampler's own delay (`output_delay()`) is trimmed from the
//! start and the tail is flushed with silence, so an event at input time `t` lands at output
//! time `t` and the output has exactly `round(frames * target / source)` frames. Stems that
//! started together at different rates therefore still line up in the session.

use std::path::PathBuf;

use rubato::audioadapter_buffers::direct::SequentialSlice;
use rubato::{Fft, FixedSync, Resampler};

use crate::decode::DecodedAudio;
use crate::error::{MediaError, Result};

/// Input chunk size handed to the FFT resampler, in frames (rubato splits it into
/// sub-chunks of about 256 frames internally).
const CHUNK_FRAMES: usize = 1024;

/// Resample `audio` to `target_rate_hz`.
///
/// When the rates already match the audio is returned as an exact copy, untouched. The
/// output length is `round(frames * target / source)` and there is no added delay. Warnings
/// are carried over. Errors name `<decoded audio>` as the path: callers that know the file
/// (e.g. [`crate::load_for_session`]) substitute it.
pub fn resample(audio: &DecodedAudio, target_rate_hz: u32) -> Result<DecodedAudio> {
    let fail = |detail: String| MediaError::Resample {
        path: PathBuf::from("<decoded audio>"),
        detail,
    };
    if target_rate_hz == 0 || audio.sample_rate_hz == 0 {
        return Err(fail(format!(
            "cannot convert from {} Hz to {} Hz",
            audio.sample_rate_hz, target_rate_hz
        )));
    }
    if audio.sample_rate_hz == target_rate_hz {
        return Ok(audio.clone());
    }
    let in_frames = audio.frames();
    let out_frames = output_len(in_frames, audio.sample_rate_hz, target_rate_hz);

    let mut channels = Vec::with_capacity(audio.channels.len());
    for plane in &audio.channels {
        let plane = &plane[..in_frames.min(plane.len())];
        let mut out = if plane.is_empty() {
            Vec::new()
        } else {
            // One single-channel resampler per plane: no interleaving copies of the input.
            let mut resampler = Fft::<f32>::new(
                audio.sample_rate_hz as usize,
                target_rate_hz as usize,
                CHUNK_FRAMES,
                1,
                FixedSync::Input,
            )
            .map_err(|e| fail(e.to_string()))?;
            let input =
                SequentialSlice::new(plane, 1, plane.len()).map_err(|e| fail(e.to_string()))?;
            // `process_all` trims `output_delay()` frames from the start and pumps silence
            // through until the tail is flushed: exactly the latency compensation we need.
            resampler
                .process_all(&input, plane.len(), None)
                .map_err(|e| fail(e.to_string()))?
                .take_data()
        };
        // process_all yields ceil(frames * ratio); the contract is round(...).
        out.resize(out_frames, 0.0);
        channels.push(out);
    }

    Ok(DecodedAudio {
        sample_rate_hz: target_rate_hz,
        channels,
        source_channels: audio.source_channels,
        warnings: audio.warnings.clone(),
    })
}

/// `round(frames * to / from)` in exact integer arithmetic.
fn output_len(frames: usize, from_hz: u32, to_hz: u32) -> usize {
    let num = frames as u128 * u128::from(to_hz);
    let den = u128::from(from_hz);
    ((num + den / 2) / den) as usize
}
