//! Parametric EQ: up to eight bands of RBJ-cookbook shapes realised as Cytomic
//! ("Simper") trapezoidal state-variable filters, either with the cookbook's bilinear
//! design ([`EqResponse::Classic`]) or decramped to follow the analogue shapes up to
//! 20 kHz ([`EqResponse::Analog`], `eq_matched`; mapped exactly onto the same SVF).
//!
//! Why an SVF rather than a direct-form biquad: the SVF computes the *same* bilinear
//! transfer functions as the RBJ cookbook (so [`magnitude_db`], written from the
//! cookbook biquad coefficients, describes it exactly), but its coefficients and states
//! stay well conditioned in `f32` down to 20 Hz at 96 kHz, and it tolerates coefficient
//! changes while running (no blow-ups when automated).

use crate::eq_matched;
use crate::params::{EqBand, EqBandKind, EqParams, EqResponse, MAX_EQ_BANDS};
use crate::processor::StereoProcessor;
use crate::smoothing::Smoother;
use crate::util::{DENORMAL_FLOOR, clamp_sample_rate, sanitize_slice};
use wide::f32x4;

/// Coefficients are recomputed every this many samples (on the internal clock) while a
/// band's parameters are ramping.
const COEF_INTERVAL: u32 = 16;
/// Filter states are flushed of near-denormal values every this many samples.
const FLUSH_INTERVAL: u32 = 256;
/// Parameter ramp time.
pub(crate) const SMOOTH_MS: f32 = 20.0;
/// Butterworth 4th-order section Q's (1 / (2 cos(pi/8)), 1 / (2 cos(3 pi/8))).
const BUTTER4_Q: [f64; 2] = [0.541_196_100_146_197, 1.306_562_964_876_376_5];

/// Clamped `(freq_hz, gain_db, q)` of a band, shared by the processor and
/// [`magnitude_db`] so both describe the same filter.
fn clamp_band(band: &EqBand, sample_rate_hz: f32) -> (f32, f32, f32) {
    let fs = clamp_sample_rate(sample_rate_hz);
    let b = band.clamped();
    (
        // The table's range, then below Nyquist (a rate-dependent limit, not a range).
        b.freq_hz.min(0.49 * fs),
        b.gain_db,
        b.q,
    )
}

/// How a section mixes its outputs; selects a specialised inner loop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Mix {
    /// `x + m1 * bp` (peak).
    #[default]
    Bell,
    /// `lp` only.
    LowPass,
    /// `m0 * x + m1 * bp + m2 * lp` (shelves, high-pass).
    General,
}

/// One trapezoidal SVF section (Simper), with output `m0*x + m1*bp + m2*lp`.
///
/// The textbook update `v1 = a1*ic1 + a2*v3; v2 = ic2 + a2*ic1 + a3*v3;
/// ic1 = 2*v1 - ic1; ic2 = 2*v2 - ic2` is rearranged (exactly, in real arithmetic) to
/// `ic1' = ic1 - c1*ic1 + b1*v3`, `ic2' = ic2 + b1*ic1 + b2*v3` with `c1 = 2(1 - a1)`,
/// `b1 = 2*a2`, `b2 = 2*a3`, and `v1 = (ic1 + ic1')/2`, `v2 = (ic2 + ic2')/2`. This keeps
/// the SVF's "state plus small increment" form (its f32 accuracy at low frequencies),
/// but the loop-carried dependency chain is three operations instead of five.
#[derive(Debug, Clone, Copy, Default)]
struct SvfCoefs {
    c1: f32,
    b1: f32,
    b2: f32,
    m0: f32,
    /// Half of `m1` (applied to `ic1 + ic1'` = 2 v1).
    h1: f32,
    /// Half of `m2`.
    h2: f32,
    mix: Mix,
}

/// The two integrator states of one SVF section for one channel.
#[derive(Debug, Clone, Copy, Default)]
struct SvfState {
    ic1: f32,
    ic2: f32,
}

impl SvfState {
    fn flush(&mut self) {
        if self.ic1.abs() < DENORMAL_FLOOR {
            self.ic1 = 0.0;
        }
        if self.ic2.abs() < DENORMAL_FLOOR {
            self.ic2 = 0.0;
        }
    }
}

const MIX_BELL: u8 = 0;
const MIX_LOWPASS: u8 = 1;
const MIX_GENERAL: u8 = 2;
/// Each section's own mix, chosen per section at run time.
const MIX_ANY: u8 = 3;

impl SvfCoefs {
    /// Designs from the prewarped `g = tan(pi f / fs)`, damping `k = 1/Q` and output mix.
    fn new(g: f64, k: f64, m: [f64; 3]) -> Self {
        let a1 = 1.0 / (1.0 + g * (g + k));
        let a2 = g * a1;
        let a3 = g * a2;
        let mix = if m[0] == 1.0 && m[2] == 0.0 {
            Mix::Bell
        } else if m[0] == 0.0 && m[1] == 0.0 && m[2] == 1.0 {
            Mix::LowPass
        } else {
            Mix::General
        };
        Self {
            // 1 - a1 computed without cancellation.
            c1: (2.0 * g * (g + k) * a1) as f32,
            b1: (2.0 * a2) as f32,
            b2: (2.0 * a3) as f32,
            m0: m[0] as f32,
            h1: (0.5 * m[1]) as f32,
            h2: (0.5 * m[2]) as f32,
            mix,
        }
    }
}

/// Designs the SVF section(s) for a band; returns the sections and how many are used.
/// The analogue-matched response comes from `eq_matched` (mapped onto the SVF); the
/// classic one, and every band below the matched range, is the bilinear design below.
#[allow(clippy::too_many_arguments)]
fn design(
    response: EqResponse,
    grid: &eq_matched::FitGrid,
    fit: eq_matched::Fit,
    kind: EqBandKind,
    sample_rate_hz: f32,
    freq_hz: f32,
    gain_db: f32,
    q: f32,
) -> ([SvfCoefs; 2], usize) {
    let fs = f64::from(sample_rate_hz);
    // Settled bands get the least-squares fit; ramping ones (refitted every 16 samples)
    // the three-point one.
    if response == EqResponse::Analog
        && let Some((sections, n)) = eq_matched::design(
            grid,
            fit,
            kind,
            f64::from(freq_hz),
            f64::from(gain_db),
            f64::from(q),
            BUTTER4_Q,
        )
    {
        let svf = |c: &eq_matched::Biquad| {
            let (g, k, m) = eq_matched::svf_from_biquad(c);
            SvfCoefs::new(g, k, m)
        };
        return ([svf(&sections[0]), svf(&sections[1])], n);
    }
    let g = (std::f64::consts::PI * f64::from(freq_hz) / fs).tan();
    let q = f64::from(q);
    let a = 10f64.powf(f64::from(gain_db) / 40.0);
    let none = SvfCoefs::default();
    let q_scale = q / std::f64::consts::FRAC_1_SQRT_2;
    match kind {
        EqBandKind::Peak => {
            let k = 1.0 / (q * a);
            (
                [SvfCoefs::new(g, k, [1.0, k * (a * a - 1.0), 0.0]), none],
                1,
            )
        }
        EqBandKind::LowShelf => {
            let k = 1.0 / q;
            (
                [
                    SvfCoefs::new(g / a.sqrt(), k, [1.0, k * (a - 1.0), a * a - 1.0]),
                    none,
                ],
                1,
            )
        }
        EqBandKind::HighShelf => {
            let k = 1.0 / q;
            (
                [
                    SvfCoefs::new(g * a.sqrt(), k, [a * a, k * (1.0 - a) * a, 1.0 - a * a]),
                    none,
                ],
                1,
            )
        }
        EqBandKind::HighPass12 => {
            let k = 1.0 / q;
            ([SvfCoefs::new(g, k, [1.0, -k, -1.0]), none], 1)
        }
        EqBandKind::LowPass12 => ([SvfCoefs::new(g, 1.0 / q, [0.0, 0.0, 1.0]), none], 1),
        EqBandKind::HighPass24 => {
            let k0 = 1.0 / (BUTTER4_Q[0] * q_scale);
            let k1 = 1.0 / (BUTTER4_Q[1] * q_scale);
            (
                [
                    SvfCoefs::new(g, k0, [1.0, -k0, -1.0]),
                    SvfCoefs::new(g, k1, [1.0, -k1, -1.0]),
                ],
                2,
            )
        }
        EqBandKind::LowPass24 => {
            let k0 = 1.0 / (BUTTER4_Q[0] * q_scale);
            let k1 = 1.0 / (BUTTER4_Q[1] * q_scale);
            (
                [
                    SvfCoefs::new(g, k0, [0.0, 0.0, 1.0]),
                    SvfCoefs::new(g, k1, [0.0, 0.0, 1.0]),
                ],
                2,
            )
        }
    }
}

/// One band's smoothed parameters, coefficients and state.
#[derive(Debug, Clone, Copy)]
struct Band {
    enabled: bool,
    kind: EqBandKind,
    response: EqResponse,
    /// Smoothed in log2(Hz) so sweeps are even across octaves.
    log2_freq: Smoother,
    gain_db: Smoother,
    /// Smoothed in log2(q).
    log2_q: Smoother,
    coefs: [SvfCoefs; 2],
    sections: usize,
    /// `[section][channel]`.
    state: [[SvfState; 2]; 2],
}

impl Band {
    fn disabled(sample_rate_hz: f32) -> Self {
        Self {
            enabled: false,
            kind: EqBandKind::Peak,
            response: EqResponse::Classic,
            log2_freq: Smoother::new(sample_rate_hz, SMOOTH_MS, 10.0),
            gain_db: Smoother::new(sample_rate_hz, SMOOTH_MS, 0.0),
            log2_q: Smoother::new(sample_rate_hz, SMOOTH_MS, 0.0),
            coefs: [SvfCoefs::default(); 2],
            sections: 0,
            state: [[SvfState::default(); 2]; 2],
        }
    }

    fn settled(&self) -> bool {
        self.log2_freq.is_settled() && self.gain_db.is_settled() && self.log2_q.is_settled()
    }

    fn update_coefs(&mut self, sample_rate_hz: f32, grid: &eq_matched::FitGrid) {
        let freq_hz = self.log2_freq.value().exp2();
        let q = self.log2_q.value().exp2();
        let fit = if self.settled() {
            eq_matched::Fit::LeastSquares
        } else {
            eq_matched::Fit::ThreePoint
        };
        let (coefs, sections) = design(
            self.response,
            grid,
            fit,
            self.kind,
            sample_rate_hz,
            freq_hz,
            self.gain_db.value(),
            q,
        );
        self.coefs = coefs;
        self.sections = sections;
    }

    fn clear_state(&mut self) {
        self.state = [[SvfState::default(); 2]; 2];
    }

    fn flush(&mut self) {
        for section in &mut self.state {
            for ch in section {
                ch.flush();
            }
        }
    }
}

/// A stereo parametric EQ with up to [`MAX_EQ_BANDS`] bands processed in order.
///
/// Frequency (log), gain and Q are smoothed per band over 20 ms; coefficients are
/// recomputed every 16 samples of the internal clock while ramping, so the output does
/// not depend on how the timeline is split into blocks. Disabled bands cost nothing.
/// Enabling a band or changing its kind takes effect immediately (filter state cleared).
#[derive(Debug, Clone)]
pub struct Eq {
    sample_rate_hz: f32,
    /// The analog response's fitting frequencies at this rate.
    grid: eq_matched::FitGrid,
    bands: [Band; MAX_EQ_BANDS],
    /// Internal sample clock (wrapping; the intervals divide 2^32).
    clock: u32,
    /// True when no band is ramping.
    settled: bool,
}

impl Eq {
    /// Creates an EQ at `sample_rate_hz` with `params` applied immediately (no ramp).
    pub fn new(sample_rate_hz: f32, params: &EqParams) -> Self {
        let fs = clamp_sample_rate(sample_rate_hz);
        let mut eq = Self {
            sample_rate_hz: fs,
            grid: eq_matched::FitGrid::new(f64::from(fs)),
            bands: [Band::disabled(fs); MAX_EQ_BANDS],
            clock: 0,
            settled: true,
        };
        eq.set_params(params);
        let grid = eq.grid;
        for band in &mut eq.bands {
            band.log2_freq.snap();
            band.gain_db.snap();
            band.log2_q.snap();
            if band.enabled {
                band.update_coefs(fs, &grid);
            }
        }
        eq.settled = true;
        eq
    }

    /// Applies new settings; value changes are smoothed. Only reads `params` (bands past
    /// [`MAX_EQ_BANDS`] are ignored); never allocates.
    pub fn set_params(&mut self, params: &EqParams) {
        let fs = self.sample_rate_hz;
        let grid = self.grid;
        for (i, band) in self.bands.iter_mut().enumerate() {
            let Some(p) = params.bands.get(i).filter(|b| b.enabled) else {
                band.enabled = false;
                band.sections = 0;
                continue;
            };
            let (freq_hz, gain_db, q) = clamp_band(p, fs);
            let (lf, lq) = (freq_hz.log2(), q.log2());
            if !band.enabled || band.kind != p.kind || band.response != params.response {
                band.enabled = true;
                band.kind = p.kind;
                band.response = params.response;
                band.log2_freq.snap_to(lf);
                band.gain_db.snap_to(gain_db);
                band.log2_q.snap_to(lq);
                band.clear_state();
                band.update_coefs(fs, &grid);
            } else {
                band.log2_freq.set_target(lf);
                band.gain_db.set_target(gain_db);
                band.log2_q.set_target(lq);
                if !band.settled() {
                    self.settled = false;
                }
            }
        }
    }

    /// Work done on the internal clock grid: coefficient updates and denormal flushing.
    fn on_grid(&mut self) {
        if self.clock.is_multiple_of(FLUSH_INTERVAL) {
            for band in self.bands.iter_mut().filter(|b| b.enabled) {
                band.flush();
            }
        }
        if !self.settled {
            let mut all_settled = true;
            let fs = self.sample_rate_hz;
            let grid = self.grid;
            for band in self.bands.iter_mut().filter(|b| b.enabled) {
                if !band.settled() {
                    band.log2_freq.skip(COEF_INTERVAL);
                    band.gain_db.skip(COEF_INTERVAL);
                    band.log2_q.skip(COEF_INTERVAL);
                    band.update_coefs(fs, &grid);
                    all_settled &= band.settled();
                }
            }
            self.settled = all_settled;
        }
    }
}

/// Sections an EQ can run at most (every band with two).
const MAX_SECTIONS: usize = 2 * MAX_EQ_BANDS;

impl Eq {
    /// Runs every active section over the chunk, sample by sample through all of them.
    ///
    /// Each section's recursion is a serial chain of a few operations per sample; run one
    /// section over the whole chunk after another, the processor waits on that chain. Going
    /// through all sections for each sample gives it the chains of every band and both
    /// channels at once to overlap (about 3x faster for three bands). Every section sees the
    /// same inputs in the same order either way, so the output is bit for bit the same.
    #[inline]
    fn run_sections(&mut self, left: &mut [f32], right: &mut [f32]) {
        let mut coefs = [SvfCoefs::default(); MAX_SECTIONS];
        let mut state = [[SvfState::default(); 2]; MAX_SECTIONS];
        let mut m = 0;
        for band in self.bands.iter().filter(|b| b.enabled) {
            for s in 0..band.sections {
                coefs[m] = band.coefs[s];
                state[m] = band.state[s];
                m += 1;
            }
        }
        // One mix for all (bells: classic peaks; general: analog peaks and shelves): no
        // choice of mix per sample.
        let mix = match coefs[..m].first().map(|c| c.mix) {
            Some(first) if coefs[..m].iter().all(|c| c.mix == first) => match first {
                Mix::Bell => MIX_BELL,
                Mix::LowPass => MIX_LOWPASS,
                Mix::General => MIX_GENERAL,
            },
            _ => MIX_ANY,
        };
        match (m, mix) {
            (0, _) => {}
            (1, _) => run_chain::<1, MIX_ANY>(&coefs, &mut state, left, right),
            (2, MIX_BELL) => run_chain::<2, MIX_BELL>(&coefs, &mut state, left, right),
            (2, MIX_GENERAL) => run_chain::<2, MIX_GENERAL>(&coefs, &mut state, left, right),
            (2, _) => run_chain::<2, MIX_ANY>(&coefs, &mut state, left, right),
            (3, MIX_BELL) => run_chain::<3, MIX_BELL>(&coefs, &mut state, left, right),
            (3, MIX_GENERAL) => run_chain::<3, MIX_GENERAL>(&coefs, &mut state, left, right),
            (3, _) => run_chain::<3, MIX_ANY>(&coefs, &mut state, left, right),
            (4, MIX_BELL) => run_chain::<4, MIX_BELL>(&coefs, &mut state, left, right),
            (4, MIX_GENERAL) => run_chain::<4, MIX_GENERAL>(&coefs, &mut state, left, right),
            (4, _) => run_chain::<4, MIX_ANY>(&coefs, &mut state, left, right),
            // More than four: four at a time over the chunk (each section still sees the output
            // of the one before it, sample by sample, so the result is the same).
            _ => {
                let groups = coefs[..m].chunks(4).zip(state[..m].chunks_mut(4));
                for (c, st) in groups {
                    match c.len() {
                        1 => run_chain::<1, MIX_ANY>(c, st, left, right),
                        2 => run_chain::<2, MIX_ANY>(c, st, left, right),
                        3 => run_chain::<3, MIX_ANY>(c, st, left, right),
                        _ => run_chain::<4, MIX_ANY>(c, st, left, right),
                    }
                }
            }
        }
        let mut k = 0;
        for band in self.bands.iter_mut().filter(|b| b.enabled) {
            for s in 0..band.sections {
                band.state[s] = state[k];
                k += 1;
            }
        }
    }
}

/// One section's coefficients splatted across SIMD lanes (`[left, right, -, -]`).
#[derive(Clone, Copy)]
struct SvfLanes {
    c1: f32x4,
    b1: f32x4,
    b2: f32x4,
    m0: f32x4,
    h1: f32x4,
    h2: f32x4,
    mix: Mix,
}

impl SvfLanes {
    fn new(c: &SvfCoefs) -> Self {
        Self {
            c1: f32x4::splat(c.c1),
            b1: f32x4::splat(c.b1),
            b2: f32x4::splat(c.b2),
            m0: f32x4::splat(c.m0),
            h1: f32x4::splat(c.h1),
            h2: f32x4::splat(c.h2),
            mix: c.mix,
        }
    }

    /// [`SvfCoefs::tick`] on both channels at once: lane by lane the same operations in
    /// the same order, so each channel's result is bit for bit the scalar one.
    #[inline(always)]
    fn tick<const MIX: u8>(&self, ic1: &mut f32x4, ic2: &mut f32x4, v0: f32x4) -> f32x4 {
        let (s1, s2) = (*ic1, *ic2);
        let v3 = v0 - s2;
        let n1 = (s1 - self.c1 * s1) + self.b1 * v3;
        let n2 = (s2 + self.b1 * s1) + self.b2 * v3;
        let y = match MIX {
            MIX_BELL => v0 + self.h1 * (s1 + n1),
            MIX_LOWPASS => self.h2 * (s2 + n2),
            _ => self.m0 * v0 + self.h1 * (s1 + n1) + self.h2 * (s2 + n2),
        };
        *ic1 = n1;
        *ic2 = n2;
        y
    }

    #[inline(always)]
    fn tick_any(&self, ic1: &mut f32x4, ic2: &mut f32x4, v0: f32x4) -> f32x4 {
        match self.mix {
            Mix::Bell => self.tick::<MIX_BELL>(ic1, ic2, v0),
            Mix::LowPass => self.tick::<MIX_LOWPASS>(ic1, ic2, v0),
            Mix::General => self.tick::<MIX_GENERAL>(ic1, ic2, v0),
        }
    }
}

/// The first `N` sections of `coefs`, applied in order to each sample of both channels;
/// `MIX` is every section's mix, or [`MIX_ANY`] for each its own. The two channels ride
/// in two SIMD lanes, which halves the instructions per frame.
#[inline(always)]
fn run_chain<const N: usize, const MIX: u8>(
    coefs: &[SvfCoefs],
    state: &mut [[SvfState; 2]],
    left: &mut [f32],
    right: &mut [f32],
) {
    let c: [SvfLanes; N] = std::array::from_fn(|k| SvfLanes::new(&coefs[k]));
    let lanes = |a: f32, b: f32| f32x4::from([a, b, 0.0, 0.0]);
    let mut ic1: [f32x4; N] = std::array::from_fn(|k| lanes(state[k][0].ic1, state[k][1].ic1));
    let mut ic2: [f32x4; N] = std::array::from_fn(|k| lanes(state[k][0].ic2, state[k][1].ic2));
    for (l, r) in left.iter_mut().zip(right.iter_mut()) {
        let mut x = lanes(*l, *r);
        for k in 0..N {
            x = if MIX == MIX_ANY {
                c[k].tick_any(&mut ic1[k], &mut ic2[k], x)
            } else {
                c[k].tick::<MIX>(&mut ic1[k], &mut ic2[k], x)
            };
        }
        let [yl, yr, _, _] = x.to_array();
        *l = yl;
        *r = yr;
    }
    for k in 0..N {
        let ([l1, r1, _, _], [l2, r2, _, _]) = (ic1[k].to_array(), ic2[k].to_array());
        state[k] = [SvfState { ic1: l1, ic2: l2 }, SvfState { ic1: r1, ic2: r2 }];
    }
}

impl StereoProcessor for Eq {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let (left, right) = (&mut left[..n], &mut right[..n]);
        sanitize_slice(left);
        sanitize_slice(right);
        let mut pos = 0;
        while pos < n {
            if self.clock.is_multiple_of(COEF_INTERVAL) {
                self.on_grid();
            }
            let interval = if self.settled {
                FLUSH_INTERVAL
            } else {
                COEF_INTERVAL
            };
            let to_grid = (interval - self.clock % interval) as usize;
            let len = to_grid.min(n - pos);
            let (l, r) = (&mut left[pos..pos + len], &mut right[pos..pos + len]);
            self.run_sections(l, r);
            pos += len;
            self.clock = self.clock.wrapping_add(len as u32);
        }
    }

    fn reset(&mut self) {
        let fs = self.sample_rate_hz;
        let grid = self.grid;
        for band in self.bands.iter_mut() {
            band.clear_state();
            band.log2_freq.snap();
            band.gain_db.snap();
            band.log2_q.snap();
            if band.enabled {
                band.update_coefs(fs, &grid);
            }
        }
        self.settled = true;
    }
}

/// Analytic magnitude response in dB of the filters `params` designs at
/// `sample_rate_hz`, evaluated at `freq_hz` (also the reference the processor is tested
/// against). To draw a curve use [`magnitude_curve_db`], which designs the bands once.
///
/// Computed in `f64` from the biquad coefficients the processor realises: the matched
/// design of `eq_matched` for [`EqResponse::Analog`] (above its range's floor), else the
/// RBJ cookbook's bilinear ones, with the same clamping as [`Eq`].
pub fn magnitude_db(params: &EqParams, sample_rate_hz: f32, freq_hz: f32) -> f32 {
    magnitude_curve_db(params, sample_rate_hz, &[freq_hz])[0]
}

/// [`magnitude_db`] at each of `freqs_hz`, designing every band once (the analog
/// response's fit is thousands of flops: an editor curve of 200 points must not redo it
/// per point).
pub fn magnitude_curve_db(params: &EqParams, sample_rate_hz: f32, freqs_hz: &[f32]) -> Vec<f32> {
    let fs = clamp_sample_rate(sample_rate_hz);
    let grid = eq_matched::FitGrid::new(f64::from(fs));
    let sections: Vec<[f64; 6]> = params
        .bands
        .iter()
        .take(MAX_EQ_BANDS)
        .filter(|b| b.enabled)
        .flat_map(|band| band_biquads(params.response, &grid, band, fs))
        .collect();
    freqs_hz
        .iter()
        .map(|&f| {
            let w = 2.0 * std::f64::consts::PI * f64::from(f) / f64::from(fs);
            sections.iter().map(|c| biquad_db(c, w)).sum::<f64>() as f32
        })
        .collect()
}

/// The biquads `[b0, b1, b2, a0, a1, a2]` one band realises (one or two).
fn band_biquads(
    response: EqResponse,
    grid: &eq_matched::FitGrid,
    band: &EqBand,
    fs: f32,
) -> Vec<[f64; 6]> {
    let (f0, gain_db, q) = clamp_band(band, fs);
    let w0 = 2.0 * std::f64::consts::PI * f64::from(f0) / f64::from(fs);
    let q = f64::from(q);
    let a = 10f64.powf(f64::from(gain_db) / 40.0);
    let q_scale = q / std::f64::consts::FRAC_1_SQRT_2;
    if response == EqResponse::Analog
        && let Some((sections, n)) = eq_matched::design(
            grid,
            eq_matched::Fit::LeastSquares,
            band.kind,
            f64::from(f0),
            f64::from(gain_db),
            q,
            BUTTER4_Q,
        )
    {
        return sections[..n]
            .iter()
            .map(|&[b0, b1, b2, a1, a2]| [b0, b1, b2, 1.0, a1, a2])
            .collect();
    }
    match band.kind {
        EqBandKind::HighPass24 | EqBandKind::LowPass24 => {
            let hp = band.kind == EqBandKind::HighPass24;
            BUTTER4_Q
                .iter()
                .map(|bq| rbj_pass(hp, w0, bq * q_scale))
                .collect()
        }
        EqBandKind::HighPass12 => vec![rbj_pass(true, w0, q)],
        EqBandKind::LowPass12 => vec![rbj_pass(false, w0, q)],
        EqBandKind::Peak => {
            let alpha = w0.sin() / (2.0 * q);
            let c = w0.cos();
            vec![[
                1.0 + alpha * a,
                -2.0 * c,
                1.0 - alpha * a,
                1.0 + alpha / a,
                -2.0 * c,
                1.0 - alpha / a,
            ]]
        }
        EqBandKind::LowShelf | EqBandKind::HighShelf => {
            let alpha = w0.sin() / (2.0 * q);
            let c = w0.cos();
            let s = 2.0 * a.sqrt() * alpha;
            vec![if band.kind == EqBandKind::LowShelf {
                [
                    a * ((a + 1.0) - (a - 1.0) * c + s),
                    2.0 * a * ((a - 1.0) - (a + 1.0) * c),
                    a * ((a + 1.0) - (a - 1.0) * c - s),
                    (a + 1.0) + (a - 1.0) * c + s,
                    -2.0 * ((a - 1.0) + (a + 1.0) * c),
                    (a + 1.0) + (a - 1.0) * c - s,
                ]
            } else {
                [
                    a * ((a + 1.0) + (a - 1.0) * c + s),
                    -2.0 * a * ((a - 1.0) + (a + 1.0) * c),
                    a * ((a + 1.0) + (a - 1.0) * c - s),
                    (a + 1.0) - (a - 1.0) * c + s,
                    2.0 * ((a - 1.0) - (a + 1.0) * c),
                    (a + 1.0) - (a - 1.0) * c - s,
                ]
            }]
        }
    }
}

/// RBJ high-pass (`hp`) or low-pass biquad `[b0, b1, b2, a0, a1, a2]`.
fn rbj_pass(hp: bool, w0: f64, q: f64) -> [f64; 6] {
    let alpha = w0.sin() / (2.0 * q);
    let c = w0.cos();
    let (b0, b1) = if hp {
        ((1.0 + c) / 2.0, -(1.0 + c))
    } else {
        ((1.0 - c) / 2.0, 1.0 - c)
    };
    [b0, b1, b0, 1.0 + alpha, -2.0 * c, 1.0 - alpha]
}

/// `20 log10 |H(e^{jw})|` of a biquad `[b0, b1, b2, a0, a1, a2]`.
fn biquad_db(c: &[f64; 6], w: f64) -> f64 {
    let (c1, s1) = (w.cos(), w.sin());
    let (c2, s2) = ((2.0 * w).cos(), (2.0 * w).sin());
    let num_re = c[0] + c[1] * c1 + c[2] * c2;
    let num_im = -(c[1] * s1 + c[2] * s2);
    let den_re = c[3] + c[4] * c1 + c[5] * c2;
    let den_im = -(c[4] * s1 + c[5] * s2);
    let num = num_re * num_re + num_im * num_im;
    let den = den_re * den_re + den_im * den_im;
    10.0 * (num.max(1e-300) / den.max(1e-300)).log10()
}
