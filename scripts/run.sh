#!/usr/bin/env bash
# Builds Stemdesk and opens the mixing desk on the bundled example project.
# Installs the system packages it needs when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/gui-packages.sh
. scripts/gui-packages.sh
# shellcheck disable=SC2086
scripts/deps.sh $GUI_PACKAGES
cargo build --release --locked -p stemdesk
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display here (DISPLAY/WAYLAND_DISPLAY unset): the desk needs one." >&2
  echo "Bouncing the example instead: target/release/stemdesk bounce ... -o out/demo-mix.wav" >&2
  mkdir -p out
  exec target/release/stemdesk bounce projects-examples/demo/demo.ron -o out/demo-mix.wav --force
fi
exec target/release/stemdesk gui projects-examples/demo/demo.ron "$@"
