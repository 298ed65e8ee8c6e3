//! The Bounce window (format, dither, range, tail, report; what the preflight already sees)
//! and the Bounce Report window shown when a bounce ends.

use stemdesk_engine::preflight::check_session;
use stemdesk_engine::{MixTarget, Normalize};
use stemdesk_media::{Container, Dither, SampleFormat};

use super::action::Action;
use super::bounce_options::BounceRange;
use super::desk::Desk;
use crate::cli::time::format_seconds;
use crate::report::{dither_name, figure_rows, format_name};

/// The Bounce window, while it is open.
pub fn options_window(desk: &mut Desk, ctx: &egui::Context) {
    if !desk.view.bounce_window {
        return;
    }
    let mut open = true;
    let mut close = false;
    let mut go = false;
    let mut spec_edit = None;
    let session = desk.session();
    let rate = f64::from(session.sample_rate_hz);
    let (loop_start, loop_end) = desk.audio.loop_range;
    let has_loop = loop_end > loop_start;
    let checks = check_session(session, &session.delivery);
    let content_end = session.content_end_frames();
    let markers: Vec<(stemdesk_session::MarkerId, String)> = session
        .timeline
        .markers
        .iter()
        .filter(|m| session.timeline.marker_range(m.id, content_end).is_some())
        .map(|m| (m.id, m.name.clone()))
        .collect();
    let session_name = desk.doc.name();
    let o = &mut desk.view.bounce_options;
    egui::Window::new("Bounce")
        .id(egui::Id::unique("bounce_window"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_pos(ctx.content_rect().center() - egui::vec2(200.0, 180.0))
        .show(ctx, |ui| {
            egui::Grid::new("bounce_grid")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    ui.label("Format");
                    ui.horizontal(|ui| {
                        for (container, format, name) in [
                            (Container::Wav, SampleFormat::Int24, "WAV 24-bit"),
                            (Container::Wav, SampleFormat::Float32, "WAV 32-bit float"),
                            (Container::Wav, SampleFormat::Int16, "WAV 16-bit"),
                            (Container::Flac, SampleFormat::Int24, "FLAC 24-bit"),
                            (Container::Flac, SampleFormat::Int16, "FLAC 16-bit"),
                        ] {
                            let on = o.format == format && o.container == container;
                            if ui.selectable_label(on, name).clicked() {
                                o.format = format;
                                o.container = container;
                                o.dither = MixTarget::default_dither(format);
                            }
                        }
                    });
                    ui.end_row();
                    ui.label("Sample rate");
                    ui.horizontal(|ui| {
                        let session_text = format!("Session ({:.1} kHz)", rate / 1000.0);
                        ui.selectable_value(&mut o.sample_rate_hz, None, session_text);
                        for hz in [44_100, 48_000, 88_200, 96_000] {
                            if f64::from(hz) != rate {
                                let text = format!("{:.1} kHz", f64::from(hz) / 1000.0);
                                ui.selectable_value(&mut o.sample_rate_hz, Some(hz), text);
                            }
                        }
                    });
                    ui.end_row();
                    ui.label("Dither");
                    ui.add_enabled_ui(o.format != SampleFormat::Float32, |ui| {
                        ui.horizontal(|ui| {
                            for (dither, name) in [
                                (Dither::Off, "None"),
                                (Dither::Tpdf, "TPDF"),
                                (Dither::TpdfShaped, "TPDF + noise shaping"),
                            ] {
                                ui.selectable_value(&mut o.dither, dither, name);
                            }
                        });
                    });
                    ui.end_row();
                    ui.label("Range");
                    ui.horizontal(|ui| {
                        ui.selectable_value(&mut o.range, BounceRange::WholeSong, "Whole song");
                        let loop_text = if has_loop {
                            format!(
                                "Loop {} to {}",
                                format_seconds(loop_start as f64 / rate),
                                format_seconds(loop_end as f64 / rate)
                            )
                        } else {
                            "Loop (set one on the ruler)".to_owned()
                        };
                        ui.add_enabled_ui(has_loop, |ui| {
                            ui.selectable_value(&mut o.range, BounceRange::Loop, loop_text);
                        });
                    });
                    ui.end_row();
                    if !markers.is_empty() {
                        ui.label("");
                        ui.horizontal_wrapped(|ui| {
                            for (id, name) in &markers {
                                ui.selectable_value(
                                    &mut o.range,
                                    BounceRange::Marker(*id),
                                    format!("From marker {name}"),
                                );
                            }
                        });
                        ui.end_row();
                    }
                    ui.label("Longest tail");
                    ui.add_enabled_ui(o.range == BounceRange::WholeSong, |ui| {
                        let r = ui.add(
                            egui::DragValue::new(&mut o.max_tail_s)
                                .range(0.0..=60.0)
                                .speed(0.1)
                                .suffix(" s"),
                        );
                        super::a11y::name(ui, &r, "Longest tail");
                    });
                    ui.end_row();
                    ui.label("Normalise");
                    ui.horizontal(|ui| normalize_choice(ui, &mut o.normalize));
                    ui.end_row();
                    ui.label("Title");
                    let r = ui.add(
                        egui::TextEdit::singleline(&mut o.title)
                            .hint_text(session_name.as_str())
                            .desired_width(220.0),
                    );
                    super::a11y::name(ui, &r, "Bounce title");
                    ui.end_row();
                    ui.label("Artist");
                    let r = ui.add(egui::TextEdit::singleline(&mut o.artist).desired_width(220.0));
                    super::a11y::name(ui, &r, "Bounce artist");
                    ui.end_row();
                    ui.label("File name");
                    ui.vertical(|ui| {
                        let r = ui.add(
                            egui::TextEdit::singleline(&mut o.name_template).desired_width(220.0),
                        );
                        super::a11y::name(ui, &r, "File name template");
                        ui.label(
                            egui::RichText::new(
                                "{session} {title} {artist} {date} {bits} {rate} {format}",
                            )
                            .small()
                            .weak(),
                        );
                    });
                    ui.end_row();
                    ui.label("Stems");
                    ui.checkbox(
                        &mut o.stems,
                        "Also one file per track and bus, in NAME stems/",
                    );
                    ui.end_row();
                    ui.label("Report");
                    ui.checkbox(&mut o.write_report, "Write NAME.report.html and .json");
                    ui.end_row();
                });
            let mut spec = session.delivery.clone();
            let spec_before = spec.clone();
            egui::CollapsingHeader::new("Delivery spec (saved with the session)")
                .id_salt("delivery_spec")
                .show(ui, |ui| {
                    egui::Grid::new("delivery_grid")
                        .num_columns(2)
                        .show(ui, |ui| {
                            ui.label("Max true peak");
                            let r = ui.add(
                                egui::DragValue::new(&mut spec.max_true_peak_dbtp)
                                    .range(-20.0..=0.0)
                                    .speed(0.1)
                                    .suffix(" dBTP"),
                            );
                            super::a11y::name(ui, &r, "Max true peak");
                            ui.end_row();
                            ui.label("Headroom: max sample peak");
                            let r = ui.add(
                                egui::DragValue::new(&mut spec.max_sample_peak_dbfs)
                                    .range(-20.0..=0.0)
                                    .speed(0.1)
                                    .suffix(" dBFS"),
                            );
                            super::a11y::name(ui, &r, "Max sample peak");
                            ui.end_row();
                            ui.label("Loudness target");
                            ui.horizontal(|ui| {
                                let mut on = spec.target_lufs.is_some();
                                ui.checkbox(&mut on, "");
                                let mut target = spec.target_lufs.unwrap_or(-14.0);
                                ui.add_enabled(
                                    on,
                                    egui::DragValue::new(&mut target)
                                        .range(-40.0..=-5.0)
                                        .speed(0.1)
                                        .suffix(" LUFS"),
                                );
                                ui.add_enabled(
                                    on,
                                    egui::DragValue::new(&mut spec.target_tolerance_lu)
                                        .range(0.1..=10.0)
                                        .speed(0.05)
                                        .prefix("± ")
                                        .suffix(" LU"),
                                );
                                spec.target_lufs = on.then_some(target);
                            });
                            ui.end_row();
                            ui.label("Allow");
                            ui.horizontal(|ui| {
                                ui.checkbox(&mut spec.allow_16_bit, "16-bit");
                                ui.checkbox(&mut spec.allow_solo, "solo");
                                ui.checkbox(&mut spec.allow_master_limiter, "master limiter");
                            });
                            ui.end_row();
                        });
                });
            if spec != spec_before {
                spec_edit = Some(spec);
            }
            for c in checks.iter().filter(|c| !c.passed) {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{}: {}", c.rule, c.found),
                );
            }
            ui.separator();
            ui.horizontal(|ui| {
                go |= ui.button("Bounce…").clicked();
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        });
    let marker_gone =
        matches!(o.range, BounceRange::Marker(id) if !markers.iter().any(|(m, _)| *m == id));
    if (o.range == BounceRange::Loop && !has_loop) || marker_gone {
        o.range = BounceRange::WholeSong;
    }
    // Enter bounces, Escape closes (not while a value is being typed).
    if !ctx.egui_wants_keyboard_input() {
        go |= ctx.input(|i| i.key_pressed(egui::Key::Enter));
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            open = false;
        }
    }
    let options = o.clone();
    if let Some(spec) = spec_edit {
        desk.act(Action::Edit {
            edit: stemdesk_session::Edit::SetDelivery(spec),
            drag: Some(super::action::Drag {
                id: egui::Id::unique("delivery_spec_edit"),
                started: false,
            }),
        });
    }
    if close {
        open = false;
    }
    if go {
        desk.act(Action::Bounce(options));
    } else if !open {
        desk.view.bounce_window = false;
    }
}

/// Off, a true-peak target or a loudness target, with its value.
fn normalize_choice(ui: &mut egui::Ui, n: &mut Option<Normalize>) {
    let (mut peak, mut lufs) = (-1.0, -14.0);
    match *n {
        Some(Normalize::PeakDbtp(v)) => peak = v,
        Some(Normalize::LoudnessLufs(v)) => lufs = v,
        None => {}
    }
    if ui.selectable_label(n.is_none(), "Off").clicked() {
        *n = None;
    }
    if ui
        .selectable_label(matches!(n, Some(Normalize::PeakDbtp(_))), "Peak")
        .clicked()
    {
        *n = Some(Normalize::PeakDbtp(peak));
    }
    if ui
        .selectable_label(matches!(n, Some(Normalize::LoudnessLufs(_))), "Loudness")
        .clicked()
    {
        *n = Some(Normalize::LoudnessLufs(lufs));
    }
    match n {
        Some(Normalize::PeakDbtp(v)) => {
            let r = ui.add(
                egui::DragValue::new(v)
                    .range(-20.0..=0.0)
                    .speed(0.1)
                    .suffix(" dBTP"),
            );
            super::a11y::name(ui, &r, "Normalise to true peak");
        }
        Some(Normalize::LoudnessLufs(v)) => {
            let r = ui.add(
                egui::DragValue::new(v)
                    .range(-40.0..=-5.0)
                    .speed(0.1)
                    .suffix(" LUFS"),
            );
            super::a11y::name(ui, &r, "Normalise to loudness");
        }
        None => {}
    }
}

/// The report of the last bounce, when it is shown.
pub fn report_window(desk: &mut Desk, ctx: &egui::Context) {
    let Some(done) = desk.last_bounce else {
        return;
    };
    if !desk.view.show_bounce_report {
        return;
    }
    let mut open = true;
    let mut open_html = None;
    egui::Window::new("Bounce Report")
        .id(egui::Id::unique("bounce_report"))
        .open(&mut open)
        .collapsible(false)
        .resizable(true)
        .default_pos(ctx.content_rect().center() - egui::vec2(220.0, 220.0))
        .show(ctx, |ui| {
            ui.label(done.path.display().to_string());
            ui.label(format!(
                "{}, {} Hz, dither: {}",
                format_name(done.format),
                done.report.sample_rate_hz,
                dither_name(done.dither)
            ));
            let passed = done.checks.iter().all(|c| c.passed);
            let (text, color) = if passed {
                ("Preflight passed", egui::Color32::from_rgb(90, 200, 110))
            } else {
                ("Preflight failed", ui.visuals().warn_fg_color)
            };
            ui.colored_label(color, egui::RichText::new(text).strong());
            egui::Grid::new("bounce_report_grid")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (k, v) in figure_rows(&done.report) {
                        ui.label(k);
                        ui.monospace(v);
                        ui.end_row();
                    }
                });
            ui.separator();
            for c in &done.checks {
                let line = format!(
                    "{} {}: {}",
                    if c.passed { "ok  " } else { "FAIL" },
                    c.rule,
                    c.found
                );
                if c.passed {
                    ui.label(line);
                } else {
                    ui.colored_label(ui.visuals().warn_fg_color, line);
                }
            }
            for w in &done.report.warnings {
                ui.colored_label(ui.visuals().warn_fg_color, w.to_string());
            }
            if let Some((dir, count, residual)) = &done.stems {
                ui.label(format!(
                    "{count} stems in {} (summed, within {residual:.1} dBFS of the mix)",
                    dir.display()
                ));
            }
            if let Some(e) = &done.report_error {
                ui.colored_label(ui.visuals().warn_fg_color, format!("No report: {e}"));
            }
            if let Some(html) = &done.html
                && ui
                    .button("Open Report")
                    .on_hover_text(html.display().to_string())
                    .clicked()
            {
                open_html = Some(html.clone());
            }
        });
    if let Some(html) = open_html {
        desk.act(Action::OpenExternal(html));
    }
    if !open {
        desk.view.show_bounce_report = false;
    }
}
