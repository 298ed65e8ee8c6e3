//! A channel strip as rendered: polarity, inserts, mute, sends, fader, pan, meter.

use stemdesk_dsp::{Effect, Gain, Meter, PanLaw, Panner, StereoProcessor, apply_width};
use stemdesk_session::Insert;
use stemdesk_session::model::SILENCE_DB;

/// Where a strip's output or a send goes: an index into the graph's bus order, or the master.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dest {
    Master,
    Bus(usize),
}

/// One insert slot.
pub(crate) struct InsertNode {
    pub(crate) bypass: bool,
    pub(crate) effect: Effect,
}

/// A send with its own smoothed level and the buffer it fills each block.
pub(crate) struct SendNode {
    pub(crate) dest: Dest,
    pub(crate) pre_fader: bool,
    pub(crate) level: Gain,
    pub(crate) left: Vec<f32>,
    pub(crate) right: Vec<f32>,
}

/// Everything a strip does to its signal, in order.
pub(crate) struct StripNode {
    pub(crate) polarity_invert: bool,
    pub(crate) inserts: Vec<InsertNode>,
    /// Mute (own or by another strip's solo), smoothed so it never clicks.
    pub(crate) mute: Gain,
    pub(crate) fader: Gain,
    pub(crate) width: f32,
    pub(crate) panner: Panner,
    pub(crate) sends: Vec<SendNode>,
    pub(crate) meter: Meter,
    pub(crate) output: Dest,
}

/// The settings a strip is built from (tracks, buses and the master alike).
pub(crate) struct StripSpec<'a> {
    pub(crate) gain_db: f32,
    pub(crate) pan: f32,
    pub(crate) width: f32,
    pub(crate) muted: bool,
    pub(crate) polarity_invert: bool,
    pub(crate) inserts: &'a [Insert],
    pub(crate) pan_law: PanLaw,
    pub(crate) output: Dest,
}

impl StripNode {
    pub(crate) fn new(sample_rate_hz: f32, spec: &StripSpec<'_>) -> Self {
        StripNode {
            polarity_invert: spec.polarity_invert,
            inserts: spec
                .inserts
                .iter()
                .map(|i| InsertNode {
                    bypass: i.bypass,
                    effect: Effect::new(sample_rate_hz, &i.effect),
                })
                .collect(),
            mute: Gain::new(sample_rate_hz, if spec.muted { SILENCE_DB } else { 0.0 }),
            fader: Gain::new(sample_rate_hz, spec.gain_db),
            width: spec.width,
            panner: Panner::new(sample_rate_hz, spec.pan, spec.pan_law),
            sends: Vec::new(),
            meter: Meter::new(sample_rate_hz),
            output: spec.output,
        }
    }

    /// Processes one block in place. Send buffers are filled for the caller to sum.
    pub(crate) fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len();
        if self.polarity_invert {
            left.iter_mut().for_each(|x| *x = -*x);
            right.iter_mut().for_each(|x| *x = -*x);
        }
        for insert in &mut self.inserts {
            if !insert.bypass {
                insert.effect.process(left, right);
            }
        }
        self.mute.process(left, right);
        for send in self.sends.iter_mut().filter(|s| s.pre_fader) {
            fill_send(send, left, right, n);
        }
        self.fader.process(left, right);
        if self.width != 1.0 {
            apply_width(left, right, self.width);
        }
        self.panner.process(left, right);
        for send in self.sends.iter_mut().filter(|s| !s.pre_fader) {
            fill_send(send, left, right, n);
        }
        self.meter.process(left, right);
    }
}

fn fill_send(send: &mut SendNode, left: &[f32], right: &[f32], n: usize) {
    send.left[..n].copy_from_slice(left);
    send.right[..n].copy_from_slice(right);
    let (l, r) = (&mut send.left[..n], &mut send.right[..n]);
    send.level.process(l, r);
}
