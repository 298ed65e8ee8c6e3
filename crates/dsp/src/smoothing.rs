//! Per-sample parameter smoothing.

/// A linear-ramp parameter smoother.
///
/// A new target is reached in a fixed time (`time_ms`) along a straight line, then the
/// value is snapped to exactly the target. Linear (rather than one-pole) so that the end
/// is reached exactly: a fader settled at 0 dB multiplies by exactly 1.0 and settled
/// processors can switch to their cheaper steady-state paths.
#[derive(Debug, Clone, Copy)]
pub struct Smoother {
    current: f32,
    target: f32,
    step: f32,
    remaining: u32,
    ramp_samples: u32,
}

impl Smoother {
    /// Creates a smoother settled at `initial`, ramping over `time_ms` on changes.
    pub fn new(sample_rate_hz: f32, time_ms: f32, initial: f32) -> Self {
        let samples = (f64::from(sample_rate_hz.max(1.0)) * f64::from(time_ms.max(0.0)) * 1e-3)
            .round()
            .clamp(1.0, 1e9) as u32;
        Self {
            current: initial,
            target: initial,
            step: 0.0,
            remaining: 0,
            ramp_samples: samples,
        }
    }

    /// Sets a new target; the value ramps there over the configured time.
    /// Setting the current target again is a no-op (an in-flight ramp continues).
    pub fn set_target(&mut self, target: f32) {
        if target == self.target {
            return;
        }
        self.target = target;
        self.remaining = self.ramp_samples;
        self.step = (target - self.current) / self.ramp_samples as f32;
    }

    /// Ramps to `target` over exactly `samples` samples (at least one), whatever the
    /// configured time: automation uses it to land on the lane's value at its next control
    /// point.
    pub fn ramp_to(&mut self, target: f32, samples: u32) {
        let samples = samples.max(1);
        self.target = target;
        if target == self.current {
            self.remaining = 0;
            return;
        }
        self.remaining = samples;
        self.step = (target - self.current) / samples as f32;
    }

    /// Advances one sample and returns the new value.
    #[allow(clippy::should_implement_trait)] // Not an iterator: it never ends.
    #[inline(always)]
    pub fn next(&mut self) -> f32 {
        if self.remaining > 0 {
            self.remaining -= 1;
            if self.remaining == 0 {
                self.current = self.target;
            } else {
                self.current += self.step;
            }
        }
        self.current
    }

    /// Advances `n` samples at once (same result as `n` calls to [`Smoother::next`] up to
    /// rounding; deterministic, so processors may use it on a fixed internal clock).
    #[inline]
    pub fn skip(&mut self, n: u32) -> f32 {
        if self.remaining > 0 {
            if n >= self.remaining {
                self.remaining = 0;
                self.current = self.target;
            } else {
                self.remaining -= n;
                self.current += self.step * n as f32;
            }
        }
        self.current
    }

    /// Jumps to the target immediately.
    pub fn snap(&mut self) {
        self.current = self.target;
        self.remaining = 0;
    }

    /// Jumps to `value` immediately (target and current).
    pub fn snap_to(&mut self, value: f32) {
        self.target = value;
        self.snap();
    }

    /// True when the value equals the target (no ramp in progress).
    #[inline(always)]
    pub fn is_settled(&self) -> bool {
        self.remaining == 0
    }

    /// The current value (without advancing).
    #[inline(always)]
    pub fn value(&self) -> f32 {
        self.current
    }

    /// The value being ramped to.
    pub fn target(&self) -> f32 {
        self.target
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_linearly_and_lands_exactly() {
        let mut s = Smoother::new(1000.0, 10.0, 0.0); // 10 samples
        s.set_target(1.0);
        assert!(!s.is_settled());
        let v: Vec<f32> = (0..10).map(|_| s.next()).collect();
        assert!((v[0] - 0.1).abs() < 1e-6);
        assert!((v[4] - 0.5).abs() < 1e-6);
        assert_eq!(v[9], 1.0);
        assert!(s.is_settled());
        assert_eq!(s.next(), 1.0);
    }

    #[test]
    fn ramp_to_lands_after_the_given_samples() {
        let mut s = Smoother::new(1000.0, 10.0, 0.0);
        s.ramp_to(4.0, 4);
        let v: Vec<f32> = (0..5).map(|_| s.next()).collect();
        assert_eq!(v, [1.0, 2.0, 3.0, 4.0, 4.0]);
        s.ramp_to(4.0, 4);
        assert!(s.is_settled(), "already there");
    }

    #[test]
    fn skip_matches_end_and_snap_works() {
        let mut s = Smoother::new(1000.0, 10.0, 2.0);
        s.set_target(-2.0);
        assert_eq!(s.skip(100), -2.0);
        s.set_target(5.0);
        s.next();
        s.snap();
        assert_eq!(s.value(), 5.0);
        assert!(s.is_settled());
    }
}
