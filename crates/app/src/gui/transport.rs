//! The transport bar: play/pause, stop, return to start, loop, position, sample rate.

use super::action::Action;
use super::commands::Command;
use super::desk::Desk;
use crate::cli::time::format_seconds;

/// Draws the transport bar.
pub fn show(desk: &mut Desk, ui: &mut egui::Ui) {
    egui::Panel::top("transport").show(ui, |ui| {
        ui.horizontal(|ui| {
            let running = desk.audio.is_running() || desk.audio.recovering();
            let playing = desk.audio.is_playing();
            ui.add_enabled_ui(running, |ui| {
                if ui
                    .button("|<")
                    .on_hover_text("Return to start (Home)")
                    .clicked()
                {
                    desk.act(Action::Command(Command::GoToStart));
                }
                let play = if playing { "Pause" } else { "Play" };
                if ui
                    .button(play)
                    .on_hover_text("Play/pause (Space)")
                    .clicked()
                {
                    desk.act(Action::Command(Command::PlayPause));
                }
                if ui.button("Stop").clicked() {
                    desk.act(Action::Stop);
                }
            });
            let mut looping = desk.audio.looping;
            if ui
                .toggle_value(&mut looping, "Loop")
                .on_hover_text("Loop on/off (L); drag on the ruler to set the range")
                .changed()
            {
                desk.act(Action::Command(Command::ToggleLoop));
            }
            ui.separator();
            let rate = desk.session().sample_rate_hz;
            let pos = desk.position_frames();
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
