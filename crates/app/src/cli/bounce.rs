//! `stemdesk bounce`: render a session to a stereo WAV file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use stemdesk_engine::preflight::check_bounce;
use stemdesk_engine::render::{DEFAULT_MAX_TAIL_S, check_output_is_a_file};
use stemdesk_engine::stems::render_stems;
use stemdesk_engine::{
    Flow, MixTarget, Normalize, RenderEvent, RenderReport, RenderRequest, render,
};
use stemdesk_media::{Container, Dither, SampleFormat, remove_stale_temp_files};

use super::time::{format_seconds, parse_seconds};
use crate::name_template::NameFields;
use crate::report::{ReportInput, summary_table, write_reports};

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

/// Dither choice on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DitherArg {
    /// TPDF for 16-bit, none for 24-bit and float.
    Auto,
    /// No dither (round to nearest).
    Off,
    /// TPDF dither of ±1 LSB.
    Tpdf,
    /// TPDF with first-order noise shaping.
    Shaped,
}

/// Arguments of `stemdesk bounce`.
#[derive(Args, Debug)]
pub struct BounceArgs {
    /// The session to render (.ron).
    session: PathBuf,
    /// Output file: WAV, or FLAC when it ends in .flac. An existing file is only replaced
    /// with --force. Its name may hold {session}, {title}, {artist}, {date}, {bits},
    /// {rate} and {format}, filled in (e.g. "{title} {bits}-{rate}.wav").
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
    /// Dither when reducing to integer samples: auto = TPDF for 16-bit, none for 24-bit
    /// and float.
    #[arg(long, value_enum, default_value = "auto")]
    dither: DitherArg,
    /// Sample rate of the file in Hz (default: the session's); converted with a
    /// high-quality resampler.
    #[arg(long, value_parser = parse_rate)]
    rate: Option<u32>,
    /// Title written into the file (WAV bext and INFO, FLAC comments); default: the
    /// session's file name.
    #[arg(long)]
    title: Option<String>,
    /// Artist written into the file.
    #[arg(long)]
    artist: Option<String>,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
    /// Bounce even if some media files are missing or unreadable (their clips are silent).
    #[arg(long)]
    allow_missing: bool,
    /// Skip the loudness and true-peak measurement (and the report).
    #[arg(long)]
    no_measure: bool,
    /// Also write stems into this folder: one file per track and bus feeding the master
    /// (`NN Name.wav`, post-fader, without the master's processing, all the same length),
    /// checked to sum back to the mix.
    #[arg(long, value_name = "DIR")]
    stems: Option<PathBuf>,
    /// Do not write the report (NAME.report.json and NAME.report.html beside the mix).
    #[arg(long)]
    no_report: bool,
    /// Bounce from the marker with this name to the next marker (or the end of the song).
    #[arg(long, conflicts_with_all = ["start", "end"])]
    pub marker: Option<String>,
    /// Normalise so the highest true peak is this many dBTP (e.g. -1). Off by default:
    /// a mix for mastering is delivered as it is.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "DBTP",
        conflicts_with = "normalize_loudness"
    )]
    pub normalize_peak: Option<f64>,
    /// Normalise the integrated loudness to this many LUFS (e.g. -16).
    #[arg(long, allow_hyphen_values = true, value_name = "LUFS")]
    pub normalize_loudness: Option<f64>,
    /// Longest effect tail after the last clip, seconds (it ends earlier once it falls
    /// below -100 dBFS; a tail still ringing is faded out and reported).
    #[arg(long, default_value_t = DEFAULT_MAX_TAIL_S, value_parser = parse_tail)]
    max_tail: f64,
    /// Frames rendered per block (the result does not depend on it).
    #[arg(long, default_value_t = stemdesk_engine::render::OFFLINE_BLOCK_FRAMES as u32, hide = true,
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    block: u32,
}

/// How old an abandoned temporary file of ours must be before a new bounce removes it.
const STALE_TEMP_AGE: Duration = Duration::from_secs(10 * 60);

/// Runs the bounce and prints a one-line summary.
pub fn run(args: &BounceArgs) -> anyhow::Result<()> {
    let templated = args.output.to_string_lossy().contains('{');
    if !templated {
        check_output(&args.output, args.force)?;
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
    let (start_frames, end_frames) = match &args.marker {
        Some(name) => marker_range(session, name)?,
        None => (args.start.map_or(0, to_frames), args.end.map(to_frames)),
    };
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
    // `-o mix.flac` writes FLAC (16 or 24 bits); anything else WAV.
    let container = Container::from_path(&args.output);
    if container == Container::Flac && format == SampleFormat::Float32 {
        bail!("FLAC holds 16- or 24-bit samples: use --bits 24 or --bits 16 for a .flac file");
    }
    let target_dither = match args.dither {
        // Float cannot be dithered; integer formats as the user says.
        _ if format == SampleFormat::Float32 => Dither::Off,
        DitherArg::Auto => MixTarget::default_dither(format),
        DitherArg::Off => Dither::Off,
        DitherArg::Tpdf => Dither::Tpdf,
        DitherArg::Shaped => Dither::TpdfShaped,
    };
    let metadata = crate::report::metadata_for(
        args.title
            .clone()
            .unwrap_or_else(|| track_name(&args.session)),
        args.artist.clone().unwrap_or_default(),
        start_frames,
    );
    let output = if templated {
        let output = expand_output(
            &args.output,
            &NameFields {
                session: track_name(&args.session),
                title: metadata.title.clone(),
                artist: metadata.artist.clone(),
                date: metadata.date.clone(),
                format,
                container,
                rate_hz: args.rate.unwrap_or(rate),
            },
        );
        check_output(&output, args.force)?;
        output
    } else {
        args.output.clone()
    };
    let normalize = match (args.normalize_peak, args.normalize_loudness) {
        (Some(dbtp), _) => Some(Normalize::PeakDbtp(dbtp)),
        (None, Some(lufs)) => Some(Normalize::LoudnessLufs(lufs)),
        (None, None) => None,
    };
    let bar = progress_bar();
    let mut interrupt_guard = None;
    let report = render(
        &RenderRequest {
            session,
            base_dir: &loaded.base_dir,
            sources: &sources,
            start_frames,
            end_frames,
            max_tail_s: args.max_tail,
            block_frames: args.block as usize,
            measure: !args.no_measure,
        },
        Some(&MixTarget {
            path: &output,
            format,
            replace: args.force,
            session_file: Some(&args.session),
            dither: target_dither,
            container,
            metadata: Some(&metadata),
            sample_rate_hz: args.rate,
            normalize,
        }),
        |event| {
            match event {
                RenderEvent::Writing { temp } => {
                    remove_stale_temp_files(&output, STALE_TEMP_AGE);
                    interrupt_guard = Some(RemoveOnInterrupt::new(temp));
                }
                RenderEvent::Progress {
                    done_frames,
                    total_frames,
                } => {
                    bar.set_length(total_frames);
                    bar.set_position(done_frames);
                }
            }
            Flow::Continue
        },
    )?;
    drop(interrupt_guard);
    let dither = match target_dither {
        Dither::Off => "",
        Dither::Tpdf => ", TPDF dither",
        Dither::TpdfShaped => ", noise-shaped TPDF dither",
    };
    bar.finish_and_clear();
    if let Some(gain) = report.normalize_gain_db {
        println!("normalised by {gain:+.2} dB");
    }
    println!(
        "bounced {} to {} ({}{}, {} Hz): {}",
        format_seconds(report.duration_s()),
        output.display(),
        bits_name(args.bits),
        dither,
        args.rate.unwrap_or(rate),
        describe(&report),
    );
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    let stems = match &args.stems {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the stems folder {}", dir.display()))?;
            let req = RenderRequest {
                session,
                base_dir: &loaded.base_dir,
                sources: &sources,
                start_frames,
                end_frames: Some(start_frames + report.frames_at_session_rate()),
                max_tail_s: args.max_tail,
                block_frames: args.block as usize,
                measure: false,
            };
            let stems = render_stems(&req, dir, format, args.force, |_| Flow::Continue)?;
            println!(
                "stems: {} files in {} (summed, they differ from the mix by at most {:.1} dBFS)",
                stems.files.len(),
                dir.display(),
                stems.null_residual_dbfs
            );
            Some(stems)
        }
        None => None,
    };
    if !args.no_measure {
        let checks = check_bounce(session, &session.delivery, Some(format), &report);
        let input = ReportInput {
            mix: &output,
            session_file: Some(&args.session),
            format,
            dither: target_dither,
            report: &report,
            checks: &checks,
            stems: stems.as_ref(),
        };
        print!("{}", summary_table(&input));
        if !args.no_report {
            let (_, html) = write_reports(&input)?;
            println!("report: {}", html.display());
        }
    }
    Ok(())
}

/// Refuses an output that is not a regular file, or exists without --force.
fn check_output(output: &Path, force: bool) -> anyhow::Result<()> {
    check_output_is_a_file(output)?;
    if output.exists() && !force {
        bail!(
            "{} already exists; use --force to replace it",
            output.display()
        );
    }
    Ok(())
}

/// `output` with the template in its file name filled in (its folder is kept as is).
fn expand_output(output: &Path, fields: &NameFields) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('}') => (stem.to_owned(), format!(".{ext}")),
        _ => (name.clone(), String::new()),
    };
    let file = format!("{}{ext}", crate::name_template::expand(&stem, fields));
    output.with_file_name(file)
}

/// The frames from the marker called `name` to the next marker (or the end of the song).
fn marker_range(
    session: &stemdesk_session::Session,
    name: &str,
) -> anyhow::Result<(u64, Option<u64>)> {
    let t = &session.timeline;
    if t.markers.iter().filter(|m| m.name == name).count() > 1 {
        bail!("more than one marker is called \"{name}\"; rename one in the desk");
    }
    let Some(m) = t.markers.iter().find(|m| m.name == name) else {
        let names: Vec<&str> = t.markers.iter().map(|m| m.name.as_str()).collect();
        if names.is_empty() {
            bail!("the session has no markers (there is no \"{name}\")");
        }
        bail!(
            "no marker \"{name}\" in the session; it has: {}",
            names.join(", ")
        );
    };
    let end = session.content_end_frames();
    match t.marker_range(m.id, end) {
        Some((start, end)) => Ok((start, Some(end))),
        None => bail!("marker \"{name}\" is at the end of the song: nothing follows it"),
    }
}

/// A delivery sample rate: the usual ones.
fn parse_rate(text: &str) -> Result<u32, String> {
    const RATES: [u32; 6] = [44_100, 48_000, 88_200, 96_000, 176_400, 192_000];
    let hz: u32 = text
        .trim()
        .parse()
        .map_err(|_| format!("\"{text}\" is not a sample rate in Hz"))?;
    if RATES.contains(&hz) {
        Ok(hz)
    } else {
        Err(format!("{hz} Hz is not offered; use one of {RATES:?}"))
    }
}

/// A tail length: 0 to 60 seconds.
fn parse_tail(text: &str) -> Result<f64, String> {
    let s: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("\"{text}\" is not a number of seconds"))?;
    if (0.0..=60.0).contains(&s) {
        Ok(s)
    } else {
        Err(format!("{s} s is not between 0 and 60 seconds"))
    }
}

/// One line: peak, loudness, true peak, speed.
pub fn describe(report: &RenderReport) -> String {
    let loudness = match (report.integrated_lufs, report.max_true_peak_dbtp()) {
        (lufs, Some(tp)) => format!(
            ", {} LUFS integrated, true peak {tp:.2} dBTP",
            lufs.map_or("n/a".to_owned(), |l| format!("{l:.1}"))
        ),
        _ => String::new(),
    };
    format!(
        "peak {:.2} dBFS{loudness}, {:.1}x realtime",
        report.peak_dbfs(),
        report.x_realtime()
    )
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
