//! Automation plays as drawn: the same at any block size, exact to the lane at the
//! engine's control points, overriding the static value only while its lane is on.
#![allow(missing_docs)]

use proptest::prelude::*;
use stemdesk_dsp::util::db_to_lin;
use stemdesk_e2e::*;
use stemdesk_engine::{CONTROL_FRAMES, Threads};
use stemdesk_session::*;

const RATE: u32 = 48_000;
const FRAMES: usize = 60_000;

/// A constant 0.5 stereo source through a track whose fader rises from -inf (-144 dB) to
/// 0 dB over one second, linear in dB.
fn fader_ramp(dir: &std::path::Path) -> LoadedSession {
    write_wav24(
        &dir.join("dc.wav"),
        RATE,
        &[vec![0.5; FRAMES], vec![0.5; FRAMES]],
    );
    let mut s = Session::new(RATE);
    let t = track_with_clip(&mut s, "DC", "dc.wav".into(), FRAMES as u64);
    let strip = StripId::Track(t.id);
    s.tracks.push(t);
    let l = lane(
        &mut s,
        ParamId {
            strip,
            param: StripParam::GainDb,
        },
        &[(0, -144.0), (48_000, 0.0)],
    );
    s.automation.push(l);
    let path = dir.join("ramp.ron");
    save(&s, &path).expect("save");
    load(&path).expect("load")
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn a_fader_lane_sounds_the_same_at_every_block_size_and_matches_the_curve() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = fader_ramp(dir.path());
    let src = sources(&loaded);
    let lane = loaded.session.automation[0].clone();
    let [l, r] = render_in_blocks(
        &mut graph(&loaded, &src, 32),
        FRAMES,
        &[32],
        Threads::Single,
    );
    for blocks in [&[128][..], &[1024], &[1, 77, 500, 31, 1024, 3]] {
        let max = *blocks.iter().max().expect("blocks");
        let out = render_in_blocks(
            &mut graph(&loaded, &src, max),
            FRAMES,
            blocks,
            Threads::Single,
        );
        assert_eq!(bits(&out[0]), bits(&l), "left at blocks {blocks:?}");
        assert_eq!(bits(&out[1]), bits(&r), "right at blocks {blocks:?}");
    }
    // At each control point the gain is the lane's value exactly.
    let mut checked = 0u64;
    for t in (CONTROL_FRAMES - 1..48_000).step_by(CONTROL_FRAMES as usize) {
        let want = 0.5 * db_to_lin(lane.value_at(t).expect("points"));
        assert!(
            (l[t as usize] - want).abs() <= want * 1e-6 && l[t as usize] == r[t as usize],
            "frame {t}: {} vs {want}",
            l[t as usize]
        );
        checked += 1;
    }
    assert_eq!(checked, 48_000 / CONTROL_FRAMES);
    // Between them, within 0.001 dB of the curve wherever it is above -100 dB.
    let mut worst_db = 0.0f32;
    for t in 0..48_000u64 {
        let db = lane.value_at(t).expect("points");
        if db > -100.0 {
            let got = 20.0 * (l[t as usize] / 0.5).log10();
            worst_db = worst_db.max((got - db).abs());
        }
    }
    assert!(worst_db < 1e-3, "deviation {worst_db} dB");
    assert!(l[0] < 1e-8, "starts from silence: {}", l[0]);
    assert_eq!(l[50_000], 0.5, "ends at unity");
}

#[test]
fn a_lane_overrides_the_static_value_only_while_it_is_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut loaded = fader_ramp(dir.path());
    loaded.session.tracks[0].strip.gain_db = -6.0;
    loaded.session.automation[0].points = vec![Breakpoint {
        time_frames: 0,
        value: -20.0,
        curve: CurveShape::Linear,
    }];
    let src = sources(&loaded);
    let render = |loaded: &LoadedSession| {
        render_in_blocks(
            &mut graph(loaded, &src, 512),
            4_800,
            &[512],
            Threads::Single,
        )
    };
    let on = render(&loaded);
    assert!(
        (on[0][100] - 0.5 * db_to_lin(-20.0)).abs() < 1e-6,
        "the lane plays"
    );
    let strip = loaded.session.automation[0].target.strip;
    loaded
        .session
        .automation_modes
        .insert(strip, AutomationMode::Off);
    let mode_off = render(&loaded);
    assert!(
        (mode_off[0][100] - 0.5 * db_to_lin(-6.0)).abs() < 1e-6,
        "mode Off: the static value"
    );
    loaded.session.automation_modes.clear();
    loaded.session.automation[0].enabled = false;
    let off = render(&loaded);
    assert!(
        (off[0][100] - 0.5 * db_to_lin(-6.0)).abs() < 1e-6,
        "the static value is kept"
    );
}

#[test]
fn an_automated_mix_bounces_the_same_at_any_block_size_and_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = full_session(dir.path());
    let loaded = automate_full_session(&plain);
    let src = sources(&loaded);
    let reference = bounce_to_vec(&loaded, &src, 32, Threads::Single);
    for (block, threads) in [
        (128, Threads::Single),
        (1024, Threads::Pool),
        (4096, Threads::Pool),
    ] {
        let out = bounce_to_vec(&loaded, &src, block, threads);
        assert_eq!(out.len(), reference.len());
        let diff = out
            .iter()
            .zip(&reference)
            .position(|(a, b)| a.to_bits() != b.to_bits());
        assert_eq!(diff, None, "block {block} {threads:?}");
    }
    let unautomated = bounce_to_vec(&plain, &src, 512, Threads::Single);
    let n = unautomated.len().min(reference.len());
    let diff: f32 = reference[..n]
        .iter()
        .zip(&unautomated[..n])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(
        diff > 0.01,
        "the lanes change the mix (max difference {diff})"
    );
}

/// Every lane, one at a time, changes the sound: none is dropped by the engine.
#[test]
fn each_lane_of_the_automated_mix_is_played() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = full_session(dir.path());
    let loaded = automate_full_session(&plain);
    let src = sources(&loaded);
    let render = |session: &Session| {
        let l = LoadedSession {
            session: session.clone(),
            ..loaded.clone()
        };
        render_in_blocks(&mut graph(&l, &src, 512), 24_000, &[512], Threads::Single)
    };
    let mut without = loaded.session.clone();
    without.automation.clear();
    let base = render(&without);
    for lane in &loaded.session.automation {
        let mut one = without.clone();
        one.automation.push(lane.clone());
        let out = render(&one);
        let diff = out[0]
            .iter()
            .chain(&out[1])
            .zip(base[0].iter().chain(&base[1]))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(diff > 1e-3, "{:?} changes nothing ({diff})", lane.target);
    }
}

/// A mute lane mutes from its switch point (with the mute's own short glide), and never
/// unmutes a strip another strip's solo silences.
#[test]
fn a_mute_lane_switches_the_strip_and_solo_still_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut loaded = fader_ramp(dir.path());
    let strip = loaded.session.automation[0].target.strip;
    let mut mute = lane(
        &mut loaded.session,
        ParamId {
            strip,
            param: StripParam::Mute,
        },
        &[(0, 0.0), (24_000, 1.0)],
    );
    mute.points[0].curve = CurveShape::Step;
    loaded.session.automation = vec![mute];
    assert!(validate(&loaded.session).is_empty());
    let src = sources(&loaded);
    let [l, _] = render_in_blocks(
        &mut graph(&loaded, &src, 512),
        36_000,
        &[512],
        Threads::Single,
    );
    assert_eq!(l[10_000], 0.5, "not muted before the switch");
    assert_eq!(l[23_999], 0.5, "a step holds until the switch");
    assert_eq!(l[24_000 + 960 + 64], 0.0, "muted after it (20 ms glide)");

    // A second track soloed: the first stays silent though its lane says unmuted.
    write_wav24(
        &dir.path().join("quiet.wav"),
        RATE,
        &[vec![0.25; FRAMES], vec![0.25; FRAMES]],
    );
    let mut t = track_with_clip(
        &mut loaded.session,
        "Solo",
        "quiet.wav".into(),
        FRAMES as u64,
    );
    t.strip.solo = true;
    loaded.session.tracks.push(t);
    let src = sources(&loaded);
    let [l, _] = render_in_blocks(
        &mut graph(&loaded, &src, 512),
        12_000,
        &[512],
        Threads::Single,
    );
    assert_eq!(l[10_000], 0.25, "only the soloed track plays");
}

/// While a control writes a lane, the engine plays what the control sends instead.
#[test]
fn a_suspended_lane_lets_the_control_be_heard() {
    use stemdesk_engine::live::LiveParam;
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = fader_ramp(dir.path());
    let src = sources(&loaded);
    let lane = &loaded.session.automation[0];
    let (mut handle, mut player) = stemdesk_engine::engine(graph(&loaded, &src, 256));
    handle.play().expect("queue");
    let (mut l, mut r) = (vec![0.0f32; 4_800], vec![0.0f32; 4_800]);
    player.process(&mut l, &mut r);
    assert!(l[4_799] < 0.01, "the lane plays: still near silence");
    handle
        .suspend_lane(lane.target.strip, lane.id, true)
        .expect("queue");
    handle
        .set_param(lane.target.strip, LiveParam::GainDb, -6.0)
        .expect("queue");
    player.process(&mut l, &mut r);
    assert!(
        (l[4_799] - 0.5 * db_to_lin(-6.0)).abs() < 1e-6,
        "the control is heard"
    );
    handle
        .suspend_lane(lane.target.strip, lane.id, false)
        .expect("queue");
    player.process(&mut l, &mut r);
    let want = 0.5 * db_to_lin(lane.value_at(3 * 4_800 - 1).expect("points"));
    assert!(
        (l[4_799] - want).abs() < 1e-6,
        "the lane again: {} vs {want}",
        l[4_799]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]
    #[test]
    fn an_automated_mix_renders_the_same_for_random_block_sequences(
        blocks in prop::collection::vec(1usize..1500, 1..20),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let loaded = automate_full_session(&full_session(dir.path()));
        let src = sources(&loaded);
        let reference = render_in_blocks(&mut graph(&loaded, &src, 2048), 30_000, &[2048], Threads::Single);
        let out = render_in_blocks(&mut graph(&loaded, &src, 700), 30_000, &blocks, Threads::Single);
        for ch in 0..2 {
            let diff = out[ch].iter().zip(&reference[ch]).position(|(a, b)| a.to_bits() != b.to_bits());
            prop_assert_eq!(diff, None);
        }
    }
}
