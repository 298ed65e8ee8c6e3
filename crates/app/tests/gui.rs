//! The mixing desk driven through its widgets by label (egui_kittest), as a user would:
//! import, play, fader and undo, bus and send, EQ, save and reopen; missing media; and
//! snapshots of the mixer, arrange view and EQ editor.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use stemdesk::gui::{AppConfig, ScriptedDialogs, StemdeskApp};
use stemdesk_dsp::EffectParams;
use stemdesk_session::{Output, StripId};

fn write_tone(path: &Path, freq_hz: f32, channels: u16, seconds: f32) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create");
    for i in 0..(seconds * 48_000.0) as usize {
        let t = i as f32 / 48_000.0;
        let env = (-((t * 2.0).fract()) * 6.0).exp();
        let s = 0.5 * env * (t * freq_hz * std::f32::consts::TAU).sin();
        for _ in 0..channels {
            w.write_sample((s * 32767.0) as i16).expect("write");
        }
    }
    w.finalize().expect("finalize");
}

fn config(dir: &Path, audio: bool) -> AppConfig {
    AppConfig {
        audio,
        device: Some("null".into()),
        data_dir: dir.join("data"),
        // Snapshots need the waveforms drawn: open the media before the first frame.
        background_media: false,
        ..AppConfig::default()
    }
}

fn harness(app: StemdeskApp) -> Harness<'static, StemdeskApp> {
    Harness::builder()
        .with_size([1400.0, 900.0])
        .with_max_steps(40)
        .build_ui_state(|ui, app: &mut StemdeskApp| app.show(ui), app)
}

/// Clicks a menu entry: the menu, then the item.
fn menu(h: &mut Harness<'_, StemdeskApp>, menu: &str, item: &str) {
    h.get_by_label(menu).click();
    h.run_steps(2);
    // Menu buttons carry their shortcut in the label ("Save Ctrl+S"): take the shortest
    // label that contains the item's text.
    let node = h
        .get_all_by_label_contains(item)
        .min_by_key(|n| n.accesskit_node().label().map_or(usize::MAX, |l| l.len()))
        .expect("menu item");
    node.click();
    h.run_steps(2);
}

fn steps(h: &mut Harness<'_, StemdeskApp>, n: usize) {
    h.run_steps(n);
}

/// Presses at `from`, moves to `to` in four steps, releases there.
fn drag(h: &mut Harness<'_, StemdeskApp>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for k in 1..=4 {
        h.hover_at(from.lerp(to, k as f32 / 4.0));
        h.run_steps(1);
    }
    h.drop_at(to);
    h.run_steps(2);
}

#[test]
fn import_play_fader_undo_bus_send_eq_save_and_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let (kick, keys) = (d.join("kick.wav"), d.join("keys.wav"));
    write_tone(&kick, 60.0, 1, 2.0);
    write_tone(&keys, 440.0, 2, 2.0);
    let dialogs = ScriptedDialogs::default();
    let app = StemdeskApp::new(config(d, true), Box::new(dialogs.clone()), None);
    let mut h = harness(app);
    steps(&mut h, 2);
    assert_eq!(h.state().audio_error(), None, "the null device plays");

    // Import two stems through File → Import Audio… (the dialog answers with our paths).
    dialogs
        .answers()
        .import
        .push_back(vec![kick.clone(), keys.clone()]);
    menu(&mut h, "File", "Import Audio…");
    h.state_mut().finish_jobs();
    steps(&mut h, 2);
    let names: Vec<String> = h
        .state()
        .session()
        .tracks
        .iter()
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"kick".to_owned()) && names.contains(&"keys".to_owned()));
    assert!(h.state().is_dirty());
    let kick_id = h
        .state()
        .session()
        .tracks
        .iter()
        .find(|t| t.name == "kick")
        .map(|t| t.id)
        .expect("kick");

    // Play: the transport advances.
    h.get_by_label("Play").click();
    steps(&mut h, 3);
    std::thread::sleep(Duration::from_millis(100));
    steps(&mut h, 2);
    assert!(h.state().is_playing());
    assert!(h.state().position_frames() > 0);

    // Drag the kick fader up in several moves: one undo step.
    let fader = h.get_by_label("kick fader").rect().center();
    h.hover_at(fader);
    steps(&mut h, 1);
    h.drag_at(fader);
    steps(&mut h, 1);
    for dy in [10.0, 20.0, 30.0] {
        h.hover_at(fader - egui::vec2(0.0, dy));
        steps(&mut h, 1);
    }
    h.drop_at(fader - egui::vec2(0.0, 30.0));
    steps(&mut h, 2);
    let gain =
        |h: &Harness<'_, StemdeskApp>| h.state().session().track(kick_id).map(|t| t.strip.gain_db);
    let moved = gain(&h).expect("kick");
    assert!(moved > 0.5, "fader moved up: {moved}");
    menu(&mut h, "Edit", "Undo");
    assert_eq!(gain(&h), Some(0.0), "one drag is one undo step");

    // Add a bus and a send from the kick to it.
    h.get_by_label("+ Bus").click();
    steps(&mut h, 2);
    let bus = h
        .state()
        .session()
        .buses
        .first()
        .map(|b| b.id)
        .expect("bus added");
    h.get_all_by_label("+ Send")
        .next()
        .expect("send button")
        .click();
    steps(&mut h, 2);
    h.get_by_label("Send to Bus 1").click();
    steps(&mut h, 2);
    let first = h.state().session().tracks[0].clone();
    assert_eq!(first.strip.sends.len(), 1, "send added on the first strip");
    assert_eq!(first.strip.sends[0].target, bus);

    // Add an EQ on the first track and drag its second band up.
    h.get_all_by_label("+ Insert")
        .next()
        .expect("insert button")
        .click();
    steps(&mut h, 2);
    h.get_by_label("Add EQ").click();
    steps(&mut h, 3);
    let handle = h.get_by_label("EQ band 2 handle").rect().center();
    h.hover_at(handle);
    steps(&mut h, 1);
    h.drag_at(handle);
    steps(&mut h, 1);
    h.hover_at(handle - egui::vec2(0.0, 25.0));
    steps(&mut h, 1);
    h.drop_at(handle - egui::vec2(0.0, 25.0));
    steps(&mut h, 2);
    let eq_gain = match h.state().session().tracks[0]
        .strip
        .inserts
        .first()
        .map(|i| &i.effect)
    {
        Some(EffectParams::Eq(p)) => p.bands[1].gain_db,
        other => panic!("expected an EQ, found {other:?}"),
    };
    assert!(eq_gain > 1.0, "band 2 boosted: {eq_gain}");

    // Save, then reopen in a fresh app and find the same state.
    let saved_path = d.join("song.ron");
    dialogs.answers().save.push_back(saved_path.clone());
    menu(&mut h, "File", "Save");
    assert!(
        saved_path.is_file(),
        "{:?}",
        h.state().messages().collect::<Vec<_>>()
    );
    assert!(!h.state().is_dirty());
    let saved = h.state().session().clone();
    drop(h);
    let reopened = StemdeskApp::new(
        config(d, false),
        Box::new(ScriptedDialogs::default()),
        Some(&saved_path),
    );
    assert_eq!(*reopened.session(), saved);
    assert!(reopened.offline_media().is_empty());
    assert_eq!(reopened.session().tracks[0].strip.output, Output::Master);
}

#[test]
fn a_session_of_flac_stems_opens_at_once_and_fills_in_in_the_background() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // 20 s of stereo FLAC: decoded into the media cache by a background job.
    let flac = d.join("gtr.flac");
    let frames = 20 * 48_000;
    let samples: Vec<f32> = (0..frames)
        .flat_map(|i| {
            let s = 0.3 * (i as f32 * 0.05).sin();
            [s, -s]
        })
        .collect();
    let mut w =
        stemdesk_media::FlacWriter::create(&flac, 48_000, 2, stemdesk_media::SampleFormat::Int24)
            .expect("flac");
    w.write_interleaved(&samples).expect("write");
    w.finalize().expect("finalize");
    let mut session = stemdesk_session::Session::new(48_000);
    let track =
        stemdesk_e2e::track_with_clip(&mut session, "Gtr", "gtr.flac".into(), frames as u64);
    session.tracks.push(track);
    let path = d.join("flac.ron");
    stemdesk_session::save(&session, &path).expect("save");
    // (Decoded into the user's media cache: the file is new, so it is never a hit.)
    let config = AppConfig {
        background_media: true,
        ..config(d, false)
    };
    let app = StemdeskApp::new(config, Box::new(ScriptedDialogs::default()), Some(&path));
    let mut h = harness(app);
    steps(&mut h, 2);
    // The window is up with the session before the stem is decoded.
    assert_eq!(h.state().session().tracks.len(), 1);
    assert!(h.state().offline_media().is_empty());
    h.state_mut().finish_jobs();
    steps(&mut h, 2);
    let (plays, waveform) = h.state().media_state(&flac);
    assert!(plays && waveform, "source {plays}, waveform {waveform}");
    assert!(h.query_by_label_contains("(offline)").is_none());
}

#[test]
fn missing_media_opens_offline_and_relinks_from_a_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The session in its own folder; the file moves to a folder beside it (so the
    // relinked path starts with "..").
    let d = &dir.path().join("project");
    let stems = d.join("stems");
    std::fs::create_dir_all(&stems).expect("mkdir");
    let tone = stems.join("bass.wav");
    write_tone(&tone, 110.0, 1, 1.0);
    // A session made with the file next to it, then the file moved away.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_stemdesk"))
        .args(["new", "song.ron", "stems/bass.wav"])
        .current_dir(d)
        .output()
        .expect("run");
    assert!(o.status.success());
    let moved = dir.path().join("elsewhere");
    std::fs::create_dir_all(&moved).expect("mkdir");
    std::fs::rename(&tone, moved.join("bass.wav")).expect("move");

    let dialogs = ScriptedDialogs::default();
    let app = StemdeskApp::new(
        config(d, false),
        Box::new(dialogs.clone()),
        Some(&d.join("song.ron")),
    );
    let mut h = harness(app);
    steps(&mut h, 2);
    assert_eq!(h.state().session().tracks.len(), 1, "the session opened");
    assert_eq!(h.state().offline_media().len(), 1);
    assert!(
        h.query_by_label_contains("(offline)").is_some(),
        "the clip is drawn offline"
    );
    assert!(h.state().messages().any(|m| m.contains("offline")));

    dialogs.answers().relink.push_back(moved.clone());
    menu(&mut h, "File", "Relink Media…");
    h.state_mut().finish_jobs();
    steps(&mut h, 2);
    assert!(h.state().offline_media().is_empty(), "relinked");
    assert!(h.query_by_label_contains("(offline)").is_none());
    let source = &h.state().session().tracks[0].clips[0].source;
    assert_eq!(source, &PathBuf::from("../elsewhere/bass.wav"));
}

/// The bundled example, audio off (so nothing moves), at a fixed size.
fn example_harness(dir: &Path) -> Harness<'static, StemdeskApp> {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects-examples/demo/demo.ron");
    let app = StemdeskApp::new(
        config(dir, false),
        Box::new(ScriptedDialogs::default()),
        Some(&demo),
    );
    let mut h = harness(app);
    h.run_steps(3);
    h
}

#[test]
fn snapshot_mixer_arrange_and_eq_editor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    h.remove_cursor();
    h.run_steps(1);
    h.snapshot("desk_arrange_and_mixer");
    let eq_button = h.get_all_by_label("EQ").next().expect("the drums EQ");
    eq_button.click();
    h.run_steps(2);
    h.remove_cursor();
    h.run_steps(1);
    let strip = StripId::Track(h.state().session().tracks[0].id);
    assert!(
        h.query_by_label_contains("EQ — Drums").is_some()
            || h.state().session().strip(strip).is_some()
    );
    h.snapshot("eq_editor");
}

#[test]
fn keyboard_mute_solo_undo_and_track_selection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    let first = h.state().session().tracks[0].id;
    let second = h.state().session().tracks[1].id;
    // Arrow down selects the first track, again the second.
    h.key_press(egui::Key::ArrowDown);
    h.run_steps(1);
    h.key_press(egui::Key::ArrowDown);
    h.run_steps(1);
    h.key_press(egui::Key::M);
    h.run_steps(1);
    h.key_press(egui::Key::S);
    h.run_steps(1);
    let t = |h: &Harness<'_, StemdeskApp>, id| {
        h.state()
            .session()
            .track(id)
            .map(|t| (t.strip.mute, t.strip.solo))
    };
    assert_eq!(
        t(&h, second),
        Some((true, true)),
        "M and S act on the selected track"
    );
    assert_eq!(t(&h, first), Some((false, false)));
    assert!(h.state().is_dirty());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(1);
    assert_eq!(t(&h, second), Some((true, false)), "Ctrl+Z undoes the solo");
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.run_steps(1);
    assert_eq!(t(&h, second), Some((true, true)), "Ctrl+Shift+Z redoes it");
}

#[test]
fn without_an_audio_device_the_desk_opens_edits_and_bounces() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects-examples/demo/demo.ron");
    let dialogs = ScriptedDialogs::default();
    let mut cfg = config(d, true);
    cfg.device = Some("no-such-device".into());
    let app = StemdeskApp::new(cfg, Box::new(dialogs.clone()), Some(&demo));
    let mut h = harness(app);
    h.run_steps(2);
    let why = h.state().audio_error().unwrap_or_default().to_owned();
    assert!(
        why.contains("Playback off") && why.contains("no-such-device"),
        "{why}"
    );
    assert!(
        h.query_by_label_contains("Playback off").is_some(),
        "the status bar says why"
    );
    // Editing still works.
    h.get_by_label("+ Bus").click();
    h.run_steps(2);
    assert_eq!(h.state().session().buses.len(), 3);
    // And so does File → Bounce…: its window, then its Bounce… button.
    let out = d.join("mix.wav");
    dialogs.answers().bounce.push_back(out.clone());
    menu(&mut h, "File", "Bounce…");
    h.run_steps(2);
    h.get_by_label("Bounce…").click();
    h.run_steps(2);
    h.state_mut().finish_jobs();
    h.run_steps(2);
    assert!(
        out.is_file(),
        "{:?}",
        h.state().messages().collect::<Vec<_>>()
    );
    let bounced = h.state().messages().last().unwrap_or_default().to_owned();
    assert!(
        bounced.starts_with("Bounced") && bounced.contains("LUFS"),
        "{bounced}"
    );
    let reader = hound::WavReader::open(&out).expect("wav");
    assert_eq!(reader.spec().bits_per_sample, 24);
    assert!(reader.duration() > 48_000 * 15, "the whole song");
    // The figures come back as numbers (for a report), not only as the message's text.
    let (path, report) = h.state().last_bounce().expect("a report");
    assert_eq!(path, out.as_path());
    assert_eq!(report.frames, u64::from(reader.duration()));
    let lufs = report.integrated_lufs.expect("loudness measured");
    assert!((-40.0..-5.0).contains(&lufs), "{lufs} LUFS");
    let tp = report.max_true_peak_dbtp().expect("true peak measured");
    assert!(
        tp >= report.peak_dbfs() - 0.01,
        "{tp} dBTP vs {} dBFS",
        report.peak_dbfs()
    );
}

#[test]
fn snapshot_each_view_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    menu(&mut h, "View", "Mixer");
    h.remove_cursor();
    h.run_steps(2);
    h.snapshot("arrange_view");
    menu(&mut h, "View", "Mixer");
    menu(&mut h, "View", "Arrange");
    h.remove_cursor();
    h.run_steps(2);
    h.snapshot("mixer_view");
    let v = &h.state().session().tracks;
    assert_eq!(v.len(), 4, "views do not change the session");
}

#[test]
fn clips_move_by_drag_also_to_another_track_and_trim_at_the_edge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    let tracks: Vec<_> = h.state().session().tracks.iter().map(|t| t.id).collect();
    let clip = h.state().session().tracks[0].clips[0].clone();
    let rect = h.get_by_label("Clip drums").rect();
    // Right by 50 px at 40 px/s: 1.25 s later, on the track below.
    let from = rect.center();
    drag(&mut h, from, from + egui::vec2(50.0, rect.height() + 6.0));
    let s = h.state().session();
    assert!(s.tracks[0].clips.is_empty(), "left the drums track");
    let moved = s.tracks[1]
        .clips
        .iter()
        .find(|c| c.id == clip.id)
        .expect("on the bass track");
    assert_eq!(moved.position_frames, clip.position_frames + 60_000);
    assert_eq!(h.state().session().tracks[1].id, tracks[1]);
    menu(&mut h, "Edit", "Undo");
    assert_eq!(
        h.state().session().tracks[0].clips[0],
        clip,
        "one drag, one undo step"
    );
    // Trim the end 100 px (2.5 s) shorter.
    let right_edge = egui::pos2(rect.max.x - 2.0, rect.center().y);
    drag(&mut h, right_edge, right_edge - egui::vec2(100.0, 0.0));
    let trimmed = &h.state().session().tracks[0].clips[0];
    assert_eq!(trimmed.length_frames, clip.length_frames - 120_000);
    assert_eq!(trimmed.position_frames, clip.position_frames);
    // Right-click: the fade-in shape.
    h.get_by_label("Clip drums").click_secondary();
    h.run_steps(2);
    h.get_by_label_contains("Fade-in shape").click();
    h.run_steps(2);
    h.get_by_label("S-curve").click();
    h.run_steps(2);
    let shape = h.state().session().tracks[0].clips[0].fade_in.shape;
    assert_eq!(shape, stemdesk_session::FadeShape::SCurve);
}

/// The example copied to `dir`, opened (audio on the null device when `audio`) and drawn.
fn open_copy(dir: &Path, audio: bool) -> Harness<'static, StemdeskApp> {
    let session = stemdesk_e2e::copy_example(dir);
    let app = StemdeskApp::new(
        config(dir, audio),
        Box::new(ScriptedDialogs::default()),
        Some(&session),
    );
    let mut h = harness(app);
    h.run_steps(2);
    h
}

/// The example copied to `dir` and opened, with one unsaved change (a bus added).
fn dirty_example(dir: &Path) -> (Harness<'static, StemdeskApp>, ScriptedDialogs, PathBuf) {
    let session = stemdesk_e2e::copy_example(dir);
    let dialogs = ScriptedDialogs::default();
    let app = StemdeskApp::new(
        config(dir, false),
        Box::new(dialogs.clone()),
        Some(&session),
    );
    let mut h = harness(app);
    h.run_steps(2);
    h.get_by_label("+ Bus").click();
    h.run_steps(2);
    assert!(h.state().is_dirty());
    (h, dialogs, session)
}

#[test]
fn after_a_crash_the_recovery_file_is_offered_and_restored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = stemdesk_e2e::copy_example(dir.path());
    let mut changed = stemdesk_session::load(&session).expect("load").session;
    changed.master.gain_db = -10.0;
    std::thread::sleep(Duration::from_millis(20));
    stemdesk_session::save(&changed, &dir.path().join("demo.ron.recovery"))
        .expect("write recovery");

    let app = StemdeskApp::new(
        config(dir.path(), false),
        Box::new(ScriptedDialogs::default()),
        Some(&session),
    );
    let mut h = harness(app);
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("Recover unsaved changes")
            .is_some()
    );
    h.get_by_label("Restore").click();
    h.run_steps(2);
    assert_eq!(h.state().session().master.gain_db, -10.0);
    assert!(h.state().is_dirty(), "restored changes are unsaved");
    assert!(
        h.query_by_label_contains("Recover unsaved changes")
            .is_none()
    );
}

#[test]
fn quitting_with_unsaved_changes_asks_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut h, _, session) = dirty_example(dir.path());
    menu(&mut h, "File", "Quit");
    assert!(
        h.query_by_label_contains("Save changes to").is_some(),
        "asks"
    );
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(!h.state().is_closing(), "Cancel keeps the desk open");
    menu(&mut h, "File", "Quit");
    h.get_by_label("Save").click();
    h.run_steps(2);
    assert!(h.state().is_closing());
    assert!(!h.state().is_dirty(), "saved before closing");
    let saved = stemdesk_session::load(&session).expect("load").session;
    assert_eq!(saved.buses.len(), 3, "the new bus is in the file");
}

#[test]
fn ruler_click_seeks_and_drag_sets_the_loop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    let ruler = h.get_by_label("Timeline ruler").rect();
    // At 40 px/s, 200 px into the ruler is 5 s.
    let at = egui::pos2(ruler.min.x + 200.0, ruler.center().y);
    h.get_by_label("Timeline ruler").hover();
    h.hover_at(at);
    h.run_steps(1);
    h.drag_at(at);
    h.run_steps(1);
    h.drop_at(at);
    h.run_steps(2);
    assert_eq!(h.state().position_frames(), 5 * 48_000, "click seeks");
    let (a, b) = (
        egui::pos2(ruler.min.x + 80.0, at.y),
        egui::pos2(ruler.min.x + 160.0, at.y),
    );
    drag(&mut h, a, b);
    assert_eq!(
        h.state().loop_range(),
        Some((2 * 48_000, 4 * 48_000)),
        "drag sets and enables the loop"
    );
}

#[test]
fn new_and_open_never_discard_unsaved_changes_silently() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut h, dialogs, session) = dirty_example(dir.path());
    menu(&mut h, "File", "New");
    assert!(
        h.query_by_label_contains("Save changes to").is_some(),
        "New asks first"
    );
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert_eq!(h.state().session().buses.len(), 3, "Cancel keeps the work");
    dialogs.answers().open.push_back(session.clone());
    menu(&mut h, "File", "Open…");
    assert!(
        h.query_by_label_contains("Save changes to").is_some(),
        "Open asks first"
    );
    h.get_by_label("Don't Save").click();
    h.run_steps(2);
    assert_eq!(
        h.state().session().buses.len(),
        2,
        "reopened from disk, change dropped on request"
    );
    assert!(!h.state().is_dirty());
}

/// Adds an effect on the first strip from its "+ Insert" menu (its editor opens).
fn add_insert_on_first_strip(h: &mut Harness<'_, StemdeskApp>, kind: &str) {
    h.get_all_by_label("+ Insert")
        .next()
        .expect("insert button")
        .click();
    steps(h, 2);
    h.get_by_label(&format!("Add {kind}")).click();
    steps(h, 3);
}

#[test]
fn saturation_is_added_from_the_insert_menu_and_edited_in_its_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    let before = h.state().session().tracks[0].strip.inserts.len();
    add_insert_on_first_strip(&mut h, "Saturation");
    let last = |h: &Harness<'_, StemdeskApp>| {
        h.state().session().tracks[0]
            .strip
            .inserts
            .last()
            .map(|i| i.effect.clone())
    };
    let inserts = h.state().session().tracks[0].strip.inserts.len();
    assert_eq!(inserts, before + 1, "added");
    assert!(matches!(last(&h), Some(EffectParams::Saturation(_))));
    // The editor opened with it: pick the tube curve.
    h.get_by_label("Tube").click();
    steps(&mut h, 2);
    match last(&h) {
        Some(EffectParams::Saturation(p)) => {
            assert_eq!(p.flavour, stemdesk_dsp::SaturationFlavour::Tube)
        }
        other => panic!("expected saturation, found {other:?}"),
    }
    // One undo step takes the flavour back.
    menu(&mut h, "Edit", "Undo");
    match last(&h) {
        Some(EffectParams::Saturation(p)) => {
            assert_eq!(p.flavour, stemdesk_dsp::SaturationFlavour::Tape)
        }
        other => panic!("expected saturation, found {other:?}"),
    }
}

#[test]
fn a_compressor_is_keyed_from_another_track_in_its_editor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    add_insert_on_first_strip(&mut h, "Compressor");
    let keyed = |h: &Harness<'_, StemdeskApp>| {
        h.state().session().tracks[0]
            .strip
            .inserts
            .last()
            .and_then(|i| i.sidechain)
    };
    assert_eq!(keyed(&h), None);
    let session = h.state().session();
    let second = session.strip_name(StripId::Track(session.tracks[1].id));
    let reverb = session.strip_name(StripId::Bus(session.buses[0].id));
    h.get_by_label("Sidechain").click();
    steps(&mut h, 2);
    // The reverb bus hears the first track through its send: keying from it would loop.
    assert!(
        h.get_by_label(&reverb).accesskit_node().is_disabled(),
        "{reverb} is offered as a loop"
    );
    h.get_by_label(&second).click();
    steps(&mut h, 2);
    let want = Some(StripId::Track(h.state().session().tracks[1].id));
    assert_eq!(keyed(&h), want, "keyed from {second}");
    menu(&mut h, "Edit", "Undo");
    assert_eq!(keyed(&h), None, "one undo step");
    menu(&mut h, "Edit", "Redo");
    assert_eq!(keyed(&h), want);
}

#[test]
fn a_synced_delay_shows_its_time_and_disables_the_time_control() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    add_insert_on_first_strip(&mut h, "Delay");
    assert!(h.query_by_label_contains("Time follows Sync").is_none());
    h.get_by_label("1/8").click();
    steps(&mut h, 2);
    // 1/8 at the example's 120 BPM.
    assert!(
        h.query_by_label_contains("Time follows Sync: 250.0 ms at 120.0 BPM")
            .is_some()
    );
    let time_disabled = |h: &Harness<'_, StemdeskApp>| {
        h.get_all_by_label("Time")
            .any(|n| n.accesskit_node().is_disabled())
    };
    assert!(time_disabled(&h), "Time is disabled while synced");
    h.get_by_label("Off").click();
    steps(&mut h, 2);
    let sync = match h.state().session().tracks[0]
        .strip
        .inserts
        .last()
        .map(|i| &i.effect)
    {
        Some(EffectParams::Delay(p)) => p.sync,
        other => panic!("expected a delay, found {other:?}"),
    };
    assert_eq!(sync, stemdesk_dsp::DelaySync::Off);
    assert!(!time_disabled(&h));
    assert!(h.query_by_label_contains("Time follows Sync").is_none());
}

#[test]
fn presets_are_saved_named_loaded_as_one_undo_step_and_remembered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    add_insert_on_first_strip(&mut h, "Compressor");
    let last = |h: &Harness<'_, StemdeskApp>| {
        h.state().session().tracks[0]
            .strip
            .inserts
            .last()
            .map(|i| i.effect.clone())
            .expect("insert")
    };
    let mine = last(&h);
    // Save the compressor's settings as "Mine".
    h.get_by_label("Preset name").click();
    steps(&mut h, 1);
    h.get_by_label("Preset name").type_text("Mine");
    steps(&mut h, 1);
    h.get_by_label("Save preset").click();
    steps(&mut h, 2);
    let file = dir.path().join("data/presets/Compressor/Mine.ron");
    assert!(
        file.is_file(),
        "{:?}",
        h.state().messages().collect::<Vec<_>>()
    );
    // The same name now offers to replace, never silently.
    assert!(h.query_by_label("Replace preset").is_some());
    // A factory preset loads in one edit...
    h.get_by_label("Presets").click();
    steps(&mut h, 2);
    h.get_by_label("Parallel smash").click();
    steps(&mut h, 2);
    let smash = last(&h);
    assert_eq!(smash.get("mix"), Some(0.35));
    // ...and the user's own brings the saved settings back.
    h.get_by_label("Presets").click();
    steps(&mut h, 2);
    h.get_by_label("Mine").click();
    steps(&mut h, 2);
    assert_eq!(last(&h), mine);
    menu(&mut h, "Edit", "Undo");
    assert_eq!(last(&h), smash, "loading a preset is one undo step");
    // A fresh app lists it.
    drop(h);
    let mut h = example_harness(dir.path());
    add_insert_on_first_strip(&mut h, "Compressor");
    h.get_by_label("Presets").click();
    steps(&mut h, 2);
    assert!(h.query_by_label("Mine").is_some(), "remembered");
}

#[test]
fn inserts_reorder_by_dragging_their_handle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    let kinds = |h: &Harness<'_, StemdeskApp>| -> Vec<&'static str> {
        h.state().session().tracks[0]
            .strip
            .inserts
            .iter()
            .map(|i| i.effect.kind().name())
            .collect()
    };
    assert_eq!(kinds(&h), ["EQ", "Gate", "Compressor"]);
    let handles: Vec<egui::Rect> = h.get_all_by_label("::").take(3).map(|n| n.rect()).collect();
    drag(&mut h, handles[2].center(), handles[0].center());
    assert_eq!(
        kinds(&h),
        ["Compressor", "EQ", "Gate"],
        "compressor moved first"
    );
}

/// A file dropped onto the window, as the windowing layer would hand it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn audio_dropped_on_the_window_becomes_a_track_where_it_lands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tone = dir.path().join("shaker.wav");
    write_tone(&tone, 3000.0, 1, 1.0);
    let mut h = example_harness(dir.path());
    let lane_y = h.get_by_label("Clip bass").rect().center().y;
    let ruler = h.get_by_label("Timeline ruler").rect();
    let at = egui::pos2(ruler.min.x + 120.0, lane_y); // 3 s, over the second track
    h.hover_at(at);
    h.run_steps(1);
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(tone.clone())));
    h.run_steps(1);
    h.state_mut().finish_jobs();
    h.run_steps(2);
    let s = h.state().session();
    assert_eq!(s.tracks.len(), 5);
    assert_eq!(s.tracks[1].name, "shaker", "inserted where it was dropped");
    assert_eq!(s.tracks[1].clips[0].position_frames, 3 * 48_000);
}

/// The text field holding `value`.
fn text_field<'h>(h: &'h Harness<'_, StemdeskApp>, value: &'h str) -> egui_kittest::Node<'h> {
    h.get_all_by_value(value)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::TextInput)
        .expect("a text field with that value")
}

#[test]
fn without_a_dialog_backend_save_as_and_bounce_take_a_typed_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut h, dialogs, session) = dirty_example(dir.path());
    dialogs.answers().unavailable = true;

    // Save As: the prompt offers the session's folder and name; the user types another.
    menu(&mut h, "File", "Save As…");
    assert!(h.query_by_label_contains("Save session").is_some());
    let offered = session.display().to_string();
    let copy = dir.path().join("copy.ron");
    text_field(&h, &offered).set_text_value_accesskit(&copy.display().to_string());
    h.run_steps(2);
    h.get_by_label("OK").click();
    h.run_steps(2);
    assert!(
        copy.is_file(),
        "{:?}",
        h.state().messages().collect::<Vec<_>>()
    );
    assert_eq!(h.state().session_path(), Some(copy.as_path()));
    assert!(!h.state().is_dirty());

    // Bounce: Ctrl+B, Enter in the Bounce window, accept the offered name.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::B);
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert!(h.query_by_label_contains("Bounce mix").is_some());
    h.get_by_label("OK").click();
    h.run_steps(2);
    h.state_mut().finish_jobs();
    assert!(dir.path().join("copy-mix.wav").is_file());

    // A typed path that cannot work is named and OK stays disabled; Cancel closes.
    menu(&mut h, "File", "Open…");
    let offered = format!("{}/", dir.path().display());
    text_field(&h, &offered)
        .set_text_value_accesskit(&dir.path().join("nope.ron").display().to_string());
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("nope.ron is not a file")
            .is_some()
    );
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Open session").is_none());
    assert_eq!(h.state().session_path(), Some(copy.as_path()));
    assert_eq!(
        dialogs.answers().asked,
        [
            stemdesk::gui::DialogKind::SaveSession,
            stemdesk::gui::DialogKind::BounceTarget,
            stemdesk::gui::DialogKind::OpenSession
        ]
    );
}

#[test]
fn arrange_header_mute_and_solo_buttons_respond() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open_copy(dir.path(), false);
    // The topmost M and S buttons are the first track's header (the mixer is below).
    let click_topmost = |h: &mut Harness<'_, StemdeskApp>, label: &str| {
        h.get_all_by_label(label)
            .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
            .expect("button")
            .click();
        h.run_steps(2);
    };
    let first = h.state().session().tracks[0].id;
    click_topmost(&mut h, "M");
    let strip = &h.state().session().track(first).expect("track").strip;
    assert!(strip.mute && !strip.solo);
    click_topmost(&mut h, "S");
    assert!(h.state().session().track(first).expect("track").strip.solo);
    click_topmost(&mut h, "M");
    assert!(!h.state().session().track(first).expect("track").strip.mute);
}

/// Drags the `label` fader by `dy` px (negative = up), optionally with Shift held.
fn drag_fader(h: &mut Harness<'_, StemdeskApp>, label: &str, dy: f32, shift: bool) {
    let from = h.get_by_label(label).rect().center();
    if shift {
        h.event(egui::Event::ModifiersChanged(egui::Modifiers::SHIFT));
    }
    drag(h, from, from + egui::vec2(0.0, dy));
    if shift {
        h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
        h.run_steps(1);
    }
}

#[test]
fn a_fader_drag_moves_by_the_taper_and_shift_is_ten_times_finer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    let drums = h.state().session().tracks[0].id;
    let gain = |h: &Harness<'_, StemdeskApp>| {
        h.state()
            .session()
            .track(drums)
            .expect("drums")
            .strip
            .gain_db
    };
    assert_eq!(gain(&h), -3.0);
    // The fader's travel is its widget less 8 px above and below. Between 0 and -10 dB
    // the taper gives 0.2 of the travel to 10 dB: 0.02 of the travel per dB.
    let travel = h.get_by_label("Drums fader").rect().height() - 16.0;
    assert!(travel >= 200.0 - 16.0 - 20.0, "fader travel {travel} px");
    drag_fader(&mut h, "Drums fader", -10.0, false);
    let expected = -3.0 + 10.0 / travel / 0.02;
    assert!(
        (gain(&h) - expected).abs() < 0.02,
        "{} vs {expected}",
        gain(&h)
    );
    let before = gain(&h);
    drag_fader(&mut h, "Drums fader", -10.0, true);
    let fine = 1.0 / travel / 0.02;
    assert!(
        (gain(&h) - before - fine).abs() < 0.02,
        "Shift: {} dB for 10 px, expected {fine}",
        gain(&h) - before
    );
    // Two drags, two undo steps.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(1);
    assert_eq!(gain(&h), before);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(1);
    assert_eq!(gain(&h), -3.0);
}

/// The example with its first three tracks given 0, 3 and 6 inserts.
fn example_with_inserts(dir: &Path) -> PathBuf {
    let session = stemdesk_e2e::copy_example(dir);
    let mut s = stemdesk_session::load(&session).expect("load").session;
    for (t, count) in [(0, 0), (1, 3), (2, 6)] {
        let inserts = (0..count)
            .map(|_| {
                let id = s.next_id;
                s.next_id += 1;
                stemdesk_session::Insert {
                    id: stemdesk_session::InsertId(id),
                    bypass: false,
                    effect: EffectParams::Eq(stemdesk_dsp::params::EqParams::default()),
                    sidechain: None,
                }
            })
            .collect();
        s.tracks[t].strip.inserts = inserts;
    }
    stemdesk_session::save(&s, &session).expect("save");
    session
}

#[test]
fn every_fader_starts_at_the_same_height_whatever_the_inserts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = example_with_inserts(dir.path());
    let app = StemdeskApp::new(
        config(dir.path(), false),
        Box::new(ScriptedDialogs::default()),
        Some(&session),
    );
    let mut h = harness(app);
    h.run_steps(3);
    let tops: Vec<(String, f32)> = h
        .get_all_by_label_contains(" fader")
        .map(|n| {
            let label = n.accesskit_node().label().unwrap_or_default();
            (label, n.rect().top())
        })
        .collect();
    assert!(tops.len() >= 7, "{tops:?}");
    let first = tops[0].1;
    for (label, top) in &tops {
        assert!(
            (top - first).abs() < 0.5,
            "{label} fader top at {top}, first at {first}"
        );
    }
    h.remove_cursor();
    h.run_steps(1);
    h.snapshot("mixer_inserts_0_3_6");
}

#[test]
fn at_1280_by_720_every_fader_can_be_scrolled_into_view() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects-examples/demo/demo.ron");
    let app = StemdeskApp::new(
        config(dir.path(), false),
        Box::new(ScriptedDialogs::default()),
        Some(&demo),
    );
    let mut h = Harness::builder()
        .with_size([1280.0, 720.0])
        .with_max_steps(40)
        .build_ui_state(|ui, app: &mut StemdeskApp| app.show(ui), app);
    h.run_steps(3);
    let labels: Vec<String> = h
        .get_all_by_label_contains(" fader")
        .filter_map(|n| n.accesskit_node().label())
        .collect();
    assert!(labels.len() >= 7, "{labels:?}");
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 720.0));
    for label in labels {
        h.get_by_label(&label).scroll_to_me();
        h.run_steps(3);
        let r = h.get_by_label(&label).rect();
        assert!(
            r.height() >= 150.0 && screen.contains_rect(r),
            "{label} at {r:?} is not fully on screen after scrolling"
        );
    }
}

#[test]
fn zoom_keys_scroll_bar_and_follow_playhead_move_the_timeline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    let song_s = h.state().session().content_end_frames() as f64 / 48_000.0;
    // Z: the whole song fits.
    h.key_press(egui::Key::Z);
    h.run_steps(2);
    let (start, end) = h.state().timeline_view_s();
    assert!(
        start == 0.0 && end >= song_s && end < song_s * 1.2,
        "{start}..{end}"
    );
    // = zooms in twice; the scroll bar drags the view later.
    h.key_press(egui::Key::Equals);
    h.run_steps(1);
    h.key_press(egui::Key::Equals);
    h.run_steps(2);
    let (_, zoomed_end) = h.state().timeline_view_s();
    assert!(zoomed_end < end / 2.0, "zoomed in: 0..{zoomed_end}");
    let bar = h.get_by_label("Timeline scroll bar").rect();
    let thumb = egui::pos2(bar.min.x + 10.0, bar.center().y);
    drag(&mut h, thumb, thumb + egui::vec2(200.0, 0.0));
    let (scrolled, _) = h.state().timeline_view_s();
    assert!(
        scrolled > 1.0,
        "the scroll bar moved the view to {scrolled} s"
    );
    // End jumps to the end of the song and the view follows.
    h.key_press(egui::Key::End);
    h.run_steps(2);
    let (a, b) = h.state().timeline_view_s();
    assert!(a < song_s && song_s < b, "{a}..{b} shows the end");
    h.key_press(egui::Key::Home);
    h.run_steps(2);
    assert_eq!(h.state().timeline_view_s().0, 0.0);
}

/// Space, frames until the playhead passes `seconds`, Space (the null device is not
/// paced: the playhead runs ahead fast).
fn play_past(h: &mut Harness<'_, StemdeskApp>, seconds: f64) {
    h.key_press(egui::Key::Space);
    let started = std::time::Instant::now();
    while h.state().position_frames() < (seconds * 48_000.0) as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "playhead stuck"
        );
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(5));
    }
    h.key_press(egui::Key::Space);
}

#[test]
fn the_view_follows_the_playhead_while_playing_unless_turned_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open_copy(dir.path(), true);
    // Zoomed in so the song is several pages long.
    for _ in 0..4 {
        h.key_press(egui::Key::Equals);
        h.run_steps(1);
    }
    let (_, first_page_end) = h.state().timeline_view_s();
    play_past(&mut h, first_page_end * 2.0);
    h.run_steps(3);
    let at_s = h.state().position_frames() as f64 / 48_000.0;
    let (a, b) = h.state().timeline_view_s();
    // The unpaced null device runs on during the pause's fade, so the playhead may have
    // gone up to a page past the last view drawn while playing.
    assert!(
        a > 0.0 && a <= at_s && at_s <= b + (b - a),
        "playhead {at_s} s, view {a}..{b}"
    );
    // F turns following off: playing on leaves the view where it is.
    h.key_press(egui::Key::F);
    h.key_press(egui::Key::Home);
    h.run_steps(2);
    play_past(&mut h, first_page_end * 2.0);
    h.run_steps(2);
    assert_eq!(h.state().timeline_view_s().0, 0.0, "not following");
}

#[test]
fn the_shortcuts_window_lists_every_command_and_f1_opens_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    h.key_press(egui::Key::F1);
    h.run_steps(2);
    for name in [
        "Save As…",
        "Zoom to Fit",
        "Follow Playhead",
        "Go to End",
        "Bounce…",
    ] {
        assert!(
            h.query_all_by_label(name).count() >= 1,
            "{name} listed in the shortcuts window"
        );
    }
    assert!(h.query_by_label("Ctrl+Shift+S").is_some());
    h.key_press(egui::Key::F1);
    h.run_steps(2);
    assert!(
        h.query_by_label("Ctrl+Shift+S").is_none(),
        "F1 closes it again"
    );
    menu(&mut h, "Help", "Keyboard Shortcuts");
    assert!(
        h.query_by_label("Ctrl+Shift+S").is_some(),
        "the menu entry opens it"
    );
}

#[test]
fn alt_arrows_nudge_the_selected_fader_by_half_a_db() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    let drums = h.state().session().tracks[0].id;
    h.key_press(egui::Key::ArrowDown);
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowUp);
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowUp);
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowDown);
    h.run_steps(1);
    let gain = h
        .state()
        .session()
        .track(drums)
        .expect("drums")
        .strip
        .gain_db;
    assert_eq!(gain, -2.5);
    assert_eq!(
        h.state().session().tracks[1].strip.gain_db,
        -4.0,
        "Alt+Down did not also select the next track"
    );
}

#[test]
fn view_and_audio_settings_are_remembered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    h.key_press(egui::Key::F);
    h.key_press(egui::Key::X);
    h.run_steps(2);
    drop(h);
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects-examples/demo/demo.ron");
    let again = StemdeskApp::new(
        AppConfig {
            device: None,
            ..config(dir.path(), false)
        },
        Box::new(ScriptedDialogs::default()),
        Some(&demo),
    );
    let mut h = harness(again);
    h.run_steps(2);
    assert!(
        h.query_by_label("Drums fader").is_none(),
        "the mixer stays hidden"
    );
    h.get_by_label("View").click();
    h.run_steps(2);
    let follow = h.get_by_label_contains("Follow Playhead");
    assert_eq!(
        follow.accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::False)
    );
    assert_eq!(h.state().audio_device().as_deref(), Some("null"));
}

#[test]
fn a_fifo_as_media_opens_offline_at_once_with_a_message_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = stemdesk_e2e::copy_example(dir.path());
    let fifo = dir.path().join("audio/fifo.wav");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let mut s = stemdesk_session::load(&session).expect("load").session;
    s.tracks[0].clips[0].source = PathBuf::from("audio/fifo.wav");
    stemdesk_session::save(&s, &session).expect("save");
    let started = std::time::Instant::now();
    let app = StemdeskApp::new(
        config(dir.path(), false),
        Box::new(ScriptedDialogs::default()),
        Some(&session),
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(app.offline_media().iter().any(|p| p.ends_with("fifo.wav")));
    let said: Vec<&str> = app.messages().collect();
    assert!(
        said.iter()
            .any(|m| m.contains("fifo.wav") && m.contains("FIFO")),
        "{said:?}"
    );
}

#[test]
fn saving_a_read_only_session_is_refused_and_save_as_is_offered() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut h, dialogs, session) = dirty_example(dir.path());
    let before = std::fs::read(&session).expect("read");
    std::fs::set_permissions(&session, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let copy = dir.path().join("copy.ron");
    dialogs.answers().save.push_back(copy.clone());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    assert_eq!(
        std::fs::read(&session).expect("read"),
        before,
        "not overwritten"
    );
    assert!(
        h.state().messages().any(|m| m.contains("read-only")),
        "{:?}",
        h.state().messages().collect::<Vec<_>>()
    );
    assert_eq!(
        dialogs.answers().asked,
        [stemdesk::gui::DialogKind::SaveSession],
        "Save As was offered"
    );
    assert!(copy.is_file());
    assert!(!h.state().is_dirty());
}

#[test]
fn load_warnings_stay_visible_are_said_once_and_listed_in_the_message_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = stemdesk_e2e::copy_example(dir.path());
    let bass = dir.path().join("audio/bass.wav");
    std::fs::remove_file(&bass).expect("remove the bass stem");
    let app = StemdeskApp::new(
        config(dir.path(), false),
        Box::new(ScriptedDialogs::default()),
        Some(&session),
    );
    let mut h = harness(app);
    h.run_steps(2);
    let said: Vec<String> = h.state().messages().map(str::to_owned).collect();
    let about_bass = said.iter().filter(|m| m.contains("bass.wav")).count();
    assert_eq!(about_bass, 1, "the missing file is said once: {said:?}");
    assert!(said.iter().any(|m| m.starts_with("Opened")), "{said:?}");
    // "Opened demo.ron" came last, yet the status bar shows the newest warning.
    assert!(
        h.query_by_label_contains("Relink Media… to find them")
            .is_some()
    );
    let unread = h.get_by_label_contains("unread");
    let count = unread.accesskit_node().label().unwrap_or_default();
    assert!(
        count.contains("2 unread") || count.contains("1 unread"),
        "{count}"
    );
    unread.click();
    h.run_steps(2);
    assert_eq!(
        h.query_all_by_label("Messages").count(),
        2,
        "the log window is open beside its button"
    );
    assert!(
        h.query_by_label_contains("cannot open file").is_some(),
        "listed there"
    );
    assert!(
        h.query_by_label_contains("unread").is_none(),
        "all read now"
    );
}

#[test]
fn escape_closes_the_typed_path_prompt_even_while_typing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut h, dialogs, _) = dirty_example(dir.path());
    dialogs.answers().unavailable = true;
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run_steps(2);
    assert!(h.query_by_label_contains("Open session").is_some());
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("Open session").is_none(),
        "closed by Escape"
    );
    // Another question can be asked now.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::I);
    h.run_steps(2);
    assert!(h.query_by_label_contains("Import audio").is_some());
}

#[test]
fn two_drags_of_a_clip_gain_are_two_undo_steps_and_one_fader_drag_is_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    let original = h.state().session().tracks[0].clips[0].gain_db;
    let clip_gain = |h: &Harness<'_, StemdeskApp>| h.state().session().tracks[0].clips[0].gain_db;
    // Two drags of the clip-gain value in the clip's menu, the menu left open between.
    h.get_by_label("Clip drums").click_secondary();
    h.run_steps(2);
    // The label and the value it names both read "Clip gain": the value comes second.
    let value = h
        .get_all_by_label("Clip gain")
        .last()
        .expect("clip gain value")
        .rect()
        .center();
    drag(&mut h, value, value + egui::vec2(40.0, 0.0));
    let first = clip_gain(&h);
    assert!(first > original, "first drag raised the gain: {first}");
    drag(&mut h, value, value + egui::vec2(40.0, 0.0));
    let second = clip_gain(&h);
    assert!(second > first, "second drag raised it again: {second}");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    menu(&mut h, "Edit", "Undo");
    assert_eq!(clip_gain(&h), first, "undo takes back the second drag only");
    menu(&mut h, "Edit", "Undo");
    assert_eq!(clip_gain(&h), original, "then the first");

    // A fader drag of many frames is one step; a second drag is another.
    let fader = h.get_by_label("Drums fader").rect().center();
    let gain = |h: &Harness<'_, StemdeskApp>| h.state().session().tracks[0].strip.gain_db;
    let before = gain(&h);
    drag(&mut h, fader, fader - egui::vec2(0.0, 20.0));
    let after_one = gain(&h);
    drag(&mut h, fader, fader - egui::vec2(0.0, 20.0));
    assert!(gain(&h) > after_one && after_one > before);
    menu(&mut h, "Edit", "Undo");
    assert_eq!(gain(&h), after_one);
    menu(&mut h, "Edit", "Undo");
    assert_eq!(gain(&h), before);
}

#[test]
fn a_fader_drag_that_pauses_is_still_one_undo_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = example_harness(dir.path());
    let gain = |h: &Harness<'_, StemdeskApp>| h.state().session().tracks[0].strip.gain_db;
    let before = gain(&h);
    let fader = h.get_by_label("Drums fader").rect().center();
    h.hover_at(fader);
    h.run_steps(1);
    h.drag_at(fader);
    h.run_steps(1);
    h.hover_at(fader - egui::vec2(0.0, 10.0));
    h.run_steps(1);
    // Held still, button down, for many frames; then on.
    h.run_steps(10);
    h.hover_at(fader - egui::vec2(0.0, 25.0));
    h.run_steps(1);
    h.drop_at(fader - egui::vec2(0.0, 25.0));
    h.run_steps(2);
    assert!(gain(&h) > before);
    menu(&mut h, "Edit", "Undo");
    assert_eq!(
        gain(&h),
        before,
        "the whole drag, pause included, is one step"
    );
}

#[test]
fn the_bounce_window_bounces_a_loop_as_16_bit_float_or_24_and_shows_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut h, dialogs) = scripted_copy(dir.path());
    // A loop from 2 s to 5 s, dragged on the ruler (40 px per second).
    let ruler = h.get_by_label("Timeline ruler").rect();
    let x = |s: f32| ruler.min.x + s * 40.0;
    drag(
        &mut h,
        egui::pos2(x(2.0), ruler.center().y),
        egui::pos2(x(5.0), ruler.center().y),
    );
    let (start, end) = h.state().loop_range().expect("looping");
    assert!(end > start);
    // Ctrl+B: the Bounce window; 16-bit (dither TPDF is chosen with it), the loop.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::B);
    h.run_steps(2);
    h.get_by_label("WAV 16-bit").click();
    h.run_steps(1);
    h.get_by_label_contains("Loop ").click();
    h.run_steps(1);
    let out = dir.path().join("loop16.wav");
    dialogs.answers().bounce.push_back(out.clone());
    h.get_by_label("Bounce…").click();
    h.run_steps(2);
    h.state_mut().finish_jobs();
    h.run_steps(2);
    let reader = hound::WavReader::open(&out).expect("the loop bounced");
    assert_eq!(reader.spec().bits_per_sample, 16);
    assert_eq!(
        u64::from(reader.duration()),
        end - start,
        "exactly the loop, no tail"
    );
    // The report window shows the verdict (16-bit fails the default delivery spec).
    assert!(h.query_by_label("Preflight failed").is_some());
    assert!(
        h.query_by_label_contains("24-bit or 32-bit float: 16-bit")
            .is_some()
    );
    let (passed, html) = h.state().last_bounce_verdict().expect("a verdict");
    assert!(!passed);
    let html = html.expect("an HTML report");
    assert_eq!(html, dir.path().join("loop16.report.html").as_path());
    assert!(
        std::fs::read_to_string(html)
            .expect("html")
            .contains("TPDF")
    );
    assert!(h.query_by_label("Open Report").is_some());
    // The options are kept: the next bounce offers 16-bit again; float turns dither off.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::B);
    h.run_steps(2);
    h.get_by_label("WAV 32-bit float").click();
    h.run_steps(1);
    h.get_by_label("Whole song").click();
    h.run_steps(1);
    h.get_by_label_contains("Also one file per track and bus")
        .click();
    h.run_steps(1);
    let whole = dir.path().join("whole.wav");
    dialogs.answers().bounce.push_back(whole.clone());
    h.get_by_label("Bounce…").click();
    h.run_steps(2);
    h.state_mut().finish_jobs();
    h.run_steps(2);
    let r = hound::WavReader::open(&whole).expect("whole song");
    assert_eq!(r.spec().sample_format, hound::SampleFormat::Float);
    assert!(r.duration() > 48_000 * 20, "the song and its tail");
    let (passed, _) = h.state().last_bounce_verdict().expect("a verdict");
    assert!(passed, "the example mix meets the default spec as float");
    // And the stems beside it: tracks and returns, each as long as the mix.
    let stems: Vec<_> = std::fs::read_dir(dir.path().join("whole stems"))
        .expect("stems folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(stems.len(), 6, "4 tracks and 2 returns: {stems:?}");
    for s in &stems {
        let r = hound::WavReader::open(s).expect("stem");
        assert_eq!(r.duration(), reader_len(&whole), "{}", s.display());
    }
    assert!(h.query_by_label_contains("6 stems in").is_some());
}

fn reader_len(path: &Path) -> u32 {
    hound::WavReader::open(path).expect("wav").duration()
}

#[test]
fn the_master_loudness_meter_reads_what_plays_and_resets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open_copy(dir.path(), true);
    assert!(
        h.query_by_label("Reset").is_some(),
        "the meter (and its Reset) is in the master strip"
    );
    assert_eq!(
        h.state().master_loudness().integrated_lufs,
        None,
        "nothing played yet"
    );
    play_past(&mut h, 4.0);
    h.run_steps(2);
    let r = h.state().master_loudness();
    let integrated = r.integrated_lufs.expect("a loudness after playing");
    assert!((-40.0..-5.0).contains(&integrated), "{integrated} LUFS");
    let tp = r.true_peak_dbtp.expect("a true peak");
    assert!(tp < 0.0 && tp > -30.0, "{tp} dBTP");
    let c = r.correlation.expect("a correlation");
    assert!((0.0..=1.0).contains(&c), "the demo is mostly in phase: {c}");
    h.get_by_label("Reset").click();
    h.run_steps(2);
    assert_eq!(
        h.state().master_loudness().integrated_lufs,
        None,
        "reset: no loudness until more plays"
    );
}

#[test]
fn the_delivery_spec_is_edited_in_the_bounce_window_undone_and_saved() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A copy: the test saves.
    let mut h = open_copy(dir.path(), false);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::B);
    h.run_steps(2);
    h.get_by_label_contains("Delivery spec").click();
    h.run_steps(2);
    h.get_by_label("16-bit").click();
    h.run_steps(2);
    assert!(h.state().session().delivery.allow_16_bit);
    assert!(h.state().is_dirty());
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    menu(&mut h, "Edit", "Undo");
    assert!(
        !h.state().session().delivery.allow_16_bit,
        "an undoable edit"
    );
    menu(&mut h, "Edit", "Redo");
    let path = h
        .state()
        .session_path()
        .expect("saved session")
        .to_path_buf();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    let text = std::fs::read_to_string(&path).expect("session");
    assert!(
        text.contains("allow_16_bit: true"),
        "saved with the session"
    );
}

/// Presses and releases at `at` without moving: a click.
fn click_at(h: &mut Harness<'_, StemdeskApp>, at: egui::Pos2) {
    h.hover_at(at);
    h.run_steps(1);
    h.drag_at(at);
    h.run_steps(1);
    h.drop_at(at);
    h.run_steps(2);
}

fn lane_points(h: &Harness<'_, StemdeskApp>) -> Vec<stemdesk_session::Breakpoint> {
    h.state().session().automation[0].points.clone()
}

fn add_lane(h: &mut Harness<'_, StemdeskApp>, param: &str) {
    h.get_by_label("+ Lane").click();
    h.run_steps(2);
    // The menu is drawn last (the mixer also has a "Pan" label).
    h.get_all_by_label(param)
        .last()
        .expect("menu entry")
        .click();
    h.run_steps(2);
}

#[test]
fn automation_lanes_are_drawn_and_edited_by_mouse_and_each_gesture_undoes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open_copy(dir.path(), false);
    let undo = |h: &mut Harness<'_, StemdeskApp>| {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
        h.run_steps(2);
    };
    h.get_by_label("Drums automation").click();
    h.run_steps(2);
    add_lane(&mut h, "Fader");
    assert_eq!(h.state().session().automation.len(), 1);
    let drums = h.state().session().tracks[0].strip.gain_db;
    assert_eq!(
        lane_points(&h)[0].value,
        drums,
        "a new lane starts at the fader"
    );
    let rect = h.get_by_label("Drums Fader automation lane").rect();

    // Two clicks, two points.
    let a = egui::pos2(rect.min.x + 80.0, rect.center().y);
    let b = egui::pos2(rect.min.x + 200.0, rect.min.y + 15.0);
    click_at(&mut h, a);
    click_at(&mut h, b);
    let pts = lane_points(&h);
    assert_eq!(pts.len(), 3, "{pts:?}");
    assert!(pts[1].time_frames < pts[2].time_frames);
    assert!(pts[2].value > pts[1].value, "higher on screen is louder");
    let frames_per_px = (pts[2].time_frames - pts[1].time_frames) as f64 / 120.0;
    let clicked = pts.clone();

    // Drag the second point down: its value drops, its time stays; one undo step.
    drag(&mut h, b, b + egui::vec2(0.0, 20.0));
    let dragged = lane_points(&h);
    assert_eq!(dragged[2].time_frames, clicked[2].time_frames);
    assert!(dragged[2].value < clicked[2].value);
    undo(&mut h);
    assert_eq!(lane_points(&h), clicked, "the drag undoes in one step");

    // Rubber-band both new points, then drag one: both move 40 px later.
    drag(
        &mut h,
        egui::pos2(a.x - 20.0, rect.min.y + 2.0),
        egui::pos2(b.x + 20.0, rect.max.y - 2.0),
    );
    drag(&mut h, a, a + egui::vec2(40.0, 0.0));
    let moved = lane_points(&h);
    for i in [1, 2] {
        let shift = moved[i].time_frames as f64 - clicked[i].time_frames as f64;
        assert!(
            (shift - 40.0 * frames_per_px).abs() <= frames_per_px,
            "point {i} moved {shift} frames"
        );
        assert!((moved[i].value - clicked[i].value).abs() < 1e-4);
    }
    assert_eq!(moved[0], clicked[0], "the unselected point stays");
    undo(&mut h);
    assert_eq!(lane_points(&h), clicked);

    // Select the second point and delete it with the Delete key.
    click_at(&mut h, b);
    h.key_press(egui::Key::Delete);
    h.run_steps(2);
    assert_eq!(lane_points(&h), clicked[..2].to_vec());
    undo(&mut h);
    assert_eq!(lane_points(&h), clicked);

    // Ctrl-drag draws: a 60-step wave from 300 to 540 px, thinned, replacing nothing
    // outside it.
    let (x0, x1) = (rect.min.x + 300.0, rect.min.x + 540.0);
    let at = |k: usize| {
        let t = k as f32 / 60.0;
        egui::pos2(
            x0 + (x1 - x0) * t,
            rect.center().y + 15.0 * (t * std::f32::consts::TAU).sin(),
        )
    };
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::COMMAND));
    h.hover_at(at(0));
    h.run_steps(1);
    h.event(egui::Event::PointerButton {
        pos: at(0),
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::COMMAND,
    });
    h.run_steps(1);
    for k in 1..=60 {
        h.hover_at(at(k));
        h.run_steps(1);
    }
    h.event(egui::Event::PointerButton {
        pos: at(60),
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::COMMAND,
    });
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    h.run_steps(2);
    let drawn = lane_points(&h);
    assert_eq!(drawn[..3], clicked[..], "points before the stroke are kept");
    let stroke = drawn.len() - 3;
    assert!(
        (5..40).contains(&stroke),
        "a 60-sample stroke is thinned to {stroke} points"
    );
    // Screen y grows downwards: a quarter in, the stroke is below the middle (quieter
    // than the first clicked point, made at the middle), three quarters in above it.
    let lane = &h.state().session().automation[0];
    let (start, end) = (drawn[3].time_frames, drawn[drawn.len() - 1].time_frames);
    let at_fraction = |f: f64| lane.value_at(start + ((end - start) as f64 * f) as u64);
    assert!(
        at_fraction(0.25).is_some_and(|v| v < clicked[1].value),
        "the trough is drawn"
    );
    assert!(
        at_fraction(0.75).is_some_and(|v| v > clicked[1].value),
        "the crest is drawn"
    );
    undo(&mut h);
    assert_eq!(lane_points(&h), clicked, "the stroke undoes in one step");

    // Two more lanes: a track with three lanes (the mixer hidden to make room).
    menu(&mut h, "View", "Mixer");
    add_lane(&mut h, "Pan");
    add_lane(&mut h, "EQ 1: Band 1 Frequency");
    assert_eq!(h.state().session().automation.len(), 3);
    h.remove_cursor();
    h.run_steps(2);
    h.snapshot("automation_three_lanes");
}

#[test]
fn touch_mode_writes_a_fader_ride_while_playing_as_one_undo_step() {
    use stemdesk_session::{AutomationMode, StripParam};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open_copy(dir.path(), true);
    let drums = StripId::Track(h.state().session().tracks[0].id);
    let static_db = h.state().session().tracks[0].strip.gain_db;
    h.get_by_label("Drums automation").click();
    h.run_steps(2);
    h.get_by_label("Drums automation mode").click();
    h.run_steps(2);
    h.get_all_by_label("Touch")
        .last()
        .expect("the Touch entry")
        .click();
    h.run_steps(2);
    assert_eq!(
        h.state().session().automation_mode(drums),
        AutomationMode::Touch
    );
    // Play, then ride the Drums fader down while the song moves on.
    h.key_press(egui::Key::Space);
    let started = std::time::Instant::now();
    while h.state().position_frames() < 24_000 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "playhead stuck"
        );
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(5));
    }
    let from = h.get_by_label("Drums fader").rect().center();
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    let touched_at = h.state().position_frames();
    for k in 1..=10 {
        h.hover_at(from + egui::vec2(0.0, 6.0 * k as f32));
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    h.drop_at(from + egui::vec2(0.0, 60.0));
    h.run_steps(3);
    let released_at = h.state().position_frames();
    let s = h.state().session();
    assert_eq!(
        s.tracks[0].strip.gain_db, static_db,
        "a ride in Touch writes the lane, not the fader's static value"
    );
    let lane = s
        .automation
        .iter()
        .find(|l| l.target.strip == drums && l.target.param == StripParam::GainDb)
        .expect("the ride made a fader lane")
        .clone();
    let lowest = lane
        .points
        .iter()
        .map(|p| p.value)
        .fold(f32::INFINITY, f32::min);
    assert!(
        lowest < static_db - 3.0,
        "the ride went down: {:?}",
        lane.points
    );
    assert_eq!(
        lane.value_at(0),
        Some(static_db),
        "before the touch: as it was"
    );
    assert!(
        lane.points.len() < 16,
        "thinned: {} points for 10 moves",
        lane.points.len()
    );
    assert!(
        lane.points
            .iter()
            .any(|p| (touched_at..=released_at + 48_000).contains(&p.time_frames)),
        "written where the song was: {touched_at}..{released_at}, {:?}",
        lane.points
    );
    assert_eq!(
        lane.points.last().map(|p| p.value),
        Some(static_db),
        "glides back to the lane after the release"
    );
    // Stop; the whole pass is one undo step.
    h.key_press(egui::Key::Space);
    h.run_steps(3);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(
        h.state().session().automation.is_empty(),
        "undo takes the pass back"
    );
}

fn right_click_at(h: &mut Harness<'_, StemdeskApp>, at: egui::Pos2) {
    h.hover_at(at);
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.run_steps(1);
    }
    h.run_steps(1);
}

#[test]
fn markers_and_the_grid_place_clips_and_points_and_set_the_loop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open_copy(dir.path(), false);
    let beat = 24_000u64; // 120 BPM at 48 kHz, the default tempo
    assert_eq!(h.state().session().timeline.tempo_bpm, 120.0);
    h.key_press(egui::Key::G);
    h.run_steps(2);

    // A clip dragged 50 px (1.25 s) lands on a beat.
    let clip = h.state().session().tracks[0].clips[0].clone();
    let from = h.get_by_label("Clip drums").rect().center();
    drag(&mut h, from, from + egui::vec2(50.0, 0.0));
    let moved = h.state().session().tracks[0].clips[0].position_frames;
    assert_ne!(moved, clip.position_frames, "the clip moved");
    assert_eq!(moved % beat, 0, "on the grid: {moved}");

    // A point clicked onto a lane lands on a beat too.
    h.get_by_label("Drums automation").click();
    h.run_steps(2);
    add_lane(&mut h, "Fader");
    let rect = h.get_by_label("Drums Fader automation lane").rect();
    click_at(&mut h, egui::pos2(rect.min.x + 93.0, rect.center().y));
    let points = lane_points(&h);
    assert_eq!(points.len(), 2);
    assert_eq!(points[1].time_frames % beat, 0, "{:?}", points[1]);

    // Two markers: at the start, and at 4 s (seeking by a click on the ruler).
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::M);
    h.run_steps(2);
    let ruler = h.get_by_label("Timeline ruler").rect();
    click_at(&mut h, egui::pos2(ruler.min.x + 160.0, ruler.center().y));
    let second_at = h.state().position_frames();
    assert!(second_at > 150_000, "seeked to {second_at}");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::M);
    h.run_steps(2);
    let markers = h.state().session().timeline.markers.clone();
    assert_eq!(markers.len(), 2);
    assert_eq!(markers[0].time_frames, 0);
    assert_eq!(markers[1].time_frames, second_at);
    assert_eq!(markers[1].name, "Marker 2");

    // ] and [ jump between them.
    h.key_press(egui::Key::Home);
    h.run_steps(2);
    h.key_press(egui::Key::CloseBracket);
    h.run_steps(2);
    assert_eq!(h.state().position_frames(), second_at);
    h.key_press(egui::Key::OpenBracket);
    h.run_steps(2);
    assert_eq!(h.state().position_frames(), 0);

    // The first marker's range (to the second) becomes the loop.
    let row = h.get_by_label("Bars and markers").rect();
    right_click_at(&mut h, egui::pos2(row.min.x + 2.0, row.center().y));
    h.get_by_label("Loop to Next Marker").click();
    h.run_steps(2);
    assert_eq!(
        h.state().loop_range(),
        Some((0, second_at)),
        "looping that range"
    );

    // Markers and tempo are saved with the session.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    let saved = std::fs::read_to_string(dir.path().join("demo.ron")).expect("saved");
    assert!(saved.contains("Marker 2"), "markers saved");
}

#[test]
fn buses_and_the_master_get_lanes_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open_copy(dir.path(), false);
    menu(&mut h, "View", "Mixer");
    h.get_by_label("Master automation").click();
    h.run_steps(2);
    add_lane(&mut h, "Fader");
    let lanes = &h.state().session().automation;
    assert_eq!(lanes.len(), 1);
    assert_eq!(lanes[0].target.strip, StripId::Master);
    assert!(h.query_by_label("Master Fader automation lane").is_some());
}

#[test]
fn the_bounce_window_normalises_tags_names_and_bounces_a_marker_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut h, dialogs) = scripted_copy(dir.path());
    // Markers at 0 and 4 s (the playhead moved by a click on the ruler).
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::M);
    h.run_steps(2);
    let ruler = h.get_by_label("Timeline ruler").rect();
    click_at(&mut h, egui::pos2(ruler.min.x + 160.0, ruler.center().y));
    let second = h.state().position_frames();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::M);
    h.run_steps(2);

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::B);
    h.run_steps(2);
    h.get_by_label("From marker Marker 1").click();
    h.run_steps(1);
    h.get_by_label("Loudness").click();
    h.run_steps(1);
    for (field, value) in [
        ("Bounce title", "Night Drive"),
        ("Bounce artist", "The Band"),
    ] {
        h.get_by_label(field).click();
        h.run_steps(1);
        h.get_by_label(field).type_text(value);
        h.run_steps(1);
    }
    h.get_by_label("File name template").click();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("File name template")
        .type_text("{artist} - {title} {bits}");
    h.run_steps(2);
    let out = dir.path().join("drive.wav");
    dialogs.answers().bounce.push_back(out.clone());
    h.get_by_label("Bounce…").click();
    h.run_steps(2);
    h.state_mut().finish_jobs();
    h.run_steps(2);
    assert_eq!(
        dialogs.answers().suggested.last().map(String::as_str),
        Some("The Band - Night Drive 24bit.wav"),
        "the dialog offers the templated name"
    );
    let reader = hound::WavReader::open(&out).expect("bounced");
    assert_eq!(
        u64::from(reader.duration()),
        second,
        "from the first marker to the next"
    );
    let (_, report) = h.state().last_bounce().expect("a report");
    let lufs = report.integrated_lufs.expect("measured");
    assert!((lufs - -14.0).abs() < 0.1, "normalised to -14 LUFS: {lufs}");
    assert!(report.normalize_gain_db.is_some());
    let bytes = std::fs::read(&out).expect("read");
    let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(
        has("Night Drive") && has("The Band"),
        "the tags are in the file"
    );
}

/// The example copied to `dir`, opened without audio, with dialogs whose answers the test
/// queues.
fn scripted_copy(dir: &Path) -> (Harness<'static, StemdeskApp>, ScriptedDialogs) {
    let dialogs = ScriptedDialogs::default();
    let session = stemdesk_e2e::copy_example(dir);
    let app = StemdeskApp::new(
        config(dir, false),
        Box::new(dialogs.clone()),
        Some(&session),
    );
    let mut h = harness(app);
    h.run_steps(2);
    (h, dialogs)
}
