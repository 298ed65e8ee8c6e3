//! The status bar: device, buffer size, DSP load, xruns, disk underruns, running jobs,
//! and messages.

use super::action::Action;
use super::desk::Desk;

/// Draws the status bar.
pub fn show(desk: &mut Desk, ui: &mut egui::Ui) {
    let mut actions = Vec::new();
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            match (desk.audio.device_name(), &desk.audio.error) {
                (Some(name), _) => {
                    ui.label(format!("Device: {name}"));
                    ui.separator();
                    let buffer = desk
                        .audio
                        .buffer_in_use()
                        .map_or("default".to_owned(), |b| b.to_string());
                    ui.label(format!("Buffer: {buffer}"));
                    if let Some((load, max)) = desk.audio.load() {
                        ui.separator();
                        ui.label(format!(
                            "DSP {:.0}% (max {:.0}%)",
                            load * 100.0,
                            max * 100.0
                        ));
                    }
                    ui.separator();
                    ui.label(format!("Xruns: {}", desk.audio.xruns()))
                        .on_hover_text("Buffer under- and overruns the audio device reported");
                    let underruns = desk.audio.disk_underruns();
                    if underruns > 0 {
                        ui.separator();
                        ui.colored_label(
                            ui.visuals().warn_fg_color,
                            format!("Disk underruns: {underruns}"),
                        )
                        .on_hover_text(
                            "Times the disk did not deliver audio in time (those moments                              played silent); a bounce is never affected",
                        );
                    }
                    if desk.audio.recoveries > 0 {
                        ui.separator();
                        ui.label(format!("Recovered: {}", desk.audio.recoveries))
                            .on_hover_text(
                                "Times playback came back by itself after a device failure",
                            );
                    }
                }
                (None, Some(e)) => {
                    ui.colored_label(ui.visuals().warn_fg_color, e.clone());
                }
                (None, None) => {
                    ui.label("Playback off");
                }
            }
            for job in &desk.jobs.running {
                ui.separator();
                ui.spinner();
                match job.fraction() {
                    Some(f) => ui.label(format!("{} {:.0}%", job.label, f * 100.0)),
                    None => ui.label(format!(
                        "{} ({:.0} s)",
                        job.label,
                        job.started.elapsed().as_secs_f32()
                    )),
                };
                if job.cancel.is_some()
                    && ui
                        .small_button("Cancel")
                        .on_hover_text("Stop; nothing is written")
                        .clicked()
                {
                    actions.push(Action::CancelJob(job.id));
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let unread = desk.messages.unread_warnings();
                let button = if unread > 0 {
                    egui::Button::new(
                        egui::RichText::new(format!("Warnings: {unread} unread"))
                            .color(ui.visuals().warn_fg_color),
                    )
                } else {
                    egui::Button::new("Messages")
                };
                if ui
                    .add(button)
                    .on_hover_text("Every warning and notice of this session")
                    .clicked()
                {
                    desk.view.show_messages = !desk.view.show_messages;
                }
                if let Some(m) = desk.messages.status_line() {
                    ui.separator();
                    let text = egui::RichText::new(&m.text);
                    let label = if m.is_error {
                        egui::Label::new(text.color(ui.visuals().warn_fg_color))
                    } else {
                        egui::Label::new(text)
                    };
                    ui.add(label.truncate());
                }
            });
        });
    });
    for action in actions {
        desk.act(action);
    }
}
