//! Automation lanes under their track in the arrange view, on the clips' time axis.
//!
//! The curve is drawn with [`AutomationLane::value_at`], the function the engine plays,
//! on the parameter's own scale (the fader's taper for levels, octaves for frequencies).
//! Click adds a point; drag moves the selected points together (Shift: ten times finer;
//! the point taken hold of lands on the grid when snapping is on, Alt: free);
//! drag on empty space selects with a rubber band, Shift-click adds to the selection;
//! Ctrl-drag draws freehand, thinned to within [`PENCIL_TOLERANCE`]; Delete removes the
//! selection; right-click a point to type its time and value or pick its segment's
//! shape. Each gesture is one undo step.

use std::collections::BTreeSet;

use egui::{Color32, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2};
use stemdesk_dsp::{ParamSpec, SILENCE_DB, Unit};
use stemdesk_session::{
    AutomationLane, AutomationMode, Breakpoint, CurveShape, Edit, LaneId, ParamId, StripId, thin,
};

use super::action::{Action, Drag};
use super::arrange::{HEADER_WIDTH, TimeAxis};
use super::desk::Desk;
use super::fader::{db_to_pos, pos_to_db};
use super::param_widget::spec_value;

/// Height of one lane row, px.
pub const LANE_HEIGHT: f32 = 60.0;
/// A pencil stroke is thinned to within this fraction of the lane's height (0.5 %: on the
/// fader's scale about 0.1 dB around 0 dB).
pub const PENCIL_TOLERANCE: f32 = 0.005;
/// How close (px) the pointer must be to a point to grab it.
const HIT_PX: f32 = 6.0;
/// Space above and below the curve inside a lane, px.
const PAD_PX: f32 = 4.0;

/// A drag on a lane in progress (view state, not the document).
#[derive(Debug, Clone, PartialEq)]
pub enum LaneDrag {
    /// The selected points follow the pointer. `original` is the lane when the drag
    /// began (the move is always computed from it, so nothing accumulates); `gesture`
    /// names this drag's undo step, `sent` whether it has started.
    Move {
        /// The lane.
        lane: LaneId,
        /// The lane as it was.
        original: AutomationLane,
        /// Where the pointer took hold.
        grab: Pos2,
        /// The point taken hold of (it lands on the grid when snapping).
        anchor: usize,
        /// This drag's own undo gesture.
        gesture: egui::Id,
        /// An edit of this drag has been sent.
        sent: bool,
    },
    /// A rubber band from `from`.
    Select {
        /// The lane.
        lane: LaneId,
        /// Where it began.
        from: Pos2,
    },
    /// A freehand stroke: (frame, value) as drawn.
    Pencil {
        /// The lane.
        lane: LaneId,
        /// The samples of the stroke.
        drawn: Vec<(u64, f32)>,
    },
}

impl LaneDrag {
    fn lane(&self) -> LaneId {
        match self {
            LaneDrag::Move { lane, .. }
            | LaneDrag::Select { lane, .. }
            | LaneDrag::Pencil { lane, .. } => *lane,
        }
    }
}

/// Where `value` sits on the lane, 0 (bottom) to 1 (top): levels on the fader's taper,
/// log-tapered parameters by ratio, the rest linearly.
pub fn to_unit(spec: &ParamSpec, value: f32) -> f32 {
    if is_level(spec) {
        db_to_pos(value)
    } else {
        spec.to_normalized(value)
    }
}

/// The value at height `unit` (0..1) of the lane.
pub fn from_unit(spec: &ParamSpec, unit: f32) -> f32 {
    let unit = unit.clamp(0.0, 1.0);
    spec.clamp(if is_level(spec) {
        pos_to_db(unit)
    } else {
        spec.from_normalized(unit)
    })
}

fn is_level(spec: &ParamSpec) -> bool {
    spec.unit == Unit::Decibel && spec.min <= SILENCE_DB
}

/// Rows for each bus and the master under the tracks: a name and an A button that shows
/// their automation lanes.
pub fn bus_and_master_rows(desk: &mut Desk, ui: &mut egui::Ui, ax: TimeAxis, right: f32) {
    let strips: Vec<StripId> = desk
        .session()
        .buses
        .iter()
        .map(|b| StripId::Bus(b.id))
        .chain(std::iter::once(StripId::Master))
        .collect();
    ui.add_space(6.0);
    for strip in strips {
        ui.horizontal(|ui| {
            let (rect, _) =
                ui.allocate_exact_size(Vec2::new(HEADER_WIDTH - 8.0, 22.0), Sense::hover());
            ui.painter()
                .rect_filled(rect, 3.0, ui.visuals().faint_bg_color.gamma_multiply(0.5));
            let mut child = ui.new_child(
                egui::UiBuilder::new()
                    .max_rect(rect.shrink2(Vec2::new(8.0, 1.0)))
                    .layout(egui::Layout::left_to_right(egui::Align::Center)),
            );
            let name = track_name(desk, strip);
            let kind = if strip == StripId::Master {
                ""
            } else {
                " (bus)"
            };
            child.label(egui::RichText::new(format!("{name}{kind}")).small());
            child.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                lanes_button(desk, ui, strip, &name);
            });
        });
        if desk.view.automation_open.contains(&strip) {
            strip_lanes(desk, ui, strip, ax, right);
        }
    }
}

/// The "A" button that shows or hides `strip`'s lanes (its tooltip counts them).
pub fn lanes_button(desk: &mut Desk, ui: &mut egui::Ui, strip: StripId, name: &str) {
    let mut open = desk.view.automation_open.contains(&strip);
    let lanes = desk
        .session()
        .automation
        .iter()
        .filter(|l| l.target.strip == strip)
        .count();
    let r = ui
        .toggle_value(&mut open, "A")
        .on_hover_text(format!("Automation lanes ({lanes})"));
    super::a11y::name(ui, &r, &format!("{name} automation"));
    if r.changed() {
        if open {
            desk.view.automation_open.insert(strip);
        } else {
            desk.view.automation_open.remove(&strip);
        }
    }
}

/// The lanes of a strip (when shown) and the row that adds one.
pub fn strip_lanes(desk: &mut Desk, ui: &mut egui::Ui, strip: StripId, ax: TimeAxis, right: f32) {
    let lanes: Vec<AutomationLane> = desk
        .session()
        .automation
        .iter()
        .filter(|l| l.target.strip == strip)
        .cloned()
        .collect();
    for lane in &lanes {
        let Some(spec) = desk.session().param_spec(&lane.target) else {
            continue;
        };
        ui.horizontal(|ui| {
            lane_header(desk, ui, lane, spec, HEADER_WIDTH - 8.0);
            lane_area(desk, ui, lane, spec, ax, right);
        });
    }
    ui.horizontal(|ui| {
        add_lane_menu(desk, ui, strip, &lanes);
        mode_menu(desk, ui, strip);
    });
}

/// The strip's automation mode (Off, Read, Touch, Latch, Write, Trim).
fn mode_menu(desk: &mut Desk, ui: &mut egui::Ui, strip: StripId) {
    let mode = desk.session().automation_mode(strip);
    let name = track_name(desk, strip);
    let text = egui::RichText::new(mode.name()).small();
    let text = if mode.records() {
        text.color(Color32::from_rgb(240, 90, 70))
    } else {
        text
    };
    let r = egui::ComboBox::from_id_salt(("automation_mode", strip))
        .selected_text(text)
        .width(64.0)
        .show_ui(ui, |ui| {
            for m in AutomationMode::ALL {
                if ui.selectable_label(m == mode, m.name()).clicked() && m != mode {
                    desk.edit(Edit::SetAutomationMode { strip, mode: m });
                }
            }
        });
    super::a11y::name(ui, &r.response, &format!("{name} automation mode"));
    r.response.on_hover_text(
        "Off: lanes silent. Read: lanes play. Touch: writes while a control is held. \
         Latch: keeps writing until stop. Write: overwrites from play to stop. \
         Trim: offsets the lane by the move.",
    );
}

/// The strip's own name ("Drums"), as its controls are labelled.
fn track_name(desk: &Desk, strip: StripId) -> String {
    let s = desk.session();
    match strip {
        StripId::Track(t) => s.track(t).map(|t| t.name.clone()),
        StripId::Bus(b) => s.bus(b).map(|b| b.name.clone()),
        StripId::Master => Some("Master".into()),
    }
    .unwrap_or_default()
}

/// Name, value at the playhead, on/off and remove.
fn lane_header(
    desk: &mut Desk,
    ui: &mut egui::Ui,
    lane: &AutomationLane,
    spec: &'static ParamSpec,
    width: f32,
) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width.max(60.0), LANE_HEIGHT), Sense::hover());
    if !ui.is_rect_visible(rect) {
        return;
    }
    ui.painter()
        .rect_filled(rect, 3.0, ui.visuals().faint_bg_color.gamma_multiply(0.6));
    let name = desk.session().param_name(&lane.target);
    // What plays: the lane where it plays (the same rule as the controls), else the
    // static value.
    let static_value = desk
        .session()
        .param_value(&lane.target)
        .unwrap_or(spec.default);
    let value = desk.shown(lane.target.strip, lane.target.param.clone(), static_value);
    let inner = rect.shrink2(Vec2::new(14.0, 3.0));
    // A child that does not move the row's cursor: the lane area starts where the
    // track's timeline does, whatever the header holds.
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(inner)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    {
        let ui = &mut child;
        ui.label(egui::RichText::new(&name).small().strong());
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(spec.format(value)).small().monospace());
            let mut on = lane.enabled;
            let full = format!("{} {name} lane", track_name(desk, lane.target.strip));
            let r = ui.checkbox(&mut on, "On");
            super::a11y::name(ui, &r, &format!("{full} on"));
            if r.changed() {
                desk.edit(Edit::SetAutomationLane(AutomationLane {
                    enabled: on,
                    ..lane.clone()
                }));
            }
            let r = ui.small_button("x").on_hover_text("Remove this lane");
            super::a11y::name(ui, &r, &format!("Remove {full}"));
            if r.clicked() {
                desk.edit(Edit::RemoveAutomationLane(lane.id));
            }
        });
    }
}

/// "Add lane" with every parameter of the strip that has none yet.
fn add_lane_menu(desk: &mut Desk, ui: &mut egui::Ui, strip: StripId, lanes: &[AutomationLane]) {
    ui.add_space(14.0);
    let session = desk.session();
    let free: Vec<ParamId> = session
        .automatable_params(strip)
        .into_iter()
        .filter(|p| !lanes.iter().any(|l| l.target == *p))
        .collect();
    let label = format!("Add {} Lane", track_name(desk, strip));
    ui.menu_button(egui::RichText::new("+ Lane").small(), |ui| {
        for param in free {
            if ui.button(session.param_name(&param)).clicked() {
                // A new lane starts flat at the parameter's value: it sounds as before.
                let value = session
                    .param_value(&param)
                    .or_else(|| session.param_spec(&param).map(|s| s.default))
                    .unwrap_or_default();
                let id = LaneId(desk.fresh_id());
                desk.edit(Edit::SetAutomationLane(AutomationLane {
                    id,
                    target: param,
                    enabled: true,
                    points: vec![Breakpoint {
                        time_frames: 0,
                        value,
                        curve: CurveShape::Linear,
                    }],
                }));
                ui.close();
            }
        }
    })
    .response
    .on_hover_text(label);
}

/// Maps a lane's values to its rectangle.
#[derive(Clone, Copy)]
struct LaneGeometry {
    rect: Rect,
    spec: &'static ParamSpec,
    ax: TimeAxis,
}

impl LaneGeometry {
    fn y(&self, value: f32) -> f32 {
        self.rect.max.y - PAD_PX - to_unit(self.spec, value) * self.usable()
    }
    fn value(&self, y: f32) -> f32 {
        from_unit(self.spec, (self.rect.max.y - PAD_PX - y) / self.usable())
    }
    fn usable(&self) -> f32 {
        (self.rect.height() - 2.0 * PAD_PX).max(1.0)
    }
    fn pos(&self, p: &Breakpoint) -> Pos2 {
        Pos2::new(self.ax.x(p.time_frames), self.y(p.value))
    }
    /// The point within grabbing distance of `at`, nearest first.
    fn hit(&self, lane: &AutomationLane, at: Pos2) -> Option<usize> {
        lane.points
            .iter()
            .enumerate()
            .map(|(i, p)| (i, self.pos(p).distance(at)))
            .filter(|(_, d)| *d <= HIT_PX)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }
}

fn selection(desk: &Desk, lane: &AutomationLane) -> BTreeSet<usize> {
    desk.view
        .lane_selection
        .as_ref()
        .filter(|(l, _)| *l == lane.id)
        .map(|(_, points)| matching(lane, points))
        .unwrap_or_default()
}

/// Selects the points of `lane` at `indices` (kept as the points themselves, so an edit
/// that reorders or adds points never shifts the selection onto others).
fn set_selection(desk: &mut Desk, lane: &AutomationLane, indices: BTreeSet<usize>) {
    let points = indices
        .iter()
        .filter_map(|&i| lane.points.get(i).copied())
        .collect();
    desk.view.lane_selection = Some((lane.id, points));
}

/// Where `points` are in `lane` (each matched once).
pub fn matching(lane: &AutomationLane, points: &[Breakpoint]) -> BTreeSet<usize> {
    let mut left: Vec<Breakpoint> = points.to_vec();
    lane.points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let at = left.iter().position(|q| q == p)?;
            left.swap_remove(at);
            Some(i)
        })
        .collect()
}

fn lane_area(
    desk: &mut Desk,
    ui: &mut egui::Ui,
    lane: &AutomationLane,
    spec: &'static ParamSpec,
    ax: TimeAxis,
    right: f32,
) -> Rect {
    let width = (right - ax.left).max(10.0);
    let (rect, resp) =
        ui.allocate_exact_size(Vec2::new(width, LANE_HEIGHT), Sense::click_and_drag());
    let name = format!(
        "{} {} automation lane",
        track_name(desk, lane.target.strip),
        desk.session().param_name(&lane.target)
    );
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::GenericContainer, true, &name));
    if !ui.is_rect_visible(rect) {
        return rect;
    }
    let g = LaneGeometry { rect, spec, ax };
    interact(desk, ui, &resp, lane, g);
    draw(desk, ui, lane, g);
    rect
}

fn interact(
    desk: &mut Desk,
    ui: &egui::Ui,
    resp: &egui::Response,
    lane: &AutomationLane,
    g: LaneGeometry,
) {
    let mods = ui.input(|i| i.modifiers);
    let pointer = ui.input(|i| i.pointer.latest_pos());
    if resp.drag_started() {
        let origin = ui
            .input(|i| i.pointer.press_origin())
            .or(pointer)
            .unwrap_or(g.rect.center());
        desk.view.selected_clip = None;
        desk.view.lane_drag = Some(match g.hit(lane, origin) {
            Some(i) => {
                let mut sel = selection(desk, lane);
                if !sel.contains(&i) {
                    if !mods.shift {
                        sel.clear();
                    }
                    sel.insert(i);
                }
                set_selection(desk, lane, sel);
                LaneDrag::Move {
                    lane: lane.id,
                    original: lane.clone(),
                    grab: origin,
                    anchor: i,
                    gesture: resp.id.with(ui.input(|i| i.time).to_bits()),
                    sent: false,
                }
            }
            None if mods.command => LaneDrag::Pencil {
                lane: lane.id,
                drawn: vec![(g.ax.frames(origin.x), g.value(origin.y))],
            },
            None => LaneDrag::Select {
                lane: lane.id,
                from: origin,
            },
        });
    }
    let ours = desk
        .view
        .lane_drag
        .as_ref()
        .is_some_and(|d| d.lane() == lane.id);
    if ours && (resp.dragged() || resp.drag_stopped()) {
        drag(desk, resp, lane, g, pointer, mods);
    }
    if resp.clicked()
        && let Some(p) = resp.interact_pointer_pos()
    {
        click(desk, lane, g, p, mods);
    }
    if resp.secondary_clicked() {
        let hit = resp.interact_pointer_pos().and_then(|p| g.hit(lane, p));
        if let Some(i) = hit {
            set_selection(desk, lane, BTreeSet::from([i]));
        }
        desk.view.lane_menu = Some((lane.id, hit));
        desk.view.lane_offset = None;
    }
    resp.context_menu(|ui| lane_menu(desk, ui, lane, g.spec));
}

fn drag(
    desk: &mut Desk,
    resp: &egui::Response,
    lane: &AutomationLane,
    g: LaneGeometry,
    pointer: Option<Pos2>,
    mods: egui::Modifiers,
) {
    let Some(state) = desk.view.lane_drag.clone() else {
        return;
    };
    let p = pointer.unwrap_or(g.rect.center());
    match state {
        LaneDrag::Move {
            lane: id,
            original,
            grab,
            anchor,
            gesture,
            sent,
        } => {
            let mut d = p - grab;
            if mods.shift {
                d *= 0.1;
            }
            let sel = selection(desk, lane);
            let mut dt = f64::from(d.x) * g.ax.frames_per_px();
            if let Some(a) = original.points.get(anchor) {
                let free = (a.time_frames as f64 + dt).max(0.0).round() as u64;
                dt = desk.snap(free, mods.alt) as f64 - a.time_frames as f64;
            }
            let moved = move_points(&original, &sel, dt, -d.y / g.usable(), g.spec);
            if moved != *lane {
                set_selection(desk, &moved, sel);
                desk.act(Action::Edit {
                    edit: Edit::SetAutomationLane(moved),
                    drag: Some(Drag {
                        id: gesture,
                        started: !sent,
                    }),
                });
                desk.view.lane_drag = Some(LaneDrag::Move {
                    lane: id,
                    original,
                    grab,
                    anchor,
                    gesture,
                    sent: true,
                });
            }
        }
        LaneDrag::Select { from, .. } => {
            if resp.drag_stopped() {
                let band = Rect::from_two_pos(from, p);
                let inside: BTreeSet<usize> = lane
                    .points
                    .iter()
                    .enumerate()
                    .filter(|(_, pt)| band.expand(2.0).contains(g.pos(pt)))
                    .map(|(i, _)| i)
                    .collect();
                let mut sel = if mods.shift {
                    selection(desk, lane)
                } else {
                    BTreeSet::new()
                };
                sel.extend(inside);
                set_selection(desk, lane, sel);
            }
        }
        LaneDrag::Pencil {
            lane: id,
            mut drawn,
        } => {
            let at = (g.ax.frames(p.x), g.value(p.y));
            if drawn.last().is_none_or(|last| last.0 != at.0) {
                drawn.push(at);
            }
            if resp.drag_stopped() {
                if drawn.len() > 1 {
                    desk.edit(Edit::SetAutomationLane(pencil(lane, &drawn, g.spec)));
                }
            } else {
                desk.view.lane_drag = Some(LaneDrag::Pencil { lane: id, drawn });
            }
        }
    }
    if resp.drag_stopped() {
        desk.view.lane_drag = None;
    }
}

/// Click: on a point selects it (Shift: toggles it); elsewhere adds a point there (on
/// the grid when snapping, unless Alt is held).
fn click(desk: &mut Desk, lane: &AutomationLane, g: LaneGeometry, p: Pos2, mods: egui::Modifiers) {
    desk.view.selected_clip = None;
    if let Some(i) = g.hit(lane, p) {
        let mut sel = if mods.shift {
            selection(desk, lane)
        } else {
            BTreeSet::new()
        };
        if !sel.remove(&i) {
            sel.insert(i);
        }
        set_selection(desk, lane, sel);
        return;
    }
    let time_frames = desk.snap(g.ax.frames(p.x), mods.alt);
    let mut after = lane.clone();
    // The new point's segment keeps the shape of the segment it splits.
    let curve = lane
        .index_at(time_frames)
        .checked_sub(1)
        .map_or(CurveShape::Linear, |i| lane.points[i].curve);
    let i = after.insert_point(Breakpoint {
        time_frames,
        value: g.value(p.y),
        curve,
    });
    set_selection(desk, &after, BTreeSet::from([i]));
    desk.edit(Edit::SetAutomationLane(after));
}

/// `original` with the `selected` points moved by `dt_frames` and `du` (a fraction of the
/// lane's height). The time move is limited so the points keep their order (none passes
/// an unselected neighbour or goes before 0).
pub fn move_points(
    original: &AutomationLane,
    selected: &BTreeSet<usize>,
    dt_frames: f64,
    du: f32,
    spec: &ParamSpec,
) -> AutomationLane {
    let pts = &original.points;
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    for &i in selected.iter().filter(|&&i| i < pts.len()) {
        let t = pts[i].time_frames as f64;
        lo = lo.max(-t);
        if let Some(j) = (0..i).rev().find(|j| !selected.contains(j)) {
            lo = lo.max(pts[j].time_frames as f64 - t);
        }
        if let Some(k) = (i + 1..pts.len()).find(|k| !selected.contains(k)) {
            hi = hi.min(pts[k].time_frames as f64 - t);
        }
    }
    let dt = dt_frames.round().clamp(lo.min(0.0), hi.max(0.0));
    let mut out = original.clone();
    for &i in selected.iter().filter(|&&i| i < pts.len()) {
        let p = &mut out.points[i];
        p.time_frames = (p.time_frames as f64 + dt).max(0.0) as u64;
        if du != 0.0 {
            p.value = from_unit(spec, to_unit(spec, p.value) + du);
        }
    }
    out
}

/// The lane with the stroke `drawn` in place of what was between its ends, thinned.
pub fn pencil(lane: &AutomationLane, drawn: &[(u64, f32)], spec: &ParamSpec) -> AutomationLane {
    let mut stroke: Vec<(u64, f32)> = drawn.to_vec();
    stroke.sort_by_key(|s| s.0);
    stroke.dedup_by_key(|s| s.0);
    let points: Vec<Breakpoint> = stroke
        .iter()
        .map(|&(time_frames, value)| Breakpoint {
            time_frames,
            value: spec.clamp(value),
            curve: CurveShape::Linear,
        })
        .collect();
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return lane.clone();
    };
    let (from, to) = (first.time_frames, last.time_frames);
    let on_scale = |v| to_unit(spec, v);
    let thinned = thin(&points, PENCIL_TOLERANCE, on_scale);
    lane.splice(from, to, &thinned, PENCIL_TOLERANCE, on_scale)
}

/// Right-click: a point's time, value and shape, or the lane's selection.
fn lane_menu(desk: &mut Desk, ui: &mut egui::Ui, lane: &AutomationLane, spec: &'static ParamSpec) {
    let point = desk
        .view
        .lane_menu
        .filter(|(id, _)| *id == lane.id)
        .and_then(|(_, i)| i)
        .filter(|&i| i < lane.points.len());
    let rate = f64::from(desk.session().sample_rate_hz.max(1));
    if let Some(i) = point {
        let p = lane.points[i];
        ui.horizontal(|ui| {
            ui.label("Time");
            let mut seconds = p.time_frames as f64 / rate;
            let r = ui.add(
                egui::DragValue::new(&mut seconds)
                    .range(0.0..=86_400.0)
                    .speed(0.01)
                    .max_decimals(3)
                    .suffix(" s"),
            );
            super::a11y::name(ui, &r, "Point time");
            if r.changed() {
                let mut after = lane.clone();
                after.points.remove(i);
                let j = after.insert_point(Breakpoint {
                    time_frames: (seconds.max(0.0) * rate).round() as u64,
                    ..p
                });
                desk.view.lane_menu = Some((lane.id, Some(j)));
                desk.edit_by(Edit::SetAutomationLane(after), &r);
            }
        });
        ui.horizontal(|ui| {
            ui.label("Value");
            let mut value = p.value;
            let r = ui.add(spec_value(&mut value, spec, 0.01));
            super::a11y::name(ui, &r, "Point value");
            if r.changed() {
                let mut after = lane.clone();
                after.points[i].value = spec.clamp(value);
                desk.edit_by(Edit::SetAutomationLane(after), &r);
            }
        });
        ui.separator();
        ui.label("Shape to the next point");
        for (shape, label) in CurveShape::MENU {
            let current = match (p.curve, shape) {
                (CurveShape::Bend { tension: a }, CurveShape::Bend { tension: b }) => {
                    a.signum() == b.signum() && a != 0.0
                }
                (a, b) => a == b,
            };
            if ui.selectable_label(current, label).clicked() {
                let mut after = lane.clone();
                after.points[i].curve = shape;
                desk.edit(Edit::SetAutomationLane(after));
            }
        }
        if let CurveShape::Bend { tension } = p.curve {
            let mut t = tension;
            let r = ui.add(egui::Slider::new(&mut t, -1.0..=1.0).text("Tension"));
            if r.changed() {
                let mut after = lane.clone();
                after.points[i].curve = CurveShape::Bend { tension: t };
                desk.edit_by(Edit::SetAutomationLane(after), &r);
            }
        }
        ui.separator();
        if ui.button("Delete Point").clicked() {
            let mut after = lane.clone();
            after.points.remove(i);
            desk.view.lane_selection = None;
            desk.edit(Edit::SetAutomationLane(after));
            ui.close();
        }
    } else {
        selection_menu(desk, ui, lane, spec);
        if ui.button("Select All Points").clicked() {
            set_selection(desk, lane, (0..lane.points.len()).collect());
            ui.close();
        }
        let selected = selection(desk, lane);
        if ui
            .add_enabled(
                !selected.is_empty(),
                egui::Button::new("Delete Selected Points"),
            )
            .clicked()
        {
            desk.edit(Edit::SetAutomationLane(without_points(lane, &selected)));
            desk.view.lane_selection = None;
            ui.close();
        }
    }
}

/// Copy, paste at the playhead, and raising or lowering the selected points together.
fn selection_menu(
    desk: &mut Desk,
    ui: &mut egui::Ui,
    lane: &AutomationLane,
    spec: &'static ParamSpec,
) {
    let selected = selection(desk, lane);
    if ui
        .add_enabled(
            !selected.is_empty(),
            egui::Button::new("Copy Selected Points"),
        )
        .clicked()
    {
        desk.view.lane_clipboard = copy(lane, &selected);
        ui.close();
    }
    let pasteable = !desk.view.lane_clipboard.is_empty();
    if ui
        .add_enabled(pasteable, egui::Button::new("Paste at Playhead"))
        .clicked()
    {
        let at = desk.position_frames();
        let after = paste(lane, &desk.view.lane_clipboard, at, spec);
        desk.edit(Edit::SetAutomationLane(after));
        ui.close();
    }
    if selected.is_empty() {
        return;
    }
    // Raise or lower: always from the lane as it was when the offset began.
    let (original, mut by) = match &desk.view.lane_offset {
        Some((id, original, by)) if *id == lane.id => (original.clone(), *by),
        _ => (lane.clone(), 0.0),
    };
    ui.horizontal(|ui| {
        ui.label("Raise/lower selection");
        let r = ui.add(egui::DragValue::new(&mut by).speed(0.1).max_decimals(2));
        super::a11y::name(ui, &r, "Raise or lower selected points");
        if r.changed() {
            let after = offset(&original, &selected, by, spec);
            desk.view.lane_offset = Some((lane.id, original.clone(), by));
            desk.edit_by(Edit::SetAutomationLane(after), &r);
        }
    });
}

/// The selected points, their times relative to the first.
pub fn copy(lane: &AutomationLane, selected: &BTreeSet<usize>) -> Vec<Breakpoint> {
    let points: Vec<Breakpoint> = selected
        .iter()
        .filter_map(|&i| lane.points.get(i).copied())
        .collect();
    let first = points.first().map_or(0, |p| p.time_frames);
    points
        .into_iter()
        .map(|p| Breakpoint {
            time_frames: p.time_frames - first,
            ..p
        })
        .collect()
}

/// `lane` with `clipboard` pasted from frame `at`, replacing what was in its span.
pub fn paste(
    lane: &AutomationLane,
    clipboard: &[Breakpoint],
    at: u64,
    spec: &ParamSpec,
) -> AutomationLane {
    let span = clipboard.last().map_or(0, |p| p.time_frames);
    let pasted: Vec<Breakpoint> = clipboard
        .iter()
        .map(|p| Breakpoint {
            time_frames: at + p.time_frames,
            value: spec.clamp(p.value),
            ..*p
        })
        .collect();
    lane.splice(at, at + span, &pasted, PENCIL_TOLERANCE, |v| {
        to_unit(spec, v)
    })
}

/// `lane` with the `selected` points moved by `by` in the parameter's unit (dB for
/// levels), kept in range.
pub fn offset(
    lane: &AutomationLane,
    selected: &BTreeSet<usize>,
    by: f32,
    spec: &ParamSpec,
) -> AutomationLane {
    let mut out = lane.clone();
    for &i in selected {
        if let Some(p) = out.points.get_mut(i) {
            p.value = spec.clamp(p.value + by);
        }
    }
    out
}

/// The lane without the points at `indices`.
pub fn without_points(lane: &AutomationLane, indices: &BTreeSet<usize>) -> AutomationLane {
    let mut out = lane.clone();
    out.points = lane
        .points
        .iter()
        .enumerate()
        .filter(|(i, _)| !indices.contains(i))
        .map(|(_, p)| *p)
        .collect();
    out
}

fn draw(desk: &Desk, ui: &egui::Ui, lane: &AutomationLane, g: LaneGeometry) {
    let painter = ui.painter_at(g.rect);
    let visuals = ui.visuals();
    painter.rect_filled(g.rect, 0.0, visuals.extreme_bg_color.gamma_multiply(0.7));
    painter.hline(
        g.rect.x_range(),
        g.rect.max.y,
        Stroke::new(1.0, visuals.faint_bg_color),
    );
    let color = if lane.enabled {
        Color32::from_rgb(250, 190, 60)
    } else {
        Color32::from_gray(120)
    };
    // The curve: the engine's function, one evaluation every 2 px.
    let mut line = Vec::new();
    let mut x = g.rect.min.x;
    while x <= g.rect.max.x {
        if let Some(v) = lane.value_at(g.ax.frames(x)) {
            line.push(Pos2::new(x, g.y(v)));
        }
        x += 2.0;
    }
    painter.add(egui::Shape::line(line, Stroke::new(1.5, color)));
    let selected = selection(desk, lane);
    for (i, p) in lane.points.iter().enumerate() {
        let at = g.pos(p);
        if !g.rect.expand(HIT_PX).contains(at) {
            continue;
        }
        if selected.contains(&i) {
            painter.circle_filled(at, 4.5, Color32::WHITE);
            painter.circle_stroke(at, 4.5, Stroke::new(1.5, color));
        } else {
            painter.circle_filled(at, 3.5, color);
        }
    }
    match &desk.view.lane_drag {
        Some(LaneDrag::Select { lane: id, from }) if *id == lane.id => {
            if let Some(p) = ui.input(|i| i.pointer.latest_pos()) {
                painter.rect_stroke(
                    Rect::from_two_pos(*from, p),
                    0.0,
                    Stroke::new(1.0, visuals.selection.stroke.color),
                    StrokeKind::Inside,
                );
            }
        }
        Some(LaneDrag::Pencil { lane: id, drawn }) if *id == lane.id => {
            let stroke: Vec<Pos2> = drawn
                .iter()
                .map(|&(t, v)| Pos2::new(g.ax.x(t), g.y(v)))
                .collect();
            painter.add(egui::Shape::line(stroke, Stroke::new(1.0, Color32::WHITE)));
        }
        _ => {}
    }
    let head = g.ax.x(desk.position_frames());
    if g.rect.x_range().contains(head) {
        painter.vline(
            head,
            g.rect.y_range(),
            Stroke::new(1.5, Color32::from_rgb(255, 90, 60)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stemdesk_dsp::param_table::strip::{GAIN_DB, PAN};
    use stemdesk_session::StripParam;

    fn lane(points: &[(u64, f32)]) -> AutomationLane {
        AutomationLane {
            id: LaneId(1),
            target: ParamId {
                strip: StripId::Master,
                param: StripParam::GainDb,
            },
            enabled: true,
            points: points
                .iter()
                .map(|&(time_frames, value)| Breakpoint {
                    time_frames,
                    value,
                    curve: CurveShape::Linear,
                })
                .collect(),
        }
    }

    #[test]
    fn the_scale_round_trips_and_levels_use_the_fader_taper() {
        for db in [-60.0, -12.0, -3.0, 0.0, 6.0] {
            let back = from_unit(&GAIN_DB, to_unit(&GAIN_DB, db));
            assert!((back - db).abs() < 1e-3, "{db} -> {back}");
        }
        assert_eq!(from_unit(&GAIN_DB, 0.0), SILENCE_DB);
        assert_eq!(to_unit(&PAN, 0.0), 0.5);
    }

    #[test]
    fn moving_points_keeps_their_order() {
        let l = lane(&[(0, 0.0), (100, 0.0), (200, 0.0), (300, 0.0)]);
        let sel = BTreeSet::from([1, 2]);
        let right = move_points(&l, &sel, 500.0, 0.0, &PAN);
        let times: Vec<u64> = right.points.iter().map(|p| p.time_frames).collect();
        assert_eq!(
            times,
            [0, 200, 300, 300],
            "stops at the next unselected point"
        );
        let left = move_points(&l, &sel, -50.0, 0.25, &PAN);
        assert_eq!(left.points[1].time_frames, 50);
        assert!((left.points[1].value - 0.5).abs() < 1e-6);
        assert_eq!(left.points[0], l.points[0]);
    }

    #[test]
    fn copied_points_paste_at_the_playhead_and_an_offset_moves_the_selection() {
        let l = lane(&[(0, -6.0), (1_000, -12.0), (2_000, -3.0), (9_000, -6.0)]);
        let clip = copy(&l, &BTreeSet::from([1, 2]));
        assert_eq!(
            clip.iter().map(|p| p.time_frames).collect::<Vec<_>>(),
            [0, 1_000]
        );
        let pasted = paste(&l, &clip, 5_000, &GAIN_DB);
        let at: Vec<(u64, f32)> = pasted
            .points
            .iter()
            .map(|p| (p.time_frames, p.value))
            .collect();
        // The pasted points, with the old lane pinned where they begin and end (the
        // curve outside the paste is kept).
        let old_at = |t| l.value_at(t).expect("points");
        assert_eq!(
            at,
            [
                (0, -6.0),
                (1_000, -12.0),
                (2_000, -3.0),
                (5_000, old_at(5_000)),
                (5_000, -12.0),
                (6_000, -3.0),
                (6_000, old_at(6_000)),
                (9_000, -6.0)
            ]
        );
        let raised = offset(&l, &BTreeSet::from([1, 2]), 4.0, &GAIN_DB);
        assert_eq!(raised.points[1].value, -8.0);
        assert_eq!(raised.points[2].value, 1.0);
        assert_eq!(raised.points[0], l.points[0]);
        let capped = offset(&l, &BTreeSet::from([2]), 100.0, &GAIN_DB);
        assert_eq!(capped.points[2].value, GAIN_DB.max, "kept in range");
    }

    #[test]
    fn a_pencil_stroke_replaces_its_span_thinned() {
        let l = lane(&[(0, -6.0), (5_000, -6.0), (50_000, -6.0)]);
        let stroke: Vec<(u64, f32)> = (0..=100)
            .map(|i| (1_000 + i * 100, -20.0 + i as f32 * 0.1))
            .collect();
        let after = pencil(&l, &stroke, &GAIN_DB);
        assert_eq!(after.points.first(), l.points.first());
        assert_eq!(after.points.last(), l.points.last());
        assert!(
            !after.points.iter().any(|p| p.time_frames == 5_000),
            "replaced"
        );
        // A straight stroke needs only its ends, between the old lane pinned at both.
        let at: Vec<(u64, f32)> = after
            .points
            .iter()
            .map(|p| (p.time_frames, p.value))
            .collect();
        assert_eq!(
            at,
            [
                (0, -6.0),
                (1_000, -6.0),
                (1_000, -20.0),
                (11_000, -10.0),
                (11_000, -6.0),
                (50_000, -6.0)
            ]
        );
    }
}
