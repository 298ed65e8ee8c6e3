//! Automation lanes: a parameter (by stable ID) following breakpoints over time.
//!
//! [`AutomationLane::value_at`] is the one definition of what a lane means: the engine
//! evaluates it on its control grid and the desk draws the curve with it, so what is drawn
//! is what plays.

use serde::{Deserialize, Serialize};

use stemdesk_dsp::ParamSpec;

use crate::ids::{InsertId, LaneId, SendId, StripId};

/// A parameter that can be changed live and automated, addressed by stable IDs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ParamId {
    /// The strip that owns the parameter.
    pub strip: StripId,
    /// Which of the strip's parameters.
    pub param: StripParam,
}

/// A parameter of a strip.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StripParam {
    /// Fader gain in dB.
    GainDb,
    /// Pan -1..1.
    Pan,
    /// Stereo width 0..2.
    Width,
    /// Mute: on from 0.5 (solo still silences a strip whatever its lane says).
    Mute,
    /// A send's level in dB.
    SendLevelDb(SendId),
    /// A parameter of an insert effect, named by its stable key (e.g. `"threshold_db"`,
    /// `"band2.gain_db"`). Keys are the parameter's identity on disk, like plugin
    /// parameter IDs: field names in code may change, keys may not.
    Insert {
        /// The insert slot.
        insert: InsertId,
        /// The parameter key.
        key: String,
    },
}

/// What a strip's lanes do while the song plays, as in REAPER, Ardour and Logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum AutomationMode {
    /// Lanes are kept but not played: the static values sound.
    Off,
    /// Lanes play; moving a control changes the static value only.
    #[default]
    Read,
    /// Lanes play; a control held while playing writes, and the lane takes over again
    /// (with a short glide) when it is let go.
    Touch,
    /// Like Touch, but once touched the control keeps writing its last value until the
    /// transport stops.
    Latch,
    /// From play to stop, every lane of the strip is overwritten with its control's
    /// value.
    Write,
    /// A control held while playing offsets the existing lane by how far it moved.
    Trim,
}

impl AutomationMode {
    /// Every mode, in the order the desk lists them.
    pub const ALL: [AutomationMode; 6] = [
        AutomationMode::Off,
        AutomationMode::Read,
        AutomationMode::Touch,
        AutomationMode::Latch,
        AutomationMode::Write,
        AutomationMode::Trim,
    ];

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            AutomationMode::Off => "Off",
            AutomationMode::Read => "Read",
            AutomationMode::Touch => "Touch",
            AutomationMode::Latch => "Latch",
            AutomationMode::Write => "Write",
            AutomationMode::Trim => "Trim",
        }
    }

    /// Whether moving a control while playing writes automation.
    pub fn records(self) -> bool {
        !matches!(self, AutomationMode::Off | AutomationMode::Read)
    }
}

/// How the value moves from one breakpoint to the next.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum CurveShape {
    /// Straight line.
    #[default]
    Linear,
    /// Holds the value until the next breakpoint.
    Step,
    /// Smooth S-curve (raised cosine).
    Smooth,
    /// Exponential (tension > 0: slow start, fast end) or logarithmic (tension < 0: fast
    /// start, slow end) bend; tension -1..1, 0 is a straight line.
    Bend {
        /// How strongly the segment bends, -1..1.
        tension: f32,
    },
}

/// The steepness of a [`CurveShape::Bend`] at tension 1: `exp(k x)` with `k` = this.
pub const BEND_MAX_STEEPNESS: f64 = 6.0;

impl CurveShape {
    /// Every shape the desk offers, with tension ±0.5 for the bends.
    pub const MENU: [(CurveShape, &'static str); 5] = [
        (CurveShape::Linear, "Linear"),
        (CurveShape::Step, "Step"),
        (CurveShape::Smooth, "S-curve"),
        (CurveShape::Bend { tension: 0.5 }, "Exponential"),
        (CurveShape::Bend { tension: -0.5 }, "Logarithmic"),
    ];

    /// Where a segment of this shape is at fraction `x` (0..1) of its length, as a
    /// fraction of the way from its start value to its end value.
    pub fn progress(self, x: f64) -> f64 {
        match self {
            CurveShape::Linear => x,
            CurveShape::Step => 0.0,
            CurveShape::Smooth => 0.5 - 0.5 * (x * std::f64::consts::PI).cos(),
            CurveShape::Bend { tension } => {
                let k = BEND_MAX_STEEPNESS * f64::from(tension.clamp(-1.0, 1.0));
                if k.abs() < 1e-6 {
                    x
                } else {
                    (k * x).exp_m1() / k.exp_m1()
                }
            }
        }
    }

    /// Whether a stored shape is one a session may hold (a bend's tension in -1..1).
    pub fn is_valid(self) -> bool {
        match self {
            CurveShape::Bend { tension } => (-1.0..=1.0).contains(&tension),
            _ => true,
        }
    }
}

/// One breakpoint.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Breakpoint {
    /// Timeline position in frames.
    pub time_frames: u64,
    /// Parameter value in the parameter's own unit.
    pub value: f32,
    /// Shape of the segment that starts here.
    #[serde(default)]
    pub curve: CurveShape,
}

/// A lane of breakpoints for one parameter, sorted by time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationLane {
    /// Stable ID.
    pub id: LaneId,
    /// The automated parameter.
    pub target: ParamId,
    /// A disabled lane is kept but not played.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Breakpoints sorted by `time_frames`.
    pub points: Vec<Breakpoint>,
}

fn yes() -> bool {
    true
}

impl crate::model::Session {
    /// The table entry of an automatable parameter: its range, unit and smoothing. `None`
    /// when the target does not exist (a removed insert or send) or cannot be automated
    /// (switches, choices, unknown keys).
    pub fn param_spec(&self, id: &ParamId) -> Option<&'static ParamSpec> {
        use stemdesk_dsp::param_table::strip;
        let spec = match &id.param {
            StripParam::GainDb => &strip::GAIN_DB,
            StripParam::Pan => &strip::PAN,
            StripParam::Width if id.strip != StripId::Master => &strip::WIDTH,
            StripParam::Width => return None,
            StripParam::Mute => &strip::MUTE,
            StripParam::SendLevelDb(send) => {
                self.strip(id.strip)?.sends.iter().find(|s| s.id == *send)?;
                &strip::SEND_LEVEL_DB
            }
            StripParam::Insert { insert, key } => self
                .inserts(id.strip)?
                .iter()
                .find(|i| i.id == *insert)?
                .effect
                .spec(key)?,
        };
        spec.automatable.then_some(spec)
    }
}

impl crate::model::Session {
    /// The automation mode of `strip` (Read unless set).
    pub fn automation_mode(&self, strip: StripId) -> AutomationMode {
        self.automation_modes
            .get(&strip)
            .copied()
            .unwrap_or_default()
    }

    /// The parameter's static value (what plays when no lane is on).
    pub fn param_value(&self, id: &ParamId) -> Option<f32> {
        let strip = if id.strip == StripId::Master {
            None
        } else {
            Some(self.strip(id.strip)?)
        };
        let m = &self.master;
        Some(match &id.param {
            StripParam::GainDb => strip.map_or(m.gain_db, |s| s.gain_db),
            StripParam::Pan => strip.map_or(m.pan, |s| s.pan),
            StripParam::Width => strip?.width,
            StripParam::Mute => {
                if strip.map_or(m.mute, |s| s.mute) {
                    1.0
                } else {
                    0.0
                }
            }
            StripParam::SendLevelDb(send) => strip?.sends.iter().find(|s| s.id == *send)?.level_db,
            StripParam::Insert { insert, key } => self
                .inserts(id.strip)?
                .iter()
                .find(|i| i.id == *insert)?
                .effect
                .get(key)?,
        })
    }

    /// Every parameter of `strip` a lane may drive, in the order the desk lists them:
    /// fader, pan, width, each send, then each insert's automatable parameters.
    pub fn automatable_params(&self, strip: StripId) -> Vec<ParamId> {
        let at = |param| ParamId { strip, param };
        let mut out = vec![at(StripParam::GainDb), at(StripParam::Pan)];
        if strip != StripId::Master {
            out.push(at(StripParam::Width));
        }
        out.push(at(StripParam::Mute));
        if let Some(s) = self.strip(strip).filter(|_| strip != StripId::Master) {
            out.extend(s.sends.iter().map(|x| at(StripParam::SendLevelDb(x.id))));
        }
        for insert in self.inserts(strip).into_iter().flatten() {
            out.extend(
                insert
                    .effect
                    .params()
                    .into_iter()
                    .filter(|(_, spec)| spec.automatable)
                    .map(|(key, _)| {
                        at(StripParam::Insert {
                            insert: insert.id,
                            key,
                        })
                    }),
            );
        }
        out.retain(|p| self.param_spec(p).is_some());
        out
    }

    /// What the desk calls the parameter: "Fader", "Send to Reverb", "EQ 1: Band 2
    /// Frequency" (inserts by slot number and kind).
    pub fn param_name(&self, id: &ParamId) -> String {
        match &id.param {
            StripParam::GainDb => "Fader".into(),
            StripParam::Pan => "Pan".into(),
            StripParam::Width => "Width".into(),
            StripParam::Mute => "Mute".into(),
            StripParam::SendLevelDb(send) => {
                let target = self
                    .strip(id.strip)
                    .and_then(|s| s.sends.iter().find(|x| x.id == *send))
                    .and_then(|x| self.bus(x.target))
                    .map(|b| b.name.clone());
                format!("Send to {}", target.as_deref().unwrap_or("?"))
            }
            StripParam::Insert { insert, key } => {
                let inserts = self.inserts(id.strip);
                let slot = inserts.and_then(|v| v.iter().position(|i| i.id == *insert));
                let (Some(slot), Some(inserts)) = (slot, inserts) else {
                    return key.clone();
                };
                let effect = &inserts[slot].effect;
                let what = effect.spec(key).map_or(key.as_str(), |s| s.name);
                let band = key
                    .strip_prefix("band")
                    .and_then(|r| r.split_once('.'))
                    .map(|(n, _)| format!("Band {n} "))
                    .unwrap_or_default();
                format!("{} {}: {band}{what}", effect.kind().name(), slot + 1)
            }
        }
    }
}

fn linear_point(time_frames: u64, value: f32) -> Breakpoint {
    Breakpoint {
        time_frames,
        value,
        curve: CurveShape::Linear,
    }
}

/// Drops points a straight line through their neighbours already gives, keeping the
/// first and the last: what is left plays within `max_error` of the original lane at
/// every original point and in between (Ramer-Douglas-Peucker over linear segments).
/// `measure` maps a value to the scale the error is judged on (the lane's display scale,
/// so a frequency error counts in octaves, not Hz).
pub fn thin(
    points: &[Breakpoint],
    max_error: f32,
    measure: impl Fn(f32) -> f32 + Copy,
) -> Vec<Breakpoint> {
    if points.len() <= 2 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut spans = vec![(0, points.len() - 1)];
    while let Some((a, b)) = spans.pop() {
        let segment = AutomationLane {
            id: LaneId(0),
            target: ParamId {
                strip: StripId::Master,
                param: StripParam::GainDb,
            },
            enabled: true,
            points: vec![
                Breakpoint {
                    curve: CurveShape::Linear,
                    ..points[a]
                },
                points[b],
            ],
        };
        let worst = (a + 1..b)
            .map(|i| {
                let p = points[i];
                let on_line = segment.value_at(p.time_frames).unwrap_or(p.value);
                (i, (measure(on_line) - measure(p.value)).abs())
            })
            .max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((i, error)) = worst
            && error > max_error
        {
            keep[i] = true;
            spans.push((a, i));
            spans.push((i, b));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| Breakpoint {
            curve: CurveShape::Linear,
            ..*p
        })
        .collect()
}

impl AutomationLane {
    /// The lane's value at `time_frames`, or `None` when the lane has no points.
    pub fn value_at(&self, time_frames: u64) -> Option<f32> {
        let first = self.points.first()?;
        if time_frames < first.time_frames {
            return Some(first.value);
        }
        let next_index = self
            .points
            .partition_point(|p| p.time_frames <= time_frames);
        let a = self.points[next_index - 1];
        let Some(b) = self.points.get(next_index) else {
            return Some(a.value);
        };
        let span = (b.time_frames - a.time_frames) as f64;
        let x = (time_frames - a.time_frames) as f64 / span;
        let (from, to) = (f64::from(a.value), f64::from(b.value));
        Some((from + (to - from) * a.curve.progress(x)) as f32)
    }

    /// The lane with `[from, to]` replaced by `points` (sorted, within the span), the
    /// curve outside the span kept: the old value is pinned at both ends (a jump where
    /// the new points differ), and a curved segment cut by an end is traced by straight
    /// pieces within `max_error` on `measure`'s scale. What pencil, paste and recording
    /// use.
    pub fn splice(
        &self,
        from: u64,
        to: u64,
        points: &[Breakpoint],
        max_error: f32,
        measure: impl Fn(f32) -> f32 + Copy,
    ) -> AutomationLane {
        let curved = |p: &Breakpoint| !matches!(p.curve, CurveShape::Linear | CurveShape::Step);
        let mut out: Vec<Breakpoint> = self
            .points
            .iter()
            .filter(|p| p.time_frames < from)
            .copied()
            .collect();
        // The segment running into `from`, traced up to it.
        if let Some(last) = out.last().copied()
            && curved(&last)
        {
            out.pop();
            out.extend(self.trace(last.time_frames, from, max_error, measure));
        }
        if let Some(v) = self.value_at(from).filter(|_| from > 0)
            && points
                .first()
                .is_none_or(|p| p.time_frames > from || p.value != v)
        {
            out.push(linear_point(from, v));
        }
        out.extend(points.iter().copied());
        if let Some(v) = self.value_at(to) {
            // From `to` on, the old lane: its segment across `to` traced from there.
            let across = self.points.iter().rev().find(|p| p.time_frames <= to);
            let next = self.points.iter().find(|p| p.time_frames > to);
            match (across, next) {
                (Some(a), Some(n)) if curved(a) => {
                    out.extend(self.trace(to, n.time_frames, max_error, measure));
                }
                (Some(a), _) if a.curve == CurveShape::Step => out.push(Breakpoint {
                    curve: CurveShape::Step,
                    ..linear_point(to, v)
                }),
                _ => out.push(linear_point(to, v)),
            }
            out.extend(self.points.iter().filter(|p| p.time_frames > to).copied());
        }
        AutomationLane {
            points: out,
            ..self.clone()
        }
    }

    /// The lane's curve over `[a, b)` as straight pieces within `max_error`.
    fn trace(
        &self,
        a: u64,
        b: u64,
        max_error: f32,
        measure: impl Fn(f32) -> f32 + Copy,
    ) -> Vec<Breakpoint> {
        const STEPS: u64 = 64;
        let span = b.saturating_sub(a);
        let mut samples: Vec<Breakpoint> = (0..=STEPS)
            .map(|k| a + span * k / STEPS)
            .filter_map(|t| Some(linear_point(t, self.value_at(t.min(b.saturating_sub(1)))?)))
            .collect();
        samples.dedup_by_key(|p| p.time_frames);
        let mut traced = thin(&samples, max_error, measure);
        // The point at `b` is the lane's own (or the splice's).
        traced.pop();
        traced
    }

    /// Index of the first point at or after `time_frames`.
    pub fn index_at(&self, time_frames: u64) -> usize {
        self.points.partition_point(|p| p.time_frames < time_frames)
    }

    /// Puts `point` in its place by time (after any point at the same time, so a jump can
    /// be drawn as two points at one time); returns its index.
    pub fn insert_point(&mut self, point: Breakpoint) -> usize {
        let i = self
            .points
            .partition_point(|p| p.time_frames <= point.time_frames);
        self.points.insert(i, point);
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::StripId;

    fn lane(points: &[(u64, f32, CurveShape)]) -> AutomationLane {
        AutomationLane {
            id: LaneId(1),
            target: ParamId {
                strip: StripId::Master,
                param: StripParam::GainDb,
            },
            enabled: true,
            points: points
                .iter()
                .map(|&(time_frames, value, curve)| Breakpoint {
                    time_frames,
                    value,
                    curve,
                })
                .collect(),
        }
    }

    #[test]
    fn interpolates_between_breakpoints_by_shape() {
        let l = lane(&[
            (100, 0.0, CurveShape::Linear),
            (200, 10.0, CurveShape::Step),
            (300, 20.0, CurveShape::Smooth),
            (400, 0.0, CurveShape::Linear),
        ]);
        assert_eq!(l.value_at(0), Some(0.0));
        assert_eq!(l.value_at(150), Some(5.0));
        assert_eq!(l.value_at(250), Some(10.0));
        assert_eq!(l.value_at(350), Some(10.0));
        assert_eq!(l.value_at(1000), Some(0.0));
        assert_eq!(lane(&[]).value_at(5), None);
    }

    /// Every shape against its formula, at every frame of a 1000-frame segment from -30
    /// to +6 dB.
    #[test]
    fn every_shape_follows_its_formula() {
        type Formula = fn(f64) -> f64;
        let formulas: [(CurveShape, Formula); 6] = [
            (CurveShape::Linear, |x| x),
            (CurveShape::Step, |_| 0.0),
            (CurveShape::Smooth, |x| {
                (1.0 - (std::f64::consts::PI * x).cos()) / 2.0
            }),
            (CurveShape::Bend { tension: 1.0 }, |x| {
                ((6.0 * x).exp() - 1.0) / (6.0f64.exp() - 1.0)
            }),
            (CurveShape::Bend { tension: -0.5 }, |x| {
                ((-3.0 * x).exp() - 1.0) / ((-3.0f64).exp() - 1.0)
            }),
            (CurveShape::Bend { tension: 0.0 }, |x| x),
        ];
        for (shape, f) in formulas {
            let l = lane(&[(1000, -30.0, shape), (2000, 6.0, CurveShape::Linear)]);
            for t in 1000..=2000u64 {
                let x = (t - 1000) as f64 / 1000.0;
                let want = if t == 2000 { 6.0 } else { -30.0 + 36.0 * f(x) };
                let got = f64::from(l.value_at(t).expect("points"));
                assert!(
                    (got - want).abs() < 1e-4,
                    "{shape:?} at {t}: {got} vs {want}"
                );
            }
        }
        // A bend is monotonic and bends the promised way.
        let exp = CurveShape::Bend { tension: 0.5 };
        let log = CurveShape::Bend { tension: -0.5 };
        assert!(exp.progress(0.5) < 0.5 && log.progress(0.5) > 0.5);
        assert!(!CurveShape::Bend { tension: 1.5 }.is_valid());
        assert!(!CurveShape::Bend { tension: f32::NAN }.is_valid());
    }

    /// A drawn sine (one point per 10 ms) thinned to 0.1 dB plays within 0.1 dB of the
    /// drawing at every frame, with far fewer points.
    #[test]
    fn thinning_keeps_the_curve_within_the_stated_error() {
        let drawn: Vec<(u64, f32, CurveShape)> = (0..=300)
            .map(|i| {
                let t = i as f32 / 100.0;
                (i * 480, -12.0 + 6.0 * (t * 2.0).sin(), CurveShape::Linear)
            })
            .collect();
        let original = lane(&drawn);
        let thinned = lane(&[]);
        let thinned = AutomationLane {
            points: thin(&original.points, 0.1, |v| v),
            ..thinned
        };
        assert!(
            thinned.points.len() < original.points.len() / 4,
            "{} of {} points kept",
            thinned.points.len(),
            original.points.len()
        );
        assert_eq!(thinned.points.first(), original.points.first());
        assert_eq!(thinned.points.last(), original.points.last());
        let worst = (0..=144_000u64)
            .map(|t| {
                let a = original.value_at(t).unwrap_or_default();
                let b = thinned.value_at(t).unwrap_or_default();
                (a - b).abs()
            })
            .fold(0.0f32, f32::max);
        assert!(worst <= 0.1 + 1e-4, "worst deviation {worst} dB");
        let flat = lane(&[
            (0, 1.0, CurveShape::Linear),
            (10, 1.0, CurveShape::Linear),
            (20, 1.0, CurveShape::Linear),
        ]);
        assert_eq!(thin(&flat.points, 0.01, |v| v).len(), 2);
    }

    /// Splicing into curved segments keeps the curve outside the span within the error;
    /// inside, the new points play.
    #[test]
    fn a_splice_keeps_the_curve_around_it() {
        for shape in [
            CurveShape::Smooth,
            CurveShape::Bend { tension: 0.8 },
            CurveShape::Linear,
            CurveShape::Step,
        ] {
            let old = lane(&[(0, 0.0, shape), (10_000, 10.0, shape), (20_000, 0.0, shape)]);
            let new = [Breakpoint {
                time_frames: 4_000,
                value: 5.0,
                curve: CurveShape::Linear,
            }];
            let out = old.splice(3_000, 6_000, &new, 0.01, |v| v);
            let sorted = out
                .points
                .windows(2)
                .all(|w| w[0].time_frames <= w[1].time_frames);
            assert!(sorted, "{shape:?}: {:?}", out.points);
            for t in (0..3_000).chain(6_000..25_000) {
                let (a, b) = (
                    old.value_at(t).unwrap_or(0.0),
                    out.value_at(t).unwrap_or(0.0),
                );
                assert!((a - b).abs() <= 0.011, "{shape:?} at {t}: {a} vs {b}");
            }
            assert_eq!(out.value_at(4_000), Some(5.0), "{shape:?}");
        }
    }

    #[test]
    fn points_go_in_by_time_and_a_jump_keeps_both() {
        let mut l = lane(&[
            (100, 0.0, CurveShape::Linear),
            (300, 1.0, CurveShape::Linear),
        ]);
        let at = |t, value| Breakpoint {
            time_frames: t,
            value,
            curve: CurveShape::Linear,
        };
        assert_eq!(l.insert_point(at(200, 0.5)), 1);
        assert_eq!(l.insert_point(at(200, 0.9)), 2);
        assert_eq!(l.index_at(200), 1);
        assert_eq!(
            l.value_at(200),
            Some(0.9),
            "the later of two points at one time wins"
        );
        let before = l.value_at(199).expect("points");
        assert!((before - 0.495).abs() < 1e-6, "{before}");
    }
}
