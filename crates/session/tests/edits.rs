//! Edits, undo/redo and gestures.
#![allow(missing_docs)]

mod common;

use stemdesk_session::*;

#[test]
fn fader_gesture_is_one_undo_step() {
    let s = common::sample_session();
    let track = StripId::Track(s.tracks[0].id);
    let mut h = History::new(s.clone());
    for gain_db in [-3.0, -2.0, -1.0, 0.5] {
        h.apply_in_gesture(
            &Edit::SetGain {
                strip: track,
                gain_db,
            },
            Some(7),
        )
        .expect("applies");
    }
    assert_eq!(h.session().tracks[0].strip.gain_db, 0.5);
    assert!(h.undo());
    assert_eq!(h.session(), &s);
    assert!(!h.undo(), "the whole drag was one step");
    assert!(h.redo());
    assert_eq!(h.session().tracks[0].strip.gain_db, 0.5);
}

#[test]
fn invalid_edit_leaves_session_unchanged() {
    let s = common::sample_session();
    let mut h = History::new(s.clone());
    let reverb = s.buses[0].id;
    let delay = s.buses[1].id;
    // Delay already outputs to Reverb; Reverb -> Delay would be a cycle.
    let err = h
        .apply(&Edit::SetOutput {
            strip: StripId::Bus(reverb),
            output: Output::Bus(delay),
        })
        .expect_err("cycle refused");
    assert!(err.to_string().contains("routing cycle"), "{err}");
    let err = h
        .apply(&Edit::SetGain {
            strip: StripId::Master,
            gain_db: f32::NAN,
        })
        .expect_err("NaN refused");
    assert!(err.to_string().contains("master gain_db"), "{err}");
    assert_eq!(h.session(), &s);
    assert!(!h.can_undo());
}

#[test]
fn removing_a_bus_removes_its_sends_and_reroutes_outputs() {
    let mut s = common::sample_session();
    let delay = s.buses[1].id;
    let reverb = s.buses[0].id;
    s.apply(&Edit::RemoveBus(reverb)).expect("removes");
    assert_eq!(s.bus(delay).expect("delay").strip.output, Output::Master);
    s.apply(&Edit::RemoveBus(delay)).expect("removes");
    assert!(s.tracks[0].strip.sends.is_empty());
}

#[test]
fn clips_move_between_tracks_by_id() {
    let mut s = common::sample_session();
    let clip = s.tracks[0].clips[0].id;
    let other = TrackId(s.alloc_id());
    s.apply(&Edit::AddTrack {
        track: Track {
            id: other,
            name: "Bass".into(),
            color: Color::default(),
            clips: vec![],
            strip: Strip::default(),
        },
        index: 0,
    })
    .expect("adds");
    s.apply(&Edit::MoveClip {
        clip,
        track: other,
        position_frames: 5,
    })
    .expect("moves");
    assert_eq!(s.tracks[0].id, other);
    assert_eq!(s.tracks[0].clips[0].position_frames, 5);
    assert!(s.tracks[1].clips.is_empty());
    assert!(matches!(
        s.apply(&Edit::RemoveClip(ClipId(9999))),
        Err(EditError::NotFound(_))
    ));
}

#[test]
fn inserts_reorder_and_bypass_by_id() {
    let mut s = common::sample_session();
    let strip = StripId::Track(s.tracks[0].id);
    let eq = s.tracks[0].strip.inserts[0].id;
    s.apply(&Edit::MoveInsert {
        strip,
        insert: eq,
        index: 9,
    })
    .expect("moves");
    assert_eq!(s.tracks[0].strip.inserts[1].id, eq);
    s.apply(&Edit::SetInsertBypass {
        strip,
        insert: eq,
        bypass: true,
    })
    .expect("bypass");
    assert!(s.tracks[0].strip.inserts[1].bypass);
    let comp_params = s.tracks[0].strip.inserts[0].effect.clone();
    let err = s
        .apply(&Edit::SetInsertParams {
            strip,
            insert: eq,
            params: comp_params,
        })
        .expect_err("kind mismatch");
    assert!(matches!(err, EditError::NotAllowed(_)));
}
