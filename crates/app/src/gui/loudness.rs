//! The master loudness meter of the mixer: momentary, short-term and integrated loudness
//! (EBU R 128), true peak and stereo correlation of what is playing. Fed on the GUI thread
//! from the engine's lock-free master tap, never on the audio thread.

use ebur128::{EbuR128, Mode};

/// Correlation time constant: the reading settles over about this long, seconds.
const CORRELATION_S: f64 = 0.3;

/// Loudness and correlation of the master since the last reset.
pub struct LoudnessMeter {
    meter: Option<EbuR128>,
    rate_hz: u32,
    /// Decaying sums of L², R² and L·R for the correlation.
    sums: [f64; 3],
    /// Samples taken from the tap, reused between frames.
    pub(crate) buffer: Vec<f32>,
    /// The figures as of the last audio measured (reading the windows costs a pass over
    /// them: done when audio arrives, not every frame).
    last: LoudnessReading,
}

/// What the meter shows.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LoudnessReading {
    /// Momentary loudness (400 ms), LUFS.
    pub momentary_lufs: Option<f64>,
    /// Short-term loudness (3 s), LUFS.
    pub short_term_lufs: Option<f64>,
    /// Integrated loudness since the reset, LUFS.
    pub integrated_lufs: Option<f64>,
    /// Highest true peak since the reset, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// Stereo correlation -1..1 (1 = mono), over the last fraction of a second.
    pub correlation: Option<f64>,
}

impl LoudnessMeter {
    /// A meter for audio at `rate_hz`.
    pub fn new(rate_hz: u32) -> Self {
        LoudnessMeter {
            meter: EbuR128::new(2, rate_hz, Mode::M | Mode::S | Mode::I | Mode::TRUE_PEAK).ok(),
            rate_hz,
            sums: [0.0; 3],
            buffer: Vec::new(),
            last: LoudnessReading::default(),
        }
    }

    /// Starts again (the Reset button, a new session or rate).
    pub fn reset(&mut self, rate_hz: u32) {
        let buffer = std::mem::take(&mut self.buffer);
        *self = LoudnessMeter::new(rate_hz);
        self.buffer = buffer;
    }

    /// The rate it measures at.
    pub fn rate_hz(&self) -> u32 {
        self.rate_hz
    }

    /// Measures what is in `buffer` (interleaved stereo), then empties it.
    pub fn consume(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        if let Some(m) = self.meter.as_mut() {
            let _ = m.add_frames_f32(&self.buffer);
        }
        let keep = (-1.0 / (CORRELATION_S * f64::from(self.rate_hz.max(1)))).exp();
        for f in self.buffer.chunks_exact(2) {
            let (l, r) = (f64::from(f[0]), f64::from(f[1]));
            self.sums[0] = keep * self.sums[0] + l * l;
            self.sums[1] = keep * self.sums[1] + r * r;
            self.sums[2] = keep * self.sums[2] + l * r;
        }
        self.buffer.clear();
        self.last = self.measure();
    }

    /// The figures as of the last audio measured.
    pub fn reading(&self) -> LoudnessReading {
        self.last
    }

    fn measure(&self) -> LoudnessReading {
        let finite = |x: Result<f64, ebur128::Error>| x.ok().filter(|v| v.is_finite());
        let Some(m) = self.meter.as_ref() else {
            return LoudnessReading::default();
        };
        let tp = (0..2)
            .filter_map(|c| m.true_peak(c).ok())
            .fold(0.0f64, f64::max);
        let denom = (self.sums[0] * self.sums[1]).sqrt();
        LoudnessReading {
            momentary_lufs: finite(m.loudness_momentary()),
            short_term_lufs: finite(m.loudness_shortterm()),
            integrated_lufs: finite(m.loudness_global()),
            true_peak_dbtp: (tp > 0.0).then(|| 20.0 * tp.log10()),
            correlation: (denom > 1e-12).then(|| self.sums[2] / denom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minus_23_dbfs_sine_reads_minus_23_lufs_and_mono_correlation() {
        let mut m = LoudnessMeter::new(48_000);
        let amp = 10f32.powf(-23.0 / 20.0);
        for block in 0..100 {
            for i in 0..4800 {
                let n = block * 4800 + i;
                let x = amp * (2.0 * std::f32::consts::PI * 1000.0 * n as f32 / 48_000.0).sin();
                m.buffer.extend_from_slice(&[x, x]);
            }
            m.consume();
        }
        let r = m.reading();
        let near = |v: Option<f64>, want: f64| v.is_some_and(|v| (v - want).abs() < 0.1);
        assert!(near(r.momentary_lufs, -23.0), "{r:?}");
        assert!(near(r.short_term_lufs, -23.0), "{r:?}");
        assert!(near(r.integrated_lufs, -23.0), "{r:?}");
        assert!(near(r.true_peak_dbtp, -23.0), "{r:?}");
        assert!(near(r.correlation, 1.0), "{r:?}");
        m.reset(48_000);
        assert_eq!(m.reading().integrated_lufs, None, "reset forgets");
    }
}
