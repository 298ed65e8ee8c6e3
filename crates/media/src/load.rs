//! One call from a file path to audio at the session rate, and a parallel batch version
//! for opening a session with many stems.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::decode::{DecodedAudio, decode_file};
use crate::error::Result;
use crate::resample::resample;

/// Decode `path`, mix it down to mono/stereo and resample it to `session_rate_hz`.
///
/// This is what a track needs before it can play: the engine runs at one rate and never
/// resamples in real time. Errors (including resampling ones) name `path`.
pub fn load_for_session(path: &Path, session_rate_hz: u32) -> Result<DecodedAudio> {
    let decoded = decode_file(path)?;
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
