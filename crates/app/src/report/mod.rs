//! The bounce report handed over with a mix: JSON for machines, a self-contained HTML page
//! for people (no network requests), and a summary table for the terminal. Written beside
//! the mix as `NAME.report.json` and `NAME.report.html`.

mod html;
mod json;

use std::path::{Path, PathBuf};

use stemdesk_engine::RenderReport;
use stemdesk_engine::preflight::Check;
use stemdesk_engine::stems::StemsReport;
use stemdesk_media::{Dither, SampleFormat};

pub use html::html;
pub use json::json;

/// What a report describes.
pub struct ReportInput<'a> {
    /// The bounced file.
    pub mix: &'a Path,
    /// The session it came from.
    pub session_file: Option<&'a Path>,
    /// Its sample format.
    pub format: SampleFormat,
    /// Its dither.
    pub dither: Dither,
    /// The figures.
    pub report: &'a RenderReport,
    /// The preflight verdicts.
    pub checks: &'a [Check],
    /// The stems written with the mix, if any.
    pub stems: Option<&'a StemsReport>,
}

impl ReportInput<'_> {
    /// Whether every preflight rule passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

/// The tags a bounce carries: `title` and `artist`, now as the origination date and time,
/// Stemdesk as the software, and where in the song it starts.
pub fn metadata_for(title: String, artist: String, start_frames: u64) -> stemdesk_media::Metadata {
    let (date, time) = stemdesk_media::Metadata::now();
    stemdesk_media::Metadata {
        title,
        artist,
        date,
        time,
        software: format!("Stemdesk {}", env!("CARGO_PKG_VERSION")),
        time_reference_frames: start_frames,
    }
}

/// Where the reports of `mix` go: beside it, `NAME.report.json` and `NAME.report.html`.
pub fn report_paths(mix: &Path) -> (PathBuf, PathBuf) {
    let stem = mix
        .file_stem()
        .map_or_else(|| "mix".to_owned(), |s| s.to_string_lossy().into_owned());
    let dir = mix.parent().unwrap_or(Path::new("."));
    (
        dir.join(format!("{stem}.report.json")),
        dir.join(format!("{stem}.report.html")),
    )
}

/// Writes both reports beside the mix (each atomically: a failure leaves no half file);
/// returns their paths.
pub fn write_reports(input: &ReportInput<'_>) -> anyhow::Result<(PathBuf, PathBuf)> {
    let (json_path, html_path) = report_paths(input.mix);
    write_atomic(&json_path, json(input).as_bytes())?;
    write_atomic(&html_path, html(input).as_bytes())?;
    Ok((json_path, html_path))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    // 0666 less the umask, like any file the user creates.
    let mut tmp = tempfile::Builder::new()
        .prefix(".stemdesk-report-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The sample format as the report says it.
pub fn format_name(format: SampleFormat) -> &'static str {
    match format {
        SampleFormat::Int16 => "16-bit",
        SampleFormat::Int24 => "24-bit",
        SampleFormat::Float32 => "32-bit float",
    }
}

/// The dither as the report says it.
pub fn dither_name(dither: Dither) -> &'static str {
    match dither {
        Dither::Off => "none",
        Dither::Tpdf => "TPDF",
        Dither::TpdfShaped => "TPDF, noise-shaped",
    }
}

/// `-3.21`, or `n/a` for a figure that is not defined (silence).
pub fn figure(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        Some(v) if v < 0.0 => "-inf".into(),
        _ => "n/a".into(),
    }
}

/// The figures as (name, value) rows: the terminal table, the HTML page and the desk's
/// report window all show these.
pub fn figure_rows(r: &RenderReport) -> Vec<(String, String)> {
    let pair = |a: f64, b: f64, unit: &str| {
        format!("{} / {} {unit}", figure(Some(a), 2), figure(Some(b), 2))
    };
    let mut rows: Vec<(String, String)> = vec![
        ("Length".into(), format!("{:.3} s", r.duration_s())),
        (
            "Normalised by".into(),
            r.normalize_gain_db
                .map_or_else(|| "not normalised".to_owned(), |g| format!("{g:+.2} dB")),
        ),
        (
            "Sample peak L / R".into(),
            pair(r.sample_peak_dbfs[0], r.sample_peak_dbfs[1], "dBFS"),
        ),
    ];
    if let Some(a) = r.analysis.as_ref() {
        rows.extend([
            (
                "True peak L / R".into(),
                pair(a.true_peak_dbtp[0], a.true_peak_dbtp[1], "dBTP"),
            ),
            (
                "Integrated".into(),
                format!("{} LUFS", figure(a.integrated_lufs, 1)),
            ),
            (
                "Loudness range".into(),
                format!("{} LU", figure(a.loudness_range_lu, 1)),
            ),
            (
                "Max momentary / short-term".into(),
                format!(
                    "{} / {} LUFS",
                    figure(a.max_momentary_lufs, 1),
                    figure(a.max_short_term_lufs, 1)
                ),
            ),
            ("PLR".into(), format!("{} dB", figure(a.plr_db, 1))),
            ("Correlation".into(), figure(a.correlation, 2)),
            (
                "Folded to mono".into(),
                format!("{} LU", figure(a.mono_fold_change_lu, 1)),
            ),
            (
                "DC offset L / R".into(),
                format!("{:.5} / {:.5}", a.dc_offset[0], a.dc_offset[1]),
            ),
        ]);
    }
    rows.push(("Clipped samples".into(), r.clipped_samples.to_string()));
    rows
}

/// The figures and the verdict as aligned lines for a terminal.
pub fn summary_table(input: &ReportInput<'_>) -> String {
    let rows = figure_rows(input.report);
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in &rows {
        out.push_str(&format!("  {k:<width$}  {v}\n"));
    }
    out.push_str(&format!(
        "preflight: {}\n",
        if input.passed() { "passed" } else { "FAILED" }
    ));
    for c in input.checks {
        out.push_str(&format!(
            "  [{}] {}: {}\n",
            if c.passed { "ok" } else { "!!" },
            c.rule,
            c.found
        ));
    }
    out
}
