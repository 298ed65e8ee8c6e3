//! A channel strip as rendered: polarity, inserts, mute, sends, fader, pan, meter.

use stemdesk_dsp::{
    Effect, EffectParams, Gain, Meter, PanLaw, Panner, Smoother, StereoProcessor, apply_width,
};
use stemdesk_session::model::SILENCE_DB;
use stemdesk_session::{Insert, InsertId, SendId, StripId};

use super::automation::{CONTROL_FRAMES, LaneNode, LaneTarget};
use super::latency::CompDelay;

/// Width changes ramp over this time, like every other strip parameter.
const WIDTH_SMOOTH_MS: f32 = 20.0;

/// Where a strip's output or a send goes: an index into the graph's bus order, or the master.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dest {
    Master,
    Bus(usize),
}

/// One insert slot.
pub(crate) struct InsertNode {
    pub(crate) id: InsertId,
    pub(crate) bypass: bool,
    pub(crate) effect: Effect,
    /// The settings the effect was built with, kept so a carried-over effect can be given
    /// them without allocating (see [`StripNode::adopt_state`]).
    pub(crate) params: EffectParams,
    /// Highest |sample| entering the insert since the last meter publish (gates only:
    /// their editor shows the threshold against it).
    pub(crate) input_peak: f32,
    /// Automation changed `params` since they were last handed to the effect.
    pub(crate) automated: bool,
    /// The sidechain the effect listens to, if any.
    pub(crate) key: Option<KeyInput>,
    /// What an analyser sees of this insert (EQs only; empty otherwise).
    pub(crate) tap: InsertTap,
}

/// The last block entering and leaving an insert, as mono (mean of the channels), for a
/// spectrum analyser: filled only while `on` (one insert at a time, the one whose editor is
/// open). The buffers are allocated when the graph is built.
#[derive(Default)]
pub(crate) struct InsertTap {
    pub(crate) on: bool,
    pub(crate) pre: Vec<f32>,
    pub(crate) post: Vec<f32>,
}

impl InsertTap {
    /// Room for blocks of `max_block` frames.
    pub(crate) fn new(max_block: usize) -> Self {
        Self {
            on: false,
            pre: vec![0.0; max_block],
            post: vec![0.0; max_block],
        }
    }

    fn record(buf: &mut [f32], offset: usize, left: &[f32], right: &[f32]) {
        let Some(dst) = buf.get_mut(offset..offset + left.len()) else {
            return;
        };
        for ((d, l), r) in dst.iter_mut().zip(left).zip(right) {
            *d = 0.5 * (l + r);
        }
    }
}

/// A compressor's or gate's sidechain: another strip's key signal, delayed so that it
/// lines up with the audio reaching this insert.
pub(crate) struct KeyInput {
    pub(crate) source: StripId,
    pub(crate) delay: CompDelay,
    /// The key for the current block (a copy: the delay works in place).
    pub(crate) left: Vec<f32>,
    pub(crate) right: Vec<f32>,
}

/// The strips already processed in this block, whose key signals (see
/// [`StripNode::key_left`]) later strips' sidechains read.
#[derive(Clone, Copy)]
pub(crate) struct Keys<'a> {
    pub(crate) tracks: &'a [super::TrackNode],
    pub(crate) buses: &'a [super::BusNode],
}

impl<'a> Keys<'a> {
    /// Frames `range` of `source`'s key signal in this block, if it has been processed.
    fn get(
        &self,
        source: StripId,
        range: std::ops::Range<usize>,
    ) -> Option<(&'a [f32], &'a [f32])> {
        let strip = match source {
            StripId::Track(_) => self
                .tracks
                .iter()
                .map(|t| &t.strip)
                .find(|s| s.id == source),
            StripId::Bus(_) => self.buses.iter().map(|b| &b.strip).find(|s| s.id == source),
            StripId::Master => None,
        }?;
        Some((
            strip.key_left.get(range.clone())?,
            strip.key_right.get(range)?,
        ))
    }
}

/// A send with its own smoothed level and the buffer it fills each block.
pub(crate) struct SendNode {
    pub(crate) id: SendId,
    pub(crate) dest: Dest,
    pub(crate) pre_fader: bool,
    pub(crate) level: Gain,
    pub(crate) left: Vec<f32>,
    pub(crate) right: Vec<f32>,
    /// Latency compensation on the way to `dest` (see `latency::plan`).
    pub(crate) delay: CompDelay,
}

/// Everything a strip does to its signal, in order.
pub(crate) struct StripNode {
    pub(crate) id: StripId,
    pub(crate) polarity_invert: bool,
    pub(crate) inserts: Vec<InsertNode>,
    /// Mute (own or by another strip's solo), smoothed so it never clicks.
    pub(crate) mute: Gain,
    /// Silenced by another strip's solo (a mute lane cannot unmute it).
    pub(crate) solo_silenced: bool,
    pub(crate) fader: Gain,
    pub(crate) width: Smoother,
    pub(crate) panner: Panner,
    pub(crate) sends: Vec<SendNode>,
    pub(crate) meter: Meter,
    /// Whether the meter runs (not in an offline render: nobody reads it there).
    pub(crate) metered: bool,
    pub(crate) output: Dest,
    /// Enabled automation lanes driving this strip's parameters.
    pub(crate) lanes: Vec<LaneNode>,
    /// The timeline frame the next block should start at; a block anywhere else is a
    /// locate (start, seek, loop), after which automation jumps instead of ramping.
    pub(crate) next_frame: Option<u64>,
    /// Frames the signal entering this strip lags the sources (lookahead upstream).
    pub(crate) in_latency: u64,
    /// Latency compensation on the way to `output`.
    pub(crate) out_delay: CompDelay,
    /// The session's tempo its effects were built for.
    pub(crate) tempo_bpm: f32,
    /// What a sidechain keyed from this strip hears: the block after the inserts, before
    /// mute and fader (empty when nothing listens).
    pub(crate) key_left: Vec<f32>,
    pub(crate) key_right: Vec<f32>,
}

/// The settings a strip is built from (tracks, buses and the master alike).
pub(crate) struct StripSpec<'a> {
    pub(crate) id: StripId,
    pub(crate) gain_db: f32,
    pub(crate) pan: f32,
    pub(crate) width: f32,
    pub(crate) muted: bool,
    pub(crate) solo_silenced: bool,
    pub(crate) polarity_invert: bool,
    pub(crate) inserts: &'a [Insert],
    pub(crate) pan_law: PanLaw,
    pub(crate) output: Dest,
    /// The session's tempo (tempo-synced delays).
    pub(crate) tempo_bpm: f32,
}

impl StripNode {
    pub(crate) fn new(sample_rate_hz: f32, spec: &StripSpec<'_>) -> Self {
        StripNode {
            id: spec.id,
            polarity_invert: spec.polarity_invert,
            inserts: spec
                .inserts
                .iter()
                .map(|i| InsertNode {
                    id: i.id,
                    bypass: i.bypass,
                    effect: {
                        let mut e = Effect::new(sample_rate_hz, &i.effect);
                        e.set_tempo(spec.tempo_bpm, true);
                        e
                    },
                    params: i.effect.clone(),
                    input_peak: 0.0,
                    automated: false,
                    key: None,
                    tap: InsertTap::default(),
                })
                .collect(),
            mute: Gain::new(sample_rate_hz, if spec.muted { SILENCE_DB } else { 0.0 }),
            solo_silenced: spec.solo_silenced,
            fader: Gain::new(sample_rate_hz, spec.gain_db),
            width: Smoother::new(sample_rate_hz, WIDTH_SMOOTH_MS, spec.width),
            panner: Panner::new(sample_rate_hz, spec.pan, spec.pan_law),
            sends: Vec::new(),
            meter: Meter::new(sample_rate_hz),
            metered: true,
            output: spec.output,
            lanes: Vec::new(),
            next_frame: None,
            in_latency: 0,
            out_delay: CompDelay::new(0),
            tempo_bpm: spec.tempo_bpm,
            key_left: Vec::new(),
            key_right: Vec::new(),
        }
    }

    /// Frames the inserts delay the signal by (bypassed ones too: they keep their delay
    /// so bypassing never shifts the timing).
    pub(crate) fn latency_frames(&self) -> usize {
        self.inserts.iter().map(|i| i.effect.latency_frames()).sum()
    }

    /// The compensating delays on the strip's output and sends, over `n` frames.
    fn compensate(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len();
        self.out_delay.process(left, right);
        for s in &mut self.sends {
            s.delay.process(&mut s.left[..n], &mut s.right[..n]);
        }
    }

    /// Processes timeline frames `[position, position + left.len())` in place. Send
    /// buffers are filled for the caller to sum. With automation, the block is cut at the
    /// timeline's control points, so how the timeline is cut into blocks never matters;
    /// the inserts run on the whole block unless one of their parameters is automated.
    /// Sidechains read their sources in `keys`.
    pub(crate) fn process(
        &mut self,
        position: u64,
        left: &mut [f32],
        right: &mut [f32],
        keys: &Keys<'_>,
    ) {
        if self.lanes.is_empty() {
            self.process_inserts(left, right, keys, 0);
            self.process_rest(left, right, 0);
            self.compensate(left, right);
            return;
        }
        let inserts_move = self
            .lanes
            .iter()
            .any(|l| matches!(l.target, LaneTarget::Insert(..)) && !l.suspended);
        if !inserts_move {
            self.process_inserts(left, right, keys, 0);
        }
        let n = left.len() as u64;
        let mut locate = self.next_frame != Some(position);
        let mut done = 0u64;
        while done < n {
            let at = position + done;
            let next_point = (at / CONTROL_FRAMES + 1) * CONTROL_FRAMES;
            let end = (next_point - position).min(n);
            if locate || at.is_multiple_of(CONTROL_FRAMES) {
                self.automate(at, next_point, locate);
                locate = false;
            }
            let (a, b) = (done as usize, end as usize);
            let (l, r) = (&mut left[a..b], &mut right[a..b]);
            if inserts_move {
                self.process_inserts(l, r, keys, a);
            }
            self.process_rest(l, r, a);
            done = end;
        }
        self.next_frame = Some(position + n);
        self.compensate(left, right);
    }

    /// Polarity and the inserts, in place; the block is frames `offset..` of the caller's
    /// (where the sidechains' keys are read).
    fn process_inserts(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        keys: &Keys<'_>,
        offset: usize,
    ) {
        if self.polarity_invert {
            left.iter_mut().for_each(|x| *x = -*x);
            right.iter_mut().for_each(|x| *x = -*x);
        }
        let span = offset..offset + left.len();
        for insert in &mut self.inserts {
            // The key is delayed even while bypassed, so it stays in line.
            let key = insert.key.as_mut().and_then(|k| {
                let (sl, sr) = keys.get(k.source, span.clone())?;
                let (kl, kr) = (&mut k.left[..sl.len()], &mut k.right[..sl.len()]);
                kl.copy_from_slice(sl);
                kr.copy_from_slice(sr);
                k.delay.process(kl, kr);
                Some((&*kl, &*kr))
            });
            if insert.tap.on {
                InsertTap::record(&mut insert.tap.pre, offset, left, right);
            }
            if insert.bypass {
                insert.effect.process_bypassed(left, right);
            } else {
                process_insert(&mut insert.effect, &mut insert.input_peak, left, right, key);
            }
            if insert.tap.on {
                InsertTap::record(&mut insert.tap.post, offset, left, right);
            }
        }
    }

    /// Mute, sends, fader, width, pan and meter with the parameters as they stand; the
    /// block is frames `offset..` of the caller's, where the send buffers are filled.
    fn process_rest(&mut self, left: &mut [f32], right: &mut [f32], offset: usize) {
        let n = left.len();
        if !self.key_left.is_empty() {
            self.key_left[offset..offset + n].copy_from_slice(left);
            self.key_right[offset..offset + n].copy_from_slice(right);
        }
        self.mute.process(left, right);
        for send in self.sends.iter_mut().filter(|s| s.pre_fader) {
            fill_send(send, left, right, offset, n);
        }
        self.fader.process(left, right);
        if self.width.is_settled() {
            apply_width(left, right, self.width.value());
        } else {
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                let w = self.width.next();
                apply_width(std::slice::from_mut(l), std::slice::from_mut(r), w);
            }
        }
        self.panner.process(left, right);
        for send in self.sends.iter_mut().filter(|s| !s.pre_fader) {
            fill_send(send, left, right, offset, n);
        }
        if self.metered {
            self.meter.process(left, right);
        }
    }
}

impl StripNode {
    /// Sets a live parameter (smoothed where the processor smooths). Never allocates.
    /// Returns false when the strip has no such send.
    pub(crate) fn set_param(&mut self, param: crate::live::LiveParam, value: f32) -> bool {
        use crate::live::LiveParam;
        match param {
            LiveParam::GainDb => self.fader.set_gain_db(value),
            LiveParam::Pan => self.panner.set_pan(value),
            LiveParam::Width => self.width.set_target(value.clamp(0.0, 2.0)),
            LiveParam::SoloSilenced => self.solo_silenced = value >= 0.5,
            LiveParam::Muted => self
                .mute
                .set_gain_db(if value >= 0.5 { SILENCE_DB } else { 0.0 }),
            LiveParam::SendLevelDb(id) => match self.sends.iter_mut().find(|s| s.id == id) {
                Some(send) => send.level.set_gain_db(value),
                None => return false,
            },
            LiveParam::InsertBypass(id) => match self.inserts.iter_mut().find(|i| i.id == id) {
                Some(insert) => insert.bypass = value >= 0.5,
                None => return false,
            },
        }
        true
    }

    /// Applies new settings to insert `id` and keeps them (automation changes single
    /// parameters of the kept copy), handing back the old ones in `params` to be freed
    /// elsewhere; false if there is no such insert or it is a different kind of effect
    /// (then a graph swap is needed).
    pub(crate) fn set_insert_params(&mut self, id: InsertId, params: &mut EffectParams) -> bool {
        let Some(insert) = self.inserts.iter_mut().find(|i| i.id == id) else {
            return false;
        };
        if !insert.effect.set_params(params) {
            return false;
        }
        std::mem::swap(&mut insert.params, params);
        true
    }

    /// Takes over the running effects of `old` (same insert ID, same kind): their delay
    /// lines, reverb tails and envelopes continue in this strip, set to this strip's
    /// settings, and `old` gets this strip's fresh ones. O(1) per insert, no allocation:
    /// effects are swapped, not copied.
    ///
    /// Returns false when a compensating delay changed length (it starts silent: the
    /// graph must prime it).
    pub(crate) fn adopt_state(&mut self, old: &mut StripNode) -> bool {
        let mut delays_kept = true;
        for insert in &mut self.inserts {
            if let Some(prev) = old.inserts.iter_mut().find(|o| {
                o.id == insert.id
                    && std::mem::discriminant(&o.effect) == std::mem::discriminant(&insert.effect)
            }) {
                std::mem::swap(&mut insert.effect, &mut prev.effect);
                insert.effect.set_params(&insert.params);
                // A tempo change recompiles: a synced delay glides to its new time.
                insert.effect.set_tempo(self.tempo_bpm, false);
                if let (Some(k), Some(pk)) = (insert.key.as_mut(), prev.key.as_mut())
                    && k.source == pk.source
                {
                    delays_kept &= k.delay.adopt(&mut pk.delay);
                }
            }
        }
        delays_kept &= self.out_delay.adopt(&mut old.out_delay);
        for send in &mut self.sends {
            if let Some(prev) = old.sends.iter_mut().find(|o| o.id == send.id) {
                delays_kept &= send.delay.adopt(&mut prev.delay);
            }
        }
        delays_kept
    }

    /// Clears all processing state (effect tails, smoothing ramps, meters).
    pub(crate) fn reset(&mut self) {
        self.next_frame = None;
        for insert in &mut self.inserts {
            insert.effect.reset();
            if let Some(k) = insert.key.as_mut() {
                k.delay.clear();
            }
        }
        self.mute.reset();
        self.fader.reset();
        self.width.snap();
        self.panner.reset();
        for send in &mut self.sends {
            send.level.reset();
            send.delay.clear();
        }
        self.out_delay.clear();
        self.meter.reset();
    }
}

/// Runs one enabled insert's effect, listening to `key` when it has a sidechain (a gate
/// notes the peak it hears in `input_peak`).
fn process_insert(
    effect: &mut Effect,
    input_peak: &mut f32,
    left: &mut [f32],
    right: &mut [f32],
    key: Option<(&[f32], &[f32])>,
) {
    if matches!(effect, Effect::Gate(_)) {
        // The editor shows the threshold against what the gate hears.
        let (hl, hr): (&[f32], &[f32]) = match key {
            Some((kl, kr)) => (kl, kr),
            None => (left, right),
        };
        let peak = hl.iter().chain(hr).fold(0.0f32, |m, x| m.max(x.abs()));
        *input_peak = input_peak.max(peak);
    }
    match key {
        Some((kl, kr)) => effect.process_keyed(left, right, kl, kr),
        None => effect.process(left, right),
    }
}

fn fill_send(send: &mut SendNode, left: &[f32], right: &[f32], offset: usize, n: usize) {
    let span = offset..offset + n;
    let (l, r) = (&mut send.left[span.clone()], &mut send.right[span]);
    send.level.process_into(left, right, l, r);
}
