//! Shared fixtures for the end-to-end tests in `tests/tests/`: audio files the tests write
//! themselves, and sessions over them.

use std::path::{Path, PathBuf};

use stemdesk_engine::{BounceRange, Graph, SourceMap, Threads, bounce, compile, load_sources};
use stemdesk_session::{Clip, ClipId, LoadedSession, Session, Strip, Track, TrackId};

/// Reproducible noise with some transients (xorshift32), `frames` long, `channels` wide.
pub fn test_signal(frames: usize, channels: usize, seed: u32) -> Vec<Vec<f32>> {
    let mut state = seed.max(1);
    (0..channels)
        .map(|_| {
            (0..frames)
                .map(|i| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    let noise = (state as f32 / u32::MAX as f32) * 2.0 - 1.0;
                    let burst = if (i / 4800) % 3 == 0 { 0.9 } else { 0.05 };
                    noise * burst * 0.8
                })
                .collect()
        })
        .collect()
}

/// Writes planar `channels` as a 24-bit WAV (quantised the way symphonia reads it back).
pub fn write_wav24(path: &Path, rate_hz: u32, channels: &[Vec<f32>]) {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: rate_hz,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    for i in 0..channels[0].len() {
        for c in channels {
            let v = (c[i] * 8_388_608.0)
                .round()
                .clamp(-8_388_608.0, 8_388_607.0) as i32;
            w.write_sample(v).expect("write");
        }
    }
    w.finalize().expect("finalize");
}

/// Reads a WAV's integer samples, interleaved.
pub fn read_wav_ints(path: &Path) -> (hound::WavSpec, Vec<i32>) {
    let mut r = hound::WavReader::open(path).expect("open wav");
    let spec = r.spec();
    let samples = r.samples::<i32>().map(|s| s.expect("sample")).collect();
    (spec, samples)
}

/// A track playing `source` from frame 0 for `frames`.
pub fn track_with_clip(session: &mut Session, name: &str, source: PathBuf, frames: u64) -> Track {
    let id = TrackId(session.alloc_id());
    let clip = ClipId(session.alloc_id());
    Track {
        id,
        name: name.into(),
        color: Default::default(),
        clips: vec![Clip {
            id: clip,
            source,
            position_frames: 0,
            offset_frames: 0,
            length_frames: frames,
            gain_db: 0.0,
            fade_in: Default::default(),
            fade_out: Default::default(),
        }],
        strip: Strip::default(),
    }
}

/// Decodes a loaded session's media, panicking on any problem (tests own their files).
pub fn sources(loaded: &LoadedSession) -> SourceMap {
    let (map, problems, _) = load_sources(loaded);
    assert!(problems.is_empty(), "{problems:?}");
    map
}

/// Renders `[0, frames)` of a compiled graph in the given block sizes (cycled), as planar L/R.
pub fn render_in_blocks(
    graph: &mut Graph,
    frames: usize,
    blocks: &[usize],
    threads: Threads,
) -> [Vec<f32>; 2] {
    let mut l = vec![0.0f32; frames];
    let mut r = vec![0.0f32; frames];
    let mut pos = 0;
    let mut k = 0;
    while pos < frames {
        let n = blocks[k % blocks.len()].max(1).min(frames - pos);
        graph.render(
            pos as u64,
            &mut l[pos..pos + n],
            &mut r[pos..pos + n],
            threads,
        );
        pos += n;
        k += 1;
    }
    [l, r]
}

/// Compiles a loaded session with a given maximum block.
pub fn graph(loaded: &LoadedSession, sources: &SourceMap, max_block: usize) -> Graph {
    compile(&loaded.session, &loaded.base_dir, sources, max_block)
}

/// Bounces a whole session (content + tail) to interleaved samples in memory.
pub fn bounce_to_vec(
    loaded: &LoadedSession,
    sources: &SourceMap,
    block: usize,
    threads: Threads,
) -> Vec<f32> {
    let mut g = graph(loaded, sources, block);
    let mut out = Vec::new();
    let range = BounceRange {
        start_frames: 0,
        end_frames: None,
        content_end_frames: loaded.session.content_end_frames(),
        max_tail_frames: u64::from(loaded.session.sample_rate_hz) * 4,
    };
    bounce(
        &mut g,
        range,
        block,
        threads,
        |s| {
            out.extend_from_slice(s);
            Ok::<(), ()>(())
        },
        |_, _| {},
    )
    .expect("bounce");
    out
}
