//! Reducing any channel count to what a mixer channel strip takes: mono or stereo.
//!
//! # The rule
//!
//! * 1 channel stays mono and 2 channels stay stereo, untouched.
//! * 3 or more channels become stereo:
//!   * **With a speaker layout** (a WAVE channel mask, as in WAVE_FORMAT_EXTENSIBLE, or the
//!     layout a FLAC/AAC/Vorbis stream implies), ITU-R BS.775 style: front left/right go
//!     to L/R at 0 dB, the centre goes to both sides at -3 dB, each surround (side or rear)
//!     goes to its own side at -3 dB, the rear centre to both at -3 dB, and the LFE is
//!     dropped. Any other positioned channel (wide, top, left/right-of-centre, ...) goes to
//!     the side it is on, or to both if centred, at -3 dB.
//!   * **Without a layout, 6 channels** are taken as the standard 5.1 order
//!     FL FR FC LFE SL SR and mixed as above.
//!   * **Without a layout otherwise**, channels alternate L, R, L, R, ... all at equal weight.
//! * Then the whole matrix is scaled down so that the largest sum of absolute coefficients
//!   feeding one output is at most 1: the stereo result can never peak higher than the
//!   loudest source channel, so a downmix never creates clipping that was not there.
//!   For 5.1 this is a reduction of about 7.7 dB (1 / (1 + 2 * 0.707)).
//!
//! The level is chosen for safety, not loudness: the musician sets the fader afterwards.

/// -3 dB as a linear gain (1/sqrt(2)): ITU-R BS.775 coefficient for centre and surrounds.
const MINUS_3DB: f32 = std::f32::consts::FRAC_1_SQRT_2;

// Speaker position bits, identical to the WAVE_FORMAT_EXTENSIBLE `dwChannelMask` bits
// (and to symphonia's `Position` bits for the first 18).
const FRONT_LEFT: u64 = 1 << 0;
const FRONT_RIGHT: u64 = 1 << 1;
const FRONT_CENTER: u64 = 1 << 2;
const LFE1: u64 = 1 << 3;
const REAR_LEFT: u64 = 1 << 4;
const REAR_RIGHT: u64 = 1 << 5;
const FRONT_LEFT_CENTER: u64 = 1 << 6;
const FRONT_RIGHT_CENTER: u64 = 1 << 7;
const REAR_CENTER: u64 = 1 << 8;
const SIDE_LEFT: u64 = 1 << 9;
const SIDE_RIGHT: u64 = 1 << 10;
const TOP_CENTER: u64 = 1 << 11;
const TOP_FRONT_LEFT: u64 = 1 << 12;
const TOP_FRONT_CENTER: u64 = 1 << 13;
const TOP_FRONT_RIGHT: u64 = 1 << 14;
const TOP_REAR_LEFT: u64 = 1 << 15;
const TOP_REAR_CENTER: u64 = 1 << 16;
const TOP_REAR_RIGHT: u64 = 1 << 17;
const LFE2: u64 = 1 << 18;
const TOP_SIDE_LEFT: u64 = 1 << 19;
const TOP_SIDE_RIGHT: u64 = 1 << 20;
const BOTTOM_FRONT_CENTER: u64 = 1 << 21;
const BOTTOM_FRONT_LEFT: u64 = 1 << 22;
const BOTTOM_FRONT_RIGHT: u64 = 1 << 23;
const FRONT_LEFT_WIDE: u64 = 1 << 24;
const FRONT_RIGHT_WIDE: u64 = 1 << 25;

const LEFT_SIDE: u64 = FRONT_LEFT_CENTER
    | TOP_FRONT_LEFT
    | TOP_REAR_LEFT
    | TOP_SIDE_LEFT
    | BOTTOM_FRONT_LEFT
    | FRONT_LEFT_WIDE;
const RIGHT_SIDE: u64 = FRONT_RIGHT_CENTER
    | TOP_FRONT_RIGHT
    | TOP_REAR_RIGHT
    | TOP_SIDE_RIGHT
    | BOTTOM_FRONT_RIGHT
    | FRONT_RIGHT_WIDE;
const CENTRED: u64 = TOP_CENTER | TOP_FRONT_CENTER | TOP_REAR_CENTER | BOTTOM_FRONT_CENTER;

/// The standard 5.1 layout assumed for 6 channels without a channel map.
const LAYOUT_5_1: u64 = FRONT_LEFT | FRONT_RIGHT | FRONT_CENTER | LFE1 | SIDE_LEFT | SIDE_RIGHT;

/// A fixed mixing matrix from N source channels to 1 or 2 output channels.
///
/// Built once per file from its channel count and layout, then applied packet by packet
/// while decoding so a 6-channel file never needs 6 full-length buffers in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Downmix {
    /// `gains[source] = [to_left, to_right]` (for mono/stereo passthrough: identity).
    gains: Vec<[f32; 2]>,
    output_channels: usize,
    description: Option<String>,
}

impl Downmix {
    /// Build the matrix for `source_channels` channels.
    ///
    /// `wave_channel_mask` is the speaker layout as WAVE_FORMAT_EXTENSIBLE channel-mask bits
    /// (bit 0 = front left, 1 = front right, 2 = centre, 3 = LFE, 4/5 = rear L/R,
    /// 9/10 = side L/R, ...; channels appear in the file in increasing bit order). It is
    /// used only when its number of set bits equals `source_channels`; otherwise the file is
    /// treated as having no layout. See the module docs for the full rule.
    pub fn new(source_channels: usize, wave_channel_mask: Option<u64>) -> Self {
        match source_channels {
            0 | 1 => Downmix {
                gains: vec![[1.0, 0.0]; source_channels],
                output_channels: 1,
                description: None,
            },
            2 => Downmix {
                gains: vec![[1.0, 0.0], [0.0, 1.0]],
                output_channels: 2,
                description: None,
            },
            n => {
                let mask = wave_channel_mask
                    .filter(|m| m.count_ones() as usize == n)
                    .or((n == 6).then_some(LAYOUT_5_1));
                let (mut gains, how) = match mask {
                    Some(mask) => {
                        let positions = (0..64).map(|bit| 1u64 << bit).filter(|b| mask & b != 0);
                        let gains: Vec<[f32; 2]> = positions.map(position_gains).collect();
                        let how = if mask & (LFE1 | LFE2) != 0 {
                            "ITU-R BS.775, LFE dropped"
                        } else {
                            "ITU-R BS.775"
                        };
                        (gains, how)
                    }
                    None => (
                        (0..n)
                            .map(|i| if i % 2 == 0 { [1.0, 0.0] } else { [0.0, 1.0] })
                            .collect(),
                        "no speaker layout: channels alternate left/right at equal level",
                    ),
                };
                let worst_sum = (0..2)
                    .map(|out| gains.iter().map(|g| g[out].abs()).sum::<f32>())
                    .fold(0.0f32, f32::max);
                let mut description = format!("{n} channels downmixed to stereo ({how})");
                if worst_sum > 1.0 {
                    let scale = 1.0 / worst_sum;
                    for g in &mut gains {
                        g[0] *= scale;
                        g[1] *= scale;
                    }
                    let db = 20.0 * f64::from(scale).log10();
                    description.push_str(&format!(
                        ", level lowered by {:.1} dB so the mix cannot clip",
                        -db
                    ));
                }
                Downmix {
                    gains,
                    output_channels: 2,
                    description: Some(description),
                }
            }
        }
    }

    /// Number of channels produced: 1 for mono sources, otherwise 2.
    pub fn output_channels(&self) -> usize {
        self.output_channels
    }

    /// A sentence for the user's warning list when channels were actually mixed down
    /// (`None` for mono/stereo passthrough).
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The gain of source channel `source` into output `output` (0 = left/mono, 1 = right),
    /// after the anti-clip scaling. Exposed so the rule can be checked and displayed.
    pub fn gain(&self, source: usize, output: usize) -> f32 {
        self.gains
            .get(source)
            .and_then(|g| g.get(output))
            .copied()
            .unwrap_or(0.0)
    }

    /// Mix planar `input` (one slice per source channel, all the same length) and append
    /// the result to `output` (which must hold [`Self::output_channels`] vectors).
    ///
    /// Passthrough layouts are copied, so mono and stereo stay bit-exact.
    pub fn apply_append(&self, input: &[Vec<f32>], output: &mut [Vec<f32>]) {
        let frames = input.iter().map(Vec::len).min().unwrap_or(0);
        if self.description.is_none() {
            for (out, src) in output.iter_mut().zip(input) {
                out.extend_from_slice(&src[..frames]);
            }
            return;
        }
        for (out_idx, out) in output.iter_mut().enumerate().take(2) {
            let start = out.len();
            out.resize(start + frames, 0.0);
            let dst = &mut out[start..];
            for (src, g) in input.iter().zip(&self.gains) {
                let gain = g[out_idx];
                if gain == 0.0 {
                    continue;
                }
                for (d, s) in dst.iter_mut().zip(src) {
                    *d += gain * s;
                }
            }
        }
    }
}

/// `[to_left, to_right]` for one speaker position bit.
fn position_gains(bit: u64) -> [f32; 2] {
    match bit {
        FRONT_LEFT => [1.0, 0.0],
        FRONT_RIGHT => [0.0, 1.0],
        FRONT_CENTER | REAR_CENTER => [MINUS_3DB, MINUS_3DB],
        LFE1 | LFE2 => [0.0, 0.0],
        REAR_LEFT | SIDE_LEFT => [MINUS_3DB, 0.0],
        REAR_RIGHT | SIDE_RIGHT => [0.0, MINUS_3DB],
        b if b & LEFT_SIDE != 0 => [MINUS_3DB, 0.0],
        b if b & RIGHT_SIDE != 0 => [0.0, MINUS_3DB],
        b if b & CENTRED != 0 => [MINUS_3DB, MINUS_3DB],
        // Positions unknown to this table: treat as centred rather than lose them.
        _ => [MINUS_3DB, MINUS_3DB],
    }
}

/// Downmix whole planar buffers at once (see the module docs for the rule).
///
/// Returns the 1- or 2-channel result and, when channels were mixed down, the sentence
/// describing it for the warnings list.
pub fn downmix(
    planes: &[Vec<f32>],
    wave_channel_mask: Option<u64>,
) -> (Vec<Vec<f32>>, Option<String>) {
    let mix = Downmix::new(planes.len(), wave_channel_mask);
    let mut out = vec![Vec::new(); mix.output_channels()];
    mix.apply_append(planes, &mut out);
    (out, mix.description().map(str::to_owned))
}
