//! `stemdesk bounce`: render a session to a stereo WAV file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use ebur128::{EbuR128, Mode};
use indicatif::{ProgressBar, ProgressStyle};
use stemdesk_engine::{BounceRange, SourceMap, Threads, bounce, compile};
use stemdesk_media::{SampleFormat, WavWriter, not_a_regular_file, remove_stale_temp_files};
use stemdesk_session::Session;

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
    #[arg(long, default_value_t = 1024, hide = true,
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    block: u32,
}

/// How old an abandoned temporary file of ours must be before a new bounce removes it.
const STALE_TEMP_AGE: Duration = Duration::from_secs(10 * 60);

/// Runs the bounce and prints a one-line summary.
pub fn run(args: &BounceArgs) -> anyhow::Result<()> {
    refuse_non_file_output(&args.output)?;
    if args.output.exists() && !args.force {
        bail!(
            "{} already exists; use --force to replace it",
            args.output.display()
        );
    }
    let super::LoadedWithMedia {
        loaded,
        sources,
        unavailable,
    } = super::load_with_media(&args.session)?;
    let session = &loaded.session;
    let rate = session.sample_rate_hz;
    if !args.allow_missing && unavailable > 0 {
        bail!(
            "{unavailable} media file(s) could not be read, so the mix would be incomplete; \
             fix or relink them, or pass --allow-missing to bounce with those clips silent"
        );
    }
    let to_frames = |s: f64| (s * f64::from(rate)).round() as u64;
    let start_frames = args.start.map_or(0, to_frames);
    let end_frames = args.end.map(to_frames);
    if let Some(end) = end_frames
        && end <= start_frames
    {
        bail!("the end time must be after the start time");
    }
    let format = match args.bits {
        Bits::Int16 => SampleFormat::Int16,
        Bits::Int24 => SampleFormat::Int24,
        Bits::Float32 => SampleFormat::Float32,
    };
    let bar = progress_bar();
    let summary = render_mix(
        &MixRequest {
            session,
            base_dir: &loaded.base_dir,
            sources: &sources,
            output: &args.output,
            format,
            start_frames,
            end_frames,
            measure: !args.no_measure,
            block_frames: args.block as usize,
            session_file: Some(&args.session),
            replace: args.force,
        },
        |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )?;
    bar.finish_and_clear();
    println!(
        "bounced {} to {} ({}, {} Hz): {}",
        format_seconds(summary.duration_s),
        args.output.display(),
        bits_name(args.bits),
        rate,
        summary.describe(),
    );
    if let Some(warning) = summary.clip_warning() {
        eprintln!("warning: {warning}");
    }
    Ok(())
}

/// What to render and where (shared by the command line and the GUI's Bounce).
pub struct MixRequest<'a> {
    /// The session (valid).
    pub session: &'a Session,
    /// Folder its media paths are relative to.
    pub base_dir: &'a Path,
    /// Decoded media.
    pub sources: &'a SourceMap,
    /// The WAV file to write (replaced atomically).
    pub output: &'a Path,
    /// Sample format.
    pub format: SampleFormat,
    /// First frame.
    pub start_frames: u64,
    /// End frame; `None` = the last clip plus the effect tail.
    pub end_frames: Option<u64>,
    /// Measure loudness and true peak.
    pub measure: bool,
    /// Frames per render block.
    pub block_frames: usize,
    /// The session's own file, which the output must never overwrite.
    pub session_file: Option<&'a Path>,
    /// Replace an existing output (otherwise a file that appears meanwhile is kept and the
    /// bounce fails).
    pub replace: bool,
}

/// Facts about a finished mix.
#[derive(Debug, Clone, PartialEq)]
pub struct MixSummary {
    /// Length in seconds.
    pub duration_s: f64,
    /// Highest sample, dBFS.
    pub peak_db: f64,
    /// Integrated loudness, LUFS (when measured and defined).
    pub lufs: Option<f64>,
    /// True peak, dBTP (when measured).
    pub true_peak_db: Option<f64>,
    /// Samples clipped by an integer format.
    pub clipped: u64,
    /// Render speed.
    pub x_realtime: f64,
}

impl MixSummary {
    /// One line: peak, loudness, true peak, speed.
    pub fn describe(&self) -> String {
        let loudness = match (self.lufs, self.true_peak_db) {
            (lufs, Some(tp)) => format!(
                ", {} LUFS integrated, true peak {tp:.2} dBTP",
                lufs.map_or("n/a".to_owned(), |l| format!("{l:.1}"))
            ),
            _ => String::new(),
        };
        format!(
            "peak {:.2} dBFS{loudness}, {:.1}x realtime",
            self.peak_db, self.x_realtime
        )
    }

    /// Advice when integer output clipped.
    pub fn clip_warning(&self) -> Option<String> {
        (self.clipped > 0).then(|| {
            format!(
                "{} samples clipped at 0 dBFS; lower the master by at least {:.1} dB or bounce as 32-bit float",
                self.clipped,
                self.peak_db.max(0.0) + 0.1
            )
        })
    }
}

/// Renders a session to a WAV file with the offline renderer.
pub fn render_mix(
    req: &MixRequest<'_>,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<MixSummary> {
    let rate = req.session.sample_rate_hz;
    let range = BounceRange {
        start_frames: req.start_frames,
        end_frames: req.end_frames,
        content_end_frames: req.session.content_end_frames(),
        max_tail_frames: (MAX_TAIL_S * f64::from(rate)) as u64,
    };
    refuse_inputs_as_output(req)?;
    remove_stale_temp_files(req.output, STALE_TEMP_AGE);
    let mut graph = compile(req.session, req.base_dir, req.sources, req.block_frames);
    let mut writer = WavWriter::create(req.output, rate, 2, req.format)?;
    let _cleanup = RemoveOnInterrupt::new(writer.temp_path());
    let mut meter = req
        .measure
        .then(|| EbuR128::new(2, rate, Mode::I | Mode::TRUE_PEAK))
        .transpose()
        .context("cannot set up the loudness meter")?;
    let started = Instant::now();
    let stats = bounce(
        &mut graph,
        range,
        req.block_frames,
        Threads::Pool,
        |samples| {
            if let Some(m) = meter.as_mut() {
                // A meter failure must not spoil the bounce; it is reported as n/a.
                let _ = m.add_frames_f32(samples);
            }
            writer.write_interleaved(samples)
        },
        &mut progress,
    )?;
    let clipped = writer.clipped_samples();
    if req.replace {
        writer.finalize()?;
    } else {
        writer.finalize_no_replace()?;
    }
    let elapsed_s = started.elapsed().as_secs_f64();
    let duration_s = stats.frames as f64 / f64::from(rate);
    let (lufs, true_peak_db) = match meter.as_ref() {
        Some(m) => {
            let lufs = m.loudness_global().ok().filter(|l| l.is_finite());
            let tp = (0..2)
                .filter_map(|c| m.true_peak(c).ok())
                .fold(0.0f64, f64::max);
            (lufs, Some(20.0 * tp.log10()))
        }
        None => (None, None),
    };
    Ok(MixSummary {
        duration_s,
        peak_db: 20.0 * f64::from(stats.peak[0].max(stats.peak[1])).log10(),
        lufs,
        true_peak_db,
        clipped,
        x_realtime: duration_s / elapsed_s.max(1e-9),
    })
}

/// Refuses an output that exists and is not a regular file (a device such as /dev/null,
/// a FIFO, a folder): refused even with --force, as replacing it would destroy it.
fn refuse_non_file_output(output: &Path) -> anyhow::Result<()> {
    if let Ok(meta) = std::fs::metadata(output)
        && let Some(kind) = not_a_regular_file(meta.file_type())
    {
        bail!(
            "{} is {kind}, not a file; bounces are written only to regular files",
            output.display()
        );
    }
    Ok(())
}

/// Refuses an output that is the session file or one of its media files (the same file
/// under any name: compared after resolving symlinks and `..`), or not a regular file.
fn refuse_inputs_as_output(req: &MixRequest<'_>) -> anyhow::Result<()> {
    refuse_non_file_output(req.output)?;
    let Ok(output) = std::fs::canonicalize(req.output) else {
        return Ok(()); // does not exist yet: cannot be an input
    };
    let same = |p: &Path| std::fs::canonicalize(p).is_ok_and(|c| c == output);
    if req.session_file.is_some_and(same) {
        bail!(
            "{} is the session file itself; choose another name for the mix",
            req.output.display()
        );
    }
    for (track, clip) in req.session.clips() {
        if same(&stemdesk_session::resolve_media(req.base_dir, &clip.source)) {
            bail!(
                "{} is a media file of the session (track \"{}\"); choose another name for the mix",
                req.output.display(),
                track.name
            );
        }
    }
    Ok(())
}

/// The temporary file of the bounce in progress, removed by the signal handler.
static IN_PROGRESS: Mutex<Option<PathBuf>> = Mutex::new(None);

/// While alive, Ctrl-C, SIGTERM or SIGHUP remove the bounce's temporary file and end the
/// process (exit code 130) instead of leaving a hidden `.partial` file behind.
struct RemoveOnInterrupt;

impl RemoveOnInterrupt {
    fn new(temp: Option<&Path>) -> Self {
        static HANDLER: std::sync::Once = std::sync::Once::new();
        HANDLER.call_once(|| {
            // Fails only if another handler is installed (the GUI has none): then the
            // next run's stale-file cleanup is the fallback.
            let _ = ctrlc::set_handler(|| {
                let guard = IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(path) = guard.as_ref() {
                    let _ = std::fs::remove_file(path);
                }
                std::process::exit(130);
            });
        });
        *IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner()) = temp.map(Path::to_path_buf);
        Self
    }
}

impl Drop for RemoveOnInterrupt {
    fn drop(&mut self) {
        *IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
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

/// A path's file stem as a track name (`new` and the GUI's imports).
pub fn track_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Track".to_owned())
}
