//! The key handler: gives the commands whose shortcuts were pressed (not while a text
//! field has the keyboard). What a command does is the app's (`apply`).

use super::action::Action;
use super::commands::Command;
use super::desk::Desk;

/// Gives the commands whose shortcuts were pressed this frame.
pub fn handle(desk: &mut Desk, ctx: &egui::Context) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    // Escape closes the desk's info windows (read, not consumed: a prompt may want it too).
    if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        desk.view.show_messages = false;
        desk.view.show_shortcuts = false;
    }
    for (command, shortcut) in Command::by_specificity() {
        if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
            desk.act(Action::Command(command));
        }
    }
}
