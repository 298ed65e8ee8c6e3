//! A representative session used by several tests.
#![allow(dead_code, missing_docs)]

use stemdesk_dsp::params::{
    CompressorParams, DelayParams, Detection, EffectParams, EqBand, EqBandKind, EqParams,
    ReverbParams,
};
use stemdesk_session::*;

pub fn sample_session() -> Session {
    let mut s = Session::new(48_000);
    let reverb = BusId(s.alloc_id());
    let delay = BusId(s.alloc_id());
    let drums = TrackId(s.alloc_id());
    let clip = ClipId(s.alloc_id());
    let eq = InsertId(s.alloc_id());
    let comp = InsertId(s.alloc_id());
    let send = SendId(s.alloc_id());
    let rv = InsertId(s.alloc_id());
    let dl = InsertId(s.alloc_id());
    s.buses.push(Bus {
        id: reverb,
        name: "Reverb".into(),
        color: Color(10, 20, 30),
        solo_safe: true,
        strip: Strip {
            inserts: vec![Insert {
                id: rv,
                bypass: false,
                effect: EffectParams::Reverb(ReverbParams {
                    predelay_ms: 20.0,
                    decay_s: 2.0,
                    size: 0.7,
                    damping: 0.3,
                    width: 1.0,
                    mix: 1.0,
                }),
                sidechain: None,
            }],
            ..Strip::default()
        },
    });
    s.buses.push(Bus {
        id: delay,
        name: "Delay".into(),
        color: Color::default(),
        solo_safe: false,
        strip: Strip {
            inserts: vec![Insert {
                id: dl,
                bypass: true,
                effect: EffectParams::Delay(DelayParams {
                    time_ms: 375.0,
                    feedback: 0.5,
                    low_cut_hz: 100.0,
                    high_cut_hz: 8000.0,
                    ping_pong: true,
                    mix: 1.0,
                    sync: stemdesk_dsp::DelaySync::Off,
                }),
                sidechain: None,
            }],
            output: Output::Bus(reverb),
            ..Strip::default()
        },
    });
    s.tracks.push(Track {
        id: drums,
        name: "Drums".into(),
        color: Color(200, 80, 60),
        clips: vec![Clip {
            id: clip,
            source: "audio/drums.wav".into(),
            position_frames: 48_000,
            offset_frames: 100,
            length_frames: 96_000,
            gain_db: -1.5,
            fade_in: Fade {
                length_frames: 480,
                shape: FadeShape::Linear,
            },
            fade_out: Fade {
                length_frames: 4800,
                shape: FadeShape::SCurve,
            },
        }],
        strip: Strip {
            gain_db: -4.0,
            pan: -0.25,
            width: 1.0,
            mute: false,
            solo: true,
            polarity_invert: true,
            inserts: vec![
                Insert {
                    id: eq,
                    bypass: false,
                    effect: EffectParams::Eq(EqParams {
                        bands: vec![EqBand {
                            enabled: true,
                            kind: EqBandKind::Peak,
                            freq_hz: 120.0,
                            gain_db: -3.0,
                            q: 0.7,
                        }],
                        response: stemdesk_dsp::EqResponse::Analog,
                    }),
                    sidechain: None,
                },
                Insert {
                    id: comp,
                    bypass: false,
                    effect: EffectParams::Compressor(CompressorParams {
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
                    sidechain: None,
                },
            ],
            sends: vec![Send {
                id: send,
                target: delay,
                level_db: -12.0,
                pre_fader: false,
            }],
            output: Output::Master,
        },
    });
    s.master.gain_db = -6.0;
    s
}
