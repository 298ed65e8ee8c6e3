//! Decramped EQ sections: digital biquads whose magnitude follows the analogue
//! prototype up to 20 kHz, where the bilinear transform squeezes everything toward
//! Nyquist (a 16 kHz bell at 48 kHz loses most of its top half).
//!
//! The method follows Vicanek ("Matched Second Order Digital Filters", 2016): the poles
//! are the analogue poles mapped by `z = e^{sT}` (impulse invariance of the poles, no
//! frequency warping); the numerator is fitted in the squared-magnitude domain, where
//! `|B(e^{jw})|² = B0 φ0 + B1 φ1 + B2 φ2` is linear in three unknowns
//! (`φ1 = sin²(w/2)`, `φ0 = 1 - φ1`, `φ2 = 4 φ0 φ1`). Vicanek matches three frequencies;
//! here DC is matched exactly and `B1`, `B2` are a weighted least-squares fit of the
//! relative error over 16 log-spaced frequencies to 20 kHz (where the prototype is above
//! -60 dB), refined by Lawson's iteration toward the minimax. The squared magnitude is
//! then factored back into a minimum-phase numerator. High-passes keep a zero at DC.

use std::f64::consts::PI;

use crate::params::EqBandKind;

/// Below this fraction of the sample rate the bilinear design is already within a few
/// hundredths of a dB of the analogue one, and the fit loses precision (poles crowd
/// `z = 1`): the bilinear (RBJ) design is used there.
pub(crate) const MATCHED_FROM_FS: f64 = 1.0 / 16.0;
/// Top of the fitted band.
const FIT_TOP_HZ: f64 = 20_000.0;
/// Bottom of the fitted band.
const FIT_BOTTOM_HZ: f64 = 20.0;
/// Frequencies in the fit.
const FIT_POINTS: usize = 32;
/// Lawson reweighting passes.
const LAWSON_PASSES: usize = 8;

/// The fit's frequencies at one sample rate with their `φ` terms, worked out once per
/// rate (a band sweeping under automation refits every 16 samples, so the fit itself
/// must stay cheap: a few hundred flops).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FitGrid {
    fs: f64,
    /// `(w, φ0, φ1, φ2)` per fitted frequency.
    points: [(f64, f64, f64, f64); FIT_POINTS],
}

impl FitGrid {
    pub(crate) fn new(fs: f64) -> Self {
        let (lo, hi) = (
            2.0 * PI * FIT_BOTTOM_HZ / fs,
            (2.0 * PI * FIT_TOP_HZ / fs).min(0.98 * PI),
        );
        let mut points = [(0.0, 0.0, 0.0, 0.0); FIT_POINTS];
        for (i, pt) in points.iter_mut().enumerate() {
            let w = lo * (hi / lo).powf(i as f64 / (FIT_POINTS - 1) as f64);
            let (p0, p1, p2) = phis(w);
            *pt = (w, p0, p1, p2);
        }
        Self { fs, points }
    }
}

/// `(φ0, φ1, φ2)` at `w`.
fn phis(w: f64) -> (f64, f64, f64) {
    let p1 = (w / 2.0).sin().powi(2);
    let p0 = 1.0 - p1;
    (p0, p1, 4.0 * p0 * p1)
}

/// A biquad `[b0, b1, b2, a1, a2]` (a0 = 1).
pub(crate) type Biquad = [f64; 5];

/// An analogue second-order section in `s' = s / w0`: `(n2 s'² + n1 s' + n0) /
/// (d2 s'² + d1 s' + d0)`, stored `[n2, n1, n0]`, `[d2, d1, d0]`.
#[derive(Debug, Clone, Copy)]
struct Analog {
    n: [f64; 3],
    d: [f64; 3],
}

impl Analog {
    /// `|H(j x w0)|²`.
    fn mag2(&self, x: f64) -> f64 {
        let (nr, ni) = (self.n[2] - self.n[0] * x * x, self.n[1] * x);
        let (dr, di) = (self.d[2] - self.d[0] * x * x, self.d[1] * x);
        (nr * nr + ni * ni) / (dr * dr + di * di)
    }
}

/// The RBJ cookbook's analogue prototypes (the same shapes the bilinear design maps),
/// one per section: `(sections, count)`.
fn prototypes(kind: EqBandKind, gain_db: f64, q: f64, butter_q: [f64; 2]) -> ([Analog; 2], usize) {
    let a = 10f64.powf(gain_db / 40.0);
    let sa = a.sqrt();
    let pass = |hp: bool, q: f64| Analog {
        n: if hp { [1.0, 0.0, 0.0] } else { [0.0, 0.0, 1.0] },
        d: [1.0, 1.0 / q, 1.0],
    };
    let q_scale = q / std::f64::consts::FRAC_1_SQRT_2;
    let one = |s: Analog| ([s, s], 1);
    match kind {
        EqBandKind::Peak => one(Analog {
            n: [1.0, a / q, 1.0],
            d: [1.0, 1.0 / (a * q), 1.0],
        }),
        EqBandKind::LowShelf => one(Analog {
            n: [a, a * sa / q, a * a],
            d: [a, sa / q, 1.0],
        }),
        EqBandKind::HighShelf => one(Analog {
            n: [a * a, a * sa / q, a],
            d: [1.0, sa / q, a],
        }),
        EqBandKind::HighPass12 => one(pass(true, q)),
        EqBandKind::LowPass12 => one(pass(false, q)),
        EqBandKind::HighPass24 | EqBandKind::LowPass24 => {
            let hp = kind == EqBandKind::HighPass24;
            (
                [
                    pass(hp, butter_q[0] * q_scale),
                    pass(hp, butter_q[1] * q_scale),
                ],
                2,
            )
        }
    }
}

/// The digital poles `(a1, a2)` of an analogue denominator at `w0` (rad/sample).
fn matched_poles(d: [f64; 3], w0: f64) -> (f64, f64) {
    let (a, b, c) = (d[0], d[1], d[2]);
    let disc = b * b - 4.0 * a * c;
    if disc < 0.0 {
        let sigma = b / (2.0 * a);
        let omega = (-disc).sqrt() / (2.0 * a);
        (
            -2.0 * (-sigma * w0).exp() * (omega * w0).cos(),
            (-2.0 * sigma * w0).exp(),
        )
    } else {
        let r1 = (-b + disc.sqrt()) / (2.0 * a);
        let r2 = (-b - disc.sqrt()) / (2.0 * a);
        (-((r1 * w0).exp() + (r2 * w0).exp()), ((r1 + r2) * w0).exp())
    }
}

/// One matched section at `w0` on `grid`.
fn section(s: &Analog, w0: f64, grid: &FitGrid, fit: Fit) -> Option<Biquad> {
    let (a1, a2) = matched_poles(s.d, w0);
    // |A(e^{jw})|² in the same φ form.
    let den = [(1.0 + a1 + a2).powi(2), (1.0 - a1 + a2).powi(2), -4.0 * a2];
    let target_at = |w: f64, (p0, p1, p2): (f64, f64, f64)| {
        s.mag2(w / w0) * (den[0] * p0 + den[1] * p1 + den[2] * p2)
    };
    let target = |w: f64| target_at(w, phis(w));
    // A high-pass has its zero at DC (B0 = 0); everything else matches DC exactly.
    let big_b0 = if s.n[1] == 0.0 && s.n[2] == 0.0 {
        0.0
    } else {
        target(0.0)
    };
    if fit == Fit::ThreePoint {
        // Vicanek's own: exact at DC, at Nyquist and at the band's frequency.
        let at_nyquist = target(PI);
        let wm = w0.min(0.9 * PI);
        let (p0, p1, p2) = phis(wm);
        let b2 = (target(wm) - big_b0 * p0 - at_nyquist * p1) / p2;
        return factor(big_b0, at_nyquist, b2, a1, a2);
    }
    let mut pts = [(0.0f64, 0.0f64, 0.0f64, 0.0f64); FIT_POINTS];
    let mut used = 0;
    for &(w, p0, p1, p2) in &grid.points {
        if s.mag2(w / w0) < 1e-6 {
            continue;
        }
        let t = target_at(w, (p0, p1, p2));
        pts[used] = (p1, p2, t - big_b0 * p0, t);
        used += 1;
    }
    let pts = &pts[..used];
    let mut weights = [1.0f64; FIT_POINTS];
    let mut solved = (target(PI), 0.0);
    if used >= 2 {
        for _ in 0..LAWSON_PASSES {
            let (mut s11, mut s12, mut s22, mut r1, mut r2) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (&(x1, x2, y, t), &wt) in pts.iter().zip(&weights) {
                let wt = wt / (t * t).max(1e-300);
                s11 += wt * x1 * x1;
                s12 += wt * x1 * x2;
                s22 += wt * x2 * x2;
                r1 += wt * x1 * y;
                r2 += wt * x2 * y;
            }
            let det = s11 * s22 - s12 * s12;
            solved = ((r1 * s22 - r2 * s12) / det, (s11 * r2 - s12 * r1) / det);
            let mut sum = 0.0;
            for (&(x1, x2, y, t), wt) in pts.iter().zip(weights.iter_mut()) {
                *wt *= ((solved.0 * x1 + solved.1 * x2 - y) / t).abs().max(1e-12);
                sum += *wt;
            }
            weights[..used].iter_mut().for_each(|w| *w /= sum);
        }
    }
    let (big_b1, big_b2) = solved;
    factor(big_b0, big_b1, big_b2, a1, a2)
}

/// Factors `|B|² = B0 φ0 + B1 φ1 + B2 φ2` back into `b0 + b1 z⁻¹ + b2 z⁻²` (minimum
/// phase) and joins the poles.
fn factor(big_b0: f64, big_b1: f64, big_b2: f64, a1: f64, a2: f64) -> Option<Biquad> {
    let (r0, r1) = (big_b0.max(0.0).sqrt(), big_b1.max(0.0).sqrt());
    let w = 0.5 * (r0 + r1);
    let b0 = 0.5 * (w + (w * w + big_b2).max(0.0).sqrt());
    let b1 = 0.5 * (r0 - r1);
    let b2 = if b0 != 0.0 { -big_b2 / (4.0 * b0) } else { 0.0 };
    let c = [b0, b1, b2, a1, a2];
    c.iter().all(|v| v.is_finite()).then_some(c)
}

/// How closely the numerator is fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Three frequencies (a few dozen flops): while a band's parameters ramp, where the
    /// fit is redone every 16 samples.
    ThreePoint,
    /// The least-squares fit (a few thousand flops): once the band settles.
    LeastSquares,
}

/// The matched sections of a band, or `None` where the bilinear design is used (below
/// [`MATCHED_FROM_FS`] of the rate, or if the fit failed).
pub(crate) fn design(
    grid: &FitGrid,
    fit: Fit,
    kind: EqBandKind,
    freq_hz: f64,
    gain_db: f64,
    q: f64,
    butter_q: [f64; 2],
) -> Option<([Biquad; 2], usize)> {
    let fs = grid.fs;
    if freq_hz < MATCHED_FROM_FS * fs {
        return None;
    }
    let w0 = 2.0 * PI * freq_hz / fs;
    let (protos, n) = prototypes(kind, gain_db, q, butter_q);
    let first = section(&protos[0], w0, grid, fit)?;
    let second = if n == 2 {
        section(&protos[1], w0, grid, fit)?
    } else {
        first
    };
    Some(([first, second], n))
}

/// The trapezoidal SVF (`g`, `k`, output mix `[m0, m1, m2]` of input, band and low)
/// with exactly this biquad's transfer function. The SVF's denominator is
/// `(1 + gk + g²) + 2(g² - 1) z⁻¹ + (1 - gk + g²) z⁻²`, so `g² = (1 + a1 + a2) /
/// (1 - a1 + a2)` and `k = (1 - a2) p / (2g)` with `p = 4 / (1 - a1 + a2)`; its band and
/// low outputs `g(1 - z⁻²)` and `g²(1 + z⁻¹)²` with the input span every numerator.
pub(crate) fn svf_from_biquad(c: &Biquad) -> (f64, f64, [f64; 3]) {
    let [b0, b1, b2, a1, a2] = *c;
    let g = ((1.0 + a1 + a2) / (1.0 - a1 + a2)).sqrt();
    let p = 4.0 / (1.0 - a1 + a2);
    let k = (1.0 - a2) * p / (2.0 * g);
    let (n0, n1, n2) = (b0 * p, b1 * p, b2 * p);
    let m0 = (n0 + n2 - n1) / 4.0;
    let m2 = (n1 - m0 * 2.0 * (g * g - 1.0)) / (2.0 * g * g);
    let m1 = (n0 - n2 - m0 * 2.0 * g * k) / (2.0 * g);
    (g, k, [m0, m1, m2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn biquad_db(c: &Biquad, w: f64) -> f64 {
        let (c1, s1, c2, s2) = (w.cos(), w.sin(), (2.0 * w).cos(), (2.0 * w).sin());
        let (nr, ni) = (c[0] + c[1] * c1 + c[2] * c2, -(c[1] * s1 + c[2] * s2));
        let (dr, di) = (1.0 + c[3] * c1 + c[4] * c2, -(c[3] * s1 + c[4] * s2));
        10.0 * ((nr * nr + ni * ni) / (dr * dr + di * di)).log10()
    }

    #[test]
    fn the_svf_mapping_reproduces_the_biquad() {
        let grid = FitGrid::new(48_000.0);
        let c = design(
            &grid,
            Fit::LeastSquares,
            EqBandKind::Peak,
            16_000.0,
            12.0,
            0.7,
            [0.5, 1.3],
        )
        .expect("matched")
        .0[0];
        let (g, k, m) = svf_from_biquad(&c);
        // Evaluate the SVF's transfer function from its parts.
        let d = [
            1.0 + g * k + g * g,
            2.0 * (g * g - 1.0),
            1.0 - g * k + g * g,
        ];
        let n = [
            m[0] * d[0] + m[1] * g + m[2] * g * g,
            m[0] * d[1] + 2.0 * m[2] * g * g,
            m[0] * d[2] - m[1] * g + m[2] * g * g,
        ];
        let svf = [
            n[0] / d[0],
            n[1] / d[0],
            n[2] / d[0],
            d[1] / d[0],
            d[2] / d[0],
        ];
        for (a, b) in svf.iter().zip(&c) {
            assert!((a - b).abs() < 1e-12, "{svf:?} vs {c:?}");
        }
        assert!(biquad_db(&c, 2.0 * PI * 16_000.0 / 48_000.0) > 11.5);
    }
}
