//! Stemdesk's application: the command line (`cli`) and the mixing desk GUI (`gui`).
//!
//! A library so that tests drive the real GUI (egui_kittest) and the real subcommands.

pub mod cli;
pub mod gui;
