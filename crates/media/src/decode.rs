//! Decoding any audio file symphonia understands into planar `f32`, mono or stereo.
//!
//! Files come from musicians' hard disks: half-copied, renamed, exported by odd tools. The
//! decoder therefore never trusts a header's size fields for allocation (buffers grow as audio
//! is actually decoded), caps the total length, skips damaged packets with a warning, keeps
//! what was decoded before a fatal error, and turns a decoder panic into an error.

use std::fs::File;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use symphonia::core::audio::Channels;
use symphonia::core::codecs::audio::well_known as codec_ids;
use symphonia::core::codecs::audio::{AudioCodecId, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use crate::downmix::Downmix;
use crate::error::{MediaError, Result};
use crate::mp4_edit;
use crate::wav_repair::{self, PatchedFile};

/// Longest audio accepted, in seconds (6 hours) at the file's own rate: far beyond any
/// stem, and it bounds memory when a damaged file would otherwise decode "forever".
pub const MAX_DURATION_S: u64 = 6 * 60 * 60;

/// Most source channels accepted; more is almost surely a corrupt header.
const MAX_SOURCE_CHANNELS: usize = 256;

/// After this many damaged packets in a row without one good one, decoding stops: the rest
/// of the file is not audio any more.
const MAX_CONSECUTIVE_BAD_PACKETS: u32 = 2_000;

/// A file decoding this many frames fewer than its header promises gets a warning; smaller
/// differences are codec priming/padding, not damage (two MP3 frames).
const HEADER_LENGTH_TOLERANCE_FRAMES: u64 = 2 * 1152;

/// Audio decoded from one file, ready for the mixer (before resampling).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedAudio {
    /// Sample rate of `channels`, in Hz.
    pub sample_rate_hz: u32,
    /// Planar samples, one `Vec` per channel, after downmix: 1 (mono) or 2 (stereo)
    /// channels, all the same length. Nominal full scale is ±1.0.
    pub channels: Vec<Vec<f32>>,
    /// Channel count of the file before downmix (e.g. 6 for 5.1).
    pub source_channels: usize,
    /// Things the user should know that did not stop the load (downmix applied, damaged
    /// packets skipped, file shorter than its header says, ...).
    pub warnings: Vec<String>,
}

impl DecodedAudio {
    /// Number of frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    /// Length in seconds at `sample_rate_hz` (0 for a zero rate).
    pub fn duration_s(&self) -> f64 {
        if self.sample_rate_hz == 0 {
            0.0
        } else {
            self.frames() as f64 / f64::from(self.sample_rate_hz)
        }
    }
}

/// Decode a whole file to planar `f32`, mixing 3+ channels down to stereo
/// (see [`crate::downmix`] for the rule).
///
/// The format is detected from the content, the extension is only a hint, so a FLAC named
/// `.wav` still decodes as FLAC. Damaged packets are skipped and reported in
/// [`DecodedAudio::warnings`]; if the file breaks off, what was decoded is kept with a
/// warning. Errors always name `path`.
pub fn decode_file(path: &Path) -> Result<DecodedAudio> {
    decode_file_with_progress(path, &|_| {})
}

/// [`decode_file`], calling `progress` with the fraction decoded (0..=1, from packet
/// timestamps against the header's length) as it goes: a GUI shows it while importing.
pub fn decode_file_with_progress(path: &Path, progress: &dyn Fn(f32)) -> Result<DecodedAudio> {
    guarded(path, || decode_inner(path, progress, None))
}

/// Receives decoded audio a block at a time: the file's sample rate, the length its
/// header announces (frames at that rate, when it does), and planar samples after downmix
/// (1 or 2 channels, all the same length).
pub(crate) type BlockSink<'a> = dyn FnMut(u32, Option<u64>, &[Vec<f32>]) -> Result<()> + 'a;

/// Frames a streaming decode gathers before handing them to its [`BlockSink`].
const STREAM_BLOCK_FRAMES: usize = 65_536;

/// [`decode_file_with_progress`] that hands the audio to `sink` a block at a time instead
/// of keeping it: memory stays bounded however long the file is. The returned
/// [`DecodedAudio`] has empty channels; its warnings and rate are those of the file, and
/// the frame count is the second value.
pub(crate) fn decode_file_streaming(
    path: &Path,
    progress: &dyn Fn(f32),
    sink: &mut BlockSink<'_>,
) -> Result<(DecodedAudio, u64)> {
    let mut frames = 0u64;
    let mut counting = |rate: u32, announced: Option<u64>, block: &[Vec<f32>]| {
        frames += block.first().map_or(0, Vec::len) as u64;
        sink(rate, announced, block)
    };
    let audio = guarded(path, || decode_inner(path, progress, Some(&mut counting)))?;
    Ok((audio, frames))
}

/// Refuses what is not a non-empty regular file, naming it, before anything opens it (a
/// FIFO would block the opener until some writer comes along).
pub fn check_regular_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|source| MediaError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    if let Some(kind) = not_a_regular_file(meta.file_type()) {
        return Err(MediaError::NotAFile {
            path: path.to_path_buf(),
            kind,
        });
    }
    if meta.len() == 0 {
        return Err(MediaError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// Runs a decode, turning a decoder panic into an error about `path`.
fn guarded<T>(path: &Path, decode: impl FnOnce() -> Result<T>) -> Result<T> {
    // Last line of defence: a decoder bug triggered by malformed data must not take the
    // whole desk down.
    match catch_unwind(AssertUnwindSafe(decode)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".to_owned());
            Err(MediaError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("the decoder crashed on malformed data ({what})"),
            })
        }
    }
}

/// What a non-regular file is, in words, or `None` for a regular file (symlinks are
/// followed by the metadata call that gives `kind`).
pub fn not_a_regular_file(kind: std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("a folder")
    } else if kind.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if kind.is_socket() {
        Some("a socket")
    } else if kind.is_block_device() || kind.is_char_device() {
        Some("a device")
    } else {
        Some("not a regular file")
    }
}

fn decode_inner(
    path: &Path,
    progress: &dyn Fn(f32),
    sink: Option<&mut BlockSink<'_>>,
) -> Result<DecodedAudio> {
    let open_err = |source| MediaError::Open {
        path: path.to_path_buf(),
        source,
    };
    // Look before opening: opening a FIFO blocks until some writer comes along.
    let kind = std::fs::metadata(path).map_err(open_err)?.file_type();
    if let Some(kind) = not_a_regular_file(kind) {
        return Err(MediaError::NotAFile {
            path: path.to_path_buf(),
            kind,
        });
    }
    let mut file = File::open(path).map_err(open_err)?;
    let file_len = file.metadata().map_err(open_err)?.len();
    if file_len == 0 {
        return Err(MediaError::Empty {
            path: path.to_path_buf(),
        });
    }
    let mut magic = [0u8; 12];
    let magic_len = read_up_to(&mut file, &mut magic).map_err(open_err)?;
    file.seek(SeekFrom::Start(0)).map_err(open_err)?;
    let container = sniff_container(&magic[..magic_len]);

    let mut warnings = Vec::new();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if let (Some(found), Some(named)) = (container, ext.as_deref().and_then(container_for_ext))
        && found != named
    {
        warnings.push(format!(
            "the file is really {found} although its name says {named}: decoded as {found}"
        ));
    }
    // An MP4's edit list says where the audio starts and ends (AAC priming, padding).
    let edits = if container == Some("MP4/M4A") {
        mp4_edit::edit_list(&file, file_len).map_err(open_err)?
    } else {
        None
    };
    let repair = if container == Some("WAV") {
        wav_repair::plan(&mut file, file_len).map_err(open_err)?
    } else {
        wav_repair::Repair::default()
    };
    if let Some(detail) = repair.fatal {
        return Err(MediaError::InvalidHeader {
            path: path.to_path_buf(),
            detail,
        });
    }
    warnings.extend(repair.warnings);
    let source = PatchedFile::new(file, file_len, repair.patches).map_err(open_err)?;

    let mut hint = Hint::new();
    if let Some(ext) = &ext {
        hint.with_extension(ext);
    }
    let mss = MediaSourceStream::new(Box::new(source), Default::default());
    let format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| probe_error(path, container, e))?;
    decode_stream(path, format, warnings, progress, file_len, sink, edits)
}

/// The container a file extension promises (same names as [`sniff_container`]).
fn container_for_ext(ext: &str) -> Option<&'static str> {
    match ext {
        "wav" | "wave" | "bwf" | "rf64" => Some("WAV"),
        "aif" | "aiff" | "aifc" => Some("AIFF"),
        "flac" => Some("FLAC"),
        "ogg" | "oga" | "opus" => Some("Ogg"),
        "m4a" | "mp4" | "m4b" | "mov" => Some("MP4/M4A"),
        "caf" => Some("CAF"),
        "mka" | "mkv" | "webm" => Some("Matroska/WebM"),
        _ => None,
    }
}

/// Read as many bytes as are available into `buf` (short files give a short read).
fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Name of the container if the first bytes carry a magic number we know. Used only to
/// choose between "not an audio file" and "a damaged audio file" in messages.
fn sniff_container(magic: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| magic.starts_with(m);
    if starts(b"RIFF") || starts(b"RF64") || starts(b"BW64") {
        Some("WAV")
    } else if starts(b"RIFX") {
        Some("big-endian WAV (RIFX)")
    } else if starts(b"FORM") {
        Some("AIFF")
    } else if starts(b"fLaC") {
        Some("FLAC")
    } else if starts(b"OggS") {
        Some("Ogg")
    } else if starts(b"ID3") {
        Some("MP3")
    } else if magic.len() >= 8 && &magic[4..8] == b"ftyp" {
        Some("MP4/M4A")
    } else if starts(b"caff") {
        Some("CAF")
    } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("Matroska/WebM")
    } else {
        None
    }
}

/// Turn a failure to open the container into a message about the file.
fn probe_error(path: &Path, container: Option<&str>, err: SymError) -> MediaError {
    let path = path.to_path_buf();
    let Some(container) = container else {
        return match err {
            SymError::IoError(e) if e.kind() != ErrorKind::UnexpectedEof => {
                MediaError::Open { path, source: e }
            }
            _ => MediaError::UnknownFormat { path },
        };
    };
    match err {
        SymError::IoError(e) if e.kind() == ErrorKind::UnexpectedEof => MediaError::InvalidHeader {
            path,
            detail: format!("the {container} header is cut short (file truncated?)"),
        },
        SymError::IoError(e) => MediaError::Open { path, source: e },
        SymError::Unsupported(msg) if msg.contains("probe") && container.contains("RIFX") => {
            MediaError::UnsupportedFormat {
                path,
                format: container.to_owned(),
            }
        }
        SymError::Unsupported(msg) if msg.contains("probe") => MediaError::UnknownFormat { path },
        SymError::Unsupported(msg) if msg.contains("format") || msg.contains("sub-type") => {
            MediaError::UnsupportedCodec {
                path,
                codec: format!("{container} with an unknown sample format: {}", clean(msg)),
            }
        }
        SymError::Unsupported(msg) if msg.contains("moov") => MediaError::Corrupt {
            path,
            detail: format!(
                "the {container} index (moov atom) is missing: the file was never finished \
                 or is cut short"
            ),
        },
        SymError::Unsupported(msg) => MediaError::InvalidHeader {
            path,
            detail: format!("{container} file not supported: {}", clean(msg)),
        },
        SymError::DecodeError(msg) | SymError::LimitError(msg) => MediaError::InvalidHeader {
            path,
            detail: format!("damaged {container} header: {}", clean(msg)),
        },
        other => MediaError::InvalidHeader {
            path,
            detail: format!("damaged {container} header: {other}"),
        },
    }
}

/// Strip symphonia's "component: " prefix from an internal message.
fn clean(msg: &str) -> &str {
    msg.split_once(": ").map_or(msg, |(_, rest)| rest)
}

/// Human-readable codec name for "unsupported codec (...)" messages.
fn codec_name(id: AudioCodecId) -> String {
    let name = match id {
        codec_ids::CODEC_ID_OPUS => "Opus",
        codec_ids::CODEC_ID_SPEEX => "Speex",
        codec_ids::CODEC_ID_AC3 => "AC-3 (Dolby Digital)",
        codec_ids::CODEC_ID_EAC3 => "E-AC-3 (Dolby Digital Plus)",
        codec_ids::CODEC_ID_AC4 => "AC-4",
        codec_ids::CODEC_ID_DCA => "DTS",
        codec_ids::CODEC_ID_WMA => "WMA",
        codec_ids::CODEC_ID_MUSEPACK => "Musepack",
        codec_ids::CODEC_ID_WAVPACK => "WavPack",
        codec_ids::CODEC_ID_MONKEYS_AUDIO => "Monkey's Audio",
        codec_ids::CODEC_ID_TTA => "TTA",
        codec_ids::CODEC_ID_TRUEHD => "Dolby TrueHD",
        codec_ids::CODEC_ID_ATRAC1
        | codec_ids::CODEC_ID_ATRAC3
        | codec_ids::CODEC_ID_ATRAC3PLUS
        | codec_ids::CODEC_ID_ATRAC9 => "ATRAC",
        codec_ids::CODEC_ID_ADPCM_G722
        | codec_ids::CODEC_ID_ADPCM_G726
        | codec_ids::CODEC_ID_ADPCM_G726LE => "G.72x ADPCM",
        symphonia::core::codecs::audio::CODEC_ID_NULL_AUDIO => "unknown codec",
        _ => return format!("codec id {id}"),
    };
    name.to_owned()
}

/// Wave channel-mask bits of a symphonia channel set, if it is positional.
fn wave_mask(channels: &Channels) -> Option<u64> {
    match channels {
        Channels::Positioned(pos) => Some(pos.bits()),
        _ => None,
    }
}

fn seconds(frames: u64, rate_hz: u32) -> f64 {
    if rate_hz == 0 {
        0.0
    } else {
        frames as f64 / f64::from(rate_hz)
    }
}

/// Per-file decoding state: output buffers grow only as audio really arrives.
struct Sink {
    path: PathBuf,
    sample_rate_hz: u32,
    source_channels: usize,
    mix: Downmix,
    out: Vec<Vec<f32>>,
    frames: u64,
    max_frames: u64,
    scratch: Vec<Vec<f32>>,
}

fn decode_stream(
    path: &Path,
    mut format: Box<dyn FormatReader + '_>,
    mut warnings: Vec<String>,
    progress: &dyn Fn(f32),
    file_len: u64,
    mut block_sink: Option<&mut BlockSink<'_>>,
    edits: Option<mp4_edit::EditList>,
) -> Result<DecodedAudio> {
    let pathbuf = path.to_path_buf();
    let track = format
        .default_track(TrackType::Audio)
        .or_else(|| format.first_track(TrackType::Audio))
        .ok_or_else(|| MediaError::NoAudioTrack {
            path: pathbuf.clone(),
        })?;
    let track_id = track.id;
    let header_frames = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| MediaError::NoAudioTrack {
            path: pathbuf.clone(),
        })?
        .clone();

    if params.sample_rate == Some(0) {
        return Err(MediaError::InvalidHeader {
            path: pathbuf,
            detail: "the sample rate is 0 Hz".to_owned(),
        });
    }
    if let Some(ch) = &params.channels {
        let n = ch.count();
        if n == 0 {
            return Err(MediaError::InvalidHeader {
                path: pathbuf,
                detail: "the file says it has 0 channels".to_owned(),
            });
        }
        if n > MAX_SOURCE_CHANNELS {
            return Err(MediaError::InvalidHeader {
                path: pathbuf,
                detail: format!("{n} channels (at most {MAX_SOURCE_CHANNELS} are supported)"),
            });
        }
    }

    let registry = symphonia::default::get_codecs();
    if registry.get_audio_decoder(params.codec).is_none() {
        return Err(MediaError::UnsupportedCodec {
            path: pathbuf,
            codec: codec_name(params.codec),
        });
    }
    let mut decoder = registry
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| match e {
            SymError::Unsupported(msg) => MediaError::UnsupportedCodec {
                path: pathbuf.clone(),
                codec: format!("{} ({})", codec_name(params.codec), clean(msg)),
            },
            other => MediaError::InvalidHeader {
                path: pathbuf.clone(),
                detail: format!("cannot set up the decoder: {other}"),
            },
        })?;

    let mut sink: Option<Sink> = None;
    // Set up with the sink, once the rate is known.
    let mut trim: Option<mp4_edit::Trimmer> = None;
    let initial_warnings = warnings.len();
    let mut bad_packets: u64 = 0;
    let mut first_bad_at_s: Option<f64> = None;
    let mut first_bad_reason = String::new();
    let mut consecutive_bad: u32 = 0;
    let decoded_s = |sink: &Option<Sink>| {
        sink.as_ref()
            .map_or(0.0, |s| seconds(s.frames, s.sample_rate_hz))
    };

    loop {
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(SymError::ResetRequired) => {
                warnings.push(format!(
                    "decoding stopped at {:.2} s: the stream changes format midway (chained stream)",
                    decoded_s(&sink)
                ));
                break;
            }
            Err(SymError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => {
                if sink.is_some() {
                    warnings.push(format!(
                        "the file ends abruptly at {:.2} s (truncated?)",
                        decoded_s(&sink)
                    ));
                }
                break;
            }
            Err(e) => {
                if sink.is_some() {
                    warnings.push(format!(
                        "decoding stopped early at {:.2} s: corrupt data ({e})",
                        decoded_s(&sink)
                    ));
                    break;
                }
                return Err(MediaError::Corrupt {
                    path: pathbuf,
                    detail: format!("cannot read the audio data ({e})"),
                });
            }
        };
        if packet.track_id != track_id {
            continue;
        }
        if let Some(total) = header_frames.filter(|t| *t > 0) {
            progress((packet.pts.get().max(0) as f64 / total as f64).clamp(0.0, 1.0) as f32);
        }
        match decoder.decode(&packet) {
            Ok(buf) => {
                let spec = buf.spec();
                let n_ch = spec.channels().count();
                let rate = spec.rate();
                let frames = buf.frames();
                if frames == 0 {
                    continue;
                }
                consecutive_bad = 0;
                let sink = match &mut sink {
                    Some(s) => {
                        if n_ch != s.source_channels || rate != s.sample_rate_hz {
                            warnings.push(format!(
                                "decoding stopped at {:.2} s: the channel count or sample rate changes midway",
                                seconds(s.frames, s.sample_rate_hz)
                            ));
                            break;
                        }
                        s
                    }
                    None => {
                        if rate == 0 {
                            return Err(MediaError::InvalidHeader {
                                path: pathbuf,
                                detail: "the sample rate is 0 Hz".to_owned(),
                            });
                        }
                        if n_ch == 0 || n_ch > MAX_SOURCE_CHANNELS {
                            return Err(MediaError::InvalidHeader {
                                path: pathbuf,
                                detail: format!("unusable channel count {n_ch}"),
                            });
                        }
                        let mix = Downmix::new(n_ch, wave_mask(spec.channels()));
                        // Reserve what the header promises, so the buffers do not grow by
                        // copying; but never more than the file could hold at one byte per
                        // sample, so a lying header cannot make us allocate wildly.
                        let max_frames = MAX_DURATION_S * u64::from(rate);
                        let mut reserve = header_frames
                            .unwrap_or(0)
                            .min(file_len / n_ch as u64)
                            .min(max_frames) as usize;
                        if block_sink.is_some() {
                            reserve = reserve.min(STREAM_BLOCK_FRAMES + frames);
                        }
                        let out = (0..mix.output_channels())
                            .map(|_| Vec::with_capacity(reserve))
                            .collect();
                        trim = edits.map(|e| mp4_edit::Trimmer::new(e.presentation(rate)));
                        sink.insert(Sink {
                            path: pathbuf.clone(),
                            sample_rate_hz: rate,
                            source_channels: n_ch,
                            mix,
                            out,
                            frames: 0,
                            max_frames,
                            scratch: Vec::new(),
                        })
                    }
                };
                let new_total = sink.frames + frames as u64;
                if new_total > sink.max_frames {
                    return Err(MediaError::TooLarge {
                        path: sink.path.clone(),
                        frames: new_total,
                        limit: sink.max_frames,
                    });
                }
                buf.copy_to_vecs_planar::<f32>(&mut sink.scratch);
                let before = sink.out.first().map_or(0, Vec::len);
                sink.mix.apply_append(&sink.scratch, &mut sink.out);
                if let Some(t) = trim.as_mut() {
                    t.apply(&mut sink.out, before);
                }
                sink.frames = new_total;
                if let Some(block_sink) = block_sink.as_mut()
                    && sink.out.first().map_or(0, Vec::len) >= STREAM_BLOCK_FRAMES
                {
                    block_sink(sink.sample_rate_hz, header_frames, &sink.out)?;
                    sink.out.iter_mut().for_each(Vec::clear);
                }
            }
            Err(SymError::DecodeError(msg)) => {
                bad_packets += 1;
                consecutive_bad += 1;
                if first_bad_at_s.is_none() {
                    first_bad_at_s = Some(decoded_s(&sink));
                    first_bad_reason = clean(msg).to_owned();
                }
            }
            Err(SymError::IoError(e)) => {
                bad_packets += 1;
                consecutive_bad += 1;
                if first_bad_at_s.is_none() {
                    first_bad_at_s = Some(decoded_s(&sink));
                    first_bad_reason = e.to_string();
                }
            }
            Err(SymError::Unsupported(msg)) if sink.is_none() => {
                return Err(MediaError::UnsupportedCodec {
                    path: pathbuf,
                    codec: format!("{} ({})", codec_name(params.codec), clean(msg)),
                });
            }
            Err(e) => {
                if sink.is_none() {
                    return Err(MediaError::Corrupt {
                        path: pathbuf,
                        detail: format!("the decoder gave up: {e}"),
                    });
                }
                warnings.push(format!(
                    "decoding stopped early at {:.2} s: corrupt data ({e})",
                    decoded_s(&sink)
                ));
                break;
            }
        }
        if consecutive_bad >= MAX_CONSECUTIVE_BAD_PACKETS {
            warnings.push(format!(
                "decoding stopped at {:.2} s: the rest of the file is unreadable",
                decoded_s(&sink)
            ));
            break;
        }
    }

    let stopped_early = warnings.len() > initial_warnings;
    if bad_packets > 0 {
        warnings.push(format!(
            "skipped {bad_packets} damaged block(s) of audio, the first at {:.2} s: \
             expect short gaps there",
            first_bad_at_s.unwrap_or(0.0)
        ));
    }

    let Some(sink) = sink else {
        let detail = if bad_packets > 0 {
            format!("all {bad_packets} packet(s) were damaged ({first_bad_reason})")
        } else {
            "no audio data found after the header".to_owned()
        };
        return Err(MediaError::NoDecodableAudio {
            path: pathbuf,
            detail,
        });
    };

    // A file that stops well short of what its header promises was most likely cut off.
    if let Some(expected) = header_frames {
        let expected_s = seconds(expected, sink.sample_rate_hz);
        if expected > sink.frames
            && expected - sink.frames > HEADER_LENGTH_TOLERANCE_FRAMES
            && expected_s < MAX_DURATION_S as f64
            && !stopped_early
        {
            warnings.push(format!(
                "part of the audio is missing or unreadable: {:.2} s decoded of the {:.2} s \
                 the header announces",
                seconds(sink.frames, sink.sample_rate_hz),
                expected_s
            ));
        }
    }
    if let Some(description) = sink.mix.description() {
        warnings.insert(0, description.to_owned());
    }
    let mut out = sink.out;
    if let Some(block_sink) = block_sink
        && out.first().is_some_and(|c| !c.is_empty())
    {
        block_sink(sink.sample_rate_hz, header_frames, &out)?;
        out.iter_mut().for_each(Vec::clear);
    }

    Ok(DecodedAudio {
        sample_rate_hz: sink.sample_rate_hz,
        channels: out,
        source_channels: sink.source_channels,
        warnings,
    })
}
