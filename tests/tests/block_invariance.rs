//! A full mix renders the same whatever the block size and however many threads.
#![allow(missing_docs)]

use proptest::prelude::*;
use stemdesk_e2e::*;
use stemdesk_engine::Threads;

#[test]
fn bounce_is_identical_at_64_512_and_random_blocks_and_with_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = full_session(dir.path());
    let src = sources(&loaded);
    let reference = bounce_to_vec(&loaded, &src, 64, Threads::Single);
    assert!(reference.len() > 27_000 * 2, "includes the effect tail");
    assert!(reference.iter().all(|x| x.is_finite()));
    assert!(
        reference.iter().fold(0.0f32, |m, x| m.max(x.abs())) > 0.05,
        "not silent"
    );
    for (block, threads) in [
        (512, Threads::Single),
        (512, Threads::Pool),
        (4096, Threads::Pool),
    ] {
        let out = bounce_to_vec(&loaded, &src, block, threads);
        assert_eq!(out.len(), reference.len(), "length at block {block}");
        let diff = out
            .iter()
            .zip(&reference)
            .position(|(a, b)| a.to_bits() != b.to_bits());
        assert_eq!(diff, None, "differs at block {block} {threads:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]
    #[test]
    fn render_is_identical_for_random_block_sequences(blocks in prop::collection::vec(1usize..1500, 1..20)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let loaded = full_session(dir.path());
        let src = sources(&loaded);
        let frames = 30_000;
        let reference = render_in_blocks(&mut graph(&loaded, &src, 2048), frames, &[2048], Threads::Single);
        // A graph with a smaller maximum block also has to split requests internally.
        let out = render_in_blocks(&mut graph(&loaded, &src, 700), frames, &blocks, Threads::Single);
        for ch in 0..2 {
            let diff = out[ch].iter().zip(&reference[ch]).position(|(a, b)| a.to_bits() != b.to_bits());
            prop_assert_eq!(diff, None);
        }
    }
}
