//! Gate: range, opening, hold and hysteresis.

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

#[test]
fn opens_above_threshold_with_attack() {
    let mut g = Gate::new(FS, &params());
    let t = run(&mut g, &[(-50.0, 4800), (-39.0, 4800)]);
    assert!((t[4799] + 60.0).abs() < 0.1);
    // Full open from -60 dB takes 1 ms = 48 samples, then exactly unity.
    assert!(t[4800] > -60.0 && t[4800] < -55.0);
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
    // ...then closing (50 ms release for 60 dB) and fully closed after it.
    assert!(t[drop + hold + 48] < -0.5);
    assert!(t[drop + hold + 2 * 2400] < -59.9);
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
