//! Media sources, shared between graphs without copying: streamed from disk, or held in
//! memory (tests, synthesised audio).

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use stemdesk_media::{MediaCache, MediaError, StreamSource};
use stemdesk_session::{LoadedSession, resolve_media};

use crate::graph::chunks::{CHUNK_FRAMES, Chunk};

/// Identifies a source among all sources of this process (chunks name their source by
/// it; a relinked file is a new source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceKey(u64);

impl SourceKey {
    fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        SourceKey(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Where a source's frames are.
#[derive(Debug)]
enum Frames {
    /// Planar, in memory.
    Memory(Vec<Vec<f32>>),
    /// Read from disk a chunk at a time.
    Stream(StreamSource),
}

/// A source at the session rate: one or two channels.
///
/// The renderer never reads it directly: it reads [`Chunk`]s loaded from it (by the
/// disk thread during playback, by the render itself offline), so a source may be far
/// larger than memory.
#[derive(Debug)]
pub struct SourceAudio {
    key: SourceKey,
    frames: u64,
    channels: usize,
    data: Frames,
}

impl PartialEq for SourceAudio {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl SourceAudio {
    /// Audio held in memory: one `Vec` per channel (1 = mono, 2 = stereo), all the same
    /// length (longer channels are cut to the shortest).
    pub fn new(mut channels: Vec<Vec<f32>>) -> Self {
        let frames = channels.iter().map(Vec::len).min().unwrap_or(0);
        for c in &mut channels {
            c.truncate(frames);
        }
        SourceAudio {
            key: SourceKey::next(),
            frames: frames as u64,
            channels: channels.len().clamp(1, 2),
            data: Frames::Memory(channels),
        }
    }

    /// A source read from disk as it plays.
    pub fn streaming(source: StreamSource) -> Self {
        SourceAudio {
            key: SourceKey::next(),
            frames: source.frames(),
            channels: source.channels().clamp(1, 2),
            data: Frames::Stream(source),
        }
    }

    /// This source's identity.
    pub fn key(&self) -> SourceKey {
        self.key
    }

    /// Length in frames.
    pub fn frames(&self) -> usize {
        self.frames as usize
    }

    /// Number of channels (1 or 2).
    pub fn channel_count(&self) -> usize {
        self.channels
    }

    /// Whether the source is mono (it is then panned with the constant-power law).
    pub fn is_mono(&self) -> bool {
        self.channels == 1
    }

    /// Chunks the source is cut into.
    pub fn chunk_count(&self) -> usize {
        self.frames.div_ceil(CHUNK_FRAMES as u64) as usize
    }

    /// Reads frames from `start` into planar `out` (one buffer per channel of the
    /// source); returns how many frames there were.
    pub fn read(&self, start: u64, out: &mut [&mut [f32]]) -> Result<usize, MediaError> {
        match &self.data {
            Frames::Stream(s) => s.read(start, out),
            Frames::Memory(channels) => {
                let want = out.first().map_or(0, |c| c.len()) as u64;
                let n = want.min(self.frames.saturating_sub(start)) as usize;
                let at = start as usize;
                for (dst, src) in out.iter_mut().zip(channels) {
                    dst[..n].copy_from_slice(&src[at..at + n]);
                }
                Ok(n)
            }
        }
    }

    /// Loads chunk `index` (off the audio thread: it allocates and may read the disk).
    pub(crate) fn load_chunk(&self, index: usize) -> Result<Chunk, MediaError> {
        let start = index as u64 * CHUNK_FRAMES as u64;
        let len = (self.frames.saturating_sub(start)).min(CHUNK_FRAMES as u64) as usize;
        let mut left = crate::graph::chunks::channel_buffer(len);
        let mut right = if self.channels == 2 {
            crate::graph::chunks::channel_buffer(len)
        } else {
            Box::default()
        };
        let got = if self.channels == 2 {
            self.read(start, &mut [&mut left, &mut right])?
        } else {
            self.read(start, &mut [&mut left])?
        };
        // A recycled buffer holds an older chunk: what the source did not fill is silence.
        left[got.min(len)..].fill(0.0);
        if let Some(rest) = right.get_mut(got.min(len)..) {
            rest.fill(0.0);
        }
        Ok(Chunk {
            source: self.key,
            index: index as u32,
            left,
            right,
        })
    }

    /// Waveform peaks of the whole source, read a megabyte at a time (off the GUI
    /// thread for long sources).
    pub fn peaks(&self) -> Result<stemdesk_media::PeakCache, MediaError> {
        const BLOCK: usize = 1 << 17;
        let mut builder = stemdesk_media::PeakBuilder::new(self.channels);
        let mut bufs = vec![vec![0.0f32; BLOCK]; self.channels];
        let mut start = 0u64;
        while start < self.frames {
            let mut refs: Vec<&mut [f32]> = bufs.iter_mut().map(Vec::as_mut_slice).collect();
            let n = self.read(start, &mut refs)?;
            if n == 0 {
                break;
            }
            let block: Vec<&[f32]> = bufs.iter().map(|b| &b[..n]).collect();
            builder.push(&block);
            start += n as u64;
        }
        Ok(builder.finish())
    }

    /// [`SourceAudio::peaks`] through `cache`: stored peaks of the media file at `path`
    /// (read at `rate_hz`) when the file is unchanged, otherwise computed and stored.
    pub fn peaks_cached(
        &self,
        cache: &MediaCache,
        path: &std::path::Path,
        rate_hz: u32,
    ) -> Result<stemdesk_media::PeakCache, MediaError> {
        if let Some(p) = cache.load_peaks(path, rate_hz) {
            return Ok(p);
        }
        let peaks = self.peaks()?;
        cache.store_peaks(path, rate_hz, &peaks);
        Ok(peaks)
    }

    /// Reads the whole source into planar channels (waveform analysis, tests). Reads a
    /// streamed source from disk: use on short sources only.
    pub fn read_all(&self) -> Result<Vec<Vec<f32>>, MediaError> {
        let mut channels = vec![vec![0.0f32; self.frames as usize]; self.channels];
        let mut refs: Vec<&mut [f32]> = channels.iter_mut().map(Vec::as_mut_slice).collect();
        self.read(0, &mut refs)?;
        Ok(channels)
    }
}

/// Sources by their resolved path.
pub type SourceMap = HashMap<PathBuf, Arc<SourceAudio>>;

/// A source that could not be loaded; its clips play as silence.
#[derive(Debug, Clone)]
pub struct SourceProblem {
    /// The resolved path.
    pub path: PathBuf,
    /// What went wrong, naming the file.
    pub message: String,
}

/// Opens every source a session uses for streaming, at the session rate, with the user's
/// media cache ([`MediaCache::from_env`]). See [`open_sources`].
pub fn load_sources(loaded: &LoadedSession) -> (SourceMap, Vec<SourceProblem>, Vec<String>) {
    open_sources(loaded, &MediaCache::from_env())
}

/// Opens every source a session uses for streaming, at the session rate: WAV files at the
/// session rate in place, others decoded into `cache` first (in parallel) unless a valid
/// copy is there. Problems are collected, not fatal: the session still plays with those
/// clips silent.
///
/// A file reached through several paths (symlinks, `..`, hard links) is opened once and
/// shared: paths are grouped by the file they lead to (device and inode).
pub fn open_sources(
    loaded: &LoadedSession,
    cache: &MediaCache,
) -> (SourceMap, Vec<SourceProblem>, Vec<String>) {
    use rayon::prelude::*;
    let groups = source_groups(loaded);
    let rate = loaded.session.sample_rate_hz;
    let results: Vec<Result<StreamSource, MediaError>> = groups
        .par_iter()
        .map(|g| StreamSource::open(&g[0], rate, cache))
        .collect();
    let mut map = SourceMap::new();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for (group, result) in groups.into_iter().zip(results) {
        match result {
            Ok(source) => {
                warnings.extend(
                    source
                        .warnings
                        .iter()
                        .map(|w| format!("{}: {w}", group[0].display())),
                );
                let shared = Arc::new(SourceAudio::streaming(source));
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

/// What opening a session's media without decoding anything found.
#[derive(Debug, Default)]
pub struct QuickOpen {
    /// Sources read in place (WAV at the session rate), ready to play.
    pub sources: SourceMap,
    /// Files that need decoding into the media cache first (compressed, another rate,
    /// more channels, a header needing repair), each once.
    pub to_decode: Vec<PathBuf>,
    /// Files that cannot be opened at all (missing, a FIFO, empty).
    pub problems: Vec<SourceProblem>,
}

/// Opens what a session's media can play at once, in place, reading only their headers
/// (so opening a session never waits on decoding); lists the rest to decode in the
/// background with [`SourceAudio::streaming`] over [`StreamSource::open`].
pub fn open_sources_in_place(loaded: &LoadedSession) -> QuickOpen {
    let rate = loaded.session.sample_rate_hz;
    let mut open = QuickOpen::default();
    for group in source_groups(loaded) {
        match stemdesk_media::check_regular_file(&group[0])
            .and_then(|()| StreamSource::open_in_place(&group[0], rate))
        {
            Ok(Some(source)) => {
                let shared = Arc::new(SourceAudio::streaming(source));
                for path in group {
                    open.sources.insert(path, Arc::clone(&shared));
                }
            }
            Ok(None) => open.to_decode.extend(group),
            Err(e) => {
                let message = e.to_string();
                open.problems
                    .extend(group.into_iter().map(|path| SourceProblem {
                        path,
                        message: message.clone(),
                    }));
            }
        }
    }
    open
}

/// The resolved media paths of a session, grouped by the file they lead to; a path whose
/// file cannot be found is its own group (opening it then reports the problem).
pub fn source_groups(loaded: &LoadedSession) -> Vec<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = loaded
        .session
        .clips()
        .map(|(_, c)| resolve_media(&loaded.base_dir, &c.source))
        .collect();
    paths.sort();
    paths.dedup();
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
    groups
}
