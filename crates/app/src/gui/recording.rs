//! Writing automation from the desk's controls while the song plays.
//!
//! On a strip in Touch, Latch, Write or Trim, a control moved during playback does not
//! change the static value: its moves go to a [`LaneRecorder`] per parameter, the engine
//! plays what the control says (the lane is suspended meanwhile), and the written lane is
//! stored when the control is let go (Touch, Trim) or the transport stops (Latch, Write).
//! Everything one pass writes is one undo step.

use std::collections::HashMap;

use stemdesk_dsp::ParamSpec;
use stemdesk_engine::live::LiveParam;
use stemdesk_session::record::LaneRecorder;
use stemdesk_session::{
    AutomationLane, AutomationMode, Breakpoint, CurveShape, Edit, Gesture, LaneId, ParamId,
    StripParam,
};

use super::app::StemdeskApp;

/// One parameter being written.
struct Take {
    lane: LaneId,
    recorder: LaneRecorder,
    /// The control moved this frame (so it is still held).
    moved: bool,
}

/// A pass of the transport that writes automation.
pub struct Recording {
    gesture: Gesture,
    takes: HashMap<ParamId, Take>,
    /// The transport's position at the last frame (where a stop happened).
    last_frame: u64,
}

impl Recording {
    /// What the desk should show for each parameter being written.
    pub fn heard(&self, frame: u64) -> impl Iterator<Item = (&ParamId, f32)> {
        self.takes
            .iter()
            .filter(|(_, t)| t.recorder.is_writing())
            .map(move |(p, t)| (p, t.recorder.heard_at(frame)))
    }
}

/// The parameter an edit sets and its new value, if it is one a lane can write.
pub fn recordable(session: &stemdesk_session::Session, edit: &Edit) -> Option<(ParamId, f32)> {
    let at = |strip, param| ParamId { strip, param };
    match edit {
        Edit::SetGain { strip, gain_db } => Some((at(*strip, StripParam::GainDb), *gain_db)),
        Edit::SetPan { strip, pan } => Some((at(*strip, StripParam::Pan), *pan)),
        Edit::SetWidth { strip, width } => Some((at(*strip, StripParam::Width), *width)),
        Edit::SetSend {
            strip,
            send,
            level_db,
            pre_fader,
        } => {
            let now = session
                .strip(*strip)?
                .sends
                .iter()
                .find(|s| s.id == *send)?;
            (now.pre_fader == *pre_fader)
                .then(|| (at(*strip, StripParam::SendLevelDb(*send)), *level_db))
        }
        Edit::SetInsertParams {
            strip,
            insert,
            params,
        } => {
            // The one automatable parameter that changed.
            let now = &session
                .inserts(*strip)?
                .iter()
                .find(|i| i.id == *insert)?
                .effect;
            let mut changed = params
                .params()
                .into_iter()
                .filter(|(key, spec)| spec.automatable && now.get(key) != params.get(key));
            let (key, _) = changed.next()?;
            if changed.next().is_some() {
                return None;
            }
            let value = params.get(&key)?;
            Some((
                at(
                    *strip,
                    StripParam::Insert {
                        insert: *insert,
                        key,
                    },
                ),
                value,
            ))
        }
        _ => None,
    }
}

fn measure(spec: &ParamSpec, value: f32) -> f32 {
    super::automation::to_unit(spec, value)
}

impl StemdeskApp {
    /// Takes `edit` as a control move to write, if its strip records and the song plays;
    /// true when it was taken (and must not change the static value).
    pub(crate) fn record_edit(&mut self, edit: &Edit) -> bool {
        if !self.audio.is_playing() {
            return false;
        }
        let Some((param, value)) = recordable(self.session(), edit) else {
            return false;
        };
        let mode = self.session().automation_mode(param.strip);
        if !mode.records() || self.session().param_spec(&param).is_none() {
            return false;
        }
        let frame = self.audio.position_frames();
        let Some(take) = self.take(&param, mode, frame) else {
            return false;
        };
        take.recorder.moved(frame, value);
        take.moved = true;
        true
    }

    /// The take writing `param`, started if need be: from its lane, or from a new lane
    /// stored at once (in the pass's undo step) that starts at the static value.
    fn take(&mut self, param: &ParamId, mode: AutomationMode, frame: u64) -> Option<&mut Take> {
        let spec = self.session().param_spec(param)?;
        let gesture = match &self.recording {
            Some(r) => r.gesture,
            None => self.doc.gesture(),
        };
        let known = self
            .recording
            .as_ref()
            .is_some_and(|r| r.takes.contains_key(param));
        if !known {
            let existing = self
                .session()
                .automation
                .iter()
                .find(|l| l.target == *param)
                .cloned();
            let lane = match existing {
                Some(lane) => lane,
                None => {
                    let [id] = self.fresh_ids::<1>();
                    let value = self.session().param_value(param).unwrap_or(spec.default);
                    let lane = AutomationLane {
                        id: LaneId(id),
                        target: param.clone(),
                        enabled: true,
                        points: vec![Breakpoint {
                            time_frames: 0,
                            value,
                            curve: CurveShape::Linear,
                        }],
                    };
                    self.edit(Edit::SetAutomationLane(lane.clone()), Some(gesture));
                    lane
                }
            };
            let rate = self.session().sample_rate_hz;
            let recorder = LaneRecorder::new(mode, lane.clone(), spec, frame, rate, measure);
            self.recording
                .get_or_insert_with(|| Recording {
                    gesture,
                    takes: HashMap::new(),
                    last_frame: frame,
                })
                .takes
                .insert(
                    param.clone(),
                    Take {
                        lane: lane.id,
                        recorder,
                        moved: false,
                    },
                );
        }
        self.recording.as_mut()?.takes.get_mut(param)
    }

    /// Once per frame: starts Write passes, lets go of controls no longer held, keeps the
    /// engine playing what is written, and stores everything when the transport stops.
    pub(crate) fn recording_tick(&mut self, ctx: &egui::Context) {
        let playing = self.audio.is_playing();
        if !playing {
            self.finish_recording();
            return;
        }
        let frame = self.audio.position_frames();
        // The transport jumped back (a loop, a seek): this pass ends where it was, and a
        // new one starts from here.
        if self
            .recording
            .as_ref()
            .is_some_and(|r| frame < r.last_frame)
        {
            self.finish_recording();
        }
        self.start_write_passes(frame);
        let Some(rec) = self.recording.as_mut() else {
            return;
        };
        rec.last_frame = frame;
        let held = ctx.input(|i| i.pointer.any_down());
        let mut written = Vec::new();
        for take in rec.takes.values_mut() {
            if take.recorder.is_touched() && !take.moved && !held {
                if let Some(lane) = take.recorder.release(frame) {
                    written.push(lane);
                }
            } else {
                take.recorder.tick(frame);
            }
            take.moved = false;
        }
        let gesture = rec.gesture;
        for lane in written {
            self.edit(Edit::SetAutomationLane(lane), Some(gesture));
        }
        self.send_heard(frame);
    }

    /// Write mode writes every lane of its strip from the start of the pass.
    fn start_write_passes(&mut self, frame: u64) {
        let writing: Vec<ParamId> = self
            .session()
            .automation
            .iter()
            .filter(|l| self.session().automation_mode(l.target.strip) == AutomationMode::Write)
            .map(|l| l.target.clone())
            .collect();
        for param in writing {
            let known = self
                .recording
                .as_ref()
                .is_some_and(|r| r.takes.contains_key(&param));
            if !known {
                self.take(&param, AutomationMode::Write, frame);
            }
        }
    }

    /// Tells the engine what each written parameter should sound like now, and to keep
    /// its lane silent: sent every frame, so a graph swapped in meanwhile (a stored lane,
    /// any other edit) is suspended again at once.
    fn send_heard(&mut self, frame: u64) {
        let Some(rec) = self.recording.as_mut() else {
            return;
        };
        for (param, take) in rec.takes.iter_mut() {
            if !take.recorder.is_writing() {
                continue;
            }
            self.audio.suspend_lane(param.strip, take.lane, true);
            let value = take.recorder.heard_at(frame);
            let live = match &param.param {
                StripParam::GainDb => Some(LiveParam::GainDb),
                StripParam::Pan => Some(LiveParam::Pan),
                StripParam::Width => Some(LiveParam::Width),
                StripParam::SendLevelDb(send) => Some(LiveParam::SendLevelDb(*send)),
                StripParam::Insert { .. } | StripParam::Mute => None,
            };
            match (live, &param.param) {
                (Some(live), _) => self.audio.set_param(param.strip, live, value),
                (None, StripParam::Insert { insert, key }) => {
                    let session = self.doc.session();
                    if let Some(mut params) = session
                        .inserts(param.strip)
                        .and_then(|v| v.iter().find(|i| i.id == *insert))
                        .map(|i| i.effect.clone())
                        && params.set(key, value).is_ok()
                    {
                        self.audio.set_insert_params(param.strip, *insert, params);
                    }
                }
                _ => {}
            }
        }
    }

    /// The transport stopped: every lane being written is stored, one undo step for the
    /// pass.
    fn finish_recording(&mut self) {
        let Some(mut rec) = self.recording.take() else {
            return;
        };
        let frame = rec.last_frame;
        let lanes: Vec<AutomationLane> = rec
            .takes
            .values_mut()
            .filter_map(|t| t.recorder.finish(frame))
            .collect();
        for lane in lanes {
            self.edit(Edit::SetAutomationLane(lane), Some(rec.gesture));
        }
    }

    /// The values the desk shows: the lanes at the playhead where they play, and what is
    /// being written.
    pub(crate) fn live_values(&self) -> HashMap<ParamId, f32> {
        let frame = self.audio.position_frames();
        let session = self.session();
        let mut out: HashMap<ParamId, f32> = session
            .automation
            .iter()
            .filter(|l| l.enabled && session.automation_mode(l.target.strip) != AutomationMode::Off)
            .filter_map(|l| Some((l.target.clone(), l.value_at(frame)?)))
            .collect();
        if let Some(rec) = &self.recording {
            out.extend(rec.heard(frame).map(|(p, v)| (p.clone(), v)));
        }
        out
    }
}
