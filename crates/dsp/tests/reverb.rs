//! Reverb: RT60 from the energy decay curve, decorrelation, damping, DC.

mod common;

use stemdesk_dsp::{
    Eq, EqBand, EqBandKind, EqParams, Reverb, ReverbParams, StereoProcessor, designed_rt60_s,
};

const FS: f32 = 48_000.0;

fn params(decay_s: f32, damping: f32) -> ReverbParams {
    ReverbParams {
        predelay_ms: 0.0,
        decay_s,
        size: 0.7,
        damping,
        width: 1.0,
        mix: 1.0,
    }
}

fn impulse_response(p: &ReverbParams, seconds: f32) -> (Vec<f32>, Vec<f32>) {
    let mut rev = Reverb::new(FS, p);
    let n = (seconds * FS) as usize;
    let mut l = vec![0.0; n];
    let mut r = vec![0.0; n];
    l[0] = 1.0;
    r[0] = 1.0;
    rev.process(&mut l, &mut r);
    (l, r)
}

/// RT60 from Schroeder backward integration of `sum(ch^2)`, fitting the EDC between
/// -5 and -35 dB by least squares and extrapolating to -60 dB.
fn rt60(channels: &[&[f32]]) -> f64 {
    let n = channels[0].len();
    let mut edc = vec![0.0f64; n];
    let mut acc = 0.0;
    for i in (0..n).rev() {
        acc += channels
            .iter()
            .map(|c| f64::from(c[i]) * f64::from(c[i]))
            .sum::<f64>();
        edc[i] = acc;
    }
    let total = edc[0];
    let (mut sx, mut sy, mut sxx, mut sxy, mut k) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &e) in edc.iter().enumerate() {
        let db = 10.0 * (e / total).log10();
        if (-35.0..=-5.0).contains(&db) {
            let t = i as f64 / f64::from(FS);
            sx += t;
            sy += db;
            sxx += t * t;
            sxy += t * db;
            k += 1.0;
        }
    }
    let slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
    -60.0 / slope
}

#[test]
fn rt60_matches_decay_setting() {
    for decay in [0.5f32, 2.0, 5.0] {
        let (l, r) = impulse_response(&params(decay, 0.0), decay * 2.0 + 1.0);
        let t = rt60(&[&l, &r]);
        eprintln!("decay {decay} s: measured RT60 {t:.3} s");
        assert!(
            (t - f64::from(decay)).abs() < 0.2 * f64::from(decay),
            "decay {decay}: measured {t}"
        );
    }
}

fn filtered(x: &[f32], kind: EqBandKind, freq_hz: f32) -> Vec<f32> {
    let p = EqParams {
        bands: vec![EqBand {
            enabled: true,
            kind,
            freq_hz,
            gain_db: 0.0,
            q: std::f32::consts::FRAC_1_SQRT_2,
        }],
        response: stemdesk_dsp::EqResponse::Analog,
    };
    let mut eq = Eq::new(FS, &p);
    let mut l = x.to_vec();
    let mut r = x.to_vec();
    eq.process(&mut l, &mut r);
    // Run the same cascade again for a steeper (48 dB/oct) split.
    let mut eq = Eq::new(FS, &p);
    eq.process(&mut l, &mut r);
    l
}

#[test]
fn damping_shortens_high_frequency_decay_only() {
    let decay = 2.0f64;
    let (l, _) = impulse_response(&params(decay as f32, 0.8), 5.0);
    let low = filtered(&l, EqBandKind::LowPass24, 300.0);
    let high = filtered(&l, EqBandKind::HighPass24, 6000.0);
    let t_low = rt60(&[&low]);
    let t_high = rt60(&[&high]);
    eprintln!("damping 0.8: RT60 < 300 Hz {t_low:.3} s, > 6 kHz {t_high:.3} s");
    assert!(
        (t_low - decay).abs() < 0.2 * decay,
        "low-frequency RT60 {t_low}"
    );
    assert!(t_high < 0.6 * decay, "high-frequency RT60 {t_high}");
}

#[test]
fn outputs_are_decorrelated() {
    for size in [0.0f32, 0.5, 1.0] {
        let mut p = params(2.0, 0.3);
        p.size = size;
        let (l, r) = impulse_response(&p, 3.0);
        let dot: f64 = l
            .iter()
            .zip(&r)
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .sum();
        let el: f64 = l.iter().map(|a| f64::from(*a).powi(2)).sum();
        let er: f64 = r.iter().map(|a| f64::from(*a).powi(2)).sum();
        let rho = dot / (el * er).sqrt();
        eprintln!("size {size}: L/R correlation {rho:.4}");
        assert!(rho.abs() < 0.5, "size {size}: correlation {rho}");
        assert!(el > 1e-3 && er > 1e-3);
    }
    // Width 0 makes the wet signal mono.
    let mut p = params(1.0, 0.0);
    p.width = 0.0;
    let (l, r) = impulse_response(&p, 1.0);
    assert_eq!(l, r);
}

/// Criterion: with a DC input (0.5 in both channels) for 10 s, the mean of the wet
/// output over the last second is below 1e-3 of the input DC (the input DC blocker
/// keeps DC out of the loop, so nothing builds up).
#[test]
fn no_dc_build_up() {
    for decay in [0.5f32, 5.0, 30.0] {
        let mut rev = Reverb::new(FS, &params(decay, 0.0));
        let n = (10.0 * FS) as usize;
        let mut l = vec![0.5f32; n];
        let mut r = vec![0.5f32; n];
        rev.process(&mut l, &mut r);
        let tail = &l[n - FS as usize..];
        let mean = tail.iter().map(|&x| f64::from(x)).sum::<f64>() / tail.len() as f64;
        eprintln!("decay {decay} s: output mean {mean:.2e} for DC 0.5");
        assert!(mean.abs() < 0.5e-3, "decay {decay}: mean {mean}");
        assert!(l.iter().chain(r.iter()).all(|x| x.is_finite()));
    }
}

/// The wet sound starts at the pre-delay (within 1 ms) at every size: no extra delay from
/// the network's shortest line (it used to add 7.5-30 ms).
#[test]
fn the_onset_is_the_predelay_at_every_size() {
    for size in [0.0f32, 0.5, 1.0] {
        for predelay_ms in [0.0f32, 20.0] {
            let mut p = params(1.5, 0.3);
            p.size = size;
            p.predelay_ms = predelay_ms;
            let (l, r) = impulse_response(&p, 0.5);
            let peak = l.iter().chain(&r).fold(0.0f32, |m, x| m.max(x.abs()));
            let onset = l
                .iter()
                .zip(&r)
                .position(|(a, b)| a.abs().max(b.abs()) > 0.01 * peak)
                .expect("some output");
            let want = (predelay_ms * 1e-3 * FS) as usize;
            eprintln!("size {size}, predelay {predelay_ms} ms: onset at {onset} samples");
            assert!(
                onset >= want && onset <= want + (0.001 * FS) as usize,
                "size {size}, predelay {predelay_ms} ms: onset at {onset} samples"
            );
        }
    }
}

#[test]
fn predelay_delays_the_onset() {
    let mut p = params(1.0, 0.0);
    p.predelay_ms = 100.0;
    let (l, r) = impulse_response(&p, 0.5);
    let first = l
        .iter()
        .zip(&r)
        .position(|(a, b)| *a != 0.0 || *b != 0.0)
        .expect("some output");
    assert!(first >= 4800, "first output at {first}");
    assert!(first < 4800 + 2000);
}

/// `x` through an octave band around `center_hz` (48 dB/octave skirts).
fn octave(x: &[f32], center_hz: f32) -> Vec<f32> {
    let high = filtered(
        x,
        EqBandKind::HighPass24,
        center_hz / std::f32::consts::SQRT_2,
    );
    filtered(
        &high,
        EqBandKind::LowPass24,
        center_hz * std::f32::consts::SQRT_2,
    )
}

/// T30 per octave band by Schroeder integration, against the designed RT60, for damping
/// 0 to 1 (damping 1 once collapsed: 0.55 s at 125 Hz for a 2 s decay).
#[test]
fn octave_band_decay_follows_the_design_at_every_damping() {
    for damping in [0.0f32, 0.5, 0.8, 1.0] {
        let p = ReverbParams {
            size: 0.8,
            ..params(2.0, damping)
        };
        let (l, _) = impulse_response(&p, 4.0);
        for center in [125.0f32, 250.0, 500.0, 1000.0, 2000.0, 4000.0] {
            let band = octave(&l, center);
            let measured = rt60(&[&band]);
            let designed = designed_rt60_s(FS, &p, center);
            eprintln!(
                "damping {damping}: {center} Hz T30 {measured:.3} s, designed {designed:.3} s"
            );
            assert!(
                (measured - designed).abs() < 0.1 * designed,
                "damping {damping}, {center} Hz: T30 {measured:.3} s, designed {designed:.3} s"
            );
        }
    }
    // The documented end points: the decay at low frequencies, 0.15 of it at Nyquist.
    let p = ReverbParams {
        size: 0.8,
        ..params(2.0, 1.0)
    };
    assert!((designed_rt60_s(FS, &p, 20.0) - 2.0).abs() < 0.02);
    assert!((designed_rt60_s(FS, &p, FS / 2.0) - 0.3).abs() < 0.003);
}

/// Largest normalised autocorrelation of the tail of `x` (from 0.2 s to 1.7 s, with the
/// decay envelope flattened by dividing by a 20 ms RMS envelope) at lags from 1 ms to
/// 250 ms. A tail that repeats (a metallic, fluttering colour) correlates with itself at
/// the repetition period; white noise gives about 1/sqrt(n) (~0.005 here).
fn tail_periodicity(x: &[f32]) -> (f64, usize) {
    let fs = f64::from(FS);
    let (start, end) = ((0.2 * fs) as usize, (1.7 * fs) as usize);
    let win = (0.02 * fs) as usize;
    // Flatten the envelope: divide by the RMS over a centred 20 ms window.
    let mut prefix = vec![0.0f64; x.len() + 1];
    for (i, v) in x.iter().enumerate() {
        prefix[i + 1] = prefix[i] + f64::from(*v).powi(2);
    }
    let max_lag = (0.25 * fs) as usize;
    let flat: Vec<f64> = (start..end + max_lag)
        .map(|i| {
            let (a, b) = (i - win / 2, i + win / 2);
            let rms = ((prefix[b] - prefix[a]) / win as f64).sqrt();
            f64::from(x[i]) / rms.max(1e-30)
        })
        .collect();
    let n = end - start;
    let energy: f64 = flat[..n].iter().map(|v| v * v).sum();
    let mut worst = (0.0f64, 0);
    for lag in (0.001 * fs) as usize..max_lag {
        let dot: f64 = (0..n).map(|i| flat[i] * flat[i + lag]).sum();
        let other: f64 = flat[lag..lag + n].iter().map(|v| v * v).sum();
        let r = dot / (energy * other).sqrt();
        if r.abs() > worst.0 {
            worst = (r.abs(), lag);
        }
    }
    worst
}

/// Decaying white noise, as a calibration of [`tail_periodicity`].
fn decaying_noise(seconds: f32) -> Vec<f32> {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    (0..(seconds * FS) as usize)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let u = (seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
            u * (-3.0 * i as f32 / FS).exp()
        })
        .collect()
}

/// Bound on the tail's autocorrelation at any lag from 1 to 250 ms. With a fixed Hadamard
/// feedback matrix it measured 0.30-0.32 at the lines' lengths (a metallic flutter); the
/// turning matrix gives 0.046-0.062. Decaying white noise measures 0.014 here (the largest
/// of 12 000 lags of a 1.5 s window).
const MAX_TAIL_AUTOCORRELATION: f64 = 0.08;

/// The tail does not repeat: its autocorrelation stays near that of noise at every lag up
/// to 250 ms, for every size and damping.
#[test]
fn the_tail_does_not_repeat() {
    let (noise, _) = tail_periodicity(&decaying_noise(2.0));
    eprintln!("decaying white noise: {noise:.4}");
    assert!(noise < 0.03, "the measure itself: noise gives {noise}");
    for size in [0.0f32, 0.5, 1.0] {
        for damping in [0.0f32, 0.5] {
            let mut p = params(4.0, damping);
            p.size = size;
            let (l, r) = impulse_response(&p, 2.0);
            let ((rl, lag_l), (rr, lag_r)) = (tail_periodicity(&l), tail_periodicity(&r));
            eprintln!(
                "size {size}, damping {damping}: tail autocorrelation L {rl:.4} at {lag_l}, \
                 R {rr:.4} at {lag_r}"
            );
            assert!(
                rl.max(rr) < MAX_TAIL_AUTOCORRELATION,
                "size {size}, damping {damping}: tail autocorrelation {:.3}",
                rl.max(rr)
            );
        }
    }
}
