#!/usr/bin/env bash
# The reference mixing job (../shared/bench/README.md): Stemdesk's `bounce` (without and with
# its analysis and report) vs ecasound, same 24-bit WAV stems, same machine, one run. Prints
# wall time, RSS, loudness and true peak.
# Usage: scripts/bench-reference.sh [RUNS]   (needs ../shared/bench; installs sox/ecasound)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shared=${SHARED:-../shared}
[ -d "$shared/bench/stems" ] || { echo "no $shared/bench/stems here; nothing to benchmark"; exit 1; }
scripts/deps.sh
for pkg in sox libsox-fmt-all ecasound swh-plugins ffmpeg time; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=" $pkg"
done
if [ -n "${missing:-}" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
work=target/bench-reference
mkdir -p "$work/stems"
for f in "$shared"/bench/stems/*.flac; do
  wav="$work/stems/$(basename "${f%.flac}").wav"
  [ -f "$wav" ] || sox "$f" -b 24 "$wav"
done
cargo build --release --locked -p stemdesk --bin stemdesk --example reference_session
cargo run --release --locked -q -p stemdesk --example reference_session -- "$work/reference.ron" "$work"/stems/*.wav
bin=target/release/stemdesk
bench="$shared/bench/peers/bench.sh"
echo -e "label\trun\twall_s\tuser_s\tsys_s\tmaxrss_kb\tpsi_before\tpsi_after"
bash "$bench" stemdesk "$runs" -- "$bin" bounce "$work/reference.ron" -o "$work/stemdesk.wav" --force --no-measure
# The same bounce with the full analysis (loudness, LRA, true peak, correlation...) and
# the report: its overhead over the line above (goal: under 15 %).
bash "$bench" stemdesk+analysis "$runs" -- "$bin" bounce "$work/reference.ron" -o "$work/stemdesk-measured.wav" --force
bash "$bench" ecasound "$runs" -- bash "$shared/bench/peers/ecasound_mix.sh" "$work/ecasound.wav" "$work"/stems/*.wav
for mix in stemdesk ecasound; do
  echo "== $mix loudness"
  ffmpeg -nostdin -nostats -i "$work/$mix.wav" -af ebur128=peak=true -f null - 2>&1 \
    | sed -n '/Summary/,$p' | grep -E "I:|Peak:" || true
done
