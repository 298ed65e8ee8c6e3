//! A seeded mutation fuzzer for the session parser and the media loader, on stable Rust.
//!
//! Seeds: the example session, sessions and audio files it writes itself (WAV of several
//! formats), and any files in extra corpus folders (e.g. `../shared/material/decode`).
//! Each case is a seed mutated a few times (bit flips, byte runs, truncation, chunk
//! copies, numbers replaced by extreme ones); it is parsed or decoded on a worker thread
//! with a time limit. A panic, a case over the time limit or memory past the limit is a
//! finding: the case is saved and reported.
//!
//! `tests/tests/fuzz_bounded.rs` runs a few hundred cases in CI; `scripts/fuzz.sh` runs the
//! `stemdesk-fuzz` binary for as long as you like.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What the fuzzer feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `stemdesk_session::parse`.
    Session,
    /// `stemdesk_media::decode_file` (through a file, as users' stems are read).
    Media,
}

/// How a run is bounded and where its files go.
#[derive(Debug, Clone)]
pub struct FuzzConfig {
    /// Seed of the mutator (runs are reproducible).
    pub seed: u64,
    /// Stop after this many cases per target...
    pub cases: u64,
    /// ...or after this long, whichever comes first.
    pub duration: Duration,
    /// The most one case may take.
    pub case_limit: Duration,
    /// The most memory (peak resident set) the process may reach, bytes.
    pub memory_limit_bytes: u64,
    /// Extra seed files (audio or sessions by extension).
    pub corpus_dirs: Vec<PathBuf>,
    /// Where the cases under test and the findings are written.
    pub work_dir: PathBuf,
}

/// A case that panicked, hung or used too much memory.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Which target.
    pub target: Target,
    /// What happened.
    pub what: String,
    /// The input, saved for reproduction.
    pub saved: PathBuf,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct FuzzReport {
    /// Session cases run.
    pub session_cases: u64,
    /// Media cases run.
    pub media_cases: u64,
    /// Cases that were rejected with an error (the expected outcome for most).
    pub rejected: u64,
    /// Problems found.
    pub findings: Vec<Finding>,
    /// The slowest case.
    pub slowest: Duration,
    /// Peak resident memory of the process at the end, bytes.
    pub peak_rss_bytes: u64,
}

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Numbers that break parsers and size arithmetic.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "-inf",
    "1e-320",
    "999999999999999999999999",
];

fn mutate(rng: &mut Rng, data: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let len = data.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                let run = rng.below(16).min(len - i);
                let byte = [0u8, 0xff, 0x7f, 0x80][rng.below(4)];
                data[i..i + run].fill(byte);
            }
            2 if len > 0 => data.truncate(rng.below(len)),
            3 if len > 8 => {
                // Copy a chunk elsewhere (duplicated headers, repeated frames).
                let from = rng.below(len);
                let n = rng.below(len - from).min(4096);
                let chunk = data[from..from + n].to_vec();
                let at = rng.below(data.len());
                data.splice(at..at, chunk);
            }
            4 if len > 0 => {
                let at = rng.below(len);
                let n = rng.below(64).min(len - at);
                data.drain(at..at + n);
            }
            5 => {
                // Replace a number (text) with an extreme one.
                let text = String::from_utf8_lossy(data).into_owned();
                let digits: Vec<usize> = text
                    .char_indices()
                    .filter(|(_, c)| c.is_ascii_digit())
                    .map(|(i, _)| i)
                    .collect();
                if let Some(&start) = digits.get(rng.below(digits.len())) {
                    let end = text[start..]
                        .find(|c: char| !c.is_ascii_digit() && c != '.')
                        .map_or(text.len(), |e| start + e);
                    let with = EXTREMES[rng.below(EXTREMES.len())];
                    *data = format!("{}{with}{}", &text[..start], &text[end..]).into_bytes();
                }
            }
            _ => {
                let at = rng.below(len + 1);
                let bytes: Vec<u8> = (0..rng.below(32)).map(|_| rng.next() as u8).collect();
                data.splice(at..at, bytes);
            }
        }
    }
}

/// Peak resident set of this process (VmHWM), bytes; 0 where /proc is not there.
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Seeds the fuzzer writes itself: the example session and short WAVs in several formats.
fn builtin_seeds(dir: &Path) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../projects-examples/demo/demo.ron");
    let mut sessions: Vec<Vec<u8>> = std::fs::read(example).into_iter().collect();
    let mut session = stemdesk_session::Session::new(44_100);
    session.master.gain_db = -3.0;
    if let Ok(text) = stemdesk_session::file::to_ron(&session) {
        sessions.push(text.into_bytes());
    }
    let mut media = Vec::new();
    let formats = [
        (16, hound::SampleFormat::Int, 1u16, 48_000u32),
        (24, hound::SampleFormat::Int, 2, 44_100),
        (32, hound::SampleFormat::Float, 2, 96_000),
        (8, hound::SampleFormat::Int, 1, 8_000),
    ];
    for (i, (bits, format, channels, rate)) in formats.into_iter().enumerate() {
        let path = dir.join(format!("seed{i}.wav"));
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: format,
        };
        let written = hound::WavWriter::create(&path, spec).and_then(|mut w| {
            for n in 0..2_000u32 {
                let s = ((n as f32) * 0.05).sin() * 0.5;
                for _ in 0..channels {
                    match (format, bits) {
                        (hound::SampleFormat::Float, _) => w.write_sample(s)?,
                        (_, 8) => w.write_sample((s * 127.0) as i8)?,
                        (_, 16) => w.write_sample((s * 32767.0) as i16)?,
                        _ => w.write_sample((s * 8_388_607.0) as i32)?,
                    }
                }
            }
            w.finalize()
        });
        if written.is_ok()
            && let Ok(bytes) = std::fs::read(&path)
        {
            media.push(bytes);
        }
    }
    (sessions, media)
}

fn corpus_seeds(dirs: &[PathBuf], sessions: &mut Vec<Vec<u8>>, media: &mut Vec<Vec<u8>>) {
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                corpus_seeds(&[path], sessions, media);
                continue;
            }
            // Seeds stay small: mutations of a 50 MB file are slow and find nothing more.
            let small = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() <= 4 << 20);
            let Ok(bytes) = std::fs::read(&path)
                .map_err(|_| ())
                .and_then(|b| if small { Ok(b) } else { Err(()) })
            else {
                continue;
            };
            if path.extension().is_some_and(|e| e == "ron") {
                sessions.push(bytes);
            } else {
                media.push(bytes);
            }
        }
    }
}

/// Runs `work` on a worker thread; `None` if it did not finish within `limit` (the
/// thread is left behind: the run reports the hang and stops).
fn within<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<std::thread::Result<T>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        let _ = tx.send(result);
    });
    rx.recv_timeout(limit).ok()
}

/// Runs the fuzzer until `cases` per target or `duration` is reached, or a hang.
pub fn run(config: &FuzzConfig) -> FuzzReport {
    let mut report = FuzzReport::default();
    let _ = std::fs::create_dir_all(&config.work_dir);
    let (mut sessions, mut media) = builtin_seeds(&config.work_dir);
    corpus_seeds(&config.corpus_dirs, &mut sessions, &mut media);
    let mut rng = Rng(config.seed | 1);
    let started = Instant::now();
    let case_path = config.work_dir.join("case.wav");
    let mut n = 0u64;
    while n < config.cases && started.elapsed() < config.duration {
        n += 1;
        for target in [Target::Session, Target::Media] {
            let seeds = if target == Target::Session {
                &sessions
            } else {
                &media
            };
            if seeds.is_empty() {
                continue;
            }
            let mut data = seeds[rng.below(seeds.len())].clone();
            mutate(&mut rng, &mut data);
            let case_started = Instant::now();
            let outcome = match target {
                Target::Session => {
                    report.session_cases += 1;
                    let text = String::from_utf8_lossy(&data).into_owned();
                    within(config.case_limit, move || {
                        stemdesk_session::parse(Path::new("fuzz.ron"), &text).is_ok()
                    })
                }
                Target::Media => {
                    report.media_cases += 1;
                    if std::fs::write(&case_path, &data).is_err() {
                        continue;
                    }
                    let path = case_path.clone();
                    within(config.case_limit, move || {
                        stemdesk_media::decode_file(&path).is_ok()
                    })
                }
            };
            report.slowest = report.slowest.max(case_started.elapsed());
            let problem = match outcome {
                None => Some(format!("no answer within {:?} (hang)", config.case_limit)),
                Some(Err(_)) => Some("panicked".to_owned()),
                Some(Ok(accepted)) => {
                    report.rejected += u64::from(!accepted);
                    let rss = peak_rss_bytes();
                    (rss > config.memory_limit_bytes)
                        .then(|| format!("memory reached {} MB", rss >> 20))
                }
            };
            if let Some(what) = problem {
                let saved = config.work_dir.join(format!(
                    "finding-{}-{n}.{}",
                    if target == Target::Session {
                        "session"
                    } else {
                        "media"
                    },
                    if target == Target::Session {
                        "ron"
                    } else {
                        "bin"
                    }
                ));
                let _ = std::fs::write(&saved, &data);
                let hang = what.contains("hang");
                report.findings.push(Finding {
                    target,
                    what,
                    saved,
                });
                if hang {
                    report.peak_rss_bytes = peak_rss_bytes();
                    return report;
                }
            }
        }
    }
    report.peak_rss_bytes = peak_rss_bytes();
    report
}
