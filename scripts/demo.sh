#!/usr/bin/env bash
# The kiosk in demo mode: demo terminal configuration, simulated devices, sample data.
# Where there is no display it runs offscreen, walks every screen and writes screenshots
# into a folder it names. Extra arguments go to the kiosk (e.g. --windowed).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
scripts/setup.sh
exec .venv/bin/kiosk --demo "$@"
