//! What each [`Command`] does, and the key handler that gives commands from their
//! shortcuts (not while a text field has the keyboard).

use stemdesk_session::{Edit, StripId};

use super::app::StemdeskApp;
use super::commands::Command;

/// The fader step of Alt+Up/Down, dB.
const FADER_STEP_DB: f32 = 0.5;

/// Gives the commands whose shortcuts were pressed this frame.
pub fn handle(app: &mut StemdeskApp, ctx: &egui::Context) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    // Escape closes the desk's info windows (read, not consumed: a prompt may want it too).
    if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        app.view.show_messages = false;
        app.view.show_shortcuts = false;
    }
    for (command, shortcut) in Command::by_specificity() {
        if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
            run(app, command, ctx);
        }
    }
}

/// Does `command`.
pub fn run(app: &mut StemdeskApp, command: Command, ctx: &egui::Context) {
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
            }
        }
        Command::AddBus => app.add_bus(),
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
pub fn split_selected(app: &mut StemdeskApp) {
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
