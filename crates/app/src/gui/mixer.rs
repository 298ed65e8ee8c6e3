//! The mixer view: a strip per track, then the buses, then the master.

use stemdesk_session::{Edit, StripId};

use super::app::StemdeskApp;
use super::strip::{self, StripView};

/// Draws the mixer.
pub fn show(app: &mut StemdeskApp, ui: &mut egui::Ui) {
    let s = app.session();
    let tracks: Vec<StripView> = s
        .tracks
        .iter()
        .map(|t| StripView {
            id: StripId::Track(t.id),
            name: t.name.clone(),
            color: t.color,
            strip: t.strip.clone(),
            solo_safe: None,
        })
        .collect();
    let buses: Vec<StripView> = s
        .buses
        .iter()
        .map(|b| StripView {
            id: StripId::Bus(b.id),
            name: b.name.clone(),
            color: b.color,
            strip: b.strip.clone(),
            solo_safe: Some(b.solo_safe),
        })
        .collect();
    let master = StripView {
        id: StripId::Master,
        name: "Master".into(),
        color: stemdesk_session::Color(0xd0, 0xd0, 0xd0),
        strip: s.master.as_strip(),
        solo_safe: None,
    };
    egui::ScrollArea::both()
        .id_salt("mixer_scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                for view in &tracks {
                    strip::show(app, ui, view);
                }
                if !buses.is_empty() {
                    ui.separator();
                }
                for view in &buses {
                    ui.vertical(|ui| {
                        strip::show(app, ui, view);
                        if let StripId::Bus(bus) = view.id
                            && ui
                                .small_button(format!("Remove {}", view.name))
                                .on_hover_text("Remove this bus and every send to it")
                                .clicked()
                        {
                            app.edit(Edit::RemoveBus(bus), None);
                        }
                    });
                }
                ui.vertical(|ui| {
                    if ui.button("+ Bus").on_hover_text("Add a bus").clicked() {
                        app.add_bus();
                    }
                });
                ui.separator();
                strip::show(app, ui, &master);
            });
        });
}
