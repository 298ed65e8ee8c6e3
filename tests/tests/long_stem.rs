//! A one-hour stem (48 kHz stereo 16-bit, written here) bounces in bounded memory: the
//! render reads it a chunk at a time, so the peak resident memory of a process bouncing
//! it (with the full loudness analysis) stays under 150 MB, where decoding it whole took
//! 1.4 GB. The bounce equals, sample for sample, the bounce of the same session with the
//! stem cut into two clips (cut off the chunk grid).
#![allow(missing_docs)]

use std::io::Write;
use std::path::{Path, PathBuf};

use stemdesk_engine::{BounceRange, Flow, RenderRequest, Threads, bounce, compile, render};
use stemdesk_session::*;

/// Set in the child process: the session it bounces.
const CHILD: &str = "STEMDESK_LONG_STEM_SESSION";
const RATE: u32 = 48_000;
const FRAMES: u64 = 3600 * RATE as u64;
const RSS_LIMIT_KB: u64 = 150 * 1024;

/// A 16-bit stereo WAV of `frames` of noise whose level changes every second, written a
/// megabyte at a time.
fn write_long_wav(path: &Path, frames: u64) {
    let mut out =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("create"));
    let header = stemdesk_e2e::wav_header(RATE, 2, 16, frames);
    out.write_all(&header).expect("header");
    let mut state = 0x1234_5678u32;
    let mut block = Vec::with_capacity(1 << 20);
    for i in 0..frames {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let level = ((i / u64::from(RATE)) % 7 + 1) as i32;
        let l = ((state >> 16) as i16 as i32 * level / 8) as i16;
        let r = ((state & 0xFFFF) as i16 as i32 * level / 9) as i16;
        block.extend_from_slice(&l.to_le_bytes());
        block.extend_from_slice(&r.to_le_bytes());
        if block.len() >= 1 << 20 {
            out.write_all(&block).expect("write");
            block.clear();
        }
    }
    out.write_all(&block).expect("write");
    out.flush().expect("flush");
}

/// A session playing `wav` from 0 as clips cut at `cuts` (frames).
fn session(dir: &Path, name: &str, cuts: &[u64]) -> PathBuf {
    let mut s = Session::new(RATE);
    let track = TrackId(s.alloc_id());
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(FRAMES);
    let clips = bounds
        .windows(2)
        .map(|w| Clip {
            id: ClipId(s.alloc_id()),
            source: "long.wav".into(),
            position_frames: w[0],
            offset_frames: w[0],
            length_frames: w[1] - w[0],
            gain_db: -3.0,
            fade_in: Default::default(),
            fade_out: Default::default(),
        })
        .collect();
    s.tracks.push(Track {
        id: track,
        name: "Long".into(),
        color: Default::default(),
        clips,
        strip: Strip {
            gain_db: -2.0,
            pan: 0.3,
            ..Strip::default()
        },
    });
    let path = dir.join(name);
    save(&s, &path).expect("save");
    path
}

/// FNV-1a over the bits of every sample a bounce of `session` writes, and its frames.
fn bounce_hash(session: &Path) -> (u64, u64, f32) {
    let loaded = load(session).expect("load");
    let (sources, problems, _) = stemdesk_engine::load_sources(&loaded);
    assert!(problems.is_empty(), "{problems:?}");
    let mut graph = compile(&loaded.session, &loaded.base_dir, &sources, 4096);
    let range = BounceRange {
        start_frames: 0,
        end_frames: None,
        content_end_frames: loaded.session.content_end_frames(),
        max_tail_frames: u64::from(RATE),
        rate_hz: f64::from(RATE),
    };
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut peak = 0.0f32;
    let stats = bounce(
        &mut graph,
        range,
        4096,
        Threads::Pool,
        |s| {
            for x in s {
                hash = (hash ^ u64::from(x.to_bits())).wrapping_mul(0x0000_0100_0000_01b3);
                peak = peak.max(x.abs());
            }
            Ok::<(), ()>(())
        },
        |_, _| {},
    )
    .expect("bounce");
    assert!(graph.take_disk_error().is_none());
    (hash, stats.frames, peak)
}

/// Peak resident memory of this process, kB (`VmHWM` in /proc).
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// In the child: bounce (render with the full analysis) and print the peak memory.
fn child(session: &Path) {
    let loaded = load(session).expect("load");
    let (sources, problems, _) = stemdesk_engine::load_sources(&loaded);
    assert!(problems.is_empty(), "{problems:?}");
    let req = RenderRequest::whole(&loaded.session, &loaded.base_dir, &sources);
    let report = render(&req, None, |_| Flow::Continue).expect("render");
    assert!(report.frames >= FRAMES, "{} frames", report.frames);
    assert!(report.integrated_lufs.is_some(), "measured");
    println!("peak_rss_kb={}", peak_rss_kb());
}

#[test]
fn a_one_hour_stem_bounces_in_bounded_memory_and_equals_its_two_halves() {
    if let Some(session) = std::env::var_os(CHILD) {
        child(Path::new(&session));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    write_long_wav(&dir.path().join("long.wav"), FRAMES);
    let whole = session(dir.path(), "whole.ron", &[]);
    // Cut off the chunk grid, so the halves meet inside a chunk.
    let halves = session(dir.path(), "halves.ron", &[FRAMES / 2 + 12_345]);

    let stdout = stemdesk_e2e::run_test_in_child(
        "a_one_hour_stem_bounces_in_bounded_memory_and_equals_its_two_halves",
        &[(CHILD, whole.as_os_str())],
    );
    let rss_kb: u64 = stdout
        .split("peak_rss_kb=")
        .nth(1)
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("the child reports its peak memory: {stdout}"));
    println!(
        "bouncing one hour took at most {} MB resident",
        rss_kb / 1024
    );
    assert!(
        rss_kb < RSS_LIMIT_KB,
        "peak RSS {rss_kb} kB is over {RSS_LIMIT_KB} kB"
    );

    let (a, frames_a, peak_a) = bounce_hash(&whole);
    let (b, frames_b, _) = bounce_hash(&halves);
    assert_eq!(frames_a, FRAMES, "the whole hour, no tail (no effects)");
    assert_eq!(frames_b, frames_a);
    assert!(peak_a > 0.1, "the bounce holds the stem, not silence");
    assert_eq!(a, b, "the two bounces differ");
}
