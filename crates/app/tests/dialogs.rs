//! The real file dialogs (rfd, not the scripted ones) on a machine without a desktop
//! portal: every question returns "unavailable" quickly instead of panicking or hanging,
//! so the app can fall back to its typed-path prompt.
//!
//! Each case runs in a child process of this test binary with its own D-Bus environment.
#![allow(missing_docs)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use stemdesk::gui::{DialogAnswer, DialogKind, DialogRequest, Dialogs, RfdDialogs};

const CHILD: &str = "STEMDESK_DIALOG_CHILD";
const KINDS: [DialogKind; 5] = [
    DialogKind::OpenSession,
    DialogKind::SaveSession,
    DialogKind::ImportAudio,
    DialogKind::BounceTarget,
    DialogKind::RelinkFolder,
];

/// Runs in the child: asks every question through `RfdDialogs` and prints each answer.
#[test]
fn child_asks_every_real_dialog() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    for kind in KINDS {
        let mut dialogs = RfdDialogs::default();
        let request = DialogRequest {
            kind,
            suggested_name: "song.ron".into(),
        };
        dialogs.ask(request, Arc::new(|| {}));
        let started = Instant::now();
        let answer = loop {
            if let Some(answer) = dialogs.poll() {
                break answer;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{kind:?}: no answer after 10 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        match answer {
            DialogAnswer::Unavailable(why) => println!("ANSWER {kind:?} unavailable: {why}"),
            other => panic!("{kind:?}: expected 'unavailable' without a portal, got {other:?}"),
        }
    }
}

fn run_child(envs: &[(&str, &str)]) -> String {
    let exe = std::env::current_exe().expect("test binary");
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", "child_asks_every_real_dialog", "--nocapture"])
        .env(CHILD, "1")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run child");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child failed: {text}");
    assert!(!text.contains("panicked"), "{text}");
    assert_eq!(text.matches("ANSWER ").count(), KINDS.len(), "{text}");
    text
}

#[test]
fn real_dialogs_without_a_session_bus_answer_unavailable() {
    let runtime = tempfile::tempdir().expect("tempdir");
    let runtime = runtime.path().to_str().expect("utf-8 temp path");
    let text = run_child(&[("XDG_RUNTIME_DIR", runtime)]);
    assert!(
        text.contains("no XDG desktop portal file chooser"),
        "{text}"
    );
}

/// A private session bus that knows no services: a bus, but no portal on it.
struct PrivateBus {
    child: Child,
    address: String,
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn private_bus(dir: &Path) -> Option<PrivateBus> {
    let config = dir.join("bus.conf");
    std::fs::write(
        &config,
        format!(
            "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\" \
             \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n\
             <busconfig><type>session</type><listen>unix:dir={}</listen>\
             <policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>\
             <allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>",
            dir.display()
        ),
    )
    .expect("write bus config");
    let mut child = Command::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--print-address"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let stdout = child.stdout.take()?;
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).ok()?;
    Some(PrivateBus {
        child,
        address: line.trim().to_owned(),
    })
}

#[test]
fn real_dialogs_on_a_bus_without_a_portal_answer_unavailable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(bus) = private_bus(dir.path()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "dbus-daemon is missing (scripts/test.sh installs it)"
        );
        eprintln!("SKIPPED: no dbus-daemon");
        return;
    };
    assert!(!bus.address.is_empty(), "dbus-daemon printed no address");
    let text = run_child(&[("DBUS_SESSION_BUS_ADDRESS", &bus.address)]);
    assert!(text.contains("org.freedesktop.portal.Desktop"), "{text}");
}
