//! `stemdesk example`: writes the bundled example project, made entirely by Stemdesk's own
//! synthesiser so it can be shipped and regenerated.

use std::path::{Path, PathBuf};

use anyhow::bail;
use stemdesk_dsp::params::{
    CompressorParams, DelayParams, Detection, EffectParams, EqBand, EqBandKind, EqParams,
    GateParams, ReverbParams,
};
use stemdesk_media::{SampleFormat, WavWriter};
use stemdesk_session::{
    Bus, BusId, Clip, ClipId, Color, Insert, InsertId, Send, SendId, Session, Strip, Track, TrackId,
};

use super::new::PALETTE;
use super::synth::{self, RATE_HZ};

/// File name of the example session inside its folder.
pub const SESSION_FILE: &str = "demo.ron";

/// Writes the stems under `dir/audio/` and the session as `dir/demo.ron`.
pub fn run(dir: &Path, force: bool) -> anyhow::Result<()> {
    let session_path = dir.join(SESSION_FILE);
    let stems = synth::stems();
    let stem_paths: Vec<PathBuf> = stems
        .iter()
        .map(|s| dir.join("audio").join(format!("{}.wav", s.name)))
        .collect();
    if !force
        && let Some(existing) = std::iter::once(&session_path)
            .chain(&stem_paths)
            .find(|p| p.exists())
    {
        bail!(
            "{} already exists; use --force to replace it",
            existing.display()
        );
    }
    std::fs::create_dir_all(dir.join("audio"))
        .map_err(|e| anyhow::anyhow!("{}: cannot create the folder: {e}", dir.display()))?;
    for (stem, path) in stems.iter().zip(&stem_paths) {
        write_stem(path, &stem.channels)?;
    }
    let session = session(&stems.iter().map(|s| s.name).collect::<Vec<_>>());
    stemdesk_session::save(&session, &session_path)?;
    println!("wrote {} and {} stems", session_path.display(), stems.len());
    Ok(())
}

fn write_stem(path: &Path, channels: &[Vec<f32>]) -> anyhow::Result<()> {
    let frames = channels.first().map_or(0, Vec::len);
    let mut interleaved = Vec::with_capacity(frames * channels.len());
    for i in 0..frames {
        interleaved.extend(channels.iter().map(|c| c[i]));
    }
    let mut w = WavWriter::create(path, RATE_HZ, channels.len() as u16, SampleFormat::Int16)?;
    w.write_interleaved(&interleaved)?;
    w.finalize()?;
    Ok(())
}

fn peak(freq_hz: f32, gain_db: f32, q: f32) -> EqBand {
    band(EqBandKind::Peak, freq_hz, gain_db, q)
}

fn band(kind: EqBandKind, freq_hz: f32, gain_db: f32, q: f32) -> EqBand {
    EqBand {
        enabled: true,
        kind,
        freq_hz,
        gain_db,
        q,
    }
}

fn comp(
    threshold_db: f32,
    ratio: f32,
    attack_ms: f32,
    release_ms: f32,
    makeup_db: f32,
) -> EffectParams {
    EffectParams::Compressor(CompressorParams {
        threshold_db,
        ratio,
        knee_db: 6.0,
        attack_ms,
        release_ms,
        makeup_db,
        detection: Detection::Peak,
        lookahead_ms: 0.0,
        sidechain_hpf_hz: 20.0,
        mix: 1.0,
    })
}

/// The example mix: EQ and compression on every track, a gate on the drums, a reverb and a
/// ping-pong delay bus fed by post-fader sends.
fn session(stem_names: &[&str]) -> Session {
    let mut s = Session::new(RATE_HZ);
    let reverb = BusId(s.alloc_id());
    let delay = BusId(s.alloc_id());
    let id = |s: &mut Session| s.alloc_id();
    let reverb_insert = InsertId(id(&mut s));
    s.buses.push(Bus {
        id: reverb,
        name: "Reverb".into(),
        color: Color(0x4f, 0x6d, 0x8f),
        solo_safe: true,
        strip: Strip {
            gain_db: -2.0,
            inserts: vec![Insert {
                id: reverb_insert,
                bypass: false,
                effect: EffectParams::Reverb(ReverbParams {
                    predelay_ms: 25.0,
                    decay_s: 2.2,
                    size: 0.8,
                    damping: 0.4,
                    width: 1.0,
                    mix: 1.0,
                }),
                sidechain: None,
            }],
            ..Strip::default()
        },
    });
    let delay_insert = InsertId(id(&mut s));
    s.buses.push(Bus {
        id: delay,
        name: "Delay".into(),
        color: Color(0x6f, 0x5a, 0x8f),
        solo_safe: true,
        strip: Strip {
            gain_db: -4.0,
            inserts: vec![Insert {
                id: delay_insert,
                bypass: false,
                effect: EffectParams::Delay(DelayParams {
                    time_ms: 375.0,
                    feedback: 0.45,
                    low_cut_hz: 250.0,
                    high_cut_hz: 5000.0,
                    ping_pong: true,
                    mix: 1.0,
                    sync: stemdesk_dsp::DelaySync::Off,
                }),
                sidechain: None,
            }],
            ..Strip::default()
        },
    });
    for (i, name) in stem_names.iter().enumerate() {
        let (gain_db, pan, eq, dynamics, reverb_db, delay_db): (
            f32,
            f32,
            Vec<EqBand>,
            Vec<EffectParams>,
            f32,
            Option<f32>,
        ) = match *name {
            "drums" => (
                -3.0,
                0.0,
                vec![
                    band(EqBandKind::HighPass12, 35.0, 0.0, 0.707),
                    peak(100.0, 2.0, 0.9),
                    peak(3500.0, 1.5, 0.8),
                ],
                vec![
                    EffectParams::Gate(GateParams {
                        threshold_db: -45.0,
                        range_db: -30.0,
                        attack_ms: 1.0,
                        hold_ms: 30.0,
                        release_ms: 120.0,
                        hysteresis_db: 4.0,
                        key_hpf_hz: stemdesk_dsp::KEY_HPF_OFF_HZ,
                        key_lpf_hz: stemdesk_dsp::KEY_LPF_OFF_HZ,
                    }),
                    comp(-14.0, 3.0, 8.0, 120.0, 2.0),
                ],
                -16.0,
                None,
            ),
            "bass" => (
                -4.0,
                0.0,
                vec![
                    band(EqBandKind::HighPass24, 30.0, 0.0, 0.707),
                    peak(220.0, -2.0, 1.2),
                    band(EqBandKind::LowPass12, 4000.0, 0.0, 0.707),
                ],
                vec![comp(-18.0, 4.0, 15.0, 150.0, 3.0)],
                -40.0,
                None,
            ),
            "chords" => (
                -7.0,
                0.0,
                vec![
                    band(EqBandKind::HighPass12, 150.0, 0.0, 0.707),
                    band(EqBandKind::HighShelf, 6000.0, 2.0, 0.707),
                ],
                vec![comp(-20.0, 2.0, 30.0, 250.0, 1.0)],
                -10.0,
                None,
            ),
            _ => (
                -5.0,
                0.25,
                vec![
                    band(EqBandKind::HighPass12, 200.0, 0.0, 0.707),
                    peak(2500.0, 2.5, 1.0),
                ],
                vec![comp(-20.0, 3.0, 5.0, 100.0, 2.0)],
                -12.0,
                Some(-10.0),
            ),
        };
        let track = TrackId(id(&mut s));
        let clip = ClipId(id(&mut s));
        let mut inserts = vec![Insert {
            id: InsertId(id(&mut s)),
            bypass: false,
            effect: EffectParams::Eq(EqParams {
                bands: eq,
                response: stemdesk_dsp::EqResponse::Analog,
            }),
            sidechain: None,
        }];
        for d in dynamics {
            inserts.push(Insert {
                id: InsertId(id(&mut s)),
                bypass: false,
                effect: d,
                sidechain: None,
            });
        }
        let mut sends = vec![Send {
            id: SendId(id(&mut s)),
            target: reverb,
            level_db: reverb_db,
            pre_fader: false,
        }];
        if let Some(level_db) = delay_db {
            sends.push(Send {
                id: SendId(id(&mut s)),
                target: delay,
                level_db,
                pre_fader: false,
            });
        }
        s.tracks.push(Track {
            id: track,
            name: name[..1].to_uppercase() + &name[1..],
            color: PALETTE[(i * 2) % PALETTE.len()],
            clips: vec![Clip {
                id: clip,
                source: PathBuf::from("audio").join(format!("{name}.wav")),
                position_frames: 0,
                offset_frames: 0,
                length_frames: synth::frames() as u64,
                gain_db: 0.0,
                fade_in: Default::default(),
                fade_out: Default::default(),
            }],
            strip: Strip {
                gain_db,
                pan,
                inserts,
                sends,
                ..Strip::default()
            },
        });
    }
    s.master.gain_db = -4.0;
    s
}
