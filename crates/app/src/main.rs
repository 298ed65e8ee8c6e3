//! The `stemdesk` binary: command-line subcommands (the GUI arrives with the mixing desk).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stemdesk: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
