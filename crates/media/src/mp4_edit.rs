//! The edit list of an MP4/M4A audio track: which part of the decoded samples is the
//! presentation. AAC encoders put priming samples before the audio (1024 for ffmpeg's,
//! 2112 for Apple's) and pad the last frame; the `elst` atom says where the audio starts
//! (`media_time`) and how long it lasts (`segment_duration`). Without it an AAC stem lands
//! a frame late and runs long, out of sync with its WAV siblings.
//!
//! Only the atoms on the way are read (a few bytes each); sizes are never trusted for
//! allocation.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// Most atoms looked at before giving up.
const MAX_ATOMS: usize = 10_000;

/// The presentation of the sound track, in frames at the track's own rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Presentation {
    /// Frames to drop at the start (encoder priming).
    pub skip_frames: u64,
    /// Frames to keep after that (the rest is padding).
    pub keep_frames: u64,
}

/// What one `trak` holds that matters here.
#[derive(Debug, Default, Clone, Copy)]
struct Trak {
    sound: bool,
    media_timescale: Option<u32>,
    /// `(segment_duration in movie timescale, media_time in media timescale)` of the first
    /// edit that is not an empty one.
    edit: Option<(u64, i64)>,
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_be_bytes(a)
}

fn read(file: &File, at: u64, buf: &mut [u8]) -> io::Result<bool> {
    match file.read_exact_at(buf, at) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

/// The first real edit of the sound track, in the file's timescales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EditList {
    duration: u64,
    movie_timescale: u32,
    media_time: u64,
    media_timescale: u32,
}

impl EditList {
    /// The presentation in frames at `rate_hz` (the track's sample rate).
    pub(crate) fn presentation(&self, rate_hz: u32) -> Presentation {
        let rate = u128::from(rate_hz);
        let (movie, media) = (
            u128::from(self.movie_timescale.max(1)),
            u128::from(self.media_timescale.max(1)),
        );
        Presentation {
            skip_frames: ((u128::from(self.media_time) * rate + media / 2) / media) as u64,
            keep_frames: ((u128::from(self.duration) * rate + movie / 2) / movie) as u64,
        }
    }
}

/// Applies a [`Presentation`] to audio as it is decoded: drops the priming at the start
/// and the padding past the kept length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trimmer {
    skip_left: u64,
    keep: u64,
    kept: u64,
}

impl Trimmer {
    pub(crate) fn new(p: Presentation) -> Self {
        Trimmer {
            skip_left: p.skip_frames,
            keep: p.keep_frames,
            kept: 0,
        }
    }

    /// `out` (planar) just grew from `before` frames: trims the new part.
    pub(crate) fn apply(&mut self, out: &mut [Vec<f32>], before: usize) {
        let now = out.first().map_or(0, Vec::len);
        let mut new = now.saturating_sub(before);
        let drop = (self.skip_left.min(new as u64)) as usize;
        if drop > 0 {
            for c in out.iter_mut() {
                c.drain(before..before + drop);
            }
            self.skip_left -= drop as u64;
            new -= drop;
        }
        let room = self.keep.saturating_sub(self.kept) as usize;
        if new > room {
            for c in out.iter_mut() {
                c.truncate(before + room);
            }
            new = room;
        }
        self.kept += new as u64;
    }
}

/// The edit list of the first sound track of the MP4 `file` (`len` bytes), if it has
/// one that places the audio; `Ok(None)` otherwise.
pub(crate) fn edit_list(file: &File, len: u64) -> io::Result<Option<EditList>> {
    let mut movie_timescale = None;
    let mut traks = Vec::new();
    let mut budget = MAX_ATOMS;
    walk(file, 0, len, &mut budget, &mut |kind, body, size| {
        match kind {
            b"mvhd" => movie_timescale = timescale(file, body)?,
            b"trak" => traks.push(Trak::default()),
            b"hdlr" => {
                let mut h = [0u8; 12];
                if let Some(t) = traks.last_mut()
                    && size >= 12
                    && read(file, body, &mut h)?
                {
                    t.sound = &h[8..12] == b"soun";
                }
            }
            b"mdhd" => {
                if let Some(t) = traks.last_mut() {
                    t.media_timescale = timescale(file, body)?;
                }
            }
            b"elst" => {
                if let Some(t) = traks.last_mut() {
                    t.edit = first_edit(file, body, size)?;
                }
            }
            _ => {}
        }
        Ok(())
    })?;
    let Some(movie) = movie_timescale.filter(|t| *t > 0) else {
        return Ok(None);
    };
    let Some(t) = traks.iter().find(|t| t.sound) else {
        return Ok(None);
    };
    let (Some(media), Some((duration, media_time))) = (t.media_timescale, t.edit) else {
        return Ok(None);
    };
    if media == 0 || media_time < 0 || duration == 0 {
        return Ok(None);
    }
    Ok(Some(EditList {
        duration,
        movie_timescale: movie,
        media_time: media_time as u64,
        media_timescale: media,
    }))
}

/// Receives each atom: its kind, where its body starts and how long it is.
type Visit<'a> = dyn FnMut(&[u8; 4], u64, u64) -> io::Result<()> + 'a;

/// Calls `visit(kind, body offset, body size)` for every atom in `[from, to)`, descending
/// into the containers on the way to the edit list.
fn walk(
    file: &File,
    from: u64,
    to: u64,
    budget: &mut usize,
    visit: &mut Visit<'_>,
) -> io::Result<()> {
    let mut at = from;
    while at + 8 <= to && *budget > 0 {
        *budget -= 1;
        let mut head = [0u8; 16];
        if !read(file, at, &mut head[..8])? {
            return Ok(());
        }
        let kind = [head[4], head[5], head[6], head[7]];
        let (size, header) = match be32(&head) {
            1 => {
                if !read(file, at + 8, &mut head[8..16])? {
                    return Ok(());
                }
                (be64(&head[8..16]), 16)
            }
            0 => (to - at, 8),
            s => (u64::from(s), 8),
        };
        if size < header || at + size > to {
            return Ok(());
        }
        let body = at + header;
        visit(&kind, body, size - header)?;
        if matches!(&kind, b"moov" | b"trak" | b"edts" | b"mdia") {
            walk(file, body, at + size, budget, visit)?;
        }
        at += size;
    }
    Ok(())
}

/// The timescale of an `mvhd` or `mdhd` body (versions 0 and 1).
fn timescale(file: &File, body: u64) -> io::Result<Option<u32>> {
    let mut b = [0u8; 24];
    if !read(file, body, &mut b)? {
        return Ok(None);
    }
    let at = if b[0] == 1 { 20 } else { 12 };
    Ok(Some(be32(&b[at..at + 4])))
}

/// The first non-empty edit of an `elst` body: `(segment_duration, media_time)`.
fn first_edit(file: &File, body: u64, size: u64) -> io::Result<Option<(u64, i64)>> {
    let mut h = [0u8; 8];
    if size < 8 || !read(file, body, &mut h)? {
        return Ok(None);
    }
    let version = h[0];
    let count = be32(&h[4..8]);
    let entry = if version == 1 { 20 } else { 12 };
    for i in 0..u64::from(count.min(64)) {
        let at = body + 8 + i * entry;
        if at + entry > body + size {
            break;
        }
        let mut e = [0u8; 20];
        if !read(file, at, &mut e[..entry as usize])? {
            break;
        }
        let (duration, media_time) = if version == 1 {
            (be64(&e[0..8]), be64(&e[8..16]) as i64)
        } else {
            (u64::from(be32(&e[0..4])), i64::from(be32(&e[4..8]) as i32))
        };
        // An empty edit (media_time -1) delays the track; the first real one places it.
        if media_time >= 0 {
            return Ok(Some((duration, media_time)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn atom(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut a = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        a.extend_from_slice(kind);
        a.extend_from_slice(body);
        a
    }

    fn header_v0(timescale: u32) -> Vec<u8> {
        let mut b = vec![0u8; 12];
        b.extend_from_slice(&timescale.to_be_bytes());
        b.extend_from_slice(&[0u8; 8]);
        b
    }

    #[test]
    fn the_edit_list_of_the_sound_track_gives_priming_and_length() {
        // ffmpeg's AAC: 1024 priming frames, 48,000 frames of audio, movie timescale 1000.
        let mut elst = vec![0u8, 0, 0, 0];
        elst.extend_from_slice(&2u32.to_be_bytes());
        // An empty edit first (ignored), then the real one.
        elst.extend_from_slice(&0u32.to_be_bytes());
        elst.extend_from_slice(&(-1i32).to_be_bytes());
        elst.extend_from_slice(&[0, 1, 0, 0]);
        elst.extend_from_slice(&1000u32.to_be_bytes());
        elst.extend_from_slice(&1024i32.to_be_bytes());
        elst.extend_from_slice(&[0, 1, 0, 0]);
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(b"soun");
        let mdia = [atom(b"mdhd", &header_v0(48_000)), atom(b"hdlr", &hdlr)].concat();
        let trak = [atom(b"edts", &atom(b"elst", &elst)), atom(b"mdia", &mdia)].concat();
        let moov = [atom(b"mvhd", &header_v0(1000)), atom(b"trak", &trak)].concat();
        let file = [atom(b"ftyp", b"M4A "), atom(b"moov", &moov)].concat();
        let mut f = tempfile::tempfile().expect("temp");
        f.write_all(&file).expect("write");
        let edits = edit_list(&f, file.len() as u64)
            .expect("read")
            .expect("an edit list");
        let p = edits.presentation(48_000);
        assert_eq!(
            p,
            Presentation {
                skip_frames: 1024,
                keep_frames: 48_000
            }
        );
        // Trimming as blocks arrive: 1024 dropped, 48,000 kept, the rest is padding.
        let mut trim = Trimmer::new(p);
        let mut out = vec![Vec::new()];
        let mut total = 0;
        for block in 0..60 {
            let before = out[0].len();
            out[0].extend((0..1000).map(|i| (block * 1000 + i) as f32));
            trim.apply(&mut out, before);
            total += 1000;
        }
        assert_eq!(total, 60_000);
        assert_eq!(out[0].len(), 48_000);
        assert_eq!(out[0][0], 1024.0);
        assert_eq!(out[0][47_999], 49_023.0);
        // A file without an edit list has no presentation to apply.
        let bare = [
            atom(b"ftyp", b"M4A "),
            atom(b"moov", &atom(b"mvhd", &header_v0(1000))),
        ]
        .concat();
        let mut g = tempfile::tempfile().expect("temp");
        g.write_all(&bare).expect("write");
        assert_eq!(edit_list(&g, bare.len() as u64).expect("read"), None);
    }
}
