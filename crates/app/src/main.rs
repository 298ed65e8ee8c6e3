//! The `stemdesk` binary: the mixing desk GUI and the command-line subcommands.

use std::process::ExitCode;

/// In debug builds every allocation is checked: inside the audio callback (wrapped in
/// `assert_no_alloc`) one aborts the process, so a real-time violation cannot hide.
#[cfg(debug_assertions)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

fn main() -> ExitCode {
    match stemdesk::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stemdesk: error: {}", stemdesk::error_text(&e));
            ExitCode::FAILURE
        }
    }
}
