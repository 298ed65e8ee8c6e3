//! A delay synced to a note follows the session's tempo: an impulse through it returns
//! exactly one note later at the tempo the session holds, and a tempo edit reaches a
//! playing engine (it recompiles, and the new graph keeps the delay's state).
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use stemdesk_dsp::{DelaySync, EffectKind, EffectParams};
use stemdesk_e2e::track_with_clip;
use stemdesk_engine::live::{SyncPlan, plan_changes};
use stemdesk_engine::{SourceAudio, SourceMap, Threads, compile};
use stemdesk_session::*;

const FRAMES: usize = 96_000;
/// Where the impulse is (clear of any clip fade).
const AT: usize = 1000;

/// A session with one track playing an impulse through a 1/4-note delay (100 % wet, no
/// feedback, no filters) at `bpm`.
fn session(bpm: f64) -> (Session, SourceMap) {
    let mut impulse = vec![0.0f32; FRAMES];
    impulse[AT] = 1.0;
    let mut sources = SourceMap::new();
    sources.insert(
        resolve_media(Path::new("."), Path::new("i.wav")),
        Arc::new(SourceAudio::new(vec![impulse])),
    );
    let mut s = Session::new(48_000);
    s.timeline.tempo_bpm = bpm;
    let mut delay = EffectParams::new_default(EffectKind::Delay, false);
    delay.set("feedback", 0.0).expect("key");
    // Filters off: the echo is the impulse itself, one sample wide.
    delay.set("low_cut_hz", 20.0).expect("key");
    delay.set("high_cut_hz", 20_000.0).expect("key");
    delay.set("sync", 2.0).expect("key"); // 1/4
    if let EffectParams::Delay(d) = &delay {
        assert_eq!(d.sync, DelaySync::Quarter);
    }
    let insert = Insert {
        id: InsertId(s.alloc_id()),
        bypass: false,
        effect: delay,
        sidechain: None,
    };
    let mut t = track_with_clip(&mut s, "Click", "i.wav".into(), FRAMES as u64);
    t.strip.inserts.push(insert);
    s.tracks.push(t);
    (s, sources)
}

fn echo_at(s: &Session, sources: &SourceMap) -> usize {
    let mut g = compile(s, Path::new("."), sources, 512);
    let (mut l, mut r) = (vec![0.0; FRAMES], vec![0.0; FRAMES]);
    g.render(0, &mut l, &mut r, Threads::Single);
    (0..FRAMES)
        .max_by(|&a, &b| l[a].abs().total_cmp(&l[b].abs()))
        .expect("frames")
}

#[test]
fn a_quarter_note_delay_follows_the_session_tempo() {
    for (bpm, frames) in [(120.0, 24_000), (90.0, 32_000), (150.0, 19_200)] {
        let (s, sources) = session(bpm);
        assert_eq!(echo_at(&s, &sources), AT + frames, "{bpm} BPM");
    }
}

#[test]
fn a_tempo_edit_reaches_a_playing_engine() {
    let (mut s, _) = session(120.0);
    let edit = Edit::SetTempo {
        tempo_bpm: 100.0,
        beats_per_bar: 4,
    };
    let before = s.clone();
    let reverted = s.apply_reverting(&edit).expect("valid edit");
    let changes = [Change::Edit { edit, reverted }];
    assert_eq!(plan_changes(&changes, &s), SyncPlan::Recompile);
    // Comparing the states (undo, redo) says the same.
    assert_eq!(
        stemdesk_engine::live::plan_sync(&before, &s),
        SyncPlan::Recompile
    );
}
