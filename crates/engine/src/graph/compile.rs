//! Turning a session into a graph. Runs off the audio thread: it allocates freely.

use std::collections::HashMap;
use std::sync::Arc;

use stemdesk_dsp::{Gain, PanLaw};
use stemdesk_session::{BusId, Output, Session, StripId, resolve_media};

use super::automation::lanes_for;
use super::chunks::ChunkTable;
use super::clip::{ClipIndex, ClipNode};
use super::strip::{Dest, SendNode, StripNode, StripSpec};
use super::{BusNode, Graph, TrackNode};
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
    let bus_order = bus_order(session);
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
    let tracks = session
        .tracks
        .iter()
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
    let meter_ids = session
        .tracks
        .iter()
        .map(|t| StripId::Track(t.id))
        .chain(bus_order.iter().map(|b| StripId::Bus(*b)))
        .chain(std::iter::once(StripId::Master))
        .collect();
    let dynamics = session
        .tracks
        .iter()
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
    let latency = super::latency::plan(&mut tracks, &mut buses, &mut master);
    Graph {
        latency,
        next_out: None,
        read_ahead: 0,
        meters: Arc::new(MeterBank::new(meter_ids, dynamics)),
        sample_rate_hz: session.sample_rate_hz,
        max_block,
        tracks,
        buses,
        master,
        master_left: vec![0.0; max_block],
        master_right: vec![0.0; max_block],
        chunks,
        disk_misses: 0,
    }
}

/// Buses in an order where each comes after every bus that feeds it (Kahn's algorithm,
/// ties kept in session order so the result is stable).
fn bus_order(session: &Session) -> Vec<BusId> {
    let mut indegree: HashMap<BusId, usize> = session.buses.iter().map(|b| (b.id, 0)).collect();
    let feeds = |b: &stemdesk_session::Bus| {
        let mut to: Vec<BusId> = b.strip.sends.iter().map(|s| s.target).collect();
        if let Output::Bus(o) = b.strip.output {
            to.push(o);
        }
        to
    };
    for b in &session.buses {
        for to in feeds(b) {
            if let Some(d) = indegree.get_mut(&to) {
                *d += 1;
            }
        }
    }
    let mut order = Vec::with_capacity(session.buses.len());
    let mut placed = vec![false; session.buses.len()];
    while order.len() < session.buses.len() {
        let Some(i) = (0..session.buses.len())
            .find(|&i| !placed[i] && indegree.get(&session.buses[i].id) == Some(&0))
        else {
            // Only reachable for an invalid (cyclic) session: keep the rest in session order.
            order.extend(
                (0..session.buses.len())
                    .filter(|&i| !placed[i])
                    .map(|i| session.buses[i].id),
            );
            break;
        };
        placed[i] = true;
        let b = &session.buses[i];
        order.push(b.id);
        for to in feeds(b) {
            if let Some(d) = indegree.get_mut(&to) {
                *d = d.saturating_sub(1);
            }
        }
    }
    order
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
