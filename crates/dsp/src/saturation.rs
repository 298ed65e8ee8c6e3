//! Saturation: a waveshaper run at 4x the sample rate, with a tone tilt and dry/wet mix.

use crate::oversample::{ANTI_DENORMAL, BLOCK, FACTOR, Frame, Oversampler};
use crate::params::{SaturationFlavour, SaturationParams};
use crate::processor::StereoProcessor;
use crate::smoothing::Smoother;
use crate::util::{clamp_sample_rate, db_to_lin, sanitize};

/// Drive, mix, output and tone glide over this long.
pub(crate) const SMOOTH_MS: f32 = 20.0;
/// Pivot of the tone tilt: the frequency the tilt leaves unchanged.
pub const TONE_PIVOT_HZ: f32 = 800.0;
/// Corner of the DC blocker behind the asymmetric (tube) curve: -0.04 dB at 20 Hz.
const DC_BLOCK_HZ: f32 = 2.0;
/// Weight of the even (squared) term of the tube curve: its 2nd harmonic.
const TUBE_EVEN: f32 = 0.25;

/// The soft curve `x / sqrt(1 + x²)`: slope 1 at 0, approaches ±1. Analytic everywhere on
/// the real line, so its harmonics fall off exponentially and 4x oversampling keeps their
/// aliases far down.
#[inline(always)]
fn soft(x: f32) -> f32 {
    x / (1.0 + x * x).sqrt()
}

/// The harder curve: the cubic soft-clipper `1.5 t - 0.5 t³` on `t = soft(2x/3)`. Slope
/// 1 at 0 and flat (zero slope) at the ceiling ±1, so the knee is sharper than
/// [`soft`]'s; still analytic (its nearest singularities, at ±1.5i, are farther from the
/// real line than `soft`'s), so it aliases no more than the tape curve.
#[inline(always)]
fn hard(x: f32) -> f32 {
    let t = soft(x * (2.0 / 3.0));
    t * (1.5 - 0.5 * t * t)
}

/// The static curve of `flavour` at the high rate (before the DC blocker): what the
/// editor draws. Tape and clip are odd (odd harmonics); tube adds `t²`, an even term,
/// so its positive half reaches 1.25 and its negative half -0.75, then loses its DC.
pub fn saturation_curve(flavour: SaturationFlavour, x: f32) -> f32 {
    match flavour {
        SaturationFlavour::Tape => soft(x),
        SaturationFlavour::Tube => {
            let t = soft(x);
            t + TUBE_EVEN * t * t
        }
        SaturationFlavour::Clip => hard(x),
    }
}

/// Coefficients `(b0, b1, a1)` of the first-order tilt: analogue prototype
/// `H(s) = (G s + w0) / (s + G w0)` (DC gain `1/G`, top gain `G`, exactly 1 at the pivot),
/// bilinear transform pre-warped at the pivot.
fn tilt_coefs(g: f32, fs: f32) -> (f32, f32, f32) {
    let w0 = 2.0 * std::f32::consts::PI * TONE_PIVOT_HZ;
    let k = w0 / (std::f32::consts::PI * TONE_PIVOT_HZ / fs).tan();
    let a0 = k + g * w0;
    ((g * k + w0) / a0, (w0 - g * k) / a0, (g * w0 - k) / a0)
}

/// Per-channel filter state at the base rate.
#[derive(Debug, Clone, Copy, Default)]
struct Channel {
    tilt_x1: f32,
    tilt_y1: f32,
    /// The DC blocker's low-pass state.
    dc_lp: f32,
}

/// Tape, tube or clip saturation.
///
/// Per channel: upsample 4x, `mix * curve(drive * x) + (1 - mix) * x` at the high rate
/// (dry and wet take the same resampling path, so mixing them never comb-filters),
/// downsample, DC blocker (tube only), tone tilt, output gain. Drive raises quiet
/// signals by `drive_db` like a preamp; loud ones approach the curve's ceiling (±1 for
/// tape and clip), so `output_db` sets the level that leaves the effect.
#[derive(Debug, Clone)]
pub struct Saturation {
    sample_rate_hz: f32,
    flavour: SaturationFlavour,
    drive: Smoother,
    mix: Smoother,
    output: Smoother,
    /// The tilt's linear top gain `G`.
    tone: Smoother,
    tilt: (f32, f32, f32),
    dc_coef: f32,
    os: Oversampler,
    ch: [Channel; 2],
    scratch: Box<Scratch>,
}

impl Saturation {
    /// Creates the effect at `sample_rate_hz` with `params` (no allocation afterwards).
    pub fn new(sample_rate_hz: f32, params: &SaturationParams) -> Self {
        let fs = clamp_sample_rate(sample_rate_hz);
        let p = params.clamped();
        let g = db_to_lin(p.tone_db * 0.5);
        let mut s = Self {
            sample_rate_hz: fs,
            flavour: p.flavour,
            drive: Smoother::new(fs, SMOOTH_MS, db_to_lin(p.drive_db)),
            mix: Smoother::new(fs, SMOOTH_MS, p.mix),
            output: Smoother::new(fs, SMOOTH_MS, db_to_lin(p.output_db)),
            tone: Smoother::new(fs, SMOOTH_MS, g),
            tilt: tilt_coefs(g, fs),
            dc_coef: 2.0 * std::f32::consts::PI * DC_BLOCK_HZ / fs,
            os: Oversampler::new(fs),
            ch: [Channel::default(); 2],
            scratch: Box::default(),
        };
        s.set_params(&p);
        s
    }

    /// Applies new settings: drive, mix, output and tone glide; the flavour switches at
    /// once (the curves agree near zero, so quiet passages switch silently).
    pub fn set_params(&mut self, params: &SaturationParams) {
        let p = params.clamped();
        self.flavour = p.flavour;
        self.drive.set_target(db_to_lin(p.drive_db));
        self.mix.set_target(p.mix);
        self.output.set_target(db_to_lin(p.output_db));
        self.tone.set_target(db_to_lin(p.tone_db * 0.5));
    }

    /// `mix * curve(drive * u) + (1 - mix) * u` over a high-rate block, with drive and
    /// mix per base-rate frame.
    #[inline(always)]
    fn shape<const F: u8>(hi: &mut [Frame], drive: &[f32], mix: &[f32]) {
        for ((frames, &d), &m) in hi.chunks_exact_mut(FACTOR).zip(drive).zip(mix) {
            for u in frames.as_flattened_mut() {
                let x = *u * d;
                let wet = match F {
                    0 => soft(x),
                    1 => {
                        let t = soft(x);
                        t + TUBE_EVEN * t * t
                    }
                    _ => hard(x),
                };
                *u += m * (wet - *u);
            }
        }
    }

    fn run<const F: u8>(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (left, right) in left.chunks_mut(BLOCK).zip(right.chunks_mut(BLOCK)) {
            let n = left.len();
            let sc = &mut self.scratch;
            let tone_ramping = !self.tone.is_settled();
            fill(&mut self.drive, &mut sc.drive[..n]);
            fill(&mut self.mix, &mut sc.mix[..n]);
            fill(&mut self.output, &mut sc.out[..n]);
            if tone_ramping {
                for t in &mut sc.tilt[..n] {
                    *t = tilt_coefs(self.tone.next(), self.sample_rate_hz);
                }
            }
            for ((b, &l), &r) in sc.base[..n].iter_mut().zip(&*left).zip(&*right) {
                *b = [sanitize(l) + ANTI_DENORMAL, sanitize(r) + ANTI_DENORMAL];
            }
            if tone_ramping {
                self.tilt = sc.tilt[n - 1];
            }
            let hi = &mut sc.hi[..FACTOR * n];
            self.os.up(&sc.base[..n], hi);
            Self::shape::<F>(hi, &sc.drive[..n], &sc.mix[..n]);
            self.os.down(hi, &mut sc.base[..n]);
            let base = &sc.base[..n];
            let (dc_coef, ch) = (self.dc_coef, &mut self.ch);
            if tone_ramping {
                tail::<F>(ch, base, dc_coef, |i| sc.tilt[i], &sc.out, left, right);
            } else {
                let tilt = self.tilt;
                tail::<F>(ch, base, dc_coef, |_| tilt, &sc.out, left, right);
            }
        }
    }
}

/// The smoother's next `out.len()` values (a settled one costs a fill).
#[inline(always)]
fn fill(smoother: &mut Smoother, out: &mut [f32]) {
    if smoother.is_settled() {
        out.fill(smoother.value());
    } else {
        for v in out {
            *v = smoother.next();
        }
    }
}

/// The base-rate end: DC blocker (tube), tone tilt (coefficients per frame from `tilt`),
/// output gain, both channels in one loop so their recurrences overlap. The tilt needs
/// no flush: its input always carries the oversampler's tiny DC (restored after the DC
/// blocker), so it never decays into denormals.
#[inline(always)]
fn tail<const F: u8>(
    ch: &mut [Channel; 2],
    base: &[Frame],
    dc_coef: f32,
    tilt: impl Fn(usize) -> (f32, f32, f32),
    out: &[f32],
    left: &mut [f32],
    right: &mut [f32],
) {
    let mut st = *ch;
    for (i, (((&x, &gain), l), r)) in base
        .iter()
        .zip(out)
        .zip(left.iter_mut())
        .zip(right.iter_mut())
        .enumerate()
    {
        let (b0, b1, a1) = tilt(i);
        let mut y = [0.0; 2];
        for c in 0..2 {
            let s = &mut st[c];
            let mut v = x[c];
            if F == 1 {
                // DC blocker as `x - lowpass(x)`: the low-pass tracks the DC, which never
                // decays to zero, so its recurrence needs no flush; a denormal difference
                // is absorbed by adding the tiny DC back.
                s.dc_lp += dc_coef * (v - s.dc_lp);
                v = (v - s.dc_lp) + ANTI_DENORMAL;
            }
            let t = (b0 * v + b1 * s.tilt_x1) - a1 * s.tilt_y1;
            s.tilt_x1 = v;
            s.tilt_y1 = t;
            y[c] = t * gain;
        }
        (*l, *r) = (y[0], y[1]);
    }
    *ch = st;
}

/// Per-block working buffers (boxed once in `new`: the effect allocates nothing after).
#[derive(Debug, Clone)]
struct Scratch {
    drive: [f32; BLOCK],
    mix: [f32; BLOCK],
    out: [f32; BLOCK],
    tilt: [(f32, f32, f32); BLOCK],
    base: [Frame; BLOCK],
    hi: [Frame; FACTOR * BLOCK],
}

impl Default for Scratch {
    fn default() -> Self {
        Self {
            drive: [0.0; BLOCK],
            mix: [0.0; BLOCK],
            out: [0.0; BLOCK],
            tilt: [(1.0, 0.0, 0.0); BLOCK],
            base: [[0.0; 2]; BLOCK],
            hi: [[0.0; 2]; FACTOR * BLOCK],
        }
    }
}

impl StereoProcessor for Saturation {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        match self.flavour {
            SaturationFlavour::Tape => self.run::<0>(left, right),
            SaturationFlavour::Tube => self.run::<1>(left, right),
            SaturationFlavour::Clip => self.run::<2>(left, right),
        }
    }

    fn reset(&mut self) {
        let fs = self.sample_rate_hz;
        self.os.reset();
        self.ch = [Channel::default(); 2];
        self.drive.snap();
        self.mix.snap();
        self.output.snap();
        self.tone.snap();
        self.tilt = tilt_coefs(self.tone.value(), fs);
    }
}
