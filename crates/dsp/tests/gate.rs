//! Gate: range, opening, hold and hysteresis; the shape of its gain ramps (a raised
//! cosine: measured splatter) and no chatter on low notes with no hold; the key filter.

mod common;

use stemdesk_dsp::{Gate, GateParams, StereoProcessor};

const FS: f32 = 48_000.0;

fn params() -> GateParams {
    GateParams {
        threshold_db: -40.0,
        range_db: -60.0,
        attack_ms: 1.0,
        hold_ms: 50.0,
        release_ms: 50.0,
        hysteresis_db: 6.0,
        key_hpf_hz: stemdesk_dsp::KEY_HPF_OFF_HZ,
        key_lpf_hz: stemdesk_dsp::KEY_LPF_OFF_HZ,
    }
}

/// Gain in dB per sample for a sequence of DC levels.
fn run(g: &mut Gate, levels: &[(f32, usize)]) -> Vec<f64> {
    let mut trace = Vec::new();
    for &(db, n) in levels {
        let a = 10f32.powf(db / 20.0);
        let mut l = vec![a; n];
        let mut r = vec![-a; n];
        g.process(&mut l, &mut r);
        trace.extend(l.iter().map(|&y| 20.0 * f64::from(y / a).log10()));
    }
    trace
}

#[test]
fn closed_attenuation_equals_range() {
    for range in [-60.0f32, -30.0, -6.0, -120.0] {
        let mut p = params();
        p.range_db = range;
        let mut g = Gate::new(FS, &p);
        let t = run(&mut g, &[(-50.0, 4800)]);
        assert!(
            t.iter().all(|&x| (x - f64::from(range)).abs() < 0.1),
            "{range}"
        );
        // Also after having been open: it closes back to exactly the range.
        let t = run(&mut g, &[(-20.0, 4800), (-50.0, 48_000)]);
        assert!((t[t.len() - 1] - f64::from(range)).abs() < 0.1);
        assert!(!g.is_open());
    }
}

/// The gain a raised-cosine ramp from `range_db` to unity has `k` samples into an
/// `n`-sample opening, dB.
fn raised_cosine_db(range_db: f32, k: usize, n: usize) -> f64 {
    let closed = 10f64.powf(f64::from(range_db) / 20.0);
    let shape = 0.5 - 0.5 * (std::f64::consts::PI * k as f64 / n as f64).cos();
    20.0 * (closed + (1.0 - closed) * shape).log10()
}

#[test]
fn opens_above_threshold_with_attack() {
    let mut g = Gate::new(FS, &params());
    let t = run(&mut g, &[(-50.0, 4800), (-39.0, 4800)]);
    assert!((t[4799] + 60.0).abs() < 0.1);
    // Full open from -60 dB takes 1 ms = 48 samples along a raised cosine, then exactly
    // unity.
    for k in 0..48 {
        let want = raised_cosine_db(-60.0, k + 1, 48);
        assert!(
            (t[4800 + k] - want).abs() < 0.01,
            "sample {k}: {} vs {want}",
            t[4800 + k]
        );
    }
    assert!(t[4800 + 46] < 0.0);
    assert!(t[4800 + 48..].iter().all(|&x| x == 0.0));
}

#[test]
fn hold_time_is_respected() {
    let mut g = Gate::new(FS, &params());
    let hold = (0.050 * FS) as usize;
    let t = run(&mut g, &[(-20.0, 4800), (-70.0, 48_000)]);
    let drop = 4800;
    // Open through the hold period...
    assert!(t[drop..drop + hold].iter().all(|&x| x == 0.0));
    // ...then closing along the raised cosine (50 ms release): halfway down in
    // amplitude after 25 ms, fully closed after 50.
    assert!(t[drop + hold + 48] < 0.0);
    let half = raised_cosine_db(-60.0, 1200, 2400);
    assert!(
        (t[drop + hold + 1199] - half).abs() < 0.05,
        "{}",
        t[drop + hold + 1199]
    );
    assert!(
        t[drop + hold + 2400..]
            .iter()
            .all(|&x| (x + 60.0).abs() < 0.01)
    );
}

#[test]
fn hysteresis_keeps_open_gate_open_but_does_not_open_closed_one() {
    // -43 dB is between the closing (-46) and opening (-40) thresholds.
    let mut g = Gate::new(FS, &params());
    let t = run(&mut g, &[(-43.0, 48_000)]);
    assert!(t.iter().all(|&x| (x + 60.0).abs() < 0.1));
    assert!(!g.is_open());

    let mut g = Gate::new(FS, &params());
    let t = run(&mut g, &[(-30.0, 4800), (-43.0, 48_000)]);
    assert!(t[4800..].iter().all(|&x| x == 0.0));
    assert!(g.is_open());
    // Below the closing threshold it does close (after hold + release).
    let t = run(&mut g, &[(-47.0, 48_000)]);
    assert!((t[t.len() - 1] + 60.0).abs() < 0.1);
}

/// A tone at `freq_hz`, amplitude `amp`, `n` samples.
fn tone(freq_hz: f32, amp: f32, n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| amp * (std::f32::consts::TAU * freq_hz * i as f32 / FS).sin())
        .collect()
}

#[test]
fn a_40_hz_sine_with_no_hold_does_not_chatter() {
    let p = GateParams {
        hold_ms: 0.0,
        attack_ms: 1.0,
        release_ms: 5.0,
        ..params()
    };
    let mut g = Gate::new(FS, &p);
    let x = tone(40.0, 0.1, 48_000);
    let (mut l, mut r) = (x.clone(), x.clone());
    g.process(&mut l, &mut r);
    // Once open (the tone reaches the threshold after 19 samples, the opening takes 48),
    // every sample passes untouched through a second of zero crossings.
    let moved = (200..x.len()).filter(|&i| l[i] != x[i]).count();
    assert_eq!(moved, 0, "the gain moved on {moved} samples (chatter)");
    assert!(g.is_open());
}

/// Energy of `y` outside +-`guard_hz` of `freq_hz` (a Hann-windowed DFT over `y`).
fn splatter(y: &[f32], freq_hz: f32, guard_hz: f32) -> f64 {
    let n = y.len();
    let mut total = 0.0;
    for k in 1..n / 2 {
        let f = k as f32 * FS / n as f32;
        if (f - freq_hz).abs() < guard_hz {
            continue;
        }
        let (mut re, mut im) = (0.0f64, 0.0f64);
        for (i, &v) in y.iter().enumerate() {
            let w = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos();
            let ph = std::f64::consts::TAU * (k * i) as f64 / n as f64;
            re += w * f64::from(v) * ph.cos();
            im -= w * f64::from(v) * ph.sin();
        }
        total += re * re + im * im;
    }
    total
}

#[test]
fn a_5_ms_attack_splatters_like_a_raised_cosine_fade() {
    let p = GateParams {
        threshold_db: -30.0,
        range_db: -80.0,
        attack_ms: 5.0,
        ..params()
    };
    let attack = (0.005 * FS) as usize;
    // A steady 1 kHz tone below the threshold, then 12 dB louder: the gate opens.
    let (n0, n) = (512, 2048);
    let quiet = tone(1000.0, 0.02, n0);
    let loud = tone(1000.0, 0.08, n);
    let mut g = Gate::new(FS, &p);
    let (mut l, mut r) = (quiet.clone(), quiet.clone());
    g.process(&mut l, &mut r);
    let (mut l, mut r) = (loud.clone(), loud.clone());
    g.process(&mut l, &mut r);
    // The same tone through the ideal fade: a raised cosine from the range to unity.
    let closed = 10f32.powf(-80.0 / 20.0);
    let ideal: Vec<f32> = loud
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let t = ((i + 1) as f32 / attack as f32).min(1.0);
            x * (closed + (1.0 - closed) * (0.5 - 0.5 * (std::f32::consts::PI * t).cos()))
        })
        .collect();
    let got = splatter(&l, 1000.0, 300.0);
    let want = splatter(&ideal, 1000.0, 300.0);
    let diff_db = 10.0 * (got / want).log10();
    println!("splatter vs a raised cosine of the same length: {diff_db:+.2} dB");
    assert!(diff_db.abs() < 3.0, "{diff_db:+.2} dB");
}

/// Output RMS of a 2 s tone at `freq_hz`, -10 dBFS, through a gate at -20 dBFS (range
/// -60 dB) with the key filter at `hpf_hz` / `lpf_hz`, over the last second.
fn keyed_rms_db(freq_hz: f32, hpf_hz: f32, lpf_hz: f32) -> f64 {
    let p = GateParams {
        threshold_db: -20.0,
        range_db: -60.0,
        key_hpf_hz: hpf_hz,
        key_lpf_hz: lpf_hz,
        ..params()
    };
    let mut g = Gate::new(48_000.0, &p);
    let n = 96_000;
    let (mut l, mut r): (Vec<f32>, Vec<f32>) = (0..n)
        .map(|i| {
            let v = 0.316 * (2.0 * std::f32::consts::PI * freq_hz * i as f32 / 48_000.0).sin();
            (v, v)
        })
        .unzip();
    g.process(&mut l, &mut r);
    common::db(common::rms(&l[n / 2..]))
}

#[test]
fn the_key_filter_decides_what_opens_the_gate_not_what_passes() {
    // Unfiltered, a loud hi-hat-like 8 kHz tone and a 50 Hz hum both open the gate.
    assert!(keyed_rms_db(8000.0, 20.0, 20_000.0) > -14.0);
    assert!(keyed_rms_db(50.0, 20.0, 20_000.0) > -14.0);
    // The key low-pass at 500 Hz keeps the hi-hat out; the high-pass at 200 Hz the hum.
    assert!(keyed_rms_db(8000.0, 20.0, 500.0) < -60.0);
    assert!(keyed_rms_db(50.0, 200.0, 20_000.0) < -60.0);
    // A tone inside the key band still opens it, and passes at full level (the filter is
    // on the detector only).
    let through = keyed_rms_db(1000.0, 200.0, 2000.0);
    assert!((through - (-13.0)).abs() < 0.1, "{through}");
}
