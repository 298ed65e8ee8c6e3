#!/usr/bin/env bash
# Starts a private PulseAudio server with one null sink (this machine has no sound card),
# so playback can be tested at real-time pace. Source it: it exports XDG_RUNTIME_DIR (where
# clients find the server) and stops the server when the sourcing shell exits.
# Usage: . scripts/pulse.sh
pulse_dir=$(mktemp -d /tmp/stemdesk-pulse.XXXXXX)
export XDG_RUNTIME_DIR="$pulse_dir"
pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
  --load=module-native-protocol-unix \
  --load="module-null-sink sink_name=stemdesk_null" \
  --log-target="file:$pulse_dir/pulse.log" 2>/dev/null || true
for _ in $(seq 50); do
  pactl info >/dev/null 2>&1 && break
  sleep 0.1
done
if pactl info >/dev/null 2>&1; then
  echo "PulseAudio null sink running (XDG_RUNTIME_DIR=$pulse_dir)"
  export STEMDESK_REQUIRE_PULSE=1
  STEMDESK_CLEANUP="${STEMDESK_CLEANUP:-}pactl exit >/dev/null 2>&1 || true; rm -rf '$pulse_dir';"
  trap 'eval "$STEMDESK_CLEANUP"' EXIT
else
  echo "warning: PulseAudio did not start; see $pulse_dir/pulse.log" >&2
  cat "$pulse_dir/pulse.log" >&2 || true
fi
