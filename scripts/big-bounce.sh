#!/usr/bin/env bash
# Writes a mix longer than a WAV file can hold (3 h 15 min of 32-bit float stereo at
# 48 kHz: 4.5 GB, so RF64) and reads it back with sox, ffprobe and Stemdesk's own decoder
# (symphonia), each of which must report its true length. Needs ~10 GB of free disk and
# RAM for the decode check. Usage: scripts/big-bounce.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh sox ffmpeg
cargo build --release --locked -p stemdesk
bin=$PWD/target/release/stemdesk
work=${1:-$(mktemp -d)}
mkdir -p "$work"
cd "$work"
sox -n -r 48000 -c 2 -b 24 tone.wav synth 1 sine 440 gain -6
"$bin" new big.ron tone.wav --force
time "$bin" bounce big.ron -o big.wav --bits 32f --end 3:15:00 --no-measure --force
ls -l big.wav
head -c 4 big.wav | grep -q RF64 && echo "header: RF64"
echo "expected: $((195 * 60 * 48000)) frames = 11700 s"
echo "sox:     $(sox --i -s big.wav) frames"
echo "ffprobe: $(ffprobe -v error -show_entries format=duration -of csv=p=0 big.wav) s"
"$bin" new check.ron big.wav --force
echo "stemdesk (symphonia): $(grep -m1 -o 'length_frames: [0-9]*' check.ron)"
rm -f big.wav
