//! File dialogs behind a trait: the real ones run on a worker thread (the window keeps
//! drawing while one is open), tests answer with prepared paths.
//!
//! A dialog is asked with [`Dialogs::ask`] and answered through [`Dialogs::poll`]. When no
//! dialog backend exists (a bare X session without an XDG desktop portal) the answer is
//! [`DialogAnswer::Unavailable`] and the app asks for a typed path instead.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, TryRecvError};

/// Called by a dialog's worker thread once its answer is ready (requests a repaint).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Which file question is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKind {
    /// A session file to open.
    OpenSession,
    /// Where to save the session.
    SaveSession,
    /// Audio files to import (several at once).
    ImportAudio,
    /// Where to write a bounce.
    BounceTarget,
    /// A folder to look for missing media in.
    RelinkFolder,
}

impl DialogKind {
    /// The dialog's title (also the heading of the typed-path fallback).
    pub fn title(self) -> &'static str {
        match self {
            Self::OpenSession => "Open session",
            Self::SaveSession => "Save session",
            Self::ImportAudio => "Import audio",
            Self::BounceTarget => "Bounce mix",
            Self::RelinkFolder => "Folder with the missing media",
        }
    }

    /// Whether the answer names a file that will be written (so an existing one is replaced).
    pub fn writes(self) -> bool {
        matches!(self, Self::SaveSession | Self::BounceTarget)
    }
}

/// A question for the user: which dialog, and the file name to suggest when saving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogRequest {
    /// Which dialog.
    pub kind: DialogKind,
    /// The file name offered for saving (empty for other dialogs).
    pub suggested_name: String,
}

/// How a dialog ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogAnswer {
    /// The user chose these paths (one, except for imports).
    Chosen(Vec<PathBuf>),
    /// The user closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown; the reason, for the fallback prompt.
    Unavailable(String),
}

/// The file dialogs the app uses.
pub trait Dialogs {
    /// Starts a dialog. Its answer comes from [`Dialogs::poll`]; `wake` is called when it
    /// is ready, from any thread.
    fn ask(&mut self, request: DialogRequest, wake: Waker);
    /// The answer to the last question, once there is one.
    fn poll(&mut self) -> Option<DialogAnswer>;
}

/// Real dialogs: rfd over the XDG desktop portal, asked on a worker thread.
#[derive(Default)]
pub struct RfdDialogs {
    pending: Option<Receiver<DialogAnswer>>,
}

const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "aif", "aiff", "flac", "mp3", "ogg", "oga", "m4a", "mp4", "caf",
];

/// The D-Bus name of the XDG desktop portal that rfd talks to.
const PORTAL: &str = "org.freedesktop.portal.Desktop";

impl Dialogs for RfdDialogs {
    fn ask(&mut self, request: DialogRequest, wake: Waker) {
        let (tx, rx) = crossbeam_channel::bounded(1);
        self.pending = Some(rx);
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let _ = tx.send(ask_blocking(&request));
                wake();
            });
        if let Err(e) = spawned {
            let (tx, rx) = crossbeam_channel::bounded(1);
            let _ = tx.send(DialogAnswer::Unavailable(format!(
                "cannot start the file dialog: {e}"
            )));
            self.pending = Some(rx);
        }
    }

    fn poll(&mut self) -> Option<DialogAnswer> {
        let rx = self.pending.as_ref()?;
        let answer = match rx.try_recv() {
            Ok(answer) => answer,
            Err(TryRecvError::Empty) => return None,
            // The worker died without answering (a panic inside the dialog backend).
            Err(TryRecvError::Disconnected) => {
                DialogAnswer::Unavailable("the file dialog failed".into())
            }
        };
        self.pending = None;
        Some(answer)
    }
}

/// Asks `request` with rfd and waits for the user. Runs on the dialog's worker thread.
pub fn ask_blocking(request: &DialogRequest) -> DialogAnswer {
    if let Err(why) = portal_available() {
        return DialogAnswer::Unavailable(why);
    }
    let dialog = rfd::FileDialog::new().set_title(request.kind.title());
    let one = |p: Option<PathBuf>| p.map(|p| vec![p]);
    let chosen = match request.kind {
        DialogKind::OpenSession => one(dialog.add_filter("Stemdesk session", &["ron"]).pick_file()),
        DialogKind::SaveSession => one(dialog
            .add_filter("Stemdesk session", &["ron"])
            .set_file_name(&request.suggested_name)
            .save_file()),
        DialogKind::ImportAudio => dialog.add_filter("Audio", AUDIO_EXTENSIONS).pick_files(),
        DialogKind::BounceTarget => {
            let filter = if request.suggested_name.ends_with(".flac") {
                ("FLAC", "flac")
            } else {
                ("WAV", "wav")
            };
            one(dialog
                .add_filter(filter.0, &[filter.1])
                .set_file_name(&request.suggested_name)
                .save_file())
        }
        DialogKind::RelinkFolder => one(dialog.pick_folder()),
    };
    match chosen {
        Some(paths) if !paths.is_empty() => DialogAnswer::Chosen(paths),
        _ => DialogAnswer::Cancelled,
    }
}

/// Whether a desktop portal with a file chooser answers on the session bus. rfd's dialogs
/// need one; without it (no bus, no portal, or a portal without a file-chooser backend)
/// they return "cancelled" at once, which would leave the user no way to save.
fn portal_available() -> Result<(), String> {
    let no_portal = |e: &dyn std::fmt::Display| {
        format!("no file dialog is available (no XDG desktop portal file chooser: {e})")
    };
    let conn = zbus::blocking::Connection::session().map_err(|e| no_portal(&e))?;
    // Reading the interface's version starts the portal if it is installed but not running,
    // and fails unless a backend provides the file chooser.
    let chooser = zbus::blocking::Proxy::new(
        &conn,
        PORTAL,
        "/org/freedesktop/portal/desktop",
        "org.freedesktop.portal.FileChooser",
    )
    .map_err(|e| no_portal(&e))?;
    chooser
        .get_property::<u32>("version")
        .map(|_| ())
        .map_err(|e| no_portal(&e))
}

/// Answers prepared in advance (tests). Clones share one queue, so a test keeps a clone
/// and adds answers while the app owns the other. An empty queue answers "cancelled".
#[derive(Debug, Default, Clone)]
pub struct ScriptedDialogs {
    answers: Arc<Mutex<Answers>>,
    ready: Option<DialogAnswer>,
}

/// The queued answers of [`ScriptedDialogs`].
#[derive(Debug, Default)]
pub struct Answers {
    /// Answers for opening a session.
    pub open: VecDeque<PathBuf>,
    /// Answers for saving the session.
    pub save: VecDeque<PathBuf>,
    /// Answers for importing audio.
    pub import: VecDeque<Vec<PathBuf>>,
    /// Answers for the bounce target.
    pub bounce: VecDeque<PathBuf>,
    /// Answers for the relink folder.
    pub relink: VecDeque<PathBuf>,
    /// Answer every question with "no dialog available" (as on a bare X session).
    pub unavailable: bool,
    /// Every question asked, in order.
    pub asked: Vec<DialogKind>,
    /// The file name offered with each question, in order.
    pub suggested: Vec<String>,
}

impl ScriptedDialogs {
    /// Edits the queued answers.
    pub fn answers(&self) -> std::sync::MutexGuard<'_, Answers> {
        self.answers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Dialogs for ScriptedDialogs {
    fn ask(&mut self, request: DialogRequest, wake: Waker) {
        let mut a = self.answers();
        a.asked.push(request.kind);
        a.suggested.push(request.suggested_name.clone());
        let answer = if a.unavailable {
            DialogAnswer::Unavailable("no file dialog is available (scripted)".into())
        } else {
            let chosen = match request.kind {
                DialogKind::OpenSession => a.open.pop_front().map(|p| vec![p]),
                DialogKind::SaveSession => a.save.pop_front().map(|p| vec![p]),
                DialogKind::ImportAudio => a.import.pop_front(),
                DialogKind::BounceTarget => a.bounce.pop_front().map(|p| vec![p]),
                DialogKind::RelinkFolder => a.relink.pop_front().map(|p| vec![p]),
            };
            chosen.map_or(DialogAnswer::Cancelled, DialogAnswer::Chosen)
        };
        drop(a);
        self.ready = Some(answer);
        wake();
    }

    fn poll(&mut self) -> Option<DialogAnswer> {
        self.ready.take()
    }
}
