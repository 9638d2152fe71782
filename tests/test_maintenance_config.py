"""Configuration editing from maintenance mode (kiosk/maintenance/config_edit.py and the
flow's configuration steps): by taps, validated by the real loader, a new port tested
before saving, the last good file kept and put back."""

from __future__ import annotations

import pytest

from common.errors import InvalidConfigurationError, KioskError
from hardware.registry import check_device_options
from kiosk.config import load_config
from kiosk.maintenance import config_steps as cs
from kiosk.maintenance.config_edit import ConfigEditor, set_value
from kiosk.maintenance.config_steps import ConfigSteps

TERMINAL = """\
# this terminal's own file: comments stay
[terminal]
id = "JS-SY-0001"

[session]
# quieter office
idle_timeout_s = 120

[devices.printer]
kind = "printer"
driver = "serial"
devfile = "/dev/kiosk-printer"
"""


def load(path):
    return load_config(path, demo=True, environ={}, check_device_options=check_device_options)


@pytest.fixture
def terminal(tmp_path):
    path = tmp_path / "terminal.toml"
    path.write_text(TERMINAL + f'[log]\ndir = "{tmp_path / "log"}"\n[paths]\n'
                    f'state_dir = "{tmp_path / "state"}"\n', encoding="utf-8")
    return path


def test_set_value_changes_one_line_and_keeps_comments_and_adds_missing_keys_and_tables():
    text = set_value(TERMINAL, "session", "idle_timeout_s", 150)
    assert "idle_timeout_s = 150" in text and "# quieter office" in text
    assert text.count("idle_timeout_s") == 1
    text = set_value(text, "session", "warning_s", 40)
    assert text.index("warning_s = 40") < text.index("[devices.printer]")
    text = set_value(text, "accessibility", "elderly_by_default", True)
    assert text.rstrip().endswith("[accessibility]\nelderly_by_default = true")
    assert load_config  # the result is checked by the loader in the tests below


def test_a_value_the_loader_refuses_is_never_saved(terminal):
    editor = ConfigEditor(terminal, load)
    before = terminal.read_text(encoding="utf-8")
    editor.change("session.warning_s", 5)  # below the 20 s minimum
    with pytest.raises(InvalidConfigurationError):
        editor.save()
    assert terminal.read_text(encoding="utf-8") == before
    assert not editor.last_good.exists()


def test_saving_keeps_the_last_good_file_and_rollback_puts_it_back(terminal):
    editor = ConfigEditor(terminal, load)
    before = terminal.read_text(encoding="utf-8")
    editor.change("session.idle_timeout_s", 180)
    editor.save()
    assert load(terminal).session.idle_timeout_s == 180
    assert editor.last_good.read_text(encoding="utf-8") == before
    editor.rollback()
    assert terminal.read_text(encoding="utf-8") == before


def test_a_new_port_must_be_tested_before_it_is_saved_and_a_bad_one_fails_the_test(terminal):
    tried = []

    def open_device(config, name):
        spec = next(s for s in config.devices if s.name == name)
        tried.append(spec.options["devfile"])
        if spec.options["devfile"] != "/dev/kiosk-printer-2":
            raise KioskError(f"{name}: cannot open {spec.options['devfile']}")
        return f"{name}: online"

    editor = ConfigEditor(terminal, load, open_device)
    editor.change("devices.printer.devfile", "/dev/ttyUSB9")
    with pytest.raises(KioskError, match="test the new port first"):
        editor.save()
    with pytest.raises(KioskError, match="cannot open"):
        editor.test("devices.printer.devfile")
    editor.change("devices.printer.devfile", "/dev/kiosk-printer-2")
    assert editor.test("devices.printer.devfile") == "printer: online"
    editor.save()
    assert 'devfile = "/dev/kiosk-printer-2"' in terminal.read_text(encoding="utf-8")
    assert tried == ["/dev/ttyUSB9", "/dev/kiosk-printer-2"]


def test_the_steps_change_values_by_taps_within_their_limits(terminal):
    config = load(terminal)
    steps = ConfigSteps(ConfigEditor(terminal, load), config)
    keys = [e.key for e in cs.editables(config)]
    assert "devices.printer.devfile" in keys and "session.idle_timeout_s" in keys
    steps.open("session.idle_timeout_s")
    steps.adjust(cs.PLUS)
    assert steps.value("session.idle_timeout_s") == 150
    steps.open("accessibility.elderly_by_default")
    steps.adjust(cs.SET + "on")
    steps.adjust(cs.SET + "off")  # back to what the file says: no pending change
    assert list(steps.editor.pending) == ["session.idle_timeout_s"]
    view = steps.list_view(lambda s: s, cs.Choice("mt:menu", "menu"), None)
    assert any(c.detail == "150 *" for c in view.choices)
