//! Listing output devices.

use cpal::traits::{DeviceTrait, HostTrait};

use crate::DeviceError;

/// An output device the user can pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The name to pass back when opening it (the host's device id, e.g. `default`).
    pub name: String,
    /// A longer human description, when the host gives one.
    pub description: String,
    /// Whether this is the system default output.
    pub is_default: bool,
}

/// The name used to open a cpal device: the host-specific part of its id.
pub(crate) fn device_name(device: &cpal::Device) -> String {
    device
        .id()
        .map(|id| {
            let s = id.to_string();
            match s.split_once(':') {
                Some((_host, rest)) => rest.to_string(),
                None => s,
            }
        })
        .or_else(|_| device.description().map(|d| d.name().to_string()))
        .unwrap_or_else(|_| "unknown device".to_string())
}

/// All output devices of the default host.
pub fn list_output_devices() -> Result<Vec<DeviceInfo>, DeviceError> {
    let host = cpal::default_host();
    let default = host.default_output_device().map(|d| device_name(&d));
    let devices = host.output_devices().map_err(|e| DeviceError::NoDevice {
        reason: e.to_string(),
    })?;
    Ok(devices
        .map(|d| {
            let name = device_name(&d);
            DeviceInfo {
                description: d
                    .description()
                    .map(|x| x.to_string())
                    .unwrap_or_else(|_| name.clone()),
                is_default: default.as_deref() == Some(name.as_str()),
                name,
            }
        })
        .collect())
}

/// Finds an output device by name (id or description), or the default one.
pub(crate) fn find_device(name: Option<&str>) -> Result<cpal::Device, DeviceError> {
    let host = cpal::default_host();
    let Some(name) = name else {
        return host
            .default_output_device()
            .ok_or_else(|| DeviceError::NoDevice {
                reason: "the audio system reports no default output".to_string(),
            });
    };
    let devices: Vec<cpal::Device> = host
        .output_devices()
        .map_err(|e| DeviceError::NoDevice {
            reason: e.to_string(),
        })?
        .collect();
    let matches = |d: &cpal::Device| {
        device_name(d) == name || d.description().is_ok_and(|x| x.name() == name)
    };
    if let Some(d) = devices.iter().find(|d| matches(d)) {
        return Ok(d.clone());
    }
    // ALSA accepts any PCM name from the user's asoundrc, listed or not.
    if let Ok(id) = format!("{}:{name}", host.id().name()).parse::<cpal::DeviceId>()
        && let Some(d) = host.device_by_id(&id)
    {
        return Ok(d);
    }
    Err(DeviceError::NotFound {
        name: name.to_string(),
        available: devices.iter().map(device_name).collect(),
    })
}
