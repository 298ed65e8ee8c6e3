//! `stemdesk cache`: what the media cache holds (decoded copies of compressed stems and of
//! stems at another sample rate), and clearing it.

use clap::Subcommand;
use stemdesk_media::MediaCache;

/// What to do with the media cache.
#[derive(Subcommand, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheAction {
    /// Show where the cache is, how much it holds and its limit (the default).
    Show,
    /// Remove every decoded copy (they are made again when a session needs them).
    Clear,
}

/// Runs `stemdesk cache [ACTION]`.
pub fn run(action: Option<CacheAction>) -> anyhow::Result<()> {
    let cache = MediaCache::from_env();
    match action.unwrap_or(CacheAction::Show) {
        CacheAction::Show => {
            let usage = cache.usage();
            println!("media cache: {}", cache.dir().display());
            println!(
                "{} decoded file(s), {} (limit {}; set STEMDESK_CACHE_LIMIT_MB to change it)",
                usage.entries,
                megabytes(usage.bytes),
                megabytes(cache.limit_bytes())
            );
        }
        CacheAction::Clear => {
            let removed = cache.clear();
            println!(
                "removed {} decoded file(s), {} from {}",
                removed.entries,
                megabytes(removed.bytes),
                cache.dir().display()
            );
        }
    }
    Ok(())
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}
