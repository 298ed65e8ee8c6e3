//! The saved state of a mix. Nothing here is derived or cached: what is in these structs is
//! exactly what is written to disk.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use stemdesk_dsp::params::EffectParams;

use crate::automation::AutomationLane;
use crate::delivery::DeliverySpec;
use crate::ids::{BusId, ClipId, InsertId, Output, SendId, StripId, TrackId};

/// The format version this build writes. Older versions are migrated on load.
pub const FORMAT_VERSION: u32 = 1;

/// Gain at or below this many dB is treated as silence (-inf); the highest fader, send
/// or clip gain a session may hold. Declared by the DSP's strip parameter table.
pub use stemdesk_dsp::{MAX_GAIN_DB, SILENCE_DB};
/// The longest session, seconds (24 hours): positions and lengths beyond are invalid.
pub const MAX_SESSION_S: u64 = 24 * 3600;

/// An sRGB colour used to tell tracks apart in every view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Color(pub u8, pub u8, pub u8);

impl Default for Color {
    fn default() -> Self {
        Color(0x6c, 0x8e, 0xbf)
    }
}

/// A whole mix: what a `.ron` session file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// On-disk format version (see [`FORMAT_VERSION`]).
    pub format_version: u32,
    /// The rate everything is rendered at; media at other rates are resampled to it.
    pub sample_rate_hz: u32,
    /// The next free ID number; IDs of every kind are drawn from this one counter.
    pub next_id: u32,
    /// Tracks, in display order.
    pub tracks: Vec<Track>,
    /// Buses, in display order (processing order is derived from routing).
    pub buses: Vec<Bus>,
    /// The master strip.
    pub master: Master,
    /// Automation lanes, each targeting one parameter by stable ID.
    #[serde(default)]
    pub automation: Vec<AutomationLane>,
    /// What a bounce of this mix must meet (written only when not the default).
    #[serde(default, skip_serializing_if = "DeliverySpec::is_default")]
    pub delivery: DeliverySpec,
    /// Tempo, time signature and markers (written only when not the default).
    #[serde(default, skip_serializing_if = "crate::timeline::Timeline::is_default")]
    pub timeline: crate::timeline::Timeline,
    /// Strips whose automation mode is not Read.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub automation_modes: std::collections::BTreeMap<StripId, crate::automation::AutomationMode>,
}

/// A track: clips on a timeline feeding a channel strip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// Stable ID.
    pub id: TrackId,
    /// Display name.
    pub name: String,
    /// Colour in every view.
    #[serde(default)]
    pub color: Color,
    /// Clips, in any order (they may not overlap in time; later ones win if they do).
    #[serde(default)]
    pub clips: Vec<Clip>,
    /// The channel strip.
    #[serde(default)]
    pub strip: Strip,
}

/// A bus: a strip fed by track outputs and sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bus {
    /// Stable ID.
    pub id: BusId,
    /// Display name.
    pub name: String,
    /// Colour in every view.
    #[serde(default)]
    pub color: Color,
    /// A solo-safe bus is never muted by another strip's solo (typical for reverb returns).
    #[serde(default)]
    pub solo_safe: bool,
    /// The channel strip.
    #[serde(default)]
    pub strip: Strip,
}

/// The master strip: the sum of everything, written to the bounce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Master {
    /// Fader in dB.
    pub gain_db: f32,
    /// Balance, -1 (left) .. 1 (right).
    #[serde(default)]
    pub pan: f32,
    /// Mute.
    #[serde(default)]
    pub mute: bool,
    /// Polarity (phase) invert.
    #[serde(default)]
    pub polarity_invert: bool,
    /// Insert effects, in processing order.
    #[serde(default)]
    pub inserts: Vec<Insert>,
}

impl Master {
    /// The master's settings as a [`Strip`] (no sends, output unused): lets code that
    /// walks every strip treat the master like the others.
    pub fn as_strip(&self) -> Strip {
        Strip {
            gain_db: self.gain_db,
            pan: self.pan,
            mute: self.mute,
            polarity_invert: self.polarity_invert,
            inserts: self.inserts.clone(),
            ..Strip::default()
        }
    }
}

impl Default for Master {
    fn default() -> Self {
        Master {
            gain_db: 0.0,
            pan: 0.0,
            mute: false,
            polarity_invert: false,
            inserts: Vec::new(),
        }
    }
}

/// A track's or bus's channel strip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strip {
    /// Fader in dB ([`SILENCE_DB`] or below = -inf).
    pub gain_db: f32,
    /// Pan -1 (left) .. 1 (right): constant-power for mono tracks, balance for stereo.
    #[serde(default)]
    pub pan: f32,
    /// Stereo width 0..2 (1 = unchanged); ignored for mono tracks.
    #[serde(default = "one")]
    pub width: f32,
    /// Mute (silences the strip and its sends).
    #[serde(default)]
    pub mute: bool,
    /// Solo (in-place).
    #[serde(default)]
    pub solo: bool,
    /// Polarity (phase) invert, applied before the inserts.
    #[serde(default)]
    pub polarity_invert: bool,
    /// Insert effects, in processing order.
    #[serde(default)]
    pub inserts: Vec<Insert>,
    /// Sends to buses.
    #[serde(default)]
    pub sends: Vec<Send>,
    /// Where the strip's output goes.
    #[serde(default)]
    pub output: Output,
}

fn one() -> f32 {
    1.0
}

impl Default for Strip {
    fn default() -> Self {
        Strip {
            gain_db: 0.0,
            pan: 0.0,
            width: 1.0,
            mute: false,
            solo: false,
            polarity_invert: false,
            inserts: Vec::new(),
            sends: Vec::new(),
            output: Output::Master,
        }
    }
}

/// One insert slot: an effect and its bypass switch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insert {
    /// Stable ID (automation and the GUI refer to it).
    pub id: InsertId,
    /// Bypassed inserts pass audio through untouched.
    #[serde(default)]
    pub bypass: bool,
    /// The effect and its parameters.
    pub effect: EffectParams,
    /// The strip a compressor or gate listens to instead of its own input (a sidechain):
    /// that strip's signal after its inserts, before its mute and fader, so a muted "ghost"
    /// kick still keys and soloing the keyed track still shows the ducking. `None`: the
    /// insert's own input. Other effects ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sidechain: Option<StripId>,
}

impl Insert {
    /// An enabled insert listening to its own input.
    pub fn new(id: InsertId, effect: EffectParams) -> Self {
        Self {
            id,
            bypass: false,
            effect,
            sidechain: None,
        }
    }
}

/// A send from a strip to a bus.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Send {
    /// Stable ID.
    pub id: SendId,
    /// The bus fed.
    pub target: BusId,
    /// Send level in dB.
    pub level_db: f32,
    /// Pre-fader sends tap the signal after the inserts, before fader and pan.
    #[serde(default)]
    pub pre_fader: bool,
}

/// A region of a source file placed on a track's timeline. All times are in frames at the
/// session's sample rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    /// Stable ID.
    pub id: ClipId,
    /// Source file, relative to the session file's folder (or absolute).
    pub source: PathBuf,
    /// Where the clip starts on the timeline.
    pub position_frames: u64,
    /// Where in the source the clip starts.
    #[serde(default)]
    pub offset_frames: u64,
    /// How long the clip is.
    pub length_frames: u64,
    /// Clip gain in dB.
    #[serde(default)]
    pub gain_db: f32,
    /// Fade at the clip start.
    #[serde(default)]
    pub fade_in: Fade,
    /// Fade at the clip end.
    #[serde(default)]
    pub fade_out: Fade,
}

impl Clip {
    /// The first timeline frame after the clip.
    pub fn end_frames(&self) -> u64 {
        self.position_frames.saturating_add(self.length_frames)
    }
}

/// A fade's length and curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Fade {
    /// Length in frames (0 = no fade).
    pub length_frames: u64,
    /// Curve shape.
    pub shape: FadeShape,
}

/// The curve of a fade, as offered by most DAWs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum FadeShape {
    /// Linear in amplitude.
    Linear,
    /// Constant power (sine quarter): crossfades keep loudness.
    #[default]
    EqualPower,
    /// Smooth S-curve (raised cosine).
    SCurve,
    /// Exponential (fast start for fade-outs, slow start for fade-ins).
    Exponential,
}

impl FadeShape {
    /// Gain of a fade-in at `x` in 0..=1 (0 = start of fade, 1 = fully open).
    pub fn fade_in_gain(self, x: f32) -> f32 {
        let x = x.clamp(0.0, 1.0);
        match self {
            FadeShape::Linear => x,
            FadeShape::EqualPower => (x * std::f32::consts::FRAC_PI_2).sin(),
            FadeShape::SCurve => 0.5 - 0.5 * (x * std::f32::consts::PI).cos(),
            FadeShape::Exponential => x * x * x,
        }
    }
}

impl Session {
    /// Every track's and bus's strip with its ID, tracks first, in session order (the
    /// master, which feeds nothing, is not among them).
    pub fn mixer_strips(&self) -> impl Iterator<Item = (StripId, &Strip)> {
        self.tracks
            .iter()
            .map(|t| (StripId::Track(t.id), &t.strip))
            .chain(self.buses.iter().map(|b| (StripId::Bus(b.id), &b.strip)))
    }

    /// An empty session at `sample_rate_hz`.
    pub fn new(sample_rate_hz: u32) -> Self {
        Session {
            format_version: FORMAT_VERSION,
            sample_rate_hz,
            next_id: 1,
            tracks: Vec::new(),
            buses: Vec::new(),
            master: Master::default(),
            automation: Vec::new(),
            delivery: DeliverySpec::default(),
            automation_modes: Default::default(),
            timeline: Default::default(),
        }
    }

    /// Hands out a fresh ID number (for any kind of ID).
    pub fn alloc_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The track with `id`.
    pub fn track(&self, id: TrackId) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    /// The track with `id`, mutably.
    pub fn track_mut(&mut self, id: TrackId) -> Option<&mut Track> {
        self.tracks.iter_mut().find(|t| t.id == id)
    }

    /// The bus with `id`.
    pub fn bus(&self, id: BusId) -> Option<&Bus> {
        self.buses.iter().find(|b| b.id == id)
    }

    /// The bus with `id`, mutably.
    pub fn bus_mut(&mut self, id: BusId) -> Option<&mut Bus> {
        self.buses.iter_mut().find(|b| b.id == id)
    }

    /// The strip (track or bus) with `id`; `None` for the master, which has its own type.
    pub fn strip(&self, id: StripId) -> Option<&Strip> {
        match id {
            StripId::Track(t) => self.track(t).map(|t| &t.strip),
            StripId::Bus(b) => self.bus(b).map(|b| &b.strip),
            StripId::Master => None,
        }
    }

    /// The strip (track or bus) with `id`, mutably.
    pub fn strip_mut(&mut self, id: StripId) -> Option<&mut Strip> {
        match id {
            StripId::Track(t) => self.track_mut(t).map(|t| &mut t.strip),
            StripId::Bus(b) => self.bus_mut(b).map(|b| &mut b.strip),
            StripId::Master => None,
        }
    }

    /// The insert list of any strip, the master's included.
    pub fn inserts_mut(&mut self, id: StripId) -> Option<&mut Vec<Insert>> {
        match id {
            StripId::Master => Some(&mut self.master.inserts),
            other => self.strip_mut(other).map(|s| &mut s.inserts),
        }
    }

    /// The insert list of any strip, the master's included.
    pub fn inserts(&self, id: StripId) -> Option<&Vec<Insert>> {
        match id {
            StripId::Master => Some(&self.master.inserts),
            other => self.strip(other).map(|s| &s.inserts),
        }
    }

    /// The clip with `id`, with the track that holds it.
    pub fn clip(&self, id: ClipId) -> Option<(&Track, &Clip)> {
        self.clips().find(|(_, c)| c.id == id)
    }

    /// A human-readable name for a strip, for messages.
    pub fn strip_name(&self, id: StripId) -> String {
        match id {
            StripId::Track(t) => self
                .track(t)
                .map_or_else(|| t.to_string(), |t| format!("track \"{}\"", t.name)),
            StripId::Bus(b) => self
                .bus(b)
                .map_or_else(|| b.to_string(), |b| format!("bus \"{}\"", b.name)),
            StripId::Master => "the master".to_owned(),
        }
    }

    /// The last frame any clip plays (the end of the song, before effect tails).
    pub fn content_end_frames(&self) -> u64 {
        self.tracks
            .iter()
            .flat_map(|t| t.clips.iter())
            .map(Clip::end_frames)
            .max()
            .unwrap_or(0)
    }

    /// Every clip with the track that holds it.
    pub fn clips(&self) -> impl Iterator<Item = (&Track, &Clip)> {
        self.tracks
            .iter()
            .flat_map(|t| t.clips.iter().map(move |c| (t, c)))
    }
}
