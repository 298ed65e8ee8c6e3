//! What a panel sees: the document (session, media, peaks), the engine's read-outs
//! (meters, transport), jobs and messages, read-only; its own view state; and where its
//! [`Action`]s go.

use std::collections::HashMap;
use std::path::PathBuf;

use stemdesk_session::{Edit, ParamId, Session, StripId, StripParam};

use super::action::{Action, Drag};
use super::audio::Audio;
use super::doc::Document;
use super::jobs::{BounceDone, Jobs};
use super::messages::MessageLog;
use super::view::ViewState;

/// One frame's view of the desk for the panels.
pub struct Desk<'a> {
    /// The open document.
    pub doc: &'a Document,
    /// The audio engine's state (meters, transport, device), read-only.
    pub audio: &'a Audio,
    /// Running jobs.
    pub jobs: &'a Jobs,
    /// The message log.
    pub messages: &'a MessageLog,
    /// Recently opened sessions, newest first.
    pub recent: &'a [PathBuf],
    /// The last finished bounce.
    pub last_bounce: Option<&'a BounceDone>,
    /// What the user is looking at: panels change it directly (it is not the document).
    pub view: &'a mut ViewState,
    /// The user's effect presets.
    pub presets: Option<&'a super::presets::PresetStore>,
    /// Spectra of the EQ whose editor is open.
    pub analyser: Option<&'a super::analyser::Analyser>,
    actions: Vec<Action>,
    /// Parameters whose value comes from a lane or a control writing one, at the playhead.
    live: HashMap<ParamId, f32>,
    /// IDs handed out this frame (the session's counter moves when the edit applies).
    next_id: u32,
}

impl<'a> Desk<'a> {
    /// A frame's desk over the app's parts.
    pub fn new(
        doc: &'a Document,
        audio: &'a Audio,
        jobs: &'a Jobs,
        messages: &'a MessageLog,
        recent: &'a [PathBuf],
        last_bounce: Option<&'a BounceDone>,
        view: &'a mut ViewState,
    ) -> Self {
        Desk {
            last_bounce,
            next_id: doc.session().next_id,
            doc,
            audio,
            jobs,
            messages,
            recent,
            view,
            presets: None,
            analyser: None,
            actions: Vec::new(),
            live: HashMap::new(),
        }
    }

    /// The desk with the user's presets (the editors list them).
    pub fn with_presets(mut self, presets: &'a super::presets::PresetStore) -> Self {
        self.presets = Some(presets);
        self
    }

    /// The desk with the open EQ editor's analyser.
    pub fn with_analyser(mut self, analyser: &'a super::analyser::Analyser) -> Self {
        self.analyser = Some(analyser);
        self
    }

    /// The desk with `live` values for automated controls (see [`Desk::shown`]).
    pub fn with_live(mut self, live: HashMap<ParamId, f32>) -> Self {
        self.live = live;
        self
    }

    /// The session (as it was when the frame began).
    pub fn session(&self) -> &'a Session {
        self.doc.session()
    }

    /// What a control shows for `param` of `strip` whose static value is `value`: where
    /// its lane is at the playhead (Read) or what is being written, else `value`.
    pub fn shown(&self, strip: StripId, param: StripParam, value: f32) -> f32 {
        self.live
            .get(&ParamId { strip, param })
            .copied()
            .unwrap_or(value)
    }

    /// Whether `param` of `strip` is driven by a lane now (its control follows it).
    pub fn automated(&self, strip: StripId, param: StripParam) -> bool {
        self.live.contains_key(&ParamId { strip, param })
    }

    /// `frames` on the grid when snapping is on and `free` (Alt held) is not.
    pub fn snap(&self, frames: u64, free: bool) -> u64 {
        if !self.view.snap || free {
            return frames;
        }
        let s = self.session();
        s.timeline.snap(frames, self.view.grid, s.sample_rate_hz)
    }

    /// Transport position in frames.
    pub fn position_frames(&self) -> u64 {
        self.audio.position_frames()
    }

    /// Asks for `action`.
    pub fn act(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Asks for an edit as its own undo step.
    pub fn edit(&mut self, edit: Edit) {
        self.act(Action::Edit { edit, drag: None });
    }

    /// Asks for an edit made by `resp`: part of its drag when it is being dragged.
    pub fn edit_by(&mut self, edit: Edit, resp: &egui::Response) {
        self.act(Action::Edit {
            edit,
            drag: Drag::of(resp),
        });
    }

    /// A fresh ID for an item an edit of this frame adds.
    pub fn fresh_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The actions asked for, in order.
    pub fn into_actions(self) -> Vec<Action> {
        self.actions
    }
}
