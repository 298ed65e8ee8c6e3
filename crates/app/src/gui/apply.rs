//! The one place panels' actions take effect: edits (through the history, then to the
//! engine), transport, files, and what each [`Command`] of the command table does.

use stemdesk_session::{Edit, StripId};

use super::action::Action;
use super::app::StemdeskApp;
use super::commands::Command;

/// The fader step of Alt+Up/Down, dB.
const FADER_STEP_DB: f32 = 0.5;

impl StemdeskApp {
    /// Applies what the panels asked for this frame, in order: the one place edits,
    /// transport and file operations happen.
    pub(crate) fn apply(&mut self, actions: Vec<Action>, ctx: &egui::Context) {
        let any = !actions.is_empty();
        for action in actions {
            self.apply_one(action, ctx);
        }
        if any {
            // An editor whose insert is gone (removed, undone) closes.
            if let Some((strip, insert)) = self.view.editor
                && !self
                    .session()
                    .inserts(strip)
                    .is_some_and(|i| i.iter().any(|i| i.id == insert))
            {
                self.view.editor = None;
            }
            // Panels drew the state before these actions: draw again.
            ctx.request_repaint();
        }
    }

    fn apply_one(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::Command(command) => run(self, command, ctx),
            Action::Edit { edit, drag } => {
                if self.record_edit(&edit) {
                    // Written to a lane instead (the strip records while playing).
                    return;
                }
                let gesture = drag.map(|d| self.gesture_of(d));
                self.edit(edit, gesture);
            }
            Action::Seek(frames) => self.audio.seek(frames),
            Action::Stop => self.audio.stop(),
            Action::SetLoop(start, end) => {
                self.audio.set_loop_range(start, end);
                if !self.audio.looping {
                    self.audio.toggle_loop();
                }
            }
            Action::Open(path) => self.request_open(path),
            Action::SetDevice(device) => {
                self.audio.device = device;
                self.audio.start(&self.doc);
            }
            Action::SetBufferFrames(frames) => {
                self.audio.buffer_frames = frames;
                self.audio.start(&self.doc);
            }
            Action::SetReadAhead(seconds) => self.audio.set_read_ahead(seconds),
            Action::Import {
                paths,
                position_frames,
                track_index,
            } => self.import(paths, position_frames, track_index),
            Action::CancelJob(id) => self.jobs.cancel(id),
            Action::ResetLoudness => {
                let rate = self.audio.loudness.rate_hz();
                self.audio.loudness.reset(rate);
            }
            Action::Bounce(options) => self.bounce_with(options),
            Action::OpenExternal(path) => {
                // The desktop's program for the file; it runs on its own.
                let spawned = std::process::Command::new("xdg-open")
                    .arg(&path)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn();
                match spawned {
                    Ok(mut child) => {
                        // Reaped on a thread so no zombie is left behind.
                        std::thread::spawn(move || child.wait());
                    }
                    Err(e) => self.error(format!(
                        "Cannot open {} (xdg-open: {e}); open it from a file manager",
                        path.display()
                    )),
                }
            }
            Action::SavePreset {
                name,
                effect,
                replace,
            } => match self.presets.save(&name, &effect, replace) {
                Ok(path) => self.info(format!(
                    "Saved preset \"{}\" ({})",
                    name.trim(),
                    path.display()
                )),
                Err(e) => self.error(e),
            },
            Action::DeletePreset { kind, name } => match self.presets.delete(kind, &name) {
                Ok(()) => self.info(format!("Deleted {} preset \"{name}\"", kind.name())),
                Err(e) => self.error(e),
            },
            Action::ClearClip(strip) => {
                if let Some(m) = self.audio.meters.get_mut(&strip) {
                    m.clear_clip();
                }
            }
        }
    }
}

/// Does `command`.
fn run(app: &mut StemdeskApp, command: Command, ctx: &egui::Context) {
    match command {
        Command::New => app.new_session(),
        Command::Open => app.open_dialog(),
        Command::Save => app.save(),
        Command::SaveAs => app.save_as(),
        Command::ImportAudio => app.import_dialog(),
        Command::RelinkMedia => app.relink_dialog(),
        Command::Bounce => app.bounce_dialog(),
        Command::Quit => app.request_quit(ctx),
        Command::Undo => app.undo(),
        Command::Redo => app.redo(),
        Command::SplitClip => split_selected(app),
        Command::DeleteClip => {
            if let Some(clip) = app.view.selected_clip.take() {
                app.edit(Edit::RemoveClip(clip), None);
            } else if let Some((id, points)) = app.view.lane_selection.take()
                && let Some(lane) = app.session().automation.iter().find(|l| l.id == id)
                && !points.is_empty()
            {
                let indices = super::automation::matching(lane, &points);
                let edit =
                    Edit::SetAutomationLane(super::automation::without_points(lane, &indices));
                app.edit(edit, None);
            }
        }
        Command::AddBus => app.add_bus(),
        Command::AddMarker => {
            let [id] = app.fresh_ids::<1>();
            let marker = stemdesk_session::Marker {
                id: stemdesk_session::MarkerId(id),
                name: app.session().timeline.new_marker_name(),
                time_frames: app.audio.position_frames(),
            };
            app.edit(Edit::SetMarker(marker), None);
        }
        Command::PreviousMarker | Command::NextMarker => {
            let at = app.audio.position_frames();
            let t = &app.session().timeline;
            let to = if command == Command::NextMarker {
                t.next_marker(at)
            } else {
                t.previous_marker(at)
            }
            .map(|m| m.time_frames);
            if let Some(frames) = to {
                app.audio.seek(frames);
                let rate = app.session().sample_rate_hz;
                app.view.reveal_frames(frames, rate);
            }
        }
        Command::ToggleSnap => app.view.snap = !app.view.snap,
        Command::PlayPause => app.audio.toggle_play(),
        Command::GoToStart => {
            app.audio.seek(0);
            app.view.scroll_s = 0.0;
        }
        Command::GoToEnd => {
            let end = app.session().content_end_frames();
            app.audio.seek(end);
            app.view.reveal_frames(end, app.session().sample_rate_hz);
        }
        Command::ToggleLoop => app.audio.toggle_loop(),
        Command::ZoomIn => app.view.zoom_by(1.5),
        Command::ZoomOut => app.view.zoom_by(1.0 / 1.5),
        Command::ZoomToFit => {
            let s = app.session();
            let end_s = s.content_end_frames() as f64 / f64::from(s.sample_rate_hz);
            app.view.zoom_to_fit(end_s);
        }
        Command::FollowPlayhead => app.view.follow_playhead = !app.view.follow_playhead,
        Command::ToggleMixer => {
            app.view.show_mixer = !app.view.show_mixer;
            app.view.show_arrange |= !app.view.show_mixer;
        }
        Command::ToggleArrange => {
            app.view.show_arrange = !app.view.show_arrange;
            app.view.show_mixer |= !app.view.show_arrange;
        }
        Command::MuteTrack | Command::SoloTrack | Command::FaderUp | Command::FaderDown => {
            selected_track_command(app, command);
        }
        Command::PreviousTrack | Command::NextTrack => select_track(app, command),
        Command::NudgeClipLeft | Command::NudgeClipRight => {
            let shift = ctx.input(|i| i.modifiers.shift);
            nudge_clip(app, command == Command::NudgeClipRight, shift);
        }
        Command::Shortcuts => app.view.show_shortcuts = !app.view.show_shortcuts,
    }
}

fn selected_track_command(app: &mut StemdeskApp, command: Command) {
    let Some(track) = app.view.selected_track else {
        app.info("Select a track first (click its header, or Up/Down)");
        return;
    };
    let Some(strip) = app.session().track(track).map(|t| t.strip.clone()) else {
        return;
    };
    let strip_id = StripId::Track(track);
    let edit = match command {
        Command::MuteTrack => Edit::SetMute {
            strip: strip_id,
            mute: !strip.mute,
        },
        Command::SoloTrack => Edit::SetSolo {
            strip: strip_id,
            solo: !strip.solo,
        },
        _ => {
            let step = if command == Command::FaderUp {
                FADER_STEP_DB
            } else {
                -FADER_STEP_DB
            };
            Edit::SetGain {
                strip: strip_id,
                gain_db: super::fader::clamp_gain_db(strip.gain_db + step),
            }
        }
    };
    app.edit(edit, None);
}

fn select_track(app: &mut StemdeskApp, command: Command) {
    let tracks: Vec<_> = app.session().tracks.iter().map(|t| t.id).collect();
    if tracks.is_empty() {
        return;
    }
    let current = app
        .view
        .selected_track
        .and_then(|t| tracks.iter().position(|x| *x == t));
    let i = if command == Command::NextTrack {
        current.map_or(0, |i| (i + 1).min(tracks.len() - 1))
    } else {
        current.map_or(0, |i| i.saturating_sub(1))
    };
    app.view.selected_track = Some(tracks[i]);
    app.view.selected_clip = None;
}

/// Moves the selected clip by 0.1 s (1 s with Shift).
fn nudge_clip(app: &mut StemdeskApp, right: bool, coarse: bool) {
    let nudge_s = if coarse { 1.0 } else { 0.1 };
    let selected = app.view.selected_clip.and_then(|clip_id| {
        app.session()
            .clips()
            .find(|(_, c)| c.id == clip_id)
            .map(|(t, c)| (clip_id, t.id, c.clone()))
    });
    let Some((clip_id, track, clip)) = selected else {
        return;
    };
    let step = (nudge_s * f64::from(app.session().sample_rate_hz)) as u64;
    let position_frames = if right {
        clip.position_frames + step
    } else {
        clip.position_frames.saturating_sub(step)
    };
    app.edit(
        Edit::MoveClip {
            clip: clip_id,
            track,
            position_frames,
        },
        None,
    );
}

/// Splits the selected clip at the playhead into two clips.
fn split_selected(app: &mut StemdeskApp) {
    let at = app.position_frames();
    let Some(clip_id) = app.view.selected_clip else {
        app.info("Select a clip to split");
        return;
    };
    let Some((track, clip)) = app
        .session()
        .clips()
        .find(|(_, c)| c.id == clip_id)
        .map(|(t, c)| (t.id, c.clone()))
    else {
        return;
    };
    if at <= clip.position_frames || at >= clip.end_frames() {
        app.info("The playhead is not inside the selected clip");
        return;
    }
    let head = at - clip.position_frames;
    let [new_id] = app.fresh_ids::<1>();
    let gesture = app.new_gesture();
    app.edit(
        Edit::TrimClip {
            clip: clip_id,
            position_frames: clip.position_frames,
            offset_frames: clip.offset_frames,
            length_frames: head,
        },
        Some(gesture),
    );
    app.edit(
        Edit::SetClipFades {
            clip: clip_id,
            fade_in: clip.fade_in,
            fade_out: Default::default(),
        },
        Some(gesture),
    );
    let tail = stemdesk_session::Clip {
        id: stemdesk_session::ClipId(new_id),
        position_frames: at,
        offset_frames: clip.offset_frames + head,
        length_frames: clip.length_frames - head,
        fade_in: Default::default(),
        ..clip
    };
    app.edit(Edit::AddClip { track, clip: tail }, Some(gesture));
}
