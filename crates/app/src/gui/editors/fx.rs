//! Reverb and delay editors.

use stemdesk_dsp::EffectParams;
use stemdesk_dsp::params::{DelayParams, ReverbParams};

use super::{Change, fold, number};

/// Reverb parameters.
pub fn reverb(ui: &mut egui::Ui, params: &ReverbParams) -> Option<Change> {
    let mut p = *params;
    let mut pct = [
        p.size * 100.0,
        p.damping * 100.0,
        p.width * 100.0,
        p.mix * 100.0,
    ];
    let r = egui::Grid::new("reverb")
        .num_columns(2)
        .show(ui, |ui| {
            let [size, damping, width, mix] = &mut pct;
            fold(&[
                number(ui, "Pre-delay", &mut p.predelay_ms, 0.0..=500.0, 0.5, " ms"),
                number(ui, "Decay (RT60)", &mut p.decay_s, 0.1..=30.0, 0.02, " s"),
                number(ui, "Size", size, 0.0..=100.0, 0.5, " %"),
                number(ui, "Damping", damping, 0.0..=100.0, 0.5, " %"),
                number(ui, "Width", width, 0.0..=100.0, 0.5, " %"),
                number(ui, "Wet/dry", mix, 0.0..=100.0, 0.5, " % wet"),
            ])
        })
        .inner;
    [p.size, p.damping, p.width, p.mix] = pct.map(|v| v / 100.0);
    r.0.then_some(Change {
        params: EffectParams::Reverb(p),
        new_gesture: r.1,
        dragging: r.2,
    })
}

/// Delay parameters.
pub fn delay(ui: &mut egui::Ui, params: &DelayParams) -> Option<Change> {
    let mut p = *params;
    let mut fb = p.feedback * 100.0;
    let mut mix = p.mix * 100.0;
    let mut r = egui::Grid::new("delay")
        .num_columns(2)
        .show(ui, |ui| {
            fold(&[
                number(ui, "Time", &mut p.time_ms, 1.0..=4000.0, 1.0, " ms"),
                number(ui, "Feedback", &mut fb, 0.0..=98.0, 0.5, " %"),
                number(ui, "Low cut", &mut p.low_cut_hz, 10.0..=2000.0, 1.0, " Hz"),
                number(
                    ui,
                    "High cut",
                    &mut p.high_cut_hz,
                    1000.0..=20_000.0,
                    10.0,
                    " Hz",
                ),
                number(ui, "Wet/dry", &mut mix, 0.0..=100.0, 0.5, " % wet"),
            ])
        })
        .inner;
    r.0 |= ui.checkbox(&mut p.ping_pong, "Ping-pong").changed();
    p.feedback = fb / 100.0;
    p.mix = mix / 100.0;
    r.0.then_some(Change {
        params: EffectParams::Delay(p),
        new_gesture: r.1,
        dragging: r.2,
    })
}
