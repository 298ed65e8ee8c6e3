#!/usr/bin/env bash
# The whole test suite: formatting, lints, and every test in the workspace, with a private
# PulseAudio server (null sink) for the real-time playback test and a virtual X server for
# the GUI launch test. Installs the system packages it needs when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/gui-packages.sh
. scripts/gui-packages.sh
# shellcheck disable=SC2086
scripts/deps.sh pulseaudio pulseaudio-utils libasound2-plugins xvfb $GUI_PACKAGES
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# shellcheck source=scripts/pulse.sh
. scripts/pulse.sh
# shellcheck source=scripts/xvfb.sh
. scripts/xvfb.sh
cargo test --workspace --locked
