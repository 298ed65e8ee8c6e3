//! Small numeric helpers.

use stemdesk_session::model::SILENCE_DB;

/// dB to linear gain; at or below [`SILENCE_DB`] it is exactly 0, and 0 dB is exactly 1.
pub fn db_to_gain(gain_db: f32) -> f32 {
    if gain_db <= SILENCE_DB {
        0.0
    } else if gain_db == 0.0 {
        1.0
    } else {
        10f32.powf(gain_db / 20.0)
    }
}

/// Linear amplitude to dBFS (-inf for 0).
pub fn gain_to_db(gain: f32) -> f32 {
    20.0 * gain.abs().log10()
}
