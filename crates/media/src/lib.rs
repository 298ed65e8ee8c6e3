//! stemdesk-media: getting audio in and out of Stemdesk.
//!
//! * [`decode_file`] reads any file symphonia supports (WAV/RF64/AIFF/FLAC/MP3/Ogg Vorbis/
//!   AAC/ALAC) into planar `f32`, mixed down to mono or stereo ([`downmix`]) and robust to
//!   damaged files.
//! * [`resample`] converts to the session rate without changing timing.
//! * [`load_for_session`] / [`load_many`] combine both, the latter in parallel.
//! * [`WavWriter`] writes bounces safely (temp file + rename).
//! * [`PeakCache`] holds waveform overview peaks for the GUI.
//!
//! Every error is a [`MediaError`] whose message names the file.

pub mod decode;
pub mod dither;
pub mod downmix;
pub mod encode;
pub mod error;
mod flac;
pub mod load;
mod metadata;
pub mod peaks;
pub mod resample;
mod stream_resample;
mod wav_header;
mod wav_repair;

pub use decode::{
    DecodedAudio, MAX_DURATION_S, decode_file, decode_file_with_progress, not_a_regular_file,
};
pub use dither::Dither;
pub use downmix::{Downmix, downmix};
pub use encode::{SampleFormat, WavWriter, remove_stale_temp_files};
pub use error::{MediaError, Result};
pub use flac::{Container, FlacWriter, MixWriter};
pub use load::{load_for_session, load_for_session_with_progress, load_many};
pub use metadata::{BextLoudness, Metadata};
pub use peaks::PeakCache;
pub use resample::resample;
pub use stream_resample::StreamResampler;
