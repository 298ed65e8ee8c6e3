//! The one interface every effect implements.

/// A stereo, in-place audio processor.
///
/// Contract (tested for every implementation):
/// - `process` never allocates, locks or does I/O, and never writes NaN or infinity,
///   whatever the parameters and input (non-finite input is treated as silence).
/// - Splittable: processing frames `[a, b)` then `[b, c)` gives exactly the same samples
///   as processing `[a, c)` in one call. Smoothing and coefficient updates therefore run
///   on an internal per-sample clock, never per call.
/// - `set_params` may be called between any two `process` calls; the change is smoothed.
pub trait StereoProcessor: Send {
    /// Processes `left` and `right` (same length) in place.
    fn process(&mut self, left: &mut [f32], right: &mut [f32]);
    /// Clears all internal state (delay lines, envelopes) and jumps smoothers to their targets.
    fn reset(&mut self);
}
