//! The application state and the one place edits, undo and file operations happen.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use stemdesk_session::{
    Bus, BusId, Clip, ClipId, Color, Edit, Fade, Gesture, Session, Strip, Track, TrackId,
};

use super::action::Drag;
use super::audio::Audio;
use super::autosave::{self, Autosave};
use super::bounce_options::BounceRange;
use super::desk::Desk;
use super::dialogs::{DialogAnswer, DialogRequest, Dialogs, Waker};
use super::doc::Document;
use super::jobs::{ImportPlace, JobDone, Jobs};
use super::messages::MessageLog;
use super::path_prompt::{PathPrompt, PromptResult};
use super::settings::Settings;
use super::view::{AfterSaveQuestion, FileQuestion, ViewState};
use crate::cli::new::PALETTE;

/// How the app is set up (tests change the audio and data folder).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Start the audio device at all.
    pub audio: bool,
    /// Output device (`None` = default).
    pub device: Option<String>,
    /// Buffer size (`None` = device default).
    pub buffer_frames: Option<u32>,
    /// Where untitled recovery files go.
    pub data_dir: PathBuf,
    /// Close after this many frames (launch checks).
    pub quit_after_frames: Option<u64>,
    /// Decode media and compute waveforms in the background after opening a session
    /// (the window never waits); `false` does it all before the session shows (tests
    /// that take snapshots).
    pub background_media: bool,
}

impl Default for AppConfig {
    fn default() -> Self {
        let data_dir = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(std::env::temp_dir)
            .join("stemdesk");
        Self {
            audio: true,
            device: None,
            buffer_frames: None,
            data_dir,
            quit_after_frames: None,
            background_media: true,
        }
    }
}

/// The mixing desk.
pub struct StemdeskApp {
    pub(crate) doc: Document,
    pub(crate) audio: Audio,
    pub(crate) view: ViewState,
    pub(crate) jobs: Jobs,
    pub(crate) messages: MessageLog,
    dialogs: Box<dyn Dialogs>,
    autosave: Autosave,
    config: AppConfig,
    frames: u64,
    title: String,
    jobs_waker_missing: bool,
    /// The egui context, once the first frame has run (to repaint and close from
    /// answers that arrive later).
    ctx: Option<egui::Context>,
    /// The settings as last saved (saved again when they change).
    settings: Settings,
    /// The user's effect presets.
    pub(crate) presets: super::presets::PresetStore,
    /// Recently opened sessions, newest first.
    pub(crate) recent: Vec<PathBuf>,
    /// The last finished bounce, with its figures and verdict.
    last_bounce: Option<Box<super::jobs::BounceDone>>,
    /// Drags by control, with their undo gesture.
    drags: HashMap<egui::Id, DragState>,
    /// A pass of the transport writing automation.
    pub(crate) recording: Option<super::recording::Recording>,
    /// Spectra of the EQ whose editor is open.
    analyser: super::analyser::Analyser,
    /// When the analyser last took in audio (egui's clock, seconds).
    analysed_at: f64,
}

impl StemdeskApp {
    /// Creates the app, opening `session` if given. Problems are shown, never fatal.
    pub fn new(config: AppConfig, dialogs: Box<dyn Dialogs>, session: Option<&Path>) -> Self {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let mut app = Self {
            doc: Document::empty(cwd),
            audio: Audio::off("Playback off: audio is disabled"),
            view: ViewState::default(),
            jobs: Jobs::default(),
            messages: MessageLog::default(),
            dialogs,
            autosave: Autosave::default(),
            recent: load_recent(&config.data_dir),
            config,
            frames: 0,
            title: String::new(),
            jobs_waker_missing: true,
            ctx: None,
            settings: Settings::default(),
            presets: Default::default(),
            drags: HashMap::new(),
            last_bounce: None,
            recording: None,
            analyser: Default::default(),
            analysed_at: 0.0,
        };
        // Remembered settings; the command line's device and buffer win.
        app.settings = Settings::load(&app.config.data_dir);
        app.presets = super::presets::PresetStore::load(&app.config.data_dir);
        for problem in std::mem::take(&mut app.presets.problems) {
            app.error(problem);
        }
        app.audio.device = app.config.device.clone().or(app.settings.device.clone());
        app.audio.buffer_frames = app.config.buffer_frames.or(app.settings.buffer_frames);
        app.audio.read_ahead_s = app.settings.read_ahead_s;
        app.view.show_arrange = app.settings.show_arrange;
        app.view.show_mixer = app.settings.show_mixer;
        app.view.follow_playhead = app.settings.follow_playhead;
        if let Some(path) = session {
            app.open_path(path);
        } else {
            app.view.recovery_offer = autosave::pending_recovery(None, &app.config.data_dir);
        }
        if app.config.audio {
            app.audio.start(&app.doc);
        }
        app
    }

    // ----- queries (also used by tests) -----

    /// The session being edited.
    pub fn session(&self) -> &Session {
        self.doc.session()
    }

    /// Where the session is saved.
    pub fn session_path(&self) -> Option<&Path> {
        self.doc.path.as_deref()
    }

    /// Unsaved changes?
    pub fn is_dirty(&self) -> bool {
        self.doc.is_dirty()
    }

    /// Transport position in frames.
    pub fn position_frames(&self) -> u64 {
        self.audio.position_frames()
    }

    /// Whether playback is running.
    pub fn is_playing(&self) -> bool {
        self.audio.is_playing()
    }

    /// The part of the timeline the arrange view shows, seconds (start, end).
    pub fn timeline_view_s(&self) -> (f64, f64) {
        (
            self.view.scroll_s,
            self.view.scroll_s + self.view.visible_s(),
        )
    }

    /// The output device chosen (remembered between runs; `None` = system default).
    pub fn audio_device(&self) -> Option<String> {
        self.audio.device.clone()
    }

    /// Times playback came back by itself after a device failure.
    pub fn audio_recoveries(&self) -> u32 {
        self.audio.recoveries
    }

    /// Why playback is off, if it is.
    pub fn audio_error(&self) -> Option<&str> {
        self.audio.error.as_deref()
    }

    /// The loop range in frames, when looping is on.
    pub fn loop_range(&self) -> Option<(u64, u64)> {
        self.audio.looping.then_some(self.audio.loop_range)
    }

    /// Whether the app has decided to close (after any save question was answered).
    pub fn is_closing(&self) -> bool {
        self.view.close_confirmed
    }

    /// Whether the media at `resolved` can play and has its waveform (tests of the
    /// background open).
    #[doc(hidden)]
    pub fn media_state(&self, resolved: &Path) -> (bool, bool) {
        let key = stemdesk_session::normalize_path(resolved);
        (
            self.doc.sources.contains_key(&key),
            self.doc.peaks.contains_key(&key),
        )
    }

    /// Resolved media paths that are offline.
    pub fn offline_media(&self) -> Vec<PathBuf> {
        self.doc.offline.iter().cloned().collect()
    }

    /// The last finished bounce: its file and figures (loudness, peaks, warnings).
    pub fn last_bounce(&self) -> Option<(&Path, &stemdesk_engine::RenderReport)> {
        self.last_bounce
            .as_ref()
            .map(|b| (b.path.as_path(), &b.report))
    }

    /// Whether the last bounce passed its preflight, and its HTML report if written.
    pub fn last_bounce_verdict(&self) -> Option<(bool, Option<&Path>)> {
        self.last_bounce
            .as_ref()
            .map(|b| (b.checks.iter().all(|c| c.passed), b.html.as_deref()))
    }

    /// The master loudness meter's figures (what the mixer's Loudness box shows).
    pub fn master_loudness(&self) -> super::loudness::LoudnessReading {
        self.audio.loudness.reading()
    }

    /// Status messages, oldest first.
    pub fn messages(&self) -> impl Iterator<Item = &str> {
        self.messages.iter().map(|m| m.text.as_str())
    }

    /// Blocks until background imports and bounces finish and applies their results (tests).
    pub fn finish_jobs(&mut self) {
        let done = self.jobs.wait_all();
        self.handle_jobs(done);
    }

    /// Shows every track's automation lanes (for the frame-time benchmark).
    #[doc(hidden)]
    pub fn show_all_lanes_for_bench(&mut self) {
        let tracks: Vec<stemdesk_session::StripId> = self
            .doc
            .session()
            .tracks
            .iter()
            .map(|t| stemdesk_session::StripId::Track(t.id))
            .collect();
        self.view.automation_open.extend(tracks);
    }

    /// Benchmarks only: moves every strip's meter as if audio were playing (no device
    /// needed, so the measurement is not disturbed by an audio thread).
    #[doc(hidden)]
    pub fn animate_meters_for_bench(&mut self, phase: f32) {
        let s = self.doc.session();
        let strips: Vec<stemdesk_session::StripId> = s
            .tracks
            .iter()
            .map(|t| stemdesk_session::StripId::Track(t.id))
            .chain(s.buses.iter().map(|b| stemdesk_session::StripId::Bus(b.id)))
            .chain(std::iter::once(stemdesk_session::StripId::Master))
            .collect();
        for (i, id) in strips.into_iter().enumerate() {
            let x = 0.5 + 0.45 * (phase + i as f32 * 0.37).sin();
            let reading = stemdesk_engine::live::MeterReading {
                peak: [x, x * 0.9],
                rms: [x * 0.5, x * 0.45],
            };
            self.audio
                .meters
                .entry(id)
                .or_default()
                .update(reading, 1.0 / 30.0);
        }
    }

    // ----- messages -----

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.push_message(text.into(), false);
    }

    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.push_message(text.into(), true);
    }

    fn push_message(&mut self, text: String, is_error: bool) {
        // Also on stderr: a log for whoever started the desk from a terminal.
        eprintln!("stemdesk: {text}");
        self.messages.push(text, is_error);
    }

    // ----- edits -----

    /// A new gesture: every edit made with it until the next one is one undo step.
    pub(crate) fn new_gesture(&mut self) -> Gesture {
        self.doc.gesture()
    }

    /// Applies an edit (its own undo step, or part of `gesture`) and tells the engine.
    pub(crate) fn edit(&mut self, edit: Edit, gesture: Option<Gesture>) {
        match self.doc.apply(&edit, gesture) {
            Ok(change) => self.audio.sync(&[change], &self.doc),
            Err(e) => self.error(format!("Cannot do that: {e}")),
        }
    }

    /// Undo one step.
    pub(crate) fn undo(&mut self) {
        let changes = self.doc.undo();
        self.audio.sync(&changes, &self.doc);
    }

    /// Redo one step.
    pub(crate) fn redo(&mut self) {
        let changes = self.doc.redo();
        self.audio.sync(&changes, &self.doc);
    }

    /// Fresh IDs from a scratch copy of the session's counter; the edit that uses them
    /// moves the real counter past them.
    pub(crate) fn fresh_ids<const N: usize>(&self) -> [u32; N] {
        let next = self.doc.session().next_id;
        std::array::from_fn(|i| next.saturating_add(i as u32))
    }

    /// Adds a bus routed to the master.
    pub(crate) fn add_bus(&mut self) {
        let [id] = self.fresh_ids::<1>();
        let n = self.session().buses.len();
        let bus = Bus {
            id: BusId(id),
            name: format!("Bus {}", n + 1),
            color: Color(0x8a, 0x8f, 0x98),
            solo_safe: false,
            strip: Strip::default(),
        };
        self.edit(Edit::AddBus(bus), None);
    }

    // ----- files -----

    /// File → New: an empty session (asks to save unsaved changes first).
    pub(crate) fn new_session(&mut self) {
        self.unless_unsaved(AfterSaveQuestion::New);
    }

    /// File → Open…
    pub(crate) fn open_dialog(&mut self) {
        self.ask(FileQuestion::OpenSession);
    }

    /// Opens the dialog for `question`; its answer is applied by [`Self::answer`] when it
    /// comes (at once for scripted dialogs, later for real ones). One dialog at a time.
    fn ask(&mut self, question: FileQuestion) {
        if self.view.asking.is_some() || self.view.path_prompt.is_some() {
            self.info("A file dialog is already open");
            return;
        }
        let request = DialogRequest {
            kind: question.kind(),
            suggested_name: self.suggested_name(&question),
        };
        let ctx = self.ctx.clone();
        let wake: Waker = Arc::new(move || {
            if let Some(ctx) = &ctx {
                ctx.request_repaint();
            }
        });
        self.view.asking = Some(question);
        self.dialogs.ask(request, wake);
        self.poll_dialog();
    }

    /// The file name a save dialog offers.
    fn suggested_name(&self, question: &FileQuestion) -> String {
        match question {
            FileQuestion::SaveSession { .. } => format!("{}.ron", self.doc.name()),
            FileQuestion::BounceTarget { options } => {
                let fields = crate::name_template::NameFields {
                    session: self.doc.name(),
                    // As the bounce job tags the file.
                    title: if options.title.trim().is_empty() {
                        self.doc.name()
                    } else {
                        options.title.trim().to_owned()
                    },
                    artist: options.artist.trim().to_owned(),
                    date: stemdesk_media::Metadata::now().0,
                    format: options.format,
                    container: options.container,
                    rate_hz: options
                        .sample_rate_hz
                        .unwrap_or(self.session().sample_rate_hz),
                };
                format!(
                    "{}.{}",
                    crate::name_template::expand(&options.name_template, &fields),
                    options.container.extension()
                )
            }
            _ => String::new(),
        }
    }

    /// Applies a dialog's answer once it has arrived.
    fn poll_dialog(&mut self) {
        if self.view.asking.is_none() {
            return;
        }
        let Some(answer) = self.dialogs.poll() else {
            return;
        };
        let Some(question) = self.view.asking.take() else {
            return;
        };
        match answer {
            DialogAnswer::Chosen(paths) => self.answer(question, paths),
            DialogAnswer::Cancelled => {}
            DialogAnswer::Unavailable(why) => {
                // Said on stderr too: a launch check (and a user with a terminal) sees why.
                eprintln!(
                    "stemdesk: {}: {why}; asking for a typed path",
                    question.kind().title()
                );
                let suggested = self.suggested_name(&question);
                let prompt =
                    PathPrompt::new(question.kind(), why, self.doc.base_dir.clone(), &suggested);
                self.view.path_prompt = Some((question, prompt));
            }
        }
    }

    /// Does what `question` was asked for with the chosen `paths`.
    fn answer(&mut self, question: FileQuestion, paths: Vec<PathBuf>) {
        let Some(first) = paths.first().cloned() else {
            return;
        };
        match question {
            FileQuestion::OpenSession => self.request_open(first),
            FileQuestion::SaveSession { then } => {
                self.save_to(&first);
                if let Some(then) = then
                    && !self.doc.is_dirty()
                {
                    self.perform(then);
                }
            }
            FileQuestion::ImportAudio { position_frames } => {
                self.import(paths, position_frames, None);
            }
            FileQuestion::BounceTarget { options } => {
                let range = match options.range {
                    BounceRange::WholeSong => (0, None),
                    BounceRange::Loop => {
                        let (start, end) = self.audio.loop_range;
                        (start, Some(end.max(start + 1)))
                    }
                    BounceRange::Marker(id) => {
                        let end = self.session().content_end_frames();
                        match self.session().timeline.marker_range(id, end) {
                            Some((start, end)) => (start, Some(end)),
                            None => {
                                self.error(
                                    "That marker has nothing after it: choose another range"
                                        .to_owned(),
                                );
                                return;
                            }
                        }
                    }
                };
                self.jobs.bounce(
                    self.session().clone(),
                    self.doc.base_dir.clone(),
                    self.doc.sources.clone(),
                    first,
                    self.doc.path.clone(),
                    options,
                    range,
                );
            }
            FileQuestion::RelinkFolder => self.relink_from(&first),
        }
    }

    /// Opens `path`, asking to save unsaved changes first.
    pub(crate) fn request_open(&mut self, path: PathBuf) {
        self.unless_unsaved(AfterSaveQuestion::Open(path));
    }

    /// Does `then` now, or after the save question when there are unsaved changes.
    fn unless_unsaved(&mut self, then: AfterSaveQuestion) {
        if self.doc.is_dirty() {
            self.view.confirm = Some(then);
        } else {
            self.perform(then);
        }
    }

    fn perform(&mut self, action: AfterSaveQuestion) {
        match action {
            AfterSaveQuestion::Quit => {
                if let Some(ctx) = self.ctx.clone() {
                    self.close_now(&ctx);
                }
            }
            AfterSaveQuestion::New => {
                autosave::clear(&self.recovery_path());
                let base = self.doc.base_dir.clone();
                self.doc = Document::empty(base);
                self.after_document_change();
            }
            AfterSaveQuestion::Open(path) => {
                autosave::clear(&self.recovery_path());
                self.open_path(&path);
            }
        }
    }

    /// Opens a session file; on failure the current document stays.
    pub fn open_path(&mut self, path: &Path) {
        let opened = if self.config.background_media {
            Document::open(path)
        } else {
            Document::open_and_wait(path).map(|doc| (doc, Vec::new()))
        };
        match opened {
            Ok((doc, to_decode)) => {
                self.doc = doc;
                self.load_media_in_background(to_decode);
                for p in std::mem::take(&mut self.doc.problems) {
                    self.error(p);
                }
                if !self.doc.offline.is_empty() {
                    self.error(format!(
                        "{} media file(s) offline: use File > Relink Media… to find them",
                        self.doc.offline.len()
                    ));
                }
                self.remember_recent(path);
                self.view.recovery_offer =
                    autosave::pending_recovery(Some(path), &self.config.data_dir);
                self.after_document_change();
                self.info(format!("Opened {}", file_name(path)));
            }
            Err(e) => self.error(format!(
                "Cannot open {}: {}",
                path.display(),
                crate::error_text(&e)
            )),
        }
    }

    /// Decodes `to_decode` into the media cache and computes the waveforms of every
    /// source without peaks, each as a job; the session plays meanwhile (clips of media
    /// still decoding are silent) and fills in as they finish.
    fn load_media_in_background(&mut self, to_decode: Vec<PathBuf>) {
        let rate = self.session().sample_rate_hz;
        let place = ImportPlace {
            position_frames: 0,
            track_index: None,
        };
        for path in to_decode {
            self.jobs.import(path, rate, place, true);
        }
        let mut need_peaks: Vec<_> = self
            .doc
            .sources
            .iter()
            .filter(|(p, _)| !self.doc.peaks.contains_key(*p))
            .map(|(p, a)| (p.clone(), Arc::clone(a)))
            .collect();
        need_peaks.sort_by(|a, b| a.0.cmp(&b.0));
        if !need_peaks.is_empty() {
            self.jobs.peaks(need_peaks, rate);
        }
    }

    fn after_document_change(&mut self) {
        // Gestures belong to the old document's history.
        self.drags.clear();
        self.view.selected_clip = None;
        self.view.selected_track = None;
        self.view.editor = None;
        // Lanes, markers and a recording pass belong to the old document too.
        self.recording = None;
        self.view.lane_selection = None;
        self.view.lane_menu = None;
        self.view.lane_offset = None;
        self.view.lane_drag = None;
        self.view.marker_drag = None;
        self.view.marker_menu = None;
        self.audio.seek(0);
        self.audio.reload(&self.doc);
    }

    /// File → Save (asks where when untitled).
    pub(crate) fn save(&mut self) {
        self.save_then(None);
    }

    /// Saves, then does `then` once the session is safely saved (the answer to the
    /// "save changes?" question).
    fn save_then(&mut self, then: Option<AfterSaveQuestion>) {
        match self.doc.path.clone() {
            Some(path) => {
                self.save_to(&path);
                if let Some(then) = then
                    && !self.doc.is_dirty()
                {
                    self.perform(then);
                }
            }
            None => self.ask(FileQuestion::SaveSession { then }),
        }
    }

    /// File → Save As…
    pub(crate) fn save_as(&mut self) {
        self.ask(FileQuestion::SaveSession { then: None });
    }

    fn save_to(&mut self, path: &Path) {
        let recovery = self.recovery_path();
        match self.doc.save_to(path) {
            Ok(()) => {
                // Saving into another folder starts a new history: its gestures are new.
                self.drags.clear();
                autosave::clear(&recovery);
                self.remember_recent(path);
                self.info(format!("Saved {}", file_name(path)));
            }
            Err(e) => {
                self.error(crate::error_text(&e));
                // A read-only session: ask for another name straight away.
                let read_only = e.chain().any(|c| {
                    c.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::PermissionDenied)
                });
                if read_only {
                    self.save_as();
                }
            }
        }
    }

    pub(crate) fn recovery_path(&self) -> PathBuf {
        autosave::recovery_path(self.doc.path.as_deref(), &self.config.data_dir)
    }

    /// Restores the offered recovery file into the current document (as an undoable edit
    /// of the whole session would be too large, it replaces the state and marks it unsaved).
    pub(crate) fn restore_recovery(&mut self, rec: &Path) {
        match stemdesk_session::load(rec) {
            Ok(loaded) => {
                let path = self.doc.path.clone();
                let mut doc = Document::empty(self.doc.base_dir.clone());
                doc.path = path;
                std::mem::swap(&mut self.doc.sources, &mut doc.sources);
                std::mem::swap(&mut self.doc.peaks, &mut doc.peaks);
                std::mem::swap(&mut self.doc.offline, &mut doc.offline);
                self.doc = doc;
                self.doc.replace_session(loaded.session);
                self.drags.clear();
                self.audio.reload(&self.doc);
                self.info("Restored unsaved changes from the recovery file");
            }
            Err(e) => self.error(format!("Cannot restore {}: {e}", rec.display())),
        }
    }

    fn remember_recent(&mut self, path: &Path) {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path);
        self.recent.truncate(10);
        save_recent(&self.config.data_dir, &self.recent);
    }

    /// File > Import Audio…: one new track per file at the playhead.
    pub(crate) fn import_dialog(&mut self) {
        let position_frames = self.position_frames();
        self.ask(FileQuestion::ImportAudio { position_frames });
    }

    /// Imports audio files as new tracks with a clip at `position_frames`.
    pub fn import(
        &mut self,
        paths: Vec<PathBuf>,
        position_frames: u64,
        track_index: Option<usize>,
    ) {
        let rate = self.session().sample_rate_hz;
        for (i, path) in paths.into_iter().enumerate() {
            let path = std::path::absolute(&path).unwrap_or(path);
            let place = ImportPlace {
                position_frames,
                track_index: track_index.map(|t| t + i),
            };
            self.jobs.import(path, rate, place, false);
        }
    }

    /// File > Relink Media…: looks for each offline file by name in a chosen folder.
    pub(crate) fn relink_dialog(&mut self) {
        self.ask(FileQuestion::RelinkFolder);
    }

    /// Relinks offline media to files of the same name in `folder`.
    fn relink_from(&mut self, folder: &Path) {
        let mut found = 0;
        let offline: Vec<PathBuf> = self.doc.offline.iter().cloned().collect();
        let mut edits = Vec::new();
        for missing in offline {
            let Some(name) = missing.file_name() else {
                continue;
            };
            let candidate = folder.join(name);
            if !candidate.is_file() {
                continue;
            }
            found += 1;
            self.doc.offline.remove(&missing);
            let new_source = self
                .doc
                .media_path(&std::path::absolute(&candidate).unwrap_or(candidate.clone()));
            for (track, clip) in self.session().clips() {
                if self.doc.resolve(&clip.source) == missing {
                    edits.push((track.id, clip.clone(), new_source.clone()));
                }
            }
            let rate = self.session().sample_rate_hz;
            self.jobs.import(
                candidate,
                rate,
                ImportPlace {
                    position_frames: 0,
                    track_index: None,
                },
                true,
            );
        }
        let gesture = self.new_gesture();
        for (track, clip, source) in edits {
            self.edit(Edit::RemoveClip(clip.id), Some(gesture));
            self.edit(
                Edit::AddClip {
                    track,
                    clip: Clip { source, ..clip },
                },
                Some(gesture),
            );
        }
        self.info(format!(
            "Relink: found {found} file(s) in {}",
            folder.display()
        ));
    }

    /// File → Bounce…: the Bounce window (its Bounce… button asks where, then the mix
    /// renders in the background).
    pub(crate) fn bounce_dialog(&mut self) {
        self.view.bounce_window = true;
    }

    /// Asks where to bounce with `options`, then bounces.
    pub(crate) fn bounce_with(&mut self, options: super::bounce_options::BounceOptions) {
        self.view.bounce_window = false;
        self.ask(FileQuestion::BounceTarget { options });
    }

    pub(crate) fn handle_jobs(&mut self, done: Vec<JobDone>) {
        for job in done {
            match job {
                JobDone::Import(Ok(imported)) => self.add_imported(imported),
                JobDone::Relink(Ok(imported)) => {
                    let resolved = imported.path.clone();
                    self.doc
                        .add_source(resolved, imported.audio, imported.peaks);
                    self.audio.reload(&self.doc);
                }
                JobDone::Import(Err(e)) => {
                    self.error(format!("Import failed: {e}"));
                }
                JobDone::Relink(Err((path, e))) => {
                    // What was decoded before it failed stops playing: its clips go
                    // offline, as for missing media.
                    if self.doc.take_offline(&path) {
                        self.audio.reload(&self.doc);
                    }
                    self.error(format!("Loading failed, its clips are offline: {e}"));
                }
                JobDone::Early(path, audio) => {
                    self.doc.add_early_source(path, audio);
                    self.audio.reload(&self.doc);
                }
                JobDone::Peaks(path, peaks) => {
                    self.doc.peaks.insert(path, peaks);
                }
                JobDone::PeaksDone => {}
                JobDone::Bounce(Ok(done)) => {
                    let warnings: String = done
                        .report
                        .warnings
                        .iter()
                        .map(|w| format!(" ({w})"))
                        .collect();
                    self.info(format!(
                        "Bounced {}: {}{warnings}",
                        done.path.display(),
                        crate::cli::bounce::describe(&done.report)
                    ));
                    if let Some(e) = &done.report_error {
                        self.error(format!("The bounce report was not written: {e}"));
                    }
                    self.last_bounce = Some(done);
                    self.view.show_bounce_report = true;
                }
                JobDone::Bounce(Err(e)) => self.error(e),
            }
        }
    }

    fn add_imported(&mut self, imported: super::jobs::Imported) {
        let frames = imported.audio.frames() as u64;
        let source = self.doc.media_path(&imported.path);
        self.doc
            .add_source(imported.path.clone(), imported.audio, imported.peaks);
        let [track_id, clip_id] = self.fresh_ids::<2>();
        let n = self.session().tracks.len();
        let index = imported.place.track_index.unwrap_or(n).min(n);
        let track = Track {
            id: TrackId(track_id),
            name: crate::cli::bounce::track_name(&imported.path),
            color: PALETTE[n % PALETTE.len()],
            clips: vec![Clip {
                id: ClipId(clip_id),
                source,
                position_frames: imported.place.position_frames,
                offset_frames: 0,
                length_frames: frames,
                gain_db: 0.0,
                fade_in: Fade::default(),
                fade_out: Fade::default(),
            }],
            strip: Strip::default(),
        };
        self.edit(Edit::AddTrack { track, index }, None);
        self.info(format!("Imported {}", imported.path.display()));
    }

    // ----- per frame -----

    /// Draws the whole desk into `ui` and handles input. eframe calls this every frame;
    /// tests call it through egui_kittest.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.frames += 1;
        let ctx = ui.ctx().clone();
        if self.ctx.is_none() {
            self.ctx = Some(ctx.clone());
            ctx.set_zoom_factor(self.settings.ui_scale);
        }
        self.poll_dialog();
        if self.jobs_waker_missing {
            let c = ctx.clone();
            self.jobs.set_waker(Arc::new(move || c.request_repaint()));
            self.jobs_waker_missing = false;
        }
        let done = self.jobs.finished();
        self.handle_jobs(done);
        self.audio.poll(&self.doc);
        self.analyse(&ctx);
        let actions = self.panels(ui, &ctx);
        self.apply(actions, &ctx);
        self.recording_tick(&ctx);
        super::messages::window(&mut self.messages, &mut self.view.show_messages, &ctx);
        self.dialogs_ui(&ctx);
        if let Some(e) = self.autosave.tick(
            self.doc.is_dirty(),
            self.doc.session(),
            &self.recovery_path(),
        ) {
            self.error(e);
        }
        self.remember_settings(&ctx);
        // Repaint only as needed: at a steady meter rate while playing or working.
        if self.audio.is_playing() || self.audio.recovering() || !self.jobs.running.is_empty() {
            ctx.request_repaint_after(Duration::from_millis(33));
        }
    }

    /// Feeds the analyser of the open EQ editor (none open: the engine taps nothing).
    fn analyse(&mut self, ctx: &egui::Context) {
        let session = self.doc.session();
        let target = self.view.editor.filter(|(strip, insert)| {
            session
                .inserts(*strip)
                .and_then(|i| i.iter().find(|i| i.id == *insert))
                .is_some_and(|i| matches!(i.effect, stemdesk_dsp::EffectParams::Eq(_)))
        });
        let rate_hz = session.sample_rate_hz as f32;
        // Wall-clock time between frames (egui's stable_dt is the time a frame took).
        let now = ctx.input(|i| i.time);
        let dt_s = (now - std::mem::replace(&mut self.analysed_at, now)).clamp(0.0, 1.0) as f32;
        self.audio
            .analyse(target, &mut self.analyser, rate_hz, dt_s);
        if target.is_some() && self.audio.is_playing() {
            ctx.request_repaint_after(Duration::from_millis(33));
        }
    }

    /// Draws every panel over a read-only view of the desk; returns what they asked for.
    fn panels(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) -> Vec<super::action::Action> {
        let live = self.live_values();
        let mut desk = Desk::new(
            &self.doc,
            &self.audio,
            &self.jobs,
            &self.messages,
            &self.recent,
            self.last_bounce.as_deref(),
            &mut self.view,
        )
        .with_presets(&self.presets)
        .with_analyser(&self.analyser)
        .with_live(live);
        super::keys::handle(&mut desk, ctx);
        super::arrange::drops(&mut desk, ctx);
        super::menu::show(&mut desk, ui);
        super::transport::show(&mut desk, ui);
        super::status::show(&mut desk, ui);
        let (mixer, arrange) = (desk.view.show_mixer, desk.view.show_arrange);
        if mixer && arrange {
            // The mixer gets most of the window at first (faders of at least 200 px),
            // then keeps the size the user drags it to.
            let mixer_height = (ui.available_height() * 0.68).max(300.0);
            egui::Panel::bottom("mixer_panel")
                .resizable(true)
                .default_size(mixer_height)
                .show(ui, |ui| super::mixer::show(&mut desk, ui));
            egui::CentralPanel::default().show(ui, |ui| super::arrange::show(&mut desk, ui));
        } else if mixer {
            egui::CentralPanel::default().show(ui, |ui| super::mixer::show(&mut desk, ui));
        } else {
            egui::CentralPanel::default().show(ui, |ui| super::arrange::show(&mut desk, ui));
        }
        super::editors::show(&mut desk, ctx);
        super::bounce::options_window(&mut desk, ctx);
        super::bounce::report_window(&mut desk, ctx);
        super::menu::shortcuts_window(desk.view, ctx);
        desk.into_actions()
    }

    /// The gesture a drag's edits belong to. A drag that began (`started`) gets a new one
    /// and keeps it until the control's next drag begins, however long it pauses; a
    /// control that reports no start (a colour picker) keeps its gesture while changes
    /// keep coming, and gets a new one after a few still frames.
    pub(crate) fn gesture_of(&mut self, drag: Drag) -> Gesture {
        const STILL_FRAMES: u64 = 3;
        let frame = self.frames;
        self.drags
            .retain(|_, d| d.started || frame.saturating_sub(d.last_frame) < STILL_FRAMES);
        let (gesture, started) = match self.drags.get(&drag.id) {
            Some(d) if !drag.started => (d.gesture, d.started),
            _ => (self.doc.gesture(), drag.started),
        };
        self.drags.insert(
            drag.id,
            DragState {
                gesture,
                last_frame: frame,
                started,
            },
        );
        gesture
    }

    /// Saves the settings when the user changed one.
    fn remember_settings(&mut self, ctx: &egui::Context) {
        let now = Settings {
            device: self.audio.device.clone(),
            buffer_frames: self.audio.buffer_frames,
            ui_scale: ctx.zoom_factor(),
            show_arrange: self.view.show_arrange,
            show_mixer: self.view.show_mixer,
            follow_playhead: self.view.follow_playhead,
            read_ahead_s: self.audio.read_ahead_s,
        };
        if now != self.settings {
            if let Err(e) = now.save(&self.config.data_dir) {
                self.error(format!(
                    "Cannot remember the settings in {}: {e}",
                    self.config.data_dir.display()
                ));
            }
            self.settings = now;
        }
    }

    fn dialogs_ui(&mut self, ctx: &egui::Context) {
        if let Some((question, mut prompt)) = self.view.path_prompt.take() {
            match prompt.show(ctx) {
                PromptResult::Open => self.view.path_prompt = Some((question, prompt)),
                PromptResult::Chosen(paths) => self.answer(question, paths),
                PromptResult::Cancelled => {}
            }
        }
        if let Some(rec) = self.view.recovery_offer.clone() {
            egui::Modal::new(egui::Id::unique("recovery")).show(ctx, |ui| {
                ui.heading("Recover unsaved changes?");
                ui.label(format!(
                    "Stemdesk found changes that were not saved ({}).",
                    rec.display()
                ));
                ui.horizontal(|ui| {
                    if ui.button("Restore").clicked() {
                        self.restore_recovery(&rec);
                        self.view.recovery_offer = None;
                    }
                    if ui.button("Discard").clicked() {
                        autosave::clear(&rec);
                        self.view.recovery_offer = None;
                    }
                });
            });
        }
        if let Some(action) = self.view.confirm.clone() {
            egui::Modal::new(egui::Id::unique("confirm_save")).show(ctx, |ui| {
                ui.heading(format!("Save changes to \"{}\"?", self.doc.name()));
                ui.label("Your changes will be lost if you don't save them.");
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        self.view.confirm = None;
                        self.save_then(Some(action.clone()));
                    }
                    if ui.button("Don't Save").clicked() {
                        self.view.confirm = None;
                        self.perform(action.clone());
                    }
                    if ui.button("Cancel").clicked() {
                        self.view.confirm = None;
                    }
                });
            });
        }
    }

    /// Quit: asks to save first when there are unsaved changes.
    pub(crate) fn request_quit(&mut self, ctx: &egui::Context) {
        if self.doc.is_dirty() {
            self.view.confirm = Some(AfterSaveQuestion::Quit);
        } else {
            self.close_now(ctx);
        }
    }

    fn close_now(&mut self, ctx: &egui::Context) {
        autosave::clear(&self.recovery_path());
        self.view.close_confirmed = true;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

impl eframe::App for StemdeskApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        if ctx.input(|i| i.viewport().close_requested()) && !self.view.close_confirmed {
            if self.doc.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.view.confirm = Some(AfterSaveQuestion::Quit);
            } else {
                autosave::clear(&self.recovery_path());
            }
        }
        self.show(ui);
        let title = self.doc.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        if let Some(n) = self.config.quit_after_frames {
            if self.frames >= n {
                self.view.close_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            } else {
                ctx.request_repaint();
            }
        }
    }
}

/// A control's drag and the undo gesture its edits go to.
#[derive(Debug, Clone, Copy)]
struct DragState {
    gesture: Gesture,
    /// The frame of its last edit.
    last_frame: u64,
    /// The drag reported its start (so it lasts until the next start).
    started: bool,
}

/// The file name of `path` for short messages.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn recent_file(data_dir: &Path) -> PathBuf {
    data_dir.join("recent.txt")
}

fn load_recent(data_dir: &Path) -> Vec<PathBuf> {
    std::fs::read_to_string(recent_file(data_dir))
        .map(|s| {
            s.lines()
                .filter(|l| !l.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default()
}

fn save_recent(data_dir: &Path, recent: &[PathBuf]) {
    let _ = std::fs::create_dir_all(data_dir);
    let text: Vec<String> = recent.iter().map(|p| p.display().to_string()).collect();
    let _ = std::fs::write(recent_file(data_dir), text.join("\n"));
}
