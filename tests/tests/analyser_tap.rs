//! The analyser tap: while an EQ's editor is open, the audio thread hands what enters and
//! leaves that EQ to the GUI through a lock-free queue. Measured here: a 1 kHz tone through
//! a -12 dB bell at 1 kHz arrives as input and output 12 dB apart; the tap follows graph
//! swaps; switched off, nothing arrives; tapping what is not an EQ is refused.
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use stemdesk_dsp::params::{EqBand, EqBandKind, EqParams};
use stemdesk_dsp::{EffectKind, EffectParams, EqResponse};
use stemdesk_e2e::track_with_clip;
use stemdesk_engine::live::Event;
use stemdesk_engine::{SourceAudio, SourceMap, compile, engine};
use stemdesk_session::*;

const RATE: usize = 48_000;
const FRAMES: usize = 4 * RATE;

fn tone() -> SourceMap {
    let x: Vec<f32> = (0..FRAMES)
        .map(|i| 0.5 * (std::f32::consts::TAU * 1000.0 * i as f32 / RATE as f32).sin())
        .collect();
    let mut sources = SourceMap::new();
    sources.insert(
        resolve_media(Path::new("."), Path::new("tone.wav")),
        Arc::new(SourceAudio::new(vec![x.clone(), x])),
    );
    sources
}

fn cut_at_1k() -> EffectParams {
    EffectParams::Eq(EqParams {
        bands: vec![EqBand {
            enabled: true,
            kind: EqBandKind::Peak,
            freq_hz: 1000.0,
            gain_db: -12.0,
            q: 1.0,
        }],
        response: EqResponse::Analog,
    })
}

fn rms_db(x: impl Iterator<Item = f32>) -> f64 {
    let (mut sum, mut n) = (0.0f64, 0usize);
    for v in x {
        sum += f64::from(v).powi(2);
        n += 1;
    }
    10.0 * (sum / n.max(1) as f64).max(1e-30).log10()
}

#[test]
fn the_tapped_eq_reports_its_input_and_output() {
    let sources = tone();
    let mut session = Session::new(RATE as u32);
    let track = track_with_clip(&mut session, "Tone", "tone.wav".into(), FRAMES as u64);
    let strip = StripId::Track(track.id);
    session.tracks.push(track);
    let eq = InsertId(session.alloc_id());
    let comp = InsertId(session.alloc_id());
    session.tracks[0].strip.inserts = vec![
        Insert::new(eq, cut_at_1k()),
        Insert::new(
            comp,
            EffectParams::new_default(EffectKind::Compressor, false),
        ),
    ];
    let build = |s: &Session| compile(s, Path::new("."), &sources, 256);
    let (mut handle, mut player) = engine(build(&session));
    let mut out = vec![0.0f32; 512];
    let mut run = |player: &mut stemdesk_engine::Player, blocks: usize| {
        for _ in 0..blocks {
            player.process_interleaved(&mut out, 2);
        }
    };
    let seq = handle.tap_insert(Some((strip, comp))).expect("queue");
    handle.play().expect("queue");
    run(&mut player, 1);
    assert!(
        handle.poll().contains(&Event::UnknownTarget { seq }),
        "only EQs are tapped"
    );
    handle.tap_insert(Some((strip, eq))).expect("queue");
    run(&mut player, 200);
    let mut pairs = Vec::new();
    handle.drain_insert_tap(&mut pairs);
    assert_eq!(pairs.len(), 200 * 256 * 2, "every frame played, as pairs");
    // Past the filter's settling, input and output differ by the bell's 12 dB.
    let settled = &pairs[2 * 4800..];
    let pre = rms_db(settled.iter().step_by(2).copied());
    let post = rms_db(settled.iter().skip(1).step_by(2).copied());
    eprintln!("tap: input {pre:.2} dB, output {post:.2} dB");
    assert!((pre - (-9.03)).abs() < 0.05, "a 0.5 sine: {pre}");
    assert!((pre - post - 12.0).abs() < 0.1, "{pre} -> {post}");
    // A graph swap keeps the tap.
    handle.swap_graph(build(&session)).expect("queue");
    handle.poll();
    run(&mut player, 20);
    pairs.clear();
    handle.drain_insert_tap(&mut pairs);
    assert_eq!(pairs.len(), 20 * 256 * 2, "after a swap");
    // Off: nothing more.
    handle.tap_insert(None).expect("queue");
    run(&mut player, 20);
    pairs.clear();
    handle.drain_insert_tap(&mut pairs);
    assert!(pairs.len() <= 2 * 256, "off: {} samples", pairs.len());
}
