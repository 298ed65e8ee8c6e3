//! Stemdesk DSP: effects, parameter smoothing and meters.
//!
//! No I/O and no allocation inside `process`; every processor's output is independent
//! of how the timeline is cut into blocks (see [`StereoProcessor`]).

mod compressor;
mod delay;
mod effect;
mod eq;
mod eq_matched;
mod gate;
mod key_filter;
mod limiter;
mod meter;
mod oversample;
mod pan;
pub mod param_table;
pub mod params;
mod processor;
mod reverb;
mod saturation;
mod smoothing;
pub mod util;

pub use compressor::{Compressor, static_gain_reduction_db};
pub use delay::{
    DEFAULT_TEMPO_BPM, Delay, HIGH_CUT_OFF_HZ, LOW_CUT_OFF_HZ, MAX_DELAY_MS, effective_time_ms,
};
pub use effect::Effect;
pub use eq::{Eq, magnitude_curve_db, magnitude_db};
pub use gate::Gate;
pub use key_filter::{KEY_HPF_OFF_HZ, KEY_LPF_OFF_HZ};
pub use limiter::{LOOKAHEAD_MS, Limiter};
pub use meter::{METER_FLOOR_DB, Meter, RMS_TIME_MS};
pub use pan::{
    Gain, MAX_GAIN_DB, PanLaw, Panner, SILENCE_DB, apply_width, balance_gains, constant_power_gains,
};
pub use param_table::{EffectKind, ParamSpec, Taper, Unit};
pub use params::{
    CompressorParams, DelayParams, DelaySync, Detection, EffectParams, EqBand, EqBandKind,
    EqParams, EqResponse, GateParams, LimiterParams, MAX_EQ_BANDS, ReverbParams, SaturationFlavour,
    SaturationParams,
};
pub use processor::StereoProcessor;
pub use reverb::{MAX_PREDELAY_MS, Reverb, designed_rt60_s};
pub use saturation::{Saturation, TONE_PIVOT_HZ, saturation_curve};
pub use smoothing::Smoother;
