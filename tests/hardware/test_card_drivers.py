"""Card reader drivers from configuration tables, and the timing helper for the bench."""

from __future__ import annotations

import pytest

from hardware.base import DeviceStatus
from hardware.card_reader import DRIVERS, SerialCardReader, SimulatedCardReader
from hardware.card_reader.samples import sample_cards
from hardware.card_reader.timing import read_wire_bytes, time_card_read, wire_time_s
from hardware.errors import DeviceConfigError
from hardware.registry import build_device, check_device_options


def test_the_serial_factory_applies_defaults_and_does_not_open():
    reader = DRIVERS["serial"]("idcard", {"url": "/dev/does-not-exist"})
    assert isinstance(reader, SerialCardReader)
    assert (reader.url, reader.baudrate, reader.timeout_s, reader.retries,
            reader.read_fingerprint) == ("/dev/does-not-exist", 115200, 2.0, 2, False)
    assert reader.status == DeviceStatus.OFFLINE and not reader._connected


def test_the_sim_factory_puts_the_configured_sample_card_on_the_reader():
    reader = DRIVERS["sim"]("idcard", {"card": 2, "read_delay_s": 0, "read_fingerprint": True})
    assert isinstance(reader, SimulatedCardReader)
    assert reader.read_delay_s == 0.0 and reader.read_fingerprint is True
    reader.open()
    try:
        assert reader.read_card().id_number == sample_cards()[2].id_number
    finally:
        reader.close()
    by_id = DRIVERS["sim"]("idcard", {"card": sample_cards()[4].id_number})
    assert by_id.sam.card == sample_cards()[4]
    assert DRIVERS["sim"]("idcard", {}).sam.card is None


@pytest.mark.parametrize("driver,options,named,allowed", [
    ("serial", {"url": "/dev/idcard", "baud": 9600}, "'baud'", "did you mean 'baudrate'"),
    ("serial", {}, "'url'", "is required"),
    ("serial", {"url": ""}, "'url'", "a device path"),
    ("serial", {"url": "bogus://x"}, "'bogus://x'", "pyserial URL"),
    ("serial", {"url": "/dev/idcard", "baudrate": "115200"}, "'115200'", "integer baud"),
    ("serial", {"url": "/dev/idcard", "baudrate": 0}, "got 0", "integer baud"),
    ("serial", {"url": "/dev/idcard", "retries": True}, "got True", "0 to 10"),
    ("serial", {"url": "/dev/idcard", "timeout_s": float("nan")}, "got nan", "0.05 to 30"),
    ("serial", {"url": "/dev/idcard", "read_fingerprint": 1}, "got 1", "true or false"),
    ("sim", {"card": 99}, "got 99", "index of a sample card"),
    ("sim", {"card": "310116195603120030"}, "'card'", "ID number"),
    ("sim", {"read_delay_s": -1}, "got -1", "0 to 10"),
    ("sim", {"url": "/dev/idcard"}, "unknown option 'url'", "allowed options: card"),
])
def test_bad_options_name_the_option_the_value_and_what_is_allowed(driver, options, named,
                                                                  allowed):
    with pytest.raises(DeviceConfigError) as info:
        DRIVERS[driver]("idcard", options)
    text = str(info.value)
    assert "'idcard'" in text and named in text and allowed in text


def test_the_registry_builds_card_readers_and_reports_option_problems():
    reader = build_device("idcard", "card_reader", "serial", {"url": "socket://10.0.0.5:4001"})
    assert reader.transport == "socket://10.0.0.5:4001"
    assert check_device_options("card_reader", "serial", "idcard",
                                {"url": "/dev/idcard", "baud": 9600}) is not None
    assert check_device_options("card_reader", "sim", "idcard", {"card": 0}) is None


def test_wire_time_counts_ten_bits_per_byte():
    assert wire_time_s(11520, 115200) == pytest.approx(1.0)
    # find 10+15, select 10+19, read 10+1295 bytes
    assert read_wire_bytes() == 10 + 15 + 10 + 19 + 10 + 1295


def test_a_paced_read_is_never_faster_than_the_wire():
    timing = time_card_read(reads=2, baud=115200, pace=True)
    assert timing.wire_bytes == read_wire_bytes()
    assert timing.min_s >= timing.wire_s * 0.98  # pacing holds answers to the line speed
    assert timing.overhead_ratio >= 0.98
