//! Panning, balance, stereo width and smoothed gain (faders).

use crate::smoothing::Smoother;
use crate::util::{clamp_param, clamp_sample_rate, db_to_lin, sanitize};

/// Ramp time for pan and gain changes: short enough to feel immediate, long enough not
/// to click.
const SMOOTH_MS: f32 = 20.0;

/// Gains at or below this many dB are treated as -inf (exact silence).
pub const SILENCE_DB: f32 = -144.0;
/// Highest fader gain in dB.
pub const MAX_GAIN_DB: f32 = 24.0;

/// Clamps a pan position to -1..1 (NaN = centre).
fn clamp_pan(pan: f32) -> f32 {
    clamp_param(pan, -1.0, 1.0, 0.0)
}

/// Constant-power (sin/cos) pan law for a mono source: returns `(left, right)` gains.
///
/// `pan` runs from -1 (hard left) to 1 (hard right); with `theta = (pan + 1) pi / 4`,
/// `left = cos(theta)`, `right = sin(theta)`, so `left^2 + right^2 = 1` everywhere and
/// the centre is -3.01 dB per side. Hard left/right are exactly `(1, 0)` / `(0, 1)`.
pub fn constant_power_gains(pan: f32) -> (f32, f32) {
    let pan = clamp_pan(pan);
    if pan <= -1.0 {
        return (1.0, 0.0);
    }
    if pan >= 1.0 {
        return (0.0, 1.0);
    }
    let theta = (f64::from(pan) + 1.0) * std::f64::consts::FRAC_PI_4;
    (theta.cos() as f32, theta.sin() as f32)
}

/// Balance law for a stereo source: returns `(left, right)` gains.
///
/// Centre is `(1, 1)` (a stereo source passes unchanged). Moving towards one side leaves
/// that side at unity and attenuates the other with the constant-power curve normalised
/// to unity at the centre: `left = min(1, sqrt(2) cos(theta))`,
/// `right = min(1, sqrt(2) sin(theta))`, `theta = (pan + 1) pi / 4`. So at pan 0.5 the
/// left channel is at -5.3 dB and at hard right it is silent.
pub fn balance_gains(pan: f32) -> (f32, f32) {
    let pan = clamp_pan(pan);
    if pan == 0.0 {
        return (1.0, 1.0);
    }
    let (l, r) = constant_power_gains(pan);
    let s = std::f32::consts::SQRT_2;
    ((l * s).min(1.0), (r * s).min(1.0))
}

/// Mid/side stereo width: 0 = mono, 1 = unchanged (bit-exact), 2 = doubled side.
/// `width` is clamped to 0..2 (NaN = 1).
pub fn apply_width(left: &mut [f32], right: &mut [f32], width: f32) {
    let width = clamp_param(width, 0.0, 2.0, 1.0);
    if width == 1.0 {
        return;
    }
    for (l, r) in left.iter_mut().zip(right.iter_mut()) {
        let mid = 0.5 * (*l + *r);
        let side = 0.5 * (*l - *r) * width;
        *l = mid + side;
        *r = mid - side;
    }
}

/// Which pan law a [`Panner`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanLaw {
    /// [`constant_power_gains`]: for mono sources (put the mono signal in both channels).
    ConstantPower,
    /// [`balance_gains`]: for stereo sources.
    Balance,
}

impl PanLaw {
    fn gains(self, pan: f32) -> (f32, f32) {
        match self {
            PanLaw::ConstantPower => constant_power_gains(pan),
            PanLaw::Balance => balance_gains(pan),
        }
    }
}

/// A pan/balance stage with a smoothed position: `left *= gl`, `right *= gr`.
///
/// A user's change glides the position (the law evaluated every sample); automation
/// instead ramps the two gains linearly from one control point to the next, where they
/// are the law's exact values (no trigonometry per sample).
#[derive(Debug, Clone)]
pub struct Panner {
    law: PanLaw,
    pan: Smoother,
    gains: (f32, f32),
    /// Automation's gain ramps, while one runs.
    gain_ramp: Option<(Smoother, Smoother)>,
}

impl Panner {
    /// Creates a panner at `pan` (-1..1) with the given law.
    pub fn new(sample_rate_hz: f32, pan: f32, law: PanLaw) -> Self {
        let pan = clamp_pan(pan);
        Self {
            law,
            pan: Smoother::new(clamp_sample_rate(sample_rate_hz), SMOOTH_MS, pan),
            gains: law.gains(pan),
            gain_ramp: None,
        }
    }

    /// Moves the pan position (ramped over 20 ms).
    pub fn set_pan(&mut self, pan: f32) {
        self.settle_gain_ramp();
        self.pan.set_target(clamp_pan(pan));
    }

    /// Reaches `pan`'s gains in exactly `samples` samples, ramping each gain linearly
    /// (automation).
    pub fn ramp_to(&mut self, pan: f32, samples: u32) {
        self.settle_gain_ramp();
        let pan = clamp_pan(pan);
        let target = self.law.gains(pan);
        self.pan.snap_to(pan);
        if target == self.gains {
            self.gain_ramp = None;
            return;
        }
        let mut l = Smoother::new(1.0, 1.0, self.gains.0);
        let mut r = Smoother::new(1.0, 1.0, self.gains.1);
        l.ramp_to(target.0, samples);
        r.ramp_to(target.1, samples);
        self.gain_ramp = Some((l, r));
    }

    /// Jumps to `pan` at once (automation after a locate).
    pub fn snap_to(&mut self, pan: f32) {
        self.gain_ramp = None;
        self.pan.snap_to(clamp_pan(pan));
        self.gains = self.law.gains(self.pan.value());
    }

    /// A gain ramp cut short by a user's change: the gains stay where they are and the
    /// position glides on from the ramp's target.
    fn settle_gain_ramp(&mut self) {
        if let Some((l, r)) = self.gain_ramp.take() {
            self.gains = (l.value(), r.value());
        }
    }

    /// Changes the law (immediately).
    pub fn set_law(&mut self, law: PanLaw) {
        self.law = law;
        self.gain_ramp = None;
        self.gains = law.gains(self.pan.value());
    }

    /// Applies the pan gains in place; non-finite input becomes silence.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if let Some((gl, gr)) = self.gain_ramp.as_mut() {
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                *l = sanitize(*l) * gl.next();
                *r = sanitize(*r) * gr.next();
            }
            if gl.is_settled() && gr.is_settled() {
                self.gains = (gl.value(), gr.value());
                self.gain_ramp = None;
            }
            return;
        }
        if self.pan.is_settled() {
            // Constant gains: one loop per channel, which vectorises.
            let (gl, gr) = self.gains;
            for l in left.iter_mut() {
                *l = sanitize(*l) * gl;
            }
            for r in right.iter_mut() {
                *r = sanitize(*r) * gr;
            }
            return;
        }
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            if !self.pan.is_settled() {
                self.gains = self.law.gains(self.pan.next());
            }
            *l = sanitize(*l) * self.gains.0;
            *r = sanitize(*r) * self.gains.1;
        }
    }

    /// Jumps to the target position.
    pub fn reset(&mut self) {
        self.gain_ramp = None;
        self.pan.snap();
        self.gains = self.law.gains(self.pan.value());
    }
}

/// Linear gain for a dB value, with [`SILENCE_DB`] and below (or -inf) mapping to 0.
fn gain_for_db(gain_db: f32) -> f32 {
    let db = clamp_param(gain_db, f32::NEG_INFINITY, MAX_GAIN_DB, 0.0);
    if db <= SILENCE_DB {
        0.0
    } else if db == 0.0 {
        1.0
    } else {
        db_to_lin(db)
    }
}

/// A smoothed gain stage (a fader): ramps linearly in amplitude over 20 ms.
///
/// Settled at 0 dB it multiplies by exactly 1.0 (bit-exact passthrough of finite
/// input); at or below -144 dB it outputs exact zeros. Gain is clamped to +24 dB.
#[derive(Debug, Clone)]
pub struct Gain {
    gain: Smoother,
}

impl Gain {
    /// Creates a gain stage at `gain_db` (NaN = 0 dB).
    pub fn new(sample_rate_hz: f32, gain_db: f32) -> Self {
        Self {
            gain: Smoother::new(
                clamp_sample_rate(sample_rate_hz),
                SMOOTH_MS,
                gain_for_db(gain_db),
            ),
        }
    }

    /// Sets a new gain in dB (ramped).
    pub fn set_gain_db(&mut self, gain_db: f32) {
        self.gain.set_target(gain_for_db(gain_db));
    }

    /// Moves to `gain_db` over exactly `samples` samples, linear in amplitude
    /// (automation: the gain is exact at each control point).
    pub fn ramp_to_db(&mut self, gain_db: f32, samples: u32) {
        self.gain.ramp_to(gain_for_db(gain_db), samples);
    }

    /// Jumps to `gain_db` at once (automation after a locate).
    pub fn snap_to_db(&mut self, gain_db: f32) {
        self.gain.snap_to(gain_for_db(gain_db));
    }

    /// The current linear gain factor.
    pub fn gain(&self) -> f32 {
        self.gain.value()
    }

    /// Applies the gain in place; non-finite input becomes silence.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.gain.is_settled() {
            let g = self.gain.value();
            if g == 0.0 {
                left.fill(0.0);
                right.fill(0.0);
            } else {
                // One loop per channel: a chained iterator does not vectorise.
                for x in left.iter_mut() {
                    *x = sanitize(*x) * g;
                }
                for x in right.iter_mut() {
                    *x = sanitize(*x) * g;
                }
            }
            return;
        }
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let g = self.gain.next();
            *l = sanitize(*l) * g;
            *r = sanitize(*r) * g;
        }
    }

    /// Like copying `src` into `dst` and then [`Gain::process`], in one pass (a send
    /// tapping a strip's signal). Same samples, bit for bit.
    pub fn process_into(
        &mut self,
        src_left: &[f32],
        src_right: &[f32],
        dst_left: &mut [f32],
        dst_right: &mut [f32],
    ) {
        let pairs = dst_left
            .iter_mut()
            .zip(dst_right.iter_mut())
            .zip(src_left.iter().zip(src_right));
        if self.gain.is_settled() {
            let g = self.gain.value();
            if g == 0.0 {
                dst_left.fill(0.0);
                dst_right.fill(0.0);
            } else {
                for ((dl, dr), (sl, sr)) in pairs {
                    *dl = sanitize(*sl) * g;
                    *dr = sanitize(*sr) * g;
                }
            }
            return;
        }
        for ((dl, dr), (sl, sr)) in pairs {
            let g = self.gain.next();
            *dl = sanitize(*sl) * g;
            *dr = sanitize(*sr) * g;
        }
    }

    /// Jumps to the target gain.
    pub fn reset(&mut self) {
        self.gain.snap();
    }
}
