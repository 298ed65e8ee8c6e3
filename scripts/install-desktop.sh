#!/usr/bin/env bash
# Installs Stemdesk for the current user: the release binary into ~/.local/bin, the icon
# into the hicolor theme, the desktop entry (so Stemdesk is in the desktop's menu) and the
# session file type (so .ron sessions open in Stemdesk). Nothing outside $HOME is touched.
# Usage: scripts/install-desktop.sh [--uninstall]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
icons=$data/icons/hicolor
sizes="16 32 48 64 128 256 512"

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$bin/stemdesk" "$data/applications/stemdesk.desktop" "$data/mime/packages/stemdesk.xml" \
    "$icons/scalable/apps/stemdesk.svg"
  for s in $sizes; do rm -f "$icons/${s}x$s/apps/stemdesk.png"; done
else
  if [ ! -x target/release/stemdesk ]; then
    scripts/deps.sh
    cargo build --release --locked -p stemdesk
  fi
  install -D -m 0755 target/release/stemdesk "$bin/stemdesk"
  install -D -m 0644 assets/icons/stemdesk.svg "$icons/scalable/apps/stemdesk.svg"
  for s in $sizes; do
    install -D -m 0644 "assets/icons/stemdesk-$s.png" "$icons/${s}x$s/apps/stemdesk.png"
  done
  # The entry runs the installed binary by its full path (~/.local/bin may not be on PATH).
  mkdir -p "$data/applications"
  sed -e "s|^Exec=stemdesk |Exec=$bin/stemdesk |" -e "s|^TryExec=stemdesk|TryExec=$bin/stemdesk|" \
    assets/stemdesk.desktop > "$data/applications/stemdesk.desktop"
  install -D -m 0644 assets/stemdesk-mime.xml "$data/mime/packages/stemdesk.xml"
fi
# Refresh the desktop's caches where the tools exist (they are optional).
command -v update-mime-database >/dev/null && update-mime-database "$data/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$icons" || true
if command -v xdg-mime >/dev/null; then
  [ "${1:-}" = "--uninstall" ] || xdg-mime default stemdesk.desktop application/x-stemdesk-session || true
fi
echo "done: ${1:-install} for $USER (binary $bin/stemdesk, menu entry $data/applications/stemdesk.desktop)"
