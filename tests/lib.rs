//! Shared fixtures for the end-to-end tests in `tests/tests/`: audio files the tests write
//! themselves, and sessions over them.

use std::path::{Path, PathBuf};

pub mod fuzz;

use stemdesk_dsp::params::*;
use stemdesk_engine::{BounceRange, Graph, SourceMap, Threads, bounce, compile, load_sources};
use stemdesk_session::*;

/// The bundled example project copied to `dir` (so tests may write beside it); returns
/// the session file.
pub fn copy_example(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../projects-examples/demo");
    std::fs::create_dir_all(dir.join("audio")).expect("mkdir");
    for entry in std::fs::read_dir(src.join("audio")).expect("read audio") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.join("audio").join(entry.file_name())).expect("copy");
    }
    std::fs::copy(src.join("demo.ron"), dir.join("demo.ron")).expect("copy");
    dir.join("demo.ron")
}

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

/// The 44-byte header of a PCM WAV holding `frames` frames (for tests that write long
/// files a block at a time, or sparse ones).
pub fn wav_header(rate_hz: u32, channels: u16, bits: u16, frames: u64) -> Vec<u8> {
    let block = u32::from(channels) * u32::from(bits / 8);
    let data_bytes = frames * u64::from(block);
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&((36 + data_bytes) as u32).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&channels.to_le_bytes());
    h.extend_from_slice(&rate_hz.to_le_bytes());
    h.extend_from_slice(&(rate_hz * block).to_le_bytes());
    h.extend_from_slice(&(block as u16).to_le_bytes());
    h.extend_from_slice(&bits.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&(data_bytes as u32).to_le_bytes());
    h
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

/// Adds `insert` after the last insert of `strip` (an edit, so it is validated).
pub fn append_insert(session: &mut Session, strip: StripId, insert: Insert) {
    let index = session.inserts(strip).map_or(0, |i| i.len());
    session
        .apply(&Edit::AddInsert {
            strip,
            index,
            insert,
        })
        .expect("a valid insert");
}

/// Adds an empty bus named `name` ("Bus N" by its ID when empty) to `session`.
pub fn add_bus(session: &mut Session, name: &str) -> BusId {
    let id = BusId(session.alloc_id());
    session.buses.push(Bus {
        id,
        name: if name.is_empty() {
            format!("Bus {}", id.0)
        } else {
            name.to_owned()
        },
        color: Color::default(),
        solo_safe: false,
        strip: Strip::default(),
    });
    id
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
        rate_hz: f64::from(loaded.session.sample_rate_hz),
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
        sidechain: None,
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
    s.buses.push(return_bus(rv, "Reverb", reverb));
    let delay = ins(
        &mut s,
        EffectParams::Delay(DelayParams {
            time_ms: 37.5,
            feedback: 0.5,
            low_cut_hz: 100.0,
            high_cut_hz: 6000.0,
            ping_pong: true,
            mix: 1.0,
            sync: stemdesk_dsp::DelaySync::Off,
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
            response: stemdesk_dsp::EqResponse::Analog,
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
            lookahead_ms: 0.0,
            sidechain_hpf_hz: 20.0,
            mix: 1.0,
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
            key_hpf_hz: stemdesk_dsp::KEY_HPF_OFF_HZ,
            key_lpf_hz: stemdesk_dsp::KEY_LPF_OFF_HZ,
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

/// One stem of the reference job: its media path as stored in the session (relative to the
/// session file), track name and length.
pub struct RefStem {
    /// Media path as the session stores it.
    pub source: PathBuf,
    /// Track name.
    pub name: String,
    /// Clip length in frames.
    pub frames: u64,
}

/// The reference mixing job of `../shared/bench/README.md` as a session: per stem EQ
/// (3 peaks), compressor, gate, fader -4 dB, spread pan, post-fader sends to a reverb bus
/// (-12 dB) and a delay bus (-18 dB); master -6 dB. Used by the bench job, the
/// real-time pacing test and the callback-load benchmark.
pub fn reference_job(rate_hz: u32, stems: &[RefStem]) -> Session {
    let mut s = Session::new(rate_hz);
    let reverb = BusId(s.alloc_id());
    let delay = BusId(s.alloc_id());
    let insert = |s: &mut Session, effect| Insert {
        id: InsertId(s.alloc_id()),
        bypass: false,
        effect,
        sidechain: None,
    };
    let rv = insert(
        &mut s,
        EffectParams::Reverb(ReverbParams {
            predelay_ms: 0.0,
            decay_s: 2.0,
            size: 0.7,
            damping: 0.3,
            width: 1.0,
            mix: 1.0,
        }),
    );
    s.buses.push(return_bus(reverb, "Reverb", rv));
    let dl = insert(
        &mut s,
        EffectParams::Delay(DelayParams {
            time_ms: 375.0,
            feedback: 0.5,
            low_cut_hz: 20.0,
            high_cut_hz: 20_000.0,
            ping_pong: false,
            mix: 1.0,
            sync: stemdesk_dsp::DelaySync::Off,
        }),
    );
    s.buses.push(return_bus(delay, "Delay", dl));
    let n = stems.len();
    for (i, stem) in stems.iter().enumerate() {
        let peak = |freq_hz, gain_db, q| EqBand {
            enabled: true,
            kind: EqBandKind::Peak,
            freq_hz,
            gain_db,
            q,
        };
        let inserts = vec![
            insert(
                &mut s,
                EffectParams::Eq(EqParams {
                    bands: vec![
                        peak(120.0, -3.0, 0.7),
                        peak(1200.0, 2.0, 1.0),
                        peak(8000.0, 3.0, 0.7),
                    ],
                    response: stemdesk_dsp::EqResponse::Analog,
                }),
            ),
            insert(
                &mut s,
                EffectParams::Compressor(CompressorParams {
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
                }),
            ),
            insert(
                &mut s,
                EffectParams::Gate(GateParams {
                    threshold_db: -50.0,
                    range_db: -60.0,
                    attack_ms: 2.0,
                    hold_ms: 0.0,
                    release_ms: 150.0,
                    hysteresis_db: 0.0,
                    key_hpf_hz: stemdesk_dsp::KEY_HPF_OFF_HZ,
                    key_lpf_hz: stemdesk_dsp::KEY_LPF_OFF_HZ,
                }),
            ),
        ];
        let sends = vec![
            Send {
                id: SendId(s.alloc_id()),
                target: reverb,
                level_db: -12.0,
                pre_fader: false,
            },
            Send {
                id: SendId(s.alloc_id()),
                target: delay,
                level_db: -18.0,
                pre_fader: false,
            },
        ];
        let pan = if n > 1 {
            -0.8 + 1.6 * i as f32 / (n - 1) as f32
        } else {
            0.0
        };
        let id = TrackId(s.alloc_id());
        let clip = ClipId(s.alloc_id());
        s.tracks.push(Track {
            id,
            name: stem.name.clone(),
            color: Color::default(),
            clips: vec![Clip {
                id: clip,
                source: stem.source.clone(),
                position_frames: 0,
                offset_frames: 0,
                length_frames: stem.frames,
                gain_db: 0.0,
                fade_in: Fade::default(),
                fade_out: Fade::default(),
            }],
            strip: Strip {
                gain_db: -4.0,
                pan,
                inserts,
                sends,
                ..Strip::default()
            },
        });
    }
    s.master.gain_db = -6.0;
    s
}

/// A reference-job session of `tracks` tracks over `frames`-long synthetic stems written
/// to `dir` (four distinct signals, reused round-robin), saved and loaded back.
pub fn reference_job_fixture(dir: &Path, tracks: usize, frames: u64) -> LoadedSession {
    reference_job_with_files(dir, tracks, frames, tracks.clamp(1, 4))
}

/// [`reference_job_fixture`] with one file per track (a realistic open: every stem decoded).
pub fn reference_job_fixture_distinct(dir: &Path, tracks: usize, frames: u64) -> LoadedSession {
    reference_job_with_files(dir, tracks, frames, tracks.max(1))
}

fn reference_job_with_files(
    dir: &Path,
    tracks: usize,
    frames: u64,
    distinct: usize,
) -> LoadedSession {
    for k in 0..distinct {
        write_wav24(
            &dir.join(format!("stem{k}.wav")),
            48_000,
            &test_signal(frames as usize, 2, 11 + k as u32),
        );
    }
    let stems: Vec<RefStem> = (0..tracks)
        .map(|i| RefStem {
            source: format!("stem{}.wav", i % distinct).into(),
            name: format!("Track {}", i + 1),
            frames,
        })
        .collect();
    let path = dir.join("reference.ron");
    save(&reference_job(48_000, &stems), &path).expect("save");
    load(&path).expect("load")
}

/// Re-runs test `name` of the current test binary in a child process with extra
/// environment (ALSA reads its configuration once per process, so tests that bring their
/// own ALSA config run their body in a child). Returns the child's combined output after
/// asserting it succeeded.
pub fn run_test_in_child(name: &str, envs: &[(&str, &std::ffi::OsStr)]) -> String {
    let exe = std::env::current_exe().expect("test binary");
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["--exact", "--nocapture", "--test-threads=1", name]);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run child");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child failed:\n{log}");
    log
}

/// A solo-safe effect return bus: one insert, routed to the master.
pub fn return_bus(id: BusId, name: &str, insert: Insert) -> Bus {
    Bus {
        id,
        name: name.into(),
        color: Color::default(),
        solo_safe: true,
        strip: Strip {
            inserts: vec![insert],
            ..Strip::default()
        },
    }
}

/// A lane on `target` through `points` (frame, value), linear segments.
pub fn lane(session: &mut Session, target: ParamId, points: &[(u64, f32)]) -> AutomationLane {
    AutomationLane {
        id: LaneId(session.alloc_id()),
        target,
        enabled: true,
        points: points
            .iter()
            .map(|&(time_frames, value)| Breakpoint {
                time_frames,
                value,
                curve: CurveShape::Linear,
            })
            .collect(),
    }
}

/// Automates a [`full_session`]: the Mono track's fader (a dip with an S-curve and a
/// step), the Stereo track's pan (a bend), its reverb send, its EQ band 1 frequency
/// and its compressor threshold, and the master fader. Returns the session saved and
/// loaded back.
pub fn automate_full_session(loaded: &LoadedSession) -> LoadedSession {
    let mut s = loaded.session.clone();
    let stereo = &s.tracks[0];
    let a = StripId::Track(stereo.id);
    let b = StripId::Track(s.tracks[1].id);
    let send = stereo.strip.sends[0].id;
    let (eq, comp) = (stereo.strip.inserts[0].id, stereo.strip.inserts[1].id);
    let at = |strip, param| ParamId { strip, param };
    let mut lanes = vec![
        lane(
            &mut s,
            at(b, StripParam::GainDb),
            &[(0, 0.0), (6_000, -20.0), (9_000, -3.0), (15_000, 2.0)],
        ),
        lane(
            &mut s,
            at(a, StripParam::Pan),
            &[(1_000, -0.8), (12_000, 0.9)],
        ),
        lane(
            &mut s,
            at(a, StripParam::SendLevelDb(send)),
            &[(0, -30.0), (10_000, 0.0), (20_000, -144.0)],
        ),
        lane(
            &mut s,
            at(
                a,
                StripParam::Insert {
                    insert: eq,
                    key: "band1.freq_hz".into(),
                },
            ),
            &[(0, 80.0), (16_000, 4_000.0)],
        ),
        lane(
            &mut s,
            at(
                a,
                StripParam::Insert {
                    insert: comp,
                    key: "threshold_db".into(),
                },
            ),
            &[(2_000, -10.0), (14_000, -40.0)],
        ),
        lane(
            &mut s,
            at(StripId::Master, StripParam::GainDb),
            &[(0, -2.0), (18_000, -8.0)],
        ),
    ];
    lanes[0].points[1].curve = CurveShape::Smooth;
    lanes[0].points[2].curve = CurveShape::Step;
    lanes[1].points[0].curve = CurveShape::Bend { tension: 0.7 };
    s.automation = lanes;
    let problems = validate(&s);
    assert!(
        problems.is_empty(),
        "the automated session is valid: {problems:?}"
    );
    let path = loaded.base_dir.join("automated.ron");
    save(&s, &path).expect("save");
    load(&path).expect("load")
}

/// Lanes on every track's fader, pan and sends with a point every `every_frames` up to
/// `until_frames`, wandering within ±6 dB (and ±0.5 pan) of the static value: a heavily
/// automated mix for the benchmarks.
pub fn automate_every_track(session: &mut Session, every_frames: u64, until_frames: u64) {
    let mut seed = 0x9E37_79B9u32;
    let mut wander = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as f32 / u32::MAX as f32 * 2.0 - 1.0
    };
    let mut targets = Vec::new();
    for t in &session.tracks {
        let strip = StripId::Track(t.id);
        targets.push((strip, StripParam::GainDb, t.strip.gain_db, 6.0));
        targets.push((strip, StripParam::Pan, t.strip.pan, 0.5));
        for s in &t.strip.sends {
            targets.push((strip, StripParam::SendLevelDb(s.id), s.level_db, 6.0));
        }
    }
    for (strip, param, base, spread) in targets {
        let points: Vec<(u64, f32)> = (0..=until_frames / every_frames)
            .map(|k| {
                let v = base + spread * wander();
                let v = if param == StripParam::Pan {
                    v.clamp(-1.0, 1.0)
                } else {
                    v.clamp(-144.0, 24.0)
                };
                (k * every_frames, v)
            })
            .collect();
        let l = lane(session, ParamId { strip, param }, &points);
        session.automation.push(l);
    }
}
