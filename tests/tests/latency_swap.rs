//! A graph swap that changes the latency (a limiter added or removed while playing, a
//! sidechain that moves the compensation without changing the total) keeps the output on
//! the timeline: a steady tone through transparent processing comes out as the same tone,
//! with no gap or repeat around the swap.
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use stemdesk_dsp::{EffectKind, EffectParams};
use stemdesk_e2e::track_with_clip;
use stemdesk_engine::{SourceAudio, SourceMap, compile, engine};
use stemdesk_session::*;

const RATE: usize = 48_000;
const FRAMES: usize = 2 * RATE;

fn tone(i: usize) -> f32 {
    0.25 * (std::f32::consts::TAU * 440.0 * i as f32 / RATE as f32).sin()
}

/// The tone (as `t.wav`) and silence (as `silence.wav`), stereo.
fn sources() -> SourceMap {
    let x: Vec<f32> = (0..FRAMES).map(tone).collect();
    let mut sources = SourceMap::new();
    for (name, audio) in [("t.wav", x), ("silence.wav", vec![0.0; FRAMES])] {
        sources.insert(
            resolve_media(Path::new("."), Path::new(name)),
            Arc::new(SourceAudio::new(vec![audio.clone(), audio])),
        );
    }
    sources
}

/// Plays `sessions[0]` live in 256-frame callbacks, swapping to `sessions[k]` at callback
/// `100 * k`, for `100 * sessions.len()` callbacks; returns the left channel.
fn play_with_swaps(sessions: &[&Session], sources: &SourceMap) -> Vec<f32> {
    let build = |s: &Session| compile(s, Path::new("."), sources, 256);
    let (mut handle, mut player) = engine(build(sessions[0]));
    handle.play().expect("queue");
    let mut out = vec![0.0f32; 512];
    let mut got = Vec::new();
    for call in 0..100 * sessions.len() {
        if call > 0 && call % 100 == 0 {
            handle
                .swap_graph(build(sessions[call / 100]))
                .expect("queue");
        }
        player.process_interleaved(&mut out, 2);
        got.extend(out.iter().step_by(2).copied());
        handle.poll();
    }
    got
}

/// Every frame of `got` is the tone, bit for bit.
fn assert_tone(got: &[f32]) {
    let worst = got
        .iter()
        .enumerate()
        .map(|(i, v)| (i, (v - tone(i)).abs()))
        .fold((0, 0.0f32), |a, b| if b.1 > a.1 { b } else { a });
    assert_eq!(
        worst.1, 0.0,
        "frame {} is off the tone by {:e} (swaps every 25600 frames)",
        worst.0, worst.1
    );
}

#[test]
fn adding_or_removing_lookahead_while_playing_keeps_the_tone_whole() {
    let sources = sources();
    let mut plain = Session::new(RATE as u32);
    let t = track_with_clip(&mut plain, "T", "t.wav".into(), FRAMES as u64);
    let strip = StripId::Track(t.id);
    plain.tracks.push(t);
    let mut limited = plain.clone();
    let id = InsertId(limited.alloc_id());
    limited.inserts_mut(strip).expect("strip").push(Insert::new(
        id,
        EffectParams::new_default(EffectKind::Limiter, true),
    ));
    // The centre pan of a stereo clip is unity (balance law) and the limiter never acts
    // on a -12 dBFS tone: every frame, across both swaps and their crossfades, is the tone.
    let got = play_with_swaps(&[&plain, &limited, &plain], &sources);
    assert_eq!(got.len(), 300 * 256);
    assert_tone(&got);
}

#[test]
fn keying_a_track_while_playing_moves_its_compensation_without_a_gap() {
    // The pad plays a tone; the kick is silent but has a limiter (96 frames of lookahead),
    // so the pad is delayed 96 frames on its way to the master. Keying the pad's
    // (transparent) compressor from the kick moves those 96 frames to the pad's input:
    // the same total latency, different delays, which must be primed, not start silent.
    let sources = sources();
    let mut plain = Session::new(RATE as u32);
    let kick_track = track_with_clip(&mut plain, "Kick", "silence.wav".into(), FRAMES as u64);
    let pad_track = track_with_clip(&mut plain, "Pad", "t.wav".into(), FRAMES as u64);
    let (kick, pad) = (StripId::Track(kick_track.id), StripId::Track(pad_track.id));
    plain.tracks.push(kick_track);
    plain.tracks.push(pad_track);
    let limiter = InsertId(plain.alloc_id());
    plain.inserts_mut(kick).expect("kick").push(Insert::new(
        limiter,
        EffectParams::new_default(EffectKind::Limiter, true),
    ));
    let comp = InsertId(plain.alloc_id());
    let mut transparent = EffectParams::new_default(EffectKind::Compressor, false);
    transparent.set("threshold_db", 0.0).expect("key");
    transparent.set("makeup_db", 0.0).expect("key");
    plain
        .inserts_mut(pad)
        .expect("pad")
        .push(Insert::new(comp, transparent));
    let mut keyed = plain.clone();
    keyed
        .apply(&Edit::SetInsertSidechain {
            strip: pad,
            insert: comp,
            source: Some(kick),
        })
        .expect("key the pad");
    let build = |s: &Session| compile(s, Path::new("."), &sources, 256);
    assert_eq!(
        build(&plain).latency_frames(),
        build(&keyed).latency_frames(),
        "the same total latency"
    );
    assert_tone(&play_with_swaps(&[&plain, &keyed], &sources));
}
