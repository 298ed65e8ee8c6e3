//! The disk thread: keeps the chunks of every clip near the playhead in the live graph,
//! so the audio thread never reads the disk (Ardour's "butler").
//!
//! It watches the transport (position, loop, locate targets) and the graph's
//! [`DiskPlan`], loads the chunks the next seconds need (nearest first) and sends them to
//! the [`super::Player`] through a lock-free queue; chunks no longer near the playhead are
//! evicted the same way and come back through another queue to be freed here. What it
//! believes is resident is exactly what it sent and did not evict, because it is the only
//! one that installs or evicts.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use ringbuf::traits::{Consumer, Observer, Producer};
use ringbuf::{HeapCons, HeapProd};

use super::status::Status;
use crate::graph::DiskPlan;
use crate::graph::chunks::{CHUNK_FRAMES, Chunk};
use crate::sources::SourceKey;

/// Seconds of audio kept loaded ahead of the playhead unless told otherwise.
pub const DEFAULT_READ_AHEAD_S: f64 = 2.0;
/// Frames kept behind the playhead (a fade-out or crossfade may still read them).
const BEHIND_FRAMES: u64 = CHUNK_FRAMES as u64;
/// How often the thread looks at the transport when nothing wakes it.
const POLL: Duration = Duration::from_millis(5);
/// Chunk messages the queue to the player holds.
pub(crate) const DISK_QUEUE: usize = 8192;

/// From the disk thread to the audio thread.
pub(crate) enum DiskMsg {
    /// Install this chunk.
    Chunk(Arc<Chunk>),
    /// Take this chunk out and send it back.
    Evict(SourceKey, u32),
}

/// From the control side to the disk thread.
pub(crate) enum DiskControl {
    /// The plan of a graph sent to the player; it applies once the player has swapped
    /// in graph number `generation`.
    Plan { plan: DiskPlan, generation: u64 },
    /// Playback is about to jump here: load it first.
    Locate(u64),
    /// The loop range (`None`: not looping).
    Loop(Option<(u64, u64)>),
    /// Seconds to keep loaded ahead of the playhead.
    ReadAhead(f64),
}

/// The disk thread's state.
struct Disk {
    plan: DiskPlan,
    next_plan: Option<(DiskPlan, u64)>,
    resident: HashSet<(SourceKey, usize)>,
    /// Chunks that could not be read (a file gone): not retried until the plan changes.
    failed: HashSet<(SourceKey, usize)>,
    locate: Option<u64>,
    loop_range: Option<(u64, u64)>,
    ahead_frames: u64,
    status: Arc<Status>,
    to_player: HeapProd<DiskMsg>,
    trash: HeapCons<Arc<Chunk>>,
}

/// Starts the disk thread for a graph with `plan`. It ends when `control`'s sender is
/// dropped.
pub(crate) fn spawn(
    plan: DiskPlan,
    rate_hz: u32,
    status: Arc<Status>,
    to_player: HeapProd<DiskMsg>,
    trash: HeapCons<Arc<Chunk>>,
) -> (Sender<DiskControl>, JoinHandle<()>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut disk = Disk {
        plan,
        next_plan: None,
        resident: HashSet::new(),
        failed: HashSet::new(),
        locate: None,
        loop_range: None,
        ahead_frames: (DEFAULT_READ_AHEAD_S * f64::from(rate_hz)) as u64,
        status,
        to_player,
        trash,
    };
    let rate = f64::from(rate_hz);
    let thread = std::thread::Builder::new()
        .name("stemdesk-disk".into())
        .spawn(move || disk.run(&rx, rate))
        .unwrap_or_else(|_| std::thread::spawn(|| {}));
    (tx, thread)
}

impl Disk {
    fn run(&mut self, control: &Receiver<DiskControl>, rate_hz: f64) {
        crate::idle::lower_this_thread_by(crate::idle::DISK_NICE);
        loop {
            match control.recv_timeout(POLL) {
                Ok(msg) => self.take(msg, rate_hz),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            while let Ok(msg) = control.try_recv() {
                self.take(msg, rate_hz);
            }
            self.free_trash();
            self.adopt_plan();
            self.fill();
        }
    }

    fn take(&mut self, msg: DiskControl, rate_hz: f64) {
        match msg {
            DiskControl::Plan { plan, generation } => self.next_plan = Some((plan, generation)),
            DiskControl::Locate(at) => self.locate = Some(at),
            DiskControl::Loop(range) => self.loop_range = range,
            DiskControl::ReadAhead(s) => {
                self.ahead_frames = (s.max(0.1) * rate_hz) as u64;
            }
        }
    }

    fn free_trash(&mut self) {
        while let Some(chunk) = self.trash.try_pop() {
            drop(chunk);
        }
    }

    /// Switches to the newest plan once the player plays its graph (chunks of sources
    /// the new graph lacks were dropped with the old graph).
    fn adopt_plan(&mut self) {
        let applied = self.status.graph_generation();
        if self
            .next_plan
            .as_ref()
            .is_some_and(|(_, generation)| *generation <= applied)
            && let Some((plan, _)) = self.next_plan.take()
        {
            self.plan = plan;
            let plan = &self.plan;
            self.resident.retain(|(key, _)| plan.has_source(*key));
            self.failed.clear();
        }
    }

    /// The chunks wanted now, most urgent first: a locate target, the playhead, the loop
    /// start.
    fn wanted(&self) -> Vec<(SourceKey, usize, usize)> {
        let pos = self.status.position_frames();
        let ahead = self.ahead_frames;
        let mut out = Vec::new();
        if let Some(at) = self.locate {
            self.plan.chunks_in(at, at + ahead, &mut out);
        }
        self.plan
            .chunks_in(pos.saturating_sub(BEHIND_FRAMES), pos + ahead, &mut out);
        if let Some((start, end)) = self.loop_range
            && end > start
        {
            self.plan
                .chunks_in(start, start + ahead.min(end - start), &mut out);
        }
        out
    }

    fn fill(&mut self) {
        let wanted = self.wanted();
        let mut all_sent = true;
        for &(key, index, source) in &wanted {
            if self.resident.contains(&(key, index)) || self.failed.contains(&(key, index)) {
                continue;
            }
            if self.to_player.is_full() {
                all_sent = false;
                break;
            }
            let Some(loaded) = self.plan.source(source).map(|s| s.load_chunk(index)) else {
                continue;
            };
            let chunk = match loaded {
                Ok(chunk) => chunk,
                // Still being decoded: asked again on the next round.
                Err(stemdesk_media::MediaError::Pending { .. }) => continue,
                Err(_) => {
                    // Unreadable (file gone): the clip stays silent there.
                    self.failed.insert((key, index));
                    continue;
                }
            };
            if self
                .to_player
                .try_push(DiskMsg::Chunk(Arc::new(chunk)))
                .is_err()
            {
                all_sent = false;
                break;
            }
            self.resident.insert((key, index));
        }
        if all_sent {
            let pos = self.status.position_frames();
            self.status.set_disk_ready(self.locate.unwrap_or(pos));
            if self
                .locate
                .is_some_and(|at| pos.abs_diff(at) < self.ahead_frames)
            {
                self.locate = None;
            }
        }
        let keep: HashSet<(SourceKey, usize)> = wanted.iter().map(|&(k, i, _)| (k, i)).collect();
        let stale: Vec<(SourceKey, usize)> = self
            .resident
            .iter()
            .filter(|r| !keep.contains(r))
            .copied()
            .collect();
        for (key, index) in stale {
            if self
                .to_player
                .try_push(DiskMsg::Evict(key, index as u32))
                .is_err()
            {
                break;
            }
            self.resident.remove(&(key, index));
        }
    }
}

impl Status {
    pub(crate) fn set_disk_ready(&self, position_frames: u64) {
        self.disk_ready_at
            .store(position_frames.saturating_add(1), Ordering::Release);
    }
}
