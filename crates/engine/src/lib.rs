//! The Stemdesk engine: compiles a session into a render graph and renders it.
//!
//! One renderer ([`Graph::render`]) serves live playback and offline bounce; its output is
//! independent of the block size it is driven with. Sources are read a chunk at a time
//! (see [`DiskMode`]): offline the graph loads what each block needs, live a disk thread
//! keeps chunks ahead of the playhead and the graph never allocates.

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
mod writer_thread;

pub use bounce::{BounceRange, BounceStats, bounce};
pub use graph::chunks::{CHUNK_FRAMES, Chunk, DiskMode};
pub use graph::{CONTROL_FRAMES, DiskPlan, Graph, Threads, compile};
pub use live::{EngineHandle, Player, engine};
pub use render::{
    Flow, MixTarget, Normalize, RenderError, RenderEvent, RenderReport, RenderRequest,
    RenderWarning, render,
};
pub use solo::solo_muted;
pub use sources::{
    QuickOpen, SourceAudio, SourceKey, SourceMap, SourceProblem, load_sources, open_sources,
    open_sources_in_place, source_groups,
};
