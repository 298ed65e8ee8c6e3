//! What the disk thread needs to know of a graph: which parts of which sources its clips
//! play where on the timeline.

use std::sync::Arc;

use super::chunks::CHUNK_FRAMES;
use super::clip::ClipNode;
use crate::sources::{SourceAudio, SourceKey};

/// A clip as the disk thread sees it.
#[derive(Debug, Clone, Copy)]
struct PlanClip {
    source: usize,
    start: u64,
    end: u64,
    source_offset: u64,
}

/// The sources of a graph and where its clips play them. Cheap to share; built off the
/// audio thread with the graph.
#[derive(Debug, Clone, Default)]
pub struct DiskPlan {
    sources: Vec<Arc<SourceAudio>>,
    clips: Vec<PlanClip>,
}

impl DiskPlan {
    pub(crate) fn new<'a>(
        sources: &[Arc<SourceAudio>],
        clips: impl Iterator<Item = &'a ClipNode>,
    ) -> Self {
        DiskPlan {
            sources: sources.to_vec(),
            clips: clips
                .map(|c| PlanClip {
                    source: c.source(),
                    start: c.start(),
                    end: c.end(),
                    source_offset: c.source_offset(),
                })
                .collect(),
        }
    }

    /// The source with graph-local index `i`.
    pub fn source(&self, i: usize) -> Option<&Arc<SourceAudio>> {
        self.sources.get(i)
    }

    /// Whether the plan has a source with this key.
    pub fn has_source(&self, key: SourceKey) -> bool {
        self.sources.iter().any(|s| s.key() == key)
    }

    /// Appends the chunks that timeline frames `[from, to)` play, as `(source key, chunk,
    /// source index)`, in timeline order per clip (nearest first).
    pub fn chunks_in(&self, from: u64, to: u64, out: &mut Vec<(SourceKey, usize, usize)>) {
        for c in &self.clips {
            let a = from.max(c.start);
            let b = to.min(c.end);
            let Some(source) = self.sources.get(c.source) else {
                continue;
            };
            let frames = source.frames() as u64;
            if a >= b {
                continue;
            }
            let src_a = a - c.start + c.source_offset;
            if src_a >= frames {
                continue;
            }
            let src_b = (b - c.start + c.source_offset).min(frames);
            let first = (src_a / CHUNK_FRAMES as u64) as usize;
            let last = ((src_b - 1) / CHUNK_FRAMES as u64) as usize;
            out.extend((first..=last).map(|k| (source.key(), k, c.source)));
        }
    }
}
