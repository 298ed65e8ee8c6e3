//! `stemdesk new`: a session with one track per stem.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use stemdesk_session::{Clip, ClipId, Color, Session, Strip, Track, TrackId, relative_to};

use super::bounce::track_name;

/// Colours handed to new tracks in turn.
pub const PALETTE: [Color; 8] = [
    Color(0xe0, 0x6c, 0x5f),
    Color(0xe8, 0xa6, 0x4f),
    Color(0xd9, 0xd0, 0x5b),
    Color(0x7c, 0xc4, 0x6a),
    Color(0x55, 0xb8, 0xb0),
    Color(0x5f, 0x8f, 0xdb),
    Color(0x9b, 0x78, 0xd8),
    Color(0xd8, 0x6f, 0xb5),
];

/// Creates `session_path` with a track per stem.
pub fn run(
    session_path: &Path,
    stems: &[PathBuf],
    rate: Option<u32>,
    force: bool,
) -> anyhow::Result<()> {
    if session_path.exists() && !force {
        bail!(
            "{} already exists; use --force to replace it",
            session_path.display()
        );
    }
    let session = build(session_path, stems, rate)?;
    stemdesk_session::save(&session, session_path)?;
    println!(
        "created {} with {} tracks at {} Hz",
        session_path.display(),
        session.tracks.len(),
        session.sample_rate_hz
    );
    Ok(())
}

/// The session `new` would write: stems opened (in parallel; compressed ones decoded into
/// the media cache, ready for playing) to learn their lengths.
pub fn build(session_path: &Path, stems: &[PathBuf], rate: Option<u32>) -> anyhow::Result<Session> {
    let Some(first) = stems.first() else {
        bail!("give at least one audio file");
    };
    let rate = match rate {
        Some(r) => r,
        None => stemdesk_media::native_rate(first)?,
    };
    let session_dir = match session_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => absolute(p)?,
        _ => absolute(Path::new("."))?,
    };
    let mut session = Session::new(rate);
    let cache = stemdesk_media::MediaCache::from_env();
    let opened: Vec<_> = {
        use rayon::prelude::*;
        stems
            .par_iter()
            .map(|p| stemdesk_media::StreamSource::open(p, rate, &cache))
            .collect()
    };
    for (i, (path, audio)) in stems.iter().zip(opened).enumerate() {
        let audio = audio?;
        for w in &audio.warnings {
            eprintln!("warning: {}: {w}", path.display());
        }
        let source = relative_to(&session_dir, &absolute(path)?);
        let id = TrackId(session.alloc_id());
        let clip = ClipId(session.alloc_id());
        session.tracks.push(Track {
            id,
            name: track_name(path),
            color: PALETTE[i % PALETTE.len()],
            clips: vec![Clip {
                id: clip,
                source,
                position_frames: 0,
                offset_frames: 0,
                length_frames: audio.frames(),
                gain_db: 0.0,
                fade_in: Default::default(),
                fade_out: Default::default(),
            }],
            strip: Strip::default(),
        });
    }
    if let Some(e) = stemdesk_session::validate(&session).first() {
        bail!("the new session would be invalid: {e}");
    }
    Ok(session)
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path)
        .with_context(|| format!("{}: cannot resolve the path", path.display()))
}
