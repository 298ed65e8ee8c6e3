//! Undo and redo, bounded in memory.
//!
//! A step keeps the edits that made it (to redo) and what undoes each of them: an edit
//! naming the old value for most, a snapshot of the session for removals (see [`Revert`]).
//! A fader drag of a hundred frames is one step of one undo edit and one redo edit. The
//! history drops its oldest steps beyond [`MAX_HISTORY_BYTES`] or [`MAX_UNDO_STEPS`].
//!
//! Every state the session passes through has a revision number; undo and redo return to
//! earlier numbers, so "unsaved changes" is one comparison with the saved revision.

use std::collections::VecDeque;

use crate::edit::{Edit, EditError};
use crate::model::Session;
use crate::revert::Revert;

/// Most undo steps kept.
pub const MAX_UNDO_STEPS: usize = 1000;
/// Most memory the undo and redo steps may hold together (approximate), bytes.
pub const MAX_HISTORY_BYTES: usize = 32 * 1024 * 1024;

/// Groups edits into one undo step: every edit applied with the same gesture in a row
/// (one fader drag, one pencil stroke) is undone at once. Minted by [`History::gesture`],
/// so two gestures never share an identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Gesture(u64);

/// What an apply, undo or redo did, for whoever mirrors the session (the audio engine):
/// each edit applied with what it replaced, or a whole session swapped back.
#[derive(Debug, Clone, PartialEq)]
// The common variant is the large one (an edit and its revert, inline: no allocation per
// fader step); the snapshot is already boxed.
#[allow(clippy::large_enum_variant)]
pub enum Change {
    /// `edit` was applied; `reverted` undoes it (so it names the values before).
    Edit {
        /// What was applied.
        edit: Edit,
        /// What undoes it.
        reverted: Revert,
    },
    /// The session was replaced by a snapshot; this is the session before.
    Replaced(Box<Session>),
}

#[derive(Debug, Clone)]
struct Step {
    /// Ways back, in the order they were recorded (undo applies them in reverse).
    undo: Vec<Revert>,
    /// The edits, in order (redo applies them again).
    redo: Vec<Edit>,
    next_id_before: u32,
    revision_before: u64,
    revision_after: u64,
    bytes: usize,
}

/// A session with its undo and redo stacks.
#[derive(Debug, Clone)]
pub struct History {
    session: Session,
    undo: VecDeque<Step>,
    redo: Vec<Step>,
    /// The gesture the last undo step belongs to; further edits of it merge into that step.
    open_gesture: Option<Gesture>,
    next_gesture: u64,
    revision: u64,
    next_revision: u64,
    bytes: usize,
}

impl History {
    /// Starts a history at `session` (nothing to undo, revision 0).
    pub fn new(session: Session) -> Self {
        History {
            session,
            undo: VecDeque::new(),
            redo: Vec::new(),
            open_gesture: None,
            next_gesture: 1,
            revision: 0,
            next_revision: 1,
            bytes: 0,
        }
    }

    /// The current session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The current state's revision: equal revisions are equal sessions (compare with
    /// the revision saved to know whether there are unsaved changes).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// A new gesture, distinct from every earlier one.
    pub fn gesture(&mut self) -> Gesture {
        self.next_gesture += 1;
        Gesture(self.next_gesture)
    }

    /// Memory the undo and redo steps hold (approximate), bytes.
    pub fn approx_bytes(&self) -> usize {
        self.bytes
    }

    /// Number of steps that can be undone.
    pub fn undo_steps(&self) -> usize {
        self.undo.len()
    }

    /// Applies `edit` as its own undo step.
    pub fn apply(&mut self, edit: &Edit) -> Result<Change, EditError> {
        self.open_gesture = None;
        self.apply_in_gesture(edit, None)
    }

    /// Applies `edit` as part of `gesture` (e.g. one fader drag): all edits with the same
    /// gesture in a row form one undo step.
    pub fn apply_in_gesture(
        &mut self,
        edit: &Edit,
        gesture: Option<Gesture>,
    ) -> Result<Change, EditError> {
        let next_id_before = self.session.next_id;
        let reverted = self.session.apply_reverting(edit)?;
        let revision = self.next_revision;
        self.next_revision += 1;
        let continues = gesture.is_some() && gesture == self.open_gesture;
        let open_step = if continues {
            self.undo.back_mut()
        } else {
            None
        };
        match open_step {
            Some(step) => {
                step.revision_after = revision;
                // Another value of what the gesture already changed: the step's first
                // undo restores it, only the newest value needs redoing.
                match step.redo.last_mut() {
                    Some(last) if last.same_target(edit) => {
                        let grown = edit.approx_bytes();
                        let shrunk = last.approx_bytes();
                        *last = edit.clone();
                        step.bytes = (step.bytes + grown).saturating_sub(shrunk);
                        self.bytes = (self.bytes + grown).saturating_sub(shrunk);
                    }
                    _ => {
                        let bytes = edit.approx_bytes() + reverted.approx_bytes();
                        step.redo.push(edit.clone());
                        step.undo.push(reverted.clone());
                        step.bytes += bytes;
                        self.bytes += bytes;
                    }
                }
            }
            None => {
                let bytes = edit.approx_bytes() + reverted.approx_bytes();
                self.undo.push_back(Step {
                    undo: vec![reverted.clone()],
                    redo: vec![edit.clone()],
                    next_id_before,
                    revision_before: self.revision,
                    revision_after: revision,
                    bytes,
                });
                self.bytes += bytes;
            }
        }
        self.revision = revision;
        self.open_gesture = gesture;
        self.bytes -= self.redo.iter().map(|s| s.bytes).sum::<usize>();
        self.redo.clear();
        self.trim();
        Ok(Change::Edit {
            edit: edit.clone(),
            reverted,
        })
    }

    /// Drops the oldest steps beyond the step and memory bounds (the newest always stays).
    fn trim(&mut self) {
        while self.undo.len() > 1
            && (self.undo.len() > MAX_UNDO_STEPS || self.bytes > MAX_HISTORY_BYTES)
        {
            if let Some(old) = self.undo.pop_front() {
                self.bytes -= old.bytes;
            }
        }
    }

    /// Undoes the last step; returns what changed (empty when there was nothing to undo).
    pub fn undo(&mut self) -> Vec<Change> {
        self.open_gesture = None;
        let Some(mut step) = self.undo.pop_back() else {
            return Vec::new();
        };
        let mut changes = Vec::new();
        // The ways back are used up here; redo records them afresh.
        for revert in std::mem::take(&mut step.undo).into_iter().rev() {
            match revert {
                Revert::Edit(edit) => match self.session.apply_reverting(&edit) {
                    Ok(reverted) => changes.push(Change::Edit { edit, reverted }),
                    // Cannot happen (the edit restores a state that was valid); if it
                    // did, the rest of the step still applies.
                    Err(_) => continue,
                },
                Revert::Snapshot(before) => {
                    let now = std::mem::replace(&mut self.session, *before);
                    changes.push(Change::Replaced(Box::new(now)));
                }
            }
        }
        self.bytes -= step.bytes;
        step.bytes = step.redo.iter().map(Edit::approx_bytes).sum();
        self.bytes += step.bytes;
        self.session.next_id = step.next_id_before;
        self.revision = step.revision_before;
        self.redo.push(step);
        changes
    }

    /// Redoes the last undone step; returns what changed (empty when nothing to redo).
    pub fn redo(&mut self) -> Vec<Change> {
        self.open_gesture = None;
        let Some(mut step) = self.redo.pop() else {
            return Vec::new();
        };
        let mut changes = Vec::new();
        for edit in &step.redo {
            if let Ok(reverted) = self.session.apply_reverting(edit) {
                step.undo.push(reverted.clone());
                changes.push(Change::Edit {
                    edit: edit.clone(),
                    reverted,
                });
            }
        }
        self.bytes -= step.bytes;
        step.bytes = step.redo.iter().map(Edit::approx_bytes).sum::<usize>()
            + step.undo.iter().map(Revert::approx_bytes).sum::<usize>();
        self.bytes += step.bytes;
        self.revision = step.revision_after;
        self.undo.push_back(step);
        self.trim();
        changes
    }

    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}
