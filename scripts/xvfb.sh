#!/usr/bin/env bash
# Starts a virtual X server (Xvfb) when there is no display, for the GUI launch test.
# Source it: it exports DISPLAY and stops the server when the sourcing shell exits.
# Usage: . scripts/xvfb.sh
if [ -z "${DISPLAY:-}" ]; then
  for n in $(seq 90 99); do
    [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { display_no=$n; break; }
  done
  Xvfb ":${display_no:-99}" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  export DISPLAY=":${display_no:-99}"
  STEMDESK_CLEANUP="${STEMDESK_CLEANUP:-}kill $xvfb_pid 2>/dev/null || true;"
  trap 'eval "$STEMDESK_CLEANUP"' EXIT
  for _ in $(seq 50); do
    [ -e "/tmp/.X11-unix/X${display_no:-99}" ] && break
    sleep 0.1
  done
  echo "Xvfb running on $DISPLAY"
fi
export STEMDESK_REQUIRE_DISPLAY=1
