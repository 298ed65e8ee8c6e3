//! One channel strip of the mixer (tracks, buses and the master alike).

use stemdesk_dsp::EffectKind;
use stemdesk_dsp::params::*;
use stemdesk_session::{Color, Edit, Insert, InsertId, Output, Send, SendId, Strip, StripId};

use super::a11y;
use super::app::StemdeskApp;
use super::fader::{FADER_WIDTH, fader};

/// Width of a strip.
pub const STRIP_WIDTH: f32 = 112.0;
/// Height of the inserts list (three rows; more scroll), so that every strip's fader
/// starts at the same height whatever its inserts.
const INSERTS_HEIGHT: f32 = 3.0 * 24.0;
/// Height of the sends list (two sends; more scroll).
const SENDS_HEIGHT: f32 = 2.0 * 46.0;

/// A strip's data as the mixer needs it (copied, so edits can be applied while drawing).
pub struct StripView {
    /// Which strip.
    pub id: StripId,
    /// Its name.
    pub name: String,
    /// Its colour.
    pub color: Color,
    /// The settings (the master's mapped onto a strip: no sends, output unused).
    pub strip: Strip,
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
pub fn insert_presets(on_bus: bool) -> [(&'static str, EffectParams); 5] {
    EffectKind::ALL.map(|kind| (kind.name(), EffectParams::new_default(kind, !on_bus)))
}

/// Short name of an effect.
pub fn effect_name(p: &EffectParams) -> &'static str {
    p.kind().name()
}

/// Draws one strip with a fader `fader_height` tall, or only reserves its space when it is
/// scrolled out of view (a mixer of 64+ strips then costs what the visible ones cost).
/// Returns the strip's size.
pub fn show(
    app: &mut StemdeskApp,
    ui: &mut egui::Ui,
    view: &StripView,
    fader_height: f32,
) -> egui::Vec2 {
    let size_key = egui::Id::unique("strip_size");
    let last: egui::Vec2 = ui
        .data(|d| d.get_temp(size_key))
        .unwrap_or(egui::vec2(STRIP_WIDTH + 16.0, 600.0));
    let guess = egui::Rect::from_min_size(ui.cursor().min, last);
    if !ui.is_rect_visible(guess) {
        ui.allocate_space(last);
        return last;
    }
    let size = draw(app, ui, view, fader_height);
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

fn draw(
    app: &mut StemdeskApp,
    ui: &mut egui::Ui,
    view: &StripView,
    fader_height: f32,
) -> egui::Vec2 {
    let id = view.id;
    let color = egui::Color32::from_rgb(view.color.0, view.color.1, view.color.2);
    let selected = matches!(id, StripId::Track(t) if app.view.selected_track == Some(t));
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
                    app.view.selected_track = Some(t);
                }
                name_and_color(app, ui, view);
                add_insert_menu(app, ui, view);
                fixed_section(ui, ("inserts", id), INSERTS_HEIGHT, |ui| {
                    inserts(app, ui, view);
                });
                if id == StripId::Master {
                    // The master has no sends: the same space, empty, so its fader lines up.
                    ui.add_visible(false, egui::Button::new("+ Send"));
                } else {
                    add_send_menu(app, ui, view);
                }
                fixed_section(ui, ("sends", id), SENDS_HEIGHT, |ui| {
                    if id != StripId::Master {
                        sends(app, ui, view);
                    }
                });
                ui.separator();
                pan(app, ui, view);
                buttons(app, ui, view);
                fader_and_value(app, ui, view, fader_height);
                if id != StripId::Master {
                    output(app, ui, view);
                } else {
                    ui.label("Stereo out");
                }
            });
        })
        .response
        .rect
        .size()
}

fn name_and_color(app: &mut StemdeskApp, ui: &mut egui::Ui, view: &StripView) {
    ui.horizontal(|ui| {
        if view.id == StripId::Master {
            ui.strong("Master");
            return;
        }
        let mut rgb = [view.color.0, view.color.1, view.color.2];
        let color_resp = egui::color_picker::color_edit_button_srgb(ui, &mut rgb);
        a11y::name(ui, &color_resp, &format!("{} colour", view.name));
        if color_resp.changed() {
            app.edit(
                Edit::SetColor {
                    strip: view.id,
                    color: Color(rgb[0], rgb[1], rgb[2]),
                },
                Some(color_gesture(ui, view.id)),
            );
        }
        let text_id = ui.scope_id().with(("name", view.id));
        let mut text: String = ui
            .data(|d| d.get_temp(text_id))
            .unwrap_or_else(|| view.name.clone());
        let resp = ui.add(
            egui::TextEdit::singleline(&mut text)
                .desired_width(STRIP_WIDTH - 36.0)
                .id(text_id.with("edit")),
        );
        a11y::name(ui, &resp, &format!("{} name", view.name));
        if resp.lost_focus() {
            ui.data_mut(|d| d.remove::<String>(text_id));
            if !text.trim().is_empty() && text != view.name {
                app.edit(
                    Edit::Rename {
                        strip: view.id,
                        name: text.trim().to_owned(),
                    },
                    None,
                );
            }
        } else if resp.has_focus() {
            ui.data_mut(|d| d.insert_temp(text_id, text));
        }
    });
}

/// One undo step per colour-picker session (the picker stays open while dragging).
fn color_gesture(ui: &egui::Ui, strip: StripId) -> u64 {
    let id = egui::Id::unique(("color_gesture", strip));
    let frame = ui.ctx().cumulative_pass_nr();
    let key = ui.data(|d| d.get_temp::<(u64, u64)>(id));
    let g = match key {
        Some((g, last)) if frame.saturating_sub(last) < 3 => g,
        _ => 0x00c0_0000 ^ frame,
    };
    ui.data_mut(|d| d.insert_temp(id, (g, frame)));
    g
}

fn inserts(app: &mut StemdeskApp, ui: &mut egui::Ui, view: &StripView) {
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
                app.edit(
                    Edit::SetInsertBypass {
                        strip: view.id,
                        insert: insert.id,
                        bypass: !on,
                    },
                    None,
                );
            }
            let name = effect_name(&insert.effect);
            let text = if insert.bypass {
                egui::RichText::new(name).strikethrough().weak()
            } else {
                egui::RichText::new(name)
            };
            if ui.button(text).on_hover_text("Open the editor").clicked() {
                app.view.editor = Some((view.id, insert.id));
            }
            if ui.small_button("x").on_hover_text("Remove").clicked() {
                app.edit(
                    Edit::RemoveInsert {
                        strip: view.id,
                        insert: insert.id,
                    },
                    None,
                );
            }
        });
        if let Some(payload) = row.response.dnd_release_payload::<InsertDrag>()
            && payload.strip == view.id
            && payload.insert != insert.id
        {
            app.edit(
                Edit::MoveInsert {
                    strip: view.id,
                    insert: payload.insert,
                    index,
                },
                None,
            );
        }
    }
}

/// The "+ Insert" menu: heads the inserts section.
fn add_insert_menu(app: &mut StemdeskApp, ui: &mut egui::Ui, view: &StripView) {
    ui.menu_button("+ Insert", |ui| {
        let on_bus = matches!(view.id, StripId::Bus(_));
        for (name, params) in insert_presets(on_bus) {
            if ui.button(format!("Add {name}")).clicked() {
                let [id] = app.fresh_ids::<1>();
                let index = view.strip.inserts.len();
                app.edit(
                    Edit::AddInsert {
                        strip: view.id,
                        index,
                        insert: Insert {
                            id: InsertId(id),
                            bypass: false,
                            effect: params,
                        },
                    },
                    None,
                );
                app.view.editor = Some((view.id, InsertId(id)));
            }
        }
    });
}

fn sends(app: &mut StemdeskApp, ui: &mut egui::Ui, view: &StripView) {
    let buses = bus_names(app);
    for send in &view.strip.sends {
        let target = buses
            .iter()
            .find(|(b, _)| *b == send.target)
            .map_or("?", |(_, n)| n.as_str())
            .to_owned();
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(&target).small())
                .on_hover_text(format!("Send to {target}"));
            let mut level = send.level_db;
            let resp = ui.add(
                egui::DragValue::new(&mut level)
                    .range(-96.0..=12.0)
                    .speed(0.2)
                    .suffix(" dB")
                    .max_decimals(1),
            );
            a11y::name(ui, &resp, &format!("{} send to {target}", view.name));
            let gesture = drag_gesture(app, ui, &resp, ("send", send.id));
            if resp.changed() {
                app.edit(
                    Edit::SetSend {
                        strip: view.id,
                        send: send.id,
                        level_db: level,
                        pre_fader: send.pre_fader,
                    },
                    gesture,
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
                app.edit(
                    Edit::SetSend {
                        strip: view.id,
                        send: send.id,
                        level_db: send.level_db,
                        pre_fader: pre,
                    },
                    None,
                );
            }
            if ui.small_button("x").on_hover_text("Remove send").clicked() {
                app.edit(
                    Edit::RemoveSend {
                        strip: view.id,
                        send: send.id,
                    },
                    None,
                );
            }
        });
    }
}

/// Every bus with its name (send targets).
fn bus_names(app: &StemdeskApp) -> Vec<(stemdesk_session::BusId, String)> {
    app.session()
        .buses
        .iter()
        .map(|b| (b.id, b.name.clone()))
        .collect()
}

/// The "+ Send" menu: heads the sends section.
fn add_send_menu(app: &mut StemdeskApp, ui: &mut egui::Ui, view: &StripView) {
    let buses = bus_names(app);
    ui.menu_button("+ Send", |ui| {
        let own = match view.id {
            StripId::Bus(b) => Some(b),
            _ => None,
        };
        let mut any = false;
        for (bus, name) in buses.iter().filter(|(b, _)| Some(*b) != own) {
            any = true;
            if ui.button(format!("Send to {name}")).clicked() {
                let [id] = app.fresh_ids::<1>();
                app.edit(
                    Edit::AddSend {
                        strip: view.id,
                        send: Send {
                            id: SendId(id),
                            target: *bus,
                            level_db: -12.0,
                            pre_fader: false,
                        },
                    },
                    None,
                );
            }
        }
        if !any {
            ui.label("Add a bus first");
        }
    });
}

/// Starts a new undo gesture when a drag starts on `resp`; returns the gesture to use.
fn drag_gesture(
    app: &mut StemdeskApp,
    ui: &egui::Ui,
    resp: &egui::Response,
    key: impl std::hash::Hash + std::fmt::Debug,
) -> Option<u64> {
    let id = egui::Id::unique(("gesture", key));
    if resp.drag_started() {
        let g = app.new_gesture();
        ui.data_mut(|d| d.insert_temp(id, g));
    }
    if resp.dragged() || resp.drag_stopped() {
        ui.data(|d| d.get_temp::<u64>(id))
    } else {
        None
    }
}

fn pan(app: &mut StemdeskApp, ui: &mut egui::Ui, view: &StripView) {
    ui.horizontal(|ui| {
        ui.label("Pan");
        let mut pan = view.strip.pan;
        let resp = ui.add(
            egui::DragValue::new(&mut pan)
                .range(-1.0..=1.0)
                .speed(0.01)
                .custom_formatter(|v, _| {
                    let pct = (v * 100.0).round();
                    if pct == 0.0 {
                        "C".to_owned()
                    } else if pct < 0.0 {
                        format!("L{}", -pct)
                    } else {
                        format!("R{pct}")
                    }
                })
                .custom_parser(parse_pan),
        );
        a11y::name(ui, &resp, &format!("{} pan", view.name));
        let gesture = drag_gesture(app, ui, &resp, ("pan", view.id));
        if resp.double_clicked() {
            pan = 0.0;
        }
        if resp.changed() || resp.double_clicked() {
            app.edit(
                Edit::SetPan {
                    strip: view.id,
                    pan,
                },
                gesture,
            );
        }
    });
}

/// "L30", "R100", "C", or a number -100..100.
fn parse_pan(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_uppercase();
    if t == "C" {
        return Some(0.0);
    }
    let (sign, num) = match t.chars().next()? {
        'L' => (-1.0, &t[1..]),
        'R' => (1.0, &t[1..]),
        _ => (1.0, t.as_str()),
    };
    let v: f64 = num.trim().parse().ok()?;
    Some((sign * v / 100.0).clamp(-1.0, 1.0))
}

fn buttons(app: &mut StemdeskApp, ui: &mut egui::Ui, view: &StripView) {
    ui.horizontal(|ui| {
        let s = &view.strip;
        let mut mute = s.mute;
        if ui
            .toggle_value(&mut mute, "M")
            .on_hover_text("Mute")
            .changed()
        {
            app.edit(
                Edit::SetMute {
                    strip: view.id,
                    mute,
                },
                None,
            );
        }
        if view.id != StripId::Master {
            let mut solo = s.solo;
            if ui
                .toggle_value(&mut solo, "S")
                .on_hover_text("Solo")
                .changed()
            {
                app.edit(
                    Edit::SetSolo {
                        strip: view.id,
                        solo,
                    },
                    None,
                );
            }
        }
        let mut invert = s.polarity_invert;
        if ui
            .toggle_value(&mut invert, "Ø")
            .on_hover_text("Invert polarity")
            .changed()
        {
            app.edit(
                Edit::SetPolarity {
                    strip: view.id,
                    invert,
                },
                None,
            );
        }
        if let (Some(safe), StripId::Bus(bus)) = (view.solo_safe, view.id) {
            let mut safe = safe;
            if ui
                .toggle_value(&mut safe, "safe")
                .on_hover_text("Solo safe: never muted by another strip's solo")
                .changed()
            {
                app.edit(
                    Edit::SetSoloSafe {
                        bus,
                        solo_safe: safe,
                    },
                    None,
                );
            }
        }
    });
}

fn fader_and_value(app: &mut StemdeskApp, ui: &mut egui::Ui, view: &StripView, fader_height: f32) {
    let meter = app.audio.meters.get(&view.id).copied();
    let label = if view.id == StripId::Master {
        "Master"
    } else {
        view.name.as_str()
    };
    let out = ui
        .horizontal(|ui| {
            ui.add_space((STRIP_WIDTH - FADER_WIDTH) / 2.0);
            fader(ui, label, view.strip.gain_db, meter.as_ref(), fader_height)
        })
        .inner;
    let key = egui::Id::unique(("fader_gesture", view.id));
    if out.drag_started {
        let g = app.new_gesture();
        ui.data_mut(|d| d.insert_temp(key, g));
    }
    if let Some(db) = out.new_db {
        let g = ui.data(|d| d.get_temp::<u64>(key));
        app.edit(
            Edit::SetGain {
                strip: view.id,
                gain_db: db,
            },
            g,
        );
    }
    if out.clear_clip
        && let Some(m) = app.audio.meters.get_mut(&view.id)
    {
        m.clear_clip();
    }
    let mut db = view.strip.gain_db;
    let resp = ui
        .add(
            egui::DragValue::new(&mut db)
                .range(-144.0..=24.0)
                .speed(0.1)
                .max_decimals(1)
                .custom_formatter(|v, _| {
                    if v <= -144.0 {
                        "-inf dB".to_owned()
                    } else {
                        format!("{v:.1} dB")
                    }
                })
                .custom_parser(|t| {
                    let t = t.trim().trim_end_matches("dB").trim();
                    if t.eq_ignore_ascii_case("-inf") {
                        Some(-144.0)
                    } else {
                        t.parse().ok()
                    }
                }),
        )
        .on_hover_text(format!("{label} gain"));
    a11y::name(ui, &resp, &format!("{label} gain"));
    let gesture = drag_gesture(app, ui, &resp, ("gain_value", view.id));
    if resp.changed() {
        app.edit(
            Edit::SetGain {
                strip: view.id,
                gain_db: db,
            },
            gesture,
        );
    }
}

fn output(app: &mut StemdeskApp, ui: &mut egui::Ui, view: &StripView) {
    let current = view.strip.output;
    let buses: Vec<(stemdesk_session::BusId, String)> = app
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
        app.edit(
            Edit::SetOutput {
                strip: view.id,
                output: chosen,
            },
            None,
        );
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
