//! Latency compensation: inserts with lookahead delay their strip, so every other path to
//! the same bus or the master is delayed by as much, and the graph reads its sources that
//! far ahead of the output position. The mix stays aligned sample for sample, and the
//! output at position `p` is the timeline at `p`, live and in a bounce alike.

use std::collections::HashMap;

use stemdesk_session::StripId;

use super::strip::{Dest, Keys, StripNode};
use super::{BusNode, Graph, Step, TrackNode};

/// A stereo delay of a fixed number of frames (zero: does nothing, costs nothing).
pub(crate) struct CompDelay {
    left: Vec<f32>,
    right: Vec<f32>,
    pos: usize,
}

impl CompDelay {
    /// A delay of `frames` (allocates; built off the audio thread).
    pub(crate) fn new(frames: usize) -> Self {
        Self {
            left: vec![0.0; frames],
            right: vec![0.0; frames],
            pos: 0,
        }
    }

    /// Frames of delay.
    pub(crate) fn len(&self) -> usize {
        self.left.len()
    }

    /// Delays `l`, `r` in place. Never allocates.
    pub(crate) fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        let len = self.left.len();
        if len == 0 {
            return;
        }
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            let p = self.pos;
            *a = std::mem::replace(&mut self.left[p], *a);
            *b = std::mem::replace(&mut self.right[p], *b);
            self.pos = if p + 1 == len { 0 } else { p + 1 };
        }
    }

    /// Takes `old`'s contents when the lengths match (a graph swap keeps what is in
    /// flight); otherwise keeps its own silence.
    /// Returns false when the lengths differ: this delay then starts silent, and the
    /// graph must be primed to fill it.
    pub(crate) fn adopt(&mut self, old: &mut CompDelay) -> bool {
        if old.len() == self.len() {
            std::mem::swap(self, old);
            true
        } else {
            false
        }
    }

    /// Silence.
    pub(crate) fn clear(&mut self) {
        self.left.fill(0.0);
        self.right.fill(0.0);
        self.pos = 0;
    }
}

/// Latencies of a compiled graph, in frames.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Latency {
    /// From the sources to the master's input.
    pub(crate) master_in: usize,
    /// From the sources to the output (through the master's own inserts).
    pub(crate) total: usize,
}

/// Works out every strip's input latency and sets the compensating delays on every
/// connection (a strip's output, each send, each sidechain), so all that meets at a bus, the
/// master or a keyed insert arrives aligned. `steps` puts every strip after all it hears,
/// so one pass suffices.
pub(crate) fn plan(
    tracks: &mut [TrackNode],
    buses: &mut [BusNode],
    master: &mut StripNode,
    steps: &[Step],
) -> Latency {
    let mut bus_in = vec![0usize; buses.len()];
    let mut master_in = 0usize;
    // Latency of each strip's key signal (after its inserts, before compensation).
    let mut key_lat: HashMap<StripId, usize> = HashMap::new();
    let mut note = |dest: Dest, latency: usize, bus_in: &mut [usize]| match dest {
        Dest::Master => master_in = master_in.max(latency),
        Dest::Bus(b) => {
            if let Some(x) = bus_in.get_mut(b) {
                *x = (*x).max(latency);
            }
        }
    };
    let mut place = |strip: &mut StripNode,
                     fed: usize,
                     key_lat: &mut HashMap<StripId, usize>,
                     bus_in: &mut [usize]| {
        let input = fed.max(key_need(strip, key_lat));
        strip.in_latency = input as u64;
        let out = input + strip.latency_frames();
        key_lat.insert(strip.id, out);
        note(strip.output, out, bus_in);
        for s in &strip.sends {
            note(s.dest, out, bus_in);
        }
        input
    };
    for step in steps {
        match step {
            Step::Tracks(range) => {
                for t in &mut tracks[range.clone()] {
                    place(&mut t.strip, 0, &mut key_lat, &mut bus_in);
                }
            }
            &Step::Bus(i) => {
                let fed = bus_in[i];
                bus_in[i] = place(&mut buses[i].strip, fed, &mut key_lat, &mut bus_in);
            }
        }
    }
    let master_in = master_in.max(key_need(master, &key_lat));
    let input_of = |dest: Dest| match dest {
        Dest::Master => master_in,
        Dest::Bus(b) => bus_in.get(b).copied().unwrap_or(0),
    };
    let wire = |strip: &mut StripNode| {
        let out = strip.in_latency as usize + strip.latency_frames();
        strip.out_delay = CompDelay::new(input_of(strip.output).saturating_sub(out));
        for s in &mut strip.sends {
            s.delay = CompDelay::new(input_of(s.dest).saturating_sub(out));
        }
        wire_keys(strip, &key_lat);
    };
    for t in tracks.iter_mut() {
        wire(&mut t.strip);
        t.in_delay = CompDelay::new(t.strip.in_latency as usize);
    }
    for b in buses.iter_mut() {
        wire(&mut b.strip);
    }
    master.in_latency = master_in as u64;
    wire_keys(master, &key_lat);
    Latency {
        master_in,
        total: master_in + master.latency_frames(),
    }
}

/// The input latency `strip` needs so that every key it listens to arrives in time: a
/// key `k` frames late, at an insert after `p` frames of the strip's own lookahead, needs
/// `k - p`.
fn key_need(strip: &StripNode, key_lat: &HashMap<StripId, usize>) -> usize {
    let mut before = 0usize;
    let mut need = 0usize;
    for insert in &strip.inserts {
        if let Some(k) = &insert.key {
            let key = key_lat.get(&k.source).copied().unwrap_or(0);
            need = need.max(key.saturating_sub(before));
        }
        before += insert.effect.latency_frames();
    }
    need
}

/// Delays each of `strip`'s keys to line up with the audio at its insert.
fn wire_keys(strip: &mut StripNode, key_lat: &HashMap<StripId, usize>) {
    let mut at = strip.in_latency as usize;
    for insert in &mut strip.inserts {
        let lookahead = insert.effect.latency_frames();
        if let Some(k) = &mut insert.key {
            let key = key_lat.get(&k.source).copied().unwrap_or(0);
            k.delay = CompDelay::new(at.saturating_sub(key));
        }
        at += lookahead;
    }
}

impl Graph {
    /// Frames the output lags what the graph processes: the graph reads its sources this
    /// far ahead of the position it renders, so the output stays on the timeline.
    pub fn latency_frames(&self) -> usize {
        self.latency.total
    }

    /// Before rendering output at `pos` with sources read `ahead` frames early: after a
    /// locate (or at the start), runs the `ahead` frames before it through the graph and
    /// drops what comes out (the delays' old contents), so the first output frame is the
    /// timeline at `pos`. Bounded work (the latency), no allocation.
    pub(crate) fn prime(
        &mut self,
        pos: u64,
        ahead: usize,
        with_master: bool,
        threads: super::Threads,
    ) {
        if self.next_out == Some(pos) && self.read_ahead == ahead {
            return;
        }
        self.read_ahead = ahead;
        let mut done = 0;
        while done < ahead {
            let n = (ahead - done).min(self.max_block);
            let at = pos + done as u64;
            self.route_block(at, n, threads);
            if with_master {
                let m = at.saturating_sub(self.master.in_latency);
                let (ml, mr) = (&mut self.master_left[..n], &mut self.master_right[..n]);
                let keys = Keys {
                    tracks: &self.tracks,
                    buses: &self.buses,
                };
                self.master.process(m, ml, mr, &keys);
            }
            done += n;
        }
    }
}
