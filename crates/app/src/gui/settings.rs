//! Settings the desk remembers between runs (not part of any session): the audio device
//! and buffer, the UI scale, which views are shown, follow-playhead. Stored as RON in the
//! data folder; a missing or unreadable file means defaults.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What is remembered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Output device (`None` = system default).
    pub device: Option<String>,
    /// Buffer size (`None` = device default).
    pub buffer_frames: Option<u32>,
    /// UI scale on top of the system's scale factor.
    pub ui_scale: f32,
    /// Arrange view shown.
    pub show_arrange: bool,
    /// Mixer shown.
    pub show_mixer: bool,
    /// The arrange view pages along with the playhead.
    pub follow_playhead: bool,
    /// Seconds of audio the disk thread keeps loaded ahead of the playhead.
    pub read_ahead_s: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            device: None,
            buffer_frames: None,
            ui_scale: 1.0,
            show_arrange: true,
            show_mixer: true,
            follow_playhead: true,
            read_ahead_s: stemdesk_engine::live::DEFAULT_READ_AHEAD_S,
        }
    }
}

/// Where the settings live in `data_dir`.
pub fn settings_path(data_dir: &Path) -> PathBuf {
    data_dir.join("settings.ron")
}

impl Settings {
    /// The remembered settings, or defaults.
    pub fn load(data_dir: &Path) -> Self {
        std::fs::read_to_string(settings_path(data_dir))
            .ok()
            .and_then(|text| ron::from_str(&text).ok())
            .map(Self::sanitised)
            .unwrap_or_default()
    }

    /// Writes the settings (temp file + rename, so a crash leaves the old ones).
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(std::io::Error::other)?;
        let path = settings_path(data_dir);
        let tmp = path.with_extension("ron.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)
    }

    /// Values a hand-edited file may have broken, put back in range.
    fn sanitised(mut self) -> Self {
        if !self.ui_scale.is_finite() {
            self.ui_scale = 1.0;
        }
        self.ui_scale = self.ui_scale.clamp(0.5, 3.0);
        if !self.read_ahead_s.is_finite() {
            self.read_ahead_s = stemdesk_engine::live::DEFAULT_READ_AHEAD_S;
        }
        self.read_ahead_s = self.read_ahead_s.clamp(0.5, 30.0);
        if !self.show_arrange && !self.show_mixer {
            self.show_arrange = true;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_bad_files_give_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(Settings::load(dir.path()), Settings::default());
        let s = Settings {
            device: Some("pulse".into()),
            buffer_frames: Some(256),
            ui_scale: 1.5,
            show_arrange: false,
            show_mixer: true,
            follow_playhead: false,
            read_ahead_s: 5.0,
        };
        s.save(dir.path()).expect("save");
        assert_eq!(Settings::load(dir.path()), s);
        std::fs::write(settings_path(dir.path()), "not ron").expect("write");
        assert_eq!(Settings::load(dir.path()), Settings::default());
        std::fs::write(settings_path(dir.path()), "(ui_scale: 99.0)").expect("write");
        assert_eq!(Settings::load(dir.path()).ui_scale, 3.0);
    }
}
