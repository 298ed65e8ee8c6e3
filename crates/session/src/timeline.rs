//! The musical timeline over the sample clock: a tempo and a time signature for the
//! bars/beats ruler and the snapping grid, and named markers that give ranges for looping
//! and bouncing. Nothing here changes the sound: audio stays placed in frames.

use serde::{Deserialize, Serialize};

use crate::ids::MarkerId;

/// Lowest and highest tempo a session may hold, BPM.
pub const TEMPO_RANGE_BPM: std::ops::RangeInclusive<f64> = 20.0..=400.0;
/// Largest number of beats in a bar.
pub const MAX_BEATS_PER_BAR: u32 = 32;

/// Tempo, time signature and markers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Quarter notes (beats) per minute.
    #[serde(default = "default_tempo")]
    pub tempo_bpm: f64,
    /// Beats in a bar (the upper number of the time signature; the beat is a quarter).
    #[serde(default = "default_beats")]
    pub beats_per_bar: u32,
    /// Named positions, sorted by time.
    #[serde(default)]
    pub markers: Vec<Marker>,
}

fn default_tempo() -> f64 {
    120.0
}

fn default_beats() -> u32 {
    4
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline {
            tempo_bpm: default_tempo(),
            beats_per_bar: default_beats(),
            markers: Vec::new(),
        }
    }
}

/// A named position on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    /// Stable ID.
    pub id: MarkerId,
    /// What the user calls it ("Chorus 1").
    pub name: String,
    /// Where it is, frames.
    pub time_frames: u64,
}

/// The step of the snapping grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grid {
    /// Whole bars.
    Bar,
    /// Beats (quarter notes).
    #[default]
    Beat,
    /// Eighth notes.
    Half,
    /// Sixteenth notes.
    Quarter,
}

impl Grid {
    /// Every step, coarse to fine.
    pub const ALL: [Grid; 4] = [Grid::Bar, Grid::Beat, Grid::Half, Grid::Quarter];

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Grid::Bar => "Bar",
            Grid::Beat => "1/4",
            Grid::Half => "1/8",
            Grid::Quarter => "1/16",
        }
    }
}

impl Timeline {
    /// Whether this is the default (nothing to save).
    pub fn is_default(&self) -> bool {
        *self == Timeline::default()
    }

    /// Length of one beat at `rate_hz`, frames.
    pub fn beat_frames(&self, rate_hz: u32) -> f64 {
        f64::from(rate_hz) * 60.0 / self.tempo_bpm.clamp(1.0, 10_000.0)
    }

    /// Length of one grid step, frames.
    pub fn grid_frames(&self, grid: Grid, rate_hz: u32) -> f64 {
        let beat = self.beat_frames(rate_hz);
        match grid {
            Grid::Bar => beat * f64::from(self.beats_per_bar.max(1)),
            Grid::Beat => beat,
            Grid::Half => beat / 2.0,
            Grid::Quarter => beat / 4.0,
        }
    }

    /// `frames` moved to the nearest grid line.
    pub fn snap(&self, frames: u64, grid: Grid, rate_hz: u32) -> u64 {
        let step = self.grid_frames(grid, rate_hz);
        ((frames as f64 / step).round() * step).round().max(0.0) as u64
    }

    /// Bar (from 1) and beat within it (from 1, fractional) at `frames`.
    pub fn bar_beat(&self, frames: u64, rate_hz: u32) -> (u64, f64) {
        let beats = frames as f64 / self.beat_frames(rate_hz);
        let per_bar = f64::from(self.beats_per_bar.max(1));
        let bar = (beats / per_bar).floor();
        (bar as u64 + 1, beats - bar * per_bar + 1.0)
    }

    /// Where bar `bar` (from 1) starts, frames.
    pub fn bar_start(&self, bar: u64, rate_hz: u32) -> u64 {
        let beats = (bar.saturating_sub(1) as f64) * f64::from(self.beats_per_bar.max(1));
        (beats * self.beat_frames(rate_hz)).round() as u64
    }

    /// The first marker after `frames`.
    pub fn next_marker(&self, frames: u64) -> Option<&Marker> {
        self.markers
            .iter()
            .filter(|m| m.time_frames > frames)
            .min_by_key(|m| m.time_frames)
    }

    /// The last marker before `frames`.
    pub fn previous_marker(&self, frames: u64) -> Option<&Marker> {
        self.markers
            .iter()
            .filter(|m| m.time_frames < frames)
            .max_by_key(|m| m.time_frames)
    }

    /// The range from marker `id` to the next marker (or `end_frames` after the last).
    pub fn marker_range(&self, id: MarkerId, end_frames: u64) -> Option<(u64, u64)> {
        let m = self.markers.iter().find(|m| m.id == id)?;
        let end = self
            .next_marker(m.time_frames)
            .map_or(end_frames, |n| n.time_frames);
        (end > m.time_frames).then_some((m.time_frames, end))
    }

    /// A name for a new marker: "Marker N" with the lowest N no marker has.
    pub fn new_marker_name(&self) -> String {
        (1..)
            .map(|n| format!("Marker {n}"))
            .find(|name| !self.markers.iter().any(|m| m.name == *name))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(id: u32, t: u64) -> Marker {
        Marker {
            id: MarkerId(id),
            name: format!("M{id}"),
            time_frames: t,
        }
    }

    #[test]
    fn bars_beats_and_the_grid_follow_tempo_and_signature() {
        let mut t = Timeline::default(); // 120 BPM, 4/4: a beat is 24 000 frames at 48 kHz
        assert_eq!(t.beat_frames(48_000), 24_000.0);
        assert_eq!(t.bar_beat(0, 48_000), (1, 1.0));
        assert_eq!(t.bar_beat(96_000, 48_000), (2, 1.0));
        assert_eq!(t.bar_beat(108_000, 48_000), (2, 1.5));
        assert_eq!(t.snap(35_000, Grid::Beat, 48_000), 24_000);
        assert_eq!(t.snap(37_000, Grid::Beat, 48_000), 48_000);
        assert_eq!(t.snap(37_000, Grid::Half, 48_000), 36_000);
        assert_eq!(t.snap(50_000, Grid::Bar, 48_000), 96_000);
        assert_eq!(t.bar_start(3, 48_000), 192_000);
        t.tempo_bpm = 90.0;
        t.beats_per_bar = 3;
        assert_eq!(t.grid_frames(Grid::Bar, 48_000), 96_000.0);
        assert_eq!(t.bar_beat(96_000, 48_000), (2, 1.0));
    }

    #[test]
    fn markers_give_ranges_and_neighbours() {
        let t = Timeline {
            markers: vec![marker(1, 1_000), marker(2, 5_000), marker(3, 9_000)],
            ..Timeline::default()
        };
        assert_eq!(t.next_marker(1_000).map(|m| m.id), Some(MarkerId(2)));
        assert_eq!(t.previous_marker(5_000).map(|m| m.id), Some(MarkerId(1)));
        assert_eq!(t.next_marker(9_000), None);
        assert_eq!(t.marker_range(MarkerId(2), 20_000), Some((5_000, 9_000)));
        assert_eq!(t.marker_range(MarkerId(3), 20_000), Some((9_000, 20_000)));
        assert_eq!(t.marker_range(MarkerId(3), 9_000), None);
        // New names never repeat one that exists.
        let t = Timeline {
            markers: vec![Marker {
                name: "Marker 2".into(),
                ..marker(1, 0)
            }],
            ..Timeline::default()
        };
        assert_eq!(t.new_marker_name(), "Marker 1");
        let t = Timeline {
            markers: vec![
                Marker {
                    name: "Marker 1".into(),
                    ..marker(1, 0)
                },
                Marker {
                    name: "Marker 2".into(),
                    ..marker(2, 5)
                },
            ],
            ..Timeline::default()
        };
        assert_eq!(t.new_marker_name(), "Marker 3");
    }
}
