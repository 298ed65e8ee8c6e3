//! Effect editor windows: EQ with its response curve and draggable band handles,
//! compressor with its transfer curve and gain-reduction meter, gate with its threshold
//! against the level (both with a sidechain choice), saturation with its curve, limiter with its gain reduction, reverb
//! and delay with their parameters; above each, the presets row (factory and the
//! user's, save by name). Values show units and take typed input; a drag is one undo
//! step.

mod dynamics;
mod eq;
mod fx;
mod plot;
mod sidechain;

use stemdesk_dsp::{EffectParams, ParamSpec, Taper, Unit};

use super::param_widget::spec_value;
use stemdesk_session::{Edit, InsertId, Session, StripId};

use super::action::{Action, Drag};

use super::desk::Desk;
use super::strip::effect_name;

/// What an editor returns when the user changed something.
pub struct Change {
    /// The new settings.
    pub params: EffectParams,
    /// A drag began: start a new undo step.
    pub new_gesture: bool,
    /// Part of a drag (merge into the current undo step).
    pub dragging: bool,
}

/// Shows the open editor window, if any.
pub fn show(desk: &mut Desk, ctx: &egui::Context) {
    let session = desk.session();
    let Some((strip, insert)) = desk.view.editor else {
        return;
    };
    // An insert added this frame exists from the next one; one removed closes its editor
    // when the removal applies.
    let Some(params) = find(session, strip, insert) else {
        return;
    };
    let keyed_from = session
        .inserts(strip)
        .and_then(|i| i.iter().find(|i| i.id == insert))
        .and_then(|i| i.sidechain);
    let title = format!("{} — {}", effect_name(params), session.strip_name(strip));
    let rate = desk.session().sample_rate_hz as f32;
    let tempo_bpm = desk.session().timeline.tempo_bpm as f32;
    let analyser = desk.analyser;
    let dynamics_db = desk.audio.dynamics_db(strip, insert);
    let level = gate_level(ctx, desk.audio.gate_input_peak(strip, insert));
    let mut open = true;
    let mut change = None;
    let mut loaded = None;
    let mut key_choice = None;
    let mut presets_ui = PresetsUi {
        store: desk.presets,
        name: std::mem::take(&mut desk.view.preset_name),
        actions: Vec::new(),
    };
    egui::Window::new(title)
        .id(egui::Id::unique("effect_editor"))
        .open(&mut open)
        .resizable(false)
        .default_pos(ctx.content_rect().center() - egui::vec2(220.0, 200.0))
        .show(ctx, |ui| {
            loaded = preset_row(&mut presets_ui, ui, params);
            if matches!(params, EffectParams::Compressor(_) | EffectParams::Gate(_)) {
                key_choice = sidechain::row(ui, session, strip, insert, keyed_from);
            }
            ui.separator();
            change = match params {
                EffectParams::Eq(p) => eq::show(ui, p, rate, analyser),
                EffectParams::Compressor(p) => dynamics::compressor(ui, p, dynamics_db),
                EffectParams::Gate(p) => dynamics::gate(ui, p, dynamics_db, level),
                EffectParams::Reverb(p) => fx::reverb(ui, p),
                EffectParams::Delay(p) => fx::delay(ui, p, tempo_bpm),
                EffectParams::Saturation(p) => fx::saturation(ui, p),
                EffectParams::Limiter(p) => fx::limiter(ui, p, dynamics_db),
            };
        });
    desk.view.preset_name = presets_ui.name;
    for action in presets_ui.actions {
        desk.act(action);
    }
    if !open {
        desk.view.editor = None;
    }
    if let Some(source) = key_choice {
        desk.act(Action::Edit {
            edit: Edit::SetInsertSidechain {
                strip,
                insert,
                source,
            },
            drag: None,
        });
    }
    if let Some(params) = loaded {
        // A preset loaded: one edit, its own undo step.
        desk.act(Action::Edit {
            edit: Edit::SetInsertParams {
                strip,
                insert,
                params,
            },
            drag: None,
        });
    }
    if let Some(c) = change {
        // A drag in the editor (a curve handle, a value) is one undo step.
        let drag = (c.dragging || c.new_gesture).then_some(Drag {
            id: egui::Id::unique(("effect_editor", strip, insert)),
            started: c.new_gesture,
        });
        desk.act(Action::Edit {
            edit: Edit::SetInsertParams {
                strip,
                insert,
                params: c.params,
            },
            drag,
        });
    }
}

/// What the preset row works with: the user's presets, the name being typed, and the
/// save/delete actions it asks for.
struct PresetsUi<'a> {
    store: Option<&'a crate::gui::presets::PresetStore>,
    name: String,
    actions: Vec<Action>,
}

/// The preset row above an editor: a menu of factory and user presets (choosing one
/// loads it), a name field and Save (Replace when the name is taken). Returns the
/// settings of a preset chosen this frame.
fn preset_row(
    p: &mut PresetsUi<'_>,
    ui: &mut egui::Ui,
    current: &EffectParams,
) -> Option<EffectParams> {
    use crate::gui::presets::{applied, factory};
    let kind = current.kind();
    let mut loaded = None;
    ui.horizontal(|ui| {
        ui.menu_button("Presets", |ui| {
            ui.label(egui::RichText::new("Factory").small().weak());
            for preset in factory(kind) {
                if ui.button(&preset.name).clicked() {
                    loaded = Some(applied(current, &preset.effect, true));
                    ui.close();
                }
            }
            let user: Vec<_> = p.store.map(|s| s.user(kind).collect()).unwrap_or_default();
            if !user.is_empty() {
                ui.separator();
                ui.label(egui::RichText::new("Yours").small().weak());
            }
            for preset in user {
                ui.horizontal(|ui| {
                    if ui.button(&preset.name).clicked() {
                        loaded = Some(applied(current, &preset.effect, false));
                        ui.close();
                    }
                    if ui
                        .small_button("x")
                        .on_hover_text(format!("Delete preset \"{}\"", preset.name))
                        .clicked()
                    {
                        p.actions.push(Action::DeletePreset {
                            kind,
                            name: preset.name.clone(),
                        });
                        ui.close();
                    }
                });
            }
        });
        let field = ui.add(
            egui::TextEdit::singleline(&mut p.name)
                .hint_text("Preset name")
                .desired_width(120.0),
        );
        crate::gui::a11y::name(ui, &field, "Preset name");
        let taken = p.store.is_some_and(|s| s.has(kind, &p.name));
        let label = if taken {
            "Replace preset"
        } else {
            "Save preset"
        };
        let save = ui.add_enabled(!p.name.trim().is_empty(), egui::Button::new(label));
        if save.clicked() {
            p.actions.push(Action::SavePreset {
                name: p.name.trim().to_string(),
                effect: current.clone(),
                replace: taken,
            });
        }
    });
    loaded
}

/// The gate's input level for display: the peak since the last frame, held with a
/// gentle fall (20 dB/s) so the bar is readable.
fn gate_level(ctx: &egui::Context, peak: Option<f32>) -> Option<f32> {
    let peak = peak?;
    let key = egui::Id::unique("gate_level");
    let now = ctx.input(|i| i.time);
    let (held, at): (f32, f64) = ctx.data(|d| d.get_temp(key)).unwrap_or((0.0, now));
    let fallen = held * 10f32.powf(-20.0 * (now - at) as f32 / 20.0);
    let shown = peak.max(fallen);
    ctx.data_mut(|d| d.insert_temp(key, (shown, now)));
    Some(shown)
}

fn find(s: &Session, strip: StripId, insert: InsertId) -> Option<&EffectParams> {
    s.inserts(strip)?
        .iter()
        .find(|i| i.id == insert)
        .map(|i| &i.effect)
}

/// What a control reports: (changed, drag started, dragging).
pub(crate) type Touched = (bool, bool, bool);

/// Every parameter of `params` in a two-column grid (name, control), as its table
/// declares it: range, unit, typed input, switches and choices. Returns what was touched.
pub(crate) fn param_grid(ui: &mut egui::Ui, id: &str, params: &mut EffectParams) -> Touched {
    param_grid_with(ui, id, params, |_| None)
}

/// [`param_grid`], where `overridden` names parameters that something else sets for now
/// (a synced delay's time): their control is shown disabled, with the reason on hover.
pub(crate) fn param_grid_with(
    ui: &mut egui::Ui,
    id: &str,
    params: &mut EffectParams,
    overridden: impl Fn(&str) -> Option<String>,
) -> Touched {
    let mut touched = (false, false, false);
    egui::Grid::new(id).num_columns(2).show(ui, |ui| {
        for (key, spec) in params.params() {
            let Some(mut value) = params.get(&key) else {
                continue;
            };
            let t = match overridden(&key) {
                Some(why) => {
                    // The name stays a cell of its own; only the control is disabled.
                    ui.label(spec.name);
                    let r = ui
                        .add_enabled_ui(false, |ui| {
                            param_control(ui, spec, &mut value, Some(spec.name))
                        })
                        .response;
                    r.on_disabled_hover_text(why);
                    (false, false, false)
                }
                None => param_control(ui, spec, &mut value, None),
            };
            ui.end_row();
            if t.0 {
                // The key came from this effect's own table: it is known.
                let _ = params.set(&key, value);
            }
            touched = fold(&[touched, t]);
        }
    });
    touched
}

/// One parameter's control from its table entry: with a visible label (the table's
/// name), or, in a table with column headings, only an accessible `name`.
pub(crate) fn param_control(
    ui: &mut egui::Ui,
    spec: &'static ParamSpec,
    value: &mut f32,
    name: Option<&str>,
) -> Touched {
    let label = name.is_none().then(|| ui.label(spec.name).id);
    let name = |ui: &egui::Ui, r: &egui::Response| match label {
        Some(id) => {
            r.clone().labelled_by(id);
        }
        None => super::a11y::name(ui, r, name.unwrap_or(spec.name)),
    };
    match spec.unit {
        Unit::Switch => {
            let mut on = *value >= 0.5;
            let r = ui.checkbox(&mut on, "");
            name(ui, &r);
            *value = if on { 1.0 } else { 0.0 };
            (r.changed(), false, false)
        }
        Unit::Choice(options) => {
            let mut changed = false;
            ui.horizontal(|ui| {
                for (i, option) in options.iter().enumerate() {
                    let selected = value.round() as usize == i;
                    if ui.selectable_label(selected, *option).clicked() && !selected {
                        *value = i as f32;
                        changed = true;
                    }
                }
            });
            (changed, false, false)
        }
        _ => {
            // Log-tapered values move by a ratio per pixel; linear ones by a fixed step.
            let speed = match spec.taper {
                Taper::Log => (f64::from(value.abs()) * 0.01).max(f64::from(spec.min) * 0.01),
                Taper::Linear => f64::from(spec.max - spec.min) / 400.0,
            };
            let r = ui.add(spec_value(value, spec, speed));
            name(ui, &r);
            (r.changed(), r.drag_started(), r.dragged())
        }
    }
}

/// Folds several controls' results into one change description.
pub(crate) fn fold(results: &[Touched]) -> Touched {
    results.iter().fold((false, false, false), |a, r| {
        (a.0 || r.0, a.1 || r.1, a.2 || r.2)
    })
}
