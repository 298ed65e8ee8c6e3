//! Level metering: sample peak and RMS per channel.

use crate::util::{clamp_sample_rate, one_pole_coef};

/// Levels below this are reported as this many dB (meters need a finite floor).
pub const METER_FLOOR_DB: f32 = -144.0;
/// RMS integration time constant.
pub const RMS_TIME_MS: f32 = 300.0;

fn to_db(amplitude: f32) -> f32 {
    if amplitude > 0.0 && amplitude.is_finite() {
        (20.0 * amplitude.log10()).max(METER_FLOOR_DB)
    } else {
        METER_FLOOR_DB
    }
}

/// A stereo meter.
///
/// Peak: the largest `|sample|` since the last [`Meter::take_peak`] (or reset).
/// RMS: exponentially weighted mean square with a 300 ms time constant (a one-pole
/// low-pass on `x^2`, like an analogue VU-style integrator) so it can be read at any
/// time without a window buffer. A steady sine reads 3.01 dB below its peak.
/// Non-finite samples are ignored (treated as silence).
#[derive(Debug, Clone)]
pub struct Meter {
    peak: [f32; 2],
    ms: [f32; 2],
    coef: f32,
}

impl Meter {
    /// Creates a meter for `sample_rate_hz`.
    pub fn new(sample_rate_hz: f32) -> Self {
        Self {
            peak: [0.0; 2],
            ms: [0.0; 2],
            coef: 1.0 - one_pole_coef(RMS_TIME_MS, clamp_sample_rate(sample_rate_hz)),
        }
    }

    /// Measures a block (does not modify it).
    pub fn process(&mut self, left: &[f32], right: &[f32]) {
        // Both channels in one loop: two independent recursions overlap in the CPU, with
        // exactly the per-channel arithmetic of separate loops.
        let finite = |x: f32| if x.is_finite() { x } else { 0.0 };
        let [mut pl, mut pr] = self.peak;
        let [mut ml, mut mr] = self.ms;
        let c = self.coef;
        for (&l, &r) in left.iter().zip(right) {
            let (l, r) = (finite(l), finite(r));
            pl = pl.max(l.abs());
            pr = pr.max(r.abs());
            ml += c * (l * l - ml);
            mr += c * (r * r - mr);
            if ml < 1e-30 {
                ml = 0.0;
            }
            if mr < 1e-30 {
                mr = 0.0;
            }
        }
        self.peak = [pl, pr];
        self.ms = [ml, mr];
    }

    /// Peak since the last `take_peak`, in dBFS per channel.
    pub fn peak_db(&self) -> [f32; 2] {
        self.peak.map(to_db)
    }

    /// Peak in dBFS per channel, then restarts peak tracking.
    pub fn take_peak(&mut self) -> [f32; 2] {
        let p = self.peak_db();
        self.peak = [0.0; 2];
        p
    }

    /// Current RMS in dBFS per channel.
    pub fn rms_db(&self) -> [f32; 2] {
        self.ms.map(|ms| to_db(ms.sqrt()))
    }

    /// Raw peak amplitudes (linear) per channel.
    pub fn peak(&self) -> [f32; 2] {
        self.peak
    }

    /// Raw peak amplitudes per channel, then restarts peak tracking (no log on the
    /// audio thread: meters are published as amplitudes and converted by the reader).
    pub fn take_peak_amplitude(&mut self) -> [f32; 2] {
        std::mem::take(&mut self.peak)
    }

    /// Current RMS amplitude (linear) per channel.
    pub fn rms(&self) -> [f32; 2] {
        self.ms.map(f32::sqrt)
    }

    /// Clears peak and RMS.
    pub fn reset(&mut self) {
        self.peak = [0.0; 2];
        self.ms = [0.0; 2];
    }
}
