//! Delay: exact echo timing, feedback decay, ping-pong, filters.

mod common;

use stemdesk_dsp::{Delay, DelayParams, StereoProcessor};

fn params(time_ms: f32, feedback: f32, ping_pong: bool) -> DelayParams {
    DelayParams {
        time_ms,
        feedback,
        low_cut_hz: 20.0,
        high_cut_hz: 20_000.0,
        ping_pong,
        mix: 1.0,
        sync: stemdesk_dsp::DelaySync::Off,
    }
}

fn impulse(d: &mut Delay, len: usize, left: bool, right: bool) -> (Vec<f32>, Vec<f32>) {
    let mut l = vec![0.0; len];
    let mut r = vec![0.0; len];
    l[0] = if left { 1.0 } else { 0.0 };
    r[0] = if right { 1.0 } else { 0.0 };
    d.process(&mut l, &mut r);
    (l, r)
}

fn argmax(x: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in x.iter().enumerate() {
        if v.abs() > x[best].abs() {
            best = i;
        }
    }
    best
}

#[test]
fn impulse_returns_exactly_at_the_set_time() {
    for fs in [44_100.0f32, 48_000.0, 96_000.0] {
        for time_ms in [1.0f32, 10.0, 100.0, 375.0, 500.0, 1234.0, 3999.0, 10.01] {
            let mut d = Delay::new(fs, &params(time_ms, 0.0, false));
            let exact = f64::from(time_ms) * f64::from(fs) / 1000.0;
            let want = exact.round() as usize;
            let (l, r) = impulse(&mut d, want + 1000, true, true);
            assert_eq!(argmax(&l), want, "fs={fs} t={time_ms}");
            assert_eq!(argmax(&r), want, "fs={fs} t={time_ms}");
            if (f64::from(time_ms) * f64::from(fs) / 1000.0).fract() == 0.0 {
                // Whole-sample delay: a single, unit sample, nothing else.
                assert_eq!(l[want], 1.0);
                assert_eq!(l.iter().filter(|&&x| x != 0.0).count(), 1);
            }
        }
    }
    // With the filters wide open (20 Hz / 20 kHz), the peak index is still exact.
    let mut d = Delay::new(48_000.0, &params(375.0, 0.5, false));
    let (l, _) = impulse(&mut d, 20_000, true, true);
    assert_eq!(argmax(&l), 18_000);
}

#[test]
fn feedback_echoes_decay_geometrically() {
    let fs = 48_000.0;
    for fb in [0.3f32, 0.5, 0.9] {
        let mut d = Delay::new(fs, &params(100.0, fb, false));
        let n = 4800;
        let (l, _) = impulse(&mut d, 7 * n, true, true);
        let first = l[n];
        for k in 1..=6 {
            let echo = l[k * n];
            let want_db = 20.0 * (f64::from(fb).powi(k as i32 - 1)).log10();
            let got_db = 20.0 * f64::from(echo / first).abs().log10();
            assert!((got_db - want_db).abs() < 0.5, "fb={fb} echo {k}");
        }
    }
}

#[test]
fn ping_pong_alternates_channels() {
    let fs = 48_000.0;
    let n = 4800;
    let mut d = Delay::new(fs, &params(100.0, 0.5, true));
    let (l, r) = impulse(&mut d, 5 * n + 10, true, false);
    for k in 1..=4 {
        let (on, off) = if k % 2 == 1 { (&l, &r) } else { (&r, &l) };
        assert!(on[k * n].abs() > 0.01, "echo {k}");
        assert_eq!(off[k * n], 0.0, "echo {k}");
    }
    assert!((l[n] - 0.5).abs() < 1e-6);
    assert!((r[2 * n] - 0.25).abs() < 1e-6);
    // Only echoes, nothing in between.
    let nonzero = l.iter().chain(r.iter()).filter(|&&x| x != 0.0).count();
    assert_eq!(nonzero, 5);
}

fn echo_gain_db(p: &DelayParams, freq_hz: f32) -> f64 {
    let fs = 48_000.0;
    let mut d = Delay::new(fs, p);
    let n = 48_000;
    let input: Vec<f32> = (0..n)
        .map(|i| (2.0 * std::f32::consts::PI * freq_hz * i as f32 / fs).sin() * 0.5)
        .collect();
    let mut l = input.clone();
    let mut r = input.clone();
    d.process(&mut l, &mut r);
    // Mix 1, no feedback: the output is the (filtered) first echo.
    20.0 * (common::rms(&l[24_000..]) / common::rms(&input[24_000..])).log10()
}

#[test]
fn feedback_filters_shape_the_repeats() {
    let open = params(10.0, 0.0, false);
    assert!(echo_gain_db(&open, 10_000.0).abs() < 0.01);
    let dark = DelayParams {
        high_cut_hz: 1000.0,
        ..open
    };
    assert!(echo_gain_db(&dark, 10_000.0) < -15.0);
    assert!(echo_gain_db(&dark, 100.0) > -0.1);
    let thin = DelayParams {
        low_cut_hz: 1000.0,
        ..open
    };
    assert!(echo_gain_db(&thin, 50.0) < -20.0);
    assert!(echo_gain_db(&thin, 10_000.0) > -0.2);
}

#[test]
fn dry_mix_and_time_glide() {
    let fs = 48_000.0;
    let mut p = params(100.0, 0.3, false);
    p.mix = 0.0;
    let mut d = Delay::new(fs, &p);
    let (mut l, mut r) = common::programme(20_000, 5);
    let l0 = l.clone();
    d.process(&mut l, &mut r);
    assert_eq!(l, l0);

    // Changing the time glides: a sine through a 100% wet delay never jumps.
    let mut d = Delay::new(fs, &params(100.0, 0.0, false));
    let f = 200.0;
    let mut l: Vec<f32> = (0..96_000)
        .map(|i| (2.0 * std::f32::consts::PI * f * i as f32 / fs).sin())
        .collect();
    let mut r = l.clone();
    let (a, b) = l.split_at_mut(48_000);
    let (c, e) = r.split_at_mut(48_000);
    d.process(a, c);
    d.set_params(&params(250.0, 0.0, false));
    d.process(b, e);
    let max_step = l[5000..]
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    // A 200 Hz unit sine moves at most 2*pi*200/48000 = 0.026 per sample; the glide
    // bends the pitch by a small factor only.
    assert!(max_step < 0.06, "max step {max_step}");
}

/// Repeats of a fractional delay keep their treble: the fifth echo of an impulse through
/// a delay of n + 0.5 (and n + 0.25) samples has lost less than 0.5 dB at 10 kHz beyond
/// the feedback's own decay (linear interpolation lost about 10 dB).
#[test]
fn fractional_delays_lose_no_treble_over_five_repeats() {
    let fs = 48_000.0f32;
    for samples in [480.5f64, 480.25, 1000.75] {
        let time_ms = (samples * 1000.0 / f64::from(fs)) as f32;
        let fb = 0.5f32;
        let mut d = Delay::new(fs, &params(time_ms, fb, false));
        let len = (samples * 6.0) as usize + 400;
        let (l, _) = impulse(&mut d, len, true, true);
        let centre = (samples * 5.0) as usize;
        let w = 2.0 * std::f64::consts::PI * 10_000.0 / f64::from(fs);
        let (mut re, mut im) = (0.0f64, 0.0f64);
        for (n, y) in l.iter().enumerate().take(centre + 200).skip(centre - 100) {
            re += f64::from(*y) * (w * n as f64).cos();
            im -= f64::from(*y) * (w * n as f64).sin();
        }
        let got_db = 10.0 * (re * re + im * im).log10();
        let want_db = 20.0 * f64::from(fb).powi(4).log10();
        assert!(
            (got_db - want_db).abs() < 0.5,
            "{samples} samples: fifth echo at 10 kHz {got_db:.2} dB, feedback alone {want_db:.2} dB"
        );
    }
}

#[test]
fn a_synced_delay_lands_on_the_note_at_the_sessions_tempo() {
    use stemdesk_dsp::DelaySync;
    for (sync, bpm, frames) in [
        (DelaySync::Eighth, 120.0, 12_000),
        (DelaySync::Quarter, 90.0, 32_000),
        (DelaySync::DottedEighth, 120.0, 18_000),
        (DelaySync::EighthTriplet, 100.0, 9_600),
    ] {
        // time_ms is ignored when synced.
        let p = DelayParams {
            sync,
            ..params(37.0, 0.0, false)
        };
        let mut d = Delay::new(48_000.0, &p);
        d.set_tempo(bpm, true);
        let (l, _) = impulse(&mut d, 48_000, true, true);
        assert_eq!(argmax(&l), frames, "{sync:?} at {bpm} BPM");
        assert!((l[frames] - 1.0).abs() < 1e-6);
    }
    // Off: the time in ms.
    let mut d = Delay::new(48_000.0, &params(37.0, 0.0, false));
    d.set_tempo(90.0, true);
    let (l, _) = impulse(&mut d, 4800, true, true);
    assert_eq!(argmax(&l), 1776);
}
