//! File names for bounces from a template, the same in the Bounce window and in
//! `stemdesk bounce -o`: `{session}`, `{title}`, `{artist}`, `{date}`, `{bits}`, `{rate}`
//! and `{format}` are replaced, so "{artist} - {title} ({date}) {bits}-{rate}" gives
//! "Band - Song (2026-11-25) 24bit-48k". Values never add folders (a `/` becomes `-`).

use stemdesk_media::{Container, SampleFormat};

/// What a template can name.
#[derive(Debug, Clone, PartialEq)]
pub struct NameFields {
    /// The session file's name without extension.
    pub session: String,
    /// The title written into the file.
    pub title: String,
    /// The artist written into the file.
    pub artist: String,
    /// Today, `YYYY-MM-DD`.
    pub date: String,
    /// The sample format and container.
    pub format: SampleFormat,
    /// WAV or FLAC.
    pub container: Container,
    /// The file's sample rate.
    pub rate_hz: u32,
}

/// The template's default: the session's name and "mix".
pub const DEFAULT_TEMPLATE: &str = "{session}-mix";

/// `template` with its fields filled in (unknown `{...}` are left as written). An empty
/// result becomes "mix".
pub fn expand(template: &str, f: &NameFields) -> String {
    let bits = match f.format {
        SampleFormat::Int16 => "16bit",
        SampleFormat::Int24 => "24bit",
        SampleFormat::Float32 => "32float",
    };
    let rate = if f.rate_hz.is_multiple_of(1000) {
        format!("{}k", f.rate_hz / 1000)
    } else {
        format!("{:.1}k", f64::from(f.rate_hz) / 1000.0)
    };
    let format = match f.container {
        Container::Wav => "WAV",
        Container::Flac => "FLAC",
    };
    let clean = |v: &str| v.replace(['/', '\\', '\0'], "-");
    let mut out = template.to_owned();
    for (key, value) in [
        ("{session}", clean(&f.session)),
        ("{title}", clean(&f.title)),
        ("{artist}", clean(&f.artist)),
        ("{date}", f.date.clone()),
        ("{bits}", bits.to_owned()),
        ("{rate}", rate),
        ("{format}", format.to_owned()),
    ] {
        out = out.replace(key, &value);
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let out = out.trim_matches(|c: char| c == '-' || c == '.' || c.is_whitespace());
    if out.is_empty() {
        "mix".to_owned()
    } else {
        out.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> NameFields {
        NameFields {
            session: "song".into(),
            title: "Song / Radio".into(),
            artist: "Band".into(),
            date: "2026-11-25".into(),
            format: SampleFormat::Int24,
            container: Container::Wav,
            rate_hz: 44_100,
        }
    }

    #[test]
    fn fields_are_filled_in_and_never_make_folders() {
        let f = fields();
        assert_eq!(expand(DEFAULT_TEMPLATE, &f), "song-mix");
        assert_eq!(
            expand("{artist} - {title} ({date}) {bits}-{rate}", &f),
            "Band - Song - Radio (2026-11-25) 24bit-44.1k"
        );
        assert_eq!(expand("{format} {unknown}", &f), "WAV {unknown}");
        let f = NameFields {
            artist: String::new(),
            rate_hz: 48_000,
            format: SampleFormat::Float32,
            ..f
        };
        assert_eq!(expand("{artist} - {bits} {rate}", &f), "32float 48k");
        assert_eq!(expand("{artist}", &f), "mix", "nothing left: a name anyway");
    }
}
