//! Every change to a session is a value of [`Edit`], applied in one place
//! ([`Session::apply`]), so undo/redo, autosave and the engine all see the same thing.

use stemdesk_dsp::params::EffectParams;

use crate::automation::{AutomationLane, StripParam};
use crate::delivery::DeliverySpec;
use crate::ids::{BusId, ClipId, InsertId, LaneId, Output, SendId, StripId, TrackId};
use crate::model::{Bus, Clip, Color, Fade, Insert, Send, Session, Track};
use crate::revert::Revert;
use crate::validate::{ValidationError, validate};

/// One user edit.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Edit {
    /// Adds a track at `index` (clamped to the end).
    AddTrack {
        /// The track (its IDs must come from [`Session::alloc_id`]).
        track: Track,
        /// Display position.
        index: usize,
    },
    /// Removes a track.
    RemoveTrack(TrackId),
    /// Adds a bus at the end.
    AddBus(Bus),
    /// Removes a bus, every send to it, and re-routes outputs that went to it to the master.
    RemoveBus(BusId),
    /// Renames a track or bus.
    Rename {
        /// Which strip.
        strip: StripId,
        /// New name.
        name: String,
    },
    /// Changes a track's or bus's colour.
    SetColor {
        /// Which strip.
        strip: StripId,
        /// New colour.
        color: Color,
    },
    /// Moves a fader.
    SetGain {
        /// Which strip (the master included).
        strip: StripId,
        /// New gain.
        gain_db: f32,
    },
    /// Moves a pan control.
    SetPan {
        /// Which strip (the master included).
        strip: StripId,
        /// New pan -1..1.
        pan: f32,
    },
    /// Changes stereo width.
    SetWidth {
        /// Which strip.
        strip: StripId,
        /// New width 0..2.
        width: f32,
    },
    /// Mutes or unmutes.
    SetMute {
        /// Which strip (the master included).
        strip: StripId,
        /// Muted?
        mute: bool,
    },
    /// Solos or unsolos.
    SetSolo {
        /// Which strip.
        strip: StripId,
        /// Soloed?
        solo: bool,
    },
    /// Marks a bus solo-safe.
    SetSoloSafe {
        /// Which bus.
        bus: BusId,
        /// Solo-safe?
        solo_safe: bool,
    },
    /// Inverts polarity.
    SetPolarity {
        /// Which strip (the master included).
        strip: StripId,
        /// Inverted?
        invert: bool,
    },
    /// Re-routes a strip's output.
    SetOutput {
        /// Which strip.
        strip: StripId,
        /// New destination.
        output: Output,
    },
    /// Adds an insert at `index` (clamped to the end).
    AddInsert {
        /// Which strip (the master included).
        strip: StripId,
        /// Slot position.
        index: usize,
        /// The insert.
        insert: Insert,
    },
    /// Removes an insert.
    RemoveInsert {
        /// Which strip.
        strip: StripId,
        /// Which insert.
        insert: InsertId,
    },
    /// Moves an insert to another slot position.
    MoveInsert {
        /// Which strip.
        strip: StripId,
        /// Which insert.
        insert: InsertId,
        /// New position (clamped).
        index: usize,
    },
    /// Bypasses or enables an insert.
    SetInsertBypass {
        /// Which strip.
        strip: StripId,
        /// Which insert.
        insert: InsertId,
        /// Bypassed?
        bypass: bool,
    },
    /// Replaces an insert's parameters (same effect kind).
    SetInsertParams {
        /// Which strip.
        strip: StripId,
        /// Which insert.
        insert: InsertId,
        /// New parameters.
        params: EffectParams,
    },
    /// Keys a compressor or gate from another strip, or (`None`) from its own input.
    SetInsertSidechain {
        /// Which strip.
        strip: StripId,
        /// Which insert.
        insert: InsertId,
        /// The strip it listens to.
        source: Option<StripId>,
    },
    /// Adds a send.
    AddSend {
        /// From which strip.
        strip: StripId,
        /// The send.
        send: Send,
    },
    /// Removes a send.
    RemoveSend {
        /// From which strip.
        strip: StripId,
        /// Which send.
        send: SendId,
    },
    /// Changes a send's level and pre/post setting.
    SetSend {
        /// From which strip.
        strip: StripId,
        /// Which send.
        send: SendId,
        /// New level.
        level_db: f32,
        /// Pre-fader?
        pre_fader: bool,
    },
    /// Adds a clip to a track.
    AddClip {
        /// Which track.
        track: TrackId,
        /// The clip.
        clip: Clip,
    },
    /// Removes a clip.
    RemoveClip(ClipId),
    /// Moves a clip in time and/or to another track.
    MoveClip {
        /// Which clip.
        clip: ClipId,
        /// Destination track.
        track: TrackId,
        /// New timeline position.
        position_frames: u64,
    },
    /// Trims a clip (new start, offset into the source and length).
    TrimClip {
        /// Which clip.
        clip: ClipId,
        /// New timeline position.
        position_frames: u64,
        /// New source offset.
        offset_frames: u64,
        /// New length.
        length_frames: u64,
    },
    /// Changes a clip's gain.
    SetClipGain {
        /// Which clip.
        clip: ClipId,
        /// New gain.
        gain_db: f32,
    },
    /// Changes a clip's fades.
    SetClipFades {
        /// Which clip.
        clip: ClipId,
        /// Fade in.
        fade_in: Fade,
        /// Fade out.
        fade_out: Fade,
    },
    /// Adds or replaces an automation lane (matched by ID).
    SetAutomationLane(AutomationLane),
    /// Removes an automation lane.
    RemoveAutomationLane(LaneId),
    /// Replaces the delivery spec the bounce is checked against.
    SetDelivery(DeliverySpec),
    /// Sets the tempo and the time signature.
    SetTempo {
        /// Beats per minute.
        tempo_bpm: f64,
        /// Beats in a bar.
        beats_per_bar: u32,
    },
    /// Adds or replaces (by ID) a marker.
    SetMarker(crate::timeline::Marker),
    /// Removes a marker.
    RemoveMarker(crate::ids::MarkerId),
    /// Sets a strip's automation mode.
    SetAutomationMode {
        /// The strip.
        strip: StripId,
        /// Its new mode.
        mode: crate::automation::AutomationMode,
    },
}

/// Why an edit was refused. The session is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// The edit names something that does not exist.
    #[error("{0} does not exist")]
    NotFound(String),
    /// The edit would make the session invalid (e.g. a routing cycle).
    #[error("{0}")]
    Invalid(ValidationError),
    /// The edit makes no sense for its target (e.g. a send on the master).
    #[error("{0}")]
    NotAllowed(String),
}

impl Session {
    /// Applies `edit`, or leaves the session untouched and says why not.
    pub fn apply(&mut self, edit: &Edit) -> Result<(), EditError> {
        self.apply_reverting(edit).map(|_| ())
    }

    /// Applies `edit` and returns what undoes it, or leaves the session untouched and says
    /// why not.
    ///
    /// An edit that changes one value (a fader, an insert's settings, a clip's gain) is
    /// checked alone and applied in place: its cost does not grow with the session. Other
    /// edits are applied to a copy that is validated whole.
    pub fn apply_reverting(&mut self, edit: &Edit) -> Result<Revert, EditError> {
        // An edit naming something missing takes the full path, which says what is wrong.
        let revert = self.revert_edit(edit).unwrap_or(None);
        if let (Some(check), Some(undo)) = (crate::validate::check_edit(self, edit), &revert) {
            check.map_err(EditError::Invalid)?;
            let undo = undo.clone();
            self.apply_unchecked(edit)?;
            return Ok(Revert::Edit(undo));
        }
        let mut next = self.clone();
        next.apply_unchecked(edit)?;
        // Edits that add items carry IDs allocated from a copy (`alloc_id`); the counter
        // moves past them so later allocations never collide.
        if let Some(max) = crate::validate::all_ids(&next).into_iter().max() {
            next.next_id = next.next_id.max(max.saturating_add(1));
        }
        if let Some(e) = validate(&next).into_iter().next() {
            return Err(EditError::Invalid(e));
        }
        let before = std::mem::replace(self, next);
        Ok(match revert {
            Some(undo) => Revert::Edit(undo),
            None => Revert::Snapshot(Box::new(before)),
        })
    }

    fn apply_unchecked(&mut self, edit: &Edit) -> Result<(), EditError> {
        let missing = |what: String| EditError::NotFound(what);
        match edit.clone() {
            Edit::AddTrack { track, index } => {
                let index = index.min(self.tracks.len());
                self.tracks.insert(index, track);
            }
            Edit::RemoveTrack(id) => {
                let before = self.tracks.len();
                self.tracks.retain(|t| t.id != id);
                if self.tracks.len() == before {
                    return Err(missing(id.to_string()));
                }
                self.automation
                    .retain(|l| l.target.strip != StripId::Track(id));
                self.automation_modes.remove(&StripId::Track(id));
                self.clear_sidechains_from(StripId::Track(id));
            }
            Edit::AddBus(bus) => self.buses.push(bus),
            Edit::RemoveBus(id) => {
                let before = self.buses.len();
                self.buses.retain(|b| b.id != id);
                if self.buses.len() == before {
                    return Err(missing(id.to_string()));
                }
                let strips = self
                    .tracks
                    .iter_mut()
                    .map(|t| &mut t.strip)
                    .chain(self.buses.iter_mut().map(|b| &mut b.strip));
                let mut gone_sends = Vec::new();
                for s in strips {
                    gone_sends.extend(s.sends.iter().filter(|x| x.target == id).map(|x| x.id));
                    s.sends.retain(|x| x.target != id);
                    if s.output == Output::Bus(id) {
                        s.output = Output::Master;
                    }
                }
                // The bus's lanes and those of the sends that fed it go with it.
                self.automation.retain(|l| {
                    l.target.strip != StripId::Bus(id)
                        && !matches!(&l.target.param, StripParam::SendLevelDb(x) if gone_sends.contains(x))
                });
                self.automation_modes.remove(&StripId::Bus(id));
                self.clear_sidechains_from(StripId::Bus(id));
            }
            Edit::Rename { strip, name } => match strip {
                StripId::Track(t) => self.track_mut(t).ok_or(missing(t.to_string()))?.name = name,
                StripId::Bus(b) => self.bus_mut(b).ok_or(missing(b.to_string()))?.name = name,
                StripId::Master => {
                    return Err(EditError::NotAllowed("the master cannot be renamed".into()));
                }
            },
            Edit::SetColor { strip, color } => match strip {
                StripId::Track(t) => self.track_mut(t).ok_or(missing(t.to_string()))?.color = color,
                StripId::Bus(b) => self.bus_mut(b).ok_or(missing(b.to_string()))?.color = color,
                StripId::Master => {
                    return Err(EditError::NotAllowed("the master has no colour".into()));
                }
            },
            Edit::SetGain { strip, gain_db } => match strip {
                StripId::Master => self.master.gain_db = gain_db,
                s => self.strip_or(s)?.gain_db = gain_db,
            },
            Edit::SetPan { strip, pan } => match strip {
                StripId::Master => self.master.pan = pan,
                s => self.strip_or(s)?.pan = pan,
            },
            Edit::SetWidth { strip, width } => self.strip_or(strip)?.width = width,
            Edit::SetMute { strip, mute } => match strip {
                StripId::Master => self.master.mute = mute,
                s => self.strip_or(s)?.mute = mute,
            },
            Edit::SetSolo { strip, solo } => self.strip_or(strip)?.solo = solo,
            Edit::SetSoloSafe { bus, solo_safe } => {
                self.bus_mut(bus).ok_or(missing(bus.to_string()))?.solo_safe = solo_safe;
            }
            Edit::SetPolarity { strip, invert } => match strip {
                StripId::Master => self.master.polarity_invert = invert,
                s => self.strip_or(s)?.polarity_invert = invert,
            },
            Edit::SetOutput { strip, output } => {
                if output
                    == Output::Bus(match strip {
                        StripId::Bus(b) => b,
                        _ => BusId(u32::MAX),
                    })
                {
                    return Err(EditError::NotAllowed(
                        "a bus cannot output to itself".into(),
                    ));
                }
                self.strip_or(strip)?.output = output;
            }
            Edit::AddInsert {
                strip,
                index,
                insert,
            } => {
                let inserts = self.inserts_or(strip)?;
                let index = index.min(inserts.len());
                inserts.insert(index, insert);
            }
            Edit::RemoveInsert { strip, insert } => {
                let inserts = self.inserts_or(strip)?;
                let pos = position(inserts, insert)?;
                inserts.remove(pos);
                // Its automation goes with it.
                self.automation.retain(|l| {
                    !(l.target.strip == strip
                        && matches!(&l.target.param, StripParam::Insert { insert: i, .. } if *i == insert))
                });
            }
            Edit::MoveInsert {
                strip,
                insert,
                index,
            } => {
                let inserts = self.inserts_or(strip)?;
                let pos = position(inserts, insert)?;
                let item = inserts.remove(pos);
                let index = index.min(inserts.len());
                inserts.insert(index, item);
            }
            Edit::SetInsertSidechain {
                strip,
                insert,
                source,
            } => {
                let inserts = self.inserts_or(strip)?;
                let pos = position(inserts, insert)?;
                inserts[pos].sidechain = source;
            }
            Edit::SetInsertBypass {
                strip,
                insert,
                bypass,
            } => {
                let inserts = self.inserts_or(strip)?;
                let pos = position(inserts, insert)?;
                inserts[pos].bypass = bypass;
            }
            Edit::SetInsertParams {
                strip,
                insert,
                params,
            } => {
                let inserts = self.inserts_or(strip)?;
                let pos = position(inserts, insert)?;
                if std::mem::discriminant(&inserts[pos].effect) != std::mem::discriminant(&params) {
                    return Err(EditError::NotAllowed(
                        "new parameters are for a different kind of effect".into(),
                    ));
                }
                inserts[pos].effect = params;
                // Lanes on parameters the new settings no longer have (a removed EQ band)
                // go with them (undo restores both: see `revert_edit`).
                self.drop_orphan_lanes();
            }
            Edit::AddSend { strip, send } => {
                if strip == StripId::Bus(send.target) {
                    return Err(EditError::NotAllowed("a bus cannot send to itself".into()));
                }
                self.strip_or(strip)?.sends.push(send);
            }
            Edit::RemoveSend { strip, send } => {
                let s = self.strip_or(strip)?;
                let before = s.sends.len();
                s.sends.retain(|x| x.id != send);
                if s.sends.len() == before {
                    return Err(missing(send.to_string()));
                }
                self.automation.retain(|l| {
                    !(l.target.strip == strip && l.target.param == StripParam::SendLevelDb(send))
                });
            }
            Edit::SetSend {
                strip,
                send,
                level_db,
                pre_fader,
            } => {
                let s = self.strip_or(strip)?;
                let x = s
                    .sends
                    .iter_mut()
                    .find(|x| x.id == send)
                    .ok_or(missing(send.to_string()))?;
                x.level_db = level_db;
                x.pre_fader = pre_fader;
            }
            Edit::AddClip { track, clip } => {
                self.track_mut(track)
                    .ok_or(missing(track.to_string()))?
                    .clips
                    .push(clip);
            }
            Edit::RemoveClip(id) => {
                self.take_clip(id)?;
            }
            Edit::MoveClip {
                clip,
                track,
                position_frames,
            } => {
                if self.track(track).is_none() {
                    return Err(missing(track.to_string()));
                }
                let mut c = self.take_clip(clip)?;
                c.position_frames = position_frames;
                if let Some(t) = self.track_mut(track) {
                    t.clips.push(c);
                }
            }
            Edit::TrimClip {
                clip,
                position_frames,
                offset_frames,
                length_frames,
            } => {
                let c = self.clip_or(clip)?;
                c.position_frames = position_frames;
                c.offset_frames = offset_frames;
                c.length_frames = length_frames;
            }
            Edit::SetClipGain { clip, gain_db } => self.clip_or(clip)?.gain_db = gain_db,
            Edit::SetClipFades {
                clip,
                fade_in,
                fade_out,
            } => {
                let c = self.clip_or(clip)?;
                c.fade_in = fade_in;
                c.fade_out = fade_out;
            }
            Edit::SetAutomationLane(lane) => {
                match self.automation.iter_mut().find(|l| l.id == lane.id) {
                    Some(l) => *l = lane,
                    None => self.automation.push(lane),
                }
            }
            Edit::SetDelivery(spec) => self.delivery = spec,
            Edit::SetTempo {
                tempo_bpm,
                beats_per_bar,
            } => {
                self.timeline.tempo_bpm = tempo_bpm;
                self.timeline.beats_per_bar = beats_per_bar;
            }
            Edit::SetMarker(marker) => {
                let markers = &mut self.timeline.markers;
                markers.retain(|m| m.id != marker.id);
                let at = markers.partition_point(|m| m.time_frames <= marker.time_frames);
                markers.insert(at, marker);
            }
            Edit::RemoveMarker(id) => {
                let before = self.timeline.markers.len();
                self.timeline.markers.retain(|m| m.id != id);
                if self.timeline.markers.len() == before {
                    return Err(missing(id.to_string()));
                }
            }
            Edit::SetAutomationMode { strip, mode } => {
                if strip != StripId::Master && self.strip(strip).is_none() {
                    return Err(missing(format!("{strip:?}")));
                }
                if mode == crate::automation::AutomationMode::default() {
                    self.automation_modes.remove(&strip);
                } else {
                    self.automation_modes.insert(strip, mode);
                }
            }
            Edit::RemoveAutomationLane(id) => {
                let before = self.automation.len();
                self.automation.retain(|l| l.id != id);
                if self.automation.len() == before {
                    return Err(missing(id.to_string()));
                }
            }
        }
        Ok(())
    }

    /// Removes the lanes whose parameter no longer exists.
    fn drop_orphan_lanes(&mut self) {
        let orphans: Vec<LaneId> = self
            .automation
            .iter()
            .filter(|l| self.param_spec(&l.target).is_none())
            .map(|l| l.id)
            .collect();
        self.automation.retain(|l| !orphans.contains(&l.id));
    }

    fn strip_or(&mut self, id: StripId) -> Result<&mut crate::model::Strip, EditError> {
        if id == StripId::Master {
            return Err(EditError::NotAllowed(
                "the master has no sends, solo, width or routing".into(),
            ));
        }
        let name = self.strip_name(id);
        self.strip_mut(id).ok_or(EditError::NotFound(name))
    }

    fn inserts_or(&mut self, id: StripId) -> Result<&mut Vec<Insert>, EditError> {
        let name = self.strip_name(id);
        self.inserts_mut(id).ok_or(EditError::NotFound(name))
    }

    /// Inserts keyed from `source` (being removed) go back to their own input.
    fn clear_sidechains_from(&mut self, source: StripId) {
        let strips = self
            .tracks
            .iter_mut()
            .map(|t| &mut t.strip.inserts)
            .chain(self.buses.iter_mut().map(|b| &mut b.strip.inserts))
            .chain(std::iter::once(&mut self.master.inserts));
        for insert in strips.flatten() {
            if insert.sidechain == Some(source) {
                insert.sidechain = None;
            }
        }
    }

    fn clip_or(&mut self, id: ClipId) -> Result<&mut Clip, EditError> {
        self.tracks
            .iter_mut()
            .flat_map(|t| t.clips.iter_mut())
            .find(|c| c.id == id)
            .ok_or(EditError::NotFound(id.to_string()))
    }

    fn take_clip(&mut self, id: ClipId) -> Result<Clip, EditError> {
        for t in &mut self.tracks {
            if let Some(pos) = t.clips.iter().position(|c| c.id == id) {
                return Ok(t.clips.remove(pos));
            }
        }
        Err(EditError::NotFound(id.to_string()))
    }
}

fn position(inserts: &[Insert], id: InsertId) -> Result<usize, EditError> {
    inserts
        .iter()
        .position(|i| i.id == id)
        .ok_or(EditError::NotFound(id.to_string()))
}
