//! What the Bounce window asks: format, dither, range, tail, normalisation, tags, the
//! file name, report. Remembered for the next bounce of the session.

use stemdesk_engine::Normalize;
use stemdesk_media::{Container, Dither, SampleFormat};
use stemdesk_session::MarkerId;

/// Which part of the song to bounce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BounceRange {
    /// From the start to the end of the last clip, plus the effect tail.
    WholeSong,
    /// The loop range (no tail: it ends where the loop ends).
    Loop,
    /// From a marker to the next one (or the end of the song).
    Marker(MarkerId),
}

/// The choices of one bounce.
#[derive(Debug, Clone, PartialEq)]
pub struct BounceOptions {
    /// WAV or FLAC.
    pub container: Container,
    /// Sample format of the file.
    pub format: SampleFormat,
    /// Dither when reducing to integer samples.
    pub dither: Dither,
    /// What to render.
    pub range: BounceRange,
    /// Longest effect tail after the last clip, seconds.
    pub max_tail_s: f32,
    /// Write NAME.report.json and NAME.report.html beside the file.
    pub write_report: bool,
    /// Sample rate of the file (`None`: the session's).
    pub sample_rate_hz: Option<u32>,
    /// Also write stems into `NAME stems/` beside the file.
    pub stems: bool,
    /// Bring the mix to a peak or loudness target (off by default).
    pub normalize: Option<Normalize>,
    /// Title for the file's tags (empty: the session's name).
    pub title: String,
    /// Artist for the file's tags.
    pub artist: String,
    /// The file name offered, from a template (see [`crate::name_template`]).
    pub name_template: String,
}

impl Default for BounceOptions {
    fn default() -> Self {
        BounceOptions {
            container: Container::Wav,
            format: SampleFormat::Int24,
            dither: Dither::Off,
            range: BounceRange::WholeSong,
            max_tail_s: stemdesk_engine::render::DEFAULT_MAX_TAIL_S as f32,
            write_report: true,
            sample_rate_hz: None,
            stems: false,
            normalize: None,
            title: String::new(),
            artist: String::new(),
            name_template: crate::name_template::DEFAULT_TEMPLATE.to_owned(),
        }
    }
}
