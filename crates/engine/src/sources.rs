//! Decoded media, shared between graphs without copying.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use stemdesk_session::{LoadedSession, resolve_media};

/// A source file decoded and resampled to the session rate: planar, one or two channels.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceAudio {
    /// One `Vec` per channel (1 = mono, 2 = stereo), all the same length.
    pub channels: Vec<Vec<f32>>,
}

impl SourceAudio {
    /// Length in frames.
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    /// Whether the source is mono (it is then panned with the constant-power law).
    pub fn is_mono(&self) -> bool {
        self.channels.len() == 1
    }
}

/// Decoded sources by their resolved path.
pub type SourceMap = HashMap<PathBuf, Arc<SourceAudio>>;

/// A source that could not be loaded; its clips play as silence.
#[derive(Debug, Clone)]
pub struct SourceProblem {
    /// The resolved path.
    pub path: PathBuf,
    /// What went wrong, naming the file.
    pub message: String,
}

/// Decodes every source a session uses (in parallel), resampled to the session rate.
/// Problems are collected, not fatal: the session still plays with those clips silent.
pub fn load_sources(loaded: &LoadedSession) -> (SourceMap, Vec<SourceProblem>, Vec<String>) {
    let mut paths: Vec<PathBuf> = loaded
        .session
        .clips()
        .map(|(_, c)| resolve_media(&loaded.base_dir, &c.source))
        .collect();
    paths.sort();
    paths.dedup();
    let results = stemdesk_media::load_many(&paths, loaded.session.sample_rate_hz);
    let mut map = SourceMap::new();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for (path, result) in paths.into_iter().zip(results) {
        match result {
            Ok(audio) => {
                warnings.extend(
                    audio
                        .warnings
                        .iter()
                        .map(|w| format!("{}: {w}", path.display())),
                );
                map.insert(
                    path,
                    Arc::new(SourceAudio {
                        channels: audio.channels,
                    }),
                );
            }
            Err(e) => problems.push(SourceProblem {
                path,
                message: e.to_string(),
            }),
        }
    }
    (map, problems, warnings)
}
