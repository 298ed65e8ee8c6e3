//! Audio output for Stemdesk: opens a cpal stream and drives an engine
//! [`Player`](stemdesk_engine::Player) from its callback.
//!
//! This is the only crate that touches cpal. The callback runs the player inside
//! `assert_no_alloc` (active in debug builds whose binary installs the `AllocDisabler`),
//! with flush-to-zero/denormals-are-zero set, and records its own DSP load. Device
//! trouble (no device, an unsupported rate or buffer size, a stream error mid-play)
//! becomes a [`DeviceError`] or a [`DeviceEvent`], never a panic.

mod denormals;
mod error;
mod list;
mod output;

pub use error::DeviceError;
pub use list::{DeviceInfo, list_output_devices};
pub use output::{
    AudioOutput, DeviceEvent, MAX_BUFFER_FRAMES, MIN_BUFFER_FRAMES, OutputConfig, start_output,
};
