//! The key filter of a detector: a high-pass and a low-pass (RBJ, Q 0.707, 12 dB/oct
//! each) on the signal a gate listens to, never on the audio it gates. A kick gate
//! ignores the hi-hat with the low-pass down; a gate on a bass ignores hum with the
//! high-pass up.

use crate::util::flush;

/// At or below this the key high-pass is off.
pub const KEY_HPF_OFF_HZ: f32 = 20.0;
/// At or above this the key low-pass is off.
pub const KEY_LPF_OFF_HZ: f32 = 20_000.0;

/// One biquad `[b0, b1, b2, a1, a2]` with direct-form-I state per channel.
#[derive(Debug, Clone, Copy, Default)]
struct Section {
    on: bool,
    c: [f32; 5],
    /// `[x1, x2, y1, y2]` per channel.
    state: [[f32; 4]; 2],
}

impl Section {
    fn set(&mut self, hp: bool, on: bool, freq_hz: f32, fs: f32) {
        self.on = on;
        let w0 = 2.0 * std::f64::consts::PI * f64::from(freq_hz.min(0.45 * fs)) / f64::from(fs);
        let alpha = w0.sin() / (2.0 * std::f64::consts::FRAC_1_SQRT_2);
        let cos = w0.cos();
        let a0 = 1.0 + alpha;
        let (b0, b1) = if hp {
            ((1.0 + cos) / 2.0, -(1.0 + cos))
        } else {
            ((1.0 - cos) / 2.0, 1.0 - cos)
        };
        self.c = [
            (b0 / a0) as f32,
            (b1 / a0) as f32,
            (b0 / a0) as f32,
            (-2.0 * cos / a0) as f32,
            ((1.0 - alpha) / a0) as f32,
        ];
    }

    #[inline]
    fn run(&mut self, ch: usize, x: f32) -> f32 {
        if !self.on {
            return x;
        }
        let [x1, x2, y1, y2] = self.state[ch];
        let c = self.c;
        let y = flush(c[0] * x + c[1] * x1 + c[2] * x2 - c[3] * y1 - c[4] * y2);
        self.state[ch] = [x, x1, y, y1];
        y
    }
}

/// A detector's key filter, both channels.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KeyFilter {
    hp: Section,
    lp: Section,
}

impl KeyFilter {
    /// Sets the corners (`KEY_HPF_OFF_HZ` / `KEY_LPF_OFF_HZ` switch each off).
    pub(crate) fn set(&mut self, hpf_hz: f32, lpf_hz: f32, fs: f32) {
        self.hp.set(true, hpf_hz > KEY_HPF_OFF_HZ, hpf_hz, fs);
        self.lp.set(false, lpf_hz < KEY_LPF_OFF_HZ, lpf_hz, fs);
    }

    /// Whether either filter is on.
    pub(crate) fn is_on(&self) -> bool {
        self.hp.on || self.lp.on
    }

    /// The keyed sample of channel `ch`.
    #[inline]
    pub(crate) fn run(&mut self, ch: usize, x: f32) -> f32 {
        let y = self.hp.run(ch, x);
        self.lp.run(ch, y)
    }

    pub(crate) fn reset(&mut self) {
        self.hp.state = [[0.0; 4]; 2];
        self.lp.state = [[0.0; 4]; 2];
    }
}
