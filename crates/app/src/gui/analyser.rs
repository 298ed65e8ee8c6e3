//! The EQ editor's spectrum analyser: what enters (pre) and leaves (post) the EQ whose
//! editor is open, drawn behind its curve. The audio thread only copies the two signals
//! into a lock-free queue ([`stemdesk_engine::EngineHandle::tap_insert`]); the FFTs run
//! here, on the GUI thread, at most once per frame.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use stemdesk_session::{InsertId, StripId};

/// Samples per FFT: 11.7 Hz bins at 48 kHz (enough to tell a low shelf from a bell) and a
/// window of 85 ms (fast enough to follow a performance).
pub const FFT_SIZE: usize = 4096;
/// Time constant of the displayed level (power average), seconds.
const AVERAGE_S: f32 = 0.25;
/// Level shown for silence, dBFS.
pub const FLOOR_DB: f32 = -120.0;

/// One signal's recent samples and its averaged spectrum.
struct Side {
    /// Ring of the last [`FFT_SIZE`] samples.
    recent: Vec<f32>,
    /// Averaged power per bin (amplitude squared of a sine at that bin).
    power: Vec<f32>,
}

impl Side {
    fn new() -> Self {
        Self {
            recent: vec![0.0; FFT_SIZE],
            power: vec![0.0; FFT_SIZE / 2 + 1],
        }
    }
}

/// Which of the two signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tap {
    /// Entering the EQ.
    Pre,
    /// Leaving it.
    Post,
}

/// Spectra of an insert's input and output, from the pairs the engine hands over.
pub struct Analyser {
    /// The insert the spectra belong to.
    target: Option<(StripId, InsertId)>,
    rate_hz: f32,
    pre: Side,
    post: Side,
    /// Write position in the rings.
    pos: usize,
    /// Samples received since the last FFT.
    fresh: usize,
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Pairs drained from the engine this frame (kept to reuse its memory).
    pairs: Vec<f32>,
}

impl std::fmt::Debug for Analyser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyser")
            .field("target", &self.target)
            .field("rate_hz", &self.rate_hz)
            .finish_non_exhaustive()
    }
}

impl Default for Analyser {
    fn default() -> Self {
        Self::new(48_000.0)
    }
}

impl Analyser {
    /// An analyser for signals at `rate_hz`, showing silence.
    pub fn new(rate_hz: f32) -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(FFT_SIZE);
        // Hann window.
        let window = (0..FFT_SIZE)
            .map(|i| {
                let x = std::f32::consts::TAU * i as f32 / FFT_SIZE as f32;
                0.5 - 0.5 * x.cos()
            })
            .collect();
        Self {
            target: None,
            rate_hz,
            pre: Side::new(),
            post: Side::new(),
            pos: 0,
            fresh: 0,
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            window,
            pairs: Vec::new(),
        }
    }

    /// Starts over for `target` at `rate_hz` (silence until its audio arrives); returns
    /// whether anything changed.
    pub fn retarget(&mut self, target: Option<(StripId, InsertId)>, rate_hz: f32) -> bool {
        if self.target == target && self.rate_hz == rate_hz {
            return false;
        }
        *self = Self {
            target,
            ..Self::new(rate_hz)
        };
        true
    }

    /// The buffer the engine's pairs are drained into (see [`Analyser::take_pairs`]).
    pub fn pairs_mut(&mut self) -> &mut Vec<f32> {
        &mut self.pairs
    }

    /// Takes in the drained `(pre, post)` pairs and, when new audio came, updates the
    /// spectra for `dt_s` seconds of display time.
    pub fn take_pairs(&mut self, dt_s: f32) {
        let pairs = std::mem::take(&mut self.pairs);
        self.push(&pairs);
        self.pairs = pairs;
        self.pairs.clear();
        self.update(dt_s);
    }

    /// Adds interleaved `(pre, post)` samples.
    pub fn push(&mut self, pairs: &[f32]) {
        for pair in pairs.chunks_exact(2) {
            self.pre.recent[self.pos] = pair[0];
            self.post.recent[self.pos] = pair[1];
            self.pos = (self.pos + 1) % FFT_SIZE;
        }
        self.fresh += pairs.len() / 2;
    }

    /// Recomputes both spectra from the latest [`FFT_SIZE`] samples, if any arrived since
    /// the last time, averaging over [`AVERAGE_S`] with `dt_s` since then.
    /// Without new audio (stopped), the spectra fall away at the same rate.
    pub fn update(&mut self, dt_s: f32) {
        let blend = 1.0 - (-dt_s.max(0.0) / AVERAGE_S).exp();
        if self.fresh == 0 {
            for side in [&mut self.pre, &mut self.post] {
                side.power.iter_mut().for_each(|p| *p *= 1.0 - blend);
            }
            return;
        }
        self.fresh = 0;
        // A sine of amplitude A reads A at its bin: the window's sum halves the peak.
        let scale = 2.0 / (FFT_SIZE as f32 * 0.5);
        let pos = self.pos;
        for side in [&mut self.pre, &mut self.post] {
            for (i, x) in self.input.iter_mut().enumerate() {
                *x = side.recent[(pos + i) % FFT_SIZE] * self.window[i];
            }
            if self
                .fft
                .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch)
                .is_err()
            {
                return;
            }
            for (p, c) in side.power.iter_mut().zip(&self.output) {
                let now = (c.norm() * scale).powi(2);
                *p += blend * (now - *p);
            }
        }
    }

    /// The level (dBFS of a sine) `tap` shows between `lo_hz` and `hi_hz`: the strongest
    /// bin there, or the nearest bin when the range is narrower than one.
    pub fn level_db(&self, tap: Tap, lo_hz: f32, hi_hz: f32) -> f32 {
        let side = match tap {
            Tap::Pre => &self.pre,
            Tap::Post => &self.post,
        };
        let bin_hz = self.rate_hz / FFT_SIZE as f32;
        let last = side.power.len() - 1;
        let lo = ((lo_hz / bin_hz).round() as usize).min(last);
        let hi = ((hi_hz / bin_hz).round() as usize).clamp(lo, last);
        let p = side.power[lo..=hi].iter().fold(0.0f32, |m, v| m.max(*v));
        if p > 0.0 {
            (10.0 * p.log10()).max(FLOOR_DB)
        } else {
            FLOOR_DB
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq_hz: f32, amp: f32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| amp * (std::f32::consts::TAU * freq_hz * i as f32 / 48_000.0).sin())
            .collect()
    }

    #[test]
    fn a_sine_reads_its_level_at_its_frequency_and_the_eq_shows_between_pre_and_post() {
        let mut a = Analyser::new(48_000.0);
        // Near 1 kHz (on bin 85, so no scalloping; between bins a Hann window reads up
        // to 1.4 dB low): pre at -6 dBFS, post 12 dB lower (what a -12 dB bell does).
        let freq_hz = 85.0 * 48_000.0 / FFT_SIZE as f32;
        let pre = sine(freq_hz, 0.5, 8192);
        let post = sine(freq_hz, 0.5 * 10f32.powf(-12.0 / 20.0), 8192);
        let pairs: Vec<f32> = pre.iter().zip(&post).flat_map(|(a, b)| [*a, *b]).collect();
        a.push(&pairs);
        a.update(10.0);
        let pre_db = a.level_db(Tap::Pre, 950.0, 1050.0);
        let post_db = a.level_db(Tap::Post, 950.0, 1050.0);
        assert!((pre_db - -6.02).abs() < 0.05, "pre {pre_db}");
        assert!((pre_db - post_db - 12.0).abs() < 0.05, "post {post_db}");
        // Far from the tone the window's leakage is more than 90 dB down.
        let far = a.level_db(Tap::Pre, 4000.0, 8000.0);
        assert!(far < pre_db - 90.0, "leakage {far}");
        // Averaged: half a time constant later, a silenced input has not vanished yet.
        a.push(&vec![0.0; 2 * FFT_SIZE]);
        a.update(AVERAGE_S * 0.5);
        let fading = a.level_db(Tap::Pre, 950.0, 1050.0);
        assert!(fading < pre_db && fading > pre_db - 10.0, "{fading}");
        // Nothing new (stopped): it falls away.
        a.update(1.0);
        assert!(a.level_db(Tap::Pre, 950.0, 1050.0) < fading - 10.0);
    }

    #[test]
    fn retargeting_starts_from_silence() {
        let mut a = Analyser::new(48_000.0);
        let pairs: Vec<f32> = sine(440.0, 0.5, 4096)
            .iter()
            .flat_map(|x| [*x, *x])
            .collect();
        a.push(&pairs);
        a.update(1.0);
        assert!(a.level_db(Tap::Post, 400.0, 480.0) > -10.0);
        a.retarget(Some((StripId::Master, InsertId(1))), 48_000.0);
        assert_eq!(a.level_db(Tap::Post, 400.0, 480.0), FLOOR_DB);
    }
}
