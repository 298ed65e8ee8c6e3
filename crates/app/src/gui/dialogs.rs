//! Native file dialogs behind a trait, so tests answer them with prepared paths and never
//! open a real dialog.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The questions the app asks through file dialogs.
pub trait Dialogs {
    /// A session file to open.
    fn open_session(&mut self) -> Option<PathBuf>;
    /// Where to save the session.
    fn save_session(&mut self, suggested_name: &str) -> Option<PathBuf>;
    /// Audio files to import.
    fn import_audio(&mut self) -> Vec<PathBuf>;
    /// Where to write a bounce.
    fn bounce_target(&mut self, suggested_name: &str) -> Option<PathBuf>;
    /// A folder to look for missing media in.
    fn relink_folder(&mut self) -> Option<PathBuf>;
}

/// Real dialogs (rfd over the XDG desktop portal; answers "cancelled" when no portal runs).
pub struct RfdDialogs;

const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "aif", "aiff", "flac", "mp3", "ogg", "oga", "m4a", "mp4", "caf",
];

impl Dialogs for RfdDialogs {
    fn open_session(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Open session")
            .add_filter("Stemdesk session", &["ron"])
            .pick_file()
    }

    fn save_session(&mut self, suggested_name: &str) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Save session")
            .add_filter("Stemdesk session", &["ron"])
            .set_file_name(suggested_name)
            .save_file()
    }

    fn import_audio(&mut self) -> Vec<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Import audio")
            .add_filter("Audio", AUDIO_EXTENSIONS)
            .pick_files()
            .unwrap_or_default()
    }

    fn bounce_target(&mut self, suggested_name: &str) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Bounce mix")
            .add_filter("WAV", &["wav"])
            .set_file_name(suggested_name)
            .save_file()
    }

    fn relink_folder(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Folder with the missing media")
            .pick_folder()
    }
}

/// Answers prepared in advance (tests). Clones share one queue, so a test keeps a clone
/// and adds answers while the app owns the other. An empty queue answers "cancelled".
#[derive(Debug, Default, Clone)]
pub struct ScriptedDialogs(Arc<Mutex<Answers>>);

/// The queued answers of [`ScriptedDialogs`].
#[derive(Debug, Default)]
pub struct Answers {
    /// Answers for `open_session`.
    pub open: VecDeque<PathBuf>,
    /// Answers for `save_session`.
    pub save: VecDeque<PathBuf>,
    /// Answers for `import_audio`.
    pub import: VecDeque<Vec<PathBuf>>,
    /// Answers for `bounce_target`.
    pub bounce: VecDeque<PathBuf>,
    /// Answers for `relink_folder`.
    pub relink: VecDeque<PathBuf>,
}

impl ScriptedDialogs {
    /// Edits the queued answers.
    pub fn answers(&self) -> std::sync::MutexGuard<'_, Answers> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Dialogs for ScriptedDialogs {
    fn open_session(&mut self) -> Option<PathBuf> {
        self.answers().open.pop_front()
    }
    fn save_session(&mut self, _: &str) -> Option<PathBuf> {
        self.answers().save.pop_front()
    }
    fn import_audio(&mut self) -> Vec<PathBuf> {
        self.answers().import.pop_front().unwrap_or_default()
    }
    fn bounce_target(&mut self, _: &str) -> Option<PathBuf> {
        self.answers().bounce.pop_front()
    }
    fn relink_folder(&mut self) -> Option<PathBuf> {
        self.answers().relink.pop_front()
    }
}
