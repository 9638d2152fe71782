#!/usr/bin/env bash
# The fuzz suite run long: 20,000 examples per test (2,000 for tests doing file or HTTP I/O
# or streaming a lot).
# scripts/test.sh runs the same tests with the quick "ci" profile. Extra arguments go to
# pytest (e.g. scripts/fuzz.sh -k card). Then, if atheris is installed, the coverage-guided
# harness (tests/fuzz/atheris_harness.py). Takes tens of minutes; for a spare machine.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
scripts/setup.sh --test
unset DISPLAY WAYLAND_DISPLAY
export PYTHONDONTWRITEBYTECODE=1 HYPOTHESIS_PROFILE=long
.venv/bin/python -m pytest tests/fuzz -p no:cacheprovider --durations=0 "$@"
# Coverage-guided, when atheris is installed (.venv/bin/pip install atheris): not a
# dependency of the project, so skipped otherwise.
if .venv/bin/python -c "import atheris" 2>/dev/null; then
  for target in card catalogue; do
    .venv/bin/python tests/fuzz/atheris_harness.py "$target" -atheris_runs="${ATHERIS_RUNS:-500000}"
  done
else
  echo "fuzz.sh: atheris not installed; coverage-guided runs skipped" >&2
fi
