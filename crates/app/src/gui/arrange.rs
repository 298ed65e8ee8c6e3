//! The arrange view: track headers, a time ruler, clips with their waveforms, the
//! playhead, the loop range; zoom (Ctrl+wheel), scroll (Shift+wheel) and clip editing by
//! drag (move, also to another track; trim edges; fade handles); automation lanes under
//! their track (`automation.rs`).

use egui::{Color32, CursorIcon, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2};
use stemdesk_session::{Clip, Edit, Fade, FadeShape, StripId, TrackId};

use stemdesk_dsp::param_table::strip as strip_params;

use super::action::Action;
use super::commands::Command;
use super::desk::Desk;
use super::param_widget::spec_value;
use super::view::{ClipDrag, ClipDragKind};

pub(super) const HEADER_WIDTH: f32 = 180.0;
const RULER_HEIGHT: f32 = 22.0;
const EDGE_PX: f32 = 6.0;
const HANDLE_PX: f32 = 8.0;
const SCROLLBAR_HEIGHT: f32 = 14.0;

/// Maps timeline frames to screen x and back.
#[derive(Clone, Copy)]
pub(super) struct TimeAxis {
    pub(super) left: f32,
    scroll_s: f64,
    pub(super) px_per_s: f32,
    rate: f64,
}

impl TimeAxis {
    pub(super) fn x(&self, frames: u64) -> f32 {
        self.left + ((frames as f64 / self.rate - self.scroll_s) as f32) * self.px_per_s
    }
    pub(super) fn frames(&self, x: f32) -> u64 {
        let s = self.scroll_s + f64::from((x - self.left) / self.px_per_s);
        (s.max(0.0) * self.rate).round() as u64
    }
    pub(super) fn frames_per_px(&self) -> f64 {
        self.rate / f64::from(self.px_per_s)
    }
}

/// Files dropped on the window become new tracks: at the time under the pointer, before
/// the track there (defaults: the playhead, after the last track).
pub fn drops(desk: &mut Desk, ctx: &egui::Context) {
    let paths: Vec<std::path::PathBuf> = ctx.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    });
    if paths.is_empty() {
        return;
    }
    let pointer = ctx.input(|i| i.pointer.hover_pos());
    let (position_frames, track_index) = drop_target(desk, pointer);
    desk.act(Action::Import {
        paths,
        position_frames,
        track_index,
    });
}

fn drop_target(desk: &Desk, pointer: Option<Pos2>) -> (u64, Option<usize>) {
    let Some(p) = pointer else {
        return (desk.position_frames(), None);
    };
    let axis = axis(desk, desk.view.timeline_left);
    let at = if p.x > desk.view.timeline_left {
        axis.frames(p.x)
    } else {
        desk.position_frames()
    };
    let index = desk
        .view
        .lanes
        .iter()
        .position(|(_, r)| r.y_range().contains(p.y));
    (at, index)
}

fn axis(desk: &Desk, left: f32) -> TimeAxis {
    TimeAxis {
        left,
        scroll_s: desk.view.scroll_s,
        px_per_s: desk.view.px_per_second,
        rate: f64::from(desk.session().sample_rate_hz),
    }
}

/// Draws the arrange view.
pub fn show(desk: &mut Desk, ui: &mut egui::Ui) {
    let full = ui.available_rect_before_wrap();
    let timeline_left = full.min.x + HEADER_WIDTH;
    desk.view.timeline_left = timeline_left;
    desk.view.timeline_width = (full.max.x - timeline_left).max(10.0);
    zoom_and_scroll(desk, ui, full, timeline_left);
    if desk.view.follow_playhead
        && desk.audio.is_playing()
        && desk.view.clip_drag.is_none()
        && desk.view.loop_drag.is_none()
    {
        let (at, rate) = (desk.position_frames(), desk.session().sample_rate_hz);
        desk.view.reveal_frames(at, rate);
    }
    let ax = axis(desk, timeline_left);
    ui.horizontal(|ui| {
        ui.allocate_ui(Vec2::new(HEADER_WIDTH - 8.0, RULER_HEIGHT), |ui| {
            ui.horizontal(|ui| {
                ui.label("Height");
                let r = ui.add(
                    egui::Slider::new(&mut desk.view.track_height, 36.0..=160.0).show_value(false),
                );
                super::a11y::name(ui, &r, "Track height");
            });
        });
        ruler(desk, ui, ax, full.max.x);
    });
    ui.horizontal(|ui| {
        ui.add_space((timeline_left - ui.cursor().min.x).max(0.0));
        super::markers::row(desk, ui, ax, full.max.x);
    });
    let mut lanes = Vec::new();
    let lanes_height = (ui.available_height() - SCROLLBAR_HEIGHT - 4.0).max(20.0);
    egui::ScrollArea::vertical()
        .id_salt("arrange_scroll")
        .max_height(lanes_height)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let tracks: Vec<TrackId> = desk.session().tracks.iter().map(|t| t.id).collect();
            if tracks.is_empty() {
                ui.add_space(40.0);
                ui.vertical_centered(|ui| {
                    ui.label("No tracks yet: File > Import Audio…, or drop audio files here.");
                });
            }
            for id in tracks {
                ui.horizontal(|ui| {
                    header(desk, ui, id);
                    let lane = lane(desk, ui, id, ax, full.max.x);
                    lanes.push((id, lane));
                });
                if desk.view.automation_open.contains(&StripId::Track(id)) {
                    super::automation::strip_lanes(desk, ui, StripId::Track(id), ax, full.max.x);
                }
            }
            if !desk.session().tracks.is_empty() {
                super::automation::bus_and_master_rows(desk, ui, ax, full.max.x);
            }
        });
    desk.view.lanes = lanes;
    finish_clip_drag(desk, ui);
    ui.horizontal(|ui| {
        ui.add_space((timeline_left - ui.cursor().min.x).max(0.0));
        scrollbar(desk, ui);
    });
}

/// The horizontal scroll bar under the lanes: the thumb is the visible part of the song
/// (plus room past its end); drag it, or click beside it to page.
fn scrollbar(desk: &mut Desk, ui: &mut egui::Ui) {
    let width = desk.view.timeline_width;
    let (rect, resp) =
        ui.allocate_exact_size(Vec2::new(width, SCROLLBAR_HEIGHT), Sense::click_and_drag());
    resp.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::ScrollBar, true, "Timeline scroll bar")
    });
    let s = desk.session();
    let end_s = s.content_end_frames() as f64 / f64::from(s.sample_rate_hz);
    let visible = desk.view.visible_s();
    let total = (end_s + visible * 0.5).max(desk.view.scroll_s + visible);
    let px_per_s = f64::from(width) / total;
    let thumb_w = ((visible * px_per_s) as f32).max(20.0).min(width);
    let thumb_x = rect.min.x + (desk.view.scroll_s * px_per_s) as f32;
    let thumb = Rect::from_min_size(
        Pos2::new(thumb_x.min(rect.max.x - thumb_w), rect.min.y + 2.0),
        Vec2::new(thumb_w, SCROLLBAR_HEIGHT - 4.0),
    );
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    painter.rect_filled(rect, 4.0, visuals.extreme_bg_color);
    let thumb_color = if resp.dragged() || resp.hovered() {
        visuals.widgets.hovered.bg_fill
    } else {
        visuals.widgets.inactive.bg_fill
    };
    painter.rect_filled(thumb, 4.0, thumb_color);
    if resp.dragged() {
        let dx = f64::from(resp.drag_delta().x);
        desk.view.scroll_s = (desk.view.scroll_s + dx / px_per_s).max(0.0);
    } else if resp.clicked()
        && let Some(p) = resp.interact_pointer_pos()
    {
        let page = if p.x < thumb.min.x { -visible } else { visible };
        if !thumb.x_range().contains(p.x) {
            desk.view.scroll_s = (desk.view.scroll_s + page * 0.9).max(0.0);
        }
    }
}

fn zoom_and_scroll(desk: &mut Desk, ui: &egui::Ui, full: Rect, timeline_left: f32) {
    let hovered = ui.rect_contains_pointer(full);
    if !hovered {
        return;
    }
    let (zoom, dx, pointer) = ui.input(|i| {
        (
            i.zoom_delta(),
            i.smooth_scroll_delta.x,
            i.pointer.hover_pos(),
        )
    });
    if zoom != 1.0 {
        let ax = axis(desk, timeline_left);
        let anchor_x = pointer.map_or(timeline_left, |p| p.x.max(timeline_left));
        let anchor_s = ax.frames(anchor_x) as f64 / ax.rate;
        desk.view.zoom_by(zoom);
        desk.view.scroll_s =
            (anchor_s - f64::from((anchor_x - timeline_left) / desk.view.px_per_second)).max(0.0);
    }
    if dx != 0.0 {
        desk.view.scroll_s =
            (desk.view.scroll_s - f64::from(dx / desk.view.px_per_second)).max(0.0);
    }
}

fn ruler(desk: &mut Desk, ui: &mut egui::Ui, ax: TimeAxis, right: f32) {
    // Line the ruler up with the lanes below it.
    let gap = ax.left - ui.cursor().min.x;
    if gap > 0.0 {
        ui.add_space(gap);
    }
    let width = (right - ax.left).max(10.0);
    let (rect, resp) =
        ui.allocate_exact_size(Vec2::new(width, RULER_HEIGHT), Sense::click_and_drag());
    resp.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::GenericContainer, true, "Timeline ruler")
    });
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    painter.rect_filled(rect, 0.0, visuals.extreme_bg_color);
    // Tick spacing: the smallest "nice" step at least 60 px apart.
    let step_s = [
        0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0,
    ]
    .into_iter()
    .find(|s| s * f64::from(ax.px_per_s) >= 60.0)
    .unwrap_or(600.0);
    let first = (ax.scroll_s / step_s).floor() as i64;
    let last = ((ax.scroll_s + f64::from(width / ax.px_per_s)) / step_s).ceil() as i64;
    for k in first.max(0)..=last {
        let t = k as f64 * step_s;
        let x = ax.x((t * ax.rate) as u64);
        painter.vline(
            x,
            rect.y_range(),
            Stroke::new(1.0, visuals.weak_text_color()),
        );
        painter.text(
            Pos2::new(x + 3.0, rect.min.y + 2.0),
            egui::Align2::LEFT_TOP,
            crate::cli::time::format_seconds(t),
            egui::FontId::monospace(10.0),
            visuals.text_color(),
        );
    }
    // Loop range.
    let (ls, le) = desk.view.loop_drag.unwrap_or(desk.audio.loop_range);
    if le > ls {
        let r = Rect::from_x_y_ranges(ax.x(ls.min(le))..=ax.x(ls.max(le)), rect.y_range());
        let c = if desk.audio.looping {
            Color32::from_rgba_unmultiplied(80, 160, 255, 90)
        } else {
            Color32::from_rgba_unmultiplied(150, 150, 150, 60)
        };
        painter.rect_filled(r, 0.0, c);
    }
    let head = ax.x(desk.position_frames());
    painter.vline(
        head,
        rect.y_range(),
        Stroke::new(2.0, Color32::from_rgb(255, 90, 60)),
    );
    // Click seeks; drag sets the loop range.
    if resp.clicked()
        && let Some(p) = resp.interact_pointer_pos()
    {
        desk.act(Action::Seek(ax.frames(p.x)));
    }
    if resp.drag_started()
        && let Some(p) = ui
            .input(|i| i.pointer.press_origin())
            .or(resp.interact_pointer_pos())
    {
        // From where the button went down, not where the drag was recognised.
        let f = ax.frames(p.x);
        desk.view.loop_drag = Some((f, f));
    }
    if resp.dragged()
        && let (Some(p), Some((s, _))) = (resp.interact_pointer_pos(), desk.view.loop_drag)
    {
        desk.view.loop_drag = Some((s, ax.frames(p.x)));
    }
    if resp.drag_stopped()
        && let Some((s, e)) = desk.view.loop_drag.take()
        && s != e
    {
        desk.act(Action::SetLoop(s, e));
    }
}

fn header(desk: &mut Desk, ui: &mut egui::Ui, id: TrackId) {
    let Some(track) = desk.session().track(id).cloned() else {
        return;
    };
    let h = desk.view.track_height;
    let selected = desk.view.selected_track == Some(id);
    let (rect, resp) = ui.allocate_exact_size(Vec2::new(HEADER_WIDTH - 8.0, h), Sense::click());
    if !ui.is_rect_visible(rect) {
        return;
    }
    let color = Color32::from_rgb(track.color.0, track.color.1, track.color.2);
    let painter = ui.painter_at(rect);
    painter.rect_filled(
        rect,
        3.0,
        if selected {
            ui.visuals().selection.bg_fill.gamma_multiply(0.35)
        } else {
            ui.visuals().faint_bg_color
        },
    );
    painter.rect_filled(Rect::from_min_size(rect.min, Vec2::new(5.0, h)), 2.0, color);
    if resp.clicked() {
        desk.view.selected_track = Some(id);
    }
    let inner = rect
        .shrink2(Vec2::new(8.0, 4.0))
        .translate(Vec2::new(3.0, 0.0));
    // A child that does not move the row's cursor: the lane starts where the ruler's
    // time 0 is, whatever the header holds.
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(inner)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    child.scope(|ui| {
        ui.horizontal(|ui| {
            let text_id = ui.scope_id().with(("track_name", id));
            let mut text: String = ui
                .data(|d| d.get_temp(text_id))
                .unwrap_or_else(|| track.name.clone());
            let r =
                ui.add(egui::TextEdit::singleline(&mut text).desired_width(inner.width() - 92.0));
            super::a11y::name(ui, &r, &format!("{} track name", track.name));
            if r.lost_focus() {
                ui.data_mut(|d| d.remove::<String>(text_id));
                if !text.trim().is_empty() && text != track.name {
                    desk.edit(Edit::Rename {
                        strip: StripId::Track(id),
                        name: text.trim().to_owned(),
                    });
                }
            } else if r.has_focus() {
                ui.data_mut(|d| d.insert_temp(text_id, text));
            }
            let mut mute = track.strip.mute;
            if ui.toggle_value(&mut mute, "M").changed() {
                desk.edit(Edit::SetMute {
                    strip: StripId::Track(id),
                    mute,
                });
            }
            let mut solo = track.strip.solo;
            if ui.toggle_value(&mut solo, "S").changed() {
                desk.edit(Edit::SetSolo {
                    strip: StripId::Track(id),
                    solo,
                });
            }
            super::automation::lanes_button(desk, ui, StripId::Track(id), &track.name);
        });
    });
}

fn lane(desk: &mut Desk, ui: &mut egui::Ui, id: TrackId, ax: TimeAxis, right: f32) -> Rect {
    let h = desk.view.track_height;
    let width = (right - ax.left).max(10.0);
    let (rect, resp) = ui.allocate_exact_size(Vec2::new(width, h), Sense::click());
    if !ui.is_rect_visible(rect) {
        // Scrolled out of view: nothing to draw, nothing to click.
        return rect;
    }
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, ui.visuals().extreme_bg_color.gamma_multiply(0.9));
    painter.hline(
        rect.x_range(),
        rect.max.y,
        Stroke::new(1.0, ui.visuals().faint_bg_color),
    );
    if resp.clicked() {
        desk.view.selected_track = Some(id);
        desk.view.selected_clip = None;
        if let Some(p) = resp.interact_pointer_pos() {
            desk.act(Action::Seek(ax.frames(p.x)));
        }
    }
    let Some(track) = desk.session().track(id).cloned() else {
        return rect;
    };
    let color = Color32::from_rgb(track.color.0, track.color.1, track.color.2);
    for clip in &track.clips {
        clip_widget(desk, ui, &painter, rect, id, clip, color, ax);
    }
    let head = ax.x(desk.position_frames());
    if rect.x_range().contains(head) {
        painter.vline(
            head,
            rect.y_range(),
            Stroke::new(1.5, Color32::from_rgb(255, 90, 60)),
        );
    }
    rect
}

#[allow(clippy::too_many_arguments)]
fn clip_widget(
    desk: &mut Desk,
    ui: &mut egui::Ui,
    painter: &egui::Painter,
    lane: Rect,
    track: TrackId,
    clip: &Clip,
    color: Color32,
    ax: TimeAxis,
) {
    let drag = desk.view.clip_drag.filter(|d| d.clip == clip.id);
    let shown = drag.map_or_else(|| clip.clone(), |d| preview(clip, d));
    let rect = Rect::from_x_y_ranges(
        ax.x(shown.position_frames)
            ..=ax
                .x(shown.end_frames())
                .max(ax.x(shown.position_frames) + 2.0),
        lane.min.y + 2.0..=lane.max.y - 2.0,
    );
    if rect.max.x < lane.min.x || rect.min.x > lane.max.x {
        return;
    }
    let resolved = desk.doc.resolve(&clip.source);
    let offline = desk.doc.offline.contains(&resolved) || !desk.doc.sources.contains_key(&resolved);
    let selected = desk.view.selected_clip == Some(clip.id);
    let fill = if offline {
        Color32::from_rgb(90, 30, 30)
    } else {
        color.gamma_multiply(0.35)
    };
    painter.rect_filled(rect, 4.0, fill);
    if !offline && let Some(peaks) = desk.doc.peaks.get(&resolved) {
        draw_waveform(painter, rect.intersect(lane), &shown, peaks, color, ax);
    }
    draw_fades(painter, rect, &shown, ax);
    let stroke = if selected {
        Stroke::new(2.0, ui.visuals().strong_text_color())
    } else {
        Stroke::new(1.0, color)
    };
    painter.rect_stroke(rect, 4.0, stroke, StrokeKind::Inside);
    let name = clip
        .source
        .file_stem()
        .map_or(String::new(), |s| s.to_string_lossy().into_owned());
    let label = if offline {
        format!("{name} (offline)")
    } else {
        name
    };
    painter.text(
        rect.min + Vec2::new(6.0, 3.0),
        egui::Align2::LEFT_TOP,
        &label,
        egui::FontId::proportional(11.0),
        ui.visuals().strong_text_color(),
    );

    // Interaction: body, then edges and fade handles on top (registered later = wins).
    let base = egui::Id::unique(("clip", clip.id));
    let body = ui.interact(rect, base, Sense::click_and_drag());
    body.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::GenericContainer, true, format!("Clip {label}"))
    });
    let left = Rect::from_x_y_ranges(rect.min.x..=rect.min.x + EDGE_PX, rect.y_range());
    let right = Rect::from_x_y_ranges(rect.max.x - EDGE_PX..=rect.max.x, rect.y_range());
    let fade_in_x = ax.x(shown.position_frames + shown.fade_in.length_frames);
    let fade_out_x = ax.x(shown
        .end_frames()
        .saturating_sub(shown.fade_out.length_frames));
    let fin = Rect::from_center_size(
        Pos2::new(fade_in_x, rect.min.y + 5.0),
        Vec2::splat(HANDLE_PX),
    );
    let fout = Rect::from_center_size(
        Pos2::new(fade_out_x, rect.min.y + 5.0),
        Vec2::splat(HANDLE_PX),
    );
    let parts = [
        (
            ui.interact(left, base.with("l"), Sense::drag()),
            ClipDragKind::TrimStart,
        ),
        (
            ui.interact(right, base.with("r"), Sense::drag()),
            ClipDragKind::TrimEnd,
        ),
        (
            ui.interact(fin, base.with("fi"), Sense::drag()),
            ClipDragKind::FadeIn,
        ),
        (
            ui.interact(fout, base.with("fo"), Sense::drag()),
            ClipDragKind::FadeOut,
        ),
    ];
    if rect.width() > 4.0 * HANDLE_PX {
        for r in [fin, fout] {
            painter.rect_filled(r, 1.0, ui.visuals().strong_text_color());
        }
    }
    let mut active = (&body, ClipDragKind::Move);
    for (resp, kind) in &parts {
        if resp.hovered() || resp.dragged() {
            ui.ctx().set_cursor_icon(match kind {
                ClipDragKind::TrimStart | ClipDragKind::TrimEnd => CursorIcon::ResizeHorizontal,
                _ => CursorIcon::PointingHand,
            });
        }
        if resp.drag_started() || resp.dragged() || resp.drag_stopped() {
            active = (resp, *kind);
        }
    }
    let (resp, kind) = active;
    if resp.drag_started() {
        desk.view.selected_clip = Some(clip.id);
        desk.view.selected_track = Some(track);
        desk.view.clip_drag = Some(ClipDrag {
            clip: clip.id,
            kind,
            delta_frames: 0,
        });
    }
    if resp.dragged()
        && let Some(d) = desk.view.clip_drag
        && d.clip == clip.id
    {
        let total_px = resp.total_drag_delta().map_or(0.0, |v| v.x);
        let mut delta = (f64::from(total_px) * ax.frames_per_px()).round() as i64;
        if d.kind == ClipDragKind::Move {
            // The clip's start lands on the grid when snapping is on (Alt: free).
            let free = (clip.position_frames as i64 + delta).max(0) as u64;
            let alt = ui.input(|i| i.modifiers.alt);
            delta = desk.snap(free, alt) as i64 - clip.position_frames as i64;
        }
        if let Some(d) = desk.view.clip_drag.as_mut() {
            d.delta_frames = delta;
        }
    }
    if body.clicked() {
        desk.view.selected_clip = Some(clip.id);
        desk.view.selected_track = Some(track);
    }
    body.context_menu(|ui| clip_menu(desk, ui, clip));
}

/// The clip as it would be after `drag`.
fn preview(clip: &Clip, drag: ClipDrag) -> Clip {
    let mut c = clip.clone();
    let d = drag.delta_frames;
    let shift = |v: u64| (v as i64 + d).max(0) as u64;
    match drag.kind {
        ClipDragKind::Move => c.position_frames = shift(c.position_frames),
        ClipDragKind::TrimStart => {
            // Moving the start never goes before the source start or past the end.
            let d = d
                .max(-(c.offset_frames as i64))
                .max(-(c.position_frames as i64));
            let d = d.min(c.length_frames as i64 - 1);
            c.position_frames = (c.position_frames as i64 + d) as u64;
            c.offset_frames = (c.offset_frames as i64 + d) as u64;
            c.length_frames = (c.length_frames as i64 - d) as u64;
        }
        ClipDragKind::TrimEnd => c.length_frames = (c.length_frames as i64 + d).max(1) as u64,
        ClipDragKind::FadeIn => {
            c.fade_in.length_frames = shift(c.fade_in.length_frames).min(c.length_frames);
        }
        ClipDragKind::FadeOut => {
            c.fade_out.length_frames =
                (c.fade_out.length_frames as i64 - d).clamp(0, c.length_frames as i64) as u64;
        }
    }
    c
}

/// Applies a finished clip drag as one edit (moving to the track under the pointer).
fn finish_clip_drag(desk: &mut Desk, ui: &egui::Ui) {
    let Some(drag) = desk.view.clip_drag else {
        return;
    };
    if ui.input(|i| i.pointer.any_down()) {
        return;
    }
    desk.view.clip_drag = None;
    if drag.delta_frames == 0 && drag.kind != ClipDragKind::Move {
        return;
    }
    let Some((track, clip)) = desk
        .session()
        .clips()
        .find(|(_, c)| c.id == drag.clip)
        .map(|(t, c)| (t.id, c.clone()))
    else {
        return;
    };
    let after = preview(&clip, drag);
    let edit = match drag.kind {
        ClipDragKind::Move => {
            let pointer_y = ui.input(|i| i.pointer.latest_pos()).map(|p| p.y);
            let target = pointer_y
                .and_then(|y| {
                    desk.view
                        .lanes
                        .iter()
                        .find(|(_, r)| r.y_range().contains(y))
                })
                .map_or(track, |(t, _)| *t);
            if target == track && after.position_frames == clip.position_frames {
                return;
            }
            Edit::MoveClip {
                clip: clip.id,
                track: target,
                position_frames: after.position_frames,
            }
        }
        ClipDragKind::TrimStart | ClipDragKind::TrimEnd => Edit::TrimClip {
            clip: clip.id,
            position_frames: after.position_frames,
            offset_frames: after.offset_frames,
            length_frames: after.length_frames,
        },
        ClipDragKind::FadeIn | ClipDragKind::FadeOut => Edit::SetClipFades {
            clip: clip.id,
            fade_in: after.fade_in,
            fade_out: after.fade_out,
        },
    };
    desk.edit(edit);
}

fn clip_menu(desk: &mut Desk, ui: &mut egui::Ui, clip: &Clip) {
    desk.view.selected_clip = Some(clip.id);
    ui.horizontal(|ui| {
        ui.label("Clip gain");
        let mut gain = clip.gain_db;
        let resp = ui.add(spec_value(&mut gain, &strip_params::CLIP_GAIN_DB, 0.1));
        super::a11y::name(ui, &resp, "Clip gain");
        if resp.changed() {
            // A drag of the value is one undo step; the next drag is another.
            desk.edit_by(
                Edit::SetClipGain {
                    clip: clip.id,
                    gain_db: gain,
                },
                &resp,
            );
        }
    });
    for (label, fade_in) in [("Fade-in shape", true), ("Fade-out shape", false)] {
        let current = if fade_in { clip.fade_in } else { clip.fade_out };
        ui.menu_button(format!("{label}: {}", shape_name(current.shape)), |ui| {
            for shape in [
                FadeShape::Linear,
                FadeShape::EqualPower,
                FadeShape::SCurve,
                FadeShape::Exponential,
            ] {
                if ui
                    .selectable_label(shape == current.shape, shape_name(shape))
                    .clicked()
                    && shape != current.shape
                {
                    let (mut fade_in_v, mut fade_out_v) = (clip.fade_in, clip.fade_out);
                    if fade_in {
                        fade_in_v.shape = shape;
                    } else {
                        fade_out_v.shape = shape;
                    }
                    desk.edit(Edit::SetClipFades {
                        clip: clip.id,
                        fade_in: fade_in_v,
                        fade_out: fade_out_v,
                    });
                    ui.close();
                }
            }
        });
    }
    if ui.button("Split at playhead").clicked() {
        desk.act(Action::Command(Command::SplitClip));
        ui.close();
    }
    if ui.button("Remove fades").clicked() {
        desk.edit(Edit::SetClipFades {
            clip: clip.id,
            fade_in: Fade::default(),
            fade_out: Fade::default(),
        });
        ui.close();
    }
    if ui.button("Delete").clicked() {
        desk.edit(Edit::RemoveClip(clip.id));
        desk.view.selected_clip = None;
        ui.close();
    }
}

fn shape_name(shape: FadeShape) -> &'static str {
    match shape {
        FadeShape::Linear => "Linear",
        FadeShape::EqualPower => "Equal power",
        FadeShape::SCurve => "S-curve",
        FadeShape::Exponential => "Exponential",
    }
}

fn draw_waveform(
    painter: &egui::Painter,
    visible: Rect,
    clip: &Clip,
    peaks: &stemdesk_media::PeakCache,
    color: Color32,
    ax: TimeAxis,
) {
    let fpp = ax.frames_per_px();
    let level = peaks.level_for(fpp);
    let per_bucket = stemdesk_media::PeakCache::frames_per_bucket(level) as f64;
    let channels = (0..2)
        .filter(|c| !peaks.buckets(level, *c).is_empty())
        .count()
        .max(1);
    let gain = 10f32.powf(clip.gain_db / 20.0);
    let mid = visible.center().y;
    let half = visible.height() * 0.45;
    let stroke = Stroke::new(1.0, color);
    let x0 = visible.min.x.max(ax.x(clip.position_frames)).floor();
    let x1 = visible.max.x.min(ax.x(clip.end_frames())).ceil();
    let mut x = x0;
    while x < x1 {
        let f0 =
            ax.frames(x).saturating_sub(clip.position_frames) as f64 + clip.offset_frames as f64;
        let f1 = f0 + fpp.max(1.0);
        let b0 = (f0 / per_bucket) as usize;
        let b1 = ((f1 / per_bucket).ceil() as usize).max(b0 + 1);
        let (mut lo, mut hi) = (0.0f32, 0.0f32);
        for ch in 0..channels {
            let buckets = peaks.buckets(level, ch);
            for &(mn, mx) in buckets.get(b0..b1.min(buckets.len())).unwrap_or(&[]) {
                lo = lo.min(mn);
                hi = hi.max(mx);
            }
        }
        let (lo, hi) = ((lo * gain).clamp(-1.0, 1.0), (hi * gain).clamp(-1.0, 1.0));
        if hi > lo {
            painter.vline(
                x + 0.5,
                (mid - hi * half)..=(mid - lo * half).max(mid - hi * half + 1.0),
                stroke,
            );
        }
        x += 1.0;
    }
}

fn draw_fades(painter: &egui::Painter, rect: Rect, clip: &Clip, ax: TimeAxis) {
    let stroke = Stroke::new(1.0, Color32::from_white_alpha(160));
    // The fade's gain curve across the clip's height (full height = unity gain).
    let curve = |x0: f32, x1: f32, gain: &dyn Fn(f32) -> f32| {
        let pts: Vec<Pos2> = (0..=24)
            .map(|i| {
                let t = i as f32 / 24.0;
                Pos2::new(x0 + (x1 - x0) * t, rect.max.y - gain(t) * rect.height())
            })
            .collect();
        painter.line(pts, stroke);
    };
    if clip.fade_in.length_frames > 0 {
        let x = ax.x(clip.position_frames + clip.fade_in.length_frames);
        let shape = clip.fade_in.shape;
        curve(rect.min.x, x, &|t| shape.fade_in_gain(t));
    }
    if clip.fade_out.length_frames > 0 {
        let x = ax.x(clip
            .end_frames()
            .saturating_sub(clip.fade_out.length_frames));
        let shape = clip.fade_out.shape;
        curve(x, rect.max.x, &|t| shape.fade_in_gain(1.0 - t));
    }
}
