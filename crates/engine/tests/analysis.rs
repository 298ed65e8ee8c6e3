//! Loudness and peak analysis against known values (EBU Tech 3341-style signals made
//! here), and the stereo figures, DC, clip positions and a cut tail.
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use stemdesk_dsp::{EffectKind, EffectParams};
use stemdesk_engine::analysis::Analysis;
use stemdesk_engine::{Flow, RenderReport, RenderRequest, SourceAudio, SourceMap, render};
use stemdesk_session::*;

const RATE: u32 = 48_000;

fn sine(peak_db: f64, freq_hz: f64, seconds: f64, phase: f64) -> Vec<f32> {
    let amp = 10f64.powf(peak_db / 20.0);
    (0..(seconds * f64::from(RATE)) as usize)
        .map(|i| {
            (amp * (2.0 * std::f64::consts::PI * freq_hz * i as f64 / f64::from(RATE) + phase)
                .sin()) as f32
        })
        .collect()
}

/// Renders a one-track session playing `left`/`right` unchanged (no tail).
fn analyse_with(
    left: Vec<f32>,
    right: Vec<f32>,
    inserts: Vec<Insert>,
    tail_s: f64,
) -> RenderReport {
    let frames = left.len() as u64;
    let dir = Path::new("/nonexistent-analysis");
    let mut sources = SourceMap::new();
    sources.insert(
        resolve_media(dir, Path::new("x.wav")),
        Arc::new(SourceAudio::new(vec![left, right])),
    );
    let mut s = Session::new(RATE);
    let (track, clip) = (TrackId(s.alloc_id()), ClipId(s.alloc_id()));
    let inserts = inserts
        .into_iter()
        .map(|i| Insert {
            id: InsertId(s.alloc_id()),
            ..i
        })
        .collect();
    s.tracks.push(Track {
        id: track,
        name: "x".into(),
        color: Color::default(),
        clips: vec![Clip {
            id: clip,
            source: "x.wav".into(),
            position_frames: 0,
            offset_frames: 0,
            length_frames: frames,
            gain_db: 0.0,
            fade_in: Fade::default(),
            fade_out: Fade::default(),
        }],
        strip: Strip {
            inserts,
            ..Strip::default()
        },
    });
    let req = RenderRequest {
        max_tail_s: tail_s,
        ..RenderRequest::whole(&s, dir, &sources)
    };
    render(&req, None, |_| Flow::Continue).expect("renders")
}

fn analyse(left: Vec<f32>, right: Vec<f32>) -> Analysis {
    analyse_with(left, right, Vec::new(), 0.0)
        .analysis
        .expect("measured")
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn ebu_3341_style_sines_read_their_loudness() {
    for level in [-23.0, -33.0] {
        let x = sine(level, 1000.0, 20.0, 0.0);
        let a = analyse(x.clone(), x);
        let i = a.integrated_lufs.expect("integrated");
        assert!(close(i, level, 0.1), "{level} dBFS sine: {i:.2} LUFS");
        let m = a.max_momentary_lufs.expect("momentary");
        let s = a.max_short_term_lufs.expect("short-term");
        assert!(close(m, level, 0.1) && close(s, level, 0.1), "{m} {s}");
        assert!(
            a.loudness_range_lu.expect("LRA") < 0.1,
            "a steady tone has no range"
        );
    }
}

#[test]
fn the_relative_gate_ignores_quiet_passages() {
    // -36, -23, -36 dBFS for 10, 60, 10 s: integrated -23 LUFS (Tech 3341 case 3).
    let mut x = sine(-36.0, 1000.0, 10.0, 0.0);
    x.extend(sine(-23.0, 1000.0, 60.0, 0.0));
    x.extend(sine(-36.0, 1000.0, 10.0, 0.0));
    let a = analyse(x.clone(), x);
    let i = a.integrated_lufs.expect("integrated");
    assert!(close(i, -23.0, 0.1), "{i:.2} LUFS");
    // Short-term loudness once a second follows the steps.
    assert!(a.short_term_lufs.len() >= 78, "{}", a.short_term_lufs.len());
    let at = |t: f64| {
        a.short_term_lufs
            .iter()
            .find(|(s, _)| *s >= t)
            .map(|(_, l)| *l)
            .expect("a value")
    };
    assert!(close(at(8.0), -36.0, 0.2) && close(at(40.0), -23.0, 0.2));
}

#[test]
fn inter_sample_peaks_show_in_the_true_peak() {
    // fs/4 at 45 degrees: every sample at 0.707 of the peak, so the sample peak reads
    // 3 dB low; the true peak finds the crest between samples.
    let x = sine(
        -6.0,
        f64::from(RATE) / 4.0,
        2.0,
        std::f64::consts::FRAC_PI_4,
    );
    let report = analyse_with(x.clone(), x, Vec::new(), 0.0);
    let sample = report.peak_dbfs();
    let tp = report.max_true_peak_dbtp().expect("true peak");
    assert!(close(sample, -9.01, 0.05), "sample peak {sample:.2}");
    assert!(close(tp, -6.0, 0.5), "true peak {tp:.2} dBTP");
    let a = report.analysis.expect("measured");
    assert!(close(
        a.plr_db.expect("PLR"),
        tp - a.integrated_lufs.expect("I"),
        1e-9
    ));
}

#[test]
fn correlation_mono_fold_dc_and_clips() {
    let x = sine(-12.0, 440.0, 5.0, 0.0);
    let same = analyse(x.clone(), x.clone());
    assert!(close(same.correlation.expect("defined"), 1.0, 1e-6));
    assert!(close(same.mono_fold_change_lu.expect("defined"), 0.0, 0.05));

    let inverted: Vec<f32> = x.iter().map(|v| -v).collect();
    let opposite = analyse(x.clone(), inverted);
    assert!(close(opposite.correlation.expect("defined"), -1.0, 1e-6));
    assert_eq!(
        opposite.mono_fold_change_lu, None,
        "folded to mono it cancels: no loudness"
    );

    let quarter = sine(-12.0, 440.0, 5.0, std::f64::consts::FRAC_PI_2);
    let wide = analyse(x.clone(), quarter);
    assert!(close(wide.correlation.expect("defined"), 0.0, 0.01));
    let fold = wide.mono_fold_change_lu.expect("defined");
    assert!(
        close(fold, -3.0, 0.2),
        "uncorrelated: -3 LU in mono, got {fold:.2}"
    );

    let mut dc: Vec<f32> = x.iter().map(|v| v + 0.01).collect();
    dc[RATE as usize] = 1.5; // one over, at 1.000 s
    let a = analyse(dc, x);
    assert!(close(a.dc_offset[0], 0.01, 1e-3) && close(a.dc_offset[1], 0.0, 1e-3));
    assert_eq!(a.clipped_samples, 1);
    assert_eq!(a.clip_positions, vec![(1.0, 0)]);
    assert_eq!(a.overview.len(), 50, "one overview bucket per 100 ms");
}

#[test]
fn a_tail_still_ringing_at_the_limit_is_faded_and_reported() {
    let burst = sine(-6.0, 300.0, 0.5, 0.0);
    let mut reverb = EffectParams::new_default(EffectKind::Reverb, false);
    reverb.set("decay_s", 30.0).expect("decay");
    let insert = Insert {
        id: InsertId(0),
        bypass: false,
        effect: reverb,
        sidechain: None,
    };
    let report = analyse_with(burst.clone(), burst.clone(), vec![insert.clone()], 1.0);
    assert!(report.tail_cut);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| matches!(w, stemdesk_engine::RenderWarning::TailCut { .. }))
    );
    assert_eq!(
        report.frames,
        u64::from(RATE) * 3 / 2,
        "0.5 s plus the 1 s limit"
    );
    // A short reverb dies within the limit: not cut, and the render stops before it.
    let mut short = insert;
    if let EffectParams::Reverb(r) = &mut short.effect {
        r.decay_s = 0.3;
    }
    let report = analyse_with(burst.clone(), burst, vec![short], 5.0);
    assert!(!report.tail_cut);
    assert!(report.frames < u64::from(RATE) * 5, "{}", report.frames);
    assert!(
        report.frames > u64::from(RATE) / 2 + 4800,
        "the tail is kept"
    );
}

/// Momentary and short-term loudness are built from 100 ms blocks; they must read what
/// the meter itself reads over 400 ms and 3 s at the same moments (bursts of 150 ms).
#[test]
fn momentary_and_short_term_maxima_match_the_meter_read_directly() {
    let rate = 48_000usize;
    let mut x = Vec::new();
    for k in 0..40 {
        let level = -30.0 + (k % 7) as f64 * 3.0;
        x.extend(sine(level, 997.0, 0.15, 0.0));
        x.extend(std::iter::repeat_n(0.0f32, rate * (5 + k % 3) / 100));
    }
    let a = analyse(x.clone(), x.clone());
    let mut meter =
        ebur128::EbuR128::new(2, rate as u32, ebur128::Mode::M | ebur128::Mode::S).expect("meter");
    let (mut m_max, mut s_max) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    let hop = rate / 10;
    for (k, chunk) in x.chunks(hop).enumerate() {
        let frames: Vec<f32> = chunk.iter().flat_map(|v| [*v, *v]).collect();
        meter.add_frames_f32(&frames).expect("add");
        if chunk.len() == hop {
            m_max = m_max.max(meter.loudness_momentary().expect("M"));
            if (k + 1) % 5 == 0 {
                s_max = s_max.max(meter.loudness_shortterm().expect("S"));
            }
        }
    }
    let m = a.max_momentary_lufs.expect("momentary");
    let s = a.max_short_term_lufs.expect("short-term");
    assert!(close(m, m_max, 0.01), "momentary {m} vs {m_max}");
    assert!(close(s, s_max, 0.01), "short-term {s} vs {s_max}");
}
