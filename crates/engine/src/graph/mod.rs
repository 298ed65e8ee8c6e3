//! The render graph: tracks, buses in dependency order, and the master.

mod automation;
pub(crate) mod chunks;
mod clip;
mod compile;
mod disk_plan;
mod latency;
mod pipeline;
pub(crate) mod strip;

use std::sync::Arc;

use rayon::prelude::*;
use stemdesk_dsp::{Effect, EffectParams};
use stemdesk_session::{InsertId, LaneId, StripId};

use crate::live::{MeterBank, ParamTarget};

use chunks::{Chunk, ChunkTable, DiskMode};
use clip::ClipIndex;
use strip::{Dest, Keys, StripNode};

use crate::sources::SourceKey;

pub use automation::CONTROL_FRAMES;
pub use compile::compile;
pub use disk_plan::DiskPlan;

/// How the track stage of a block is computed. Both give bit-identical output: each track
/// is processed on its own, and sums are always formed in the same order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// On the calling thread only (the audio callback).
    Single,
    /// Tracks spread over rayon's pool (offline bounce).
    Pool,
}

/// A track: clips feeding a strip.
pub(crate) struct TrackNode {
    pub(crate) clips: ClipIndex,
    pub(crate) strip: StripNode,
    /// Delays the clips' sum by the strip's input latency (non-zero only when a sidechain
    /// it listens to comes later than its own audio).
    pub(crate) in_delay: latency::CompDelay,
    pub(crate) left: Vec<f32>,
    pub(crate) right: Vec<f32>,
}

/// A bus: a strip whose input is the sum of what feeds it.
pub(crate) struct BusNode {
    pub(crate) strip: StripNode,
    pub(crate) left: Vec<f32>,
    pub(crate) right: Vec<f32>,
}

/// Somewhere strips are summed into: a bus, or a bus's input gathered ahead of it.
pub(crate) trait StereoBuffer {
    fn channels_mut(&mut self) -> (&mut Vec<f32>, &mut Vec<f32>);
}

impl StereoBuffer for BusNode {
    fn channels_mut(&mut self) -> (&mut Vec<f32>, &mut Vec<f32>) {
        (&mut self.left, &mut self.right)
    }
}

/// One step of a block, in an order where every strip comes after all it hears: the
/// strips feeding it and the sidechains it listens to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Tracks `range` (of the graph's track order), independent of each other: processed
    /// in parallel in a bounce.
    Tracks(std::ops::Range<usize>),
    /// One bus (its index in the graph's bus order).
    Bus(usize),
}

/// Receives a stem's block: the strip, then its left and right samples.
pub type StemSink<'a> = dyn FnMut(StripId, &[f32], &[f32]) + 'a;

/// A session compiled for rendering. Built off the audio thread; rendering never allocates.
pub struct Graph {
    pub(crate) sample_rate_hz: u32,
    pub(crate) max_block: usize,
    /// Tracks in processing order (see `steps`).
    pub(crate) tracks: Vec<TrackNode>,
    /// Buses sorted so that every bus comes after all buses feeding it.
    pub(crate) buses: Vec<BusNode>,
    /// The order tracks and buses are processed in.
    pub(crate) steps: Vec<Step>,
    /// Indices into `tracks` in the session's track order (stems are numbered by it).
    pub(crate) session_order: Vec<usize>,
    pub(crate) master: StripNode,
    pub(crate) master_left: Vec<f32>,
    pub(crate) master_right: Vec<f32>,
    /// Where strip meters are published: tracks, then buses (graph order), then master.
    pub(crate) meters: Arc<MeterBank>,
    /// The parts of the sources in memory.
    pub(crate) chunks: ChunkTable,
    /// Blocks in which a clip found a chunk missing, since last taken.
    pub(crate) disk_misses: u64,
    /// Lookahead latency through the graph (see `latency`).
    pub(crate) latency: latency::Latency,
    /// The output position the next render continues from (else it is a locate).
    pub(crate) next_out: Option<u64>,
    /// How far ahead of the output the sources are being read.
    pub(crate) read_ahead: usize,
    /// The insert an analyser watches, and the frames of the last block it recorded.
    pub(crate) tapped: Option<(StripId, InsertId)>,
    pub(crate) tapped_frames: usize,
    /// Where the next block's tracks sum while the buses work (offline only; empty until
    /// [`Graph::render_each`] pipelines).
    pub(crate) feed: pipeline::Feed,
}

impl Graph {
    /// The session sample rate the graph renders at.
    pub fn sample_rate_hz(&self) -> u32 {
        self.sample_rate_hz
    }

    /// The largest block `render` does in one pass (longer requests are split internally).
    pub fn max_block(&self) -> usize {
        self.max_block
    }

    /// The meter bank this graph publishes to (shared with readers).
    pub fn meters(&self) -> Arc<MeterBank> {
        Arc::clone(&self.meters)
    }

    fn strip_mut(&mut self, id: StripId) -> Option<&mut StripNode> {
        match id {
            StripId::Master => Some(&mut self.master),
            StripId::Track(_) => self
                .tracks
                .iter_mut()
                .map(|t| &mut t.strip)
                .find(|s| s.id == id),
            StripId::Bus(_) => self
                .buses
                .iter_mut()
                .map(|b| &mut b.strip)
                .find(|s| s.id == id),
        }
    }

    /// Sets a strip parameter (smoothed). Never allocates; false if the graph has no
    /// such strip/send/insert.
    pub fn set_param(&mut self, target: ParamTarget, value: f32) -> bool {
        self.strip_mut(target.strip)
            .is_some_and(|s| s.set_param(target.param, value))
    }

    /// Applies new settings to an insert of the same kind, handing the old ones back in
    /// `params`. Never allocates or frees; false if the insert is missing or of another
    /// kind.
    pub fn set_insert_params(
        &mut self,
        strip: StripId,
        insert: InsertId,
        params: &mut EffectParams,
    ) -> bool {
        self.strip_mut(strip)
            .is_some_and(|s| s.set_insert_params(insert, params))
    }

    /// Records what enters and leaves insert `target` (an EQ) each block, for an analyser
    /// ([`Graph::tapped_block`]); `None` records nothing. Never allocates; false if the
    /// graph has no such EQ.
    pub fn set_tap(&mut self, target: Option<(StripId, InsertId)>) -> bool {
        if let Some((strip, insert)) = self.tapped.take()
            && let Some(i) = self.insert_mut(strip, insert)
        {
            i.tap.on = false;
        }
        self.tapped_frames = 0;
        let Some((strip, insert)) = target else {
            return true;
        };
        match self.insert_mut(strip, insert) {
            Some(i) if !i.tap.pre.is_empty() => {
                i.tap.on = true;
                self.tapped = target;
                true
            }
            _ => false,
        }
    }

    /// The mono signal entering and leaving the tapped insert in the last rendered block.
    pub fn tapped_block(&mut self) -> Option<(&[f32], &[f32])> {
        let (strip, insert) = self.tapped?;
        let n = self.tapped_frames;
        let i = self.insert_mut(strip, insert)?;
        Some((i.tap.pre.get(..n)?, i.tap.post.get(..n)?))
    }

    fn insert_mut(&mut self, strip: StripId, insert: InsertId) -> Option<&mut strip::InsertNode> {
        self.strip_mut(strip)?
            .inserts
            .iter_mut()
            .find(|i| i.id == insert)
    }

    /// Stops or resumes playing an automation lane (see
    /// [`crate::EngineHandle::suspend_lane`]). Never allocates; false if the graph has no
    /// such lane.
    pub fn suspend_lane(&mut self, strip: StripId, lane: LaneId, suspended: bool) -> bool {
        self.strip_mut(strip)
            .and_then(|s| s.lanes.iter_mut().find(|l| l.lane.id == lane))
            .map(|l| l.suspended = suspended)
            .is_some()
    }

    /// Who loads the chunks of the sources: the graph itself before each block
    /// ([`DiskMode::Blocking`], the default: offline rendering) or the disk thread
    /// ([`DiskMode::Streaming`]: on the audio thread, where the graph must never load).
    pub fn set_disk_mode(&mut self, mode: DiskMode) {
        self.chunks.mode = mode;
    }

    /// See [`Graph::set_disk_mode`].
    pub fn disk_mode(&self) -> DiskMode {
        self.chunks.mode
    }

    /// Installs a chunk loaded by the disk thread. Returns what must be freed off the
    /// audio thread (a chunk it replaced, or the chunk itself when no clip of this graph
    /// uses its source). Never allocates.
    pub fn install_chunk(&mut self, chunk: Arc<Chunk>) -> Option<Arc<Chunk>> {
        self.chunks.install(chunk)
    }

    /// Takes a chunk out of the graph (to be freed off the audio thread).
    pub fn evict_chunk(&mut self, source: SourceKey, index: usize) -> Option<Arc<Chunk>> {
        self.chunks.evict(source, index)
    }

    /// Every chunk the graph holds, taken out (to be freed off the audio thread).
    pub fn take_chunks(&mut self, each: impl FnMut(Arc<Chunk>)) {
        self.chunks.take_all(each);
    }

    /// Blocks rendered since the last call in which some clip missed a chunk (played
    /// silence there): disk underruns when streaming.
    pub fn take_disk_misses(&mut self) -> u64 {
        std::mem::take(&mut self.disk_misses)
    }

    /// The first source that failed to read while rendering in blocking mode (a file
    /// deleted or cut short while open), naming the file.
    pub fn take_disk_error(&mut self) -> Option<String> {
        self.chunks.error.take()
    }

    /// Whether every chunk timeline frames `[pos, pos + n)` play is in memory. Never
    /// allocates.
    pub fn chunks_ready(&self, pos: u64, n: usize) -> bool {
        // The sources are read up to the latency ahead of the output.
        let n = n + self.latency.total;
        self.tracks.iter().all(|t| {
            t.clips.overlapping(pos, pos + n as u64).all(|c| {
                c.chunks_for(pos, n as u64).is_none_or(|(s, first, last)| {
                    (first..=last).all(|k| self.chunks.get(s, k).is_some())
                })
            })
        })
    }

    /// Where the clips of this graph read their sources, for the disk thread.
    pub fn disk_plan(&self) -> DiskPlan {
        DiskPlan::new(
            &self.chunks.sources,
            self.tracks.iter().flat_map(|t| t.clips.iter()),
        )
    }

    /// Carries the running effect state of `old` over into this graph (for a graph swap:
    /// reverb and delay tails, compressor envelopes go on instead of restarting). Strips
    /// and inserts are matched by stable ID. Never allocates; work is bounded by the
    /// number of strips and inserts.
    pub fn adopt_state(&mut self, old: &mut Graph) {
        self.chunks.adopt(&old.chunks);
        // Every compensating delay of a strip that stays kept its contents: playback goes
        // on without priming. One that changed length (a lookahead or a sidechain moved
        // the compensation, even with the same total) starts silent and needs priming.
        let mut delays_kept = self.latency == old.latency;
        for t in &mut self.tracks {
            if let Some(o) = old.tracks.iter_mut().find(|o| o.strip.id == t.strip.id) {
                delays_kept &= t.strip.adopt_state(&mut o.strip);
                delays_kept &= t.in_delay.adopt(&mut o.in_delay);
            }
        }
        for b in &mut self.buses {
            if let Some(o) = old.strip_mut(b.strip.id) {
                delays_kept &= b.strip.adopt_state(o);
            }
        }
        delays_kept &= self.master.adopt_state(&mut old.master);
        if delays_kept {
            self.next_out = old.next_out;
            self.read_ahead = old.read_ahead;
        }
    }

    /// Whether the strips' meters run (on by default; an offline render turns them off:
    /// nobody reads them, and they cost a recursion per sample). The sound is the same.
    pub fn set_metering(&mut self, on: bool) {
        self.strips_mut().for_each(|s| s.metered = on);
    }

    /// Clears all processing state: effect tails, ramps, meters (transport stop).
    pub fn reset(&mut self) {
        self.strips_mut().for_each(StripNode::reset);
        for t in &mut self.tracks {
            t.in_delay.clear();
        }
        self.next_out = None;
    }

    /// Clears the meters only (pause: the meters fall, effect state is kept).
    pub fn reset_meters(&mut self) {
        self.strips_mut().for_each(|s| s.meter.reset());
    }

    fn strips_mut(&mut self) -> impl Iterator<Item = &mut StripNode> {
        self.tracks
            .iter_mut()
            .map(|t| &mut t.strip)
            .chain(self.buses.iter_mut().map(|b| &mut b.strip))
            .chain(std::iter::once(&mut self.master))
    }

    /// Publishes every strip's peak (since the last publish) and RMS to the meter bank.
    pub fn publish_meters(&mut self) {
        let meters = Arc::clone(&self.meters);
        let mut dynamics = 0;
        for (i, s) in self.strips_mut().enumerate() {
            let peak = s.meter.take_peak_amplitude();
            meters.publish(i, peak, s.meter.rms());
            for insert in &mut s.inserts {
                let db = match &insert.effect {
                    Effect::Compressor(c) => c.gain_reduction_db(),
                    Effect::Gate(g) => g.gain_db(),
                    Effect::Limiter(l) => l.gain_reduction_db(),
                    _ => continue,
                };
                let input = std::mem::take(&mut insert.input_peak);
                meters.publish_dynamics(dynamics, db, input);
                dynamics += 1;
            }
        }
    }

    /// Renders timeline frames `[position, position + left.len())` into `left`/`right`.
    /// Output depends only on the position and the graph's history, never on how the
    /// timeline is cut into calls.
    pub fn render(&mut self, position: u64, left: &mut [f32], right: &mut [f32], threads: Threads) {
        let mut done = 0;
        while done < left.len() {
            let n = (left.len() - done).min(self.max_block);
            let (l, r) = (&mut left[done..done + n], &mut right[done..done + n]);
            self.render_block(position + done as u64, l, r, threads);
            done += n;
        }
    }

    /// Renders like [`Graph::render`], except that `left`/`right` receive the master's
    /// input (the sum of everything that feeds it, before the master's inserts, fader and
    /// pan) and `stem` is handed, block by block, each strip that feeds the master directly
    /// (tracks and buses routed to it) with its contribution: the stems of a mix, which sum
    /// to the master's input.
    pub fn render_stems(
        &mut self,
        position: u64,
        left: &mut [f32],
        right: &mut [f32],
        threads: Threads,
        stem: &mut StemSink<'_>,
    ) {
        let mut done = 0;
        while done < left.len() {
            let n = (left.len() - done).min(self.max_block);
            let pos = position + done as u64;
            let ahead = self.latency.master_in;
            self.prime(pos, ahead, false, threads);
            self.route_block(pos + ahead as u64, n, threads);
            self.next_out = Some(pos + n as u64);
            for t in self
                .session_order
                .iter()
                .filter_map(|&i| self.tracks.get(i))
                .filter(|t| t.strip.output == Dest::Master)
            {
                stem(t.strip.id, &t.left[..n], &t.right[..n]);
            }
            for b in self.buses.iter().filter(|b| b.strip.output == Dest::Master) {
                stem(b.strip.id, &b.left[..n], &b.right[..n]);
            }
            left[done..done + n].copy_from_slice(&self.master_left[..n]);
            right[done..done + n].copy_from_slice(&self.master_right[..n]);
            done += n;
        }
    }

    /// The strips that feed the master directly, in the order [`Graph::render_stems`]
    /// hands them out.
    pub fn stem_strips(&self) -> Vec<StripId> {
        self.session_order
            .iter()
            .filter_map(|&i| self.tracks.get(i))
            .map(|t| &t.strip)
            .chain(self.buses.iter().map(|b| &b.strip))
            .filter(|s| s.output == Dest::Master)
            .map(|s| s.id)
            .collect()
    }

    fn render_block(&mut self, pos: u64, out_l: &mut [f32], out_r: &mut [f32], threads: Threads) {
        let n = out_l.len();
        let ahead = self.latency.total;
        self.prime(pos, ahead, true, threads);
        let src = pos + ahead as u64;
        self.route_block(src, n, threads);
        self.next_out = Some(pos + n as u64);
        let (ml, mr) = (&mut self.master_left[..n], &mut self.master_right[..n]);
        let keys = Keys {
            tracks: &self.tracks,
            buses: &self.buses,
        };
        self.master
            .process(src.saturating_sub(self.master.in_latency), ml, mr, &keys);
        out_l.copy_from_slice(ml);
        out_r.copy_from_slice(mr);
        self.tapped_frames = n;
    }

    /// Processes every track and bus for sources at `[pos, pos + n)` (a bus at its own
    /// lag behind them) and sums what feeds the master
    /// into its buffers (unprocessed).
    fn route_block(&mut self, pos: u64, n: usize, threads: Threads) {
        if self.chunks.mode == DiskMode::Blocking {
            load_chunks(&self.tracks, &mut self.chunks, pos, n, threads);
        }
        for b in &mut self.buses {
            b.left[..n].fill(0.0);
            b.right[..n].fill(0.0);
        }
        self.master_left[..n].fill(0.0);
        self.master_right[..n].fill(0.0);
        let chunks = &self.chunks;
        let (mut tracks_done, mut buses_done, mut incomplete) = (0, 0, 0usize);
        for step in &self.steps {
            match step {
                Step::Tracks(range) => {
                    let (done, rest) = self.tracks.split_at_mut(range.start);
                    let batch = &mut rest[..range.len()];
                    let (before, pending) = self.buses.split_at_mut(buses_done);
                    incomplete += process_tracks(batch, done, before, pos, n, chunks, threads);
                    // A track feeds only buses after those already processed.
                    for t in batch.iter() {
                        route(
                            &t.strip,
                            &t.left[..n],
                            &t.right[..n],
                            pending,
                            buses_done,
                            (&mut self.master_left[..n], &mut self.master_right[..n]),
                        );
                    }
                    tracks_done = range.end;
                }
                &Step::Bus(i) => {
                    let master = (&mut self.master_left[..n], &mut self.master_right[..n]);
                    process_bus(
                        &mut self.buses,
                        i,
                        &self.tracks[..tracks_done],
                        pos,
                        n,
                        master,
                    );
                    buses_done = i + 1;
                }
            }
        }
        if incomplete > 0 {
            self.disk_misses += 1;
        }
    }
}

/// Processes a batch of tracks that do not hear each other (in parallel with
/// `Threads::Pool`); their sidechains read `done` and `buses`, processed before them.
/// Returns how many missed a chunk.
fn process_tracks(
    batch: &mut [TrackNode],
    done: &[TrackNode],
    buses: &[BusNode],
    pos: u64,
    n: usize,
    chunks: &ChunkTable,
    threads: Threads,
) -> usize {
    let keys = Keys {
        tracks: done,
        buses,
    };
    match threads {
        Threads::Single => batch
            .iter_mut()
            .map(|t| usize::from(!t.process(pos, n, chunks, &keys)))
            .sum(),
        Threads::Pool => batch
            .par_iter_mut()
            .map(|t| usize::from(!t.process(pos, n, chunks, &keys)))
            .sum(),
    }
}

/// Processes bus `i` of `buses` (its input summed in its buffers) and adds its output and
/// sends to later buses and the master. Its sidechains read `tracks` and the buses before
/// it.
fn process_bus(
    buses: &mut [BusNode],
    i: usize,
    tracks: &[TrackNode],
    pos: u64,
    n: usize,
    master: (&mut [f32], &mut [f32]),
) {
    // Later buses only: a bus never feeds one before it in this order.
    let (done, rest) = buses.split_at_mut(i + 1);
    let (before, bus) = done.split_at_mut(i);
    let bus = &mut bus[0];
    let keys = Keys {
        tracks,
        buses: before,
    };
    let (l, r) = (&mut bus.left[..n], &mut bus.right[..n]);
    bus.strip
        .process(pos.saturating_sub(bus.strip.in_latency), l, r, &keys);
    route(
        &bus.strip,
        &bus.left[..n],
        &bus.right[..n],
        rest,
        i + 1,
        master,
    );
}

/// Blocking mode: loads the chunks the clips of `tracks` need for `[pos, pos + n)` and
/// drops the others.
fn load_chunks(
    tracks: &[TrackNode],
    chunks: &mut ChunkTable,
    pos: u64,
    n: usize,
    threads: Threads,
) {
    let mut needed: Vec<(usize, usize)> = Vec::new();
    for t in tracks {
        for c in t.clips.overlapping(pos, pos + n as u64) {
            if let Some((s, first, last)) = c.chunks_for(pos, n as u64) {
                needed.extend((first..=last).map(|k| (s, k)));
            }
        }
    }
    needed.sort_unstable();
    needed.dedup();
    chunks.hold_exactly(&needed, threads == Threads::Pool);
}

impl TrackNode {
    /// Renders the track's block (sources at `[pos, pos + n)`); false if some clip missed
    /// a chunk. Its sidechains read their sources in `keys`.
    fn process(&mut self, pos: u64, n: usize, chunks: &ChunkTable, keys: &Keys<'_>) -> bool {
        let (l, r) = (&mut self.left[..n], &mut self.right[..n]);
        l.fill(0.0);
        r.fill(0.0);
        let mut complete = true;
        for c in self.clips.overlapping(pos, pos + n as u64) {
            complete &= c.add_into(pos, l, r, chunks);
        }
        self.in_delay.process(l, r);
        let at = pos.saturating_sub(self.strip.in_latency);
        self.strip.process(at, l, r, keys);
        complete
    }
}

fn add(dst: &mut [f32], src: &[f32]) {
    dst.iter_mut().zip(src).for_each(|(d, s)| *d += s);
}

/// Adds a strip's output and sends into their destinations. `buses` holds the graph's
/// buses from number `first_bus` on: all of them for a track, those after it for a bus
/// (compilation orders buses so a bus only ever feeds later ones). A destination outside
/// `buses` is dropped rather than indexed out of range.
fn route(
    strip: &StripNode,
    l: &[f32],
    r: &[f32],
    buses: &mut [impl StereoBuffer],
    first_bus: usize,
    master: (&mut [f32], &mut [f32]),
) {
    let n = l.len();
    let slot = |dest: Dest| match dest {
        Dest::Bus(b) => b.checked_sub(first_bus),
        Dest::Master => None,
    };
    if strip.output == Dest::Master {
        add(master.0, l);
        add(master.1, r);
    } else if let Some(bus) = slot(strip.output).and_then(|i| buses.get_mut(i)) {
        let (bl, br) = bus.channels_mut();
        add(&mut bl[..n], l);
        add(&mut br[..n], r);
    }
    for s in &strip.sends {
        if let Some(bus) = slot(s.dest).and_then(|i| buses.get_mut(i)) {
            let (bl, br) = bus.channels_mut();
            add(&mut bl[..n], &s.left[..n]);
            add(&mut br[..n], &s.right[..n]);
        }
    }
}
