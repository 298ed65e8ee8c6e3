//! `stemdesk play` as a user runs it: with no audio device, and on ALSA's `null` device.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs stemdesk with an ALSA configuration of our choosing (`None` = the system's).
fn stemdesk(args: &[&str], alsa_config: Option<&Path>, cwd: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stemdesk"));
    cmd.args(args).current_dir(cwd);
    if let Some(conf) = alsa_config {
        cmd.env("ALSA_CONFIG_PATH", conf);
    }
    cmd.output().expect("runs")
}

#[test]
fn with_no_audio_device_play_fails_clearly_and_bounce_still_works() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let empty = d.join("empty-alsa.conf");
    std::fs::write(&empty, "").expect("write");
    let demo = repo_root().join("projects-examples/demo/demo.ron");
    let demo = demo.to_str().expect("utf-8 path");

    let o = stemdesk(&["play", demo], Some(&empty), d);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("no audio output device"), "{err}");
    assert!(err.contains("bouncing still works"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let o = stemdesk(
        &["play", demo, "--device", "studio-monitors"],
        Some(&empty),
        d,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("no audio output device named 'studio-monitors'"),
        "{err}"
    );

    let o = stemdesk(
        &[
            "bounce",
            demo,
            "-o",
            "mix.wav",
            "--end",
            "2",
            "--no-measure",
        ],
        Some(&empty),
        d,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(d.join("mix.wav").is_file());
}

#[test]
fn plays_to_the_null_device_for_a_frame_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = repo_root().join("projects-examples/demo/demo.ron");
    let demo = demo.to_str().expect("utf-8 path");
    let o = stemdesk(
        &[
            "play", demo, "--device", "null", "--buffer", "256", "--frames", "96000",
        ],
        None,
        dir.path(),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("on 'null' at 48000 Hz"), "{err}");
    let frames: u64 = err
        .split("stopped after ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(frames >= 96_000, "{err}");

    let o = stemdesk(
        &["play", demo, "--device", "null", "--buffer", "4096"],
        None,
        dir.path(),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("buffer size 4096 frames is not possible"),
        "{err}"
    );
}
