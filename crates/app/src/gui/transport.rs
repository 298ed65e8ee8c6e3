//! The transport bar: play/pause, stop, return to start, loop, position, sample rate.

use super::app::StemdeskApp;
use crate::cli::time::format_seconds;

/// Draws the transport bar.
pub fn show(app: &mut StemdeskApp, ui: &mut egui::Ui) {
    egui::Panel::top("transport").show(ui, |ui| {
        ui.horizontal(|ui| {
            let running = app.audio.is_running() || app.audio.recovering();
            let playing = app.audio.is_playing();
            ui.add_enabled_ui(running, |ui| {
                if ui
                    .button("|<")
                    .on_hover_text("Return to start (Home)")
                    .clicked()
                {
                    app.audio.seek(0);
                    app.view.scroll_s = 0.0;
                }
                let play = if playing { "Pause" } else { "Play" };
                if ui
                    .button(play)
                    .on_hover_text("Play/pause (Space)")
                    .clicked()
                {
                    app.audio.toggle_play();
                }
                if ui.button("Stop").clicked() {
                    app.audio.stop();
                }
            });
            let mut looping = app.audio.looping;
            if ui
                .toggle_value(&mut looping, "Loop")
                .on_hover_text("Loop on/off (L); drag on the ruler to set the range")
                .changed()
            {
                app.audio.toggle_loop();
            }
            ui.separator();
            let rate = app.session().sample_rate_hz;
            let pos = app.position_frames();
            ui.label(
                egui::RichText::new(format_seconds(pos as f64 / f64::from(rate)))
                    .monospace()
                    .size(18.0),
            )
            .on_hover_text(format!("{pos} samples"));
            ui.separator();
            ui.label(format!("{:.1} kHz", f64::from(rate) / 1000.0));
        });
    });
}
