//! Saturation measured with test signals: aliasing of a hard-driven 5 kHz sine, the
//! small-signal gain and flatness of the oversampled path, the tone tilt, the mix, and
//! the harmonic signature of each flavour.

mod common;

use stemdesk_dsp::{Saturation, SaturationFlavour, SaturationParams, StereoProcessor};

const FS: f32 = 48_000.0;

fn params(flavour: SaturationFlavour, drive_db: f32) -> SaturationParams {
    SaturationParams {
        flavour,
        drive_db,
        tone_db: 0.0,
        mix: 1.0,
        output_db: 0.0,
    }
}

/// One second of steady-state output (after half a second of settling) for a sine of
/// `amp` at `freq_hz` (an integer, so a one-second DFT has no leakage at integer bins).
fn steady_sine(p: &SaturationParams, freq_hz: f64, amp: f64) -> Vec<f32> {
    let n = FS as usize;
    let total = n + n / 2;
    let mut l: Vec<f32> = (0..total)
        .map(|i| {
            (amp * (2.0 * std::f64::consts::PI * freq_hz * i as f64 / f64::from(FS)).sin()) as f32
        })
        .collect();
    let mut r = l.clone();
    let mut s = Saturation::new(FS, p);
    s.process(&mut l, &mut r);
    assert_eq!(l, r, "both channels run the same path");
    l.split_off(n / 2)
}

/// Amplitude in dBFS of the sine component at `freq_hz` (integer) in one second.
fn component_dbfs(x: &[f32], freq_hz: f64) -> f64 {
    common::dft_db(x, f64::from(FS), freq_hz) - common::db(x.len() as f64 / 2.0)
}

/// The strongest alias of a 5 kHz tone's harmonics inside 20 Hz-20 kHz: every harmonic
/// `5k n` above Nyquist folds onto a multiple of 1 kHz that is not a multiple of 5 kHz.
fn worst_alias_dbfs(y: &[f32]) -> (f64, f64) {
    (1..20)
        .filter(|k| k % 5 != 0)
        .map(|k| {
            (
                component_dbfs(y, f64::from(k) * 1000.0),
                f64::from(k) * 1000.0,
            )
        })
        .fold((f64::MIN, 0.0), |a, b| if b.0 > a.0 { b } else { a })
}

const FLAVOURS: [SaturationFlavour; 3] = [
    SaturationFlavour::Tape,
    SaturationFlavour::Tube,
    SaturationFlavour::Clip,
];

/// Gain in dB of a quiet sine at `freq_hz` through `p`.
fn small_signal_gain_db(p: &SaturationParams, freq_hz: f64) -> f64 {
    let amp = 1e-4;
    let y = steady_sine(p, freq_hz, amp);
    component_dbfs(&y, freq_hz) - common::db(amp)
}

#[test]
fn a_hard_driven_5_khz_sine_aliases_below_minus_90_dbfs() {
    // 18 dB of drive on a full-scale sine flattens it toward a square wave (the
    // fundamental comes out 16 dB below the input plus drive). 8x oversampling keeps
    // every alias more than 90 dB down up to there; beyond (+24 dB on full scale) the
    // harmonics fall too slowly for 8x (measured -66 dBFS tape/tube, -72 clip).
    for flavour in FLAVOURS {
        for (drive_db, amp) in [(18.0, 1.0), (24.0, 0.5)] {
            let y = steady_sine(&params(flavour, drive_db), 5000.0, amp);
            let (alias, at_hz) = worst_alias_dbfs(&y);
            assert!(
                alias < -90.0,
                "{flavour:?} drive {drive_db} amp {amp}: alias {alias:.1} dBFS at {at_hz} Hz"
            );
            let fundamental = component_dbfs(&y, 5000.0);
            assert!(
                fundamental > 0.0,
                "{flavour:?}: driven into the curve, {fundamental}"
            );
        }
    }
}

#[test]
fn quiet_signals_pass_at_unity_and_flat_to_20_khz() {
    for flavour in FLAVOURS {
        for freq in [30.0, 100.0, 1000.0, 10_000.0, 19_000.0, 20_000.0] {
            // The tube's 2 Hz DC blocker costs 0.02 dB at 30 Hz.
            let g = small_signal_gain_db(&params(flavour, 0.0), freq);
            assert!(g.abs() < 0.025, "{flavour:?} at {freq} Hz: {g:.4} dB");
        }
    }
}

#[test]
fn drive_raises_quiet_signals_by_its_decibels() {
    for flavour in FLAVOURS {
        let g = small_signal_gain_db(&params(flavour, 12.0), 1000.0);
        assert!((g - 12.0).abs() < 0.01, "{flavour:?}: {g:.4} dB");
    }
}

#[test]
fn output_gain_is_applied_after_the_curve() {
    let p = SaturationParams {
        output_db: -6.0,
        ..params(SaturationFlavour::Tape, 6.0)
    };
    let g = small_signal_gain_db(&p, 1000.0);
    assert!(g.abs() < 0.01, "{g:.4} dB");
}

#[test]
fn the_tone_tilts_around_its_pivot() {
    for tone_db in [12.0_f32, -12.0] {
        let p = SaturationParams {
            tone_db,
            ..params(SaturationFlavour::Tape, 0.0)
        };
        let pivot = small_signal_gain_db(&p, f64::from(stemdesk_dsp::TONE_PIVOT_HZ));
        let low = small_signal_gain_db(&p, 20.0);
        let high = small_signal_gain_db(&p, 20_000.0);
        let half = f64::from(tone_db) / 2.0;
        assert!(pivot.abs() < 0.01, "pivot {pivot}");
        assert!((low + half).abs() < 0.1, "{tone_db}: 20 Hz {low}");
        assert!((high - half).abs() < 0.1, "{tone_db}: 20 kHz {high}");
    }
}

#[test]
fn the_mix_blends_dry_and_wet_in_phase_at_every_frequency() {
    // Drive 12 dB at half mix: 0.5 + 0.5 * 3.98 = 7.93 dB for a quiet tone. A dry path
    // not aligned with the oversampled wet path would comb-filter (dips near 20 kHz).
    let p = SaturationParams {
        mix: 0.5,
        ..params(SaturationFlavour::Tube, 12.0)
    };
    let expected = common::db(0.5 + 0.5 * 10f64.powf(12.0 / 20.0));
    for freq in [50.0, 1000.0, 8000.0, 15_000.0, 20_000.0] {
        let g = small_signal_gain_db(&p, freq);
        assert!(
            (g - expected).abs() < 0.02,
            "{freq} Hz: {g:.3}, expected {expected:.3}"
        );
    }
}

#[test]
fn each_flavour_has_its_harmonic_signature() {
    for flavour in FLAVOURS {
        let y = steady_sine(&params(flavour, 12.0), 1000.0, 0.5);
        let h2 = component_dbfs(&y, 2000.0);
        let h3 = component_dbfs(&y, 3000.0);
        assert!(h3 > -40.0, "{flavour:?}: 3rd harmonic {h3:.1} dBFS");
        match flavour {
            // Symmetric curves make odd harmonics only.
            SaturationFlavour::Tape | SaturationFlavour::Clip => {
                assert!(h2 < -120.0, "{flavour:?}: 2nd harmonic {h2:.1} dBFS")
            }
            SaturationFlavour::Tube => assert!(h2 > -30.0, "tube: 2nd harmonic {h2:.1} dBFS"),
        }
    }
}

#[test]
fn the_tube_curve_leaves_no_dc() {
    let y = steady_sine(&params(SaturationFlavour::Tube, 24.0), 1000.0, 1.0);
    let mean = y.iter().map(|&v| f64::from(v)).sum::<f64>() / y.len() as f64;
    assert!(mean.abs() < 1e-4, "DC {mean}");
}

#[test]
fn silence_after_a_loud_burst_decays_to_nothing_without_denormals() {
    for flavour in FLAVOURS {
        let mut s = Saturation::new(FS, &params(flavour, 24.0));
        let n = 10 * FS as usize;
        let mut l: Vec<f32> = (0..n)
            .map(|i| {
                if i < 4800 {
                    ((i as f32) * 0.3).sin()
                } else {
                    0.0
                }
            })
            .collect();
        let mut r = l.clone();
        s.process(&mut l, &mut r);
        for &v in l.iter().chain(&r) {
            assert!(v.is_finite() && !v.is_subnormal(), "{flavour:?}: {v:e}");
        }
        let tail = l[n - 4800..].iter().fold(0.0_f32, |m, v| m.max(v.abs()));
        assert!(tail < 1e-10, "{flavour:?}: tail {tail:e}");
    }
}
