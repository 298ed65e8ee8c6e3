//! Letting the bounce's analysis yield to the render it measures.
#![allow(unsafe_code)]

/// How much lower the analysis thread's priority is (nice value): it gets about a tenth of
/// a render thread's share of a busy core, which is what it needs, and all of an idle one.
/// Unlike the idle class it cannot starve on a loaded machine.
const NICE: libc::c_int = 10;

/// Lowers the calling thread's scheduling priority (Linux: per-thread nice value).
pub(crate) fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls with integer arguments on the calling thread; failure
    // only leaves its priority unchanged.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, NICE);
    }
}
