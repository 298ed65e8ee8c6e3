//! Decoding the shared test material (real-world good and deliberately broken files).
//!
//! The material lives outside the repository (../shared/material/decode from the workspace
//! root); when it is absent these tests print "skipped" and pass, the self-contained tests
//! in the other files still cover the behaviour.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use stemdesk_media::{DecodedAudio, MediaError, decode_file};

fn material_dir(kind: &str) -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        manifest.join("../../../shared/material/decode").join(kind),
        PathBuf::from("/work/shared/material/decode").join(kind),
    ];
    candidates
        .into_iter()
        .find(|p| p.is_dir())
        .map(|p| p.canonicalize().unwrap_or(p))
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read material dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Decode on a separate thread so a hang fails the test after 10 s instead of hanging CI.
fn decode_with_timeout(path: &Path) -> Result<DecodedAudio, MediaError> {
    let (tx, rx) = mpsc::channel();
    let p = path.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(decode_file(&p));
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(result) => result,
        Err(_) => panic!("{}: decoding hung for more than 10 s", path.display()),
    }
}

fn describe(result: &Result<DecodedAudio, MediaError>) -> String {
    match result {
        Ok(a) => format!(
            "OK {} Hz, {} ch (src {}), {:.3} s, warnings: {:?}",
            a.sample_rate_hz,
            a.channels.len(),
            a.source_channels,
            a.duration_s(),
            a.warnings
        ),
        Err(e) => format!("ERR {e}"),
    }
}

#[test]
fn broken_files_fail_cleanly_or_warn() {
    let Some(dir) = material_dir("broken") else {
        println!("skipped: ../shared not present");
        return;
    };
    let files = files_in(&dir);
    assert!(
        !files.is_empty(),
        "no broken files found in {}",
        dir.display()
    );
    println!("| file | result |");
    println!("| --- | --- |");
    let mut problems = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let result = decode_with_timeout(path);
        println!("| {name} | {} |", describe(&result));
        match &result {
            Err(e) => {
                if !e.to_string().contains(&name) {
                    problems.push(format!("{name}: error does not name the file: {e}"));
                }
            }
            Ok(a) => {
                if a.warnings.is_empty() {
                    problems.push(format!("{name}: decoded without any warning"));
                }
                if a.frames() == 0 {
                    problems.push(format!("{name}: Ok with zero frames"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Expected (rate, output channels, source channels) from the material's file names.
fn expected_from_name(name: &str) -> (u32, usize, usize) {
    let rate = if name.contains("22k05") {
        22_050
    } else if name.contains("44k1") {
        44_100
    } else if name.contains("96k") {
        96_000
    } else {
        48_000
    };
    let (out, src) = if name.starts_with("mono") {
        (1, 1)
    } else if name.starts_with("6ch") {
        (2, 6)
    } else {
        (2, 2)
    };
    (rate, out, src)
}

#[test]
fn good_files_decode() {
    let Some(dir) = material_dir("good") else {
        println!("skipped: ../shared not present");
        return;
    };
    let files = files_in(&dir);
    assert!(
        files.len() >= 26,
        "expected 26 good files, found {}",
        files.len()
    );
    println!("| file | result |");
    println!("| --- | --- |");
    let mut problems = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let result = decode_with_timeout(path);
        println!("| {name} | {} |", describe(&result));
        if name.ends_with(".opus") {
            match &result {
                Err(e @ MediaError::UnsupportedCodec { .. }) => {
                    let msg = e.to_string();
                    if !msg.contains(&name) || !msg.contains("Opus") {
                        problems.push(format!("{name}: unclear opus error: {msg}"));
                    }
                }
                other => problems.push(format!(
                    "{name}: expected unsupported codec, got {}",
                    describe(other)
                )),
            }
            continue;
        }
        let audio = match result {
            Ok(a) => a,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let (rate, out, src) = expected_from_name(&name);
        if audio.sample_rate_hz != rate
            || audio.channels.len() != out
            || audio.source_channels != src
        {
            problems.push(format!(
                "{name}: got {} Hz {} ch (src {}), expected {rate} Hz {out} ch (src {src})",
                audio.sample_rate_hz,
                audio.channels.len(),
                audio.source_channels
            ));
        }
        if (audio.duration_s() - 5.0).abs() > 0.05 {
            problems.push(format!(
                "{name}: length {:.3} s, expected about 5 s",
                audio.duration_s()
            ));
        }
        if src <= 2 && !audio.warnings.is_empty() {
            problems.push(format!("{name}: unexpected warnings {:?}", audio.warnings));
        }
        let peak = audio
            .channels
            .iter()
            .flatten()
            .fold(0.0f32, |m, s| m.max(s.abs()));
        if !(0.01..=1.0001).contains(&peak) {
            problems.push(format!("{name}: implausible peak {peak}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Files whose audio bytes are identical to stereo_s16_48k.wav must decode to identical
/// samples, header repairs included.
#[test]
fn repaired_wavs_match_the_intact_one() {
    let (Some(good), Some(broken)) = (material_dir("good"), material_dir("broken")) else {
        println!("skipped: ../shared not present");
        return;
    };
    let reference = decode_with_timeout(&good.join("stereo_s16_48k.wav")).expect("reference");
    for path in [
        broken.join("datasize_ffffffff.wav"),
        broken.join("riffsize_0.wav"),
        broken.join("fmt_blockalign_wrong.wav"),
    ] {
        let audio = decode_with_timeout(&path).expect("decodes");
        assert_same_samples(&audio, &reference, &path);
    }
    // These were encoded separately (dithered differently): same audio within a few LSB.
    for name in ["stereo_s16_48k_rf64.wav", "stereo_s16_48k_bext_list.wav"] {
        let audio = decode_with_timeout(&good.join(name)).expect("decodes");
        assert_eq!(audio.frames(), reference.frames(), "{name}");
        let max_diff = audio
            .channels
            .iter()
            .flatten()
            .zip(reference.channels.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(max_diff <= 4.0 / 32768.0, "{name} differs by {max_diff}");
    }

    let half = decode_with_timeout(&broken.join("truncated_half.wav")).expect("decodes");
    // Whatever whole frames survive the cut (the file stops mid-frame).
    let file_len = std::fs::metadata(broken.join("truncated_half.wav"))
        .expect("meta")
        .len();
    assert_eq!(half.frames() as u64, (file_len - 44) / 4);
    for (h, r) in half.channels.iter().zip(&reference.channels) {
        assert!(
            h[..] == r[..half.frames()],
            "truncated_half.wav differs from the reference"
        );
    }
}

fn assert_same_samples(audio: &DecodedAudio, reference: &DecodedAudio, path: &Path) {
    assert_eq!(
        audio.channels.len(),
        reference.channels.len(),
        "{}",
        path.display()
    );
    for (c, (a, r)) in audio.channels.iter().zip(&reference.channels).enumerate() {
        assert_eq!(a.len(), r.len(), "{}: channel {c} length", path.display());
        if let Some(i) = a.iter().zip(r).position(|(x, y)| x != y) {
            panic!(
                "{}: channel {c} differs first at frame {i}: {} vs {}",
                path.display(),
                a[i],
                r[i]
            );
        }
    }
}

/// The lag (frames, `b` against `a`) in `-max..=max` at which two signals correlate best.
fn best_lag(a: &[f32], b: &[f32], max: i64) -> i64 {
    let n = a.len().min(b.len()).min(96_000) as i64;
    (-max..=max)
        .max_by(|&x, &y| {
            let corr = |lag: i64| -> f64 {
                (max..n - max)
                    .map(|i| f64::from(a[i as usize]) * f64::from(b[(i + lag) as usize]))
                    .sum()
            };
            corr(x).total_cmp(&corr(y))
        })
        .unwrap_or(0)
}

#[test]
fn an_aac_stem_lines_up_with_the_wav_it_was_encoded_from() {
    let Some(dir) = material_dir("good") else {
        println!("skipped: no shared material");
        return;
    };
    let (aac, wav) = (
        dir.join("stereo_48k_aac.m4a"),
        dir.join("stereo_s16_48k.wav"),
    );
    if !aac.is_file() || !wav.is_file() {
        println!("skipped: no AAC/WAV pair in the material");
        return;
    }
    let a = decode_file(&wav).expect("wav");
    let b = decode_file(&aac).expect("aac");
    let lag = best_lag(&a.channels[0], &b.channels[0], 2_200);
    println!(
        "AAC against its WAV: lag {lag} frames, {} vs {} frames",
        b.frames(),
        a.frames()
    );
    assert!(lag.abs() <= 1, "the AAC is {lag} frames off its WAV");
    assert!(
        b.frames().abs_diff(a.frames()) <= 1,
        "the AAC lasts {} frames, its WAV {}",
        b.frames(),
        a.frames()
    );
}
