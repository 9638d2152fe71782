"""Hypothesis profiles of the fuzz suite, chosen by ``HYPOTHESIS_PROFILE``.

- ``ci`` (the default, what scripts/test.sh runs): a few dozen examples per test, a
  per-example deadline, so the suite stays quick and a hang still fails;
- ``long`` (scripts/fuzz.sh): 20,000 examples per test, for a night on a spare machine.

The fuzz tests use `FUZZ` (and `FUZZ_SLOW` for tests whose examples do real I/O) as their
decorator instead of loading a profile globally, so the other property tests of the suite
keep their own settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
             HealthCheck.function_scoped_fixture]

settings.register_profile("ci", max_examples=60, deadline=2000, derandomize=False,
                          suppress_health_check=_SUPPRESS, print_blob=True)
settings.register_profile("long", max_examples=20_000, deadline=5000,
                          suppress_health_check=_SUPPRESS, print_blob=True)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "long"):
    PROFILE = "ci"
FUZZ = settings(settings.get_profile(PROFILE))
# Examples that write files, talk HTTP or stream a lot: fewer in ci, a tenth of long.
FUZZ_SLOW = settings(FUZZ, max_examples=25 if PROFILE == "ci" else 2_000)
