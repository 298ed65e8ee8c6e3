//! Transport and load figures the audio side keeps current, read without locks.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

/// Shared by the audio thread (writer) and any number of readers.
#[derive(Debug, Default)]
pub struct Status {
    position_frames: AtomicU64,
    playing: AtomicBool,
    callbacks: AtomicU64,
    frames_rendered: AtomicU64,
    load_last: AtomicU32,
    load_max: AtomicU32,
    xruns: AtomicU64,
    overloads: AtomicU64,
    leaked_graphs: AtomicU64,
    disk_underruns: AtomicU64,
    /// Position + 1 for which the disk thread last had every wanted chunk sent (0: never).
    pub(crate) disk_ready_at: AtomicU64,
    graph_generation: AtomicU64,
}

impl Status {
    /// Timeline position of the next frame to be played.
    pub fn position_frames(&self) -> u64 {
        self.position_frames.load(Ordering::Acquire)
    }

    /// Whether the transport is rolling.
    pub fn is_playing(&self) -> bool {
        self.playing.load(Ordering::Acquire)
    }

    /// Device callbacks served so far.
    pub fn callbacks(&self) -> u64 {
        self.callbacks.load(Ordering::Relaxed)
    }

    /// Frames handed to the device so far (silence included).
    pub fn frames_rendered(&self) -> u64 {
        self.frames_rendered.load(Ordering::Relaxed)
    }

    /// DSP load of the last callback: time spent / buffer period (1.0 = a full period).
    pub fn load(&self) -> f32 {
        f32::from_bits(self.load_last.load(Ordering::Relaxed))
    }

    /// Highest DSP load since the last call (then reset).
    pub fn take_max_load(&self) -> f32 {
        f32::from_bits(self.load_max.swap(0, Ordering::Relaxed))
    }

    /// Buffer under/overruns the device reported.
    pub fn xruns(&self) -> u64 {
        self.xruns.load(Ordering::Relaxed)
    }

    /// Callbacks that took longer than their buffer period (the device may have
    /// underrun even if it did not report it).
    pub fn overloads(&self) -> u64 {
        self.overloads.load(Ordering::Relaxed)
    }

    /// Graphs the audio thread could not hand back (return queue full) and leaked rather
    /// than free on the audio thread. Should always be 0.
    pub fn leaked_graphs(&self) -> u64 {
        self.leaked_graphs.load(Ordering::Relaxed)
    }

    /// Blocks played in which a clip's audio had not been read from disk in time (that
    /// part played as silence).
    pub fn disk_underruns(&self) -> u64 {
        self.disk_underruns.load(Ordering::Relaxed)
    }

    /// Whether the disk thread has sent every chunk the playhead's next seconds need at
    /// the current position (the audio thread takes them at its next callback).
    pub fn disk_ready(&self) -> bool {
        self.disk_ready_at.load(Ordering::Acquire) == self.position_frames() + 1
    }

    /// Graphs swapped in so far (the disk thread follows the newest one played).
    pub(crate) fn graph_generation(&self) -> u64 {
        self.graph_generation.load(Ordering::Acquire)
    }

    pub(crate) fn add_graph_generation(&self) {
        self.graph_generation.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn add_disk_underruns(&self, blocks: u64) {
        self.disk_underruns.fetch_add(blocks, Ordering::Relaxed);
    }

    pub(crate) fn set_transport(&self, position_frames: u64, playing: bool) {
        self.position_frames
            .store(position_frames, Ordering::Release);
        self.playing.store(playing, Ordering::Release);
    }

    pub(crate) fn add_frames(&self, frames: u64) {
        self.frames_rendered.fetch_add(frames, Ordering::Relaxed);
    }

    pub(crate) fn add_leak(&self) {
        self.leaked_graphs.fetch_add(1, Ordering::Relaxed);
    }

    /// Records one callback's load (called by the device layer around the callback).
    pub fn record_load(&self, load: f32) {
        let load = if load.is_finite() { load.max(0.0) } else { 0.0 };
        self.callbacks.fetch_add(1, Ordering::Relaxed);
        self.load_last.store(load.to_bits(), Ordering::Relaxed);
        self.load_max.fetch_max(load.to_bits(), Ordering::Relaxed);
        if load > 1.0 {
            self.overloads.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts an xrun (called by the device layer when the backend reports one).
    pub fn record_xrun(&self) {
        self.xruns.fetch_add(1, Ordering::Relaxed);
    }
}
