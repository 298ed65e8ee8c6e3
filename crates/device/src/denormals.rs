//! Flush-to-zero and denormals-are-zero for the audio thread.
//!
//! Denormal floats (tiny values in decaying filters and reverb tails) can cost a hundred
//! times a normal operation on x86; with FTZ/DAZ set they are treated as zero, so a
//! fading tail never makes the callback slow. The DSP is denormal-safe on its own too;
//! this is the belt to its braces.

/// Sets FTZ and DAZ in the calling thread's MXCSR (x86_64); no-op elsewhere.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
pub(crate) fn flush_denormals() {
    const FTZ_DAZ: u32 = (1 << 15) | (1 << 6);
    let mut csr: u32 = 0;
    // SAFETY: stmxcsr/ldmxcsr only read/write the SSE control register of this thread
    // through a valid pointer to a local; setting FTZ|DAZ changes rounding of denormals
    // only, which every Rust float operation tolerates.
    unsafe {
        std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack));
        if csr & FTZ_DAZ != FTZ_DAZ {
            csr |= FTZ_DAZ;
            std::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack));
        }
    }
}

/// Sets FTZ and DAZ in the calling thread's MXCSR (x86_64); no-op elsewhere.
#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn flush_denormals() {}

#[cfg(test)]
mod tests {
    #[test]
    fn denormals_flush_to_zero_after_setting() {
        std::thread::spawn(|| {
            super::flush_denormals();
            let tiny = std::hint::black_box(f32::MIN_POSITIVE);
            let product = std::hint::black_box(tiny * 0.5);
            if cfg!(target_arch = "x86_64") {
                assert_eq!(product, 0.0, "a denormal result is flushed to zero");
            }
        })
        .join()
        .ok();
    }
}
