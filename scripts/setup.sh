#!/usr/bin/env bash
# Takes a fresh Debian 12 machine to a working kiosk: Debian packages, a virtual
# environment in .venv, and the project installed into it (editable).
# Idempotent and quiet when nothing is missing.
#   scripts/setup.sh          runtime only
#   scripts/setup.sh --test   also what the test suite needs
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

say() { printf 'setup: %s\n' "$*"; }

# Debian packages. fonts-wqy-microhei: CJK font with Simplified Chinese glyph forms and Latin
# (see toolchain notes); libmtdev1: Kivy's multitouch input; libzbar0: barcode decoding;
# espeak-ng: Mandarin speech; xvfb + xauth: a virtual display for machines with none;
# libgl1 / libegl1: Mesa for SDL2's offscreen driver; x11-xserver-utils (xset) + xinput:
# deploy/kiosk-session.sh turns screen blanking off and rotates screen and touch.
pkgs=(fonts-wqy-microhei libmtdev1 libzbar0 espeak-ng xvfb xauth libgl1 libegl1 libgles2
      x11-xserver-utils xinput python3-venv)
# Tests only: headless Chromium and its matching driver for the fleet page test (Selenium
# drives them; no browser is downloaded at run time).
[ -n "$extras" ] && pkgs+=(chromium chromium-driver)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    say "missing Debian packages (${missing[*]}) and no apt-get on this machine" >&2; exit 1
  fi
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  say "installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

py=${PYTHON:-python3}
"$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  say "Python >= 3.11 is needed; $("$py" --version 2>&1) found" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  say "creating virtual environment .venv"
  "$py" -m venv .venv
fi

# Reinstall only when the project's metadata changed since the last install.
stamp=".venv/.installed${extras:+-test}"
fresh() { [ -f "$1" ] && ! [ pyproject.toml -nt "$1" ]; }
if ! fresh "$stamp" && ! { [ -z "$extras" ] && fresh .venv/.installed-test; }; then
  say "installing the kiosk into .venv${extras:+ with test extras}"
  pip_log=.venv/pip-install.log
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
         .venv/bin/python -m pip install --disable-pip-version-check -e ".${extras}"; } \
       >"$pip_log" 2>&1; then
    tail -n 40 "$pip_log" >&2
    say "pip install failed; the whole log is in $pip_log" >&2
    exit 1
  fi
  touch "$stamp"
fi
