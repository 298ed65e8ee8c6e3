//! Opening an output stream and running a player in its callback.

use std::sync::Arc;
use std::time::Instant;

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use ringbuf::traits::{Consumer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use stemdesk_engine::Player;
use stemdesk_engine::live::Status;

use crate::DeviceError;
use crate::denormals::flush_denormals;
use crate::list::{device_name, find_device};

/// Smallest buffer size offered.
pub const MIN_BUFFER_FRAMES: u32 = 64;
/// Largest buffer size offered.
pub const MAX_BUFFER_FRAMES: u32 = 2048;
/// Frames converted per pass for devices that do not take f32 (and the f32 scratch size).
const SCRATCH_FRAMES: usize = 4096;
/// How long cpal may take to set up the stream.
const BUILD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How to open the output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutputConfig {
    /// Device name (see [`crate::list_output_devices`]); `None` = the system default.
    pub device: Option<String>,
    /// Buffer size in frames (64..=2048); `None` = the device's default.
    pub buffer_frames: Option<u32>,
}

/// Something that happened to a running stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceEvent {
    /// The device went away or failed; playback has stopped. Open another device.
    Lost(String),
    /// A non-fatal error the backend reported.
    Warning(String),
}

/// A running output stream. Dropping it stops the stream.
pub struct AudioOutput {
    _stream: cpal::Stream,
    device: String,
    sample_rate_hz: u32,
    channels: u16,
    buffer_frames: Option<u32>,
    sample_format: SampleFormat,
    events: HeapCons<DeviceEvent>,
}

impl AudioOutput {
    /// Name of the device playing.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Sample rate the stream runs at (the session's).
    pub fn sample_rate_hz(&self) -> u32 {
        self.sample_rate_hz
    }

    /// Device channel count (Stemdesk plays stereo on the first two).
    pub fn channels(&self) -> u16 {
        self.channels
    }

    /// Fixed buffer size asked for, if any.
    pub fn buffer_frames(&self) -> Option<u32> {
        self.buffer_frames
    }

    /// The device's sample format.
    pub fn sample_format(&self) -> String {
        self.sample_format.to_string()
    }

    /// Stream errors reported since the last call.
    pub fn poll_events(&mut self) -> Vec<DeviceEvent> {
        self.events.pop_iter().collect()
    }
}

/// Opens the output described by `config` at the player's sample rate and starts it.
///
/// On error the player is dropped: compile a fresh graph and engine to try another device.
pub fn start_output(mut player: Player, config: &OutputConfig) -> Result<AudioOutput, DeviceError> {
    // On the audio thread the graph must never read the disk: the engine's disk thread
    // brings the audio near the playhead.
    player.set_streaming(true);
    let device = find_device(config.device.as_deref())?;
    let name = device_name(&device);
    let rate = player.sample_rate_hz();
    let stream_err = |e: cpal::Error| stream_error(&name, &e);
    let ranges: Vec<cpal::SupportedStreamConfigRange> = device
        .supported_output_configs()
        .map_err(stream_err)?
        .collect();
    if ranges.is_empty() {
        return Err(DeviceError::NoDevice {
            reason: format!("'{name}' offers no output formats"),
        });
    }
    let chosen = choose_config(&name, &ranges, rate)?;
    let buffer_size = match config.buffer_frames {
        None => cpal::BufferSize::Default,
        Some(frames) => {
            let (dev_min, dev_max) = match chosen.buffer_size() {
                cpal::SupportedBufferSize::Range { min, max } => (*min, *max),
                cpal::SupportedBufferSize::Unknown => (0, u32::MAX),
            };
            let (min, max) = (
                MIN_BUFFER_FRAMES.max(dev_min),
                MAX_BUFFER_FRAMES.min(dev_max),
            );
            if frames < min || frames > max {
                return Err(DeviceError::BufferSize {
                    device: name,
                    frames,
                    min,
                    max,
                });
            }
            cpal::BufferSize::Fixed(frames)
        }
    };
    let stream_config = cpal::StreamConfig {
        channels: chosen.channels(),
        sample_rate: rate,
        buffer_size,
    };
    let format = chosen.sample_format();
    let (ev_tx, ev_rx) = HeapRb::<DeviceEvent>::new(64).split();
    let status = player.status();
    let stream = match format {
        SampleFormat::F32 => build::<f32>(&device, &stream_config, player, ev_tx, status),
        SampleFormat::I16 => build::<i16>(&device, &stream_config, player, ev_tx, status),
        SampleFormat::I32 => build::<i32>(&device, &stream_config, player, ev_tx, status),
        SampleFormat::U16 => build::<u16>(&device, &stream_config, player, ev_tx, status),
        SampleFormat::F64 => build::<f64>(&device, &stream_config, player, ev_tx, status),
        other => {
            return Err(DeviceError::Stream {
                device: name,
                message: format!("sample format {other} is not supported by Stemdesk"),
            });
        }
    }
    .map_err(stream_err)?;
    stream.play().map_err(stream_err)?;
    Ok(AudioOutput {
        _stream: stream,
        device: name,
        sample_rate_hz: rate,
        channels: stream_config.channels,
        buffer_frames: config.buffer_frames,
        sample_format: format,
        events: ev_rx,
    })
}

/// The configuration to open at `rate_hz`, or an error naming both rates when the device
/// cannot run at the session's rate.
fn choose_config(
    device: &str,
    ranges: &[cpal::SupportedStreamConfigRange],
    rate_hz: u32,
) -> Result<cpal::SupportedStreamConfigRange, DeviceError> {
    let at_rate: Vec<&cpal::SupportedStreamConfigRange> = ranges
        .iter()
        .filter(|r| r.min_sample_rate() <= rate_hz && rate_hz <= r.max_sample_rate())
        .collect();
    if at_rate.is_empty() {
        return Err(DeviceError::RateUnsupported {
            device: device.to_owned(),
            session_hz: rate_hz,
            supported: describe_rates(ranges),
        });
    }
    Ok(pick_config(&at_rate))
}

/// Prefers stereo f32, then stereo in any format, then whatever is left.
fn pick_config(ranges: &[&cpal::SupportedStreamConfigRange]) -> cpal::SupportedStreamConfigRange {
    let score = |r: &cpal::SupportedStreamConfigRange| {
        let stereo = r.channels() == 2;
        let f32_ = r.sample_format() == SampleFormat::F32;
        let known = matches!(
            r.sample_format(),
            SampleFormat::F32
                | SampleFormat::I16
                | SampleFormat::I32
                | SampleFormat::U16
                | SampleFormat::F64
        );
        (known, stereo, f32_, r.channels() >= 2)
    };
    let mut best = ranges[0];
    for r in ranges {
        if score(r) > score(best) {
            best = r;
        }
    }
    *best
}

fn describe_rates(ranges: &[cpal::SupportedStreamConfigRange]) -> String {
    let mut parts: Vec<String> = ranges
        .iter()
        .map(|r| {
            if r.min_sample_rate() == r.max_sample_rate() {
                format!("{} Hz", r.min_sample_rate())
            } else {
                format!("{}-{} Hz", r.min_sample_rate(), r.max_sample_rate())
            }
        })
        .collect();
    parts.sort();
    parts.dedup();
    parts.join(", ")
}

fn stream_error(device: &str, e: &cpal::Error) -> DeviceError {
    match e.kind() {
        cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::HostUnavailable => {
            DeviceError::NoDevice {
                reason: format!("'{device}': {e}"),
            }
        }
        _ => DeviceError::Stream {
            device: device.to_string(),
            message: e.to_string(),
        },
    }
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut player: Player,
    mut events: HeapProd<DeviceEvent>,
    status: Arc<Status>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let channels = usize::from(config.channels.max(1));
    let rate = f64::from(config.sample_rate.max(1));
    let mut scratch = vec![0.0f32; SCRATCH_FRAMES * channels];
    let cb_status = Arc::clone(&status);
    let data = move |out: &mut [T], _: &cpal::OutputCallbackInfo| {
        let started = Instant::now();
        flush_denormals();
        assert_no_alloc::assert_no_alloc(|| {
            fill::<T>(out, channels, &mut player, &mut scratch);
        });
        let frames = (out.len() / channels) as f64;
        let period_s = frames / rate;
        if period_s > 0.0 {
            cb_status.record_load((started.elapsed().as_secs_f64() / period_s) as f32);
        }
    };
    let error = move |e: cpal::Error| match e.kind() {
        cpal::ErrorKind::Xrun => status.record_xrun(),
        cpal::ErrorKind::DeviceNotAvailable
        | cpal::ErrorKind::HostUnavailable
        | cpal::ErrorKind::BackendError => {
            let _ = events.try_push(DeviceEvent::Lost(e.to_string()));
        }
        _ => {
            let _ = events.try_push(DeviceEvent::Warning(e.to_string()));
        }
    };
    device.build_output_stream::<T, _, _>(*config, data, error, Some(BUILD_TIMEOUT))
}

/// Renders into the device buffer, converting from f32 when the device wants another type.
fn fill<T: SizedSample + FromSample<f32>>(
    out: &mut [T],
    channels: usize,
    player: &mut Player,
    scratch: &mut [f32],
) {
    for chunk in out.chunks_mut(scratch.len()) {
        let n = chunk.len() - chunk.len() % channels;
        let tmp = &mut scratch[..n];
        player.process_interleaved(tmp, channels);
        for (o, s) in chunk.iter_mut().zip(tmp.iter()) {
            *o = T::from_sample(*s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cpal::{SupportedBufferSize, SupportedStreamConfigRange as Range};

    fn range(channels: u16, min: u32, max: u32, format: SampleFormat) -> Range {
        Range::new(channels, min, max, SupportedBufferSize::Unknown, format)
    }

    #[test]
    fn a_rate_the_device_lacks_is_refused_naming_both_rates() {
        let ranges = [
            range(2, 44_100, 44_100, SampleFormat::I16),
            range(2, 44_100, 44_100, SampleFormat::F32),
        ];
        let err = choose_config("hw:USB", &ranges, 48_000)
            .err()
            .map(|e| e.to_string());
        let msg = err.unwrap_or_default();
        assert!(
            msg.contains("48000 Hz") && msg.contains("44100 Hz") && msg.contains("hw:USB"),
            "{msg}"
        );
    }

    #[test]
    fn stereo_f32_is_preferred_at_the_session_rate() {
        let ranges = [
            range(1, 8_000, 192_000, SampleFormat::F32),
            range(2, 8_000, 192_000, SampleFormat::I16),
            range(2, 8_000, 192_000, SampleFormat::F32),
            range(8, 8_000, 192_000, SampleFormat::F32),
        ];
        let chosen = choose_config("x", &ranges, 48_000).ok();
        assert_eq!(
            chosen.map(|c| (c.channels(), c.sample_format())),
            Some((2, SampleFormat::F32))
        );
        let only_i16 = [range(2, 8_000, 96_000, SampleFormat::I16)];
        let chosen = choose_config("x", &only_i16, 96_000).ok();
        assert_eq!(
            chosen.map(|c| c.sample_format()),
            Some(SampleFormat::I16),
            "converted from f32"
        );
    }
}
