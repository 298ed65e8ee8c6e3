//! Algorithmic stereo reverb: an 8-line feedback delay network (FDN).
//!
//! Signal flow: mono sum -> DC blocker -> pre-delay -> 4 series Schroeder allpass
//! diffusers -> (straight to the outputs as the early part, so the wet sound starts at
//! the pre-delay) -> FDN (8 delay lines with mutually prime lengths, per-line RT60 gain and
//! one-pole damping, orthogonal feedback matrix: slowly turning rotations, then Hadamard) -> two orthogonal output tap
//! patterns (decorrelated L/R) -> DC blockers -> mid/side width -> wet/dry mix.
//! (The input DC blocker keeps DC out of the loop; the output ones remove the near-DC
//! energy that a very long decay keeps circulating after a step.)
//!
//! Because the feedback matrix is orthogonal (lossless), the decay is set entirely by
//! the per-line gains `g = 10^(-3 len / (rt60 fs))`: every line loses 60 dB per
//! `decay_s` seconds whatever its length, so the network's RT60 equals `decay_s`.
//! Damping puts a one-pole low-pass in each line (Jot's absorptive filter, unity gain at
//! DC) whose pole is solved exactly so that the line loses `60 / ratio` dB per `decay_s`
//! at Nyquist: the RT60 is `decay_s` at low frequencies and `ratio * decay_s` at Nyquist,
//! `ratio = 1 - 0.85 * damping` (0.15 at damping 1), and in between what the first-order
//! filter gives ([`designed_rt60_s`]). (Jot's small-pole approximation of that pole went
//! past its valid range above damping 0.7 and was clamped, which damped the whole
//! spectrum.)

use std::f64::consts::TAU;

use crate::params::ReverbParams;
use crate::processor::StereoProcessor;
use crate::smoothing::Smoother;
use crate::util::{DENORMAL_FLOOR, clamp_sample_rate, flush, sanitize};
use wide::f32x4;

const LINES: usize = 8;
/// FDN line lengths in ms at `size = 1` (rounded to distinct primes in samples).
const LINE_MS: [f32; LINES] = [29.9, 37.3, 41.9, 47.3, 53.1, 61.7, 71.3, 79.9];
/// Line length scale at `size = 0` (linear up to 1 at `size = 1`).
const MIN_SIZE_SCALE: f32 = 0.25;
/// Input diffuser allpass lengths in ms.
const DIFFUSER_MS: [f32; 4] = [4.77, 3.59, 12.73, 9.31];
/// Input diffuser allpass gain.
const DIFFUSER_GAIN: f32 = 0.65;
/// Input injection signs per line (scaled by [`INPUT_GAIN`]).
const INPUT_SIGNS: [f32; LINES] = [1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0];
/// Left / right output tap signs: orthogonal patterns, so the two outputs are
/// decorrelated mixtures of the lines.
const LEFT_SIGNS: [f32; LINES] = [1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0];
const RIGHT_SIGNS: [f32; LINES] = [1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0, -1.0];
const INPUT_GAIN: f32 = 0.5;
/// Level of the early part (the diffused input sent straight to the outputs), like a
/// line's first arrival.
const EARLY_GAIN: f32 = 0.5;
const OUTPUT_GAIN: f32 = 0.3;
/// Rates of the four rotations that turn the feedback matrix (Hz): slow, incommensurate.
/// A fixed matrix sends what the outputs heard back along the same paths every pass, so the
/// tail repeats at the line lengths (autocorrelation 0.3 at a line's length: a metallic
/// flutter). A slowly turning orthogonal matrix (Schlecht & Habets, "Time-varying feedback
/// matrices in feedback delay networks", 2015) stays lossless, so the decay is unchanged,
/// while those paths change sign and average out; the modes spread by only these few hertz.
const ROTATION_HZ: [f64; LINES / 2] = [1.71, 2.13, 2.37, 2.79];
/// The rotation oscillators are renormalised every this many samples (a sample count, not
/// a block boundary, so any split of the input gives the same output).
const RENORM_PERIOD: u32 = 1024;
/// Pre-delay limit.
pub const MAX_PREDELAY_MS: f32 = 500.0;
/// Input DC blocker corner.
const DC_BLOCK_HZ: f32 = 5.0;
/// Output DC blocker corner: higher than the input's, because the turning matrix moves
/// what little near-DC energy circulates (a long decay after a step) up to a few hertz.
const DC_BLOCK_OUT_HZ: f32 = 12.0;
/// Mix / width ramp time.
pub(crate) const SMOOTH_MS: f32 = 20.0;
/// HF-to-LF RT60 ratio at `damping = 1`.
const MAX_DAMPING_RATIO: f32 = 0.15;

/// Clamped copy of the parameters: the ranges of [`ReverbParams::SPECS`].
fn clamp_params(p: &ReverbParams) -> ReverbParams {
    p.clamped()
}

fn is_prime(n: usize) -> bool {
    if n < 2 {
        return false;
    }
    let mut d = 2;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 1;
    }
    true
}

/// Smallest prime `>= n`.
fn prime_at_least(mut n: usize) -> usize {
    while !is_prime(n) {
        n += 1;
    }
    n
}

/// Schroeder allpass diffuser with a fixed length.
#[derive(Debug, Clone)]
struct Allpass {
    buf: Vec<f32>,
    idx: usize,
}

impl Allpass {
    fn new(len: usize) -> Self {
        Self {
            buf: vec![0.0; len.max(1)],
            idx: 0,
        }
    }

    #[inline(always)]
    fn tick(&mut self, x: f32) -> f32 {
        let d = self.buf[self.idx];
        let v = x + DIFFUSER_GAIN * d;
        let y = d - DIFFUSER_GAIN * v;
        self.buf[self.idx] = flush(v);
        self.idx += 1;
        if self.idx == self.buf.len() {
            self.idx = 0;
        }
        y
    }
}

/// The unscaled 8-point Hadamard transform (fast Walsh-Hadamard) of `x` given as its even
/// elements `e` (0, 2, 4, 6) and odd ones `o` (1, 3, 5, 7), returned the same way.
#[inline(always)]
fn hadamard8(e: f32x4, o: f32x4) -> [f32x4; 2] {
    // Pairs (j, j + 1): an even element and the odd one after it.
    let (e, o) = (e + o, e - o);
    // Pairs (j, j + 2): neighbouring lanes of each quad; then (j, j + 4): its halves.
    let butterfly = |x: f32x4, lo: [usize; 4], hi: [usize; 4], sign: [f32; 4]| {
        let a = x.to_array();
        f32x4::from(lo.map(|i| a[i])) + f32x4::from(hi.map(|i| a[i])) * f32x4::from(sign)
    };
    let pairs2 = |x| butterfly(x, [0, 0, 2, 2], [1, 1, 3, 3], [1.0, -1.0, 1.0, -1.0]);
    let pairs4 = |x| butterfly(x, [0, 1, 0, 1], [2, 3, 2, 3], [1.0, 1.0, -1.0, -1.0]);
    [pairs4(pairs2(e)), pairs4(pairs2(o))]
}

/// [`flush`] on four values.
#[inline(always)]
fn flush4(x: f32x4) -> f32x4 {
    x.abs()
        .simd_lt(f32x4::splat(DENORMAL_FLOOR))
        .select(f32x4::ZERO, x)
}

/// The rotations' cosines and sines brought back to unit length (their recurrence drifts).
fn renormalised(cos: f32x4, sin: f32x4) -> (f32x4, f32x4) {
    let (mut c, mut s) = (cos.to_array(), sin.to_array());
    for k in 0..LINES / 2 {
        let norm = c[k].hypot(s[k]);
        c[k] /= norm;
        s[k] /= norm;
    }
    (f32x4::from(c), f32x4::from(s))
}

/// A stereo FDN reverb. All memory is allocated in [`Reverb::new`] for the largest
/// size and pre-delay, so [`Reverb::set_params`] never allocates.
///
/// Size and pre-delay changes take effect immediately (line lengths jump; this is not
/// meant to be automated smoothly); decay and damping change the loop gains at once
/// (no click: only the tail's decay rate changes); mix and width are ramped.
#[derive(Debug, Clone)]
pub struct Reverb {
    sample_rate_hz: f32,
    lines: [Vec<f32>; LINES],
    line_mask: usize,
    line_len: [usize; LINES],
    line_gain: [f32; LINES],
    damp_pole: [f32; LINES],
    damp_state: [f32; LINES],
    write: usize,
    pre_buf: Vec<f32>,
    pre_mask: usize,
    pre_write: usize,
    predelay: usize,
    diffusers: [Allpass; 4],
    dc_coef: f32,
    dc_out_coef: f32,
    dc_x1: f32,
    dc_y1: f32,
    /// Output DC blockers `[x1, y1]` for the left and right wet signals.
    dc_out: [[f32; 2]; 2],
    width: Smoother,
    mix: Smoother,
    /// Cosine and sine of each rotation's angle, advanced by the `rot_step_*` angle per
    /// sample.
    rot_cos: [f32; LINES / 2],
    rot_sin: [f32; LINES / 2],
    rot_step_cos: [f32; LINES / 2],
    rot_step_sin: [f32; LINES / 2],
    rot_count: u32,
}

impl Reverb {
    /// Creates a reverb at `sample_rate_hz`, allocating all buffers.
    pub fn new(sample_rate_hz: f32, params: &ReverbParams) -> Self {
        let fs = clamp_sample_rate(sample_rate_hz);
        let p = clamp_params(params);
        let max_line = LINE_MS[LINES - 1] * 1e-3 * fs;
        // Room for prime rounding (prime gaps here are far below 1000).
        let line_size = (max_line as usize + 1024).next_power_of_two();
        let pre_size = ((MAX_PREDELAY_MS * 1e-3 * fs) as usize + 2).next_power_of_two();
        let diffusers = DIFFUSER_MS.map(|ms| Allpass::new((ms * 1e-3 * fs).round() as usize));
        let mut r = Self {
            sample_rate_hz: fs,
            lines: std::array::from_fn(|_| vec![0.0; line_size]),
            line_mask: line_size - 1,
            line_len: [1; LINES],
            line_gain: [0.0; LINES],
            damp_pole: [0.0; LINES],
            damp_state: [0.0; LINES],
            write: 0,
            pre_buf: vec![0.0; pre_size],
            pre_mask: pre_size - 1,
            pre_write: 0,
            predelay: 0,
            diffusers,
            dc_coef: 1.0 - (2.0 * std::f32::consts::PI * DC_BLOCK_HZ / fs),
            dc_out_coef: 1.0 - (2.0 * std::f32::consts::PI * DC_BLOCK_OUT_HZ / fs),
            dc_x1: 0.0,
            dc_y1: 0.0,
            dc_out: [[0.0; 2]; 2],
            width: Smoother::new(fs, SMOOTH_MS, p.width),
            mix: Smoother::new(fs, SMOOTH_MS, p.mix),
            rot_cos: [1.0; LINES / 2],
            rot_sin: [0.0; LINES / 2],
            rot_step_cos: ROTATION_HZ.map(|hz| (TAU * hz / f64::from(fs)).cos() as f32),
            rot_step_sin: ROTATION_HZ.map(|hz| (TAU * hz / f64::from(fs)).sin() as f32),
            rot_count: 0,
        };
        r.set_params(&p);
        r
    }

    /// Applies new settings; never allocates.
    pub fn set_params(&mut self, params: &ReverbParams) {
        let p = clamp_params(params);
        let fs = f64::from(self.sample_rate_hz);
        let lens = line_lengths(self.sample_rate_hz, p.size, self.line_mask);
        for (i, &len) in lens.iter().enumerate() {
            self.line_len[i] = len;
            let (gain, pole) = line_design(len, fs, &p);
            self.line_gain[i] = gain as f32;
            self.damp_pole[i] = pole as f32;
        }
        self.predelay =
            ((f64::from(p.predelay_ms) * 1e-3 * fs).round() as usize).min(self.pre_mask);
        self.width.set_target(p.width);
        self.mix.set_target(p.mix);
    }
}

/// The FDN line lengths (distinct primes, increasing) at `size`, at most `max`.
fn line_lengths(sample_rate_hz: f32, size: f32, max: usize) -> [usize; LINES] {
    let fs = f64::from(sample_rate_hz);
    let scale = f64::from(MIN_SIZE_SCALE + (1.0 - MIN_SIZE_SCALE) * size);
    let mut prev = 1;
    LINE_MS.map(|line_ms| {
        let want = (f64::from(line_ms) * 1e-3 * fs * scale).round() as usize;
        let len = prime_at_least(want.max(prev + 1)).min(max);
        prev = len;
        len
    })
}

/// HF/LF decay ratio at `damping`.
fn damping_ratio(damping: f32) -> f64 {
    f64::from(1.0 - (1.0 - MAX_DAMPING_RATIO) * damping)
}

/// A line's loop gain `g` and damping pole `p`: the line filter `g (1 - p) / (1 - p z^-1)`
/// loses `60 len / (decay fs)` dB per pass at DC and that divided by the damping ratio at
/// Nyquist, where its gain is `g (1 - p) / (1 + p)`.
fn line_design(len: usize, fs: f64, p: &ReverbParams) -> (f64, f64) {
    let gain_db = -60.0 * len as f64 / (f64::from(p.decay_s) * fs);
    let g = 10f64.powf(gain_db / 20.0);
    let ratio = damping_ratio(p.damping);
    // (1 - p) / (1 + p) = r, the extra loss at Nyquist.
    let r = 10f64.powf((gain_db / ratio - gain_db) / 20.0);
    (g, ((1.0 - r) / (1.0 + r)).clamp(0.0, 0.999_999))
}

/// The RT60 the reverb is designed to have at `freq_hz`, seconds: `decay_s` at low
/// frequencies, `ratio * decay_s` at Nyquist (see the module docs), from the lines' filters
/// (the lines share their energy, so the network decays at their mean rate).
pub fn designed_rt60_s(sample_rate_hz: f32, params: &ReverbParams, freq_hz: f32) -> f64 {
    let p = clamp_params(params);
    let fs = f64::from(clamp_sample_rate(sample_rate_hz));
    let w = std::f64::consts::TAU * f64::from(freq_hz) / fs;
    let lens = line_lengths(fs as f32, p.size, usize::MAX);
    let rate_db_per_sample = lens
        .iter()
        .map(|&len| {
            let (g, pole) = line_design(len, fs, &p);
            // |g (1 - p) / (1 - p e^-jw)|
            let den = (1.0 - 2.0 * pole * w.cos() + pole * pole).sqrt();
            -20.0 * (g * (1.0 - pole) / den).log10() / len as f64
        })
        .sum::<f64>()
        / LINES as f64;
    60.0 / (rate_db_per_sample * fs)
}

impl Reverb {
    #[inline(always)]
    fn dc_block_out(&mut self, ch: usize, x: f32) -> f32 {
        let [x1, y1] = self.dc_out[ch];
        let y = flush(x - x1 + self.dc_out_coef * y1);
        self.dc_out[ch] = [x, y];
        y
    }
}

impl StereoProcessor for Reverb {
    /// The FDN's eight lines ride in SIMD lanes, kept as two quads: the even lines
    /// (0, 2, 4, 6) and the odd ones (1, 3, 5, 7). The rotations turn pairs (2k, 2k + 1),
    /// lane k of each quad, and the Hadamard's butterflies are lane-wise sums and
    /// differences of the quads and of their halves. Every line sees the same operations
    /// in the same order as written line by line, and the output taps are summed in the
    /// same order, so the output is bit for bit the same.
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let mask = self.line_mask;
        let evens = |a: &[f32; LINES]| f32x4::from([a[0], a[2], a[4], a[6]]);
        let odds = |a: &[f32; LINES]| f32x4::from([a[1], a[3], a[5], a[7]]);
        let one = f32x4::splat(1.0);
        // Loop gain times (1 - pole), as the per-line expression `g * (1 - p) * out`.
        let (pole_e, pole_o) = (evens(&self.damp_pole), odds(&self.damp_pole));
        let (gain_e, gain_o) = (
            evens(&self.line_gain) * (one - pole_e),
            odds(&self.line_gain) * (one - pole_o),
        );
        let inject = INPUT_SIGNS.map(|s| s * INPUT_GAIN);
        let (inject_e, inject_o) = (evens(&inject), odds(&inject));
        let (mut state_e, mut state_o) = (evens(&self.damp_state), odds(&self.damp_state));
        let mut rot_cos = f32x4::from(self.rot_cos);
        let mut rot_sin = f32x4::from(self.rot_sin);
        let (step_cos, step_sin) = (
            f32x4::from(self.rot_step_cos),
            f32x4::from(self.rot_step_sin),
        );
        let scale = f32x4::splat(1.0 / (LINES as f32).sqrt());
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (xl, xr) = (sanitize(*l), sanitize(*r));
            // DC blocker on the mono input.
            let x = 0.5 * (xl + xr);
            let y = x - self.dc_x1 + self.dc_coef * self.dc_y1;
            self.dc_x1 = x;
            self.dc_y1 = flush(y);
            // Pre-delay (write then read, so 0 samples is a pass-through).
            self.pre_buf[self.pre_write] = self.dc_y1;
            let mut v = self.pre_buf[self.pre_write.wrapping_sub(self.predelay) & self.pre_mask];
            self.pre_write = (self.pre_write + 1) & self.pre_mask;
            // The early part: the diffused input reaches the outputs at once (left after
            // all four diffusers, right after three: decorrelated), so the wet sound starts
            // at the pre-delay rather than after the shortest line (7.5-30 ms by size).
            let mut v3 = v;
            for (k, ap) in self.diffusers.iter_mut().enumerate() {
                v = ap.tick(v);
                if k == 2 {
                    v3 = v;
                }
            }
            // FDN: read, absorb (gain + damping), tap outputs, mix, write back.
            let w = self.write;
            let out: [f32; LINES] =
                std::array::from_fn(|i| self.lines[i][w.wrapping_sub(self.line_len[i]) & mask]);
            let d_e = gain_e * evens(&out) + pole_e * state_e;
            let d_o = gain_o * odds(&out) + pole_o * state_o;
            (state_e, state_o) = (flush4(d_e), flush4(d_o));
            let (de, dodd) = (d_e.to_array(), d_o.to_array());
            let (mut wl, mut wr) = (0.0f32, 0.0f32);
            for i in 0..LINES {
                let d = if i % 2 == 0 { de[i / 2] } else { dodd[i / 2] };
                wl += LEFT_SIGNS[i] * d;
                wr += RIGHT_SIGNS[i] * d;
            }
            wl += EARLY_GAIN * v;
            wr += EARLY_GAIN * v3;
            // Turn pairs (2k, 2k + 1) and advance the rotations.
            let e = rot_cos * d_e - rot_sin * d_o;
            let o = rot_sin * d_e + rot_cos * d_o;
            (rot_cos, rot_sin) = (
                rot_cos * step_cos - rot_sin * step_sin,
                rot_cos * step_sin + rot_sin * step_cos,
            );
            self.rot_count += 1;
            if self.rot_count == RENORM_PERIOD {
                self.rot_count = 0;
                (rot_cos, rot_sin) = renormalised(rot_cos, rot_sin);
            }
            let [e, o] = hadamard8(e, o);
            let (e, o) = (e * scale, o * scale);
            let v4 = f32x4::splat(v);
            let (e, o) = (
                flush4(e + inject_e * v4).to_array(),
                flush4(o + inject_o * v4).to_array(),
            );
            for k in 0..LINES / 2 {
                self.lines[2 * k][w] = e[k];
                self.lines[2 * k + 1][w] = o[k];
            }
            self.write = (w + 1) & mask;
            let wl = self.dc_block_out(0, wl);
            let wr = self.dc_block_out(1, wr);
            // Width (mid/side) and mix.
            let width = self.width.next();
            let mix = self.mix.next();
            let mid = 0.5 * (wl + wr) * OUTPUT_GAIN;
            let side = 0.5 * (wl - wr) * OUTPUT_GAIN * width;
            let dry = 1.0 - mix;
            *l = xl * dry + (mid + side) * mix;
            *r = xr * dry + (mid - side) * mix;
        }
        let (de, dodd) = (state_e.to_array(), state_o.to_array());
        for k in 0..LINES / 2 {
            self.damp_state[2 * k] = de[k];
            self.damp_state[2 * k + 1] = dodd[k];
        }
        self.rot_cos = rot_cos.to_array();
        self.rot_sin = rot_sin.to_array();
    }

    fn reset(&mut self) {
        for line in &mut self.lines {
            line.fill(0.0);
        }
        self.damp_state = [0.0; LINES];
        self.pre_buf.fill(0.0);
        for ap in &mut self.diffusers {
            ap.buf.fill(0.0);
        }
        self.dc_x1 = 0.0;
        self.dc_y1 = 0.0;
        self.dc_out = [[0.0; 2]; 2];
        self.width.snap();
        self.mix.snap();
        self.rot_cos = [1.0; LINES / 2];
        self.rot_sin = [0.0; LINES / 2];
        self.rot_count = 0;
    }
}
