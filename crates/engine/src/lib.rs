//! The Stemdesk engine: compiles a session into a render graph and renders it.
//!
//! One renderer ([`Graph::render`]) serves live playback and offline bounce; its output is
//! independent of the block size it is driven with, and it never allocates.

pub mod analysis;
mod bounce;
mod graph;
mod idle;
pub mod live;
pub mod preflight;
pub mod render;
mod solo;
mod sources;
pub mod stems;
pub mod util;

pub use bounce::{BounceRange, BounceStats, bounce};
pub use graph::{CONTROL_FRAMES, Graph, Threads, compile};
pub use live::{EngineHandle, Player, engine};
pub use render::{
    Flow, MixTarget, Normalize, RenderError, RenderEvent, RenderReport, RenderRequest,
    RenderWarning, render,
};
pub use solo::solo_muted;
pub use sources::{SourceAudio, SourceMap, SourceProblem, load_sources};
