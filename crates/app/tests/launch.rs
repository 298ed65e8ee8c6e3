//! The real binary under an X server, built the way users build it. `scripts/test.sh`
//! starts Xvfb and sets `STEMDESK_REQUIRE_DISPLAY=1`, which makes a missing display a
//! failure; elsewhere the tests say they are skipped.
//!
//! The binary is built without dev-dependencies (`cargo build -p stemdesk`): a test build
//! unifies their features into it (egui_kittest turns on accesskit, which changes zbus's
//! executor), and such a binary once hid a crash of every file dialog that users saw.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The user's binary: `STEMDESK_USER_BIN` (scripts/test.sh builds it first), or built here
/// into its own target folder.
fn user_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("STEMDESK_USER_BIN") {
        return PathBuf::from(bin);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = root.join("target/user-build");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--locked", "-p", "stemdesk", "--bin", "stemdesk"])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(&root)
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build -p stemdesk failed");
    target.join("debug/stemdesk")
}

/// The tests take turns: two windows on one X server without a window manager take each
/// other's keyboard focus.
static ONE_WINDOW_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_window_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_WINDOW_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn has_display() -> bool {
    if std::env::var_os("DISPLAY").is_some() {
        return true;
    }
    assert!(
        std::env::var_os("STEMDESK_REQUIRE_DISPLAY").is_none(),
        "STEMDESK_REQUIRE_DISPLAY is set but DISPLAY is not"
    );
    eprintln!("SKIPPED: no X display (scripts/test.sh starts Xvfb)");
    false
}

#[test]
fn gui_opens_the_example_project_and_exits_cleanly() {
    if !has_display() {
        return;
    }
    let _turn = one_window_at_a_time();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects-examples/demo/demo.ron");
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(user_binary())
        .arg("gui")
        .arg(&demo)
        .args(["--device", "null", "--quit-after-frames", "20"])
        .env("XDG_DATA_HOME", data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start stemdesk");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the GUI did not exit after its 20 frames");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(status.success(), "exit {status}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The app under Xvfb, driven with xdotool as desk-drive does (slow presses, focus first:
/// there is no window manager).
struct Desk {
    child: Child,
    window: String,
    log: PathBuf,
}

impl Drop for Desk {
    fn drop(&mut self) {
        // Quit as a user would (Ctrl+Q: the session is saved or unchanged), so a private
        // session bus ends with the app; kill only if it does not.
        if self.child.try_wait().ok().flatten().is_none() {
            self.keys(&["ctrl", "q"]);
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if self.child.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool (scripts/test.sh installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The desktop around the app.
#[derive(Clone, Copy, PartialEq)]
enum Session {
    /// No session bus, hence no desktop portal: a bare X session.
    BareX,
    /// A private session bus on which the XDG desktop portal with its GTK backend is
    /// started on demand, as on a GNOME desktop.
    Portal,
}

impl Desk {
    fn start(session: &Path, dir: &Path, desktop: Session) -> Self {
        let log = dir.join("app.log");
        let bin = user_binary();
        let mut command = match desktop {
            Session::BareX => {
                let mut c = Command::new(&bin);
                c.env_remove("DBUS_SESSION_BUS_ADDRESS");
                c
            }
            Session::Portal => {
                let mut c = Command::new("dbus-run-session");
                c.args(["--", "sh", "-c"])
                    .arg(
                        "dbus-update-activation-environment DISPLAY XDG_CURRENT_DESKTOP \
                         XDG_RUNTIME_DIR && exec \"$0\" \"$@\"",
                    )
                    .arg(&bin)
                    .env("XDG_CURRENT_DESKTOP", "GNOME");
                c
            }
        };
        let child = command
            .arg("gui")
            .arg(session)
            .args(["--device", "null"])
            .env("XDG_RUNTIME_DIR", dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start stemdesk");
        let started = Instant::now();
        let window = loop {
            // The app's own window (the chooser is named after its question).
            let found = xdotool(&["search", "--name", "Stemdesk"]);
            if let Some(w) = found.lines().next() {
                break w.to_owned();
            }
            assert!(started.elapsed() < Duration::from_secs(60), "no window");
            std::thread::sleep(Duration::from_millis(200));
        };
        std::thread::sleep(Duration::from_secs(4));
        Self { child, window, log }
    }

    fn focus(&self) {
        xdotool(&["windowfocus", "--sync", &self.window]);
    }

    /// A key chord (`["ctrl", "shift", "s"]`), pressed and released slowly.
    fn keys(&self, chord: &[&str]) {
        self.focus();
        for k in chord {
            xdotool(&["keydown", k]);
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(150));
        for k in chord.iter().rev() {
            xdotool(&["keyup", k]);
        }
        std::thread::sleep(Duration::from_millis(800));
    }

    fn type_text(&self, text: &str) {
        self.focus();
        xdotool(&["type", "--delay", "30", text]);
        std::thread::sleep(Duration::from_millis(500));
    }

    fn click(&self, x: u32, y: u32) {
        self.focus();
        let (x, y) = (x.to_string(), y.to_string());
        xdotool(&["mousemove", "--window", &self.window, &x, &y]);
        std::thread::sleep(Duration::from_millis(200));
        xdotool(&["mousedown", "1"]);
        std::thread::sleep(Duration::from_millis(150));
        xdotool(&["mouseup", "1"]);
        std::thread::sleep(Duration::from_millis(800));
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn assert_alive(&mut self, after: &str) {
        let exited = self.child.try_wait().expect("wait");
        assert!(
            exited.is_none(),
            "the app died after {after}: {}",
            self.log()
        );
        assert!(
            !self.log().contains("panicked"),
            "after {after}: {}",
            self.log()
        );
    }
}

fn wait_for_file(path: &Path, what: &str, desk: &Desk) {
    let started = Instant::now();
    while !path.is_file() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{what}: {} was not written: {}",
            path.display(),
            desk.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn every_file_dialog_of_the_real_binary_works_without_a_portal() {
    if !has_display() {
        return;
    }
    let _turn = one_window_at_a_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let session = stemdesk_e2e::copy_example(dir.path());
    let mut desk = Desk::start(&session, dir.path(), Session::BareX);

    // Each entry that opens a dialog: the app stays up and asks for a typed path instead;
    // Escape closes the prompt.
    // Bounce opens its window first; Enter there asks for the file.
    let entries: [(&str, &[&[&str]]); 4] = [
        ("Save session", &[&["ctrl", "shift", "s"]]),
        ("Open session", &[&["ctrl", "o"]]),
        ("Import audio", &[&["ctrl", "i"]]),
        ("Bounce mix", &[&["ctrl", "b"], &["Return"]]),
    ];
    for (title, chords) in entries {
        let said = format!("{title}: no file dialog is available");
        // A slow first frame under llvmpipe can miss a key: press again (up to 3 times).
        for _ in 0..3 {
            for chord in chords {
                desk.keys(chord);
            }
            desk.assert_alive(title);
            if desk.log().contains(&said) {
                break;
            }
        }
        assert!(desk.log().contains(&said), "{title}: {}", desk.log());
        desk.keys(&["Escape"]);
        desk.assert_alive(title);
    }
    // Relink has no shortcut: File menu, then its entry (positions at the default layout).
    desk.click(FILE_MENU.0, FILE_MENU.1);
    desk.click(RELINK_ENTRY.0, RELINK_ENTRY.1);
    desk.assert_alive("Relink Media");
    let title = "Folder with the missing media";
    assert!(desk.log().contains(title), "relink: {}", desk.log());
    desk.keys(&["Escape"]);

    // Save As through the typed path, then bounce to the offered name.
    let copy = dir.path().join("copy.ron");
    desk.keys(&["ctrl", "shift", "s"]);
    desk.keys(&["ctrl", "a"]);
    desk.type_text(&copy.display().to_string());
    desk.keys(&["Return"]);
    wait_for_file(&copy, "Save As", &desk);
    desk.assert_alive("Save As");
    desk.keys(&["ctrl", "b"]);
    desk.keys(&["Return"]);
    desk.keys(&["Return"]);
    let mix = dir.path().join("copy-mix.wav");
    wait_for_file(&mix, "Bounce", &desk);
    let reader = hound::WavReader::open(&mix).expect("the bounce is a WAV file");
    assert!(reader.duration() > 48_000, "{} frames", reader.duration());
    desk.assert_alive("Bounce");
}

/// Window coordinates of the File menu and of its "Relink Media…" entry.
const FILE_MENU: (u32, u32) = (18, 12);
const RELINK_ENTRY: (u32, u32) = (60, 195);

/// The real desktop file chooser: the XDG desktop portal with its GTK backend on a private
/// session bus. Ctrl+O shows the chooser window ("Open session"), Escape closes it and the
/// desk stays up; it did not fall back to the typed path. `scripts/test.sh` installs the
/// portal and sets `STEMDESK_REQUIRE_PORTAL=1`; elsewhere the test says it is skipped.
#[test]
fn the_desktop_file_chooser_opens_through_the_portal() {
    if !has_display() {
        return;
    }
    let installed = Path::new("/usr/libexec/xdg-desktop-portal-gtk").exists()
        && Command::new("dbus-run-session")
            .arg("--version")
            .output()
            .is_ok();
    if !installed {
        assert!(
            std::env::var_os("STEMDESK_REQUIRE_PORTAL").is_none(),
            "STEMDESK_REQUIRE_PORTAL is set but xdg-desktop-portal-gtk is missing"
        );
        eprintln!("SKIPPED: no xdg-desktop-portal-gtk (scripts/test.sh installs it)");
        return;
    }
    let _turn = one_window_at_a_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let session = stemdesk_e2e::copy_example(dir.path());
    let mut desk = Desk::start(&session, dir.path(), Session::Portal);
    let chooser = || xdotool(&["search", "--name", "^Open session$"]);
    let mut shown = String::new();
    for _ in 0..3 {
        desk.keys(&["ctrl", "o"]);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(15) {
            shown = chooser();
            if !shown.trim().is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        if !shown.trim().is_empty() {
            break;
        }
    }
    desk.assert_alive("Ctrl+O with a portal");
    assert!(
        !shown.trim().is_empty(),
        "no chooser window appeared: {}",
        desk.log()
    );
    assert!(
        !desk.log().contains("no file dialog is available"),
        "{}",
        desk.log()
    );
    // Close the chooser: the desk is still there and answers the next question.
    let window = shown.lines().next().unwrap_or_default().to_owned();
    xdotool(&["windowfocus", "--sync", &window]);
    xdotool(&["key", "--window", &window, "Escape"]);
    std::thread::sleep(Duration::from_secs(2));
    desk.assert_alive("closing the chooser");
}
