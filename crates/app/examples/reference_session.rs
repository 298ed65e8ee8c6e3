//! Writes the reference mixing job of `../shared/bench/README.md` as a Stemdesk session:
//! `cargo run --release -p stemdesk --example reference_session -- OUT.ron STEM.wav...`
//! Stems are not decoded: their length is read from the WAV header (hound).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use stemdesk_e2e::{RefStem, reference_job};
use stemdesk_session::*;

fn main() -> anyhow::Result<()> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let Some((out, stems)) = args.split_first() else {
        bail!("usage: reference_session OUT.ron STEM.wav...");
    };
    let session = reference_session(out, stems)?;
    save(&session, out)?;
    println!("wrote {} ({} tracks)", out.display(), session.tracks.len());
    Ok(())
}

fn wav_info(path: &Path) -> anyhow::Result<(u32, u64)> {
    let r =
        hound::WavReader::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Ok((r.spec().sample_rate, u64::from(r.duration())))
}

fn reference_session(out: &Path, stems: &[PathBuf]) -> anyhow::Result<Session> {
    let (rate, _) = wav_info(&stems[0])?;
    let base = std::path::absolute(out.parent().unwrap_or(Path::new(".")))?;
    let mut refs = Vec::new();
    for path in stems {
        let (_, frames) = wav_info(path)?;
        refs.push(RefStem {
            source: relative_to(&base, &std::path::absolute(path)?),
            name: path
                .file_stem()
                .map(|x| x.to_string_lossy().into_owned())
                .unwrap_or_default(),
            frames,
        });
    }
    Ok(reference_job(rate, &refs))
}
