//! The bars/beats row under the time ruler, with the session's markers on it.
//!
//! Bar numbers follow the tempo and time signature. A marker is a flag with its name:
//! click it to jump there, drag it to move it (snapping to the grid when snap is on),
//! right-click to rename it, loop or delete; double-click the row to add one there.

use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2};
use stemdesk_session::{Edit, Marker, MarkerId};

use super::action::Action;
use super::arrange::TimeAxis;
use super::desk::Desk;

/// Height of the row, px.
const ROW_HEIGHT: f32 = 18.0;
/// How close (px) to a flag a press takes hold of it.
const HIT_PX: f32 = 6.0;
const MARKER_COLOR: Color32 = Color32::from_rgb(120, 200, 140);

/// Draws the row and handles its input.
pub fn row(desk: &mut Desk, ui: &mut egui::Ui, ax: TimeAxis, right: f32) {
    let width = (right - ax.left).max(10.0);
    let (rect, resp) =
        ui.allocate_exact_size(Vec2::new(width, ROW_HEIGHT), Sense::click_and_drag());
    resp.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::GenericContainer, true, "Bars and markers")
    });
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals().clone();
    painter.rect_filled(rect, 0.0, visuals.extreme_bg_color.gamma_multiply(0.8));
    bars(desk, &painter, rect, ax, &visuals);
    let session = desk.session();
    let markers: Vec<Marker> = session
        .timeline
        .markers
        .iter()
        .map(|m| match desk.view.marker_drag {
            Some((id, at)) if id == m.id => Marker {
                time_frames: at,
                ..m.clone()
            },
            _ => m.clone(),
        })
        .collect();
    for m in &markers {
        let x = ax.x(m.time_frames);
        if x < rect.min.x - 200.0 || x > rect.max.x {
            continue;
        }
        painter.vline(x, rect.y_range(), Stroke::new(1.5, MARKER_COLOR));
        painter.add(egui::Shape::convex_polygon(
            vec![
                Pos2::new(x, rect.min.y),
                Pos2::new(x + 7.0, rect.min.y + 4.0),
                Pos2::new(x, rect.min.y + 8.0),
            ],
            MARKER_COLOR,
            Stroke::NONE,
        ));
        painter.text(
            Pos2::new(x + 9.0, rect.center().y),
            egui::Align2::LEFT_CENTER,
            &m.name,
            egui::FontId::proportional(11.0),
            MARKER_COLOR,
        );
    }
    interact(desk, ui, &resp, rect, ax, &markers);
}

/// Bar lines with numbers, spaced so labels do not crowd (every 1, 2, 4... bars).
fn bars(desk: &Desk, painter: &egui::Painter, rect: Rect, ax: TimeAxis, v: &egui::Visuals) {
    let session = desk.session();
    let t = &session.timeline;
    let rate = session.sample_rate_hz;
    let bar_frames = t.grid_frames(stemdesk_session::Grid::Bar, rate);
    let bar_px = (bar_frames / f64::from(rate)) as f32 * ax.px_per_s;
    if bar_px <= 0.0 {
        return;
    }
    let mut every = 1u64;
    while bar_px * (every as f32) < 36.0 {
        every *= 2;
    }
    let (first, _) = t.bar_beat(ax.frames(rect.min.x), rate);
    let mut bar = first.saturating_sub(1).max(1);
    loop {
        let frames = t.bar_start(bar, rate);
        let x = ax.x(frames);
        if x > rect.max.x {
            break;
        }
        let labelled = (bar - 1).is_multiple_of(every);
        let top = if labelled {
            rect.min.y
        } else {
            rect.max.y - 5.0
        };
        painter.vline(
            x,
            top..=rect.max.y,
            Stroke::new(1.0, v.weak_text_color().gamma_multiply(0.6)),
        );
        if labelled {
            painter.text(
                Pos2::new(x + 2.0, rect.max.y - 1.0),
                egui::Align2::LEFT_BOTTOM,
                bar.to_string(),
                egui::FontId::monospace(9.0),
                v.weak_text_color(),
            );
        }
        bar += 1;
    }
}

/// The marker whose flag is under `x`.
fn hit(markers: &[Marker], ax: TimeAxis, x: f32) -> Option<MarkerId> {
    markers
        .iter()
        .map(|m| (m.id, (ax.x(m.time_frames) - x).abs()))
        .filter(|(_, d)| *d <= HIT_PX)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(id, _)| id)
}

fn interact(
    desk: &mut Desk,
    ui: &egui::Ui,
    resp: &egui::Response,
    rect: Rect,
    ax: TimeAxis,
    markers: &[Marker],
) {
    let alt = ui.input(|i| i.modifiers.alt);
    if resp.drag_started()
        && let Some(p) = ui.input(|i| i.pointer.press_origin())
        && let Some(id) = hit(markers, ax, p.x)
    {
        let at = markers.iter().find(|m| m.id == id).map(|m| m.time_frames);
        desk.view.marker_drag = at.map(|at| (id, at));
    }
    if resp.dragged()
        && let (Some((id, _)), Some(p)) = (desk.view.marker_drag, resp.interact_pointer_pos())
    {
        let at = desk.snap(ax.frames(p.x.max(rect.min.x)), alt);
        desk.view.marker_drag = Some((id, at));
    }
    if resp.drag_stopped()
        && let Some((id, at)) = desk.view.marker_drag.take()
        && let Some(m) = desk.session().timeline.markers.iter().find(|m| m.id == id)
        && m.time_frames != at
    {
        desk.edit(Edit::SetMarker(Marker {
            time_frames: at,
            ..m.clone()
        }));
    }
    if resp.clicked()
        && let Some(p) = resp.interact_pointer_pos()
    {
        let at = hit(markers, ax, p.x)
            .and_then(|id| markers.iter().find(|m| m.id == id))
            .map_or_else(|| ax.frames(p.x), |m| m.time_frames);
        desk.act(Action::Seek(at));
    }
    if resp.double_clicked()
        && let Some(p) = resp.interact_pointer_pos()
        && hit(markers, ax, p.x).is_none()
    {
        let id = MarkerId(desk.fresh_id());
        let name = desk.session().timeline.new_marker_name();
        let time_frames = desk.snap(ax.frames(p.x), alt);
        desk.edit(Edit::SetMarker(Marker {
            id,
            name,
            time_frames,
        }));
    }
    if resp.secondary_clicked() {
        desk.view.marker_menu = resp
            .interact_pointer_pos()
            .and_then(|p| hit(markers, ax, p.x));
    }
    resp.context_menu(|ui| menu(desk, ui));
}

/// Right-click on a marker: rename, loop to the next marker, delete.
fn menu(desk: &mut Desk, ui: &mut egui::Ui) {
    let Some(marker) = desk.view.marker_menu.and_then(|id| {
        desk.session()
            .timeline
            .markers
            .iter()
            .find(|m| m.id == id)
            .cloned()
    }) else {
        ui.label("Double-click to add a marker; Ctrl+M adds one at the playhead.");
        return;
    };
    ui.horizontal(|ui| {
        ui.label("Name");
        let mut name = marker.name.clone();
        let r = ui.text_edit_singleline(&mut name);
        super::a11y::name(ui, &r, "Marker name");
        if r.changed() && !name.trim().is_empty() {
            desk.edit_by(
                Edit::SetMarker(Marker {
                    name,
                    ..marker.clone()
                }),
                &r,
            );
        }
    });
    let end = desk.session().content_end_frames();
    let range = desk.session().timeline.marker_range(marker.id, end);
    if ui
        .add_enabled(range.is_some(), egui::Button::new("Loop to Next Marker"))
        .clicked()
        && let Some((start, end)) = range
    {
        desk.act(Action::SetLoop(start, end));
        ui.close();
    }
    if ui.button("Delete Marker").clicked() {
        desk.edit(Edit::RemoveMarker(marker.id));
        desk.view.marker_menu = None;
        ui.close();
    }
}
