//! Feed-forward, stereo-linked compressor with a log-domain gain computer.
//!
//! Topology after Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor
//! Design — A Tutorial and Analysis" (JAES 2012): level detection in dB, static curve
//! with a quadratic soft knee, then a smooth *branching* peak detector applied to the
//! gain reduction in dB (so attack and release are true exponential time constants of
//! the gain change: a step reaches 1 - 1/e of its final reduction after `attack_ms`).

use crate::key_filter::KeyFilter;
use crate::params::{CompressorParams, Detection};
use crate::processor::StereoProcessor;
use crate::smoothing::Smoother;
use crate::util::{
    clamp_sample_rate, db_to_lin, fast_db_to_lin, fast_pow_to_db, one_pole_coef, sanitize,
};

/// Mean-square averaging time constant of the RMS detector.
const RMS_WINDOW_MS: f32 = 10.0;
/// Make-up gain ramp time.
pub(crate) const MAKEUP_SMOOTH_MS: f32 = 20.0;
/// Gain reduction below this (dB) is treated as none, so the release tail ends exactly.
const GR_FLOOR_DB: f32 = 1e-6;
/// Mean-square values below this (-200 dB) are flushed to zero.
const MS_FLOOR: f32 = 1e-20;
/// Samples per pass (a stack buffer: no allocation in `process`).
const CHUNK: usize = 64;
/// Longest lookahead.
pub const MAX_LOOKAHEAD_MS: f32 = 10.0;

/// Frames of lookahead for `lookahead_ms` at `fs`.
pub(crate) fn lookahead_frames(lookahead_ms: f32, fs: f32) -> usize {
    (f64::from(lookahead_ms.clamp(0.0, MAX_LOOKAHEAD_MS)) * 1e-3 * f64::from(fs)).round() as usize
}

/// Clamped copy of the parameters: the ranges of [`CompressorParams::SPECS`].
fn clamp_params(p: &CompressorParams) -> CompressorParams {
    p.clamped()
}

/// The static gain reduction in dB (>= 0) for an input level `x_db`: the
/// Giannoulis/Massberg/Reiss curve with a quadratic knee of width `knee_db`.
pub fn static_gain_reduction_db(x_db: f32, threshold_db: f32, ratio: f32, knee_db: f32) -> f32 {
    let slope = 1.0 - 1.0 / ratio;
    let over = x_db - threshold_db;
    if 2.0 * over < -knee_db {
        0.0
    } else if knee_db > 0.0 && 2.0 * over.abs() <= knee_db {
        let t = over + 0.5 * knee_db;
        slope * t * t / (2.0 * knee_db)
    } else {
        slope * over
    }
}

/// A stereo-linked feed-forward compressor.
#[derive(Debug, Clone)]
pub struct Compressor {
    sample_rate_hz: f32,
    params: CompressorParams,
    /// Detector power (squared amplitude) below which the static curve gives no
    /// reduction: the start of the knee. Lets quiet passages skip the log.
    knee_start_power: f32,
    /// `1 - 1/ratio`: dB of reduction per dB over the threshold.
    slope: f32,
    /// `slope / (2 knee_db)` (0 for a hard knee).
    knee_scale: f32,
    /// Fraction of the way to the target reduction moved per sample while it grows
    /// (`1 - ` the one-pole coefficient; stored, so the recursion does not subtract it
    /// from 1 on every sample after choosing).
    attack_step: f32,
    /// The same while it shrinks.
    release_step: f32,
    rms_coef: f32,
    /// Mean-square state (RMS mode).
    ms: f32,
    /// Smoothed gain reduction in dB (>= 0).
    gr_db: f32,
    makeup_db: Smoother,
    /// Linear make-up gain for the settled, no-reduction fast path.
    makeup_lin: f32,
    mix: Smoother,
    /// The detector's high-pass (the gate's key filter, its low-pass left off).
    hpf: KeyFilter,
    /// Frames of lookahead now (the audio delay).
    lookahead: usize,
    /// Audio delay lines, long enough for the longest lookahead.
    delay: [Vec<f32>; 2],
    delay_pos: usize,
}

impl Compressor {
    /// Creates a compressor at `sample_rate_hz` with `params` (make-up applied at once).
    pub fn new(sample_rate_hz: f32, params: &CompressorParams) -> Self {
        let fs = clamp_sample_rate(sample_rate_hz);
        let p = clamp_params(params);
        let mut c = Self {
            sample_rate_hz: fs,
            params: p,
            knee_start_power: 0.0,
            slope: 0.0,
            knee_scale: 0.0,
            attack_step: 1.0,
            release_step: 1.0,
            rms_coef: 1.0 - one_pole_coef(RMS_WINDOW_MS, fs),
            ms: 0.0,
            gr_db: 0.0,
            makeup_db: Smoother::new(fs, MAKEUP_SMOOTH_MS, p.makeup_db),
            makeup_lin: db_to_lin(p.makeup_db),
            mix: Smoother::new(fs, MAKEUP_SMOOTH_MS, p.mix),
            hpf: KeyFilter::default(),
            lookahead: 0,
            delay: {
                let len = lookahead_frames(MAX_LOOKAHEAD_MS, fs) + 1;
                [vec![0.0; len], vec![0.0; len]]
            },
            delay_pos: 0,
        };
        c.set_params(&p);
        c
    }

    /// Applies new settings. Curve and timing changes act at once (the gain still moves
    /// with the attack/release ballistics, so they cannot click); make-up is ramped.
    pub fn set_params(&mut self, params: &CompressorParams) {
        let p = clamp_params(params);
        self.params = p;
        let knee_start_db = p.threshold_db - 0.5 * p.knee_db;
        self.knee_start_power = 10f32.powf(knee_start_db / 10.0);
        self.slope = 1.0 - 1.0 / p.ratio;
        self.knee_scale = if p.knee_db > 0.0 {
            self.slope / (2.0 * p.knee_db)
        } else {
            0.0
        };
        self.attack_step = 1.0 - one_pole_coef(p.attack_ms, self.sample_rate_hz);
        self.release_step = 1.0 - one_pole_coef(p.release_ms, self.sample_rate_hz);
        self.makeup_db.set_target(p.makeup_db);
        self.makeup_lin = db_to_lin(p.makeup_db);
        self.mix.set_target(p.mix);
        self.hpf.set(
            p.sidechain_hpf_hz,
            crate::key_filter::KEY_LPF_OFF_HZ,
            self.sample_rate_hz,
        );
        self.lookahead = lookahead_frames(p.lookahead_ms, self.sample_rate_hz);
    }

    /// Frames the audio is delayed by (the lookahead).
    pub fn latency_frames(&self) -> usize {
        self.lookahead
    }

    /// Delays the audio by the lookahead in place (reading `lookahead` frames behind the
    /// write head of a ring as long as the longest lookahead).
    fn delay_audio(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.lookahead == 0 {
            return;
        }
        let len = self.delay[0].len();
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let w = self.delay_pos;
            self.delay[0][w] = sanitize(*l);
            self.delay[1][w] = sanitize(*r);
            let rd = (w + len - self.lookahead) % len;
            *l = self.delay[0][rd];
            *r = self.delay[1][rd];
            self.delay_pos = (w + 1) % len;
        }
    }

    /// Bypassed: only the lookahead delay, so the timing stays compensated.
    pub fn process_bypassed(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.delay_audio(left, right);
    }

    /// Current gain reduction in dB (positive = quieter), for metering; excludes make-up.
    pub fn gain_reduction_db(&self) -> f32 {
        self.gr_db
    }

    /// The static curve's gain reduction (dB) for a detector power: both branches
    /// computed and selected, branch-free, so it vectorises in [`Compressor::targets`].
    #[inline(always)]
    fn curve(&self, power: f32) -> f32 {
        let p = &self.params;
        let over = fast_pow_to_db(power) - p.threshold_db;
        let t = over + 0.5 * p.knee_db;
        let gr = if 2.0 * over.abs() <= p.knee_db {
            self.knee_scale * t * t
        } else {
            self.slope * over
        };
        if power > self.knee_start_power {
            gr
        } else {
            0.0
        }
    }

    /// The RMS detector's mean square after one more sample pair.
    #[inline(always)]
    fn mean_square(&self, ms: f32, xl: f32, xr: f32) -> f32 {
        let ms = ms + self.rms_coef * ((xl * xl).max(xr * xr) - ms);
        if ms < MS_FLOOR { 0.0 } else { ms }
    }

    /// Pass 1: the static curve's gain reduction for each sample's detected level.
    fn targets(&mut self, left: &[f32], right: &[f32], target: &mut [f32]) {
        if self.params.detection == Detection::Rms {
            let mut ms = self.ms;
            for ((t, l), r) in target.iter_mut().zip(left).zip(right) {
                ms = self.mean_square(ms, sanitize(*l), sanitize(*r));
                *t = self.curve(ms);
            }
            self.ms = ms;
        } else {
            for ((t, l), r) in target.iter_mut().zip(left).zip(right) {
                let (xl, xr) = (sanitize(*l), sanitize(*r));
                *t = self.curve((xl * xl).max(xr * xr));
            }
        }
    }

    /// Pass 2: the branching attack/release detector on the gain reduction (serial).
    fn smooth(&mut self, target_then_gr: &mut [f32]) {
        let (k_att, k_rel) = (self.attack_step, self.release_step);
        let gr = if k_att >= k_rel {
            ballistics::<true>(self.gr_db, target_then_gr, k_att, k_rel)
        } else {
            ballistics::<false>(self.gr_db, target_then_gr, k_att, k_rel)
        };
        self.gr_db = gr;
    }

    /// Pass 3: make-up minus reduction, applied to both channels; below full mix the
    /// dry signal is added back (`(1 - mix) + mix * gain`).
    fn apply(&mut self, left: &mut [f32], right: &mut [f32], gr: &[f32]) {
        if self.mix.is_settled() && self.mix.value() == 1.0 {
            self.apply_wet(left, right, gr);
            return;
        }
        for ((l, r), g) in left.iter_mut().zip(right.iter_mut()).zip(gr) {
            let wet = fast_db_to_lin(self.makeup_db.next() - g);
            let m = self.mix.next();
            let gain = (1.0 - m) + m * wet;
            *l = sanitize(*l) * gain;
            *r = sanitize(*r) * gain;
        }
    }

    fn apply_wet(&mut self, left: &mut [f32], right: &mut [f32], gr: &[f32]) {
        if self.makeup_db.is_settled() {
            let (makeup_db, makeup_lin) = (self.makeup_db.value(), self.makeup_lin);
            for ((l, r), g) in left.iter_mut().zip(right.iter_mut()).zip(gr) {
                let gain = settled_gain(makeup_db, makeup_lin, *g);
                *l = sanitize(*l) * gain;
                *r = sanitize(*r) * gain;
            }
        } else {
            for ((l, r), g) in left.iter_mut().zip(right.iter_mut()).zip(gr) {
                let gain = fast_db_to_lin(self.makeup_db.next() - g);
                *l = sanitize(*l) * gain;
                *r = sanitize(*r) * gain;
            }
        }
    }
}

/// The branching detector from reduction `gr_db` through `target_then_gr` (replaced by
/// the reduction after each sample); returns the last. `ATTACK_FASTER`: `k_att >= k_rel`.
///
/// Each sample moves `k * (target - gr)`, `k` the attack step when the reduction grows
/// (`target > gr`: the difference is positive) and the release step otherwise; a result
/// below [`GR_FLOOR_DB`] is none. Written that way, the chain from one sample's reduction
/// to the next is a comparison, a select of `k`, a subtraction, a multiply, an add, and
/// the floor's comparison and mask. Here the same values come from a shorter chain:
/// - The move is the larger of both products when attack is the faster, the smaller when
///   it is slower: one max or min on the values (written as a comparison, not `f32::max`,
///   whose NaN handling costs more), with no select of the coefficient before the multiply.
/// - The floor is taken off the chain: the loop carries the reduction before the floor,
///   `u`, and the next one is either `u + move(target - u)` or, when `u` fell below the
///   floor (a reduction of exactly none), `move(target)`, which needs no `u` at all.
///
/// The same products and sums of the same values, so the result is bit for bit that of
/// the direct form (a test checks it).
#[inline(always)]
fn ballistics<const ATTACK_FASTER: bool>(
    gr_db: f32,
    target_then_gr: &mut [f32],
    k_att: f32,
    k_rel: f32,
) -> f32 {
    let step = |d: f32| {
        let (a, r) = (k_att * d, k_rel * d);
        if ATTACK_FASTER == (a > r) { a } else { r }
    };
    // A floored reduction (0) carries as itself: below the floor, so `step(target)` next.
    let mut u = gr_db;
    for v in target_then_gr.iter_mut() {
        let from_none = step(*v);
        let moved = u + step(*v - u);
        u = if u < GR_FLOOR_DB { from_none } else { moved };
        *v = floor_gr(u);
    }
    floor_gr(u)
}

/// A reduction below [`GR_FLOOR_DB`] is none, so a release tail ends exactly.
#[inline(always)]
fn floor_gr(gr_db: f32) -> f32 {
    if gr_db < GR_FLOOR_DB { 0.0 } else { gr_db }
}

/// The linear gain for reduction `gr_db` under settled make-up (exactly the make-up
/// with no reduction).
#[inline(always)]
fn settled_gain(makeup_db: f32, makeup_lin: f32, gr_db: f32) -> f32 {
    if gr_db == 0.0 {
        makeup_lin
    } else {
        fast_db_to_lin(makeup_db - gr_db)
    }
}

impl Compressor {
    /// Compresses `left`/`right` by the level of `key_left`/`key_right` (a sidechain: the
    /// same length, the same timeline) instead of their own. Never allocates.
    pub fn process_keyed(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        key_left: &[f32],
        key_right: &[f32],
    ) {
        self.run(left, right, Some((key_left, key_right)));
    }

    /// Works in chunks of [`CHUNK`] samples and three passes: the detector and static
    /// curve (independent per sample, so the compiler vectorises them), the attack/release
    /// recursion (the only serial part), then gain application. Every sample goes through
    /// exactly the same arithmetic as a sample-by-sample loop would, so the result does not
    /// depend on where blocks or chunks are cut. The detector hears `key` when given.
    fn run(&mut self, left: &mut [f32], right: &mut [f32], key: Option<(&[f32], &[f32])>) {
        let mut n = left.len().min(right.len());
        if let Some((kl, kr)) = key {
            n = n.min(kl.len()).min(kr.len());
        }
        let mut start = 0;
        let mut buf = [0.0f32; CHUNK];
        while start < n {
            let m = (n - start).min(CHUNK);
            let (l, r) = (&mut left[start..start + m], &mut right[start..start + m]);
            let (kl, kr): (&[f32], &[f32]) = match key {
                Some((kl, kr)) => (&kl[start..start + m], &kr[start..start + m]),
                None => (l, r),
            };
            let target = &mut buf[..m];
            if self.hpf.is_on() {
                let (mut dl, mut dr) = ([0.0f32; CHUNK], [0.0f32; CHUNK]);
                for i in 0..m {
                    dl[i] = self.hpf.run(0, sanitize(kl[i]));
                    dr[i] = self.hpf.run(1, sanitize(kr[i]));
                }
                self.targets(&dl[..m], &dr[..m], target);
            } else {
                self.targets(kl, kr, target);
            }
            self.smooth(target);
            self.delay_audio(l, r);
            self.apply(l, r, target);
            start += m;
        }
    }
}

impl StereoProcessor for Compressor {
    /// Works in chunks of [`CHUNK`] samples and three passes: the detector and static
    /// curve (independent per sample, so the compiler vectorises them), the attack/release
    /// recursion (the only serial part), then gain application. Every sample goes through
    /// exactly the same arithmetic as a sample-by-sample loop would, so the result does not
    /// depend on where blocks or chunks are cut.
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.run(left, right, None);
    }

    fn reset(&mut self) {
        self.ms = 0.0;
        self.gr_db = 0.0;
        self.makeup_db.snap();
        self.mix.snap();
        self.hpf.reset();
        for d in &mut self.delay {
            d.fill(0.0);
        }
        self.delay_pos = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The detector as the tutorial writes it: choose the coefficient, then move.
    fn reference(gr: f32, target: f32, k_att: f32, k_rel: f32) -> f32 {
        let k = if target > gr { k_att } else { k_rel };
        let gr = gr + k * (target - gr);
        if gr < GR_FLOOR_DB { 0.0 } else { gr }
    }

    #[test]
    fn the_max_form_of_the_detector_is_the_chosen_coefficient_form() {
        let mut rand = crate::util::test_noise(0x9e37_79b9_u32);
        // Bursts of reduction, silences (release to exactly none) and equal steps.
        let targets: Vec<f32> = (0..100_000)
            .map(|i| match (i / 5000) % 4 {
                0 => 12.0 * rand(),
                1 => 0.0,
                2 => 1e-6 * rand(),
                _ => 3.0,
            })
            .collect();
        let mut zeros = 0;
        for (attack_ms, release_ms) in [(10.0, 120.0), (200.0, 5.0), (30.0, 30.0)] {
            let params = CompressorParams {
                attack_ms,
                release_ms,
                ..CompressorParams::from_defaults()
            };
            let mut c = Compressor::new(48_000.0, &params);
            let (k_att, k_rel) = (c.attack_step, c.release_step);
            let mut got = targets.clone();
            for chunk in got.chunks_mut(CHUNK) {
                c.smooth(chunk);
            }
            let mut gr = 0.0f32;
            for (i, (&t, &g)) in targets.iter().zip(&got).enumerate() {
                gr = reference(gr, t, k_att, k_rel);
                zeros += usize::from(gr == 0.0);
                assert_eq!(
                    g.to_bits(),
                    gr.to_bits(),
                    "frame {i}, {attack_ms}/{release_ms} ms"
                );
            }
        }
        assert!(
            zeros > 1000,
            "the release reached exactly none on {zeros} frames"
        );
    }
}
