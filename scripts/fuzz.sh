#!/usr/bin/env bash
# Long fuzzing run of the session parser and the media loader (release build).
# Findings (panics, hangs, memory over 4 GiB) are saved in the work folder and make the
# run fail. Usage: scripts/fuzz.sh [HOURS] [SEED]   (default: 1 hour, seed 1)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
hours=${1:-1}
seed=${2:-1}
work=${FUZZ_WORK:-target/fuzz-work}
cargo build --release --locked -p stemdesk-e2e --bin stemdesk-fuzz
corpus=()
[ -d ../shared/material/decode ] && corpus=(--corpus ../shared/material/decode)
exec target/release/stemdesk-fuzz --hours "$hours" --seed "$seed" --work "$work" "${corpus[@]}"
