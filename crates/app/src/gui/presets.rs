//! Effect presets: a few factory settings per effect, and the user's own, saved as RON
//! files in the data folder (`presets/<Effect>/<name>.ron`), one per preset, so they can
//! be copied between machines. Loading a preset is an ordinary edit of the insert (one
//! undo step); saving never replaces a preset unless asked to.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use stemdesk_dsp::{EffectKind, EffectParams, EqBandKind};

/// One preset as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    /// Name shown in the menu.
    pub name: String,
    /// The settings.
    pub effect: EffectParams,
}

/// The user's presets as found on disk, and what could not be read.
#[derive(Debug, Default)]
pub struct PresetStore {
    dir: PathBuf,
    user: Vec<Preset>,
    /// Files that are not presets (named, with why), reported once at load.
    pub problems: Vec<String>,
}

/// Where presets live under `data_dir`.
pub fn presets_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("presets")
}

/// A file name for a preset name: path separators and control characters become `_`,
/// so any name a user types stays one file inside its folder.
fn file_name(name: &str) -> String {
    let clean: String = name
        .trim()
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.');
    format!("{}.ron", if clean.is_empty() { "Preset" } else { clean })
}

impl PresetStore {
    /// Reads every preset under `data_dir` (a missing folder: none). Unreadable files are
    /// listed in `problems` and skipped.
    pub fn load(data_dir: &Path) -> Self {
        let dir = presets_dir(data_dir);
        let mut store = PresetStore {
            dir: dir.clone(),
            ..Default::default()
        };
        for kind in EffectKind::ALL {
            let Ok(entries) = std::fs::read_dir(dir.join(kind.name())) else {
                continue;
            };
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "ron"))
                .collect();
            paths.sort();
            for path in paths {
                match read_preset(&path) {
                    Ok(p) if p.effect.kind() == kind && p.effect.out_of_range().is_empty() => {
                        store.user.push(p)
                    }
                    Ok(p) if p.effect.kind() != kind => store.problems.push(format!(
                        "preset {}: a {} preset in the {} folder",
                        path.display(),
                        p.effect.kind().name(),
                        kind.name()
                    )),
                    Ok(_) => store.problems.push(format!(
                        "preset {}: a value is out of range",
                        path.display()
                    )),
                    Err(e) => store
                        .problems
                        .push(format!("preset {}: {e}", path.display())),
                }
            }
        }
        store
    }

    /// The user's presets for `kind`, by name.
    pub fn user(&self, kind: EffectKind) -> impl Iterator<Item = &Preset> {
        self.user.iter().filter(move |p| p.effect.kind() == kind)
    }

    /// Whether the user has a preset of `kind` named `name`.
    pub fn has(&self, kind: EffectKind, name: &str) -> bool {
        self.user(kind).any(|p| p.name == name.trim())
    }

    /// Saves `effect` as `name` (temp file + rename). Refuses to replace an existing
    /// preset unless `replace`. Returns the file written.
    pub fn save(
        &mut self,
        name: &str,
        effect: &EffectParams,
        replace: bool,
    ) -> Result<PathBuf, String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("a preset needs a name".into());
        }
        let kind = effect.kind();
        if self.has(kind, name) && !replace {
            return Err(format!("a {} preset named \"{name}\" exists", kind.name()));
        }
        let folder = self.dir.join(kind.name());
        let path = folder.join(file_name(name));
        let preset = Preset {
            name: name.to_string(),
            effect: effect.clone(),
        };
        let text = ron::ser::to_string_pretty(&preset, ron::ser::PrettyConfig::default())
            .map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&folder)
            .and_then(|()| {
                let tmp = path.with_extension("ron.tmp");
                std::fs::write(&tmp, text)?;
                std::fs::rename(&tmp, &path)
            })
            .map_err(|e| format!("could not save preset {}: {e}", path.display()))?;
        self.user
            .retain(|p| !(p.effect.kind() == kind && p.name == name));
        self.user.push(preset);
        self.user.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(path)
    }

    /// Deletes the user's preset `name` of `kind` (its file too).
    pub fn delete(&mut self, kind: EffectKind, name: &str) -> Result<(), String> {
        let path = self.dir.join(kind.name()).join(file_name(name));
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("could not delete preset {}: {e}", path.display())),
        }
        self.user
            .retain(|p| !(p.effect.kind() == kind && p.name == name));
        Ok(())
    }
}

fn read_preset(path: &Path) -> Result<Preset, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    ron::from_str(&text).map_err(|e| format!("not a preset ({e})"))
}

/// Applies a preset to an insert's current settings: everything the preset holds, except
/// that a factory reverb or delay keeps the insert's mix (a track insert blends in, a
/// bus return is fully wet; the factory settings are about the sound, not the routing).
pub fn applied(current: &EffectParams, preset: &EffectParams, factory: bool) -> EffectParams {
    let mut out = preset.clone();
    if factory
        && matches!(preset.kind(), EffectKind::Reverb | EffectKind::Delay)
        && let Some(mix) = current.get("mix")
    {
        out.set("mix", mix).ok();
    }
    out
}

/// The factory presets of `kind`: settings to start from on typical stems.
pub fn factory(kind: EffectKind) -> Vec<Preset> {
    let make = |name: &str, values: &[(&str, f32)]| {
        let mut effect = EffectParams::new_default(kind, true);
        for &(key, value) in values {
            effect.set(key, value).ok();
        }
        Preset {
            name: name.to_string(),
            effect,
        }
    };
    let eq = |name: &str, bands: &[(EqBandKind, f32, f32, f32)]| {
        let mut effect = EffectParams::new_default(EffectKind::Eq, true);
        if let EffectParams::Eq(p) = &mut effect {
            p.bands = bands
                .iter()
                .map(|&(kind, freq_hz, gain_db, q)| stemdesk_dsp::EqBand {
                    enabled: true,
                    kind,
                    freq_hz,
                    gain_db,
                    q,
                })
                .collect();
        }
        Preset {
            name: name.to_string(),
            effect,
        }
    };
    use EqBandKind::*;
    match kind {
        EffectKind::Eq => vec![
            eq(
                "Vocal presence",
                &[
                    (HighPass12, 90.0, 0.0, 0.71),
                    (Peak, 300.0, -2.0, 1.0),
                    (Peak, 3500.0, 3.0, 1.0),
                    (HighShelf, 10_000.0, 2.0, 0.71),
                ],
            ),
            eq(
                "Kick punch",
                &[
                    (HighPass12, 30.0, 0.0, 0.71),
                    (Peak, 60.0, 3.0, 1.2),
                    (Peak, 400.0, -4.0, 1.5),
                    (Peak, 4000.0, 3.0, 1.0),
                ],
            ),
            eq(
                "Bass tighten",
                &[
                    (HighPass24, 35.0, 0.0, 0.71),
                    (Peak, 250.0, -3.0, 1.2),
                    (Peak, 800.0, 2.0, 1.0),
                    (LowPass12, 8000.0, 0.0, 0.71),
                ],
            ),
            eq("Air", &[(HighShelf, 12_000.0, 3.0, 0.71)]),
        ],
        EffectKind::Compressor => vec![
            make(
                "Vocal leveler",
                &[
                    ("threshold_db", -20.0),
                    ("ratio", 3.0),
                    ("knee_db", 6.0),
                    ("attack_ms", 10.0),
                    ("release_ms", 120.0),
                    ("makeup_db", 3.0),
                ],
            ),
            make(
                "Drum bus glue",
                &[
                    ("threshold_db", -15.0),
                    ("ratio", 2.0),
                    ("knee_db", 6.0),
                    ("attack_ms", 30.0),
                    ("release_ms", 100.0),
                    ("makeup_db", 2.0),
                    ("sidechain_hpf_hz", 100.0),
                ],
            ),
            make(
                "Bass control",
                &[
                    ("threshold_db", -18.0),
                    ("ratio", 4.0),
                    ("knee_db", 3.0),
                    ("attack_ms", 5.0),
                    ("release_ms", 80.0),
                    ("makeup_db", 3.0),
                ],
            ),
            make(
                "Parallel smash",
                &[
                    ("threshold_db", -30.0),
                    ("ratio", 10.0),
                    ("knee_db", 0.0),
                    ("attack_ms", 1.0),
                    ("release_ms", 50.0),
                    ("makeup_db", 8.0),
                    ("mix", 0.35),
                ],
            ),
            make(
                "Transient catcher",
                &[
                    ("threshold_db", -12.0),
                    ("ratio", 8.0),
                    ("attack_ms", 0.5),
                    ("release_ms", 60.0),
                    ("lookahead_ms", 2.0),
                ],
            ),
        ],
        EffectKind::Gate => vec![
            make(
                "Kick / tom gate",
                &[
                    ("threshold_db", -35.0),
                    ("range_db", -40.0),
                    ("attack_ms", 0.5),
                    ("hold_ms", 50.0),
                    ("release_ms", 120.0),
                ],
            ),
            make(
                "Gentle expander",
                &[
                    ("threshold_db", -50.0),
                    ("range_db", -12.0),
                    ("attack_ms", 2.0),
                    ("hold_ms", 20.0),
                    ("release_ms", 200.0),
                ],
            ),
        ],
        EffectKind::Saturation => vec![
            make(
                "Warm tape",
                &[
                    ("flavour", 0.0),
                    ("drive_db", 6.0),
                    ("tone_db", -2.0),
                    ("output_db", -4.0),
                ],
            ),
            make(
                "Tube bass",
                &[
                    ("flavour", 1.0),
                    ("drive_db", 10.0),
                    ("mix", 0.6),
                    ("output_db", -4.0),
                ],
            ),
            make(
                "Drum crush",
                &[
                    ("flavour", 2.0),
                    ("drive_db", 18.0),
                    ("tone_db", 2.0),
                    ("mix", 0.35),
                    ("output_db", -6.0),
                ],
            ),
        ],
        EffectKind::Limiter => vec![
            make(
                "Bus safety",
                &[
                    ("gain_db", 0.0),
                    ("ceiling_db", -0.5),
                    ("release_ms", 150.0),
                ],
            ),
            make(
                "Loud bus",
                &[("gain_db", 6.0), ("ceiling_db", -1.0), ("release_ms", 50.0)],
            ),
        ],
        EffectKind::Reverb => vec![
            make(
                "Small room",
                &[
                    ("predelay_ms", 5.0),
                    ("decay_s", 0.6),
                    ("size", 0.3),
                    ("damping", 0.5),
                ],
            ),
            make(
                "Plate",
                &[
                    ("predelay_ms", 20.0),
                    ("decay_s", 1.8),
                    ("size", 0.6),
                    ("damping", 0.3),
                ],
            ),
            make(
                "Hall",
                &[
                    ("predelay_ms", 30.0),
                    ("decay_s", 3.0),
                    ("size", 0.9),
                    ("damping", 0.4),
                ],
            ),
        ],
        EffectKind::Delay => vec![
            make(
                "Slapback",
                &[
                    ("time_ms", 110.0),
                    ("feedback", 0.1),
                    ("low_cut_hz", 150.0),
                    ("high_cut_hz", 5000.0),
                ],
            ),
            make(
                "Quarter at 120 BPM",
                &[
                    ("time_ms", 500.0),
                    ("feedback", 0.35),
                    ("low_cut_hz", 100.0),
                    ("high_cut_hz", 8000.0),
                ],
            ),
            make(
                "Ping-pong eighth",
                &[
                    ("time_ms", 250.0),
                    ("feedback", 0.45),
                    ("ping_pong", 1.0),
                    ("high_cut_hz", 7000.0),
                ],
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_factory_preset_is_valid_named_once_and_of_its_kind() {
        for kind in EffectKind::ALL {
            let presets = factory(kind);
            assert!(presets.len() >= 2, "{kind:?} has factory presets");
            for p in &presets {
                assert_eq!(p.effect.kind(), kind);
                assert!(p.effect.out_of_range().is_empty(), "{kind:?} {}", p.name);
                assert_ne!(
                    p.effect,
                    EffectParams::new_default(kind, true),
                    "{}",
                    p.name
                );
            }
            let mut names: Vec<_> = presets.iter().map(|p| &p.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), presets.len());
        }
    }

    #[test]
    fn saved_presets_come_back_and_are_never_replaced_unasked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = PresetStore::load(dir.path());
        let mut comp = EffectParams::new_default(EffectKind::Compressor, true);
        comp.set("ratio", 7.0).expect("key");
        let path = store.save("My / comp", &comp, false).expect("saved");
        assert!(path.starts_with(presets_dir(dir.path()).join("Compressor")));
        assert_eq!(
            path.file_name().and_then(|n| n.to_str()),
            Some("My _ comp.ron")
        );
        let mut other = comp.clone();
        other.set("ratio", 2.0).expect("key");
        let refused = store.save("My / comp", &other, false);
        assert!(refused.is_err_and(|e| e.contains("exists")));
        let again = PresetStore::load(dir.path());
        let found: Vec<_> = again.user(EffectKind::Compressor).collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].effect, comp, "not replaced");
        store
            .save("My / comp", &other, true)
            .expect("replaced on request");
        assert_eq!(
            PresetStore::load(dir.path())
                .user(EffectKind::Compressor)
                .next()
                .map(|p| &p.effect),
            Some(&other)
        );
        store
            .delete(EffectKind::Compressor, "My / comp")
            .expect("deleted");
        assert_eq!(
            PresetStore::load(dir.path())
                .user(EffectKind::Compressor)
                .count(),
            0
        );
    }

    #[test]
    fn unreadable_or_misplaced_preset_files_are_named_and_skipped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = presets_dir(dir.path()).join("EQ");
        std::fs::create_dir_all(&folder).expect("dir");
        std::fs::write(folder.join("broken.ron"), "(name: \"x\", effect: ").expect("write");
        let gate = Preset {
            name: "Gate here".into(),
            effect: EffectParams::new_default(EffectKind::Gate, true),
        };
        std::fs::write(folder.join("gate.ron"), ron::to_string(&gate).expect("ron"))
            .expect("write");
        let store = PresetStore::load(dir.path());
        assert_eq!(store.user(EffectKind::Eq).count(), 0);
        assert_eq!(store.problems.len(), 2, "{:?}", store.problems);
        assert!(
            store
                .problems
                .iter()
                .any(|p| p.contains("broken.ron") && p.contains("not a preset"))
        );
        assert!(
            store
                .problems
                .iter()
                .any(|p| p.contains("gate.ron") && p.contains("Gate preset in the EQ folder"))
        );
    }

    #[test]
    fn a_factory_reverb_keeps_the_inserts_mix() {
        let mut on_track = EffectParams::new_default(EffectKind::Reverb, true);
        on_track.set("mix", 0.2).expect("key");
        let hall = &factory(EffectKind::Reverb)[2];
        let out = applied(&on_track, &hall.effect, true);
        assert_eq!(out.get("mix"), Some(0.2));
        assert_eq!(out.get("decay_s"), Some(3.0));
        let user = applied(&on_track, &hall.effect, false);
        assert_eq!(user.get("mix"), hall.effect.get("mix"));
    }
}
