//! Delay compensation: a limiter's lookahead delays its strip, and the graph delays every
//! other path by as much and reads the sources that far ahead, so a track with a limiter
//! nulls against its inverted copy without one, on tracks, buses and sends alike, and the
//! output stays on the timeline from any start or locate, bypassed or not.
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use stemdesk_dsp::{EffectKind, EffectParams};
use stemdesk_e2e::{add_bus, append_insert, track_with_clip};
use stemdesk_engine::{SourceAudio, SourceMap, Threads, compile};
use stemdesk_session::*;

const FRAMES: usize = 24_000;

/// Noise at about -20 dBFS: never reaches a limiter's -1 dB ceiling, so the limiter is
/// a pure delay and a compensated copy must null exactly.
fn noise(seed: u32) -> Vec<Vec<f32>> {
    let mut s = seed.max(1);
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        (s as f32 / u32::MAX as f32 - 0.5) * 0.2
    };
    let l: Vec<f32> = (0..FRAMES).map(|_| next()).collect();
    let r: Vec<f32> = (0..FRAMES).map(|_| next()).collect();
    vec![l, r]
}

struct Desk {
    session: Session,
    sources: SourceMap,
}

impl Desk {
    fn new() -> Self {
        let mut sources = SourceMap::new();
        sources.insert(
            resolve_media(Path::new("."), Path::new("n.wav")),
            Arc::new(SourceAudio::new(noise(7))),
        );
        Desk {
            session: Session::new(48_000),
            sources,
        }
    }

    fn track(&mut self, invert: bool) -> StripId {
        let n = self.session.tracks.len();
        let mut t = track_with_clip(
            &mut self.session,
            &format!("T{n}"),
            "n.wav".into(),
            FRAMES as u64,
        );
        t.strip.polarity_invert = invert;
        let id = t.id;
        self.session.tracks.push(t);
        StripId::Track(id)
    }

    fn bus(&mut self) -> BusId {
        let name = format!("B{}", self.session.next_id);
        add_bus(&mut self.session, &name)
    }

    fn limiter(&mut self, strip: StripId, bypass: bool) {
        let insert = Insert {
            bypass,
            ..Insert::new(
                InsertId(self.session.alloc_id()),
                EffectParams::new_default(EffectKind::Limiter, true),
            )
        };
        append_insert(&mut self.session, strip, insert);
    }

    fn edit(&mut self, e: Edit) {
        self.session.apply(&e).expect("valid edit");
    }

    /// Renders `[from, from + len)` in blocks of `block` (one locate at `from`).
    fn render(&self, from: u64, len: usize, block: usize) -> (Vec<f32>, Vec<f32>) {
        let mut g = compile(&self.session, Path::new("."), &self.sources, block);
        let mut l = vec![0.0; len];
        let mut r = vec![0.0; len];
        let mut done = 0;
        while done < len {
            let n = block.min(len - done);
            g.render(
                from + done as u64,
                &mut l[done..done + n],
                &mut r[done..done + n],
                Threads::Single,
            );
            done += n;
        }
        (l, r)
    }
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
}

#[test]
fn a_track_with_a_limiter_nulls_against_its_inverted_copy_without_one() {
    let mut d = Desk::new();
    let a = d.track(false);
    d.track(true);
    d.limiter(a, false);
    let (l, r) = d.render(0, FRAMES, 512);
    assert_eq!(peak(&l).max(peak(&r)), 0.0, "aligned to the sample");
    // Not trivially silent: without the inversion they add up.
    let mut d2 = Desk::new();
    let a2 = d2.track(false);
    d2.track(false);
    d2.limiter(a2, false);
    assert!(peak(&d2.render(0, FRAMES, 512).0) > 0.15);
}

#[test]
fn buses_and_sends_are_compensated_too() {
    // A -> bus with a limiter -> master; B (inverted) sends pre-fader to a second bus
    // that also carries a limiter, and its own output goes straight to the master, muted
    // by the send's own copy: every path meets the master aligned.
    let mut d = Desk::new();
    let a = d.track(false);
    let b = d.track(true);
    let limited = d.bus();
    d.limiter(StripId::Bus(limited), false);
    d.edit(Edit::SetOutput {
        strip: a,
        output: Output::Bus(limited),
    });
    let (l, r) = d.render(0, FRAMES, 300);
    assert_eq!(
        peak(&l).max(peak(&r)),
        0.0,
        "bus path against a direct path"
    );

    // A send from the inverted track into a limited bus, next to its direct path to a
    // plain bus: both buses feed the master, and A's bus path nulls the pair's sum.
    let other = d.bus();
    let send = Send {
        id: SendId(d.session.alloc_id()),
        target: limited,
        level_db: 0.0,
        pre_fader: false,
    };
    d.edit(Edit::AddSend { strip: b, send });
    d.edit(Edit::SetOutput {
        strip: b,
        output: Output::Bus(other),
    });
    d.limiter(b, false);
    // Now: A (limited bus) + B via send (limiter on B, then limited bus) + B direct
    // (limiter on B, plain bus): A + (-A) + (-A) = -A, delayed by nothing on the output.
    let (l, _) = d.render(0, FRAMES, 300);
    let mut plain = Desk::new();
    plain.track(true);
    let (expected, _) = plain.render(0, FRAMES, 300);
    assert_eq!(
        l, expected,
        "three paths of different latency, summed aligned"
    );
}

#[test]
fn the_output_stays_on_the_timeline_from_any_start_block_or_bypass() {
    let mut plain = Desk::new();
    plain.track(false);
    for bypass in [false, true] {
        let mut d = Desk::new();
        let t = d.track(false);
        d.limiter(t, bypass);
        d.limiter(StripId::Master, bypass);
        for (from, block) in [(0u64, 512usize), (0, 7), (10_000, 64), (123, 4096)] {
            let len = 8000;
            let got = d.render(from, len, block);
            let want = plain.render(from, len, 512);
            assert_eq!(got, want, "from {from}, blocks of {block}, bypass {bypass}");
        }
    }
}

#[test]
fn a_locate_mid_play_primes_the_delays_instead_of_playing_stale_audio() {
    let mut d = Desk::new();
    let t = d.track(false);
    d.limiter(t, false);
    let mut plain = Desk::new();
    plain.track(false);
    let mut g = compile(&d.session, Path::new("."), &d.sources, 256);
    let mut p = compile(&plain.session, Path::new("."), &plain.sources, 256);
    let (mut l, mut r) = (vec![0.0; 256], vec![0.0; 256]);
    let (mut pl, mut pr) = (vec![0.0; 256], vec![0.0; 256]);
    // Play, jump back (a loop), jump forward (a seek).
    for pos in [0u64, 256, 512, 100, 356, 20_000, 20_256] {
        g.render(pos, &mut l, &mut r, Threads::Single);
        p.render(pos, &mut pl, &mut pr, Threads::Single);
        assert_eq!((&l, &r), (&pl, &pr), "at {pos}");
    }
    assert_eq!(
        g.latency_frames(),
        (stemdesk_dsp::LOOKAHEAD_MS * 48.0) as usize + 16
    );
}

#[test]
fn a_compressor_with_lookahead_nulls_against_its_copy_without() {
    // Threshold above the noise: the compressor is unity gain, so only its lookahead
    // delay separates the two tracks; compensation makes them cancel exactly.
    let compressor = |lookahead_ms: f32| {
        let mut p = EffectParams::new_default(EffectKind::Compressor, true);
        p.set("threshold_db", 0.0).expect("key");
        p.set("lookahead_ms", lookahead_ms).expect("key");
        p
    };
    let mut d = Desk::new();
    let a = d.track(false);
    let b = d.track(true);
    for (strip, lookahead_ms) in [(a, 5.0), (b, 0.0)] {
        let insert = Insert {
            id: InsertId(d.session.alloc_id()),
            bypass: false,
            effect: compressor(lookahead_ms),
            sidechain: None,
        };
        d.edit(Edit::AddInsert {
            strip,
            index: 0,
            insert,
        });
    }
    let (l, r) = d.render(0, FRAMES, 512);
    assert_eq!(peak(&l).max(peak(&r)), 0.0);
    // Changing a lookahead changes the latency: a playing engine recompiles for it
    // (a parameter update would leave the compensation stale).
    let before = d.session.clone();
    let id = d.session.tracks[0].strip.inserts[0].id;
    d.edit(Edit::SetInsertParams {
        strip: a,
        insert: id,
        params: compressor(8.0),
    });
    assert_eq!(
        stemdesk_engine::live::plan_sync(&before, &d.session),
        stemdesk_engine::live::SyncPlan::Recompile
    );
    let mut same = d.session.clone();
    let threshold = compressor(8.0);
    let mut quieter = threshold.clone();
    quieter.set("threshold_db", -3.0).expect("key");
    same.tracks[0].strip.inserts[0].effect = quieter;
    assert!(matches!(
        stemdesk_engine::live::plan_sync(&d.session, &same),
        stemdesk_engine::live::SyncPlan::Params(_)
    ));
    let (l, r) = d.render(0, FRAMES, 333);
    assert_eq!(peak(&l).max(peak(&r)), 0.0, "still aligned at 8 ms");
}
