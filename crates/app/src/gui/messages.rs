//! The session's message log: every warning, error and notice, each said once (a repeat
//! raises its count), with when it came. The status bar shows the newest unread warning
//! (a later notice such as "Opened X" never hides it) and how many are unread; the
//! Messages window lists them all.

use std::time::{Duration, Instant};

/// Notices fade from the status bar after this long (warnings stay until read).
const NOTICE_SHOWN: Duration = Duration::from_secs(8);
/// The log keeps at most this many entries (the oldest go first).
const MAX_ENTRIES: usize = 500;

/// One entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// A warning or error (shown in colour, counted until read) rather than a notice.
    pub is_error: bool,
    /// When it was last said.
    pub at: Instant,
    /// How often it was said.
    pub times: u32,
    /// The user has seen it in the Messages window.
    pub read: bool,
}

/// The log.
#[derive(Debug, Default)]
pub struct MessageLog {
    entries: Vec<Message>,
}

impl MessageLog {
    /// Adds `text`; the same text again counts as a repeat of the entry it already has.
    pub fn push(&mut self, text: String, is_error: bool) {
        let now = Instant::now();
        if let Some(i) = self.entries.iter().position(|m| m.text == text) {
            let mut m = self.entries.remove(i);
            m.times += 1;
            m.at = now;
            m.read = false;
            self.entries.push(m);
            return;
        }
        self.entries.push(Message {
            text,
            is_error,
            at: now,
            times: 1,
            read: false,
        });
        if self.entries.len() > MAX_ENTRIES {
            self.entries.remove(0);
        }
    }

    /// Every entry, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Message> {
        self.entries.iter()
    }

    /// Warnings and errors not yet seen in the Messages window.
    pub fn unread_warnings(&self) -> usize {
        self.entries
            .iter()
            .filter(|m| m.is_error && !m.read)
            .count()
    }

    /// The user opened the Messages window.
    pub fn mark_all_read(&mut self) {
        self.entries.iter_mut().for_each(|m| m.read = true);
    }

    /// Empties the log.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// What the status bar shows: the newest unread warning, else a fresh notice.
    pub fn status_line(&self) -> Option<&Message> {
        let newest = self.entries.last()?;
        self.entries
            .iter()
            .rev()
            .find(|m| m.is_error && !m.read)
            .or_else(|| (!newest.is_error && newest.at.elapsed() < NOTICE_SHOWN).then_some(newest))
    }
}

/// "12 s ago", "3 min ago", "2 h ago".
pub fn age_text(at: Instant) -> String {
    let s = at.elapsed().as_secs();
    match s {
        0..60 => format!("{s} s ago"),
        60..3600 => format!("{} min ago", s / 60),
        _ => format!("{} h ago", s / 3600),
    }
}

/// The Messages window (open while `open` is true).
pub fn window(log: &mut MessageLog, open: &mut bool, ctx: &egui::Context) {
    if !*open {
        return;
    }
    log.mark_all_read();
    let mut clear = false;
    // Above the status bar, on the right: clear of the menus and the transport.
    let screen = ctx.content_rect();
    egui::Window::new("Messages")
        .open(open)
        .default_pos([screen.right() - 660.0, screen.bottom() - 400.0])
        .default_width(620.0)
        .default_height(320.0)
        .show(ctx, |ui| {
            if ui.button("Clear").clicked() {
                clear = true;
            }
            ui.separator();
            egui::ScrollArea::vertical().show(ui, |ui| {
                if log.iter().next().is_none() {
                    ui.label("No messages.");
                }
                for m in log.iter().rev() {
                    ui.horizontal_wrapped(|ui| {
                        ui.weak(age_text(m.at));
                        if m.times > 1 {
                            ui.weak(format!("×{}", m.times));
                        }
                        if m.is_error {
                            ui.colored_label(ui.visuals().warn_fg_color, &m.text);
                        } else {
                            ui.label(&m.text);
                        }
                    });
                }
            });
        });
    if clear {
        log.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_counted_and_warnings_are_not_hidden_by_notices() {
        let mut log = MessageLog::default();
        log.push("x.wav: not found".into(), true);
        log.push("Opened song.ron".into(), false);
        log.push("x.wav: not found".into(), true);
        assert_eq!(log.iter().count(), 2);
        assert_eq!(log.iter().last().map(|m| m.times), Some(2));
        assert_eq!(log.unread_warnings(), 1);
        log.push("Saved".into(), false);
        assert_eq!(
            log.status_line().map(|m| m.text.as_str()),
            Some("x.wav: not found"),
            "the unread warning stays in the status bar"
        );
        log.mark_all_read();
        assert_eq!(log.unread_warnings(), 0);
        assert_eq!(log.status_line().map(|m| m.text.as_str()), Some("Saved"));
    }
}
