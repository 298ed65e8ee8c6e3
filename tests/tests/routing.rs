//! Routing: outputs, pre/post-fader sends, in-place solo, mute and pan laws, measured on
//! constant (DC) sources so every expected value is exact.
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use stemdesk_engine::{SourceAudio, SourceMap, Threads, compile};
use stemdesk_session::*;

const FRAMES: usize = 2048;

/// A session where each track plays a DC source of the given level (mono or stereo).
struct Desk {
    session: Session,
    sources: SourceMap,
}

impl Desk {
    fn new() -> Self {
        Desk {
            session: Session::new(48_000),
            sources: SourceMap::new(),
        }
    }

    fn track(&mut self, name: &str, level: f32, channels: usize) -> TrackId {
        let file = format!("{name}.wav");
        self.sources.insert(
            resolve_media(Path::new("."), Path::new(&file)),
            Arc::new(SourceAudio::new(vec![vec![level; FRAMES]; channels])),
        );
        let id = TrackId(self.session.alloc_id());
        let clip = ClipId(self.session.alloc_id());
        self.session.tracks.push(Track {
            id,
            name: name.into(),
            color: Color::default(),
            clips: vec![Clip {
                id: clip,
                source: file.into(),
                position_frames: 0,
                offset_frames: 0,
                length_frames: FRAMES as u64,
                gain_db: 0.0,
                fade_in: Fade::default(),
                fade_out: Fade::default(),
            }],
            strip: Strip::default(),
        });
        id
    }

    fn bus(&mut self, name: &str) -> BusId {
        let id = BusId(self.session.alloc_id());
        self.session.buses.push(Bus {
            id,
            name: name.into(),
            color: Color::default(),
            solo_safe: false,
            strip: Strip::default(),
        });
        id
    }

    fn send(&mut self, from: StripId, to: BusId, level_db: f32, pre_fader: bool) {
        let send = Send {
            id: SendId(self.session.alloc_id()),
            target: to,
            level_db,
            pre_fader,
        };
        self.edit(Edit::AddSend { strip: from, send });
    }

    fn edit(&mut self, e: Edit) {
        self.session.apply(&e).expect("valid edit");
    }

    /// The last rendered frame (smoothers settled), left and right.
    fn output(&self) -> (f32, f32) {
        let mut g = compile(&self.session, Path::new("."), &self.sources, 512);
        let mut l = vec![0.0; FRAMES];
        let mut r = vec![0.0; FRAMES];
        g.render(0, &mut l, &mut r, Threads::Single);
        (l[FRAMES - 1], r[FRAMES - 1])
    }
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-5
}

#[test]
fn in_place_solo_keeps_what_the_soloed_strip_feeds() {
    let mut d = Desk::new();
    let a = d.track("a", 0.01, 2);
    let b = d.track("b", 0.02, 2);
    let c = d.track("c", 0.04, 2);
    let group = d.bus("Group");
    let reverb = d.bus("Reverb");
    d.edit(Edit::SetSoloSafe {
        bus: reverb,
        solo_safe: true,
    });
    d.edit(Edit::SetOutput {
        strip: StripId::Track(b),
        output: Output::Bus(group),
    });
    d.send(StripId::Track(c), reverb, 0.0, false);
    let (l, r) = d.output();
    assert!(
        close(l, 0.01 + 0.02 + 0.04 + 0.04) && close(r, l),
        "all: {l} {r}"
    );

    d.edit(Edit::SetSolo {
        strip: StripId::Track(b),
        solo: true,
    });
    let (l, _) = d.output();
    assert!(close(l, 0.02), "solo b keeps its group bus: {l}");

    d.edit(Edit::SetSolo {
        strip: StripId::Track(b),
        solo: false,
    });
    d.edit(Edit::SetSolo {
        strip: StripId::Track(c),
        solo: true,
    });
    let (l, _) = d.output();
    assert!(close(l, 0.04 + 0.04), "solo c keeps its reverb send: {l}");

    d.edit(Edit::SetSolo {
        strip: StripId::Track(c),
        solo: false,
    });
    d.edit(Edit::SetSolo {
        strip: StripId::Bus(group),
        solo: true,
    });
    let (l, _) = d.output();
    assert!(close(l, 0.02), "soloing a bus brings up what feeds it: {l}");

    d.edit(Edit::SetSolo {
        strip: StripId::Track(a),
        solo: true,
    });
    d.edit(Edit::SetMute {
        strip: StripId::Track(a),
        mute: true,
    });
    let (l, _) = d.output();
    assert!(close(l, 0.02), "mute wins over solo: {l}");
    let _ = a;
}

#[test]
fn pre_fader_sends_ignore_the_fader_post_fader_sends_follow_it() {
    let mut d = Desk::new();
    let t = d.track("t", 0.1, 2);
    let pre = d.bus("Pre");
    let post = d.bus("Post");
    d.send(StripId::Track(t), pre, -6.0, true);
    d.send(StripId::Track(t), post, 0.0, false);
    d.edit(Edit::SetGain {
        strip: StripId::Track(t),
        gain_db: model::SILENCE_DB,
    });
    let (l, _) = d.output();
    assert!(
        close(l, 0.1 * 10f32.powf(-6.0 / 20.0)),
        "only the pre-fader send: {l}"
    );
    d.edit(Edit::SetGain {
        strip: StripId::Track(t),
        gain_db: -6.0,
    });
    let half = 10f32.powf(-6.0 / 20.0);
    let (l, _) = d.output();
    assert!(close(l, 0.1 * half * 3.0), "track + pre + post: {l}");
    d.edit(Edit::SetMute {
        strip: StripId::Track(t),
        mute: true,
    });
    assert_eq!(d.output(), (0.0, 0.0), "mute silences the sends too");
}

#[test]
fn mono_tracks_pan_with_constant_power_stereo_tracks_with_balance() {
    let mut d = Desk::new();
    let mono = d.track("mono", 0.5, 1);
    let (l, r) = d.output();
    let minus_3db = 0.5 * std::f32::consts::FRAC_1_SQRT_2;
    assert!(
        close(l, minus_3db) && close(r, minus_3db),
        "mono centre is -3 dB: {l} {r}"
    );
    d.edit(Edit::SetPan {
        strip: StripId::Track(mono),
        pan: -1.0,
    });
    let (l, r) = d.output();
    assert!(close(l, 0.5) && close(r, 0.0), "hard left: {l} {r}");
    d.edit(Edit::SetPan {
        strip: StripId::Track(mono),
        pan: 0.5,
    });
    let (l, r) = d.output();
    assert!(close(l * l + r * r, 0.25), "constant power: {l} {r}");

    let mut d = Desk::new();
    let st = d.track("st", 0.5, 2);
    assert_eq!(d.output(), (0.5, 0.5), "stereo centre is unity");
    d.edit(Edit::SetPan {
        strip: StripId::Track(st),
        pan: 1.0,
    });
    let (l, r) = d.output();
    assert!(
        close(l, 0.0) && close(r, 0.5),
        "balance hard right: {l} {r}"
    );
}

#[test]
fn buses_feeding_buses_are_processed_in_dependency_order() {
    let mut d = Desk::new();
    let t = d.track("t", 0.1, 2);
    // Declared in the "wrong" order: first <- second <- track.
    let first = d.bus("First");
    let second = d.bus("Second");
    d.edit(Edit::SetOutput {
        strip: StripId::Bus(second),
        output: Output::Bus(first),
    });
    d.edit(Edit::SetOutput {
        strip: StripId::Track(t),
        output: Output::Bus(second),
    });
    d.edit(Edit::SetGain {
        strip: StripId::Bus(first),
        gain_db: -6.0,
    });
    let (l, _) = d.output();
    assert!(close(l, 0.1 * 10f32.powf(-6.0 / 20.0)), "{l}");
}
