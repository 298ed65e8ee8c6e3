//! Reverb and delay editors: their parameter tables as a grid.

use stemdesk_dsp::EffectParams;
use stemdesk_dsp::params::{DelayParams, ReverbParams};

use super::{Change, param_grid};

/// Reverb parameters.
pub fn reverb(ui: &mut egui::Ui, params: &ReverbParams) -> Option<Change> {
    table_editor(ui, "reverb", EffectParams::Reverb(*params))
}

/// Delay parameters.
pub fn delay(ui: &mut egui::Ui, params: &DelayParams) -> Option<Change> {
    table_editor(ui, "delay", EffectParams::Delay(*params))
}

fn table_editor(ui: &mut egui::Ui, id: &str, mut params: EffectParams) -> Option<Change> {
    let r = param_grid(ui, id, &mut params);
    r.0.then_some(Change {
        params,
        new_gesture: r.1,
        dragging: r.2,
    })
}
