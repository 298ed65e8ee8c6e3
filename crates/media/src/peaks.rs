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
        let mut builder = PeakBuilder::new(channels.len());
        let refs: Vec<&[f32]> = channels.iter().map(Vec::as_slice).collect();
        builder.push(&refs);
        builder.finish()
    }

    fn from_level0(level0: Vec<Vec<(f32, f32)>>) -> Self {
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

    /// The finest level as bytes (channels, buckets, then each channel's `(min, max)`
    /// pairs as little-endian `f32`): what the peak cache stores; the other levels are
    /// derived from it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let level0 = self.levels.first().map_or(&[][..], Vec::as_slice);
        let buckets = level0.first().map_or(0, Vec::len);
        let mut out = Vec::with_capacity(16 + level0.len() * buckets * 8);
        out.extend_from_slice(&(level0.len() as u64).to_le_bytes());
        out.extend_from_slice(&(buckets as u64).to_le_bytes());
        for ch in level0 {
            for (lo, hi) in ch {
                out.extend_from_slice(&lo.to_le_bytes());
                out.extend_from_slice(&hi.to_le_bytes());
            }
        }
        out
    }

    /// Reads what [`PeakCache::to_bytes`] wrote; `None` if the bytes do not hold that.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let word = |i: usize| -> Option<u64> {
            let b = bytes.get(i..i + 8)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            Some(u64::from_le_bytes(a))
        };
        let channels = usize::try_from(word(0)?).ok()?;
        let buckets = usize::try_from(word(8)?).ok()?;
        if channels > 2 || bytes.len() != 16 + channels.checked_mul(buckets)?.checked_mul(8)? {
            return None;
        }
        let f = |i: usize| f32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let level0 = (0..channels)
            .map(|c| {
                (0..buckets)
                    .map(|b| {
                        let at = 16 + (c * buckets + b) * 8;
                        (f(at), f(at + 4))
                    })
                    .collect()
            })
            .collect();
        Some(Self::from_level0(level0))
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

/// Builds a [`PeakCache`] from audio handed over a block at a time (a source read from
/// disk), giving the same peaks as [`PeakCache::from_channels`] on the whole.
#[derive(Debug, Clone)]
pub struct PeakBuilder {
    level0: Vec<Vec<(f32, f32)>>,
    /// The bucket being filled, per channel, and how many frames it has.
    open: Vec<(f32, f32)>,
    filled: usize,
}

impl PeakBuilder {
    /// A builder for `channels` channels.
    pub fn new(channels: usize) -> Self {
        PeakBuilder {
            level0: vec![Vec::new(); channels],
            open: vec![(f32::INFINITY, f32::NEG_INFINITY); channels],
            filled: 0,
        }
    }

    /// Adds the next frames: one slice per channel, all the same length.
    pub fn push(&mut self, block: &[&[f32]]) {
        let n = block.first().map_or(0, |c| c.len());
        let mut i = 0;
        while i < n {
            let take = (LEVEL0_FRAMES_PER_BUCKET - self.filled).min(n - i);
            for (c, samples) in block.iter().enumerate().take(self.open.len()) {
                let (lo, hi) = &mut self.open[c];
                for &s in &samples[i..i + take] {
                    *lo = lo.min(s);
                    *hi = hi.max(s);
                }
            }
            self.filled += take;
            i += take;
            if self.filled == LEVEL0_FRAMES_PER_BUCKET {
                self.close_bucket();
            }
        }
    }

    fn close_bucket(&mut self) {
        for (level, open) in self.level0.iter_mut().zip(&mut self.open) {
            level.push(*open);
            *open = (f32::INFINITY, f32::NEG_INFINITY);
        }
        self.filled = 0;
    }

    /// All levels of what was pushed.
    pub fn finish(mut self) -> PeakCache {
        if self.filled > 0 {
            self.close_bucket();
        }
        PeakCache::from_level0(self.level0)
    }
}
