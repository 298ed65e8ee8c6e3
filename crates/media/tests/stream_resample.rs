//! Streaming sample-rate conversion for bounces: exact length, timing kept, flat passband,
//! no images or aliases above -100 dB.
#![allow(missing_docs)]

use stemdesk_media::StreamResampler;

fn sine(freq_hz: f64, rate: u32, frames: usize, amp: f64) -> Vec<f32> {
    (0..frames)
        .flat_map(|i| {
            let v = (amp
                * (2.0 * std::f64::consts::PI * freq_hz * i as f64 / f64::from(rate)).sin())
                as f32;
            [v, v]
        })
        .collect()
}

/// Converts in awkward block sizes, as a bounce hands them over.
fn convert(input: &[f32], from: u32, to: u32) -> Vec<f32> {
    let mut r = StreamResampler::new(from, to).expect("resampler");
    let mut out = Vec::new();
    for block in input.chunks(2 * 777) {
        r.push(block, &mut out).expect("push");
    }
    r.finish(&mut out).expect("finish");
    out
}

/// Amplitude at `freq_hz` of the left channel (Goertzel over the middle, windowed by
/// skipping the edges).
fn amplitude(x: &[f32], rate: u32, freq_hz: f64) -> f64 {
    let left: Vec<f64> = x.iter().step_by(2).map(|v| f64::from(*v)).collect();
    let n0 = left.len() / 4;
    let n1 = 3 * left.len() / 4;
    let w = 2.0 * std::f64::consts::PI * freq_hz / f64::from(rate);
    let (mut re, mut im) = (0.0, 0.0);
    // Hann window to keep the leakage of a strong tone far below -100 dB elsewhere.
    let len = (n1 - n0) as f64;
    for (k, n) in (n0..n1).enumerate() {
        let h = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * k as f64 / len).cos();
        re += h * left[n] * (w * n as f64).cos();
        im -= h * left[n] * (w * n as f64).sin();
    }
    4.0 * (re * re + im * im).sqrt() / len
}

fn db(x: f64) -> f64 {
    20.0 * x.max(1e-12).log10()
}

#[test]
fn the_length_is_exact_and_an_impulse_stays_in_place() {
    for (from, to) in [
        (48_000, 44_100),
        (44_100, 48_000),
        (48_000, 96_000),
        (96_000, 88_200),
    ] {
        let frames = from as usize;
        let mut x = vec![0.0f32; 2 * frames];
        x[2 * (frames / 2)] = 1.0;
        x[2 * (frames / 2) + 1] = 1.0;
        let y = convert(&x, from, to);
        assert_eq!(
            y.len() / 2,
            to as usize,
            "{from} -> {to}: one second in, one out"
        );
        let peak = y
            .iter()
            .step_by(2)
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .map(|(i, _)| i)
            .expect("peak");
        let want = to as usize / 2;
        assert!(
            peak.abs_diff(want) <= 1,
            "{from} -> {to}: impulse at {peak}, want {want}"
        );
    }
}

#[test]
fn the_passband_is_flat_to_20_khz_going_to_44_1() {
    let (from, to) = (48_000, 44_100);
    for f in [100.0, 1000.0, 10_000.0, 18_000.0, 20_000.0] {
        let y = convert(&sine(f, from, from as usize, 0.5), from, to);
        let gain = db(amplitude(&y, to, f) / 0.5);
        assert!(gain.abs() < 0.1, "{f} Hz: {gain:.3} dB");
    }
}

#[test]
fn no_alias_or_image_above_minus_100_db() {
    // Down: a 23 kHz tone cannot exist at 44.1 kHz; its alias (21.1 kHz) must stay buried.
    let y = convert(&sine(23_000.0, 48_000, 48_000, 0.5), 48_000, 44_100);
    let alias = db(amplitude(&y, 44_100, 21_100.0) / 0.5);
    assert!(alias < -100.0, "alias at 21.1 kHz: {alias:.1} dB");
    // Up: a 10 kHz tone at 44.1 kHz converted to 96 kHz has no image at 34.1 kHz.
    let y = convert(&sine(10_000.0, 44_100, 44_100, 0.5), 44_100, 96_000);
    let image = db(amplitude(&y, 96_000, 34_100.0) / 0.5);
    assert!(image < -100.0, "image at 34.1 kHz: {image:.1} dB");
    let tone = db(amplitude(&y, 96_000, 10_000.0) / 0.5);
    assert!(tone.abs() < 0.1, "the tone itself: {tone:.3} dB");
}
