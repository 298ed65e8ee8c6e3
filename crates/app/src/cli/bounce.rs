//! `stemdesk bounce`: render a session to a stereo WAV file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use ebur128::{EbuR128, Mode};
use indicatif::{ProgressBar, ProgressStyle};
use stemdesk_engine::{BounceRange, Threads, bounce, compile, load_sources};
use stemdesk_media::{SampleFormat, WavWriter};

use super::time::{format_seconds, parse_seconds};

/// Longest effect tail rendered after the last clip, in seconds.
const MAX_TAIL_S: f64 = 10.0;

/// Sample format of the mixdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Bits {
    /// 16-bit integer PCM.
    #[value(name = "16")]
    Int16,
    /// 24-bit integer PCM (the usual delivery format for mastering).
    #[value(name = "24")]
    Int24,
    /// 32-bit float: cannot clip, keeps overs for the mastering engineer.
    #[value(name = "32f")]
    Float32,
}

/// Arguments of `stemdesk bounce`.
#[derive(Args, Debug)]
pub struct BounceArgs {
    /// The session to render (.ron).
    session: PathBuf,
    /// Output WAV file. An existing file is only replaced with --force.
    #[arg(short, long)]
    output: PathBuf,
    /// Sample format.
    #[arg(long, value_enum, default_value = "24")]
    bits: Bits,
    /// Start time (seconds, or minutes:seconds). Default: the start of the session.
    #[arg(long, value_parser = parse_seconds)]
    start: Option<f64>,
    /// End time (seconds, or minutes:seconds). Default: the end of the last clip plus the
    /// effect tail (reverb, delay) until it falls below -100 dBFS, at most 10 s.
    #[arg(long, value_parser = parse_seconds)]
    end: Option<f64>,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
    /// Bounce even if some media files are missing or unreadable (their clips are silent).
    #[arg(long)]
    allow_missing: bool,
    /// Skip the loudness and true-peak measurement.
    #[arg(long)]
    no_measure: bool,
    /// Frames rendered per block (the result does not depend on it).
    #[arg(long, default_value_t = 1024, hide = true)]
    block: usize,
}

/// Runs the bounce and prints a one-line summary.
pub fn run(args: &BounceArgs) -> anyhow::Result<()> {
    if args.output.exists() && !args.force {
        bail!(
            "{} already exists; use --force to replace it",
            args.output.display()
        );
    }
    let loaded = stemdesk_session::load(&args.session)?;
    let session = &loaded.session;
    let rate = session.sample_rate_hz;
    for off in &loaded.offline {
        eprintln!(
            "warning: track \"{}\": media file not found: {}",
            off.track_name,
            off.path.display()
        );
    }
    let (sources, problems, warnings) = load_sources(&loaded);
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    for p in &problems {
        eprintln!("warning: {}", p.message);
    }
    if !args.allow_missing && (!loaded.offline.is_empty() || !problems.is_empty()) {
        bail!(
            "{} media file(s) could not be read, so the mix would be incomplete; \
             fix or relink them, or pass --allow-missing to bounce with those clips silent",
            loaded.offline.len() + problems.len()
        );
    }
    let to_frames = |s: f64| (s * f64::from(rate)).round() as u64;
    let range = BounceRange {
        start_frames: args.start.map_or(0, to_frames),
        end_frames: args.end.map(to_frames),
        content_end_frames: session.content_end_frames(),
        max_tail_frames: to_frames(MAX_TAIL_S),
    };
    if let Some(end) = range.end_frames
        && end <= range.start_frames
    {
        bail!("the end time must be after the start time");
    }
    let mut graph = compile(session, &loaded.base_dir, &sources, args.block);
    let format = match args.bits {
        Bits::Int16 => SampleFormat::Int16,
        Bits::Int24 => SampleFormat::Int24,
        Bits::Float32 => SampleFormat::Float32,
    };
    let mut writer = WavWriter::create(&args.output, rate, 2, format)?;
    let mut meter = (!args.no_measure)
        .then(|| EbuR128::new(2, rate, Mode::I | Mode::TRUE_PEAK))
        .transpose()
        .context("cannot set up the loudness meter")?;
    let bar = progress_bar();
    let started = Instant::now();
    let stats = bounce(
        &mut graph,
        range,
        args.block,
        Threads::Pool,
        |samples| {
            if let Some(m) = meter.as_mut() {
                // A meter failure must not spoil the bounce; it is reported below as n/a.
                let _ = m.add_frames_f32(samples);
            }
            writer.write_interleaved(samples)
        },
        |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )?;
    bar.finish_and_clear();
    let clipped = writer.clipped_samples();
    writer.finalize()?;
    let elapsed_s = started.elapsed().as_secs_f64();
    let duration_s = stats.frames as f64 / f64::from(rate);
    let peak_db = 20.0 * stats.peak[0].max(stats.peak[1]).log10();
    let loudness = meter.as_ref().map(describe_loudness).unwrap_or_default();
    println!(
        "bounced {} to {} ({}, {} Hz): peak {:.2} dBFS{loudness}, {:.1}x realtime",
        format_seconds(duration_s),
        args.output.display(),
        bits_name(args.bits),
        rate,
        peak_db,
        duration_s / elapsed_s.max(1e-9),
    );
    if clipped > 0 {
        eprintln!(
            "warning: {clipped} samples clipped at 0 dBFS; lower the master by at least {:.1} dB \
             or bounce as --bits 32f",
            peak_db.max(0.0) + 0.1
        );
    }
    Ok(())
}

fn describe_loudness(m: &EbuR128) -> String {
    let lufs = m.loudness_global().ok().filter(|l| l.is_finite());
    let true_peak = (0..2)
        .filter_map(|c| m.true_peak(c).ok())
        .fold(0.0f64, f64::max);
    let lufs = lufs.map_or("n/a".to_owned(), |l| format!("{l:.1}"));
    format!(
        ", {lufs} LUFS integrated, true peak {:.2} dBTP",
        20.0 * true_peak.log10()
    )
}

fn bits_name(bits: Bits) -> &'static str {
    match bits {
        Bits::Int16 => "16-bit",
        Bits::Int24 => "24-bit",
        Bits::Float32 => "32-bit float",
    }
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {percent:>3}% rendering, {eta} left")
    {
        bar.set_style(style);
    }
    bar
}

/// Used by `new` and the example writer: a path's file stem as a track name.
pub fn track_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Track".to_owned())
}
