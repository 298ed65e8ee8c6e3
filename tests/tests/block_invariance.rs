//! A full mix renders the same whatever the block size and however many threads.
#![allow(missing_docs)]

use proptest::prelude::*;
use stemdesk_dsp::params::*;
use stemdesk_e2e::*;
use stemdesk_engine::Threads;
use stemdesk_session::*;

/// A session using every effect, buses feeding buses, pre and post sends, fades, a mono
/// and a stereo source.
fn full_session(dir: &std::path::Path) -> LoadedSession {
    write_wav24(&dir.join("st.wav"), 48_000, &test_signal(24_000, 2, 3));
    write_wav24(&dir.join("mono.wav"), 48_000, &test_signal(20_000, 1, 5));
    let mut s = Session::new(48_000);
    let rv = BusId(s.alloc_id());
    let dl = BusId(s.alloc_id());
    let ins = |s: &mut Session, effect| Insert {
        id: InsertId(s.alloc_id()),
        bypass: false,
        effect,
    };
    let reverb = ins(
        &mut s,
        EffectParams::Reverb(ReverbParams {
            predelay_ms: 10.0,
            decay_s: 1.0,
            size: 0.5,
            damping: 0.5,
            width: 1.0,
            mix: 1.0,
        }),
    );
    s.buses.push(Bus {
        id: rv,
        name: "Reverb".into(),
        color: Color::default(),
        solo_safe: true,
        strip: Strip {
            inserts: vec![reverb],
            ..Strip::default()
        },
    });
    let delay = ins(
        &mut s,
        EffectParams::Delay(DelayParams {
            time_ms: 37.5,
            feedback: 0.5,
            low_cut_hz: 100.0,
            high_cut_hz: 6000.0,
            ping_pong: true,
            mix: 1.0,
        }),
    );
    let delay_to_reverb = SendId(s.alloc_id());
    s.buses.push(Bus {
        id: dl,
        name: "Delay".into(),
        color: Color::default(),
        solo_safe: false,
        strip: Strip {
            inserts: vec![delay],
            sends: vec![Send {
                id: delay_to_reverb,
                target: rv,
                level_db: -6.0,
                pre_fader: false,
            }],
            ..Strip::default()
        },
    });
    let mut a = track_with_clip(&mut s, "Stereo", "st.wav".into(), 24_000);
    a.clips[0].fade_in = Fade {
        length_frames: 3000,
        shape: FadeShape::SCurve,
    };
    a.clips[0].fade_out = Fade {
        length_frames: 5000,
        shape: FadeShape::Exponential,
    };
    a.strip.gain_db = -3.0;
    a.strip.pan = 0.3;
    a.strip.width = 1.4;
    let eq = ins(
        &mut s,
        EffectParams::Eq(EqParams {
            bands: vec![
                EqBand {
                    enabled: true,
                    kind: EqBandKind::Peak,
                    freq_hz: 120.0,
                    gain_db: -3.0,
                    q: 0.7,
                },
                EqBand {
                    enabled: true,
                    kind: EqBandKind::HighPass24,
                    freq_hz: 60.0,
                    gain_db: 0.0,
                    q: 0.7,
                },
            ],
        }),
    );
    let comp = ins(
        &mut s,
        EffectParams::Compressor(CompressorParams {
            threshold_db: -20.0,
            ratio: 3.0,
            knee_db: 2.8,
            attack_ms: 10.0,
            release_ms: 120.0,
            makeup_db: 2.0,
            detection: Detection::Rms,
        }),
    );
    a.strip.inserts = vec![eq, comp];
    a.strip.sends = vec![
        Send {
            id: SendId(s.alloc_id()),
            target: rv,
            level_db: -12.0,
            pre_fader: false,
        },
        Send {
            id: SendId(s.alloc_id()),
            target: dl,
            level_db: -8.0,
            pre_fader: true,
        },
    ];
    let mut b = track_with_clip(&mut s, "Mono", "mono.wav".into(), 20_000);
    b.clips[0].position_frames = 7_000;
    b.clips[0].gain_db = -2.0;
    b.strip.pan = -0.6;
    let gate = ins(
        &mut s,
        EffectParams::Gate(GateParams {
            threshold_db: -30.0,
            range_db: -60.0,
            attack_ms: 2.0,
            hold_ms: 20.0,
            release_ms: 150.0,
            hysteresis_db: 3.0,
        }),
    );
    b.strip.inserts = vec![gate];
    b.strip.output = Output::Bus(dl);
    s.tracks.extend([a, b]);
    s.master.gain_db = -6.0;
    let path = dir.join("full.ron");
    save(&s, &path).expect("save");
    load(&path).expect("load")
}

#[test]
fn bounce_is_identical_at_64_512_and_random_blocks_and_with_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = full_session(dir.path());
    let src = sources(&loaded);
    let reference = bounce_to_vec(&loaded, &src, 64, Threads::Single);
    assert!(reference.len() > 27_000 * 2, "includes the effect tail");
    assert!(reference.iter().all(|x| x.is_finite()));
    assert!(
        reference.iter().fold(0.0f32, |m, x| m.max(x.abs())) > 0.05,
        "not silent"
    );
    for (block, threads) in [
        (512, Threads::Single),
        (512, Threads::Pool),
        (4096, Threads::Pool),
    ] {
        let out = bounce_to_vec(&loaded, &src, block, threads);
        assert_eq!(out.len(), reference.len(), "length at block {block}");
        let diff = out
            .iter()
            .zip(&reference)
            .position(|(a, b)| a.to_bits() != b.to_bits());
        assert_eq!(diff, None, "differs at block {block} {threads:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]
    #[test]
    fn render_is_identical_for_random_block_sequences(blocks in prop::collection::vec(1usize..1500, 1..20)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let loaded = full_session(dir.path());
        let src = sources(&loaded);
        let frames = 30_000;
        let reference = render_in_blocks(&mut graph(&loaded, &src, 2048), frames, &[2048], Threads::Single);
        // A graph with a smaller maximum block also has to split requests internally.
        let out = render_in_blocks(&mut graph(&loaded, &src, 700), frames, &blocks, Threads::Single);
        for ch in 0..2 {
            let diff = out[ch].iter().zip(&reference[ch]).position(|(a, b)| a.to_bits() != b.to_bits());
            prop_assert_eq!(diff, None);
        }
    }
}
