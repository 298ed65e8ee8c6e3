//! Resampling keeps pitch, level, length and timing.

use stemdesk_media::{DecodedAudio, resample};

fn mono(rate_hz: u32, samples: Vec<f32>) -> DecodedAudio {
    DecodedAudio {
        sample_rate_hz: rate_hz,
        channels: vec![samples],
        source_channels: 1,
        warnings: vec!["kept".to_owned()],
    }
}

fn sine(frames: usize, rate_hz: u32, freq_hz: f64, amp: f64) -> Vec<f32> {
    (0..frames)
        .map(|i| {
            (amp * (2.0 * std::f64::consts::PI * freq_hz * i as f64 / f64::from(rate_hz)).sin())
                as f32
        })
        .collect()
}

/// Frequency from rising zero crossings (interpolated), over the steady middle part.
fn measured_freq(x: &[f32], rate_hz: u32) -> f64 {
    let mid = &x[x.len() / 10..x.len() * 9 / 10];
    let mut crossings = Vec::new();
    for i in 1..mid.len() {
        let (a, b) = (f64::from(mid[i - 1]), f64::from(mid[i]));
        if a < 0.0 && b >= 0.0 {
            crossings.push(i as f64 - 1.0 + a / (a - b));
        }
    }
    let periods = (crossings.len() - 1) as f64;
    let span = crossings[crossings.len() - 1] - crossings[0];
    periods / span * f64::from(rate_hz)
}

#[test]
fn identity_when_rates_match() {
    let audio = mono(48_000, sine(1000, 48_000, 440.0, 0.5));
    let out = resample(&audio, 48_000).expect("resample");
    assert_eq!(out, audio);
}

#[test]
fn sine_44k1_to_48k_keeps_frequency_level_and_length() {
    let input = sine(44_100, 44_100, 1000.0, 0.8);
    let out = resample(&mono(44_100, input), 48_000).expect("resample");
    assert_eq!(out.sample_rate_hz, 48_000);
    assert_eq!(out.frames(), 48_000);
    assert_eq!(out.warnings, vec!["kept".to_owned()]);
    let ch = &out.channels[0];
    let freq = measured_freq(ch, 48_000);
    assert!((freq - 1000.0).abs() < 0.05, "frequency {freq}");
    let peak = ch[4800..43_200].iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!((peak - 0.8).abs() < 0.005, "peak {peak}");
}

#[test]
fn output_length_is_rounded_ratio() {
    for (frames, from, to) in [
        (1000usize, 44_100u32, 48_000u32),
        (12_345, 48_000, 44_100),
        (7, 96_000, 48_000),
        (999, 22_050, 48_000),
    ] {
        let out = resample(&mono(from, vec![0.1; frames]), to).expect("resample");
        let want = ((frames as f64) * f64::from(to) / f64::from(from)).round() as usize;
        assert_eq!(out.frames(), want, "{frames} frames {from} -> {to}");
    }
}

#[test]
fn onset_of_a_step_lands_at_the_same_time() {
    for (from, to) in [(44_100u32, 48_000u32), (48_000, 44_100), (96_000, 48_000)] {
        let frames = from as usize / 2;
        let onset_in = from as usize / 4; // 250 ms
        let mut x = vec![0.0f32; frames];
        for s in &mut x[onset_in..] {
            *s = 0.5;
        }
        let out = resample(&mono(from, x), to).expect("resample");
        let ch = &out.channels[0];
        // Half-height crossing of the (band-limited) step.
        let crossing = ch.iter().position(|&s| s >= 0.25).expect("step present") as f64;
        let expected = onset_in as f64 * f64::from(to) / f64::from(from);
        assert!(
            (crossing - expected).abs() <= 2.0,
            "{from}->{to}: onset at {crossing}, expected {expected}"
        );
        // And the level settles at the step height (no gain change).
        let settled = ch[ch.len() * 3 / 4];
        assert!(
            (settled - 0.5).abs() < 0.01,
            "{from}->{to}: settled at {settled}"
        );
    }
}

#[test]
fn zero_rate_is_an_error() {
    let err = resample(&mono(48_000, vec![0.0; 10]), 0).expect_err("rate 0");
    assert!(err.to_string().contains("cannot resample"));
}
