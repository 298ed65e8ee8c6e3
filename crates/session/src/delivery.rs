//! The delivery spec: what a mix must meet to be handed to mastering. Saved with the
//! session (only when changed from the defaults), checked by the bounce's preflight.

use serde::{Deserialize, Serialize};

/// Rules a bounce is checked against. The defaults are what mastering engineers usually
/// ask for: headroom, no clipping, true peak below -1 dBTP, 24-bit or float, no solo, no
/// limiter on the master, the whole reverb tail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliverySpec {
    /// Highest true peak allowed, dBTP.
    pub max_true_peak_dbtp: f32,
    /// Highest sample peak allowed (headroom), dBFS.
    pub max_sample_peak_dbfs: f32,
    /// Whether a 16-bit file is acceptable.
    pub allow_16_bit: bool,
    /// Integrated loudness to reach, LUFS (`None`: any).
    pub target_lufs: Option<f32>,
    /// How far from the target the loudness may be, LU.
    pub target_tolerance_lu: f32,
    /// Whether a soloed strip may be bounced.
    pub allow_solo: bool,
    /// Whether a limiting compressor (ratio 10:1 or more) may sit on the master.
    pub allow_master_limiter: bool,
}

impl Default for DeliverySpec {
    fn default() -> Self {
        DeliverySpec {
            max_true_peak_dbtp: -1.0,
            max_sample_peak_dbfs: -3.0,
            allow_16_bit: false,
            target_lufs: None,
            target_tolerance_lu: 1.0,
            allow_solo: false,
            allow_master_limiter: false,
        }
    }
}

impl DeliverySpec {
    /// Whether this is the default spec (then it is not written to the session file).
    pub fn is_default(&self) -> bool {
        *self == DeliverySpec::default()
    }
}
