//! Crash recovery: every 30 s, unsaved changes are written to a recovery file beside the
//! session (or in the data folder for an untitled one). A clean save or close removes it;
//! if it is still there at the next start, the app offers to restore it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stemdesk_session::Session;

/// How often unsaved changes are written to the recovery file.
pub const AUTOSAVE_INTERVAL: Duration = Duration::from_secs(30);

/// The recovery file for `session_path` (or for an untitled session in `data_dir`).
pub fn recovery_path(session_path: Option<&Path>, data_dir: &Path) -> PathBuf {
    match session_path {
        Some(p) => {
            let mut name = p.file_name().unwrap_or_default().to_os_string();
            name.push(".recovery");
            p.with_file_name(name)
        }
        None => data_dir.join("untitled.recovery.ron"),
    }
}

/// A recovery file newer than its session (or any, for an untitled one), if there is one.
pub fn pending_recovery(session_path: Option<&Path>, data_dir: &Path) -> Option<PathBuf> {
    let rec = recovery_path(session_path, data_dir);
    let rec_time = std::fs::metadata(&rec).and_then(|m| m.modified()).ok()?;
    match session_path.and_then(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok()) {
        Some(saved) if saved > rec_time => None,
        _ => Some(rec),
    }
}

/// Writes the recovery file on a timer.
pub struct Autosave {
    last: Instant,
    /// How often to write.
    pub interval: Duration,
}

impl Default for Autosave {
    fn default() -> Self {
        Self {
            last: Instant::now(),
            interval: AUTOSAVE_INTERVAL,
        }
    }
}

impl Autosave {
    /// Writes `session` to `path` when the interval has passed and there are unsaved
    /// changes. Returns an error message if writing failed.
    pub fn tick(&mut self, dirty: bool, session: &Session, path: &Path) -> Option<String> {
        if !dirty || self.last.elapsed() < self.interval {
            return None;
        }
        self.last = Instant::now();
        write(session, path).err()
    }
}

/// Writes a recovery file now.
pub fn write(session: &Session, path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    stemdesk_session::save(session, path)
        .map_err(|e| format!("autosave to {} failed: {e}", path.display()))
}

/// Removes the recovery file (after a save or a clean close).
pub fn clear(path: &Path) {
    let _ = std::fs::remove_file(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_is_offered_only_when_newer_than_the_session() {
        let dir = tempfile::tempdir().expect("tempdir");
        let session = dir.path().join("song.ron");
        let s = Session::new(48_000);
        stemdesk_session::save(&s, &session).expect("save");
        assert_eq!(pending_recovery(Some(&session), dir.path()), None);
        let rec = recovery_path(Some(&session), dir.path());
        assert!(rec.ends_with("song.ron.recovery"));
        std::thread::sleep(Duration::from_millis(20));
        write(&s, &rec).expect("write");
        assert_eq!(
            pending_recovery(Some(&session), dir.path()),
            Some(rec.clone())
        );
        let mut a = Autosave {
            interval: Duration::ZERO,
            ..Autosave::default()
        };
        clear(&rec);
        assert_eq!(a.tick(false, &s, &rec), None);
        assert!(!rec.exists(), "nothing written without changes");
        assert_eq!(a.tick(true, &s, &rec), None);
        assert!(rec.exists());
    }
}
