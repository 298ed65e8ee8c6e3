//! The sidechain row of a compressor or gate editor: what the effect listens to.

use stemdesk_session::{InsertId, Session, StripId};

/// The choices: every track and bus but `strip` itself, and whether keying from it is
/// allowed (not if it hears `strip`: that would close a loop).
fn choices(session: &Session, strip: StripId) -> Vec<(StripId, bool)> {
    let downstream = session.downstream_of(strip);
    session
        .tracks
        .iter()
        .map(|t| StripId::Track(t.id))
        .chain(session.buses.iter().map(|b| StripId::Bus(b.id)))
        .filter(|s| *s != strip)
        .map(|source| (source, !downstream.contains(&source)))
        .collect()
}

/// Shows "Sidechain: [own input | a track or bus]"; returns the new choice when the user
/// made one. Sources that would close a loop are listed but disabled, saying why.
pub(super) fn row(
    ui: &mut egui::Ui,
    session: &Session,
    strip: StripId,
    insert: InsertId,
    current: Option<StripId>,
) -> Option<Option<StripId>> {
    const OWN: &str = "Own input";
    let mut chosen = None;
    ui.horizontal(|ui| {
        let label = ui.label("Sidechain");
        let shown = current.map_or(OWN.to_string(), |s| session.strip_name(s));
        let combo = egui::ComboBox::from_id_salt(("sidechain", strip, insert))
            .selected_text(shown)
            .width(180.0)
            .show_ui(ui, |ui| {
                if ui.selectable_label(current.is_none(), OWN).clicked() && current.is_some() {
                    chosen = Some(None);
                }
                for (source, allowed) in choices(session, strip) {
                    let selected = current == Some(source);
                    let item = ui.add_enabled(
                        allowed,
                        egui::Button::selectable(selected, session.strip_name(source)),
                    );
                    let item = item
                        .on_disabled_hover_text("This strip feeds the one it would key: a loop");
                    if item.clicked() && !selected {
                        chosen = Some(Some(source));
                    }
                }
            });
        combo.response.labelled_by(label.id);
    })
    .response
    .on_hover_text(
        "Listen to another track or bus (after its inserts, before its fader and mute) \
         instead of this strip's own signal",
    );
    chosen
}
