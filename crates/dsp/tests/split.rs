//! Block-split invariance: for every processor, processing a programme in one call or
//! in random block sizes (including 1-sample blocks) gives bit-identical output, with a
//! parameter change at the same sample index in both runs.

mod common;

use proptest::prelude::*;
use stemdesk_dsp::{
    Compressor, CompressorParams, Delay, DelayParams, Detection, Eq, EqBand, EqBandKind, EqParams,
    Gain, Gate, GateParams, Limiter, LimiterParams, Meter, PanLaw, Panner, Reverb, ReverbParams,
    Saturation, SaturationFlavour, SaturationParams, StereoProcessor,
};

const FS: f32 = 48_000.0;
const FRAMES: usize = 2 * 48_000 + 123;
const CHANGE_AT: usize = 50_001;

/// Runs `f(l, r, first_frame)` over the programme in blocks from `sizes` (cycled), cut
/// at `CHANGE_AT` where `change` is called. Returns the output and the bits of `probe`.
fn run<S>(
    state: &mut S,
    sizes: &[usize],
    mut f: impl FnMut(&mut S, &mut [f32], &mut [f32]),
    mut change: impl FnMut(&mut S),
) -> (Vec<u32>, Vec<u32>) {
    let (mut l, mut r) = common::programme(FRAMES, 77);
    let mut pos = 0;
    let mut k = 0;
    while pos < FRAMES {
        if pos == CHANGE_AT {
            change(state);
        }
        let mut len = sizes[k % sizes.len()].min(FRAMES - pos);
        k += 1;
        if pos < CHANGE_AT && pos + len > CHANGE_AT {
            len = CHANGE_AT - pos;
        }
        f(state, &mut l[pos..pos + len], &mut r[pos..pos + len]);
        pos += len;
    }
    (
        l.iter().map(|x| x.to_bits()).collect(),
        r.iter().map(|x| x.to_bits()).collect(),
    )
}

fn check<P: StereoProcessor>(
    make: impl Fn() -> P,
    change: impl Fn(&mut P) + Copy,
    sizes: &[usize],
) {
    let whole = run(&mut make(), &[FRAMES], |p, l, r| p.process(l, r), change);
    let split = run(&mut make(), sizes, |p, l, r| p.process(l, r), change);
    assert!(whole == split, "split output differs");
}

fn sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![Just(1usize), 1usize..17, 1usize..2049], 1..40)
}

fn eq_params(shift: f32) -> EqParams {
    let band = |kind, freq_hz, gain_db, q| EqBand {
        enabled: true,
        kind,
        freq_hz,
        gain_db,
        q,
    };
    EqParams {
        bands: vec![
            band(EqBandKind::HighPass24, 30.0 * shift, 0.0, 0.7),
            band(EqBandKind::Peak, 120.0 * shift, -3.0, 0.7),
            band(EqBandKind::Peak, 1200.0, 2.0 * shift, 1.0),
            band(EqBandKind::HighShelf, 8000.0, 3.0, 0.7 * shift),
        ],
        response: stemdesk_dsp::EqResponse::Analog,
    }
}

fn comp_params(detection: Detection, threshold_db: f32) -> CompressorParams {
    CompressorParams {
        threshold_db,
        ratio: 3.0,
        knee_db: 2.8,
        attack_ms: 10.0,
        release_ms: 120.0,
        makeup_db: 2.0 + threshold_db / 10.0,
        detection,
        lookahead_ms: 0.0,
        sidechain_hpf_hz: 20.0,
        mix: 1.0,
    }
}

fn gate_params(threshold_db: f32) -> GateParams {
    GateParams {
        threshold_db,
        range_db: -60.0,
        attack_ms: 2.0,
        hold_ms: 10.0,
        release_ms: 150.0,
        hysteresis_db: 3.0,
        key_hpf_hz: stemdesk_dsp::KEY_HPF_OFF_HZ,
        key_lpf_hz: stemdesk_dsp::KEY_LPF_OFF_HZ,
    }
}

fn reverb_params(decay_s: f32) -> ReverbParams {
    ReverbParams {
        predelay_ms: 20.0,
        decay_s,
        size: 0.6,
        damping: 0.4,
        width: 0.8,
        mix: 0.5,
    }
}

fn delay_params(time_ms: f32, ping_pong: bool) -> DelayParams {
    DelayParams {
        time_ms,
        feedback: 0.6,
        low_cut_hz: 100.0,
        high_cut_hz: 6000.0,
        ping_pong,
        mix: 0.7,
        sync: stemdesk_dsp::DelaySync::Off,
    }
}

fn saturation_params(drive_db: f32, flavour: SaturationFlavour) -> SaturationParams {
    SaturationParams {
        flavour,
        drive_db,
        tone_db: drive_db / 4.0 - 3.0,
        mix: 0.8,
        output_db: -drive_db / 2.0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn eq_is_split_invariant(s in sizes()) {
        check(|| Eq::new(FS, &eq_params(1.0)), |p| p.set_params(&eq_params(1.5)), &s);
    }

    #[test]
    fn compressor_is_split_invariant(s in sizes(), rms in any::<bool>()) {
        let det = if rms { Detection::Rms } else { Detection::Peak };
        check(
            || Compressor::new(FS, &comp_params(det, -20.0)),
            |p| p.set_params(&comp_params(det, -30.0)),
            &s,
        );
    }

    #[test]
    fn gate_is_split_invariant(s in sizes()) {
        check(|| Gate::new(FS, &gate_params(-30.0)), |p| p.set_params(&gate_params(-50.0)), &s);
    }

    #[test]
    fn reverb_is_split_invariant(s in sizes()) {
        check(|| Reverb::new(FS, &reverb_params(2.0)), |p| p.set_params(&reverb_params(0.7)), &s);
    }

    #[test]
    fn delay_is_split_invariant(s in sizes(), pp in any::<bool>()) {
        check(
            || Delay::new(FS, &delay_params(375.0, pp)),
            |p| p.set_params(&delay_params(123.4, !pp)),
            &s,
        );
    }

    #[test]
    fn saturation_is_split_invariant(s in sizes(), tube in any::<bool>()) {
        let (a, b) = if tube {
            (SaturationFlavour::Tube, SaturationFlavour::Clip)
        } else {
            (SaturationFlavour::Tape, SaturationFlavour::Tube)
        };
        check(
            || Saturation::new(FS, &saturation_params(12.0, a)),
            |p| p.set_params(&saturation_params(20.0, b)),
            &s,
        );
    }

    #[test]
    fn limiter_is_split_invariant(s in sizes()) {
        let p = |gain_db, release_ms| LimiterParams { gain_db, ceiling_db: -1.0, release_ms };
        check(
            || Limiter::new(FS, &p(12.0, 50.0)),
            |l| l.set_params(&p(18.0, 5.0)),
            &s,
        );
    }

    #[test]
    fn gain_panner_meter_are_split_invariant(s in sizes()) {
        let gain = |sizes: &[usize]| {
            run(&mut Gain::new(FS, -3.0), sizes, |g, l, r| g.process(l, r), |g| g.set_gain_db(4.0))
        };
        prop_assert!(gain(&[FRAMES]) == gain(&s));
        let pan = |sizes: &[usize]| {
            run(
                &mut Panner::new(FS, -0.3, PanLaw::ConstantPower),
                sizes,
                |p, l, r| p.process(l, r),
                |p| p.set_pan(0.8),
            )
        };
        prop_assert!(pan(&[FRAMES]) == pan(&s));
        let meter = |sizes: &[usize]| {
            let mut m = Meter::new(FS);
            let mut peaks = Vec::new();
            run(
                &mut m,
                sizes,
                |m, l, r| m.process(l, r),
                |m| peaks.push(m.take_peak()),
            );
            (peaks, m.peak_db(), m.rms_db().map(f32::to_bits))
        };
        prop_assert_eq!(meter(&[FRAMES]), meter(&s));
    }
}
