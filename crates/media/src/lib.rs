//! stemdesk-media: getting audio in and out of Stemdesk.
//!
//! * [`decode_file`] reads any file symphonia supports (WAV/RF64/AIFF/FLAC/MP3/Ogg Vorbis/
//!   AAC/ALAC) into planar `f32`, mixed down to mono or stereo ([`downmix`]) and robust to
//!   damaged files.
//! * [`resample`] converts to the session rate without changing timing.
//! * [`load_for_session`] / [`load_many`] combine both, the latter in parallel.
//! * [`WavWriter`] writes bounces safely (temp file + rename).
//! * [`PeakCache`] holds waveform overview peaks for the GUI.
//! * [`StreamSource`] reads a source a block at a time at the session rate, in place for
//!   WAV files, through the [`MediaCache`] of decoded copies for everything else.
//!
//! Every error is a [`MediaError`] whose message names the file.

pub mod cache;
pub mod decode;
pub mod dither;
pub mod downmix;
pub mod encode;
pub mod error;
mod flac;
pub mod load;
mod metadata;
mod mp4_edit;
pub mod peaks;
pub mod resample;
pub mod stream;
mod stream_resample;
mod wav_header;
pub mod wav_layout;
mod wav_repair;

pub use cache::{CacheEntry, CacheUsage, MediaCache};
pub use decode::{
    DecodedAudio, MAX_DURATION_S, check_regular_file, decode_file, decode_file_with_progress,
    not_a_regular_file,
};
pub use dither::Dither;
pub use downmix::{Downmix, downmix};
pub use encode::{SampleFormat, WavWriter, remove_stale_temp_files};
pub use error::{MediaError, Result};
pub use flac::{Container, FlacWriter, MixWriter};
pub use load::{load_for_session, load_for_session_with_progress, load_many};
pub use metadata::{BextLoudness, Metadata};
pub use peaks::{PeakBuilder, PeakCache};
pub use resample::resample;
pub use stream::{Origin, StreamSource, native_rate};
pub use stream_resample::StreamResampler;
