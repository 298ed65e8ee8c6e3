//! Sidechains: a compressor or gate listens to another track or bus (after its inserts,
//! before its mute and fader). A muted "ghost" kick ducks a pad; the key stays aligned when
//! lookahead delays its source; a bus can key a track; a loop through a sidechain is
//! refused by name; removing the source returns the insert to its own input.
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use stemdesk_dsp::params::{CompressorParams, Detection, GateParams};
use stemdesk_dsp::{EffectKind, EffectParams, KEY_HPF_OFF_HZ, KEY_LPF_OFF_HZ};
use stemdesk_e2e::{add_bus, append_insert, render_in_blocks, track_with_clip};
use stemdesk_engine::{SourceAudio, SourceMap, Threads, compile};
use stemdesk_session::*;

const RATE: usize = 48_000;
const FRAMES: usize = 2 * RATE;
/// The kick: a 60 Hz burst of 100 ms every 500 ms, starting at 250 ms.
const KICK_EVERY: usize = RATE / 2;
const KICK_LEN: usize = RATE / 10;
const KICK_AT: usize = RATE / 4;

fn kick() -> Vec<Vec<f32>> {
    let x: Vec<f32> = (0..FRAMES)
        .map(|i| {
            let t = (i + KICK_EVERY - KICK_AT) % KICK_EVERY;
            if i >= KICK_AT && t < KICK_LEN {
                0.5 * (std::f32::consts::TAU * 60.0 * t as f32 / RATE as f32).sin()
            } else {
                0.0
            }
        })
        .collect();
    vec![x.clone(), x]
}

/// A steady 440 Hz pad at -12 dBFS.
fn pad_audio() -> Vec<Vec<f32>> {
    let x: Vec<f32> = (0..FRAMES)
        .map(|i| 0.25 * (std::f32::consts::TAU * 440.0 * i as f32 / RATE as f32).sin())
        .collect();
    vec![x.clone(), x]
}

struct Desk {
    session: Session,
    sources: SourceMap,
}

impl Desk {
    fn new() -> Self {
        let mut sources = SourceMap::new();
        for (name, audio) in [("kick.wav", kick()), ("pad.wav", pad_audio())] {
            sources.insert(
                resolve_media(Path::new("."), Path::new(name)),
                Arc::new(SourceAudio::new(audio)),
            );
        }
        Desk {
            session: Session::new(RATE as u32),
            sources,
        }
    }

    fn track(&mut self, file: &str) -> StripId {
        let t = track_with_clip(&mut self.session, file, file.into(), FRAMES as u64);
        let id = t.id;
        self.session.tracks.push(t);
        StripId::Track(id)
    }

    fn bus(&mut self) -> BusId {
        add_bus(&mut self.session, "")
    }

    fn insert(&mut self, strip: StripId, effect: EffectParams) -> InsertId {
        let id = InsertId(self.session.alloc_id());
        append_insert(&mut self.session, strip, Insert::new(id, effect));
        id
    }

    fn key(&mut self, strip: StripId, insert: InsertId, source: Option<StripId>) {
        self.edit(Edit::SetInsertSidechain {
            strip,
            insert,
            source,
        });
    }

    fn edit(&mut self, e: Edit) {
        self.session.apply(&e).expect("valid edit");
    }

    /// Renders the whole session in blocks of `block`.
    fn render(&self, block: usize, threads: Threads) -> Vec<f32> {
        let mut g = compile(&self.session, Path::new("."), &self.sources, block);
        let [l, _] = render_in_blocks(&mut g, FRAMES, &[block], threads);
        l
    }
}

impl Desk {
    /// Renders the whole session as a bounce does: [`Graph::render_each`] on the pool,
    /// where the buses of a block may overlap the tracks of the next.
    fn bounce(&self, block: usize) -> Vec<f32> {
        let mut g = compile(&self.session, Path::new("."), &self.sources, block);
        let mut out = Vec::new();
        g.render_each(0, FRAMES as u64, block, Threads::Pool, |l, _| {
            out.extend_from_slice(l);
            Ok::<(), ()>(())
        })
        .expect("no sink error");
        out
    }
}

/// A ducking compressor: -30 dB threshold, 10:1, 1 ms attack, 20 ms release.
fn ducker() -> EffectParams {
    EffectParams::Compressor(CompressorParams {
        threshold_db: -30.0,
        ratio: 10.0,
        knee_db: 0.0,
        attack_ms: 1.0,
        release_ms: 20.0,
        makeup_db: 0.0,
        detection: Detection::Peak,
        lookahead_ms: 0.0,
        sidechain_hpf_hz: 20.0,
        mix: 1.0,
    })
}

/// A gate that lets through only while its key is above -40 dBFS.
fn keyed_gate() -> EffectParams {
    EffectParams::Gate(GateParams {
        threshold_db: -40.0,
        range_db: -80.0,
        attack_ms: 0.5,
        hold_ms: 0.0,
        release_ms: 5.0,
        hysteresis_db: 3.0,
        key_hpf_hz: KEY_HPF_OFF_HZ,
        key_lpf_hz: KEY_LPF_OFF_HZ,
    })
}

fn rms_db(x: &[f32]) -> f64 {
    let ms = x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len() as f64;
    10.0 * ms.max(1e-30).log10()
}

/// The RMS (dB) of 60 ms in the second kick, and of 100 ms from 200 ms after it.
fn during_and_between(x: &[f32]) -> (f64, f64) {
    let hit = KICK_AT + KICK_EVERY;
    let during = &x[hit + RATE / 50..hit + RATE / 50 * 4];
    let gap = hit + KICK_LEN + RATE / 5;
    let between = &x[gap..gap + RATE / 10];
    (rms_db(during), rms_db(between))
}

#[test]
fn a_muted_kick_ducks_the_pad_through_a_keyed_compressor() {
    let mut d = Desk::new();
    let kick = d.track("kick.wav");
    let pad = d.track("pad.wav");
    d.edit(Edit::SetMute {
        strip: kick,
        mute: true,
    });
    let comp = d.insert(pad, ducker());
    // Listening to itself, the compressor holds the -12 dBFS pad down all the time.
    let own = d.render(512, Threads::Single);
    d.key(pad, comp, Some(kick));
    let keyed = d.render(512, Threads::Single);
    let (own_during, own_between) = during_and_between(&own);
    let (during, between) = during_and_between(&keyed);
    let unprocessed = rms_db(&pad_audio()[0][..RATE / 10]);
    eprintln!(
        "own key: {own_during:.1} / {own_between:.1} dB; kick key: {during:.1} dB during a \
         hit, {between:.1} dB between (the pad alone: {unprocessed:.1} dB)"
    );
    assert!(own_between < unprocessed - 10.0, "own input compresses");
    assert!(
        (between - unprocessed).abs() < 0.1,
        "between hits the pad is untouched: {between} vs {unprocessed}"
    );
    assert!(during < unprocessed - 10.0, "a hit ducks the pad: {during}");
    // The muted kick itself is not heard: the output is the pad alone, ducked.
    let mut pad_only = Desk::new();
    pad_only.track("kick.wav");
    pad_only.track("pad.wav");
    pad_only.session.tracks[0].strip.mute = true;
    assert!(rms_db(&pad_only.render(512, Threads::Single)[..KICK_AT]) > unprocessed - 0.1);
    // The same, block for block and thread for thread.
    assert_eq!(d.render(7, Threads::Single), keyed, "blocks of 7");
    assert_eq!(d.render(4096, Threads::Pool), keyed, "a bounce");
}

#[test]
fn the_key_stays_aligned_when_lookahead_delays_its_source() {
    // The pad is gated by the kick: it sounds exactly while the kick does. A limiter on the
    // (muted) kick delays the kick by its lookahead but never touches its level (0.5 peak
    // is under the -1 dB ceiling): the gated pad must come out the same, sample for sample.
    let plain = {
        let mut d = Desk::new();
        let kick = d.track("kick.wav");
        let pad = d.track("pad.wav");
        d.session.tracks[0].strip.mute = true;
        let gate = d.insert(pad, keyed_gate());
        d.key(pad, gate, Some(kick));
        d.render(512, Threads::Single)
    };
    let (during, between) = during_and_between(&plain);
    // The gate's range is -80 dB: the pad (-15 dB RMS) falls to -95 dB between hits.
    assert!(during > -16.0 && between < -90.0, "{during} / {between}");
    let mut d = Desk::new();
    let kick = d.track("kick.wav");
    let pad = d.track("pad.wav");
    d.session.tracks[0].strip.mute = true;
    d.insert(kick, EffectParams::new_default(EffectKind::Limiter, true));
    let gate = d.insert(pad, keyed_gate());
    d.key(pad, gate, Some(kick));
    assert_eq!(
        d.render(512, Threads::Single),
        plain,
        "limiter on the source"
    );
    // Lookahead after the keyed gate on the pad's own strip changes nothing either.
    d.insert(pad, EffectParams::new_default(EffectKind::Limiter, true));
    assert_eq!(
        d.render(300, Threads::Pool),
        plain,
        "and on the keyed strip"
    );
    // Lookahead before the gate on the pad (the key is the one delayed then).
    let mut d = Desk::new();
    let kick = d.track("kick.wav");
    let pad = d.track("pad.wav");
    d.session.tracks[0].strip.mute = true;
    d.insert(pad, EffectParams::new_default(EffectKind::Limiter, true));
    let gate = d.insert(pad, keyed_gate());
    d.key(pad, gate, Some(kick));
    assert_eq!(
        d.render(512, Threads::Single),
        plain,
        "limiter before the gate"
    );
}

/// The kick goes through a muted drum bus; the pad's compressor listens to the bus.
fn pad_keyed_by_a_drum_bus(d: &mut Desk) {
    let kick = d.track("kick.wav");
    let pad = d.track("pad.wav");
    let drums = d.bus();
    d.edit(Edit::SetOutput {
        strip: kick,
        output: Output::Bus(drums),
    });
    d.edit(Edit::SetMute {
        strip: StripId::Bus(drums),
        mute: true,
    });
    let comp = d.insert(pad, ducker());
    d.key(pad, comp, Some(StripId::Bus(drums)));
}

#[test]
fn a_bus_keys_a_track() {
    let mut d = Desk::new();
    pad_keyed_by_a_drum_bus(&mut d);
    let keyed = d.render(512, Threads::Single);
    let (during, between) = during_and_between(&keyed);
    let unprocessed = rms_db(&pad_audio()[0][..RATE / 10]);
    assert!((between - unprocessed).abs() < 0.1, "{between}");
    assert!(during < unprocessed - 10.0, "{during}");
    assert_eq!(d.render(64, Threads::Pool), keyed);
}

#[test]
fn a_loop_through_a_sidechain_is_refused_by_name() {
    let mut d = Desk::new();
    let kick = d.track("kick.wav");
    let drums = d.bus();
    d.edit(Edit::SetOutput {
        strip: kick,
        output: Output::Bus(drums),
    });
    let comp = d.insert(kick, ducker());
    let err = d
        .session
        .apply(&Edit::SetInsertSidechain {
            strip: kick,
            insert: comp,
            source: Some(StripId::Bus(drums)),
        })
        .expect_err("the kick feeds the bus it would listen to");
    assert!(
        d.session.downstream_of(kick).contains(&StripId::Bus(drums)),
        "what the desk greys out"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("kick.wav") && msg.contains(&format!("Bus {}", drums.0)),
        "{msg}"
    );
    assert!(msg.contains("sidechain"), "{msg}");
    // Only compressors and gates listen.
    let eq = d.insert(kick, EffectParams::new_default(EffectKind::Eq, false));
    let other = d.track("pad.wav");
    assert!(
        d.session
            .apply(&Edit::SetInsertSidechain {
                strip: kick,
                insert: eq,
                source: Some(other),
            })
            .is_err(),
        "an EQ has no sidechain"
    );
    // Its own strip, and the master, are refused too.
    for source in [kick, StripId::Master] {
        assert!(
            d.session
                .apply(&Edit::SetInsertSidechain {
                    strip: kick,
                    insert: comp,
                    source: Some(source),
                })
                .is_err(),
            "{source:?}"
        );
    }
}

#[test]
fn removing_the_source_returns_the_insert_to_its_own_input_and_undo_brings_it_back() {
    let mut d = Desk::new();
    let kick = d.track("kick.wav");
    let pad = d.track("pad.wav");
    let comp = d.insert(pad, ducker());
    let mut history = History::new(d.session.clone());
    let sidechain = |s: &Session| {
        s.inserts(pad)
            .and_then(|i| i.iter().find(|i| i.id == comp))
            .and_then(|i| i.sidechain)
    };
    history
        .apply(&Edit::SetInsertSidechain {
            strip: pad,
            insert: comp,
            source: Some(kick),
        })
        .expect("key");
    assert_eq!(sidechain(history.session()), Some(kick));
    let StripId::Track(kick_id) = kick else {
        unreachable!()
    };
    history.apply(&Edit::RemoveTrack(kick_id)).expect("remove");
    assert_eq!(sidechain(history.session()), None);
    assert!(validate(history.session()).is_empty());
    assert!(!history.undo().is_empty());
    assert_eq!(sidechain(history.session()), Some(kick));
    assert!(!history.undo().is_empty());
    assert_eq!(sidechain(history.session()), None);
    assert!(!history.redo().is_empty());
    // Saved and loaded, the key is kept.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.ron");
    save(history.session(), &path).expect("save");
    assert_eq!(sidechain(&load(&path).expect("load").session), Some(kick));
}

#[test]
fn stop_clears_a_delayed_keyed_track_and_stems_keep_the_session_order() {
    // The pad comes first in the session and is keyed from the kick, whose limiter makes
    // the key 96 frames late: the pad is delayed at its input, and processed after the kick.
    let build = || {
        let mut d = Desk::new();
        let pad = d.track("pad.wav");
        let kick = d.track("kick.wav");
        d.insert(kick, EffectParams::new_default(EffectKind::Limiter, true));
        let comp = d.insert(pad, ducker());
        d.key(pad, comp, Some(kick));
        d.insert(pad, EffectParams::new_default(EffectKind::Reverb, false));
        (d, pad, kick)
    };
    let (d, pad, kick) = build();
    let mut g = compile(&d.session, Path::new("."), &d.sources, 512);
    assert_eq!(
        g.stem_strips(),
        vec![pad, kick],
        "stems in the session's order"
    );
    // Play a while, stop (reset), play from elsewhere: the same as a fresh graph there
    // (nothing of the old position comes out of the pad's input delay into its reverb).
    let (mut l, mut r) = (vec![0.0; 20_000], vec![0.0; 20_000]);
    g.render(0, &mut l, &mut r, Threads::Single);
    g.reset();
    let from = 60_000;
    g.render(from, &mut l, &mut r, Threads::Single);
    let mut fresh = compile(&d.session, Path::new("."), &d.sources, 512);
    let (mut fl, mut fr) = (vec![0.0; 20_000], vec![0.0; 20_000]);
    fresh.render(from, &mut fl, &mut fr, Threads::Single);
    assert_eq!(l, fl, "after a stop");
    assert_eq!(r, fr);
}

#[test]
fn a_bounce_equals_the_render_whoever_keys_whom() {
    // The bounce overlaps a block's buses with the next block's tracks only where no bus
    // hears a track through a sidechain and no track hears a bus. Each arrangement must
    // bounce exactly as it renders block by block on one thread, and duck.
    let unprocessed = rms_db(&pad_audio()[0][..RATE / 10]);
    type Arrange = fn(&mut Desk);
    let arrangements: [(&str, Arrange); 3] = [
        ("a bus keyed by a track", |d| {
            let kick = d.track("kick.wav");
            let pad = d.track("pad.wav");
            d.edit(Edit::SetMute {
                strip: kick,
                mute: true,
            });
            let pads = d.bus();
            d.edit(Edit::SetOutput {
                strip: pad,
                output: Output::Bus(pads),
            });
            let comp = d.insert(StripId::Bus(pads), ducker());
            d.key(StripId::Bus(pads), comp, Some(kick));
        }),
        ("a bus keyed by a bus", |d| {
            let kick = d.track("kick.wav");
            let pad = d.track("pad.wav");
            let (drums, pads) = (d.bus(), d.bus());
            for (strip, bus) in [(kick, drums), (pad, pads)] {
                d.edit(Edit::SetOutput {
                    strip,
                    output: Output::Bus(bus),
                });
            }
            d.edit(Edit::SetMute {
                strip: StripId::Bus(drums),
                mute: true,
            });
            let comp = d.insert(StripId::Bus(pads), ducker());
            d.key(StripId::Bus(pads), comp, Some(StripId::Bus(drums)));
        }),
        ("a track keyed by a bus", pad_keyed_by_a_drum_bus),
    ];
    for (what, arrange) in arrangements {
        let mut d = Desk::new();
        arrange(&mut d);
        let rendered = d.render(512, Threads::Single);
        let (during, between) = during_and_between(&rendered);
        assert!((between - unprocessed).abs() < 0.1, "{what}: {between}");
        assert!(during < unprocessed - 10.0, "{what} ducks: {during}");
        for block in [512, 4096, 333] {
            let bounced = d.bounce(block);
            let differs = bounced
                .iter()
                .zip(&rendered)
                .position(|(a, b)| a.to_bits() != b.to_bits());
            assert_eq!(bounced.len(), rendered.len(), "{what}, blocks of {block}");
            assert_eq!(differs, None, "{what}, blocks of {block}");
        }
    }
}
