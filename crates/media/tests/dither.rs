//! Dither: a 16-bit bounce keeps signals below one LSB and turns rounding distortion
//! into flat noise; 24-bit and float bounces are not dithered unless asked.
#![allow(missing_docs)]

use std::path::Path;

use stemdesk_media::{Dither, SampleFormat, WavWriter};

const RATE: u32 = 48_000;

fn sine(db: f32, freq_hz: f32, frames: usize) -> Vec<f32> {
    let amp = 10f32.powf(db / 20.0);
    (0..frames)
        .map(|i| amp * (2.0 * std::f32::consts::PI * freq_hz * i as f32 / RATE as f32).sin())
        .collect()
}

/// Writes a mono file and reads it back as floats.
fn round_trip(dir: &Path, signal: &[f32], format: SampleFormat, dither: Dither) -> Vec<f64> {
    let path = dir.join(format!("{format:?}-{dither:?}.wav"));
    let mut w = WavWriter::create(&path, RATE, 1, format)
        .expect("create")
        .with_dither(dither);
    w.write_interleaved(signal).expect("write");
    w.finalize().expect("finalize");
    let mut r = hound::WavReader::open(&path).expect("open");
    let bits = r.spec().bits_per_sample;
    match format {
        SampleFormat::Float32 => r
            .samples::<f32>()
            .map(|s| f64::from(s.expect("sample")))
            .collect(),
        _ => {
            let scale = f64::from(1u32 << (bits - 1));
            r.samples::<i32>()
                .map(|s| f64::from(s.expect("sample")) / scale)
                .collect()
        }
    }
}

/// Amplitude of the `freq_hz` component (Goertzel over the whole signal).
fn amplitude(x: &[f64], freq_hz: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq_hz / f64::from(RATE);
    let (mut re, mut im) = (0.0, 0.0);
    for (n, v) in x.iter().enumerate() {
        re += v * (w * n as f64).cos();
        im -= v * (w * n as f64).sin();
    }
    2.0 * (re * re + im * im).sqrt() / x.len() as f64
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

#[test]
fn a_sine_below_one_lsb_survives_a_dithered_16_bit_bounce() {
    let dir = tempfile::tempdir().expect("tempdir");
    // -100 dBFS is a third of a 16-bit LSB (-96.3 dBFS).
    let signal = sine(-100.0, 1000.0, RATE as usize * 2);
    let plain = round_trip(dir.path(), &signal, SampleFormat::Int16, Dither::Off);
    assert!(
        plain.iter().all(|&s| s == 0.0),
        "without dither it rounds to silence"
    );
    let dithered = round_trip(dir.path(), &signal, SampleFormat::Int16, Dither::Tpdf);
    let tone = db(amplitude(&dithered, 1000.0));
    assert!(
        (tone - -100.0).abs() < 1.5,
        "the tone is there: {tone:.1} dBFS"
    );
    // It stands out of the noise: other bins are far lower.
    let floor: f64 = [731.0, 1313.0, 2477.0, 5119.0, 9001.0]
        .iter()
        .map(|&f| amplitude(&dithered, f))
        .fold(0.0, f64::max);
    assert!(
        tone - db(floor) > 12.0,
        "tone {tone:.1} dB vs noise bins {:.1} dB",
        db(floor)
    );
}

#[test]
fn tpdf_error_is_flat_noise_not_distortion() {
    let dir = tempfile::tempdir().expect("tempdir");
    let signal = sine(-90.0, 1000.0, RATE as usize * 2);
    let lsb = 1.0 / 32768.0;
    let error = |q: &[f64]| -> Vec<f64> {
        q.iter()
            .zip(&signal)
            .map(|(a, b)| a - f64::from(*b))
            .collect()
    };
    let plain = error(&round_trip(
        dir.path(),
        &signal,
        SampleFormat::Int16,
        Dither::Off,
    ));
    let dithered = error(&round_trip(
        dir.path(),
        &signal,
        SampleFormat::Int16,
        Dither::Tpdf,
    ));
    // Without dither the error is a distortion of the signal: strong odd harmonics.
    let harmonic = |e: &[f64]| db(amplitude(e, 3000.0).max(amplitude(e, 5000.0)));
    let noise = |e: &[f64]| {
        let bins = [731.0, 1313.0, 2477.0, 4111.0, 6007.0, 9001.0, 13_007.0];
        db(bins.iter().map(|&f| amplitude(e, f)).sum::<f64>() / bins.len() as f64)
    };
    assert!(
        harmonic(&plain) - noise(&plain) > 20.0,
        "rounding distorts: harmonics {:.1} vs {:.1}",
        harmonic(&plain),
        noise(&plain)
    );
    // With TPDF the harmonics sink into a flat floor.
    assert!(
        harmonic(&dithered) - noise(&dithered) < 10.0,
        "dithered error is flat: harmonics {:.1} vs floor {:.1}",
        harmonic(&dithered),
        noise(&dithered)
    );
    // TPDF ±1 LSB plus rounding: RMS error 0.5 LSB.
    let rms = (dithered.iter().map(|e| e * e).sum::<f64>() / dithered.len() as f64).sqrt();
    assert!(
        (rms / lsb - 0.5).abs() < 0.05,
        "RMS error {:.3} LSB",
        rms / lsb
    );
}

#[test]
fn noise_shaping_moves_the_noise_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let signal = sine(-90.0, 1000.0, RATE as usize);
    let shaped: Vec<f64> = round_trip(dir.path(), &signal, SampleFormat::Int16, Dither::TpdfShaped)
        .iter()
        .zip(&signal)
        .map(|(a, b)| a - f64::from(*b))
        .collect();
    let low = amplitude(&shaped, 500.0) + amplitude(&shaped, 731.0) + amplitude(&shaped, 1313.0);
    let high =
        amplitude(&shaped, 17_001.0) + amplitude(&shaped, 19_003.0) + amplitude(&shaped, 21_011.0);
    assert!(
        db(high) - db(low) > 10.0,
        "shaped noise rises with frequency: low {:.1} high {:.1}",
        db(low),
        db(high)
    );
}

#[test]
fn float_and_undithered_24_bit_are_exact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let signal = sine(-20.0, 440.0, 4800);
    let float = round_trip(dir.path(), &signal, SampleFormat::Float32, Dither::Tpdf);
    assert!(
        float.iter().zip(&signal).all(|(a, b)| *a == f64::from(*b)),
        "float is never dithered: bit-exact"
    );
    let plain24 = round_trip(dir.path(), &signal, SampleFormat::Int24, Dither::Off);
    let lsb = 1.0 / 8_388_608.0;
    assert!(
        plain24
            .iter()
            .zip(&signal)
            .all(|(a, b)| (a - f64::from(*b)).abs() <= 0.5 * lsb + 1e-12),
        "24-bit without dither is rounding only"
    );
}

#[test]
fn the_same_bounce_twice_is_the_same_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let signal = sine(-60.0, 1000.0, 4800);
    let a = round_trip(dir.path(), &signal, SampleFormat::Int16, Dither::Tpdf);
    let b = round_trip(dir.path(), &signal, SampleFormat::Int16, Dither::Tpdf);
    assert_eq!(a, b);
}
