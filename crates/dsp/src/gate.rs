//! Stereo-linked noise gate / downward expander with hold and hysteresis.

use crate::params::GateParams;
use crate::processor::StereoProcessor;
use crate::util::{clamp_sample_rate, db_to_lin, fast_db_to_lin, sanitize};

/// Clamped copy of the parameters: the ranges of [`GateParams::SPECS`].
fn clamp_params(p: &GateParams) -> GateParams {
    p.clamped()
}

/// A noise gate.
///
/// Detection: the instantaneous peak `max(|L|, |R|)`. The gate opens when it reaches
/// `threshold_db`; while open, every sample at or above the closing threshold
/// (`threshold_db - hysteresis_db`) restarts the hold timer, and the gate closes once
/// the level has stayed below the closing threshold for `hold_ms` (so hold also bridges
/// the zero crossings of low-frequency material).
///
/// Gain moves linearly in dB between `range_db` (closed) and 0 dB (open): `attack_ms` is
/// the time for a full open from `range_db`, `release_ms` the time for a full close.
/// A linear-in-dB fade is an exponential amplitude decay, which sounds natural. Fully
/// open the gain is exactly 1; fully closed it is exactly `10^(range_db/20)`.
#[derive(Debug, Clone)]
pub struct Gate {
    sample_rate_hz: f32,
    range_db: f32,
    range_lin: f32,
    open_power: f32,
    close_power: f32,
    hold_samples: u32,
    attack_step_db: f32,
    release_step_db: f32,
    open: bool,
    hold_left: u32,
    gain_db: f32,
}

impl Gate {
    /// Creates a gate at `sample_rate_hz`, initially closed.
    pub fn new(sample_rate_hz: f32, params: &GateParams) -> Self {
        let mut g = Self {
            sample_rate_hz: clamp_sample_rate(sample_rate_hz),
            range_db: 0.0,
            range_lin: 1.0,
            open_power: 0.0,
            close_power: 0.0,
            hold_samples: 0,
            attack_step_db: 0.0,
            release_step_db: 0.0,
            open: false,
            hold_left: 0,
            gain_db: 0.0,
        };
        g.set_params(params);
        g.gain_db = g.range_db;
        g
    }

    /// Applies new settings; the gain glides to a new range at the attack/release rate.
    pub fn set_params(&mut self, params: &GateParams) {
        let p = clamp_params(params);
        let fs = self.sample_rate_hz;
        self.range_db = p.range_db;
        self.range_lin = db_to_lin(p.range_db);
        self.open_power = 10f32.powf(p.threshold_db / 10.0);
        self.close_power = 10f32.powf((p.threshold_db - p.hysteresis_db) / 10.0);
        self.hold_samples = (p.hold_ms * 1e-3 * fs).round() as u32;
        // Full-range transition in the given time; at least 1 dB of span so that a
        // zero range still has a finite rate.
        let span_db = (-p.range_db).max(1.0);
        self.attack_step_db = span_db / (p.attack_ms * 1e-3 * fs).max(1.0);
        self.release_step_db = span_db / (p.release_ms * 1e-3 * fs).max(1.0);
    }

    /// Whether the gate is currently open (including the hold phase).
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Current gain in dB (0 = open, `range_db` = closed), for metering.
    pub fn gain_db(&self) -> f32 {
        self.gain_db
    }
}

impl StereoProcessor for Gate {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (xl, xr) = (sanitize(*l), sanitize(*r));
            let power = (xl * xl).max(xr * xr);
            if self.open {
                if power >= self.close_power {
                    self.hold_left = self.hold_samples;
                } else if self.hold_left > 0 {
                    self.hold_left -= 1;
                } else {
                    self.open = false;
                }
            } else if power >= self.open_power {
                self.open = true;
                self.hold_left = self.hold_samples;
            }
            let target = if self.open { 0.0 } else { self.range_db };
            if self.gain_db < target {
                self.gain_db = (self.gain_db + self.attack_step_db).min(target);
            } else if self.gain_db > target {
                self.gain_db = (self.gain_db - self.release_step_db).max(target);
            }
            let gain = if self.gain_db == 0.0 {
                1.0
            } else if self.gain_db == self.range_db {
                self.range_lin
            } else {
                fast_db_to_lin(self.gain_db)
            };
            *l = xl * gain;
            *r = xr * gain;
        }
    }

    fn reset(&mut self) {
        self.open = false;
        self.hold_left = 0;
        self.gain_db = self.range_db;
    }
}
