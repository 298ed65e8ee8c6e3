//! Work that must not freeze the window: decoding imported files and bouncing. Each job
//! runs on its own thread and reports back over a channel; the GUI shows what is running.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, unbounded};
use stemdesk_engine::{SourceAudio, SourceMap};
use stemdesk_media::{PeakCache, SampleFormat};
use stemdesk_session::Session;

use stemdesk_engine::preflight::check_bounce;
use stemdesk_engine::stems::render_stems;
use stemdesk_engine::{Flow, MixTarget, RenderEvent, RenderReport, RenderRequest, render};

use super::bounce_options::BounceOptions;
use crate::report::{ReportInput, write_reports};

/// Where an imported file goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImportPlace {
    /// Timeline position of the new clip.
    pub position_frames: u64,
    /// Insert the new track before this index (`None` = at the end).
    pub track_index: Option<usize>,
}

/// A decoded import.
pub struct Imported {
    /// Absolute path of the file.
    pub path: PathBuf,
    /// The audio at the session rate.
    pub audio: Arc<SourceAudio>,
    /// Its waveform peaks.
    pub peaks: Arc<PeakCache>,
    /// Where it goes.
    pub place: ImportPlace,
}

/// What a finished job reports.
pub enum JobDone {
    /// An import decoded, or failed with a message naming the file.
    Import(Result<Imported, String>),
    /// A relinked file decoded (same as an import, but no new track), or failed: its
    /// resolved path and what went wrong.
    Relink(Result<Imported, (PathBuf, String)>),
    /// The first seconds of a file being loaded are decoded: it can play (the job goes
    /// on; its `Relink` replaces this source when the whole file is there).
    Early(PathBuf, Arc<SourceAudio>),
    /// A bounce finished: where, with its figures and verdict; or what went wrong.
    Bounce(Result<Box<BounceDone>, String>),
    /// The waveform of a source (by resolved path) is computed (the job goes on).
    Peaks(PathBuf, Arc<PeakCache>),
    /// Every waveform of a [`Jobs::peaks`] job is done.
    PeaksDone,
}

/// Job id of results a job reports before it ends.
const PARTIAL: u64 = u64::MAX;

/// A finished bounce.
#[derive(Debug, Clone)]
pub struct BounceDone {
    /// The file written.
    pub path: PathBuf,
    /// Its sample format.
    pub format: SampleFormat,
    /// Its dither.
    pub dither: stemdesk_media::Dither,
    /// Its figures.
    pub report: RenderReport,
    /// The preflight verdicts.
    pub checks: Vec<stemdesk_engine::preflight::Check>,
    /// The HTML report, when written.
    pub html: Option<PathBuf>,
    /// Why the report could not be written, if it could not.
    pub report_error: Option<String>,
    /// The stems folder, how many stems, and how closely they sum to the mix (dBFS).
    pub stems: Option<(PathBuf, usize, f64)>,
}

/// A job in progress, for display.
pub struct Running {
    /// What it does ("Importing drums.wav").
    pub label: String,
    /// Progress 0..=1_000_000, when the job can tell.
    pub progress: Option<Arc<AtomicU32>>,
    /// When it started.
    pub started: Instant,
    /// Set to stop the job (jobs that can stop: bounces).
    pub cancel: Option<Arc<AtomicBool>>,
    /// Identifies the job (to cancel it).
    pub id: u64,
}

impl Running {
    /// Fraction done, if known.
    pub fn fraction(&self) -> Option<f32> {
        self.progress
            .as_ref()
            .map(|p| p.load(Ordering::Relaxed) as f32 / 1e6)
    }
}

/// The job runner.
pub struct Jobs {
    tx: Sender<(u64, JobDone)>,
    rx: Receiver<(u64, JobDone)>,
    /// Jobs not finished yet.
    pub running: Vec<Running>,
    next_id: u64,
    /// Called when a job finishes (wakes the GUI).
    waker: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl Default for Jobs {
    fn default() -> Self {
        let (tx, rx) = unbounded();
        Self {
            tx,
            rx,
            running: Vec::new(),
            next_id: 0,
            waker: None,
        }
    }
}

impl Jobs {
    /// Sets what to call when a job finishes (e.g. request a repaint).
    pub fn set_waker(&mut self, waker: Arc<dyn Fn() + Send + Sync>) {
        self.waker = Some(waker);
    }

    fn spawn(
        &mut self,
        label: String,
        progress: Option<Arc<AtomicU32>>,
        cancel: Option<Arc<AtomicBool>>,
        work: impl FnOnce() -> JobDone + Send + 'static,
    ) {
        let id = self.next_id;
        self.next_id += 1;
        self.running.push(Running {
            label,
            progress,
            started: Instant::now(),
            cancel,
            id,
        });
        let tx = self.tx.clone();
        let waker = self.waker.clone();
        std::thread::spawn(move || {
            let _ = tx.send((id, work()));
            if let Some(w) = waker {
                w();
            }
        });
    }

    /// Computes the waveforms of `sources` (by resolved path) in the background, one
    /// after the other, each reported as it is done; a source that cannot be read keeps
    /// no waveform.
    pub fn peaks(&mut self, sources: Vec<(PathBuf, Arc<SourceAudio>)>, rate_hz: u32) {
        let progress = Arc::new(AtomicU32::new(0));
        let p = Arc::clone(&progress);
        let tx = self.tx.clone();
        let waker = self.waker.clone();
        let count = sources.len().max(1);
        self.spawn(
            format!("Drawing {} waveform(s)", sources.len()),
            Some(progress),
            None,
            move || {
                let cache = stemdesk_media::MediaCache::from_env();
                for (i, (path, audio)) in sources.into_iter().enumerate() {
                    if let Ok(peaks) = audio.peaks_cached(&cache, &path, rate_hz) {
                        let _ = tx.send((PARTIAL, JobDone::Peaks(path, Arc::new(peaks))));
                        if let Some(w) = &waker {
                            w();
                        }
                    }
                    p.store(((i + 1) * 1_000_000 / count) as u32, Ordering::Relaxed);
                }
                JobDone::PeaksDone
            },
        );
    }

    /// Decodes `path` to `rate_hz` in the background.
    pub fn import(&mut self, path: PathBuf, rate_hz: u32, place: ImportPlace, relink: bool) {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let progress = Arc::new(AtomicU32::new(0));
        let p = Arc::clone(&progress);
        let waker = self.waker.clone();
        let early_waker = self.waker.clone();
        let tx = self.tx.clone();
        let verb = if relink { "Loading" } else { "Importing" };
        self.spawn(format!("{verb} {name}"), Some(progress), None, move || {
            // A file being loaded into a session plays as soon as its first seconds are
            // decoded (an import makes its track when it is whole).
            let early_path = path.clone();
            let failed_path = path.clone();
            let mut early = move |source: stemdesk_media::StreamSource| {
                if relink {
                    let audio = Arc::new(SourceAudio::streaming(source));
                    let _ = tx.send((PARTIAL, JobDone::Early(early_path.clone(), audio)));
                    if let Some(w) = &early_waker {
                        w();
                    }
                }
            };
            let report = move |f: f32| {
                let new = (f * 1e6) as u32;
                // Wake the GUI every percent, not every packet.
                if new / 10_000 != p.swap(new, Ordering::Relaxed) / 10_000
                    && let Some(w) = &waker
                {
                    w();
                }
            };
            let cache = stemdesk_media::MediaCache::from_env();
            let result = stemdesk_media::StreamSource::open_progressive(
                &path, rate_hz, &cache, &report, &mut early,
            )
            .and_then(|source| {
                let audio = SourceAudio::streaming(source);
                Ok(Imported {
                    peaks: Arc::new(audio.peaks_cached(&cache, &path, rate_hz)?),
                    audio: Arc::new(audio),
                    path: path.clone(),
                    place,
                })
            })
            .map_err(|e| e.to_string());
            if relink {
                JobDone::Relink(result.map_err(|e| (failed_path, e)))
            } else {
                JobDone::Import(result)
            }
        });
    }

    /// Bounces `session` to `output` in the background with `options` (`range` in frames:
    /// start, and end or `None` for the whole song with its tail), checks it against the
    /// session's delivery spec and writes the report; it can be cancelled.
    #[allow(clippy::too_many_arguments)]
    pub fn bounce(
        &mut self,
        session: Session,
        base_dir: PathBuf,
        sources: SourceMap,
        output: PathBuf,
        session_file: Option<PathBuf>,
        options: BounceOptions,
        range: (u64, Option<u64>),
    ) {
        let progress = Arc::new(AtomicU32::new(0));
        let p = Arc::clone(&progress);
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&cancel);
        let label = format!("Bouncing to {}", output.display());
        self.spawn(label, Some(progress), Some(cancel), move || {
            let req = RenderRequest {
                start_frames: range.0,
                end_frames: range.1,
                max_tail_s: f64::from(options.max_tail_s),
                ..RenderRequest::whole(&session, &base_dir, &sources)
            };
            let title = if options.title.trim().is_empty() {
                session_file
                    .as_deref()
                    .map_or_else(|| "Untitled".to_owned(), crate::cli::bounce::track_name)
            } else {
                options.title.trim().to_owned()
            };
            let artist = options.artist.trim().to_owned();
            let metadata = crate::report::metadata_for(title, artist, range.0);
            let dither = match options.format {
                SampleFormat::Float32 => stemdesk_media::Dither::Off,
                _ => options.dither,
            };
            let target = MixTarget {
                path: &output,
                format: options.format,
                // The user confirmed the name (the desktop's dialog or the prompt asks
                // before replacing a file).
                replace: true,
                session_file: session_file.as_deref(),
                dither,
                container: options.container,
                metadata: Some(&metadata),
                sample_rate_hz: options.sample_rate_hz,
                normalize: options.normalize,
            };
            let result = render(&req, Some(&target), |event| {
                if let RenderEvent::Progress {
                    done_frames,
                    total_frames,
                } = event
                {
                    let f = done_frames as f64 / total_frames.max(1) as f64;
                    p.store((f * 1e6) as u32, Ordering::Relaxed);
                }
                if stop.load(Ordering::Relaxed) {
                    Flow::Cancel
                } else {
                    Flow::Continue
                }
            });
            let report = match result {
                Ok(r) => r,
                Err(stemdesk_engine::RenderError::Cancelled) => {
                    return JobDone::Bounce(Err("Bounce cancelled".to_string()));
                }
                Err(e) => {
                    return JobDone::Bounce(Err(format!(
                        "Bounce failed: {}",
                        crate::error_text(&e.into())
                    )));
                }
            };
            let stems = if options.stems {
                let stem = output
                    .file_stem()
                    .map_or_else(|| "mix".to_owned(), |s| s.to_string_lossy().into_owned());
                let dir = output
                    .parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join(format!("{stem} stems"));
                let req = RenderRequest {
                    end_frames: Some(range.0 + report.frames_at_session_rate()),
                    measure: false,
                    ..req
                };
                let written = std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))
                    .and_then(|()| {
                        render_stems(&req, &dir, options.format, true, |_| {
                            if stop.load(Ordering::Relaxed) {
                                Flow::Cancel
                            } else {
                                Flow::Continue
                            }
                        })
                        .map_err(|e| format!("Stems failed: {}", crate::error_text(&e.into())))
                    });
                match written {
                    Ok(s) => Some((dir, s)),
                    Err(e) => return JobDone::Bounce(Err(e)),
                }
            } else {
                None
            };
            let checks = check_bounce(&session, &session.delivery, Some(options.format), &report);
            let (html, report_error) = if options.write_report {
                let input = ReportInput {
                    mix: &output,
                    session_file: session_file.as_deref(),
                    format: options.format,
                    dither,
                    report: &report,
                    checks: &checks,
                    stems: stems.as_ref().map(|(_, s)| s),
                };
                match write_reports(&input) {
                    Ok((_, html)) => (Some(html), None),
                    Err(e) => (None, Some(crate::error_text(&e))),
                }
            } else {
                (None, None)
            };
            JobDone::Bounce(Ok(Box::new(BounceDone {
                path: output.clone(),
                format: options.format,
                dither,
                report,
                checks,
                html,
                report_error,
                stems: stems.map(|(dir, s)| (dir, s.files.len(), s.null_residual_dbfs)),
            })))
        });
    }

    /// Asks job `id` to stop (if it can).
    pub fn cancel(&self, id: u64) {
        if let Some(c) = self
            .running
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.cancel.as_ref())
        {
            c.store(true, Ordering::Relaxed);
        }
    }

    /// Finished jobs since the last call.
    pub fn finished(&mut self) -> Vec<JobDone> {
        let mut done = Vec::new();
        while let Ok((id, result)) = self.rx.try_recv() {
            self.running.retain(|r| r.id != id);
            done.push(result);
        }
        done
    }

    /// Blocks until every running job has finished (tests), returning their results.
    pub fn wait_all(&mut self) -> Vec<JobDone> {
        let mut done = Vec::new();
        while !self.running.is_empty() {
            match self.rx.recv() {
                Ok((id, result)) => {
                    self.running.retain(|r| r.id != id);
                    done.push(result);
                }
                Err(_) => break,
            }
        }
        done
    }
}
