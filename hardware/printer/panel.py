"""The state of a pretend printer (paper, cover, cutter, status channel) and its controls.

Shared by the simulator and the fake network printer so both answer ``DLE EOT`` with the
same bits (`status.answer_byte`). Thread-safe: tests and demos flip the controls while a
driver thread is printing.
"""

from __future__ import annotations

import threading

from hardware.printer.status import PrinterState, answer_byte


CONTROLS = ("paper", "near_end", "cover_open", "cutter_jammed", "answering")


class PrinterPanel:
    """Paper, cover, cutter and whether status requests are answered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.paper = True
        self.near_end = False
        self.cover_open = False
        self.cutter_jammed = False
        self.answering = True

    def update(self, **changes: bool) -> None:
        with self._lock:
            for key, value in changes.items():
                if key not in CONTROLS:
                    raise AttributeError(f"no panel control {key!r}")
                setattr(self, key, value)

    def state(self) -> PrinterState:
        """What the printer knows about itself (fully known: unknown=False)."""
        with self._lock:
            blocked = not self.paper or self.cover_open or self.cutter_jammed
            return PrinterState(online=not blocked, cover_open=self.cover_open,
                                paper_end=not self.paper,
                                paper_near_end=self.near_end and self.paper,
                                cutter_error=self.cutter_jammed, unknown=False)

    def can_print(self) -> bool:
        return self.state().online

    def answer(self, n: int) -> bytes | None:
        """The answer to ``DLE EOT n``; None when the status channel is silenced."""
        if not self.answering:
            return None
        byte = answer_byte(n, self.state())
        return None if byte is None else bytes([byte])


class PanelControls:
    """The control API the simulator and the fake printer share (they set ``panel``)."""

    panel: PrinterPanel

    def run_out_of_paper(self) -> None:
        self.panel.update(paper=False)

    def load_paper(self) -> None:
        self.panel.update(paper=True, near_end=False)

    def paper_near_end(self, near: bool = True) -> None:
        self.panel.update(near_end=near)

    def open_cover(self) -> None:
        self.panel.update(cover_open=True)

    def close_cover(self) -> None:
        self.panel.update(cover_open=False)

    def jam_cutter(self) -> None:
        self.panel.update(cutter_jammed=True)

    def clear_cutter(self) -> None:
        self.panel.update(cutter_jammed=False)

    def stop_answering_status(self) -> None:
        """The printer keeps printing but never answers ``DLE EOT`` again."""
        self.panel.update(answering=False)

    def answer_status(self) -> None:
        self.panel.update(answering=True)
