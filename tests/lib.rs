//! Shared fixtures for the end-to-end tests in `tests/tests/`: audio files the tests write
//! themselves, and sessions over them.

use std::path::{Path, PathBuf};

use stemdesk_dsp::params::*;
use stemdesk_engine::{BounceRange, Graph, SourceMap, Threads, bounce, compile, load_sources};
use stemdesk_session::*;

/// Reproducible noise with some transients (xorshift32), `frames` long, `channels` wide.
pub fn test_signal(frames: usize, channels: usize, seed: u32) -> Vec<Vec<f32>> {
    let mut state = seed.max(1);
    (0..channels)
        .map(|_| {
            (0..frames)
                .map(|i| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    let noise = (state as f32 / u32::MAX as f32) * 2.0 - 1.0;
                    let burst = if (i / 4800) % 3 == 0 { 0.9 } else { 0.05 };
                    noise * burst * 0.8
                })
                .collect()
        })
        .collect()
}

/// Writes planar `channels` as a 24-bit WAV (quantised the way symphonia reads it back).
pub fn write_wav24(path: &Path, rate_hz: u32, channels: &[Vec<f32>]) {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: rate_hz,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    for i in 0..channels[0].len() {
        for c in channels {
            let v = (c[i] * 8_388_608.0)
                .round()
                .clamp(-8_388_608.0, 8_388_607.0) as i32;
            w.write_sample(v).expect("write");
        }
    }
    w.finalize().expect("finalize");
}

/// Reads a WAV's integer samples, interleaved.
pub fn read_wav_ints(path: &Path) -> (hound::WavSpec, Vec<i32>) {
    let mut r = hound::WavReader::open(path).expect("open wav");
    let spec = r.spec();
    let samples = r.samples::<i32>().map(|s| s.expect("sample")).collect();
    (spec, samples)
}

/// A track playing `source` from frame 0 for `frames`.
pub fn track_with_clip(session: &mut Session, name: &str, source: PathBuf, frames: u64) -> Track {
    let id = TrackId(session.alloc_id());
    let clip = ClipId(session.alloc_id());
    Track {
        id,
        name: name.into(),
        color: Default::default(),
        clips: vec![Clip {
            id: clip,
            source,
            position_frames: 0,
            offset_frames: 0,
            length_frames: frames,
            gain_db: 0.0,
            fade_in: Default::default(),
            fade_out: Default::default(),
        }],
        strip: Strip::default(),
    }
}

/// Decodes a loaded session's media, panicking on any problem (tests own their files).
pub fn sources(loaded: &LoadedSession) -> SourceMap {
    let (map, problems, _) = load_sources(loaded);
    assert!(problems.is_empty(), "{problems:?}");
    map
}

/// Renders `[0, frames)` of a compiled graph in the given block sizes (cycled), as planar L/R.
pub fn render_in_blocks(
    graph: &mut Graph,
    frames: usize,
    blocks: &[usize],
    threads: Threads,
) -> [Vec<f32>; 2] {
    let mut l = vec![0.0f32; frames];
    let mut r = vec![0.0f32; frames];
    let mut pos = 0;
    let mut k = 0;
    while pos < frames {
        let n = blocks[k % blocks.len()].max(1).min(frames - pos);
        graph.render(
            pos as u64,
            &mut l[pos..pos + n],
            &mut r[pos..pos + n],
            threads,
        );
        pos += n;
        k += 1;
    }
    [l, r]
}

/// Compiles a loaded session with a given maximum block.
pub fn graph(loaded: &LoadedSession, sources: &SourceMap, max_block: usize) -> Graph {
    compile(&loaded.session, &loaded.base_dir, sources, max_block)
}

/// Bounces a whole session (content + tail) to interleaved samples in memory.
pub fn bounce_to_vec(
    loaded: &LoadedSession,
    sources: &SourceMap,
    block: usize,
    threads: Threads,
) -> Vec<f32> {
    let mut g = graph(loaded, sources, block);
    let mut out = Vec::new();
    let range = BounceRange {
        start_frames: 0,
        end_frames: None,
        content_end_frames: loaded.session.content_end_frames(),
        max_tail_frames: u64::from(loaded.session.sample_rate_hz) * 4,
    };
    bounce(
        &mut g,
        range,
        block,
        threads,
        |s| {
            out.extend_from_slice(s);
            Ok::<(), ()>(())
        },
        |_, _| {},
    )
    .expect("bounce");
    out
}

/// A session using every effect, buses feeding buses, pre and post sends, fades, a mono
/// and a stereo source.
pub fn full_session(dir: &std::path::Path) -> LoadedSession {
    full_session_with_len(dir, 24_000)
}

/// [`full_session`] with a stereo source `frames` long (the mono one is 5/6 of it).
pub fn full_session_with_len(dir: &std::path::Path, frames: u64) -> LoadedSession {
    let mono_frames = frames * 5 / 6;
    write_wav24(
        &dir.join("st.wav"),
        48_000,
        &test_signal(frames as usize, 2, 3),
    );
    write_wav24(
        &dir.join("mono.wav"),
        48_000,
        &test_signal(mono_frames as usize, 1, 5),
    );
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
    let mut a = track_with_clip(&mut s, "Stereo", "st.wav".into(), frames);
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
    let mut b = track_with_clip(&mut s, "Mono", "mono.wav".into(), mono_frames);
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
