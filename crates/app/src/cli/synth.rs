//! A small deterministic synthesiser that writes the example project's stems, so the
//! bundled music is the project's own. Am - F - C - G at 120 BPM, 10 bars.

use std::f32::consts::TAU;

/// Sample rate of the stems.
pub const RATE_HZ: u32 = 48_000;
const BPM: f32 = 120.0;
const BARS: usize = 10;
/// Root MIDI note of each bar's chord: A2, F2, C3, G2 repeating.
const ROOTS: [i32; 4] = [45, 41, 48, 43];
/// Chord intervals (minor for A, major for the rest).
const MINOR: [i32; 3] = [0, 3, 7];
const MAJOR: [i32; 3] = [0, 4, 7];

fn beat_s() -> f32 {
    60.0 / BPM
}

fn bar_s() -> f32 {
    4.0 * beat_s()
}

/// Length of every stem in frames.
pub fn frames() -> usize {
    (BARS as f32 * bar_s() * RATE_HZ as f32) as usize
}

fn midi_hz(note: i32) -> f32 {
    440.0 * 2f32.powf((note - 69) as f32 / 12.0)
}

/// xorshift32: reproducible noise on every platform.
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 as f32 / u32::MAX as f32) * 2.0 - 1.0
    }
}

/// A stem: one channel (mono) or two.
pub struct Stem {
    /// File name without extension.
    pub name: &'static str,
    /// Planar samples.
    pub channels: Vec<Vec<f32>>,
}

/// All four stems.
pub fn stems() -> Vec<Stem> {
    vec![drums(), bass(), chords(), lead()]
}

fn drums() -> Stem {
    let n = frames();
    let mut l = vec![0.0f32; n];
    let mut r = vec![0.0f32; n];
    let mut noise = Noise(0x1234_5678);
    let sr = RATE_HZ as f32;
    let eighth = beat_s() / 2.0;
    let steps = (BARS * 8) as i32;
    for step in 0..steps {
        let t0 = step as f32 * eighth;
        let start = (t0 * sr) as usize;
        let beat_in_bar = step % 8;
        // Kick on 1 and 3 (and a pickup before bar ends); snare on 2 and 4; hats on eighths.
        if beat_in_bar == 0 || beat_in_bar == 4 || beat_in_bar == 7 && step % 16 == 15 {
            let mut phase = 0.0f32;
            for i in 0..(0.35 * sr) as usize {
                let t = i as f32 / sr;
                let f = 45.0 + 110.0 * (-t * 30.0).exp();
                phase += TAU * f / sr;
                let s = phase.sin() * (-t * 9.0).exp() * 0.9;
                add(&mut l, &mut r, start + i, s, 0.0);
            }
        }
        if beat_in_bar == 2 || beat_in_bar == 6 {
            let mut lp = 0.0f32;
            for i in 0..(0.25 * sr) as usize {
                let t = i as f32 / sr;
                let white = noise.next();
                lp += 0.35 * (white - lp);
                let body = (TAU * 185.0 * t).sin() * (-t * 25.0).exp();
                let s = ((white - lp) * 0.55 * (-t * 14.0).exp() + body * 0.4) * 0.8;
                add(&mut l, &mut r, start + i, s, -0.1);
            }
        }
        let open = beat_in_bar == 7;
        let decay = if open { 9.0 } else { 45.0 };
        let mut prev = 0.0f32;
        for i in 0..((if open { 0.3 } else { 0.08 }) * sr) as usize {
            let t = i as f32 / sr;
            let white = noise.next();
            let hp = white - prev;
            prev = white;
            let accent = if beat_in_bar % 2 == 0 { 0.22 } else { 0.14 };
            add(
                &mut l,
                &mut r,
                start + i,
                hp * accent * (-t * decay).exp(),
                0.45,
            );
        }
    }
    Stem {
        name: "drums",
        channels: vec![l, r],
    }
}

/// Adds a mono sample to a stereo pair with constant-power pan.
fn add(l: &mut [f32], r: &mut [f32], i: usize, s: f32, pan: f32) {
    if i < l.len() {
        let theta = (pan + 1.0) * std::f32::consts::FRAC_PI_4;
        l[i] += s * theta.cos();
        r[i] += s * theta.sin();
    }
}

fn chord(bar: usize) -> [i32; 3] {
    let root = ROOTS[bar % 4];
    let shape = if bar.is_multiple_of(4) { MINOR } else { MAJOR };
    [root + shape[0], root + shape[1], root + shape[2]]
}

fn bass() -> Stem {
    let n = frames();
    let sr = RATE_HZ as f32;
    let mut out = vec![0.0f32; n];
    let eighth = beat_s() / 2.0;
    let mut lp = 0.0f32;
    let mut phase = 0.0f32;
    for (i, o) in out.iter_mut().enumerate() {
        let t = i as f32 / sr;
        let bar = (t / bar_s()) as usize;
        let step = (t / eighth) as usize;
        let in_step = t - step as f32 * eighth;
        // Octave jump on the off-beat of beats 2 and 4 for movement.
        let note = ROOTS[bar % 4] - 12 + if step % 4 == 3 { 12 } else { 0 };
        phase = (phase + midi_hz(note) / sr).fract();
        let saw = 2.0 * phase - 1.0;
        let env = (-in_step * 6.0).exp() * (1.0 - (-in_step * 400.0).exp());
        let cutoff = 0.02 + 0.1 * env;
        lp += cutoff * (saw - lp);
        *o = lp * env * 0.8;
    }
    Stem {
        name: "bass",
        channels: vec![out],
    }
}

fn chords() -> Stem {
    let n = frames();
    let sr = RATE_HZ as f32;
    let mut l = vec![0.0f32; n];
    let mut r = vec![0.0f32; n];
    let mut phases = [[0.0f32; 2]; 3];
    let mut lp = [0.0f32; 2];
    for i in 0..n {
        let t = i as f32 / sr;
        let bar = (t / bar_s()) as usize;
        let in_bar = t - bar as f32 * bar_s();
        let env = (1.0 - (-in_bar * 3.0).exp()) * (0.6 + 0.4 * (-in_bar * 0.8).exp());
        let notes = chord(bar);
        let mut s = [0.0f32; 2];
        for (v, note) in notes.iter().enumerate() {
            for (ch, detune) in [0.997f32, 1.003].iter().enumerate() {
                let p = &mut phases[v][ch];
                *p = (*p + midi_hz(note + 12) * detune / sr).fract();
                s[ch] += 2.0 * *p - 1.0;
            }
        }
        for ch in 0..2 {
            lp[ch] += 0.06 * (s[ch] - lp[ch]);
        }
        l[i] = lp[0] * env * 0.22;
        r[i] = lp[1] * env * 0.22;
    }
    Stem {
        name: "chords",
        channels: vec![l, r],
    }
}

fn lead() -> Stem {
    let n = frames();
    let sr = RATE_HZ as f32;
    let mut out = vec![0.0f32; n];
    // A minor pentatonic phrase, one note per quarter beat, from bar 2 on; 0 = rest.
    const PHRASE: [i32; 16] = [76, 0, 74, 72, 69, 72, 74, 0, 76, 79, 76, 74, 72, 0, 69, 0];
    let mut phase = 0.0f32;
    let mut lp = 0.0f32;
    let mut freq = midi_hz(69);
    for (i, o) in out.iter_mut().enumerate() {
        let t = i as f32 / sr;
        if t < 2.0 * bar_s() {
            continue;
        }
        let beat = ((t - 2.0 * bar_s()) / beat_s()) as usize;
        let in_beat = t - 2.0 * bar_s() - beat as f32 * beat_s();
        let note = PHRASE[beat % PHRASE.len()];
        if note == 0 {
            lp *= 0.999;
            *o = lp * 0.3;
            continue;
        }
        // Glide towards the note, with delayed vibrato.
        freq += 0.002 * (midi_hz(note) - freq);
        let vibrato = 1.0 + 0.004 * (TAU * 5.5 * t).sin() * (in_beat * 2.0).min(1.0);
        phase = (phase + freq * vibrato / sr).fract();
        let square = if phase < 0.5 { 1.0 } else { -1.0 };
        let tri = 1.0 - 4.0 * (phase - 0.5).abs();
        lp += 0.12 * (0.4 * square + 0.6 * tri - lp);
        let env = (1.0 - (-in_beat * 60.0).exp()) * (-in_beat * 1.5).exp();
        *o = lp * env * 0.35;
    }
    Stem {
        name: "lead",
        channels: vec![out],
    }
}
