//! A graph swap keeps effects running: swapping in an identical graph mid-song leaves the
//! output untouched once the 10 ms crossfade is over (reverb and delay tails, compressor
//! envelopes carry over), and the crossfade itself only dips what the old graph's fresh
//! effects do not produce.
#![allow(missing_docs)]

use stemdesk_e2e::*;
use stemdesk_engine::live::CROSSFADE_MS;
use stemdesk_engine::{Player, engine};

fn render(player: &mut Player, frames: usize, block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
    let mut pos = 0;
    while pos < frames {
        let n = block.min(frames - pos);
        player.process(&mut l[pos..pos + n], &mut r[pos..pos + n]);
        pos += n;
    }
    (l, r)
}

#[test]
fn swapping_an_identical_graph_changes_nothing_after_the_crossfade() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = full_session_with_len(dir.path(), 96_000);
    let src = sources(&loaded);
    let swap_at = 40_000;
    let total = 120_000;
    let fade = (48_000.0 * CROSSFADE_MS / 1000.0) as usize;

    let (mut h, mut reference) = engine(graph(&loaded, &src, 256));
    h.play().expect("queue");
    let (ref_l, ref_r) = render(&mut reference, total, 256);

    let (mut h, mut swapped) = engine(graph(&loaded, &src, 256));
    h.play().expect("queue");
    let (mut l, mut r) = render(&mut swapped, swap_at, 256);
    h.swap_graph(graph(&loaded, &src, 256)).expect("queue");
    let (l2, r2) = render(&mut swapped, total - swap_at, 256);
    l.extend(l2);
    r.extend(r2);

    let first_diff = (0..total).find(|&i| l[i] != ref_l[i] || r[i] != ref_r[i]);
    assert!(
        first_diff.is_none_or(|i| i >= swap_at),
        "identical before the swap: {first_diff:?}"
    );
    let after = swap_at + fade;
    let late_diff = (after..total).find(|&i| l[i] != ref_l[i] || r[i] != ref_r[i]);
    assert_eq!(
        late_diff, None,
        "tails carried over: identical after the crossfade"
    );
    let energy: f32 = ref_l[swap_at..].iter().map(|x| x * x).sum();
    assert!(energy > 1.0, "there is signal (and tail) across the swap");
}
