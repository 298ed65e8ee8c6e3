//! Reverb, delay and saturation editors: their parameter tables as a grid.

use egui::{Color32, Sense, Stroke, Vec2};
use stemdesk_dsp::params::{DelayParams, LimiterParams, ReverbParams, SaturationParams};
use stemdesk_dsp::{EffectParams, saturation_curve};

use super::plot::Plot;
use super::{Change, param_grid, param_grid_with};

/// Input amplitude shown either side of zero in the saturation curve.
const CURVE_RANGE: f32 = 2.0;

/// Reverb parameters.
pub fn reverb(ui: &mut egui::Ui, params: &ReverbParams) -> Option<Change> {
    table_editor(ui, "reverb", EffectParams::Reverb(*params))
}

/// Delay parameters. While Sync picks a note, the Time control is disabled and the time
/// that note gives at the session's tempo is shown instead.
pub fn delay(ui: &mut egui::Ui, params: &DelayParams, tempo_bpm: f32) -> Option<Change> {
    let synced = params.sync != stemdesk_dsp::DelaySync::Off;
    let mut all = EffectParams::Delay(*params);
    let r = param_grid_with(ui, "delay", &mut all, |key| {
        (synced && key == "time_ms")
            .then(|| "Sync sets the time; set Sync to Off to type one".into())
    });
    // Below the grid, so the controls do not move when it appears.
    if synced {
        ui.label(format!(
            "Time follows Sync: {:.1} ms at {tempo_bpm:.1} BPM",
            stemdesk_dsp::effective_time_ms(params, tempo_bpm)
        ));
    }
    r.0.then_some(Change {
        params: all,
        new_gesture: r.1,
        dragging: r.2,
    })
}

/// Saturation: the static curve (input amplitude to output, with drive, mix and output
/// gain; before the tube's DC blocker and the tone tilt), then the parameters.
pub fn saturation(ui: &mut egui::Ui, params: &SaturationParams) -> Option<Change> {
    let p = *params;
    let mut change = None;
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(Vec2::new(200.0, 200.0), Sense::hover());
        let plot = Plot {
            rect,
            x: (-CURVE_RANGE, CURVE_RANGE),
            y: (-CURVE_RANGE, CURVE_RANGE),
            log_x: false,
        };
        let painter = ui.painter_at(rect);
        let marks = [-1.0, 0.0, 1.0];
        plot.grid(&painter, &marks, &marks, |v| format!("{v}"));
        plot.curve(
            &painter,
            [(-CURVE_RANGE, -CURVE_RANGE), (CURVE_RANGE, CURVE_RANGE)].into_iter(),
            Stroke::new(1.0, Color32::from_gray(80)),
        );
        let drive = 10f32.powf(p.drive_db / 20.0);
        let out = 10f32.powf(p.output_db / 20.0);
        let curve = (0..=160).map(|i| {
            let x = -CURVE_RANGE + i as f32 * (2.0 * CURVE_RANGE / 160.0);
            let wet = saturation_curve(p.flavour, x * drive);
            (x, out * (x + p.mix * (wet - x)))
        });
        plot.curve(
            &painter,
            curve,
            Stroke::new(2.0, Color32::from_rgb(255, 170, 80)),
        );
        ui.vertical(|ui| {
            change = table_editor(ui, "saturation", EffectParams::Saturation(p));
        });
    });
    change
}

/// Limiter: gain-reduction meter, then the parameters.
pub fn limiter(ui: &mut egui::Ui, params: &LimiterParams, gr_db: Option<f32>) -> Option<Change> {
    let mut change = None;
    ui.horizontal(|ui| {
        let gr = super::dynamics::gr_meter(ui, gr_db, 120.0);
        ui.vertical(|ui| {
            ui.label(format!("GR {gr:.1} dB"));
            ui.label(format!(
                "Lookahead {} ms (the mix is delayed to match)",
                stemdesk_dsp::LOOKAHEAD_MS
            ));
            change = table_editor(ui, "limiter", EffectParams::Limiter(*params));
        });
    });
    change
}

fn table_editor(ui: &mut egui::Ui, id: &str, mut params: EffectParams) -> Option<Change> {
    let r = param_grid(ui, id, &mut params);
    r.0.then_some(Change {
        params,
        new_gesture: r.1,
        dragging: r.2,
    })
}
