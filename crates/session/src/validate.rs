//! Checks a loaded session so that every later stage can trust it: references resolve,
//! routing is acyclic, and every number is finite and in range.

use std::collections::{HashMap, HashSet};

use stemdesk_dsp::param_table::{ParamSpec, strip as strip_params};
use stemdesk_dsp::params::{EffectParams, MAX_EQ_BANDS};

use crate::automation::{AutomationLane, StripParam};
use crate::edit::Edit;
use crate::ids::{BusId, Output, StripId};
use crate::model::{Insert, MAX_SESSION_S, Session, Strip};

/// One thing wrong with a session, phrased for the person who made it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The sample rate is outside 8 kHz .. 384 kHz.
    #[error("sample rate {0} Hz is not supported (8000 to 384000 Hz)")]
    SampleRate(u32),
    /// Two items share an ID.
    #[error("ID {0} is used more than once")]
    DuplicateId(u32),
    /// An ID is not below `next_id`, so a new item could collide with it.
    #[error("ID {id} is not below next_id {next_id}")]
    IdNotBelowNext {
        /// The offending ID.
        id: u32,
        /// The session's `next_id`.
        next_id: u32,
    },
    /// An output names a bus that does not exist.
    #[error("{strip} outputs to bus #{bus}, which does not exist")]
    UnknownOutputBus {
        /// Who routes there.
        strip: String,
        /// The missing bus ID.
        bus: u32,
    },
    /// A send names a bus that does not exist.
    #[error("{strip} has a send to bus #{bus}, which does not exist")]
    SendToMissingBus {
        /// Who sends.
        strip: String,
        /// The missing bus ID.
        bus: u32,
    },
    /// Buses feed each other in a loop.
    #[error("routing cycle: {0}")]
    RoutingCycle(String),
    /// A number is NaN, infinite or out of range.
    #[error("{what} is {value}, must be within {min} .. {max}")]
    OutOfRange {
        /// Which value (e.g. `track "Bass" fader gain_db`).
        what: String,
        /// The bad value.
        value: f32,
        /// Lowest allowed.
        min: f32,
        /// Highest allowed.
        max: f32,
    },
    /// Something structurally wrong that needs a sentence of its own.
    #[error("{0}")]
    Other(String),
}

/// Returns every problem found (empty = valid).
pub fn validate(session: &Session) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    if !(8_000..=384_000).contains(&session.sample_rate_hz) {
        errors.push(ValidationError::SampleRate(session.sample_rate_hz));
    }
    check_ids(session, &mut errors);
    let bus_ids: HashSet<BusId> = session.buses.iter().map(|b| b.id).collect();
    for t in &session.tracks {
        check_strip(
            session,
            StripId::Track(t.id),
            &t.strip,
            &bus_ids,
            &mut errors,
        );
        for c in &t.clips {
            check_clip(session, t, c, &mut errors);
        }
    }
    for b in &session.buses {
        check_strip(session, StripId::Bus(b.id), &b.strip, &bus_ids, &mut errors);
    }
    let m = &session.master;
    spec_range(
        &mut errors,
        "the master gain_db".into(),
        m.gain_db,
        &strip_params::GAIN_DB,
    );
    spec_range(
        &mut errors,
        "the master pan".into(),
        m.pan,
        &strip_params::PAN,
    );
    check_inserts(&mut errors, "the master", &m.inserts);
    check_sidechains(session, StripId::Master, &m.inserts, &mut errors);
    let d = &session.delivery;
    range(
        &mut errors,
        "delivery max_true_peak_dbtp".into(),
        d.max_true_peak_dbtp,
        -60.0,
        6.0,
    );
    range(
        &mut errors,
        "delivery max_sample_peak_dbfs".into(),
        d.max_sample_peak_dbfs,
        -60.0,
        6.0,
    );
    if let Some(t) = d.target_lufs {
        range(&mut errors, "delivery target_lufs".into(), t, -70.0, 0.0);
    }
    range(
        &mut errors,
        "delivery target_tolerance_lu".into(),
        d.target_tolerance_lu,
        0.0,
        20.0,
    );
    check_cycles(session, &mut errors);
    check_automation(session, &mut errors);
    check_timeline(&session.timeline, session.sample_rate_hz, &mut errors);
    errors
}

/// Checks only what `edit` changes, for edits that change values and nothing else: the
/// new value's range, an effect's settings, a lane's points. `None` for edits that need
/// the whole session validated (anything that adds, removes, moves or re-routes).
pub(crate) fn check_edit(session: &Session, edit: &Edit) -> Option<Result<(), ValidationError>> {
    let mut errors = Vec::new();
    match edit {
        Edit::Rename { .. }
        | Edit::SetColor { .. }
        | Edit::SetMute { .. }
        | Edit::SetSolo { .. }
        | Edit::SetSoloSafe { .. }
        | Edit::SetPolarity { .. }
        | Edit::SetInsertBypass { .. } => {}
        Edit::SetGain { strip, gain_db } => spec_range(
            &mut errors,
            match strip {
                StripId::Master => "the master gain_db".to_string(),
                s => format!("{} fader gain_db", session.strip_name(*s)),
            },
            *gain_db,
            &strip_params::GAIN_DB,
        ),
        Edit::SetPan { strip, pan } => spec_range(
            &mut errors,
            format!("{} pan", session.strip_name(*strip)),
            *pan,
            &strip_params::PAN,
        ),
        Edit::SetWidth { strip, width } => spec_range(
            &mut errors,
            format!("{} width", session.strip_name(*strip)),
            *width,
            &strip_params::WIDTH,
        ),
        Edit::SetSend {
            strip, level_db, ..
        } => spec_range(
            &mut errors,
            format!("{} send level_db", session.strip_name(*strip)),
            *level_db,
            &strip_params::SEND_LEVEL_DB,
        ),
        Edit::SetInsertParams {
            strip,
            insert,
            params,
        } => {
            let slot = session
                .inserts(*strip)
                .and_then(|i| i.iter().position(|i| i.id == *insert))?;
            check_effect(&mut errors, &session.strip_name(*strip), slot, params);
        }
        Edit::SetClipGain { clip, gain_db } => {
            let (track, c) = session.clip(*clip)?;
            spec_range(
                &mut errors,
                format!(
                    "{} clip {} gain_db",
                    session.strip_name(StripId::Track(track.id)),
                    c.source.display()
                ),
                *gain_db,
                &strip_params::CLIP_GAIN_DB,
            );
        }
        Edit::SetClipFades {
            clip,
            fade_in,
            fade_out,
        } => {
            let (track, c) = session.clip(*clip)?;
            let clip = crate::model::Clip {
                fade_in: *fade_in,
                fade_out: *fade_out,
                ..c.clone()
            };
            check_clip(session, track, &clip, &mut errors);
        }
        // Replacing a lane that exists (a new lane takes a new ID: the full check).
        Edit::SetAutomationLane(lane) if session.automation.iter().any(|l| l.id == lane.id) => {
            check_lane(session, lane, &mut errors);
        }
        _ => return None,
    }
    Some(errors.into_iter().next().map_or(Ok(()), Err))
}

/// A clip's own values: gain, length, the one-day limit, fades within the clip.
fn check_clip(
    session: &Session,
    track: &crate::model::Track,
    c: &crate::model::Clip,
    errors: &mut Vec<ValidationError>,
) {
    let who = session.strip_name(StripId::Track(track.id));
    let name = format!("{who} clip {}", c.source.display());
    spec_range(
        errors,
        format!("{name} gain_db"),
        c.gain_db,
        &strip_params::CLIP_GAIN_DB,
    );
    if c.length_frames == 0 {
        errors.push(ValidationError::Other(format!("{name} has zero length")));
    }
    // A session is at most a day long: beyond that a typo or a damaged file would make a
    // bounce write until the disk is full.
    let max_frames = u64::from(session.sample_rate_hz) * MAX_SESSION_S;
    if c.end_frames() > max_frames || c.offset_frames > max_frames {
        errors.push(ValidationError::Other(format!(
            "{name} reaches past {} hours (position {}, offset {}, length {} frames): \
             sessions are at most {} hours long",
            MAX_SESSION_S / 3600,
            c.position_frames,
            c.offset_frames,
            c.length_frames,
            MAX_SESSION_S / 3600
        )));
    }
    if c.fade_in
        .length_frames
        .saturating_add(c.fade_out.length_frames)
        > c.length_frames
    {
        errors.push(ValidationError::Other(format!(
            "{name}: fades ({} + {} frames) are longer than the clip ({} frames)",
            c.fade_in.length_frames, c.fade_out.length_frames, c.length_frames
        )));
    }
}

/// Every stable ID the session uses (tracks, buses, clips, inserts, sends, lanes).
pub(crate) fn all_ids(session: &Session) -> Vec<u32> {
    let mut ids = Vec::new();
    for t in &session.tracks {
        ids.push(t.id.0);
        ids.extend(t.clips.iter().map(|c| c.id.0));
        ids.extend(t.strip.inserts.iter().map(|i| i.id.0));
        ids.extend(t.strip.sends.iter().map(|s| s.id.0));
    }
    for b in &session.buses {
        ids.push(b.id.0);
        ids.extend(b.strip.inserts.iter().map(|i| i.id.0));
        ids.extend(b.strip.sends.iter().map(|s| s.id.0));
    }
    ids.extend(session.master.inserts.iter().map(|i| i.id.0));
    ids.extend(session.automation.iter().map(|l| l.id.0));
    ids.extend(session.timeline.markers.iter().map(|m| m.id.0));
    ids
}

fn check_ids(session: &Session, errors: &mut Vec<ValidationError>) {
    let mut seen = HashSet::new();
    for id in all_ids(session) {
        if !seen.insert(id) {
            errors.push(ValidationError::DuplicateId(id));
        }
        if id >= session.next_id {
            errors.push(ValidationError::IdNotBelowNext {
                id,
                next_id: session.next_id,
            });
        }
    }
}

fn check_strip(
    session: &Session,
    id: StripId,
    strip: &Strip,
    bus_ids: &HashSet<BusId>,
    errors: &mut Vec<ValidationError>,
) {
    let who = session.strip_name(id);
    spec_range(
        errors,
        format!("{who} fader gain_db"),
        strip.gain_db,
        &strip_params::GAIN_DB,
    );
    spec_range(errors, format!("{who} pan"), strip.pan, &strip_params::PAN);
    spec_range(
        errors,
        format!("{who} width"),
        strip.width,
        &strip_params::WIDTH,
    );
    if let Output::Bus(b) = strip.output
        && !bus_ids.contains(&b)
    {
        errors.push(ValidationError::UnknownOutputBus {
            strip: who.clone(),
            bus: b.0,
        });
    }
    for s in &strip.sends {
        if !bus_ids.contains(&s.target) {
            errors.push(ValidationError::SendToMissingBus {
                strip: who.clone(),
                bus: s.target.0,
            });
        }
        spec_range(
            errors,
            format!("{who} send level_db"),
            s.level_db,
            &strip_params::SEND_LEVEL_DB,
        );
    }
    check_inserts(errors, &who, &strip.inserts);
    check_sidechains(session, id, &strip.inserts, errors);
}

/// A sidechain names an existing track or bus other than the insert's own strip.
fn check_sidechains(
    session: &Session,
    owner: StripId,
    inserts: &[Insert],
    errors: &mut Vec<ValidationError>,
) {
    for (slot, insert) in inserts.iter().enumerate() {
        let Some(source) = insert.sidechain else {
            continue;
        };
        let who = session.strip_name(owner);
        let listens = matches!(
            insert.effect,
            EffectParams::Compressor(_) | EffectParams::Gate(_)
        );
        let problem = match source {
            _ if !listens => Some(format!(
                "{source:?}, but only compressors and gates listen to a sidechain"
            )),
            StripId::Master => Some("the master (it comes after everything)".to_string()),
            s if s == owner => Some("its own strip (leave the sidechain off for that)".into()),
            s if session.strip(s).is_none() => Some(format!("{s:?}, which does not exist")),
            _ => None,
        };
        if let Some(problem) = problem {
            errors.push(ValidationError::Other(format!(
                "{who} insert {} is keyed from {problem}",
                slot + 1
            )));
        }
    }
}

fn check_inserts(errors: &mut Vec<ValidationError>, who: &str, inserts: &[Insert]) {
    for (slot, insert) in inserts.iter().enumerate() {
        check_effect(errors, who, slot, &insert.effect);
    }
}

/// One insert's settings against its effect's parameter table: the same ranges the desk
/// and the DSP use.
fn check_effect(errors: &mut Vec<ValidationError>, who: &str, slot: usize, effect: &EffectParams) {
    if let EffectParams::Eq(eq) = effect
        && eq.bands.len() > MAX_EQ_BANDS
    {
        errors.push(ValidationError::Other(format!(
            "{who} insert {}: EQ has {} bands, at most {MAX_EQ_BANDS} allowed",
            slot + 1,
            eq.bands.len()
        )));
    }
    for (key, spec, value) in effect.out_of_range() {
        range(
            errors,
            format!("{who} insert {} {key}", slot + 1),
            value,
            spec.min,
            spec.max,
        );
    }
}

/// Strips form a graph: a track or bus feeds the buses it outputs and sends to, and a
/// sidechain source feeds the strip it keys. It must be acyclic so that every strip can be
/// processed after everything it hears.
fn check_cycles(session: &Session, errors: &mut Vec<ValidationError>) {
    let edges = session.strip_edges();
    // Colour-marking DFS; reports the first cycle found, with names.
    let mut state: HashMap<StripId, u8> = HashMap::new();
    let mut stack: Vec<StripId> = Vec::new();
    fn visit(
        strip: StripId,
        edges: &HashMap<StripId, Vec<(StripId, bool)>>,
        state: &mut HashMap<StripId, u8>,
        stack: &mut Vec<StripId>,
    ) -> Option<Vec<StripId>> {
        match state.get(&strip) {
            Some(2) => return None,
            Some(1) => {
                let start = stack.iter().position(|b| *b == strip).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(strip);
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(strip, 1);
        stack.push(strip);
        for (next, _) in edges.get(&strip).into_iter().flatten() {
            if let Some(c) = visit(*next, edges, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(strip, 2);
        None
    }
    let strips = session
        .buses
        .iter()
        .map(|b| StripId::Bus(b.id))
        .chain(session.tracks.iter().map(|t| StripId::Track(t.id)));
    for s in strips {
        if let Some(cycle) = visit(s, &edges, &mut state, &mut stack) {
            let names: Vec<String> = cycle.iter().map(|id| session.strip_name(*id)).collect();
            let keyed = cycle.windows(2).any(|w| {
                edges
                    .get(&w[0])
                    .is_some_and(|to| to.iter().any(|(t, key)| *t == w[1] && *key))
            });
            let why = if keyed {
                "a sidechain may not listen to a strip that its own strip feeds"
            } else {
                "a bus may not feed itself through other buses"
            };
            errors.push(ValidationError::RoutingCycle(format!(
                "{} ({why})",
                names.join(" -> ")
            )));
            return;
        }
    }
}

impl Session {
    /// Every track and bus that hears `strip`, directly or through others: the buses it
    /// outputs and sends to, what they feed, and the strips keyed from any of them. Keying
    /// `strip` from one of these would close a loop.
    pub fn downstream_of(&self, strip: StripId) -> HashSet<StripId> {
        let edges = self.strip_edges();
        let mut seen = HashSet::new();
        let mut todo = vec![strip];
        while let Some(s) = todo.pop() {
            for (next, _) in edges.get(&s).into_iter().flatten() {
                if seen.insert(*next) {
                    todo.push(*next);
                }
            }
        }
        seen
    }
}

impl Session {
    /// For each track and bus, the strips that hear it: `(to, false)` for the buses it
    /// outputs and sends to, `(to, true)` for a strip whose compressor or gate it keys
    /// (the master is left out: it comes after everything).
    pub fn strip_edges(&self) -> HashMap<StripId, Vec<(StripId, bool)>> {
        let mut edges: HashMap<StripId, Vec<(StripId, bool)>> = HashMap::new();
        for (id, strip) in self.mixer_strips() {
            let feeds = edges.entry(id).or_default();
            feeds.extend(strip.sends.iter().map(|s| (StripId::Bus(s.target), false)));
            if let Output::Bus(o) = strip.output {
                feeds.push((StripId::Bus(o), false));
            }
            for source in strip.inserts.iter().filter_map(|i| i.sidechain) {
                if source != StripId::Master {
                    edges.entry(source).or_default().push((id, true));
                }
            }
        }
        edges
    }
}

/// Tempo and signature in range; markers within a day.
fn check_timeline(t: &crate::timeline::Timeline, rate_hz: u32, errors: &mut Vec<ValidationError>) {
    use crate::timeline::{MAX_BEATS_PER_BAR, TEMPO_RANGE_BPM};
    if !TEMPO_RANGE_BPM.contains(&t.tempo_bpm) {
        range(
            errors,
            "tempo (BPM)".into(),
            t.tempo_bpm as f32,
            *TEMPO_RANGE_BPM.start() as f32,
            *TEMPO_RANGE_BPM.end() as f32,
        );
    }
    if !(1..=MAX_BEATS_PER_BAR).contains(&t.beats_per_bar) {
        range(
            errors,
            "beats per bar".into(),
            t.beats_per_bar as f32,
            1.0,
            MAX_BEATS_PER_BAR as f32,
        );
    }
    let day = u64::from(rate_hz) * 86_400;
    if let Some(m) = t.markers.iter().find(|m| m.time_frames > day) {
        errors.push(ValidationError::Other(format!(
            "marker \"{}\" is at frame {}, past a day",
            m.name, m.time_frames
        )));
    }
}

fn check_automation(session: &Session, errors: &mut Vec<ValidationError>) {
    for lane in &session.automation {
        check_lane(session, lane, errors);
    }
}

/// A lane's target exists, its points are sorted and finite.
fn check_lane(session: &Session, lane: &AutomationLane, errors: &mut Vec<ValidationError>) {
    let strip = lane.target.strip;
    let exists = match strip {
        StripId::Master => true,
        other => session.strip(other).is_some(),
    };
    if !exists {
        errors.push(ValidationError::Other(format!(
            "automation lane #{} targets {}, which does not exist",
            lane.id.0,
            session.strip_name(strip)
        )));
        return;
    }
    // The lane's parameter and its range come from the parameter tables.
    let Some(spec) = session.param_spec(&lane.target) else {
        let what = match &lane.target.param {
            StripParam::SendLevelDb(send) => format!("send #{}", send.0),
            StripParam::Insert { insert, key } => format!("\"{key}\" of insert #{}", insert.0),
            other => format!("{other:?}"),
        };
        errors.push(ValidationError::Other(format!(
            "automation lane #{} targets {what} of {}, which does not exist or cannot be \
             automated",
            lane.id.0,
            session.strip_name(strip)
        )));
        return;
    };
    if lane
        .points
        .windows(2)
        .any(|w| w[0].time_frames > w[1].time_frames)
    {
        errors.push(ValidationError::Other(format!(
            "automation lane #{}: breakpoints are not sorted by time",
            lane.id.0
        )));
    }
    if let Some(p) = lane.points.iter().find(|p| !p.curve.is_valid()) {
        errors.push(ValidationError::Other(format!(
            "automation lane #{} breakpoint at frame {}: curve {:?} has a tension outside -1..1",
            lane.id.0, p.time_frames, p.curve
        )));
    }
    if let Some(p) = lane.points.iter().find(|p| !spec.contains(p.value)) {
        range(
            errors,
            format!(
                "automation lane #{} ({} of {}) breakpoint at frame {}",
                lane.id.0,
                spec.name,
                session.strip_name(strip),
                p.time_frames
            ),
            p.value,
            spec.min,
            spec.max,
        );
    }
}

fn range(errors: &mut Vec<ValidationError>, what: String, value: f32, min: f32, max: f32) {
    // Written so that NaN fails the check.
    if !(value >= min && value <= max) {
        errors.push(ValidationError::OutOfRange {
            what,
            value,
            min,
            max,
        });
    }
}

fn spec_range(errors: &mut Vec<ValidationError>, what: String, value: f32, spec: &ParamSpec) {
    range(errors, what, value, spec.min, spec.max);
}
