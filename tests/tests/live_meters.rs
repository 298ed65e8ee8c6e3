//! Meters published by the audio side: strip peaks/RMS for every strip, compressor gain
//! reduction and gate input level for the effect editors.
#![allow(missing_docs)]

use stemdesk_e2e::*;
use stemdesk_engine::engine;
use stemdesk_session::StripId;

#[test]
fn strips_compressors_and_gates_publish_their_levels() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = full_session_with_len(dir.path(), 48_000);
    let src = sources(&loaded);
    let s = &loaded.session;
    let stereo = StripId::Track(s.tracks[0].id);
    let mono = StripId::Track(s.tracks[1].id);
    let comp = s.tracks[0].strip.inserts[1].id;
    let gate = s.tracks[1].strip.inserts[0].id;
    let (mut h, mut player) = engine(graph(&loaded, &src, 256));
    h.play().expect("queue");
    let mut out = vec![0.0f32; 512];
    for _ in 0..100 {
        player.process_interleaved(&mut out, 2);
    }
    let bank = h.meters();
    for strip in bank.strips().to_vec() {
        let r = bank.take(strip).expect("every strip is metered");
        assert!(r.peak.iter().all(|p| p.is_finite() && *p >= 0.0));
    }
    // Peaks were just taken: nothing new until the next callback.
    assert_eq!(bank.take(stereo).map(|r| r.peak), Some([0.0, 0.0]));
    player.process_interleaved(&mut out, 2);
    assert!(
        bank.take(stereo)
            .is_some_and(|r| r.peak[0] > 0.0 && r.rms[0] > 0.0)
    );
    let gr = bank.dynamics_db(stereo, comp).expect("compressor metered");
    assert!(gr > 0.0, "the compressor is reducing gain: {gr} dB");
    let gate_in = bank.take_dynamics_input(mono, gate).expect("gate metered");
    assert!(gate_in > 0.0, "gate input level {gate_in}");
    assert_eq!(bank.take_dynamics_input(mono, gate), Some(0.0), "taken");
    assert!(
        bank.dynamics_db(mono, comp).is_none(),
        "no such insert on that strip"
    );
}
