//! Null tests: the mixer adds nothing it was not asked to.
#![allow(missing_docs)]

use stemdesk_e2e::*;
use stemdesk_engine::{BounceRange, Threads, bounce, compile};
use stemdesk_media::{SampleFormat, WavWriter};
use stemdesk_session::{Session, StripId, save};

#[test]
fn track_plus_inverted_copy_is_silence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("a.wav");
    write_wav24(&wav, 48_000, &test_signal(48_000, 2, 7));
    let mut s = Session::new(48_000);
    let a = track_with_clip(&mut s, "A", "a.wav".into(), 48_000);
    let mut b = track_with_clip(&mut s, "B", "a.wav".into(), 48_000);
    b.strip.polarity_invert = true;
    s.tracks.extend([a, b]);
    let path = dir.path().join("s.ron");
    save(&s, &path).expect("save");
    let loaded = stemdesk_session::load(&path).expect("load");
    let src = sources(&loaded);
    let out = bounce_to_vec(&loaded, &src, 512, Threads::Pool);
    assert_eq!(out.len(), 48_000 * 2);
    let peak = out.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    // Below -140 dBFS (it is in fact exactly zero).
    assert!(peak < 1e-7, "residual peak {peak}");
    // Sanity: without the inversion the signal is there.
    let mut s2 = loaded.session.clone();
    let b_id = s2.tracks[1].id;
    s2.apply(&stemdesk_session::Edit::SetPolarity {
        strip: StripId::Track(b_id),
        invert: false,
    })
    .expect("edit");
    let loaded2 = stemdesk_session::LoadedSession {
        session: s2,
        ..loaded.clone()
    };
    let out2 = bounce_to_vec(&loaded2, &src, 512, Threads::Pool);
    assert!(out2.iter().fold(0.0f32, |m, x| m.max(x.abs())) > 0.5);
}

#[test]
fn unity_session_reproduces_its_source_bit_for_bit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("stem.wav");
    let frames = 30_000;
    write_wav24(&wav, 44_100, &test_signal(frames, 2, 99));
    let mut s = Session::new(44_100);
    let t = track_with_clip(&mut s, "Stem", "stem.wav".into(), frames as u64);
    s.tracks.push(t);
    let path = dir.path().join("s.ron");
    save(&s, &path).expect("save");
    let loaded = stemdesk_session::load(&path).expect("load");
    let src = sources(&loaded);
    let mut g = compile(&loaded.session, &loaded.base_dir, &src, 1000);
    let out = dir.path().join("mix.wav");
    let mut w = WavWriter::create(&out, 44_100, 2, SampleFormat::Int24).expect("writer");
    let range = BounceRange {
        start_frames: 0,
        end_frames: Some(frames as u64),
        content_end_frames: frames as u64,
        max_tail_frames: 0,
        rate_hz: 44_100.0,
    };
    bounce(
        &mut g,
        range,
        1000,
        Threads::Single,
        |x| w.write_interleaved(x),
        |_, _| {},
    )
    .expect("bounce");
    w.finalize().expect("finalize");
    let (spec_in, input) = read_wav_ints(&wav);
    let (spec_out, output) = read_wav_ints(&out);
    assert_eq!(spec_out.bits_per_sample, 24);
    assert_eq!(spec_out.sample_rate, spec_in.sample_rate);
    assert_eq!(output.len(), input.len());
    let first_diff = input.iter().zip(&output).position(|(a, b)| a != b);
    assert_eq!(first_diff, None, "output differs from the source");
}
