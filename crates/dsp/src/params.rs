//! Plain-data parameter sets for every effect.
//!
//! These are what a session stores (they derive serde) and what the engine hands to a
//! processor's `set_params`. They carry units in their field names. Processors smooth
//! toward new values themselves, so a parameter change never clicks.

use serde::{Deserialize, Serialize};

/// Maximum number of bands in one [`EqParams`].
pub const MAX_EQ_BANDS: usize = 8;

/// The shape of one EQ band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EqBandKind {
    /// Peaking (bell) filter: `gain_db` at `freq_hz`, bandwidth from `q`.
    Peak,
    /// Low shelf (RBJ), `gain_db` below `freq_hz`; `q` is the shelf slope as Q.
    LowShelf,
    /// High shelf (RBJ), `gain_db` above `freq_hz`.
    HighShelf,
    /// High-pass, 12 dB/oct (one biquad with `q`).
    HighPass12,
    /// High-pass, 24 dB/oct (two cascaded biquads, Butterworth Q's scaled by `q`/0.7071).
    HighPass24,
    /// Low-pass, 12 dB/oct.
    LowPass12,
    /// Low-pass, 24 dB/oct.
    LowPass24,
}

/// One EQ band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EqBand {
    /// Whether the band is active; inactive bands cost nothing.
    pub enabled: bool,
    /// Filter shape.
    pub kind: EqBandKind,
    /// Centre / corner frequency in Hz (clamped to 10 Hz .. 0.49 * sample rate).
    pub freq_hz: f32,
    /// Gain in dB for peak and shelf bands (clamped to ±30 dB); ignored by pass filters.
    pub gain_db: f32,
    /// Quality factor (clamped to 0.1 .. 30).
    pub q: f32,
}

/// How the EQ turns its analogue band shapes into digital filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum EqResponse {
    /// Follows the analogue shapes up to 20 kHz (matched poles, fitted numerator), so a
    /// bell or shelf near the top of the band keeps its width; new EQs use it.
    #[default]
    Analog,
    /// The bilinear transform of the RBJ cookbook: exact in the low and mid range,
    /// squeezed toward Nyquist ("cramped"). What EQs saved before the choice existed use.
    Classic,
}

impl EqResponse {
    /// The response of an EQ saved before the choice existed.
    fn saved_before() -> Self {
        EqResponse::Classic
    }
}

/// Parametric EQ settings: up to [`MAX_EQ_BANDS`] bands, processed in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EqParams {
    /// The bands (at most [`MAX_EQ_BANDS`]; extra bands are ignored).
    pub bands: Vec<EqBand>,
    /// How the bands are realised (sessions from before load as [`EqResponse::Classic`],
    /// so they sound as they did).
    #[serde(default = "EqResponse::saved_before")]
    pub response: EqResponse,
}

/// How the compressor measures level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Detection {
    /// Instantaneous peak (max of |L|, |R|) into the attack/release envelope.
    Peak,
    /// Mean square over a short window (~10 ms), then the attack/release envelope.
    Rms,
}

/// Compressor settings (feed-forward, stereo-linked).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CompressorParams {
    /// Threshold in dBFS.
    pub threshold_db: f32,
    /// Ratio (1 = no compression; clamped to 1 .. 100).
    pub ratio: f32,
    /// Soft-knee width in dB (0 = hard knee), quadratic knee as in Giannoulis/Massberg/Reiss.
    pub knee_db: f32,
    /// Attack time constant in ms (time to reach 1 - 1/e of a gain step).
    pub attack_ms: f32,
    /// Release time constant in ms.
    pub release_ms: f32,
    /// Make-up gain in dB.
    pub makeup_db: f32,
    /// Level detection mode.
    pub detection: Detection,
    /// The detector sees the audio this far ahead, so the gain is down before a
    /// transient arrives (the audio is delayed by as much; the graph compensates).
    /// 0 = off. Sessions from before it load with 0.
    #[serde(default)]
    pub lookahead_ms: f32,
    /// High-pass on the detector only (12 dB/oct): the lows stop pumping the gain.
    /// [`crate::param_table::SIDECHAIN_HPF_OFF_HZ`] and below = off.
    #[serde(default = "sidechain_hpf_off")]
    pub sidechain_hpf_hz: f32,
    /// Wet/dry mix 0..1 (parallel compression below 1).
    #[serde(default = "full_mix")]
    pub mix: f32,
}

fn sidechain_hpf_off() -> f32 {
    crate::param_table::SIDECHAIN_HPF_OFF_HZ
}

fn full_mix() -> f32 {
    1.0
}

/// Gate / downward expander settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GateParams {
    /// Opening threshold in dBFS.
    pub threshold_db: f32,
    /// Attenuation when closed, in dB (negative, e.g. -60; clamped to -120 .. 0).
    pub range_db: f32,
    /// Opening time in ms.
    pub attack_ms: f32,
    /// Time the gate stays open after the level falls below the closing threshold, in ms.
    pub hold_ms: f32,
    /// Closing time in ms.
    pub release_ms: f32,
    /// The gate closes at `threshold_db - hysteresis_db` (>= 0).
    pub hysteresis_db: f32,
    /// Key filter high-pass on what the gate listens to (off at 20 Hz). Sessions from
    /// before load with it off.
    #[serde(default = "key_hpf_off")]
    pub key_hpf_hz: f32,
    /// Key filter low-pass on what the gate listens to (off at 20 kHz).
    #[serde(default = "key_lpf_off")]
    pub key_lpf_hz: f32,
}

fn key_hpf_off() -> f32 {
    crate::key_filter::KEY_HPF_OFF_HZ
}

fn key_lpf_off() -> f32 {
    crate::key_filter::KEY_LPF_OFF_HZ
}

/// Algorithmic stereo reverb settings (feedback delay network).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReverbParams {
    /// Pre-delay in ms (0 .. 500).
    pub predelay_ms: f32,
    /// RT60 decay time in seconds (0.1 .. 30).
    pub decay_s: f32,
    /// Room size 0..1 (scales the FDN delay lengths).
    pub size: f32,
    /// High-frequency damping 0..1 (0 = none).
    pub damping: f32,
    /// Stereo width of the wet signal 0..1 (0 = mono wet).
    pub width: f32,
    /// Wet/dry mix 0..1 (1 = 100% wet, as on a send bus).
    pub mix: f32,
}

/// Stereo delay settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DelayParams {
    /// Delay time in ms (0 .. 4000).
    pub time_ms: f32,
    /// Feedback gain 0 .. 0.98 (linear).
    pub feedback: f32,
    /// High-pass cutoff inside the feedback path, Hz.
    pub low_cut_hz: f32,
    /// Low-pass cutoff inside the feedback path, Hz.
    pub high_cut_hz: f32,
    /// Ping-pong: echoes alternate between left and right.
    pub ping_pong: bool,
    /// Wet/dry mix 0..1.
    pub mix: f32,
    /// Tempo sync: a note length at the session's tempo replaces `time_ms`.
    /// Sessions from before it load unsynced.
    #[serde(default)]
    pub sync: DelaySync,
}

/// A delay time as a note length at the session's tempo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum DelaySync {
    /// The time in milliseconds.
    #[default]
    Off,
    /// A half note (two beats).
    Half,
    /// A quarter note (one beat).
    Quarter,
    /// A dotted quarter (1.5 beats).
    DottedQuarter,
    /// An eighth note.
    Eighth,
    /// A dotted eighth (0.75 beat).
    DottedEighth,
    /// An eighth-note triplet (1/3 beat).
    EighthTriplet,
    /// A sixteenth note.
    Sixteenth,
}

impl DelaySync {
    /// Beats (quarter notes) of this note length, `None` when off.
    pub fn beats(self) -> Option<f64> {
        Some(match self {
            DelaySync::Off => return None,
            DelaySync::Half => 2.0,
            DelaySync::Quarter => 1.0,
            DelaySync::DottedQuarter => 1.5,
            DelaySync::Eighth => 0.5,
            DelaySync::DottedEighth => 0.75,
            DelaySync::EighthTriplet => 1.0 / 3.0,
            DelaySync::Sixteenth => 0.25,
        })
    }
}

/// The curve a [`SaturationParams`] drives into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaturationFlavour {
    /// Soft, symmetric (odd harmonics): `x / sqrt(1 + x²)`.
    Tape,
    /// Soft and asymmetric (adds even harmonics, the 2nd strongest).
    Tube,
    /// A harder knee into the ceiling (odd harmonics, brighter when driven).
    Clip,
}

/// Saturation settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SaturationParams {
    /// Which curve.
    pub flavour: SaturationFlavour,
    /// Gain into the curve in dB: quiet signals come out this much louder, loud ones
    /// are bent toward the ceiling.
    pub drive_db: f32,
    /// Tilt after the curve: positive brightens (top up by half, bottom down by half),
    /// negative darkens; pivot 800 Hz.
    pub tone_db: f32,
    /// Wet/dry mix 0..1 (parallel saturation below 1).
    pub mix: f32,
    /// Output gain in dB.
    pub output_db: f32,
}

/// Limiter settings (the lookahead is fixed: [`crate::limiter::LOOKAHEAD_MS`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LimiterParams {
    /// Gain into the limiter in dB: pushes the level up against the ceiling.
    pub gain_db: f32,
    /// The highest true peak (4x interpolated) that leaves the limiter, dBTP.
    pub ceiling_db: f32,
    /// Time constant of the gain's recovery after a peak, ms.
    pub release_ms: f32,
}

/// An insert effect with its parameters; what a session stores in an insert slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EffectParams {
    /// Parametric EQ.
    Eq(EqParams),
    /// Compressor.
    Compressor(CompressorParams),
    /// Gate / expander.
    Gate(GateParams),
    /// Reverb.
    Reverb(ReverbParams),
    /// Delay.
    Delay(DelayParams),
    /// Saturation.
    Saturation(SaturationParams),
    /// True-peak limiter (for buses).
    Limiter(LimiterParams),
}
