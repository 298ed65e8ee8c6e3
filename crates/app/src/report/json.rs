//! The report as JSON: every figure as a number (`null` when undefined), positions in
//! seconds from the start of the song.

use super::{ReportInput, dither_name, format_name};
use serde_json::{Value, json as j};

fn num(x: f64) -> Value {
    if x.is_finite() { j!(x) } else { Value::Null }
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, num)
}

/// The report as a JSON document.
pub fn json(input: &ReportInput<'_>) -> String {
    let r = input.report;
    let start_s = r.start_s;
    let analysis = r.analysis.as_ref().map_or(Value::Null, |a| {
        j!({
            "integrated_lufs": opt(a.integrated_lufs),
            "loudness_range_lu": opt(a.loudness_range_lu),
            "max_momentary_lufs": opt(a.max_momentary_lufs),
            "max_short_term_lufs": opt(a.max_short_term_lufs),
            "true_peak_dbtp": a.true_peak_dbtp.map(num),
            "plr_db": opt(a.plr_db),
            "dc_offset": a.dc_offset.map(num),
            "correlation": opt(a.correlation),
            "mono_fold_change_lu": opt(a.mono_fold_change_lu),
            "clipped_samples": a.clipped_samples,
            "clip_positions": a.clip_positions.iter()
                .map(|(t, c)| j!({"time_s": num(start_s + t), "channel": c}))
                .collect::<Vec<_>>(),
            "max_true_peak_time_s": num(start_s + a.max_true_peak_s),
            "high_true_peaks": a.high_true_peaks.iter()
                .map(|(t, db)| j!({"time_s": num(start_s + t), "dbtp": num(*db)}))
                .collect::<Vec<_>>(),
            "short_term_lufs": a.short_term_lufs.iter()
                .map(|(t, l)| j!([num(start_s + t), num(*l)]))
                .collect::<Vec<_>>(),
        })
    });
    let doc = j!({
        "stemdesk_version": env!("CARGO_PKG_VERSION"),
        "file": input.mix.display().to_string(),
        "session": input.session_file.map(|p| p.display().to_string()),
        "format": format_name(input.format),
        "dither": dither_name(input.dither),
        "sample_rate_hz": r.sample_rate_hz,
        "start_s": num(start_s),
        "frames": r.frames,
        "duration_s": num(r.duration_s()),
        "sample_peak_dbfs": r.sample_peak_dbfs.map(num),
        "clipped_samples": r.clipped_samples,
        "tail_cut": r.tail_cut,
        "normalize_gain_db": r.normalize_gain_db.map(num),
        "analysis": analysis,
        "warnings": r.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "stems": input.stems.map_or(Value::Null, |s| j!({
            "files": s.files.iter()
                .map(|f| j!({"file": f.path.display().to_string(), "peak_dbfs": num(f.peak_dbfs)}))
                .collect::<Vec<_>>(),
            "frames": s.frames,
            "null_residual_dbfs": num(s.null_residual_dbfs),
        })),
        "preflight": {
            "passed": input.passed(),
            "checks": input.checks.iter()
                .map(|c| j!({"rule": c.rule, "passed": c.passed, "found": c.found}))
                .collect::<Vec<_>>(),
        },
    });
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
