"""LoopWorker: runs again when woken, survives a failing step, stops cleanly."""

from __future__ import annotations

import logging
import threading

from kiosk.worker import LoopWorker


def test_a_failing_step_is_logged_and_the_worker_keeps_running(caplog):
    calls = []
    ran_twice = threading.Event()

    def step():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk hiccup")
        ran_twice.set()
        return 60.0

    worker = LoopWorker("test", step, interval_s=60.0, error_delay_s=0.01)
    with caplog.at_level(logging.ERROR):
        worker.start()
        assert ran_twice.wait(5)
    assert worker.failures == 1 and worker.alive
    assert "disk hiccup" in caplog.text
    assert worker.stop(5) and not worker.alive


def test_wake_runs_the_step_again_before_its_interval():
    runs = threading.Semaphore(0)
    worker = LoopWorker("test", lambda: runs.release() or None, interval_s=3600.0)
    worker.start()
    assert runs.acquire(timeout=5)
    worker.wake()
    assert runs.acquire(timeout=5)
    assert worker.stop(5)
