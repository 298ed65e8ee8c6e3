//! What the user is looking at: which views, zoom and scroll, the selection, open editors.

use std::collections::HashSet;

use stemdesk_session::{ClipId, Grid, InsertId, LaneId, MarkerId, StripId, TrackId};

use super::automation::LaneDrag;

use super::bounce_options::BounceOptions;
use super::dialogs::DialogKind;
use super::path_prompt::PathPrompt;

/// What to do once the "save changes?" question has been answered.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterSaveQuestion {
    /// Close the window.
    Quit,
    /// Start an empty session.
    New,
    /// Open this session.
    Open(std::path::PathBuf),
}

/// A file question waiting for its answer, with what the answer is for.
#[derive(Debug, Clone, PartialEq)]
pub enum FileQuestion {
    /// File > Open.
    OpenSession,
    /// Save As (or Save of an untitled session); `then` runs once it is saved.
    SaveSession {
        /// What the save question was asked for.
        then: Option<AfterSaveQuestion>,
    },
    /// Import audio as new tracks at this position.
    ImportAudio {
        /// Where the clips start.
        position_frames: u64,
    },
    /// Where to bounce the mix, with the options chosen.
    BounceTarget {
        /// Format, dither, range, tail, report.
        options: BounceOptions,
    },
    /// A folder to look for offline media in.
    RelinkFolder,
}

impl FileQuestion {
    /// The dialog that asks it.
    pub fn kind(&self) -> DialogKind {
        match self {
            Self::OpenSession => DialogKind::OpenSession,
            Self::SaveSession { .. } => DialogKind::SaveSession,
            Self::ImportAudio { .. } => DialogKind::ImportAudio,
            Self::BounceTarget { .. } => DialogKind::BounceTarget,
            Self::RelinkFolder => DialogKind::RelinkFolder,
        }
    }
}

/// What part of a clip is being dragged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipDragKind {
    /// The whole clip (also to another track).
    Move,
    /// The left edge (trim the start).
    TrimStart,
    /// The right edge (trim the end).
    TrimEnd,
    /// The fade-in handle.
    FadeIn,
    /// The fade-out handle.
    FadeOut,
}

/// A clip drag in progress: applied as one edit when the mouse is released.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipDrag {
    /// The clip.
    pub clip: ClipId,
    /// What is dragged.
    pub kind: ClipDragKind,
    /// Horizontal movement so far, in frames.
    pub delta_frames: i64,
}

/// View state (not saved with the session).
pub struct ViewState {
    /// Arrange view visible.
    pub show_arrange: bool,
    /// Mixer view visible.
    pub show_mixer: bool,
    /// Horizontal zoom.
    pub px_per_second: f32,
    /// Time at the left edge of the timeline, seconds.
    pub scroll_s: f64,
    /// Height of a track lane.
    pub track_height: f32,
    /// Selected track (M/S keys act on it).
    pub selected_track: Option<TrackId>,
    /// Selected clip (Delete, split, arrows act on it).
    pub selected_clip: Option<ClipId>,
    /// The insert whose editor window is open.
    pub editor: Option<(StripId, InsertId)>,
    /// The name typed to save the open editor's settings as a preset.
    pub preset_name: String,
    /// Something that would replace or close the document while it has unsaved
    /// changes: the save question is showing, and this happens once it is answered.
    pub confirm: Option<AfterSaveQuestion>,
    /// A recovery file to offer.
    pub recovery_offer: Option<std::path::PathBuf>,
    /// Close was confirmed: let the window go.
    pub close_confirmed: bool,
    /// A clip drag in progress.
    pub clip_drag: Option<ClipDrag>,
    /// A loop range being dragged on the ruler (start, current), frames.
    pub loop_drag: Option<(u64, u64)>,
    /// Track lanes as last drawn (for drops and moving clips between tracks).
    pub lanes: Vec<(TrackId, egui::Rect)>,
    /// Left edge of the timeline as last drawn.
    pub timeline_left: f32,
    /// Output devices, listed when the Audio menu opens.
    pub devices: Option<Result<Vec<stemdesk_device::DeviceInfo>, String>>,
    /// A file dialog is open (on its worker thread) for this question.
    pub asking: Option<FileQuestion>,
    /// No dialog could be shown: the question is asked as a typed path.
    pub path_prompt: Option<(FileQuestion, PathPrompt)>,
    /// Page the arrange view along with the playhead while playing.
    pub follow_playhead: bool,
    /// The keyboard shortcuts window is open.
    pub show_shortcuts: bool,
    /// The Messages window is open.
    pub show_messages: bool,
    /// Width of the timeline as last drawn, px.
    pub timeline_width: f32,
    /// The Bounce window is open.
    pub bounce_window: bool,
    /// The Bounce window's choices (kept for the next bounce).
    pub bounce_options: BounceOptions,
    /// The last bounce's report is shown.
    pub show_bounce_report: bool,
    /// Strips whose automation lanes are shown (tracks under their clips, buses and the
    /// master at the bottom of the arrange view).
    pub automation_open: HashSet<StripId>,
    /// Selected points of one automation lane (the points themselves, not indices).
    pub lane_selection: Option<(LaneId, Vec<stemdesk_session::Breakpoint>)>,
    /// A drag on an automation lane in progress.
    pub lane_drag: Option<LaneDrag>,
    /// The lane (and point, if one was hit) whose context menu is open.
    pub lane_menu: Option<(LaneId, Option<usize>)>,
    /// Automation points copied (times from the first).
    pub lane_clipboard: Vec<stemdesk_session::Breakpoint>,
    /// A raise/lower of selected points in progress: the lane before it and the offset.
    pub lane_offset: Option<(LaneId, stemdesk_session::AutomationLane, f32)>,
    /// Clips and automation points snap to the grid.
    pub snap: bool,
    /// The grid's step.
    pub grid: Grid,
    /// A marker being dragged, and where it would go.
    pub marker_drag: Option<(MarkerId, u64)>,
    /// The marker whose menu is open.
    pub marker_menu: Option<MarkerId>,
}

/// Zoom limits, px per second.
const MIN_PX_PER_S: f32 = 0.5;
const MAX_PX_PER_S: f32 = 4000.0;

impl ViewState {
    /// Zooms the timeline by `factor`, keeping the time at its left edge.
    pub fn zoom_by(&mut self, factor: f32) {
        self.px_per_second = (self.px_per_second * factor).clamp(MIN_PX_PER_S, MAX_PX_PER_S);
    }

    /// Zooms so `length_s` seconds fill the timeline, from the start.
    pub fn zoom_to_fit(&mut self, length_s: f64) {
        let width = self.timeline_width.max(100.0);
        let length_s = length_s.max(1.0) * 1.02;
        self.px_per_second = (width / length_s as f32).clamp(MIN_PX_PER_S, MAX_PX_PER_S);
        self.scroll_s = 0.0;
    }

    /// Seconds of timeline visible.
    pub fn visible_s(&self) -> f64 {
        f64::from(self.timeline_width.max(1.0) / self.px_per_second)
    }

    /// Scrolls so `frames` is visible, a page at a time (as REAPER and Logic page along
    /// with the playhead): when it is off screen it lands near the left edge.
    pub fn reveal_frames(&mut self, frames: u64, rate_hz: u32) {
        let t = frames as f64 / f64::from(rate_hz.max(1));
        let visible = self.visible_s();
        if t < self.scroll_s || t > self.scroll_s + visible * 0.98 {
            self.scroll_s = (t - visible * 0.05).max(0.0);
        }
    }
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            show_arrange: true,
            show_mixer: true,
            px_per_second: 40.0,
            scroll_s: 0.0,
            track_height: 64.0,
            selected_track: None,
            selected_clip: None,
            editor: None,
            preset_name: String::new(),
            confirm: None,
            recovery_offer: None,
            close_confirmed: false,
            clip_drag: None,
            loop_drag: None,
            lanes: Vec::new(),
            timeline_left: 0.0,
            devices: None,
            asking: None,
            path_prompt: None,
            follow_playhead: true,
            show_shortcuts: false,
            show_messages: false,
            timeline_width: 1000.0,
            bounce_window: false,
            bounce_options: BounceOptions::default(),
            show_bounce_report: false,
            automation_open: HashSet::new(),
            lane_selection: None,
            lane_drag: None,
            lane_menu: None,
            lane_clipboard: Vec::new(),
            lane_offset: None,
            snap: false,
            grid: Grid::Beat,
            marker_drag: None,
            marker_menu: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_pages_along_with_the_playhead() {
        let mut v = ViewState {
            timeline_width: 1000.0,
            px_per_second: 100.0,
            ..ViewState::default()
        };
        v.reveal_frames(5 * 48_000, 48_000);
        assert_eq!(v.scroll_s, 0.0, "5 s of 10 visible: no scroll");
        v.reveal_frames(12 * 48_000, 48_000);
        assert!((v.scroll_s - 11.5).abs() < 1e-9, "{}", v.scroll_s);
        v.reveal_frames(0, 48_000);
        assert_eq!(v.scroll_s, 0.0);
    }

    #[test]
    fn zoom_to_fit_shows_the_whole_song() {
        let mut v = ViewState {
            timeline_width: 1000.0,
            scroll_s: 30.0,
            ..ViewState::default()
        };
        v.zoom_to_fit(200.0);
        assert_eq!(v.scroll_s, 0.0);
        assert!(v.visible_s() >= 200.0 && v.visible_s() < 210.0);
    }
}
