"""Simulated devices, opened and answering like the DeviceManager, for flow and UI tests."""

from __future__ import annotations

from hardware.card_reader.simulator import SimulatedCardReader
from hardware.printer.simulator import SimulatedReceiptPrinter
from hardware.scanner.simulator import SimulatedScanner
from hardware.speaker.simulator import SimulatedSpeaker


class SimDevices:
    """The simulated devices, opened, answering `by_kind` like the DeviceManager."""

    def __init__(self) -> None:
        self.card_reader = SimulatedCardReader("card_reader", read_delay_s=0.0)
        self.scanner = SimulatedScanner("scanner")
        self.printer = SimulatedReceiptPrinter("printer")
        # fast speech: a screen's text is "said" in milliseconds, still on its own thread
        self.speaker = SimulatedSpeaker("speaker", chars_per_second=2000.0)
        self.all = [self.card_reader, self.scanner, self.printer, self.speaker]
        for device in self.all:
            device.open()

    def by_kind(self, kind: str) -> list:
        return [d for d in self.all if d.kind.value == kind]

    def kind_ready(self) -> dict[str, bool]:
        ready: dict[str, bool] = {}
        for d in self.all:
            ready[d.kind.value] = ready.get(d.kind.value, False) or d.status.usable
        return ready

    def close(self) -> None:
        for device in self.all:
            device.close()


class RecordingSubmitter:
    """Stands in for PlatformLink.submit in plain flow tests: records, sends nothing.
    (The real outbox path is covered in tests/client; UI tests use the real one.)"""

    def __init__(self) -> None:
        self.items: list[tuple[str, dict, bool]] = []

    def submit(self, kind, payload, *, personal=True, key=None):
        self.items.append((kind, dict(payload), personal))
        return None
