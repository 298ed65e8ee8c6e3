//! Reading clips from their sources' chunks onto the timeline, with clip gain and fades.

use stemdesk_session::{Clip, FadeShape};

use super::chunks::{CHUNK_FRAMES, ChunkTable};
use crate::util::db_to_gain;

/// A clip ready to play: times in frames at the session rate.
pub(crate) struct ClipNode {
    /// The source, by its index in the graph's [`ChunkTable`].
    source: usize,
    source_frames: u64,
    start: u64,
    end: u64,
    source_offset: u64,
    gain: f32,
    fade_in: (u64, FadeShape),
    fade_out: (u64, FadeShape),
}

impl ClipNode {
    pub(crate) fn new(clip: &Clip, source: usize, source_frames: u64) -> Self {
        ClipNode {
            source,
            source_frames,
            start: clip.position_frames,
            end: clip.end_frames(),
            source_offset: clip.offset_frames,
            gain: db_to_gain(clip.gain_db),
            fade_in: (clip.fade_in.length_frames, clip.fade_in.shape),
            fade_out: (clip.fade_out.length_frames, clip.fade_out.shape),
        }
    }

    /// The source's index in the graph's chunk table.
    pub(crate) fn source(&self) -> usize {
        self.source
    }

    /// First source frame played.
    pub(crate) fn source_offset(&self) -> u64 {
        self.source_offset
    }

    /// First timeline frame.
    pub(crate) fn start(&self) -> u64 {
        self.start
    }

    /// First timeline frame after the clip.
    pub(crate) fn end(&self) -> u64 {
        self.end
    }

    /// The part of the source that timeline frames `[pos, pos + n)` play, if any:
    /// `(first source frame, frames, first timeline frame)`.
    fn span(&self, pos: u64, n: u64) -> Option<(u64, u64, u64)> {
        let from = pos.max(self.start);
        let to = (pos + n).min(self.end);
        if from >= to {
            return None;
        }
        let src_from = from - self.start + self.source_offset;
        if src_from >= self.source_frames {
            return None;
        }
        let to = to.min(from + (self.source_frames - src_from));
        Some((src_from, to - from, from))
    }

    /// The chunks of its source that timeline frames `[pos, pos + n)` need, as
    /// `(source, first chunk, last chunk)`.
    pub(crate) fn chunks_for(&self, pos: u64, n: u64) -> Option<(usize, usize, usize)> {
        let (src_from, count, _) = self.span(pos, n)?;
        let first = (src_from / CHUNK_FRAMES as u64) as usize;
        let last = ((src_from + count - 1) / CHUNK_FRAMES as u64) as usize;
        Some((self.source, first, last))
    }

    /// Adds the clip's audio for timeline frames `[pos, pos + left.len())` into the buffers.
    /// A mono source goes to both channels. Returns false when a chunk it needed was not
    /// in `chunks` (that part stays silent).
    pub(crate) fn add_into(
        &self,
        pos: u64,
        left: &mut [f32],
        right: &mut [f32],
        chunks: &ChunkTable,
    ) -> bool {
        let Some((src_from, count, from)) = self.span(pos, left.len() as u64) else {
            return true;
        };
        let mut complete = true;
        let mut done = 0u64;
        while done < count {
            let s = src_from + done;
            let (ci, off) = (
                (s / CHUNK_FRAMES as u64) as usize,
                (s % CHUNK_FRAMES as u64) as usize,
            );
            let n = (CHUNK_FRAMES as u64 - off as u64).min(count - done) as usize;
            let out_at = (from + done - pos) as usize;
            match chunks.get(self.source, ci) {
                Some(chunk) if chunk.frames() >= off + n => {
                    self.mix(
                        from + done,
                        &chunk.channel(0)[off..off + n],
                        &chunk.channel(1)[off..off + n],
                        &mut left[out_at..out_at + n],
                        &mut right[out_at..out_at + n],
                    );
                }
                _ => complete = false,
            }
            done += n as u64;
        }
        complete
    }

    /// Adds `l_src`/`r_src` (timeline frames from `from`) with gain and fades.
    fn mix(&self, from: u64, l_src: &[f32], r_src: &[f32], l_out: &mut [f32], r_out: &mut [f32]) {
        let count = l_src.len();
        let to = from + count as u64;
        let in_fade = from < self.start + self.fade_in.0 || to > self.end - self.fade_out.0;
        if !in_fade {
            // One zipped loop per channel: no bounds checks, so it vectorises.
            let g = self.gain;
            for (o, x) in l_out.iter_mut().zip(l_src) {
                *o += x * g;
            }
            for (o, x) in r_out.iter_mut().zip(r_src) {
                *o += x * g;
            }
            return;
        }
        for i in 0..count {
            let g = self.gain * self.fade_gain(from + i as u64);
            l_out[i] += l_src[i] * g;
            r_out[i] += r_src[i] * g;
        }
    }

    fn fade_gain(&self, t: u64) -> f32 {
        let mut g = 1.0;
        let (in_len, in_shape) = self.fade_in;
        if in_len > 0 && t < self.start + in_len {
            g *= in_shape.fade_in_gain((t - self.start) as f32 / in_len as f32);
        }
        let (out_len, out_shape) = self.fade_out;
        if out_len > 0 && t >= self.end - out_len {
            // A fade-out is the fade-in curve mirrored in time, ending at zero on the clip end.
            g *= out_shape.fade_in_gain((self.end - 1 - t) as f32 / out_len as f32);
        }
        g
    }
}

/// A track's clips, indexed so that a block finds the clips it overlaps in logarithmic
/// time however many clips the track has (a per-block scan of 300,000 clips made a
/// bounce ten times slower).
pub(crate) struct ClipIndex {
    /// Sorted by start (ties keep the session's order).
    clips: Vec<ClipNode>,
    /// `max_end[i]`: the latest end among `clips[..=i]` (non-decreasing).
    max_end: Vec<u64>,
}

impl ClipIndex {
    pub(crate) fn new(mut clips: Vec<ClipNode>) -> Self {
        clips.sort_by_key(ClipNode::start);
        let max_end = clips
            .iter()
            .scan(0u64, |m, c| {
                *m = (*m).max(c.end());
                Some(*m)
            })
            .collect();
        Self { clips, max_end }
    }

    /// Every clip, in start order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &ClipNode> {
        self.clips.iter()
    }

    /// The clips that overlap timeline frames `[from, to)`, in start order.
    pub(crate) fn overlapping(&self, from: u64, to: u64) -> impl Iterator<Item = &ClipNode> {
        // Clips before `lo` all end by `from`; clips from `hi` on all start at `to` or later.
        let lo = self.max_end.partition_point(|&e| e <= from);
        let hi = self.clips.partition_point(|c| c.start() < to);
        self.clips[lo..hi.max(lo)]
            .iter()
            .filter(move |c| c.end() > from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stemdesk_session::{ClipId, Fade};

    fn clip(start: u64, len: u64) -> ClipNode {
        let c = Clip {
            id: ClipId(1),
            source: "x.wav".into(),
            position_frames: start,
            offset_frames: 0,
            length_frames: len,
            gain_db: 0.0,
            fade_in: Fade::default(),
            fade_out: Fade::default(),
        };
        ClipNode::new(&c, 0, 10)
    }

    #[test]
    fn the_index_finds_exactly_the_overlapping_clips() {
        // A long clip under many short ones, unsorted.
        let spans = [(50, 10), (0, 1000), (10, 5), (30, 10), (200, 1), (12, 30)];
        let index = ClipIndex::new(spans.iter().map(|&(s, l)| clip(s, l)).collect());
        for from in 0..300 {
            for to in [from + 1, from + 7, from + 64] {
                let mut found: Vec<(u64, u64)> = index
                    .overlapping(from, to)
                    .map(|c| (c.start(), c.end()))
                    .collect();
                let mut expected: Vec<(u64, u64)> = spans
                    .iter()
                    .map(|&(s, l)| (s, s + l))
                    .filter(|&(s, e)| s < to && e > from)
                    .collect();
                found.sort_unstable();
                expected.sort_unstable();
                assert_eq!(found, expected, "[{from}, {to})");
            }
        }
    }
}
