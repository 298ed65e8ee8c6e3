//! Command-line interface: argument parsing and dispatch.

pub mod bounce;
pub mod cache;
mod example;
pub mod new;
pub mod play;
mod synth;
pub mod time;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Stemdesk: mix recorded stems and bounce a stereo mixdown for mastering.
#[derive(Parser)]
#[command(name = "stemdesk", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the mixing desk (the default when no subcommand is given).
    Gui {
        /// A session to open.
        session: Option<PathBuf>,
        /// Output device for playback (see `stemdesk devices`).
        #[arg(long)]
        device: Option<String>,
        /// Close after this many frames have been drawn (launch checks).
        #[arg(long, hide = true)]
        quit_after_frames: Option<u64>,
    },
    /// Create a session with one track per stem, each routed to the master.
    New {
        /// The session file to create (.ron). An existing file is never overwritten
        /// unless --force is given.
        session: PathBuf,
        /// Audio files, one track each, named after the file.
        #[arg(required = true)]
        stems: Vec<PathBuf>,
        /// Session sample rate in Hz (default: the first stem's rate).
        #[arg(long)]
        rate: Option<u32>,
        /// Replace an existing session file.
        #[arg(long)]
        force: bool,
    },
    /// Render a session to a stereo WAV file (the mixdown for mastering).
    Bounce(bounce::BounceArgs),
    /// Play a session through the sound card (until Enter or the end).
    Play(play::PlayArgs),
    /// List audio output devices.
    Devices,
    /// The media cache: decoded copies of compressed stems and of stems at another rate
    /// (`STEMDESK_CACHE_DIR`, default ~/.cache/stemdesk/media).
    Cache {
        /// show (default) or clear.
        #[command(subcommand)]
        action: Option<cache::CacheAction>,
    },
    /// Write the bundled example project (synthesised stems and a mixed session) to a folder.
    Example {
        /// Destination folder (created if missing; existing files are not overwritten
        /// unless --force is given).
        dir: PathBuf,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
}

/// A session loaded with its media decoded, every media problem already reported on
/// stderr (missing files, unreadable files, decoder warnings).
pub struct LoadedWithMedia {
    /// The session and where it lives.
    pub loaded: stemdesk_session::LoadedSession,
    /// Decoded media.
    pub sources: stemdesk_engine::SourceMap,
    /// How many media files are missing or unreadable (their clips are silent).
    pub unavailable: usize,
}

/// Loads `path` and decodes its media, warning about each problem.
pub fn load_with_media(path: &std::path::Path) -> anyhow::Result<LoadedWithMedia> {
    let loaded = stemdesk_session::load(path)?;
    let (sources, problems, warnings) = stemdesk_engine::load_sources(&loaded);
    for line in media_messages(&loaded, &problems, warnings) {
        eprintln!("warning: {line}");
    }
    let unavailable = unavailable_media(&loaded, &problems).len();
    Ok(LoadedWithMedia {
        loaded,
        sources,
        unavailable,
    })
}

/// Every media file that is missing or unreadable, once (a missing file is both offline
/// and a failed decode).
pub fn unavailable_media(
    loaded: &stemdesk_session::LoadedSession,
    problems: &[stemdesk_engine::SourceProblem],
) -> std::collections::BTreeSet<std::path::PathBuf> {
    loaded
        .offline
        .iter()
        .map(|o| o.path.clone())
        .chain(problems.iter().map(|p| p.path.clone()))
        .collect()
}

/// What to tell the user about a loaded session, each thing once: fields it did not
/// know, then about its media: the decoder's own
/// message for a file it could not read (it says why: missing, a FIFO, corrupt), "not
/// found" with the track for offline clips it has no message for, then decoder warnings.
pub fn media_messages(
    loaded: &stemdesk_session::LoadedSession,
    problems: &[stemdesk_engine::SourceProblem],
    warnings: Vec<String>,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    if !loaded.unknown_fields.is_empty() {
        lines.push(format!(
            "the session has fields this version of Stemdesk does not know, ignored (saving \
             will leave them out): {}",
            loaded.unknown_fields.join(", ")
        ));
    }
    for p in problems {
        if !lines.contains(&p.message) {
            lines.push(p.message.clone());
        }
    }
    for off in &loaded.offline {
        if !problems.iter().any(|p| p.path == off.path) {
            lines.push(format!(
                "track \"{}\": media file not found: {} (its clips are silent)",
                off.track_name,
                off.path.display()
            ));
        }
    }
    lines.extend(warnings);
    lines
}

/// Parses the command line and runs the chosen subcommand.
pub fn run() -> anyhow::Result<()> {
    let args = Args::parse();
    let Some(command) = args.command else {
        return crate::gui::run(crate::gui::LaunchOptions::default());
    };
    match command {
        Command::Gui {
            session,
            device,
            quit_after_frames,
        } => crate::gui::run(crate::gui::LaunchOptions {
            session,
            device,
            quit_after_frames,
        }),
        Command::New {
            session,
            stems,
            rate,
            force,
        } => new::run(&session, &stems, rate, force),
        Command::Bounce(a) => bounce::run(&a),
        Command::Play(a) => play::run(&a),
        Command::Devices => play::list(),
        Command::Cache { action } => cache::run(action),
        Command::Example { dir, force } => example::run(&dir, force),
    }
}
