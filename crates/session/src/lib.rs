//! The Stemdesk session model: tracks, buses, the master, clips, sends, inserts and
//! automation lanes; edits with undo; RON load/save with a format version.
//!
//! Everything is addressed by stable IDs. Loading validates the whole session, so the
//! engine can trust what it is given.

pub mod automation;
pub mod delivery;
pub mod edit;
pub mod file;
pub mod history;
pub mod ids;
pub mod model;
pub mod record;
pub mod revert;
pub mod timeline;
pub mod validate;

pub use automation::{
    AutomationLane, AutomationMode, Breakpoint, CurveShape, ParamId, StripParam, thin,
};
pub use delivery::DeliverySpec;
pub use edit::{Edit, EditError};
pub use file::{
    LoadedSession, OfflineClip, SessionError, load, normalize_path, parse, parse_reporting_unknown,
    relative_to, resolve_media, save,
};
pub use history::{Change, Gesture, History, MAX_HISTORY_BYTES, MAX_UNDO_STEPS};
pub use ids::{BusId, ClipId, InsertId, LaneId, MarkerId, Output, SendId, StripId, TrackId};
pub use model::{
    Bus, Clip, Color, Fade, FadeShape, Insert, MAX_SESSION_S, Master, Send, Session, Strip, Track,
};
pub use revert::Revert;
pub use timeline::{Grid, Marker, Timeline};
pub use validate::{ValidationError, validate};
