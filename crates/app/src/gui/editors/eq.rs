//! The EQ editor: response curve with a draggable handle per band, and a band table.

use egui::{Color32, Sense, Stroke, Vec2};
use stemdesk_dsp::EffectParams;
use stemdesk_dsp::ParamSpec;
use stemdesk_dsp::magnitude_curve_db;
use stemdesk_dsp::param_table::{EQ_BAND_KINDS, EQ_KIND_NAMES, EQ_RESPONSE};
use stemdesk_dsp::params::{EqBand, EqBandKind, EqParams, MAX_EQ_BANDS};

use super::Change;
use super::plot::Plot;
use crate::gui::analyser::{Analyser, Tap};

const BAND_COLORS: [Color32; 8] = [
    Color32::from_rgb(240, 110, 90),
    Color32::from_rgb(240, 180, 70),
    Color32::from_rgb(210, 220, 80),
    Color32::from_rgb(110, 210, 110),
    Color32::from_rgb(80, 200, 220),
    Color32::from_rgb(100, 140, 240),
    Color32::from_rgb(180, 110, 230),
    Color32::from_rgb(230, 110, 190),
];

/// Every band shape with its name, from the EQ band's parameter table.
fn kinds() -> impl Iterator<Item = (EqBandKind, &'static str)> {
    EQ_BAND_KINDS.into_iter().zip(EQ_KIND_NAMES.iter().copied())
}

fn kind_name(kind: EqBandKind) -> &'static str {
    kinds().find(|(k, _)| *k == kind).map_or("?", |(_, n)| n)
}

/// The table entry of a band field.
fn band_spec(key: &str) -> &'static ParamSpec {
    EqBand::SPECS
        .iter()
        .find(|s| s.key == key)
        .unwrap_or(&EqBand::SPECS[0])
}

fn has_gain(kind: EqBandKind) -> bool {
    matches!(
        kind,
        EqBandKind::Peak | EqBandKind::LowShelf | EqBandKind::HighShelf
    )
}

/// Levels the analyser draws, dBFS: bottom and top of the plot.
const SPECTRUM_DB: (f32, f32) = (-96.0, 0.0);

/// The analyser behind the curve: what leaves the EQ as a filled area, what enters it as a
/// line, one column per 2 pixels (the strongest bin in the column's frequency range).
fn spectrum(painter: &egui::Painter, plot: &Plot, analyser: &Analyser) {
    let rect = plot.rect;
    let y = |db: f32| {
        let f = (db - SPECTRUM_DB.0) / (SPECTRUM_DB.1 - SPECTRUM_DB.0);
        rect.max.y - f.clamp(0.0, 1.0) * rect.height()
    };
    let step = 2.0;
    let columns = (rect.width() / step) as usize;
    let mut pre = Vec::with_capacity(columns);
    let fill = Color32::from_rgba_unmultiplied(90, 160, 220, 60);
    for c in 0..columns {
        let x0 = rect.min.x + c as f32 * step;
        let (lo_hz, _) = plot.value(egui::pos2(x0, rect.max.y));
        let (hi_hz, _) = plot.value(egui::pos2(x0 + step, rect.max.y));
        let post_db = analyser.level_db(Tap::Post, lo_hz, hi_hz);
        painter.rect_filled(
            egui::Rect::from_x_y_ranges(x0..=x0 + step, y(post_db)..=rect.max.y),
            0.0,
            fill,
        );
        let pre_db = analyser.level_db(Tap::Pre, lo_hz, hi_hz);
        pre.push(egui::pos2(x0 + 0.5 * step, y(pre_db)));
    }
    painter.line(pre, Stroke::new(1.0, Color32::from_gray(120)));
    let legend = |row: f32, text: &str, color: Color32| {
        painter.text(
            egui::pos2(rect.max.x - 4.0, rect.min.y + 3.0 + 11.0 * row),
            egui::Align2::RIGHT_TOP,
            text,
            egui::FontId::proportional(9.0),
            color,
        );
    };
    legend(0.0, "input", Color32::from_gray(150));
    legend(1.0, "output", Color32::from_rgb(110, 170, 225));
}

/// Draws the EQ editor, with the analyser behind the curve when given; returns the new
/// settings if changed.
pub fn show(
    ui: &mut egui::Ui,
    params: &EqParams,
    rate_hz: f32,
    analyser: Option<&Analyser>,
) -> Option<Change> {
    let mut p = params.clone();
    let (mut changed, mut started, mut dragging) = (false, false, false);

    let (rect, _) = ui.allocate_exact_size(Vec2::new(440.0, 200.0), Sense::hover());
    let plot = Plot {
        rect,
        x: (20.0, 20_000.0),
        y: (-24.0, 24.0),
        log_x: true,
    };
    let painter = ui.painter_at(rect);
    plot.grid(
        &painter,
        &[50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10_000.0],
        &[-18.0, -12.0, -6.0, 0.0, 6.0, 12.0, 18.0],
        |f| {
            if f >= 1000.0 {
                format!("{}k", f / 1000.0)
            } else {
                format!("{f}")
            }
        },
    );
    if let Some(a) = analyser {
        spectrum(&painter, &plot, a);
    }
    let freqs: Vec<f32> = (0..=220)
        .map(|i| 20.0 * 1000f32.powf(i as f32 / 220.0))
        .collect();
    let db = magnitude_curve_db(&p, rate_hz, &freqs);
    let curve = freqs.into_iter().zip(db);
    plot.curve(
        &painter,
        curve,
        Stroke::new(2.0, Color32::from_rgb(120, 200, 255)),
    );
    for (i, band) in p.bands.iter_mut().enumerate() {
        if !band.enabled {
            continue;
        }
        let y = if has_gain(band.kind) {
            band.gain_db
        } else {
            0.0
        };
        let center = plot.pos(band.freq_hz, y);
        let id = ui.scope_id().with(("eq_band", i));
        let resp = ui.interact(
            egui::Rect::from_center_size(center, Vec2::splat(14.0)),
            id,
            Sense::drag(),
        );
        resp.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::GenericContainer,
                true,
                format!("EQ band {} handle", i + 1),
            )
        });
        painter.circle_filled(
            center,
            if resp.hovered() || resp.dragged() {
                7.0
            } else {
                5.5
            },
            BAND_COLORS[i % 8],
        );
        painter.text(
            center + Vec2::new(0.0, -12.0),
            egui::Align2::CENTER_CENTER,
            format!("{}", i + 1),
            egui::FontId::proportional(10.0),
            Color32::WHITE,
        );
        if resp.drag_started() {
            started = true;
        }
        if resp.dragged()
            && let Some(pos) = resp.interact_pointer_pos()
        {
            let (f, g) = plot.value(pos);
            band.freq_hz = f.clamp(20.0, 20_000.0);
            if has_gain(band.kind) {
                band.gain_db = (g * 10.0).round() / 10.0;
                band.gain_db = band.gain_db.clamp(-24.0, 24.0);
            }
            changed = true;
            dragging = true;
        }
    }

    ui.add_space(6.0);
    let mut remove = None;
    egui::Grid::new("eq_bands").striped(true).show(ui, |ui| {
        ui.label("#");
        ui.label("On");
        ui.label("Type");
        ui.label("Freq");
        ui.label("Gain");
        ui.label("Q");
        ui.label("");
        ui.end_row();
        for (i, band) in p.bands.iter_mut().enumerate() {
            ui.colored_label(BAND_COLORS[i % 8], format!("{}", i + 1));
            let cb = ui.checkbox(&mut band.enabled, "");
            super::super::a11y::name(ui, &cb, &format!("Band {} on", i + 1));
            changed |= cb.changed();
            let combo = egui::ComboBox::from_id_salt(("eq_kind", i))
                .selected_text(kind_name(band.kind))
                .show_ui(ui, |ui| {
                    for (k, name) in kinds() {
                        changed |= ui.selectable_value(&mut band.kind, k, name).changed();
                    }
                });
            super::super::a11y::name(ui, &combo.response, &format!("Band {} type", i + 1));
            let band_no = i + 1;
            let mut field =
                |ui: &mut egui::Ui, v: &mut f32, key: &str, enabled: bool, what: &str| {
                    let name = format!("Band {band_no} {what}");
                    let r = ui
                        .add_enabled_ui(enabled, |ui| {
                            super::param_control(ui, band_spec(key), v, Some(&name))
                        })
                        .inner;
                    changed |= r.0;
                    started |= r.1;
                    dragging |= r.2;
                };
            field(ui, &mut band.freq_hz, "freq_hz", true, "frequency");
            field(
                ui,
                &mut band.gain_db,
                "gain_db",
                has_gain(band.kind),
                "gain",
            );
            field(ui, &mut band.q, "q", true, "Q");
            if ui.small_button("x").on_hover_text("Remove band").clicked() {
                remove = Some(i);
            }
            ui.end_row();
        }
    });
    if let Some(i) = remove {
        p.bands.remove(i);
        changed = true;
    }
    ui.horizontal(|ui| {
        if p.bands.len() < MAX_EQ_BANDS && ui.button("+ Band").clicked() {
            p.bands.push(EqBand::from_defaults());
            changed = true;
        }
        ui.separator();
        // Analog follows the analogue shapes to 20 kHz; Classic is the bilinear design
        // (what EQs saved before the choice existed keep).
        let mut response = EffectParams::Eq(p.clone());
        if let Some(mut v) = response.get(EQ_RESPONSE.key) {
            let r = super::param_control(ui, &EQ_RESPONSE, &mut v, None);
            if r.0
                && response.set(EQ_RESPONSE.key, v).is_ok()
                && let EffectParams::Eq(with) = response
            {
                p.response = with.response;
                changed = true;
            }
        }
    })
    .response
    .on_hover_text(
        "Response: Analog keeps each band's analogue shape up to 20 kHz; Classic is the \
         bilinear (RBJ) design, narrower near the top",
    );
    changed.then_some(Change {
        params: EffectParams::Eq(p),
        new_gesture: started,
        dragging,
    })
}
