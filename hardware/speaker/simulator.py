"""SimulatedSpeaker: a complete speaker without a sound card, for the demo and for tests.

Same queue, speech thread, statuses, events and volume as the real driver; "saying" takes
``len(text) / chars_per_second`` seconds of real time, so an utterance cut off by `stop` or
a new `say` is really interrupted part-way. Every utterance that started is recorded in
`spoken` (text, volume, start and end times, outcome, how many characters were said).
`unplug()` makes the next utterance (or the one being said, within ~50 ms) fail with
NO_DEVICE and open() fail until `replug()`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from hardware.base import DeviceInfo
from hardware.errors import DeviceNotFoundError
from hardware.speaker.interface import Outcome, Speaker, Utterance

POLL_S = 0.05


@dataclass(frozen=True)
class SpokenUtterance:
    """One utterance as the simulator said it. Times are `time.monotonic()`; ``outcome``
    and ``ended_at`` are None while it is being said."""

    id: int
    text: str
    volume: int
    started_at: float
    ended_at: float | None = None
    outcome: Outcome | None = None
    chars_said: int = 0
    language: str = "zh"

    @property
    def finished(self) -> bool:
        return self.outcome == Outcome.FINISHED

    @property
    def interrupted(self) -> bool:
        return self.outcome == Outcome.INTERRUPTED


class SimulatedSpeaker(Speaker):
    """A speaker that says nothing aloud but takes the time to; see `spoken`."""

    transport = "sim"

    def __init__(self, name: str, *, volume: int = 80, chars_per_second: float = 4.0) -> None:
        super().__init__(name, volume=volume)
        if not chars_per_second > 0:
            raise ValueError(f"chars_per_second must be > 0, got {chars_per_second!r}")
        self.chars_per_second = float(chars_per_second)
        self._plugged = threading.Event()
        self._plugged.set()
        self._records_lock = threading.Lock()
        self._spoken: list[SpokenUtterance] = []
        self._info = DeviceInfo(model="simulated speaker", transport="sim")

    # -- what was said (thread-safe) -----------------------------------------------------
    @property
    def spoken(self) -> list[SpokenUtterance]:
        """A copy of every utterance started so far, oldest first."""
        with self._records_lock:
            return list(self._spoken)

    def clear_spoken(self) -> None:
        with self._records_lock:
            self._spoken.clear()

    def duration_s(self, text: str) -> float:
        """How long saying ``text`` to the end takes."""
        return len(text) / self.chars_per_second

    # -- control API (tests, demo) -------------------------------------------------------
    def unplug(self) -> None:
        """Pull the speaker's cable: speaking fails with NO_DEVICE."""
        self._plugged.clear()

    def replug(self) -> None:
        """Put the cable back; close()+open() brings the speaker ONLINE again."""
        self._plugged.set()

    @property
    def plugged(self) -> bool:
        return self._plugged.is_set()

    # -- driver hooks --------------------------------------------------------------------
    def _connect(self) -> None:
        if not self._plugged.is_set():
            raise DeviceNotFoundError(f"simulated speaker {self.name} is unplugged")

    def _disconnect(self) -> None:
        pass

    def _absent(self) -> str | None:
        return None if self._plugged.is_set() else "simulated speaker unplugged"

    def _speak(self, utterance: Utterance, cancel: threading.Event) -> Outcome:
        if not self._plugged.is_set():
            raise DeviceNotFoundError(f"simulated speaker {self.name} is unplugged")
        started = time.monotonic()
        with self._records_lock:
            self._spoken.append(SpokenUtterance(utterance.id, utterance.text,
                                                utterance.volume, started,
                                                language=utterance.language))
        duration = self.duration_s(utterance.text)
        outcome = Outcome.FINISHED
        while (left := duration - (time.monotonic() - started)) > 0:
            if cancel.wait(min(left, POLL_S)):
                outcome = Outcome.INTERRUPTED
                break
            if not self._plugged.is_set():
                self._end(utterance.id, started, Outcome.FAILED)
                raise DeviceNotFoundError(f"simulated speaker {self.name} unplugged while "
                                          f"speaking")
        self._end(utterance.id, started, outcome)
        return outcome

    def _end(self, utterance_id: int, started: float, outcome: Outcome) -> None:
        ended = time.monotonic()
        with self._records_lock:
            for index in range(len(self._spoken) - 1, -1, -1):  # gone if clear_spoken ran
                record = self._spoken[index]
                if record.id == utterance_id:
                    said = len(record.text) if outcome == Outcome.FINISHED else min(
                        len(record.text), int((ended - started) * self.chars_per_second))
                    self._spoken[index] = replace(record, ended_at=ended, outcome=outcome,
                                                  chars_said=said)
                    return
