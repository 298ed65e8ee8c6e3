//! The menu bar: File, Edit, View, Audio.

use stemdesk_device::list_output_devices;

use super::app::StemdeskApp;
use super::keys;

/// Buffer sizes offered in the Audio menu.
const BUFFER_SIZES: [u32; 6] = [64, 128, 256, 512, 1024, 2048];

/// Draws the menu bar.
pub fn show(app: &mut StemdeskApp, ui: &mut egui::Ui) {
    egui::Panel::top("menu_bar").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| file_menu(app, ui));
            ui.menu_button("Edit", |ui| edit_menu(app, ui));
            ui.menu_button("View", |ui| {
                ui.checkbox(&mut app.view.show_arrange, "Arrange");
                ui.checkbox(&mut app.view.show_mixer, "Mixer");
                if !app.view.show_arrange && !app.view.show_mixer {
                    app.view.show_arrange = true;
                }
            });
            let audio = ui.menu_button("Audio", |ui| audio_menu(app, ui));
            if audio.inner.is_none() {
                app.view.devices = None;
            }
        });
    });
}

fn shortcut_button(ui: &mut egui::Ui, text: &str, shortcut: &egui::KeyboardShortcut) -> bool {
    ui.add(egui::Button::new(text).shortcut_text(ui.ctx().format_shortcut(shortcut)))
        .clicked()
}

fn file_menu(app: &mut StemdeskApp, ui: &mut egui::Ui) {
    if shortcut_button(ui, "New", &keys::NEW) {
        app.new_session();
    }
    if shortcut_button(ui, "Open…", &keys::OPEN) {
        app.open_dialog();
    }
    ui.menu_button("Open Recent", |ui| {
        if app.recent.is_empty() {
            ui.label("No recent sessions");
        }
        for path in app.recent.clone() {
            if ui.button(path.display().to_string()).clicked() {
                app.request_open(path);
            }
        }
    });
    ui.separator();
    if shortcut_button(ui, "Save", &keys::SAVE) {
        app.save();
    }
    if shortcut_button(ui, "Save As…", &keys::SAVE_AS) {
        app.save_as();
    }
    ui.separator();
    if shortcut_button(ui, "Import Audio…", &keys::IMPORT) {
        app.import_dialog();
    }
    if ui.button("Relink Media…").clicked() {
        app.relink_dialog();
    }
    if ui.button("Bounce…").clicked() {
        app.bounce_dialog();
    }
    ui.separator();
    if ui.button("Quit").clicked() {
        let ctx = ui.ctx().clone();
        app.request_quit(&ctx);
    }
}

fn edit_menu(app: &mut StemdeskApp, ui: &mut egui::Ui) {
    let (can_undo, can_redo) = app.doc.can_undo_redo();
    if ui
        .add_enabled(
            can_undo,
            egui::Button::new("Undo").shortcut_text(ui.ctx().format_shortcut(&keys::UNDO)),
        )
        .clicked()
    {
        app.undo();
    }
    if ui
        .add_enabled(
            can_redo,
            egui::Button::new("Redo").shortcut_text(ui.ctx().format_shortcut(&keys::REDO)),
        )
        .clicked()
    {
        app.redo();
    }
    ui.separator();
    if shortcut_button(ui, "Split Clip at Playhead", &keys::SPLIT) {
        keys::split_selected(app);
    }
    if ui.button("Add Bus").clicked() {
        app.add_bus();
    }
}

fn audio_menu(app: &mut StemdeskApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.label("Output device");
        if ui.small_button("Refresh").clicked() {
            app.view.devices = None;
        }
    });
    // Enumerating devices can take a while: once per opening of the menu, not per frame.
    let devices = app
        .view
        .devices
        .get_or_insert_with(|| list_output_devices().map_err(|e| e.to_string()))
        .clone();
    match devices {
        Ok(devices) => {
            let current = app.audio.device.clone();
            if ui
                .selectable_label(current.is_none(), "System default")
                .clicked()
            {
                app.audio.device = None;
                app.audio.start(&app.doc);
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
                    app.audio.device = Some(d.name);
                    app.audio.start(&app.doc);
                }
            }
        }
        Err(e) => {
            ui.label(e);
        }
    }
    ui.separator();
    ui.label("Buffer size");
    let current = app.audio.buffer_frames;
    if ui
        .selectable_label(current.is_none(), "Device default")
        .clicked()
    {
        app.audio.buffer_frames = None;
        app.audio.start(&app.doc);
    }
    for size in BUFFER_SIZES {
        if ui
            .selectable_label(current == Some(size), format!("{size} frames"))
            .clicked()
        {
            app.audio.buffer_frames = Some(size);
            app.audio.start(&app.doc);
        }
    }
}
