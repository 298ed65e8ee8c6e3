//! The render API: a typed report with per-channel peaks, true peak, loudness and
//! warnings; analysis without a file; cancel leaves nothing; outputs that are inputs are
//! refused.
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use stemdesk_engine::render::RenderError;
use stemdesk_engine::{
    Flow, MixTarget, RenderEvent, RenderRequest, RenderWarning, SourceAudio, SourceMap, render,
};
use stemdesk_media::{Container, Dither, SampleFormat};
use stemdesk_session::*;

const RATE: u32 = 48_000;

/// A session with one stereo track: a 1 kHz sine at `left_amp` left and half that right,
/// 3 s long, media registered under `dir`.
fn sine_session(dir: &Path, left_amp: f32) -> (Session, SourceMap) {
    let frames = 3 * RATE as usize;
    let sine = |amp: f32| -> Vec<f32> {
        (0..frames)
            .map(|i| amp * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / RATE as f32).sin())
            .collect()
    };
    let mut sources = SourceMap::new();
    sources.insert(
        resolve_media(dir, Path::new("tone.wav")),
        Arc::new(SourceAudio::new(vec![sine(left_amp), sine(left_amp / 2.0)])),
    );
    let mut s = Session::new(RATE);
    let track = TrackId(s.alloc_id());
    let clip = ClipId(s.alloc_id());
    s.tracks.push(Track {
        id: track,
        name: "Tone".into(),
        color: Color::default(),
        clips: vec![Clip {
            id: clip,
            source: "tone.wav".into(),
            position_frames: 0,
            offset_frames: 0,
            length_frames: frames as u64,
            gain_db: 0.0,
            fade_in: Fade::default(),
            fade_out: Fade::default(),
        }],
        strip: Strip::default(),
    });
    (s, sources)
}

#[test]
fn analysis_reports_per_channel_peaks_loudness_and_true_peak() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (session, sources) = sine_session(dir.path(), 0.5);
    let req = RenderRequest::whole(&session, dir.path(), &sources);
    let report = render(&req, None, |_| Flow::Continue).expect("renders");
    assert_eq!(report.frames, 3 * u64::from(RATE));
    assert!((report.duration_s() - 3.0).abs() < 1e-9);
    // 0.5 = -6.02 dBFS left, 0.25 = -12.04 dBFS right (centre balance on a stereo source
    // is unity).
    let [l, r] = report.sample_peak_dbfs;
    assert!((l - -6.02).abs() < 0.05, "left {l}");
    assert!((r - -12.04).abs() < 0.05, "right {r}");
    let [tl, tr] = report.true_peak_dbtp.expect("measured");
    assert!(tl >= l - 0.01 && tl < l + 0.5, "true peak left {tl} vs {l}");
    assert!(
        tr >= r - 0.01 && tr < r + 0.5,
        "true peak right {tr} vs {r}"
    );
    // A 1 kHz sine of RMS 0.354 (L) and 0.177 (R); BS.1770 sums channel powers with the
    // K-weighting's +0.69 dB at 1 kHz: 10 log10(0.125 + 0.03125) - 0.691 + 0.69 = -8.06.
    let lufs = report.integrated_lufs.expect("defined");
    assert!((lufs - -8.06).abs() < 0.3, "{lufs} LUFS");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(report.x_realtime() > 0.0);
}

#[test]
fn writing_reports_clipping_and_high_true_peak_as_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (session, sources) = sine_session(dir.path(), 1.5);
    let out = dir.path().join("mix.wav");
    let req = RenderRequest::whole(&session, dir.path(), &sources);
    let target = MixTarget {
        path: &out,
        format: SampleFormat::Int24,
        replace: false,
        session_file: None,
        dither: Dither::Off,
        container: Container::Wav,
        metadata: None,
        sample_rate_hz: None,
        normalize: None,
    };
    let report = render(&req, Some(&target), |_| Flow::Continue).expect("renders");
    assert!(out.is_file());
    assert!(report.clipped_samples > 0);
    assert!(matches!(
        report.warnings.as_slice(),
        [RenderWarning::Clipped { samples, peak_dbfs }]
            if *samples == report.clipped_samples && *peak_dbfs > 3.0
    ));
    // Below full scale, but with true peak above -1 dBTP: the true-peak warning.
    let (quieter, sources) = sine_session(dir.path(), 0.95);
    let out2 = dir.path().join("mix2.wav");
    let req = RenderRequest::whole(&quieter, dir.path(), &sources);
    let report = render(
        &req,
        Some(&MixTarget {
            path: &out2,
            ..target
        }),
        |_| Flow::Continue,
    )
    .expect("renders");
    assert_eq!(report.clipped_samples, 0);
    assert!(
        matches!(report.warnings.as_slice(), [RenderWarning::TruePeakHigh { dbtp }] if *dbtp > -1.0),
        "{:?}",
        report.warnings
    );
}

#[test]
fn cancel_leaves_no_file_and_progress_reaches_the_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (session, sources) = sine_session(dir.path(), 0.5);
    let out = dir.path().join("mix.wav");
    let target = MixTarget {
        path: &out,
        format: SampleFormat::Float32,
        replace: false,
        session_file: None,
        dither: Dither::Off,
        container: Container::Wav,
        metadata: None,
        sample_rate_hz: None,
        normalize: None,
    };
    let req = RenderRequest {
        block_frames: 4096,
        ..RenderRequest::whole(&session, dir.path(), &sources)
    };
    let mut calls = 0;
    let err = render(&req, Some(&target), |e| {
        if let RenderEvent::Progress { .. } = e {
            calls += 1;
        }
        if calls >= 3 {
            Flow::Cancel
        } else {
            Flow::Continue
        }
    })
    .expect_err("cancelled");
    assert!(matches!(err, RenderError::Cancelled));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "nothing written: {left:?}");

    let mut last = (0, 0);
    render(&req, Some(&target), |e| {
        if let RenderEvent::Progress {
            done_frames,
            total_frames,
        } = e
        {
            assert!(done_frames >= last.0, "progress only grows");
            last = (done_frames, total_frames);
        }
        Flow::Continue
    })
    .expect("renders");
    assert_eq!(last.0, last.1, "the last progress is the whole");
    assert!(out.is_file());
}

#[test]
fn an_output_that_is_an_input_or_not_a_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (session, sources) = sine_session(dir.path(), 0.5);
    let media = dir.path().join("tone.wav");
    std::fs::write(&media, b"original").expect("write");
    let session_file = dir.path().join("song.ron");
    std::fs::write(&session_file, b"session").expect("write");
    let req = RenderRequest::whole(&session, dir.path(), &sources);
    for (path, what) in [
        (&media, "a media file of the session"),
        (&session_file, "the session file itself"),
    ] {
        let target = MixTarget {
            path,
            format: SampleFormat::Int24,
            replace: true,
            session_file: Some(&session_file),
            dither: Dither::Off,
            container: Container::Wav,
            metadata: None,
            sample_rate_hz: None,
            normalize: None,
        };
        let err = render(&req, Some(&target), |_| Flow::Continue).expect_err("refused");
        assert!(err.to_string().contains(what), "{err}");
    }
    assert_eq!(std::fs::read(&media).expect("kept"), b"original");
    assert_eq!(std::fs::read(&session_file).expect("kept"), b"session");
    let target = MixTarget {
        path: dir.path(),
        format: SampleFormat::Int24,
        replace: true,
        session_file: None,
        dither: Dither::Off,
        container: Container::Wav,
        metadata: None,
        sample_rate_hz: None,
        normalize: None,
    };
    let err = render(&req, Some(&target), |_| Flow::Continue).expect_err("a folder");
    assert!(matches!(err, RenderError::NotAFile { .. }), "{err}");
}

#[test]
fn a_bounce_at_another_rate_is_converted_and_measured_at_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (session, sources) = sine_session(dir.path(), 0.5);
    let out = dir.path().join("mix441.wav");
    let req = RenderRequest::whole(&session, dir.path(), &sources);
    let target = MixTarget {
        path: &out,
        format: SampleFormat::Float32,
        replace: false,
        session_file: None,
        dither: Dither::Off,
        container: Container::Wav,
        metadata: None,
        sample_rate_hz: Some(44_100),
        normalize: None,
    };
    let report = render(&req, Some(&target), |_| Flow::Continue).expect("renders");
    let reader = hound::WavReader::open(&out).expect("wav");
    assert_eq!(reader.spec().sample_rate, 44_100);
    assert_eq!(reader.duration(), 3 * 44_100, "3 s at the new rate");
    assert_eq!(report.sample_rate_hz, 44_100);
    assert_eq!(report.frames, 3 * 44_100);
    assert!((report.duration_s() - 3.0).abs() < 1e-9);
    // The same sine, measured after conversion: same level and loudness.
    let [l, _] = report.sample_peak_dbfs;
    assert!((l - -6.02).abs() < 0.1, "{l}");
    let lufs = report.integrated_lufs.expect("measured");
    assert!((lufs - -8.06).abs() < 0.3, "{lufs}");
}

fn read_f32(path: &Path) -> Vec<f32> {
    hound::WavReader::open(path)
        .expect("wav")
        .samples::<f32>()
        .map(|s| s.expect("sample"))
        .collect()
}

/// Normalising measures first, then writes the same render scaled by one gain: to a true
/// peak target or to a loudness target; a silent mix cannot be normalised and leaves no
/// file.
#[test]
fn normalising_meets_a_peak_or_loudness_target_with_one_gain() {
    use stemdesk_engine::Normalize;
    let dir = tempfile::tempdir().expect("tempdir");
    let (session, sources) = sine_session(dir.path(), 0.5);
    let req = RenderRequest::whole(&session, dir.path(), &sources);
    let plain_path = dir.path().join("plain.wav");
    let plain = render(
        &req,
        Some(&MixTarget::new(&plain_path, SampleFormat::Float32)),
        |_| Flow::Continue,
    )
    .expect("renders");
    assert_eq!(plain.normalize_gain_db, None, "off by default");

    let peak_path = dir.path().join("peak.wav");
    let mut last_progress = (0, 0);
    let peak = render(
        &req,
        Some(&MixTarget {
            normalize: Some(Normalize::PeakDbtp(-1.0)),
            ..MixTarget::new(&peak_path, SampleFormat::Float32)
        }),
        |e| {
            if let RenderEvent::Progress {
                done_frames,
                total_frames,
            } = e
            {
                assert!(done_frames >= last_progress.0, "progress never goes back");
                last_progress = (done_frames, total_frames);
            }
            Flow::Continue
        },
    )
    .expect("renders");
    let tp = peak.max_true_peak_dbtp().expect("measured");
    assert!(
        (-1.01..=-1.0).contains(&tp),
        "true peak {tp} dBTP: at, never above, -1"
    );
    assert!(peak.warnings.is_empty(), "{:?}", peak.warnings);
    let gain_db = peak.normalize_gain_db.expect("normalised");
    let was = plain.max_true_peak_dbtp().expect("measured");
    assert!((gain_db - (-1.001 - was)).abs() < 1e-9, "{gain_db} dB");
    assert!(
        last_progress.0 >= last_progress.1 * 9 / 10,
        "{last_progress:?}"
    );
    // The same samples, scaled.
    let (a, b) = (read_f32(&plain_path), read_f32(&peak_path));
    assert_eq!(a.len(), b.len());
    let g = 10f64.powf(gain_db / 20.0) as f32;
    assert!(a.iter().zip(&b).all(|(x, y)| (x * g - y).abs() <= 1e-6));

    let loud_path = dir.path().join("loud.wav");
    let loud = render(
        &req,
        Some(&MixTarget {
            normalize: Some(Normalize::LoudnessLufs(-16.0)),
            ..MixTarget::new(&loud_path, SampleFormat::Int24)
        }),
        |_| Flow::Continue,
    )
    .expect("renders");
    let lufs = loud.integrated_lufs.expect("measured");
    assert!((lufs - -16.0).abs() < 0.05, "{lufs} LUFS");
    // A target that drives a 24-bit file over full scale says so, and why.
    let hot_path = dir.path().join("hot.wav");
    let hot = render(
        &req,
        Some(&MixTarget {
            normalize: Some(Normalize::LoudnessLufs(0.0)),
            ..MixTarget::new(&hot_path, SampleFormat::Int24)
        }),
        |_| Flow::Continue,
    )
    .expect("renders");
    assert!(
        matches!(
            hot.warnings.as_slice(),
            [RenderWarning::NormalizedIntoClipping { gain_db, .. }] if *gain_db > 3.0
        ),
        "{:?}",
        hot.warnings
    );
    assert!(hot.warnings[0].to_string().contains("normalising by +"));

    let silent = Session::new(RATE);
    let empty = SourceMap::new();
    let req = RenderRequest {
        end_frames: Some(48_000),
        ..RenderRequest::whole(&silent, dir.path(), &empty)
    };
    let none_path = dir.path().join("silent.wav");
    let err = render(
        &req,
        Some(&MixTarget {
            normalize: Some(Normalize::LoudnessLufs(-14.0)),
            ..MixTarget::new(&none_path, SampleFormat::Int24)
        }),
        |_| Flow::Continue,
    )
    .expect_err("a silent mix");
    assert!(matches!(err, RenderError::CannotNormalize), "{err}");
    assert!(!none_path.exists(), "nothing written");
}
