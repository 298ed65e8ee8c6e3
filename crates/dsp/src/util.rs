//! Small shared helpers: input sanitising, parameter clamping, denormal flushing and
//! fast dB conversions.
//!
//! The fast conversions exist because the dynamics processors need a log and an exp per
//! sample while they are active; std's `log10`/`powf` are several times slower and the
//! approximations below are accurate to better than 0.001 dB, far below audibility.

/// Largest magnitude a processor accepts as input; larger finite values are clamped.
///
/// 10^6 is +120 dBFS: far beyond any real signal, yet small enough that 8 EQ bands at
/// +30 dB each cannot overflow `f32`.
pub const INPUT_LIMIT: f32 = 1.0e6;

/// Values with a smaller magnitude than this are flushed to zero in feedback paths, so
/// recursive states never decay into (slow) subnormal numbers. -400 dB: inaudible.
pub const DENORMAL_FLOOR: f32 = 1.0e-20;

/// Replaces NaN/infinite samples by 0 and clamps huge ones to ±[`INPUT_LIMIT`].
#[inline(always)]
pub fn sanitize(x: f32) -> f32 {
    if x.is_finite() {
        x.clamp(-INPUT_LIMIT, INPUT_LIMIT)
    } else {
        0.0
    }
}

/// [`sanitize`] on four samples at once, with the same results.
#[inline(always)]
pub fn sanitize4(x: wide::f32x4) -> wide::f32x4 {
    use wide::f32x4;
    // For finite values these are `clamp`'s comparisons; the rest is masked to 0.
    let clamped = x
        .fast_min(f32x4::splat(INPUT_LIMIT))
        .fast_max(f32x4::splat(-INPUT_LIMIT));
    clamped & x.is_finite()
}

/// Sanitises a whole buffer in place (see [`sanitize`]).
#[inline]
pub fn sanitize_slice(buf: &mut [f32]) {
    for x in buf.iter_mut() {
        *x = sanitize(*x);
    }
}

/// Flushes tiny values (see [`DENORMAL_FLOOR`]) to exactly zero.
#[inline(always)]
pub fn flush(x: f32) -> f32 {
    if x.abs() < DENORMAL_FLOOR { 0.0 } else { x }
}

/// Clamps a parameter to `lo..=hi`, mapping NaN to `default`.
#[inline]
pub fn clamp_param(x: f32, lo: f32, hi: f32, default: f32) -> f32 {
    if x.is_nan() { default } else { x.clamp(lo, hi) }
}

/// Clamps a sample rate to a sane range (8 kHz .. 768 kHz); NaN becomes 48 kHz.
#[inline]
pub fn clamp_sample_rate(sample_rate_hz: f32) -> f32 {
    clamp_param(sample_rate_hz, 8_000.0, 768_000.0, 48_000.0)
}

/// Converts decibels to a linear amplitude factor (exact, std-based; for set-up code).
#[inline]
pub fn db_to_lin(db: f32) -> f32 {
    10.0_f32.powf(db / 20.0)
}

/// One-pole smoothing coefficient `exp(-1 / (tau * fs))` for a time constant in ms: the
/// fraction of the previous state kept per sample, so a step reaches 1 - 1/e in `tau`.
#[inline]
pub fn one_pole_coef(time_ms: f32, sample_rate_hz: f32) -> f32 {
    let samples = (time_ms as f64) * 1e-3 * (sample_rate_hz as f64);
    if samples <= 1e-9 {
        0.0
    } else {
        (-1.0 / samples).exp() as f32
    }
}

/// Fast `log2(x)` for `x > 0` (error < 2e-5 in log2, i.e. < 1e-4 dB); subnormal and
/// non-positive inputs return about -126. Branch-free.
#[inline(always)]
pub fn fast_log2(x: f32) -> f32 {
    let bits = x.max(f32::MIN_POSITIVE).to_bits();
    let e = (((bits >> 23) & 0xff) as i32 - 127) as f32;
    // Mantissa m in [1, 2): log(m) = 2 atanh(t), t = (m - 1) / (m + 1) in [0, 1/3].
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let t4 = t2 * t2;
    // 2 (t + t^3/3 + t^5/5 + t^7/7 + t^9/9), Estrin-style.
    let a = 2.0 + t2 * (2.0 / 3.0);
    let b = 2.0 / 5.0 + t2 * (2.0 / 7.0);
    let series = t * ((a + t4 * b) + t4 * t4 * (2.0 / 9.0));
    e + series * std::f32::consts::LOG2_E
}

/// Fast `2^x` (relative error < 1e-6 for |x| <= 126; saturates outside).
///
/// Branch-free and call-free: no `round`/`floor` (which are libm calls on baseline
/// x86-64 without SSE4.1); the offset keeps the truncating cast a floor.
#[inline(always)]
pub fn fast_exp2(x: f32) -> f32 {
    let x = x.clamp(-126.0, 126.0);
    let i = (x + 256.5) as i32 - 256; // round to nearest
    let f = (x - i as f32) * std::f32::consts::LN_2; // |f| <= 0.347
    // Taylor series of e^f to degree 6 (relative error < 2e-7), evaluated with Estrin's
    // scheme: a shallow dependency chain, since this sits on the compressor's hot path.
    let f2 = f * f;
    let f4 = f2 * f2;
    let p01 = 1.0 + f;
    let p23 = 0.5 + f * (1.0 / 6.0);
    let p45 = 1.0 / 24.0 + f * (1.0 / 120.0);
    let p = (p01 + f2 * p23) + f4 * (p45 + f2 * (1.0 / 720.0));
    let scale = f32::from_bits(((i + 127) as u32) << 23);
    p * scale
}

/// `log2(10) / 20`: multiply dB by this to get log2 of the amplitude factor.
pub const DB_TO_LOG2: f32 = 0.166_096_4;

/// `10 * log10(2)`: multiply log2 of a power by this to get dB.
pub const POW_LOG2_TO_DB: f32 = 3.010_3;

/// Fast dB to amplitude (see [`fast_exp2`]).
#[inline(always)]
pub fn fast_db_to_lin(db: f32) -> f32 {
    fast_exp2(db * DB_TO_LOG2)
}

/// Fast power (squared amplitude) to dB (see [`fast_log2`]).
#[inline(always)]
pub fn fast_pow_to_db(power: f32) -> f32 {
    fast_log2(power) * POW_LOG2_TO_DB
}

/// A reproducible uniform source in `[0, 1]` (xorshift32) for unit tests' signals.
#[cfg(test)]
pub(crate) fn test_noise(mut seed: u32) -> impl FnMut() -> f32 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as f32 / u32::MAX as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_log2_is_accurate() {
        let mut x = 1e-30_f32;
        while x < 1e30 {
            let err = (fast_log2(x) - x.log2()).abs();
            assert!(err < 2e-5, "x={x} err={err}");
            x *= 1.013;
        }
    }

    #[test]
    fn fast_exp2_is_accurate() {
        let mut x = -120.0_f32;
        while x < 120.0 {
            let exact = (x as f64).exp2();
            let rel = ((fast_exp2(x) as f64 - exact) / exact).abs();
            assert!(rel < 1e-6, "x={x} rel={rel}");
            x += 0.0137;
        }
    }

    #[test]
    fn sanitize4_is_sanitize() {
        let xs = [
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            1e30,
            -1e30,
            INPUT_LIMIT,
            -0.0,
            0.0,
            0.25,
            -0.75,
            f32::MIN_POSITIVE / 2.0,
            -3.0e5,
        ];
        for q in xs.chunks(4) {
            let got = sanitize4(wide::f32x4::from([q[0], q[1], q[2], q[3]])).to_array();
            for (g, x) in got.iter().zip(q) {
                assert_eq!(g.to_bits(), sanitize(*x).to_bits(), "{x}");
            }
        }
    }

    #[test]
    fn sanitize_handles_non_finite() {
        assert_eq!(sanitize(f32::NAN), 0.0);
        assert_eq!(sanitize(f32::INFINITY), 0.0);
        assert_eq!(sanitize(1e30), INPUT_LIMIT);
        assert_eq!(sanitize(-0.5), -0.5);
    }
}
