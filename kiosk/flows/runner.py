"""Running blocking work (platform calls, device I/O, disk) off the UI thread.

A flow never blocks: it hands a job to its `Runner` and gets the result back through
`on_done` / `on_error` on the UI thread. In the app, `ThreadRunner` runs jobs on a small
pool and passes results through Kivy's Clock (the injected `schedule`); in tests,
`ImmediateRunner` runs the job at once on the caller's thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

Schedule = Callable[[Callable[[], None]], None]


class Runner(Protocol):
    def run(self, job: Callable[[], T], on_done: Callable[[T], None],
            on_error: Callable[[Exception], None]) -> None: ...


class ImmediateRunner:
    """Runs each job now, on this thread (tests, and flows driven without a UI)."""

    def run(self, job: Callable[[], T], on_done: Callable[[T], None],
            on_error: Callable[[Exception], None]) -> None:
        try:
            result = job()
        except Exception as exc:  # noqa: BLE001 - handed to the flow, which decides
            on_error(exc)
            return
        on_done(result)


class ThreadRunner:
    """Runs jobs on `workers` threads; callbacks go through `schedule` (UI thread)."""

    def __init__(self, schedule: Schedule, workers: int = 2) -> None:
        self._schedule = schedule
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flow-job")

    def run(self, job: Callable[[], T], on_done: Callable[[T], None],
            on_error: Callable[[Exception], None]) -> None:
        def work() -> None:
            try:
                result: Any = job()
            except Exception as exc:  # noqa: BLE001 - handed to the flow on the UI thread
                failure = exc  # `exc` is unbound after the except block; the lambda runs later
                self._schedule(lambda: on_error(failure))
                return
            self._schedule(lambda: on_done(result))

        self._pool.submit(work)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
