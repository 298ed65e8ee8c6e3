//! The `stemdesk` binary as a user runs it.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn stemdesk(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stemdesk"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn write_sine(path: &Path, rate: u32, channels: u16, seconds: f32, amp: f32) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create");
    for i in 0..(seconds * rate as f32) as usize {
        let s = amp * (i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin();
        for _ in 0..channels {
            w.write_sample((s * 32767.0) as i16).expect("write");
        }
    }
    w.finalize().expect("finalize");
}

#[test]
fn help_explains_every_subcommand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, _) = text(&stemdesk(&["--help"], dir.path()));
    for sub in ["new", "bounce", "play", "devices", "example"] {
        assert!(out.contains(sub), "{out}");
    }
    let (out, _) = text(&stemdesk(&["bounce", "--help"], dir.path()));
    for flag in ["--bits", "--start", "--end", "--output"] {
        assert!(out.contains(flag), "{out}");
    }
}

#[test]
fn new_then_bounce_writes_the_mix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("stems")).expect("mkdir");
    write_sine(&d.join("stems/kick.wav"), 44_100, 1, 1.0, 0.5);
    write_sine(&d.join("stems/keys.wav"), 44_100, 2, 1.5, 0.25);
    let o = stemdesk(&["new", "song.ron", "stems/kick.wav", "stems/keys.wav"], d);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("2 tracks at 44100 Hz"), "{out}");
    let ron = std::fs::read_to_string(d.join("song.ron")).expect("session");
    assert!(
        ron.contains("name: \"kick\"") && ron.contains("stems/kick.wav"),
        "{ron}"
    );

    // Refuses to overwrite the session the user made.
    let o = stemdesk(&["new", "song.ron", "stems/kick.wav"], d);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("song.ron already exists"));

    let o = stemdesk(&["bounce", "song.ron", "-o", "mix.wav"], d);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("bounced 0:01.5 to mix.wav (24-bit, 44100 Hz)"),
        "{out}"
    );
    assert!(
        out.contains("LUFS integrated") && out.contains("dBTP") && out.contains("realtime"),
        "{out}"
    );
    let r = hound::WavReader::open(d.join("mix.wav")).expect("mix");
    assert_eq!(r.spec().bits_per_sample, 24);
    assert_eq!(r.spec().channels, 2);
    assert_eq!(r.duration(), 66_150);

    let o = stemdesk(&["bounce", "song.ron", "-o", "mix.wav"], d);
    assert!(!o.status.success(), "no silent overwrite");
    let o = stemdesk(
        &[
            "bounce", "song.ron", "-o", "part.wav", "--bits", "32f", "--start", "0.5", "--end",
            "0:01",
        ],
        d,
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let r = hound::WavReader::open(d.join("part.wav")).expect("part");
    assert_eq!(r.spec().sample_format, hound::SampleFormat::Float);
    assert_eq!(r.duration(), 22_050);

    // 16-bit is dithered by default (TPDF), and not with --dither off.
    let o = stemdesk(&["bounce", "song.ron", "-o", "cd.wav", "--bits", "16"], d);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("(16-bit, TPDF dither, 44100 Hz)"), "{out}");
    let o = stemdesk(
        &[
            "bounce",
            "song.ron",
            "-o",
            "cd-plain.wav",
            "--bits",
            "16",
            "--dither",
            "off",
        ],
        d,
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let read16 = |name: &str| -> Vec<i16> {
        hound::WavReader::open(d.join(name))
            .expect("16-bit mix")
            .samples::<i16>()
            .map(|s| s.expect("sample"))
            .collect()
    };
    let (dithered, plain) = (read16("cd.wav"), read16("cd-plain.wav"));
    assert_eq!(dithered.len(), plain.len());
    let differ = dithered.iter().zip(&plain).filter(|(a, b)| a != b).count();
    let max_step = dithered
        .iter()
        .zip(&plain)
        .map(|(a, b)| (i32::from(*a) - i32::from(*b)).abs())
        .max()
        .unwrap_or(0);
    assert!(
        differ > plain.len() / 4,
        "dither changes many samples: {differ}"
    );
    assert!(max_step <= 2, "by at most a couple of LSBs: {max_step}");
}

#[test]
fn broken_session_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bad.ron"),
        "Session(format_version: 1, sample_rate_hz: ",
    )
    .expect("write");
    let o = stemdesk(&["bounce", "bad.ron", "-o", "x.wav"], dir.path());
    assert!(!o.status.success());
    let err = text(&o).1;
    assert!(err.contains("bad.ron:1:"), "{err}");
    assert!(!dir.path().join("x.wav").exists());
}

#[test]
fn missing_media_stops_the_bounce_unless_allowed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_sine(&d.join("a.wav"), 48_000, 2, 0.5, 0.5);
    write_sine(&d.join("b.wav"), 48_000, 2, 0.5, 0.5);
    assert!(
        stemdesk(&["new", "s.ron", "a.wav", "b.wav"], d)
            .status
            .success()
    );
    std::fs::remove_file(d.join("b.wav")).expect("rm");
    let o = stemdesk(&["bounce", "s.ron", "-o", "m.wav"], d);
    let err = text(&o).1;
    assert!(!o.status.success());
    assert!(
        err.contains("b.wav") && err.contains("--allow-missing"),
        "{err}"
    );
    assert!(!d.join("m.wav").exists());
    let o = stemdesk(&["bounce", "s.ron", "-o", "m.wav", "--allow-missing"], d);
    assert!(o.status.success(), "{}", text(&o).1);
}

#[test]
fn unreadable_stem_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("noise.wav"),
        b"RIFF\x10\x00\x00\x00WAVEjunkjunk",
    )
    .expect("write");
    let o = stemdesk(&["new", "s.ron", "noise.wav"], dir.path());
    assert!(!o.status.success());
    assert!(text(&o).1.contains("noise.wav"), "{}", text(&o).1);
    assert!(!dir.path().join("s.ron").exists());
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn bundled_example_is_what_the_generator_makes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = stemdesk(&["example", "fresh"], dir.path());
    assert!(o.status.success(), "{}", text(&o).1);
    let bundled = repo_root().join("projects-examples/demo");
    for file in [
        "demo.ron",
        "audio/drums.wav",
        "audio/bass.wav",
        "audio/chords.wav",
        "audio/lead.wav",
    ] {
        let a = std::fs::read(dir.path().join("fresh").join(file)).expect("generated");
        let b = std::fs::read(bundled.join(file)).expect("bundled");
        assert!(a == b, "{file} differs from the generator's output");
    }
    let o = stemdesk(
        &[
            "bounce",
            "fresh/demo.ron",
            "-o",
            "demo.wav",
            "--bits",
            "32f",
        ],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("bounced 0:2"), "20 s plus reverb tail: {out}");
}

/// Runs `stemdesk` with a time limit: a hang is a failure, not a stuck test.
fn stemdesk_within(args: &[&str], cwd: &Path, limit: std::time::Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stemdesk"))
        .args(args)
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("stemdesk {args:?} still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// A FIFO, a socket and a folder where a stem should be.
fn not_files(d: &Path) -> Vec<(PathBuf, &'static str)> {
    let fifo = d.join("fifo.wav");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let socket = d.join("socket.wav");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("socket");
    std::mem::forget(listener);
    let folder = d.join("folder.wav");
    std::fs::create_dir(&folder).expect("mkdir");
    vec![(fifo, "a FIFO"), (socket, "a socket"), (folder, "a folder")]
}

#[test]
fn fifos_sockets_and_folders_as_stems_are_refused_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_sine(&d.join("real.wav"), 48_000, 1, 0.5, 0.5);
    let limit = std::time::Duration::from_secs(5);
    for (path, kind) in not_files(d) {
        let name = path.file_name().and_then(|n| n.to_str()).expect("name");
        // `new` refuses it, naming the file and what it is.
        let started = std::time::Instant::now();
        let o = stemdesk_within(&["new", "song.ron", name, "--force"], d, limit);
        let (_, err) = text(&o);
        assert!(!o.status.success(), "{name}: {err}");
        assert!(err.contains(name) && err.contains(kind), "{name}: {err}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{name}: slow"
        );
        // A session pointing at it: bounce refuses, or with --allow-missing renders the rest.
        let o = stemdesk_within(&["new", "song.ron", "real.wav", "--force"], d, limit);
        assert!(o.status.success(), "{:?}", text(&o));
        let session = std::fs::read_to_string(d.join("song.ron")).expect("read");
        std::fs::write(d.join("song.ron"), session.replace("real.wav", name)).expect("write");
        let o = stemdesk_within(
            &["bounce", "song.ron", "-o", "mix.wav", "--force"],
            d,
            limit,
        );
        let (_, err) = text(&o);
        assert!(!o.status.success(), "{name}: {err}");
        assert!(err.contains(name), "{name}: {err}");
        let o = stemdesk_within(
            &[
                "bounce",
                "song.ron",
                "-o",
                "mix.wav",
                "--force",
                "--allow-missing",
            ],
            d,
            limit,
        );
        assert!(o.status.success(), "{name}: {:?}", text(&o));
    }
    // The session file itself as a FIFO.
    let o = stemdesk_within(
        &["bounce", "fifo.wav", "-o", "mix.wav", "--force"],
        d,
        limit,
    );
    let (_, err) = text(&o);
    assert!(
        !o.status.success() && err.contains("not a regular file"),
        "{err}"
    );
}

/// A session `song.ron` over one mono stem `stem.wav` of `seconds`.
fn one_stem_session(d: &Path, seconds: f32) {
    write_sine(&d.join("stem.wav"), 48_000, 1, seconds, 0.5);
    let o = stemdesk(&["new", "song.ron", "stem.wav", "--force"], d);
    assert!(o.status.success(), "{:?}", text(&o));
}

#[test]
fn force_never_overwrites_the_session_its_stems_or_a_non_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    one_stem_session(d, 0.5);
    let stem_before = std::fs::read(d.join("stem.wav")).expect("read");
    let session_before = std::fs::read(d.join("song.ron")).expect("read");
    std::os::unix::fs::symlink(d.join("stem.wav"), d.join("link.wav")).expect("symlink");
    std::fs::create_dir(d.join("folder.wav")).expect("mkdir");
    let made = Command::new("mkfifo")
        .arg(d.join("fifo.wav"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // A device node like /dev/null, made here (root only) so that a broken check could
    // only ever replace this copy.
    let device = Command::new("mknod")
        .arg(d.join("null.wav"))
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if device {
        let o = stemdesk_within(
            &["bounce", "song.ron", "-o", "null.wav", "--force"],
            d,
            std::time::Duration::from_secs(20),
        );
        let (_, err) = text(&o);
        assert!(!o.status.success() && err.contains("a device"), "{err}");
        let kind = std::fs::metadata(d.join("null.wav"))
            .expect("meta")
            .file_type();
        assert!(std::os::unix::fs::FileTypeExt::is_char_device(&kind));
    }
    for (output, says) in [
        ("stem.wav", "media file of the session"),
        ("./link.wav", "media file of the session"),
        ("song.ron", "session file itself"),
        ("folder.wav", "a folder"),
        ("fifo.wav", "a FIFO"),
    ] {
        let limit = std::time::Duration::from_secs(20);
        let o = stemdesk_within(&["bounce", "song.ron", "-o", output, "--force"], d, limit);
        let (_, err) = text(&o);
        assert!(!o.status.success(), "{output}: {err}");
        assert!(err.contains(says), "{output}: {err}");
    }
    assert_eq!(
        std::fs::read(d.join("stem.wav")).expect("read"),
        stem_before
    );
    assert_eq!(
        std::fs::read(d.join("song.ron")).expect("read"),
        session_before
    );
    assert!(d.join("folder.wav").is_dir());
}

#[test]
fn two_bounces_to_one_name_one_wins_the_other_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    one_stem_session(d, 30.0);
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_stemdesk"))
            .args(["bounce", "song.ron", "-o", "mix.wav", "--no-measure"])
            .current_dir(d)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (a, b) = (spawn(), spawn());
    let outs = [
        a.wait_with_output().expect("a"),
        b.wait_with_output().expect("b"),
    ];
    let won = outs.iter().filter(|o| o.status.success()).count();
    let said: Vec<String> = outs.iter().map(|o| text(o).1).collect();
    assert_eq!(won, 1, "exactly one bounce may write mix.wav: {said:?}");
    let loser = &said[usize::from(outs[0].status.success())];
    assert!(
        loser.contains("appeared while the bounce ran") || loser.contains("already exists"),
        "{loser}"
    );
    assert!(hound::WavReader::open(d.join("mix.wav")).is_ok());
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn sigterm_during_a_bounce_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    one_stem_session(d, 1.0);
    // An hour of mix: long enough to be stopped half way.
    let child = Command::new(env!("CARGO_BIN_EXE_stemdesk"))
        .args([
            "bounce", "song.ron", "-o", "mix.wav", "--end", "3600", "--bits", "32f",
        ])
        .current_dir(d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let partial = || {
        std::fs::read_dir(d)
            .expect("read dir")
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(".partial"))
    };
    let started = std::time::Instant::now();
    while !partial() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no temp file"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130), "{:?}", out.status);
    assert!(!partial(), "the temporary file was left behind");
    assert!(!d.join("mix.wav").exists());
}

#[test]
fn absurd_times_and_block_sizes_are_refused_with_a_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    one_stem_session(d, 0.5);
    for args in [
        &["--end", "1e15"][..],
        &["--start", "1e300"],
        &["--end", "25:00:00"],
        &["--block", "1000000000"],
        &["--block", "0"],
    ] {
        let mut all = vec!["bounce", "song.ron", "-o", "mix.wav"];
        all.extend_from_slice(args);
        let o = stemdesk_within(&all, d, std::time::Duration::from_secs(10));
        let (_, err) = text(&o);
        assert!(!o.status.success(), "{args:?}: {err}");
        assert!(
            err.contains("24 hours") || err.contains("--block"),
            "{args:?}: {err}"
        );
        assert!(!d.join("mix.wav").exists());
    }
}

#[test]
fn bounce_writes_a_report_with_figures_and_a_preflight_verdict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_sine(&d.join("kick.wav"), 48_000, 1, 2.0, 0.5);
    write_sine(&d.join("keys.wav"), 48_000, 2, 2.0, 0.25);
    let o = stemdesk(&["new", "song.ron", "kick.wav", "keys.wav"], d);
    assert!(o.status.success(), "{}", text(&o).1);
    // Leave a solo on, as happens: the preflight must say so.
    let ron = std::fs::read_to_string(d.join("song.ron")).expect("session");
    let soloed = ron.replacen("solo: false", "solo: true", 1);
    assert_ne!(ron, soloed);
    std::fs::write(d.join("song.ron"), soloed).expect("write");
    let o = stemdesk(&["bounce", "song.ron", "-o", "mix.wav", "--bits", "16"], d);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("preflight: FAILED"), "{out}");
    assert!(
        out.contains("[!!] no strip soloed: track \"kick\" soloed"),
        "{out}"
    );
    assert!(out.contains("[!!] 24-bit or 32-bit float: 16-bit"), "{out}");
    assert!(out.contains("report: mix.report.html"), "{out}");

    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.join("mix.report.json")).expect("json report"),
    )
    .expect("valid JSON");
    assert_eq!(json["format"], "16-bit");
    assert_eq!(json["dither"], "TPDF");
    assert_eq!(json["frames"], 96_000);
    assert_eq!(json["preflight"]["passed"], false);
    let lufs = json["analysis"]["integrated_lufs"].as_f64().expect("LUFS");
    assert!((-40.0..0.0).contains(&lufs), "{lufs}");
    let tp = json["analysis"]["true_peak_dbtp"][0]
        .as_f64()
        .expect("dBTP");
    let peak = json["sample_peak_dbfs"][0].as_f64().expect("dBFS");
    assert!(tp >= peak - 0.01, "true peak {tp} vs sample peak {peak}");
    let html = std::fs::read_to_string(d.join("mix.report.html")).expect("html report");
    assert!(
        html.contains("Preflight failed") && html.contains("<svg"),
        "plots and verdict"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
        "self-contained: no network, no scripts"
    );

    // --no-report writes none.
    let o = stemdesk(&["bounce", "song.ron", "-o", "quiet.wav", "--no-report"], d);
    assert!(o.status.success());
    assert!(!d.join("quiet.report.json").exists());
}

#[test]
fn bounce_with_stems_writes_one_file_per_strip_that_sum_to_the_mix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_sine(&d.join("kick.wav"), 48_000, 1, 1.0, 0.5);
    write_sine(&d.join("keys.wav"), 48_000, 2, 1.0, 0.25);
    let o = stemdesk(&["new", "song.ron", "kick.wav", "keys.wav"], d);
    assert!(o.status.success(), "{}", text(&o).1);
    let o = stemdesk(
        &["bounce", "song.ron", "-o", "mix.wav", "--stems", "stems"],
        d,
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("stems: 2 files in stems"), "{out}");
    let mix = hound::WavReader::open(d.join("mix.wav"))
        .expect("mix")
        .duration();
    for name in ["01 kick.wav", "02 keys.wav"] {
        let r = hound::WavReader::open(d.join("stems").join(name)).expect(name);
        assert_eq!(r.duration(), mix, "{name} as long as the mix");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("mix.report.json")).expect("report"))
            .expect("json");
    assert_eq!(json["stems"]["files"].as_array().map(Vec::len), Some(2));
    let residual = json["stems"]["null_residual_dbfs"]
        .as_f64()
        .unwrap_or(f64::NEG_INFINITY);
    assert!(residual < -90.0, "{residual}");
    // Without --force, existing stems are not replaced.
    let o = stemdesk(
        &["bounce", "song.ron", "-o", "mix2.wav", "--stems", "stems"],
        d,
    );
    assert!(!o.status.success(), "existing stems kept");
    assert!(text(&o).1.contains("01 kick.wav"), "{}", text(&o).1);
}

#[test]
fn a_flac_bounce_is_lossless_and_float_flac_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_sine(&d.join("tone.wav"), 48_000, 2, 1.0, 0.5);
    let o = stemdesk(&["new", "song.ron", "tone.wav"], d);
    assert!(o.status.success(), "{}", text(&o).1);
    let o = stemdesk(&["bounce", "song.ron", "-o", "mix.wav", "--no-report"], d);
    assert!(o.status.success(), "{}", text(&o).1);
    let o = stemdesk(&["bounce", "song.ron", "-o", "mix.flac", "--no-report"], d);
    assert!(o.status.success(), "{}", text(&o).1);
    let flac = stemdesk_media::decode_file(&d.join("mix.flac")).expect("FLAC decodes");
    let wav = stemdesk_media::decode_file(&d.join("mix.wav")).expect("WAV decodes");
    assert_eq!(flac.frames(), wav.frames());
    assert_eq!(
        flac.channels, wav.channels,
        "the same 24-bit samples in both"
    );
    let o = stemdesk(&["bounce", "song.ron", "-o", "f.flac", "--bits", "32f"], d);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("FLAC holds 16- or 24-bit"),
        "{}",
        text(&o).1
    );
    assert!(!d.join("f.flac").exists());
}

#[test]
fn the_cli_bounce_plays_automation_as_the_engine_does() {
    use stemdesk_session::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_sine(&d.join("tone.wav"), 48_000, 2, 2.0, 0.5);
    let o = stemdesk(&["new", "song.ron", "tone.wav"], d);
    assert!(o.status.success(), "{}", text(&o).1);
    let mut loaded = load(&d.join("song.ron")).expect("load");
    assert!(
        loaded.session.automation.is_empty(),
        "new sessions start with none"
    );
    // The fader rises from -inf to 0 dB over the first second.
    let strip = StripId::Track(loaded.session.tracks[0].id);
    let id = LaneId(loaded.session.alloc_id());
    loaded.session.automation.push(AutomationLane {
        id,
        target: ParamId {
            strip,
            param: StripParam::GainDb,
        },
        enabled: true,
        points: [(0, -144.0), (48_000, 0.0)]
            .map(|(time_frames, value)| Breakpoint {
                time_frames,
                value,
                curve: CurveShape::Linear,
            })
            .to_vec(),
    });
    loaded.session.tracks[0].strip.gain_db = -20.0;
    save(&loaded.session, &d.join("song.ron")).expect("save");
    let o = stemdesk(&["bounce", "song.ron", "-o", "mix.wav", "--bits", "32f"], d);
    assert!(o.status.success(), "{}", text(&o).1);
    let cli: Vec<f32> = hound::WavReader::open(d.join("mix.wav"))
        .expect("mix")
        .samples::<f32>()
        .map(|s| s.expect("sample"))
        .collect();
    let loaded = load(&d.join("song.ron")).expect("load");
    let src = stemdesk_e2e::sources(&loaded);
    let engine = stemdesk_e2e::bounce_to_vec(&loaded, &src, 512, stemdesk_engine::Threads::Single);
    let n = 2 * 96_000;
    assert!(cli.len() >= n && engine.len() >= n);
    let differ = (0..n).find(|&i| cli[i].to_bits() != engine[i].to_bits());
    assert_eq!(differ, None, "the CLI bounce equals the engine's render");
    let peak = |a: usize, b: usize| cli[2 * a..2 * b].iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak(0, 2_400) < 0.01, "starts near silence");
    assert!(
        peak(60_000, 90_000) > 0.3,
        "ends at the lane's 0 dB, not the static -20 dB"
    );
}

#[test]
fn bounce_normalises_on_request_names_files_from_a_template_and_renders_a_marker_range() {
    use stemdesk_session::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_sine(&d.join("tone.wav"), 48_000, 2, 2.0, 0.25);
    assert!(
        stemdesk(&["new", "song.ron", "tone.wav"], d)
            .status
            .success()
    );
    let mut loaded = load(&d.join("song.ron")).expect("load");
    for (name, at) in [("Verse", 24_000), ("Chorus", 48_000)] {
        let id = MarkerId(loaded.session.alloc_id());
        loaded.session.timeline.markers.push(Marker {
            id,
            name: name.into(),
            time_frames: at,
        });
    }
    save(&loaded.session, &d.join("song.ron")).expect("save");

    let o = stemdesk(
        &[
            "bounce",
            "song.ron",
            "-o",
            "{session} {bits}-{rate}.wav",
            "--normalize-loudness",
            "-16",
        ],
        d,
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("normalised by -3."),
        "a 0.25 sine reads about -12.7 LUFS: {out}"
    );
    let mix = d.join("song 24bit-48k.wav");
    let samples: Vec<f32> = hound::WavReader::open(&mix)
        .expect("the templated name")
        .samples::<i32>()
        .map(|s| s.expect("sample") as f32 / 8_388_608.0)
        .collect();
    let mut meter = ebur128::EbuR128::new(2, 48_000, ebur128::Mode::I).expect("meter");
    meter.add_frames_f32(&samples).expect("measure");
    let lufs = meter.loudness_global().expect("loudness");
    assert!((lufs - -16.0).abs() < 0.1, "{lufs} LUFS");

    let o = stemdesk(
        &[
            "bounce",
            "song.ron",
            "-o",
            "verse.wav",
            "--marker",
            "Verse",
            "--bits",
            "32f",
        ],
        d,
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let r = hound::WavReader::open(d.join("verse.wav")).expect("verse");
    assert_eq!(r.duration(), 24_000, "from Verse to Chorus");

    let o = stemdesk(
        &["bounce", "song.ron", "-o", "x.wav", "--marker", "Bridge"],
        d,
    );
    assert!(!o.status.success());
    let err = text(&o).1;
    assert!(
        err.contains("no marker \"Bridge\"") && err.contains("Verse, Chorus"),
        "{err}"
    );
}

/// `stemdesk cache` shows what the media cache holds and clears it; a compressed stem is
/// decoded into it once (by `new`), reused by `bounce`, and decoded again after a clear.
#[test]
fn the_media_cache_is_shown_reused_and_cleared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let cache = d.join("cache");
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_stemdesk"))
            .args(args)
            .current_dir(d)
            .env("STEMDESK_CACHE_DIR", &cache)
            .output()
            .expect("runs");
        let (out, err) = text(&o);
        assert!(o.status.success(), "{args:?}: {out}{err}");
        out
    };
    let samples: Vec<f32> = (0..96_000).map(|i| 0.3 * (i as f32 * 0.02).sin()).collect();
    let mut w = stemdesk_media::FlacWriter::create(
        &d.join("pad.flac"),
        48_000,
        2,
        stemdesk_media::SampleFormat::Int16,
    )
    .expect("flac");
    w.write_interleaved(&samples).expect("write");
    w.finalize().expect("finalize");
    write_sine(&d.join("kick.wav"), 48_000, 1, 1.0, 0.5);

    let out = run(&["cache"]);
    assert!(out.contains("0 decoded file(s)"), "{out}");
    run(&["new", "song.ron", "kick.wav", "pad.flac"]);
    let out = run(&["cache"]);
    assert!(
        out.contains("1 decoded file(s)") && out.contains(&cache.display().to_string()),
        "the FLAC is decoded, the WAV read in place: {out}"
    );
    run(&["bounce", "song.ron", "-o", "a.wav", "--no-report"]);
    assert!(run(&["cache"]).contains("1 decoded file(s)"), "reused");
    let out = run(&["cache", "clear"]);
    assert!(out.contains("removed 1 decoded file(s)"), "{out}");
    assert!(run(&["cache"]).contains("0 decoded file(s)"));
    run(&["bounce", "song.ron", "-o", "b.wav", "--no-report"]);
    let samples = |name: &str| -> Vec<i32> {
        hound::WavReader::open(d.join(name))
            .expect("open")
            .samples::<i32>()
            .map(|s| s.expect("sample"))
            .collect()
    };
    assert_eq!(
        samples("a.wav"),
        samples("b.wav"),
        "the same mix from a fresh decode"
    );
}

#[test]
fn a_bounce_whose_writes_fail_midway_names_the_file_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    one_stem_session(d, 10.0);
    // A file-size limit of 512 KiB fails the writes the way a full disk does (the mix is
    // 2.9 MB), after the writer thread has taken a good part of the mix.
    let out = Command::new("bash")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 512; exec \"$0\" bounce song.ron -o mix.wav",
            env!("CARGO_BIN_EXE_stemdesk"),
        ])
        .current_dir(d)
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("mix.wav"), "names the file: {stderr}");
    assert!(stderr.contains("too large"), "says why: {stderr}");
    let left: Vec<_> = std::fs::read_dir(d)
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("mix") || n.ends_with(".partial"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
