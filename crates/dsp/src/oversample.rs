//! 8x oversampling by three cascaded polyphase IIR half-band stages.
//!
//! Each stage is the classic two-path allpass half-band filter (Valenzuela and
//! Constantinides; coefficient design as in Laurent de Soras' HIIR):
//! `H(z) = (A0(z²) + z⁻¹ A1(z²)) / 2`, each path a chain of first-order allpasses in `z²`.
//! In polyphase form every allpass runs at the low rate, so a 2x stage with `n`
//! coefficients costs `n` one-multiply allpasses per low-rate sample and direction. The
//! phase is not linear, but the magnitude is flat to 1e-6 dB in the pass band, which is
//! what a waveshaper needs: the dry signal takes the same path (the mix happens at the
//! high rate), so nothing comb-filters.

use std::f64::consts::PI;

/// Coefficients of the 48 kHz -> 96 kHz stage (and back).
const STAGE1_COEFS: usize = 8;
/// Coefficients of the 96 kHz -> 192 kHz stage (and back).
const STAGE2_COEFS: usize = 4;
/// Coefficients of the 192 kHz -> 384 kHz stage (and back).
const STAGE3_COEFS: usize = 2;
/// Top of the band kept free of images and aliases, Hz.
const PASS_HZ: f64 = 20_000.0;

/// HIIR's transition parameters `k` and `q` (elliptic modulus and nome) for a normalized
/// transition width `tbw` (of the high rate; the band is centred on a quarter of it).
fn transition_param(tbw: f64) -> (f64, f64) {
    let k = ((1.0 - tbw * 2.0) * PI / 4.0).tan().powi(2);
    let kk = (1.0 - k * k).powf(0.25);
    let e = 0.5 * (1.0 - kk) / (1.0 + kk);
    let e4 = e.powi(4);
    let q = e * (1.0 + e4 * (2.0 + e4 * (15.0 + 150.0 * e4)));
    (k, q)
}

/// Sums a theta-function series until its terms vanish.
fn series(first: i32, sign: f64, term: impl Fn(i32) -> f64) -> f64 {
    let (mut i, mut s, mut acc) = (first, sign, 0.0);
    loop {
        let t = term(i) * s;
        acc += t;
        if t.abs() <= 1e-100 || i > 64 {
            return acc;
        }
        s = -s;
        i += 1;
    }
}

/// The `N` allpass coefficients of a half-band filter with transition width `tbw`
/// (elliptic design: the stop-band attenuation is the most `N` coefficients can give).
pub(crate) fn halfband_coefs<const N: usize>(tbw: f64) -> [f32; N] {
    let (k, q) = transition_param(tbw);
    let order = (N * 2 + 1) as f64;
    let mut out = [0.0; N];
    for (index, c) in out.iter_mut().enumerate() {
        let c_f = (index + 1) as f64;
        let num = series(0, 1.0, |i| {
            q.powi(i * (i + 1)) * ((f64::from(i) * 2.0 + 1.0) * c_f * PI / order).sin()
        }) * q.powf(0.25);
        let den = series(1, -1.0, |i| {
            q.powi(i * i) * (f64::from(i) * 2.0 * c_f * PI / order).cos()
        }) + 0.5;
        let ww = (num / den).powi(2);
        let x = ((1.0 - ww * k) * (1.0 - ww / k)).sqrt() / (1.0 + ww);
        *c = ((1.0 - x) / (1.0 + x)) as f32;
    }
    out
}

/// The half-band magnitude in dB at `freq` (a fraction of the high rate).
#[cfg(test)]
pub(crate) fn halfband_magnitude_db(coefs: &[f32], freq: f64) -> f64 {
    let w = 2.0 * PI * freq;
    let mul = |a: (f64, f64), b: (f64, f64)| (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0);
    let allpass = |c: f64| {
        // (c + z^-2) / (1 + c z^-2) at z = e^{jw}
        let (zr, zi) = ((-2.0 * w).cos(), (-2.0 * w).sin());
        let (nr, ni, dr, di) = (c + zr, zi, 1.0 + c * zr, c * zi);
        let d = dr * dr + di * di;
        ((nr * dr + ni * di) / d, (ni * dr - nr * di) / d)
    };
    let (mut p0, mut p1) = ((1.0, 0.0), ((-w).cos(), (-w).sin()));
    for (i, &c) in coefs.iter().enumerate() {
        if i % 2 == 0 {
            p0 = mul(p0, allpass(f64::from(c)));
        } else {
            p1 = mul(p1, allpass(f64::from(c)));
        }
    }
    let (re, im) = (0.5 * (p0.0 + p1.0), 0.5 * (p0.1 + p1.1));
    10.0 * (re * re + im * im).log10()
}

/// Four lanes processed together: (left path 0, left path 1, right path 0, right path 1).
type Lanes = [f32; 4];
/// A stereo frame `[left, right]`: the oversampler's buffers hold frames, so a stage reads
/// and writes whole vectors.
pub(crate) type Frame = [f32; 2];

/// A half-band stage for a stereo pair: each of its `N` coefficient pairs is one
/// first-order allpass on all four lanes at once (path 0 takes the even coefficients,
/// path 1 the odd ones), which the compiler turns into one SIMD operation per step.
/// An allpass's previous input is the previous output of the one before it, so the
/// state is the chain's previous input and each allpass's previous output (few enough
/// to stay in registers).
#[derive(Debug, Clone, Copy)]
struct HalfBand<const N: usize> {
    coefs: [Lanes; N],
    x1: Lanes,
    y1: [Lanes; N],
}

impl<const N: usize> HalfBand<N> {
    fn new<const C: usize>(c: [f32; C]) -> Self {
        let mut coefs = [[0.0; 4]; N];
        for (i, lanes) in coefs.iter_mut().enumerate() {
            let (even, odd) = (c[2 * i], c.get(2 * i + 1).copied().unwrap_or(0.0));
            *lanes = [even, odd, even, odd];
        }
        Self {
            coefs,
            x1: [0.0; 4],
            y1: [[0.0; 4]; N],
        }
    }

    /// Runs the four lanes through their allpass chains: `y = (c x + x1) - c y1`, written
    /// so the recurrence on `y1` is one multiply and one subtract (the rest does not wait
    /// on the previous output).
    #[inline(always)]
    fn run(&mut self, mut v: Lanes) -> Lanes {
        let mut x1 = std::mem::replace(&mut self.x1, v);
        for i in 0..N {
            let (c, y1) = (self.coefs[i], self.y1[i]);
            let y: Lanes = std::array::from_fn(|k| (c[k] * v[k] + x1[k]) - c[k] * y1[k]);
            self.y1[i] = y;
            x1 = y1;
            v = y;
        }
        v
    }

    /// One stereo frame in, two out.
    #[inline(always)]
    fn up(&mut self, x: Frame) -> [Frame; 2] {
        let v = self.run([x[0], x[0], x[1], x[1]]);
        [[v[0], v[2]], [v[1], v[3]]]
    }

    /// Two stereo frames in, one out.
    #[inline(always)]
    fn down(&mut self, a: Frame, b: Frame) -> Frame {
        let v = self.run([b[0], a[0], b[1], a[1]]);
        [0.5 * (v[0] + v[1]), 0.5 * (v[2] + v[3])]
    }

    fn reset(&mut self) {
        self.x1 = [0.0; 4];
        self.y1 = [[0.0; 4]; N];
    }
}

/// Frames the oversampler takes per call: each stage runs over a whole block before
/// the next, so the allpass recurrences pipeline across samples instead of waiting on
/// one another sample by sample (twice as fast as running the chain per sample).
pub(crate) const BLOCK: usize = 64;
/// The oversampling factor of [`Oversampler`].
pub(crate) const FACTOR: usize = 8;

/// A constant the caller adds to the signal before [`Oversampler::up`]: the states then
/// settle on it instead of decaying into denormals in silence, so the recurrences need no
/// flush (which would double their latency). -300 dBFS of DC; every operand stays either
/// zero or far above the denormal range, so results do not depend on FTZ/DAZ and the live
/// thread (FTZ on) matches an offline render (FTZ off) bit for bit.
pub(crate) const ANTI_DENORMAL: f32 = 1e-15;

/// Runs one stage up over the frames of `x`, writing twice as many into `out`. The
/// stage's state lives in a local over the loop so it stays in registers.
#[inline(always)]
fn stage_up<const N: usize>(stage: &mut HalfBand<N>, x: &[Frame], out: &mut [Frame]) {
    let mut st = *stage;
    for (&f, o) in x.iter().zip(out.chunks_exact_mut(2)) {
        o.copy_from_slice(&st.up(f));
    }
    *stage = st;
}

/// Runs one stage down over the frames of `x`, writing half as many into `out`.
#[inline(always)]
fn stage_down<const N: usize>(stage: &mut HalfBand<N>, x: &[Frame], out: &mut [Frame]) {
    let mut st = *stage;
    for (pair, o) in x.chunks_exact(2).zip(out.iter_mut()) {
        *o = st.down(pair[0], pair[1]);
    }
    *stage = st;
}

/// 8x up- and down-sampler for a stereo pair, block by block, in three 2x stages.
#[derive(Debug, Clone)]
pub(crate) struct Oversampler {
    up1: HalfBand<{ STAGE1_COEFS / 2 }>,
    up2: HalfBand<{ STAGE2_COEFS / 2 }>,
    up3: HalfBand<{ STAGE3_COEFS / 2 }>,
    down3: HalfBand<{ STAGE3_COEFS / 2 }>,
    down2: HalfBand<{ STAGE2_COEFS / 2 }>,
    down1: HalfBand<{ STAGE1_COEFS / 2 }>,
    /// The signals between the stages (boxed: keeps the effect enum small).
    mid: Box<Mid>,
}

/// The 2x and 4x signals between the stages.
#[derive(Debug, Clone)]
struct Mid {
    x2: [Frame; 2 * BLOCK],
    x4: [Frame; 4 * BLOCK],
}

impl Oversampler {
    /// Designs the stages for `sample_rate_hz`: each keeps 0-20 kHz and removes everything
    /// that would image or alias into it (a stage from rate `f` to `2 f` stops from
    /// `f - 20 kHz` up).
    pub(crate) fn new(sample_rate_hz: f32) -> Self {
        let fs = f64::from(sample_rate_hz);
        let tbw = |high_rate: f64| {
            let pass = (PASS_HZ / high_rate).min(0.24);
            (2.0 * (0.25 - pass)).clamp(0.02, 0.45)
        };
        let c1 = halfband_coefs::<STAGE1_COEFS>(tbw(2.0 * fs));
        let c2 = halfband_coefs::<STAGE2_COEFS>(tbw(4.0 * fs));
        let c3 = halfband_coefs::<STAGE3_COEFS>(tbw(8.0 * fs));
        Self {
            up1: HalfBand::new(c1),
            up2: HalfBand::new(c2),
            up3: HalfBand::new(c3),
            down3: HalfBand::new(c3),
            down2: HalfBand::new(c2),
            down1: HalfBand::new(c1),
            mid: Box::new(Mid {
                x2: [[0.0; 2]; 2 * BLOCK],
                x4: [[0.0; 2]; 4 * BLOCK],
            }),
        }
    }

    /// Upsamples up to [`BLOCK`] frames of `x` into `FACTOR` times as many at the start
    /// of `out`.
    pub(crate) fn up(&mut self, x: &[Frame], out: &mut [Frame]) {
        let n = x.len().min(BLOCK);
        let Mid { x2, x4 } = &mut *self.mid;
        stage_up(&mut self.up1, &x[..n], &mut x2[..2 * n]);
        stage_up(&mut self.up2, &x2[..2 * n], &mut x4[..4 * n]);
        stage_up(&mut self.up3, &x4[..4 * n], &mut out[..FACTOR * n]);
    }

    /// Downsamples `FACTOR * n` frames of `hi` back into the `n` frames of `out`.
    pub(crate) fn down(&mut self, hi: &[Frame], out: &mut [Frame]) {
        let n = out.len().min(BLOCK);
        let Mid { x2, x4 } = &mut *self.mid;
        stage_down(&mut self.down3, &hi[..FACTOR * n], &mut x4[..4 * n]);
        stage_down(&mut self.down2, &x4[..4 * n], &mut x2[..2 * n]);
        stage_down(&mut self.down1, &x2[..2 * n], &mut out[..n]);
    }

    pub(crate) fn reset(&mut self) {
        self.up1.reset();
        self.up2.reset();
        self.up3.reset();
        self.down3.reset();
        self.down2.reset();
        self.down1.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_design_matches_the_published_hiir_figures() {
        // hiir's 8-coefficient, 0.04 transition design reaches ~ -99 dB: the same series.
        let c = halfband_coefs::<8>(0.04);
        assert!((c[0] - 0.040_633_46).abs() < 1e-6, "{c:?}");
        let stop = (0..=1000)
            .map(|i| 0.27 + 0.23 * f64::from(i) / 1000.0)
            .map(|f| halfband_magnitude_db(&c, f))
            .fold(f64::MIN, f64::max);
        assert!((-100.5..-98.0).contains(&stop), "{stop}");
    }

    /// Worst pass-band and stop-band magnitude of a stage whose high rate is `high_hz`.
    fn worst(coefs: &[f32], high_hz: f64) -> (f64, f64) {
        let pass = PASS_HZ / high_hz;
        let worst_pass = (0..=200)
            .map(|i| halfband_magnitude_db(coefs, pass * f64::from(i) / 200.0))
            .fold(0.0, f64::min);
        let worst_stop = (0..=200)
            .map(|i| (0.5 - pass) + pass * f64::from(i) / 200.0)
            .map(|f| halfband_magnitude_db(coefs, f))
            .fold(f64::MIN, f64::max);
        (worst_pass, worst_stop)
    }

    #[test]
    fn every_stage_keeps_the_band_and_stops_the_images_at_44_1_and_48_khz() {
        for fs in [44_100.0_f64, 48_000.0] {
            let tbw = |high: f64| 2.0 * (0.25 - PASS_HZ / high);
            let stages = [
                (
                    halfband_coefs::<STAGE1_COEFS>(tbw(2.0 * fs)).to_vec(),
                    2.0 * fs,
                    -100.0,
                ),
                (
                    halfband_coefs::<STAGE2_COEFS>(tbw(4.0 * fs)).to_vec(),
                    4.0 * fs,
                    -100.0,
                ),
                (
                    halfband_coefs::<STAGE3_COEFS>(tbw(8.0 * fs)).to_vec(),
                    8.0 * fs,
                    -95.0,
                ),
            ];
            for (k, (c, high, limit)) in stages.iter().enumerate() {
                let (pass, stop) = worst(c, *high);
                assert!(pass > -1e-4, "{fs} stage {}: pass {pass}", k + 1);
                assert!(stop < *limit, "{fs} stage {}: stop {stop}", k + 1);
            }
        }
    }
}
