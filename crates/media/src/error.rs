//! Errors of the media crate.
//!
//! Every message names the file it is about and says what is wrong in words a musician
//! understands: the text is shown as-is in the GUI and CLI when a stem refuses to load.

use std::path::{Path, PathBuf};

/// Why a file could not be decoded, resampled or written.
///
/// Every variant carries the path so the message can always name the file: when a session
/// with forty stems fails to load, "unsupported codec" alone is useless.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The file could not be opened or read at the operating-system level.
    #[error("{}: cannot open file: {source}", path.display())]
    Open {
        /// The file concerned.
        path: PathBuf,
        /// The underlying OS error (missing file, permission denied, ...).
        source: std::io::Error,
    },
    /// The path names something that is not a regular file (a FIFO, a device, a socket, a
    /// folder): reading it could block forever or never end, so it is refused before any read.
    #[error("{}: not an audio file but {kind}; Stemdesk reads audio only from regular files", path.display())]
    NotAFile {
        /// The path concerned.
        path: PathBuf,
        /// What it is instead ("a FIFO (named pipe)", "a folder", ...).
        kind: &'static str,
    },
    /// The file has zero bytes.
    #[error("{}: the file is empty (0 bytes)", path.display())]
    Empty {
        /// The file concerned.
        path: PathBuf,
    },
    /// No container format could be recognised from the file's content.
    #[error("{}: not a recognised audio file (format could not be detected)", path.display())]
    UnknownFormat {
        /// The file concerned.
        path: PathBuf,
    },
    /// The file is a recognised kind of audio file that cannot be read (e.g. big-endian RIFX).
    #[error("{}: unsupported file format ({format})", path.display())]
    UnsupportedFormat {
        /// The file concerned.
        path: PathBuf,
        /// Human-readable format name.
        format: String,
    },
    /// The container was recognised but its audio codec has no decoder here (e.g. Opus).
    #[error("{}: unsupported codec ({codec})", path.display())]
    UnsupportedCodec {
        /// The file concerned.
        path: PathBuf,
        /// Human-readable codec name, e.g. "Opus".
        codec: String,
    },
    /// The audio data is damaged beyond what can be skipped over.
    #[error("{}: the file is corrupt: {detail}", path.display())]
    Corrupt {
        /// The file concerned.
        path: PathBuf,
        /// What was found to be wrong.
        detail: String,
    },
    /// The container holds no audio track at all (e.g. a video-only or metadata-only file).
    #[error("{}: contains no audio track", path.display())]
    NoAudioTrack {
        /// The file concerned.
        path: PathBuf,
    },
    /// The file has an audio track but not a single frame could be decoded from it.
    #[error("{}: contains no decodable audio ({detail})", path.display())]
    NoDecodableAudio {
        /// The file concerned.
        path: PathBuf,
        /// Why nothing could be decoded.
        detail: String,
    },
    /// The header is recognised but states impossible values (0 channels, 0 Hz, ...).
    #[error("{}: invalid header: {detail}", path.display())]
    InvalidHeader {
        /// The file concerned.
        path: PathBuf,
        /// Which value is invalid.
        detail: String,
    },
    /// The decoded audio would be longer than the supported maximum (protects memory).
    #[error(
        "{}: file is too large ({frames} frames, more than the {limit} supported)",
        path.display()
    )]
    TooLarge {
        /// The file concerned.
        path: PathBuf,
        /// Frames decoded (or claimed) when the limit was hit.
        frames: u64,
        /// The maximum number of frames supported at the file's sample rate.
        limit: u64,
    },
    /// Resampling to the session rate failed (invalid rate or resampler error).
    #[error("{}: cannot resample: {detail}", path.display())]
    Resample {
        /// The file concerned (or `<decoded audio>` when called on in-memory audio).
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The frames asked for are still being decoded into the media cache (a source
    /// played while its first decode runs); they will be there shortly.
    #[error("{}: still being decoded (try again once it has loaded)", path.display())]
    Pending {
        /// The file concerned.
        path: PathBuf,
    },
    /// Writing a bounce failed (disk full, permission denied, missing folder, ...).
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The destination file concerned.
        path: PathBuf,
        /// The underlying OS error.
        source: std::io::Error,
    },
}

impl MediaError {
    /// The file this error is about.
    pub fn path(&self) -> &Path {
        match self {
            MediaError::Open { path, .. }
            | MediaError::NotAFile { path, .. }
            | MediaError::Empty { path }
            | MediaError::UnknownFormat { path }
            | MediaError::UnsupportedFormat { path, .. }
            | MediaError::UnsupportedCodec { path, .. }
            | MediaError::Corrupt { path, .. }
            | MediaError::NoAudioTrack { path }
            | MediaError::NoDecodableAudio { path, .. }
            | MediaError::InvalidHeader { path, .. }
            | MediaError::TooLarge { path, .. }
            | MediaError::Resample { path, .. }
            | MediaError::Pending { path }
            | MediaError::Write { path, .. } => path,
        }
    }

    /// Replace the path, used when an in-memory operation's error is attributed to its file.
    pub(crate) fn with_path(mut self, new_path: &Path) -> Self {
        match &mut self {
            MediaError::Open { path, .. }
            | MediaError::NotAFile { path, .. }
            | MediaError::Empty { path }
            | MediaError::UnknownFormat { path }
            | MediaError::UnsupportedFormat { path, .. }
            | MediaError::UnsupportedCodec { path, .. }
            | MediaError::Corrupt { path, .. }
            | MediaError::NoAudioTrack { path }
            | MediaError::NoDecodableAudio { path, .. }
            | MediaError::InvalidHeader { path, .. }
            | MediaError::TooLarge { path, .. }
            | MediaError::Resample { path, .. }
            | MediaError::Pending { path }
            | MediaError::Write { path, .. } => *path = new_path.to_path_buf(),
        }
        self
    }
}

/// Result type of this crate: every failure is a [`MediaError`] naming the file.
pub type Result<T> = std::result::Result<T, MediaError>;
