//! Opening a large session, as the desk does it: open-to-playable (the transport rolls
//! with audio) and open-to-all-waveforms, for stems as 24-bit WAV (read in place) and as
//! FLAC (decoded into the media cache in the background), first open with a cold cache
//! (decoding FLAC, computing waveforms) and second open with it warm.
//!
//! `cargo bench -p stemdesk-e2e --bench open_session`; `STEMDESK_OPEN_STEMS` (default 60)
//! and `STEMDESK_OPEN_SECONDS` (default 360: six minutes) set the size. The stems are
//! written first (6 GB of WAV at the default size; FLAC encoding takes minutes).
#![allow(missing_docs)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use stemdesk_e2e::{track_with_clip, wav_header};
use stemdesk_engine::live::LIVE_BLOCK_FRAMES;
use stemdesk_engine::{SourceAudio, compile, engine, open_sources_in_place};
use stemdesk_media::{FlacWriter, MediaCache, SampleFormat, StreamSource};
use stemdesk_session::*;

const RATE: u32 = 48_000;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Noise with a slow tone, interleaved stereo, `frames` from `start`.
fn block(seed: u32, start: u64, frames: usize) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(start as u32) | 1;
    (0..frames)
        .flat_map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let n = (state as f32 / u32::MAX as f32) * 2.0 - 1.0;
            let t = ((start + i as u64) as f32 * 0.003).sin();
            [0.3 * t + 0.05 * n, 0.3 * t - 0.05 * n]
        })
        .collect()
}

fn write_stems(dir: &Path, stems: usize, frames: u64, flac: bool) -> Vec<PathBuf> {
    (0..stems)
        .map(|k| {
            let path = dir.join(format!("stem{k}.{}", if flac { "flac" } else { "wav" }));
            let mut at = 0;
            if flac {
                let mut w = FlacWriter::create(&path, RATE, 2, SampleFormat::Int24).expect("flac");
                while at < frames {
                    let n = (frames - at).min(1 << 16) as usize;
                    w.write_interleaved(&block(k as u32, at, n)).expect("write");
                    at += n as u64;
                }
                w.finalize().expect("finalize");
            } else {
                let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("wav"));
                f.write_all(&wav_header(RATE, 2, 24, frames))
                    .expect("header");
                while at < frames {
                    let n = (frames - at).min(1 << 16) as usize;
                    let bytes: Vec<u8> = block(k as u32, at, n)
                        .iter()
                        .flat_map(|s| {
                            let v = (s * 8_388_607.0) as i32;
                            let b = v.to_le_bytes();
                            [b[0], b[1], b[2]]
                        })
                        .collect();
                    f.write_all(&bytes).expect("write");
                    at += n as u64;
                }
                f.flush().expect("flush");
            }
            path
        })
        .collect()
}

fn session(dir: &Path, stems: &[PathBuf], frames: u64, name: &str) -> PathBuf {
    let mut s = Session::new(RATE);
    for p in stems {
        let file = p.file_name().map(PathBuf::from).unwrap_or_default();
        let t = track_with_clip(&mut s, &file.display().to_string(), file, frames);
        s.tracks.push(t);
    }
    let path = dir.join(name);
    save(&s, &path).expect("save");
    path
}

/// Opens like the desk: in place at once, the rest decoded in the background (a thread
/// each, as the desk's jobs) and played from their first seconds on, waveforms after.
/// Returns (open to playable, open to all waveforms).
fn open(path: &Path, cache: &MediaCache) -> (Duration, Duration) {
    let started = Instant::now();
    let loaded = load(path).expect("load");
    let quick = open_sources_in_place(&loaded);
    let rate = loaded.session.sample_rate_hz;
    let mut sources = quick.sources;
    let (tx, rx) = std::sync::mpsc::channel::<(PathBuf, Arc<SourceAudio>)>();
    let (playable, complete) = std::thread::scope(|s| {
        let jobs: Vec<_> = quick
            .to_decode
            .iter()
            .map(|p| {
                let tx = tx.clone();
                s.spawn(move || {
                    let mut sent = false;
                    let source =
                        StreamSource::open_progressive(p, rate, cache, &|_| {}, &mut |e| {
                            sent = true;
                            let _ = tx.send((p.clone(), Arc::new(SourceAudio::streaming(e))));
                        })
                        .expect("decode");
                    let whole = Arc::new(SourceAudio::streaming(source));
                    if !sent {
                        let _ = tx.send((p.clone(), Arc::clone(&whole)));
                    }
                    (p.clone(), whole)
                })
            })
            .collect();
        // Playable once every source has its first seconds.
        for _ in 0..quick.to_decode.len() {
            let (p, audio) = rx.recv().expect("a source");
            sources.insert(p, audio);
        }
        let graph = compile(
            &loaded.session,
            &loaded.base_dir,
            &sources,
            LIVE_BLOCK_FRAMES,
        );
        let (mut handle, mut player) = engine(graph);
        player.set_streaming(true);
        handle.play().expect("queue");
        let mut out = vec![0.0f32; 512];
        loop {
            player.process_interleaved(&mut out, 2);
            if handle.status().position_frames() > 0 && out.iter().any(|x| *x != 0.0) {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let playable = started.elapsed();
        let complete: Vec<_> = jobs.into_iter().map(|j| j.join().expect("job")).collect();
        (playable, complete)
    });
    sources.extend(complete);
    for (path, audio) in &sources {
        audio.peaks_cached(cache, path, rate).expect("peaks");
    }
    (playable, started.elapsed())
}

fn main() {
    let stems = env("STEMDESK_OPEN_STEMS", 60) as usize;
    let seconds = env("STEMDESK_OPEN_SECONDS", 360);
    let frames = seconds * u64::from(RATE);
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = MediaCache::new(dir.path().join("cache"), u64::MAX);
    println!("open a session of {stems} stems x {seconds} s (24-bit stereo, 48 kHz)");
    println!("media\topen\tplayable\tall waveforms");
    let wavs = write_stems(dir.path(), stems, frames, false);
    let wav_session = session(dir.path(), &wavs, frames, "wav.ron");
    for run in ["first", "second"] {
        let (p, w) = open(&wav_session, &cache);
        println!(
            "WAV\t{run}\t{:.3} s\t{:.3} s",
            p.as_secs_f64(),
            w.as_secs_f64()
        );
    }
    for p in &wavs {
        let _ = std::fs::remove_file(p);
    }
    let flacs = write_stems(dir.path(), stems, frames, true);
    let flac_session = session(dir.path(), &flacs, frames, "flac.ron");
    for run in ["first (cold cache)", "second (warm cache)"] {
        let (p, w) = open(&flac_session, &cache);
        println!(
            "FLAC\t{run}\t{:.3} s\t{:.3} s",
            p.as_secs_f64(),
            w.as_secs_f64()
        );
    }
}
