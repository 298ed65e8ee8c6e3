//! The parts of sources a graph holds in memory: chunks of a fixed number of frames,
//! loaded from disk off the audio thread and handed to the graph, which the clips read.
//!
//! Offline (a bounce, tests) the graph loads what a block needs itself before rendering
//! it ([`DiskMode::Blocking`]) and keeps only that, so memory does not grow with the
//! session's length. Live ([`DiskMode::Streaming`]) it never loads: the disk thread
//! installs chunks ahead of the playhead and evicts those behind it; a chunk that is not
//! there when a clip needs it plays as silence and is counted as a disk underrun.

use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::sources::{SourceAudio, SourceKey};

/// Frames per chunk (0.68 s at 48 kHz; 256 KiB for stereo).
pub const CHUNK_FRAMES: usize = 32_768;

/// Consecutive frames of one source, planar.
#[derive(Debug)]
pub struct Chunk {
    pub(crate) source: SourceKey,
    pub(crate) index: u32,
    pub(crate) left: Box<[f32]>,
    /// Empty for a mono source.
    pub(crate) right: Box<[f32]>,
}

impl Chunk {
    /// The source it belongs to.
    pub fn source(&self) -> SourceKey {
        self.source
    }

    /// Its place in the source, in chunks.
    pub fn index(&self) -> usize {
        self.index as usize
    }

    /// Frames held.
    pub fn frames(&self) -> usize {
        self.left.len()
    }

    pub(crate) fn channel(&self, c: usize) -> &[f32] {
        if c == 1 && !self.right.is_empty() {
            &self.right
        } else {
            &self.left
        }
    }
}

/// Full-size channel buffers kept for reuse (about 8 MB): every chunk a bounce or the
/// disk thread loads would otherwise be fresh memory from the system, whose page faults
/// and unmapping cost more than reading the audio into it.
const POOL_BUFFERS: usize = 64;

/// Channel buffers of dropped chunks, handed to the next loads.
static POOL: Mutex<Vec<Box<[f32]>>> = Mutex::new(Vec::new());

/// A channel buffer of `len` frames, recycled when it is a full chunk. Its contents are
/// whatever was there: the caller overwrites them.
pub(crate) fn channel_buffer(len: usize) -> Box<[f32]> {
    if len == CHUNK_FRAMES
        && let Some(buf) = POOL.lock().ok().and_then(|mut p| p.pop())
    {
        return buf;
    }
    vec![0.0; len].into_boxed_slice()
}

impl Drop for Chunk {
    /// Gives full-size buffers back to the pool (chunks are dropped off the audio thread:
    /// the player hands them back).
    fn drop(&mut self) {
        let Ok(mut pool) = POOL.lock() else {
            return;
        };
        for buf in [&mut self.left, &mut self.right] {
            if buf.len() == CHUNK_FRAMES && pool.len() < POOL_BUFFERS {
                pool.push(std::mem::take(buf));
            }
        }
    }
}

/// Who loads a graph's chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskMode {
    /// The graph loads what each block needs before rendering it (never on the audio
    /// thread: loading allocates and reads the disk).
    Blocking,
    /// Chunks are installed from outside (the disk thread); missing ones are underruns.
    Streaming,
}

/// The chunks a graph holds, per source.
pub(crate) struct ChunkTable {
    /// The graph's sources, sorted by key.
    pub(crate) sources: Vec<Arc<SourceAudio>>,
    slots: Vec<Vec<Option<Arc<Chunk>>>>,
    /// `(source, chunk)` held in blocking mode, so the next block can drop the rest.
    resident: Vec<(usize, usize)>,
    pub(crate) mode: DiskMode,
    /// The first load that failed in blocking mode (a file gone or cut short meanwhile).
    pub(crate) error: Option<String>,
}

impl ChunkTable {
    pub(crate) fn new(mut sources: Vec<Arc<SourceAudio>>) -> Self {
        sources.sort_by_key(|s| s.key());
        sources.dedup_by_key(|s| s.key());
        let slots = sources
            .iter()
            .map(|s| vec![None; s.chunk_count()])
            .collect();
        ChunkTable {
            sources,
            slots,
            resident: Vec::new(),
            mode: DiskMode::Blocking,
            error: None,
        }
    }

    /// The graph-local index of a source.
    pub(crate) fn index_of(&self, key: SourceKey) -> Option<usize> {
        self.sources.binary_search_by_key(&key, |s| s.key()).ok()
    }

    pub(crate) fn get(&self, source: usize, chunk: usize) -> Option<&Chunk> {
        self.slots.get(source)?.get(chunk)?.as_deref()
    }

    /// Puts `chunk` in its place; returns what must be freed elsewhere (the chunk it
    /// replaced, or itself when this graph does not use its source). Never allocates.
    pub(crate) fn install(&mut self, chunk: Arc<Chunk>) -> Option<Arc<Chunk>> {
        let Some(slot) = self
            .index_of(chunk.source)
            .and_then(|s| self.slots.get_mut(s))
            .and_then(|s| s.get_mut(chunk.index as usize))
        else {
            return Some(chunk);
        };
        slot.replace(chunk)
    }

    /// Takes a chunk out (to be freed elsewhere). Never allocates.
    pub(crate) fn evict(&mut self, source: SourceKey, index: usize) -> Option<Arc<Chunk>> {
        let s = self.index_of(source)?;
        self.slots.get_mut(s)?.get_mut(index)?.take()
    }

    /// Shares every chunk `old` holds of a source this table has too (a graph swap: the
    /// new graph plays on without reloading). Never allocates; clones only `Arc`s.
    pub(crate) fn adopt(&mut self, old: &ChunkTable) {
        for (s, source) in self.sources.iter().enumerate() {
            let Some(o) = old.index_of(source.key()) else {
                continue;
            };
            for (mine, theirs) in self.slots[s].iter_mut().zip(&old.slots[o]) {
                if mine.is_none() {
                    mine.clone_from(theirs);
                }
            }
        }
    }

    /// Every chunk held, taken out (to be freed elsewhere).
    pub(crate) fn take_all(&mut self, mut each: impl FnMut(Arc<Chunk>)) {
        for slots in &mut self.slots {
            for slot in slots.iter_mut() {
                if let Some(c) = slot.take() {
                    each(c);
                }
            }
        }
        self.resident.clear();
    }

    /// Blocking mode: makes exactly the chunks in `needed` (`(source, chunk)`, sorted and
    /// without repeats) resident, loading the missing ones (in parallel with
    /// `parallel`) and dropping the others.
    pub(crate) fn hold_exactly(&mut self, needed: &[(usize, usize)], parallel: bool) {
        let old = std::mem::take(&mut self.resident);
        for &(s, c) in &old {
            if needed.binary_search(&(s, c)).is_err() {
                self.slots[s][c] = None;
            }
        }
        let missing: Vec<(usize, usize)> = needed
            .iter()
            .copied()
            .filter(|&(s, c)| self.slots[s][c].is_none())
            .collect();
        let load = |&(s, c): &(usize, usize)| (s, c, self.sources[s].load_chunk(c));
        let loaded: Vec<_> = if parallel && missing.len() > 1 {
            missing.par_iter().map(load).collect()
        } else {
            missing.iter().map(load).collect()
        };
        for (s, c, chunk) in loaded {
            match chunk {
                Ok(chunk) => self.slots[s][c] = Some(Arc::new(chunk)),
                Err(e) => {
                    if self.error.is_none() {
                        self.error = Some(e.to_string());
                    }
                }
            }
        }
        self.resident = needed.to_vec();
    }
}
