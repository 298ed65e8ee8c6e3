//! The limiter measured: its output's true peak (4x interpolated, by a long independent
//! interpolator and by libebur128's meter) never exceeds the ceiling; below the ceiling it
//! is a pure delay of `latency_frames`; the gain falls over exactly the lookahead and
//! recovers with the release time.

mod common;

use stemdesk_dsp::{Limiter, LimiterParams, StereoProcessor};

const FS: f32 = 48_000.0;

fn params(gain_db: f32, ceiling_db: f32, release_ms: f32) -> LimiterParams {
    LimiterParams {
        gain_db,
        ceiling_db,
        release_ms,
    }
}

/// A mix that makes inter-sample peaks: a sine at a quarter of the rate at 45 degrees
/// (samples at 0.71 of its true peak), loud noise with sharp transients, and a 17 kHz tone.
fn hard_programme(frames: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = common::programme(frames, 5);
    for i in 0..frames {
        let t = i as f64;
        let quarter = (std::f64::consts::FRAC_PI_2 * t + std::f64::consts::FRAC_PI_4).sin();
        let high = (2.0 * std::f64::consts::PI * 17_000.0 * t / f64::from(FS)).sin();
        let section = (i / 12_000) % 3;
        let add = match section {
            0 => 0.8 * quarter,
            1 => 0.6 * high,
            _ => 0.0,
        };
        l[i] += add as f32;
        r[i] -= 0.5 * add as f32;
    }
    (l, r)
}

/// Highest |x| at 4x: every sample and three points in every gap, by a 128-tap Kaiser
/// windowed sinc per phase (flat almost to Nyquist, unlike BS.1770's short filter).
fn true_peak(x: &[f32]) -> f64 {
    true_peak_in(x, 0, x.len())
}

/// [`true_peak`] over samples `from..to` (and their gaps), with the whole signal as context.
fn true_peak_in(x: &[f32], from: usize, to: usize) -> f64 {
    let half = 64i64;
    let i0 = |v: f64| {
        let (mut s, mut t) = (1.0, 1.0);
        for k in 1..40 {
            t *= (v / (2.0 * f64::from(k))).powi(2);
            s += t;
        }
        s
    };
    let taps: Vec<Vec<f64>> = (1..4)
        .map(|p| {
            let frac = f64::from(p) / 4.0;
            (-half + 1..=half)
                .map(|j| {
                    let t = j as f64 - frac;
                    let sinc = (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t);
                    let r = (t / (half as f64 + 0.5)).clamp(-1.0, 1.0);
                    sinc * i0(10.0 * (1.0 - r * r).sqrt()) / i0(10.0)
                })
                .collect()
        })
        .collect();
    let mut peak = 0.0f64;
    for n in from as i64..to as i64 {
        peak = peak.max(f64::from(x[n as usize]).abs());
        for phase in &taps {
            let v: f64 = (-half + 1..=half)
                .zip(phase)
                .map(|(j, c)| {
                    let k = n + j;
                    if k < 0 || k >= x.len() as i64 {
                        0.0
                    } else {
                        f64::from(x[k as usize]) * c
                    }
                })
                .sum();
            peak = peak.max(v.abs());
        }
    }
    peak
}

fn ebur128_true_peak_db(l: &[f32], r: &[f32]) -> f64 {
    let mut m = ebur128::EbuR128::new(2, FS as u32, ebur128::Mode::TRUE_PEAK).expect("meter");
    let inter: Vec<f32> = l.iter().zip(r).flat_map(|(a, b)| [*a, *b]).collect();
    m.add_frames_f32(&inter).expect("frames");
    let tp = m.true_peak(0).expect("tp").max(m.true_peak(1).expect("tp"));
    20.0 * tp.log10()
}

#[test]
fn the_output_true_peak_as_bs1770_measures_it_never_exceeds_the_ceiling() {
    let frames = 4 * FS as usize;
    for (gain_db, ceiling_db, release_ms) in
        [(12.0, -1.0, 100.0), (24.0, -0.1, 5.0), (6.0, -6.0, 500.0)]
    {
        let (mut l, mut r) = hard_programme(frames);
        let input_tp = 20.0 * true_peak(&l).max(true_peak(&r)).log10() + f64::from(gain_db);
        let mut lim = Limiter::new(FS, &params(gain_db, ceiling_db, release_ms));
        lim.process(&mut l, &mut r);
        let meter = ebur128_true_peak_db(&l, &r);
        println!("gain {gain_db}, ceiling {ceiling_db}: {meter:.4} dBTP");
        assert!(
            meter <= f64::from(ceiling_db) + 0.001,
            "gain {gain_db}, ceiling {ceiling_db}: {meter:.4} dBTP (input {input_tp:.1})"
        );
        // It limits, not just attenuates: the loudest passages reach the ceiling.
        assert!(
            meter > f64::from(ceiling_db) - 0.1,
            "{meter:.3} dBTP: well under the ceiling"
        );
    }
}

/// Band-limited programme (sines from 40 Hz to 19 kHz at fixed random phases, under an
/// envelope with sudden 1 ms attacks): its inter-sample peaks are well defined, so any
/// good interpolator agrees on them.
fn band_limited_programme(frames: usize) -> (Vec<f32>, Vec<f32>) {
    let mut noise = common::Noise::new(11);
    let tones: Vec<(f64, f64, f64)> = (0..40)
        .map(|k| {
            let f = 40.0 * (19_000.0f64 / 40.0).powf(f64::from(k) / 39.0);
            (
                f,
                f64::from(noise.next()) * 3.2,
                0.05 + 0.05 * f64::from(noise.next()).abs(),
            )
        })
        .collect();
    let mut l = vec![0.0; frames];
    let mut r = vec![0.0; frames];
    for i in 0..frames {
        let t = i as f64 / f64::from(FS);
        let beat = (i % 12_000) as f64 / 48.0; // ms since the beat
        let env = if beat < 1.0 {
            beat
        } else {
            (-(beat - 1.0) / 150.0).exp()
        };
        let s: f64 = tones
            .iter()
            .map(|(f, ph, a)| a * (2.0 * std::f64::consts::PI * f * t + ph).sin())
            .sum();
        let s2: f64 = tones
            .iter()
            .map(|(f, ph, a)| a * (2.0 * std::f64::consts::PI * f * t - ph).sin())
            .sum();
        l[i] = (env * s) as f32;
        r[i] = (env * s2) as f32;
    }
    (l, r)
}

#[test]
fn on_band_limited_audio_a_long_interpolator_agrees() {
    let frames = 2 * FS as usize;
    let (mut l, mut r) = band_limited_programme(frames);
    let input_tp = 20.0 * true_peak(&l).max(true_peak(&r)).log10();
    assert!(input_tp > 0.0, "the programme is hot: {input_tp}");
    let ceiling_db = -1.0;
    let mut lim = Limiter::new(FS, &params(6.0, ceiling_db, 80.0));
    lim.process(&mut l, &mut r);
    let tp = 20.0 * true_peak(&l).max(true_peak(&r)).log10();
    println!("band-limited: input {input_tp:.2} dBTP, output {tp:.4} dBTP");
    assert!(tp <= f64::from(ceiling_db) + 0.005, "{tp:.4} dBTP");
    assert!(tp > f64::from(ceiling_db) - 0.2, "{tp:.4} dBTP: limits");
}

#[test]
fn below_the_ceiling_it_is_a_pure_delay() {
    let frames = FS as usize;
    let (l0, r0): (Vec<f32>, Vec<f32>) = (0..frames)
        .map(|i| {
            let s = 0.3 * (i as f32 * 0.05).sin();
            (s, -0.5 * s)
        })
        .unzip();
    let (mut l, mut r) = (l0.clone(), r0.clone());
    let mut lim = Limiter::new(FS, &params(0.0, -1.0, 100.0));
    let d = lim.latency_frames();
    assert_eq!(d, (stemdesk_dsp::LOOKAHEAD_MS * 48.0) as usize + 16);
    lim.process(&mut l, &mut r);
    assert!(l[..d].iter().all(|&x| x == 0.0));
    assert_eq!(&l[d..], &l0[..frames - d]);
    assert_eq!(&r[d..], &r0[..frames - d]);
    assert_eq!(lim.gain_reduction_db(), 0.0);
}

#[test]
fn the_gain_falls_over_the_lookahead_and_recovers_with_the_release() {
    // Quiet DC with one loud sample: the gain must be down to the ceiling when the
    // sample comes out, start falling no earlier than the lookahead before it, and be
    // 1 - 1/e of the way back up one release time after the hold ends.
    let (quiet, ceiling_db, release_ms) = (0.1f32, -6.0f32, 50.0f32);
    let frames = FS as usize / 2;
    let at = 10_000;
    let mut l: Vec<f32> = vec![quiet; frames];
    l[at] = 1.0;
    let mut r = l.clone();
    let mut lim = Limiter::new(FS, &params(0.0, ceiling_db, release_ms));
    let d = lim.latency_frames();
    let lookahead = (stemdesk_dsp::LOOKAHEAD_MS * 48.0) as usize;
    lim.process(&mut l, &mut r);
    let gain = |i: usize| f64::from(l[i + d]) / f64::from(if i == at { 1.0 } else { quiet });
    let ceiling = 10f64.powf(f64::from(ceiling_db) / 20.0);
    assert!(gain(at) <= ceiling + 1e-6, "at the peak: {}", gain(at));
    assert!(
        (gain(at - lookahead - 3) - 1.0).abs() < 1e-6,
        "untouched before the lookahead"
    );
    assert!(
        gain(at - lookahead / 2) < 1.0,
        "falling during the lookahead"
    );
    // The interpolated neighbours of the peak hold the gain down two samples past it.
    let released = at + 2 + lookahead / 2 + (release_ms * 48.0) as usize;
    let expected = 1.0 - (1.0 - ceiling) * (-1.0f64).exp();
    assert!(
        (gain(released) - expected).abs() < 0.03,
        "one release time on: {} (expected about {expected})",
        gain(released)
    );
}
