//! The effect parameter tables are the one declaration of every parameter: each key can be
//! set through the table, is kept by the session (validated, saved, loaded) and changes
//! what the DSP plays; values outside a range are treated the same way everywhere.
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;
use stemdesk_dsp::param_table::Unit;
use stemdesk_dsp::{Effect, EffectKind, EffectParams, StereoProcessor};
use stemdesk_engine::{SourceAudio, SourceMap, Threads, compile};
use stemdesk_session::file::to_ron;
use stemdesk_session::*;

const RATE: u32 = 48_000;
const FRAMES: usize = 72_000;

/// Decaying noise bursts (0.25 s on, 0.25 s off), different in each channel: every
/// parameter of every effect changes what comes out of it (levels cross every threshold,
/// the gaps let tails and repeats through).
fn bursts(frames: usize) -> Vec<Vec<f32>> {
    let mut seed = 0x1234_5678u32;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        (seed as f32 / u32::MAX as f32) * 2.0 - 1.0
    };
    let burst = RATE as usize / 4;
    let mut l = vec![0.0; frames];
    let mut r = vec![0.0; frames];
    for i in 0..frames {
        let t = i % (2 * burst);
        if t < burst {
            // 60 dB per 0.1 s from -6 dBFS: passes every threshold on the way down.
            let env = 0.5 * 10f32.powf(-3.0 * t as f32 / (0.1 * RATE as f32));
            l[i] = env * noise();
            r[i] = env * (0.5 * noise() + 0.5 * l[i]);
        }
    }
    vec![l, r]
}

struct Rig {
    session: Session,
    sources: SourceMap,
    track: TrackId,
    insert: InsertId,
}

impl Rig {
    fn new(effect: EffectParams) -> Rig {
        let mut session = Session::new(RATE);
        let mut sources = SourceMap::new();
        sources.insert(
            resolve_media(Path::new("."), Path::new("in.wav")),
            Arc::new(SourceAudio::new(bursts(FRAMES))),
        );
        let track = TrackId(session.alloc_id());
        let clip = ClipId(session.alloc_id());
        let insert = InsertId(session.alloc_id());
        session.tracks.push(Track {
            id: track,
            name: "t".into(),
            color: Color::default(),
            clips: vec![Clip {
                id: clip,
                source: "in.wav".into(),
                position_frames: 0,
                offset_frames: 0,
                length_frames: FRAMES as u64,
                gain_db: 0.0,
                fade_in: Fade::default(),
                fade_out: Fade::default(),
            }],
            strip: Strip {
                inserts: vec![Insert {
                    id: insert,
                    bypass: false,
                    effect,
                    sidechain: None,
                }],
                ..Strip::default()
            },
        });
        Rig {
            session,
            sources,
            track,
            insert,
        }
    }

    fn effect(&self) -> &EffectParams {
        &self.session.tracks[0].strip.inserts[0].effect
    }

    /// Sets `key` through the table and applies it as an edit (validated).
    fn set(&mut self, key: &str, value: f32) -> Result<f32, String> {
        let mut params = self.effect().clone();
        let stored = params.set(key, value).map_err(|e| e.to_string())?;
        self.session
            .apply(&Edit::SetInsertParams {
                strip: StripId::Track(self.track),
                insert: self.insert,
                params,
            })
            .map_err(|e| e.to_string())?;
        Ok(stored)
    }

    /// The session after a save and a load.
    fn reloaded(&self) -> Session {
        let text = to_ron(&self.session).expect("serialises");
        parse(Path::new("walk.ron"), &text).expect("loads back")
    }

    fn render(&self, frames: usize) -> Vec<f32> {
        let mut g = compile(&self.session, Path::new("."), &self.sources, 1024);
        let mut l = vec![0.0; frames];
        let mut r = vec![0.0; frames];
        g.render(0, &mut l, &mut r, Threads::Single);
        l.extend(r);
        l
    }
}

/// A new effect of `kind` whose every parameter is audible: EQ bands get some gain
/// (at 0 dB a band's other settings change nothing).
fn audible_default(kind: EffectKind) -> EffectParams {
    let mut p = EffectParams::new_default(kind, true);
    if let EffectParams::Eq(eq) = &mut p {
        for b in &mut eq.bands {
            b.gain_db = 9.0;
        }
    }
    // Driven into its ceiling, so its release is heard.
    if let EffectParams::Limiter(l) = &mut p {
        l.gain_db = 12.0;
    }
    p
}

/// Two clearly different values of a parameter, inside its range.
fn two_values(spec: &stemdesk_dsp::ParamSpec) -> (f32, f32) {
    match spec.unit {
        Unit::Switch | Unit::Choice(_) => (spec.min, spec.max),
        // Times on a linear scale reach seconds: stay within the 0.25 s bursts.
        Unit::Millisecond if spec.taper == stemdesk_dsp::Taper::Linear => {
            (spec.from_normalized(0.01), spec.from_normalized(0.03))
        }
        _ => (spec.from_normalized(0.1), spec.from_normalized(0.3)),
    }
}

#[test]
fn every_key_of_every_effect_is_set_kept_and_heard() {
    let mut walked = 0;
    for kind in EffectKind::ALL {
        let base = audible_default(kind);
        assert!(
            base.out_of_range().is_empty(),
            "{kind:?} defaults are in range"
        );
        for (key, spec) in base.params() {
            let mut outputs = Vec::new();
            let (a, b) = two_values(spec);
            for value in [a, b] {
                let mut rig = Rig::new(base.clone());
                let stored = rig
                    .set(&key, value)
                    .unwrap_or_else(|e| panic!("{kind:?} {key} = {value}: {e}"));
                assert_eq!(stored, value, "{kind:?} {key}: an in-range value is kept");
                let back = rig.reloaded();
                let kept = back.tracks[0].strip.inserts[0].effect.get(&key);
                assert_eq!(kept, Some(value), "{kind:?} {key} survives save and load");
                let out = rig.render(FRAMES);
                assert!(out.iter().all(|x| x.is_finite()), "{kind:?} {key} finite");
                outputs.push(out);
            }
            assert!(
                outputs[0] != outputs[1],
                "{kind:?} {key}: {a} and {b} sound the same, so the DSP does not hear it"
            );
            walked += 1;
        }
    }
    // 3 EQ bands x 5 + the EQ's response + 10 compressor + 8 gate + 6 reverb + 7 delay +
    // 5 saturation + 3 limiter.
    assert_eq!(walked, 15 + 1 + 10 + 8 + 6 + 7 + 5 + 3);
}

#[test]
fn unknown_keys_are_refused() {
    let mut p = EffectParams::new_default(EffectKind::Eq, true);
    assert!(p.set("band9.gain_db", 1.0).is_err());
    assert!(p.set("band4.gain_db", 1.0).is_err(), "only 3 bands exist");
    assert!(p.set("band1.volume", 1.0).is_err());
    let mut c = EffectParams::new_default(EffectKind::Compressor, false);
    assert!(c.set("band1.gain_db", 1.0).is_err());
    assert!(c.get("nope").is_none());
}

/// Every (kind, key) pair, for the property tests to pick from.
fn all_params() -> Vec<(EffectKind, String)> {
    EffectKind::ALL
        .iter()
        .flat_map(|&k| {
            audible_default(k)
                .params()
                .into_iter()
                .map(move |(key, _)| (k, key))
        })
        .collect()
}

/// The DSP's output for `params` on the burst signal, without the session in between
/// (so out-of-range values reach the processor).
fn dsp_output(params: &EffectParams) -> Vec<f32> {
    let input = bursts(4096);
    let mut fx = Effect::new(RATE as f32, params);
    let (mut l, mut r) = (input[0].clone(), input[1].clone());
    fx.process(&mut l, &mut r);
    l.extend(r);
    l
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_value_in_range_is_accepted_kept_and_finite(
        pick in 0..all_params().len(),
        x in 0.0f32..=1.0,
    ) {
        let (kind, key) = all_params()[pick].clone();
        let base = audible_default(kind);
        let spec = base.spec(&key).expect("spec");
        let value = spec.clamp(spec.min + x * (spec.max - spec.min));
        let mut rig = Rig::new(base);
        let stored = rig.set(&key, value);
        prop_assert_eq!(stored, Ok(value));
        let back = rig.reloaded();
        prop_assert_eq!(back.tracks[0].strip.inserts[0].effect.get(&key), Some(value));
        prop_assert!(rig.render(4096).iter().all(|s| s.is_finite()));
    }

    #[test]
    fn any_value_outside_is_rejected_by_the_session_and_clamped_alike_by_table_and_dsp(
        pick in 0..all_params().len(),
        beyond in prop_oneof![
            (0.001f32..1e6).prop_map(|d| (true, d)),
            (0.001f32..1e6).prop_map(|d| (false, d)),
            Just((true, f32::NAN)),
        ],
    ) {
        let (kind, key) = all_params()[pick].clone();
        let base = audible_default(kind);
        let spec = *base.spec(&key).expect("spec");
        // Switches and choices are enums and bools in a session: no value lies outside.
        prop_assume!(!matches!(spec.unit, Unit::Switch | Unit::Choice(_)));
        let (above, d) = beyond;
        let value = if d.is_nan() { d } else if above { spec.max + d } else { spec.min - d };
        // Validation refuses the raw value (a session file holding it does not load).
        let mut raw = base.clone();
        set_raw(&mut raw, &key, value);
        let mut rig = Rig::new(base.clone());
        let refused = rig.session.apply(&Edit::SetInsertParams {
            strip: StripId::Track(rig.track),
            insert: rig.insert,
            params: raw.clone(),
        });
        prop_assert!(refused.is_err(), "{} = {} was accepted", key, value);
        // The table clamps it to the range edge (NaN to the default)...
        let mut through_table = base.clone();
        let stored = through_table.set(&key, value).expect("known key");
        let expected = if d.is_nan() { spec.clamp(spec.default) }
            else if above { spec.max } else { spec.min };
        prop_assert_eq!(stored, expected);
        // ...and the DSP, given the raw value, plays exactly what the table stored.
        prop_assert_eq!(dsp_output(&raw), dsp_output(&through_table));
    }
}

/// Writes `value` into a parameter without clamping (what a hand-edited file could hold).
fn set_raw(params: &mut EffectParams, key: &str, value: f32) {
    use stemdesk_dsp::params::*;
    let band_field = |key: &str| -> Option<(usize, String)> {
        let rest = key.strip_prefix("band")?;
        let (n, f) = rest.split_once('.')?;
        Some((n.parse::<usize>().ok()? - 1, f.to_string()))
    };
    match params {
        EffectParams::Eq(eq) => {
            let (i, f) = band_field(key).expect("band key");
            let b = &mut eq.bands[i];
            match f.as_str() {
                "freq_hz" => b.freq_hz = value,
                "gain_db" => b.gain_db = value,
                "q" => b.q = value,
                // Switches and choices cannot hold an out-of-range value in a session.
                _ => {}
            }
        }
        EffectParams::Compressor(c) => match key {
            "lookahead_ms" => c.lookahead_ms = value,
            "sidechain_hpf_hz" => c.sidechain_hpf_hz = value,
            "mix" => c.mix = value,
            "threshold_db" => c.threshold_db = value,
            "ratio" => c.ratio = value,
            "knee_db" => c.knee_db = value,
            "attack_ms" => c.attack_ms = value,
            "release_ms" => c.release_ms = value,
            "makeup_db" => c.makeup_db = value,
            _ => {}
        },
        EffectParams::Gate(g) => match key {
            "threshold_db" => g.threshold_db = value,
            "range_db" => g.range_db = value,
            "attack_ms" => g.attack_ms = value,
            "hold_ms" => g.hold_ms = value,
            "release_ms" => g.release_ms = value,
            "hysteresis_db" => g.hysteresis_db = value,
            "key_hpf_hz" => g.key_hpf_hz = value,
            "key_lpf_hz" => g.key_lpf_hz = value,
            _ => {}
        },
        EffectParams::Reverb(r) => match key {
            "predelay_ms" => r.predelay_ms = value,
            "decay_s" => r.decay_s = value,
            "size" => r.size = value,
            "damping" => r.damping = value,
            "width" => r.width = value,
            "mix" => r.mix = value,
            _ => {}
        },
        EffectParams::Delay(d) => match key {
            "time_ms" => d.time_ms = value,
            "feedback" => d.feedback = value,
            "low_cut_hz" => d.low_cut_hz = value,
            "high_cut_hz" => d.high_cut_hz = value,
            "mix" => d.mix = value,
            _ => {}
        },
        EffectParams::Saturation(s) => match key {
            "drive_db" => s.drive_db = value,
            "tone_db" => s.tone_db = value,
            "mix" => s.mix = value,
            "output_db" => s.output_db = value,
            _ => {}
        },
        EffectParams::Limiter(l) => match key {
            "gain_db" => l.gain_db = value,
            "ceiling_db" => l.ceiling_db = value,
            "release_ms" => l.release_ms = value,
            _ => {}
        },
    }
}
