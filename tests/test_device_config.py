"""[devices.<name>] tables: merged per key across layers, checked by their drivers."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.errors import InvalidConfigurationError
from kiosk.config import config_to_dict, load_config


def load(tmp_path: Path, text: str, check=None):
    path = tmp_path / "terminal.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, demo=True, environ={}, check_device_options=check)


def problems(tmp_path: Path, text: str, check=None) -> dict[str, str]:
    with pytest.raises(InvalidConfigurationError) as info:
        load(tmp_path, text, check)
    return {p.key: p.allowed for p in info.value.problems}


def test_device_tables_become_specs_with_their_options(tmp_path):
    cfg = load(tmp_path, '[devices.idcard]\nkind = "card_reader"\ndriver = "serial"\n'
                         'url = "/dev/idcard"\nbaudrate = 115200\n')
    spec = next(d for d in cfg.devices if d.name == "idcard")
    assert (spec.kind, spec.driver, spec.enabled) == ("card_reader", "serial", True)
    assert dict(spec.options) == {"url": "/dev/idcard", "baudrate": 115200}
    assert config_to_dict(cfg)["devices"]["idcard"]["url"] == "/dev/idcard"


def test_unknown_kind_missing_driver_and_bad_name_are_refused(tmp_path):
    found = problems(tmp_path, '[devices.idcard]\nkind = "cardreader"\ndriver = "serial"\n'
                               '[devices.wedge]\nkind = "scanner"\n'
                               '[devices.Bad-Name]\nkind = "printer"\ndriver = "sim"\n')
    assert "'card_reader'" in found["devices.idcard.kind"]
    assert "devices.wedge.driver" in found
    assert "devices.Bad-Name" in found


def test_the_drivers_own_check_refuses_a_bad_option(tmp_path):
    def check(kind, driver, name, options):
        return "unknown option 'baud'; did you mean 'baudrate'?" if "baud" in options else None

    found = problems(tmp_path, '[devices.idcard]\nkind = "card_reader"\ndriver = "serial"\n'
                               'url = "/dev/idcard"\nbaud = 9600\n', check)
    assert "baudrate" in found["devices.idcard"]


def test_disabled_devices_are_not_checked(tmp_path):
    def check(kind, driver, name, options):
        return "would refuse" if name == "cam" else None

    cfg = load(tmp_path, '[devices.cam]\nkind = "camera"\ndriver = "opencv"\nenabled = false\n',
               check)
    assert [d.enabled for d in cfg.devices if d.name == "cam"] == [False]


def test_a_terminal_file_changes_one_option_of_a_demo_device(tmp_path):
    cfg = load(tmp_path, '[devices.printer]\npaper_mm = 58\n')
    printer = next(d for d in cfg.devices if d.name == "printer")
    assert (printer.kind, printer.driver, dict(printer.options)["paper_mm"]) == ("printer", "sim", 58)


def test_demo_devices_pass_their_drivers_checks(tmp_path):
    from hardware.registry import check_device_options

    cfg = load(tmp_path, "", check_device_options)
    assert {d.name: d.driver for d in cfg.devices} == {
        "card_reader": "sim", "scanner": "sim", "camera": "sim", "printer": "sim",
        "speaker": "sim"}


def test_a_misspelt_driver_option_stops_the_configuration(tmp_path):
    from hardware.registry import check_device_options

    found = problems(tmp_path, '[devices.printer]\npaper_mmm = 58\n', check_device_options)
    assert "paper_mm" in found["devices.printer"]


def test_naming_another_driver_replaces_the_earlier_devices_options(tmp_path):
    cfg = load(tmp_path, '[devices.card_reader]\ndriver = "serial"\nurl = "/dev/idcard"\n')
    reader = next(d for d in cfg.devices if d.name == "card_reader")
    assert reader.driver == "serial" and dict(reader.options) == {"url": "/dev/idcard"}


def test_a_terminal_names_an_espeak_speaker_and_its_options_are_checked(tmp_path):
    from hardware.registry import check_device_options

    cfg = load(tmp_path, '[devices.speaker]\ndriver = "espeak"\nvolume = 70\n',
               check_device_options)
    speaker = next(d for d in cfg.devices if d.name == "speaker")
    assert (speaker.kind, speaker.driver, dict(speaker.options)) == (
        "speaker", "espeak", {"volume": 70})
    found = problems(tmp_path, '[devices.speaker]\ndriver = "espeak"\nvolume = 170\n',
                     check_device_options)
    assert "'volume'" in found["devices.speaker"] and "0 to 100" in found["devices.speaker"]


def test_the_example_terminal_file_declares_a_valid_speaker():
    import tomllib

    from hardware.registry import check_device_options

    example = Path(__file__).resolve().parent.parent / "config" / "terminal.example.toml"
    table = dict(tomllib.loads(example.read_text(encoding="utf-8"))["devices"]["speaker"])
    kind, driver = table.pop("kind"), table.pop("driver")
    assert (kind, driver) == ("speaker", "espeak")
    assert check_device_options(kind, driver, "speaker", table) is None
