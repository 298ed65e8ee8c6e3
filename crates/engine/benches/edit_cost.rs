//! Cost of one fader-drag edit (apply + history + sync plan) on a large session: 200
//! tracks with 4 inserts each and 50,000 automation points; and the memory a 500-step
//! history holds. Run: `cargo bench -p stemdesk-engine --bench edit_cost`.

// A counting allocator needs `unsafe impl GlobalAlloc`; it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use stemdesk_dsp::{EffectKind, EffectParams};
use stemdesk_engine::live::plan_changes;
use stemdesk_session::*;

/// Counts live heap bytes, to measure what the history holds.
struct Counting;
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator; only adds bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const TRACKS: usize = 200;
const POINTS: usize = 50_000;

fn big_session() -> Session {
    let mut s = Session::new(48_000);
    let kinds = [
        EffectKind::Eq,
        EffectKind::Compressor,
        EffectKind::Gate,
        EffectKind::Delay,
    ];
    for t in 0..TRACKS {
        let id = TrackId(s.alloc_id());
        let inserts = kinds
            .iter()
            .map(|&k| Insert {
                id: InsertId(s.alloc_id()),
                bypass: false,
                effect: EffectParams::new_default(k, true),
                sidechain: None,
            })
            .collect();
        let clip = Clip {
            id: ClipId(s.alloc_id()),
            source: format!("stem{t}.wav").into(),
            position_frames: 0,
            offset_frames: 0,
            length_frames: 48_000 * 200,
            gain_db: 0.0,
            fade_in: Fade::default(),
            fade_out: Fade::default(),
        };
        s.tracks.push(Track {
            id,
            name: format!("Track {t}"),
            color: Color::default(),
            clips: vec![clip],
            strip: Strip {
                inserts,
                ..Strip::default()
            },
        });
    }
    // One lane per track (fader), points spread over 200 s.
    let per_lane = POINTS / TRACKS;
    let ids: Vec<TrackId> = s.tracks.iter().map(|t| t.id).collect();
    for id in ids {
        let lane = AutomationLane {
            id: LaneId(s.alloc_id()),
            target: ParamId {
                strip: StripId::Track(id),
                param: StripParam::GainDb,
            },
            enabled: true,
            points: (0..per_lane)
                .map(|i| Breakpoint {
                    time_frames: i as u64 * 38_400,
                    value: -6.0 + (i % 7) as f32,
                    curve: CurveShape::Linear,
                })
                .collect(),
        };
        s.automation.push(lane);
    }
    s
}

fn fader_edit(c: &mut Criterion) {
    let session = big_session();
    let strip = StripId::Track(session.tracks[100].id);
    let mut history = History::new(session);
    let drag = history.gesture();
    let mut gain = 0.0f32;
    c.bench_function("fader drag edit (apply + history + sync plan)", |b| {
        b.iter(|| {
            gain = if gain < -20.0 { 0.0 } else { gain - 0.1 };
            let change = history
                .apply_in_gesture(
                    &Edit::SetGain {
                        strip,
                        gain_db: gain,
                    },
                    Some(drag),
                )
                .expect("valid");
            black_box(plan_changes(&[change], history.session()));
        })
    });
}

fn history_memory(c: &mut Criterion) {
    let session = big_session();
    let strips: Vec<StripId> = session
        .tracks
        .iter()
        .map(|t| StripId::Track(t.id))
        .collect();
    let start = LIVE_BYTES.load(Ordering::Relaxed);
    let copy = session.clone();
    let session_bytes = LIVE_BYTES.load(Ordering::Relaxed) - start;
    drop(copy);
    let mut history = History::new(session);
    let base = LIVE_BYTES.load(Ordering::Relaxed);
    for step in 0..500 {
        history
            .apply(&Edit::SetGain {
                strip: strips[step % strips.len()],
                gain_db: -(step as f32 % 30.0),
            })
            .expect("valid");
    }
    let end = LIVE_BYTES.load(Ordering::Relaxed);
    eprintln!(
        "session {:.2} MB; 500-step history holds {:.3} MB beyond it \
         (its own estimate: {:.3} MB)",
        session_bytes as f64 / 1e6,
        (end - base) as f64 / 1e6,
        history.approx_bytes() as f64 / 1e6
    );
    black_box(&history);
    // Undo and redo of a fader step on the same session.
    c.bench_function("undo + redo of a fader edit", |b| {
        b.iter(|| {
            black_box(history.undo());
            black_box(history.redo());
        })
    });
}

criterion_group!(benches, fader_edit, history_memory);
criterion_main!(benches);
