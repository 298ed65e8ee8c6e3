//! The fader with its meter: one widget, one dB scale shared by both, so the fader's 0 dB
//! mark lines up with the meter's.

use egui::{Color32, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2};
use stemdesk_engine::live::StripMeter;
use stemdesk_session::model::{MAX_GAIN_DB, SILENCE_DB};

/// Top of the fader travel.
pub const FADER_MAX_DB: f32 = 12.0;
/// Bottom of the visible scale (below is -inf).
pub const SCALE_MIN_DB: f32 = -60.0;
/// Scale marks.
const MARKS_DB: [f32; 8] = [12.0, 6.0, 0.0, -6.0, -12.0, -24.0, -40.0, -60.0];

/// Position 0..1 (bottom..top) of a level in dB.
pub fn db_to_pos(db: f32) -> f32 {
    if db <= SCALE_MIN_DB {
        return 0.0;
    }
    // Square-root law: more travel near 0 dB, where mixing happens.
    ((db - SCALE_MIN_DB) / (FADER_MAX_DB - SCALE_MIN_DB))
        .clamp(0.0, 1.0)
        .sqrt()
}

/// Inverse of [`db_to_pos`]; the bottom is silence.
pub fn pos_to_db(pos: f32) -> f32 {
    if pos <= 0.001 {
        return SILENCE_DB;
    }
    let db = SCALE_MIN_DB + pos.clamp(0.0, 1.0).powi(2) * (FADER_MAX_DB - SCALE_MIN_DB);
    (db * 10.0).round() / 10.0
}

fn amp_to_db(a: f32) -> f32 {
    if a > 0.0 {
        20.0 * a.log10()
    } else {
        SILENCE_DB
    }
}

/// What happened to the fader this frame.
pub struct FaderOutput {
    /// The new gain when it moved.
    pub new_db: Option<f32>,
    /// A drag began (start a new undo gesture).
    pub drag_started: bool,
    /// The clip indicator was clicked (clear it).
    pub clear_clip: bool,
}

/// Draws a fader at `gain_db` beside `meter`. Drag to move (Shift: fine), double-click
/// for 0 dB.
pub fn fader(
    ui: &mut egui::Ui,
    label: &str,
    gain_db: f32,
    meter: Option<&StripMeter>,
) -> FaderOutput {
    let size = Vec2::new(72.0, 150.0);
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    let clip_rect = Rect::from_min_size(rect.min, Vec2::new(28.0, 10.0));
    let meter_rect = Rect::from_min_max(
        Pos2::new(rect.min.x, rect.min.y + 14.0),
        Pos2::new(rect.min.x + 28.0, rect.max.y - 6.0),
    );
    let track_rect = Rect::from_min_max(
        Pos2::new(rect.min.x + 44.0, meter_rect.min.y),
        Pos2::new(rect.max.x - 4.0, meter_rect.max.y),
    );
    let id = ui.scope_id().with(("fader", label));
    let resp = ui.interact(
        track_rect.expand2(Vec2::new(6.0, 6.0)),
        id,
        Sense::click_and_drag(),
    );
    resp.widget_info(|| {
        egui::WidgetInfo::slider(true, f64::from(gain_db), format!("{label} fader"))
    });
    let clip_resp = ui.interact(clip_rect, id.with("clip"), Sense::click());
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals().clone();
    let y_of = |db: f32| meter_rect.max.y - db_to_pos(db) * meter_rect.height();

    // Scale.
    for mark in MARKS_DB {
        let y = y_of(mark);
        painter.hline(
            meter_rect.max.x + 1.0..=track_rect.min.x - 2.0,
            y,
            Stroke::new(1.0, visuals.weak_text_color()),
        );
        painter.text(
            Pos2::new(meter_rect.max.x + 9.0, y),
            egui::Align2::CENTER_CENTER,
            format!("{}", mark.abs()),
            egui::FontId::proportional(8.0),
            visuals.weak_text_color(),
        );
    }

    // Meter: RMS solid, peak lighter, hold line.
    painter.rect_filled(meter_rect, 2.0, Color32::from_gray(18));
    if let Some(m) = meter {
        let w = (meter_rect.width() - 3.0) / 2.0;
        for ch in 0..2 {
            let x0 = meter_rect.min.x + 1.0 + ch as f32 * (w + 1.0);
            let bar = |db: f32| {
                Rect::from_min_max(Pos2::new(x0, y_of(db)), Pos2::new(x0 + w, meter_rect.max.y))
            };
            let peak_db = amp_to_db(m.peak[ch]);
            let rms_db = amp_to_db(m.rms[ch]);
            painter.rect_filled(bar(peak_db), 0.0, level_color(peak_db).gamma_multiply(0.45));
            painter.rect_filled(bar(rms_db), 0.0, level_color(rms_db));
            let hold_y = y_of(amp_to_db(m.hold[ch]));
            painter.hline(
                x0..=x0 + w,
                hold_y,
                Stroke::new(1.5, level_color(amp_to_db(m.hold[ch]))),
            );
        }
    }
    let clipped = meter.is_some_and(|m| m.clipped);
    painter.rect_filled(
        clip_rect,
        2.0,
        if clipped {
            Color32::from_rgb(230, 40, 40)
        } else {
            Color32::from_gray(45)
        },
    );
    let clip_resp = clip_resp.on_hover_text("Clip indicator (click to reset)");

    // Fader track and cap.
    let cx = track_rect.center().x;
    painter.vline(
        cx,
        track_rect.y_range(),
        Stroke::new(3.0, Color32::from_gray(30)),
    );
    let cap_y = y_of(gain_db);
    let cap = Rect::from_center_size(Pos2::new(cx, cap_y), Vec2::new(track_rect.width(), 14.0));
    let cap_color = if resp.dragged() || resp.hovered() {
        visuals.widgets.hovered.bg_fill
    } else {
        visuals.widgets.inactive.bg_fill
    };
    painter.rect_filled(cap, 3.0, cap_color);
    painter.rect_stroke(
        cap,
        3.0,
        Stroke::new(1.0, visuals.widgets.inactive.fg_stroke.color),
        StrokeKind::Inside,
    );
    painter.hline(
        cap.x_range(),
        cap_y,
        Stroke::new(1.0, visuals.strong_text_color()),
    );

    let mut new_db = None;
    if resp.double_clicked() {
        new_db = Some(0.0);
    } else if resp.dragged() {
        let fine = ui.input(|i| i.modifiers.shift);
        let dy = resp.drag_delta().y * if fine { 0.1 } else { 1.0 };
        let pos = db_to_pos(gain_db) - dy / meter_rect.height();
        let db = pos_to_db(pos).min(MAX_GAIN_DB);
        if (db - gain_db).abs() > f32::EPSILON {
            new_db = Some(db);
        }
    }
    FaderOutput {
        new_db,
        drag_started: resp.drag_started(),
        clear_clip: clip_resp.clicked(),
    }
}

fn level_color(db: f32) -> Color32 {
    if db >= -0.1 {
        Color32::from_rgb(235, 60, 50)
    } else if db >= -9.0 {
        Color32::from_rgb(230, 200, 60)
    } else {
        Color32::from_rgb(80, 200, 110)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fader_law_round_trips_and_has_silence_at_the_bottom() {
        for db in [-59.0f32, -24.0, -6.0, 0.0, 6.0, 12.0] {
            assert!((pos_to_db(db_to_pos(db)) - db).abs() < 0.06, "{db}");
        }
        assert_eq!(pos_to_db(0.0), SILENCE_DB);
        assert_eq!(db_to_pos(SILENCE_DB), 0.0);
        assert!(
            db_to_pos(0.0) > 0.9,
            "0 dB near the top: {}",
            db_to_pos(0.0)
        );
    }
}
