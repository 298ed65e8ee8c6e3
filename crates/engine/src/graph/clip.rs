//! Reading clips from decoded sources onto the timeline, with clip gain and fades.

use std::sync::Arc;

use stemdesk_session::{Clip, FadeShape};

use crate::sources::SourceAudio;
use crate::util::db_to_gain;

/// A clip ready to play: times in frames at the session rate.
pub(crate) struct ClipNode {
    audio: Arc<SourceAudio>,
    start: u64,
    end: u64,
    source_offset: u64,
    gain: f32,
    fade_in: (u64, FadeShape),
    fade_out: (u64, FadeShape),
}

impl ClipNode {
    pub(crate) fn new(clip: &Clip, audio: Arc<SourceAudio>) -> Self {
        ClipNode {
            audio,
            start: clip.position_frames,
            end: clip.end_frames(),
            source_offset: clip.offset_frames,
            gain: db_to_gain(clip.gain_db),
            fade_in: (clip.fade_in.length_frames, clip.fade_in.shape),
            fade_out: (clip.fade_out.length_frames, clip.fade_out.shape),
        }
    }

    /// Adds the clip's audio for timeline frames `[pos, pos + left.len())` into the buffers.
    /// A mono source goes to both channels.
    pub(crate) fn add_into(&self, pos: u64, left: &mut [f32], right: &mut [f32]) {
        let n = left.len() as u64;
        let from = pos.max(self.start);
        let to = (pos + n).min(self.end);
        if from >= to {
            return;
        }
        let source_frames = self.audio.frames() as u64;
        let src_from = from - self.start + self.source_offset;
        if src_from >= source_frames {
            return;
        }
        let to = to.min(from + (source_frames - src_from));
        let count = (to - from) as usize;
        let out_at = (from - pos) as usize;
        let src_at = src_from as usize;
        let l_src = &self.audio.channels[0][src_at..src_at + count];
        let r_src = &self.audio.channels[self.audio.channels.len() - 1][src_at..src_at + count];
        let l_out = &mut left[out_at..out_at + count];
        let r_out = &mut right[out_at..out_at + count];
        let in_fade = from < self.start + self.fade_in.0 || to > self.end - self.fade_out.0;
        if !in_fade {
            for i in 0..count {
                l_out[i] += l_src[i] * self.gain;
                r_out[i] += r_src[i] * self.gain;
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
