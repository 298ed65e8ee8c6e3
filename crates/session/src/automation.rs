//! Automation lanes: a parameter (by stable ID) following breakpoints over time.
//!
//! Part of the data model from day one so that sessions written now keep working when
//! drawing and recording automation arrive.

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

/// How the value moves from one breakpoint to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum CurveShape {
    /// Straight line.
    #[default]
    Linear,
    /// Holds the value until the next breakpoint.
    Step,
    /// Smooth S-curve (raised cosine).
    Smooth,
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

impl AutomationLane {
    /// The lane's value at `time_frames`, or `None` when the lane has no points.
    pub fn value_at(&self, time_frames: u64) -> Option<f32> {
        let first = self.points.first()?;
        if time_frames <= first.time_frames {
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
        let x = ((time_frames - a.time_frames) as f64 / span) as f32;
        let shaped = match a.curve {
            CurveShape::Linear => x,
            CurveShape::Step => 0.0,
            CurveShape::Smooth => 0.5 - 0.5 * (x * std::f32::consts::PI).cos(),
        };
        Some(a.value + (b.value - a.value) * shaped)
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
}
