//! What the user is looking at: which views, zoom and scroll, the selection, open editors.

use stemdesk_session::{ClipId, InsertId, StripId, TrackId};

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
            confirm: None,
            recovery_offer: None,
            close_confirmed: false,
            clip_drag: None,
            loop_drag: None,
            lanes: Vec::new(),
            timeline_left: 0.0,
            devices: None,
        }
    }
}
