//! The typed-path fallback for file dialogs: when no dialog backend exists (a bare X
//! session without a desktop portal), the user types the path into the app instead.

use std::path::{Path, PathBuf};

use super::dialogs::DialogKind;

/// A path being typed for a question no dialog could ask.
#[derive(Debug, Clone, PartialEq)]
pub struct PathPrompt {
    /// The question.
    pub kind: DialogKind,
    /// Why the native dialog is not shown.
    pub why: String,
    /// The text typed so far (one path per line for imports).
    pub text: String,
    /// Folder that relative paths are taken from.
    pub base_dir: PathBuf,
    /// The text field has had the keyboard focus once (it gets it when the prompt opens).
    focused: bool,
}

/// What the user did with the prompt this frame.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptResult {
    /// Still typing.
    Open,
    /// Confirmed these paths.
    Chosen(Vec<PathBuf>),
    /// Cancelled.
    Cancelled,
}

impl PathPrompt {
    /// A prompt prefilled with `base_dir/suggested_name` (or just the folder).
    pub fn new(kind: DialogKind, why: String, base_dir: PathBuf, suggested_name: &str) -> Self {
        // Absolute, so the prefilled text means the same when it is resolved against the
        // folder again (a session opened as `dir/song.ron` offered `dir/song-mix.wav`,
        // which then meant `dir/dir/song-mix.wav`).
        let base_dir = std::path::absolute(&base_dir).unwrap_or(base_dir);
        let text = if suggested_name.is_empty() {
            format!("{}/", base_dir.display())
        } else {
            base_dir.join(suggested_name).display().to_string()
        };
        Self {
            kind,
            why,
            text,
            base_dir,
            focused: false,
        }
    }

    /// The typed paths, resolved against the base folder (`~/` is the home folder).
    pub fn paths(&self) -> Vec<PathBuf> {
        self.text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| resolve(l, &self.base_dir))
            .collect()
    }

    /// Why the typed text cannot be used yet, if it cannot.
    pub fn problem(&self) -> Option<String> {
        let paths = self.paths();
        if paths.is_empty() {
            return Some("Type a path.".into());
        }
        if paths.len() > 1 && self.kind != DialogKind::ImportAudio {
            return Some("Type one path.".into());
        }
        for p in &paths {
            let problem = match self.kind {
                DialogKind::OpenSession | DialogKind::ImportAudio if !p.is_file() => {
                    Some("is not a file")
                }
                DialogKind::RelinkFolder if !p.is_dir() => Some("is not a folder"),
                DialogKind::SaveSession | DialogKind::BounceTarget => {
                    let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
                    if p.is_dir() {
                        Some("is a folder")
                    } else if !parent.is_some_and(Path::is_dir) {
                        Some("is in a folder that does not exist")
                    } else {
                        None
                    }
                }
                _ => None,
            };
            if let Some(problem) = problem {
                return Some(format!("{} {problem}.", p.display()));
            }
        }
        None
    }

    /// Draws the prompt as a modal window.
    pub fn show(&mut self, ctx: &egui::Context) -> PromptResult {
        let mut result = PromptResult::Open;
        // Read Escape before the text field: a focused field takes the key for itself.
        let escape = ctx.input(|i| i.key_pressed(egui::Key::Escape));
        egui::Modal::new(egui::Id::unique("path_prompt")).show(ctx, |ui| {
            ui.set_width(560.0);
            ui.heading(self.kind.title());
            ui.label(format!("{}.", capitalise(&self.why)));
            ui.label(if self.kind == DialogKind::ImportAudio {
                "Type the paths, one per line (relative to the session's folder):"
            } else {
                "Type the path (relative to the session's folder):"
            });
            let edit = if self.kind == DialogKind::ImportAudio {
                egui::TextEdit::multiline(&mut self.text).desired_rows(3)
            } else {
                egui::TextEdit::singleline(&mut self.text)
            };
            let response = ui.add(edit.desired_width(f32::INFINITY).id_salt("path_text"));
            if !self.focused {
                response.request_focus();
                self.focused = true;
            }
            let problem = self.problem();
            let replaces = self.kind.writes()
                && problem.is_none()
                && self.paths().first().is_some_and(|p| p.exists());
            match &problem {
                Some(p) => {
                    ui.colored_label(ui.visuals().warn_fg_color, p);
                }
                None if replaces => {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        "That file exists: it will be replaced.",
                    );
                }
                None => {}
            }
            let enter = response.lost_focus()
                && ui.input(|i| i.key_pressed(egui::Key::Enter))
                && self.kind != DialogKind::ImportAudio;
            ui.horizontal(|ui| {
                let ok_text = if replaces { "Replace" } else { "OK" };
                let ok = ui.add_enabled(problem.is_none(), egui::Button::new(ok_text));
                if ok.clicked() || (enter && problem.is_none()) {
                    result = PromptResult::Chosen(self.paths());
                }
                if ui.button("Cancel").clicked() || escape {
                    result = PromptResult::Cancelled;
                }
            });
        });
        result
    }
}

fn resolve(text: &str, base_dir: &Path) -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match (text.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => base_dir.join(text),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(kind: DialogKind, dir: &Path, text: &str) -> PathPrompt {
        let mut p = PathPrompt::new(kind, "no portal".into(), dir.to_path_buf(), "");
        p.text = text.into();
        p
    }

    #[test]
    fn relative_paths_resolve_against_the_session_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = prompt(DialogKind::SaveSession, dir.path(), "song.ron");
        assert_eq!(p.paths(), vec![dir.path().join("song.ron")]);
        assert_eq!(p.problem(), None);
    }

    #[test]
    fn the_prefilled_path_is_the_suggestion_in_the_session_folder_as_given() {
        // A session opened by a relative path: its folder is relative to the working one.
        let cwd = tempfile::tempdir_in(".").expect("tempdir");
        let name = cwd.path().file_name().expect("name");
        let relative = PathBuf::from(name).join("sessions");
        std::fs::create_dir(&relative).expect("mkdir");
        let p = PathPrompt::new(
            DialogKind::BounceTarget,
            "no portal".into(),
            relative.clone(),
            "song-mix.wav",
        );
        let want = std::path::absolute(relative.join("song-mix.wav")).expect("absolute");
        assert_eq!(p.paths(), vec![want]);
        assert_eq!(p.problem(), None, "the folder exists");
    }

    #[test]
    fn problems_name_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = prompt(DialogKind::OpenSession, dir.path(), "nope.ron");
        assert!(
            missing
                .problem()
                .is_some_and(|m| m.contains("nope.ron is not a file"))
        );
        let no_folder = prompt(DialogKind::BounceTarget, dir.path(), "sub/mix.wav");
        assert!(
            no_folder
                .problem()
                .is_some_and(|m| m.contains("does not exist"))
        );
        let folder = prompt(DialogKind::RelinkFolder, dir.path(), ".");
        assert_eq!(folder.problem(), None);
        let two = prompt(DialogKind::SaveSession, dir.path(), "a.ron\nb.ron");
        assert_eq!(two.problem().as_deref(), Some("Type one path."));
    }
}
