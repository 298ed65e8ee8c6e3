//! The decode cache: media that cannot be read in place (compressed formats, another
//! sample rate, more than two channels, a WAV whose header needs repair) decoded once, at
//! the session rate, into a float WAV that is then read in place like any other.
//!
//! An entry is two files named by a key: `KEY.wav` and `KEY.meta`. The key hashes the
//! source's path, size, modification time, a hash of its first and last megabyte, and the
//! session rate, so a changed source gets a new entry and is decoded again. The meta file
//! repeats those facts, the decoder's warnings and a checksum of the samples; an entry
//! whose meta, WAV header, length or checksum disagree is corrupt and rebuilt. Both files
//! are written to temporary files and renamed into place, so two programs decoding the
//! same source at once each see a complete entry, never a half-written one. Entries used
//! least recently are removed when the cache grows past its limit.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::decode::{check_regular_file, decode_file_streaming};
use crate::encode::{SampleFormat, WavWriter, remove_stale_temp_files, write_err};
use crate::error::{MediaError, Result};
use crate::peaks::PeakCache;
use crate::stream::StreamSource;
use crate::stream_resample::StreamResampler;
use crate::wav_layout::{self, PcmEncoding, WavLayout};

/// Format line at the top of every meta file.
const MAGIC: &str = "stemdesk-media-cache 1";
/// Bytes hashed at each end of a source for its key.
const CONTENT_PROBE_BYTES: u64 = 1 << 20;
/// Default limit of the cache's size.
pub const DEFAULT_LIMIT_BYTES: u64 = 20 << 30;
/// Temporary files older than this are left over from a killed decode.
const STALE_TEMP: Duration = Duration::from_secs(600);

/// Where decoded copies of media live, and how large that may grow.
#[derive(Debug, Clone)]
pub struct MediaCache {
    dir: PathBuf,
    limit_bytes: u64,
}

/// A valid cache entry for a source.
#[derive(Debug, Clone)]
pub struct CacheEntry {
    /// The decoded float WAV at the session rate.
    pub wav: PathBuf,
    /// What the decoder said about the source (damage skipped, downmix, resampling).
    pub warnings: Vec<String>,
}

/// How much the cache holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheUsage {
    /// Decoded files.
    pub entries: u64,
    /// Bytes on disk (decoded files, their meta files and leftovers).
    pub bytes: u64,
}

/// The facts an entry is keyed by, read from the source file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SourceFacts {
    path: String,
    size: u64,
    mtime_ns: i128,
    content: u64,
    rate_hz: u32,
}

impl SourceFacts {
    fn read(path: &Path, rate_hz: u32) -> Result<Self> {
        let open_err = |source| MediaError::Open {
            path: path.to_path_buf(),
            source,
        };
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let file = File::open(path).map_err(open_err)?;
        let meta = file.metadata().map_err(open_err)?;
        let size = meta.len();
        let mut hash = Fnv::new();
        let mut buf = vec![0u8; CONTENT_PROBE_BYTES.min(size) as usize];
        file.read_exact_at(&mut buf, 0).map_err(open_err)?;
        hash.bytes(&buf);
        if size > CONTENT_PROBE_BYTES {
            file.read_exact_at(&mut buf, size - CONTENT_PROBE_BYTES)
                .map_err(open_err)?;
            hash.bytes(&buf);
        }
        Ok(SourceFacts {
            path: absolute.to_string_lossy().into_owned(),
            size,
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            content: hash.finish(),
            rate_hz,
        })
    }

    fn key(&self) -> String {
        let mut h = Fnv::new();
        h.bytes(self.path.as_bytes());
        h.bytes(&self.size.to_le_bytes());
        h.bytes(&self.mtime_ns.to_le_bytes());
        h.bytes(&self.content.to_le_bytes());
        h.bytes(&self.rate_hz.to_le_bytes());
        format!("{:016x}", h.finish())
    }
}

/// What a meta file records beside the facts.
#[derive(Debug, Clone, PartialEq)]
struct Meta {
    facts: SourceFacts,
    frames: u64,
    channels: usize,
    checksum: u64,
    warnings: Vec<String>,
}

impl Meta {
    fn to_text(&self) -> String {
        let f = &self.facts;
        let mut text = format!(
            "{MAGIC}\nsource {}\nsize {}\nmtime_ns {}\ncontent {:016x}\nrate {}\nframes {}\n\
             channels {}\nchecksum {:016x}\n",
            f.path.replace('\n', " "),
            f.size,
            f.mtime_ns,
            f.content,
            f.rate_hz,
            self.frames,
            self.channels,
            self.checksum
        );
        for w in &self.warnings {
            text.push_str(&format!("warning {}\n", w.replace('\n', " ")));
        }
        text
    }

    fn parse(text: &str) -> Option<Meta> {
        let mut lines = text.lines();
        if lines.next()? != MAGIC {
            return None;
        }
        let mut field = |name: &str| -> Option<String> {
            let line = lines.next()?;
            line.strip_prefix(name)?
                .strip_prefix(' ')
                .map(str::to_owned)
        };
        let path = field("source")?;
        let size = field("size")?.parse().ok()?;
        let mtime_ns = field("mtime_ns")?.parse().ok()?;
        let content = u64::from_str_radix(&field("content")?, 16).ok()?;
        let rate_hz = field("rate")?.parse().ok()?;
        let frames = field("frames")?.parse().ok()?;
        let channels = field("channels")?.parse().ok()?;
        let checksum = u64::from_str_radix(&field("checksum")?, 16).ok()?;
        let warnings = lines
            .filter_map(|l| l.strip_prefix("warning ").map(str::to_owned))
            .collect();
        Some(Meta {
            facts: SourceFacts {
                path,
                size,
                mtime_ns,
                content,
                rate_hz,
            },
            frames,
            channels,
            checksum,
            warnings,
        })
    }
}

/// FNV-1a, 64-bit: stable across builds and platforms (keys and checksums live on disk).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Four bytes at a time (sample data: fast, and any changed sample changes it).
    fn words(&mut self, bytes: &[u8]) {
        for w in bytes.chunks_exact(4) {
            let v = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            self.0 = (self.0 ^ u64::from(v)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl MediaCache {
    /// A cache in `dir` (created when first written) holding at most `limit_bytes`.
    pub fn new(dir: impl Into<PathBuf>, limit_bytes: u64) -> Self {
        MediaCache {
            dir: dir.into(),
            limit_bytes,
        }
    }

    /// The user's cache: `$STEMDESK_CACHE_DIR`, else `$XDG_CACHE_HOME/stemdesk/media`, else
    /// `~/.cache/stemdesk/media`; limited to `$STEMDESK_CACHE_LIMIT_MB` megabytes (default
    /// 20 GiB).
    pub fn from_env() -> Self {
        let dir = std::env::var_os("STEMDESK_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME")
                    .filter(|d| !d.is_empty())
                    .map(|d| PathBuf::from(d).join("stemdesk/media"))
            })
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/stemdesk/media"))
            })
            .unwrap_or_else(|| std::env::temp_dir().join("stemdesk-media-cache"));
        let limit_bytes = std::env::var("STEMDESK_CACHE_LIMIT_MB")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(DEFAULT_LIMIT_BYTES, |mb| mb.saturating_mul(1 << 20));
        Self::new(dir, limit_bytes)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The size limit, bytes.
    pub fn limit_bytes(&self) -> u64 {
        self.limit_bytes
    }

    /// A valid entry for `source` at `rate_hz`, if there is one (corrupt or outdated
    /// entries count as none). Marks it as recently used.
    pub fn lookup(&self, source: &Path, rate_hz: u32) -> Result<Option<CacheEntry>> {
        check_regular_file(source)?;
        let facts = SourceFacts::read(source, rate_hz)?;
        Ok(self.valid_entry(&facts))
    }

    /// The entry for `source` at `rate_hz`, decoding it now when there is no valid one.
    pub fn get_or_build(&self, source: &Path, rate_hz: u32) -> Result<CacheEntry> {
        self.get_or_build_with_progress(source, rate_hz, &|_| {})
    }

    /// [`MediaCache::get_or_build`] reporting the fraction decoded to `progress`.
    pub fn get_or_build_with_progress(
        &self,
        source: &Path,
        rate_hz: u32,
        progress: &dyn Fn(f32),
    ) -> Result<CacheEntry> {
        self.get_or_build_progressive(source, rate_hz, progress, &mut |_| {})
    }

    /// [`MediaCache::get_or_build_with_progress`] that hands `early` a source over the
    /// first seconds of a decode as soon as they are written (see
    /// [`StreamSource::open_progressive`]); not called when a valid entry exists.
    pub fn get_or_build_progressive(
        &self,
        source: &Path,
        rate_hz: u32,
        progress: &dyn Fn(f32),
        early: &mut dyn FnMut(StreamSource),
    ) -> Result<CacheEntry> {
        check_regular_file(source)?;
        let facts = SourceFacts::read(source, rate_hz)?;
        if let Some(entry) = self.valid_entry(&facts) {
            return Ok(entry);
        }
        let key = facts.key();
        let (wav, meta_path) = self.paths(&key);
        std::fs::create_dir_all(&self.dir).map_err(|e| write_err(&self.dir, e))?;
        remove_stale_temp_files(&wav, STALE_TEMP);
        remove_stale_temp_files(&meta_path, STALE_TEMP);
        // An invalid entry goes first (a program still reading it keeps its open file).
        let _ = std::fs::remove_file(&meta_path);
        let _ = std::fs::remove_file(&wav);
        let meta = build(source, &wav, facts, progress, early)?;
        write_meta(&meta_path, &meta)?;
        self.enforce_limit(&key);
        self.valid_entry(&meta.facts)
            .ok_or_else(|| MediaError::Corrupt {
                path: wav.clone(),
                detail: "the decoded copy in the media cache could not be read back".to_owned(),
            })
    }

    fn paths(&self, key: &str) -> (PathBuf, PathBuf) {
        (
            self.dir.join(format!("{key}.wav")),
            self.dir.join(format!("{key}.meta")),
        )
    }

    fn valid_entry(&self, facts: &SourceFacts) -> Option<CacheEntry> {
        let (wav, meta_path) = self.paths(&facts.key());
        let meta = Meta::parse(&std::fs::read_to_string(&meta_path).ok()?)?;
        if meta.facts != *facts || checksum_of(&wav, &meta) != Some(meta.checksum) {
            return None;
        }
        // Recently used: the size limit removes the others first.
        if let Ok(f) = File::options().append(true).open(&meta_path) {
            let _ = f.set_modified(SystemTime::now());
        }
        Some(CacheEntry {
            wav,
            warnings: meta.warnings,
        })
    }

    /// The waveform peaks stored for `source` (read at `rate_hz`), if its file is
    /// unchanged since they were stored.
    pub fn load_peaks(&self, source: &Path, rate_hz: u32) -> Option<PeakCache> {
        let facts = SourceFacts::read(source, rate_hz).ok()?;
        let bytes = std::fs::read(self.dir.join(format!("{}.peaks", facts.key()))).ok()?;
        // The last eight bytes are a checksum of the rest.
        let (body, sum) = bytes.split_at(bytes.len().checked_sub(8)?);
        let mut hash = Fnv::new();
        hash.bytes(body);
        (hash.finish().to_le_bytes() == sum).then(|| PeakCache::from_bytes(body))?
    }

    /// Stores the waveform peaks of `source` (read at `rate_hz`) so the next open draws
    /// them at once. Failing to store them only costs that.
    pub fn store_peaks(&self, source: &Path, rate_hz: u32, peaks: &PeakCache) {
        let Ok(facts) = SourceFacts::read(source, rate_hz) else {
            return;
        };
        let mut bytes = peaks.to_bytes();
        let mut hash = Fnv::new();
        hash.bytes(&bytes);
        bytes.extend_from_slice(&hash.finish().to_le_bytes());
        let path = self.dir.join(format!("{}.peaks", facts.key()));
        let _ = std::fs::create_dir_all(&self.dir).map(|()| write_atomic(&path, &bytes));
    }

    /// What the cache holds now.
    pub fn usage(&self) -> CacheUsage {
        let mut usage = CacheUsage::default();
        for (path, meta) in self.files() {
            usage.bytes += meta.len();
            if path.extension().is_some_and(|e| e == "wav") {
                usage.entries += 1;
            }
        }
        usage
    }

    /// Removes every entry; returns what was removed. Programs reading an entry keep
    /// reading their open copy.
    pub fn clear(&self) -> CacheUsage {
        let mut removed = CacheUsage::default();
        for (path, meta) in self.files() {
            if std::fs::remove_file(&path).is_ok() {
                removed.bytes += meta.len();
                if path.extension().is_some_and(|e| e == "wav") {
                    removed.entries += 1;
                }
            }
        }
        removed
    }

    fn files(&self) -> Vec<(PathBuf, std::fs::Metadata)> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        dir.flatten()
            .filter_map(|e| Some((e.path(), e.metadata().ok()?)))
            .filter(|(_, m)| m.is_file())
            .collect()
    }

    /// Removes what a program killed while filling the cache left behind: temporary
    /// files (`.KEY.wav.XXXXXX.partial`) and decoded copies without their meta file,
    /// once unchanged for [`STALE_TEMP`] (a decode still running writes continuously).
    /// No entry refers to them, so nothing else would ever remove them. Returns how many.
    pub fn sweep_leftovers(&self) -> usize {
        let files = self.files();
        let stale = |m: &std::fs::Metadata| {
            m.modified()
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= STALE_TEMP)
        };
        let has_meta = |wav: &Path| wav.with_extension("meta").is_file();
        let mut removed = 0;
        for (path, meta) in &files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let temp = name.starts_with('.') && name.ends_with(".partial");
            let orphan = path.extension().is_some_and(|e| e == "wav") && !has_meta(path);
            if (temp || orphan) && stale(meta) && std::fs::remove_file(path).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Removes the least recently used entries (not `keep`) until the cache fits its limit
    /// (leftovers of killed programs first).
    fn enforce_limit(&self, keep: &str) {
        self.sweep_leftovers();
        let files = self.files();
        let mut total: u64 = files.iter().map(|(_, m)| m.len()).sum();
        if total <= self.limit_bytes {
            return;
        }
        let mut metas: Vec<(SystemTime, String)> = files
            .iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "meta" || e == "peaks"))
            .filter_map(|(p, m)| {
                let key = p.file_stem()?.to_string_lossy().into_owned();
                Some((m.modified().ok()?, key))
            })
            .filter(|(_, k)| k != keep)
            .collect();
        metas.sort();
        for (_, key) in metas {
            if total <= self.limit_bytes {
                break;
            }
            let (wav, meta) = self.paths(&key);
            let peaks = self.dir.join(format!("{key}.peaks"));
            for path in [meta, wav, peaks] {
                if let Ok(m) = std::fs::metadata(&path)
                    && std::fs::remove_file(&path).is_ok()
                {
                    total = total.saturating_sub(m.len());
                }
            }
        }
    }
}

/// The checksum of the samples of a cached WAV, if it has the layout `meta` records.
fn checksum_of(wav: &Path, meta: &Meta) -> Option<u64> {
    let file = File::open(wav).ok()?;
    let len = file.metadata().ok()?.len();
    let layout = wav_layout::parse(&file, len).ok()??;
    if layout.frames != meta.frames
        || layout.channels != meta.channels
        || layout.sample_rate_hz != meta.facts.rate_hz
        || layout.encoding != wav_layout::PcmEncoding::F32
    {
        return None;
    }
    let total = layout.frames * layout.frame_bytes() as u64;
    let mut hash = Fnv::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    while done < total {
        let n = (total - done).min(buf.len() as u64) as usize;
        file.read_exact_at(&mut buf[..n], layout.data_offset + done)
            .ok()?;
        hash.words(&buf[..n]);
        done += n as u64;
    }
    Some(hash.finish())
}

/// Frames a first decode has before it hands out a source over what it has decoded.
const EARLY_FRAMES_S: u64 = 5;

/// The cache file a build writes, and what has gone into it.
struct BuildOut {
    writer: WavWriter,
    resampler: Option<StreamResampler>,
    channels: usize,
    hash: Fnv,
    frames: u64,
    /// The length the source announces, at the session rate.
    expected: Option<u64>,
    available: Arc<AtomicU64>,
    early_sent: bool,
}

impl BuildOut {
    /// Writes interleaved stereo (a mono source keeps its left channel).
    fn write(&mut self, stereo: &[f32]) -> Result<()> {
        let samples: Vec<f32> = if self.channels == 1 {
            stereo.iter().step_by(2).copied().collect()
        } else {
            stereo.to_vec()
        };
        for s in &samples {
            self.hash.words(&s.to_le_bytes());
        }
        self.frames += (samples.len() / self.channels) as u64;
        self.writer.write_interleaved(&samples)
    }

    /// Makes what is written readable and, once the first seconds are, hands `early` a
    /// source over it.
    fn publish(
        &mut self,
        source: &Path,
        rate_hz: u32,
        early: &mut dyn FnMut(StreamSource),
    ) -> Result<()> {
        self.writer.flush()?;
        self.available.store(self.frames, Ordering::Release);
        let Some(expected) = self.expected else {
            return Ok(());
        };
        if self.early_sent || self.frames < (EARLY_FRAMES_S * u64::from(rate_hz)).min(expected) {
            return Ok(());
        }
        self.early_sent = true;
        let Some(partial) = self.writer.temp_path() else {
            return Ok(());
        };
        let layout = WavLayout {
            sample_rate_hz: rate_hz,
            channels: self.channels,
            encoding: PcmEncoding::F32,
            data_offset: self.writer.data_offset(),
            frames: expected,
        };
        if let Ok(s) = StreamSource::growing(source, partial, layout, Arc::clone(&self.available)) {
            early(s);
        }
        Ok(())
    }
}

/// Decodes `source` into the float WAV `wav` at the facts' rate (resampled when the file
/// has another), streaming: memory stays bounded whatever the length. Hands `early` a
/// source over the first seconds as soon as they are written (see
/// [`StreamSource::open_progressive`]).
fn build(
    source: &Path,
    wav: &Path,
    facts: SourceFacts,
    progress: &dyn Fn(f32),
    early: &mut dyn FnMut(StreamSource),
) -> Result<Meta> {
    let rate_hz = facts.rate_hz;
    let mut out: Option<BuildOut> = None;
    let mut interleaved = Vec::new();
    let mut converted = Vec::new();
    let mut sink = |file_rate: u32, announced: Option<u64>, block: &[Vec<f32>]| -> Result<()> {
        if out.is_none() {
            let channels = block.len().clamp(1, 2);
            let resampler = if file_rate == rate_hz {
                None
            } else {
                Some(StreamResampler::new(file_rate, rate_hz).map_err(|e| e.with_path(source))?)
            };
            out = Some(BuildOut {
                writer: WavWriter::create(wav, rate_hz, channels as u16, SampleFormat::Float32)?,
                resampler,
                channels,
                hash: Fnv::new(),
                frames: 0,
                expected: announced.filter(|f| *f > 0).map(|f| {
                    (f as f64 * f64::from(rate_hz) / f64::from(file_rate.max(1))).round() as u64
                }),
                available: Arc::new(AtomicU64::new(0)),
                early_sent: false,
            });
        }
        let Some(o) = out.as_mut() else {
            return Ok(());
        };
        let (Some(left), Some(right)) = (block.first(), block.get(block.len().min(2) - 1)) else {
            return Ok(());
        };
        interleaved.clear();
        for (l, r) in left.iter().zip(right) {
            interleaved.push(*l);
            interleaved.push(*r);
        }
        match o.resampler.as_mut() {
            Some(r) => {
                converted.clear();
                r.push(&interleaved, &mut converted)
                    .map_err(|e| e.with_path(source))?;
                o.write(&converted)?;
            }
            None => o.write(&interleaved)?,
        }
        o.publish(source, rate_hz, early)
    };
    let (decoded, _) = decode_file_streaming(source, progress, &mut sink)?;
    let Some(mut o) = out else {
        return Err(MediaError::NoDecodableAudio {
            path: source.to_path_buf(),
            detail: "no audio data found".to_owned(),
        });
    };
    let mut warnings = decoded.warnings;
    if let Some(mut r) = o.resampler.take() {
        converted.clear();
        r.finish(&mut converted).map_err(|e| e.with_path(source))?;
        o.write(&converted)?;
        warnings.push(format!(
            "resampled from {} Hz to the session rate of {} Hz",
            decoded.sample_rate_hz, rate_hz
        ));
    }
    o.writer.flush()?;
    // An early source may now read everything written (up to what it announced).
    o.available.store(o.frames, Ordering::Release);
    let (frames, channels, checksum) = (o.frames, o.channels, o.hash.finish());
    match o.writer.finalize_no_replace() {
        Ok(()) => {}
        // Another program decoded the same source meanwhile: its copy is the same.
        Err(MediaError::Write { source: e, .. })
            if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    Ok(Meta {
        facts,
        frames,
        channels,
        checksum,
        warnings,
    })
}

/// Writes the meta file atomically (temporary file, then rename over).
fn write_meta(path: &Path, meta: &Meta) -> Result<()> {
    write_atomic(path, meta.to_text().as_bytes())
}

/// Writes `bytes` to `path` through a temporary file renamed over it: readers see the
/// old file or the new one, never a part.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".cache.")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| write_err(path, e))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| write_err(path, e))?;
    temp.persist(path).map_err(|e| write_err(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_text_round_trips() {
        let meta = Meta {
            facts: SourceFacts {
                path: "/a/b c.flac".into(),
                size: 12,
                mtime_ns: 1_700_000_000_123_456_789,
                content: 0xdead_beef,
                rate_hz: 48_000,
            },
            frames: 99,
            channels: 2,
            checksum: 7,
            warnings: vec!["one".into(), "two".into()],
        };
        assert_eq!(Meta::parse(&meta.to_text()), Some(meta));
        assert_eq!(Meta::parse("garbage"), None);
    }
}
