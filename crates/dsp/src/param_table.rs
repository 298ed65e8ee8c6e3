//! The parameter tables: every effect parameter declared once.
//!
//! Each parameter has a stable key (its identity on disk and in automation lanes, like a
//! plug-in parameter ID), a display name, a unit, a range, a default, a smoothing time and
//! whether it can be automated. The desk's editors, session validation, the processors'
//! clamping, the live parameter path and automation all read these tables, so a range is
//! written in exactly one place.
//!
//! Every parameter is carried as an `f32` value through the tables: switches are 0 or 1,
//! choices the index of the option.

use crate::params::{
    CompressorParams, DelayParams, DelaySync, Detection, EffectParams, EqBand, EqBandKind,
    EqParams, EqResponse, GateParams, LimiterParams, MAX_EQ_BANDS, ReverbParams, SaturationFlavour,
    SaturationParams,
};
use crate::util::clamp_param;

/// What a parameter's number means, for display and typed input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Decibels.
    Decibel,
    /// Milliseconds.
    Millisecond,
    /// Seconds.
    Second,
    /// Hertz (shown in kHz from 1000 up).
    Hertz,
    /// A compression ratio, shown as `4.0:1`.
    Ratio,
    /// A fraction 0..1, shown in per cent.
    Fraction,
    /// A plain number (a filter Q).
    Plain,
    /// Pan position -1..1, shown as L/C/R.
    Pan,
    /// On or off (0 or 1).
    Switch,
    /// One of several options (the value is the option's index).
    Choice(&'static [&'static str]),
}

/// How a control moves through the range: log for times, frequencies and ratios, where
/// equal steps should be equal ratios.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taper {
    /// Equal steps are equal differences.
    Linear,
    /// Equal steps are equal ratios (the range must be positive).
    Log,
}

/// One parameter's declaration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// Stable key: never changes once released (sessions and automation refer to it).
    pub key: &'static str,
    /// Name shown to the user.
    pub name: &'static str,
    /// What the number means.
    pub unit: Unit,
    /// Lowest value a session may hold.
    pub min: f32,
    /// Highest value a session may hold.
    pub max: f32,
    /// The value a new effect starts with (and what NaN is replaced by).
    pub default: f32,
    /// How a control moves through the range.
    pub taper: Taper,
    /// Time the processor glides to a new value over, ms (0: a new value takes effect at
    /// once, which the processor makes click-free by its own means, e.g. envelopes).
    pub smoothing_ms: f32,
    /// Whether an automation lane may drive it (switches and choices may not).
    pub automatable: bool,
}

impl ParamSpec {
    /// A continuous, automatable parameter with a linear taper and no smoothing.
    pub const fn new(
        key: &'static str,
        name: &'static str,
        unit: Unit,
        min: f32,
        max: f32,
        default: f32,
    ) -> Self {
        let automatable = !matches!(unit, Unit::Switch | Unit::Choice(_));
        ParamSpec {
            key,
            name,
            unit,
            min,
            max,
            default,
            taper: Taper::Linear,
            smoothing_ms: 0.0,
            automatable,
        }
    }

    /// An on/off switch.
    pub const fn switch(key: &'static str, name: &'static str, default: bool) -> Self {
        Self::new(
            key,
            name,
            Unit::Switch,
            0.0,
            1.0,
            if default { 1.0 } else { 0.0 },
        )
    }

    /// A choice among `options`.
    pub const fn choice(
        key: &'static str,
        name: &'static str,
        options: &'static [&'static str],
        default: usize,
    ) -> Self {
        Self::new(
            key,
            name,
            Unit::Choice(options),
            0.0,
            (options.len() - 1) as f32,
            default as f32,
        )
    }

    /// The same parameter with a log taper.
    pub const fn log(mut self) -> Self {
        self.taper = Taper::Log;
        self
    }

    /// The same parameter, glided over `ms` by the processor.
    pub const fn smoothed(mut self, ms: f32) -> Self {
        self.smoothing_ms = ms;
        self
    }

    /// Whether `value` is one a session may hold (NaN is not).
    pub fn contains(&self, value: f32) -> bool {
        value >= self.min && value <= self.max
    }

    /// `value` brought into range (NaN becomes the default); switches and choices snap to
    /// a whole option.
    pub fn clamp(&self, value: f32) -> f32 {
        let v = clamp_param(value, self.min, self.max, self.default);
        match self.unit {
            Unit::Switch | Unit::Choice(_) => v.round(),
            _ => v,
        }
    }

    /// The value as the desk shows it, with its unit.
    pub fn format(&self, value: f32) -> String {
        match self.unit {
            Unit::Decibel if value <= crate::pan::SILENCE_DB => "-inf dB".to_string(),
            Unit::Decibel => format!("{value:.1} dB"),
            Unit::Millisecond if value < 10.0 => format!("{value:.2} ms"),
            Unit::Millisecond if value < 100.0 => format!("{value:.1} ms"),
            Unit::Millisecond => format!("{value:.0} ms"),
            Unit::Second => format!("{value:.2} s"),
            Unit::Hertz if value >= 1000.0 => format!("{:.2} kHz", value / 1000.0),
            Unit::Hertz => format!("{value:.0} Hz"),
            Unit::Ratio => format!("{value:.1}:1"),
            Unit::Fraction => format!("{:.0} %", value * 100.0),
            Unit::Plain => format!("{value:.2}"),
            Unit::Pan => pan_text(value),
            Unit::Switch => if value >= 0.5 { "On" } else { "Off" }.to_string(),
            Unit::Choice(options) => options
                .get(value.round().max(0.0) as usize)
                .copied()
                .unwrap_or("?")
                .to_string(),
        }
    }

    /// Reads what a user typed ("-6", "-6 dB", "2.5k", "1.2 kHz", "40 %", "4:1", "L30",
    /// "on", an option's name), clamped into range; `None` when it is not a value.
    pub fn parse(&self, text: &str) -> Option<f32> {
        let t = text.trim().to_ascii_lowercase();
        let value = match self.unit {
            Unit::Switch => match t.as_str() {
                "on" | "1" | "yes" | "true" => 1.0,
                "off" | "0" | "no" | "false" => 0.0,
                _ => return None,
            },
            Unit::Choice(options) => options
                .iter()
                .position(|o| o.eq_ignore_ascii_case(&t))
                .map(|i| i as f32)
                .or_else(|| t.parse::<f32>().ok())?,
            Unit::Pan => parse_pan(&t)?,
            Unit::Decibel if t.trim_end_matches("db").trim() == "-inf" => self.min,
            _ => {
                let (number, suffix) = split_number(&t)?;
                let suffix = suffix.trim();
                match (self.unit, suffix) {
                    (Unit::Hertz, "k" | "khz") => number * 1000.0,
                    (Unit::Second, "ms") => number / 1000.0,
                    (Unit::Millisecond, "s") => number * 1000.0,
                    (Unit::Fraction, _) => number / 100.0,
                    _ => number,
                }
            }
        };
        value.is_finite().then(|| self.clamp(value))
    }

    /// `value`'s position 0..1 along the control's travel (by its taper).
    pub fn to_normalized(&self, value: f32) -> f32 {
        let v = self.clamp(value);
        let x = match self.taper {
            Taper::Log if self.min > 0.0 => (v / self.min).ln() / (self.max / self.min).ln(),
            _ => (v - self.min) / (self.max - self.min),
        };
        x.clamp(0.0, 1.0)
    }

    /// The value at position `x` 0..1 along the control's travel.
    pub fn from_normalized(&self, x: f32) -> f32 {
        let x = x.clamp(0.0, 1.0);
        let v = match self.taper {
            Taper::Log if self.min > 0.0 => self.min * (self.max / self.min).powf(x),
            _ => self.min + x * (self.max - self.min),
        };
        self.clamp(v)
    }
}

fn pan_text(value: f32) -> String {
    let pct = (value * 100.0).round() as i32;
    match pct {
        0 => "C".to_string(),
        p if p < 0 => format!("L{}", -p),
        p => format!("R{p}"),
    }
}

fn parse_pan(t: &str) -> Option<f32> {
    if t == "c" {
        return Some(0.0);
    }
    if let Some(rest) = t.strip_prefix('l') {
        return Some(-rest.trim().parse::<f32>().ok()? / 100.0);
    }
    if let Some(rest) = t.strip_prefix('r') {
        return Some(rest.trim().parse::<f32>().ok()? / 100.0);
    }
    t.parse::<f32>().ok()
}

/// Splits "12.5 ms" into (12.5, " ms"); also "4:1" into (4, ":1").
fn split_number(t: &str) -> Option<(f32, &str)> {
    let end = t
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit() || c == '.' || ((c == '-' || c == '+') && i == 0) || c == 'e')
        })
        .map_or(t.len(), |(i, _)| i);
    let number = t[..end].parse::<f32>().ok()?;
    Some((number, &t[end..]))
}

/// A value carried through a table as `f32` (switches as 0/1, choices as an index).
pub trait ParamValue: Copy {
    /// The value as the table's number.
    fn to_value(self) -> f32;
    /// The value from an in-range table number.
    fn from_value(value: f32) -> Self;
}

impl ParamValue for f32 {
    fn to_value(self) -> f32 {
        self
    }
    fn from_value(value: f32) -> Self {
        value
    }
}

impl ParamValue for bool {
    fn to_value(self) -> f32 {
        if self { 1.0 } else { 0.0 }
    }
    fn from_value(value: f32) -> Self {
        value >= 0.5
    }
}

impl ParamValue for Detection {
    fn to_value(self) -> f32 {
        match self {
            Detection::Peak => 0.0,
            Detection::Rms => 1.0,
        }
    }
    fn from_value(value: f32) -> Self {
        if value >= 0.5 {
            Detection::Rms
        } else {
            Detection::Peak
        }
    }
}

/// Delay sync choices in the order of the `sync` choice.
pub const DELAY_SYNCS: [DelaySync; 8] = [
    DelaySync::Off,
    DelaySync::Half,
    DelaySync::Quarter,
    DelaySync::DottedQuarter,
    DelaySync::Eighth,
    DelaySync::DottedEighth,
    DelaySync::EighthTriplet,
    DelaySync::Sixteenth,
];

impl ParamValue for DelaySync {
    fn to_value(self) -> f32 {
        DELAY_SYNCS.iter().position(|k| *k == self).unwrap_or(0) as f32
    }
    fn from_value(value: f32) -> Self {
        DELAY_SYNCS[(value.round().max(0.0) as usize).min(DELAY_SYNCS.len() - 1)]
    }
}

impl ParamValue for EqResponse {
    fn to_value(self) -> f32 {
        match self {
            EqResponse::Analog => 0.0,
            EqResponse::Classic => 1.0,
        }
    }
    fn from_value(value: f32) -> Self {
        if value >= 0.5 {
            EqResponse::Classic
        } else {
            EqResponse::Analog
        }
    }
}

/// The EQ's one parameter outside its bands: how the bands are realised.
pub const EQ_RESPONSE: ParamSpec =
    ParamSpec::choice("response", "Response", &["Analog", "Classic"], 0);

/// Saturation curves in the order of the `flavour` choice.
pub const SATURATION_FLAVOURS: [SaturationFlavour; 3] = [
    SaturationFlavour::Tape,
    SaturationFlavour::Tube,
    SaturationFlavour::Clip,
];

impl ParamValue for SaturationFlavour {
    fn to_value(self) -> f32 {
        SATURATION_FLAVOURS
            .iter()
            .position(|k| *k == self)
            .unwrap_or(0) as f32
    }
    fn from_value(value: f32) -> Self {
        SATURATION_FLAVOURS[(value.round().max(0.0) as usize).min(SATURATION_FLAVOURS.len() - 1)]
    }
}

/// EQ band shapes in the order of the band's `kind` choice.
pub const EQ_BAND_KINDS: [EqBandKind; 7] = [
    EqBandKind::Peak,
    EqBandKind::LowShelf,
    EqBandKind::HighShelf,
    EqBandKind::HighPass12,
    EqBandKind::HighPass24,
    EqBandKind::LowPass12,
    EqBandKind::LowPass24,
];

impl ParamValue for EqBandKind {
    fn to_value(self) -> f32 {
        EQ_BAND_KINDS.iter().position(|k| *k == self).unwrap_or(0) as f32
    }
    fn from_value(value: f32) -> Self {
        EQ_BAND_KINDS[(value.round().max(0.0) as usize).min(EQ_BAND_KINDS.len() - 1)]
    }
}

/// Declares a parameter struct's table: each field with its [`ParamSpec`], once. Generates
/// `SPECS`, `get`, `set`, `clamped` and `from_defaults`.
macro_rules! param_table {
    ($ty:ident { $($field:ident: $spec:expr,)* }) => {
        impl $ty {
            /// Every parameter of this effect, in display order.
            pub const SPECS: &'static [ParamSpec] = &[$($spec,)*];

            /// The parameter with `key`, as a number (see [`ParamValue`]).
            pub fn get(&self, key: &str) -> Option<f32> {
                let mut i = 0;
                $(
                    if Self::SPECS[i].key == key {
                        return Some(ParamValue::to_value(self.$field));
                    }
                    i += 1;
                )*
                let _ = i;
                None
            }

            /// Sets the parameter with `key` to `value` brought into range; returns the
            /// value stored, or `None` for an unknown key.
            pub fn set(&mut self, key: &str, value: f32) -> Option<f32> {
                let mut i = 0;
                $(
                    if Self::SPECS[i].key == key {
                        let v = Self::SPECS[i].clamp(value);
                        self.$field = ParamValue::from_value(v);
                        return Some(v);
                    }
                    i += 1;
                )*
                let _ = i;
                None
            }

            /// A copy with every parameter in range (NaN replaced by the default): what
            /// the processor runs with.
            pub fn clamped(&self) -> Self {
                let mut out = *self;
                for spec in Self::SPECS {
                    if let Some(v) = self.get(spec.key) {
                        out.set(spec.key, v);
                    }
                }
                out
            }

            /// Every parameter at its table default.
            pub fn from_defaults() -> Self {
                let mut i = 0;
                let out = Self {
                    $(
                        $field: {
                            let v = ParamValue::from_value(Self::SPECS[i].default);
                            i += 1;
                            v
                        },
                    )*
                };
                let _ = i;
                out
            }
        }
    };
}

const DETECTION: &[&str] = &["Peak", "RMS"];

/// At or below this the compressor's sidechain high-pass is off.
pub const SIDECHAIN_HPF_OFF_HZ: f32 = 20.0;
/// Names of the EQ band shapes, in the order of [`EQ_BAND_KINDS`].
pub const EQ_KIND_NAMES: &[&str] = &[
    "Peak",
    "Low shelf",
    "High shelf",
    "High-pass 12",
    "High-pass 24",
    "Low-pass 12",
    "Low-pass 24",
];

param_table!(CompressorParams {
    threshold_db: ParamSpec::new(
        "threshold_db",
        "Threshold",
        Unit::Decibel,
        -90.0,
        0.0,
        -18.0
    ),
    ratio: ParamSpec::new("ratio", "Ratio", Unit::Ratio, 1.0, 100.0, 3.0).log(),
    knee_db: ParamSpec::new("knee_db", "Knee", Unit::Decibel, 0.0, 24.0, 6.0),
    attack_ms: ParamSpec::new("attack_ms", "Attack", Unit::Millisecond, 0.01, 1000.0, 10.0).log(),
    release_ms: ParamSpec::new(
        "release_ms",
        "Release",
        Unit::Millisecond,
        1.0,
        5000.0,
        120.0
    )
    .log(),
    makeup_db: ParamSpec::new("makeup_db", "Makeup", Unit::Decibel, -24.0, 24.0, 0.0)
        .smoothed(crate::compressor::MAKEUP_SMOOTH_MS),
    detection: ParamSpec::choice("detection", "Detection", DETECTION, 0),
    // Not automatable: a new lookahead is a new latency, which recompiles the graph.
    lookahead_ms: ParamSpec {
        automatable: false,
        ..ParamSpec::new(
            "lookahead_ms",
            "Lookahead",
            Unit::Millisecond,
            0.0,
            crate::compressor::MAX_LOOKAHEAD_MS,
            0.0,
        )
    },
    sidechain_hpf_hz: ParamSpec::new(
        "sidechain_hpf_hz",
        "SC high-pass",
        Unit::Hertz,
        SIDECHAIN_HPF_OFF_HZ,
        500.0,
        SIDECHAIN_HPF_OFF_HZ
    )
    .log(),
    mix: ParamSpec::new("mix", "Mix", Unit::Fraction, 0.0, 1.0, 1.0)
        .smoothed(crate::compressor::MAKEUP_SMOOTH_MS),
});

param_table!(GateParams {
    threshold_db: ParamSpec::new(
        "threshold_db",
        "Threshold",
        Unit::Decibel,
        -120.0,
        0.0,
        -50.0
    ),
    range_db: ParamSpec::new("range_db", "Range", Unit::Decibel, -120.0, 0.0, -40.0),
    attack_ms: ParamSpec::new("attack_ms", "Attack", Unit::Millisecond, 0.0, 1000.0, 1.0),
    hold_ms: ParamSpec::new("hold_ms", "Hold", Unit::Millisecond, 0.0, 5000.0, 50.0),
    release_ms: ParamSpec::new(
        "release_ms",
        "Release",
        Unit::Millisecond,
        0.0,
        5000.0,
        150.0
    ),
    hysteresis_db: ParamSpec::new("hysteresis_db", "Hysteresis", Unit::Decibel, 0.0, 24.0, 3.0),
    key_hpf_hz: ParamSpec::new(
        "key_hpf_hz",
        "Key high-pass",
        Unit::Hertz,
        crate::key_filter::KEY_HPF_OFF_HZ,
        2000.0,
        crate::key_filter::KEY_HPF_OFF_HZ
    )
    .log(),
    key_lpf_hz: ParamSpec::new(
        "key_lpf_hz",
        "Key low-pass",
        Unit::Hertz,
        200.0,
        crate::key_filter::KEY_LPF_OFF_HZ,
        crate::key_filter::KEY_LPF_OFF_HZ
    )
    .log(),
});

param_table!(ReverbParams {
    predelay_ms: ParamSpec::new(
        "predelay_ms",
        "Pre-delay",
        Unit::Millisecond,
        0.0,
        crate::reverb::MAX_PREDELAY_MS,
        10.0
    ),
    decay_s: ParamSpec::new("decay_s", "Decay", Unit::Second, 0.1, 30.0, 2.0).log(),
    size: ParamSpec::new("size", "Size", Unit::Fraction, 0.0, 1.0, 0.7),
    damping: ParamSpec::new("damping", "Damping", Unit::Fraction, 0.0, 1.0, 0.4),
    width: ParamSpec::new("width", "Width", Unit::Fraction, 0.0, 1.0, 1.0)
        .smoothed(crate::reverb::SMOOTH_MS),
    mix: ParamSpec::new("mix", "Mix", Unit::Fraction, 0.0, 1.0, 1.0)
        .smoothed(crate::reverb::SMOOTH_MS),
});

param_table!(DelayParams {
    time_ms: ParamSpec::new(
        "time_ms",
        "Time",
        Unit::Millisecond,
        0.0,
        crate::delay::MAX_DELAY_MS,
        375.0
    )
    .smoothed(crate::delay::TIME_SMOOTH_MS),
    feedback: ParamSpec::new("feedback", "Feedback", Unit::Fraction, 0.0, 0.98, 0.35)
        .smoothed(crate::delay::SMOOTH_MS),
    low_cut_hz: ParamSpec::new(
        "low_cut_hz",
        "Low cut",
        Unit::Hertz,
        crate::delay::LOW_CUT_OFF_HZ,
        crate::delay::HIGH_CUT_OFF_HZ,
        100.0
    )
    .log(),
    high_cut_hz: ParamSpec::new(
        "high_cut_hz",
        "High cut",
        Unit::Hertz,
        crate::delay::LOW_CUT_OFF_HZ,
        crate::delay::HIGH_CUT_OFF_HZ,
        8000.0
    )
    .log(),
    ping_pong: ParamSpec::switch("ping_pong", "Ping-pong", false),
    mix: ParamSpec::new("mix", "Mix", Unit::Fraction, 0.0, 1.0, 1.0)
        .smoothed(crate::delay::SMOOTH_MS),
    sync: ParamSpec::choice(
        "sync",
        "Sync",
        &["Off", "1/2", "1/4", "1/4.", "1/8", "1/8.", "1/8T", "1/16"],
        0
    ),
});

param_table!(EqBand {
    enabled: ParamSpec::switch("enabled", "On", true),
    kind: ParamSpec::choice("kind", "Type", EQ_KIND_NAMES, 0),
    freq_hz: ParamSpec::new("freq_hz", "Frequency", Unit::Hertz, 10.0, 40_000.0, 1000.0)
        .log()
        .smoothed(crate::eq::SMOOTH_MS),
    gain_db: ParamSpec::new("gain_db", "Gain", Unit::Decibel, -30.0, 30.0, 0.0)
        .smoothed(crate::eq::SMOOTH_MS),
    q: ParamSpec::new(
        "q",
        "Q",
        Unit::Plain,
        0.1,
        30.0,
        std::f32::consts::FRAC_1_SQRT_2
    )
    .log()
    .smoothed(crate::eq::SMOOTH_MS),
});

param_table!(SaturationParams {
    flavour: ParamSpec::choice("flavour", "Flavour", &["Tape", "Tube", "Clip"], 0),
    drive_db: ParamSpec::new("drive_db", "Drive", Unit::Decibel, 0.0, 36.0, 6.0)
        .smoothed(crate::saturation::SMOOTH_MS),
    tone_db: ParamSpec::new("tone_db", "Tone", Unit::Decibel, -12.0, 12.0, 0.0)
        .smoothed(crate::saturation::SMOOTH_MS),
    mix: ParamSpec::new("mix", "Mix", Unit::Fraction, 0.0, 1.0, 1.0)
        .smoothed(crate::saturation::SMOOTH_MS),
    output_db: ParamSpec::new("output_db", "Output", Unit::Decibel, -24.0, 12.0, 0.0)
        .smoothed(crate::saturation::SMOOTH_MS),
});

param_table!(LimiterParams {
    gain_db: ParamSpec::new("gain_db", "Gain", Unit::Decibel, 0.0, 24.0, 0.0)
        .smoothed(crate::limiter::SMOOTH_MS),
    ceiling_db: ParamSpec::new("ceiling_db", "Ceiling", Unit::Decibel, -24.0, 0.0, -1.0)
        .smoothed(crate::limiter::SMOOTH_MS),
    release_ms: ParamSpec::new(
        "release_ms",
        "Release",
        Unit::Millisecond,
        1.0,
        1000.0,
        100.0
    )
    .log(),
});

/// Mix of a reverb or delay inserted on a track rather than a bus (the dry signal stays
/// in the strip, so the effect is mixed in, not 100 % wet).
pub const TRACK_INSERT_MIX: [(EffectKind, f32); 2] =
    [(EffectKind::Reverb, 0.25), (EffectKind::Delay, 0.3)];

/// The bands a new EQ starts with: low shelf, bell, high shelf (table defaults otherwise).
pub const EQ_DEFAULT_BANDS: [(EqBandKind, f32); 3] = [
    (EqBandKind::LowShelf, 100.0),
    (EqBandKind::Peak, 1000.0),
    (EqBandKind::HighShelf, 8000.0),
];

/// The parameters of a channel strip and clip (not an effect, but declared the same way
/// so the desk, validation and automation agree).
pub mod strip {
    use super::{ParamSpec, Unit};
    use crate::pan::{MAX_GAIN_DB, SILENCE_DB};

    /// Fader gain.
    pub const GAIN_DB: ParamSpec = ParamSpec::new(
        "gain_db",
        "Fader",
        Unit::Decibel,
        SILENCE_DB,
        MAX_GAIN_DB,
        0.0,
    );
    /// Pan (balance for stereo sources).
    pub const PAN: ParamSpec = ParamSpec::new("pan", "Pan", Unit::Pan, -1.0, 1.0, 0.0);
    /// Stereo width (1 = unchanged).
    pub const WIDTH: ParamSpec = ParamSpec::new("width", "Width", Unit::Fraction, 0.0, 2.0, 1.0);
    /// Mute, as a lane may drive it (on above 0.5).
    pub const MUTE: ParamSpec = ParamSpec {
        automatable: true,
        ..ParamSpec::switch("mute", "Mute", false)
    };
    /// A send's level.
    pub const SEND_LEVEL_DB: ParamSpec = ParamSpec::new(
        "level_db",
        "Send",
        Unit::Decibel,
        SILENCE_DB,
        MAX_GAIN_DB,
        0.0,
    );
    /// A clip's gain.
    pub const CLIP_GAIN_DB: ParamSpec = ParamSpec::new(
        "gain_db",
        "Clip gain",
        Unit::Decibel,
        SILENCE_DB,
        MAX_GAIN_DB,
        0.0,
    );
}

/// The kinds of insert effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EffectKind {
    /// Parametric EQ.
    Eq,
    /// Compressor.
    Compressor,
    /// Gate / expander.
    Gate,
    /// Reverb.
    Reverb,
    /// Delay.
    Delay,
    /// Saturation.
    Saturation,
    /// True-peak limiter.
    Limiter,
}

impl EffectKind {
    /// Every kind, in the order the desk offers them.
    pub const ALL: [EffectKind; 7] = [
        EffectKind::Eq,
        EffectKind::Compressor,
        EffectKind::Gate,
        EffectKind::Saturation,
        EffectKind::Limiter,
        EffectKind::Reverb,
        EffectKind::Delay,
    ];

    /// Short display name.
    pub fn name(self) -> &'static str {
        match self {
            EffectKind::Eq => "EQ",
            EffectKind::Compressor => "Compressor",
            EffectKind::Gate => "Gate",
            EffectKind::Reverb => "Reverb",
            EffectKind::Delay => "Delay",
            EffectKind::Saturation => "Saturation",
            EffectKind::Limiter => "Limiter",
        }
    }
}

/// Why a parameter could not be addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownParam(pub String);

impl std::fmt::Display for UnknownParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no parameter \"{}\"", self.0)
    }
}

impl std::error::Error for UnknownParam {}

/// Splits an EQ key "band2.gain_db" into (index 1, "gain_db"); bands count from 1.
fn band_key(key: &str) -> Option<(usize, &str)> {
    let rest = key.strip_prefix("band")?;
    let (n, field) = rest.split_once('.')?;
    let n: usize = n.parse().ok()?;
    (1..=MAX_EQ_BANDS).contains(&n).then_some((n - 1, field))
}

impl EffectParams {
    /// Which effect this is.
    pub fn kind(&self) -> EffectKind {
        match self {
            EffectParams::Eq(_) => EffectKind::Eq,
            EffectParams::Compressor(_) => EffectKind::Compressor,
            EffectParams::Gate(_) => EffectKind::Gate,
            EffectParams::Reverb(_) => EffectKind::Reverb,
            EffectParams::Delay(_) => EffectKind::Delay,
            EffectParams::Saturation(_) => EffectKind::Saturation,
            EffectParams::Limiter(_) => EffectKind::Limiter,
        }
    }

    /// A new effect of `kind` with its table defaults; `on_track` mixes reverb and delay
    /// in ([`TRACK_INSERT_MIX`]) instead of running them 100 % wet as on a bus.
    pub fn new_default(kind: EffectKind, on_track: bool) -> EffectParams {
        let mut p = match kind {
            EffectKind::Eq => EffectParams::Eq(EqParams {
                bands: EQ_DEFAULT_BANDS
                    .iter()
                    .map(|&(kind, freq_hz)| EqBand {
                        kind,
                        freq_hz,
                        ..EqBand::from_defaults()
                    })
                    .collect(),
                response: EqResponse::from_value(EQ_RESPONSE.default),
            }),
            EffectKind::Compressor => EffectParams::Compressor(CompressorParams::from_defaults()),
            EffectKind::Gate => EffectParams::Gate(GateParams::from_defaults()),
            EffectKind::Reverb => EffectParams::Reverb(ReverbParams::from_defaults()),
            EffectKind::Delay => EffectParams::Delay(DelayParams::from_defaults()),
            EffectKind::Saturation => EffectParams::Saturation(SaturationParams::from_defaults()),
            EffectKind::Limiter => EffectParams::Limiter(LimiterParams::from_defaults()),
        };
        if on_track && let Some(&(_, mix)) = TRACK_INSERT_MIX.iter().find(|(k, _)| *k == kind) {
            p.set("mix", mix).ok();
        }
        p
    }

    /// Every parameter's key with its spec, in display order (EQ keys are
    /// `band<N>.<key>`, N from 1, then `response`).
    pub fn params(&self) -> Vec<(String, &'static ParamSpec)> {
        match self {
            EffectParams::Eq(eq) => (1..=eq.bands.len().min(MAX_EQ_BANDS))
                .flat_map(|n| {
                    EqBand::SPECS
                        .iter()
                        .map(move |s| (format!("band{n}.{}", s.key), s))
                })
                .chain(std::iter::once((EQ_RESPONSE.key.to_string(), &EQ_RESPONSE)))
                .collect(),
            other => other
                .flat_specs()
                .iter()
                .map(|s| (s.key.to_string(), s))
                .collect(),
        }
    }

    fn flat_specs(&self) -> &'static [ParamSpec] {
        match self {
            EffectParams::Eq(_) => EqBand::SPECS,
            EffectParams::Compressor(_) => CompressorParams::SPECS,
            EffectParams::Gate(_) => GateParams::SPECS,
            EffectParams::Reverb(_) => ReverbParams::SPECS,
            EffectParams::Delay(_) => DelayParams::SPECS,
            EffectParams::Saturation(_) => SaturationParams::SPECS,
            EffectParams::Limiter(_) => LimiterParams::SPECS,
        }
    }

    /// The spec of the parameter with `key`.
    pub fn spec(&self, key: &str) -> Option<&'static ParamSpec> {
        let key = match self {
            EffectParams::Eq(_) if key == EQ_RESPONSE.key => return Some(&EQ_RESPONSE),
            EffectParams::Eq(eq) => {
                let (band, field) = band_key(key)?;
                if band >= eq.bands.len() {
                    return None;
                }
                field
            }
            _ => key,
        };
        self.flat_specs().iter().find(|s| s.key == key)
    }

    /// The parameter with `key`, as a number.
    pub fn get(&self, key: &str) -> Option<f32> {
        match self {
            EffectParams::Eq(eq) if key == EQ_RESPONSE.key => Some(eq.response.to_value()),
            EffectParams::Eq(eq) => {
                let (band, field) = band_key(key)?;
                eq.bands.get(band)?.get(field)
            }
            EffectParams::Compressor(p) => p.get(key),
            EffectParams::Gate(p) => p.get(key),
            EffectParams::Reverb(p) => p.get(key),
            EffectParams::Delay(p) => p.get(key),
            EffectParams::Saturation(p) => p.get(key),
            EffectParams::Limiter(p) => p.get(key),
        }
    }

    /// Sets the parameter with `key`, brought into its range; returns the value stored.
    pub fn set(&mut self, key: &str, value: f32) -> Result<f32, UnknownParam> {
        let unknown = || UnknownParam(key.to_string());
        match self {
            EffectParams::Eq(eq) if key == EQ_RESPONSE.key => {
                let v = EQ_RESPONSE.clamp(value);
                eq.response = EqResponse::from_value(v);
                Ok(v)
            }
            EffectParams::Eq(eq) => {
                let (band, field) = band_key(key).ok_or_else(unknown)?;
                eq.bands
                    .get_mut(band)
                    .and_then(|b| b.set(field, value))
                    .ok_or_else(unknown)
            }
            EffectParams::Compressor(p) => p.set(key, value).ok_or_else(unknown),
            EffectParams::Gate(p) => p.set(key, value).ok_or_else(unknown),
            EffectParams::Reverb(p) => p.set(key, value).ok_or_else(unknown),
            EffectParams::Delay(p) => p.set(key, value).ok_or_else(unknown),
            EffectParams::Saturation(p) => p.set(key, value).ok_or_else(unknown),
            EffectParams::Limiter(p) => p.set(key, value).ok_or_else(unknown),
        }
    }

    /// Every parameter a session may not hold (NaN or outside its range), with its key.
    pub fn out_of_range(&self) -> Vec<(String, &'static ParamSpec, f32)> {
        self.params()
            .into_iter()
            .filter_map(|(key, spec)| {
                let v = self.get(&key)?;
                (!spec.contains(v)).then_some((key, spec, v))
            })
            .collect()
    }
}
