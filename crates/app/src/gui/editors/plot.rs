//! A small plotting surface for editor curves: maps values to a rect and draws a grid.

use egui::{Color32, Pos2, Rect, Stroke};

/// Log-frequency / dB or dB / dB axes over a rect.
#[derive(Clone, Copy)]
pub struct Plot {
    /// The drawing area.
    pub rect: Rect,
    /// X range (log10 when `log_x`).
    pub x: (f32, f32),
    /// Y range.
    pub y: (f32, f32),
    /// Logarithmic x axis.
    pub log_x: bool,
}

impl Plot {
    fn tx(&self, v: f32) -> f32 {
        if self.log_x { v.max(1e-6).log10() } else { v }
    }

    /// Screen position of a value pair.
    pub fn pos(&self, x: f32, y: f32) -> Pos2 {
        let (x0, x1) = (self.tx(self.x.0), self.tx(self.x.1));
        let fx = (self.tx(x) - x0) / (x1 - x0);
        let fy = (y - self.y.0) / (self.y.1 - self.y.0);
        Pos2::new(
            self.rect.min.x + fx * self.rect.width(),
            self.rect.max.y - fy.clamp(-0.05, 1.05) * self.rect.height(),
        )
    }

    /// The value pair at a screen position.
    pub fn value(&self, p: Pos2) -> (f32, f32) {
        let (x0, x1) = (self.tx(self.x.0), self.tx(self.x.1));
        let fx = (p.x - self.rect.min.x) / self.rect.width();
        let fy = (self.rect.max.y - p.y) / self.rect.height();
        let tx = x0 + fx * (x1 - x0);
        let x = if self.log_x { 10f32.powf(tx) } else { tx };
        (x, self.y.0 + fy * (self.y.1 - self.y.0))
    }

    /// Background and grid lines at the given x and y values.
    pub fn grid(
        &self,
        painter: &egui::Painter,
        xs: &[f32],
        ys: &[f32],
        label: impl Fn(f32) -> String,
    ) {
        painter.rect_filled(self.rect, 3.0, Color32::from_gray(20));
        let stroke = Stroke::new(1.0, Color32::from_gray(48));
        for &x in xs {
            let p = self.pos(x, self.y.0);
            painter.vline(p.x, self.rect.y_range(), stroke);
            painter.text(
                Pos2::new(p.x + 2.0, self.rect.max.y - 2.0),
                egui::Align2::LEFT_BOTTOM,
                label(x),
                egui::FontId::proportional(9.0),
                Color32::from_gray(130),
            );
        }
        for &y in ys {
            let p = self.pos(self.x.0, y);
            painter.hline(self.rect.x_range(), p.y, stroke);
            painter.text(
                Pos2::new(self.rect.min.x + 2.0, p.y - 1.0),
                egui::Align2::LEFT_BOTTOM,
                format!("{y}"),
                egui::FontId::proportional(9.0),
                Color32::from_gray(130),
            );
        }
    }

    /// A polyline through `(x, y)` points.
    pub fn curve(
        &self,
        painter: &egui::Painter,
        points: impl Iterator<Item = (f32, f32)>,
        stroke: Stroke,
    ) {
        let pts: Vec<Pos2> = points.map(|(x, y)| self.pos(x, y)).collect();
        painter.with_clip_rect(self.rect).line(pts, stroke);
    }
}
