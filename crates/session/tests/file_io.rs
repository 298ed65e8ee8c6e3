//! Save/load round trips, validation messages and atomic saving.
#![allow(missing_docs)]

mod common;

use std::path::Path;

use proptest::prelude::*;
use stemdesk_session::*;

fn load_text(text: &str) -> Result<Session, SessionError> {
    parse(Path::new("song.ron"), text)
}

fn with_session(edit: impl FnOnce(&mut Session)) -> String {
    let mut s = common::sample_session();
    edit(&mut s);
    stemdesk_session::file::to_ron(&s).expect("encodes")
}

fn invalid_message(text: &str) -> String {
    match load_text(text) {
        Err(e @ SessionError::Invalid { .. }) => e.to_string(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn save_then_load_gives_the_same_session() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("song.ron");
    let s = common::sample_session();
    save(&s, &path).expect("saves");
    let loaded = load(&path).expect("loads");
    assert_eq!(loaded.session, s);
    assert_eq!(loaded.base_dir, dir.path());
    // The clip's media does not exist: it is reported offline, the session still opens.
    assert_eq!(loaded.offline.len(), 1);
    assert_eq!(loaded.offline[0].path, dir.path().join("audio/drums.wav"));
    assert_eq!(loaded.offline[0].track_name, "Drums");
}

#[test]
fn saved_file_is_readable_ron_with_a_version() {
    let text = with_session(|_| {});
    assert!(text.starts_with("Session("), "{text}");
    assert!(text.contains("format_version: 1"));
    assert!(text.contains("name: \"Drums\""));
    assert!(
        text.lines().count() > 50,
        "pretty-printed, one field a line"
    );
}

#[test]
fn syntax_errors_give_line_and_column() {
    let text = with_session(|_| {}).replacen("gain_db: -4.0", "gain_db: -4.0.0", 1);
    let err = load_text(&text).expect_err("must fail");
    let line = text
        .lines()
        .position(|l| l.contains("-4.0.0"))
        .expect("line")
        + 1;
    match &err {
        SessionError::Syntax {
            line: l, column, ..
        } => {
            assert_eq!(*l, line);
            assert!(*column > 1);
        }
        other => panic!("expected syntax error, got {other:?}"),
    }
    assert!(
        err.to_string().starts_with(&format!("song.ron:{line}:")),
        "{err}"
    );
}

#[test]
fn newer_format_asks_for_an_update() {
    let text = with_session(|s| s.format_version = 99);
    let err = load_text(&text).expect_err("must fail");
    assert!(matches!(err, SessionError::TooNew { found: 99, .. }));
    assert!(err.to_string().contains("please update"));
}

#[test]
fn unknown_output_bus_is_named() {
    let msg = invalid_message(&with_session(|s| {
        s.tracks[0].strip.output = Output::Bus(BusId(77))
    }));
    assert!(
        msg.contains("track \"Drums\" outputs to bus #77, which does not exist"),
        "{msg}"
    );
}

#[test]
fn send_to_missing_bus_is_named() {
    let msg = invalid_message(&with_session(|s| {
        s.tracks[0].strip.sends[0].target = BusId(55)
    }));
    assert!(
        msg.contains("track \"Drums\" has a send to bus #55"),
        "{msg}"
    );
}

#[test]
fn routing_cycle_is_reported_with_bus_names() {
    // Delay -> Reverb already; Reverb -> Delay closes the loop.
    let msg = invalid_message(&with_session(|s| {
        let delay = s.buses[1].id;
        s.buses[0].strip.sends.push(Send {
            id: SendId(s.next_id),
            target: delay,
            level_db: 0.0,
            pre_fader: false,
        });
        s.next_id += 1;
    }));
    assert!(msg.contains("routing cycle"), "{msg}");
    assert!(
        msg.contains("bus \"Reverb\" -> bus \"Delay\" -> bus \"Reverb\""),
        "{msg}"
    );
}

#[test]
fn nan_and_out_of_range_values_are_named() {
    let text = with_session(|s| {
        s.tracks[0].strip.gain_db = f32::NAN;
        s.tracks[0].strip.pan = 3.0;
    });
    assert!(text.contains("NaN"), "RON writes NaN as a literal");
    let msg = invalid_message(&text);
    assert!(
        msg.contains("track \"Drums\" fader gain_db is NaN"),
        "{msg}"
    );
    assert!(
        msg.contains("track \"Drums\" pan is 3, must be within -1 .. 1"),
        "{msg}"
    );
    let msg = invalid_message(&with_session(|s| {
        if let Some(Insert {
            effect: stemdesk_dsp::params::EffectParams::Compressor(c),
            ..
        }) = s.tracks[0].strip.inserts.get_mut(1)
        {
            c.ratio = 0.5;
        }
    }));
    assert!(msg.contains("insert 2 ratio is 0.5"), "{msg}");
}

#[test]
fn duplicate_ids_are_rejected() {
    let msg = invalid_message(&with_session(|s| {
        let id = s.tracks[0].id;
        let mut t = s.tracks[0].clone();
        t.clips.clear();
        t.strip.inserts.clear();
        t.strip.sends.clear();
        t.id = id;
        s.tracks.push(t);
    }));
    assert!(msg.contains("is used more than once"), "{msg}");
}

#[test]
fn unreadable_file_names_the_path() {
    let err = load(Path::new("/nonexistent/dir/song.ron")).expect_err("must fail");
    assert!(
        err.to_string()
            .starts_with("/nonexistent/dir/song.ron: cannot read"),
        "{err}"
    );
}

#[test]
fn save_is_atomic_and_leaves_no_temp_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("song.ron");
    let mut s = common::sample_session();
    save(&s, &path).expect("first save");
    s.master.gain_db = -3.0;
    save(&s, &path).expect("second save");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("song.ron")]);
    assert_eq!(load(&path).expect("loads").session.master.gain_db, -3.0);
}

#[test]
fn failed_save_keeps_the_old_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("song.ron");
    let s = common::sample_session();
    save(&s, &path).expect("first save");
    let before = std::fs::read(&path).expect("read");
    // Saving over a path whose "file" is a non-empty directory fails at the rename.
    let blocked = dir.path().join("blocked.ron");
    std::fs::create_dir(&blocked).expect("mkdir");
    std::fs::write(blocked.join("x"), b"x").expect("write");
    let err = save(&s, &blocked).expect_err("cannot replace a directory");
    assert!(err.to_string().contains("blocked.ron"), "{err}");
    assert_eq!(std::fs::read(&path).expect("read"), before);
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty(), "temp file left behind");
}

fn arb_strip_values() -> impl Strategy<Value = (f32, f32, f32, bool, bool, bool)> {
    (
        -144.0f32..24.0,
        -1.0f32..1.0,
        0.0f32..2.0,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn round_trip_preserves_any_valid_session(
        strips in prop::collection::vec(arb_strip_values(), 0..6),
        // Within a day at 44.1 kHz (2^31 + 2^30 frames is 20 hours).
        clip_pos in prop::collection::vec((0u64..1u64 << 31, 1u64..1u64 << 30, -144.0f32..24.0), 0..6),
        master_db in -144.0f32..24.0,
        rate in prop::sample::select(vec![44_100u32, 48_000, 88_200, 96_000]),
    ) {
        let mut s = Session::new(rate);
        s.master.gain_db = master_db;
        for (i, (gain_db, pan, width, mute, solo, inv)) in strips.into_iter().enumerate() {
            let id = TrackId(s.alloc_id());
            let mut clips = Vec::new();
            for &(position_frames, length_frames, gain_db) in &clip_pos {
                let cid = ClipId(s.alloc_id());
                clips.push(Clip {
                    id: cid,
                    source: format!("stems/take {i} \"quoted\".wav").into(),
                    position_frames,
                    offset_frames: position_frames / 3,
                    length_frames,
                    gain_db,
                    fade_in: Fade::default(),
                    fade_out: Fade { length_frames: length_frames / 2, shape: FadeShape::Exponential },
                });
            }
            s.tracks.push(Track {
                id,
                name: format!("Track {i} — ünïcode"),
                color: Color(i as u8, 2, 3),
                clips,
                strip: Strip { gain_db, pan, width, mute, solo, polarity_invert: inv, ..Strip::default() },
            });
        }
        let text = stemdesk_session::file::to_ron(&s).expect("encodes");
        let back = parse(Path::new("p.ron"), &text).expect("parses");
        prop_assert_eq!(back, s);
    }
}

#[test]
fn saving_through_a_symlink_updates_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real_dir = dir.path().join("projects");
    std::fs::create_dir(&real_dir).expect("mkdir");
    let real = real_dir.join("song.ron");
    let link = dir.path().join("song.ron");
    let mut s = common::sample_session();
    save(&s, &real).expect("save");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    s.master.gain_db = -7.0;
    save(&s, &link).expect("save through the link");
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    assert_eq!(load(&real).expect("load").session.master.gain_db, -7.0);
    let leftovers = std::fs::read_dir(&real_dir).expect("read dir").count();
    assert_eq!(leftovers, 1, "no temporary file beside the target");
}

#[test]
fn a_read_only_session_is_not_overwritten_and_permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("song.ron");
    let mut s = common::sample_session();
    save(&s, &path).expect("save");
    let before = std::fs::read(&path).expect("read");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    s.master.gain_db = -9.0;
    let err = save(&s, &path).expect_err("read-only");
    assert!(err.to_string().contains("read-only"), "{err}");
    assert!(err.to_string().contains("song.ron"), "{err}");
    assert_eq!(std::fs::read(&path).expect("read"), before);
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o444);
    // A writable file with unusual permissions keeps them.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    save(&s, &path).expect("save");
    assert_eq!(mode(&path), 0o640);
    assert_eq!(load(&path).expect("load").session.master.gain_db, -9.0);
}

#[test]
fn clips_past_a_day_are_invalid() {
    let text = with_session(|s| {
        let c = &mut s.tracks[0].clips[0];
        c.position_frames = 25 * 3600 * u64::from(48_000u32);
    });
    let msg = invalid_message(&text);
    assert!(msg.contains("24 hours"), "{msg}");
}

#[test]
fn unknown_fields_are_named_and_the_session_still_opens() {
    let text = with_session(|_| {});
    let text = text.replacen(
        "master: Master(",
        "master: Master(\n        sidechain_magic: 3,",
        1,
    );
    let text = text.replacen(
        "format_version: 1,",
        "format_version: 1,\n    tempo_bpm: 120.0,",
        1,
    );
    let (session, unknown) =
        parse_reporting_unknown(Path::new("song.ron"), &text).expect("still opens");
    assert_eq!(session, load_text(&text).expect("parse"));
    assert_eq!(
        unknown,
        ["tempo_bpm", "master.sidechain_magic"],
        "{unknown:?}"
    );
}

#[test]
fn a_session_saved_before_lookahead_and_analog_eq_loads_as_it_sounded() {
    // The bundled demo as saved before the compressor had lookahead, a sidechain
    // high-pass and mix: those load as off, off and 100 %.
    let text = include_str!("fixtures/before_lookahead.ron");
    let s = load_text(text).expect("loads");
    let compressors: Vec<_> = s
        .tracks
        .iter()
        .flat_map(|t| &t.strip.inserts)
        .filter_map(|i| match &i.effect {
            stemdesk_dsp::EffectParams::Compressor(c) => Some(*c),
            _ => None,
        })
        .collect();
    assert!(!compressors.is_empty());
    for c in compressors {
        assert_eq!(c.lookahead_ms, 0.0);
        assert_eq!(
            c.sidechain_hpf_hz,
            stemdesk_dsp::param_table::SIDECHAIN_HPF_OFF_HZ
        );
        assert_eq!(c.mix, 1.0);
    }
    // Its gates listen unfiltered, as before.
    for t in &s.tracks {
        for i in &t.strip.inserts {
            if let stemdesk_dsp::EffectParams::Gate(g) = &i.effect {
                assert_eq!(g.key_hpf_hz, stemdesk_dsp::KEY_HPF_OFF_HZ);
                assert_eq!(g.key_lpf_hz, stemdesk_dsp::KEY_LPF_OFF_HZ);
            }
        }
    }
    // Its EQs keep the classic (bilinear) response they were mixed with.
    let eqs: Vec<_> = s
        .tracks
        .iter()
        .flat_map(|t| &t.strip.inserts)
        .filter_map(|i| match &i.effect {
            stemdesk_dsp::EffectParams::Eq(e) => Some(e.response),
            _ => None,
        })
        .collect();
    assert!(!eqs.is_empty());
    assert!(eqs.iter().all(|r| *r == stemdesk_dsp::EqResponse::Classic));
}
