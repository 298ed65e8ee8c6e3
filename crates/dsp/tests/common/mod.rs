//! Shared test helpers: deterministic noise, DFT at arbitrary frequencies, dB.
#![allow(dead_code)]

/// Deterministic xorshift noise in -1..1.
pub struct Noise(u32);

impl Noise {
    pub fn new(seed: u32) -> Self {
        Self(seed.max(1))
    }
    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 as f64 / u32::MAX as f64 * 2.0 - 1.0) as f32
    }
}

/// Noise with sparse loud transients and a few silent stretches: a test programme.
pub fn programme(frames: usize, seed: u32) -> (Vec<f32>, Vec<f32>) {
    let mut n = Noise::new(seed);
    let mut l = Vec::with_capacity(frames);
    let mut r = Vec::with_capacity(frames);
    for i in 0..frames {
        let section = (i / 9000) % 5;
        let level = match section {
            0 => 0.5,
            1 => 0.01,
            2 => 0.0,
            3 => 0.2,
            _ => 0.001,
        };
        let transient = if i % 7919 < 30 { 0.9 } else { 0.0 };
        let a = n.next() * level + transient;
        let b = n.next() * level - transient * 0.5;
        l.push(a);
        r.push(b);
    }
    (l, r)
}

/// `|sum h[n] e^{-j w n}|` in dB at `freq_hz` (direct DFT via a rotation recurrence).
pub fn dft_db(h: &[f32], sample_rate_hz: f64, freq_hz: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq_hz / sample_rate_hz;
    let (rc, rs) = (w.cos(), -w.sin());
    let (mut c, mut s) = (1.0f64, 0.0f64);
    let (mut re, mut im) = (0.0f64, 0.0f64);
    for (i, &x) in h.iter().enumerate() {
        let x = f64::from(x);
        re += x * c;
        im += x * s;
        let nc = c * rc - s * rs;
        let ns = c * rs + s * rc;
        c = nc;
        s = ns;
        if i % 1024 == 1023 {
            let norm = (c * c + s * s).sqrt();
            c /= norm;
            s /= norm;
        }
    }
    10.0 * (re * re + im * im).max(1e-300).log10()
}

/// Log-spaced frequencies from `lo` to `hi` inclusive.
pub fn log_freqs(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo * (hi / lo).powf(i as f64 / (n - 1) as f64))
        .collect()
}

pub fn db(x: f64) -> f64 {
    20.0 * x.abs().max(1e-300).log10()
}

pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64).sqrt()
}
