//! Multi-resolution min/max peaks for drawing waveforms.
//!
//! Scanning millions of samples per repaint is too slow for a GUI, so peaks are computed
//! once per clip: level 0 holds the min/max of every 64 frames, and each next level merges
//! pairs of buckets (twice the frames per bucket) until a level has fewer than 2 buckets.
//! A view picks the level whose bucket size is just below its frames-per-pixel.

use crate::decode::DecodedAudio;

/// Frames per bucket at level 0.
pub const LEVEL0_FRAMES_PER_BUCKET: usize = 64;

/// Precomputed min/max peaks of one clip, per level and channel.
#[derive(Debug, Clone, PartialEq)]
pub struct PeakCache {
    /// `levels[level][channel]` = buckets of `(min, max)`.
    levels: Vec<Vec<Vec<(f32, f32)>>>,
}

impl PeakCache {
    /// Compute all levels for `audio` (one pass over the samples, then merges).
    pub fn build(audio: &DecodedAudio) -> Self {
        Self::from_channels(&audio.channels)
    }

    /// Compute all levels for planar `channels` (e.g. a source already in memory).
    pub fn from_channels(channels: &[Vec<f32>]) -> Self {
        let level0: Vec<Vec<(f32, f32)>> = channels
            .iter()
            .map(|ch| {
                ch.chunks(LEVEL0_FRAMES_PER_BUCKET)
                    .map(|chunk| {
                        chunk
                            .iter()
                            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &s| {
                                (lo.min(s), hi.max(s))
                            })
                    })
                    .collect()
            })
            .collect();
        let mut levels = vec![level0];
        while let Some(prev) = levels.last() {
            let buckets = prev.first().map_or(0, Vec::len);
            if buckets < 2 {
                break;
            }
            let next = prev
                .iter()
                .map(|ch| {
                    ch.chunks(2)
                        .map(|pair| {
                            pair.iter()
                                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), b| {
                                    (lo.min(b.0), hi.max(b.1))
                                })
                        })
                        .collect()
                })
                .collect();
            levels.push(next);
        }
        PeakCache { levels }
    }

    /// Number of levels (at least 1).
    pub fn levels(&self) -> usize {
        self.levels.len()
    }

    /// Frames covered by one bucket at `level` (64 << level).
    pub fn frames_per_bucket(level: usize) -> usize {
        LEVEL0_FRAMES_PER_BUCKET << level.min(40)
    }

    /// The coarsest level whose buckets are no wider than `frames_per_pixel`, so each pixel
    /// column merges one or more whole buckets (never stretches one bucket over pixels it
    /// does not cover). Zoomed in beyond 64 frames per pixel this is level 0.
    pub fn level_for(&self, frames_per_pixel: f64) -> usize {
        let mut level = 0;
        while level + 1 < self.levels.len()
            && (Self::frames_per_bucket(level + 1) as f64) <= frames_per_pixel
        {
            level += 1;
        }
        level
    }

    /// The `(min, max)` buckets of `channel` at `level` (empty if either is out of range).
    pub fn buckets(&self, level: usize, channel: usize) -> &[(f32, f32)] {
        self.levels
            .get(level)
            .and_then(|l| l.get(channel))
            .map_or(&[], Vec::as_slice)
    }
}
