//! Waveform peaks and the downmix rule.

use stemdesk_media::{DecodedAudio, Downmix, PeakCache, downmix};

#[test]
fn peak_levels_merge_and_top_level_is_global() {
    let frames: usize = 64 * 37 + 5;
    let left: Vec<f32> = (0..frames)
        .map(|i| ((i as f32) * 0.013).sin() * (i as f32 / frames as f32))
        .collect();
    let right: Vec<f32> = (0..frames)
        .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.6)
        .collect();
    let audio = DecodedAudio {
        sample_rate_hz: 48_000,
        channels: vec![left.clone(), right.clone()],
        source_channels: 2,
        warnings: vec![],
    };
    let cache = PeakCache::build(&audio);
    assert!(cache.levels() > 3);
    for (c, data) in [left, right].iter().enumerate() {
        let top = cache.buckets(cache.levels() - 1, c);
        assert_eq!(top.len(), 1);
        let min = data.iter().copied().fold(f32::INFINITY, f32::min);
        let max = data.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        assert_eq!(top[0], (min, max));
        assert_eq!(cache.buckets(0, c).len(), frames.div_ceil(64));
        assert_eq!(
            cache.buckets(0, c)[3],
            data[192..256]
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &s| (
                    a.min(s),
                    b.max(s)
                ))
        );
        for level in 0..cache.levels() - 1 {
            let (lo, hi) = (cache.buckets(level, c), cache.buckets(level + 1, c));
            assert_eq!(hi.len(), lo.len().div_ceil(2));
            for (i, b) in hi.iter().enumerate() {
                let pair = &lo[2 * i..(2 * i + 2).min(lo.len())];
                let merged = pair
                    .iter()
                    .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, m), p| {
                        (a.min(p.0), m.max(p.1))
                    });
                assert_eq!(*b, merged, "level {level} bucket {i}");
            }
        }
    }
    assert_eq!(cache.level_for(1.0), 0);
    assert_eq!(cache.level_for(128.0), 1);
    assert_eq!(cache.level_for(200.0), 1);
    assert_eq!(cache.level_for(1e12), cache.levels() - 1);
    assert!(cache.buckets(99, 0).is_empty());
}

#[test]
fn mono_and_stereo_pass_through_unchanged() {
    let mono = vec![vec![0.1f32, -0.2, 0.3]];
    let (out, note) = downmix(&mono, None);
    assert_eq!(out, mono);
    assert!(note.is_none());
    let stereo = vec![vec![0.1f32, 0.2], vec![-0.3, 0.4]];
    let (out, note) = downmix(&stereo, Some(0b11));
    assert_eq!(out, stereo);
    assert!(note.is_none());
}

#[test]
fn five_one_follows_itu_and_cannot_clip() {
    let mix = Downmix::new(6, None);
    let h = std::f32::consts::FRAC_1_SQRT_2;
    let s = 1.0 / (1.0 + 2.0 * h);
    let want = [
        [1.0, 0.0],
        [0.0, 1.0],
        [h, h],
        [0.0, 0.0],
        [h, 0.0],
        [0.0, h],
    ];
    for (ch, w) in want.iter().enumerate() {
        for (out, want_gain) in w.iter().enumerate() {
            assert!(
                (mix.gain(ch, out) - want_gain * s).abs() < 1e-6,
                "ch {ch} -> {out}"
            );
        }
    }
    // All channels at full scale in phase: the result must not exceed full scale.
    let planes = vec![vec![1.0f32; 4]; 6];
    let (out, note) = downmix(&planes, None);
    assert!(out.iter().flatten().all(|&v| v <= 1.0 + 1e-6));
    assert!((out[0][0] - 1.0).abs() < 1e-6);
    assert!(note.expect("note").contains("ITU-R BS.775, LFE dropped"));
}

#[test]
fn wave_mask_decides_positions_and_unknown_layouts_alternate() {
    // 5.1 with rear instead of side surrounds (mask FL FR FC LFE BL BR) mixes the same way.
    let rear = Downmix::new(6, Some(0b11_1111));
    let side = Downmix::new(6, None);
    for ch in 0..6 {
        assert_eq!(rear.gain(ch, 0), side.gain(ch, 0));
    }
    // 4 channels without layout: L R L R at equal weight, scaled by 1/2.
    let quad = Downmix::new(4, None);
    assert_eq!(
        [
            quad.gain(0, 0),
            quad.gain(1, 1),
            quad.gain(2, 0),
            quad.gain(3, 1)
        ],
        [0.5; 4]
    );
    assert_eq!(quad.gain(0, 1), 0.0);
    assert!(quad.description().expect("note").contains("alternate"));
    // 3 channels L R C (mask 0b111): centre to both at -3 dB.
    let lrc = Downmix::new(3, Some(0b111));
    let h = std::f32::consts::FRAC_1_SQRT_2;
    assert!((lrc.gain(2, 0) / lrc.gain(0, 0) - h).abs() < 1e-6);
    assert_eq!(lrc.output_channels(), 2);
}
