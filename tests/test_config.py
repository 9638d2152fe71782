"""Loading and validating the layered TOML configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.errors import ConfigError, InvalidConfigurationError
from config.schema import KNOWN_SERVICES, KioskConfig, all_settings
from kiosk.config import config_to_dict, describe_schema, load_config
from kiosk.pin import verify_pin

VALID_HASH = "scrypt$16384$8$1$8TbyZNayhzmQS7h74SfBpQ$dKhco9jzjmsJqWtHrMeXE9SMrJ1pjxxsiLmlsMTsCwo"


@pytest.fixture
def font(tmp_path: Path) -> Path:
    """A usable CJK font at a path of the test's own (a link to the installed one)."""
    path = tmp_path / "font.ttc"
    path.symlink_to("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    return path


Sections = dict[str, dict[str, str]]  # section -> key -> TOML value text


@pytest.fixture
def base(font: Path) -> Sections:
    """A complete terminal file: everything default.toml leaves unset, plus a tmp font."""
    return {"terminal": {"id": '"JS-SY-0001"', "support_contact": '"021-0000-0000"'},
            "maintenance": {"pin_hash": f'"{VALID_HASH}"'},
            "platform": {"token": '"token-JS-SY-0001"'},
            "display": {"font_path": f'"{font}"'}}


def render(base: Sections, extra: Sections | None = None, tail: str = "") -> str:
    merged = {name: dict(keys) for name, keys in base.items()}
    for name, keys in (extra or {}).items():
        merged.setdefault(name, {}).update(keys)
    body = "".join(f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())
                   for name, keys in merged.items())
    return body + tail


def write(tmp_path: Path, text: str, name: str = "terminal.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(excinfo: pytest.ExceptionInfo[InvalidConfigurationError]) -> dict[str, ConfigError]:
    return {p.key: p for p in excinfo.value.problems}


def refuse(tmp_path: Path, text: str, environ: dict[str, str] | None = None
           ) -> dict[str, ConfigError]:
    """Load ``text`` as the terminal file, expecting refusal; problems by key."""
    path = write(tmp_path, text)
    with pytest.raises(InvalidConfigurationError) as excinfo:
        load_config(path, environ=environ or {})
    return problems_of(excinfo)


def test_defaults_with_demo_overlay_load_cleanly() -> None:
    cfg = load_config(demo=True, environ={})
    assert isinstance(cfg, KioskConfig)
    assert cfg.terminal.id == "DEMO-JS-0001"
    assert cfg.session.idle_timeout_s == 90 and cfg.session.elderly_idle_factor == 3.0
    assert cfg.services.enabled == KNOWN_SERVICES
    assert cfg.i18n.languages == ("zh_CN", "en")
    assert cfg.log.dir == "var/log" and cfg.paths.state_dir == "var/state"  # kept relative


def test_demo_pin_hash_is_the_hash_of_the_demo_pin() -> None:
    cfg = load_config(demo=True, environ={})
    assert verify_pin("246810", cfg.maintenance.pin_hash)


def test_terminal_file_overrides_only_the_keys_it_names(tmp_path: Path, base: Sections) -> None:
    path = write(tmp_path, render(base, {"session": {"idle_timeout_s": "120"}}))
    cfg = load_config(path, environ={})
    assert cfg.session.idle_timeout_s == 120
    assert cfg.session.warning_s == 30  # still the default
    assert cfg.terminal.name == "政务服务自助终端"


def test_without_demo_or_terminal_file_the_unprovisioned_keys_are_refused() -> None:
    with pytest.raises(InvalidConfigurationError) as excinfo:
        load_config(environ={})
    assert set(problems_of(excinfo)) == {"terminal.id", "terminal.support_contact",
                                         "maintenance.pin_hash", "platform.token"}


def test_misspelt_key_is_refused_and_the_nearest_key_suggested(tmp_path: Path,
                                                               base: Sections) -> None:
    problems = refuse(tmp_path, render(base, {"session": {"idel_timeout_s": "120"}}))
    problem = problems["session.idel_timeout_s"]
    assert "did you mean 'session.idle_timeout_s'?" in problem.allowed
    assert "warning_s" in problem.allowed  # lists the section's known keys
    assert problem.source == str(tmp_path / "terminal.toml")


def test_key_in_the_wrong_section_points_to_the_right_one(tmp_path: Path, base: Sections) -> None:
    problems = refuse(tmp_path, render(base, {"session": {"elderly_by_default": "true"}}))
    assert "'accessibility.elderly_by_default'" in problems["session.elderly_by_default"].allowed


def test_unknown_section_is_refused(tmp_path: Path, base: Sections) -> None:
    problems = refuse(tmp_path, render(base, {"sesion": {"idle_timeout_s": "120"}}))
    assert "sesion" in problems
    assert "did you mean '[session]'?" in problems["sesion"].allowed


@pytest.mark.parametrize("section, key, value", [
    ("session", "idle_timeout_s", '"90"'),
    ("terminal", "out_of_service", "1"),
    ("session", "idle_timeout_s", "true"),
    ("log", "backups", "true"),  # true == 1 is in range: only the type check refuses it
    ("i18n", "languages", '["zh_CN", 3]'),
    ("terminal", "name", "42"),
])
def test_value_of_the_wrong_type_is_refused(tmp_path: Path, base: Sections, section: str,
                                            key: str, value: str) -> None:
    problems = refuse(tmp_path, render(base, {section: {key: value}}))
    assert f"{section}.{key}" in problems


def test_float_setting_accepts_an_integer(tmp_path: Path, base: Sections) -> None:
    path = write(tmp_path, render(base, {"session": {"elderly_idle_factor": "2"}}))
    cfg = load_config(path, environ={})
    assert cfg.session.elderly_idle_factor == 2.0
    assert isinstance(cfg.session.elderly_idle_factor, float)


def test_out_of_range_value_is_refused_naming_value_and_range(tmp_path: Path,
                                                              base: Sections) -> None:
    problem = refuse(tmp_path, render(base, {"session": {"warning_s": "5"}}))["session.warning_s"]
    assert problem.value == 5
    assert "from 20 to 300" in problem.allowed
    assert "got 5" in str(problem)


def test_value_outside_the_choices_is_refused_naming_the_choices(tmp_path: Path,
                                                                 base: Sections) -> None:
    problem = refuse(tmp_path, render(base, {"log": {"level": '"VERBOSE"'}}))["log.level"]
    assert problem.value == "VERBOSE"
    for level in ("DEBUG", "INFO", "WARNING", "ERROR"):
        assert level in problem.allowed


@pytest.mark.parametrize("bad_id", ["-X1", "AB", "JS_SY_0001", r"JS-SY-0001\n", "A" * 33,
                                    "终端-0001"])
def test_terminal_id_not_matching_the_pattern_is_refused(tmp_path: Path, base: Sections,
                                                         bad_id: str) -> None:
    problems = refuse(tmp_path, render(base, {"terminal": {"id": f'"{bad_id}"'}}))
    assert "terminal.id" in problems


def test_unknown_or_duplicate_service_is_refused(tmp_path: Path, base: Sections) -> None:
    problems = refuse(tmp_path, render(base, {"services": {"enabled": '["guide", "tax"]'}}))
    assert "'tax'" in problems["services.enabled"].allowed
    problems = refuse(tmp_path, render(base, {"services": {"enabled": '["help", "help"]'}}))
    assert "more than once" in problems["services.enabled"].allowed


@pytest.mark.parametrize("name", ["no-such-font.ttc", "."])  # missing file, a directory
def test_missing_font_file_is_refused(tmp_path: Path, base: Sections, name: str) -> None:
    missing = tmp_path / name
    problems = refuse(tmp_path, render(base, {"display": {"font_path": f'"{missing}"'}}))
    assert problems["display.font_path"].value == str(missing)
    assert "nothing found" in problems["display.font_path"].allowed


def test_plain_digit_pin_hash_is_refused_with_the_plain_pin_hint(tmp_path: Path,
                                                                 base: Sections) -> None:
    problems = refuse(tmp_path, render(base, {"maintenance": {"pin_hash": '"246810"'}}))
    problem = problems["maintenance.pin_hash"]
    assert "plain PIN" in problem.allowed and "kiosk --hash-pin" in problem.allowed
    assert "246810" not in str(problem)  # the PIN itself never reaches an error message


def test_malformed_pin_hash_is_refused(tmp_path: Path, base: Sections) -> None:
    problems = refuse(tmp_path, render(base, {"maintenance": {"pin_hash": f'"{VALID_HASH[:-1]}"'}}))
    assert "maintenance.pin_hash" in problems


def test_several_problems_are_all_reported(tmp_path: Path, base: Sections) -> None:
    problems = refuse(tmp_path, render(base, {
        "session": {"warning_s": "5", "idle_timeout_s": '"x"'},
        "log": {"level": '"LOUD"', "backups": "0"},
        "display": {"font_path": '"/nonexistent/font.ttc"'},
    }))
    assert {"session.warning_s", "session.idle_timeout_s", "log.level", "log.backups",
            "display.font_path"} <= set(problems)


def test_environment_override_applies_and_is_coerced(tmp_path: Path, base: Sections) -> None:
    cfg = load_config(write(tmp_path, render(base)),
                      environ={"KIOSK_LOG_LEVEL": "DEBUG", "KIOSK_DISPLAY_PROFILE": "developer",
                               "KIOSK_STATE_DIR": "state", "KIOSK_UNRELATED": "x"})
    assert cfg.log.level == "DEBUG"
    assert cfg.display.profile == "developer"
    assert cfg.paths.state_dir == "state"


def test_environment_wins_over_the_terminal_file(tmp_path: Path, base: Sections) -> None:
    path = write(tmp_path, render(base, {"log": {"level": '"ERROR"'}}))
    assert load_config(path, environ={"KIOSK_LOG_LEVEL": "WARNING"}).log.level == "WARNING"


def test_bad_environment_value_names_the_variable(tmp_path: Path, base: Sections) -> None:
    problem = refuse(tmp_path, render(base), environ={"KIOSK_LOG_LEVEL": "chatty"})["log.level"]
    assert "KIOSK_LOG_LEVEL" in problem.source
    assert problem.value == "chatty"


def test_missing_terminal_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(InvalidConfigurationError) as excinfo:
        load_config(missing, environ={})
    assert list(problems_of(excinfo)) == [str(missing)]  # no follow-on noise


def test_toml_syntax_error_names_the_file_and_line(tmp_path: Path, base: Sections) -> None:
    text = render(base, tail="[session]\nidle_timeout_s 120\n")
    bad_line = text.splitlines().index("idle_timeout_s 120") + 1
    path = write(tmp_path, text)
    with pytest.raises(InvalidConfigurationError) as excinfo:
        load_config(path, environ={})
    assert list(problems_of(excinfo)) == [str(path)]
    problem = problems_of(excinfo)[str(path)]
    assert f"line {bad_line}," in problem.allowed
    assert problem.source == str(path)


def test_languages_without_the_default_language_are_refused(tmp_path: Path,
                                                            base: Sections) -> None:
    text = render(base, {"i18n": {"languages": '["en"]'}})
    problems = refuse(tmp_path, text)
    assert "zh_CN" in problems["i18n.languages"].allowed
    cfg = load_config(write(tmp_path, text), environ={"KIOSK_LANGUAGE": "en"})
    assert cfg.i18n.default_language == "en"


def test_relative_paths_are_kept_as_given(tmp_path: Path, base: Sections) -> None:
    path = write(tmp_path, render(base, {"log": {"dir": '"logs"'}}))
    assert load_config(path, environ={}).log.dir == "logs"


def test_config_to_dict_hides_the_pin_hash_and_the_platform_token() -> None:
    data = config_to_dict(load_config(demo=True, environ={}))
    assert data["maintenance"]["pin_hash"] == "<set>"
    assert data["platform"]["token"] == "<set>"
    assert "demo-token" not in repr(data)
    assert VALID_HASH not in repr(data)
    assert data["services"]["enabled"] == list(KNOWN_SERVICES)


def test_describe_schema_lists_every_key_with_its_default_and_env() -> None:
    text = describe_schema()
    for info in all_settings():
        assert f"  {info.key}  " in text
    assert "KIOSK_LOG_LEVEL" in text and "default: 90" in text


@pytest.mark.parametrize("url", ['"http://platform.example.gov.cn"', '"ftp://x"', '"https://"'])
def test_a_platform_url_without_tls_is_refused_unless_it_is_loopback(tmp_path: Path,
                                                                     base: Sections,
                                                                     url: str) -> None:
    problems = refuse(tmp_path, render(base, {"platform": {"url": url}}))
    assert "https" in problems["platform.url"].allowed


def test_a_loopback_demo_platform_url_is_accepted(tmp_path: Path, base: Sections) -> None:
    path = write(tmp_path, render(base, {"platform": {"url": '"http://127.0.0.1:8765"'}}))
    assert load_config(path, environ={}).platform.url == "http://127.0.0.1:8765"
