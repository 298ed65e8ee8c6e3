//! A true-peak lookahead limiter for buses.

use crate::params::LimiterParams;
use crate::processor::StereoProcessor;
use crate::smoothing::Smoother;
use crate::util::{clamp_sample_rate, db_to_lin, sanitize};

/// How far ahead the limiter looks: the gain reaches its floor over this long, so a
/// transient is caught without clicking. Fixed, so the latency it adds (and the delay
/// the graph compensates) never changes while playing.
pub const LOOKAHEAD_MS: f32 = 2.0;
/// Input gain and ceiling glide over this long.
pub(crate) const SMOOTH_MS: f32 = 20.0;
/// Samples the detector sees at once: the window of the longer interpolator.
const TAPS: usize = 32;
/// Taps of each phase of BS.1770's interpolator.
const BS1770_TAPS: usize = 12;
/// Phases of the interpolators: the detector sees four points per sample (BS.1770's 4x).
const PHASES: usize = 4;

/// Windowed-sinc interpolator phases at 1/4, 2/4 and 3/4 of a sample, `N` taps each,
/// centred on the gap between taps `N/2 - 1` and `N/2`, with `window(t, half)` at
/// distance `t` from the interpolated point.
fn interpolator<const N: usize>(window: impl Fn(f64, f64) -> f64) -> [[f32; N]; PHASES - 1] {
    let half = N as f64 / 2.0;
    let mut out = [[0.0; N]; PHASES - 1];
    for (p, phase) in out.iter_mut().enumerate() {
        let frac = (p + 1) as f64 / PHASES as f64;
        for (j, c) in phase.iter_mut().enumerate() {
            let t = j as f64 - (half - 1.0) - frac;
            let x = std::f64::consts::PI * t;
            let sinc = if t == 0.0 { 1.0 } else { x.sin() / x };
            *c = (sinc * window(t, half)) as f32;
        }
    }
    out
}

/// ITU-R BS.1770-4's interpolator as libebur128 builds it (a 49-tap Hann-windowed sinc
/// at 4x): the delivery report's true-peak meter.
fn bs1770_interpolator() -> [[f32; BS1770_TAPS]; PHASES - 1] {
    interpolator(|t, half| 0.5 * (1.0 + (std::f64::consts::PI * t / half).cos()))
}

/// A longer Kaiser-windowed interpolator (beta 8), flat to 20 kHz at 44.1 kHz, where
/// BS.1770's short filter reads high frequencies a little low.
fn long_interpolator() -> [[f32; TAPS]; PHASES - 1] {
    let bessel_i0 = |x: f64| {
        let (mut sum, mut term) = (1.0, 1.0);
        for k in 1..32 {
            term *= (x / (2.0 * f64::from(k))).powi(2);
            sum += term;
        }
        sum
    };
    interpolator(|t, half| {
        let r = (t / (half + 0.5)).clamp(-1.0, 1.0);
        bessel_i0(8.0 * (1.0 - r * r).sqrt()) / bessel_i0(8.0)
    })
}

/// A sliding-window minimum over the last `len` values (monotonic queue in a ring): O(1)
/// per value amortised, no allocation after `new`.
#[derive(Debug, Clone)]
struct SlidingMin {
    /// (index, value) pairs with increasing values, oldest first.
    queue: Vec<(u64, f32)>,
    head: usize,
    count: usize,
    len: u64,
    index: u64,
}

impl SlidingMin {
    fn new(len: usize) -> Self {
        Self {
            queue: vec![(0, 1.0); len + 1],
            head: 0,
            count: 0,
            len: len as u64,
            index: 0,
        }
    }

    fn at(&self, k: usize) -> usize {
        (self.head + k) % self.queue.len()
    }

    /// Adds `v`; returns the minimum of the last `len` values added.
    fn push(&mut self, v: f32) -> f32 {
        while self.count > 0 && self.queue[self.at(self.count - 1)].1 >= v {
            self.count -= 1;
        }
        let slot = self.at(self.count);
        self.queue[slot] = (self.index, v);
        self.count += 1;
        while self.queue[self.head].0 + self.len <= self.index {
            self.head = (self.head + 1) % self.queue.len();
            self.count -= 1;
        }
        self.index += 1;
        self.queue[self.head].1
    }

    fn reset(&mut self) {
        self.head = 0;
        self.count = 0;
        self.index = 0;
    }
}

/// A moving average over the last `len` values, starting full of ones.
#[derive(Debug, Clone)]
struct BoxAverage {
    values: Vec<f32>,
    pos: usize,
    /// Exact while the values stay above ~1e-6 (f32 mantissas fit f64's).
    sum: f64,
}

impl BoxAverage {
    fn new(len: usize) -> Self {
        let len = len.max(1);
        Self {
            values: vec![1.0; len],
            pos: 0,
            sum: len as f64,
        }
    }

    fn push(&mut self, v: f32) -> f32 {
        let old = std::mem::replace(&mut self.values[self.pos], v);
        self.pos = (self.pos + 1) % self.values.len();
        self.sum += f64::from(v) - f64::from(old);
        (self.sum / self.values.len() as f64) as f32
    }

    fn reset(&mut self) {
        self.values.fill(1.0);
        self.pos = 0;
        self.sum = self.values.len() as f64;
    }
}

/// Stereo-linked true-peak limiter with lookahead.
///
/// The detector interpolates each gap between samples at three points (4x), with
/// BS.1770's filter (what the true-peak meter reads) and a longer one flat to 20 kHz, and
/// asks, per sample, for the gain that brings the highest of them to the ceiling. That requirement
/// is held (sliding minimum) over the lookahead plus two samples, released with a one-pole
/// of `release_ms` and averaged over the lookahead, so the gain glides down in exactly
/// the lookahead and is at or below every requirement in reach while the delayed audio
/// passes: the output's inter-sample peaks stay at or under the ceiling. The audio is
/// delayed by the lookahead plus half the interpolator ([`Limiter::latency_frames`]);
/// the graph delays everything else by as much.
#[derive(Debug, Clone)]
pub struct Limiter {
    sample_rate_hz: f32,
    gain: Smoother,
    ceiling: Smoother,
    release_coef: f32,
    bs1770: [[f32; BS1770_TAPS]; PHASES - 1],
    long: [[f32; TAPS]; PHASES - 1],
    /// The last `TAPS` input samples per channel (after the input gain), twice over so a
    /// window is always contiguous.
    history: [[f32; 2 * TAPS]; 2],
    pos: usize,
    hold: SlidingMin,
    envelope: f32,
    /// Two moving averages in cascade over the envelope: a triangular window spanning
    /// the lookahead, so the gain's corners are rounded (a single box leaves kinks whose
    /// spectrum, mixed with the audio near Nyquist, overshoots the ceiling between samples).
    smooth: [BoxAverage; 2],
    /// The audio delay line per channel.
    delay: [Vec<f32>; 2],
    delay_pos: usize,
    /// Latest gain applied, for the meter.
    last_gain: f32,
}

impl Limiter {
    /// Creates the limiter at `sample_rate_hz`; allocates its delay lines (the only
    /// allocation).
    pub fn new(sample_rate_hz: f32, params: &LimiterParams) -> Self {
        let fs = clamp_sample_rate(sample_rate_hz);
        let p = params.clamped();
        let lookahead = lookahead_frames(fs);
        let latency = lookahead + TAPS / 2;
        let mut l = Self {
            sample_rate_hz: fs,
            gain: Smoother::new(fs, SMOOTH_MS, db_to_lin(p.gain_db)),
            ceiling: Smoother::new(fs, SMOOTH_MS, db_to_lin(p.ceiling_db)),
            release_coef: 0.0,
            bs1770: bs1770_interpolator(),
            long: long_interpolator(),
            history: [[0.0; 2 * TAPS]; 2],
            pos: 0,
            hold: SlidingMin::new(lookahead + 2),
            envelope: 1.0,
            smooth: [
                BoxAverage::new(lookahead / 2 + 1),
                BoxAverage::new(lookahead - lookahead / 2),
            ],
            delay: [vec![0.0; latency], vec![0.0; latency]],
            delay_pos: 0,
            last_gain: 1.0,
        };
        l.set_params(&p);
        l
    }

    /// Applies new settings (input gain and ceiling glide, release at once). Never
    /// allocates.
    pub fn set_params(&mut self, params: &LimiterParams) {
        let p = params.clamped();
        self.gain.set_target(db_to_lin(p.gain_db));
        self.ceiling.set_target(db_to_lin(p.ceiling_db));
        self.release_coef = crate::util::one_pole_coef(p.release_ms, self.sample_rate_hz);
    }

    /// Bypassed: the audio only goes through the delay line (the detector rests).
    pub fn process_bypassed(&mut self, left: &mut [f32], right: &mut [f32]) {
        let len = self.delay[0].len();
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let d = self.delay_pos;
            *l = std::mem::replace(&mut self.delay[0][d], sanitize(*l));
            *r = std::mem::replace(&mut self.delay[1][d], sanitize(*r));
            self.delay_pos = (d + 1) % len;
        }
        self.last_gain = 1.0;
    }

    /// Frames the output lags the input by.
    pub fn latency_frames(&self) -> usize {
        self.delay[0].len()
    }

    /// The gain reduction being applied now, in dB (positive).
    pub fn gain_reduction_db(&self) -> f32 {
        -20.0 * self.last_gain.max(1e-6).log10()
    }

    /// Highest |value| among the sample at the gap's left edge and the points both
    /// interpolators find in the gap, over both channels, for the window ending now.
    #[inline]
    fn gap_peak(&self) -> f32 {
        let mut peak = 0.0f32;
        let short = TAPS / 2 - BS1770_TAPS / 2;
        for h in &self.history {
            // Window of the last TAPS samples, oldest first.
            let w = &h[self.pos..self.pos + TAPS];
            peak = peak.max(w[TAPS / 2 - 1].abs());
            for (long, bs) in self.long.iter().zip(&self.bs1770) {
                let a: f32 = w.iter().zip(long).map(|(x, c)| x * c).sum();
                let b: f32 = w[short..short + BS1770_TAPS]
                    .iter()
                    .zip(bs)
                    .map(|(x, c)| x * c)
                    .sum();
                peak = peak.max(a.abs()).max(b.abs());
            }
        }
        peak
    }
}

/// Frames a limiter at `fs` delays the audio by.
pub(crate) fn latency_at(fs: f32) -> usize {
    lookahead_frames(clamp_sample_rate(fs)) + TAPS / 2
}

/// The lookahead in frames at `fs`.
fn lookahead_frames(fs: f32) -> usize {
    ((LOOKAHEAD_MS * 1e-3 * fs).round() as usize).max(1)
}

impl StereoProcessor for Limiter {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let g_in = self.gain.next();
            let ceiling = self.ceiling.next();
            let x = [sanitize(*l) * g_in, sanitize(*r) * g_in];
            for (h, &v) in self.history.iter_mut().zip(&x) {
                h[self.pos] = v;
                h[self.pos + TAPS] = v;
            }
            self.pos = (self.pos + 1) % TAPS;
            // The gap between the samples TAPS/2 and TAPS/2 - 1 frames ago.
            let peak = self.gap_peak();
            let required = if peak > ceiling { ceiling / peak } else { 1.0 };
            let held = self.hold.push(required);
            self.envelope = if held < self.envelope {
                held
            } else {
                held + self.release_coef * (self.envelope - held)
            };
            let [a, b] = &mut self.smooth;
            let g = b.push(a.push(self.envelope)).min(1.0);
            self.last_gain = g;
            let d = self.delay_pos;
            let (dl, dr) = (self.delay[0][d], self.delay[1][d]);
            self.delay[0][d] = x[0];
            self.delay[1][d] = x[1];
            self.delay_pos = (d + 1) % self.delay[0].len();
            *l = dl * g;
            *r = dr * g;
        }
    }

    fn reset(&mut self) {
        self.history = [[0.0; 2 * TAPS]; 2];
        self.pos = 0;
        self.hold.reset();
        self.envelope = 1.0;
        for s in &mut self.smooth {
            s.reset();
        }
        for d in &mut self.delay {
            d.fill(0.0);
        }
        self.delay_pos = 0;
        self.last_gain = 1.0;
        self.gain.snap();
        self.ceiling.snap();
    }
}
