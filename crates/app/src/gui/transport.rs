//! The transport bar: play/pause, stop, return to start, loop, position, sample rate.

use stemdesk_session::timeline::{MAX_BEATS_PER_BAR, TEMPO_RANGE_BPM};
use stemdesk_session::{Edit, Grid};

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
            let t = &desk.session().timeline;
            let (bar, beat) = t.bar_beat(pos, rate);
            ui.label(
                egui::RichText::new(format!("{bar}.{}", beat.floor() as u64))
                    .monospace()
                    .size(18.0),
            )
            .on_hover_text("Bar and beat");
            ui.separator();
            timeline_settings(desk, ui);
            ui.separator();
            ui.label(format!("{:.1} kHz", f64::from(rate) / 1000.0));
        });
    });
}

/// Tempo, beats per bar, snapping and the grid step.
fn timeline_settings(desk: &mut Desk, ui: &mut egui::Ui) {
    let t = desk.session().timeline.clone();
    let mut bpm = t.tempo_bpm;
    let r = ui
        .add(
            egui::DragValue::new(&mut bpm)
                .range(TEMPO_RANGE_BPM)
                .speed(0.2)
                .max_decimals(2)
                .suffix(" BPM"),
        )
        .on_hover_text("Tempo (for the bars/beats ruler and the grid)");
    super::a11y::name(ui, &r, "Tempo");
    let mut beats = t.beats_per_bar;
    let b = ui
        .add(
            egui::DragValue::new(&mut beats)
                .range(1..=MAX_BEATS_PER_BAR)
                .suffix("/4"),
        )
        .on_hover_text("Beats per bar");
    super::a11y::name(ui, &b, "Beats per bar");
    for resp in [&r, &b] {
        if resp.changed() {
            desk.edit_by(
                Edit::SetTempo {
                    tempo_bpm: bpm,
                    beats_per_bar: beats,
                },
                resp,
            );
        }
    }
    let mut snap = desk.view.snap;
    if ui
        .toggle_value(&mut snap, "Snap")
        .on_hover_text("Snap clips and automation points to the grid (G; hold Alt to place freely)")
        .changed()
    {
        desk.act(Action::Command(Command::ToggleSnap));
    }
    let r = egui::ComboBox::from_id_salt("grid")
        .selected_text(desk.view.grid.name())
        .width(52.0)
        .show_ui(ui, |ui| {
            for g in Grid::ALL {
                ui.selectable_value(&mut desk.view.grid, g, g.name());
            }
        });
    super::a11y::name(ui, &r.response, "Grid");
}
