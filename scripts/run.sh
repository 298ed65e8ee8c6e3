#!/usr/bin/env bash
# Builds Stemdesk and runs it on the bundled example project.
# Until the mixing desk GUI lands, this bounces the example mix to out/demo-mix.wav.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
mkdir -p out
cargo run --release --locked -p stemdesk -- bounce projects-examples/demo/demo.ron -o out/demo-mix.wav --force "$@"
