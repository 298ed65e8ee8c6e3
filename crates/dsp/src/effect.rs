//! A closed set of insert effects, dispatched statically (no `Box<dyn>`).

use crate::compressor::Compressor;
use crate::delay::Delay;
use crate::eq::Eq;
use crate::gate::Gate;
use crate::limiter::Limiter;
use crate::params::EffectParams;
use crate::processor::StereoProcessor;
use crate::reverb::Reverb;
use crate::saturation::Saturation;

/// Any insert effect; what an engine insert slot holds.
///
/// The EQ keeps its eight bands inline (no heap in the processing state), which makes
/// this enum ~1.5 KB; slots are built once off the audio thread, so that is fine.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Effect {
    /// Parametric EQ.
    Eq(Eq),
    /// Compressor.
    Compressor(Compressor),
    /// Gate.
    Gate(Gate),
    /// Reverb.
    Reverb(Reverb),
    /// Delay.
    Delay(Delay),
    /// Saturation.
    Saturation(Saturation),
    /// True-peak limiter.
    Limiter(Limiter),
}

impl Effect {
    /// Builds the effect described by `params` (allocates delay/reverb memory).
    pub fn new(sample_rate_hz: f32, params: &EffectParams) -> Self {
        match params {
            EffectParams::Eq(p) => Effect::Eq(Eq::new(sample_rate_hz, p)),
            EffectParams::Compressor(p) => Effect::Compressor(Compressor::new(sample_rate_hz, p)),
            EffectParams::Gate(p) => Effect::Gate(Gate::new(sample_rate_hz, p)),
            EffectParams::Reverb(p) => Effect::Reverb(Reverb::new(sample_rate_hz, p)),
            EffectParams::Delay(p) => Effect::Delay(Delay::new(sample_rate_hz, p)),
            EffectParams::Saturation(p) => Effect::Saturation(Saturation::new(sample_rate_hz, p)),
            EffectParams::Limiter(p) => Effect::Limiter(Limiter::new(sample_rate_hz, p)),
        }
    }

    /// Frames the effect delays its output by (lookahead); the graph delays every other
    /// path by as much so the mix stays aligned.
    pub fn latency_frames(&self) -> usize {
        match self {
            Effect::Limiter(e) => e.latency_frames(),
            Effect::Compressor(e) => e.latency_frames(),
            _ => 0,
        }
    }

    /// The session's tempo, for tempo-synced settings (the delay's note lengths); `snap`
    /// for an effect just built. Never allocates.
    pub fn set_tempo(&mut self, tempo_bpm: f32, snap: bool) {
        if let Effect::Delay(e) = self {
            e.set_tempo(tempo_bpm, snap);
        }
    }

    /// What a bypassed insert does to the signal: nothing, except that an effect with
    /// latency still delays it by as much, so bypassing never shifts the timing (the
    /// graph's compensation stays right). Never allocates.
    pub fn process_bypassed(&mut self, left: &mut [f32], right: &mut [f32]) {
        match self {
            Effect::Limiter(e) => e.process_bypassed(left, right),
            Effect::Compressor(e) => e.process_bypassed(left, right),
            _ => {}
        }
    }

    /// Whether the effect can listen to a sidechain ([`Effect::process_keyed`]).
    pub fn takes_key(&self) -> bool {
        matches!(self, Effect::Compressor(_) | Effect::Gate(_))
    }

    /// Processes like [`StereoProcessor::process`], except that a compressor or gate
    /// detects the level of `key_left`/`key_right` (a sidechain, as long as the audio)
    /// instead of its own input; other effects ignore the key. Never allocates.
    pub fn process_keyed(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        key_left: &[f32],
        key_right: &[f32],
    ) {
        match self {
            Effect::Compressor(e) => e.process_keyed(left, right, key_left, key_right),
            Effect::Gate(e) => e.process_keyed(left, right, key_left, key_right),
            other => other.process(left, right),
        }
    }

    /// Applies `params` if they are for this kind of effect; returns false (and changes
    /// nothing) otherwise, in which case the caller must build a new [`Effect`] off the
    /// audio thread. Never allocates.
    pub fn set_params(&mut self, params: &EffectParams) -> bool {
        match (self, params) {
            (Effect::Eq(e), EffectParams::Eq(p)) => e.set_params(p),
            (Effect::Compressor(e), EffectParams::Compressor(p)) => e.set_params(p),
            (Effect::Gate(e), EffectParams::Gate(p)) => e.set_params(p),
            (Effect::Reverb(e), EffectParams::Reverb(p)) => e.set_params(p),
            (Effect::Delay(e), EffectParams::Delay(p)) => e.set_params(p),
            (Effect::Saturation(e), EffectParams::Saturation(p)) => e.set_params(p),
            (Effect::Limiter(e), EffectParams::Limiter(p)) => e.set_params(p),
            _ => return false,
        }
        true
    }
}

impl EffectParams {
    /// Frames an effect built from these settings at `sample_rate_hz` delays its audio
    /// by (what [`Effect::latency_frames`] will report): a change of it needs the graph's
    /// delay compensation worked out again.
    pub fn latency_frames(&self, sample_rate_hz: f32) -> usize {
        let fs = crate::util::clamp_sample_rate(sample_rate_hz);
        match self {
            EffectParams::Limiter(_) => crate::limiter::latency_at(fs),
            EffectParams::Compressor(c) => {
                crate::compressor::lookahead_frames(c.clamped().lookahead_ms, fs)
            }
            _ => 0,
        }
    }
}

impl StereoProcessor for Effect {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        match self {
            Effect::Eq(e) => e.process(left, right),
            Effect::Compressor(e) => e.process(left, right),
            Effect::Gate(e) => e.process(left, right),
            Effect::Reverb(e) => e.process(left, right),
            Effect::Delay(e) => e.process(left, right),
            Effect::Saturation(e) => e.process(left, right),
            Effect::Limiter(e) => e.process(left, right),
        }
    }

    fn reset(&mut self) {
        match self {
            Effect::Eq(e) => e.reset(),
            Effect::Compressor(e) => e.reset(),
            Effect::Gate(e) => e.reset(),
            Effect::Reverb(e) => e.reset(),
            Effect::Delay(e) => e.reset(),
            Effect::Saturation(e) => e.reset(),
            Effect::Limiter(e) => e.reset(),
        }
    }
}
