//! Strip meters published by the audio thread through atomics and read by the GUI.
//!
//! Each block the audio thread folds every strip's sample peak into a cell with
//! `fetch_max` (non-negative `f32` bit patterns order like the values) and stores the RMS;
//! the reader takes the peak with `swap(0)`, so no peak between two reads is ever missed,
//! however slowly the GUI polls. Peak hold and clip latching live on the reader side.

use std::sync::atomic::{AtomicU32, Ordering};

use stemdesk_session::{InsertId, StripId};

/// The atomic cells of one strip.
#[derive(Debug, Default)]
struct Cells {
    peak: [AtomicU32; 2],
    rms: [AtomicU32; 2],
}

/// One meter per strip of a graph (tracks, buses, master), addressed by stable ID.
#[derive(Debug)]
pub struct MeterBank {
    ids: Vec<StripId>,
    cells: Vec<Cells>,
    /// Dynamics inserts (compressors, gates) whose gain change is published, in order.
    dynamics: Vec<(StripId, InsertId)>,
    dynamics_db: Vec<AtomicU32>,
    dynamics_input: Vec<AtomicU32>,
}

/// What one read of a strip's meter gives, as linear amplitudes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MeterReading {
    /// Highest `|sample|` per channel since the previous read.
    pub peak: [f32; 2],
    /// RMS per channel (300 ms integration) at the last block.
    pub rms: [f32; 2],
}

impl MeterBank {
    /// A bank for these strips, in this order (the graph's publishing order).
    pub(crate) fn new(ids: Vec<StripId>, dynamics: Vec<(StripId, InsertId)>) -> Self {
        let cells = ids.iter().map(|_| Cells::default()).collect();
        let dynamics_db = dynamics.iter().map(|_| AtomicU32::new(0)).collect();
        let dynamics_input = dynamics.iter().map(|_| AtomicU32::new(0)).collect();
        Self {
            ids,
            cells,
            dynamics,
            dynamics_db,
            dynamics_input,
        }
    }

    /// Publishes dynamics insert number `index`: its current gain change in dB
    /// (compressor: gain reduction, positive; gate: its gain, 0 open .. range closed) and
    /// the peak of its input since the last publish (gates; 0 for compressors).
    pub(crate) fn publish_dynamics(&self, index: usize, db: f32, input_peak: f32) {
        if let (Some(c), Some(i)) = (self.dynamics_db.get(index), self.dynamics_input.get(index)) {
            c.store(db.to_bits(), Ordering::Relaxed);
            let p = if input_peak.is_finite() {
                input_peak.abs()
            } else {
                0.0
            };
            i.fetch_max(p.to_bits(), Ordering::Relaxed);
        }
    }

    /// Peak |sample| entering a gate insert since the last call (then reset).
    pub fn take_dynamics_input(&self, strip: StripId, insert: InsertId) -> Option<f32> {
        let i = self.dynamics.iter().position(|d| *d == (strip, insert))?;
        Some(f32::from_bits(
            self.dynamics_input[i].swap(0, Ordering::Relaxed),
        ))
    }

    /// The latest gain change of a compressor or gate insert, in dB.
    pub fn dynamics_db(&self, strip: StripId, insert: InsertId) -> Option<f32> {
        let i = self.dynamics.iter().position(|d| *d == (strip, insert))?;
        Some(f32::from_bits(self.dynamics_db[i].load(Ordering::Relaxed)))
    }

    /// The strips metered, in publishing order.
    pub fn strips(&self) -> &[StripId] {
        &self.ids
    }

    /// Publishes strip number `index` (audio thread; lock- and allocation-free).
    pub(crate) fn publish(&self, index: usize, peak: [f32; 2], rms: [f32; 2]) {
        if let Some(c) = self.cells.get(index) {
            for ch in 0..2 {
                let p = if peak[ch].is_finite() {
                    peak[ch].abs()
                } else {
                    0.0
                };
                c.peak[ch].fetch_max(p.to_bits(), Ordering::Relaxed);
                c.rms[ch].store(rms[ch].to_bits(), Ordering::Relaxed);
            }
        }
    }

    /// Takes the reading of `strip` (resets its peak), or None if the graph has no such strip.
    pub fn take(&self, strip: StripId) -> Option<MeterReading> {
        let i = self.ids.iter().position(|s| *s == strip)?;
        let c = &self.cells[i];
        let f = |a: &AtomicU32| f32::from_bits(a.load(Ordering::Relaxed));
        Some(MeterReading {
            peak: [0, 1].map(|ch| f32::from_bits(c.peak[ch].swap(0, Ordering::Relaxed))),
            rms: [f(&c.rms[0]), f(&c.rms[1])],
        })
    }
}

/// Reader-side state of one meter: peak hold and a clip indicator that stays lit until
/// the user clears it, as on a hardware desk.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StripMeter {
    /// Latest peak per channel (linear).
    pub peak: [f32; 2],
    /// Latest RMS per channel (linear).
    pub rms: [f32; 2],
    /// Held peak per channel (linear), released after [`StripMeter::HOLD_S`].
    pub hold: [f32; 2],
    /// Seconds each held peak has been held.
    pub hold_age_s: [f32; 2],
    /// Latched when any sample reached full scale (|x| >= 1.0).
    pub clipped: bool,
    /// Highest peak of either channel since the last reset (linear): the desk's numeric
    /// peak readout, held until the user clicks it.
    pub max_peak: f32,
}

impl StripMeter {
    /// How long a peak is held before it falls back.
    pub const HOLD_S: f32 = 1.5;

    /// Folds in a reading taken `dt_s` seconds after the previous one.
    pub fn update(&mut self, reading: MeterReading, dt_s: f32) {
        self.peak = reading.peak;
        self.rms = reading.rms;
        for ch in 0..2 {
            self.hold_age_s[ch] += dt_s;
            if reading.peak[ch] >= self.hold[ch] || self.hold_age_s[ch] > Self::HOLD_S {
                self.hold[ch] = reading.peak[ch];
                self.hold_age_s[ch] = 0.0;
            }
            if reading.peak[ch] >= 1.0 {
                self.clipped = true;
            }
            self.max_peak = self.max_peak.max(reading.peak[ch]);
        }
    }

    /// Clears the clip indicator and the peak readout (the user clicked one of them).
    pub fn clear_clip(&mut self) {
        self.clipped = false;
        self.max_peak = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stemdesk_session::TrackId;

    #[test]
    fn the_peak_readout_holds_until_reset() {
        let mut m = StripMeter::default();
        m.update(
            MeterReading {
                peak: [0.5, 1.2],
                rms: [0.1, 0.1],
            },
            0.03,
        );
        assert_eq!(m.max_peak, 1.2);
        m.update(MeterReading::default(), 2.0);
        assert_eq!(m.max_peak, 1.2, "held past the meter's hold time");
        m.clear_clip();
        assert!(!m.clipped);
        assert_eq!(m.max_peak, 0.0);
    }

    #[test]
    fn peaks_accumulate_until_taken_and_clip_latches() {
        let id = StripId::Track(TrackId(3));
        let bank = MeterBank::new(vec![StripId::Master, id], Vec::new());
        bank.publish(1, [0.5, 0.25], [0.1, 0.1]);
        bank.publish(1, [0.2, 1.2], [0.2, 0.3]);
        let r = bank.take(id).unwrap_or_default();
        assert_eq!(r.peak, [0.5, 1.2]);
        assert_eq!(r.rms, [0.2, 0.3]);
        assert_eq!(bank.take(id).map(|r| r.peak), Some([0.0, 0.0]));
        let mut m = StripMeter::default();
        m.update(r, 0.03);
        assert!(m.clipped);
        assert_eq!(m.hold, [0.5, 1.2]);
        m.update(MeterReading::default(), 0.03);
        assert_eq!(m.hold, [0.5, 1.2], "held");
        m.update(MeterReading::default(), 2.0);
        assert_eq!(m.hold, [0.0, 0.0], "released after the hold time");
        assert!(m.clipped, "clip stays lit until cleared");
        m.clear_clip();
        assert!(!m.clipped);
        assert!(
            bank.take(StripId::Bus(stemdesk_session::BusId(9)))
                .is_none()
        );
    }
}
