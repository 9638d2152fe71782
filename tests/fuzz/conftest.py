"""The fuzz suite's Hypothesis profiles are registered in tests/fuzz/profiles.py."""

from tests.fuzz import profiles  # noqa: F401  (registers "ci" and "long")
