//! Turning a session into a graph. Runs off the audio thread: it allocates freely.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use stemdesk_dsp::{Gain, PanLaw};
use stemdesk_session::{BusId, Output, Session, StripId, resolve_media};

use super::automation::lanes_for;
use super::chunks::ChunkTable;
use super::clip::{ClipIndex, ClipNode};
use super::strip::{Dest, KeyInput, SendNode, StripNode, StripSpec};
use super::{BusNode, Graph, Step, TrackNode};
use crate::live::MeterBank;
use crate::solo::solo_muted;
use crate::sources::{SourceAudio, SourceMap};

/// Compiles `session` with decoded `sources` (by resolved path; clips whose source is missing
/// are silent) into a graph rendering at most `max_block` frames per pass.
/// `session` must be valid (as loading and every edit guarantee).
pub fn compile(
    session: &Session,
    base_dir: &std::path::Path,
    sources: &SourceMap,
    max_block: usize,
) -> Graph {
    let max_block = max_block.max(1);
    let rate = session.sample_rate_hz as f32;
    let (track_order, bus_order, steps) = schedule(session);
    let bus_index: HashMap<BusId, usize> =
        bus_order.iter().enumerate().map(|(i, b)| (*b, i)).collect();
    let dest = |o: Output| match o {
        Output::Master => Dest::Master,
        Output::Bus(b) => bus_index.get(&b).map_or(Dest::Master, |i| Dest::Bus(*i)),
    };
    let silenced = solo_muted(session);
    let strip_node = |id: StripId, s: &stemdesk_session::Strip, law: PanLaw| {
        let mut node = StripNode::new(
            rate,
            &StripSpec {
                id,
                gain_db: s.gain_db,
                pan: s.pan,
                width: s.width,
                muted: s.mute || silenced.contains(&id),
                solo_silenced: silenced.contains(&id),
                polarity_invert: s.polarity_invert,
                inserts: &s.inserts,
                pan_law: law,
                output: dest(s.output),
                tempo_bpm: session.timeline.tempo_bpm as f32,
            },
        );
        node.sends = s
            .sends
            .iter()
            .map(|x| SendNode {
                id: x.id,
                dest: dest(Output::Bus(x.target)),
                pre_fader: x.pre_fader,
                level: Gain::new(rate, x.level_db),
                left: vec![0.0; max_block],
                right: vec![0.0; max_block],
                delay: super::latency::CompDelay::new(0),
            })
            .collect();
        node.lanes = lanes_for(session, id, &node);
        add_side_buffers(&mut node, &s.inserts, max_block);
        node
    };
    // The sources the clips play, each once, in the chunk table's order.
    let used: Vec<Arc<SourceAudio>> = session
        .tracks
        .iter()
        .flat_map(|t| &t.clips)
        .filter_map(|c| sources.get(&resolve_media(base_dir, &c.source)).cloned())
        .collect();
    let chunks = ChunkTable::new(used);
    let tracks = track_order
        .iter()
        .map(|&i| &session.tracks[i])
        .map(|t| {
            let clips: Vec<ClipNode> = t
                .clips
                .iter()
                .filter_map(|c| {
                    let audio = sources.get(&resolve_media(base_dir, &c.source))?;
                    let index = chunks.index_of(audio.key())?;
                    Some(ClipNode::new(c, index, audio.frames() as u64))
                })
                .collect();
            let mono = !t.clips.is_empty()
                && t.clips.iter().all(|c| {
                    sources
                        .get(&resolve_media(base_dir, &c.source))
                        .is_none_or(|a| a.is_mono())
                });
            let law = if mono {
                PanLaw::ConstantPower
            } else {
                PanLaw::Balance
            };
            TrackNode {
                clips: ClipIndex::new(clips),
                in_delay: super::latency::CompDelay::new(0),
                strip: strip_node(StripId::Track(t.id), &t.strip, law),
                left: vec![0.0; max_block],
                right: vec![0.0; max_block],
            }
        })
        .collect();
    let buses = bus_order
        .iter()
        .filter_map(|id| session.bus(*id))
        .map(|b| BusNode {
            strip: strip_node(StripId::Bus(b.id), &b.strip, PanLaw::Balance),
            left: vec![0.0; max_block],
            right: vec![0.0; max_block],
        })
        .collect();
    let m = &session.master;
    let mut master = StripNode::new(
        rate,
        &StripSpec {
            id: StripId::Master,
            gain_db: m.gain_db,
            pan: m.pan,
            width: 1.0,
            muted: m.mute,
            solo_silenced: false,
            polarity_invert: m.polarity_invert,
            inserts: &m.inserts,
            pan_law: PanLaw::Balance,
            output: Dest::Master,
            tempo_bpm: session.timeline.tempo_bpm as f32,
        },
    );
    master.lanes = lanes_for(session, StripId::Master, &master);
    add_side_buffers(&mut master, &m.inserts, max_block);
    let meter_ids = track_order
        .iter()
        .map(|&i| StripId::Track(session.tracks[i].id))
        .chain(bus_order.iter().map(|b| StripId::Bus(*b)))
        .chain(std::iter::once(StripId::Master))
        .collect();
    let dynamics = track_order
        .iter()
        .map(|&i| &session.tracks[i])
        .map(|t| (StripId::Track(t.id), &t.strip.inserts))
        .chain(
            bus_order
                .iter()
                .filter_map(|b| session.bus(*b))
                .map(|b| (StripId::Bus(b.id), &b.strip.inserts)),
        )
        .chain(std::iter::once((StripId::Master, &session.master.inserts)))
        .flat_map(|(strip, inserts)| {
            inserts
                .iter()
                .filter(|i| is_dynamics(&i.effect))
                .map(move |i| (strip, i.id))
        })
        .collect();
    let mut tracks: Vec<TrackNode> = tracks;
    let mut buses: Vec<BusNode> = buses;
    tap_key_sources(&mut tracks, &mut buses, &master, max_block);
    let latency = super::latency::plan(&mut tracks, &mut buses, &mut master, &steps);
    Graph {
        latency,
        next_out: None,
        read_ahead: 0,
        tapped: None,
        tapped_frames: 0,
        meters: Arc::new(MeterBank::new(meter_ids, dynamics)),
        sample_rate_hz: session.sample_rate_hz,
        max_block,
        session_order: {
            let mut order: Vec<usize> = (0..track_order.len()).collect();
            order.sort_by_key(|&g| track_order[g]);
            order
        },
        tracks,
        buses,
        steps,
        master,
        master_left: vec![0.0; max_block],
        master_right: vec![0.0; max_block],
        chunks,
        disk_misses: 0,
        feed: Default::default(),
    }
}

/// The order a block is processed in: every strip after all it hears (the strips that
/// feed it, the sidechains it listens to). Tracks that are ready together form one step
/// (parallel in a bounce); buses go one at a time, ties kept in session order so the
/// result is stable. Without sidechains: all tracks, then the buses (Kahn's algorithm).
/// Returns the track order (indices into the session's), the bus order and the steps.
fn schedule(session: &Session) -> (Vec<usize>, Vec<BusId>, Vec<Step>) {
    // What each strip must wait for: everything it hears.
    let mut waits: HashMap<StripId, Vec<StripId>> = HashMap::new();
    for (from, to) in session.strip_edges() {
        waits.entry(from).or_default();
        for (strip, _) in to {
            if strip != from {
                waits.entry(strip).or_default().push(from);
            }
        }
    }
    let exists: HashSet<StripId> = session.mixer_strips().map(|(id, _)| id).collect();
    let mut placed: HashSet<StripId> = HashSet::new();
    let ready = |id: StripId, placed: &HashSet<StripId>| {
        waits
            .get(&id)
            .is_none_or(|w| w.iter().all(|s| placed.contains(s) || !exists.contains(s)))
    };
    let (mut tracks, mut buses, mut steps) = (Vec::new(), Vec::new(), Vec::new());
    let (nt, nb) = (session.tracks.len(), session.buses.len());
    while tracks.len() < nt || buses.len() < nb {
        let batch: Vec<usize> = (0..nt)
            .filter(|&i| {
                let id = StripId::Track(session.tracks[i].id);
                !placed.contains(&id) && ready(id, &placed)
            })
            .collect();
        if !batch.is_empty() {
            steps.push(Step::Tracks(tracks.len()..tracks.len() + batch.len()));
            for &i in &batch {
                placed.insert(StripId::Track(session.tracks[i].id));
            }
            tracks.extend(batch);
            continue;
        }
        let bus = session
            .buses
            .iter()
            .map(|b| StripId::Bus(b.id))
            .find(|&id| !placed.contains(&id) && ready(id, &placed));
        if let Some(id @ StripId::Bus(b)) = bus {
            steps.push(Step::Bus(buses.len()));
            buses.push(b);
            placed.insert(id);
            continue;
        }
        // Only reachable for an invalid (cyclic) session: the rest in session order (a
        // sidechain whose source comes later then listens to its own input).
        let rest: Vec<usize> = (0..nt)
            .filter(|&i| !placed.contains(&StripId::Track(session.tracks[i].id)))
            .collect();
        if !rest.is_empty() {
            steps.push(Step::Tracks(tracks.len()..tracks.len() + rest.len()));
            tracks.extend(rest);
        }
        for b in &session.buses {
            if !placed.contains(&StripId::Bus(b.id)) {
                steps.push(Step::Bus(buses.len()));
                buses.push(b.id);
            }
        }
        break;
    }
    (tracks, buses, steps)
}

/// Gives `node`'s compressors and gates that have a sidechain their key input (its delay
/// is set by the latency plan), and its EQs the buffers an analyser reads: the per-insert
/// buffers beside the audio path, allocated here so the audio thread never does.
fn add_side_buffers(node: &mut StripNode, inserts: &[stemdesk_session::Insert], max_block: usize) {
    for (slot, insert) in node.inserts.iter_mut().zip(inserts) {
        if matches!(slot.effect, stemdesk_dsp::Effect::Eq(_)) {
            slot.tap = super::strip::InsertTap::new(max_block);
        }
        if let Some(source) = insert.sidechain
            && slot.effect.takes_key()
            && source != node.id
        {
            slot.key = Some(KeyInput {
                source,
                delay: super::latency::CompDelay::new(0),
                left: vec![0.0; max_block],
                right: vec![0.0; max_block],
            });
        }
    }
}

/// Gives every strip some sidechain listens to the buffers its key signal is kept in.
fn tap_key_sources(
    tracks: &mut [TrackNode],
    buses: &mut [BusNode],
    master: &StripNode,
    max_block: usize,
) {
    let sources: HashSet<StripId> = tracks
        .iter()
        .map(|t| &t.strip)
        .chain(buses.iter().map(|b| &b.strip))
        .chain(std::iter::once(master))
        .flat_map(|s| {
            s.inserts
                .iter()
                .filter_map(|i| i.key.as_ref().map(|k| k.source))
        })
        .collect();
    let strips = tracks
        .iter_mut()
        .map(|t| &mut t.strip)
        .chain(buses.iter_mut().map(|b| &mut b.strip));
    for strip in strips.filter(|s| sources.contains(&s.id)) {
        strip.key_left = vec![0.0; max_block];
        strip.key_right = vec![0.0; max_block];
    }
}

/// Inserts whose gain change is metered (and published in this order by the graph).
pub(crate) fn is_dynamics(p: &stemdesk_dsp::EffectParams) -> bool {
    matches!(
        p,
        stemdesk_dsp::EffectParams::Compressor(_)
            | stemdesk_dsp::EffectParams::Gate(_)
            | stemdesk_dsp::EffectParams::Limiter(_)
    )
}
