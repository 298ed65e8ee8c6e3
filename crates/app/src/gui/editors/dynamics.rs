//! Compressor and gate editors.

use egui::{Color32, Sense, Stroke, Vec2};
use stemdesk_dsp::params::{CompressorParams, GateParams};
use stemdesk_dsp::{EffectParams, static_gain_reduction_db};

use super::plot::Plot;
use super::{Change, param_grid};

/// A gain-reduction bar growing down from the top (0 to 24 dB), `height` tall; returns
/// the reduction shown.
pub(super) fn gr_meter(ui: &mut egui::Ui, gr_db: Option<f32>, height: f32) -> f32 {
    let (meter, _) = ui.allocate_exact_size(Vec2::new(18.0, height), Sense::hover());
    let painter = ui.painter_at(meter);
    painter.rect_filled(meter, 2.0, Color32::from_gray(20));
    let gr = gr_db.unwrap_or(0.0).clamp(0.0, 24.0);
    let h = meter.height() * gr / 24.0;
    painter.rect_filled(
        egui::Rect::from_min_size(meter.min, Vec2::new(meter.width(), h)),
        2.0,
        Color32::from_rgb(255, 140, 60),
    );
    let r = ui.interact(meter, ui.scope_id().with("gr"), Sense::hover());
    r.on_hover_text(format!("Gain reduction {gr:.1} dB"));
    gr
}

/// Compressor: transfer curve (input vs output level, knee included), gain-reduction meter,
/// parameters.
pub fn compressor(
    ui: &mut egui::Ui,
    params: &CompressorParams,
    gr_db: Option<f32>,
) -> Option<Change> {
    let mut p = *params;
    let mut result = (false, false, false);
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(Vec2::new(220.0, 220.0), Sense::hover());
        let plot = Plot {
            rect,
            x: (-60.0, 0.0),
            y: (-60.0, 0.0),
            log_x: false,
        };
        let painter = ui.painter_at(rect);
        let marks = [-48.0, -36.0, -24.0, -12.0];
        plot.grid(&painter, &marks, &marks, |v| format!("{v}"));
        plot.curve(
            &painter,
            [(-60.0, -60.0), (0.0, 0.0)].into_iter(),
            Stroke::new(1.0, Color32::from_gray(80)),
        );
        let curve = (0..=120).map(|i| {
            let x = -60.0 + i as f32 * 0.5;
            let y =
                x - static_gain_reduction_db(x, p.threshold_db, p.ratio, p.knee_db) + p.makeup_db;
            (x, y)
        });
        plot.curve(
            &painter,
            curve,
            Stroke::new(2.0, Color32::from_rgb(255, 170, 80)),
        );
        let gr = gr_meter(ui, gr_db, 220.0);
        ui.vertical(|ui| {
            ui.label(format!("GR {gr:.1} dB"));
            let mut all = EffectParams::Compressor(p);
            result = param_grid(ui, "comp", &mut all);
            if let EffectParams::Compressor(changed) = all {
                p = changed;
            }
        });
    });
    result.0.then_some(Change {
        params: EffectParams::Compressor(p),
        new_gesture: result.1,
        dragging: result.2,
    })
}

/// Gate: its open/close thresholds against its input level, current gain, parameters.
pub fn gate(
    ui: &mut egui::Ui,
    params: &GateParams,
    gain_db: Option<f32>,
    level: Option<f32>,
) -> Option<Change> {
    let mut p = *params;
    let mut result = (false, false, false);
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(Vec2::new(60.0, 220.0), Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 2.0, Color32::from_gray(20));
        let y = |db: f32| rect.max.y - ((db + 80.0) / 80.0).clamp(0.0, 1.0) * rect.height();
        let level_db = level.filter(|l| *l > 0.0).map_or(-120.0, |l| 20.0 * l.log10());
        let open = gain_db.is_some_and(|g| g > -1.0);
        painter.rect_filled(
            egui::Rect::from_min_max(egui::pos2(rect.min.x + 8.0, y(level_db)), egui::pos2(rect.max.x - 24.0, rect.max.y)),
            0.0,
            if open { Color32::from_rgb(90, 200, 110) } else { Color32::from_gray(110) },
        );
        painter.hline(rect.x_range(), y(p.threshold_db), Stroke::new(2.0, Color32::from_rgb(255, 200, 60)));
        painter.hline(rect.x_range(), y(p.threshold_db - p.hysteresis_db), Stroke::new(1.0, Color32::from_rgb(200, 140, 40)));
        painter.text(
            egui::pos2(rect.max.x - 2.0, rect.min.y + 2.0),
            egui::Align2::RIGHT_TOP,
            if open { "open" } else { "closed" },
            egui::FontId::proportional(9.0),
            Color32::WHITE,
        );
        let r = ui.interact(rect, ui.scope_id().with("gate_meter"), Sense::hover());
        r.on_hover_text(format!(
            "Gate input {level_db:.1} dBFS (bar) against the threshold (yellow) and close level (orange)"
        ));
        ui.vertical(|ui| {
            let mut all = EffectParams::Gate(p);
            result = param_grid(ui, "gate", &mut all);
            if let EffectParams::Gate(changed) = all {
                p = changed;
            }
            if let Some(g) = gain_db {
                ui.label(format!("Gate gain {g:.1} dB"));
            }
        });
    });
    result.0.then_some(Change {
        params: EffectParams::Gate(p),
        new_gesture: result.1,
        dragging: result.2,
    })
}
