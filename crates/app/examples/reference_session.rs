//! Writes the reference mixing job of `../shared/bench/README.md` as a Stemdesk session:
//! `cargo run --release -p stemdesk --example reference_session -- OUT.ron STEM.wav...`
//! Stems are not decoded: their length is read from the WAV header (hound).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use stemdesk_dsp::params::*;
use stemdesk_session::*;

fn main() -> anyhow::Result<()> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let Some((out, stems)) = args.split_first() else {
        bail!("usage: reference_session OUT.ron STEM.wav...");
    };
    let session = reference_session(out, stems)?;
    save(&session, out)?;
    println!("wrote {} ({} tracks)", out.display(), session.tracks.len());
    Ok(())
}

fn wav_info(path: &Path) -> anyhow::Result<(u32, u64)> {
    let r =
        hound::WavReader::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Ok((r.spec().sample_rate, u64::from(r.duration())))
}

fn reference_session(out: &Path, stems: &[PathBuf]) -> anyhow::Result<Session> {
    let (rate, _) = wav_info(&stems[0])?;
    let mut s = Session::new(rate);
    let base = std::path::absolute(out.parent().unwrap_or(Path::new(".")))?;
    let reverb = BusId(s.alloc_id());
    let delay = BusId(s.alloc_id());
    let insert = |s: &mut Session, effect| Insert {
        id: InsertId(s.alloc_id()),
        bypass: false,
        effect,
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
    s.buses.push(Bus {
        id: reverb,
        name: "Reverb".into(),
        color: Color::default(),
        solo_safe: true,
        strip: Strip {
            inserts: vec![rv],
            ..Strip::default()
        },
    });
    let dl = insert(
        &mut s,
        EffectParams::Delay(DelayParams {
            time_ms: 375.0,
            feedback: 0.5,
            low_cut_hz: 20.0,
            high_cut_hz: 20_000.0,
            ping_pong: false,
            mix: 1.0,
        }),
    );
    s.buses.push(Bus {
        id: delay,
        name: "Delay".into(),
        color: Color::default(),
        solo_safe: true,
        strip: Strip {
            inserts: vec![dl],
            ..Strip::default()
        },
    });
    let n = stems.len();
    for (i, path) in stems.iter().enumerate() {
        let (_, frames) = wav_info(path)?;
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
            name: path
                .file_stem()
                .map(|x| x.to_string_lossy().into_owned())
                .unwrap_or_default(),
            color: Color::default(),
            clips: vec![Clip {
                id: clip,
                source: relative_to(&base, &std::path::absolute(path)?),
                position_frames: 0,
                offset_frames: 0,
                length_frames: frames,
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
    Ok(s)
}
