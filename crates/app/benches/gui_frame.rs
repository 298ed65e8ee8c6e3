//! GUI cost: CPU time per frame (egui layout + tessellation) for a 64-track session with
//! waveforms and every meter moving, and the time to open a session of 16 three-minute
//! stems until it can play with its waveforms drawn.
//!
//! `cargo bench -p stemdesk --bench gui_frame` (`STEMDESK_OPEN_STEMS=0` skips the open
//! benchmark, which writes about 830 MB of WAV files to a temporary folder).
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use stemdesk::gui::{AppConfig, ScriptedDialogs, StemdeskApp};

const WIDTH: f32 = 1600.0;
const HEIGHT: f32 = 1000.0;

fn raw_input(time_s: f64) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(WIDTH, HEIGHT),
        )),
        time: Some(time_s),
        ..Default::default()
    }
}

fn config(dir: &std::path::Path) -> AppConfig {
    AppConfig {
        audio: false,
        data_dir: dir.join("data"),
        ..AppConfig::default()
    }
}

/// One frame: layout (the app's UI) and tessellation, as eframe does before painting.
fn frame(ctx: &egui::Context, app: &mut StemdeskApp, time_s: f64) -> usize {
    let out = ctx.run_ui(raw_input(time_s), |ui| app.show(ui));
    ctx.tessellate(out.shapes, out.pixels_per_point).len()
}

fn stats(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[times.len() - 1]),
    )
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    stemdesk_e2e::reference_job_fixture(dir.path(), 64, 60 * 48_000);
    let session = dir.path().join("reference.ron");
    let mut app = StemdeskApp::new(
        config(dir.path()),
        Box::new(ScriptedDialogs::default()),
        Some(&session),
    );
    let ctx = egui::Context::default();
    for i in 0..20 {
        app.animate_meters_for_bench(i as f32 * 0.1);
        frame(&ctx, &mut app, f64::from(i) / 30.0);
    }
    let mut times = Vec::new();
    let mut prims = 0;
    for i in 20..320 {
        app.animate_meters_for_bench(i as f32 * 0.1);
        let t = Instant::now();
        prims = frame(&ctx, &mut app, f64::from(i) / 30.0);
        times.push(t.elapsed());
    }
    let (median, p90, max) = stats(times);
    println!(
        "64 tracks, {WIDTH}x{HEIGHT}, arrange + mixer, meters moving: median {median:.2} ms, \
         p90 {p90:.2} ms, max {max:.2} ms per frame ({prims} clipped primitives)"
    );

    lanes_frame_time();

    if std::env::var("STEMDESK_OPEN_STEMS").is_ok_and(|v| v == "0") {
        return;
    }
    let open_dir = tempfile::tempdir().expect("tempdir");
    let written = Instant::now();
    stemdesk_e2e::reference_job_fixture_distinct(open_dir.path(), 16, 180 * 48_000);
    println!(
        "wrote 16 stereo 24-bit stems of 3:00 in {:.1} s",
        written.elapsed().as_secs_f64()
    );
    let session = open_dir.path().join("reference.ron");
    let started = Instant::now();
    let mut app = StemdeskApp::new(
        config(open_dir.path()),
        Box::new(ScriptedDialogs::default()),
        Some(&session),
    );
    let opened = started.elapsed();
    let ctx = egui::Context::default();
    frame(&ctx, &mut app, 0.0);
    let drawn = started.elapsed();
    println!(
        "open 16 x 3:00 stems: ready to play after {:.2} s (decode, peaks, graph), first frame with waveforms at {:.2} s",
        opened.as_secs_f64(),
        drawn.as_secs_f64()
    );
}

/// 64 tracks with three visible lanes each (fader, pan, a send) of 200 points.
fn lanes_frame_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seconds = 60;
    let mut loaded = stemdesk_e2e::reference_job_fixture(dir.path(), 64, seconds * 48_000);
    stemdesk_e2e::automate_every_track(
        &mut loaded.session,
        seconds * 48_000 / 199,
        seconds * 48_000,
    );
    // Keep fader, pan and the first send: three lanes per track.
    let first_sends: Vec<stemdesk_session::SendId> = loaded
        .session
        .tracks
        .iter()
        .filter_map(|t| t.strip.sends.first().map(|s| s.id))
        .collect();
    loaded.session.automation.retain(|l| match l.target.param {
        stemdesk_session::StripParam::SendLevelDb(s) => first_sends.contains(&s),
        _ => true,
    });
    let lanes = loaded.session.automation.len();
    let points = loaded.session.automation[0].points.len();
    let session = dir.path().join("lanes.ron");
    stemdesk_session::save(&loaded.session, &session).expect("save");
    let mut app = StemdeskApp::new(
        config(dir.path()),
        Box::new(ScriptedDialogs::default()),
        Some(&session),
    );
    app.show_all_lanes_for_bench();
    let ctx = egui::Context::default();
    for i in 0..20 {
        frame(&ctx, &mut app, f64::from(i) / 30.0);
    }
    let mut times = Vec::new();
    for i in 20..320 {
        let t = Instant::now();
        frame(&ctx, &mut app, f64::from(i) / 30.0);
        times.push(t.elapsed());
    }
    let (median, p90, max) = stats(times);
    println!(
        "64 tracks with {lanes} visible lanes of {points} points, {WIDTH}x{HEIGHT}: median \
         {median:.2} ms, p90 {p90:.2} ms, max {max:.2} ms per frame (goal: median < 4 ms)"
    );
}
