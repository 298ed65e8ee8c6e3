//! The audio thread never allocates or frees: a [`Player`] is driven through play, loop
//! wraps, seeks, parameter and insert changes, graph swaps (also mid-crossfade), pause and
//! stop, every call inside `assert_no_alloc` with the checking allocator installed.
#![allow(missing_docs)]

use std::hint::black_box;

use assert_no_alloc::{AllocDisabler, assert_no_alloc};
use stemdesk_dsp::params::*;
use stemdesk_e2e::*;
use stemdesk_engine::live::{Event, LiveParam};
use stemdesk_engine::{Player, engine};
use stemdesk_session::*;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

/// Runs `calls` callbacks of `frames` frames, each inside `assert_no_alloc`.
fn run(player: &mut Player, calls: usize, frames: usize, out: &mut [f32]) {
    for _ in 0..calls {
        let buf = &mut out[..frames * 2];
        assert_no_alloc(|| player.process_interleaved(buf, 2));
    }
}

#[test]
fn audio_thread_never_allocates_across_transport_params_and_swaps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = full_session_with_len(dir.path(), 96_000);
    let src = sources(&loaded);
    let s = &loaded.session;
    let (track, send, eq) = {
        let t = &s.tracks[0];
        (t.id, t.strip.sends[0].id, t.strip.inserts[0].id)
    };
    let (mut handle, mut player) = engine(graph(&loaded, &src, 256));
    // As on the device: chunks come from the disk thread (installing and evicting them
    // must not allocate either). The whole song fits in the read-ahead.
    player.set_streaming(true);
    handle.set_read_ahead_s(10.0);
    assert!(handle.wait_for_disk(std::time::Duration::from_secs(20)));
    // A second arrangement for swaps: an extra insert on the second track.
    let mut edited = s.clone();
    let id = InsertId(edited.alloc_id());
    edited.tracks[1].strip.inserts.push(Insert {
        id,
        bypass: false,
        effect: EffectParams::Delay(DelayParams {
            time_ms: 120.0,
            feedback: 0.4,
            low_cut_hz: 200.0,
            high_cut_hz: 5000.0,
            ping_pong: false,
            mix: 0.3,
            sync: stemdesk_dsp::DelaySync::Off,
        }),
        sidechain: None,
    });
    // The newer effects too, with latency to compensate (the swapped-in graph primes).
    for kind in [
        stemdesk_dsp::EffectKind::Saturation,
        stemdesk_dsp::EffectKind::Limiter,
        stemdesk_dsp::EffectKind::Compressor,
    ] {
        let mut effect = EffectParams::new_default(kind, true);
        if kind == stemdesk_dsp::EffectKind::Compressor {
            effect.set("lookahead_ms", 3.0).expect("key");
            effect.set("sidechain_hpf_hz", 120.0).expect("key");
        }
        let id = InsertId(edited.alloc_id());
        // The compressor listens to the first track (a sidechain: keys are copied and
        // delayed on the audio thread).
        let sidechain = (kind == stemdesk_dsp::EffectKind::Compressor)
            .then_some(StripId::Track(edited.tracks[0].id));
        edited.tracks[1].strip.inserts.push(Insert {
            id,
            bypass: false,
            effect,
            sidechain,
        });
    }
    assert!(validate(&edited).is_empty(), "{:?}", validate(&edited));
    let compile_edited = || stemdesk_engine::compile(&edited, &loaded.base_dir, &src, 256);
    let mut out = vec![0.0f32; 2048 * 2];

    handle.play().expect("queue");
    // An open EQ editor taps its insert for the analyser, across the swaps below too.
    handle
        .tap_insert(Some((StripId::Track(track), eq)))
        .expect("queue");
    run(&mut player, 20, 128, &mut out);
    handle.set_loop(Some((10_000, 14_000))).expect("queue");
    run(&mut player, 40, 333, &mut out); // odd size: wraps fall mid-buffer
    let pos = handle.status().position_frames();
    assert!((10_000..14_000).contains(&pos), "looping, at {pos}");
    for step in 0..50 {
        let v = step as f32;
        let t = StripId::Track(track);
        handle
            .set_param(t, LiveParam::GainDb, -v * 0.2)
            .expect("queue");
        handle
            .set_param(t, LiveParam::Pan, (v * 0.1).sin())
            .expect("queue");
        handle
            .set_param(t, LiveParam::Width, 1.0 + 0.01 * v)
            .expect("queue");
        handle
            .set_param(t, LiveParam::SendLevelDb(send), -v)
            .expect("queue");
        handle
            .set_param(StripId::Master, LiveParam::Muted, (step % 2) as f32)
            .expect("queue");
        let eq_params = EffectParams::Eq(EqParams {
            bands: vec![EqBand {
                enabled: true,
                kind: EqBandKind::Peak,
                // Up into the analog response's matched range (above fs/16).
                freq_hz: 200.0 + 300.0 * v,
                gain_db: 3.0,
                q: 1.0,
            }],
            response: stemdesk_dsp::EqResponse::Analog,
        });
        handle.set_insert_params(t, eq, eq_params).expect("queue");
        run(&mut player, 2, 256, &mut out);
        black_box(handle.poll());
    }
    handle.set_loop(None).expect("queue");
    handle.seek(40_000).expect("queue");
    run(&mut player, 10, 512, &mut out);
    handle.swap_graph(compile_edited()).expect("queue");
    run(&mut player, 1, 64, &mut out);
    // A second swap while the first crossfade is still running.
    handle.swap_graph(graph(&loaded, &src, 256)).expect("queue");
    run(&mut player, 30, 2048, &mut out);
    handle.pause().expect("queue");
    run(&mut player, 5, 256, &mut out);
    assert!(!handle.status().is_playing());
    handle.swap_graph(compile_edited()).expect("queue"); // swapped while paused
    handle.play().expect("queue");
    run(&mut player, 5, 256, &mut out);
    handle.stop().expect("queue");
    run(&mut player, 5, 256, &mut out);
    let events = handle.poll();
    assert!(
        events.iter().all(|e| matches!(e, Event::Applied { .. })),
        "every command found its target: {events:?}"
    );
    assert_eq!(handle.status().leaked_graphs(), 0);
    assert_eq!(handle.status().disk_underruns(), 0);
    assert!(!handle.status().is_playing());
    assert!(out.iter().all(|x| x.is_finite()));
}

/// Proves the checker is live: an allocation inside `assert_no_alloc` aborts the process.
/// The test re-runs itself as a child that allocates on purpose.
#[test]
fn a_deliberate_allocation_on_the_audio_thread_aborts() {
    const CHILD: &str = "STEMDESK_NO_ALLOC_CHILD";
    if std::env::var_os(CHILD).is_some() {
        assert_no_alloc(|| black_box(vec![0u8; 64]));
        return; // not reached when the checker works
    }
    let exe = std::env::current_exe().expect("test binary path");
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "a_deliberate_allocation_on_the_audio_thread_aborts",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("run child");
    assert!(!out.status.success(), "the child must not survive");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(6), "aborted (SIGABRT): {out:?}");
    }
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("memory allocation"),
        "{out:?}"
    );
}
