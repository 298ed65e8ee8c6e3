//! The fader with its meter: one widget, one dB scale shared by both, so the fader's 0 dB
//! mark lines up with the meter's.

use egui::{Color32, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2};
use stemdesk_engine::live::StripMeter;
use stemdesk_session::model::{MAX_GAIN_DB, SILENCE_DB};

/// The shortest fader and meter: the mixer grows them with the window from here.
pub const MIN_FADER_HEIGHT: f32 = 200.0;
/// Scale marks offered, top to bottom; those closer than a label's height to the one
/// above are left out, so the labels never overlap.
const MARKS_DB: [f32; 13] = [
    12.0, 6.0, 3.0, 0.0, -3.0, -6.0, -10.0, -15.0, -20.0, -30.0, -40.0, -50.0, -60.0,
];
/// The fader taper as (dB, position) points, as on a console: a third of the travel for
/// the +6..-10 dB where mixing happens, -60 dB near the bottom, silence at the bottom.
const TAPER: [(f32, f32); 10] = [
    (12.0, 1.0),
    (6.0, 0.9),
    (0.0, 0.78),
    (-10.0, 0.58),
    (-20.0, 0.42),
    (-30.0, 0.3),
    (-40.0, 0.2),
    (-60.0, 0.06),
    (-90.0, 0.005),
    (SILENCE_DB, 0.0),
];

/// Position 0..1 (bottom..top) of a level in dB.
pub fn db_to_pos(db: f32) -> f32 {
    if db >= TAPER[0].0 {
        return 1.0;
    }
    for w in TAPER.windows(2) {
        let ((db_hi, pos_hi), (db_lo, pos_lo)) = (w[0], w[1]);
        if db >= db_lo {
            return pos_lo + (db - db_lo) / (db_hi - db_lo) * (pos_hi - pos_lo);
        }
    }
    0.0
}

/// Inverse of [`db_to_pos`] (unrounded); the bottom is silence.
pub fn pos_to_db(pos: f32) -> f32 {
    if pos <= TAPER[TAPER.len() - 2].1 {
        return SILENCE_DB;
    }
    for w in TAPER.windows(2) {
        let ((db_hi, pos_hi), (db_lo, pos_lo)) = (w[0], w[1]);
        if pos >= pos_lo {
            let t = ((pos - pos_lo) / (pos_hi - pos_lo)).min(1.0);
            return db_lo + t * (db_hi - db_lo);
        }
    }
    SILENCE_DB
}

/// A gain typed or nudged by the user, kept inside the fader's range.
pub fn clamp_gain_db(db: f32) -> f32 {
    if db <= SILENCE_DB {
        SILENCE_DB
    } else {
        db.min(MAX_GAIN_DB)
    }
}

/// A gain for the session: 0.01 dB steps (what a drag could not resolve anyway).
fn round_db(db: f32) -> f32 {
    if db <= SILENCE_DB {
        SILENCE_DB
    } else {
        (db * 100.0).round() / 100.0
    }
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
    /// The fader's drag this frame (its moves are one undo step), if dragged.
    pub drag: Option<super::action::Drag>,
    /// The clip light or the peak readout was clicked (reset both).
    pub clear_clip: bool,
}

/// Width of the fader-and-meter widget.
pub const FADER_WIDTH: f32 = 84.0;
const METER_WIDTH: f32 = 26.0;
const READOUT_HEIGHT: f32 = 16.0;

/// Draws a fader at `gain_db` beside `meter`, `height` tall (readout included). Drag to
/// move (Shift: ten times finer), double-click for 0 dB.
pub fn fader(
    ui: &mut egui::Ui,
    label: &str,
    gain_db: f32,
    meter: Option<&StripMeter>,
    height: f32,
) -> FaderOutput {
    let size = Vec2::new(FADER_WIDTH, height.max(MIN_FADER_HEIGHT));
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    // Top row: clip light over the meter, numeric peak readout beside it.
    let clip_rect = Rect::from_min_size(rect.min, Vec2::new(METER_WIDTH, READOUT_HEIGHT - 4.0));
    let readout_rect = Rect::from_min_max(
        Pos2::new(clip_rect.max.x + 2.0, rect.min.y),
        Pos2::new(rect.max.x, rect.min.y + READOUT_HEIGHT - 2.0),
    );
    let meter_rect = Rect::from_min_max(
        Pos2::new(rect.min.x, rect.min.y + READOUT_HEIGHT + 4.0),
        Pos2::new(rect.min.x + METER_WIDTH, rect.max.y - 6.0),
    );
    let track_rect = Rect::from_min_max(
        Pos2::new(rect.min.x + METER_WIDTH + 30.0, meter_rect.min.y),
        Pos2::new(rect.max.x - 4.0, meter_rect.max.y),
    );
    let id = ui.scope_id().with(("fader", label));
    let resp = ui.interact(
        track_rect.expand2(Vec2::new(6.0, 8.0)),
        id,
        Sense::click_and_drag(),
    );
    resp.widget_info(|| {
        egui::WidgetInfo::slider(true, f64::from(gain_db), format!("{label} fader"))
    });
    let clip_resp = ui.interact(clip_rect, id.with("clip"), Sense::click());
    let readout_resp = ui.interact(readout_rect, id.with("readout"), Sense::click());
    readout_resp.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Button, true, format!("{label} peak"))
    });
    let painter = ui.painter_at(rect.expand(1.0));
    let visuals = ui.visuals().clone();
    let y_of = |db: f32| meter_rect.max.y - db_to_pos(db) * meter_rect.height();

    // Scale: marks at least one label height apart.
    let font = egui::FontId::proportional(10.0);
    let scale_color = visuals.text_color().gamma_multiply(0.8);
    let mut last_y = f32::NEG_INFINITY;
    for mark in MARKS_DB {
        let y = y_of(mark);
        if y - last_y < 12.0 && mark != 0.0 {
            continue;
        }
        last_y = y;
        painter.hline(
            meter_rect.max.x + 1.0..=meter_rect.max.x + 4.0,
            y,
            Stroke::new(1.0, scale_color),
        );
        painter.text(
            Pos2::new(meter_rect.max.x + 16.0, y),
            egui::Align2::CENTER_CENTER,
            format!("{}", mark.abs()),
            font.clone(),
            if mark == 0.0 {
                visuals.strong_text_color()
            } else {
                scale_color
            },
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
    let clip_resp = clip_resp.on_hover_text("Clip light (click to reset)");
    let max_db = meter.map_or(SILENCE_DB, |m| amp_to_db(m.max_peak));
    painter.text(
        readout_rect.center(),
        egui::Align2::CENTER_CENTER,
        peak_text(max_db),
        egui::FontId::monospace(11.0),
        if max_db >= 0.0 {
            Color32::from_rgb(255, 90, 80)
        } else {
            visuals.strong_text_color()
        },
    );
    let readout_resp = readout_resp.on_hover_text("Highest peak, dBFS (click to reset)");

    // Fader track and cap.
    let cx = track_rect.center().x;
    painter.vline(
        cx,
        track_rect.y_range(),
        Stroke::new(3.0, Color32::from_gray(30)),
    );
    let cap_y = y_of(gain_db);
    let cap = Rect::from_center_size(Pos2::new(cx, cap_y), Vec2::new(track_rect.width(), 16.0));
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

    // A drag moves an unrounded position kept for the whole drag, so fine moves of a
    // fraction of a step add up instead of rounding away frame by frame.
    let drag_pos = id.with("drag_pos");
    let mut new_db = None;
    if resp.double_clicked() {
        new_db = Some(0.0);
    } else if resp.dragged() {
        let fine = ui.input(|i| i.modifiers.shift);
        // The frame a drag is recognised, count the way from where the button went down
        // (egui only starts a drag after a few pixels, which would otherwise be lost).
        let moved = match (resp.drag_started(), ui.input(|i| i.pointer.press_origin())) {
            (true, Some(origin)) => resp.interact_pointer_pos().map_or(0.0, |p| p.y - origin.y),
            _ => resp.drag_delta().y,
        };
        let dy = moved * if fine { 0.1 } else { 1.0 };
        let start = ui
            .data(|d| d.get_temp::<f32>(drag_pos))
            .unwrap_or_else(|| db_to_pos(gain_db));
        let pos = (start - dy / meter_rect.height()).clamp(0.0, 1.0);
        ui.data_mut(|d| d.insert_temp(drag_pos, pos));
        let db = round_db(pos_to_db(pos)).min(MAX_GAIN_DB);
        if (db - gain_db).abs() > f32::EPSILON {
            new_db = Some(db);
        }
    }
    if resp.drag_stopped() {
        ui.data_mut(|d| d.remove::<f32>(drag_pos));
    }
    FaderOutput {
        new_db,
        drag: super::action::Drag::of(&resp),
        clear_clip: clip_resp.clicked() || readout_resp.clicked(),
    }
}

/// The peak readout: "-3.2", "+0.4", or "-inf".
fn peak_text(db: f32) -> String {
    if db <= SILENCE_DB + 1.0 || db < -99.9 {
        "-inf".to_owned()
    } else if db >= 0.05 {
        format!("+{db:.1}")
    } else {
        format!("{db:.1}")
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
    fn fader_taper_round_trips_and_has_silence_at_the_bottom() {
        for db in [-89.0f32, -59.0, -24.0, -6.0, -0.5, 0.0, 6.0, 12.0] {
            assert!((pos_to_db(db_to_pos(db)) - db).abs() < 1e-3, "{db}");
        }
        assert_eq!(pos_to_db(0.0), SILENCE_DB);
        assert_eq!(db_to_pos(SILENCE_DB), 0.0);
        assert_eq!(db_to_pos(12.0), 1.0);
        // Monotonic all the way.
        let mut last = -1.0;
        for i in 0..=1000 {
            let p = db_to_pos(-100.0 + i as f32 * 0.112);
            assert!(p >= last);
            last = p;
        }
    }

    #[test]
    fn more_travel_around_zero_than_at_minus_sixty() {
        let px_per_db = |db: f32| (db_to_pos(db + 0.5) - db_to_pos(db - 0.5)) * MIN_FADER_HEIGHT;
        // At the shortest fader: 4 px per dB around 0 dB (0.25 dB a pixel, 0.025 with
        // Shift), against 1.3 px per dB at -50 dB.
        assert!(px_per_db(0.0) >= 3.9, "{}", px_per_db(0.0));
        assert!(px_per_db(0.0) > 2.5 * px_per_db(-50.0));
        assert!((db_to_pos(0.0) - 0.78).abs() < 1e-6);
    }

    #[test]
    fn peak_readout_text() {
        assert_eq!(peak_text(SILENCE_DB), "-inf");
        assert_eq!(peak_text(-3.24), "-3.2");
        assert_eq!(peak_text(0.4), "+0.4");
    }
}
