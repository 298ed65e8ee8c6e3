//! Deciding how an edit reaches a playing engine: on the fast path (parameter messages,
//! smoothed on the audio thread) or by compiling and swapping a new graph.
//!
//! A change is "structural" when the graph's shape differs: tracks, buses, clips, inserts
//! (added, removed, reordered or changed kind), sends added or removed or switched
//! pre/post, outputs, polarity, automation lanes (a strip's compiled lanes change).
//! Everything else (fader, pan, width, mute and solo as
//! effective mute, send levels, insert bypass and settings) is a parameter.

use std::collections::HashSet;

use stemdesk_dsp::EffectParams;
use stemdesk_dsp::params::EqParams;
use stemdesk_session::{Change, Edit, InsertId, Revert, Session, Strip, StripId};

use super::command::LiveParam;
use crate::solo::solo_muted;

/// One fast-path update.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamUpdate {
    /// A strip parameter.
    Param {
        /// The strip.
        strip: StripId,
        /// Which parameter.
        param: LiveParam,
        /// Its new value.
        value: f32,
    },
    /// New settings for an insert of unchanged kind.
    Insert {
        /// The strip.
        strip: StripId,
        /// The insert.
        insert: InsertId,
        /// Its settings.
        params: EffectParams,
    },
}

/// How to bring a running engine from one session state to another.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncPlan {
    /// The sessions sound the same (names, colours...).
    Nothing,
    /// Send these parameter updates.
    Params(Vec<ParamUpdate>),
    /// Compile the new session and swap the graph.
    Recompile,
}

/// Compares two session states (before and after an edit, undo or redo).
pub fn plan_sync(old: &Session, new: &Session) -> SyncPlan {
    if old.sample_rate_hz != new.sample_rate_hz
        || shape(old) != shape(new)
        || effect_kinds(old) != effect_kinds(new)
        || latencies(old) != latencies(new)
    {
        return SyncPlan::Recompile;
    }
    let mut updates = Vec::new();
    let mut insert_updates = Vec::new();
    let (old_silenced, new_silenced) = (solo_muted(old), solo_muted(new));
    let muted =
        |s: &Strip, id: StripId, silenced: &HashSet<StripId>| s.mute || silenced.contains(&id);
    for (id, a, b) in strips(old)
        .into_iter()
        .zip(strips(new))
        .map(|((id, a), (_, b))| (id, a, b))
    {
        let mut param = |param: LiveParam, from: f32, to: f32| {
            if from != to {
                updates.push(ParamUpdate::Param {
                    strip: id,
                    param,
                    value: to,
                });
            }
        };
        param(LiveParam::GainDb, a.gain_db, b.gain_db);
        param(LiveParam::Pan, a.pan, b.pan);
        param(LiveParam::Width, a.width, b.width);
        let flag = |m: bool| if m { 1.0 } else { 0.0 };
        param(
            LiveParam::SoloSilenced,
            flag(old_silenced.contains(&id)),
            flag(new_silenced.contains(&id)),
        );
        param(
            LiveParam::Muted,
            flag(muted(&a, id, &old_silenced)),
            flag(muted(&b, id, &new_silenced)),
        );
        for (sa, sb) in a.sends.iter().zip(&b.sends) {
            param(LiveParam::SendLevelDb(sb.id), sa.level_db, sb.level_db);
        }
        for (ia, ib) in a.inserts.iter().zip(&b.inserts) {
            param(
                LiveParam::InsertBypass(ib.id),
                flag(ia.bypass),
                flag(ib.bypass),
            );
            if ia.effect != ib.effect {
                insert_updates.push(ParamUpdate::Insert {
                    strip: id,
                    insert: ib.id,
                    params: ib.effect.clone(),
                });
            }
        }
    }
    updates.extend(insert_updates);
    if updates.is_empty() {
        SyncPlan::Nothing
    } else {
        SyncPlan::Params(updates)
    }
}

/// Plans from the edits themselves (what an apply, undo or redo reports), so a fader move
/// costs the same on a session of 2 or 200 tracks: no comparison of whole sessions.
/// Agrees with [`plan_sync`] of the states before and after, except that a mute or solo
/// change re-sends every strip's effective mute (solo can silence any strip).
pub fn plan_changes(changes: &[Change], after: &Session) -> SyncPlan {
    let mut updates = Vec::new();
    let mut inserts = Vec::new();
    let mut mutes_changed = false;
    let flag = |on: bool| if on { 1.0 } else { 0.0 };
    for change in changes {
        let (edit, reverted) = match change {
            Change::Edit { edit, reverted } => (edit, reverted),
            // A snapshot put back (undoing a removal): the shape may be anything.
            Change::Replaced(_) => return SyncPlan::Recompile,
        };
        let mut param = |strip: StripId, param: LiveParam, value: f32| {
            updates.push(ParamUpdate::Param {
                strip,
                param,
                value,
            });
        };
        match edit {
            Edit::SetGain { strip, gain_db } => param(*strip, LiveParam::GainDb, *gain_db),
            Edit::SetPan { strip, pan } => param(*strip, LiveParam::Pan, *pan),
            Edit::SetWidth { strip, width } => param(*strip, LiveParam::Width, *width),
            Edit::SetMute { .. } | Edit::SetSolo { .. } | Edit::SetSoloSafe { .. } => {
                mutes_changed = true;
            }
            Edit::SetSend {
                strip,
                send,
                level_db,
                pre_fader,
            } => match reverted {
                // Pre/post moves the tap point: a different graph.
                Revert::Edit(Edit::SetSend {
                    pre_fader: was_pre, ..
                }) if was_pre == pre_fader => {
                    param(*strip, LiveParam::SendLevelDb(*send), *level_db);
                }
                _ => return SyncPlan::Recompile,
            },
            Edit::SetInsertBypass {
                strip,
                insert,
                bypass,
            } => param(*strip, LiveParam::InsertBypass(*insert), flag(*bypass)),
            Edit::SetInsertParams {
                strip,
                insert,
                params,
            } => {
                // A new latency (a lookahead changed) moves the delay compensation.
                let rate = after.sample_rate_hz as f32;
                match reverted {
                    Revert::Edit(Edit::SetInsertParams { params: was, .. })
                        if was.latency_frames(rate) == params.latency_frames(rate) => {}
                    _ => return SyncPlan::Recompile,
                }
                inserts.push(ParamUpdate::Insert {
                    strip: *strip,
                    insert: *insert,
                    params: params.clone(),
                })
            }
            // Names, colours, the delivery spec and markers do not sound (the tempo does:
            // it times synced delays, and recompiles below).
            Edit::Rename { .. }
            | Edit::SetColor { .. }
            | Edit::SetDelivery(_)
            | Edit::SetMarker(_)
            | Edit::RemoveMarker(_) => {}
            _ => return SyncPlan::Recompile,
        }
    }
    if mutes_changed {
        let silenced = solo_muted(after);
        for (id, strip) in strips(after) {
            updates.push(ParamUpdate::Param {
                strip: id,
                param: LiveParam::SoloSilenced,
                value: flag(silenced.contains(&id)),
            });
            updates.push(ParamUpdate::Param {
                strip: id,
                param: LiveParam::Muted,
                value: flag(strip.mute || silenced.contains(&id)),
            });
        }
    }
    updates.extend(inserts);
    if updates.is_empty() {
        SyncPlan::Nothing
    } else {
        SyncPlan::Params(updates)
    }
}

/// Every strip with its ID, the master as a strip (it has no sends and no output).
fn strips(s: &Session) -> Vec<(StripId, Strip)> {
    let mut out: Vec<(StripId, Strip)> = s
        .tracks
        .iter()
        .map(|t| (StripId::Track(t.id), t.strip.clone()))
        .chain(
            s.buses
                .iter()
                .map(|b| (StripId::Bus(b.id), b.strip.clone())),
        )
        .collect();
    out.push((StripId::Master, s.master.as_strip()));
    out
}

/// The session with every fast-path value blanked (insert settings too; their kinds are
/// compared by [`effect_kinds`]): equal shapes compile to graphs that differ only in
/// parameters.
fn shape(s: &Session) -> Session {
    let mut s = s.clone();
    let blank = |strip: &mut Strip| {
        strip.gain_db = 0.0;
        strip.pan = 0.0;
        strip.width = 1.0;
        strip.mute = false;
        strip.solo = false;
        for send in &mut strip.sends {
            send.level_db = 0.0;
        }
        for insert in &mut strip.inserts {
            insert.bypass = false;
            insert.effect = EffectParams::Eq(EqParams::default());
        }
    };
    for t in &mut s.tracks {
        t.name.clear();
        t.color = Default::default();
        blank(&mut t.strip);
    }
    for b in &mut s.buses {
        b.name.clear();
        b.color = Default::default();
        b.solo_safe = false;
        blank(&mut b.strip);
    }
    s.master.gain_db = 0.0;
    s.master.pan = 0.0;
    s.master.mute = false;
    for insert in &mut s.master.inserts {
        insert.bypass = false;
        insert.effect = EffectParams::Eq(EqParams::default());
    }
    s.next_id = 0;
    // Markers and the time signature do not sound; the tempo times synced delays.
    let tempo_bpm = s.timeline.tempo_bpm;
    s.timeline = Default::default();
    s.timeline.tempo_bpm = tempo_bpm;
    s
}

/// Every insert of the session, in strip order (tracks, buses, master).
fn inserts(s: &Session) -> impl Iterator<Item = &stemdesk_session::Insert> {
    s.tracks
        .iter()
        .map(|t| &t.strip.inserts)
        .chain(s.buses.iter().map(|b| &b.strip.inserts))
        .chain(std::iter::once(&s.master.inserts))
        .flatten()
}

/// Every insert's latency (lookahead): a change needs new delay compensation.
fn latencies(s: &Session) -> Vec<usize> {
    let rate = s.sample_rate_hz as f32;
    inserts(s).map(|i| i.effect.latency_frames(rate)).collect()
}

/// The kind of every insert, in strip order: a changed kind needs a new effect (a graph
/// swap), changed settings of the same kind do not.
fn effect_kinds(s: &Session) -> Vec<std::mem::Discriminant<EffectParams>> {
    inserts(s)
        .map(|i| std::mem::discriminant(&i.effect))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use stemdesk_session::{Bus, BusId, History, Send, SendId};

    /// A session with two tracks (one soloable), a bus with a send to it, and an EQ.
    fn rich() -> Session {
        let mut s = session();
        let bus = BusId(s.alloc_id());
        s.buses.push(Bus {
            id: bus,
            name: "Verb".into(),
            color: Default::default(),
            solo_safe: false,
            strip: Strip::default(),
        });
        let send = SendId(s.alloc_id());
        s.tracks[0].strip.sends.push(Send {
            id: send,
            target: bus,
            level_db: -10.0,
            pre_fader: false,
        });
        let id = TrackId(s.alloc_id());
        s.tracks.push(Track {
            id,
            name: "Keys".into(),
            color: Default::default(),
            clips: vec![],
            strip: Strip::default(),
        });
        s
    }

    fn flag(on: bool) -> f32 {
        if on { 1.0 } else { 0.0 }
    }

    /// The parameter updates of a plan (none for Nothing or Recompile).
    fn live_values(_: &Session, plan: &SyncPlan) -> Vec<ParamUpdate> {
        match plan {
            SyncPlan::Params(u) => u.clone(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn planning_from_edits_agrees_with_comparing_sessions() {
        let s = rich();
        let t = StripId::Track(s.tracks[0].id);
        let keys = StripId::Track(s.tracks[1].id);
        let bus = s.buses[0].id;
        let send = s.tracks[0].strip.sends[0].id;
        let insert = s.tracks[0].strip.inserts[0].id;
        let mut eq = s.tracks[0].strip.inserts[0].effect.clone();
        if let EffectParams::Eq(p) = &mut eq {
            p.bands.push(EqBand {
                enabled: true,
                kind: EqBandKind::Peak,
                freq_hz: 300.0,
                gain_db: 4.0,
                q: 1.0,
            });
        }
        let edits = [
            Edit::SetGain {
                strip: t,
                gain_db: -4.0,
            },
            Edit::SetPan {
                strip: StripId::Master,
                pan: 0.5,
            },
            Edit::SetWidth {
                strip: t,
                width: 1.5,
            },
            Edit::SetSolo {
                strip: keys,
                solo: true,
            },
            Edit::SetMute {
                strip: StripId::Bus(bus),
                mute: true,
            },
            Edit::SetSoloSafe {
                bus,
                solo_safe: true,
            },
            Edit::SetSend {
                strip: t,
                send,
                level_db: -3.0,
                pre_fader: false,
            },
            Edit::SetSend {
                strip: t,
                send,
                level_db: -3.0,
                pre_fader: true,
            },
            Edit::SetInsertBypass {
                strip: t,
                insert,
                bypass: true,
            },
            Edit::SetInsertParams {
                strip: t,
                insert,
                params: eq,
            },
            Edit::Rename {
                strip: keys,
                name: "Piano".into(),
            },
            Edit::SetPolarity {
                strip: t,
                invert: true,
            },
            Edit::RemoveTrack(s.tracks[1].id),
        ];
        for edit in edits {
            let mut h = History::new(s.clone());
            let change = h.apply(&edit).expect("valid edit");
            let exact = plan_sync(&s, h.session());
            let planned = plan_changes(&[change], h.session());
            match (&exact, &planned) {
                (SyncPlan::Recompile, p) => {
                    assert_eq!(p, &SyncPlan::Recompile, "{edit:?}");
                }
                (SyncPlan::Nothing, p) => assert!(
                    live_values(&s, p).iter().all(|u| matches!(
                        u,
                        ParamUpdate::Param {
                            param: LiveParam::Muted | LiveParam::SoloSilenced,
                            ..
                        }
                    )),
                    "{edit:?}: {p:?}"
                ),
                (SyncPlan::Params(want), p) => {
                    let got = live_values(&s, p);
                    for u in want {
                        assert!(got.contains(u), "{edit:?}: {u:?} missing from {got:?}");
                    }
                    // Anything more is a mute state sent again unchanged.
                    let was_silenced = solo_muted(&s);
                    for u in got.iter().filter(|u| !want.contains(u)) {
                        if let ParamUpdate::Param {
                            strip,
                            param: LiveParam::SoloSilenced,
                            value,
                        } = u
                        {
                            assert_eq!(*value, flag(was_silenced.contains(strip)), "{edit:?}");
                            continue;
                        }
                        let ParamUpdate::Param {
                            strip,
                            param: LiveParam::Muted,
                            value,
                        } = u
                        else {
                            panic!("{edit:?}: unexpected {u:?}");
                        };
                        let was_muted = strips(&s)
                            .into_iter()
                            .find(|(id, _)| id == strip)
                            .is_some_and(|(_, st)| st.mute || was_silenced.contains(strip));
                        assert_eq!(*value, flag(was_muted), "{edit:?}: {u:?}");
                    }
                }
            }
        }
    }
    use stemdesk_dsp::params::{CompressorParams, Detection, EqBand, EqBandKind};
    use stemdesk_session::{Insert, Track, TrackId};

    fn session() -> Session {
        let mut s = Session::new(48_000);
        let id = TrackId(s.alloc_id());
        let insert = InsertId(s.alloc_id());
        s.tracks.push(Track {
            id,
            name: "Bass".into(),
            color: Default::default(),
            clips: vec![],
            strip: Strip {
                inserts: vec![Insert {
                    id: insert,
                    bypass: false,
                    effect: EffectParams::Eq(EqParams::default()),
                    sidechain: None,
                }],
                ..Strip::default()
            },
        });
        s
    }

    #[test]
    fn fader_solo_and_insert_settings_are_fast_path_and_rest_recompiles() {
        let a = session();
        let t = StripId::Track(a.tracks[0].id);
        let mut b = a.clone();
        b.tracks[0].strip.gain_db = -6.0;
        b.tracks[0].name = "Bass DI".into();
        assert_eq!(
            plan_sync(&a, &b),
            SyncPlan::Params(vec![ParamUpdate::Param {
                strip: t,
                param: LiveParam::GainDb,
                value: -6.0
            }])
        );
        let mut c = a.clone();
        c.tracks[0].name = "Renamed".into();
        assert_eq!(plan_sync(&a, &c), SyncPlan::Nothing);
        let mut d = a.clone();
        d.tracks[0].strip.solo = true; // the only track: soloing it mutes nothing
        assert_eq!(plan_sync(&a, &d), SyncPlan::Nothing);
        d.tracks[0].strip.mute = true;
        assert!(matches!(plan_sync(&a, &d), SyncPlan::Params(_)));
        let mut e = a.clone();
        if let EffectParams::Eq(p) = &mut e.tracks[0].strip.inserts[0].effect {
            p.bands.push(EqBand {
                enabled: true,
                kind: EqBandKind::Peak,
                freq_hz: 100.0,
                gain_db: 3.0,
                q: 1.0,
            });
        }
        assert!(matches!(
            plan_sync(&a, &e),
            SyncPlan::Params(ref u) if matches!(u[0], ParamUpdate::Insert { .. })
        ));
        let mut f = a.clone();
        f.tracks[0].strip.inserts[0].effect = EffectParams::Compressor(CompressorParams {
            threshold_db: -20.0,
            ratio: 2.0,
            knee_db: 0.0,
            attack_ms: 10.0,
            release_ms: 100.0,
            makeup_db: 0.0,
            detection: Detection::Peak,
            lookahead_ms: 0.0,
            sidechain_hpf_hz: 20.0,
            mix: 1.0,
        });
        assert_eq!(plan_sync(&a, &f), SyncPlan::Recompile, "kind changed");
        let mut g = a.clone();
        g.tracks[0].strip.polarity_invert = true;
        assert_eq!(plan_sync(&a, &g), SyncPlan::Recompile);
        let mut h = a.clone();
        h.tracks.clear();
        assert_eq!(plan_sync(&a, &h), SyncPlan::Recompile);
    }
}
