//! The preflight check: each rule of the delivery spec with its measured value and, when
//! it fails, where.
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use stemdesk_dsp::{EffectKind, EffectParams};
use stemdesk_engine::preflight::{check_bounce, check_session, clock};
use stemdesk_engine::{Flow, RenderRequest, SourceAudio, SourceMap, render};
use stemdesk_media::SampleFormat;
use stemdesk_session::*;

const RATE: u32 = 48_000;

/// Silence, then a loud 1 kHz burst from 2.5 s to 3 s.
fn session_with_burst(amp: f32) -> (Session, SourceMap) {
    let mut x = vec![0.0f32; RATE as usize * 4];
    for (i, v) in x
        .iter_mut()
        .enumerate()
        .skip(RATE as usize * 5 / 2)
        .take(RATE as usize / 2)
    {
        *v = amp * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / RATE as f32).sin();
    }
    let mut sources = SourceMap::new();
    sources.insert(
        resolve_media(Path::new("/p"), Path::new("x.wav")),
        Arc::new(SourceAudio::new(vec![x.clone(), x])),
    );
    let mut s = Session::new(RATE);
    let (t, c) = (TrackId(s.alloc_id()), ClipId(s.alloc_id()));
    s.tracks.push(Track {
        id: t,
        name: "Vocals".into(),
        color: Color::default(),
        clips: vec![Clip {
            id: c,
            source: "x.wav".into(),
            position_frames: 0,
            offset_frames: 0,
            length_frames: u64::from(RATE) * 4,
            gain_db: 0.0,
            fade_in: Fade::default(),
            fade_out: Fade::default(),
        }],
        strip: Strip::default(),
    });
    (s, sources)
}

#[test]
fn a_hot_true_peak_is_reported_with_its_time() {
    let (session, sources) = session_with_burst(0.97);
    let req = RenderRequest::whole(&session, Path::new("/p"), &sources);
    let report = render(&req, None, |_| Flow::Continue).expect("renders");
    let checks = check_bounce(
        &session,
        &session.delivery,
        Some(SampleFormat::Int24),
        &report,
    );
    let tp = checks
        .iter()
        .find(|c| c.rule.starts_with("true peak"))
        .expect("true-peak rule");
    assert!(!tp.passed, "{tp:?}");
    // Positions are per 1024-frame block (21 ms) of the mix: at 2.5 s, within a block.
    let at = tp.found.split(" at ").nth(1).expect("a position");
    assert!(
        at.starts_with("0:02.4") || at.starts_with("0:02.5"),
        "{}",
        tp.found
    );
    let headroom = checks
        .iter()
        .find(|c| c.rule.starts_with("headroom"))
        .expect("rule");
    assert!(!headroom.passed, "-0.26 dBFS has no headroom: {headroom:?}");
    // With a spec that allows it, it passes.
    let lenient = DeliverySpec {
        max_true_peak_dbtp: 0.5,
        max_sample_peak_dbfs: 0.0,
        ..DeliverySpec::default()
    };
    let checks = check_bounce(&session, &lenient, Some(SampleFormat::Int24), &report);
    assert!(checks.iter().all(|c| c.passed), "{checks:?}");
}

/// A stricter spec than -1 dBTP still gets the time of the failure: a burst at -3 dBTP
/// against a -6 dBTP limit.
#[test]
fn a_strict_true_peak_limit_names_where_it_fails() {
    let (session, sources) = session_with_burst(0.7);
    let req = RenderRequest::whole(&session, Path::new("/p"), &sources);
    let report = render(&req, None, |_| Flow::Continue).expect("renders");
    let strict = DeliverySpec {
        max_true_peak_dbtp: -6.0,
        ..DeliverySpec::default()
    };
    let checks = check_bounce(&session, &strict, Some(SampleFormat::Int24), &report);
    let tp = checks
        .iter()
        .find(|c| c.rule.starts_with("true peak"))
        .expect("true-peak rule");
    assert!(!tp.passed);
    let at = tp.found.split(" at ").nth(1).expect("a position");
    assert!(
        at.starts_with("0:02.4") || at.starts_with("0:02.5"),
        "{}",
        tp.found
    );
}

#[test]
fn solo_and_a_limiter_on_the_master_are_named_before_bouncing() {
    let (mut session, _) = session_with_burst(0.5);
    session.tracks[0].strip.solo = true;
    let mut limiter = EffectParams::new_default(EffectKind::Compressor, false);
    limiter.set("ratio", 20.0).expect("ratio");
    let id = InsertId(session.alloc_id());
    session.master.inserts.push(Insert {
        id,
        bypass: false,
        effect: limiter,
        sidechain: None,
    });
    let checks = check_session(&session, &session.delivery);
    let failed: Vec<_> = checks.iter().filter(|c| !c.passed).collect();
    assert_eq!(failed.len(), 2, "{checks:?}");
    assert!(failed[0].found.contains("track \"Vocals\" soloed"));
    assert!(failed[1].found.contains("20:1"));
    assert_eq!(clock(151.2), "2:31.200");
    // The true-peak limiter is named too; bypassed, it is not.
    session.master.inserts[0].effect = EffectParams::new_default(EffectKind::Limiter, false);
    let checks = check_session(&session, &session.delivery);
    let failed: Vec<_> = checks.iter().filter(|c| !c.passed).collect();
    assert!(
        failed[1].found.contains("a limiter (ceiling -1.0 dBTP)"),
        "{failed:?}"
    );
    session.master.inserts[0].bypass = true;
    let checks = check_session(&session, &session.delivery);
    assert_eq!(checks.iter().filter(|c| !c.passed).count(), 1);
}
