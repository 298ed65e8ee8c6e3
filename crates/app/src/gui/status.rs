//! The status bar: device, buffer size, DSP load, xruns, running jobs, and messages.

use std::time::Duration;

use super::app::StemdeskApp;

/// Messages older than this fade from the bar (errors stay until replaced).
const INFO_TIMEOUT: Duration = Duration::from_secs(8);

/// Draws the status bar.
pub fn show(app: &mut StemdeskApp, ui: &mut egui::Ui) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            match (app.audio.device_name(), &app.audio.error) {
                (Some(name), _) => {
                    ui.label(format!("Device: {name}"));
                    ui.separator();
                    let buffer = app
                        .audio
                        .buffer_in_use()
                        .map_or("default".to_owned(), |b| b.to_string());
                    ui.label(format!("Buffer: {buffer}"));
                    if let Some((load, max)) = app.audio.load() {
                        ui.separator();
                        ui.label(format!(
                            "DSP {:.0}% (max {:.0}%)",
                            load * 100.0,
                            max * 100.0
                        ));
                    }
                    ui.separator();
                    ui.label(format!("Xruns: {}", app.audio.xruns()))
                        .on_hover_text("Buffer under- and overruns the audio device reported");
                    if app.audio.recoveries > 0 {
                        ui.separator();
                        ui.label(format!("Recovered: {}", app.audio.recoveries))
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
            for job in &app.jobs.running {
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
            }
            if let Some(m) = app.messages.last()
                && (m.is_error || m.at.elapsed() < INFO_TIMEOUT)
            {
                ui.separator();
                if m.is_error {
                    ui.colored_label(ui.visuals().error_fg_color, &m.text);
                } else {
                    ui.label(&m.text);
                }
            }
        });
    });
}
