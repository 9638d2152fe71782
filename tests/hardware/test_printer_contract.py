"""One contract for every receipt printer: the simulator, and the real network driver
(python-escpos over TCP) talking to the fake ESC/POS printer on loopback.

Each rig gives the same handles (paper out, unplug, silence...) and reports what came out
on paper: the simulator from its own record, the fake from the bytes it parsed.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import pytest

from hardware.base import DeviceStatus, StatusChanged
from hardware.errors import DeviceNotFoundError, PrinterError
from hardware.printer import DRIVERS, FakeNetworkPrinter, Receipt
from hardware.printer.receipt import KeyValue, QrCode, Separator, Text

QR_PAYLOAD = "https://zwfw.example.gov.cn/receipt?no=SL2026-000123&name=张*三"
RECEIPT = Receipt(
    title="受理回执",
    lines=(Text("事项：户籍证明"), KeyValue("受理编号", "SL2026-000123"), Text("：——。"),
           Separator(), QrCode(QR_PAYLOAD), Text("请于3个工作日后凭此回执取件", align="center")),
    footer="村便民服务站",
)


class Printed(NamedTuple):
    lines: tuple[str, ...]
    qr_codes: tuple[str, ...]
    cuts: int


class SimRig:
    def __init__(self) -> None:
        self.printer = DRIVERS["sim"]("printer", {})

    def out_of_paper(self) -> None: self.printer.run_out_of_paper()
    def paper_back(self) -> None: self.printer.load_paper()
    def open_cover(self) -> None: self.printer.open_cover()
    def close_cover(self) -> None: self.printer.close_cover()
    def unplug(self) -> None: self.printer.unplug()
    def replug(self) -> None: self.printer.replug()
    def drop_next_job(self) -> None: self.printer.unplug_during_next_job()
    def silence(self) -> None: self.printer.stop_answering_status()

    def printed(self, count: int) -> list[Printed]:
        return [Printed(job.text_lines, job.qr_codes, job.cuts) for job in self.printer.printed]

    def close(self) -> None:
        self.printer.close()


class FakeNetworkRig:
    def __init__(self) -> None:
        self.fake = FakeNetworkPrinter().start()
        self.printer = DRIVERS["network"]("printer", {
            "host": "127.0.0.1", "port": self.fake.port, "timeout_s": 1.0,
            "status_timeout_s": 0.3, "confirm_wait_s": 0.0})

    def out_of_paper(self) -> None: self.fake.run_out_of_paper()
    def paper_back(self) -> None: self.fake.load_paper()
    def open_cover(self) -> None: self.fake.open_cover()
    def close_cover(self) -> None: self.fake.close_cover()
    def unplug(self) -> None: self.fake.stop()
    def replug(self) -> None: self.fake.start()
    def drop_next_job(self) -> None: self.fake.drop_connection_mid_job()
    def silence(self) -> None: self.fake.stop_answering_status()

    def printed(self, count: int) -> list[Printed]:
        return [Printed(job.text_lines, job.qr_codes, job.cuts)
                for job in self.fake.wait_for_jobs(count, timeout_s=2.0)]

    def close(self) -> None:
        self.printer.close()
        self.fake.stop()


@pytest.fixture(params=[SimRig, FakeNetworkRig], ids=["simulator", "escpos-network+fake"])
def rig(request):
    made = request.param()
    yield made
    made.close()


def wait_for_status(printer, wanted: DeviceStatus, within_s: float) -> float:
    started = time.monotonic()
    while printer.status != wanted and time.monotonic() - started < within_s:
        printer.poll()
        time.sleep(0.02)
    return time.monotonic() - started


def assert_receipt_came_out(job: Printed) -> None:
    assert "受理回执" in job.lines
    assert "事项：户籍证明" in job.lines
    assert "：——。" in job.lines
    row = next(line for line in job.lines if line.startswith("受理编号"))
    assert row.endswith(" SL2026-000123") and len(row) == 32 - 4
    assert "村便民服务站" in job.lines
    assert not any("?" in line or "\ufffd" in line for line in job.lines)
    assert job.qr_codes == (QR_PAYLOAD,)
    assert job.cuts == 1


def test_open_reports_online_with_an_event(rig):
    events = []
    rig.printer.subscribe(events.append)
    rig.printer.open()
    assert rig.printer.status == DeviceStatus.ONLINE
    assert [(e.previous, e.status) for e in events] == [(DeviceStatus.OFFLINE,
                                                          DeviceStatus.ONLINE)]


def test_a_chinese_receipt_comes_back_with_its_text_qr_and_one_cut(rig):
    rig.printer.open()
    result = rig.printer.print_receipt(RECEIPT)
    assert result.confirmed and result.note == ""
    assert result.bytes_sent > 0 and result.before.ok and result.after.ok
    [job] = rig.printed(1)
    assert_receipt_came_out(job)
    assert rig.printer.status == DeviceStatus.ONLINE
    assert rig.printer.counters["jobs_confirmed"] == 1


def test_out_of_paper_is_a_user_error_and_the_job_is_refused(rig):
    rig.printer.open()
    events: list[StatusChanged] = []
    rig.printer.subscribe(events.append)
    rig.out_of_paper()
    rig.printer.poll()
    assert (rig.printer.status, rig.printer.detail) == (DeviceStatus.USER_ERROR, "paper end")
    assert events[-1].status == DeviceStatus.USER_ERROR
    with pytest.raises(PrinterError, match="paper end"):
        rig.printer.print_receipt(RECEIPT)
    assert rig.printed(0) == []
    rig.paper_back()
    rig.printer.poll()
    assert rig.printer.status == DeviceStatus.ONLINE
    assert rig.printer.print_receipt(RECEIPT).confirmed
    assert len(rig.printed(1)) == 1


def test_cover_open_refuses_the_job_until_closed(rig):
    rig.printer.open()
    rig.open_cover()
    with pytest.raises(PrinterError, match="cover open"):
        rig.printer.print_receipt(RECEIPT)
    assert rig.printer.status == DeviceStatus.USER_ERROR
    rig.close_cover()
    assert rig.printer.print_receipt(RECEIPT).confirmed


def test_unplugged_printer_is_no_device_within_2s_and_the_caller_gets_a_clean_error(rig):
    rig.printer.open()
    rig.unplug()
    assert wait_for_status(rig.printer, DeviceStatus.NO_DEVICE, 2.0) < 2.0
    started = time.monotonic()
    with pytest.raises(PrinterError) as info:
        rig.printer.print_receipt(RECEIPT)
    assert isinstance(info.value, DeviceNotFoundError)
    assert time.monotonic() - started < 2.0
    rig.replug()
    rig.printer.close()
    rig.printer.open()
    assert rig.printer.status == DeviceStatus.ONLINE
    assert rig.printer.print_receipt(RECEIPT).confirmed


def test_unplugged_during_a_job_is_an_error_never_a_printed_receipt(rig):
    rig.printer.open()
    rig.drop_next_job()
    started = time.monotonic()
    with pytest.raises(PrinterError) as info:
        rig.printer.print_receipt(RECEIPT)
    assert isinstance(info.value, DeviceNotFoundError)
    assert time.monotonic() - started < 2.0
    assert rig.printer.status == DeviceStatus.NO_DEVICE
    assert rig.printed(0) == []
    assert rig.printer.counters.get("jobs_confirmed", 0) == 0
    assert rig.printer.counters["jobs_failed"] == 1
    rig.replug()
    rig.printer.close()
    rig.printer.open()
    assert rig.printer.status == DeviceStatus.ONLINE
    assert rig.printer.print_receipt(RECEIPT).confirmed
    [job] = rig.printed(1)
    assert_receipt_came_out(job)


def test_a_printer_that_never_answers_status_gives_unconfirmed_jobs_and_no_ok(rig):
    rig.printer.open()
    rig.silence()
    rig.printer.poll()
    assert rig.printer.status == DeviceStatus.OFFLINE
    assert rig.printer.detail.startswith("status unknown")
    assert not rig.printer.status.usable
    result = rig.printer.print_receipt(RECEIPT)
    assert not result.confirmed and "status unknown" in result.note
    assert result.before.unknown and result.after.unknown
    assert rig.printer.status == DeviceStatus.OFFLINE
    assert rig.printer.counters["jobs_unconfirmed"] == 1
    [job] = rig.printed(1)  # it may well have printed; we just cannot tell
    assert_receipt_came_out(job)


def test_printing_before_open_is_a_clean_error(rig):
    with pytest.raises(PrinterError, match="not open"):
        rig.printer.print_receipt(RECEIPT)
