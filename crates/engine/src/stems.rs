//! Stem export: one file per strip that feeds the master (each track routed to it and
//! each bus, effect returns included), post-fader, without the master's own processing,
//! all the same length from the same start so they line up in any DAW. While they are
//! written, the samples as written are summed and compared with the master's input: the
//! residual says whether the stems rebuild the mix.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stemdesk_media::{SampleFormat, WavWriter};
use stemdesk_session::StripId;

use crate::graph::{Threads, compile};
use crate::render::{Flow, RenderError, RenderEvent, RenderRequest, check_output_is_a_file};

/// One stem written.
#[derive(Debug, Clone, PartialEq)]
pub struct StemFile {
    /// The strip it comes from.
    pub strip: StripId,
    /// The file.
    pub path: PathBuf,
    /// Its highest sample, dBFS.
    pub peak_dbfs: f64,
}

/// The stems of a mix and how well they rebuild it.
#[derive(Debug, Clone, PartialEq)]
pub struct StemsReport {
    /// The files, in mixer order.
    pub files: Vec<StemFile>,
    /// Frames in each file.
    pub frames: u64,
    /// Highest difference between the sum of the stems (as written) and the master's
    /// input, dBFS (`-inf`: they rebuild it exactly).
    pub null_residual_dbfs: f64,
    /// Wall-clock time.
    pub elapsed: Duration,
}

/// `NN Name.wav`: the number keeps the mixer's order, the name is the strip's with
/// characters no file system takes replaced.
pub fn stem_file_name(index: usize, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() || c == ':' {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim().trim_start_matches('.');
    let clean = if clean.is_empty() { "Strip" } else { clean };
    format!("{:02} {clean}.wav", index + 1)
}

/// Writes the stems of `req` into `dir` (which must exist) in `format`. The range is
/// `req`'s start to its end, or to the last clip plus `req.max_tail_s` when open-ended.
pub fn render_stems(
    req: &RenderRequest<'_>,
    dir: &Path,
    format: SampleFormat,
    replace: bool,
    mut observe: impl FnMut(RenderEvent<'_>) -> Flow,
) -> Result<StemsReport, RenderError> {
    let session = req.session;
    let rate = session.sample_rate_hz;
    let end = req.end_frames.unwrap_or_else(|| {
        session.content_end_frames() + (req.max_tail_s.max(0.0) * f64::from(rate)) as u64
    });
    if end <= req.start_frames {
        return Err(RenderError::EmptyRange);
    }
    let block = req.block_frames.max(1);
    let mut graph = compile(session, req.base_dir, req.sources, block);
    graph.set_metering(false);
    let strips = graph.stem_strips();
    let mut files = Vec::with_capacity(strips.len());
    let mut writers = Vec::with_capacity(strips.len());
    for (i, &strip) in strips.iter().enumerate() {
        let name = match strip {
            StripId::Track(t) => session.track(t).map(|t| t.name.clone()),
            StripId::Bus(b) => session.bus(b).map(|b| b.name.clone()),
            StripId::Master => None,
        }
        .unwrap_or_default();
        let path = dir.join(stem_file_name(i, &name));
        check_output_is_a_file(&path)?;
        if !replace && path.exists() {
            return Err(RenderError::Write(stemdesk_media::MediaError::Write {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "already exists (replace it explicitly)",
                ),
            }));
        }
        writers.push(WavWriter::create(&path, rate, 2, format)?);
        files.push(StemFile {
            strip,
            path,
            peak_dbfs: f64::NEG_INFINITY,
        });
    }
    let started = Instant::now();
    let total = end - req.start_frames;
    let mut left = vec![0.0f32; block];
    let mut right = vec![0.0f32; block];
    let mut sum = vec![0.0f32; 2 * block];
    let mut interleaved = vec![0.0f32; 2 * block];
    let mut peaks = vec![0.0f32; strips.len()];
    let mut residual = 0.0f32;
    let mut pos = req.start_frames;
    while pos < end {
        let n = ((end - pos) as usize).min(block);
        sum[..2 * n].fill(0.0);
        let mut index = 0;
        let mut failure = None;
        graph.render_stems(
            pos,
            &mut left[..n],
            &mut right[..n],
            Threads::Pool,
            &mut |_, l, r| {
                for (i, (a, b)) in l.iter().zip(r).enumerate() {
                    interleaved[2 * i] = *a;
                    interleaved[2 * i + 1] = *b;
                    peaks[index] = peaks[index].max(a.abs()).max(b.abs());
                    sum[2 * i] += format.round_trip(*a);
                    sum[2 * i + 1] += format.round_trip(*b);
                }
                if failure.is_none()
                    && let Err(e) = writers[index].write_interleaved(&interleaved[..2 * l.len()])
                {
                    failure = Some(e);
                }
                index += 1;
            },
        );
        if let Some(e) = failure {
            return Err(e.into());
        }
        if let Some(e) = graph.take_disk_error() {
            return Err(RenderError::SourceRead(e));
        }
        for i in 0..n {
            residual = residual
                .max((sum[2 * i] - left[i]).abs())
                .max((sum[2 * i + 1] - right[i]).abs());
        }
        pos += n as u64;
        if observe(RenderEvent::Progress {
            done_frames: pos - req.start_frames,
            total_frames: total,
        }) == Flow::Cancel
        {
            // Dropping the writers removes their temporary files.
            return Err(RenderError::Cancelled);
        }
    }
    for w in writers {
        if replace {
            w.finalize()?;
        } else {
            w.finalize_no_replace()?;
        }
    }
    for (f, p) in files.iter_mut().zip(&peaks) {
        f.peak_dbfs = 20.0 * f64::from(*p).log10();
    }
    Ok(StemsReport {
        files,
        frames: total,
        null_residual_dbfs: 20.0 * f64::from(residual).log10(),
        elapsed: started.elapsed(),
    })
}
