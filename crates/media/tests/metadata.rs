//! Tags in delivered files: a Broadcast Wave `bext` chunk (with the measured loudness) and
//! RIFF INFO in WAV, Vorbis comments in FLAC; readers still read the audio.
#![allow(missing_docs)]

use stemdesk_media::{BextLoudness, FlacWriter, Metadata, SampleFormat, WavWriter, decode_file};

fn meta() -> Metadata {
    Metadata {
        title: "Night Drive".into(),
        artist: "The Stems".into(),
        date: "2026-11-25".into(),
        time: "13:40:00".into(),
        software: "Stemdesk 0.1.0".into(),
        time_reference_frames: 96_000,
    }
}

/// The data of the first chunk `id` in a RIFF file.
fn chunk<'a>(bytes: &'a [u8], id: &[u8; 4]) -> Option<&'a [u8]> {
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        if &bytes[at..at + 4] == id {
            return bytes.get(at + 8..at + 8 + len);
        }
        at += 8 + len + len % 2;
    }
    None
}

#[test]
fn a_wav_bounce_carries_bext_with_loudness_and_info() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mix.wav");
    let mut w =
        WavWriter::create_with_metadata(&path, 48_000, 2, SampleFormat::Int24, Some(&meta()))
            .expect("create");
    w.write_interleaved(&[0.25f32; 2 * 4801]).expect("write");
    w.set_loudness(BextLoudness {
        integrated_lufs: Some(-14.04),
        range_lu: Some(6.2),
        true_peak_dbtp: Some(-1.03),
        max_momentary_lufs: None,
        max_short_term_lufs: Some(-11.5),
    });
    w.finalize().expect("finalize");
    let bytes = std::fs::read(&path).expect("file");
    let bext = chunk(&bytes, b"bext").expect("a bext chunk");
    assert_eq!(bext.len(), 602);
    assert!(bext.starts_with(b"Night Drive\0"));
    assert!(bext[256..].starts_with(b"Stemdesk 0.1.0"));
    assert!(bext[288..].starts_with(b"The Stems"));
    assert_eq!(&bext[320..330], b"2026-11-25");
    assert_eq!(&bext[330..338], b"13:40:00");
    assert_eq!(
        u32::from_le_bytes(bext[338..342].try_into().expect("4")),
        96_000
    );
    assert_eq!(
        u16::from_le_bytes(bext[346..348].try_into().expect("2")),
        2,
        "version 2"
    );
    let loud = |i: usize| i16::from_le_bytes(bext[412 + 2 * i..414 + 2 * i].try_into().expect("2"));
    assert_eq!(
        [loud(0), loud(1), loud(2), loud(3), loud(4)],
        [-1404, 620, -103, 0x7FFF, -1150]
    );
    let list = chunk(&bytes, b"LIST").expect("a LIST chunk");
    assert!(list.starts_with(b"INFO"));
    let text = String::from_utf8_lossy(list);
    assert!(text.contains("INAM") && text.contains("Night Drive"));
    assert!(text.contains("IART") && text.contains("The Stems"));
    // Readers skip what they do not know: the audio is intact.
    let r = hound::WavReader::open(&path).expect("hound");
    assert_eq!(r.duration(), 4801);
    let d = decode_file(&path).expect("symphonia");
    assert_eq!(d.frames(), 4801);
    assert!(d.channels[0].iter().all(|s| (*s - 0.25).abs() < 1e-6));
}

#[test]
fn a_flac_bounce_carries_vorbis_comments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mix.flac");
    let mut w =
        FlacWriter::create_with_metadata(&path, 48_000, 2, SampleFormat::Int16, Some(&meta()))
            .expect("create");
    w.write_interleaved(&[0.1f32; 2 * 5000]).expect("write");
    w.finalize().expect("finalize");
    let bytes = std::fs::read(&path).expect("file");
    let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(has("TITLE=Night Drive") && has("ARTIST=The Stems") && has("DATE=2026-11-25"));
    let d = decode_file(&path).expect("symphonia reads it");
    assert_eq!(d.frames(), 5000);
}

#[test]
fn today_is_a_date_and_a_time() {
    let (date, time) = Metadata::now();
    assert_eq!(date.len(), 10);
    assert!(date.starts_with("20") && date.as_bytes()[4] == b'-');
    assert_eq!(time.len(), 8);
    assert_eq!(time.as_bytes()[2], b':');
}
