#!/usr/bin/env bash
# Installs the system packages Stemdesk needs, when they are missing (Debian/Ubuntu; uses
# sudo when not root). Always the build packages; any package names given as arguments too.
# Usage: scripts/deps.sh [EXTRA_PACKAGE...]
set -euo pipefail
need=()
for pkg in libasound2-dev pkg-config "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing system packages: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
