//! Edits, undo/redo and gestures.
#![allow(missing_docs)]

mod common;

use stemdesk_session::*;

#[test]
fn fader_gesture_is_one_undo_step() {
    let s = common::sample_session();
    let track = StripId::Track(s.tracks[0].id);
    let mut h = History::new(s.clone());
    let drag = h.gesture();
    for gain_db in [-3.0, -2.0, -1.0, 0.5] {
        h.apply_in_gesture(
            &Edit::SetGain {
                strip: track,
                gain_db,
            },
            Some(drag),
        )
        .expect("applies");
    }
    assert_eq!(h.session().tracks[0].strip.gain_db, 0.5);
    assert!(!h.undo().is_empty());
    assert_eq!(h.session(), &s);
    assert!(h.undo().is_empty(), "the whole drag was one step");
    assert!(!h.redo().is_empty());
    assert_eq!(h.session().tracks[0].strip.gain_db, 0.5);
}

#[test]
fn two_separate_clip_gain_changes_are_two_undo_steps() {
    let s = common::sample_session();
    let clip = s.tracks[0].clips[0].id;
    let mut h = History::new(s.clone());
    // Two drags of the same clip's gain, each its own gesture.
    for (value, steps) in [(-3.0, [-1.0, -2.0, -3.0]), (-9.0, [-5.0, -7.0, -9.0])] {
        let g = h.gesture();
        for gain_db in steps {
            h.apply_in_gesture(&Edit::SetClipGain { clip, gain_db }, Some(g))
                .expect("applies");
        }
        assert_eq!(h.session().tracks[0].clips[0].gain_db, value);
    }
    assert_eq!(h.undo_steps(), 2);
    h.undo();
    assert_eq!(h.session().tracks[0].clips[0].gain_db, -3.0);
    h.undo();
    assert_eq!(h.session(), &s);
}

#[test]
fn revision_says_whether_the_state_is_the_saved_one() {
    let s = common::sample_session();
    let mut h = History::new(s.clone());
    let saved = h.revision();
    let strip = StripId::Track(s.tracks[0].id);
    h.apply(&Edit::SetMute { strip, mute: true })
        .expect("mutes");
    let muted = h.revision();
    assert_ne!(muted, saved);
    h.undo();
    assert_eq!(h.revision(), saved, "back at the saved state");
    h.redo();
    assert_eq!(h.revision(), muted);
    h.undo();
    h.apply(&Edit::SetMute { strip, mute: true })
        .expect("mutes");
    assert_ne!(h.revision(), muted, "the same edit again is a new state");
}

#[test]
fn history_memory_is_bounded_in_bytes() {
    let mut s = common::sample_session();
    let lane_id = LaneId(s.alloc_id());
    let strip = StripId::Track(s.tracks[0].id);
    let lane = |n: usize| AutomationLane {
        id: lane_id,
        target: ParamId {
            strip,
            param: StripParam::GainDb,
        },
        enabled: true,
        points: (0..n)
            .map(|i| Breakpoint {
                time_frames: i as u64,
                value: -((i % 10) as f32),
                curve: CurveShape::Linear,
            })
            .collect(),
    };
    let mut h = History::new(s);
    // Each step holds two lanes of 100,000 points (1.6 MB each): 40 steps would be 128 MB.
    for i in 0..40 {
        h.apply(&Edit::SetAutomationLane(lane(100_000 + i)))
            .expect("applies");
    }
    assert!(
        h.approx_bytes() <= MAX_HISTORY_BYTES,
        "{} bytes",
        h.approx_bytes()
    );
    assert!(h.undo_steps() >= 5, "recent steps stay: {}", h.undo_steps());
    assert!(h.undo_steps() < 40, "old steps were dropped");
    assert_eq!(
        h.session().automation[0].points.len(),
        100_039,
        "the session itself is untouched"
    );
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

mod undo_exact {
    use proptest::prelude::*;

    use super::common;
    use stemdesk_dsp::{EffectKind, EffectParams};
    use stemdesk_session::*;

    /// One edit built from the current session and a few random numbers, so most apply.
    fn edit_for(s: &Session, op: u8, a: usize, x: f32) -> Option<Edit> {
        let strips: Vec<StripId> = s
            .tracks
            .iter()
            .map(|t| StripId::Track(t.id))
            .chain(s.buses.iter().map(|b| StripId::Bus(b.id)))
            .chain([StripId::Master])
            .collect();
        let strip = strips[a % strips.len()];
        let mut ids = s.clone();
        Some(match op % 14 {
            0 => Edit::SetGain {
                strip,
                gain_db: x * 30.0 - 24.0,
            },
            1 => Edit::SetPan {
                strip,
                pan: x * 2.0 - 1.0,
            },
            2 => Edit::AddInsert {
                strip,
                index: a % 3,
                insert: Insert {
                    id: InsertId(ids.alloc_id()),
                    bypass: false,
                    effect: EffectParams::new_default(EffectKind::ALL[a % 5], true),
                    sidechain: None,
                },
            },
            3 => {
                let i = s.inserts(strip)?.get(a % 4)?;
                Edit::RemoveInsert {
                    strip,
                    insert: i.id,
                }
            }
            4 => {
                let i = s.inserts(strip)?.get(a % 3)?;
                Edit::MoveInsert {
                    strip,
                    insert: i.id,
                    index: (a / 3) % 4,
                }
            }
            5 => {
                let i = s.inserts(strip)?.get(a % 3)?;
                let mut params = i.effect.clone();
                let keys = params.params();
                let (key, _) = keys.get(a % keys.len().max(1))?;
                let spec = *params.spec(key)?;
                params.set(key, spec.from_normalized(x)).ok()?;
                Edit::SetInsertParams {
                    strip,
                    insert: i.id,
                    params,
                }
            }
            6 => Edit::AddTrack {
                track: Track {
                    id: TrackId(ids.alloc_id()),
                    name: format!("T{a}"),
                    color: Color::default(),
                    clips: vec![],
                    strip: Strip::default(),
                },
                index: a % 4,
            },
            7 => Edit::RemoveTrack(s.tracks.get(a % s.tracks.len().max(1))?.id),
            8 => {
                let (_, c) = s.clips().nth(a % 3)?;
                Edit::SetClipGain {
                    clip: c.id,
                    gain_db: -x * 20.0,
                }
            }
            9 => {
                let (_, c) = s.clips().nth(a % 3)?;
                Edit::MoveClip {
                    clip: c.id,
                    track: s.tracks.get(a % s.tracks.len().max(1))?.id,
                    position_frames: (x * 48_000.0) as u64,
                }
            }
            10 => Edit::RemoveBus(s.buses.get(a % s.buses.len().max(1))?.id),
            11 => {
                let bus = s.buses.get(a % s.buses.len().max(1))?;
                Edit::AddSend {
                    strip: StripId::Track(s.tracks.first()?.id),
                    send: Send {
                        id: SendId(ids.alloc_id()),
                        target: bus.id,
                        level_db: -6.0,
                        pre_fader: a.is_multiple_of(2),
                    },
                }
            }
            12 => Edit::SetAutomationLane(AutomationLane {
                id: s
                    .automation
                    .first()
                    .filter(|_| a.is_multiple_of(2))
                    .map_or_else(|| LaneId(ids.alloc_id()), |l| l.id),
                target: ParamId {
                    strip,
                    param: StripParam::GainDb,
                },
                enabled: true,
                points: (0..(a % 50) as u64)
                    .map(|t| Breakpoint {
                        time_frames: t * 100,
                        value: x,
                        curve: CurveShape::Linear,
                    })
                    .collect(),
            }),
            14 => Edit::SetMarker(stemdesk_session::Marker {
                id: s
                    .timeline
                    .markers
                    .first()
                    .filter(|_| a.is_multiple_of(2))
                    .map_or_else(|| stemdesk_session::MarkerId(ids.alloc_id()), |m| m.id),
                name: format!("M{a}"),
                time_frames: (x * 480_000.0) as u64,
            }),
            15 => Edit::SetTempo {
                tempo_bpm: 60.0 + f64::from(x) * 100.0,
                beats_per_bar: 1 + (a % 7) as u32,
            },
            16 => Edit::RemoveMarker(s.timeline.markers.first()?.id),
            13 => Edit::SetAutomationMode {
                strip,
                mode: stemdesk_session::AutomationMode::ALL[a % 6],
            },
            _ => Edit::SetMute {
                strip,
                mute: a.is_multiple_of(2),
            },
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever sequence of edits (single steps and gestures), undoing everything
        /// gives back the session exactly, redoing everything the final one.
        #[test]
        fn undo_all_and_redo_all_are_exact(
            ops in prop::collection::vec((0u8..18, 0usize..1000, 0.0f32..1.0, 0u8..3), 1..40)
        ) {
            let start = common::sample_session();
            let mut h = History::new(start.clone());
            let mut gesture = None;
            for (op, a, x, g) in ops {
                // g: 0 = own step, 1 = continue the gesture, 2 = begin a new one.
                gesture = match g {
                    0 => None,
                    1 => gesture.or_else(|| Some(h.gesture())),
                    _ => Some(h.gesture()),
                };
                if let Some(edit) = edit_for(h.session(), op, a, x) {
                    let _ = h.apply_in_gesture(&edit, gesture);
                }
            }
            let end = h.session().clone();
            let end_revision = h.revision();
            while !h.undo().is_empty() {}
            prop_assert_eq!(h.session(), &start);
            prop_assert_eq!(h.revision(), 0);
            while !h.redo().is_empty() {}
            prop_assert_eq!(h.session(), &end);
            prop_assert_eq!(h.revision(), end_revision);
        }
    }
}

#[test]
fn automation_lanes_read_the_parameter_tables() {
    let mut s = common::sample_session();
    let strip = StripId::Track(s.tracks[0].id);
    let insert = s.tracks[0].strip.inserts[0].id;
    let (key, spec) = s.tracks[0].strip.inserts[0]
        .effect
        .params()
        .into_iter()
        .find(|(_, spec)| spec.automatable)
        .expect("an automatable parameter");
    let spec = *spec;
    let lane_id = LaneId(s.alloc_id());
    let lane = |key: &str, value: f32| AutomationLane {
        id: lane_id,
        target: ParamId {
            strip,
            param: StripParam::Insert {
                insert,
                key: key.into(),
            },
        },
        enabled: true,
        points: vec![Breakpoint {
            time_frames: 0,
            value,
            curve: CurveShape::Linear,
        }],
    };
    let mut h = History::new(s.clone());
    let err = h
        .apply(&Edit::SetAutomationLane(lane("no_such_key", 0.0)))
        .expect_err("unknown key");
    assert!(err.to_string().contains("no_such_key"), "{err}");
    let err = h
        .apply(&Edit::SetAutomationLane(lane(&key, spec.max + 1.0)))
        .expect_err("out of range");
    assert!(err.to_string().contains("breakpoint"), "{err}");
    h.apply(&Edit::SetAutomationLane(lane(&key, spec.default)))
        .expect("in range");
    // Removing the insert removes its lane; undo brings both back.
    h.apply(&Edit::RemoveInsert { strip, insert })
        .expect("removes");
    assert!(h.session().automation.is_empty());
    h.undo();
    assert_eq!(h.session().automation.len(), 1);
    assert_eq!(h.session().tracks[0].strip.inserts[0].id, insert);
    // A switch cannot be automated.
    let switch = s.tracks[0].strip.inserts[0]
        .effect
        .params()
        .into_iter()
        .find(|(_, spec)| !spec.automatable);
    if let Some((key, _)) = switch {
        assert!(h.apply(&Edit::SetAutomationLane(lane(&key, 0.0))).is_err());
    }
    assert_eq!(
        s.param_spec(&ParamId {
            strip,
            param: StripParam::GainDb
        })
        .map(|p| p.key),
        Some("gain_db")
    );
}

/// Lanes belong to parameters, not to clips: moving or removing a clip and renaming the
/// track leave them; removing a send or the bus it feeds takes the send's lane in the
/// same undo step, and undo brings it back.
#[test]
fn lanes_follow_their_parameter_through_clip_send_and_bus_edits() {
    let mut s = common::sample_session();
    let track = s.tracks[0].id;
    let strip = StripId::Track(track);
    let send = s.tracks[0].strip.sends[0].id;
    let bus = s.tracks[0].strip.sends[0].target;
    let clip = s.tracks[0].clips[0].id;
    let lane = |s: &mut Session, param| AutomationLane {
        id: LaneId(s.alloc_id()),
        target: ParamId { strip, param },
        enabled: true,
        points: vec![Breakpoint {
            time_frames: 48_000,
            value: -6.0,
            curve: CurveShape::Linear,
        }],
    };
    let fader = lane(&mut s, StripParam::GainDb);
    let send_lane = lane(&mut s, StripParam::SendLevelDb(send));
    s.automation = vec![fader.clone(), send_lane.clone()];
    let mut h = History::new(s.clone());
    for edit in [
        Edit::MoveClip {
            clip,
            track,
            position_frames: 96_000,
        },
        Edit::Rename {
            strip,
            name: "Kit".into(),
        },
        Edit::RemoveClip(clip),
    ] {
        h.apply(&edit).expect("applies");
        assert_eq!(
            h.session().automation,
            s.automation,
            "{edit:?} kept the lanes"
        );
    }
    h.apply(&Edit::RemoveSend { strip, send }).expect("removes");
    assert_eq!(
        h.session().automation,
        vec![fader.clone()],
        "the send's lane went"
    );
    h.undo();
    assert_eq!(h.session().automation.len(), 2, "undo brings it back");
    h.apply(&Edit::RemoveBus(bus)).expect("removes the bus");
    assert_eq!(
        h.session().automation,
        vec![fader],
        "with the bus, its sends' lanes"
    );
    h.undo();
    assert_eq!(h.session().automation.len(), 2);
}

/// Removing an EQ band takes the lanes of that band with it (one undo step brings both
/// back); lanes of the bands that remain stay.
#[test]
fn removing_an_eq_band_removes_its_lanes_and_undo_restores_them() {
    let mut s = common::sample_session();
    let (t, i) = s
        .tracks
        .iter()
        .enumerate()
        .flat_map(|(t, tr)| {
            tr.strip
                .inserts
                .iter()
                .enumerate()
                .map(move |(i, x)| (t, i, x))
        })
        .find(|(_, _, x)| matches!(x.effect, stemdesk_dsp::EffectParams::Eq(_)))
        .map(|(t, i, _)| (t, i))
        .expect("an EQ");
    if let stemdesk_dsp::EffectParams::Eq(p) = &mut s.tracks[t].strip.inserts[i].effect {
        let band = p.bands[0];
        p.bands.push(band);
    }
    let strip = StripId::Track(s.tracks[t].id);
    let insert = s.tracks[t].strip.inserts[i].id;
    let mut eq = s.tracks[t].strip.inserts[i].effect.clone();
    let lane = |s: &mut Session, key: &str| AutomationLane {
        id: LaneId(s.alloc_id()),
        target: ParamId {
            strip,
            param: StripParam::Insert {
                insert,
                key: key.into(),
            },
        },
        enabled: true,
        points: vec![Breakpoint {
            time_frames: 0,
            value: 1_000.0,
            curve: CurveShape::Linear,
        }],
    };
    let first = lane(&mut s, "band1.freq_hz");
    let second = lane(&mut s, "band2.freq_hz");
    s.automation = vec![first.clone(), second];
    let mut h = History::new(s.clone());
    if let stemdesk_dsp::EffectParams::Eq(p) = &mut eq {
        p.bands.truncate(1);
    }
    h.apply(&Edit::SetInsertParams {
        strip,
        insert,
        params: eq,
    })
    .expect("a band can be removed from an automated EQ");
    assert_eq!(h.session().automation, vec![first]);
    h.undo();
    assert_eq!(
        h.session(),
        &s,
        "one undo brings the band and its lane back"
    );
}
