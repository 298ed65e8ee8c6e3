//! Reading and writing `.ron` session files.
//!
//! Saving is atomic: the new text goes to a temporary file beside the session, is flushed to
//! disk, then renamed over the old file, so a crash mid-save leaves either the old or the new
//! session, never a broken one.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::model::{FORMAT_VERSION, Session};
use crate::validate::{ValidationError, validate};

/// Why a session could not be loaded or saved. Every message names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// Reading or writing failed.
    #[error("{path}: {action}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done ("cannot read", "cannot write", ...).
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The text is not valid session RON.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// The file was written by a newer Stemdesk.
    #[error(
        "{path}: session format version {found} is newer than this Stemdesk supports ({supported}); please update Stemdesk"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
    /// The session parsed but is inconsistent.
    #[error("{path}: the session is invalid:\n{}", list(.errors))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Every problem found.
        errors: Vec<ValidationError>,
    },
    /// Serialising failed (should not happen for a valid session).
    #[error("{path}: cannot encode the session: {message}")]
    Encode {
        /// The file.
        path: PathBuf,
        /// The serialiser's message.
        message: String,
    },
}

fn list(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(|e| format!("  - {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A session loaded from disk, with the facts the loader found out.
#[derive(Debug, Clone)]
pub struct LoadedSession {
    /// The session.
    pub session: Session,
    /// The folder media paths are relative to (the session file's folder).
    pub base_dir: PathBuf,
    /// Clips whose source file does not exist: they play as silence and are shown offline.
    pub offline: Vec<OfflineClip>,
    /// Fields in the file this build does not know (a newer Stemdesk wrote them, or a
    /// typo), as paths like `tracks.0.strip.gian_db`. The session opens without them.
    pub unknown_fields: Vec<String>,
}

/// A clip whose media file is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct OfflineClip {
    /// The clip.
    pub clip: crate::ids::ClipId,
    /// Name of the track holding it.
    pub track_name: String,
    /// The path that was looked for.
    pub path: PathBuf,
}

/// Loads, migrates and validates a session file.
pub fn load(path: &Path) -> Result<LoadedSession, SessionError> {
    // Reading a FIFO or a device could block forever or never end: refuse before reading.
    let meta = fs::metadata(path).map_err(|source| SessionError::Io {
        path: path.to_owned(),
        action: "cannot read the session",
        source,
    })?;
    if !meta.is_file() {
        return Err(SessionError::Io {
            path: path.to_owned(),
            action: "cannot read the session",
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file (a folder, FIFO, device or socket)",
            ),
        });
    }
    let text = fs::read_to_string(path).map_err(|source| SessionError::Io {
        path: path.to_owned(),
        action: "cannot read the session",
        source,
    })?;
    let (session, unknown_fields) = parse_reporting_unknown(path, &text)?;
    let base_dir = base_dir_of(path);
    let offline = session
        .clips()
        .filter(|(_, c)| !resolve_media(&base_dir, &c.source).is_file())
        .map(|(t, c)| OfflineClip {
            clip: c.id,
            track_name: t.name.clone(),
            path: resolve_media(&base_dir, &c.source),
        })
        .collect();
    Ok(LoadedSession {
        session,
        base_dir,
        offline,
        unknown_fields,
    })
}

/// Parses and validates session text; `path` is used in messages only.
pub fn parse(path: &Path, text: &str) -> Result<Session, SessionError> {
    parse_reporting_unknown(path, text).map(|(session, _)| session)
}

/// Like [`parse`], also naming the fields it ignored because this build does not know them.
pub fn parse_reporting_unknown(
    path: &Path,
    text: &str,
) -> Result<(Session, Vec<String>), SessionError> {
    /// Just the version, read first so that a newer file gets "please update Stemdesk"
    /// rather than a syntax error about a field this build does not know.
    #[derive(serde::Deserialize)]
    #[serde(rename = "Session")]
    struct VersionOnly {
        format_version: u32,
    }
    let options = ron::Options::default();
    if let Ok(v) = options.from_str::<VersionOnly>(text)
        && v.format_version > FORMAT_VERSION
    {
        return Err(SessionError::TooNew {
            path: path.to_owned(),
            found: v.format_version,
            supported: FORMAT_VERSION,
        });
    }
    let syntax = |e: ron::error::SpannedError| SessionError::Syntax {
        path: path.to_owned(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    };
    let mut unknown = Vec::new();
    let mut de = ron::Deserializer::from_str_with_options(text, &options).map_err(syntax)?;
    let parsed: Result<Session, _> =
        serde_ignored::deserialize(&mut de, |field| unknown.push(field.to_string()));
    let session = parsed.map_err(|e| syntax(de.span_error(e)))?;
    de.end().map_err(|e| syntax(de.span_error(e)))?;
    let session = migrate(session);
    let errors = validate(&session);
    if errors.is_empty() {
        Ok((session, unknown))
    } else {
        Err(SessionError::Invalid {
            path: path.to_owned(),
            errors,
        })
    }
}

/// Brings a session written by an older format version up to date. Version 1 is the first,
/// so there is nothing to do yet; this is where future migrations go.
fn migrate(mut session: Session) -> Session {
    session.format_version = FORMAT_VERSION;
    session
}

/// Writes `session` to `path` atomically (temp file, fsync, rename).
///
/// A symlinked session is written through the link (the link stays, its target gets the
/// new text); an existing file keeps its permissions; a read-only file or something that
/// is not a regular file is refused, never replaced.
pub fn save(session: &Session, path: &Path) -> Result<(), SessionError> {
    let text = to_ron(session).map_err(|message| SessionError::Encode {
        path: path.to_owned(),
        message,
    })?;
    let io = |action: &'static str| {
        move |source| SessionError::Io {
            path: path.to_owned(),
            action,
            source,
        }
    };
    let refuse = |why: &str, kind: std::io::ErrorKind| SessionError::Io {
        path: path.to_owned(),
        action: "will not overwrite it",
        source: std::io::Error::new(kind, why.to_owned()),
    };
    let target = write_target(path);
    let existing = fs::metadata(&target).ok();
    if let Some(meta) = &existing {
        if !meta.is_file() {
            return Err(refuse(
                "it is not a regular file",
                std::io::ErrorKind::InvalidInput,
            ));
        }
        if meta.permissions().readonly() {
            return Err(refuse(
                "the file is read-only; save under another name (Save As) or make it writable",
                std::io::ErrorKind::PermissionDenied,
            ));
        }
    }
    let dir = base_dir_of(&target);
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session.ron".to_owned());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp).map_err(io("cannot create a temporary file"))?;
        if let Some(meta) = &existing {
            f.set_permissions(meta.permissions())
                .map_err(io("cannot keep the file's permissions"))?;
        }
        f.write_all(text.as_bytes()).map_err(io("cannot write"))?;
        f.sync_all().map_err(io("cannot flush to disk"))?;
        drop(f);
        fs::rename(&tmp, &target).map_err(io("cannot replace the session file"))?;
        // Make the rename itself durable; not all platforms can open a folder, so best effort.
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Where a save to `path` really writes: through symlinks to the file they name (a
/// dangling link's target is created), so the link itself survives.
fn write_target(path: &Path) -> PathBuf {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return path.to_owned();
    }
    if let Ok(real) = fs::canonicalize(path) {
        return real;
    }
    match fs::read_link(path) {
        Ok(to) if to.is_absolute() => to,
        Ok(to) => base_dir_of(path).join(to),
        Err(_) => path.to_owned(),
    }
}

/// The session as pretty, diff-friendly RON.
pub fn to_ron(session: &Session) -> Result<String, String> {
    let config = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .depth_limit(12)
        .indentor("    ".to_owned());
    ron::ser::to_string_pretty(session, config).map_err(|e| e.to_string())
}

fn base_dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// The real location of a clip's media: relative paths are relative to the session folder.
///
/// The result is normalised (`a/./b/../c` is `a/c`), so one file has one key however the
/// session spells it: "../take.wav" stored by a relink and the path the import decoded
/// must name the same entry in the decoded-media maps.
pub fn resolve_media(base_dir: &Path, source: &Path) -> PathBuf {
    if source.is_absolute() {
        normalize_path(source)
    } else {
        normalize_path(&base_dir.join(source))
    }
}

/// `path` without `.` and with each `..` applied to the part before it (lexically: the
/// file system is not asked).
pub fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                let popped =
                    matches!(out.components().next_back(), Some(Component::Normal(_))) && out.pop();
                if !popped && !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `target` expressed relative to `base_dir` when both are absolute and share a root;
/// otherwise `target` unchanged. Used so sessions stay valid when their folder moves.
pub fn relative_to(base_dir: &Path, target: &Path) -> PathBuf {
    if !(base_dir.is_absolute() && target.is_absolute()) {
        return target.to_owned();
    }
    let base: Vec<Component> = base_dir.components().collect();
    let to: Vec<Component> = target.components().collect();
    let common = base.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.to_owned();
    }
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolved_paths_are_normalised() {
        let base = Path::new("/music/song");
        assert_eq!(
            resolve_media(base, Path::new("../other/./take.wav")),
            Path::new("/music/other/take.wav")
        );
        assert_eq!(
            resolve_media(base, Path::new("/a/../../b.wav")),
            Path::new("/b.wav")
        );
        assert_eq!(
            resolve_media(Path::new("."), Path::new("../x.wav")),
            Path::new("../x.wav")
        );
        assert_eq!(
            resolve_media(Path::new("rel"), Path::new("x.wav")),
            Path::new("rel/x.wav")
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_to(Path::new("/a/b/proj"), Path::new("/a/b/proj/audio/x.wav")),
            PathBuf::from("audio/x.wav")
        );
        assert_eq!(
            relative_to(Path::new("/a/b/proj"), Path::new("/a/stems/x.wav")),
            PathBuf::from("../../stems/x.wav")
        );
        assert_eq!(
            relative_to(Path::new("/a"), Path::new("rel/x.wav")),
            PathBuf::from("rel/x.wav")
        );
    }
}
