//! What can go wrong opening audio output, in words a musician can act on.

/// An output device could not be opened or started.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The system has no usable output device (or the default one cannot be opened).
    #[error(
        "no audio output device is available ({reason}); playback is off, bouncing still works"
    )]
    NoDevice {
        /// What the audio system said.
        reason: String,
    },
    /// A device was asked for by name and not found.
    #[error("no audio output device named '{name}'; available: {}", list(.available))]
    NotFound {
        /// The requested name.
        name: String,
        /// Names of the devices that exist.
        available: Vec<String>,
    },
    /// The device cannot run at the session's sample rate.
    #[error(
        "audio device '{device}' cannot play at the session's {session_hz} Hz (it supports {supported}); \
         choose another device or convert the session"
    )]
    RateUnsupported {
        /// Device name.
        device: String,
        /// The session rate.
        session_hz: u32,
        /// The rates it does support, as text.
        supported: String,
    },
    /// A buffer size outside what Stemdesk or the device allows.
    #[error("buffer size {frames} frames is not possible on '{device}' (allowed: {min}..={max})")]
    BufferSize {
        /// Device name.
        device: String,
        /// Requested size.
        frames: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
    /// The device refused the stream (format, busy, permission...).
    #[error("audio device '{device}' could not be started: {message}")]
    Stream {
        /// Device name.
        device: String,
        /// What cpal said.
        message: String,
    },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
