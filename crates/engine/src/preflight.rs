//! The preflight check: a bounce against the session's delivery spec. Each rule passes or
//! fails with the measured value and, where it fails, when in the song.

use stemdesk_dsp::EffectParams;
use stemdesk_media::SampleFormat;
use stemdesk_session::{DeliverySpec, Session, StripId};

use crate::render::RenderReport;

/// A compressor at or above this ratio on the master counts as a limiter.
const LIMITER_RATIO: f32 = 10.0;

/// One rule's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What the rule asks ("true peak at most -1.0 dBTP").
    pub rule: String,
    /// Whether the mix meets it.
    pub passed: bool,
    /// What was found ("-0.4 dBTP at 2:31.200").
    pub found: String,
}

fn check(rule: String, passed: bool, found: String) -> Check {
    Check {
        rule,
        passed,
        found,
    }
}

/// `m:ss.mmm` for positions in the song.
pub fn clock(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!("{}:{:02}.{:03}", ms / 60_000, (ms / 1000) % 60, ms % 1000)
}

/// Rules about the session itself, checkable before rendering: solo, a muted master, a
/// limiter on the master.
pub fn check_session(session: &Session, spec: &DeliverySpec) -> Vec<Check> {
    let mut out = Vec::new();
    let soloed: Vec<String> = session
        .tracks
        .iter()
        .filter(|t| t.strip.solo)
        .map(|t| session.strip_name(StripId::Track(t.id)))
        .chain(
            session
                .buses
                .iter()
                .filter(|b| b.strip.solo)
                .map(|b| session.strip_name(StripId::Bus(b.id))),
        )
        .collect();
    out.push(check(
        "no strip soloed".into(),
        soloed.is_empty() || spec.allow_solo,
        if soloed.is_empty() {
            "none".into()
        } else {
            format!(
                "{} soloed: only what it feeds is in the mix",
                soloed.join(", ")
            )
        },
    ));
    out.push(check(
        "the master is not muted".into(),
        !session.master.mute,
        if session.master.mute { "muted" } else { "on" }.into(),
    ));
    let limiter = session.master.inserts.iter().find_map(|i| match &i.effect {
        _ if i.bypass => None,
        EffectParams::Compressor(c) if c.ratio >= LIMITER_RATIO => Some(format!(
            "a compressor at {:.0}:1 limits the master",
            c.ratio
        )),
        EffectParams::Limiter(l) => Some(format!(
            "a limiter (ceiling {:.1} dBTP) is on the master",
            l.ceiling_db
        )),
        _ => None,
    });
    out.push(check(
        "no limiter on the master".into(),
        limiter.is_none() || spec.allow_master_limiter,
        limiter.unwrap_or_else(|| "none".into()),
    ));
    out
}

/// Every rule of `spec` against a finished bounce in `format` of `session`.
pub fn check_bounce(
    session: &Session,
    spec: &DeliverySpec,
    format: Option<SampleFormat>,
    report: &RenderReport,
) -> Vec<Check> {
    let mut out = check_session(session, spec);
    let start_s = report.start_s;
    if let Some(a) = &report.analysis {
        let tp = a.true_peak_dbtp[0].max(a.true_peak_dbtp[1]);
        let max = f64::from(spec.max_true_peak_dbtp);
        // The first place above the limit when it was noted, else where the highest is.
        let at_s = a
            .high_true_peaks
            .iter()
            .find(|(_, db)| *db > max)
            .map_or(a.max_true_peak_s, |(t, _)| *t);
        let at = format!(" at {}", clock(start_s + at_s));
        out.push(check(
            format!("true peak at most {max:.1} dBTP"),
            tp <= max,
            format!("{tp:.2} dBTP{}", if tp > max { at } else { String::new() }),
        ));
        if let Some(target) = spec.target_lufs {
            let (target, tol) = (f64::from(target), f64::from(spec.target_tolerance_lu));
            let i = a.integrated_lufs;
            out.push(check(
                format!("integrated loudness {target:.1} LUFS ±{tol:.1} LU"),
                i.is_some_and(|i| (i - target).abs() <= tol),
                i.map_or("not measurable (silence)".into(), |i| {
                    format!("{i:.1} LUFS")
                }),
            ));
        }
    }
    let peak = report.peak_dbfs();
    let max_peak = f64::from(spec.max_sample_peak_dbfs);
    out.push(check(
        format!("headroom: sample peak at most {max_peak:.1} dBFS"),
        peak <= max_peak,
        format!("{peak:.2} dBFS"),
    ));
    let clips = report
        .analysis
        .as_ref()
        .map_or(report.clipped_samples, |a| {
            a.clipped_samples.max(report.clipped_samples)
        });
    let first_clip = report
        .analysis
        .as_ref()
        .and_then(|a| a.clip_positions.first())
        .map_or(String::new(), |(t, _)| {
            format!(", first at {}", clock(start_s + t))
        });
    out.push(check(
        "no samples beyond full scale".into(),
        clips == 0,
        if clips == 0 {
            "none".into()
        } else {
            format!("{clips} samples{first_clip}")
        },
    ));
    if let Some(format) = format {
        let ok = format != SampleFormat::Int16 || spec.allow_16_bit;
        out.push(check(
            "24-bit or 32-bit float".into(),
            ok,
            match format {
                SampleFormat::Int16 => "16-bit".into(),
                SampleFormat::Int24 => "24-bit".into(),
                SampleFormat::Float32 => "32-bit float".into(),
            },
        ));
    }
    out.push(check(
        "the effect tail is complete".into(),
        !report.tail_cut,
        if report.tail_cut {
            "still ringing at the longest tail allowed (faded out)".into()
        } else {
            "complete".into()
        },
    ));
    out
}
