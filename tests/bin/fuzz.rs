//! `stemdesk-fuzz`: the session parser and media loader under mutated input, for as long
//! as you let it run. See `scripts/fuzz.sh`.
//!
//! Usage: stemdesk-fuzz [--hours H | --minutes M] [--cases N] [--seed S] [--work DIR]
//!                      [--corpus DIR]...

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use stemdesk_e2e::fuzz::{FuzzConfig, run};

fn main() -> ExitCode {
    let mut config = FuzzConfig {
        seed: 1,
        cases: u64::MAX,
        duration: Duration::from_secs(60),
        case_limit: Duration::from_secs(10),
        memory_limit_bytes: 4 << 30,
        corpus_dirs: Vec::new(),
        work_dir: std::env::temp_dir().join("stemdesk-fuzz"),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        let number = || {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        match args[i].as_str() {
            "--hours" => {
                config.duration = Duration::from_secs_f64(number().unwrap_or(1.0) * 3600.0)
            }
            "--minutes" => {
                config.duration = Duration::from_secs_f64(number().unwrap_or(1.0) * 60.0)
            }
            "--cases" => config.cases = value.parse().unwrap_or(config.cases),
            "--seed" => config.seed = value.parse().unwrap_or(config.seed),
            "--work" => config.work_dir = PathBuf::from(&value),
            "--corpus" => config.corpus_dirs.push(PathBuf::from(&value)),
            other => {
                eprintln!("stemdesk-fuzz: unknown argument {other}");
                return ExitCode::from(2);
            }
        }
        i += 2;
    }
    let report = run(&config);
    println!(
        "cases: {} session, {} media; rejected cleanly: {}; slowest case: {:.2} s; peak memory: {} MB; findings: {}",
        report.session_cases,
        report.media_cases,
        report.rejected,
        report.slowest.as_secs_f64(),
        report.peak_rss_bytes >> 20,
        report.findings.len()
    );
    for f in &report.findings {
        println!(
            "finding ({:?}): {} — saved as {}",
            f.target,
            f.what,
            f.saved.display()
        );
    }
    if report.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
