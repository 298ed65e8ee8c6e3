//! The mixing desk: an egui app over the live engine.
//!
//! One file per panel: the menu, transport and status bars, the arrange view, the mixer
//! (one strip widget, one meter/fader widget), the effect editors. `app` holds the state
//! and wires them together; `doc` owns the session with its undo history and media;
//! `audio` owns the engine connection; `dialogs` puts native file dialogs behind a trait
//! (run off the GUI thread; tests inject paths) and `path_prompt` asks for a typed path
//! when no dialog backend exists.

mod a11y;
mod action;
mod analyser;
mod app;
mod apply;
mod arrange;
mod audio;
mod automation;
mod autosave;
mod bounce;
mod bounce_options;
mod commands;
mod desk;
mod dialogs;
mod doc;
mod editors;
mod fader;
mod jobs;
mod keys;
mod loudness;
mod markers;
mod menu;
mod messages;
mod mixer;
mod param_widget;
mod path_prompt;
mod presets;
mod recording;
mod settings;
mod status;
mod strip;
mod transport;
mod view;

use std::path::PathBuf;

pub use app::{AppConfig, StemdeskApp};
pub use dialogs::{
    DialogAnswer, DialogKind, DialogRequest, Dialogs, RfdDialogs, ScriptedDialogs, Waker,
    ask_blocking,
};
pub use loudness::LoudnessReading;

/// The window icon (the same artwork as `assets/icons/stemdesk.svg`).
const ICON_PNG: &[u8] = include_bytes!("../../../../assets/icons/stemdesk-256.png");

/// What the command line asks the GUI to do.
#[derive(Debug, Default, Clone)]
pub struct LaunchOptions {
    /// A session to open.
    pub session: Option<PathBuf>,
    /// Output device name (`None` = system default).
    pub device: Option<String>,
    /// Close after this many frames (for launch checks under Xvfb).
    pub quit_after_frames: Option<u64>,
}

/// Opens the window and runs until it is closed.
pub fn run(options: LaunchOptions) -> anyhow::Result<()> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_inner_size([1440.0, 900.0])
        .with_min_inner_size([800.0, 500.0])
        .with_title("Stemdesk")
        .with_app_id("stemdesk")
        .with_drag_and_drop(true);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON_PNG) {
        viewport = viewport.with_icon(icon);
    }
    let native = eframe::NativeOptions {
        viewport,
        // Window size and position come back as they were (eframe's own storage).
        persist_window: true,
        ..Default::default()
    };
    let config = AppConfig {
        device: options.device.clone(),
        quit_after_frames: options.quit_after_frames,
        ..AppConfig::default()
    };
    eframe::run_native(
        "Stemdesk",
        native,
        Box::new(move |_cc| {
            Ok(Box::new(StemdeskApp::new(
                config,
                Box::new(RfdDialogs::default()),
                options.session.as_deref(),
            )))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the Stemdesk window: {e}"))
}
