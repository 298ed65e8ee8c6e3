//! `stemdesk play` and `stemdesk devices`: live playback without the GUI.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use stemdesk_device::{OutputConfig, list_output_devices, start_output};
use stemdesk_engine::live::LIVE_BLOCK_FRAMES;
use stemdesk_engine::{compile, engine};

use super::time::{format_seconds, parse_seconds};

/// How long playback goes on after the last clip ends (effect tails).
const TAIL_S: f64 = 3.0;

/// Arguments of `stemdesk play`.
#[derive(Args, Debug)]
pub struct PlayArgs {
    /// The session to play (.ron).
    session: PathBuf,
    /// Output device name (see `stemdesk devices`); default: the system default.
    #[arg(long)]
    device: Option<String>,
    /// Buffer size in frames (64-2048); default: the device's.
    #[arg(long)]
    buffer: Option<u32>,
    /// Where to start (seconds, or minutes:seconds).
    #[arg(long, value_parser = parse_seconds)]
    start: Option<f64>,
    /// Stop after this many frames have gone to the device (for scripted checks).
    #[arg(long, hide = true)]
    frames: Option<u64>,
}

/// Plays until Enter is pressed or the session ends, printing position, load and xruns.
pub fn run(args: &PlayArgs) -> anyhow::Result<()> {
    let super::LoadedWithMedia {
        loaded, sources, ..
    } = super::load_with_media(&args.session)?;
    let session = &loaded.session;
    let rate = session.sample_rate_hz;
    let graph = compile(session, &loaded.base_dir, &sources, LIVE_BLOCK_FRAMES);
    let (mut handle, player) = engine(graph);
    let to_frames = |s: f64| (s * f64::from(rate)).round() as u64;
    if let Some(start) = args.start {
        handle.seek(to_frames(start))?;
    }
    handle.play()?;
    let config = OutputConfig {
        device: args.device.clone(),
        buffer_frames: args.buffer,
    };
    let mut output = start_output(player, &config).context("cannot start playback")?;
    let end = session.content_end_frames() + to_frames(TAIL_S);
    eprintln!(
        "playing {} on '{}' at {rate} Hz ({}, {} ch){}; press Enter to stop",
        args.session.display(),
        output.device(),
        output.sample_format(),
        output.channels(),
        output
            .buffer_frames()
            .map_or(String::new(), |b| format!(", {b}-frame buffer")),
    );
    let enter = enter_pressed();
    let interactive = std::io::stderr().is_terminal();
    let mut last_print = Instant::now();
    let status = loop {
        std::thread::sleep(Duration::from_millis(20));
        handle.poll();
        let st = handle.status();
        let lost = output.poll_events().into_iter().find_map(|e| match e {
            stemdesk_device::DeviceEvent::Lost(m) => Some(m),
            stemdesk_device::DeviceEvent::Warning(m) => {
                eprintln!("\nwarning: audio device: {m}");
                None
            }
        });
        if let Some(m) = lost {
            anyhow::bail!("the audio device stopped: {m}");
        }
        let done_frames = args.frames.is_some_and(|n| st.frames_rendered() >= n);
        let at_end = st.position_frames() >= end;
        let stop = done_frames || at_end || enter.try_recv().is_ok();
        if stop || last_print.elapsed() >= Duration::from_millis(250) {
            last_print = Instant::now();
            let line = format!(
                "{}  load {:4.1}% (max {:4.1}%)  xruns {}",
                format_seconds(st.position_frames() as f64 / f64::from(rate)),
                st.load() * 100.0,
                st.take_max_load() * 100.0,
                st.xruns()
            );
            if interactive {
                eprint!("\r{line}  ");
                let _ = std::io::stderr().flush();
            } else if stop {
                eprintln!("{line}");
            }
        }
        if stop {
            break (st.frames_rendered(), st.xruns());
        }
    };
    drop(output);
    if interactive {
        eprintln!();
    }
    eprintln!("stopped after {} frames, {} xruns", status.0, status.1);
    Ok(())
}

/// A channel that receives once a line is read from stdin (or stdin closes).
fn enter_pressed() -> mpsc::Receiver<()> {
    let (tx, rx) = mpsc::channel();
    if std::io::stdin().is_terminal() {
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            let _ = tx.send(());
        });
    }
    rx
}

/// `stemdesk devices`: lists output devices.
pub fn list() -> anyhow::Result<()> {
    let devices = list_output_devices()?;
    if devices.is_empty() {
        println!("no audio output devices found");
    }
    for d in devices {
        let mark = if d.is_default { " (default)" } else { "" };
        let desc = d.description.lines().next().unwrap_or_default().to_string();
        println!("{}{mark}\t{desc}", d.name);
    }
    Ok(())
}
