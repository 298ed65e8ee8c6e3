//! One call from a file path to audio at the session rate, and a parallel batch version
//! for opening a session with many stems.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::decode::{DecodedAudio, decode_file_with_progress};
use crate::error::Result;
use crate::resample::resample;

/// Decode `path`, mix it down to mono/stereo and resample it to `session_rate_hz`.
///
/// This is what a track needs before it can play: the engine runs at one rate and never
/// resamples in real time. Errors (including resampling ones) name `path`.
pub fn load_for_session(path: &Path, session_rate_hz: u32) -> Result<DecodedAudio> {
    load_for_session_with_progress(path, session_rate_hz, &|_| {})
}

/// [`load_for_session`] reporting the fraction decoded to `progress`.
pub fn load_for_session_with_progress(
    path: &Path,
    session_rate_hz: u32,
    progress: &dyn Fn(f32),
) -> Result<DecodedAudio> {
    let decoded = decode_file_with_progress(path, progress)?;
    if decoded.sample_rate_hz == session_rate_hz {
        return Ok(decoded);
    }
    let mut audio = resample(&decoded, session_rate_hz).map_err(|e| e.with_path(path))?;
    audio.warnings.push(format!(
        "resampled from {} Hz to the session rate of {} Hz",
        decoded.sample_rate_hz, session_rate_hz
    ));
    Ok(audio)
}

/// [`load_for_session`] for many files at once, decoded in parallel on rayon's pool.
///
/// Results are in the same order as `paths`; one bad file does not stop the others, so the
/// session can open with the stems that work and list the ones that do not.
pub fn load_many(paths: &[PathBuf], session_rate_hz: u32) -> Vec<Result<DecodedAudio>> {
    paths
        .par_iter()
        .map(|p| load_for_session(p, session_rate_hz))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn progress_rises_to_the_end_of_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("long.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).expect("create");
        for i in 0..48_000 * 4 {
            w.write_sample((i % 1000) as i16).expect("write");
        }
        w.finalize().expect("finalize");
        let seen = Mutex::new(Vec::new());
        let audio = load_for_session_with_progress(&path, 48_000, &|f| {
            if let Ok(mut s) = seen.lock() {
                s.push(f);
            }
        })
        .expect("decode");
        assert_eq!(audio.channels[0].len(), 96_000);
        let seen = seen.into_inner().unwrap_or_default();
        assert!(seen.len() > 5, "{} reports", seen.len());
        assert!(seen.windows(2).all(|w| w[1] >= w[0]), "monotonic");
        assert!(*seen.last().unwrap_or(&0.0) > 0.9, "{seen:?}");
    }
}
