//! Cost of automation in a bounce: the reference job's strip on 10 tracks (EQ, compressor,
//! gate, two post-fader sends to reverb and delay buses), bounced with every fader, pan and
//! send automated (a point every 100 ms) and without automation. Reports the best of
//! several runs each and the overhead (goal: under 10 %).
//!
//! `cargo bench -p stemdesk-e2e --bench automation_cost` (`STEMDESK_AUTOMATION_SECONDS`
//! sets the song length, default 60 s; the reference job is 204 s).
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use stemdesk_e2e::{automate_every_track, bounce_to_vec, reference_job_fixture, sources};
use stemdesk_engine::Threads;
use stemdesk_session::LoadedSession;

fn best_of(runs: usize, loaded: &LoadedSession, src: &stemdesk_engine::SourceMap) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(bounce_to_vec(loaded, src, 1024, Threads::Pool));
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let seconds: u64 = std::env::var("STEMDESK_AUTOMATION_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = reference_job_fixture(dir.path(), 10, seconds * 48_000);
    let src = sources(&plain);
    let mut automated = plain.clone();
    automate_every_track(&mut automated.session, 4_800, seconds * 48_000);
    let points: usize = automated
        .session
        .automation
        .iter()
        .map(|l| l.points.len())
        .sum();
    let plain_t = best_of(3, &plain, &src);
    let auto_t = best_of(3, &automated, &src);
    let overhead = 100.0 * (auto_t.as_secs_f64() / plain_t.as_secs_f64() - 1.0);
    println!(
        "reference strip x 10 tracks, {seconds} s: without automation {:.0} ms, with {} lanes \
         ({points} points) {:.0} ms: overhead {overhead:+.1} % (goal < 10 %)",
        plain_t.as_secs_f64() * 1e3,
        automated.session.automation.len(),
        auto_t.as_secs_f64() * 1e3,
    );
}
