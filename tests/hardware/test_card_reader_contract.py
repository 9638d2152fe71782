"""One contract for every card reader: the simulator, and the serial driver on a fake pty.

The serial rig is the real `SerialCardReader` opening a symlink (like a udev name) to a
pty served by `FakeSamDevice`; unplugging closes the pty and removes the link. The fault
cases at the end (garbled, cut, late answers) apply to the serial driver only.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import tty
from typing import Any, Callable

import pytest

from hardware.base import DeviceStatus, StatusChanged
from hardware.card_reader import (
    CardPresent, CardRefusedError, CardRemoved, SamError, SerialCardReader,
    SimulatedCardReader,
)
from hardware.card_reader.fake_device import FakeSamDevice
from hardware.card_reader.sam_protocol import RequestDecoder, encode_response
from hardware.card_reader.samples import sample_cards
from hardware.card_reader.virtual_sam import VirtualSam
from hardware.errors import (
    CardReadError, DeviceNotFoundError, DeviceTimeoutError, HardwareError, NoCardError,
    ProtocolError,
)

CARDS = sample_cards()


class SimRig:
    kind = "sim"

    def __init__(self) -> None:
        self.readers: list[SimulatedCardReader] = []
        self.reader = self.new_reader()

    def new_reader(self, **options: Any) -> SimulatedCardReader:
        options = {"read_delay_s": 0.02, "timeout_s": 1.0, **options}
        reader = SimulatedCardReader("idcard", **options)
        if self.readers:  # one card slot, shared like one physical reader
            reader.sam = self.readers[0].sam
        self.readers.append(reader)
        return reader

    def insert(self, index: int) -> None:
        self.readers[0].insert_card(index)

    def remove(self) -> None:
        self.readers[0].remove_card()

    def unplug(self) -> None:
        for reader in self.readers:
            reader.unplug()

    def replug(self) -> None:
        for reader in self.readers:
            reader.replug()

    def stall_next_answer(self, seconds: float) -> None:
        self.reader.read_delay_s = seconds

    def fail_next_read(self, sw3: int, times: int = 1) -> None:
        self.readers[0].fail_next_read(sw3, times)

    def set_sam_failure(self, failing: bool) -> None:
        self.readers[0].set_sam_failure(failing)

    def close(self) -> None:
        for reader in self.readers:
            reader.close()


class SerialRig:
    kind = "serial"

    def __init__(self) -> None:
        self.fake = FakeSamDevice().start()
        self.readers: list[SerialCardReader] = []
        self.reader = self.new_reader()

    def new_reader(self, **options: Any) -> SerialCardReader:
        options = {"timeout_s": 1.0, **options}
        reader = SerialCardReader("idcard", self.fake.link, **options)
        self.readers.append(reader)
        return reader

    def insert(self, index: int) -> None:
        self.fake.insert(index)

    def remove(self) -> None:
        self.fake.remove()

    def unplug(self) -> None:
        self.fake.unplug()

    def replug(self) -> None:
        self.fake.replug()

    def stall_next_answer(self, seconds: float) -> None:
        self.fake.delay_next(seconds)

    def fail_next_read(self, sw3: int, times: int = 1) -> None:
        self.fake.fail_next_read(sw3, times)

    def set_sam_failure(self, failing: bool) -> None:
        self.fake.set_sam_failure(failing)

    def close(self) -> None:
        for reader in self.readers:
            reader.close()
        self.fake.stop()


@pytest.fixture(params=[SimRig, SerialRig], ids=["sim", "serial"])
def card_rig(request):
    rig = request.param()
    yield rig
    rig.close()


@pytest.fixture
def card_events(card_rig) -> list[Any]:
    events: list[Any] = []
    card_rig.reader.subscribe(events.append)
    return events


def presence(events: list[Any]) -> list[Any]:
    return [e for e in events if isinstance(e, (CardPresent, CardRemoved))]


def wait_for(condition: Callable[[], bool], limit_s: float) -> float:
    """Seconds until ``condition`` held; fails beyond ``limit_s``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < limit_s, "condition not reached in time"
        time.sleep(0.01)
    return time.monotonic() - started


# -- the contract --------------------------------------------------------------------------
def test_open_brings_the_reader_online_with_its_sam_id(card_rig, card_events):
    reader = card_rig.reader
    assert reader.status == DeviceStatus.OFFLINE
    reader.open()
    assert reader.status == DeviceStatus.ONLINE
    assert reader.info.serial == reader.sam_id() and len(reader.info.serial) == 32
    assert [e.status for e in card_events if isinstance(e, StatusChanged)] == [DeviceStatus.ONLINE]
    assert reader.capabilities() == {"fingerprint": False, "transport": reader.transport}


def test_without_a_card_read_raises_no_card_and_poll_sees_none(card_rig, card_events):
    reader = card_rig.reader
    reader.open()
    with pytest.raises(NoCardError):
        reader.read_card()
    reader.poll()
    assert reader.card_present is False and presence(card_events) == []
    assert reader.status == DeviceStatus.ONLINE and reader.counters["no_card"] == 1


def test_inserting_a_card_makes_poll_emit_card_present_once(card_rig, card_events):
    reader = card_rig.reader
    reader.open()
    reader.poll()
    card_rig.insert(0)
    assert reader.card_present is False  # no I/O until the next poll
    reader.poll()
    reader.poll()
    assert reader.card_present is True
    assert presence(card_events) == [CardPresent("idcard")]


@pytest.mark.parametrize("index", range(len(CARDS)))
def test_read_card_returns_the_record_on_the_reader(card_rig, index):
    reader = card_rig.reader
    reader.open()
    card_rig.insert(index)
    record = reader.read_card()
    expected = CARDS[index]
    assert (record.name, record.id_number) == (expected.name, expected.id_number)
    assert (record.birth_date, record.valid_from, record.valid_to, record.long_term) == (
        expected.birth_date, expected.valid_from, expected.valid_to, expected.long_term)
    assert record.photo == expected.photo and len(record.photo) == 1024
    assert record.fingerprint is None and reader.card_present is True
    assert reader.counters["reads_ok"] == 1


def test_a_fingerprint_reader_returns_the_fingerprint_block(card_rig):
    reader = card_rig.new_reader(read_fingerprint=True)
    reader.open()
    card_rig.insert(0)
    assert reader.read_card().fingerprint == CARDS[0].fingerprint
    card_rig.insert(1)
    assert reader.read_card().fingerprint is None
    assert reader.capabilities()["fingerprint"] is True


def test_removing_the_card_makes_poll_emit_card_removed(card_rig, card_events):
    reader = card_rig.reader
    reader.open()
    card_rig.insert(2)
    reader.poll()
    card_rig.remove()
    reader.poll()
    assert reader.card_present is False
    assert presence(card_events) == [CardPresent("idcard"), CardRemoved("idcard")]
    with pytest.raises(NoCardError):
        reader.read_card()


def test_unplug_during_a_read_gives_no_device_within_two_seconds(card_rig, card_events):
    reader = card_rig.reader
    reader.open()
    card_rig.insert(1)
    card_rig.stall_next_answer(0.8)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            reader.read_card()
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=read)
    worker.start()
    time.sleep(0.2)  # the read is waiting for its answer
    card_rig.unplug()
    unplugged = time.monotonic()
    wait_for(lambda: reader.status == DeviceStatus.NO_DEVICE, 2.0)
    worker.join(2.0)
    elapsed = time.monotonic() - unplugged
    assert not worker.is_alive() and elapsed < 2.0
    assert len(outcome) == 1 and isinstance(outcome[0], DeviceNotFoundError)
    if card_rig.kind == "serial":  # the OS error stays attached for the technician log
        assert outcome[0].__cause__ is not None
    statuses = [e.status for e in card_events if isinstance(e, StatusChanged)]
    assert statuses == [DeviceStatus.ONLINE, DeviceStatus.NO_DEVICE]
    assert CardRemoved("idcard") not in card_events  # losing the reader is not a removal


def test_unplug_while_idle_is_seen_by_the_next_poll(card_rig):
    reader = card_rig.reader
    reader.open()
    card_rig.unplug()
    started = time.monotonic()
    reader.poll()
    assert reader.status == DeviceStatus.NO_DEVICE and time.monotonic() - started < 2.0
    with pytest.raises(DeviceNotFoundError):
        reader.read_card()
    with pytest.raises(DeviceNotFoundError):
        reader.open()
    assert reader.status == DeviceStatus.NO_DEVICE


def test_replug_then_close_and_open_brings_the_same_reader_back(card_rig, card_events):
    reader = card_rig.reader
    reader.open()
    card_rig.insert(3)
    reader.poll()
    card_rig.unplug()
    reader.poll()
    card_rig.replug()
    reader.close()
    assert reader.status == DeviceStatus.NO_DEVICE  # close does not hide the failure
    reader.open()
    assert reader.status == DeviceStatus.ONLINE
    assert reader.read_card().id_number == CARDS[3].id_number
    statuses = [e.status for e in card_events if isinstance(e, StatusChanged)]
    assert statuses == [DeviceStatus.ONLINE, DeviceStatus.NO_DEVICE, DeviceStatus.ONLINE]
    assert presence(card_events) == [CardPresent("idcard")]


def test_a_transient_read_failure_is_retried_invisibly(card_rig):
    reader = card_rig.reader
    reader.open()
    card_rig.insert(1)
    card_rig.fail_next_read(0x41, times=2)  # retries = 2 by default
    assert reader.read_card().id_number == CARDS[1].id_number
    assert reader.counters["read_retries"] == 2


def test_a_read_failing_on_every_attempt_raises_card_read_error(card_rig):
    reader = card_rig.reader
    reader.open()
    card_rig.insert(1)
    card_rig.fail_next_read(0x81, times=3)
    with pytest.raises(CardReadError, match="0x81"):
        reader.read_card()
    assert reader.status == DeviceStatus.ONLINE and reader.counters["reads_failed"] == 1
    assert reader.read_card().name == CARDS[1].name


def test_a_card_of_unknown_type_is_refused_without_retrying(card_rig):
    reader = card_rig.reader
    reader.open()
    card_rig.insert(1)
    card_rig.fail_next_read(0x40)
    with pytest.raises(CardRefusedError, match="unknown card type"):
        reader.read_card()
    assert "read_retries" not in reader.counters


def test_a_failing_sam_is_a_hardware_error(card_rig):
    reader = card_rig.reader
    reader.open()
    card_rig.insert(0)
    card_rig.set_sam_failure(True)
    reader.poll()
    assert reader.status == DeviceStatus.HARDWARE_ERROR and "0x60" in reader.detail
    with pytest.raises(SamError):
        reader.read_card()
    reader.close()
    with pytest.raises(SamError):
        reader.open()
    assert reader.status == DeviceStatus.HARDWARE_ERROR
    card_rig.set_sam_failure(False)
    reader.open()
    assert reader.status == DeviceStatus.ONLINE


def test_a_closed_reader_refuses_to_read(card_rig):
    reader = card_rig.reader
    reader.open()
    reader.close()
    assert reader.status == DeviceStatus.OFFLINE
    with pytest.raises(DeviceNotFoundError, match="not open"):
        reader.read_card()
    reader.poll()  # a no-op, never raises
    assert reader.status == DeviceStatus.OFFLINE


# -- faults on the serial line (real driver only) --------------------------------------------
@pytest.fixture
def card_fake():
    with FakeSamDevice(card=1) as fake:
        yield fake


@pytest.fixture
def card_serial(card_fake):
    reader = SerialCardReader("idcard", card_fake.link, timeout_s=0.3)
    reader.open()
    yield reader
    reader.close()


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    try:
        result: Any = call()
    except HardwareError as exc:
        result = exc
    return result, time.monotonic() - started


def test_one_corrupted_answer_is_retried(card_fake, card_serial):
    card_fake.corrupt_next(1)
    assert card_serial.read_card().name == CARDS[1].name
    assert card_serial.counters["protocol_errors"] == 1


def test_answers_corrupted_on_every_attempt_end_in_a_checksum_error_quickly(card_fake,
                                                                           card_serial):
    card_fake.corrupt_next(10)
    result, elapsed = timed(card_serial.read_card)
    assert isinstance(result, ProtocolError) and "checksum" in str(result)
    assert card_serial.counters["read_retries"] == 2 and elapsed < 1.0


def test_truncated_answers_are_retried_then_reported_within_the_time_limit(card_fake,
                                                                         card_serial):
    card_fake.truncate_next(1)
    assert card_serial.read_card().name == CARDS[1].name
    card_fake.truncate_next(10)
    result, elapsed = timed(lambda: card_serial.read_card(timeout_s=2.0))
    assert isinstance(result, ProtocolError) and "cut short" in str(result)
    assert elapsed < 2.0 + 0.2  # 3 attempts x 0.3 s exchange timeout


def test_a_late_answer_is_retried_within_the_time_limit(card_fake, card_serial):
    card_fake.delay_next(0.4)  # beyond the 0.3 s exchange timeout
    result, elapsed = timed(card_serial.read_card)
    assert result.name == CARDS[1].name and elapsed < 1.5
    assert card_serial.counters["timeouts"] == 1


def test_a_reader_that_stays_silent_ends_in_a_timeout_then_recovers(card_fake, card_serial):
    card_fake.delay_next(1.5)
    result, elapsed = timed(lambda: card_serial.read_card(timeout_s=0.8))
    assert isinstance(result, DeviceTimeoutError) and elapsed < 0.8 + 0.2
    record = card_serial.read_card(timeout_s=3.0)  # the reader answers again
    assert record.name == CARDS[1].name and card_serial.status == DeviceStatus.ONLINE


def test_two_unanswered_polls_make_a_hardware_error_until_it_answers(card_fake, card_serial):
    card_fake.delay_next(1.0)
    card_serial.poll()
    assert card_serial.status == DeviceStatus.ONLINE  # one miss is noise
    card_serial.poll()
    assert card_serial.status == DeviceStatus.HARDWARE_ERROR and "no answer" in card_serial.detail
    time.sleep(1.0)
    card_serial.poll()
    assert card_serial.status == DeviceStatus.ONLINE


def test_garbage_before_an_answer_is_skipped(card_fake, card_serial):
    card_fake.garbage_before_next(b"\x00\xaa\xaa\x13\x96\x69")
    assert card_serial.read_card().name == CARDS[1].name
    assert "protocol_errors" not in card_serial.counters


def test_opening_a_missing_port_is_device_not_found(tmp_path):
    reader = SerialCardReader("idcard", str(tmp_path / "nothing"), timeout_s=0.2)
    with pytest.raises(DeviceNotFoundError) as info:
        reader.open()
    assert reader.status == DeviceStatus.NO_DEVICE and info.value.__cause__ is not None


def test_a_port_where_nothing_answers_is_not_taken_for_a_reader():
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        reader = SerialCardReader("idcard", os.ttyname(slave), timeout_s=0.1, retries=0)
        result, elapsed = timed(reader.open)
        assert isinstance(result, DeviceNotFoundError) and "no SAM answer" in str(result)
        assert reader.status == DeviceStatus.NO_DEVICE and elapsed < 0.5
    finally:
        os.close(master)
        os.close(slave)


def test_a_port_that_echoes_is_not_taken_for_a_reader():
    reader = SerialCardReader("idcard", "loop://", timeout_s=0.1, retries=0)
    with pytest.raises(DeviceNotFoundError, match="LEN=3"):
        reader.open()


def test_a_reader_behind_a_serial_server_works_over_socket_url():
    sam = VirtualSam(CARDS[4])
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)

    def serve() -> None:
        conn, _ = server.accept()
        decoder = RequestDecoder()
        with conn:
            while chunk := conn.recv(4096):
                for req in decoder.feed(chunk):
                    answer = sam.answer(req.cmd, req.para, req.data)
                    conn.sendall(encode_response((0, 0, answer.sw3), answer.data))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    reader = SerialCardReader("idcard", f"socket://127.0.0.1:{port}", timeout_s=1.0)
    try:
        reader.open()
        assert reader.info.transport == f"socket://127.0.0.1:{port}"
        assert reader.read_card().id_number == CARDS[4].id_number
    finally:
        reader.close()
        server.close()
