//! Accessible names for widgets that have no visible label of their own (a screen reader,
//! and the GUI tests, find them by these names).

/// Gives `response`'s widget the accessible name `name`.
pub fn name(ui: &egui::Ui, response: &egui::Response, name: &str) {
    let name = name.to_owned();
    ui.ctx()
        .accesskit_node_builder(response.id, move |node| node.set_label(name));
}
