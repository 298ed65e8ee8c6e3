//! Compressor: static curve, attack/release time constants, gain-reduction meter.

mod common;

use stemdesk_dsp::{Compressor, CompressorParams, Detection, StereoProcessor};

const FS: f32 = 48_000.0;

fn params(threshold_db: f32, ratio: f32, knee_db: f32, makeup_db: f32) -> CompressorParams {
    CompressorParams {
        threshold_db,
        ratio,
        knee_db,
        attack_ms: 5.0,
        release_ms: 50.0,
        makeup_db,
        detection: Detection::Peak,
        lookahead_ms: 0.0,
        sidechain_hpf_hz: 20.0,
        mix: 1.0,
    }
}

/// Independent statement of the Giannoulis/Massberg/Reiss static curve: output level.
fn curve_out_db(x: f64, t: f64, r: f64, w: f64) -> f64 {
    if 2.0 * (x - t) < -w {
        x
    } else if 2.0 * (x - t).abs() <= w && w > 0.0 {
        x + (1.0 / r - 1.0) * (x - t + w / 2.0).powi(2) / (2.0 * w)
    } else {
        t + (x - t) / r
    }
}

#[test]
fn static_curve_matches_formula_peak_detection() {
    for &(t, r, w, makeup) in &[
        (-20.0, 3.0, 2.8, 2.0),
        (-20.0, 4.0, 0.0, 0.0),
        (-30.0, 10.0, 12.0, 6.0),
        (-10.0, 2.0, 6.0, -3.0),
    ] {
        let mut level = -60.0;
        while level <= 0.0 {
            let mut c = Compressor::new(FS, &params(t, r, w, makeup));
            let a = 10f32.powf(level / 20.0);
            // DC at the level: the detector sees a constant.
            let mut l = vec![a; 48_000];
            let mut rr = vec![-a; 48_000];
            c.process(&mut l, &mut rr);
            let out_db = 20.0 * f64::from(l[47_999].abs()).log10();
            assert_eq!(l[47_999], -rr[47_999]);
            let want = curve_out_db(f64::from(level), f64::from(t), f64::from(r), f64::from(w))
                + f64::from(makeup);
            assert!(
                (out_db - want).abs() < 0.2,
                "t={t} r={r} w={w} in={level}: out {out_db} vs {want}"
            );
            // The meter reports the reduction actually applied (excluding make-up).
            let applied = f64::from(level) + f64::from(makeup) - out_db;
            assert!(
                (f64::from(c.gain_reduction_db()) - applied).abs() < 0.01,
                "GR meter {} vs applied {applied}",
                c.gain_reduction_db()
            );
            level += 2.5;
        }
    }
}

#[test]
fn static_curve_matches_formula_rms_detection() {
    let (t, r, w) = (-24.0, 4.0, 6.0);
    let mut level = -50.0;
    while level <= 0.0 {
        let mut p = params(t, r, w, 0.0);
        p.detection = Detection::Rms;
        p.attack_ms = 20.0;
        p.release_ms = 200.0;
        let mut c = Compressor::new(FS, &p);
        // A 1 kHz sine whose RMS is `level`.
        let amp = 10f32.powf(level / 20.0) * std::f32::consts::SQRT_2;
        let n = 96_000;
        let input: Vec<f32> = (0..n)
            .map(|i| amp * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / FS).sin())
            .collect();
        let mut l = input.clone();
        let mut rr = input.clone();
        c.process(&mut l, &mut rr);
        let tail = n - 4800;
        let gain_db = 20.0 * (common::rms(&l[tail..]) / common::rms(&input[tail..])).log10();
        let want = curve_out_db(f64::from(level), f64::from(t), f64::from(r), f64::from(w))
            - f64::from(level);
        assert!(
            (gain_db - want).abs() < 0.2,
            "rms in={level}: gain {gain_db} vs {want}"
        );
        level += 5.0;
    }
}

/// Gain in dB applied at each sample for a DC input (output / input).
fn gain_trace(c: &mut Compressor, levels: &[(f32, usize)]) -> Vec<f64> {
    let mut trace = Vec::new();
    for &(db, n) in levels {
        let a = 10f32.powf(db / 20.0);
        let mut l = vec![a; n];
        let mut r = vec![a; n];
        c.process(&mut l, &mut r);
        trace.extend(l.iter().map(|&y| 20.0 * f64::from(y / a).log10()));
    }
    trace
}

#[test]
fn attack_and_release_time_constants() {
    for &(attack_ms, release_ms) in &[(10.0f32, 120.0f32), (1.0, 500.0), (30.0, 50.0)] {
        let mut p = params(-20.0, 4.0, 0.0, 0.0);
        p.attack_ms = attack_ms;
        p.release_ms = release_ms;
        let mut c = Compressor::new(FS, &p);
        let n = 96_000;
        // -40 dB (no reduction) -> 0 dB (15 dB reduction) -> -40 dB.
        let trace = gain_trace(&mut c, &[(-40.0, 4800), (0.0, n), (-40.0, n)]);
        let full = 15.0;
        assert!((trace[4800 + n - 1] + full).abs() < 0.01);
        let attack_at = trace[4800..]
            .iter()
            .position(|&g| g <= -full * (1.0 - (-1.0f64).exp()))
            .expect("attack reached");
        let attack_meas = attack_at as f64 / f64::from(FS) * 1000.0;
        assert!(
            (attack_meas - f64::from(attack_ms)).abs() <= 0.1 * f64::from(attack_ms),
            "attack {attack_meas} ms vs {attack_ms}"
        );
        let release_at = trace[4800 + n..]
            .iter()
            .position(|&g| g >= -full * (-1.0f64).exp())
            .expect("release reached");
        let release_meas = release_at as f64 / f64::from(FS) * 1000.0;
        assert!(
            (release_meas - f64::from(release_ms)).abs() <= 0.1 * f64::from(release_ms),
            "release {release_meas} ms vs {release_ms}"
        );
    }
}

#[test]
fn below_threshold_is_untouched_and_makeup_applies() {
    let mut c = Compressor::new(FS, &params(-10.0, 4.0, 0.0, 0.0));
    let (mut l, mut r) = (vec![0.01f32; 1000], vec![0.02f32; 1000]);
    c.process(&mut l, &mut r);
    assert!(l.iter().all(|&x| x == 0.01));
    assert!(r.iter().all(|&x| x == 0.02));
    assert_eq!(c.gain_reduction_db(), 0.0);
    // Stereo link: a loud right channel reduces the left too.
    let mut c = Compressor::new(FS, &params(-20.0, 4.0, 0.0, 0.0));
    let (mut l, mut r) = (vec![0.01f32; 48_000], vec![1.0f32; 48_000]);
    c.process(&mut l, &mut r);
    assert!((20.0 * (l[47_999] / 0.01).log10() + 15.0).abs() < 0.05);
}

/// A 1 kHz sine stepping from -40 dBFS to -6 dBFS at `step` (0.5 s in), 1 s long.
fn step_sine() -> (Vec<f32>, usize) {
    let step = 24_000;
    let x = (0..48_000)
        .map(|i| {
            let a = if i < step { 0.01 } else { 0.5 };
            a * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / FS).sin()
        })
        .collect();
    (x, step)
}

/// Overshoot in dB of the output's peak over the 2 ms after the step against its settled
/// peak (the last 10 ms), with the output realigned by the compressor's latency.
fn overshoot_db(lookahead_ms: f32) -> f64 {
    let p = CompressorParams {
        attack_ms: 1.0,
        release_ms: 100.0,
        lookahead_ms,
        ..params(-30.0, 20.0, 0.0, 0.0)
    };
    let mut c = Compressor::new(FS, &p);
    let d = c.latency_frames();
    let (x, step) = step_sine();
    let (mut l, mut r) = (x.clone(), x);
    c.process(&mut l, &mut r);
    let peak = |a: usize, b: usize| l[a + d..b + d].iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let first = peak(step, step + 96);
    let settled = peak(47_000 - d, 47_480 - d);
    20.0 * f64::from(first / settled).log10()
}

#[test]
fn lookahead_catches_the_transient_a_plain_compressor_lets_through() {
    // Attack 1 ms: 5 ms of lookahead is five time constants. What remains is the peak
    // detector's ripple on the sine as it settles.
    let plain = overshoot_db(0.0);
    let ahead = overshoot_db(5.0);
    println!("overshoot: {plain:.2} dB plain, {ahead:.2} dB with 5 ms lookahead");
    assert!(
        plain > 10.0,
        "without lookahead the step overshoots: {plain:.1} dB"
    );
    assert!(ahead < 2.0, "with 5 ms of lookahead: {ahead:.2} dB");
}

#[test]
fn lookahead_delays_the_audio_by_exactly_its_latency() {
    let p = CompressorParams {
        lookahead_ms: 3.0,
        ..params(0.0, 2.0, 0.0, 0.0)
    };
    let mut c = Compressor::new(FS, &p);
    assert_eq!(c.latency_frames(), 144);
    let x: Vec<f32> = (0..4800).map(|i| 0.01 * (i as f32 * 0.1).sin()).collect();
    let (mut l, mut r) = (x.clone(), x.clone());
    c.process(&mut l, &mut r);
    // Below the threshold the gain is exactly one: a pure delay.
    assert!(l[..144].iter().all(|&v| v == 0.0));
    assert_eq!(&l[144..], &x[..4800 - 144]);
    // Bypassed, it still delays (the graph's compensation counts on it).
    let mut c = Compressor::new(FS, &p);
    let (mut l, mut r) = (x.clone(), x.clone());
    c.process_bypassed(&mut l, &mut r);
    assert_eq!(&l[144..], &x[..4800 - 144]);
}

/// Settled gain reduction for a loud 40 Hz tone under a quiet 1 kHz one.
fn bass_gr_db(sidechain_hpf_hz: f32) -> f32 {
    let p = CompressorParams {
        sidechain_hpf_hz,
        ..params(-20.0, 4.0, 0.0, 0.0)
    };
    let mut c = Compressor::new(FS, &p);
    let (mut l, mut r): (Vec<f32>, Vec<f32>) = (0..48_000)
        .map(|i| {
            let t = i as f32 / FS;
            let v = 0.3 * (2.0 * std::f32::consts::PI * 40.0 * t).sin()
                + 0.03 * (2.0 * std::f32::consts::PI * 1000.0 * t).sin();
            (v, v)
        })
        .unzip();
    c.process(&mut l, &mut r);
    c.gain_reduction_db()
}

#[test]
fn the_sidechain_high_pass_keeps_the_bass_from_pumping_the_gain() {
    let full = bass_gr_db(20.0);
    let filtered = bass_gr_db(300.0);
    assert!(full > 5.0, "the bass drives the detector: {full:.1} dB");
    assert!(filtered < 0.5, "high-passed at 300 Hz: {filtered:.2} dB");
}

#[test]
fn the_mix_adds_the_dry_signal_back() {
    // Constant reduction on DC: threshold -20, ratio 100, input -6 dBFS: about 14 dB.
    let run = |mix: f32| {
        let p = CompressorParams {
            mix,
            ..params(-20.0, 100.0, 0.0, 0.0)
        };
        let mut c = Compressor::new(FS, &p);
        let (mut l, mut r) = (vec![0.5f32; 9600], vec![0.5f32; 9600]);
        c.process(&mut l, &mut r);
        (l[9599], 10f32.powf(-c.gain_reduction_db() / 20.0))
    };
    let (dry, _) = run(0.0);
    assert_eq!(dry, 0.5, "mix 0 is the dry signal exactly");
    let (half, g) = run(0.5);
    let want = 0.5 * (0.5 + 0.5 * g);
    assert!((half - want).abs() < 1e-4, "{half} vs {want}");
    assert!(g < 0.25, "it does compress: gain {g}");
}
