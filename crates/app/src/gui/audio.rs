//! The GUI's connection to the live engine: starting the device, sending edits on the
//! fast path or as graph swaps, transport, and reading meters.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use stemdesk_device::{AudioOutput, DeviceEvent, OutputConfig, start_output};
use stemdesk_engine::live::{
    LIVE_BLOCK_FRAMES, MeterReading, ParamUpdate, StripMeter, SyncPlan, plan_changes,
};
use stemdesk_engine::{EngineHandle, compile, engine};
use stemdesk_session::{Change, InsertId, StripId};

use super::analyser::Analyser;

use super::doc::Document;
use super::loudness::LoudnessMeter;

/// Playback state as the GUI sees it.
pub struct Audio {
    handle: Option<EngineHandle>,
    output: Option<AudioOutput>,
    /// Why playback is off, when it is.
    pub error: Option<String>,
    /// Requested device (`None` = default).
    pub device: Option<String>,
    /// Requested buffer size.
    pub buffer_frames: Option<u32>,
    /// Seconds the disk thread keeps loaded ahead of the playhead.
    pub read_ahead_s: f64,
    /// Meters by strip, with peak hold.
    pub meters: HashMap<StripId, StripMeter>,
    /// Loudness, true peak and correlation of the master while playing.
    pub loudness: LoudnessMeter,
    last_read: Instant,
    /// Playhead while there is no engine (still movable, for editing).
    idle_position: u64,
    /// Loop range and whether it is on.
    pub loop_range: (u64, u64),
    /// Loop on/off.
    pub looping: bool,
    /// A device failure being recovered from.
    recovery: Option<Recovery>,
    /// Times playback came back by itself after a device failure.
    pub recoveries: u32,
    /// Xruns of engines that have since stopped (the count survives restarts).
    xruns_before: u64,
    underruns_before: u64,
    /// The insert the engine was last asked to tap for the analyser.
    tapped: Option<(StripId, InsertId)>,
}

/// After a device failure: where playback was, and when to try the device again.
struct Recovery {
    message: String,
    attempt: u32,
    next_try: Instant,
    position_frames: u64,
    was_playing: bool,
}

/// Tries of the chosen device before the system default is tried too.
const TRIES_BEFORE_DEFAULT: u32 = 3;

/// Wait before recovery attempt `attempt` (0-based): 0.25 s doubling to 8 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64 << attempt.min(5))
}

impl Audio {
    /// Audio off (for tests that do not need a device, or before the first start).
    pub fn off(reason: &str) -> Self {
        Self {
            handle: None,
            output: None,
            error: Some(reason.to_owned()),
            device: None,
            buffer_frames: None,
            read_ahead_s: stemdesk_engine::live::DEFAULT_READ_AHEAD_S,
            meters: HashMap::new(),
            loudness: LoudnessMeter::new(48_000),
            last_read: Instant::now(),
            idle_position: 0,
            loop_range: (0, 0),
            looping: false,
            recovery: None,
            recoveries: 0,
            xruns_before: 0,
            underruns_before: 0,
            tapped: None,
        }
    }

    /// Compiles the document and opens the chosen device (the user asked: any recovery in
    /// progress is over). On failure playback stays off and [`Audio::error`] says why;
    /// everything else keeps working.
    pub fn start(&mut self, doc: &Document) {
        self.recovery = None;
        self.open(doc, self.device.clone());
    }

    /// Keeps the engine tapping `target` (the insert whose EQ editor is open, or none)
    /// and feeds `analyser` what it recorded over the last `dt_s` seconds.
    pub fn analyse(
        &mut self,
        target: Option<(StripId, InsertId)>,
        analyser: &mut Analyser,
        rate_hz: f32,
        dt_s: f32,
    ) {
        let retargeted = analyser.retarget(target, rate_hz);
        if let Some(handle) = self.handle.as_mut() {
            if retargeted {
                // What is queued came from the insert analysed before.
                handle.drain_insert_tap(analyser.pairs_mut());
                analyser.pairs_mut().clear();
            }
            if self.tapped != target && handle.tap_insert(target).is_ok() {
                self.tapped = target;
            }
            handle.drain_insert_tap(analyser.pairs_mut());
        }
        // No EQ editor open: nothing to compute this frame.
        if target.is_some() {
            analyser.take_pairs(dt_s);
        }
    }

    /// Whether playback is off because of a device failure that is being recovered from.
    pub fn recovering(&self) -> bool {
        self.recovery.is_some()
    }

    fn open(&mut self, doc: &Document, device: Option<String>) {
        self.stop_engine();
        let graph = compile(
            doc.session(),
            &doc.base_dir,
            &doc.sources,
            LIVE_BLOCK_FRAMES,
        );
        let (mut handle, player) = engine(graph);
        handle.set_read_ahead_s(self.read_ahead_s);
        let _ = handle.seek(self.idle_position);
        let config = OutputConfig {
            device,
            buffer_frames: self.buffer_frames,
        };
        match start_output(player, &config) {
            Ok(output) => {
                self.output = Some(output);
                self.handle = Some(handle);
                self.error = None;
                self.send_loop();
            }
            Err(e) => self.error = Some(format!("Playback off: {e}")),
        }
    }

    fn stop_engine(&mut self) {
        if let Some(h) = &self.handle {
            self.idle_position = h.status().position_frames();
            self.xruns_before += h.status().xruns();
            self.underruns_before += h.status().disk_underruns();
        }
        self.output = None;
        self.handle = None;
        // A new engine taps nothing until asked.
        self.tapped = None;
    }

    /// Whether a device is playing our engine.
    pub fn is_running(&self) -> bool {
        self.handle.is_some()
    }

    /// Name of the open device.
    pub fn device_name(&self) -> Option<&str> {
        self.output.as_ref().map(AudioOutput::device)
    }

    /// Buffer size in use (when fixed).
    pub fn buffer_in_use(&self) -> Option<u32> {
        self.output.as_ref().and_then(AudioOutput::buffer_frames)
    }

    /// Brings the engine along with `changes` (an edit, undo or redo) to the document.
    pub fn sync(&mut self, changes: &[Change], doc: &Document) {
        let Some(handle) = self.handle.as_mut() else {
            return;
        };
        let result = match plan_changes(changes, doc.session()) {
            SyncPlan::Nothing => Ok(()),
            SyncPlan::Params(updates) => updates.into_iter().try_for_each(|u| {
                match u {
                    ParamUpdate::Param {
                        strip,
                        param,
                        value,
                    } => handle.set_param(strip, param, value),
                    ParamUpdate::Insert {
                        strip,
                        insert,
                        params,
                    } => handle.set_insert_params(strip, insert, params),
                }
                .map(|_| ())
            }),
            SyncPlan::Recompile => {
                let graph = compile(
                    doc.session(),
                    &doc.base_dir,
                    &doc.sources,
                    LIVE_BLOCK_FRAMES,
                );
                handle.swap_graph(graph).map(|_| ())
            }
        };
        if let Err(e) = result {
            self.error = Some(e.to_string());
        }
    }

    /// Recompiles unconditionally (new media arrived, document replaced).
    pub fn reload(&mut self, doc: &Document) {
        if let Some(handle) = self.handle.as_mut() {
            let graph = compile(
                doc.session(),
                &doc.base_dir,
                &doc.sources,
                LIVE_BLOCK_FRAMES,
            );
            if let Err(e) = handle.swap_graph(graph) {
                self.error = Some(e.to_string());
            }
        }
        self.meters.clear();
    }

    /// Latest gain change of a compressor/gate insert (dB), while playing.
    pub fn dynamics_db(&self, strip: StripId, insert: stemdesk_session::InsertId) -> Option<f32> {
        self.handle.as_ref()?.meters().dynamics_db(strip, insert)
    }

    /// Peak entering a gate insert since the last call (linear), while playing.
    pub fn gate_input_peak(
        &self,
        strip: StripId,
        insert: stemdesk_session::InsertId,
    ) -> Option<f32> {
        self.handle
            .as_ref()?
            .meters()
            .take_dynamics_input(strip, insert)
    }

    /// Transport position.
    pub fn position_frames(&self) -> u64 {
        self.handle
            .as_ref()
            .map_or(self.idle_position, |h| h.status().position_frames())
    }

    /// Whether the transport is rolling (or will roll again once a failed device is back).
    pub fn is_playing(&self) -> bool {
        if let Some(r) = &self.recovery {
            return r.was_playing;
        }
        self.handle
            .as_ref()
            .is_some_and(|h| h.status().is_playing())
    }

    /// DSP load (last callback, and the highest since the last call).
    pub fn load(&self) -> Option<(f32, f32)> {
        self.handle
            .as_ref()
            .map(|h| (h.status().load(), h.status().take_max_load()))
    }

    /// Keeps `seconds` of audio loaded ahead of the playhead (more rides out a slow
    /// disk, costs memory per playing clip).
    pub fn set_read_ahead(&mut self, seconds: f64) {
        self.read_ahead_s = seconds;
        if let Some(h) = &self.handle {
            h.set_read_ahead_s(seconds);
        }
    }

    /// Blocks played with audio the disk had not delivered in time (silent there),
    /// since the app started.
    pub fn disk_underruns(&self) -> u64 {
        self.underruns_before
            + self
                .handle
                .as_ref()
                .map_or(0, |h| h.status().disk_underruns())
    }

    /// Xruns the backend reported since the app started.
    pub fn xruns(&self) -> u64 {
        self.xruns_before + self.handle.as_ref().map_or(0, |h| h.status().xruns())
    }

    /// Play / pause. While a failed device is being reopened, this decides whether
    /// playback starts once it is back.
    pub fn toggle_play(&mut self) {
        if let Some(r) = self.recovery.as_mut() {
            r.was_playing = !r.was_playing;
            return;
        }
        if let Some(h) = self.handle.as_mut() {
            let _ = if h.status().is_playing() {
                h.pause()
            } else {
                h.play()
            };
        }
    }

    /// Stop (and return to where playback started).
    pub fn stop(&mut self) {
        if let Some(h) = self.handle.as_mut() {
            let _ = h.stop();
        }
    }

    /// Sends a live parameter value (a control writing automation is heard).
    pub fn set_param(
        &mut self,
        strip: StripId,
        param: stemdesk_engine::live::LiveParam,
        value: f32,
    ) {
        if let Some(h) = self.handle.as_mut() {
            let _ = h.set_param(strip, param, value);
        }
    }

    /// Sends an insert's settings (a control writing one of its parameters is heard).
    pub fn set_insert_params(
        &mut self,
        strip: StripId,
        insert: stemdesk_session::InsertId,
        params: stemdesk_dsp::EffectParams,
    ) {
        if let Some(h) = self.handle.as_mut() {
            let _ = h.set_insert_params(strip, insert, params);
        }
    }

    /// Stops (or resumes) playing a lane while a control writes it.
    pub fn suspend_lane(&mut self, strip: StripId, lane: stemdesk_session::LaneId, on: bool) {
        if let Some(h) = self.handle.as_mut() {
            let _ = h.suspend_lane(strip, lane, on);
        }
    }

    /// Moves the playhead.
    pub fn seek(&mut self, frames: u64) {
        match self.handle.as_mut() {
            Some(h) => {
                let _ = h.seek(frames);
            }
            None => self.idle_position = frames,
        }
    }

    /// Sets the loop range (frames) and sends it when looping is on.
    pub fn set_loop_range(&mut self, start: u64, end: u64) {
        self.loop_range = (start.min(end), start.max(end));
        self.send_loop();
    }

    /// Loop on/off.
    pub fn toggle_loop(&mut self) {
        self.looping = !self.looping;
        self.send_loop();
    }

    fn send_loop(&mut self) {
        let (start, end) = self.loop_range;
        let range = (self.looping && end > start).then_some((start, end));
        if let Some(h) = self.handle.as_mut() {
            let _ = h.set_loop(range);
        }
    }

    /// Frees what the audio thread returned, reads meters, notices device trouble and
    /// recovers from it. Call once per GUI frame.
    pub fn poll(&mut self, doc: &Document) {
        if self
            .recovery
            .as_ref()
            .is_some_and(|r| Instant::now() >= r.next_try)
        {
            self.try_recover(doc);
        }
        let Some(handle) = self.handle.as_mut() else {
            return;
        };
        handle.poll();
        let rate = handle.sample_rate_hz();
        if rate != self.loudness.rate_hz() {
            self.loudness.reset(rate);
        }
        handle.drain_master(&mut self.loudness.buffer);
        self.loudness.consume();
        let dt = self.last_read.elapsed().as_secs_f32();
        self.last_read = Instant::now();
        let bank = handle.meters();
        for &strip in bank.strips() {
            let reading: MeterReading = bank.take(strip).unwrap_or_default();
            self.meters.entry(strip).or_default().update(reading, dt);
        }
        let lost = self.output.as_mut().and_then(|o| {
            o.poll_events().into_iter().find_map(|e| match e {
                DeviceEvent::Lost(m) => Some(m),
                DeviceEvent::Warning(_) => None,
            })
        });
        if let Some(message) = lost {
            let position_frames = self.position_frames();
            let was_playing = self.is_playing();
            self.stop_engine();
            self.error = Some(format!("Audio device failed ({message}); reopening it…"));
            self.recovery = Some(Recovery {
                message,
                attempt: 0,
                next_try: Instant::now() + backoff(0),
                position_frames,
                was_playing,
            });
        }
    }

    /// Reopens the device after a failure (the system default after a few failed tries)
    /// and resumes where playback stopped; otherwise schedules the next try.
    fn try_recover(&mut self, doc: &Document) {
        let Some(mut r) = self.recovery.take() else {
            return;
        };
        self.idle_position = r.position_frames;
        let device = if r.attempt >= TRIES_BEFORE_DEFAULT && r.attempt % 2 == 1 {
            None
        } else {
            self.device.clone()
        };
        self.open(doc, device);
        if let Some(h) = self.handle.as_mut() {
            if r.was_playing {
                let _ = h.play();
            }
            self.recoveries += 1;
            self.error = None;
            return;
        }
        r.attempt += 1;
        let wait = backoff(r.attempt);
        r.next_try = Instant::now() + wait;
        self.error = Some(format!(
            "Audio device failed ({}); trying again in {:.1} s (attempt {}): {}",
            r.message,
            wait.as_secs_f32(),
            r.attempt + 1,
            self.error.as_deref().unwrap_or("")
        ));
        self.recovery = Some(r);
    }
}
