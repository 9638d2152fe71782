#!/usr/bin/env bash
# The whole test suite from nothing: Debian packages, .venv with test extras, then pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh -k session).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
scripts/setup.sh --test
# Tests must not depend on a display or on the caller's Kivy settings.
unset DISPLAY WAYLAND_DISPLAY
export PYTHONDONTWRITEBYTECODE=1
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "test.sh: pytest collected no tests; that is a failure here" >&2
  exit 1
fi
exit "$rc"
