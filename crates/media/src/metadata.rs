//! What a delivered file says about itself: title, artist, date, the software, and for
//! WAV a Broadcast Wave `bext` chunk (EBU Tech 3285 v2: originator, date and time, time
//! reference, loudness figures) plus a RIFF `LIST`/`INFO` chunk; for FLAC, Vorbis comments.

/// Descriptive data written into a bounce.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    /// The title (e.g. the song).
    pub title: String,
    /// The artist.
    pub artist: String,
    /// Origination date, `YYYY-MM-DD`.
    pub date: String,
    /// Origination time, `HH:MM:SS`.
    pub time: String,
    /// The software that made it.
    pub software: String,
    /// Where in the song the file starts, in frames since its start (BWF time reference).
    pub time_reference_frames: u64,
}

/// Loudness figures a `bext` chunk carries (EBU R 128 / Tech 3285 v2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BextLoudness {
    /// Integrated loudness, LUFS.
    pub integrated_lufs: Option<f64>,
    /// Loudness range, LU.
    pub range_lu: Option<f64>,
    /// Maximum true peak, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// Maximum momentary loudness, LUFS.
    pub max_momentary_lufs: Option<f64>,
    /// Maximum short-term loudness, LUFS.
    pub max_short_term_lufs: Option<f64>,
}

/// Size of the fixed part of a `bext` chunk.
pub(crate) const BEXT_LEN: usize = 602;
/// Offset of the loudness fields inside the `bext` data.
pub(crate) const BEXT_LOUDNESS_AT: usize = 256 + 32 + 32 + 10 + 8 + 4 + 4 + 2 + 64;

fn fixed(text: &str, len: usize) -> Vec<u8> {
    let mut b: Vec<u8> = text.bytes().filter(u8::is_ascii).take(len).collect();
    b.resize(len, 0);
    b
}

impl Metadata {
    /// The `bext` chunk (id, size, data); loudness "not set" until [`bext_loudness`].
    pub(crate) fn bext_chunk(&self) -> Vec<u8> {
        let mut d = Vec::with_capacity(BEXT_LEN);
        d.extend(fixed(&self.title, 256)); // Description
        d.extend(fixed(&self.software, 32)); // Originator
        d.extend(fixed(&self.artist, 32)); // OriginatorReference
        d.extend(fixed(&self.date, 10));
        d.extend(fixed(&self.time, 8));
        d.extend_from_slice(&(self.time_reference_frames as u32).to_le_bytes());
        d.extend_from_slice(&((self.time_reference_frames >> 32) as u32).to_le_bytes());
        d.extend_from_slice(&2u16.to_le_bytes()); // version 2: loudness fields
        d.extend_from_slice(&[0u8; 64]); // UMID
        d.extend(bext_loudness(None));
        d.extend_from_slice(&[0u8; 180]); // reserved
        debug_assert_eq!(d.len(), BEXT_LEN);
        let mut c = b"bext".to_vec();
        c.extend_from_slice(&(d.len() as u32).to_le_bytes());
        c.extend(d);
        c
    }

    /// The `LIST` chunk of `INFO` entries (title, artist, date, software), even-padded.
    pub(crate) fn info_chunk(&self) -> Vec<u8> {
        let mut body = b"INFO".to_vec();
        for (id, text) in [
            (b"INAM", &self.title),
            (b"IART", &self.artist),
            (b"ICRD", &self.date),
            (b"ISFT", &self.software),
        ] {
            if text.is_empty() {
                continue;
            }
            let mut v = text.as_bytes().to_vec();
            v.push(0);
            body.extend_from_slice(id);
            body.extend_from_slice(&(v.len() as u32).to_le_bytes());
            if v.len() % 2 == 1 {
                v.push(0);
            }
            body.extend(v);
        }
        let mut c = b"LIST".to_vec();
        c.extend_from_slice(&(body.len() as u32).to_le_bytes());
        c.extend(body);
        c
    }

    /// A FLAC `VORBIS_COMMENT` block's data: TITLE, ARTIST, DATE, ENCODER.
    pub fn vorbis_comment(&self) -> Vec<u8> {
        let vendor = if self.software.is_empty() {
            "Stemdesk"
        } else {
            &self.software
        };
        let entries: Vec<String> = [
            ("TITLE", &self.title),
            ("ARTIST", &self.artist),
            ("DATE", &self.date),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
        let mut d = Vec::new();
        d.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
        d.extend_from_slice(vendor.as_bytes());
        d.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for e in entries {
            d.extend_from_slice(&(e.len() as u32).to_le_bytes());
            d.extend_from_slice(e.as_bytes());
        }
        d
    }

    /// Today's date and time (UTC) as `YYYY-MM-DD` and `HH:MM:SS`.
    pub fn now() -> (String, String) {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        (
            format!("{y:04}-{m:02}-{d:02}"),
            format!(
                "{:02}:{:02}:{:02}",
                rest / 3600,
                (rest / 60) % 60,
                rest % 60
            ),
        )
    }
}

/// The ten bytes of `bext` loudness fields (hundredths, 0x7FFF = not set).
pub(crate) fn bext_loudness(l: Option<&BextLoudness>) -> Vec<u8> {
    let v = |x: Option<f64>| -> i16 {
        x.filter(|v| v.is_finite()).map_or(0x7FFF, |v| {
            (v * 100.0).round().clamp(-32_767.0, 32_766.0) as i16
        })
    };
    let l = l.copied().unwrap_or(BextLoudness {
        integrated_lufs: None,
        range_lu: None,
        true_peak_dbtp: None,
        max_momentary_lufs: None,
        max_short_term_lufs: None,
    });
    [
        l.integrated_lufs,
        l.range_lu,
        l.true_peak_dbtp,
        l.max_momentary_lufs,
        l.max_short_term_lufs,
    ]
    .into_iter()
    .flat_map(|x| v(x).to_le_bytes())
    .collect()
}
