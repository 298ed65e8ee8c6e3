//! The report as one self-contained HTML page: figures, the preflight verdict and plots
//! (waveform overview with clip and true-peak marks, short-term loudness over time) as
//! inline SVG. No scripts, fonts or images from anywhere.

use std::fmt::Write;

use stemdesk_engine::preflight::clock;

use super::{ReportInput, dither_name, figure_rows, format_name};

const WIDTH: f64 = 900.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The report as an HTML page.
pub fn html(input: &ReportInput<'_>) -> String {
    let r = input.report;
    let name = input
        .mix
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut rows = vec![
        ("File".to_owned(), input.mix.display().to_string()),
        (
            "Format".to_owned(),
            format!(
                "{}, {} Hz, dither: {}",
                format_name(input.format),
                r.sample_rate_hz,
                dither_name(input.dither)
            ),
        ),
    ];
    rows.extend(figure_rows(r));
    let mut page = String::new();
    let verdict = if input.passed() {
        "<p class=ok>Preflight passed</p>"
    } else {
        "<p class=bad>Preflight failed</p>"
    };
    let _ = write!(
        page,
        "<!doctype html><html lang=en><meta charset=utf-8><title>Bounce report: {title}</title>\
         <style>body{{font:14px sans-serif;margin:2em;color:#222}}td{{padding:2px 12px 2px 0}}\
         .ok{{color:#176b2c;font-weight:bold}}.bad{{color:#b00020;font-weight:bold}}\
         svg{{background:#f4f4f4;display:block;margin:6px 0 18px}}</style>\
         <h1>Bounce report: {title}</h1>{verdict}<h2>Figures</h2><table>",
        title = escape(&name)
    );
    for (k, v) in &rows {
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(k),
            escape(v)
        );
    }
    page.push_str("</table><h2>Preflight</h2><table>");
    for c in input.checks {
        let _ = write!(
            page,
            "<tr><td class={}>{}</td><td>{}</td><td>{}</td></tr>",
            if c.passed { "ok" } else { "bad" },
            if c.passed { "pass" } else { "FAIL" },
            escape(&c.rule),
            escape(&c.found)
        );
    }
    page.push_str("</table>");
    if !r.warnings.is_empty() {
        page.push_str("<h2>Warnings</h2><ul>");
        for w in &r.warnings {
            let _ = write!(page, "<li>{}</li>", escape(&w.to_string()));
        }
        page.push_str("</ul>");
    }
    if let Some(st) = input.stems {
        let _ = write!(
            page,
            "<h2>Stems</h2><p>{} files; summed they differ from the mix (master processing \
             off) by at most {:.1} dBFS.</p><table>",
            st.files.len(),
            st.null_residual_dbfs
        );
        for f in &st.files {
            let _ = write!(
                page,
                "<tr><td>{}</td><td>peak {:.2} dBFS</td></tr>",
                escape(&f.path.display().to_string()),
                f.peak_dbfs
            );
        }
        page.push_str("</table>");
    }
    if let Some(a) = &r.analysis {
        page.push_str("<h2>Waveform</h2>");
        page.push_str(&waveform_svg(a, r.duration_s()));
        page.push_str("<h2>Short-term loudness (LUFS)</h2>");
        page.push_str(&loudness_svg(a, r.duration_s()));
    }
    page.push_str("<p>Made by Stemdesk.</p></html>\n");
    page
}

fn waveform_svg(a: &stemdesk_engine::analysis::Analysis, duration_s: f64) -> String {
    let h = 160.0;
    let n = a.overview.len().max(1) as f64;
    let mut svg = format!("<svg width='{WIDTH}' height='{h}' viewBox='0 0 {WIDTH} {h}'>");
    let mut d = String::new();
    for (i, (lo, hi)) in a.overview.iter().enumerate() {
        let x = i as f64 / n * WIDTH;
        let y0 = h / 2.0 - f64::from(hi.clamp(-1.0, 1.0)) * h / 2.0;
        let y1 = h / 2.0 - f64::from(lo.clamp(-1.0, 1.0)) * h / 2.0;
        let _ = write!(d, "M{x:.1} {y0:.1}V{:.1}", y1.max(y0 + 0.5));
    }
    let _ = write!(svg, "<path d='{d}' stroke='#3465a4' stroke-width='1'/>");
    let x_of = |t: f64| t / duration_s.max(1e-9) * WIDTH;
    for (t, db) in &a.high_true_peaks {
        let _ = write!(
            svg,
            "<line x1='{x:.1}' x2='{x:.1}' y1='0' y2='{h}' stroke='#e69500'><title>true peak \
             {db:.2} dBTP at {}</title></line>",
            clock(*t),
            x = x_of(*t)
        );
    }
    for (t, c) in &a.clip_positions {
        let _ = write!(
            svg,
            "<circle cx='{x:.1}' cy='6' r='3' fill='#b00020'><title>clipped ({}) at {}\
             </title></circle>",
            if *c == 0 { "L" } else { "R" },
            clock(*t),
            x = x_of(*t)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn loudness_svg(a: &stemdesk_engine::analysis::Analysis, duration_s: f64) -> String {
    let h = 160.0;
    let (top, bottom) = (0.0, -60.0);
    let y = |l: f64| (top - l.clamp(bottom, top)) / (top - bottom) * h;
    let mut svg = format!("<svg width='{WIDTH}' height='{h}' viewBox='0 0 {WIDTH} {h}'>");
    for db in [-10.0, -20.0, -30.0, -40.0, -50.0] {
        let _ = write!(
            svg,
            "<line x1='0' x2='{WIDTH}' y1='{v:.1}' y2='{v:.1}' stroke='#ddd'/><text x='2' \
             y='{t:.1}' font-size='10' fill='#888'>{db}</text>",
            v = y(db),
            t = y(db) - 2.0
        );
    }
    let points: Vec<String> = a
        .short_term_lufs
        .iter()
        .map(|(t, l)| format!("{:.1},{:.1}", t / duration_s.max(1e-9) * WIDTH, y(*l)))
        .collect();
    let _ = write!(
        svg,
        "<polyline fill='none' stroke='#c4451c' stroke-width='1.5' points='{}'/>",
        points.join(" ")
    );
    if let Some(i) = a.integrated_lufs {
        let _ = write!(
            svg,
            "<line x1='0' x2='{WIDTH}' y1='{v:.1}' y2='{v:.1}' stroke='#176b2c' \
             stroke-dasharray='4 3'><title>integrated {i:.1} LUFS</title></line>",
            v = y(i)
        );
    }
    svg.push_str("</svg>");
    svg
}
