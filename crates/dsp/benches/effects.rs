//! Per-effect cost on 4096-frame stereo blocks with the reference job's settings.
//! Throughput is in frames, so criterion reports the per-stereo-frame rate.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stemdesk_dsp::{
    Compressor, CompressorParams, Delay, DelayParams, Detection, Eq, EqBand, EqBandKind, EqParams,
    Gain, Gate, GateParams, Limiter, LimiterParams, Meter, PanLaw, Panner, Reverb, ReverbParams,
    Saturation, SaturationFlavour, SaturationParams, StereoProcessor,
};

const FS: f32 = 48_000.0;
const FRAMES: usize = 4096;

fn signal() -> (Vec<f32>, Vec<f32>) {
    let mut seed = 0x1234_5678_u32;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        (seed as f32 / u32::MAX as f32) * 2.0 - 1.0
    };
    let l = (0..FRAMES)
        .map(|i| 0.3 * (i as f32 * 0.05).sin() + 0.1 * noise())
        .collect();
    let r = (0..FRAMES)
        .map(|i| 0.3 * (i as f32 * 0.031).sin() + 0.1 * noise())
        .collect();
    (l, r)
}

fn eq_params() -> EqParams {
    let band = |freq_hz, q, gain_db| EqBand {
        enabled: true,
        kind: EqBandKind::Peak,
        freq_hz,
        gain_db,
        q,
    };
    EqParams {
        bands: vec![
            band(120.0, 0.7, -3.0),
            band(1200.0, 1.0, 2.0),
            band(8000.0, 0.7, 3.0),
        ],
        response: stemdesk_dsp::EqResponse::Classic,
    }
}

fn bench_one(c: &mut Criterion, name: &str, mut p: impl StereoProcessor) {
    let (l0, r0) = signal();
    let (mut l, mut r) = (l0.clone(), r0.clone());
    let mut group = c.benchmark_group("effects");
    group.throughput(Throughput::Elements(FRAMES as u64));
    group.bench_function(name, |b| {
        b.iter(|| {
            l.copy_from_slice(&l0);
            r.copy_from_slice(&r0);
            p.process(black_box(&mut l), black_box(&mut r));
        })
    });
    group.finish();
}

fn effects(c: &mut Criterion) {
    bench_one(c, "eq_3_peaks", Eq::new(FS, &eq_params()));
    let analog = EqParams {
        response: stemdesk_dsp::EqResponse::Analog,
        ..eq_params()
    };
    bench_one(c, "eq_3_peaks_analog", Eq::new(FS, &analog));
    // Automation sweeping the top band on every block: the matched fit is redone every
    // 16 samples while it ramps (the worst case for the analog response's cost).
    for (name, response) in [
        ("eq_3_peaks_sweeping", stemdesk_dsp::EqResponse::Classic),
        (
            "eq_3_peaks_analog_sweeping",
            stemdesk_dsp::EqResponse::Analog,
        ),
    ] {
        let (l0, r0) = signal();
        let (mut l, mut r) = (l0.clone(), r0.clone());
        let base = EqParams {
            response,
            ..eq_params()
        };
        let mut eq = Eq::new(FS, &base);
        let mut up = false;
        let mut group = c.benchmark_group("effects");
        group.throughput(Throughput::Elements(FRAMES as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                l.copy_from_slice(&l0);
                r.copy_from_slice(&r0);
                for (bl, br) in l.chunks_mut(256).zip(r.chunks_mut(256)) {
                    up = !up;
                    let mut p = base.clone();
                    p.bands[2].freq_hz = if up { 9000.0 } else { 8000.0 };
                    eq.set_params(&p);
                    eq.process(black_box(bl), black_box(br));
                }
            })
        });
        group.finish();
    }
    bench_one(
        c,
        "compressor",
        Compressor::new(
            FS,
            &CompressorParams {
                threshold_db: -20.0,
                ratio: 3.0,
                knee_db: 2.8,
                attack_ms: 10.0,
                release_ms: 120.0,
                makeup_db: 2.0,
                detection: Detection::Peak,
                lookahead_ms: 0.0,
                sidechain_hpf_hz: 20.0,
                mix: 1.0,
            },
        ),
    );
    bench_one(
        c,
        "gate",
        Gate::new(
            FS,
            &GateParams {
                threshold_db: -50.0,
                range_db: -60.0,
                attack_ms: 2.0,
                hold_ms: 10.0,
                release_ms: 150.0,
                hysteresis_db: 3.0,
                key_hpf_hz: stemdesk_dsp::KEY_HPF_OFF_HZ,
                key_lpf_hz: stemdesk_dsp::KEY_LPF_OFF_HZ,
            },
        ),
    );
    bench_one(
        c,
        "reverb",
        Reverb::new(
            FS,
            &ReverbParams {
                predelay_ms: 20.0,
                decay_s: 2.0,
                size: 0.7,
                damping: 0.3,
                width: 1.0,
                mix: 1.0,
            },
        ),
    );
    bench_one(
        c,
        "delay",
        Delay::new(
            FS,
            &DelayParams {
                time_ms: 375.0,
                feedback: 0.5,
                low_cut_hz: 20.0,
                high_cut_hz: 20_000.0,
                ping_pong: false,
                mix: 1.0,
                sync: stemdesk_dsp::DelaySync::Off,
            },
        ),
    );
    for (name, flavour) in [
        ("saturation_tape", SaturationFlavour::Tape),
        ("saturation_tube", SaturationFlavour::Tube),
        ("saturation_clip", SaturationFlavour::Clip),
    ] {
        let params = SaturationParams {
            flavour,
            drive_db: 12.0,
            tone_db: 2.0,
            mix: 0.8,
            output_db: -6.0,
        };
        bench_one(c, name, Saturation::new(FS, &params));
    }
    bench_one(
        c,
        "limiter",
        Limiter::new(
            FS,
            &LimiterParams {
                gain_db: 12.0,
                ceiling_db: -1.0,
                release_ms: 100.0,
            },
        ),
    );

    // Fader, panner and meter (not StereoProcessor; benched directly).
    let (l0, r0) = signal();
    let (mut l, mut r) = (l0.clone(), r0.clone());
    let mut group = c.benchmark_group("effects");
    group.throughput(Throughput::Elements(FRAMES as u64));
    let mut gain = Gain::new(FS, -3.0);
    group.bench_function("gain", |b| {
        b.iter(|| {
            l.copy_from_slice(&l0);
            r.copy_from_slice(&r0);
            gain.process(black_box(&mut l), black_box(&mut r));
        })
    });
    let mut pan = Panner::new(FS, 0.3, PanLaw::ConstantPower);
    group.bench_function("panner", |b| {
        b.iter(|| {
            l.copy_from_slice(&l0);
            r.copy_from_slice(&r0);
            pan.process(black_box(&mut l), black_box(&mut r));
        })
    });
    let mut meter = Meter::new(FS);
    group.bench_function("meter", |b| {
        b.iter(|| meter.process(black_box(&l0), black_box(&r0)))
    });
    group.finish();
}

criterion_group!(benches, effects);
criterion_main!(benches);
