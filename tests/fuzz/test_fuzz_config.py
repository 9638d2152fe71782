"""Configuration files: mutated TOML -> a KioskConfig or InvalidConfigurationError listing
problems, never another exception (kiosk.config.load_config, the hardware's option check)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from common.errors import ConfigError, InvalidConfigurationError
from config.schema import KioskConfig
from hardware.registry import check_device_options
from kiosk.config import DEFAULTS_DIR, load_config
from tests.fuzz.mutate import mutated_bytes, mutated_text
from tests.fuzz.profiles import FUZZ_SLOW

EXAMPLE = (DEFAULTS_DIR / "terminal.example.toml").read_text(encoding="utf-8")
DEMO = (DEFAULTS_DIR / "demo.toml").read_text(encoding="utf-8")
SAMPLES = [EXAMPLE, DEMO]


def load(raw: bytes, demo: bool) -> KioskConfig | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "terminal.toml"
        path.write_bytes(raw)
        try:
            return load_config(path, demo=demo, environ={},
                               check_device_options=check_device_options)
        except InvalidConfigurationError as exc:
            assert exc.problems, "refused without saying why"
            assert all(isinstance(p, ConfigError) and p.key for p in exc.problems)
            str(exc)  # the message the technician sees renders
            return None


@FUZZ_SLOW
@given(st.sampled_from(SAMPLES).flatmap(mutated_text), st.booleans())
def test_mutated_toml_text_gives_a_config_or_a_listed_refusal(text, demo):
    load(text.encode("utf-8", "surrogatepass"), demo)


@FUZZ_SLOW
@given(st.sampled_from(SAMPLES).flatmap(lambda s: mutated_bytes(s.encode("utf-8"))),
       st.booleans())
def test_mutated_toml_bytes_give_a_config_or_a_listed_refusal(raw, demo):
    load(raw, demo)


VALUES = st.one_of(
    st.integers(-(2**70), 2**70).map(str), st.floats().map(lambda f: repr(f).replace(
        "nan", "nan").replace("inf", "inf")), st.sampled_from(["true", "false", "[]", "{}",
    '""', '"x"', "[1, \"a\"]", "{a = 1}", "1979-05-27T07:32:00Z", "07:32:00", "1979-05-27",
    '"/dev/null"', '"\\u0000"', "[[1]]", "-0", "0x10", "1e400"]),
    st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"')
                              .replace("\n", "\\n") + '"'))


@st.composite
def field_swaps(draw) -> str:
    """The example with some `key = value` lines given values of another type or range."""
    lines = EXAMPLE.split("\n")
    assignments = [n for n, line in enumerate(lines) if "=" in line and not line.startswith("#")]
    for n in draw(st.lists(st.sampled_from(assignments), min_size=1, max_size=4)):
        key = lines[n].split("=", 1)[0]
        lines[n] = f"{key}= {draw(VALUES)}"
    return "\n".join(lines)


@FUZZ_SLOW
@given(field_swaps(), st.booleans())
def test_values_of_the_wrong_type_or_range_give_a_listed_refusal(text, demo):
    load(text.encode("utf-8", "surrogatepass"), demo)
