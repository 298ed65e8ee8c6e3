//! What undoes an edit: for most edits another edit naming the old value (a few bytes),
//! for removals and moves, whose exact order would be hard to restore edit by edit, the
//! whole session as it was.

use crate::automation::StripParam;
use crate::edit::{Edit, EditError};
use crate::ids::{InsertId, StripId};
use crate::model::{Insert, Session};

/// One way back from an edit.
#[derive(Debug, Clone, PartialEq)]
pub enum Revert {
    /// Apply this edit.
    Edit(Edit),
    /// Put this session back.
    Snapshot(Box<Session>),
}

impl Revert {
    /// Approximate heap and inline size, for the history's memory bound.
    pub fn approx_bytes(&self) -> usize {
        match self {
            Revert::Edit(e) => e.approx_bytes(),
            Revert::Snapshot(s) => s.approx_bytes(),
        }
    }
}

impl Session {
    /// The edit that undoes `edit` on this session, or `None` when only a snapshot of the
    /// session can (see [`Revert`]). Errors when `edit` names something missing.
    pub(crate) fn revert_edit(&self, edit: &Edit) -> Result<Option<Edit>, EditError> {
        let missing = |what: String| EditError::NotFound(what);
        let strip_of = |id: StripId| -> Result<&crate::model::Strip, EditError> {
            self.strip(id).ok_or_else(|| missing(self.strip_name(id)))
        };
        let insert_of = |strip: StripId, insert: InsertId| -> Result<(usize, &Insert), EditError> {
            self.inserts(strip)
                .ok_or_else(|| missing(self.strip_name(strip)))?
                .iter()
                .enumerate()
                .find(|(_, i)| i.id == insert)
                .ok_or_else(|| missing(insert.to_string()))
        };
        let clip_of = |id| {
            self.clip(id)
                .map(|(_, c)| c)
                .ok_or_else(|| missing(id.to_string()))
        };
        Ok(Some(match edit {
            Edit::AddTrack { track, .. } => Edit::RemoveTrack(track.id),
            Edit::AddBus(bus) => Edit::RemoveBus(bus.id),
            Edit::Rename { strip, .. } => Edit::Rename {
                strip: *strip,
                name: match strip {
                    StripId::Track(t) => self.track(*t).map(|t| t.name.clone()),
                    StripId::Bus(b) => self.bus(*b).map(|b| b.name.clone()),
                    StripId::Master => None,
                }
                .ok_or_else(|| missing(self.strip_name(*strip)))?,
            },
            Edit::SetColor { strip, .. } => Edit::SetColor {
                strip: *strip,
                color: match strip {
                    StripId::Track(t) => self.track(*t).map(|t| t.color),
                    StripId::Bus(b) => self.bus(*b).map(|b| b.color),
                    StripId::Master => None,
                }
                .ok_or_else(|| missing(self.strip_name(*strip)))?,
            },
            Edit::SetGain { strip, .. } => Edit::SetGain {
                strip: *strip,
                gain_db: match strip {
                    StripId::Master => self.master.gain_db,
                    s => strip_of(*s)?.gain_db,
                },
            },
            Edit::SetPan { strip, .. } => Edit::SetPan {
                strip: *strip,
                pan: match strip {
                    StripId::Master => self.master.pan,
                    s => strip_of(*s)?.pan,
                },
            },
            Edit::SetWidth { strip, .. } => Edit::SetWidth {
                strip: *strip,
                width: strip_of(*strip)?.width,
            },
            Edit::SetMute { strip, .. } => Edit::SetMute {
                strip: *strip,
                mute: match strip {
                    StripId::Master => self.master.mute,
                    s => strip_of(*s)?.mute,
                },
            },
            Edit::SetSolo { strip, .. } => Edit::SetSolo {
                strip: *strip,
                solo: strip_of(*strip)?.solo,
            },
            Edit::SetSoloSafe { bus, .. } => Edit::SetSoloSafe {
                bus: *bus,
                solo_safe: self
                    .bus(*bus)
                    .ok_or_else(|| missing(bus.to_string()))?
                    .solo_safe,
            },
            Edit::SetPolarity { strip, .. } => Edit::SetPolarity {
                strip: *strip,
                invert: match strip {
                    StripId::Master => self.master.polarity_invert,
                    s => strip_of(*s)?.polarity_invert,
                },
            },
            Edit::SetOutput { strip, .. } => Edit::SetOutput {
                strip: *strip,
                output: strip_of(*strip)?.output,
            },
            Edit::AddInsert { strip, insert, .. } => Edit::RemoveInsert {
                strip: *strip,
                insert: insert.id,
            },
            Edit::RemoveInsert { strip, insert } => {
                let automated = self.automation.iter().any(|l| {
                    l.target.strip == *strip
                        && matches!(&l.target.param, StripParam::Insert { insert: i, .. } if i == insert)
                });
                if automated {
                    // Its lanes go too: the snapshot brings both back.
                    return Ok(None);
                }
                let (index, old) = insert_of(*strip, *insert)?;
                Edit::AddInsert {
                    strip: *strip,
                    index,
                    insert: old.clone(),
                }
            }
            Edit::MoveInsert { strip, insert, .. } => Edit::MoveInsert {
                strip: *strip,
                insert: *insert,
                index: insert_of(*strip, *insert)?.0,
            },
            Edit::SetInsertSidechain { strip, insert, .. } => Edit::SetInsertSidechain {
                strip: *strip,
                insert: *insert,
                source: insert_of(*strip, *insert)?.1.sidechain,
            },
            Edit::SetInsertBypass { strip, insert, .. } => Edit::SetInsertBypass {
                strip: *strip,
                insert: *insert,
                bypass: insert_of(*strip, *insert)?.1.bypass,
            },
            Edit::SetInsertParams {
                strip,
                insert,
                params,
            } => {
                // New settings without a parameter a lane drives (an EQ band removed):
                // the lane goes too, and the snapshot brings both back.
                let orphaned = self.automation.iter().any(|l| {
                    l.target.strip == *strip
                        && matches!(&l.target.param,
                            StripParam::Insert { insert: i, key } if i == insert && params.spec(key).is_none())
                });
                if orphaned {
                    return Ok(None);
                }
                Edit::SetInsertParams {
                    strip: *strip,
                    insert: *insert,
                    params: insert_of(*strip, *insert)?.1.effect.clone(),
                }
            }
            Edit::AddSend { strip, send } => Edit::RemoveSend {
                strip: *strip,
                send: send.id,
            },
            Edit::SetSend { strip, send, .. } => {
                let old = strip_of(*strip)?
                    .sends
                    .iter()
                    .find(|x| x.id == *send)
                    .ok_or_else(|| missing(send.to_string()))?;
                Edit::SetSend {
                    strip: *strip,
                    send: *send,
                    level_db: old.level_db,
                    pre_fader: old.pre_fader,
                }
            }
            Edit::AddClip { clip, .. } => Edit::RemoveClip(clip.id),
            Edit::TrimClip { clip, .. } => {
                let c = clip_of(*clip)?;
                Edit::TrimClip {
                    clip: *clip,
                    position_frames: c.position_frames,
                    offset_frames: c.offset_frames,
                    length_frames: c.length_frames,
                }
            }
            Edit::SetClipGain { clip, .. } => Edit::SetClipGain {
                clip: *clip,
                gain_db: clip_of(*clip)?.gain_db,
            },
            Edit::SetClipFades { clip, .. } => {
                let c = clip_of(*clip)?;
                Edit::SetClipFades {
                    clip: *clip,
                    fade_in: c.fade_in,
                    fade_out: c.fade_out,
                }
            }
            Edit::SetAutomationLane(lane) => {
                match self.automation.iter().find(|l| l.id == lane.id) {
                    Some(old) => Edit::SetAutomationLane(old.clone()),
                    None => Edit::RemoveAutomationLane(lane.id),
                }
            }
            Edit::SetDelivery(_) => Edit::SetDelivery(self.delivery.clone()),
            Edit::SetTempo { .. } => Edit::SetTempo {
                tempo_bpm: self.timeline.tempo_bpm,
                beats_per_bar: self.timeline.beats_per_bar,
            },
            Edit::SetMarker(m) => match self.timeline.markers.iter().find(|x| x.id == m.id) {
                Some(old) => Edit::SetMarker(old.clone()),
                None => Edit::RemoveMarker(m.id),
            },
            Edit::SetAutomationMode { strip, .. } => Edit::SetAutomationMode {
                strip: *strip,
                mode: self.automation_mode(*strip),
            },
            // Removals and moves between tracks: the order of what remains matters
            // (clips that overlap, send order), so the session itself is kept.
            _ => return Ok(None),
        }))
    }

    /// Approximate memory of the session in bytes (inline and heap), for the history's
    /// memory bound. Counts what grows: tracks, clips, inserts, sends, lanes, points.
    pub fn approx_bytes(&self) -> usize {
        use std::mem::size_of;
        let strip = |s: &crate::model::Strip| {
            s.inserts.iter().map(insert_bytes).sum::<usize>()
                + s.sends.len() * size_of::<crate::model::Send>()
        };
        size_of::<Session>()
            + self
                .tracks
                .iter()
                .map(|t| {
                    size_of::<crate::model::Track>()
                        + t.name.len()
                        + t.clips
                            .iter()
                            .map(|c| size_of::<crate::model::Clip>() + c.source.as_os_str().len())
                            .sum::<usize>()
                        + strip(&t.strip)
                })
                .sum::<usize>()
            + self
                .buses
                .iter()
                .map(|b| size_of::<crate::model::Bus>() + b.name.len() + strip(&b.strip))
                .sum::<usize>()
            + self.master.inserts.iter().map(insert_bytes).sum::<usize>()
            + self
                .automation
                .iter()
                .map(|l| {
                    size_of::<crate::automation::AutomationLane>()
                        + l.points.len() * size_of::<crate::automation::Breakpoint>()
                })
                .sum::<usize>()
    }
}

fn insert_bytes(i: &Insert) -> usize {
    std::mem::size_of::<Insert>()
        + match &i.effect {
            stemdesk_dsp::EffectParams::Eq(eq) => {
                eq.bands.len() * std::mem::size_of::<stemdesk_dsp::EqBand>()
            }
            _ => 0,
        }
}

impl Edit {
    /// Approximate memory of the edit in bytes, for the history's memory bound.
    pub fn approx_bytes(&self) -> usize {
        let heap = match self {
            Edit::AddTrack { track, .. } => {
                track.name.len()
                    + track.clips.len() * std::mem::size_of::<crate::model::Clip>()
                    + track.strip.inserts.iter().map(insert_bytes).sum::<usize>()
            }
            Edit::Rename { name, .. } => name.len(),
            Edit::AddInsert { insert, .. } => insert_bytes(insert),
            Edit::SetInsertParams {
                params: stemdesk_dsp::EffectParams::Eq(eq),
                ..
            } => eq.bands.len() * std::mem::size_of::<stemdesk_dsp::EqBand>(),
            Edit::AddClip { clip, .. } => clip.source.as_os_str().len(),
            Edit::SetAutomationLane(lane) => {
                lane.points.len() * std::mem::size_of::<crate::automation::Breakpoint>()
            }
            _ => 0,
        };
        std::mem::size_of::<Edit>() + heap
    }

    /// Whether `self` and `other` set the same value of the same thing (two steps of one
    /// fader drag): in one gesture only the first needs an undo, only the last a redo.
    pub fn same_target(&self, other: &Edit) -> bool {
        use Edit::*;
        match (self, other) {
            (SetGain { strip: a, .. }, SetGain { strip: b, .. })
            | (SetPan { strip: a, .. }, SetPan { strip: b, .. })
            | (SetWidth { strip: a, .. }, SetWidth { strip: b, .. })
            | (SetMute { strip: a, .. }, SetMute { strip: b, .. })
            | (SetSolo { strip: a, .. }, SetSolo { strip: b, .. })
            | (SetPolarity { strip: a, .. }, SetPolarity { strip: b, .. })
            | (Rename { strip: a, .. }, Rename { strip: b, .. })
            | (SetColor { strip: a, .. }, SetColor { strip: b, .. })
            | (SetOutput { strip: a, .. }, SetOutput { strip: b, .. }) => a == b,
            (
                SetInsertParams {
                    strip: a,
                    insert: x,
                    ..
                },
                SetInsertParams {
                    strip: b,
                    insert: y,
                    ..
                },
            )
            | (
                SetInsertBypass {
                    strip: a,
                    insert: x,
                    ..
                },
                SetInsertBypass {
                    strip: b,
                    insert: y,
                    ..
                },
            ) => a == b && x == y,
            (
                SetSend {
                    strip: a, send: x, ..
                },
                SetSend {
                    strip: b, send: y, ..
                },
            ) => a == b && x == y,
            (SetClipGain { clip: a, .. }, SetClipGain { clip: b, .. })
            | (SetClipFades { clip: a, .. }, SetClipFades { clip: b, .. })
            | (TrimClip { clip: a, .. }, TrimClip { clip: b, .. }) => a == b,
            (SetAutomationLane(a), SetAutomationLane(b)) => a.id == b.id,
            (SetSoloSafe { bus: a, .. }, SetSoloSafe { bus: b, .. }) => a == b,
            (SetDelivery(_), SetDelivery(_)) => true,
            (SetAutomationMode { strip: a, .. }, SetAutomationMode { strip: b, .. }) => a == b,
            (SetTempo { .. }, SetTempo { .. }) => true,
            (SetMarker(a), SetMarker(b)) => a.id == b.id,
            _ => false,
        }
    }
}
