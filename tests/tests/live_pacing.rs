//! Real-time pacing through a real sound server: 10 s of a 32-track reference-job session
//! at 256-frame buffers into a PulseAudio null sink, with a fader change every 20 ms and a
//! graph swap every 500 ms. No xruns, and the transport advances by exactly the frames the
//! device consumed, at the wall-clock rate.
//!
//! `.ci/run` (scripts/test.sh) starts the PulseAudio server and sets
//! `STEMDESK_REQUIRE_PULSE=1`, which makes a missing server a failure; elsewhere the test
//! says it is skipped.
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use stemdesk_device::{OutputConfig, start_output};
use stemdesk_dsp::params::*;
use stemdesk_e2e::*;
use stemdesk_engine::live::{Event, LiveParam};
use stemdesk_engine::{compile, engine};
use stemdesk_session::*;

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

const NAME: &str = "plays_32_tracks_in_real_time_through_pulseaudio_without_xruns";
const CHILD: &str = "STEMDESK_PACING_CHILD";
const PCM: &str = "stemdesk_pulse";
const RATE: u64 = 48_000;
const PLAY_S: u64 = 10;
/// Time the stream runs before the measured 10 s.
const WARM_UP: Duration = Duration::from_secs(4);
/// Measured windows allowed before xruns the engine did not cause fail the test.
const ATTEMPTS: u32 = 3;
/// A window's xruns are blamed on the machine only if no callback used more than this
/// share of its period (the engine had three quarters of the period to spare).
const ENGINE_BLAMELESS_LOAD: f32 = 0.5;

fn pulse_reachable() -> bool {
    std::process::Command::new("pactl")
        .arg("info")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn plays_32_tracks_in_real_time_through_pulseaudio_without_xruns() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }
    if !pulse_reachable() {
        assert!(
            std::env::var_os("STEMDESK_REQUIRE_PULSE").is_none(),
            "STEMDESK_REQUIRE_PULSE is set but no PulseAudio server answers `pactl info`"
        );
        eprintln!("SKIPPED: no PulseAudio server (scripts/test.sh starts one)");
        return;
    }
    // Our own PCM on the pulse plugin, with underruns reported to the application.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("alsa")).expect("mkdir");
    std::fs::write(
        dir.path().join("alsa/asoundrc"),
        format!(
            "pcm.{PCM} {{\n  type pulse\n  handle_underrun true\n  \
             hint {{ show on description \"Stemdesk pacing test\" }}\n}}\n"
        ),
    )
    .expect("asoundrc");
    let log = run_test_in_child(
        NAME,
        &[
            (CHILD, "1".as_ref()),
            ("XDG_CONFIG_HOME", dir.path().as_os_str()),
        ],
    );
    assert!(log.contains("paced OK"), "{log}");
    println!("{log}");
}

fn child() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = reference_job_fixture(dir.path(), 32, (PLAY_S + 8) * RATE);
    let src = sources(&loaded);
    let base = &loaded.base_dir;
    // The structural edit swapped in and out: a gate insert added to track 1.
    let mut edited = loaded.session.clone();
    let id = InsertId(edited.alloc_id());
    edited.tracks[0].strip.inserts.push(Insert {
        id,
        bypass: false,
        effect: EffectParams::Gate(GateParams {
            threshold_db: -40.0,
            range_db: -20.0,
            attack_ms: 1.0,
            hold_ms: 10.0,
            release_ms: 100.0,
            hysteresis_db: 2.0,
            key_hpf_hz: stemdesk_dsp::KEY_HPF_OFF_HZ,
            key_lpf_hz: stemdesk_dsp::KEY_LPF_OFF_HZ,
        }),
        sidechain: None,
    });
    let (mut handle, player) = engine(compile(&loaded.session, base, &src, 256));
    // The transport would hold (silent) at the start until the disk thread brings the
    // audio there; wait for it first, so every frame played advances the position.
    assert!(handle.wait_for_disk(std::time::Duration::from_secs(30)));
    handle.play().expect("queue");
    let config = OutputConfig {
        device: Some(PCM.to_string()),
        buffer_frames: Some(256),
    };
    let output = start_output(player, &config).expect("open the pulse PCM");
    let tracks: Vec<StripId> = loaded
        .session
        .tracks
        .iter()
        .map(|t| StripId::Track(t.id))
        .collect();
    // The server takes a moment (about 2 s here) before it starts pulling audio; the 10 s
    // are counted from when the stream is running.
    let opened = Instant::now();
    while handle.status().frames_rendered() < RATE / 10 {
        assert!(
            opened.elapsed() < Duration::from_secs(15),
            "the stream never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    println!(
        "stream running after {:.2} s",
        opened.elapsed().as_secs_f64()
    );
    // A PulseAudio server that has sat idle for a while (~2 minutes here) stalled a new
    // stream once, about 2 s in (one xrun), with the engine's load near 20%. Let the
    // stream settle; the 10 s under test follow.
    std::thread::sleep(WARM_UP);
    // Neither this process nor the server runs with real-time priority here, so the
    // scheduler of a shared two-core machine can starve one of them (seen once in CI: one
    // xrun while no callback used more than 28% of its period). An xrun in a window where
    // every callback finished well within its period is that, not the engine; such a window
    // is measured again, up to ATTEMPTS times. An xrun with a callback near or over its
    // period fails at once.
    let mut events: Vec<Event> = Vec::new();
    let mut sent = 1u64; // the play command
    let mut clean = None;
    for attempt in 1..=ATTEMPTS {
        let mut w = measure_window(&mut handle, &tracks, &edited, &loaded.session, &src, base);
        events.extend(std::mem::take(&mut w.events));
        sent += u64::from(w.params + w.swaps);
        println!(
            "window {attempt}: {} frames in {:.2} s, {} param changes, {} swaps, \
             max load {:.1}%, {} xruns, {} overloads, paced at {:.4}x",
            w.frames,
            w.elapsed_s,
            w.params,
            w.swaps,
            w.max_load * 100.0,
            w.xruns,
            w.overloads,
            w.ratio
        );
        if w.xruns == 0 {
            clean = Some(w);
            break;
        }
        assert!(
            w.overloads == 0 && w.max_load < ENGINE_BLAMELESS_LOAD,
            "{} xruns with the engine at {:.1}% load and {} overloads",
            w.xruns,
            w.max_load * 100.0,
            w.overloads
        );
        println!("xruns while the engine stayed light: the machine stalled; measuring again");
    }
    let w = clean.unwrap_or_else(|| panic!("xruns in all {ATTEMPTS} windows"));
    let wait = Instant::now();
    while (events.len() as u64) < sent && wait.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(5));
        events.extend(handle.poll());
    }
    drop(output);
    events.extend(handle.poll());
    // The stream is closed: these no longer move, so they can be compared exactly.
    let st = handle.status();
    let callbacks = st.callbacks();
    let (frames, position) = (st.frames_rendered(), st.position_frames());
    println!(
        "{frames} frames in all, {callbacks} callbacks (mean {:.0} frames)",
        frames as f64 / callbacks.max(1) as f64,
    );
    assert_eq!(st.leaked_graphs(), 0);
    assert!(
        w.params >= 400 && w.swaps >= 19,
        "{} params, {} swaps",
        w.params,
        w.swaps
    );
    let applied = events
        .iter()
        .filter(|e| matches!(e, Event::Applied { .. }))
        .count();
    assert_eq!(applied as u64, sent, "every command applied");
    // Transport position = frames the device consumed (no seek, no loop) ...
    assert_eq!(
        position, frames,
        "position advanced by exactly the frames played"
    );
    // ... and the device consumed them at 48 kHz of wall-clock time.
    assert!(
        (0.95..1.05).contains(&w.ratio),
        "paced at {:.3}x real time",
        w.ratio
    );
    println!("paced OK at {:.4}x real time", w.ratio);
}

/// What one measured window of playback did.
struct Window {
    events: Vec<Event>,
    params: u32,
    swaps: u32,
    frames: u64,
    elapsed_s: f64,
    xruns: u64,
    overloads: u64,
    max_load: f32,
    /// Frames consumed per wall-clock frame at 48 kHz, after the window's first second.
    ratio: f64,
}

/// Plays PLAY_S seconds with a fader change every 20 ms and a graph swap every 500 ms.
fn measure_window(
    handle: &mut stemdesk_engine::live::EngineHandle,
    tracks: &[StripId],
    edited: &Session,
    original: &Session,
    src: &stemdesk_engine::SourceMap,
    base: &std::path::Path,
) -> Window {
    let st = handle.status();
    let (xruns_before, overloads_before) = (st.xruns(), st.overloads());
    st.take_max_load();
    let frames_before = st.frames_rendered();
    let started = Instant::now();
    let mut events: Vec<Event> = Vec::new();
    let (mut params, mut swaps) = (0u32, 0u32);
    let mut next_swap = Duration::from_millis(500);
    // Pacing is measured after the first second, once the server's buffer has filled.
    let mut steady: Option<(Instant, u64)> = None;
    while started.elapsed() < Duration::from_secs(PLAY_S) {
        std::thread::sleep(Duration::from_millis(20));
        let strip = tracks[params as usize % tracks.len()];
        let gain_db = -4.0 + 3.0 * (params as f32 * 0.3).sin();
        handle
            .set_param(strip, LiveParam::GainDb, gain_db)
            .expect("queue");
        params += 1;
        if started.elapsed() >= next_swap {
            let session = if swaps % 2 == 0 { edited } else { original };
            handle
                .swap_graph(compile(session, base, src, 256))
                .expect("queue");
            swaps += 1;
            next_swap += Duration::from_millis(500);
        }
        events.extend(handle.poll());
        if steady.is_none() && started.elapsed() >= Duration::from_secs(1) {
            steady = Some((Instant::now(), handle.status().frames_rendered()));
        }
    }
    let end = (Instant::now(), handle.status().frames_rendered());
    let (t0, f0) = steady.unwrap_or((started, frames_before));
    let expected = (end.0 - t0).as_secs_f64() * RATE as f64;
    let st = handle.status();
    Window {
        events,
        params,
        swaps,
        frames: end.1 - frames_before,
        elapsed_s: started.elapsed().as_secs_f64(),
        xruns: st.xruns() - xruns_before,
        overloads: st.overloads() - overloads_before,
        max_load: st.take_max_load(),
        ratio: (end.1 - f0) as f64 / expected,
    }
}
