//! Stems: one file per strip feeding the master, all the same length; read back and
//! summed they null against the master bounce with the master's processing off.
#![allow(missing_docs)]

use stemdesk_e2e::{full_session, sources};
use stemdesk_engine::stems::{render_stems, stem_file_name};
use stemdesk_engine::{Flow, MixTarget, RenderRequest, render};
use stemdesk_media::{Container, Dither, SampleFormat};
use stemdesk_session::{Master, StripId};

fn read(path: &std::path::Path) -> (u32, Vec<f64>) {
    let mut r = hound::WavReader::open(path).expect("stem");
    let spec = r.spec();
    let v: Vec<f64> = match spec.sample_format {
        hound::SampleFormat::Float => r
            .samples::<f32>()
            .map(|s| f64::from(s.expect("sample")))
            .collect(),
        hound::SampleFormat::Int => {
            let scale = f64::from(1u32 << (spec.bits_per_sample - 1));
            r.samples::<i32>()
                .map(|s| f64::from(s.expect("sample")) / scale)
                .collect()
        }
    };
    (r.duration(), v)
}

#[test]
fn stems_read_back_and_summed_null_against_the_master_without_its_processing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = full_session(dir.path());
    let src = sources(&loaded);
    let session = &loaded.session;
    let stems_dir = dir.path().join("stems");
    std::fs::create_dir(&stems_dir).expect("mkdir");
    let req = RenderRequest {
        max_tail_s: 1.0,
        ..RenderRequest::whole(session, &loaded.base_dir, &src)
    };
    let report = render_stems(&req, &stems_dir, SampleFormat::Int24, false, |_| {
        Flow::Continue
    })
    .expect("stems");
    // Every track routed to the master and every bus that returns to it.
    let direct = session
        .tracks
        .iter()
        .filter(|t| t.strip.output == stemdesk_session::Output::Master)
        .count()
        + session
            .buses
            .iter()
            .filter(|b| b.strip.output == stemdesk_session::Output::Master)
            .count();
    assert_eq!(report.files.len(), direct);
    assert!(
        report.files.len() >= 3,
        "tracks and returns: {:?}",
        report.files
    );
    assert!(
        report.null_residual_dbfs < -120.0,
        "as written, the stems rebuild the master input: {:.1} dBFS",
        report.null_residual_dbfs
    );
    // The master with its processing off, as float.
    let mut plain = session.clone();
    plain.master = Master::default();
    let master_path = dir.path().join("master.wav");
    let plain_req = RenderRequest {
        end_frames: Some(req.start_frames + report.frames),
        ..RenderRequest::whole(&plain, &loaded.base_dir, &src)
    };
    render(
        &plain_req,
        Some(&MixTarget {
            path: &master_path,
            format: SampleFormat::Float32,
            replace: false,
            session_file: None,
            dither: Dither::Off,
            container: Container::Wav,
            metadata: None,
            sample_rate_hz: None,
            normalize: None,
        }),
        |_| Flow::Continue,
    )
    .expect("master bounce");
    let (frames, master) = read(&master_path);
    assert_eq!(u64::from(frames), report.frames);
    let mut sum = vec![0.0f64; master.len()];
    for (i, f) in report.files.iter().enumerate() {
        let name = f
            .path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with(&format!("{:02} ", i + 1)), "{name}");
        let (n, samples) = read(&f.path);
        assert_eq!(n, frames, "{name}: every stem as long as the mix");
        for (s, v) in sum.iter_mut().zip(&samples) {
            *s += v;
        }
    }
    let residual = sum
        .iter()
        .zip(&master)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f64, f64::max);
    let residual_db = 20.0 * residual.max(1e-20).log10();
    assert!(
        residual_db < -90.0,
        "stems null against the mix: {residual_db:.1} dBFS"
    );
    assert!(
        report
            .files
            .iter()
            .any(|f| matches!(f.strip, StripId::Bus(_))),
        "effect returns are stems too"
    );
}

#[test]
fn stem_names_keep_the_order_and_are_safe_file_names() {
    assert_eq!(stem_file_name(0, "Kick"), "01 Kick.wav");
    assert_eq!(
        stem_file_name(11, "Vox/Lead: main"),
        "12 Vox_Lead_ main.wav"
    );
    assert_eq!(stem_file_name(2, "  "), "03 Strip.wav");
    assert_eq!(stem_file_name(3, "..hidden"), "04 hidden.wav");
}
