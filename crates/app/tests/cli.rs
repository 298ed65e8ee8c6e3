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
