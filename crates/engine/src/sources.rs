//! Decoded media, shared between graphs without copying.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::Arc;

use stemdesk_session::{LoadedSession, resolve_media};

/// A source file decoded and resampled to the session rate: planar, one or two channels.
///
/// The renderer reads it only through [`SourceAudio::samples`], a window of frames, so a
/// source that streams from disk can take its place: it answers from what it has read
/// ahead.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceAudio {
    /// One `Vec` per channel (1 = mono, 2 = stereo), all the same length.
    channels: Vec<Vec<f32>>,
}

impl SourceAudio {
    /// Audio held in memory: one `Vec` per channel (1 = mono, 2 = stereo), all the same
    /// length (longer channels are cut to the shortest).
    pub fn new(mut channels: Vec<Vec<f32>>) -> Self {
        let frames = channels.iter().map(Vec::len).min().unwrap_or(0);
        for c in &mut channels {
            c.truncate(frames);
        }
        SourceAudio { channels }
    }

    /// Length in frames.
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    /// Number of channels (1 or 2).
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Whether the source is mono (it is then panned with the constant-power law).
    pub fn is_mono(&self) -> bool {
        self.channels.len() == 1
    }

    /// `len` frames of `channel` from `start_frame` (a channel past the last reads the
    /// last, so a mono source feeds both sides); `None` when out of range.
    pub fn samples(&self, channel: usize, start_frame: usize, len: usize) -> Option<&[f32]> {
        let c = self.channels.get(channel).or(self.channels.last())?;
        c.get(start_frame..start_frame.checked_add(len)?)
    }

    /// Every channel whole (analysis of audio held in memory: waveform peaks, tests).
    pub fn in_memory_channels(&self) -> &[Vec<f32>] {
        &self.channels
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
                let shared = Arc::new(SourceAudio::new(audio.channels));
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
