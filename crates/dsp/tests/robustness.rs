//! Robustness: random (including NaN, infinite and extreme) parameters and input never
//! produce NaN or infinite output, for every processor.

use proptest::prelude::*;
use stemdesk_dsp::{
    CompressorParams, DelayParams, Detection, Effect, EffectParams, EqBand, EqBandKind, EqParams,
    Gain, GateParams, LimiterParams, PanLaw, Panner, ReverbParams, SaturationFlavour,
    SaturationParams, StereoProcessor, apply_width,
};

fn param() -> impl Strategy<Value = f32> {
    prop_oneof![
        any::<f32>(),
        -1e4f32..1e4,
        -10f32..10.0,
        0f32..1.0,
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
        Just(0.0),
        Just(f32::MAX),
        Just(f32::MIN_POSITIVE),
    ]
}

fn sample() -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => -1f32..1.0,
        1 => any::<f32>(),
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::MAX),
        1 => Just(-3e38f32),
        1 => -1e6f32..1e6,
    ]
}

fn kind() -> impl Strategy<Value = EqBandKind> {
    prop_oneof![
        Just(EqBandKind::Peak),
        Just(EqBandKind::LowShelf),
        Just(EqBandKind::HighShelf),
        Just(EqBandKind::HighPass12),
        Just(EqBandKind::HighPass24),
        Just(EqBandKind::LowPass12),
        Just(EqBandKind::LowPass24),
    ]
}

/// Each arm boxed: the unboxed union's value tree outgrew a test thread's stack.
fn effect_params() -> impl Strategy<Value = EffectParams> {
    let band = (any::<bool>(), kind(), param(), param(), param()).prop_map(
        |(enabled, kind, freq_hz, gain_db, q)| EqBand {
            enabled,
            kind,
            freq_hz,
            gain_db,
            q,
        },
    );
    prop_oneof![
        prop::collection::vec(band, 0..10)
            .prop_map(|bands| EffectParams::Eq(EqParams {
                bands,
                response: stemdesk_dsp::EqResponse::Analog
            }))
            .boxed(),
        (
            param(),
            param(),
            param(),
            param(),
            param(),
            param(),
            any::<bool>(),
            (param(), param(), param()),
        )
            .prop_map(
                |(threshold_db, ratio, knee_db, attack_ms, release_ms, makeup_db, rms, extra)| {
                    let (lookahead_ms, sidechain_hpf_hz, mix) = extra;
                    EffectParams::Compressor(CompressorParams {
                        threshold_db,
                        ratio,
                        knee_db,
                        attack_ms,
                        release_ms,
                        makeup_db,
                        detection: if rms { Detection::Rms } else { Detection::Peak },
                        lookahead_ms,
                        sidechain_hpf_hz,
                        mix,
                    })
                }
            )
            .boxed(),
        (param(), param(), param(), param(), param(), param())
            .prop_map(
                |(threshold_db, range_db, attack_ms, hold_ms, release_ms, hysteresis_db)| {
                    EffectParams::Gate(GateParams {
                        threshold_db,
                        range_db,
                        attack_ms,
                        hold_ms,
                        release_ms,
                        hysteresis_db,
                        key_hpf_hz: stemdesk_dsp::KEY_HPF_OFF_HZ,
                        key_lpf_hz: stemdesk_dsp::KEY_LPF_OFF_HZ,
                    })
                }
            )
            .boxed(),
        (param(), param(), param(), param(), param(), param())
            .prop_map(|(predelay_ms, decay_s, size, damping, width, mix)| {
                EffectParams::Reverb(ReverbParams {
                    predelay_ms,
                    decay_s,
                    size,
                    damping,
                    width,
                    mix,
                })
            })
            .boxed(),
        (param(), param(), param(), param(), any::<bool>(), param())
            .prop_map(
                |(time_ms, feedback, low_cut_hz, high_cut_hz, ping_pong, mix)| {
                    EffectParams::Delay(DelayParams {
                        time_ms,
                        feedback,
                        low_cut_hz,
                        high_cut_hz,
                        ping_pong,
                        mix,
                        sync: stemdesk_dsp::DelaySync::Off,
                    })
                }
            )
            .boxed(),
        (0usize..3, param(), param(), param(), param())
            .prop_map(|(flavour, drive_db, tone_db, mix, output_db)| {
                EffectParams::Saturation(SaturationParams {
                    flavour: [
                        SaturationFlavour::Tape,
                        SaturationFlavour::Tube,
                        SaturationFlavour::Clip,
                    ][flavour],
                    drive_db,
                    tone_db,
                    mix,
                    output_db,
                })
            })
            .boxed(),
    ]
}

fn rate() -> impl Strategy<Value = f32> {
    prop_oneof![Just(44_100.0f32), Just(48_000.0), Just(96_000.0), param()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn effects_never_output_non_finite(
        fs in rate(),
        first in effect_params(),
        second in effect_params(),
        input in prop::collection::vec((sample(), sample()), 1..3000),
    ) {
        let mut e = Effect::new(fs, &first);
        let (mut l, mut r): (Vec<f32>, Vec<f32>) = input.iter().copied().unzip();
        e.process(&mut l, &mut r);
        prop_assert!(l.iter().chain(&r).all(|x| x.is_finite()));
        e.set_params(&second);
        let (mut l, mut r): (Vec<f32>, Vec<f32>) = input.iter().copied().unzip();
        e.process(&mut l, &mut r);
        // Then loud, then silence (denormal-prone) for a while.
        let mut big = vec![1e6f32; 4096];
        let mut big_r = vec![-1e6f32; 4096];
        e.process(&mut big, &mut big_r);
        let mut z = vec![0.0f32; 4096];
        let mut zr = vec![0.0f32; 4096];
        e.process(&mut z, &mut zr);
        prop_assert!(l.iter().chain(&r).chain(&big).chain(&big_r).chain(&z).chain(&zr).all(|x| x.is_finite()));
    }

    #[test]
    fn gain_and_pan_never_output_non_finite(
        fs in rate(),
        g in param(),
        g2 in param(),
        pan in param(),
        width in param(),
        input in prop::collection::vec((sample(), sample()), 1..2000),
    ) {
        let (mut l, mut r): (Vec<f32>, Vec<f32>) = input.iter().copied().unzip();
        let mut gain = Gain::new(fs, g);
        gain.process(&mut l, &mut r);
        gain.set_gain_db(g2);
        gain.process(&mut l, &mut r);
        let mut p = Panner::new(fs, pan, PanLaw::Balance);
        p.set_pan(-pan);
        p.process(&mut l, &mut r);
        apply_width(&mut l, &mut r, width);
        prop_assert!(l.iter().chain(&r).all(|x| x.is_finite()));
    }
}

#[test]
fn extreme_settings_stay_finite_for_long() {
    // Maximum feedback / decay / boost, driven hard for 10 s of loud noise.
    let fs = 48_000.0;
    let params = [
        EffectParams::Reverb(ReverbParams {
            predelay_ms: 500.0,
            decay_s: 30.0,
            size: 1.0,
            damping: 0.0,
            width: 1.0,
            mix: 1.0,
        }),
        EffectParams::Delay(DelayParams {
            time_ms: 1.0,
            feedback: 1.0,
            low_cut_hz: 20.0,
            high_cut_hz: 20_000.0,
            ping_pong: true,
            mix: 1.0,
            sync: stemdesk_dsp::DelaySync::Off,
        }),
        EffectParams::Eq(EqParams {
            bands: (0..8)
                .map(|i| EqBand {
                    enabled: true,
                    kind: EqBandKind::Peak,
                    freq_hz: 10.0 + i as f32,
                    gain_db: 30.0,
                    q: 30.0,
                })
                .collect(),
            response: stemdesk_dsp::EqResponse::Analog,
        }),
        EffectParams::Saturation(SaturationParams {
            flavour: SaturationFlavour::Tube,
            drive_db: 36.0,
            tone_db: 12.0,
            mix: 1.0,
            output_db: 12.0,
        }),
        EffectParams::Limiter(LimiterParams {
            gain_db: 24.0,
            ceiling_db: -24.0,
            release_ms: 1.0,
        }),
    ];
    for p in &params {
        let mut e = Effect::new(fs, p);
        let mut seed = 1u32;
        for _ in 0..120 {
            let mut l: Vec<f32> = (0..4096)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (seed >> 8) as f32 / (1u32 << 24) as f32 * 2e6 - 1e6
                })
                .collect();
            let mut r = l.clone();
            e.process(&mut l, &mut r);
            assert!(l.iter().chain(&r).all(|x| x.is_finite()), "{p:?}");
        }
    }
}
