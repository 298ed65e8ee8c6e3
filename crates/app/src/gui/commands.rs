//! Every command of the desk, defined once: its name, its shortcut and what it does. The
//! menus, the key handler and the shortcuts window all read this table, so a shortcut
//! shown is a shortcut that works.

use egui::{Key, KeyboardShortcut, Modifiers};

/// A command the user can give from a menu or the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the names say it; `Command::name` gives the user's wording
pub enum Command {
    New,
    Open,
    Save,
    SaveAs,
    ImportAudio,
    RelinkMedia,
    Bounce,
    Quit,
    Undo,
    Redo,
    SplitClip,
    DeleteClip,
    AddBus,
    PlayPause,
    GoToStart,
    GoToEnd,
    ToggleLoop,
    ZoomIn,
    ZoomOut,
    ZoomToFit,
    FollowPlayhead,
    ToggleMixer,
    ToggleArrange,
    MuteTrack,
    SoloTrack,
    FaderUp,
    FaderDown,
    PreviousTrack,
    NextTrack,
    NudgeClipLeft,
    NudgeClipRight,
    AddMarker,
    PreviousMarker,
    NextMarker,
    ToggleSnap,
    Shortcuts,
}

const fn key(modifiers: Modifiers, key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(modifiers, key))
}
const CMD: Modifiers = Modifiers::COMMAND;
const CMD_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);
const NONE: Modifiers = Modifiers::NONE;

impl Command {
    /// Every command, in the order the shortcuts window lists them.
    pub const ALL: [Self; 36] = [
        Self::New,
        Self::Open,
        Self::Save,
        Self::SaveAs,
        Self::ImportAudio,
        Self::RelinkMedia,
        Self::Bounce,
        Self::Quit,
        Self::Undo,
        Self::Redo,
        Self::SplitClip,
        Self::DeleteClip,
        Self::AddBus,
        Self::PlayPause,
        Self::GoToStart,
        Self::GoToEnd,
        Self::ToggleLoop,
        Self::ZoomIn,
        Self::ZoomOut,
        Self::ZoomToFit,
        Self::FollowPlayhead,
        Self::ToggleMixer,
        Self::ToggleArrange,
        Self::MuteTrack,
        Self::SoloTrack,
        Self::FaderUp,
        Self::FaderDown,
        Self::PreviousTrack,
        Self::NextTrack,
        Self::NudgeClipLeft,
        Self::NudgeClipRight,
        Self::AddMarker,
        Self::PreviousMarker,
        Self::NextMarker,
        Self::ToggleSnap,
        Self::Shortcuts,
    ];

    /// The name in menus and in the shortcuts window.
    pub fn name(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::Open => "Open…",
            Self::Save => "Save",
            Self::SaveAs => "Save As…",
            Self::ImportAudio => "Import Audio…",
            Self::RelinkMedia => "Relink Media…",
            Self::Bounce => "Bounce…",
            Self::Quit => "Quit",
            Self::Undo => "Undo",
            Self::Redo => "Redo",
            Self::SplitClip => "Split Clip at Playhead",
            Self::DeleteClip => "Delete Selection",
            Self::AddBus => "Add Bus",
            Self::PlayPause => "Play / Pause",
            Self::GoToStart => "Go to Start",
            Self::GoToEnd => "Go to End",
            Self::ToggleLoop => "Loop On/Off",
            Self::ZoomIn => "Zoom In",
            Self::ZoomOut => "Zoom Out",
            Self::ZoomToFit => "Zoom to Fit",
            Self::FollowPlayhead => "Follow Playhead",
            Self::ToggleMixer => "Show/Hide Mixer",
            Self::ToggleArrange => "Show/Hide Arrange",
            Self::MuteTrack => "Mute Selected Track",
            Self::SoloTrack => "Solo Selected Track",
            Self::FaderUp => "Selected Track Fader +0.5 dB",
            Self::FaderDown => "Selected Track Fader -0.5 dB",
            Self::PreviousTrack => "Select Previous Track",
            Self::NextTrack => "Select Next Track",
            Self::NudgeClipLeft => "Nudge Clip Left (Shift: 1 s)",
            Self::NudgeClipRight => "Nudge Clip Right (Shift: 1 s)",
            Self::AddMarker => "Add Marker at Playhead",
            Self::PreviousMarker => "Go to Previous Marker",
            Self::NextMarker => "Go to Next Marker",
            Self::ToggleSnap => "Snap to Grid On/Off",
            Self::Shortcuts => "Keyboard Shortcuts",
        }
    }

    /// The key that gives the command, if any.
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        match self {
            Self::New => key(CMD, Key::N),
            Self::Open => key(CMD, Key::O),
            Self::Save => key(CMD, Key::S),
            Self::SaveAs => key(CMD_SHIFT, Key::S),
            Self::ImportAudio => key(CMD, Key::I),
            Self::Bounce => key(CMD, Key::B),
            Self::Quit => key(CMD, Key::Q),
            Self::Undo => key(CMD, Key::Z),
            Self::Redo => key(CMD_SHIFT, Key::Z),
            Self::SplitClip => key(CMD, Key::E),
            Self::DeleteClip => key(NONE, Key::Delete),
            Self::PlayPause => key(NONE, Key::Space),
            Self::GoToStart => key(NONE, Key::Home),
            Self::GoToEnd => key(NONE, Key::End),
            Self::ToggleLoop => key(NONE, Key::L),
            Self::ZoomIn => key(NONE, Key::Equals),
            Self::ZoomOut => key(NONE, Key::Minus),
            Self::ZoomToFit => key(NONE, Key::Z),
            Self::FollowPlayhead => key(NONE, Key::F),
            Self::ToggleMixer => key(NONE, Key::X),
            Self::ToggleArrange => key(Modifiers::SHIFT, Key::X),
            Self::MuteTrack => key(NONE, Key::M),
            Self::SoloTrack => key(NONE, Key::S),
            Self::FaderUp => key(Modifiers::ALT, Key::ArrowUp),
            Self::FaderDown => key(Modifiers::ALT, Key::ArrowDown),
            Self::PreviousTrack => key(NONE, Key::ArrowUp),
            Self::NextTrack => key(NONE, Key::ArrowDown),
            Self::NudgeClipLeft => key(NONE, Key::ArrowLeft),
            Self::NudgeClipRight => key(NONE, Key::ArrowRight),
            Self::AddMarker => key(CMD, Key::M),
            Self::PreviousMarker => key(NONE, Key::OpenBracket),
            Self::NextMarker => key(NONE, Key::CloseBracket),
            Self::ToggleSnap => key(NONE, Key::G),
            Self::Shortcuts => key(NONE, Key::F1),
            Self::RelinkMedia | Self::AddBus => None,
        }
    }

    /// The commands with shortcuts, most specific first: egui matches Shift and Alt
    /// loosely, so Ctrl+Shift+S must be tried before Ctrl+S, Alt+Up before Up.
    pub fn by_specificity() -> Vec<(Self, KeyboardShortcut)> {
        let mut all: Vec<(Self, KeyboardShortcut)> = Self::ALL
            .iter()
            .filter_map(|c| c.shortcut().map(|s| (*c, s)))
            .collect();
        let weight =
            |m: Modifiers| u8::from(m.command || m.ctrl) + u8::from(m.shift) + u8::from(m.alt);
        all.sort_by_key(|(_, s)| std::cmp::Reverse(weight(s.modifiers)));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_are_unique() {
        let all = Command::by_specificity();
        for (i, (a, sa)) in all.iter().enumerate() {
            for (b, sb) in &all[i + 1..] {
                assert!(sa != sb, "{a:?} and {b:?} share a shortcut");
            }
        }
    }

    #[test]
    fn specific_shortcuts_come_first() {
        let order: Vec<Command> = Command::by_specificity().iter().map(|(c, _)| *c).collect();
        let at = |c| order.iter().position(|x| *x == c);
        assert!(at(Command::SaveAs) < at(Command::Save));
        assert!(at(Command::Redo) < at(Command::Undo));
        assert!(at(Command::FaderUp) < at(Command::PreviousTrack));
        assert!(at(Command::ToggleArrange) < at(Command::ToggleMixer));
    }
}
