//! What panels ask for. A panel reads the document through a [`Desk`](super::desk::Desk)
//! and returns actions; the app applies them in one place after the frame
//! (`StemdeskApp::apply`), so no panel holds the app and edits never happen mid-draw.

use std::path::PathBuf;

use stemdesk_session::{Edit, StripId};

use super::bounce_options::BounceOptions;
use super::commands::Command;

/// One thing the user asked for this frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A command of the command table (menus, shortcuts and buttons give the same ones).
    Command(Command),
    /// An edit of the session: alone (its own undo step) or part of a drag.
    Edit {
        /// The edit.
        edit: Edit,
        /// The drag it belongs to: all edits of one drag are one undo step.
        drag: Option<Drag>,
    },
    /// Move the playhead.
    Seek(u64),
    /// Stop playback (and return to where it started).
    Stop,
    /// Set the loop range (frames) and switch looping on.
    SetLoop(u64, u64),
    /// Open a session (from the recent list), asking to save changes first.
    Open(PathBuf),
    /// Play through this output device (`None` = system default).
    SetDevice(Option<String>),
    /// Use this buffer size (`None` = device default).
    SetBufferFrames(Option<u32>),
    /// Keep this many seconds of audio loaded ahead of the playhead.
    SetReadAhead(f64),
    /// Import audio files as new tracks with a clip each at `position_frames`, before
    /// track `track_index` (`None` = after the last).
    Import {
        /// The files.
        paths: Vec<PathBuf>,
        /// Where the clips start.
        position_frames: u64,
        /// Where the tracks go.
        track_index: Option<usize>,
    },
    /// Bounce with these options (asks where first).
    Bounce(BounceOptions),
    /// Open a file with the desktop's program for it (the HTML report).
    OpenExternal(PathBuf),
    /// Stop a running job (a bounce).
    CancelJob(u64),
    /// Start the master loudness meter again.
    ResetLoudness,
    /// Reset a strip's clip light and peak readout.
    ClearClip(StripId),
    /// Save an effect's settings as a preset of the user's.
    SavePreset {
        /// The preset's name.
        name: String,
        /// The settings.
        effect: stemdesk_dsp::EffectParams,
        /// Replace a preset of that name (the user confirmed).
        replace: bool,
    },
    /// Delete one of the user's presets.
    DeletePreset {
        /// Its effect.
        kind: stemdesk_dsp::EffectKind,
        /// Its name.
        name: String,
    },
}

/// Identifies one continuous manipulation of a control (a fader drag, a colour-picker
/// session): the app turns it into one undo gesture. `started` begins a new gesture even
/// if the same control was dragged a moment ago (two drags are two undo steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drag {
    /// The control's widget id.
    pub id: egui::Id,
    /// The drag began this frame.
    pub started: bool,
}

impl Drag {
    /// The drag `resp` is part of, if it is being dragged (a typed or clicked change is
    /// not a drag: its own undo step).
    pub fn of(resp: &egui::Response) -> Option<Drag> {
        (resp.drag_started() || resp.dragged() || resp.drag_stopped()).then(|| Drag {
            id: resp.id,
            started: resp.drag_started(),
        })
    }
}
