//! The offline render as a two-stage pipeline: while the buses and the master of one block
//! are processed on the calling thread, the tracks of the next block are processed on the
//! pool. The bus stage is serial (each bus waits for what feeds it), so without the overlap
//! one core idles through it on every block. The tracks sum into a [`Feed`] of their own
//! while the buses work on theirs; the two are swapped between blocks, so every sum is
//! formed from the same values in the same order as [`Graph::render`] and the output is
//! the same bit for bit.

use super::chunks::{ChunkTable, DiskMode};
use super::strip::Keys;
use super::{
    BusNode, Graph, Step, StereoBuffer, Threads, TrackNode, load_chunks, process_bus,
    process_tracks, route,
};

/// A stereo pair of block buffers.
#[derive(Default)]
pub(crate) struct Stereo {
    left: Vec<f32>,
    right: Vec<f32>,
}

impl StereoBuffer for Stereo {
    fn channels_mut(&mut self) -> (&mut Vec<f32>, &mut Vec<f32>) {
        (&mut self.left, &mut self.right)
    }
}

/// What the tracks of one block feed: each bus's input and the master's.
#[derive(Default)]
pub(crate) struct Feed {
    buses: Vec<Stereo>,
    master: Stereo,
}

impl Feed {
    /// Sizes the buffers for `buses` buses and blocks of `max_block` (offline only: this
    /// allocates once per graph).
    fn fit(&mut self, buses: usize, max_block: usize) {
        self.buses.resize_with(buses, Stereo::default);
        for s in self
            .buses
            .iter_mut()
            .chain(std::iter::once(&mut self.master))
        {
            s.left.resize(max_block, 0.0);
            s.right.resize(max_block, 0.0);
        }
    }
}

/// What the tracks stage owns while it runs beside the bus stage.
struct TrackStage<'a> {
    tracks: &'a mut [TrackNode],
    chunks: &'a mut ChunkTable,
    feed: &'a mut Feed,
    steps: &'a [Step],
}

impl TrackStage<'_> {
    /// Hands the sums of the block just processed to the buses and the master, taking
    /// their old buffers for the next block's sums.
    fn hand_over(&mut self, buses: &mut [BusNode], master: [&mut Vec<f32>; 2]) {
        for (bus, f) in buses.iter_mut().zip(&mut self.feed.buses) {
            std::mem::swap(&mut bus.left, &mut f.left);
            std::mem::swap(&mut bus.right, &mut f.right);
        }
        let [left, right] = master;
        std::mem::swap(left, &mut self.feed.master.left);
        std::mem::swap(right, &mut self.feed.master.right);
    }

    /// Loads and processes every track for sources at `[pos, pos + n)` and sums them into
    /// the feed. Returns how many missed a chunk.
    fn run(&mut self, pos: u64, n: usize) -> usize {
        if self.chunks.mode == DiskMode::Blocking {
            load_chunks(self.tracks, self.chunks, pos, n, Threads::Pool);
        }
        for s in self.feed.buses.iter_mut() {
            s.left[..n].fill(0.0);
            s.right[..n].fill(0.0);
        }
        let master = &mut self.feed.master;
        master.left[..n].fill(0.0);
        master.right[..n].fill(0.0);
        let mut incomplete = 0;
        for step in self.steps {
            let Step::Tracks(range) = step else { continue };
            let (done, rest) = self.tracks.split_at_mut(range.start);
            let batch = &mut rest[..range.len()];
            incomplete += process_tracks(batch, done, &[], pos, n, self.chunks, Threads::Pool);
            for t in batch.iter() {
                route(
                    &t.strip,
                    &t.left[..n],
                    &t.right[..n],
                    &mut self.feed.buses,
                    0,
                    (&mut master.left[..n], &mut master.right[..n]),
                );
            }
        }
        incomplete
    }
}

impl Graph {
    /// Whether a block's buses and master may run beside the next block's tracks: every
    /// track comes before every bus, and no bus or master sidechain listens to a track
    /// (its key would be the next block's by then).
    fn can_pipeline(&self) -> bool {
        let first_bus = self
            .steps
            .iter()
            .position(|s| matches!(s, Step::Bus(_)))
            .unwrap_or(self.steps.len());
        let keyed_by_track = self
            .buses
            .iter()
            .map(|b| &b.strip)
            .chain(std::iter::once(&self.master))
            .flat_map(|s| &s.inserts)
            .filter_map(|i| i.key.as_ref())
            .any(|k| matches!(k.source, stemdesk_session::StripId::Track(_)));
        self.steps[first_bus..]
            .iter()
            .all(|s| matches!(s, Step::Bus(_)))
            && !keyed_by_track
    }

    /// Renders `frames` timeline frames from `position` in blocks of at most `block`,
    /// handing each block's left and right to `sink`, and stops at the first error `sink`
    /// returns. The same output as [`Graph::render`] block by block; with
    /// `Threads::Pool` the buses of a block overlap the tracks of the next (see the
    /// module docs). Offline only: it allocates.
    pub fn render_each<E>(
        &mut self,
        position: u64,
        frames: u64,
        block: usize,
        threads: Threads,
        mut sink: impl FnMut(&[f32], &[f32]) -> Result<(), E>,
    ) -> Result<(), E> {
        let block = block.clamp(1, self.max_block);
        let end = position + frames;
        if threads == Threads::Single || !self.can_pipeline() {
            let (mut left, mut right) = (vec![0.0; block], vec![0.0; block]);
            let mut pos = position;
            while pos < end {
                let n = ((end - pos) as usize).min(block);
                self.render(pos, &mut left[..n], &mut right[..n], threads);
                sink(&left[..n], &right[..n])?;
                pos += n as u64;
            }
            return Ok(());
        }
        if frames == 0 {
            return Ok(());
        }
        let ahead = self.latency.total;
        self.prime(position, ahead, true, threads);
        let mut feed = std::mem::take(&mut self.feed);
        feed.fit(self.buses.len(), self.max_block);
        let block_at = |pos: u64| ((end - pos) as usize).min(block);
        let mut stage = TrackStage {
            tracks: &mut self.tracks,
            chunks: &mut self.chunks,
            feed: &mut feed,
            steps: &self.steps,
        };
        let mut incomplete = stage.run(position + ahead as u64, block_at(position));
        let mut pos = position;
        let mut result = Ok(());
        while pos < end {
            let n = block_at(pos);
            if incomplete > 0 {
                self.disk_misses += 1;
            }
            stage.hand_over(
                &mut self.buses,
                [&mut self.master_left, &mut self.master_right],
            );
            let next = pos + n as u64;
            let (buses, master) = (&mut self.buses, &mut self.master);
            let (ml, mr) = (&mut self.master_left[..n], &mut self.master_right[..n]);
            let steps = &self.steps;
            let src = pos + ahead as u64;
            rayon::in_place_scope(|scope| {
                if next < end {
                    let incomplete = &mut incomplete;
                    let stage = &mut stage;
                    scope.spawn(move |_| {
                        *incomplete = stage.run(next + ahead as u64, block_at(next))
                    });
                }
                for step in steps {
                    if let &Step::Bus(i) = step {
                        process_bus(buses, i, &[], src, n, (&mut *ml, &mut *mr));
                    }
                }
                let keys = Keys {
                    tracks: &[],
                    buses: &buses[..],
                };
                master.process(src.saturating_sub(master.in_latency), ml, mr, &keys);
                result = sink(ml, mr);
            });
            self.tapped_frames = n;
            if result.is_err() {
                break;
            }
            pos = next;
        }
        self.feed = feed;
        // After an error the tracks are a block ahead of the buses: start afresh.
        self.next_out = if result.is_ok() { Some(end) } else { None };
        result
    }
}
