//! Pan laws, width, fader gain, meter and the Effect dispatcher.

mod common;

use stemdesk_dsp::{
    DelayParams, Effect, EffectParams, EqParams, Gain, GateParams, Meter, PanLaw, Panner,
    StereoProcessor, apply_width, balance_gains, constant_power_gains,
};

#[test]
fn constant_power_law() {
    let (l, r) = constant_power_gains(0.0);
    assert!((20.0 * l.log10() + 3.0103).abs() < 0.01);
    assert!((20.0 * r.log10() + 3.0103).abs() < 0.01);
    assert_eq!(constant_power_gains(-1.0), (1.0, 0.0));
    assert_eq!(constant_power_gains(1.0), (0.0, 1.0));
    assert_eq!(constant_power_gains(-7.0), (1.0, 0.0));
    let mut p = -1.0f32;
    while p <= 1.0 {
        let (l, r) = constant_power_gains(p);
        assert!((l * l + r * r - 1.0).abs() < 1e-6, "pan {p}");
        p += 0.01;
    }
    // Monotonic and mirror-symmetric.
    let (l, r) = constant_power_gains(0.3);
    let (l2, r2) = constant_power_gains(-0.3);
    assert!((l - r2).abs() < 1e-6 && (r - l2).abs() < 1e-6);
    assert!(r > l);
    assert_eq!(constant_power_gains(f32::NAN), constant_power_gains(0.0));
}

#[test]
fn balance_law() {
    assert_eq!(balance_gains(0.0), (1.0, 1.0));
    assert_eq!(balance_gains(1.0), (0.0, 1.0));
    assert_eq!(balance_gains(-1.0), (1.0, 0.0));
    let (l, r) = balance_gains(0.5);
    assert_eq!(r, 1.0);
    assert!((20.0 * l.log10() + 5.33).abs() < 0.01, "{l}");
}

#[test]
fn width_is_mid_side() {
    let (l0, r0) = common::programme(4000, 9);
    let (mut l, mut r) = (l0.clone(), r0.clone());
    apply_width(&mut l, &mut r, 1.0);
    assert_eq!((&l, &r), (&l0, &r0));
    apply_width(&mut l, &mut r, 0.0);
    assert_eq!(l, r);
    let (mut l, mut r) = (vec![1.0, 0.5], vec![0.0, 0.5]);
    apply_width(&mut l, &mut r, 2.0);
    assert_eq!((l, r), (vec![1.5, 0.5], vec![-0.5, 0.5]));
}

#[test]
fn panner_smooths_and_lands_on_the_law() {
    let fs = 48_000.0;
    let mut p = Panner::new(fs, 0.0, PanLaw::ConstantPower);
    let mut l = vec![1.0f32; 4800];
    let mut r = vec![1.0f32; 4800];
    p.set_pan(1.0);
    p.process(&mut l, &mut r);
    // Ramps over 20 ms (960 samples), no jumps, then hard right.
    let step = l
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    assert!(step < 0.01, "step {step}");
    assert!(l[0] > 0.7);
    assert_eq!((l[4799], r[4799]), (0.0, 1.0));
    let mut b = Panner::new(fs, -0.5, PanLaw::Balance);
    let (mut l, mut r) = (vec![0.5f32; 10], vec![0.5f32; 10]);
    b.process(&mut l, &mut r);
    let (gl, gr) = balance_gains(-0.5);
    assert_eq!((l[9], r[9]), (0.5 * gl, 0.5 * gr));
}

#[test]
fn gain_unity_is_bit_exact_and_minus_inf_is_silent() {
    let fs = 48_000.0;
    let (l0, r0) = common::programme(20_000, 4);
    let mut g = Gain::new(fs, 0.0);
    let (mut l, mut r) = (l0.clone(), r0.clone());
    g.process(&mut l, &mut r);
    assert_eq!(l, l0);
    assert_eq!(r, r0);
    // Back to unity after a move: bit-exact again once settled.
    g.set_gain_db(-6.0);
    g.process(&mut l, &mut r);
    g.set_gain_db(0.0);
    let (mut l, mut r) = (l0.clone(), r0.clone());
    g.process(&mut l, &mut r);
    assert_eq!(l[2000..], l0[2000..]);
    assert_eq!(r[2000..], r0[2000..]);
    for db in [-144.0, -200.0, f32::NEG_INFINITY] {
        let mut g = Gain::new(fs, db);
        let (mut l, mut r) = (l0.clone(), r0.clone());
        g.process(&mut l, &mut r);
        assert!(
            l.iter()
                .chain(&r)
                .all(|&x| x == 0.0 && x.is_sign_positive())
        );
    }
    // A fade to -inf ends in exact zeros, smoothly.
    let mut g = Gain::new(fs, 0.0);
    g.set_gain_db(f32::NEG_INFINITY);
    let (mut l, mut r) = (vec![1.0f32; 2000], vec![1.0f32; 2000]);
    g.process(&mut l, &mut r);
    assert!(l[0] > 0.99 && l[1999] == 0.0);
    // -6.02 dB is half amplitude.
    let mut g = Gain::new(fs, -6.0206);
    let (mut l, mut r) = (vec![1.0f32; 10], vec![1.0f32; 10]);
    g.process(&mut l, &mut r);
    assert!((l[5] - 0.5).abs() < 1e-4);
}

#[test]
fn meter_peak_and_rms() {
    let fs = 48_000.0;
    let mut m = Meter::new(fs);
    let n = 96_000;
    let sine: Vec<f32> = (0..n)
        .map(|i| 0.5 * (2.0 * std::f32::consts::PI * 997.0 * i as f32 / fs).sin())
        .collect();
    let quiet: Vec<f32> = sine.iter().map(|x| x * 0.1).collect();
    m.process(&sine, &quiet);
    let peak = m.peak_db();
    assert!((peak[0] + 6.0206).abs() < 0.01);
    assert!((peak[1] + 26.0206).abs() < 0.01);
    let rms = m.rms_db();
    assert!((rms[0] + 9.031).abs() < 0.05, "{rms:?}");
    assert!((rms[1] + 29.031).abs() < 0.05);
    assert_eq!(m.take_peak(), peak);
    assert_eq!(m.peak_db(), [stemdesk_dsp::METER_FLOOR_DB; 2]);
    // RMS falls with a 300 ms time constant: -8.69 dB (1/e in amplitude^2 -> 4.34 dB
    // in level) after 300 ms of silence... check: 10 log10(e^-1) = -4.34 dB.
    let silence = vec![0.0f32; 14_400];
    m.process(&silence, &silence);
    let after = m.rms_db();
    assert!((after[0] - rms[0] + 4.343).abs() < 0.05, "{after:?}");
}

#[test]
fn effect_dispatch_and_kind_mismatch() {
    let fs = 48_000.0;
    let mut e = Effect::new(fs, &EffectParams::Eq(EqParams::default()));
    assert!(e.set_params(&EffectParams::Eq(EqParams::default())));
    let gate = EffectParams::Gate(GateParams {
        threshold_db: -40.0,
        range_db: -60.0,
        attack_ms: 1.0,
        hold_ms: 10.0,
        release_ms: 100.0,
        hysteresis_db: 3.0,
        key_hpf_hz: stemdesk_dsp::KEY_HPF_OFF_HZ,
        key_lpf_hz: stemdesk_dsp::KEY_LPF_OFF_HZ,
    });
    assert!(!e.set_params(&gate));
    assert!(matches!(e, Effect::Eq(_)));
    let delay = DelayParams {
        time_ms: 1.0,
        feedback: 0.0,
        low_cut_hz: 20.0,
        high_cut_hz: 20_000.0,
        ping_pong: false,
        mix: 1.0,
        sync: stemdesk_dsp::DelaySync::Off,
    };
    let mut d = Effect::new(fs, &EffectParams::Delay(delay));
    let (mut l, mut r) = (vec![0.0f32; 100], vec![0.0f32; 100]);
    l[0] = 1.0;
    d.process(&mut l, &mut r);
    assert_eq!(l[48], 1.0);
    d.reset();
    let (mut l, mut r) = (vec![0.0f32; 100], vec![0.0f32; 100]);
    d.process(&mut l, &mut r);
    assert!(l.iter().all(|&x| x == 0.0));
}

#[test]
fn gain_process_into_equals_copy_then_process() {
    let fs = 48_000.0;
    let src_l: Vec<f32> = (0..3000).map(|i| ((i as f32) * 0.01).sin()).collect();
    let src_r: Vec<f32> = (0..3000).map(|i| ((i as f32) * 0.013).cos()).collect();
    let mut a = stemdesk_dsp::Gain::new(fs, -6.0);
    let mut b = a.clone();
    a.set_gain_db(3.0);
    b.set_gain_db(3.0);
    let (mut l1, mut r1) = (src_l.clone(), src_r.clone());
    a.process(&mut l1, &mut r1);
    let (mut l2, mut r2) = (vec![9.0; 3000], vec![9.0; 3000]);
    b.process_into(&src_l, &src_r, &mut l2, &mut r2);
    assert_eq!(l1, l2);
    assert_eq!(r1, r2);
}
