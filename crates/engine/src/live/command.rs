//! What travels between the control thread and the audio thread.

use stemdesk_dsp::EffectParams;
use stemdesk_session::{InsertId, SendId, StripId};

use crate::graph::Graph;

/// A strip parameter that changes without rebuilding the graph (the fast path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveParam {
    /// Fader gain in dB (ramped).
    GainDb,
    /// Pan -1..1 (ramped).
    Pan,
    /// Stereo width 0..2 (ramped).
    Width,
    /// Effective mute (own mute or silenced by another strip's solo): value >= 0.5 mutes
    /// (ramped, so it never clicks).
    Muted,
    /// Whether another strip's solo silences this one (value >= 0.5): kept apart from
    /// the effective mute so a mute lane never unmutes a strip solo silences.
    SoloSilenced,
    /// Level of one send in dB (ramped).
    SendLevelDb(SendId),
    /// Bypass of one insert: value >= 0.5 bypasses.
    InsertBypass(stemdesk_session::InsertId),
}

/// A parameter addressed by stable IDs, never by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamTarget {
    /// The strip.
    pub strip: StripId,
    /// The parameter on it.
    pub param: LiveParam,
}

/// A request to the audio thread. Applied at the start of the next block, in order.
pub enum Command {
    /// Start (or resume) playback at the current position.
    Play,
    /// Stop advancing, keep the position (with a short fade-out).
    Pause,
    /// Stop, return to where playback last started, clear effect tails.
    Stop,
    /// Jump to a timeline frame (faded out and in while playing).
    Seek(u64),
    /// Loop `[start, end)` when enabled; `end <= start` disables looping.
    SetLoop {
        /// Whether the loop is active.
        enabled: bool,
        /// First frame of the loop.
        start_frames: u64,
        /// End frame (exclusive).
        end_frames: u64,
    },
    /// Set a strip parameter.
    Param {
        /// Which parameter.
        target: ParamTarget,
        /// The new value, in the parameter's unit.
        value: f32,
    },
    /// New settings for an insert of the same kind. The box comes back to be freed.
    InsertParams {
        /// The strip holding the insert.
        strip: StripId,
        /// The insert.
        insert: InsertId,
        /// Its new settings.
        params: Box<EffectParams>,
    },
    /// Stop or resume playing an automation lane (a control is writing it).
    SuspendLane {
        /// The strip the lane drives.
        strip: StripId,
        /// The lane.
        lane: stemdesk_session::LaneId,
        /// Whether the lane is silenced.
        suspended: bool,
    },
    /// Record what enters and leaves this insert (an EQ) for an analyser, or nothing.
    /// Kept across graph swaps.
    Tap(Option<(StripId, InsertId)>),
    /// Replace the whole graph at a block boundary with a short crossfade. The old graph
    /// comes back to be dropped off the audio thread.
    SwapGraph(Box<Graph>),
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::SwapGraph(_) => f.write_str("SwapGraph(..)"),
            Command::Tap(target) => write!(f, "Tap({target:?})"),
            Command::Play => f.write_str("Play"),
            Command::Pause => f.write_str("Pause"),
            Command::Stop => f.write_str("Stop"),
            Command::Seek(p) => write!(f, "Seek({p})"),
            Command::SetLoop {
                enabled,
                start_frames,
                end_frames,
            } => write!(f, "SetLoop({enabled}, {start_frames}..{end_frames})"),
            Command::Param { target, value } => write!(f, "Param({target:?}, {value})"),
            Command::InsertParams { strip, insert, .. } => {
                write!(f, "InsertParams({strip:?}, {insert:?})")
            }
            Command::SuspendLane {
                strip,
                lane,
                suspended,
            } => write!(f, "SuspendLane({strip:?}, {lane:?}, {suspended})"),
        }
    }
}

/// Something the audio thread reports. Plain data: creating one never allocates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// Command number `seq` (counted from 0 per engine, in send order) took effect at the
    /// start of the block beginning at timeline frame `at_frames`.
    Applied {
        /// Sequence number returned when the command was sent.
        seq: u64,
        /// Timeline position of the block it landed in.
        at_frames: u64,
    },
    /// A parameter or insert update named something the current graph does not have.
    UnknownTarget {
        /// Sequence number of the command.
        seq: u64,
    },
}

/// Things the audio thread is done with, sent back to be freed elsewhere.
pub(crate) enum Garbage {
    Graph(#[allow(dead_code)] Box<Graph>),
    Params(#[allow(dead_code)] Box<EffectParams>),
}
