//! Playback survives a failing device: an ALSA PCM that writes to /dev/full fails with an
//! I/O error as soon as it plays; once the device works again (the test rewrites the ALSA
//! config) the desk reopens it by itself and playing continues from where it stopped,
//! counted as one recovery.
//!
//! Runs in a child process whose ALSA config (`XDG_CONFIG_HOME/alsa/asoundrc`) is the
//! test's.
#![allow(missing_docs)]

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use stemdesk::gui::{AppConfig, ScriptedDialogs, StemdeskApp};

const CHILD: &str = "STEMDESK_RECOVERY_CHILD";
const PCM: &str = "stemdesk_flaky";

fn asoundrc(dir: &Path, file: &str) {
    let alsa = dir.join("alsa");
    std::fs::create_dir_all(&alsa).expect("mkdir");
    let text = format!(
        "pcm.{PCM} {{\n  type file\n  slave.pcm \"null\"\n  file \"{file}\"\n  format \"raw\"\n}}\n"
    );
    std::fs::write(alsa.join("asoundrc"), text).expect("asoundrc");
}

#[test]
fn playback_recovers_by_itself_after_the_device_fails() {
    let Some(dir) = std::env::var_os(CHILD) else {
        let dir = tempfile::tempdir().expect("tempdir");
        asoundrc(dir.path(), "/dev/full");
        let out = std::process::Command::new(std::env::current_exe().expect("exe"))
            .args([
                "--exact",
                "playback_recovers_by_itself_after_the_device_fails",
            ])
            .args(["--nocapture"])
            .env(CHILD, dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .expect("run child");
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{log}");
        assert!(log.contains("RECOVERED"), "{log}");
        return;
    };
    child(Path::new(&dir));
}

fn run_until(h: &mut Harness<'_, StemdeskApp>, what: &str, cond: impl Fn(&StemdeskApp) -> bool) {
    let started = Instant::now();
    while !cond(h.state()) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}; status: {:?}",
            h.state().audio_error()
        );
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn child(dir: &Path) {
    let session =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects-examples/demo/demo.ron");
    let config = AppConfig {
        audio: true,
        device: Some(PCM.into()),
        data_dir: dir.join("data"),
        ..AppConfig::default()
    };
    let app = StemdeskApp::new(config, Box::new(ScriptedDialogs::default()), Some(&session));
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut StemdeskApp| app.show(ui), app);
    h.run_steps(1);
    h.get_by_label("Play").click();
    run_until(&mut h, "the device failure", |a| {
        a.audio_error().is_some_and(|e| e.contains("failed"))
    });
    println!("failed: {:?}", h.state().audio_error());
    let stopped_at = h.state().position_frames();
    // The device works again.
    asoundrc(dir, "/dev/null");
    run_until(&mut h, "the recovery", |a| {
        a.audio_recoveries() == 1 && a.is_playing() && a.audio_error().is_none()
    });
    let resumed_at = h.state().position_frames();
    assert!(
        resumed_at >= stopped_at,
        "resumed at {resumed_at}, stopped at {stopped_at}"
    );
    run_until(&mut h, "playback to go on", |a| {
        a.position_frames() > resumed_at
    });
    for _ in 0..10 {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(h.state().audio_recoveries(), 1);
    println!("RECOVERED at {resumed_at} (stopped at {stopped_at})");
}
