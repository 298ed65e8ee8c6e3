//! The mixer view: a strip per track, then the buses, then the master.

use stemdesk_session::{Edit, StripId};

use super::app::StemdeskApp;
use super::fader::MIN_FADER_HEIGHT;
use super::strip::{self, StripView};

/// Room kept below the strips for the horizontal scroll bar.
const SCROLLBAR_ROOM: f32 = 30.0;

/// Draws the mixer. Faders grow with the panel: a strip's other parts have fixed
/// heights (measured on the previous frame), the fader gets the rest, at least
/// [`MIN_FADER_HEIGHT`]; below that the mixer scrolls.
pub fn show(app: &mut StemdeskApp, ui: &mut egui::Ui) {
    let fixed_key = egui::Id::unique("strip_fixed_height");
    let fixed: f32 = ui.data(|d| d.get_temp(fixed_key)).unwrap_or(420.0);
    let fader_height = (ui.available_height() - fixed - SCROLLBAR_ROOM).max(MIN_FADER_HEIGHT);
    let mut tallest = 0.0f32;
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
                    tallest = tallest.max(strip::show(app, ui, view, fader_height).y);
                }
                if !buses.is_empty() {
                    ui.separator();
                }
                for view in &buses {
                    ui.vertical(|ui| {
                        tallest = tallest.max(strip::show(app, ui, view, fader_height).y);
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
                tallest = tallest.max(strip::show(app, ui, &master, fader_height).y);
            });
        });
    if tallest > 0.0 {
        ui.data_mut(|d| d.insert_temp(fixed_key, tallest - fader_height));
    }
}
