//! The menu bar: File, Edit, View, Audio, Help. Entries are commands from the command
//! table (name and shortcut defined once).

use stemdesk_device::list_output_devices;

use super::action::Action;
use super::commands::Command;
use super::desk::Desk;
use super::view::ViewState;

/// Buffer sizes offered in the Audio menu.
const BUFFER_SIZES: [u32; 6] = [64, 128, 256, 512, 1024, 2048];
/// UI scales offered in the View menu (on top of the system's scale factor).
const UI_SCALES: [f32; 7] = [0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0];

/// Draws the menu bar.
pub fn show(desk: &mut Desk, ui: &mut egui::Ui) {
    egui::Panel::top("menu_bar").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| file_menu(desk, ui));
            ui.menu_button("Edit", |ui| edit_menu(desk, ui));
            ui.menu_button("View", |ui| view_menu(desk, ui));
            let audio = ui.menu_button("Audio", |ui| audio_menu(desk, ui));
            if audio.inner.is_none() {
                desk.view.devices = None;
            }
            ui.menu_button("Help", |ui| help_menu(desk, ui));
        });
    });
}

/// A menu entry for `command`, with its shortcut; gives the command when clicked.
fn entry(desk: &mut Desk, ui: &mut egui::Ui, command: Command) {
    entry_enabled(desk, ui, command, true);
}

fn entry_enabled(desk: &mut Desk, ui: &mut egui::Ui, command: Command, enabled: bool) {
    let mut button = egui::Button::new(command.name());
    if let Some(s) = command.shortcut() {
        button = button.shortcut_text(ui.ctx().format_shortcut(&s));
    }
    if ui.add_enabled(enabled, button).clicked() {
        desk.act(Action::Command(command));
        ui.close();
    }
}

fn file_menu(desk: &mut Desk, ui: &mut egui::Ui) {
    entry(desk, ui, Command::New);
    entry(desk, ui, Command::Open);
    ui.menu_button("Open Recent", |ui| {
        if desk.recent.is_empty() {
            ui.label("No recent sessions");
        }
        for path in desk.recent {
            if ui.button(path.display().to_string()).clicked() {
                desk.act(Action::Open(path.clone()));
            }
        }
    });
    ui.separator();
    entry(desk, ui, Command::Save);
    entry(desk, ui, Command::SaveAs);
    ui.separator();
    entry(desk, ui, Command::ImportAudio);
    entry(desk, ui, Command::RelinkMedia);
    entry(desk, ui, Command::Bounce);
    ui.separator();
    entry(desk, ui, Command::Quit);
}

fn edit_menu(desk: &mut Desk, ui: &mut egui::Ui) {
    let (can_undo, can_redo) = desk.doc.can_undo_redo();
    entry_enabled(desk, ui, Command::Undo, can_undo);
    entry_enabled(desk, ui, Command::Redo, can_redo);
    ui.separator();
    entry(desk, ui, Command::SplitClip);
    entry(desk, ui, Command::DeleteClip);
    entry(desk, ui, Command::AddBus);
    ui.separator();
    entry(desk, ui, Command::AddMarker);
    entry(desk, ui, Command::PreviousMarker);
    entry(desk, ui, Command::NextMarker);
}

fn view_menu(desk: &mut Desk, ui: &mut egui::Ui) {
    ui.checkbox(&mut desk.view.show_arrange, "Arrange");
    ui.checkbox(&mut desk.view.show_mixer, "Mixer");
    if !desk.view.show_arrange && !desk.view.show_mixer {
        desk.view.show_arrange = true;
    }
    ui.separator();
    let mut follow = desk.view.follow_playhead;
    let follow_text = match Command::FollowPlayhead.shortcut() {
        Some(s) => format!(
            "{} ({})",
            Command::FollowPlayhead.name(),
            ui.ctx().format_shortcut(&s)
        ),
        None => Command::FollowPlayhead.name().to_owned(),
    };
    if ui.checkbox(&mut follow, follow_text).changed() {
        desk.view.follow_playhead = follow;
    }
    entry(desk, ui, Command::ZoomIn);
    entry(desk, ui, Command::ZoomOut);
    entry(desk, ui, Command::ZoomToFit);
    entry(desk, ui, Command::ToggleSnap);
    ui.separator();
    ui.menu_button("UI Scale", |ui| {
        let current = ui.ctx().zoom_factor();
        for scale in UI_SCALES {
            let text = format!("{:.0} %", scale * 100.0);
            if ui
                .selectable_label((current - scale).abs() < 0.01, text)
                .clicked()
            {
                ui.ctx().set_zoom_factor(scale);
            }
        }
        ui.separator();
        ui.label("Ctrl + / Ctrl - / Ctrl 0 also zoom the whole window.");
    });
}

fn help_menu(desk: &mut Desk, ui: &mut egui::Ui) {
    entry(desk, ui, Command::Shortcuts);
}

/// The keyboard shortcuts window: every command of the table with its key.
pub fn shortcuts_window(view: &mut ViewState, ctx: &egui::Context) {
    let mut open = view.show_shortcuts;
    egui::Window::new("Keyboard Shortcuts")
        .open(&mut open)
        .default_pos([240.0, 90.0])
        .collapsible(false)
        .resizable(true)
        .default_width(420.0)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                egui::Grid::new("shortcuts_grid")
                    .striped(true)
                    .num_columns(2)
                    .show(ui, |ui| {
                        for command in Command::ALL {
                            ui.label(command.name());
                            let key = command.shortcut().map_or_else(
                                || "menu only".to_owned(),
                                |s| ctx.format_shortcut(&s),
                            );
                            ui.monospace(key);
                            ui.end_row();
                        }
                        for (what, key) in [
                            (
                                "Whole-window zoom in / out / reset",
                                "Ctrl + / Ctrl - / Ctrl 0",
                            ),
                            ("Timeline zoom at the pointer", "Ctrl + wheel"),
                            ("Timeline scroll", "Shift + wheel"),
                            ("Fader fine adjustment", "Shift + drag"),
                            ("Fader to 0 dB", "double-click"),
                        ] {
                            ui.label(what);
                            ui.monospace(key);
                            ui.end_row();
                        }
                    });
            });
        });
    view.show_shortcuts = open && view.show_shortcuts;
}

fn audio_menu(desk: &mut Desk, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.label("Output device");
        if ui.small_button("Refresh").clicked() {
            desk.view.devices = None;
        }
    });
    // Enumerating devices can take a while: once per opening of the menu, not per frame.
    let devices = desk
        .view
        .devices
        .get_or_insert_with(|| list_output_devices().map_err(|e| e.to_string()))
        .clone();
    match devices {
        Ok(devices) => {
            let current = desk.audio.device.clone();
            if ui
                .selectable_label(current.is_none(), "System default")
                .clicked()
            {
                desk.act(Action::SetDevice(None));
            }
            for d in devices {
                let label = format!(
                    "{} — {}",
                    d.name,
                    d.description.lines().next().unwrap_or("")
                );
                if ui
                    .selectable_label(current.as_deref() == Some(d.name.as_str()), label)
                    .clicked()
                {
                    desk.act(Action::SetDevice(Some(d.name)));
                }
            }
        }
        Err(e) => {
            ui.label(e);
        }
    }
    ui.separator();
    ui.label("Buffer size");
    let current = desk.audio.buffer_frames;
    if ui
        .selectable_label(current.is_none(), "Device default")
        .clicked()
    {
        desk.act(Action::SetBufferFrames(None));
    }
    for size in BUFFER_SIZES {
        if ui
            .selectable_label(current == Some(size), format!("{size} frames"))
            .clicked()
        {
            desk.act(Action::SetBufferFrames(Some(size)));
        }
    }
    ui.separator();
    ui.label("Disk read-ahead")
        .on_hover_text("Audio kept loaded ahead of the playhead: more rides out a slow disk");
    for seconds in READ_AHEAD_S {
        if ui
            .selectable_label(desk.audio.read_ahead_s == seconds, format!("{seconds} s"))
            .clicked()
        {
            desk.act(Action::SetReadAhead(seconds));
        }
    }
}

/// Read-ahead choices, seconds.
const READ_AHEAD_S: [f64; 4] = [1.0, 2.0, 5.0, 10.0];
