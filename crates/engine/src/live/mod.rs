//! Live playback: the audio-thread side ([`Player`]) and the control side ([`EngineHandle`]),
//! joined by lock-free single-producer/single-consumer queues.
//!
//! Commands flow to the audio thread; graphs and boxed parameters that the audio thread is
//! done with flow back (so nothing is freed there); meters and transport state are published
//! through atomics. A disk thread (`disk`) keeps the chunks of the sources near the
//! playhead in the player's graph. The [`Player`] knows nothing about devices: the `device` crate calls
//! [`Player::process_interleaved`] from its callback, and tests can drive it directly.

mod command;
mod disk;
mod handle;
mod meters;
mod player;
mod status;
mod sync;

/// Frames a live graph renders per pass (callbacks of any size are cut into these); the
/// command line's `play` and the GUI compile their graphs with it.
pub const LIVE_BLOCK_FRAMES: usize = 512;

pub use command::{Command, Event, LiveParam, ParamTarget};
pub use disk::DEFAULT_READ_AHEAD_S;
pub use handle::{EngineHandle, QueueFull, engine};
pub use meters::{MeterBank, MeterReading, StripMeter};
pub use player::{CROSSFADE_MS, DECLICK_MS, DISK_WAIT_MS, Player};
pub use status::Status;
pub use sync::{ParamUpdate, SyncPlan, plan_changes, plan_sync};
