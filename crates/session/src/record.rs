//! Writing automation from a control moved while the song plays (Touch, Latch, Write,
//! Trim), as pure bookkeeping: the desk feeds a [`LaneRecorder`] the transport position
//! and the control's moves, and gets back the lane to store.
//!
//! What is written is thinned with [`thin`] to within a stated deviation, measured on the
//! lane's display scale (the caller's `measure`), so a recorded move sounds as made with
//! a handful of points instead of one per screen frame.

use stemdesk_dsp::ParamSpec;

use crate::automation::{AutomationLane, AutomationMode, Breakpoint, CurveShape, thin};

/// How long, after a control is let go in Touch or Trim, the lane takes to glide from the
/// written value back to what it held before.
pub const GLIDE_BACK_MS: f64 = 100.0;

/// A written pass is thinned to within this deviation on the lane's display scale (0..1:
/// 0.5 % of the lane's height, about 0.1 dB near 0 dB on the fader's scale).
pub const RECORD_TOLERANCE: f32 = 0.005;

/// Records one parameter's lane through one pass of the transport.
#[derive(Debug, Clone)]
pub struct LaneRecorder {
    mode: AutomationMode,
    /// The lane as it was before the span being written.
    original: AutomationLane,
    glide_frames: u64,
    /// Where the control is now; in Trim, how far it moved the lane (the offset).
    control: f32,
    /// The control is held.
    touched: bool,
    /// The span being written: where it began and what was written, (frame, value);
    /// Trim writes offsets.
    span: Option<(u64, Vec<(u64, f32)>)>,
    spec: &'static ParamSpec,
    measure: Measure,
}

/// Maps a parameter's value to the lane's display scale (0..1), where thinning judges
/// its error.
pub type Measure = fn(&ParamSpec, f32) -> f32;

impl LaneRecorder {
    /// Starts recording `original` (a lane with at least the parameter's current value as
    /// its first point; `spec` is its parameter) at transport frame `start`. `measure` maps
    /// a value to the lane's display scale for thinning. Write starts writing at once,
    /// the control resting at the lane's value.
    pub fn new(
        mode: AutomationMode,
        original: AutomationLane,
        spec: &'static ParamSpec,
        start: u64,
        sample_rate_hz: u32,
        measure: Measure,
    ) -> Self {
        let control = match mode {
            AutomationMode::Trim => 0.0,
            _ => original.value_at(start).unwrap_or_default(),
        };
        LaneRecorder {
            mode,
            original,
            glide_frames: (GLIDE_BACK_MS * 1e-3 * f64::from(sample_rate_hz)).round() as u64,
            control,
            touched: false,
            span: (mode == AutomationMode::Write).then(|| (start, vec![(start, control)])),
            spec,
            measure,
        }
    }

    /// The mode this recorder writes in.
    pub fn mode(&self) -> AutomationMode {
        self.mode
    }

    /// Whether the control is held.
    pub fn is_touched(&self) -> bool {
        self.touched
    }

    /// Whether a span is being written (what is heard is the control, not the lane).
    pub fn is_writing(&self) -> bool {
        self.span.is_some()
    }

    /// The value to be heard (and shown) at `frame` while writing: the control, or in
    /// Trim the lane moved by the control's offset.
    pub fn heard_at(&self, frame: u64) -> f32 {
        match self.mode {
            AutomationMode::Trim => {
                let lane = self.original.value_at(frame).unwrap_or_default();
                self.spec.clamp(lane + self.control)
            }
            _ => self.control,
        }
    }

    /// The control was set to `value` at `frame` (taking hold of it if it was not held).
    /// In Trim, `value` is what the user wants to hear now: the offset is its distance
    /// from the lane.
    pub fn moved(&mut self, frame: u64, value: f32) {
        self.control = match self.mode {
            AutomationMode::Trim => value - self.original.value_at(frame).unwrap_or(value),
            _ => value,
        };
        if !self.touched {
            self.touched = true;
            if self.span.is_none() && self.mode.records() {
                self.span = Some((frame, Vec::new()));
            }
        }
        self.write(frame);
    }

    /// The transport is at `frame`: a span being written gets the held value.
    pub fn tick(&mut self, frame: u64) {
        self.write(frame);
    }

    fn write(&mut self, frame: u64) {
        let value = self.control;
        if let Some((_, samples)) = self.span.as_mut() {
            match samples.last_mut() {
                Some(last) if frame < last.0 => {}
                Some(last) if frame == last.0 => last.1 = value,
                _ => samples.push((frame, value)),
            }
        }
    }

    /// The control was let go at `frame`. Touch and Trim end their span here and return
    /// the lane with it written (gliding back to the old lane); Latch and Write keep
    /// writing until [`LaneRecorder::finish`].
    pub fn release(&mut self, frame: u64) -> Option<AutomationLane> {
        self.write(frame);
        self.touched = false;
        match self.mode {
            AutomationMode::Touch | AutomationMode::Trim => self.end_span(frame, true),
            _ => None,
        }
    }

    /// The transport stopped at `frame`: the lane with what is being written, if any.
    pub fn finish(&mut self, frame: u64) -> Option<AutomationLane> {
        self.write(frame);
        self.touched = false;
        let glide = matches!(self.mode, AutomationMode::Touch | AutomationMode::Trim);
        self.end_span(frame, glide)
    }

    /// Splices the span into the lane, which becomes the new original.
    fn end_span(&mut self, end: u64, glide: bool) -> Option<AutomationLane> {
        let (start, samples) = self.span.take()?;
        // Never before what was written (a transport that jumped back).
        let end = samples.last().map_or(end, |s| end.max(s.0)).max(start);
        let original = &self.original;
        let before = |t: u64| original.value_at(t);
        let trim = self.mode == AutomationMode::Trim;
        let written: Vec<Breakpoint> = if trim {
            // Offsets applied to the lane at the written times and at its own points.
            let offsets = line(&samples);
            let mut times: Vec<u64> = samples.iter().map(|s| s.0).collect();
            times.extend(
                original
                    .points
                    .iter()
                    .map(|p| p.time_frames)
                    .filter(|t| (start..=end).contains(t)),
            );
            times.sort_unstable();
            times.dedup();
            times
                .into_iter()
                .map(|t| Breakpoint {
                    time_frames: t,
                    value: self.spec.clamp(
                        before(t).unwrap_or_default() + offsets.value_at(t).unwrap_or_default(),
                    ),
                    curve: CurveShape::Linear,
                })
                .collect()
        } else {
            line(&samples).points
        };
        let (spec, measure) = (self.spec, self.measure);
        let on_scale = move |v| measure(spec, v);
        let written = thin(&written, RECORD_TOLERANCE, on_scale);
        // Back to the old lane after the span: gliding after Touch and Trim, at once (the
        // next frame) after a stop.
        let resume = end + if glide { self.glide_frames } else { 1 };
        let lane = original.splice(start, resume, &written, RECORD_TOLERANCE, on_scale);
        self.original = lane.clone();
        if self.mode == AutomationMode::Trim {
            self.control = 0.0;
        }
        Some(lane)
    }
}

fn point(time_frames: u64, value: f32) -> Breakpoint {
    Breakpoint {
        time_frames,
        value,
        curve: CurveShape::Linear,
    }
}

/// Samples as a lane of straight segments.
fn line(samples: &[(u64, f32)]) -> AutomationLane {
    AutomationLane {
        id: crate::ids::LaneId(0),
        target: crate::automation::ParamId {
            strip: crate::ids::StripId::Master,
            param: crate::automation::StripParam::GainDb,
        },
        enabled: true,
        points: samples.iter().map(|&(t, v)| point(t, v)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automation::{ParamId, StripParam};
    use crate::ids::{LaneId, StripId};

    const RATE: u32 = 48_000;
    const GLIDE: u64 = 4_800;

    fn flat(value: f32) -> AutomationLane {
        AutomationLane {
            id: LaneId(7),
            target: ParamId {
                strip: StripId::Master,
                param: StripParam::GainDb,
            },
            enabled: true,
            points: vec![point(0, value)],
        }
    }

    /// The measure used here: dB over a 0..1 scale of 100 dB.
    fn measure(v: f32) -> f32 {
        v / 100.0
    }

    fn recorder(mode: AutomationMode, lane: AutomationLane) -> LaneRecorder {
        let gain = &stemdesk_dsp::param_table::strip::GAIN_DB;
        LaneRecorder::new(mode, lane, gain, 0, RATE, |_, v| measure(v))
    }

    /// A fader ride: from frame 48 000 to 96 000, the control goes from -6 to -16 dB in a
    /// straight line, one move per 800 frames (a 60 Hz GUI), then is let go.
    fn ride(r: &mut LaneRecorder) {
        for k in 0..=60u64 {
            let t = 48_000 + k * 800;
            r.moved(t, -6.0 - k as f32 / 6.0);
        }
    }

    fn within(lane: &AutomationLane, t: u64, want: f32) {
        let got = lane.value_at(t).expect("points");
        assert!(
            (measure(got) - measure(want)).abs() <= RECORD_TOLERANCE + 1e-6,
            "at {t}: {got} vs {want}"
        );
    }

    #[test]
    fn touch_writes_while_held_and_glides_back() {
        let mut r = recorder(AutomationMode::Touch, flat(-6.0));
        r.tick(24_000);
        assert!(
            !r.is_writing(),
            "nothing is written before the control is held"
        );
        ride(&mut r);
        assert!(r.is_writing());
        let lane = r.release(96_000).expect("a span was written");
        within(&lane, 30_000, -6.0);
        within(&lane, 72_000, -11.0);
        within(&lane, 96_000, -16.0);
        within(&lane, 96_000 + GLIDE / 2, -11.0);
        within(&lane, 96_000 + GLIDE, -6.0);
        within(&lane, 200_000, -6.0);
        assert!(lane.points.len() <= 6, "thinned: {:?}", lane.points);
        assert!(r.finish(150_000).is_none(), "nothing more to write");
    }

    #[test]
    fn latch_keeps_the_last_value_until_stop() {
        let mut r = recorder(AutomationMode::Latch, flat(-6.0));
        ride(&mut r);
        assert!(
            r.release(96_000).is_none(),
            "a release does not end a latch"
        );
        for t in (96_000..=144_000).step_by(800) {
            r.tick(t);
        }
        let lane = r.finish(144_000).expect("written");
        within(&lane, 120_000, -16.0);
        within(&lane, 144_000, -16.0);
        within(&lane, 144_001, -6.0);
        within(&lane, 40_000, -6.0);
    }

    #[test]
    fn write_overwrites_from_play_to_stop() {
        let mut lane = flat(-6.0);
        lane.points.push(point(60_000, -30.0));
        lane.points.push(point(200_000, -30.0));
        let mut r = recorder(AutomationMode::Write, lane);
        for t in (0..48_000).step_by(800) {
            r.tick(t);
        }
        ride(&mut r);
        r.release(96_000);
        for t in (96_000..=120_000).step_by(800) {
            r.tick(t);
        }
        let out = r.finish(120_000).expect("written");
        within(&out, 20_000, -6.0);
        within(&out, 60_000, -8.5);
        within(&out, 110_000, -16.0);
        assert!(
            !out.points
                .iter()
                .any(|p| p.value == -30.0 && p.time_frames == 60_000),
            "the old point inside the pass is gone"
        );
        assert_eq!(
            out.points.last(),
            Some(&point(200_000, -30.0)),
            "later points stay"
        );
    }

    #[test]
    fn trim_offsets_the_lane_by_the_move() {
        // A lane rising from -20 to 0 dB; taken hold of and pulled 3 dB below it.
        let mut lane = flat(-20.0);
        lane.points.push(point(192_000, 0.0));
        let was = |t| lane.value_at(t).expect("points");
        let mut r = recorder(AutomationMode::Trim, lane.clone());
        r.tick(40_000);
        assert!(!r.is_writing());
        r.moved(48_000, was(48_000));
        r.moved(49_000, was(49_000) - 3.0);
        assert!(
            (r.heard_at(60_000) - (was(60_000) - 3.0)).abs() < 1e-4,
            "heard: lane - 3 dB"
        );
        for t in (49_800..=96_000).step_by(800) {
            r.tick(t);
        }
        let out = r.release(96_000).expect("written");
        within(&out, 72_000, was(72_000) - 3.0);
        within(&out, 96_000, was(96_000) - 3.0);
        within(&out, 96_000 + GLIDE, was(96_000 + GLIDE));
        within(&out, 150_000, was(150_000));
        within(&out, 20_000, was(20_000));
        assert_eq!(
            out.points.last(),
            lane.points.last(),
            "the lane's end is kept"
        );
    }

    /// A transport that jumps back (a loop) while writing never yields an unsorted lane:
    /// the span ends at the last frame written.
    #[test]
    fn a_jump_back_while_writing_keeps_the_lane_in_order() {
        let mut r = recorder(AutomationMode::Latch, flat(-6.0));
        r.moved(96_000, -10.0);
        r.tick(120_000);
        r.tick(48_000); // looped back: ignored
        let lane = r.finish(48_000).expect("written");
        assert!(
            lane.points
                .windows(2)
                .all(|w| w[0].time_frames <= w[1].time_frames),
            "{:?}",
            lane.points
        );
        within(&lane, 110_000, -10.0);
        within(&lane, 120_001, -6.0);
    }

    #[test]
    fn every_pass_is_thinned_within_the_stated_deviation() {
        // A wobbly ride, one move per 800 frames; the thinned lane stays within the
        // tolerance of the moves as made (linear between them).
        let mut r = recorder(AutomationMode::Touch, flat(0.0));
        let moves: Vec<(u64, f32)> = (0..=300u64)
            .map(|k| (k * 800, -10.0 + 8.0 * (k as f32 / 20.0).sin()))
            .collect();
        for &(t, v) in &moves {
            r.moved(t, v);
        }
        let lane = r.release(240_000).expect("written");
        let made = line(&moves);
        for t in (0..240_000).step_by(100) {
            within(&lane, t, made.value_at(t).expect("moves"));
        }
        assert!(
            lane.points.len() < moves.len() / 3,
            "{} points",
            lane.points.len()
        );
    }
}
