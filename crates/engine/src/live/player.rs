//! The audio-thread side of live playback.
//!
//! [`Player`] owns the current graph and the transport. It applies queued commands at the
//! start of each call, renders through the same [`Graph::render`] as the offline bounce,
//! and never allocates, locks or frees: graphs and boxed parameters it has finished with
//! go back to the control side through a queue.

use std::sync::Arc;

use ringbuf::HeapCons;
use ringbuf::HeapProd;
use ringbuf::traits::{Consumer, Observer, Producer};
use stemdesk_session::{InsertId, StripId};

use super::command::{Command, Event, Garbage};
use super::disk::DiskMsg;
use super::status::Status;
use crate::graph::chunks::{Chunk, DiskMode};
use crate::graph::{Graph, Threads};

/// Length of the crossfade between an old and a new graph.
pub const CROSSFADE_MS: f32 = 10.0;
/// Length of the fade-out before pause/stop/seek and the fade-in after a seek.
pub const DECLICK_MS: f32 = 5.0;
/// Longest the transport waits at a locate (or start) for the disk thread to bring the
/// audio there before it plays on regardless (counting underruns).
pub const DISK_WAIT_MS: f32 = 500.0;
/// Most chunk messages taken per callback (bounded work on the audio thread).
const DISK_MSGS_PER_CALLBACK: usize = 512;

/// A transport change waiting for its fade-out to finish.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pending {
    Pause,
    Stop,
    Seek(u64),
}

/// Renders live audio; lives on the audio thread. Create with [`super::engine`].
pub struct Player {
    graph: Box<Graph>,
    outgoing: Option<Box<Graph>>,
    fade_done: u32,
    fade_len: u32,
    playing: bool,
    position: u64,
    play_start: u64,
    loop_range: Option<(u64, u64)>,
    declick_len: u32,
    /// Fade-out in progress: frames left and what to do at its end.
    declick: Option<(u32, Pending)>,
    /// Frames left of a fade-in after a seek.
    fade_in_left: u32,
    left: Vec<f32>,
    right: Vec<f32>,
    old_left: Vec<f32>,
    old_right: Vec<f32>,
    commands: HeapCons<Command>,
    events: HeapProd<Event>,
    trash: HeapProd<Garbage>,
    status: Arc<Status>,
    seq: u64,
    /// The master output, interleaved, for meters on another thread (loudness); what
    /// does not fit (nobody reading) is dropped.
    tap: HeapProd<f32>,
    /// The tapped insert's input and output, interleaved pairs (see [`Command::Tap`]);
    /// what does not fit is dropped.
    insert_tap: HeapProd<f32>,
    /// The insert to tap, kept for the graphs swapped in later.
    tap_target: Option<(StripId, InsertId)>,
    /// Chunks from the disk thread, and chunks going back to it to be freed.
    disk: HeapCons<DiskMsg>,
    chunk_trash: HeapProd<Arc<Chunk>>,
    /// Frames waited so far for the disk thread at a locate or start (`None`: rolling).
    disk_wait: Option<u32>,
    disk_wait_max: u32,
}

impl Player {
    pub(crate) fn new(
        graph: Box<Graph>,
        commands: HeapCons<Command>,
        events: HeapProd<Event>,
        trash: HeapProd<Garbage>,
        status: Arc<Status>,
        taps: (HeapProd<f32>, HeapProd<f32>),
        disk: (HeapCons<DiskMsg>, HeapProd<Arc<Chunk>>),
    ) -> Self {
        let rate = graph.sample_rate_hz() as f32;
        let chunk = graph.max_block();
        let frames = |ms: f32| ((rate * ms * 1e-3).round() as u32).max(1);
        Self {
            graph,
            outgoing: None,
            fade_done: 0,
            fade_len: frames(CROSSFADE_MS),
            playing: false,
            position: 0,
            play_start: 0,
            loop_range: None,
            declick_len: frames(DECLICK_MS),
            declick: None,
            fade_in_left: 0,
            left: vec![0.0; chunk],
            right: vec![0.0; chunk],
            old_left: vec![0.0; chunk],
            old_right: vec![0.0; chunk],
            commands,
            events,
            trash,
            status,
            seq: 0,
            tap: taps.0,
            insert_tap: taps.1,
            tap_target: None,
            disk: disk.0,
            chunk_trash: disk.1,
            disk_wait: None,
            disk_wait_max: frames(DISK_WAIT_MS),
        }
    }

    /// Plays from chunks the disk thread brings (`true`, for the audio thread: the graph
    /// then never reads the disk) or lets the graph load what it needs itself (`false`,
    /// the default: offline use).
    pub fn set_streaming(&mut self, streaming: bool) {
        let mode = if streaming {
            DiskMode::Streaming
        } else {
            DiskMode::Blocking
        };
        self.graph.set_disk_mode(mode);
    }

    /// Who loads the graph's audio (see [`Player::set_streaming`]).
    pub fn disk_mode(&self) -> DiskMode {
        self.graph.disk_mode()
    }

    fn streaming(&self) -> bool {
        self.graph.disk_mode() == DiskMode::Streaming
    }

    /// The shared transport/load status (for the device layer to record load and xruns).
    pub fn status(&self) -> Arc<Status> {
        Arc::clone(&self.status)
    }

    /// The session sample rate of the current graph.
    pub fn sample_rate_hz(&self) -> u32 {
        self.graph.sample_rate_hz()
    }

    /// Fills an interleaved device buffer of `channels` channels: left and right on the
    /// first two, silence on any others, the mid signal on a mono device.
    pub fn process_interleaved(&mut self, out: &mut [f32], channels: usize) {
        let channels = channels.max(1);
        let frames = out.len() / channels;
        self.apply_commands();
        let chunk = self.left.len();
        let mut done = 0;
        while done < frames {
            let n = (frames - done).min(chunk);
            let (mut l, mut r) = (
                std::mem::take(&mut self.left),
                std::mem::take(&mut self.right),
            );
            self.render_span(&mut l[..n], &mut r[..n]);
            let dst = &mut out[done * channels..(done + n) * channels];
            for (i, frame) in dst.chunks_exact_mut(channels).enumerate() {
                if channels == 1 {
                    frame[0] = 0.5 * (l[i] + r[i]);
                } else {
                    frame[0] = l[i];
                    frame[1] = r[i];
                    frame[2..].fill(0.0);
                }
            }
            self.left = l;
            self.right = r;
            done += n;
        }
        self.finish_callback(frames as u64);
    }

    /// Planar form of [`Player::process_interleaved`] (tests and offline use).
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.apply_commands();
        self.render_span(left, right);
        self.finish_callback(left.len() as u64);
    }

    /// Installs the chunks the disk thread sent and evicts what it asked (streaming), or
    /// hands them straight back (blocking: the graph loads for itself).
    fn apply_disk(&mut self) {
        for _ in 0..DISK_MSGS_PER_CALLBACK {
            let Some(msg) = self.disk.try_pop() else {
                break;
            };
            let back = match msg {
                DiskMsg::Chunk(chunk) if self.streaming() => self.graph.install_chunk(chunk),
                DiskMsg::Chunk(chunk) => Some(chunk),
                DiskMsg::Evict(source, index) => self.graph.evict_chunk(source, index as usize),
            };
            if let Some(chunk) = back {
                self.discard_chunk(chunk);
            }
        }
    }

    fn discard_chunk(&mut self, chunk: Arc<Chunk>) {
        if let Err(c) = self.chunk_trash.try_push(chunk) {
            std::mem::forget(c);
            self.status.add_leak();
        }
    }

    fn finish_callback(&mut self, frames: u64) {
        self.graph.publish_meters();
        self.status.set_transport(self.position, self.playing);
        self.status.add_frames(frames);
    }

    fn apply_commands(&mut self) {
        self.apply_disk();
        while let Some(cmd) = self.commands.try_pop() {
            let seq = self.seq;
            self.seq += 1;
            let known = self.apply(cmd);
            let event = if known {
                Event::Applied {
                    seq,
                    at_frames: self.position,
                }
            } else {
                Event::UnknownTarget { seq }
            };
            // A full event queue only loses a report, never audio.
            let _ = self.events.try_push(event);
        }
    }

    fn apply(&mut self, cmd: Command) -> bool {
        match cmd {
            Command::Play => {
                if self.declick.take().is_none() && !self.playing {
                    self.play_start = self.position;
                    if self.streaming() {
                        self.disk_wait = Some(0);
                    }
                }
                self.playing = true;
            }
            Command::Pause => self.begin_stop(Pending::Pause),
            Command::Stop => self.begin_stop(Pending::Stop),
            Command::Seek(frames) => {
                if self.playing {
                    self.begin_stop(Pending::Seek(frames));
                } else {
                    self.position = frames;
                    self.play_start = frames;
                }
            }
            Command::SetLoop {
                enabled,
                start_frames,
                end_frames,
            } => {
                self.loop_range =
                    (enabled && end_frames > start_frames).then_some((start_frames, end_frames));
            }
            Command::Param { target, value } => {
                return self.graph.set_param(target, value);
            }
            Command::InsertParams {
                strip,
                insert,
                mut params,
            } => {
                let ok = self.graph.set_insert_params(strip, insert, &mut params);
                self.discard(Garbage::Params(params));
                return ok;
            }
            Command::SuspendLane {
                strip,
                lane,
                suspended,
            } => return self.graph.suspend_lane(strip, lane, suspended),
            Command::Tap(target) => {
                self.tap_target = target;
                return self.graph.set_tap(target);
            }
            Command::SwapGraph(mut new) => {
                new.set_tap(self.tap_target);
                // Effect tails continue in the new graph; the old one fades out with the
                // new graph's fresh (silent) effects. The new graph shares the chunks the
                // old one holds of the same sources.
                new.set_disk_mode(self.graph.disk_mode());
                new.adopt_state(&mut self.graph);
                let old = std::mem::replace(&mut self.graph, new);
                self.status.add_graph_generation();
                if let Some(older) = self.outgoing.take() {
                    self.discard(Garbage::Graph(older));
                }
                if self.playing {
                    self.outgoing = Some(old);
                    self.fade_done = 0;
                } else {
                    self.discard(Garbage::Graph(old));
                }
            }
        }
        true
    }

    /// Starts the fade-out that ends in `then`; when not playing, acts at once.
    fn begin_stop(&mut self, then: Pending) {
        if self.playing {
            let left = self.declick.map_or(self.declick_len, |(n, _)| n);
            self.declick = Some((left, then));
        } else {
            self.finish_stop(then);
        }
    }

    fn finish_stop(&mut self, then: Pending) {
        match then {
            Pending::Pause => {
                self.playing = false;
                self.graph.reset_meters();
            }
            Pending::Stop => {
                self.playing = false;
                self.position = self.play_start;
                self.graph.reset();
                if let Some(old) = self.outgoing.take() {
                    self.discard(Garbage::Graph(old));
                }
            }
            Pending::Seek(frames) => {
                self.position = frames;
                if self.playing {
                    self.fade_in_left = self.declick_len;
                    if self.streaming() {
                        self.disk_wait = Some(0);
                    }
                }
            }
        }
    }

    /// Hands something back for freeing; if the return queue is full, leaks it (counted)
    /// rather than free memory on the audio thread.
    fn discard(&mut self, garbage: Garbage) {
        if let Err(g) = self.trash.try_push(garbage) {
            std::mem::forget(g);
            self.status.add_leak();
        }
    }

    /// Renders `left.len()` frames (at most the chunk size per pass).
    fn render_span(&mut self, left: &mut [f32], right: &mut [f32]) {
        let mut done = 0;
        while done < left.len() {
            if !self.playing {
                left[done..].fill(0.0);
                right[done..].fill(0.0);
                return;
            }
            let mut n = (left.len() - done).min(self.graph.max_block());
            if self.waiting_for_disk(n) {
                left[done..done + n].fill(0.0);
                right[done..done + n].fill(0.0);
                done += n;
                continue;
            }
            if let Some((_, end)) = self.loop_range
                && self.position < end
            {
                n = n.min((end - self.position) as usize);
            }
            if let Some((frames_left, _)) = self.declick {
                n = n.min(frames_left as usize);
            }
            let (l, r) = (&mut left[done..done + n], &mut right[done..done + n]);
            self.render_graphs(l, r);
            self.send_insert_tap();
            self.apply_declick(l, r);
            // Whole frames only, no allocation: a full tap drops the rest of the span.
            let room = self.tap.vacant_len() / 2;
            self.tap.push_iter(
                l.iter()
                    .zip(r.iter())
                    .take(room)
                    .flat_map(|(a, b)| [*a, *b]),
            );
            self.position += n as u64;
            if let Some((start, end)) = self.loop_range
                && self.position == end
            {
                self.position = start;
            }
            done += n;
        }
    }

    /// Hands the tapped insert's last block to the analyser (whole pairs, no allocation;
    /// a full queue drops the rest).
    fn send_insert_tap(&mut self) {
        let Some((pre, post)) = self.graph.tapped_block() else {
            return;
        };
        let room = self.insert_tap.vacant_len() / 2;
        self.insert_tap
            .push_iter(pre.iter().zip(post).take(room).flat_map(|(a, b)| [*a, *b]));
    }

    /// At a locate or start while streaming: true while the audio at the playhead is not
    /// in memory yet (the transport holds, silent, up to [`DISK_WAIT_MS`]); when it is,
    /// playback starts with a fade-in if it had to wait.
    fn waiting_for_disk(&mut self, n: usize) -> bool {
        let Some(waited) = self.disk_wait else {
            return false;
        };
        if waited < self.disk_wait_max && !self.graph.chunks_ready(self.position, n) {
            self.disk_wait = Some(waited.saturating_add(n as u32));
            return true;
        }
        self.disk_wait = None;
        if waited > 0 {
            self.fade_in_left = self.declick_len;
        }
        false
    }

    /// Renders the current graph, crossfading from the outgoing one while it lasts.
    fn render_graphs(&mut self, l: &mut [f32], r: &mut [f32]) {
        self.graph.render(self.position, l, r, Threads::Single);
        let misses = self.graph.take_disk_misses();
        if misses > 0 {
            self.status.add_disk_underruns(misses);
        }
        let Some(old) = self.outgoing.as_mut() else {
            return;
        };
        let n = l.len();
        let (ol, or) = (&mut self.old_left[..n], &mut self.old_right[..n]);
        old.render(self.position, ol, or, Threads::Single);
        // The outgoing graph gets no new chunks: what it misses fades out anyway.
        old.take_disk_misses();
        let len = self.fade_len as f32;
        // Past the fade the new graph's samples pass untouched (bit-exact).
        let fading = ((self.fade_len.saturating_sub(self.fade_done)) as usize).min(n);
        for i in 0..fading {
            let t = (self.fade_done + i as u32) as f32 / len;
            l[i] = ol[i] + (l[i] - ol[i]) * t;
            r[i] = or[i] + (r[i] - or[i]) * t;
        }
        self.fade_done = self.fade_done.saturating_add(n as u32);
        if self.fade_done >= self.fade_len
            && let Some(old) = self.outgoing.take()
        {
            self.discard(Garbage::Graph(old));
        }
    }

    fn apply_declick(&mut self, l: &mut [f32], r: &mut [f32]) {
        let len = self.declick_len as f32;
        if let Some((frames_left, then)) = self.declick {
            for (i, (a, b)) in l.iter_mut().zip(r.iter_mut()).enumerate() {
                let g = (frames_left - i as u32) as f32 / len;
                *a *= g;
                *b *= g;
            }
            let remaining = frames_left - l.len() as u32;
            if remaining == 0 {
                self.declick = None;
                self.finish_stop(then);
            } else {
                self.declick = Some((remaining, then));
            }
        } else if self.fade_in_left > 0 {
            for (a, b) in l.iter_mut().zip(r.iter_mut()) {
                if self.fade_in_left == 0 {
                    break;
                }
                let g = 1.0 - self.fade_in_left as f32 / len;
                *a *= g;
                *b *= g;
                self.fade_in_left -= 1;
            }
        }
    }
}
