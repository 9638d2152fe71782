"""Technician device commands against real drivers talking to fake devices."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from hardware.card_reader.fake_device import FakeSamDevice
from hardware.printer import FakeNetworkPrinter
from hardware.registry import check_device_options
from kiosk import device_cli
from kiosk.config import load_config


def config_with(tmp_path: Path, devices: str):
    path = tmp_path / "terminal.toml"
    path.write_text(f'[log]\ndir = "{tmp_path}/log"\n[paths]\nstate_dir = "{tmp_path}/s"\n'
                    + devices, encoding="utf-8")
    cfg = load_config(path, demo=True, environ={}, check_device_options=check_device_options)
    return cfg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fakes():
    reader = FakeSamDevice(card=1).start()
    printer = FakeNetworkPrinter().start()
    yield reader, printer
    reader.stop()
    printer.stop()


def real_devices(reader, printer, printer_port=None) -> str:
    return (f'[devices.card_reader]\nkind = "card_reader"\ndriver = "serial"\n'
            f'url = "{reader.link}"\n'
            f'[devices.printer]\nkind = "printer"\ndriver = "network"\nhost = "127.0.0.1"\n'
            f'port = {printer_port or printer.port}\nstatus_timeout_s = 0.3\n'
            f'confirm_wait_s = 0.0\n'
            '[devices.scanner]\nkind = "scanner"\ndriver = "sim"\n'
            '[devices.camera]\nkind = "camera"\ndriver = "sim"\nenabled = false\n')


def test_devices_lists_real_drivers_online(tmp_path, fakes):
    reader, printer = fakes
    out = io.StringIO()
    code = device_cli.list_devices(config_with(tmp_path, real_devices(reader, printer)), out)
    lines = out.getvalue().splitlines()
    assert code == 0, out.getvalue()
    assert any(line.startswith("card_reader") and "online" in line for line in lines)
    assert any(line.startswith("printer") and "network" in line and "online" in line
               for line in lines)
    assert not any(line.startswith("camera") for line in lines)  # disabled


def test_a_missing_printer_is_listed_as_no_device_with_exit_1(tmp_path, fakes):
    reader, printer = fakes
    cfg = config_with(tmp_path, real_devices(reader, printer, printer_port=free_port()))
    out = io.StringIO()
    assert device_cli.list_devices(cfg, out) == 1
    line = next(l for l in out.getvalue().splitlines() if l.startswith("printer"))
    assert "noDevice" in line


def test_card_reader_self_test_reads_the_card_and_prints_it_masked(tmp_path, fakes):
    reader, printer = fakes
    out = io.StringIO()
    cfg = config_with(tmp_path, real_devices(reader, printer))
    assert device_cli.self_test(cfg, "card_reader", out, timeout_s=5) == 0, out.getvalue()
    from hardware.card_reader import sample_cards

    text = out.getvalue()
    card = sample_cards()[1]  # what FakeSamDevice(card=1) holds
    assert "OK: read" in text and card.id_number[:4] + "**********" in text
    assert card.id_number not in text and card.name not in text


def test_printer_self_test_prints_a_slip_the_printer_receives(tmp_path, fakes):
    reader, printer = fakes
    out = io.StringIO()
    cfg = config_with(tmp_path, real_devices(reader, printer))
    assert device_cli.self_test(cfg, "printer", out) == 0, out.getvalue()
    job = printer.wait_for_jobs(1, timeout_s=3)[0]
    text = "\n".join(job.lines)
    assert "打印机自检" in text and "DEMO-JS-0001" in text
    assert list(job.qr_codes) == ["SELF-TEST DEMO-JS-0001"] and job.cuts == 1


def test_self_test_of_an_unknown_device_names_the_configured_ones(tmp_path, fakes):
    reader, printer = fakes
    out = io.StringIO()
    cfg = config_with(tmp_path, real_devices(reader, printer))
    assert device_cli.self_test(cfg, "fax", out) == 1
    assert "card_reader" in out.getvalue()


def test_speaker_self_test_says_a_sentence_espeak_writes_as_wav(tmp_path, fakes):
    import shutil

    from hardware.speaker.fake_player import measure

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    reader, printer = fakes
    wav = tmp_path / "said.wav"
    cfg = config_with(tmp_path, real_devices(reader, printer)
                      + f'[devices.speaker]\ndriver = "espeak"\nwav_file = "{wav}"\n')
    out = io.StringIO()
    assert device_cli.self_test(cfg, "speaker", out, timeout_s=10) == 0, out.getvalue()
    assert "speaker: OK: said a test sentence" in out.getvalue()
    assert measure(str(wav)).seconds > 2.0

