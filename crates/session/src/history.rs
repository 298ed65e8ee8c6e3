//! Undo and redo.
//!
//! A session holds no audio, so a snapshot is a few kilobytes: keeping the state before each
//! step is simpler and more robust than inverting every edit by hand.

use crate::edit::{Edit, EditError};
use crate::model::Session;

/// Most undo steps kept.
const MAX_UNDO_STEPS: usize = 500;

/// A session with its undo and redo stacks.
#[derive(Debug, Clone)]
pub struct History {
    session: Session,
    undo: Vec<Session>,
    redo: Vec<Session>,
    /// The gesture the last undo step belongs to; further edits of it merge into that step.
    open_gesture: Option<u64>,
}

impl History {
    /// Starts a history at `session` (nothing to undo).
    pub fn new(session: Session) -> Self {
        History {
            session,
            undo: Vec::new(),
            redo: Vec::new(),
            open_gesture: None,
        }
    }

    /// The current session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Applies `edit` as its own undo step.
    pub fn apply(&mut self, edit: &Edit) -> Result<(), EditError> {
        self.open_gesture = None;
        self.apply_in_gesture(edit, None)
    }

    /// Applies `edit` as part of a gesture (e.g. one fader drag): all edits with the same
    /// `gesture` in a row form one undo step.
    pub fn apply_in_gesture(&mut self, edit: &Edit, gesture: Option<u64>) -> Result<(), EditError> {
        let before = self.session.clone();
        self.session.apply(edit)?;
        let continues = gesture.is_some() && gesture == self.open_gesture;
        if !continues {
            self.undo.push(before);
            if self.undo.len() > MAX_UNDO_STEPS {
                self.undo.remove(0);
            }
        }
        self.open_gesture = gesture;
        self.redo.clear();
        Ok(())
    }

    /// Undoes the last step; false when there is nothing to undo.
    pub fn undo(&mut self) -> bool {
        self.open_gesture = None;
        match self.undo.pop() {
            Some(prev) => {
                self.redo.push(std::mem::replace(&mut self.session, prev));
                true
            }
            None => false,
        }
    }

    /// Redoes the last undone step; false when there is nothing to redo.
    pub fn redo(&mut self) -> bool {
        self.open_gesture = None;
        match self.redo.pop() {
            Some(next) => {
                self.undo.push(std::mem::replace(&mut self.session, next));
                true
            }
            None => false,
        }
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
