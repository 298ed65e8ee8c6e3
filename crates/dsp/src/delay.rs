//! Stereo feedback delay with filtered repeats and ping-pong.

use crate::params::DelayParams;
use crate::processor::StereoProcessor;
use crate::smoothing::Smoother;
use crate::util::{clamp_sample_rate, flush, sanitize};

/// Longest delay time.
pub const MAX_DELAY_MS: f32 = 4000.0;
/// Delay-time glide: a time change sweeps the read head over this long (a short pitch
/// bend, like a tape delay) instead of jumping (which would click).
pub(crate) const TIME_SMOOTH_MS: f32 = 100.0;
/// Mix and feedback ramp time.
pub(crate) const SMOOTH_MS: f32 = 20.0;
/// At or below this the feedback high-pass is off (bypassed).
pub const LOW_CUT_OFF_HZ: f32 = 20.0;
/// At or above this the feedback low-pass is off (bypassed).
pub const HIGH_CUT_OFF_HZ: f32 = 20_000.0;

/// Tempo a delay assumes until told the session's (the session default).
pub const DEFAULT_TEMPO_BPM: f32 = 120.0;

/// Clamped copy of the parameters: the ranges of [`DelayParams::SPECS`]. The feedback
/// filters themselves stop at 0.45 fs (see `set_params`), whatever the rate.
fn clamp_params(p: &DelayParams, _fs: f32) -> DelayParams {
    p.clamped()
}

/// The delay time `p` asks for: its note length at `tempo_bpm` when synced (within
/// the longest delay), else `time_ms`.
pub fn effective_time_ms(p: &DelayParams, tempo_bpm: f32) -> f32 {
    match p.sync.beats() {
        Some(beats) => {
            let bpm = f64::from(tempo_bpm).clamp(1.0, 10_000.0);
            ((beats * 60_000.0 / bpm) as f32).min(MAX_DELAY_MS)
        }
        None => p.time_ms,
    }
}

/// Delay in samples for `time_ms`, snapped to the integer when within 1e-3 samples so
/// whole-sample times are exact (no interpolation smear).
fn delay_samples(time_ms: f32, fs: f32) -> f32 {
    let d = f64::from(time_ms) * f64::from(fs) * 1e-3;
    let r = d.round();
    let d = if (d - r).abs() < 1e-3 { r } else { d };
    d.max(1.0) as f32
}

/// Per-channel filter state for the repeats: the integrator states of two
/// trapezoidal (TPT) one-poles, a low-pass then a high-pass (`x - lowpass`).
#[derive(Debug, Clone, Copy, Default)]
struct ToneState {
    lp: f32,
    hp: f32,
}

/// Trapezoidal one-pole low-pass step; returns the low-pass output. `g = G/(1+G)` with
/// `G = tan(pi fc / fs)`: the bilinear image of `1 / (1 + s)`, so the response is the
/// analog one with a warped frequency axis (exactly unity at DC, zero at Nyquist).
#[inline(always)]
fn tpt_lowpass(state: &mut f32, g: f32, x: f32) -> f32 {
    let v = (x - *state) * g;
    let y = v + *state;
    *state = flush(y + v);
    y
}

/// The `g` coefficient of [`tpt_lowpass`] for a cutoff.
fn tpt_coef(freq_hz: f32, fs: f32) -> f32 {
    let g = (std::f64::consts::PI * f64::from(freq_hz) / f64::from(fs)).tan();
    (g / (1.0 + g)) as f32
}

/// A stereo delay line.
///
/// Signal flow per channel: `y = tone(read(delay))`, `write(x + feedback * y)`,
/// `out = dry * (1 - mix) + y * mix`. The tone filters (6 dB/oct high-pass at
/// `low_cut_hz`, 6 dB/oct low-pass at `high_cut_hz`) sit in the loop, so every repeat is
/// filtered once more than the previous; 20 Hz / 20 kHz switch them off entirely, which
/// makes echo `n` exactly `feedback^(n-1)` times the first.
///
/// Ping-pong: the input is summed to mono `(L + R) / 2` into the left line; the left
/// line's repeats feed the right line and vice versa, so echoes alternate L, R, L, ...
/// Fractional delays are read through a first-order allpass (Thiran) interpolator: its
/// magnitude is exactly 1 at every frequency, so repeats lose no treble however many
/// times they pass (linear interpolation lost 2 dB at 10 kHz per repeat at half a
/// sample); its delay is exact at low frequencies. Whole-sample delays read exactly one
/// sample.
#[derive(Debug, Clone)]
pub struct Delay {
    sample_rate_hz: f32,
    tempo_bpm: f32,
    /// The settings last applied (kept to re-time a synced delay on a tempo change).
    params: DelayParams,
    buf: [Vec<f32>; 2],
    mask: usize,
    write: usize,
    delay: Smoother,
    feedback: Smoother,
    mix: Smoother,
    ping_pong: bool,
    lp_on: bool,
    lp_coef: f32,
    hp_on: bool,
    hp_coef: f32,
    tone: [ToneState; 2],
    /// The interpolator's last output per channel.
    allpass: [f32; 2],
}

impl Delay {
    /// Creates a delay at `sample_rate_hz`; allocates 4 s of buffer (the only allocation).
    pub fn new(sample_rate_hz: f32, params: &DelayParams) -> Self {
        let fs = clamp_sample_rate(sample_rate_hz);
        let p = clamp_params(params, fs);
        let len = ((MAX_DELAY_MS * 1e-3 * fs) as usize + 4).next_power_of_two();
        let mut d = Self {
            sample_rate_hz: fs,
            tempo_bpm: DEFAULT_TEMPO_BPM,
            params: p,
            buf: [vec![0.0; len], vec![0.0; len]],
            mask: len - 1,
            write: 0,
            delay: Smoother::new(
                fs,
                TIME_SMOOTH_MS,
                delay_samples(effective_time_ms(&p, DEFAULT_TEMPO_BPM), fs),
            ),
            feedback: Smoother::new(fs, SMOOTH_MS, p.feedback),
            mix: Smoother::new(fs, SMOOTH_MS, p.mix),
            ping_pong: p.ping_pong,
            lp_on: false,
            lp_coef: 0.0,
            hp_on: false,
            hp_coef: 0.0,
            tone: [ToneState::default(); 2],
            allpass: [0.0; 2],
        };
        d.set_params(&p);
        d
    }

    /// Applies new settings: time, feedback and mix glide; filters and ping-pong switch
    /// immediately. Never allocates.
    pub fn set_params(&mut self, params: &DelayParams) {
        let fs = self.sample_rate_hz;
        let p = clamp_params(params, fs);
        self.params = p;
        self.delay
            .set_target(delay_samples(effective_time_ms(&p, self.tempo_bpm), fs));
        self.feedback.set_target(p.feedback);
        self.mix.set_target(p.mix);
        self.ping_pong = p.ping_pong;
        self.lp_on = p.high_cut_hz < HIGH_CUT_OFF_HZ;
        self.lp_coef = tpt_coef(p.high_cut_hz.min(0.45 * fs), fs);
        self.hp_on = p.low_cut_hz > LOW_CUT_OFF_HZ;
        self.hp_coef = tpt_coef(p.low_cut_hz.min(0.45 * fs), fs);
    }

    /// The session's tempo, for a synced delay time (glides there like a time change;
    /// `snap` jumps, for a delay just built). Never allocates.
    pub fn set_tempo(&mut self, tempo_bpm: f32, snap: bool) {
        self.tempo_bpm = if tempo_bpm.is_finite() {
            tempo_bpm
        } else {
            DEFAULT_TEMPO_BPM
        };
        let p = self.params;
        self.set_params(&p);
        if snap {
            self.delay.snap();
        }
    }

    /// Reads the line `ch` `d_int + frac` samples behind the write head. A fractional
    /// delay goes through the allpass `y = eta u[n] + u[n-1] - eta y[n-1]` on the line
    /// read `n_int` samples back, with `eta = (1 - delta) / (1 + delta)` and the rest
    /// `delta` kept in 0.5..1.5 (where the allpass rings least).
    #[inline(always)]
    fn read(&mut self, ch: usize, d_int: usize, frac: f32) -> f32 {
        let buf = &self.buf[ch];
        let at = |k: usize| buf[self.write.wrapping_sub(k) & self.mask];
        let y = if frac == 0.0 {
            at(d_int)
        } else {
            let (n_int, delta) = if frac >= 0.5 || d_int < 2 {
                (d_int, frac)
            } else {
                (d_int - 1, frac + 1.0)
            };
            let eta = (1.0 - delta) / (1.0 + delta);
            flush(eta * at(n_int) + at(n_int + 1) - eta * self.allpass[ch])
        };
        self.allpass[ch] = y;
        y
    }

    #[inline(always)]
    fn tone(&mut self, ch: usize, x: f32) -> f32 {
        let st = &mut self.tone[ch];
        let mut y = x;
        if self.lp_on {
            y = tpt_lowpass(&mut st.lp, self.lp_coef, y);
        }
        if self.hp_on {
            y -= tpt_lowpass(&mut st.hp, self.hp_coef, y);
        }
        y
    }
}

impl StereoProcessor for Delay {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (xl, xr) = (sanitize(*l), sanitize(*r));
            let d = self.delay.next();
            let fb = self.feedback.next();
            let mix = self.mix.next();
            let d_int = d as usize;
            let frac = d - d_int as f32;
            let yl = self.read(0, d_int, frac);
            let yr = self.read(1, d_int, frac);
            let yl = self.tone(0, yl);
            let yr = self.tone(1, yr);
            let (wl, wr) = if self.ping_pong {
                (0.5 * (xl + xr) + fb * yr, fb * yl)
            } else {
                (xl + fb * yl, xr + fb * yr)
            };
            let w = self.write;
            self.buf[0][w] = flush(wl);
            self.buf[1][w] = flush(wr);
            self.write = (w + 1) & self.mask;
            let dry = 1.0 - mix;
            *l = xl * dry + yl * mix;
            *r = xr * dry + yr * mix;
        }
    }

    fn reset(&mut self) {
        for b in &mut self.buf {
            b.fill(0.0);
        }
        self.tone = [ToneState::default(); 2];
        self.allpass = [0.0; 2];
        self.delay.snap();
        self.feedback.snap();
        self.mix.snap();
    }
}
