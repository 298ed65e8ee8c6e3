//! Bounce with the full analysis (loudness, true peak, correlation, mono fold...) against
//! the same render without it: the analysis overhead. 10 stereo tracks of 60 s with an EQ
//! and a compressor each. Run: `cargo bench -p stemdesk-engine --bench render_cost`.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use stemdesk_dsp::{EffectKind, EffectParams};
use stemdesk_engine::{Flow, RenderRequest, SourceAudio, SourceMap, render};
use stemdesk_session::*;

const RATE: u32 = 48_000;
const SECONDS: usize = 60;
const TRACKS: usize = 10;

fn job() -> (Session, SourceMap) {
    let mut s = Session::new(RATE);
    let mut sources = SourceMap::new();
    let mut seed = 0x2545_F491u32;
    for t in 0..TRACKS {
        let mut noise = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed as f32 / u32::MAX as f32 - 0.5) * 0.2
        };
        let frames = RATE as usize * SECONDS;
        let l: Vec<f32> = (0..frames).map(|_| noise()).collect();
        let r: Vec<f32> = (0..frames).map(|_| noise()).collect();
        let name = format!("t{t}.wav");
        sources.insert(
            resolve_media(Path::new("/bench"), Path::new(&name)),
            Arc::new(SourceAudio::new(vec![l, r])),
        );
        let id = TrackId(s.alloc_id());
        let inserts = [EffectKind::Eq, EffectKind::Compressor]
            .map(|k| Insert {
                id: InsertId(s.alloc_id()),
                bypass: false,
                effect: EffectParams::new_default(k, true),
                sidechain: None,
            })
            .to_vec();
        let clip = ClipId(s.alloc_id());
        s.tracks.push(Track {
            id,
            name,
            color: Color::default(),
            clips: vec![Clip {
                id: clip,
                source: format!("t{t}.wav").into(),
                position_frames: 0,
                offset_frames: 0,
                length_frames: frames as u64,
                gain_db: -6.0,
                fade_in: Fade::default(),
                fade_out: Fade::default(),
            }],
            strip: Strip {
                inserts,
                ..Strip::default()
            },
        });
    }
    (s, sources)
}

fn bench(c: &mut Criterion) {
    let (session, sources) = job();
    let mut group = c.benchmark_group("render 10 tracks x 60 s");
    group.sample_size(10);
    for measure in [false, true] {
        let name = if measure {
            "with analysis"
        } else {
            "render only"
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                let req = RenderRequest {
                    measure,
                    ..RenderRequest::whole(&session, Path::new("/bench"), &sources)
                };
                black_box(render(&req, None, |_| Flow::Continue).expect("renders"))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
