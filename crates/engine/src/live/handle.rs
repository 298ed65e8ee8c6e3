//! The control side of live playback: owned by the GUI thread (or a test).

use std::sync::Arc;

use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use stemdesk_dsp::EffectParams;
use stemdesk_session::{InsertId, StripId};

use super::command::{Command, Event, Garbage, LiveParam, ParamTarget};
use super::disk::{self, DISK_QUEUE, DiskControl};
use super::meters::MeterBank;
use super::player::Player;
use super::status::Status;
use crate::graph::Graph;

/// Capacity of the command queue: far more than a GUI sends between two callbacks.
const COMMAND_CAPACITY: usize = 4096;
/// Capacity of the queues coming back (events, things to free).
const RETURN_CAPACITY: usize = 4096;
/// Samples the master tap holds (interleaved stereo): about 2.7 s at 48 kHz, far more
/// than a GUI frame apart.
const TAP_CAPACITY: usize = 1 << 18;
/// Room for about 1.4 s of an insert's input and output at 48 kHz (the analyser reads
/// every GUI frame).
const INSERT_TAP_CAPACITY: usize = 1 << 17;

/// The command queue was full (the audio thread is not running or far behind); the
/// command was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the audio engine is not taking commands (queue full); is the audio device running?")]
pub struct QueueFull;

/// Sends commands to a [`Player`] and reads what it reports. Never blocks.
pub struct EngineHandle {
    commands: HeapProd<Command>,
    events: HeapCons<Event>,
    trash: HeapCons<Garbage>,
    status: Arc<Status>,
    meters: Arc<MeterBank>,
    next_seq: u64,
    sample_rate_hz: u32,
    tap: HeapCons<f32>,
    insert_tap: HeapCons<f32>,
    disk: Option<crossbeam_channel::Sender<DiskControl>>,
    disk_thread: Option<std::thread::JoinHandle<()>>,
    /// Graphs sent to the player so far.
    generation: u64,
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        // Closing the channel ends the disk thread.
        self.disk = None;
        if let Some(t) = self.disk_thread.take() {
            let _ = t.join();
        }
    }
}

/// Creates a handle and the player it controls, starting with `graph`, stopped at 0.
pub fn engine(graph: Graph) -> (EngineHandle, Player) {
    let (cmd_tx, cmd_rx) = HeapRb::<Command>::new(COMMAND_CAPACITY).split();
    let (ev_tx, ev_rx) = HeapRb::<Event>::new(RETURN_CAPACITY).split();
    let (trash_tx, trash_rx) = HeapRb::<Garbage>::new(RETURN_CAPACITY).split();
    let (tap_tx, tap_rx) = HeapRb::<f32>::new(TAP_CAPACITY).split();
    let (insert_tap_tx, insert_tap_rx) = HeapRb::<f32>::new(INSERT_TAP_CAPACITY).split();
    let (chunks_tx, chunks_rx) = HeapRb::new(DISK_QUEUE).split();
    let (chunk_trash_tx, chunk_trash_rx) = HeapRb::new(DISK_QUEUE).split();
    let status = Arc::new(Status::default());
    let (disk, disk_thread) = disk::spawn(
        graph.disk_plan(),
        graph.sample_rate_hz(),
        Arc::clone(&status),
        chunks_tx,
        chunk_trash_rx,
    );
    let handle = EngineHandle {
        disk: Some(disk),
        disk_thread: Some(disk_thread),
        generation: 0,
        tap: tap_rx,
        insert_tap: insert_tap_rx,
        commands: cmd_tx,
        events: ev_rx,
        trash: trash_rx,
        status: Arc::clone(&status),
        meters: graph.meters(),
        next_seq: 0,
        sample_rate_hz: graph.sample_rate_hz(),
    };
    let player = Player::new(
        Box::new(graph),
        cmd_rx,
        ev_tx,
        trash_tx,
        status,
        (tap_tx, insert_tap_tx),
        (chunks_rx, chunk_trash_tx),
    );
    (handle, player)
}

impl EngineHandle {
    /// Moves the master output played since the last call (interleaved stereo, only while
    /// playing) into `out`; for loudness and correlation meters off the audio thread.
    pub fn drain_master(&mut self, out: &mut Vec<f32>) {
        drain_pairs(&mut self.tap, out);
    }

    /// Records what enters and leaves insert `target` (an EQ) while playing, for a spectrum
    /// analyser ([`EngineHandle::drain_insert_tap`]); `None` stops. Kept across graph swaps.
    pub fn tap_insert(&mut self, target: Option<(StripId, InsertId)>) -> Result<u64, QueueFull> {
        self.send(Command::Tap(target))
    }

    /// Moves what the tapped insert received and produced since the last call into `out`,
    /// as interleaved `(input, output)` mono pairs.
    pub fn drain_insert_tap(&mut self, out: &mut Vec<f32>) {
        drain_pairs(&mut self.insert_tap, out);
    }

    fn send(&mut self, cmd: Command) -> Result<u64, QueueFull> {
        self.commands.try_push(cmd).map_err(|_| QueueFull)?;
        let seq = self.next_seq;
        self.next_seq += 1;
        Ok(seq)
    }

    /// Starts playback from the current position. Returns the command's sequence number.
    pub fn play(&mut self) -> Result<u64, QueueFull> {
        self.send(Command::Play)
    }

    /// Pauses (position kept).
    pub fn pause(&mut self) -> Result<u64, QueueFull> {
        self.send(Command::Pause)
    }

    /// Stops and returns to where playback started.
    pub fn stop(&mut self) -> Result<u64, QueueFull> {
        self.send(Command::Stop)
    }

    /// Moves the playhead (the disk thread starts loading there at once).
    pub fn seek(&mut self, frames: u64) -> Result<u64, QueueFull> {
        self.tell_disk(DiskControl::Locate(frames));
        self.send(Command::Seek(frames))
    }

    fn tell_disk(&self, msg: DiskControl) {
        if let Some(d) = &self.disk {
            let _ = d.send(msg);
        }
    }

    /// Seconds of audio the disk thread keeps loaded ahead of the playhead (default
    /// [`super::DEFAULT_READ_AHEAD_S`]): more rides out slower disks, costs memory per
    /// playing clip.
    pub fn set_read_ahead_s(&self, seconds: f64) {
        self.tell_disk(DiskControl::ReadAhead(seconds));
    }

    /// Waits (up to `timeout`) until the disk thread has sent what the playhead's next
    /// seconds need; true if it has. Starting playback does not need this (the transport
    /// waits for the disk by itself), but a caller that must not hear that wait can.
    pub fn wait_for_disk(&self, timeout: std::time::Duration) -> bool {
        let until = std::time::Instant::now() + timeout;
        while !self.status.disk_ready() {
            if std::time::Instant::now() >= until {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        true
    }

    /// Loops `[start, end)`, or stops looping with `None`.
    pub fn set_loop(&mut self, range: Option<(u64, u64)>) -> Result<u64, QueueFull> {
        self.tell_disk(DiskControl::Loop(range.filter(|(a, b)| b > a)));
        let (start_frames, end_frames) = range.unwrap_or((0, 0));
        self.send(Command::SetLoop {
            enabled: range.is_some(),
            start_frames,
            end_frames,
        })
    }

    /// Changes a strip parameter on the fast path (smoothed by the audio thread).
    pub fn set_param(
        &mut self,
        strip: StripId,
        param: LiveParam,
        value: f32,
    ) -> Result<u64, QueueFull> {
        self.send(Command::Param {
            target: ParamTarget { strip, param },
            value,
        })
    }

    /// Sends new settings for an insert (same effect kind; otherwise swap the graph).
    pub fn set_insert_params(
        &mut self,
        strip: StripId,
        insert: InsertId,
        params: EffectParams,
    ) -> Result<u64, QueueFull> {
        self.send(Command::InsertParams {
            strip,
            insert,
            params: Box::new(params),
        })
    }

    /// Stops (or resumes) playing automation lane `lane` of `strip`, so that values sent
    /// with [`EngineHandle::set_param`] are heard instead: while a control writes
    /// automation. A new graph plays every lane again.
    pub fn suspend_lane(
        &mut self,
        strip: StripId,
        lane: stemdesk_session::LaneId,
        suspended: bool,
    ) -> Result<u64, QueueFull> {
        self.send(Command::SuspendLane {
            strip,
            lane,
            suspended,
        })
    }

    /// Swaps in a graph compiled off the audio thread (crossfaded; the old graph comes
    /// back through [`EngineHandle::poll`] and is dropped here).
    pub fn swap_graph(&mut self, graph: Graph) -> Result<u64, QueueFull> {
        let meters = graph.meters();
        let plan = graph.disk_plan();
        let seq = self.send(Command::SwapGraph(Box::new(graph)))?;
        self.meters = meters;
        self.generation += 1;
        self.tell_disk(DiskControl::Plan {
            plan,
            generation: self.generation,
        });
        Ok(seq)
    }

    /// Frees what the audio thread handed back and returns the events it reported since
    /// the last call. Call regularly (each GUI frame).
    pub fn poll(&mut self) -> Vec<Event> {
        while let Some(garbage) = self.trash.try_pop() {
            drop(garbage);
        }
        self.events.pop_iter().collect()
    }

    /// Transport and load figures.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Meters of the graph most recently sent.
    pub fn meters(&self) -> &MeterBank {
        &self.meters
    }

    /// The session sample rate.
    pub fn sample_rate_hz(&self) -> u32 {
        self.sample_rate_hz
    }
}

/// Appends what `queue` holds, in whole pairs, to `out`.
fn drain_pairs(queue: &mut HeapCons<f32>, out: &mut Vec<f32>) {
    let n = queue.occupied_len() & !1;
    let start = out.len();
    out.resize(start + n, 0.0);
    let got = queue.pop_slice(&mut out[start..]);
    out.truncate(start + got);
}
