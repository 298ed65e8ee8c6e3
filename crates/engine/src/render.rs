//! Rendering a session to a file (or only measuring it): options in, a typed report out,
//! progress and cancel through one callback. The command line and the desk both call it;
//! neither formats figures the other has to read back.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stemdesk_media::{
    BextLoudness, Container, Dither, MediaError, Metadata, MixWriter, SampleFormat,
    StreamResampler, not_a_regular_file,
};
use stemdesk_session::{Session, resolve_media};

use crate::analysis::{Analysis, Analyzer};
use crate::bounce::{BounceRange, bounce};
use crate::graph::{Threads, compile};
use crate::sources::SourceMap;
use crate::writer_thread::WriterThread;

/// Frames per block of an offline render: large enough that handing the tracks to the
/// thread pool costs little per frame (the result does not depend on it). At 4096 the
/// pool's threads yielded and slept ten times a block (a tenth of the reference job's CPU
/// time went to the kernel); 16384 quarters that for 4.5 MB more memory.
pub const OFFLINE_BLOCK_FRAMES: usize = 16_384;
/// Longest effect tail rendered after the last clip by default, seconds.
pub const DEFAULT_MAX_TAIL_S: f64 = 10.0;
/// Rendered frames that may wait for the analysis thread before the render waits for it
/// (16 MB of stereo `f32`).
const ANALYSIS_QUEUE_FRAMES: usize = 1 << 21;
/// True peak above this (dBTP) is worth a warning: lossy encoders and converters clip.
pub const TRUE_PEAK_WARNING_DBTP: f64 = -1.0;

/// What to render.
#[derive(Debug, Clone, Copy)]
pub struct RenderRequest<'a> {
    /// The session (validated).
    pub session: &'a Session,
    /// Folder its media paths are relative to.
    pub base_dir: &'a Path,
    /// Decoded media by resolved path.
    pub sources: &'a SourceMap,
    /// First timeline frame.
    pub start_frames: u64,
    /// End frame (exclusive); `None` = the last clip plus the effect tail.
    pub end_frames: Option<u64>,
    /// Longest tail after the last clip when `end_frames` is `None`, seconds (the tail
    /// ends earlier once it falls below -100 dBFS).
    pub max_tail_s: f64,
    /// Frames per render block (the result does not depend on it).
    pub block_frames: usize,
    /// Measure integrated loudness, loudness range and true peak (EBU R 128).
    pub measure: bool,
}

impl<'a> RenderRequest<'a> {
    /// The whole session (start to the end of its tail), measured.
    pub fn whole(session: &'a Session, base_dir: &'a Path, sources: &'a SourceMap) -> Self {
        RenderRequest {
            session,
            base_dir,
            sources,
            start_frames: 0,
            end_frames: None,
            max_tail_s: DEFAULT_MAX_TAIL_S,
            block_frames: OFFLINE_BLOCK_FRAMES,
            measure: true,
        }
    }
}

/// Where the mix goes: a WAV or FLAC file.
#[derive(Debug, Clone, Copy)]
pub struct MixTarget<'a> {
    /// The file (written to a temporary file beside it, renamed when complete).
    pub path: &'a Path,
    /// Sample format.
    pub format: SampleFormat,
    /// Replace an existing file (otherwise one that exists, or appears meanwhile, is kept
    /// and the render fails).
    pub replace: bool,
    /// The session's own file: never overwritten by a mix.
    pub session_file: Option<&'a Path>,
    /// Dither when reducing to integer samples (ignored for float).
    pub dither: Dither,
    /// WAV or FLAC.
    pub container: Container,
    /// Title, artist, date... for the file's own tags (WAV `bext` and `INFO`, FLAC
    /// comments); the `bext` chunk also gets the measured loudness.
    pub metadata: Option<&'a Metadata>,
    /// Sample rate of the file (`None`: the session's); other rates are converted with
    /// a high-quality resampler, and the analysis measures the converted file.
    pub sample_rate_hz: Option<u32>,
    /// Bring the file to a peak or loudness target (off by default: a mix for mastering
    /// is delivered as it is). Costs a measuring pass before the writing one.
    pub normalize: Option<Normalize>,
}

/// How far under a peak target normalising aims, dB.
const PEAK_TARGET_MARGIN_DB: f64 = 0.001;

/// A target a bounce is normalised to, by one gain over the whole file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Normalize {
    /// The highest true peak reaches this many dBTP (0.001 dB under it, so a limit
    /// equal to the target passes).
    PeakDbtp(f64),
    /// The integrated loudness reaches this many LUFS.
    LoudnessLufs(f64),
}

impl Normalize {
    /// The gain (dB) that brings a render measured as `measured` to the target.
    fn gain_db(self, measured: &RenderReport) -> Result<f64, RenderError> {
        let gain = match self {
            // A hair under the target, so float rounding never lands it above a limit
            // equal to the target.
            Normalize::PeakDbtp(target) => measured
                .max_true_peak_dbtp()
                .filter(|p| p.is_finite())
                .map(|p| target - p - PEAK_TARGET_MARGIN_DB),
            Normalize::LoudnessLufs(target) => measured.integrated_lufs.map(|l| target - l),
        };
        gain.filter(|g| g.is_finite())
            .ok_or(RenderError::CannotNormalize)
    }
}

impl<'a> MixTarget<'a> {
    /// A target writing `path` in `format` with everything else as a mastering engineer
    /// expects by default: WAV at the session's rate, the format's usual dither
    /// ([`MixTarget::default_dither`]), no tags, no normalisation, an existing file kept.
    pub fn new(path: &'a Path, format: SampleFormat) -> Self {
        MixTarget {
            path,
            format,
            replace: false,
            session_file: None,
            dither: Self::default_dither(format),
            container: Container::Wav,
            metadata: None,
            sample_rate_hz: None,
            normalize: None,
        }
    }

    /// The dither a mastering engineer expects for `format`: TPDF when reducing to 16
    /// bits, none for 24-bit (its noise floor is below any converter's) or float.
    pub fn default_dither(format: SampleFormat) -> Dither {
        match format {
            SampleFormat::Int16 => Dither::Tpdf,
            SampleFormat::Int24 | SampleFormat::Float32 => Dither::Off,
        }
    }
}

/// What the render tells its caller while it runs.
#[derive(Debug, Clone, Copy)]
pub enum RenderEvent<'p> {
    /// Writing has started into this temporary file (a caller that may be killed can
    /// remove it).
    Writing {
        /// The temporary file.
        temp: Option<&'p Path>,
    },
    /// Frames done of the estimated total (the tail may end early).
    Progress {
        /// Frames rendered.
        done_frames: u64,
        /// Frames expected.
        total_frames: u64,
    },
}

/// Whether to go on after a [`RenderEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep rendering.
    Continue,
    /// Stop: the render returns [`RenderError::Cancelled`] and leaves no file.
    Cancel,
}

/// Something the person delivering the mix should know.
#[derive(Debug, Clone, PartialEq)]
pub enum RenderWarning {
    /// Samples above full scale were clipped by an integer format.
    Clipped {
        /// How many samples.
        samples: u64,
        /// The highest sample, dBFS (> 0).
        peak_dbfs: f64,
    },
    /// The true peak is above [`TRUE_PEAK_WARNING_DBTP`].
    TruePeakHigh {
        /// The true peak, dBTP.
        dbtp: f64,
    },
    /// Normalising raised the mix until an integer format clipped it.
    NormalizedIntoClipping {
        /// How many samples.
        samples: u64,
        /// The highest sample, dBFS (> 0).
        peak_dbfs: f64,
        /// The normalising gain, dB.
        gain_db: f64,
    },
    /// The mix is silent.
    Silent,
    /// The effect tail was still audible at the longest length allowed; it was faded out.
    TailCut {
        /// The longest tail, seconds.
        max_tail_s: f64,
    },
}

impl std::fmt::Display for RenderWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderWarning::Clipped { samples, peak_dbfs } => write!(
                f,
                "{samples} samples clipped at 0 dBFS; lower the master by at least {:.1} dB \
                 or bounce as 32-bit float",
                peak_dbfs.max(0.0) + 0.1
            ),
            RenderWarning::TruePeakHigh { dbtp } => write!(
                f,
                "true peak {dbtp:.2} dBTP is above {TRUE_PEAK_WARNING_DBTP:.0} dBTP: leave \
                 headroom for encoders and converters"
            ),
            RenderWarning::NormalizedIntoClipping {
                samples,
                peak_dbfs,
                gain_db,
            } => write!(
                f,
                "normalising by {gain_db:+.1} dB drove the peak to {peak_dbfs:.1} dBFS and \
                 clipped {samples} samples; choose a lower target, a peak target, or 32-bit \
                 float"
            ),
            RenderWarning::Silent => write!(f, "the mix is silent"),
            RenderWarning::TailCut { max_tail_s } => write!(
                f,
                "the effect tail was still audible after {max_tail_s:.0} s and was faded out; \
                 allow a longer tail if it matters"
            ),
        }
    }
}

/// Facts about a finished render, as numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderReport {
    /// The file's sample rate (the session's unless converted).
    pub sample_rate_hz: u32,
    /// The session's sample rate.
    pub session_rate_hz: u32,
    /// Frames rendered.
    pub frames: u64,
    /// Highest absolute sample per channel (L, R), dBFS (`-inf` for silence).
    pub sample_peak_dbfs: [f64; 2],
    /// True peak per channel (4x oversampled, EBU R 128), dBTP, when measured.
    pub true_peak_dbtp: Option<[f64; 2]>,
    /// Integrated loudness, LUFS, when measured and defined (not for silence).
    pub integrated_lufs: Option<f64>,
    /// Loudness range, LU, when measured and defined.
    pub loudness_range_lu: Option<f64>,
    /// Samples clipped by an integer output format.
    pub clipped_samples: u64,
    /// Where in the song the file starts, seconds (positions in the analysis count from
    /// it).
    pub start_s: f64,
    /// The effect tail was still audible at the longest length allowed (faded out).
    pub tail_cut: bool,
    /// Wall-clock time the render took.
    pub elapsed: Duration,
    /// The full analysis, when measured.
    pub analysis: Option<Analysis>,
    /// The gain applied to normalise the file, dB (`None`: not normalised).
    pub normalize_gain_db: Option<f64>,
    /// What to tell the user.
    pub warnings: Vec<RenderWarning>,
}

impl RenderReport {
    /// Length, seconds.
    pub fn duration_s(&self) -> f64 {
        self.frames as f64 / f64::from(self.sample_rate_hz.max(1))
    }

    /// The higher channel's sample peak, dBFS.
    pub fn peak_dbfs(&self) -> f64 {
        self.sample_peak_dbfs[0].max(self.sample_peak_dbfs[1])
    }

    /// The higher channel's true peak, dBTP.
    pub fn max_true_peak_dbtp(&self) -> Option<f64> {
        self.true_peak_dbtp.map(|[l, r]| l.max(r))
    }

    /// The rendered length in frames at the session's rate (`frames` counts the file's
    /// rate).
    pub fn frames_at_session_rate(&self) -> u64 {
        (self.frames as f64 * f64::from(self.session_rate_hz)
            / f64::from(self.sample_rate_hz.max(1)))
        .round() as u64
    }

    /// Render speed as a multiple of real time.
    pub fn x_realtime(&self) -> f64 {
        self.duration_s() / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Why a render did not produce its file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The caller cancelled; nothing was written.
    #[error("the bounce was cancelled")]
    Cancelled,
    /// The output is one of the session's own files.
    #[error("{} is {what}; choose another name for the mix", path.display())]
    OutputIsInput {
        /// The output path.
        path: PathBuf,
        /// Which input it is ("the session file itself", "a media file of ...").
        what: String,
    },
    /// The output exists and is not a regular file (a device, a FIFO, a folder).
    #[error("{} is {kind}, not a file; bounces are written only to regular files", path.display())]
    NotAFile {
        /// The output path.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// The end is not after the start.
    #[error("the end time must be after the start time")]
    EmptyRange,
    /// Writing failed (full disk, permissions...), naming the file.
    #[error(transparent)]
    Write(#[from] MediaError),
    /// The thread that writes the file could not start or failed outside a write.
    #[error("the file writer failed: {0}")]
    Writer(String),
    /// The loudness meter could not be set up.
    #[error("cannot set up the loudness meter: {0}")]
    Meter(String),
    /// A media file could not be read while rendering (deleted, cut short or unreadable
    /// since the session was opened); nothing was written.
    #[error("{0}; the bounce was stopped and nothing was written")]
    SourceRead(String),
    /// Normalising was asked for, but the mix is silent (no peak or loudness to bring to
    /// a target).
    #[error("the mix is silent: there is nothing to normalise")]
    CannotNormalize,
}

/// Refuses an output that exists and is not a regular file: replacing it would destroy
/// it (a device such as /dev/null, a FIFO, a folder).
pub fn check_output_is_a_file(path: &Path) -> Result<(), RenderError> {
    if let Ok(meta) = std::fs::metadata(path)
        && let Some(kind) = not_a_regular_file(meta.file_type())
    {
        return Err(RenderError::NotAFile {
            path: path.to_path_buf(),
            kind,
        });
    }
    Ok(())
}

/// Refuses an output that is the session file or one of its media files (the same file
/// under any name: compared after resolving symlinks and `..`).
fn check_output_is_not_an_input(
    req: &RenderRequest<'_>,
    target: &MixTarget<'_>,
) -> Result<(), RenderError> {
    check_output_is_a_file(target.path)?;
    let Ok(output) = std::fs::canonicalize(target.path) else {
        return Ok(()); // does not exist yet: cannot be an input
    };
    let same = |p: &Path| std::fs::canonicalize(p).is_ok_and(|c| c == output);
    let refuse = |what: String| RenderError::OutputIsInput {
        path: target.path.to_path_buf(),
        what,
    };
    if target.session_file.is_some_and(same) {
        return Err(refuse("the session file itself".into()));
    }
    for (track, clip) in req.session.clips() {
        if same(&resolve_media(req.base_dir, &clip.source)) {
            return Err(refuse(format!(
                "a media file of the session (track \"{}\")",
                track.name
            )));
        }
    }
    Ok(())
}

/// Renders `req`, writing it to `target` when given (otherwise only measuring), calling
/// `observe` as it goes. The result is the same as live playback of the session. A
/// target that normalises is rendered twice: once to measure (nothing written), once
/// with the gain that meets the target (the renderer is deterministic, so the second pass
/// is the first one scaled).
pub fn render(
    req: &RenderRequest<'_>,
    target: Option<&MixTarget<'_>>,
    mut observe: impl FnMut(RenderEvent<'_>) -> Flow,
) -> Result<RenderReport, RenderError> {
    let Some((t, normalize)) = target.and_then(|t| t.normalize.map(|n| (t, n))) else {
        return render_pass(req, target, Pass::Write { gain: 1.0 }, observe);
    };
    // Refuse an output that cannot be written before spending a pass measuring.
    check_output_is_not_an_input(req, t)?;
    // Progress runs over both passes: the first fills the first half.
    let mut half = |e: RenderEvent<'_>, second: bool| match e {
        RenderEvent::Progress {
            done_frames,
            total_frames,
        } => observe(RenderEvent::Progress {
            done_frames: done_frames / 2 + if second { total_frames / 2 } else { 0 },
            total_frames,
        }),
        RenderEvent::Writing { .. } if !second => Flow::Continue,
        other => observe(other),
    };
    let measure = RenderRequest {
        measure: true,
        ..*req
    };
    let measured = render_pass(&measure, Some(t), Pass::Measure, |e| half(e, false))?;
    let gain_db = normalize.gain_db(&measured)?;
    let gain = 10f64.powf(gain_db / 20.0) as f32;
    let mut report = render_pass(req, Some(t), Pass::Write { gain }, |e| half(e, true))?;
    report.normalize_gain_db = Some(gain_db);
    // Clipping caused by the gain calls for another target, not a lower master.
    for w in &mut report.warnings {
        if let RenderWarning::Clipped { samples, peak_dbfs } = *w
            && gain_db > 0.0
        {
            *w = RenderWarning::NormalizedIntoClipping {
                samples,
                peak_dbfs,
                gain_db,
            };
        }
    }
    Ok(report)
}

/// One pass of the renderer: measuring only, or writing with a gain.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pass {
    /// Render at the target's rate and measure; write nothing.
    Measure,
    /// Render, scale by `gain`, measure (if asked) and write.
    Write { gain: f32 },
}

fn render_pass(
    req: &RenderRequest<'_>,
    target: Option<&MixTarget<'_>>,
    pass: Pass,
    mut observe: impl FnMut(RenderEvent<'_>) -> Flow,
) -> Result<RenderReport, RenderError> {
    let gain = match pass {
        Pass::Measure => 1.0,
        Pass::Write { gain } => gain,
    };
    let rate = req.session.sample_rate_hz;
    if let Some(end) = req.end_frames
        && end <= req.start_frames
    {
        return Err(RenderError::EmptyRange);
    }
    let range = BounceRange {
        start_frames: req.start_frames,
        end_frames: req.end_frames,
        content_end_frames: req.session.content_end_frames(),
        max_tail_frames: (req.max_tail_s.max(0.0) * f64::from(rate)) as u64,
        rate_hz: f64::from(rate),
    };
    let out_rate = target.and_then(|t| t.sample_rate_hz).unwrap_or(rate);
    let mut resampler = if out_rate == rate {
        None
    } else {
        Some(StreamResampler::new(rate, out_rate)?)
    };
    let writer = match target.filter(|_| pass != Pass::Measure) {
        Some(t) => {
            check_output_is_not_an_input(req, t)?;
            Some(
                MixWriter::create(t.path, out_rate, 2, t.format, t.container, t.metadata)?
                    .with_dither(t.dither),
            )
        }
        None => None,
    };
    if observe(RenderEvent::Writing {
        temp: writer.as_ref().and_then(MixWriter::temp_path),
    }) == Flow::Cancel
    {
        return Err(RenderError::Cancelled);
    }
    // The file is dithered, packed and written on a thread of its own, beside the render.
    let mut writer_thread = writer.map(WriterThread::spawn).transpose()?;
    // The analysis runs on its own thread, fed copies of the rendered blocks, so it costs
    // the render little wall-clock time where a core is free.
    let analysis_thread = if req.measure {
        let mut analyzer =
            Analyzer::new(out_rate).map_err(|e| RenderError::Meter(e.to_string()))?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<f32>>(
            (ANALYSIS_QUEUE_FRAMES / req.block_frames.max(1)).max(8),
        );
        let handle = std::thread::Builder::new()
            .name("stemdesk-analysis".into())
            .spawn(move || {
                crate::idle::lower_this_thread();
                for block in rx {
                    analyzer.add(&block);
                }
                analyzer.finish()
            })
            .map_err(|e| RenderError::Meter(e.to_string()))?;
        Some((tx, handle))
    } else {
        None
    };
    let block = req.block_frames.max(1);
    let mut graph = compile(req.session, req.base_dir, req.sources, block);
    graph.set_metering(false);
    let started = Instant::now();
    let cancelled = std::cell::Cell::new(false);
    let mut converted = Vec::new();
    let mut frames_out = 0u64;
    let mut peak = [0.0f32; 2];
    // What leaves the renderer (converted to the file's rate) goes to the analysis and the
    // file.
    let mut scaled = Vec::new();
    let mut deliver = |samples: &[f32]| -> Result<(), RenderError> {
        let samples = if gain == 1.0 {
            samples
        } else {
            scaled.clear();
            scaled.extend(samples.iter().map(|x| x * gain));
            &scaled[..]
        };
        frames_out += (samples.len() / 2) as u64;
        for f in samples.chunks_exact(2) {
            peak[0] = peak[0].max(f[0].abs());
            peak[1] = peak[1].max(f[1].abs());
        }
        if let Some((tx, _)) = analysis_thread.as_ref() {
            // A failed analysis thread only leaves the figures unmeasured.
            let _ = tx.send(samples.to_vec());
        }
        match writer_thread.as_mut() {
            Some(w) => w.write(samples),
            None => Ok(()),
        }
    };
    let stats = bounce(
        &mut graph,
        range,
        block,
        Threads::Pool,
        |samples| {
            if cancelled.get() {
                return Err(RenderError::Cancelled);
            }
            match resampler.as_mut() {
                Some(r) => {
                    converted.clear();
                    r.push(samples, &mut converted)?;
                    deliver(&converted)
                }
                None => deliver(samples),
            }
        },
        |done_frames, total_frames| {
            let flow = observe(RenderEvent::Progress {
                done_frames,
                total_frames,
            });
            if flow == Flow::Cancel {
                cancelled.set(true);
            }
        },
    )?;
    if cancelled.get() {
        // Dropping the writer removes its temporary file.
        return Err(RenderError::Cancelled);
    }
    if let Some(e) = graph.take_disk_error() {
        return Err(RenderError::SourceRead(e));
    }
    if let Some(r) = resampler.as_mut() {
        converted.clear();
        r.finish(&mut converted)?;
        deliver(&converted)?;
    }
    let mut writer = writer_thread.map(WriterThread::finish).transpose()?;
    let db = |x: f64| 20.0 * x.log10();
    let sample_peak_dbfs = peak.map(|p| db(f64::from(p)));
    let analysis = analysis_thread.and_then(|(tx, handle)| {
        drop(tx);
        handle.join().ok()
    });
    if let (Some(w), Some(a)) = (writer.as_mut(), analysis.as_ref()) {
        w.set_loudness(BextLoudness {
            integrated_lufs: a.integrated_lufs,
            range_lu: a.loudness_range_lu,
            true_peak_dbtp: Some(a.true_peak_dbtp[0].max(a.true_peak_dbtp[1])),
            max_momentary_lufs: a.max_momentary_lufs,
            max_short_term_lufs: a.max_short_term_lufs,
        });
    }
    let clipped_samples = writer.as_ref().map_or(0, MixWriter::clipped_samples);
    if let (Some(w), Some(t)) = (writer, target) {
        if t.replace {
            w.finalize()?;
        } else {
            w.finalize_no_replace()?;
        }
    }

    let mut report = RenderReport {
        sample_rate_hz: out_rate,
        session_rate_hz: rate,
        frames: frames_out,
        start_s: req.start_frames as f64 / f64::from(rate.max(1)),
        sample_peak_dbfs,
        true_peak_dbtp: analysis.as_ref().map(|a| a.true_peak_dbtp),
        integrated_lufs: analysis.as_ref().and_then(|a| a.integrated_lufs),
        loudness_range_lu: analysis.as_ref().and_then(|a| a.loudness_range_lu),
        clipped_samples,
        tail_cut: stats.tail_cut,
        elapsed: started.elapsed(),
        analysis,
        normalize_gain_db: None,
        warnings: Vec::new(),
    };
    if clipped_samples > 0 {
        report.warnings.push(RenderWarning::Clipped {
            samples: clipped_samples,
            peak_dbfs: report.peak_dbfs(),
        });
    }
    if let Some(tp) = report.max_true_peak_dbtp()
        && tp > TRUE_PEAK_WARNING_DBTP
        && clipped_samples == 0
    {
        report
            .warnings
            .push(RenderWarning::TruePeakHigh { dbtp: tp });
    }
    if peak == [0.0, 0.0] {
        report.warnings.push(RenderWarning::Silent);
    }
    if stats.tail_cut {
        report.warnings.push(RenderWarning::TailCut {
            max_tail_s: req.max_tail_s,
        });
    }
    Ok(report)
}
