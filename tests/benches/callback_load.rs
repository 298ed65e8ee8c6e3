//! DSP load of the audio callback: sessions of 16, 64 and 256 tracks with the reference
//! job's channel strip (EQ, compressor, gate, fader, pan, two post-fader sends to reverb and
//! delay buses), 128-frame callbacks at 48 kHz, rendered by the live [`Player`] on one
//! thread exactly as the device callback does. Reports mean and p99.9 callback time as a
//! fraction of the buffer period (goal: 256 tracks under 50% at p99.9).
//!
//! Every track streams its own file from disk, as in the desk: the player takes chunks from
//! the disk thread and the callbacks are paced in real time (so the disk thread works
//! beside them as it does live); the disk underruns are reported too.
//!
//! `cargo bench -p stemdesk-e2e --bench callback_load` (set `STEMDESK_LOAD_SECONDS` to
//! change the rendered length, default 20 s).
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use stemdesk_e2e::{reference_job_fixture_distinct, sources};
use stemdesk_engine::{compile, engine};

const RATE_HZ: f64 = 48_000.0;
const BUFFER_FRAMES: usize = 128;

fn main() {
    let seconds: u64 = std::env::var("STEMDESK_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let period_s = BUFFER_FRAMES as f64 / RATE_HZ;
    println!(
        "callback load, {BUFFER_FRAMES}-frame buffers at 48 kHz ({:.3} ms period), {seconds} s each",
        period_s * 1e3
    );
    println!("tracks\tmean\tp99\tp99.9\tmax\tns/track/frame\tdisk underruns");
    for tracks in [16usize, 64, 256] {
        let dir = tempfile::tempdir().expect("tempdir");
        let loaded = reference_job_fixture_distinct(dir.path(), tracks, seconds * 48_000);
        let src = sources(&loaded);
        let graph = compile(&loaded.session, &loaded.base_dir, &src, BUFFER_FRAMES);
        let (mut handle, mut player) = engine(graph);
        player.set_streaming(true);
        handle.wait_for_disk(Duration::from_secs(60));
        handle.play().expect("queue");
        let mut out = vec![0.0f32; BUFFER_FRAMES * 2];
        let calls = ((seconds as f64 - 1.5) / period_s) as usize;
        let period = Duration::from_secs_f64(period_s);
        let mut deadline = Instant::now();
        let mut paced = |player: &mut stemdesk_engine::Player, out: &mut [f32]| {
            let t = Instant::now();
            player.process_interleaved(out, 2);
            let took = t.elapsed().as_secs_f64();
            deadline += period;
            if let Some(wait) = deadline.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            took
        };
        // Warm-up: half a second.
        for _ in 0..(0.5 / period_s) as usize {
            paced(&mut player, &mut out);
        }
        let mut times = Vec::with_capacity(calls);
        for _ in 0..calls {
            times.push(paced(&mut player, &mut out));
            std::hint::black_box(&out);
        }
        handle.poll();
        let underruns = handle.status().disk_underruns();
        times.sort_by(f64::total_cmp);
        let pct = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        println!(
            "{tracks}\t{:.1}%\t{:.1}%\t{:.1}%\t{:.1}%\t{:.1}\t{underruns}",
            100.0 * mean / period_s,
            100.0 * pct(0.99) / period_s,
            100.0 * pct(0.999) / period_s,
            100.0 * times[times.len() - 1] / period_s,
            mean * 1e9 / (tracks * BUFFER_FRAMES) as f64,
        );
    }
}
