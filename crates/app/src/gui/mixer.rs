//! The mixer view: a strip per track, then the buses, then the master.

use std::borrow::Cow;

use stemdesk_session::{Edit, StripId};

use super::action::Action;
use super::commands::Command;

use super::desk::Desk;
use super::fader::MIN_FADER_HEIGHT;
use super::strip::{self, StripView};

/// Room kept below the strips for the horizontal scroll bar.
const SCROLLBAR_ROOM: f32 = 30.0;

/// Draws the mixer. Faders grow with the panel: a strip's other parts have fixed
/// heights (measured on the previous frame), the fader gets the rest, at least
/// [`MIN_FADER_HEIGHT`]; below that the mixer scrolls.
pub fn show(desk: &mut Desk, ui: &mut egui::Ui) {
    let fixed_key = egui::Id::unique("strip_fixed_height");
    let fixed: f32 = ui.data(|d| d.get_temp(fixed_key)).unwrap_or(420.0);
    let fader_height = (ui.available_height() - fixed - SCROLLBAR_ROOM).max(MIN_FADER_HEIGHT);
    let mut tallest = 0.0f32;
    let s = desk.session();
    let tracks = s.tracks.iter().map(|t| StripView {
        id: StripId::Track(t.id),
        name: &t.name,
        color: t.color,
        strip: Cow::Borrowed(&t.strip),
        solo_safe: None,
    });
    let buses: Vec<StripView> = s
        .buses
        .iter()
        .map(|b| StripView {
            id: StripId::Bus(b.id),
            name: &b.name,
            color: b.color,
            strip: Cow::Borrowed(&b.strip),
            solo_safe: Some(b.solo_safe),
        })
        .collect();
    let master = StripView {
        id: StripId::Master,
        name: "Master",
        color: stemdesk_session::Color(0xd0, 0xd0, 0xd0),
        strip: Cow::Owned(s.master.as_strip()),
        solo_safe: None,
    };
    egui::ScrollArea::both()
        .id_salt("mixer_scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                for view in tracks {
                    tallest = tallest.max(strip::show(desk, ui, &view, fader_height).y);
                }
                if !buses.is_empty() {
                    ui.separator();
                }
                for view in &buses {
                    ui.vertical(|ui| {
                        tallest = tallest.max(strip::show(desk, ui, view, fader_height).y);
                        if let StripId::Bus(bus) = view.id
                            && ui
                                .small_button(format!("Remove {}", view.name))
                                .on_hover_text("Remove this bus and every send to it")
                                .clicked()
                        {
                            desk.edit(Edit::RemoveBus(bus));
                        }
                    });
                }
                ui.vertical(|ui| {
                    if ui.button("+ Bus").on_hover_text("Add a bus").clicked() {
                        desk.act(Action::Command(Command::AddBus));
                    }
                });
                ui.separator();
                tallest = tallest.max(strip::show(desk, ui, &master, fader_height).y);
            });
        });
    if tallest > 0.0 {
        ui.data_mut(|d| d.insert_temp(fixed_key, tallest - fader_height));
    }
}
