//! Letting helper threads yield to the work they serve: the bounce's analysis to the
//! render it measures, the disk thread to the audio callback it feeds.
#![allow(unsafe_code)]

/// How much lower the analysis thread's priority is (nice value): it gets about a tenth of
/// a render thread's share of a busy core, which is what it needs, and all of an idle one.
/// Unlike the idle class it cannot starve on a loaded machine.
const NICE: libc::c_int = 10;

/// How much lower the disk thread's priority is: it needs little CPU (a few percent of a
/// core for hundreds of tracks) but must never delay the audio callback.
pub(crate) const DISK_NICE: libc::c_int = 5;

/// Lowers the calling thread's scheduling priority (Linux: per-thread nice value).
pub(crate) fn lower_this_thread() {
    lower_this_thread_by(NICE);
}

/// Lowers the calling thread's scheduling priority by `nice`.
pub(crate) fn lower_this_thread_by(nice: libc::c_int) {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls with integer arguments on the calling thread; failure
    // only leaves its priority unchanged.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, nice);
    }
}
