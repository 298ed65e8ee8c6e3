//! Live output through cpal equals the offline render, bit for bit, automation included.
//!
//! The test writes an ALSA config with a `type file` PCM (raw FLOAT_LE over `null`), plays
//! a session into it through the real device path (cpal callback, FTZ, assert_no_alloc),
//! sends a fader change and a graph swap while it plays, stops by frame count, and compares
//! the captured file with a [`Player`] rendering offline that applies the same commands at
//! the positions the audio thread reported. The ALSA config must be in place before ALSA
//! starts, so the test runs its body in a child process with `XDG_CONFIG_HOME` set.
#![allow(missing_docs)]

use std::path::Path;
use std::time::{Duration, Instant};

use stemdesk_device::{OutputConfig, start_output};
use stemdesk_dsp::params::*;
use stemdesk_e2e::*;
use stemdesk_engine::live::{Event, LiveParam};
use stemdesk_engine::{EngineHandle, engine};
use stemdesk_session::*;

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

const CHILD: &str = "STEMDESK_CAPTURE_FILE";
const PCM: &str = "stemdesk_capture";

fn asoundrc(capture: &Path) -> String {
    format!(
        "pcm.{PCM} {{\n  type file\n  slave.pcm \"null\"\n  file \"{}\"\n  format \"raw\"\n  \
         hint {{ show on description \"Stemdesk test capture\" }}\n}}\n",
        capture.display()
    )
}

#[test]
fn live_output_through_cpal_equals_offline_render_with_param_change_and_swap() {
    let Some(capture) = std::env::var_os(CHILD) else {
        let dir = tempfile::tempdir().expect("tempdir");
        let alsa = dir.path().join("alsa");
        std::fs::create_dir_all(&alsa).expect("mkdir");
        let capture = dir.path().join("capture.raw");
        std::fs::write(alsa.join("asoundrc"), asoundrc(&capture)).expect("asoundrc");
        let log = run_test_in_child(
            "live_output_through_cpal_equals_offline_render_with_param_change_and_swap",
            &[
                (CHILD, capture.as_os_str()),
                ("XDG_CONFIG_HOME", dir.path().as_os_str()),
            ],
        );
        assert!(log.contains("captured frames identical"), "{log}");
        return;
    };
    child(Path::new(&capture));
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let started = Instant::now();
    while !cond() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn applied_at(events: &[Event], seq: u64) -> Option<u64> {
    events.iter().find_map(|e| match e {
        Event::Applied { seq: s, at_frames } if *s == seq => Some(*at_frames),
        _ => None,
    })
}

fn child(capture: &Path) {
    let dir = tempfile::tempdir().expect("tempdir");
    // Automated (fader, pan, a send, an EQ frequency, a compressor threshold, master):
    // the lanes play live exactly as they bounce.
    let loaded = automate_full_session(&full_session_with_len(dir.path(), 480_000));
    let src = sources(&loaded);
    let track = StripId::Track(loaded.session.tracks[0].id);
    let mut edited = loaded.session.clone();
    let id = InsertId(edited.alloc_id());
    edited.tracks[0].strip.inserts.push(Insert {
        id,
        bypass: false,
        effect: EffectParams::Delay(DelayParams {
            time_ms: 80.0,
            feedback: 0.3,
            low_cut_hz: 100.0,
            high_cut_hz: 8000.0,
            ping_pong: true,
            mix: 0.4,
            sync: stemdesk_dsp::DelaySync::Off,
        }),
        sidechain: None,
    });
    let compile_a = || graph(&loaded, &src, 512);
    let compile_b = || stemdesk_engine::compile(&edited, &loaded.base_dir, &src, 512);

    let (mut live, player) = engine(compile_a());
    // The null device is not paced (it plays far faster than real time): keep the whole
    // song loaded so the disk thread is never the bottleneck, and start once it is.
    live.set_read_ahead_s(30.0);
    assert!(
        live.wait_for_disk(std::time::Duration::from_secs(20)),
        "the disk thread loads the start"
    );
    live.play().expect("queue");
    let config = OutputConfig {
        device: Some(PCM.to_string()),
        buffer_frames: Some(256),
    };
    let output = start_output(player, &config).expect("open the capture PCM");
    let mut events = Vec::new();
    let poll = |h: &mut EngineHandle, ev: &mut Vec<Event>| ev.extend(h.poll());
    wait_until("position 30000", || {
        live.status().position_frames() >= 30_000
    });
    let fader = live
        .set_param(track, LiveParam::GainDb, -9.0)
        .expect("queue");
    wait_until("the fader change", || {
        poll(&mut live, &mut events);
        applied_at(&events, fader).is_some()
    });
    wait_until("position 120000", || {
        live.status().position_frames() >= 120_000
    });
    let swap = live.swap_graph(compile_b()).expect("queue");
    wait_until("the swap", || {
        poll(&mut live, &mut events);
        applied_at(&events, swap).is_some()
    });
    let at_fader = applied_at(&events, fader).unwrap_or_default();
    let at_swap = applied_at(&events, swap).unwrap_or_default();
    let frames = at_swap + 48_000;
    wait_until("the frame count", || {
        live.status().frames_rendered() >= frames
    });
    drop(output);
    assert_eq!(live.status().leaked_graphs(), 0);
    assert_eq!(live.status().disk_underruns(), 0, "disk underruns");
    println!("fader landed at {at_fader}, swap at {at_swap}, comparing {frames} frames");

    let bytes = std::fs::read(capture).expect("read capture");
    let captured: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert!(
        captured.len() as u64 >= frames * 2,
        "captured {} samples",
        captured.len()
    );

    // Offline: the same player type, the same commands at the same positions.
    let (mut off, mut player) = engine(compile_a());
    off.play().expect("queue");
    let mut l = vec![0.0f32; frames as usize];
    let mut r = vec![0.0f32; frames as usize];
    let mut render = |player: &mut stemdesk_engine::Player, from: u64, to: u64| {
        let (a, b) = (from as usize, to as usize);
        player.process(&mut l[a..b], &mut r[a..b]);
    };
    render(&mut player, 0, at_fader);
    off.set_param(track, LiveParam::GainDb, -9.0)
        .expect("queue");
    render(&mut player, at_fader, at_swap);
    off.swap_graph(compile_b()).expect("queue");
    render(&mut player, at_swap, frames);
    let mismatch = (0..frames as usize).find(|&i| {
        captured[2 * i].to_bits() != l[i].to_bits()
            || captured[2 * i + 1].to_bits() != r[i].to_bits()
    });
    assert_eq!(mismatch, None, "first differing frame");
    let energy: f32 = l.iter().map(|x| x * x).sum();
    assert!(energy > 1.0, "the capture holds music, not silence");
    println!("captured frames identical: {frames}");
}
