//! A bounded run of the fuzz harness (`tests/fuzz.rs`): mutated sessions and media files
//! are rejected cleanly, never with a panic, a hang or runaway memory. Long runs:
//! `scripts/fuzz.sh`.
#![allow(missing_docs)]

use std::path::Path;
use std::time::Duration;

use stemdesk_e2e::fuzz::{FuzzConfig, run};

#[test]
fn mutated_sessions_and_media_never_panic_hang_or_balloon() {
    let work = tempfile::tempdir().expect("tempdir");
    // The shared corpus when it is there; the built-in seeds always.
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/material/decode");
    let config = FuzzConfig {
        seed: 20_261_125,
        cases: 2_000,
        duration: Duration::from_secs(240),
        case_limit: Duration::from_secs(20),
        memory_limit_bytes: 4 << 30,
        corpus_dirs: vec![shared],
        work_dir: work.path().to_path_buf(),
    };
    let report = run(&config);
    println!("{report:?}");
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(
        report.session_cases >= 100 && report.media_cases >= 100,
        "{report:?}"
    );
    assert!(report.rejected > 0, "mutations must reach the error paths");
}
