//! Live playback streams from disk: a 64-track session (one file per track, written here)
//! plays through a [`Player`] driven like a device at 256-frame buffers in real time, with
//! a locate or a loop change every 200 ms. The disk thread keeps up: no callback takes
//! longer than its period, and every callback that played without a reported underrun
//! (away from the fades of a locate) equals the offline render of the same frames.
#![allow(missing_docs)]

use std::path::Path;
use std::time::{Duration, Instant};

use stemdesk_e2e::*;
use stemdesk_engine::{DiskMode, Player, Threads, engine};
use stemdesk_session::*;

const RATE: u32 = 48_000;
const TRACKS: usize = 64;
const SECONDS: u64 = 20;
const BUFFER: usize = 256;
const JUMP_EVERY: Duration = Duration::from_millis(200);
const JUMPS: usize = 20;

/// 64 mono 16-bit stems of distinct noise, a track each, with plain strips (no effect
/// keeps state across a jump, so the output is a function of the position alone).
fn session(dir: &Path) -> LoadedSession {
    let frames = SECONDS * u64::from(RATE);
    let mut s = Session::new(RATE);
    for i in 0..TRACKS {
        let name = format!("t{i}.wav");
        let signal = test_signal(frames as usize, 1, 100 + i as u32);
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(dir.join(&name), spec).expect("create");
        for x in &signal[0] {
            w.write_sample((x * 32_767.0) as i16).expect("write");
        }
        w.finalize().expect("finalize");
        let mut track = track_with_clip(&mut s, &name, name.clone().into(), frames);
        track.strip.gain_db = -24.0 + (i % 5) as f32;
        track.strip.pan = (i as f32 / TRACKS as f32) * 2.0 - 1.0;
        s.tracks.push(track);
    }
    let path = dir.join("many.ron");
    save(&s, &path).expect("save");
    load(&path).expect("load")
}

/// One device callback as the test saw it.
struct Callback {
    before: u64,
    after: u64,
    underruns: u64,
    took: Duration,
    /// A locate was sent before this callback and it is too close to its fades.
    near_locate: bool,
    out: Vec<f32>,
}

#[test]
fn streaming_64_tracks_with_a_jump_every_200_ms_keeps_up_and_equals_the_render() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = session(dir.path());
    let src = sources(&loaded);
    let frames = (SECONDS * u64::from(RATE)) as usize;
    // The offline render: every frame of the song.
    let mut reference = graph(&loaded, &src, BUFFER);
    let [ref_l, ref_r] = render_in_blocks(&mut reference, frames, &[BUFFER], Threads::Single);

    let live_graph = graph(&loaded, &src, BUFFER);
    let (mut handle, mut player): (_, Player) = engine(live_graph);
    player.set_streaming(true);
    assert!(
        handle.wait_for_disk(Duration::from_secs(30)),
        "the start loads"
    );
    handle.play().expect("queue");

    let period = Duration::from_secs_f64(BUFFER as f64 / f64::from(RATE));
    let mut rng = 0x2545_f491u32;
    let mut next = |max: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        u64::from(rng) % max
    };
    let mut log = Vec::new();
    let mut out = vec![0.0f32; BUFFER * 2];
    let started = Instant::now();
    let mut deadline = started;
    let mut jumps = 0;
    let mut last_locate: Option<u64> = None;
    while jumps < JUMPS {
        if started.elapsed() >= JUMP_EVERY * (jumps as u32 + 1) {
            // Locate, loop a short range (it wraps within the next 200 ms), locate, no loop.
            let at = next(frames as u64 - 2 * u64::from(RATE));
            match jumps % 4 {
                0 | 2 => {
                    handle.seek(at).expect("queue");
                    last_locate = Some(at);
                }
                1 => {
                    let pos = handle.status().position_frames();
                    handle
                        .set_loop(Some((pos.saturating_sub(2_000), pos + 3_000)))
                        .expect("queue");
                }
                _ => {
                    handle.set_loop(None).expect("queue");
                }
            }
            jumps += 1;
        }
        let before = handle.status().position_frames();
        let underruns = handle.status().disk_underruns();
        let t0 = Instant::now();
        player.process_interleaved(&mut out, 2);
        let took = t0.elapsed();
        let after = handle.status().position_frames();
        // The fades of a locate: until the transport is well past where it landed.
        let near_locate = match last_locate {
            Some(at) => {
                if before >= at + 2 * BUFFER as u64 && after == before + BUFFER as u64 {
                    last_locate = None;
                    false
                } else {
                    true
                }
            }
            None => false,
        };
        log.push(Callback {
            before,
            after,
            underruns: handle.status().disk_underruns() - underruns,
            took,
            near_locate,
            out: out.clone(),
        });
        handle.poll();
        deadline += period;
        if let Some(wait) = deadline.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    assert_eq!(player_mode(&player), DiskMode::Streaming);

    let overruns: Vec<_> = log
        .iter()
        .filter(|c| c.took > period)
        .map(|c| c.took)
        .collect();
    let slowest = log.iter().map(|c| c.took).max().unwrap_or_default();
    let underruns: u64 = log.iter().map(|c| c.underruns).sum();
    let mut compared = 0;
    for (i, c) in log.iter().enumerate() {
        let plain = c.after == c.before + BUFFER as u64 && c.underruns == 0 && !c.near_locate;
        if !plain || c.after as usize > frames {
            continue;
        }
        for k in 0..BUFFER {
            let at = c.before as usize + k;
            assert!(
                c.out[2 * k].to_bits() == ref_l[at].to_bits()
                    && c.out[2 * k + 1].to_bits() == ref_r[at].to_bits(),
                "callback {i} (frames {}..{}) differs from the render at frame {at}",
                c.before,
                c.after
            );
        }
        compared += 1;
    }
    println!(
        "{} callbacks, {compared} compared bit for bit, {underruns} disk underruns, slowest \
         callback {:.2} ms of {:.2} ms",
        log.len(),
        slowest.as_secs_f64() * 1e3,
        period.as_secs_f64() * 1e3
    );
    assert!(
        overruns.is_empty(),
        "callbacks over their period: {overruns:?}"
    );
    assert!(
        compared * 2 > log.len(),
        "most callbacks compared ({compared} of {})",
        log.len()
    );
    assert_eq!(handle.status().leaked_graphs(), 0);
}

fn player_mode(player: &Player) -> DiskMode {
    player.disk_mode()
}
