//! Decoded media, shared between graphs without copying.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
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
///
/// A file reached through several paths (symlinks, `..`, hard links) is decoded once and
/// shared: paths are grouped by the file they lead to (device and inode).
pub fn load_sources(loaded: &LoadedSession) -> (SourceMap, Vec<SourceProblem>, Vec<String>) {
    let mut paths: Vec<PathBuf> = loaded
        .session
        .clips()
        .map(|(_, c)| resolve_media(&loaded.base_dir, &c.source))
        .collect();
    paths.sort();
    paths.dedup();
    // Group the paths by file; a path whose file cannot be found is its own group (its
    // decode then reports the problem).
    let mut groups: Vec<Vec<PathBuf>> = Vec::new();
    let mut group_of: HashMap<(u64, u64), usize> = HashMap::new();
    for path in paths {
        match std::fs::metadata(&path).map(|m| (m.dev(), m.ino())) {
            Ok(id) => match group_of.get(&id) {
                Some(&g) => groups[g].push(path),
                None => {
                    group_of.insert(id, groups.len());
                    groups.push(vec![path]);
                }
            },
            Err(_) => groups.push(vec![path]),
        }
    }
    let firsts: Vec<PathBuf> = groups.iter().map(|g| g[0].clone()).collect();
    let results = stemdesk_media::load_many(&firsts, loaded.session.sample_rate_hz);
    let mut map = SourceMap::new();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for (group, result) in groups.into_iter().zip(results) {
        match result {
            Ok(audio) => {
                warnings.extend(
                    audio
                        .warnings
                        .iter()
                        .map(|w| format!("{}: {w}", group[0].display())),
                );
                let shared = Arc::new(SourceAudio {
                    channels: audio.channels,
                });
                for path in group {
                    map.insert(path, Arc::clone(&shared));
                }
            }
            Err(e) => {
                let message = e.to_string();
                problems.extend(group.into_iter().map(|path| SourceProblem {
                    path,
                    message: message.clone(),
                }));
            }
        }
    }
    (map, problems, warnings)
}
