//! What a mastering engineer wants to know about a mix, measured while it renders: EBU
//! R 128 loudness (integrated, range, maximum momentary and short-term, short-term over
//! time), sample and true peak per channel and where the true peak is high, clipped
//! samples and where, DC offset, stereo correlation, the loudness change when folded to
//! mono, and a waveform overview for the report's plot.

use ebur128::{EbuR128, Mode};

/// Positions kept per kind of event (the report lists the first ones).
const MAX_POSITIONS: usize = 100;
/// Frames per block whose true peak is noted with its position (21 ms at 48 kHz), counted
/// from the start of the render.
const POSITION_FRAMES: u64 = 1024;
/// The true peak above which a block's position is noted, dBTP.
const HIGH_TRUE_PEAK_DBTP: f64 = -1.0;

/// Loudness, peaks and stereo figures of a whole mix.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Analysis {
    /// Integrated loudness, LUFS (`None` for silence).
    pub integrated_lufs: Option<f64>,
    /// Loudness range, LU.
    pub loudness_range_lu: Option<f64>,
    /// Highest momentary loudness (400 ms), LUFS.
    pub max_momentary_lufs: Option<f64>,
    /// Highest short-term loudness (3 s, read every 0.5 s), LUFS.
    pub max_short_term_lufs: Option<f64>,
    /// Short-term loudness once a second: (seconds from the start, LUFS).
    pub short_term_lufs: Vec<(f64, f64)>,
    /// True peak per channel, dBTP.
    pub true_peak_dbtp: [f64; 2],
    /// Where the true peak is above -1 dBTP: (seconds, dBTP), first ones.
    pub high_true_peaks: Vec<(f64, f64)>,
    /// Where the highest true peak is (seconds from the start, to the rendered block):
    /// a failed true-peak rule names it whatever the spec's limit.
    pub max_true_peak_s: f64,
    /// Peak-to-loudness ratio: max true peak minus integrated loudness, dB.
    pub plr_db: Option<f64>,
    /// DC offset per channel (mean sample value).
    pub dc_offset: [f64; 2],
    /// Stereo correlation -1..1 over the whole mix (1 = mono, 0 = unrelated).
    pub correlation: Option<f64>,
    /// Integrated loudness of the mix folded to mono minus the stereo one, LU.
    pub mono_fold_change_lu: Option<f64>,
    /// Where samples reach beyond full scale: (seconds, channel), first ones.
    pub clip_positions: Vec<(f64, usize)>,
    /// Samples beyond full scale, all of them.
    pub clipped_samples: u64,
    /// Waveform overview: (min, max) of both channels per 100 ms.
    pub overview: Vec<(f32, f32)>,
}

/// 100 ms blocks in the short-term (3 s) window.
const SHORT_TERM_HOPS: usize = 30;

/// Collects an [`Analysis`] from interleaved stereo blocks.
pub(crate) struct Analyzer {
    rate: u32,
    stereo: EbuR128,
    mono: EbuR128,
    mono_buf: Vec<f32>,
    /// The highest true peak of a block so far (linear).
    max_block_true_peak: f64,
    /// K-weighted energy of the last 30 blocks of 100 ms.
    energies: std::collections::VecDeque<f64>,
    frames: u64,
    sums: [f64; 2],
    products: [f64; 3],
    bucket_frames: u64,
    bucket: (f32, f32),
    analysis: Analysis,
}

impl Analyzer {
    pub(crate) fn new(rate: u32) -> Result<Self, ebur128::Error> {
        let mode = Mode::I | Mode::LRA | Mode::M | Mode::S | Mode::TRUE_PEAK;
        // The mono fold is one channel heard on both speakers: EBU "dual mono" weighs it
        // as two, at half the work of feeding the same signal twice.
        let mut mono = EbuR128::new(1, rate, Mode::I)?;
        mono.set_channel(0, ebur128::Channel::DualMono)?;
        Ok(Analyzer {
            rate,
            stereo: EbuR128::new(2, rate, mode)?,
            mono,
            mono_buf: Vec::new(),
            energies: std::collections::VecDeque::with_capacity(SHORT_TERM_HOPS),
            max_block_true_peak: 0.0,
            frames: 0,
            sums: [0.0; 2],
            products: [0.0; 3],
            bucket_frames: 0,
            bucket: (0.0, 0.0),
            analysis: Analysis {
                true_peak_dbtp: [f64::NEG_INFINITY; 2],
                ..Analysis::default()
            },
        })
    }

    /// Adds interleaved stereo frames.
    pub(crate) fn add(&mut self, samples: &[f32]) {
        // Positions are noted per block of the timeline, whatever blocks the render hands
        // over.
        let mut rest = samples;
        while rest.len() >= 2 {
            let to_edge = (POSITION_FRAMES - self.frames % POSITION_FRAMES) as usize;
            let (block, tail) = rest.split_at(2 * to_edge.min(rest.len() / 2));
            self.add_block(block);
            rest = tail;
        }
    }

    /// [`Analyzer::add`] for frames within one block of [`POSITION_FRAMES`].
    fn add_block(&mut self, samples: &[f32]) {
        // Meters are fed in pieces that end on 100 ms boundaries, where the momentary
        // loudness is read (and every 0.5 s the short-term one): reading them costs a pass
        // over their window, so not at every block.
        let hop = u64::from(self.rate / 10).max(1);
        let mut rest = samples;
        let mut block_tp = 0.0f64;
        while !rest.is_empty() {
            let to_boundary = hop - self.frames % hop;
            let n = (to_boundary as usize).min(rest.len() / 2);
            let (piece, tail) = rest.split_at(2 * n);
            self.add_piece(piece);
            block_tp = (0..2)
                .filter_map(|c| self.stereo.prev_true_peak(c).ok())
                .fold(block_tp, f64::max);
            if self.frames.is_multiple_of(hop) {
                self.on_hop(hop);
            }
            rest = tail;
        }
        let a = &mut self.analysis;
        let block_tp_db = 20.0 * block_tp.log10();
        let block_start = self.frames - (samples.len() / 2) as u64;
        if block_tp > self.max_block_true_peak {
            self.max_block_true_peak = block_tp;
            a.max_true_peak_s = block_start as f64 / f64::from(self.rate);
        }
        if block_tp_db > HIGH_TRUE_PEAK_DBTP && a.high_true_peaks.len() < MAX_POSITIONS {
            a.high_true_peaks
                .push((block_start as f64 / f64::from(self.rate), block_tp_db));
        }
    }

    /// Reads the loudness at a 100 ms boundary. The meter is asked only for the last
    /// 100 ms (one pass over it); momentary (400 ms) and short-term (3 s) loudness are the
    /// mean energy of the last 4 and 30 of those, as EBU Tech 3341 defines them, instead
    /// of passes over 400 ms every 100 ms and 3 s every 0.5 s.
    fn on_hop(&mut self, hop: u64) {
        let energy = self
            .stereo
            .loudness_window(100)
            .ok()
            .filter(|l| !l.is_nan())
            .map_or(0.0, |l| 10f64.powf((l + 0.691) / 10.0));
        if self.energies.len() == SHORT_TERM_HOPS {
            self.energies.pop_front();
        }
        self.energies.push_back(energy);
        let loudness = |last: usize| {
            let n = self.energies.len();
            (n >= last).then(|| {
                let e = self.energies.range(n - last..).sum::<f64>() / last as f64;
                -0.691 + 10.0 * e.log10()
            })
        };
        let finite = |x: Option<f64>| x.filter(|v| v.is_finite());
        let (momentary, short_term) = (loudness(4), loudness(SHORT_TERM_HOPS));
        let a = &mut self.analysis;
        if let Some(m) = finite(momentary) {
            a.max_momentary_lufs = Some(a.max_momentary_lufs.map_or(m, |x| x.max(m)));
        }
        let hops = self.frames / hop;
        if hops.is_multiple_of(5)
            && let Some(s) = finite(short_term)
        {
            a.max_short_term_lufs = Some(a.max_short_term_lufs.map_or(s, |x| x.max(s)));
            if hops.is_multiple_of(10) {
                a.short_term_lufs
                    .push((self.frames as f64 / f64::from(self.rate), s));
            }
        }
    }

    fn add_piece(&mut self, samples: &[f32]) {
        let a = &mut self.analysis;
        // Meters first (a failure only leaves figures unmeasured).
        let _ = self.stereo.add_frames_f32(samples);
        self.mono_buf.clear();
        self.mono_buf
            .extend(samples.chunks_exact(2).map(|f| 0.5 * (f[0] + f[1])));
        let _ = self.mono.add_frames_f32(&self.mono_buf);
        let piece_start = self.frames;
        let bucket_len = u64::from(self.rate / 10).max(1);
        for (i, f) in samples.chunks_exact(2).enumerate() {
            let (l, r) = (f64::from(f[0]), f64::from(f[1]));
            self.sums[0] += l;
            self.sums[1] += r;
            self.products[0] += l * l;
            self.products[1] += r * r;
            self.products[2] += l * r;
            for (c, s) in f.iter().enumerate() {
                if !s.is_finite() || s.abs() > 1.0 {
                    a.clipped_samples += 1;
                    if a.clip_positions.len() < MAX_POSITIONS {
                        let t = (piece_start + i as u64) as f64 / f64::from(self.rate);
                        a.clip_positions.push((t, c));
                    }
                }
            }
            let lo = f[0].min(f[1]);
            let hi = f[0].max(f[1]);
            self.bucket = (self.bucket.0.min(lo), self.bucket.1.max(hi));
            self.bucket_frames += 1;
            if self.bucket_frames == bucket_len {
                a.overview.push(self.bucket);
                self.bucket = (0.0, 0.0);
                self.bucket_frames = 0;
            }
        }
        self.frames += (samples.len() / 2) as u64;
    }

    /// The figures of everything added.
    pub(crate) fn finish(mut self) -> Analysis {
        let finite = |x: Result<f64, ebur128::Error>| x.ok().filter(|v| v.is_finite());
        let a = &mut self.analysis;
        if self.bucket_frames > 0 {
            a.overview.push(self.bucket);
        }
        a.integrated_lufs = finite(self.stereo.loudness_global());
        a.loudness_range_lu = finite(self.stereo.loudness_range());
        a.true_peak_dbtp = [0, 1].map(|c| {
            self.stereo
                .true_peak(c)
                .map_or(f64::NEG_INFINITY, |p| 20.0 * p.log10())
        });
        let max_tp = a.true_peak_dbtp[0].max(a.true_peak_dbtp[1]);
        a.plr_db = a.integrated_lufs.map(|i| max_tp - i);
        let n = self.frames.max(1) as f64;
        a.dc_offset = [self.sums[0] / n, self.sums[1] / n];
        let denom = (self.products[0] * self.products[1]).sqrt();
        a.correlation = (denom > 0.0).then(|| self.products[2] / denom);
        a.mono_fold_change_lu = match (finite(self.mono.loudness_global()), a.integrated_lufs) {
            (Some(m), Some(s)) => Some(m - s),
            _ => None,
        };
        self.analysis
    }
}
