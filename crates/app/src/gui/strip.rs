//! One channel strip of the mixer (tracks, buses and the master alike).

use stemdesk_dsp::EffectKind;
use stemdesk_dsp::params::*;
use stemdesk_session::{
    Color, Edit, Insert, InsertId, Output, Send, SendId, Strip, StripId, StripParam,
};

use super::a11y;
use stemdesk_dsp::param_table::strip as strip_params;

use super::action::{Action, Drag};
use super::desk::Desk;
use super::fader::{FADER_WIDTH, fader};
use super::param_widget::spec_value;

/// Width of a strip.
pub const STRIP_WIDTH: f32 = 112.0;
/// Height of the inserts list (three rows; more scroll), so that every strip's fader
/// starts at the same height whatever its inserts.
const INSERTS_HEIGHT: f32 = 3.0 * 24.0;
/// Height of the sends list (two sends; more scroll).
const SENDS_HEIGHT: f32 = 2.0 * 46.0;

/// A strip as the mixer draws it: tracks, buses and the master alike (read from the
/// document; edits go out as actions).
pub struct StripView<'a> {
    /// Which strip.
    pub id: StripId,
    /// Its name.
    pub name: &'a str,
    /// Its colour.
    pub color: Color,
    /// The settings (the master's mapped onto a strip: no sends, output unused).
    pub strip: std::borrow::Cow<'a, Strip>,
    /// Bus solo-safe flag.
    pub solo_safe: Option<bool>,
}

/// Payload of an insert being dragged to a new slot.
#[derive(Clone, Copy)]
struct InsertDrag {
    strip: StripId,
    insert: InsertId,
}

/// The insert kinds offered, with a default setting each. On a bus (a send's return) the
/// reverb and delay are 100 % wet: the dry signal already reaches the mix from its track.
pub fn insert_presets(on_bus: bool) -> [(&'static str, EffectParams); EffectKind::ALL.len()] {
    EffectKind::ALL.map(|kind| (kind.name(), EffectParams::new_default(kind, !on_bus)))
}

/// Short name of an effect.
pub fn effect_name(p: &EffectParams) -> &'static str {
    p.kind().name()
}

/// Draws one strip with a fader `fader_height` tall, or only reserves its space when it is
/// scrolled out of view (a mixer of 64+ strips then costs what the visible ones cost).
/// Returns the strip's size.
pub fn show(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView, fader_height: f32) -> egui::Vec2 {
    let size_key = egui::Id::unique("strip_size");
    let last: egui::Vec2 = ui
        .data(|d| d.get_temp(size_key))
        .unwrap_or(egui::vec2(STRIP_WIDTH + 16.0, 600.0));
    let guess = egui::Rect::from_min_size(ui.cursor().min, last);
    if !ui.is_rect_visible(guess) {
        ui.allocate_space(last);
        return last;
    }
    let size = draw(desk, ui, view, fader_height);
    ui.data_mut(|d| d.insert_temp(size_key, size));
    size
}

/// A section of fixed height whose content scrolls when it does not fit.
fn fixed_section(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    height: f32,
    add: impl FnOnce(&mut egui::Ui),
) {
    ui.allocate_ui(egui::vec2(STRIP_WIDTH, height), |ui| {
        ui.set_min_size(egui::vec2(STRIP_WIDTH, height));
        egui::ScrollArea::vertical()
            .id_salt(id_salt)
            .max_height(height)
            .auto_shrink([false, false])
            .show(ui, add);
    });
}

fn draw(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView, fader_height: f32) -> egui::Vec2 {
    let id = view.id;
    let color = egui::Color32::from_rgb(view.color.0, view.color.1, view.color.2);
    let selected = matches!(id, StripId::Track(t) if desk.view.selected_track == Some(t));
    let frame = egui::Frame::group(ui.style())
        .fill(if selected {
            ui.visuals().selection.bg_fill.gamma_multiply(0.25)
        } else {
            ui.visuals().faint_bg_color
        })
        .inner_margin(4.0);
    frame
        .show(ui, |ui| {
            ui.set_width(STRIP_WIDTH);
            ui.vertical(|ui| {
                let (bar, bar_resp) =
                    ui.allocate_exact_size(egui::vec2(STRIP_WIDTH, 6.0), egui::Sense::click());
                ui.painter().rect_filled(bar, 2.0, color);
                if bar_resp.clicked()
                    && let StripId::Track(t) = id
                {
                    desk.view.selected_track = Some(t);
                }
                name_and_color(desk, ui, view);
                add_insert_menu(desk, ui, view);
                fixed_section(ui, ("inserts", id), INSERTS_HEIGHT, |ui| {
                    inserts(desk, ui, view);
                });
                if id == StripId::Master {
                    // The master has no sends: the same space, empty, so its fader lines up.
                    ui.add_visible(false, egui::Button::new("+ Send"));
                } else {
                    add_send_menu(desk, ui, view);
                }
                fixed_section(ui, ("sends", id), SENDS_HEIGHT, |ui| {
                    if id == StripId::Master {
                        // The master has no sends: its loudness meter sits there.
                        master_loudness(desk, ui);
                    } else {
                        sends(desk, ui, view);
                    }
                });
                ui.separator();
                pan(desk, ui, view);
                buttons(desk, ui, view);
                fader_and_value(desk, ui, view, fader_height);
                if id != StripId::Master {
                    output(desk, ui, view);
                } else {
                    ui.label("Stereo out");
                }
            });
        })
        .response
        .rect
        .size()
}

fn name_and_color(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView) {
    ui.horizontal(|ui| {
        if view.id == StripId::Master {
            ui.strong("Master");
            return;
        }
        let mut rgb = [view.color.0, view.color.1, view.color.2];
        let color_resp = egui::color_picker::color_edit_button_srgb(ui, &mut rgb);
        a11y::name(ui, &color_resp, &format!("{} colour", view.name));
        if color_resp.changed() {
            // The picker stays open while its colour is dragged: one undo step for as long
            // as changes keep coming from it.
            desk.act(Action::Edit {
                edit: Edit::SetColor {
                    strip: view.id,
                    color: Color(rgb[0], rgb[1], rgb[2]),
                },
                drag: Some(Drag {
                    id: color_resp.id,
                    started: false,
                }),
            });
        }
        let text_id = ui.scope_id().with(("name", view.id));
        let mut text: String = ui
            .data(|d| d.get_temp(text_id))
            .unwrap_or_else(|| view.name.to_owned());
        let resp = ui.add(
            egui::TextEdit::singleline(&mut text)
                .desired_width(STRIP_WIDTH - 36.0)
                .id(text_id.with("edit")),
        );
        a11y::name(ui, &resp, &format!("{} name", view.name));
        if resp.lost_focus() {
            ui.data_mut(|d| d.remove::<String>(text_id));
            if !text.trim().is_empty() && text != view.name {
                desk.edit(Edit::Rename {
                    strip: view.id,
                    name: text.trim().to_owned(),
                });
            }
        } else if resp.has_focus() {
            ui.data_mut(|d| d.insert_temp(text_id, text));
        }
    });
}

fn inserts(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView) {
    for (index, insert) in view.strip.inserts.iter().enumerate() {
        let drag_id = egui::Id::unique(("insert_drag", view.id, insert.id));
        let row = ui.horizontal(|ui| {
            ui.dnd_drag_source(
                drag_id,
                InsertDrag {
                    strip: view.id,
                    insert: insert.id,
                },
                |ui| {
                    ui.label("::");
                },
            );
            let mut on = !insert.bypass;
            if ui
                .toggle_value(&mut on, "on")
                .on_hover_text("Bypass")
                .changed()
            {
                desk.edit(Edit::SetInsertBypass {
                    strip: view.id,
                    insert: insert.id,
                    bypass: !on,
                });
            }
            let name = effect_name(&insert.effect);
            let text = if insert.bypass {
                egui::RichText::new(name).strikethrough().weak()
            } else {
                egui::RichText::new(name)
            };
            if ui.button(text).on_hover_text("Open the editor").clicked() {
                desk.view.editor = Some((view.id, insert.id));
            }
            if ui.small_button("x").on_hover_text("Remove").clicked() {
                desk.edit(Edit::RemoveInsert {
                    strip: view.id,
                    insert: insert.id,
                });
            }
        });
        if let Some(payload) = row.response.dnd_release_payload::<InsertDrag>()
            && payload.strip == view.id
            && payload.insert != insert.id
        {
            desk.edit(Edit::MoveInsert {
                strip: view.id,
                insert: payload.insert,
                index,
            });
        }
    }
}

/// The "+ Insert" menu: heads the inserts section.
fn add_insert_menu(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView) {
    ui.menu_button("+ Insert", |ui| {
        let on_bus = matches!(view.id, StripId::Bus(_));
        for (name, params) in insert_presets(on_bus) {
            if ui.button(format!("Add {name}")).clicked() {
                let [id] = [desk.fresh_id()];
                let index = view.strip.inserts.len();
                desk.edit(Edit::AddInsert {
                    strip: view.id,
                    index,
                    insert: Insert {
                        id: InsertId(id),
                        bypass: false,
                        effect: params,
                        sidechain: None,
                    },
                });
                desk.view.editor = Some((view.id, InsertId(id)));
            }
        }
    });
}

fn sends(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView) {
    let buses = bus_names(desk);
    for send in &view.strip.sends {
        let target = buses
            .iter()
            .find(|(b, _)| *b == send.target)
            .map_or("?", |(_, n)| n.as_str())
            .to_owned();
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(&target).small())
                .on_hover_text(format!("Send to {target}"));
            let mut level = desk.shown(view.id, StripParam::SendLevelDb(send.id), send.level_db);
            let resp = ui.add(spec_value(&mut level, &strip_params::SEND_LEVEL_DB, 0.2));
            a11y::name(ui, &resp, &format!("{} send to {target}", view.name));
            if resp.changed() {
                desk.edit_by(
                    Edit::SetSend {
                        strip: view.id,
                        send: send.id,
                        level_db: level,
                        pre_fader: send.pre_fader,
                    },
                    &resp,
                );
            }
        });
        ui.horizontal(|ui| {
            let mut pre = send.pre_fader;
            let label = if pre { "pre" } else { "post" };
            if ui
                .toggle_value(&mut pre, label)
                .on_hover_text("Pre- or post-fader")
                .changed()
            {
                desk.edit(Edit::SetSend {
                    strip: view.id,
                    send: send.id,
                    level_db: send.level_db,
                    pre_fader: pre,
                });
            }
            if ui.small_button("x").on_hover_text("Remove send").clicked() {
                desk.edit(Edit::RemoveSend {
                    strip: view.id,
                    send: send.id,
                });
            }
        });
    }
}

/// The master's loudness (EBU R 128) of what plays, true peak and correlation, compact.
fn master_loudness(desk: &mut Desk, ui: &mut egui::Ui) {
    let r = desk.audio.loudness.reading();
    let v = |x: Option<f64>| x.map_or("-inf".to_owned(), |x| format!("{x:.1}"));
    let small = |text: String| egui::RichText::new(text).monospace().size(10.5);
    ui.label(small(format!(
        "M {:>5}  S {:>5}",
        v(r.momentary_lufs),
        v(r.short_term_lufs)
    )))
    .on_hover_text("Momentary (400 ms) and short-term (3 s) loudness, LUFS");
    ui.label(small(format!("I {:>5} LUFS", v(r.integrated_lufs))))
        .on_hover_text("Integrated loudness since the reset");
    ui.label(small(format!(
        "TP {:>5}  C {}",
        v(r.true_peak_dbtp),
        r.correlation
            .map_or(" --".to_owned(), |c| format!("{c:+.2}"))
    )))
    .on_hover_text("True peak since the reset (dBTP) and stereo correlation");
    if ui
        .small_button("Reset")
        .on_hover_text("Start the integrated loudness and true peak again")
        .clicked()
    {
        desk.act(Action::ResetLoudness);
    }
}

/// Every bus with its name (send targets).
fn bus_names(desk: &Desk) -> Vec<(stemdesk_session::BusId, String)> {
    desk.session()
        .buses
        .iter()
        .map(|b| (b.id, b.name.clone()))
        .collect()
}

/// The "+ Send" menu: heads the sends section.
fn add_send_menu(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView) {
    let buses = bus_names(desk);
    ui.menu_button("+ Send", |ui| {
        let own = match view.id {
            StripId::Bus(b) => Some(b),
            _ => None,
        };
        let mut any = false;
        for (bus, name) in buses.iter().filter(|(b, _)| Some(*b) != own) {
            any = true;
            if ui.button(format!("Send to {name}")).clicked() {
                let [id] = [desk.fresh_id()];
                desk.edit(Edit::AddSend {
                    strip: view.id,
                    send: Send {
                        id: SendId(id),
                        target: *bus,
                        level_db: -12.0,
                        pre_fader: false,
                    },
                });
            }
        }
        if !any {
            ui.label("Add a bus first");
        }
    });
}

fn pan(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView) {
    ui.horizontal(|ui| {
        ui.label("Pan");
        let mut pan = desk.shown(view.id, StripParam::Pan, view.strip.pan);
        let resp = ui.add(spec_value(&mut pan, &strip_params::PAN, 0.01));
        a11y::name(ui, &resp, &format!("{} pan", view.name));
        if resp.double_clicked() {
            pan = 0.0;
        }
        if resp.changed() || resp.double_clicked() {
            desk.edit_by(
                Edit::SetPan {
                    strip: view.id,
                    pan,
                },
                &resp,
            );
        }
    });
}

fn buttons(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView) {
    ui.horizontal(|ui| {
        let s = &view.strip;
        let mut mute = s.mute;
        if ui
            .toggle_value(&mut mute, "M")
            .on_hover_text("Mute")
            .changed()
        {
            desk.edit(Edit::SetMute {
                strip: view.id,
                mute,
            });
        }
        if view.id != StripId::Master {
            let mut solo = s.solo;
            if ui
                .toggle_value(&mut solo, "S")
                .on_hover_text("Solo")
                .changed()
            {
                desk.edit(Edit::SetSolo {
                    strip: view.id,
                    solo,
                });
            }
        }
        let mut invert = s.polarity_invert;
        if ui
            .toggle_value(&mut invert, "Ø")
            .on_hover_text("Invert polarity")
            .changed()
        {
            desk.edit(Edit::SetPolarity {
                strip: view.id,
                invert,
            });
        }
        if let (Some(safe), StripId::Bus(bus)) = (view.solo_safe, view.id) {
            let mut safe = safe;
            if ui
                .toggle_value(&mut safe, "safe")
                .on_hover_text("Solo safe: never muted by another strip's solo")
                .changed()
            {
                desk.edit(Edit::SetSoloSafe {
                    bus,
                    solo_safe: safe,
                });
            }
        }
    });
}

fn fader_and_value(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView, fader_height: f32) {
    let meter = desk.audio.meters.get(&view.id).copied();
    let label = if view.id == StripId::Master {
        "Master"
    } else {
        view.name
    };
    // An automated fader follows its lane (or what is being written).
    let gain_db = desk.shown(view.id, StripParam::GainDb, view.strip.gain_db);
    let out = ui
        .horizontal(|ui| {
            ui.add_space((STRIP_WIDTH - FADER_WIDTH) / 2.0);
            fader(ui, label, gain_db, meter.as_ref(), fader_height)
        })
        .inner;
    if let Some(db) = out.new_db {
        desk.act(Action::Edit {
            edit: Edit::SetGain {
                strip: view.id,
                gain_db: db,
            },
            drag: out.drag,
        });
    }
    if out.clear_clip {
        desk.act(Action::ClearClip(view.id));
    }
    let mut db = gain_db;
    let automated = desk.automated(view.id, StripParam::GainDb);
    let resp = ui
        .add(spec_value(&mut db, &strip_params::GAIN_DB, 0.1))
        .on_hover_text(if automated {
            format!("{label} gain (following its automation lane)")
        } else {
            format!("{label} gain")
        });
    a11y::name(ui, &resp, &format!("{label} gain"));
    if resp.changed() {
        desk.edit_by(
            Edit::SetGain {
                strip: view.id,
                gain_db: db,
            },
            &resp,
        );
    }
}

fn output(desk: &mut Desk, ui: &mut egui::Ui, view: &StripView) {
    let current = view.strip.output;
    let buses: Vec<(stemdesk_session::BusId, String)> = desk
        .session()
        .buses
        .iter()
        .filter(|b| StripId::Bus(b.id) != view.id)
        .map(|b| (b.id, b.name.clone()))
        .collect();
    let name_of = |o: Output| match o {
        Output::Master => "Master".to_owned(),
        Output::Bus(b) => buses
            .iter()
            .find(|(id, _)| *id == b)
            .map_or("?".to_owned(), |(_, n)| n.clone()),
    };
    let mut chosen = current;
    let combo = egui::ComboBox::from_id_salt(("output", view.id))
        .width(STRIP_WIDTH - 8.0)
        .selected_text(format!("Out: {}", name_of(current)))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut chosen, Output::Master, "Master");
            for (b, n) in &buses {
                ui.selectable_value(&mut chosen, Output::Bus(*b), n);
            }
        });
    a11y::name(ui, &combo.response, &format!("{} output", view.name));
    if chosen != current {
        desk.edit(Edit::SetOutput {
            strip: view.id,
            output: chosen,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wet(presets: &[(&str, EffectParams)]) -> Vec<f32> {
        presets
            .iter()
            .filter_map(|(_, p)| match p {
                EffectParams::Reverb(r) => Some(r.mix),
                EffectParams::Delay(d) => Some(d.mix),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn reverb_and_delay_on_a_bus_are_fully_wet() {
        assert_eq!(wet(&insert_presets(true)), [1.0, 1.0]);
        assert!(wet(&insert_presets(false)).iter().all(|&m| m < 0.5));
    }
}
