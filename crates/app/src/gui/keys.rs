//! Keyboard shortcuts: Space play/pause, Ctrl+S/O/N/Z/Shift+Z, Home, L loop, M/S on the
//! selected track, Delete, arrow keys to move the selection.

use egui::{Key, KeyboardShortcut, Modifiers};
use stemdesk_session::{Edit, StripId};

use super::app::StemdeskApp;

/// Ctrl+S.
pub const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
/// Ctrl+Shift+S.
pub const SAVE_AS: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
/// Ctrl+O.
pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
/// Ctrl+N.
pub const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
/// Ctrl+Z.
pub const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
/// Ctrl+Shift+Z.
pub const REDO: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
/// Ctrl+I.
pub const IMPORT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::I);
/// Ctrl+E: split the selected clip at the playhead.
pub const SPLIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::E);

/// Applies shortcuts pressed this frame (not while typing in a text field).
pub fn handle(app: &mut StemdeskApp, ctx: &egui::Context) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    let take = |s: &KeyboardShortcut| ctx.input_mut(|i| i.consume_shortcut(s));
    // Longer combinations first, so Ctrl+Shift+Z is not read as Ctrl+Z.
    if take(&REDO) {
        app.redo();
    } else if take(&UNDO) {
        app.undo();
    }
    if take(&SAVE_AS) {
        app.save_as();
    } else if take(&SAVE) {
        app.save();
    }
    if take(&OPEN) {
        app.open_dialog();
    }
    if take(&NEW) {
        app.new_session();
    }
    if take(&IMPORT) {
        app.import_dialog();
    }
    if take(&SPLIT) {
        split_selected(app);
    }
    let pressed = |k: Key| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, k));
    if pressed(Key::Space) {
        app.audio.toggle_play();
    }
    if pressed(Key::Home) {
        app.audio.seek(0);
        app.view.scroll_s = 0.0;
    }
    if pressed(Key::L) {
        app.audio.toggle_loop();
    }
    if let Some(track) = app.view.selected_track
        && let Some(strip) = app.session().track(track).map(|t| t.strip.clone())
    {
        let id = StripId::Track(track);
        if pressed(Key::M) {
            app.edit(
                Edit::SetMute {
                    strip: id,
                    mute: !strip.mute,
                },
                None,
            );
        }
        if pressed(Key::S) {
            app.edit(
                Edit::SetSolo {
                    strip: id,
                    solo: !strip.solo,
                },
                None,
            );
        }
    }
    if (pressed(Key::Delete) || pressed(Key::Backspace))
        && let Some(clip) = app.view.selected_clip.take()
    {
        app.edit(Edit::RemoveClip(clip), None);
    }
    let tracks: Vec<_> = app.session().tracks.iter().map(|t| t.id).collect();
    let current = app
        .view
        .selected_track
        .and_then(|t| tracks.iter().position(|x| *x == t));
    if pressed(Key::ArrowDown) && !tracks.is_empty() {
        let i = current.map_or(0, |i| (i + 1).min(tracks.len() - 1));
        app.view.selected_track = Some(tracks[i]);
        app.view.selected_clip = None;
    }
    if pressed(Key::ArrowUp) && !tracks.is_empty() {
        let i = current.map_or(0, |i| i.saturating_sub(1));
        app.view.selected_track = Some(tracks[i]);
        app.view.selected_clip = None;
    }
    let nudge_s = if ctx.input(|i| i.modifiers.shift) {
        1.0
    } else {
        0.1
    };
    let left = pressed(Key::ArrowLeft);
    let right = pressed(Key::ArrowRight);
    let selected = app.view.selected_clip.and_then(|clip_id| {
        app.session()
            .clips()
            .find(|(_, c)| c.id == clip_id)
            .map(|(t, c)| (clip_id, t.id, c.clone()))
    });
    if (left || right)
        && let Some((clip_id, track, clip)) = selected
    {
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
