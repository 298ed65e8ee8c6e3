//! Command-line interface: argument parsing and dispatch.

mod bounce;
mod example;
mod new;
mod play;
mod synth;
mod time;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Stemdesk: mix recorded stems and bounce a stereo mixdown for mastering.
#[derive(Parser)]
#[command(name = "stemdesk", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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

/// Parses the command line and runs the chosen subcommand.
pub fn run() -> anyhow::Result<()> {
    let args = Args::parse();
    match args.command {
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
