#!/usr/bin/env bash
# The whole test suite: formatting, lints, and every test in the workspace, with a private
# PulseAudio server (null sink) for the real-time playback test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh pulseaudio pulseaudio-utils libasound2-plugins
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# shellcheck source=scripts/pulse.sh
. scripts/pulse.sh
cargo test --workspace --locked
