//! The bounce writer: exact round trips and no half-written files.

use std::path::Path;

use stemdesk_media::{MediaError, SampleFormat, WavWriter};

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn int24_round_trip_is_within_one_lsb_and_counts_clips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("MIX.wav");
    let values: Vec<f32> = vec![
        0.0,
        0.5,
        -0.5,
        1.0,
        -1.0,
        0.123_456_7,
        -0.000_001,
        1.5,
        -2.0,
        0.999_999,
    ];
    let mut w = WavWriter::create(&path, 48_000, 2, SampleFormat::Int24).expect("create");
    w.write_interleaved(&values).expect("write");
    assert_eq!(w.clipped_samples(), 2);
    w.finalize().expect("finalize");

    let mut r = hound::WavReader::open(&path).expect("open");
    let spec = r.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (2, 48_000, 24)
    );
    let read: Vec<i32> = r.samples::<i32>().map(|s| s.expect("sample")).collect();
    assert_eq!(read.len(), values.len());
    let full = 8_388_608.0f64;
    for (v, got) in values.iter().zip(&read) {
        let want = (f64::from(*v) * full).clamp(-full, full - 1.0);
        assert!(
            (f64::from(*got) - want).abs() <= 1.0,
            "{v}: got {got}, want {want}"
        );
    }
    assert_eq!(read[0], 0);
    assert_eq!(read[3], 8_388_607);
    assert_eq!(read[4], -8_388_608);
}

#[test]
fn int16_scaling_inverts_the_decoders_scaling() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("MIX16.wav");
    let mut w = WavWriter::create(&path, 44_100, 1, SampleFormat::Int16).expect("create");
    w.write_interleaved(&[1.0, -1.0, 0.5, 0.0]).expect("write");
    w.finalize().expect("finalize");
    let read: Vec<i16> = hound::WavReader::open(&path)
        .expect("open")
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    // x * 32768, clamped: -1.0 is the lowest code, +1.0 the highest.
    assert_eq!(read, vec![32_767, -32_768, 16_384, 0]);
}

#[test]
fn float32_is_bit_exact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("MIX.wav");
    let values: Vec<f32> = (0..1000)
        .map(|i| ((i as f32) * 0.731).sin() * 1.3 + f32::EPSILON * i as f32)
        .collect();
    let mut w = WavWriter::create(&path, 96_000, 1, SampleFormat::Float32).expect("create");
    for chunk in values.chunks(77) {
        w.write_interleaved(chunk).expect("write");
    }
    let overs = values.iter().filter(|v| v.abs() > 1.0).count() as u64;
    assert!(overs > 0);
    assert_eq!(w.clipped_samples(), overs);
    w.finalize().expect("finalize");
    let read: Vec<f32> = hound::WavReader::open(&path)
        .expect("open")
        .samples::<f32>()
        .map(|s| s.expect("sample"))
        .collect();
    assert_eq!(read.len(), values.len());
    assert!(
        read.iter()
            .zip(&values)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
}

#[test]
fn dropping_without_finalize_keeps_the_old_file_and_leaves_no_temp() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("MIX.wav");
    std::fs::write(&path, b"previous bounce").expect("old file");
    {
        let mut w = WavWriter::create(&path, 48_000, 2, SampleFormat::Int24).expect("create");
        w.write_interleaved(&[0.1; 2000]).expect("write");
        // While writing, the destination is untouched and a temp file sits beside it.
        assert_eq!(std::fs::read(&path).expect("read"), b"previous bounce");
        assert_eq!(dir_entries(dir.path()).len(), 2);
    } // dropped: cancelled bounce
    assert_eq!(std::fs::read(&path).expect("read"), b"previous bounce");
    assert_eq!(dir_entries(dir.path()), vec!["MIX.wav".to_owned()]);
}

#[test]
fn error_mid_bounce_leaves_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("MIX.wav");
    let mut w = WavWriter::create(&path, 48_000, 2, SampleFormat::Float32).expect("create");
    w.write_interleaved(&[0.0; 64]).expect("write");
    let err = w.write_interleaved(&[0.0; 3]).expect_err("half a frame");
    assert!(err.to_string().contains("MIX.wav"), "{err}");
    drop(w);
    assert!(
        dir_entries(dir.path()).is_empty(),
        "{:?}",
        dir_entries(dir.path())
    );
}

#[test]
fn finalize_replaces_the_old_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("MIX.wav");
    std::fs::write(&path, b"previous bounce").expect("old file");
    let mut w = WavWriter::create(&path, 48_000, 1, SampleFormat::Int16).expect("create");
    w.write_interleaved(&[0.25; 480]).expect("write");
    w.finalize().expect("finalize");
    let r = hound::WavReader::open(&path).expect("open");
    assert_eq!(r.len(), 480);
    assert_eq!(dir_entries(dir.path()), vec!["MIX.wav".to_owned()]);
}

#[test]
fn unwritable_destination_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("no_such_folder").join("MIX.wav");
    let err = WavWriter::create(&path, 48_000, 2, SampleFormat::Int24).expect_err("missing folder");
    assert!(matches!(err, MediaError::Write { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("no_such_folder") && msg.contains("cannot write"),
        "{msg}"
    );
}

#[test]
fn no_replace_finalize_leaves_a_file_that_appeared_meanwhile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("MIX.wav");
    let mut w = WavWriter::create(&path, 48_000, 2, SampleFormat::Float32).expect("create");
    w.write_interleaved(&[0.25, -0.25]).expect("write");
    // Someone else writes the same name while we render.
    std::fs::write(&path, b"theirs").expect("write theirs");
    let err = w.finalize_no_replace().expect_err("must not replace");
    assert!(err.to_string().contains("MIX.wav"), "{err}");
    assert!(err.to_string().contains("not replaced"), "{err}");
    assert_eq!(std::fs::read(&path).expect("read"), b"theirs");
    assert_eq!(dir_entries(dir.path()), ["MIX.wav"], "no temp file left");
}

#[test]
fn bounces_get_the_usual_file_mode_not_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("MIX.wav");
    let mut w = WavWriter::create(&path, 48_000, 2, SampleFormat::Int16).expect("create");
    w.write_interleaved(&[0.0, 0.0]).expect("write");
    w.finalize_no_replace().expect("finalize");
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    // What a plain create gets under this process's umask.
    let probe = dir.path().join("probe");
    std::fs::write(&probe, b"").expect("probe");
    let usual = std::fs::metadata(&probe)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, usual, "bounce {mode:o}, a plain file {usual:o}");
    assert_ne!(
        mode, 0o600,
        "readable by others unless the umask says otherwise"
    );
}

#[test]
fn stale_temp_files_of_an_interrupted_bounce_are_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("MIX.wav");
    std::fs::write(dir.path().join(".MIX.wav.abc123.partial"), b"left over").expect("write");
    std::fs::write(dir.path().join(".OTHER.wav.abc123.partial"), b"not ours").expect("write");
    std::fs::write(dir.path().join("MIX.wav.partial"), b"not hidden").expect("write");
    let running = WavWriter::create(&path, 48_000, 2, SampleFormat::Int16).expect("create");
    // A fresh file may belong to a bounce still running: kept.
    assert_eq!(
        stemdesk_media::remove_stale_temp_files(&path, std::time::Duration::from_secs(600)),
        0
    );
    // With no age limit, every one of ours goes (the running writer's too: it is ours).
    assert_eq!(
        stemdesk_media::remove_stale_temp_files(&path, std::time::Duration::ZERO),
        2
    );
    drop(running);
    assert_eq!(
        dir_entries(dir.path()),
        [".OTHER.wav.abc123.partial", "MIX.wav.partial"]
    );
}

#[test]
fn past_the_riff_limit_the_file_becomes_rf64_and_reads_back_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("BIG.wav");
    let frames = 10_001usize;
    let samples: Vec<f32> = (0..frames * 2)
        .map(|i| ((i as f32) * 0.001).sin() * 0.7)
        .collect();
    // The 4 GiB limit lowered to 1 kB: the same code path a 5 GiB mix takes.
    let mut w = WavWriter::create(&path, 48_000, 2, SampleFormat::Float32)
        .expect("create")
        .rf64_above(1_000);
    w.write_interleaved(&samples).expect("write");
    w.finalize().expect("finalize");
    let bytes = std::fs::read(&path).expect("read");
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
    let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
    assert_eq!(&bytes[0..4], b"RF64");
    assert_eq!(u32_at(4), u32::MAX);
    assert_eq!(
        &bytes[12..16],
        b"ds64",
        "ds64 is the first chunk (EBU Tech 3306)"
    );
    assert_eq!(u64_at(20), bytes.len() as u64 - 8, "RIFF size");
    assert_eq!(u64_at(28), (frames * 2 * 4) as u64, "data size");
    assert_eq!(u64_at(36), frames as u64, "sample count");
    let decoded = stemdesk_media::decode_file(&path).expect("symphonia reads RF64");
    assert_eq!(decoded.channels.len(), 2);
    assert_eq!(decoded.channels[0].len(), frames);
    for (i, s) in samples.iter().enumerate() {
        assert_eq!(decoded.channels[i % 2][i / 2], *s, "sample {i}");
    }
}

#[test]
fn below_the_limit_it_stays_riff_with_a_junk_chunk_every_reader_skips() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (format, bits) in [
        (SampleFormat::Int16, 16),
        (SampleFormat::Int24, 24),
        (SampleFormat::Float32, 32),
    ] {
        let path = dir.path().join(format!("mix{bits}.wav"));
        let mut w = WavWriter::create(&path, 44_100, 1, format).expect("create");
        w.write_interleaved(&[0.5, -0.25, 0.125]).expect("write");
        w.finalize().expect("finalize");
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(&bytes[0..4], b"RIFF");
        assert_eq!(&bytes[12..16], b"JUNK");
        assert_eq!(bytes.len() % 2, 0, "odd data is padded");
        let r = hound::WavReader::open(&path).expect("hound reads it");
        assert_eq!(r.spec().bits_per_sample, bits);
        assert_eq!(r.duration(), 3);
        let decoded = stemdesk_media::decode_file(&path).expect("symphonia reads it");
        assert_eq!(decoded.channels[0].len(), 3);
    }
}
