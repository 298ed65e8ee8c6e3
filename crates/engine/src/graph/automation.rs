//! Automation as the engine plays it.
//!
//! Each strip evaluates its lanes with [`AutomationLane::value_at`] (the function the desk
//! draws with) at control points every [`CONTROL_FRAMES`] frames of the *timeline*, and
//! ramps each parameter linearly to the lane's value at the next control point. The
//! points are tied to timeline positions, never to the device block, so the sound is the
//! same at any buffer size and live playback equals the bounce. A gain, pan or width is
//! exact at every control point and linear between them (a straight lane is exact at
//! every sample); an insert parameter is handed to the effect, which glides to it by its
//! own smoothing.

use stemdesk_session::{AutomationLane, AutomationMode, Session, StripId, StripParam};

use super::strip::StripNode;
use stemdesk_session::model::SILENCE_DB;

/// Frames between control points: 1.3 ms at 48 kHz.
pub const CONTROL_FRAMES: u64 = 64;

/// What a lane drives, resolved to the strip's own slots at compile time.
pub(crate) enum LaneTarget {
    Gain,
    Pan,
    Width,
    Mute,
    /// Index into the strip's sends.
    Send(usize),
    /// Index into the strip's inserts and the parameter's key.
    Insert(usize, String),
}

/// One enabled lane with points, on the strip it drives.
pub(crate) struct LaneNode {
    pub(crate) target: LaneTarget,
    pub(crate) lane: AutomationLane,
    /// A control is writing this lane: the values it sends are heard instead.
    pub(crate) suspended: bool,
}

/// The enabled lanes with points that drive `strip` (none when its mode is Off), resolved against its sends and
/// inserts (built after them). Lanes whose target the session no longer has are skipped
/// (validation refuses them anyway).
pub(crate) fn lanes_for(session: &Session, id: StripId, strip: &StripNode) -> Vec<LaneNode> {
    if session.automation_mode(id) == AutomationMode::Off {
        return Vec::new();
    }
    session
        .automation
        .iter()
        .filter(|l| l.target.strip == id && l.enabled && !l.points.is_empty())
        .filter(|l| session.param_spec(&l.target).is_some())
        .filter_map(|l| {
            let target = match &l.target.param {
                StripParam::GainDb => LaneTarget::Gain,
                StripParam::Pan => LaneTarget::Pan,
                StripParam::Width => LaneTarget::Width,
                StripParam::Mute => LaneTarget::Mute,
                StripParam::SendLevelDb(send) => {
                    LaneTarget::Send(strip.sends.iter().position(|s| s.id == *send)?)
                }
                StripParam::Insert { insert, key } => LaneTarget::Insert(
                    strip.inserts.iter().position(|i| i.id == *insert)?,
                    key.clone(),
                ),
            };
            Some(LaneNode {
                target,
                lane: l.clone(),
                suspended: false,
            })
        })
        .collect()
}

impl StripNode {
    /// Brings every automated parameter to where its lanes say for the frames
    /// `[from, to)`: a ramp from the current value that lands on the lane's value at frame
    /// `to - 1`. After a locate (`locate`), first jumps to the lane's value at `from - 1`,
    /// so a block at a new position starts exactly as if played up to it. Never allocates.
    pub(crate) fn automate(&mut self, from: u64, to: u64, locate: bool) {
        let samples = (to - from).max(1) as u32;
        for lane in self.lanes.iter().filter(|l| !l.suspended) {
            let Some(end) = lane.lane.value_at(to.saturating_sub(1)) else {
                continue;
            };
            let start = locate
                .then(|| lane.lane.value_at(from.saturating_sub(1)))
                .flatten();
            match &lane.target {
                LaneTarget::Gain => {
                    if let Some(v) = start {
                        self.fader.snap_to_db(v);
                    }
                    self.fader.ramp_to_db(end, samples);
                }
                LaneTarget::Pan => {
                    if let Some(v) = start {
                        self.panner.snap_to(v);
                    }
                    self.panner.ramp_to(end, samples);
                }
                LaneTarget::Width => {
                    if let Some(v) = start {
                        self.width.snap_to(v.clamp(0.0, 2.0));
                    }
                    self.width.ramp_to(end.clamp(0.0, 2.0), samples);
                }
                LaneTarget::Mute => {
                    // Solo silences the strip whatever the lane says; the mute's own
                    // 20 ms glide keeps a switch from clicking.
                    let muted = end >= 0.5 || self.solo_silenced;
                    let db = if muted { SILENCE_DB } else { 0.0 };
                    if start.is_some() {
                        self.mute.snap_to_db(db);
                    } else {
                        self.mute.set_gain_db(db);
                    }
                }
                LaneTarget::Send(i) => {
                    if let Some(send) = self.sends.get_mut(*i) {
                        if let Some(v) = start {
                            send.level.snap_to_db(v);
                        }
                        send.level.ramp_to_db(end, samples);
                    }
                }
                LaneTarget::Insert(i, key) => {
                    // The key was checked against the effect's table when compiled; the
                    // effect is told only when the value moves.
                    if let Some(insert) = self.inserts.get_mut(*i)
                        && insert.params.get(key) != Some(end)
                        && insert.params.set(key, end).is_ok()
                    {
                        insert.automated = true;
                    }
                }
            }
        }
        // Once per insert, however many of its parameters moved.
        for insert in self.inserts.iter_mut().filter(|i| i.automated) {
            insert.effect.set_params(&insert.params);
            insert.automated = false;
        }
    }
}
