//! Streaming sources and the decode cache: a WAV is read in place exactly as the decoder
//! reads it; a compressed file is decoded once into the cache and read from there; a
//! changed source is decoded again, a corrupt cache entry is rebuilt, and two processes
//! filling the cache at once both get a complete, valid entry.
#![allow(missing_docs)]

use std::path::Path;

use stemdesk_media::{
    FlacWriter, MediaCache, Origin, SampleFormat, StreamSource, decode_file, native_rate,
};

fn signal(frames: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.max(1);
    let mut out = Vec::with_capacity(frames * 2);
    for i in 0..frames {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state as f32 / u32::MAX as f32) * 2.0 - 1.0;
        let tone = (i as f32 * 0.01).sin();
        out.push(0.4 * tone + 0.1 * noise);
        out.push(0.3 * tone - 0.1 * noise);
    }
    out
}

fn write_flac(path: &Path, rate: u32, samples: &[f32]) {
    let mut w = FlacWriter::create(path, rate, 2, SampleFormat::Int24).expect("create flac");
    w.write_interleaved(samples).expect("write");
    w.finalize().expect("finalize");
}

fn write_wav(path: &Path, rate: u32, bits: u16, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    let scale = f32::from(1u16 << (bits - 1).min(15)) * if bits == 24 { 256.0 } else { 1.0 };
    for s in samples {
        w.write_sample((s * scale).round() as i32).expect("write");
    }
    w.finalize().expect("finalize");
}

fn read_all(source: &StreamSource) -> Vec<Vec<f32>> {
    let frames = source.frames() as usize;
    let mut channels = vec![vec![0.0f32; frames]; source.channels()];
    // In odd-sized pieces, so block edges fall anywhere.
    let mut at = 0;
    while at < frames {
        let n = 7_777.min(frames - at);
        let mut refs: Vec<&mut [f32]> = channels.iter_mut().map(|c| &mut c[at..at + n]).collect();
        assert_eq!(source.read(at as u64, &mut refs).expect("read"), n);
        at += n;
    }
    channels
}

#[test]
fn a_wav_at_the_session_rate_is_read_in_place_exactly_as_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = MediaCache::new(dir.path().join("cache"), u64::MAX);
    for bits in [16u16, 24] {
        let path = dir.path().join(format!("s{bits}.wav"));
        write_wav(&path, 48_000, bits, &signal(50_000, 3));
        let source = StreamSource::open(&path, 48_000, &cache).expect("open");
        assert_eq!(source.origin(), &Origin::InPlace);
        assert_eq!(source.frames(), 50_000);
        assert_eq!(
            read_all(&source),
            decode_file(&path).expect("decode").channels
        );
    }
    assert_eq!(
        cache.usage().entries,
        0,
        "nothing was decoded into the cache"
    );
}

#[test]
fn a_flac_is_decoded_once_into_the_cache_and_reused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = MediaCache::new(dir.path().join("cache"), u64::MAX);
    let path = dir.path().join("a.flac");
    write_flac(&path, 48_000, &signal(100_000, 5));
    assert_eq!(native_rate(&path).expect("rate"), 48_000);
    let first = StreamSource::open(&path, 48_000, &cache).expect("open");
    let Origin::Cached(wav) = first.origin().clone() else {
        panic!("a FLAC is read through the cache");
    };
    assert_eq!(
        read_all(&first),
        decode_file(&path).expect("decode").channels
    );
    let modified = std::fs::metadata(&wav)
        .and_then(|m| m.modified())
        .expect("mtime");
    let again = StreamSource::open(&path, 48_000, &cache).expect("open again");
    assert_eq!(again.origin(), &Origin::Cached(wav.clone()));
    assert_eq!(
        std::fs::metadata(&wav)
            .and_then(|m| m.modified())
            .expect("mtime"),
        modified,
        "the second open reuses the entry"
    );
    assert_eq!(cache.usage().entries, 1);
}

#[test]
fn another_rate_is_resampled_into_the_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = MediaCache::new(dir.path().join("cache"), u64::MAX);
    let path = dir.path().join("a44.wav");
    write_wav(&path, 44_100, 16, &signal(44_100, 9));
    let source = StreamSource::open(&path, 48_000, &cache).expect("open");
    assert!(matches!(source.origin(), Origin::Cached(_)));
    assert_eq!(source.frames(), 48_000, "one second at the session rate");
    assert!(source.warnings.iter().any(|w| w.contains("resampled")));
}

#[test]
fn a_changed_source_is_decoded_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = MediaCache::new(dir.path().join("cache"), u64::MAX);
    let path = dir.path().join("a.flac");
    write_flac(&path, 48_000, &signal(60_000, 1));
    let before = read_all(&StreamSource::open(&path, 48_000, &cache).expect("open"));
    // Same name, new content (and another length).
    write_flac(&path, 48_000, &signal(70_000, 2));
    let source = StreamSource::open(&path, 48_000, &cache).expect("open");
    assert_eq!(source.frames(), 70_000);
    let after = read_all(&source);
    assert_ne!(before[0][..1000], after[0][..1000]);
    assert_eq!(after, decode_file(&path).expect("decode").channels);
}

#[test]
fn a_corrupt_cache_entry_is_detected_and_rebuilt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = MediaCache::new(dir.path().join("cache"), u64::MAX);
    let path = dir.path().join("a.flac");
    write_flac(&path, 48_000, &signal(80_000, 4));
    let expected = decode_file(&path).expect("decode").channels;
    let Origin::Cached(wav) = StreamSource::open(&path, 48_000, &cache)
        .expect("open")
        .origin()
        .clone()
    else {
        panic!("cached");
    };
    // One sample changed in the middle of the data: the checksum no longer agrees.
    let mut bytes = std::fs::read(&wav).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&wav, &bytes).expect("write");
    assert!(cache.lookup(&path, 48_000).expect("lookup").is_none());
    let rebuilt = StreamSource::open(&path, 48_000, &cache).expect("open");
    assert_eq!(read_all(&rebuilt), expected);
    // A cut-short file is corrupt too.
    let len = std::fs::metadata(&wav).expect("meta").len();
    std::fs::File::options()
        .write(true)
        .open(&wav)
        .and_then(|f| f.set_len(len - 1000))
        .expect("truncate");
    assert!(cache.lookup(&path, 48_000).expect("lookup").is_none());
    assert_eq!(
        read_all(&StreamSource::open(&path, 48_000, &cache).expect("open")),
        expected
    );
    // So is a meta file of garbage.
    let meta = wav.with_extension("meta");
    std::fs::write(&meta, "not a cache entry").expect("write");
    assert!(cache.lookup(&path, 48_000).expect("lookup").is_none());
    assert_eq!(
        read_all(&StreamSource::open(&path, 48_000, &cache).expect("open")),
        expected
    );
}

#[test]
fn four_threads_filling_the_cache_at_once_all_get_a_valid_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache_dir = dir.path().join("cache");
    let path = dir.path().join("a.flac");
    write_flac(&path, 44_100, &signal(200_000, 7));
    let results: Vec<Vec<Vec<f32>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let cache = MediaCache::new(&cache_dir, u64::MAX);
                    read_all(&StreamSource::open(&path, 48_000, &cache).expect("open"))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert!(
        results.windows(2).all(|w| w[0] == w[1]),
        "all read the same"
    );
    let cache = MediaCache::new(&cache_dir, u64::MAX);
    assert!(cache.lookup(&path, 48_000).expect("lookup").is_some());
    assert_eq!(cache.usage().entries, 1);
    let leftovers: Vec<_> = std::fs::read_dir(&cache_dir)
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files left: {leftovers:?}"
    );
}

#[test]
fn the_cache_keeps_to_its_limit_and_clears() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache_dir = dir.path().join("cache");
    // Each entry is about 100,000 frames x 8 bytes = 800 kB: room for two.
    let cache = MediaCache::new(&cache_dir, 1_700_000);
    for i in 0..4 {
        let path = dir.path().join(format!("{i}.flac"));
        write_flac(&path, 48_000, &signal(100_000, i + 1));
        StreamSource::open(&path, 48_000, &cache).expect("open");
    }
    let usage = cache.usage();
    assert!(usage.bytes <= 1_700_000, "{usage:?}");
    assert_eq!(usage.entries, 2, "the two most recent stay");
    assert!(
        cache
            .lookup(&dir.path().join("3.flac"), 48_000)
            .expect("lookup")
            .is_some()
    );
    let removed = cache.clear();
    assert_eq!(removed.entries, 2);
    assert_eq!(cache.usage(), Default::default());
}

#[test]
fn leftovers_of_a_killed_decode_are_swept_when_stale() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache_dir = dir.path().join("cache");
    let cache = MediaCache::new(&cache_dir, 1 << 30);
    let path = dir.path().join("a.flac");
    write_flac(&path, 48_000, &signal(20_000, 3));
    StreamSource::open(&path, 48_000, &cache).expect("open");
    let entry = std::fs::read_dir(&cache_dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "wav"))
        .expect("an entry");
    // What a killed program leaves: a temporary file and a decoded copy without its meta,
    // both old, and a temporary file a running decode is still writing.
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let old_temp = cache_dir.join(".0123abcd.wav.Xy12Zq.partial");
    let orphan = cache_dir.join("89abcdef.wav");
    let fresh_temp = cache_dir.join(".4567cdef.wav.Ab34Cd.partial");
    for f in [&old_temp, &orphan, &fresh_temp] {
        std::fs::write(f, vec![0u8; 4096]).expect("write");
    }
    for f in [&old_temp, &orphan] {
        std::fs::File::options()
            .append(true)
            .open(f)
            .and_then(|file| file.set_modified(hour_ago))
            .expect("age it");
    }
    assert_eq!(cache.sweep_leftovers(), 2);
    assert!(!old_temp.exists() && !orphan.exists());
    assert!(fresh_temp.exists(), "a decode still writing is left alone");
    assert!(entry.exists(), "a valid entry stays");
    assert!(cache.lookup(&path, 48_000).expect("lookup").is_some());
    // The next decode into the cache sweeps too.
    std::fs::write(&orphan, vec![0u8; 4096]).expect("write");
    std::fs::File::options()
        .append(true)
        .open(&orphan)
        .and_then(|file| file.set_modified(hour_ago))
        .expect("age it");
    let other = dir.path().join("b.flac");
    write_flac(&other, 48_000, &signal(20_000, 4));
    StreamSource::open(&other, 48_000, &cache).expect("open");
    assert!(!orphan.exists());
}

#[test]
fn a_fifo_or_a_missing_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = MediaCache::new(dir.path().join("cache"), u64::MAX);
    let missing = dir.path().join("gone.wav");
    let err = StreamSource::open(&missing, 48_000, &cache).expect_err("missing");
    assert!(err.to_string().contains("gone.wav"), "{err}");
    let fifo = dir.path().join("pipe.wav");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let err = StreamSource::open(&fifo, 48_000, &cache).expect_err("fifo");
        assert!(err.to_string().contains("FIFO"), "{err}");
    }
}

#[test]
fn waveform_peaks_are_kept_in_the_cache_while_the_file_is_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = MediaCache::new(dir.path().join("cache"), u64::MAX);
    let path = dir.path().join("s.wav");
    write_wav(&path, 48_000, 16, &signal(30_000, 8));
    assert!(
        cache.load_peaks(&path, 48_000).is_none(),
        "nothing stored yet"
    );
    let decoded = decode_file(&path).expect("decode");
    let peaks = stemdesk_media::PeakCache::build(&decoded);
    cache.store_peaks(&path, 48_000, &peaks);
    assert_eq!(cache.load_peaks(&path, 48_000), Some(peaks.clone()));
    assert!(
        cache.load_peaks(&path, 44_100).is_none(),
        "another rate is another key"
    );
    // A damaged peak file is not used.
    let stored: Vec<_> = std::fs::read_dir(dir.path().join("cache"))
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "peaks"))
        .collect();
    assert_eq!(stored.len(), 1);
    let mut bytes = std::fs::read(&stored[0]).expect("read");
    bytes[20] ^= 1;
    std::fs::write(&stored[0], &bytes).expect("write");
    assert!(cache.load_peaks(&path, 48_000).is_none());
    cache.store_peaks(&path, 48_000, &peaks);
    // A changed file has other peaks.
    write_wav(&path, 48_000, 16, &signal(31_000, 9));
    assert!(cache.load_peaks(&path, 48_000).is_none());
}

#[test]
fn a_first_decode_plays_its_first_seconds_before_it_is_done() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = MediaCache::new(dir.path().join("cache"), u64::MAX);
    let path = dir.path().join("long.flac");
    let frames = 20 * 48_000;
    write_flac(&path, 48_000, &signal(frames, 12));
    let whole = decode_file(&path).expect("decode").channels;
    let mut early_checked = false;
    let mut early = |source: StreamSource| {
        assert!(!source.is_complete());
        assert_eq!(source.frames(), frames as u64, "the announced length");
        // The start is there, exactly as decoded...
        let mut l = vec![0.0f32; 48_000];
        let mut r = vec![0.0f32; 48_000];
        source
            .read(0, &mut [&mut l, &mut r])
            .expect("the first second");
        assert_eq!(l, whole[0][..48_000]);
        assert_eq!(r, whole[1][..48_000]);
        // ...the end is not yet.
        let err = source
            .read(frames as u64 - 48_000, &mut [&mut l, &mut r])
            .expect_err("the end is still being decoded");
        assert!(
            matches!(err, stemdesk_media::MediaError::Pending { .. }),
            "{err}"
        );
        early_checked = true;
    };
    let source =
        StreamSource::open_progressive(&path, 48_000, &cache, &|_| {}, &mut early).expect("open");
    assert!(
        early_checked,
        "a source was handed out before the decode ended"
    );
    assert!(source.is_complete());
    assert_eq!(read_all(&source), whole);
    // A second open finds the cache: nothing early.
    let mut called = false;
    StreamSource::open_progressive(&path, 48_000, &cache, &|_| {}, &mut |_| called = true)
        .expect("open again");
    assert!(!called);
}

/// Set in a child process: `SOURCE|CACHE_DIR` to open, printing a hash of what it read.
const CHILD: &str = "STEMDESK_CACHE_CHILD";

fn hash_of(channels: &[Vec<f32>]) -> u64 {
    channels
        .iter()
        .flatten()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, x| {
            (h ^ u64::from(x.to_bits())).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

#[test]
fn two_processes_decoding_the_same_file_at_once_share_one_valid_entry() {
    if let Some(job) = std::env::var_os(CHILD) {
        let job = job.to_string_lossy().into_owned();
        let (source, dir) = job.split_once('|').expect("SOURCE|CACHE");
        let cache = MediaCache::new(dir, u64::MAX);
        let read = read_all(&StreamSource::open(Path::new(source), 48_000, &cache).expect("open"));
        println!("read-hash={}", hash_of(&read));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let cache_dir = dir.path().join("cache");
    let path = dir.path().join("shared.flac");
    write_flac(&path, 44_100, &signal(400_000, 21));
    let job = format!("{}|{}", path.display(), cache_dir.display());
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "two_processes_decoding_the_same_file_at_once_share_one_valid_entry",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD, &job)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let hashes: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("child");
            assert!(out.status.success(), "a child failed");
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.split("read-hash=")
                .nth(1)
                .and_then(|v| v.split_whitespace().next())
                .map(str::to_owned)
                .unwrap_or_else(|| panic!("no hash in {text}"))
        })
        .collect();
    assert_eq!(hashes[0], hashes[1], "both read the same audio");
    let cache = MediaCache::new(&cache_dir, u64::MAX);
    let entry = cache.lookup(&path, 48_000).expect("lookup");
    assert!(entry.is_some(), "the entry they left is valid");
    let mine = read_all(&StreamSource::open(&path, 48_000, &cache).expect("open"));
    assert_eq!(hash_of(&mine).to_string(), hashes[0]);
    assert_eq!(cache.usage().entries, 1);
}
