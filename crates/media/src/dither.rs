//! Dither for reducing a float mix to integer samples.
//!
//! Rounding a quiet signal to 16 bits turns it into distortion or silence: a -100 dBFS
//! sine rounds to zero, a -90 dBFS sine to a three-level square with strong harmonics.
//! TPDF dither (the sum of two independent uniform values, ±1 LSB, triangular) added before
//! rounding makes the error independent of the signal: flat noise at about -101 dBFS RMS
//! (16 bits) instead of distortion, and signals far below one LSB stay audible in it.
//! First-order noise shaping feeds the previous sample's error back, moving that noise up
//! in frequency (less audible) at the cost of more noise overall.
//!
//! The noise is a fixed pseudo-random sequence (xorshift), so bouncing the same mix twice
//! gives the same file.

/// How integer samples are made from the float mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dither {
    /// Round to nearest (right for 24-bit from a float mix, and for 16-bit sources that
    /// pass through untouched).
    #[default]
    Off,
    /// TPDF dither of ±1 LSB.
    Tpdf,
    /// TPDF dither with first-order noise shaping (the error moves up in frequency).
    TpdfShaped,
}

/// Per-channel dither state.
#[derive(Debug, Clone)]
pub(crate) struct Ditherer {
    kind: Dither,
    rng: u64,
    /// Last quantisation error per channel, LSBs (noise shaping).
    error: Vec<f64>,
}

impl Ditherer {
    pub(crate) fn new(kind: Dither, channels: usize) -> Self {
        Ditherer {
            kind,
            rng: 0x9E37_79B9_7F4A_7C15,
            error: vec![0.0; channels],
        }
    }

    /// A uniform value in [-0.5, 0.5).
    fn uniform(&mut self) -> f64 {
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let x = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }

    /// `sample` as a `bits`-bit integer on `channel`: scaled by `2^(bits-1)`, dithered as
    /// configured, rounded and clamped to the integer range.
    #[inline(always)]
    pub(crate) fn quantize(&mut self, sample: f32, bits: u32, channel: usize) -> i32 {
        let scale = (1i64 << (bits - 1)) as f64;
        let x = f64::from(sample) * scale;
        let (lo, hi) = (-scale, scale - 1.0);
        match self.kind {
            Dither::Off => round_exact_sample(x).clamp(lo, hi) as i32,
            Dither::Tpdf => {
                let d = self.uniform() + self.uniform();
                (x + d).round().clamp(lo, hi) as i32
            }
            Dither::TpdfShaped => {
                let e = self.error.get(channel).copied().unwrap_or(0.0);
                let v = x - e;
                let d = self.uniform() + self.uniform();
                let q = (v + d).round().clamp(lo, hi);
                if let Some(slot) = self.error.get_mut(channel) {
                    // Bounded, so a clipped stretch cannot wind the feedback up.
                    *slot = (q - v).clamp(-2.0, 2.0);
                }
                q as i32
            }
        }
    }
}

/// `x.round()` (half away from zero) for `x` an `f32` times a power of two, without a
/// call into libm (`round` is one on x86-64 without SSE4.1, and ran per sample). Such an
/// `x` has at most 24 significant bits, so `x + 0.5` is exact below 2^52, and truncation
/// then rounds half away from zero; at and above 2^52 `x` is already an integer.
#[inline]
fn round_exact_sample(x: f64) -> f64 {
    const INTEGRAL: f64 = 4_503_599_627_370_496.0; // 2^52
    if x.abs() < INTEGRAL {
        (x + 0.5f64.copysign(x)) as i64 as f64
    } else {
        x
    }
}

#[cfg(test)]
mod round_tests {
    use super::round_exact_sample;

    #[test]
    fn rounds_exactly_like_round_for_scaled_f32_samples() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let check = |sample: f32| {
            for bits in [16u32, 24, 32] {
                let x = f64::from(sample) * (1i64 << (bits - 1)) as f64;
                let (a, b) = (round_exact_sample(x), x.round());
                assert!(
                    a == b || (a.is_nan() && b.is_nan()),
                    "{sample:e} at {bits} bits"
                );
            }
        };
        for _ in 0..1_000_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            check(f32::from_bits((seed >> 32) as u32));
        }
        // Ties at every scale, both signs, and the edges.
        for k in -70_000i32..70_000 {
            check(k as f32 / 16_777_216.0);
            check((k as f32 + 0.5) / 65_536.0);
        }
        for v in [
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            f32::MAX,
            f32::MIN,
            f32::INFINITY,
            f32::NAN,
        ] {
            check(v);
        }
    }
}
