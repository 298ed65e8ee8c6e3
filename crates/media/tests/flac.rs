//! FLAC bounces: lossless (decoded back to the very integers written), 16 and 24 bits,
//! streamed in frames, no half-written file on failure.
#![allow(missing_docs)]

use stemdesk_media::{Dither, FlacWriter, SampleFormat, decode_file};

fn signal(frames: usize) -> Vec<f32> {
    (0..frames)
        .flat_map(|i| {
            let t = i as f32 / 48_000.0;
            let l = 0.5 * (2.0 * std::f32::consts::PI * 440.0 * t).sin();
            let r = 0.25 * (2.0 * std::f32::consts::PI * 1000.0 * t).sin() + 0.01;
            [l, r]
        })
        .collect()
}

#[test]
fn flac_decodes_back_to_exactly_what_was_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Not a multiple of the FLAC block size: the last frame is short.
    let x = signal(48_000 * 2 + 123);
    for format in [SampleFormat::Int24, SampleFormat::Int16] {
        let path = dir.path().join(format!("mix-{format:?}.flac"));
        let mut w = FlacWriter::create(&path, 48_000, 2, format).expect("create");
        for block in x.chunks(2 * 1000) {
            w.write_interleaved(block).expect("write");
        }
        w.finalize().expect("finalize");
        let decoded = decode_file(&path).expect("symphonia reads it");
        assert_eq!(decoded.sample_rate_hz, 48_000);
        assert_eq!(
            decoded.frames(),
            48_000 * 2 + 123,
            "{format:?}: every frame"
        );
        for (c, plane) in decoded.channels.iter().enumerate() {
            for (i, v) in plane.iter().enumerate() {
                let want = format.round_trip(x[2 * i + c]);
                assert_eq!(*v, want, "{format:?} channel {c} frame {i}: lossless");
            }
        }
        let bytes = std::fs::metadata(&path).expect("file").len();
        let pcm = (x.len() * usize::from(format.bits() / 8)) as u64;
        assert!(bytes < pcm, "{format:?}: compressed {bytes} < {pcm}");
    }
}

#[test]
fn float_is_refused_and_an_abandoned_flac_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mix.flac");
    let err = FlacWriter::create(&path, 48_000, 2, SampleFormat::Float32).expect_err("float");
    assert!(err.to_string().contains("16- or 24-bit"), "{err}");
    std::fs::write(&path, b"an earlier mix").expect("write");
    {
        let mut w = FlacWriter::create(&path, 48_000, 2, SampleFormat::Int16)
            .expect("create")
            .with_dither(Dither::Tpdf);
        w.write_interleaved(&signal(10_000)).expect("write");
        // Dropped without finalize: a cancelled bounce.
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "only the earlier file: {left:?}");
    assert_eq!(std::fs::read(&path).expect("kept"), b"an earlier mix");
}
