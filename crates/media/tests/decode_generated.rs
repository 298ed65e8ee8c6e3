//! Decoding self-made fixtures (written with hound into a temp dir): formats, channel
//! counts, downmix, and hand-crafted broken files. Needs nothing outside the repository.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use stemdesk_media::{DecodedAudio, MediaError, decode_file, load_for_session, load_many};

fn sine(frames: usize, rate_hz: u32, freq_hz: f64, amp: f64) -> Vec<f64> {
    (0..frames)
        .map(|i| amp * (2.0 * std::f64::consts::PI * freq_hz * i as f64 / f64::from(rate_hz)).sin())
        .collect()
}

/// Write `planes` (values in [-1, 1]) as a WAV in the given hound format.
fn write_wav(path: &Path, rate_hz: u32, planes: &[Vec<f64>], bits: u16, float: bool) {
    let spec = hound::WavSpec {
        channels: planes.len() as u16,
        sample_rate: rate_hz,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    let full = f64::from((1u32 << (bits - 1)) - 1);
    for i in 0..planes[0].len() {
        for p in planes {
            if float {
                w.write_sample(p[i] as f32).expect("write");
            } else {
                w.write_sample((p[i] * full).round() as i32).expect("write");
            }
        }
    }
    w.finalize().expect("finalize");
}

fn decode_with_timeout(path: &Path) -> Result<DecodedAudio, MediaError> {
    let (tx, rx) = mpsc::channel();
    let p = path.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(decode_file(&p));
    });
    rx.recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{}: decoding hung for more than 10 s", path.display()))
}

fn max_abs_diff(a: &[f32], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn pcm_formats_decode_to_the_written_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let frames = 4410;
    let left = sine(frames, 44_100, 440.0, 0.5);
    let right = sine(frames, 44_100, 1000.0, -0.25);
    for (bits, float, tol) in [
        (16u16, false, 1.0 / 32767.0),
        (24, false, 1.0 / 8_388_607.0),
        (32, true, 1e-7),
    ] {
        let path = dir.path().join(format!("stereo_{bits}_{float}.wav"));
        write_wav(&path, 44_100, &[left.clone(), right.clone()], bits, float);
        let audio = decode_file(&path).expect("decode");
        assert_eq!(audio.sample_rate_hz, 44_100);
        assert_eq!(audio.source_channels, 2);
        assert_eq!(audio.channels.len(), 2);
        assert_eq!(audio.frames(), frames);
        assert!(audio.warnings.is_empty(), "{:?}", audio.warnings);
        assert!(
            max_abs_diff(&audio.channels[0], &left) <= tol,
            "{bits} bit left"
        );
        assert!(
            max_abs_diff(&audio.channels[1], &right) <= tol,
            "{bits} bit right"
        );
    }
}

#[test]
fn mono_stays_mono_at_any_rate() {
    let dir = tempfile::tempdir().expect("tempdir");
    for rate in [8_000u32, 22_050, 96_000, 192_000] {
        let path = dir.path().join(format!("mono_{rate}.wav"));
        let data = sine(rate as usize / 10, rate, 100.0, 0.8);
        write_wav(&path, rate, std::slice::from_ref(&data), 16, false);
        let audio = decode_file(&path).expect("decode");
        assert_eq!(audio.sample_rate_hz, rate);
        assert_eq!(audio.channels.len(), 1);
        assert_eq!(audio.source_channels, 1);
        assert_eq!(audio.frames(), data.len());
    }
}

#[test]
fn six_channels_are_downmixed_with_itu_coefficients() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("surround.wav");
    // Distinct constant levels per channel: FL FR FC LFE SL SR (hound writes 6ch as 5.1).
    let levels = [0.1, 0.2, 0.3, 0.9, 0.4, 0.5];
    let planes: Vec<Vec<f64>> = levels.iter().map(|&l| vec![l; 1000]).collect();
    write_wav(&path, 48_000, &planes, 24, false);
    let audio = decode_file(&path).expect("decode");
    assert_eq!(audio.source_channels, 6);
    assert_eq!(audio.channels.len(), 2);
    let h = std::f64::consts::FRAC_1_SQRT_2;
    let scale = 1.0 / (1.0 + 2.0 * h);
    let want_l = scale * (0.1 + h * 0.3 + h * 0.4);
    let want_r = scale * (0.2 + h * 0.3 + h * 0.5);
    assert!((f64::from(audio.channels[0][500]) - want_l).abs() < 1e-5);
    assert!((f64::from(audio.channels[1][500]) - want_r).abs() < 1e-5);
    assert!(
        audio
            .warnings
            .iter()
            .any(|w| w.contains("6 channels downmixed to stereo (ITU-R BS.775, LFE dropped")),
        "{:?}",
        audio.warnings
    );
}

#[test]
fn load_for_session_resamples_and_load_many_keeps_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a_44k.wav");
    let b = dir.path().join("b_missing.wav");
    let c = dir.path().join("c_48k.wav");
    write_wav(&a, 44_100, &[sine(44_100, 44_100, 1000.0, 0.5)], 16, false);
    write_wav(
        &c,
        48_000,
        &[
            sine(4800, 48_000, 1000.0, 0.5),
            sine(4800, 48_000, 500.0, 0.5),
        ],
        16,
        false,
    );

    let one = load_for_session(&a, 48_000).expect("load");
    assert_eq!(one.sample_rate_hz, 48_000);
    assert_eq!(one.frames(), 48_000);
    assert!(
        one.warnings
            .iter()
            .any(|w| w.contains("resampled from 44100 Hz"))
    );

    let results = load_many(&[a.clone(), b.clone(), c.clone()], 48_000);
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().expect("a").frames(), 48_000);
    let err = results[1].as_ref().expect_err("b is missing");
    assert!(err.to_string().contains("b_missing.wav"), "{err}");
    assert!(matches!(err, MediaError::Open { .. }));
    let third = results[2].as_ref().expect("c");
    assert_eq!((third.frames(), third.channels.len()), (4800, 2));
}

/// A valid 16-bit stereo 48 kHz header followed by `data_bytes` of audio, with
/// `declared_data_len` in the data chunk.
fn wav_bytes(channels: u16, rate: u32, declared_data_len: u32, data_bytes: usize) -> Vec<u8> {
    let block_align = channels * 2;
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data_bytes as u32).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&channels.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
    v.extend_from_slice(&block_align.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&declared_data_len.to_le_bytes());
    v.extend((0..data_bytes).map(|i| (i * 37 % 251) as u8));
    v
}

enum Expect {
    /// Must fail; the message must contain the file name and this text.
    Err(&'static str),
    /// Must decode this many frames, with a warning containing this text.
    Warn(usize, &'static str),
}

#[test]
fn broken_fixtures_fail_cleanly_and_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut random = Vec::with_capacity(65_536);
    let mut x: u32 = 0x1234_5678;
    for _ in 0..65_536 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        random.push((x >> 24) as u8);
    }
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("empty.wav", Vec::new(), Expect::Err("empty")),
        (
            "truncated_header.wav",
            wav_bytes(2, 48_000, 400, 400)[..30].to_vec(),
            Expect::Err("cut short"),
        ),
        (
            "zero_channels.wav",
            wav_bytes(0, 48_000, 400, 400),
            Expect::Err("0 channels"),
        ),
        (
            "zero_rate.wav",
            wav_bytes(2, 0, 400, 400),
            Expect::Err("0 Hz"),
        ),
        // Claims 4 GB of audio, holds 10 bytes: must not allocate 4 GB, decodes 2 frames.
        (
            "claims_4gb.wav",
            wav_bytes(2, 48_000, u32::MAX, 10),
            Expect::Warn(2, "0xFFFFFFFF"),
        ),
        (
            "claims_more.wav",
            wav_bytes(2, 48_000, 4_000_000, 4000),
            Expect::Warn(1000, "shorter than its header"),
        ),
        (
            "header_only.wav",
            wav_bytes(2, 48_000, 0, 0),
            Expect::Err("no decodable audio"),
        ),
        (
            "random_bytes.wav",
            random,
            Expect::Err("not a recognised audio file"),
        ),
        (
            "text.mp3",
            b"hello, this is not audio at all\n".repeat(100),
            Expect::Err("not a recognised"),
        ),
    ];
    println!("| fixture | result |");
    println!("| --- | --- |");
    for (name, bytes, expect) in cases {
        let path: PathBuf = dir.path().join(name);
        std::fs::write(&path, &bytes).expect("write fixture");
        let result = decode_with_timeout(&path);
        match &result {
            Ok(a) => println!(
                "| {name} | OK {} frames, warnings {:?} |",
                a.frames(),
                a.warnings
            ),
            Err(e) => println!("| {name} | ERR {e} |"),
        }
        match (expect, result) {
            (Expect::Err(text), Err(e)) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(name),
                    "{name}: message lacks the file name: {msg}"
                );
                assert!(msg.contains(text), "{name}: expected '{text}' in: {msg}");
            }
            (Expect::Warn(frames, text), Ok(a)) => {
                assert_eq!(a.frames(), frames, "{name}");
                assert!(
                    a.warnings.iter().any(|w| w.contains(text)),
                    "{name}: {:?}",
                    a.warnings
                );
            }
            (_, other) => panic!("{name}: unexpected result {other:?}"),
        }
    }
}

#[test]
fn missing_file_error_names_it() {
    let err = decode_file(Path::new("/definitely/not/here/kick.wav")).expect_err("missing");
    let msg = err.to_string();
    assert!(
        msg.contains("kick.wav") && msg.contains("cannot open file"),
        "{msg}"
    );
}
