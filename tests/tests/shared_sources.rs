//! One file reached by many paths (symlinks, `..`, a hard link) is decoded once: every
//! path shares the same decoded audio.
#![allow(missing_docs)]

use std::path::PathBuf;
use std::sync::Arc;

use stemdesk_e2e::{test_signal, write_wav24};
use stemdesk_session::*;

#[test]
fn a_file_behind_many_paths_is_decoded_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("stems")).expect("mkdir");
    write_wav24(&d.join("stems/take.wav"), 48_000, &test_signal(4_800, 2, 7));
    let mut names = vec![
        PathBuf::from("stems/take.wav"),
        PathBuf::from("stems/../stems/take.wav"),
    ];
    for i in 0..20 {
        let link = d.join(format!("link{i}.wav"));
        std::os::unix::fs::symlink(d.join("stems/take.wav"), &link).expect("symlink");
        names.push(PathBuf::from(format!("link{i}.wav")));
    }
    std::fs::hard_link(d.join("stems/take.wav"), d.join("hard.wav")).expect("hard link");
    names.push(PathBuf::from("hard.wav"));
    let mut session = Session::new(48_000);
    for (i, name) in names.iter().enumerate() {
        let (track_id, clip_id) = (TrackId(session.alloc_id()), ClipId(session.alloc_id()));
        session.tracks.push(Track {
            id: track_id,
            name: format!("T{i}"),
            color: Color(1, 2, 3),
            clips: vec![Clip {
                id: clip_id,
                source: name.clone(),
                position_frames: 0,
                offset_frames: 0,
                length_frames: 4_800,
                gain_db: 0.0,
                fade_in: Fade::default(),
                fade_out: Fade::default(),
            }],
            strip: Strip::default(),
        });
    }
    let path = d.join("song.ron");
    save(&session, &path).expect("save");
    let loaded = load(&path).expect("load");
    let (sources, problems, _) = stemdesk_engine::load_sources(&loaded);
    assert!(problems.is_empty(), "{problems:?}");
    // "stems/../stems/take.wav" resolves to the same key as "stems/take.wav".
    assert_eq!(sources.len(), names.len() - 1, "every path resolves");
    let first = sources.values().next().expect("a source");
    assert!(
        sources.values().all(|s| Arc::ptr_eq(s, first)),
        "one decoded copy shared by all {} paths",
        names.len()
    );
}
