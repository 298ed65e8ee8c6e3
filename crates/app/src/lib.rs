//! Stemdesk's application: the command line (`cli`) and the mixing desk GUI (`gui`).
//!
//! A library so that tests drive the real GUI (egui_kittest) and the real subcommands.

pub mod cli;
mod error_text;
pub mod gui;
pub mod name_template;
pub mod report;

pub use error_text::error_text;
