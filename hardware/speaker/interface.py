"""The speaker (voice guidance): say, stop, repeat and volume, on a speech thread.

Nothing here blocks the caller: `say` hands the text to the device's speech thread
(started by `open`) and returns the utterance's id at once. A new utterance interrupts what
is being said and drops what waits, unless said with ``interrupt=False`` (a follow-up: it
waits behind them). `stop` silences the speaker (the person tapped); `repeat` says the last
guidance again. The volume (0-100) applies from the next utterance that starts.

Speaking is not a device status: a talking speaker stays ONLINE, since it takes a new
utterance at any time (XFS4IoT's "busy" would deny that, and would flip the status and the
kiosk's availability twice a sentence). `speaking`, `current` and the events
`SpeechStarted` / `SpeechEnded` (with an `Outcome`; emitted on the speech thread, or on the
thread that cancelled a waiting utterance) tell it. NO_DEVICE: the synthesiser or sound
device is not there; HARDWARE_ERROR: speaking failed; either refuses `say` until the device
manager reopens the speaker. Log lines show an utterance's id and length, never its text
(it may carry a masked name or a ticket number).

Drivers implement `_connect` (blocking; raises DeviceNotFoundError or HardwareError),
`_disconnect` (never raises), `_speak` and optionally `_absent`.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, deque
from dataclasses import replace

from hardware.base import Device, DeviceKind, DeviceStatus
from hardware.errors import DeviceBusyError, DeviceNotFoundError, HardwareError, SpeechError
from hardware.speaker.events import (Outcome, SpeechEnded, SpeechStarted, Utterance,
                                     check_volume)

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 1000  # characters of one utterance
MAX_WAITING = 16  # follow-ups queued with interrupt=False
LANGUAGES = ("zh", "en")  # what `say` may be asked to speak
JOIN_TIMEOUT_S = 2.0
_KEEP_OUTCOMES = 256


class Speaker(Device):
    """Base of every speaker driver: the queue, the speech thread, volume and status."""

    kind = DeviceKind.SPEAKER
    transport = ""

    def __init__(self, name: str, *, volume: int = 80) -> None:
        super().__init__(name)
        self.default_volume = check_volume(volume)
        self._volume = self.default_volume
        self._life = threading.Lock()  # serialises open/close; never taken by the thread
        self._cond = threading.Condition()  # guards everything below; never held for I/O
        self._waiting: deque[Utterance] = deque()
        self._current: Utterance | None = None
        self._cancel = threading.Event()  # the current utterance's; replaced per utterance
        self._next_id = 1
        self._group: list[tuple[str, str]] = []  # what `repeat` says: (text, language)
        self._outcomes: OrderedDict[int, Outcome] = OrderedDict()
        self._stopping = threading.Event()  # replaced on each open(): one per thread
        self._thread: threading.Thread | None = None

    # -- lifecycle (blocking) ------------------------------------------------------------
    def open(self) -> None:
        """Probe the synthesiser, start the speech thread: ONLINE. Idempotent. Blocking.
        Raises DeviceNotFoundError (status NO_DEVICE) or HardwareError (HARDWARE_ERROR)."""
        with self._life:
            if self.worker_alive:
                if self._status.usable:
                    return
                self._shutdown()
            try:
                self._connect()
            except DeviceNotFoundError as exc:
                self._set_status(DeviceStatus.NO_DEVICE, str(exc))
                raise
            except HardwareError as exc:
                self._set_status(DeviceStatus.HARDWARE_ERROR, str(exc))
                raise
            self._stopping = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stopping,),
                                            daemon=True, name=f"speaker-{self.name}")
            self._set_status(DeviceStatus.ONLINE)
            self._thread.start()

    def close(self) -> None:
        """Cut off what is being said, drop what waits, stop the thread (waits up to 2 s);
        never raises."""
        with self._life:
            self._shutdown()
            if self._status != DeviceStatus.NO_DEVICE:
                self._set_status(DeviceStatus.OFFLINE, "closed")

    def _shutdown(self) -> None:
        # Caller holds self._life.
        self._stopping.set()
        self.stop()
        with self._cond:
            self._cond.notify_all()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(JOIN_TIMEOUT_S)
            if thread.is_alive():
                log.warning("speaker %s: speech thread did not stop within %.0f s",
                            self.name, JOIN_TIMEOUT_S)
        self._disconnect()

    def check(self) -> DeviceStatus:
        """Health without speaking: the speech thread runs and the synthesiser is there."""
        thread, status = self._thread, self._status
        if thread is not None and status.usable:
            if not thread.is_alive():
                self._set_status(DeviceStatus.HARDWARE_ERROR, "speech thread stopped")
            elif (missing := self._absent()) is not None:
                self._set_status(DeviceStatus.NO_DEVICE, missing)
        return self._status

    def capabilities(self) -> dict[str, object]:
        return {"transport": self.transport, "chinese": True, "languages": LANGUAGES,
                "volume": (0, 100),
                "max_text_length": MAX_TEXT_LENGTH}

    @property
    def worker_alive(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    # -- speaking (never blocks) ---------------------------------------------------------
    def say(self, text: str, *, interrupt: bool = True, language: str = "zh") -> int:
        """Queue ``text`` and return its utterance id at once; it is said on the speech thread.

        ``interrupt=True``: what is being said stops now and what waits is dropped
        (CANCELLED). ``interrupt=False``: said after them. ``language`` is the display's
        ("zh" or "en", EN 301 549 5.1.3.14); a driver without a voice for it uses its own.
        Raises ValueError for an empty or over-long text or an unknown language, DeviceBusyError when 16 follow-ups already wait, DeviceNotFoundError
        (status NO_DEVICE) or SpeechError when the speaker is closed or failed.
        """
        if not isinstance(text, str) or not text.strip():
            raise ValueError("nothing to say: the text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"text of {len(text)} characters; at most {MAX_TEXT_LENGTH}")
        if language not in LANGUAGES:
            raise ValueError(f"language {language!r}; known: {', '.join(LANGUAGES)}")
        with self._cond:
            self._refuse_unless_ready()
            dropped: list[Utterance] = []
            if interrupt:
                dropped = self._drop_waiting()
                self._cancel.set()
                self._group = [(text, language)]
            elif len(self._waiting) >= MAX_WAITING:
                raise DeviceBusyError(f"speaker {self.name}: {MAX_WAITING} utterances wait")
            elif self._current is None and not self._waiting:
                self._group = [(text, language)]
            else:
                self._group.append((text, language))
            utterance = Utterance(self._next_id, text, self._volume, language)
            self._next_id += 1
            self._waiting.append(utterance)
            self._cond.notify_all()
        self._announce_cancelled(dropped)
        log.debug("speaker %s: #%d queued (%d chars%s)", self.name, utterance.id, len(text),
                  "" if interrupt else ", after the others")
        return utterance.id

    def stop(self) -> bool:
        """Silence the speaker now: cut off the current utterance, drop the waiting ones.
        Returns whether anything was being said or waiting. Never raises."""
        with self._cond:
            dropped = self._drop_waiting()
            busy = self._current is not None
            self._cancel.set()
        self._announce_cancelled(dropped)
        return busy or bool(dropped)

    def repeat(self) -> int | None:
        """Say the last guidance again (as `say`, interrupting); its first utterance's id,
        or None when nothing has been said since the speaker was built. Raises as `say`."""
        with self._cond:
            group = list(self._group)
        if not group:
            return None
        first = self.say(group[0][0], language=group[0][1])
        for text, language in group[1:]:
            self.say(text, interrupt=False, language=language)
        return first

    # -- volume --------------------------------------------------------------------------
    @property
    def volume(self) -> int:
        return self._volume

    def set_volume(self, volume: int) -> None:
        """Volume 0..100 from the next utterance that starts; ValueError outside it."""
        volume = check_volume(volume)
        with self._cond:
            self._volume = volume

    def reset_volume(self) -> None:
        """Back to the configured volume (``default_volume``)."""
        self.set_volume(self.default_volume)

    # -- state ---------------------------------------------------------------------------
    @property
    def speaking(self) -> bool:
        return self._current is not None

    @property
    def current(self) -> int | None:
        """The id of the utterance being said, or None."""
        current = self._current
        return current.id if current is not None else None

    def wait(self, utterance_id: int, timeout_s: float = 0.0) -> Outcome | None:
        """How that utterance ended, waiting up to ``timeout_s`` (blocks) for it to end;
        None while it waits or is being said (or if long forgotten)."""
        with self._cond:
            self._cond.wait_for(lambda: utterance_id in self._outcomes, timeout_s)
            return self._outcomes.get(utterance_id)

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until nothing is said or waiting (up to ``timeout_s``); True if idle."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._current is None and not self._waiting, timeout_s)

    # -- driver hooks --------------------------------------------------------------------
    def _connect(self) -> None:
        raise NotImplementedError

    def _disconnect(self) -> None:
        raise NotImplementedError

    def _speak(self, utterance: Utterance, cancel: threading.Event) -> Outcome:
        """Say it (speech thread): block until said (FINISHED) or ``cancel`` is set (stop the
        sound at once: INTERRUPTED); DeviceNotFoundError or HardwareError when it cannot."""
        raise NotImplementedError

    def _absent(self) -> str | None:
        """What is missing now (e.g. the synthesiser's binary), or None. No speaking."""
        return None

    # -- the speech thread ---------------------------------------------------------------
    def _run(self, stopping: threading.Event) -> None:
        try:
            while True:
                with self._cond:
                    while not self._waiting and not stopping.is_set():
                        self._cond.wait()
                    if stopping.is_set():
                        return
                    utterance = replace(self._waiting.popleft(), volume=self._volume)
                    self._current = utterance
                    cancel = self._cancel = threading.Event()
                self._say_one(utterance, cancel, stopping)
        except Exception as exc:  # the thread's top level: report, never die silently
            log.exception("speaker %s: speech thread failed", self.name)
            with self._cond:
                self._current = None
                self._cond.notify_all()
            self._set_status(DeviceStatus.HARDWARE_ERROR,
                             f"speech thread failed: {type(exc).__name__}")

    def _say_one(self, utterance: Utterance, cancel: threading.Event,
                 stopping: threading.Event) -> None:
        self._emit(SpeechStarted(self.name, utterance.id))
        failure: HardwareError | None = None
        try:
            outcome = self._speak(utterance, cancel)
        except HardwareError as exc:
            outcome, failure = Outcome.FAILED, exc
        except Exception as exc:  # a driver bug: a hardware error, the thread goes on
            log.exception("speaker %s: speaking #%d crashed", self.name, utterance.id)
            outcome, failure = Outcome.FAILED, SpeechError(f"speaking failed: "
                                                           f"{type(exc).__name__}")
        if failure is not None and not stopping.is_set():
            self.report_failure(failure)  # before `say` can see the speaker idle again
        with self._cond:
            self._current = None
            self._record(utterance.id, outcome)
            dropped = self._drop_waiting() if failure is not None else []
            self._cond.notify_all()
        self._count(outcome.value)
        log.debug("speaker %s: #%d %s", self.name, utterance.id, outcome.value)
        self._emit(SpeechEnded(self.name, utterance.id, outcome))
        self._announce_cancelled(dropped)

    # -- helpers (callers hold self._cond where noted) -----------------------------------
    def _refuse_unless_ready(self) -> None:
        status = self._status
        if self._thread is not None and status.usable:
            return
        detail = self._detail or status.value
        if status == DeviceStatus.NO_DEVICE:
            raise DeviceNotFoundError(f"speaker {self.name} is not there: {detail}")
        raise SpeechError(f"speaker {self.name} cannot speak now ({status.value}: {detail})")

    def _drop_waiting(self) -> list[Utterance]:
        # Caller holds self._cond.
        dropped = list(self._waiting)
        self._waiting.clear()
        for utterance in dropped:
            self._record(utterance.id, Outcome.CANCELLED)
        return dropped

    def _record(self, utterance_id: int, outcome: Outcome) -> None:
        # Caller holds self._cond.
        self._outcomes[utterance_id] = outcome
        if len(self._outcomes) > _KEEP_OUTCOMES:
            self._outcomes.popitem(last=False)
        self._cond.notify_all()

    def _announce_cancelled(self, dropped: list[Utterance]) -> None:
        for utterance in dropped:
            self._count(Outcome.CANCELLED.value)
            self._emit(SpeechEnded(self.name, utterance.id, Outcome.CANCELLED))
