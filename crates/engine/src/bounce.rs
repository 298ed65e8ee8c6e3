//! Offline rendering of a whole mix: the same graph and `render` as live playback, driven
//! as fast as the machine allows.

use crate::graph::{Graph, Threads};

/// Level below which an effect tail counts as finished (-100 dBFS).
const TAIL_SILENCE: f32 = 1.0e-5;
/// A tail still audible at the longest length allowed fades out over this long, so the
/// mix does not end with a click.
const TAIL_CUT_FADE_S: f64 = 0.1;

/// What to bounce.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BounceRange {
    /// First timeline frame.
    pub start_frames: u64,
    /// End frame (exclusive). `None` = the end of the last clip plus the effect tail.
    pub end_frames: Option<u64>,
    /// The end of the last clip (used when `end_frames` is `None`).
    pub content_end_frames: u64,
    /// The longest tail rendered after the content when `end_frames` is `None`.
    pub max_tail_frames: u64,
    /// The session's sample rate (for the fade of a cut tail).
    pub rate_hz: f64,
}

/// Facts about a finished bounce.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BounceStats {
    /// Frames written.
    pub frames: u64,
    /// Highest absolute sample value per channel.
    pub peak: [f32; 2],
    /// The effect tail was still audible at the longest length allowed (it was faded).
    pub tail_cut: bool,
}

/// Renders `range` in blocks of `block_frames`, handing interleaved stereo to `write`.
/// `progress(done, total_estimate)` is called after each block.
pub fn bounce<E>(
    graph: &mut Graph,
    range: BounceRange,
    block_frames: usize,
    threads: Threads,
    mut write: impl FnMut(&[f32]) -> Result<(), E>,
    mut progress: impl FnMut(u64, u64),
) -> Result<BounceStats, E> {
    let block = block_frames.max(1);
    let mut stats = BounceStats::default();
    let (fixed_end, with_tail) = match range.end_frames {
        Some(end) => (end, false),
        None => (range.content_end_frames.max(range.start_frames), true),
    };
    let total = fixed_end.saturating_sub(range.start_frames)
        + if with_tail { range.max_tail_frames } else { 0 };
    let mut interleaved = vec![0.0f32; block * 2];
    let mut pos = range.start_frames;
    let frames = fixed_end.saturating_sub(pos);
    graph.render_each(pos, frames, block, threads, |left, right| {
        emit(left, right, &mut interleaved, &mut stats, &mut write)?;
        pos += left.len() as u64;
        progress(pos - range.start_frames, total);
        Ok(())
    })?;
    if with_tail {
        // Render the whole tail first, then keep it up to its last audible sample, so the cut
        // point does not depend on the block size.
        let tail_len = range.max_tail_frames as usize;
        let mut tail_l = vec![0.0f32; tail_len];
        let mut tail_r = vec![0.0f32; tail_len];
        let mut done = 0;
        graph
            .render_each(pos, tail_len as u64, block, threads, |l, r| {
                tail_l[done..done + l.len()].copy_from_slice(l);
                tail_r[done..done + r.len()].copy_from_slice(r);
                done += l.len();
                Ok::<(), std::convert::Infallible>(())
            })
            .unwrap_or_else(|never| match never {});
        let audible = tail_l
            .iter()
            .zip(&tail_r)
            .rposition(|(l, r)| l.abs() >= TAIL_SILENCE || r.abs() >= TAIL_SILENCE)
            .map_or(0, |i| i + 1);
        if tail_len > 0 && audible == tail_len {
            stats.tail_cut = true;
            let fade = ((TAIL_CUT_FADE_S * range.rate_hz) as usize).clamp(1, tail_len);
            for i in 0..fade {
                let g = 1.0 - (i + 1) as f32 / fade as f32;
                let k = tail_len - fade + i;
                tail_l[k] *= g;
                tail_r[k] *= g;
            }
        }
        for start in (0..audible).step_by(block) {
            let end = (start + block).min(audible);
            emit(
                &tail_l[start..end],
                &tail_r[start..end],
                &mut interleaved,
                &mut stats,
                &mut write,
            )?;
        }
        progress(total, total);
    }
    Ok(stats)
}

fn emit<E>(
    left: &[f32],
    right: &[f32],
    interleaved: &mut [f32],
    stats: &mut BounceStats,
    write: &mut impl FnMut(&[f32]) -> Result<(), E>,
) -> Result<(), E> {
    let n = left.len();
    for (i, (l, r)) in left.iter().zip(right).enumerate() {
        interleaved[2 * i] = *l;
        interleaved[2 * i + 1] = *r;
        stats.peak[0] = stats.peak[0].max(l.abs());
        stats.peak[1] = stats.peak[1].max(r.abs());
    }
    stats.frames += n as u64;
    write(&interleaved[..2 * n])
}
