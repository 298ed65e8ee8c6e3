//! Command-line interface: argument parsing and dispatch.

pub mod bounce;
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
    for off in &loaded.offline {
        eprintln!(
            "warning: track \"{}\": media file not found: {} (its clips are silent)",
            off.track_name,
            off.path.display()
        );
    }
    let (sources, problems, warnings) = stemdesk_engine::load_sources(&loaded);
    for w in warnings.iter().chain(problems.iter().map(|p| &p.message)) {
        eprintln!("warning: {w}");
    }
    let unavailable = loaded.offline.len() + problems.len();
    Ok(LoadedWithMedia {
        loaded,
        sources,
        unavailable,
    })
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
        Command::Example { dir, force } => example::run(&dir, force),
    }
}
