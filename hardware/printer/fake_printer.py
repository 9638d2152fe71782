"""`FakeNetworkPrinter`: an ESC/POS printer on loopback TCP, for tests and bench work.

A background thread accepts connections (one thread each) and reads the byte stream the
way a printer does: ``DLE EOT n`` is answered at once from the panel (see `panel`), every
other command goes into the current job, and a cut ends the job, which is then parsed
(`parser.parse_escpos`) into `jobs`. Jobs that arrive while the printer cannot print
(paper end, cover open) are discarded, as a printer would not print them.

Controls: the panel's (`run_out_of_paper`, `open_cover`, `stop_answering_status`...),
`drop_connection_mid_job` (the next job resets the connection halfway, like a printer
switched off mid-job), `stop` (unplug: the port refuses connections) and `start` (replug,
same port).
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from typing import Callable

from hardware.printer.panel import PanelControls, PrinterPanel
from hardware.printer.parser import ParsedJob, parse_escpos
from hardware.printer.tokens import next_token

log = logging.getLogger(__name__)

POLL_S = 0.05  # how often threads look at the stop flag


class FakeNetworkPrinter(PanelControls):
    """Listens on ``host:port`` (port 0: any free port, see `port` after `start`)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, encoding: str = "gb18030",
                 chinese_mode: bool = False) -> None:
        """``chinese_mode``: the power-on mode (many printers start outside it, so GB text
        without ``FS &`` comes out as mojibake)."""
        self.host, self._port = host, port
        self.encoding = encoding
        self.power_on_chinese_mode = chinese_mode
        self.panel = PrinterPanel()
        self._chinese_mode = chinese_mode
        self._lock = threading.Lock()
        self._jobs: list[ParsedJob] = []
        self._clients: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._drop_armed = False
        self.status_queries = 0
        self.connections = 0
        self.discarded_bytes = 0

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self) -> "FakeNetworkPrinter":
        """Listen (again, on the same port once one was chosen). Returns self."""
        if self._listener is not None:
            return self
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self._port))
        listener.listen(4)
        listener.settimeout(POLL_S)
        self._port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        self._spawn(self._accept_loop, listener, "fake-printer-accept")
        return self

    def stop(self) -> None:
        """Unplug: close the port and every connection; waits for the threads."""
        listener, self._listener = self._listener, None
        if listener is None:
            return
        self._stopping.set()
        listener.close()
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            _shutdown(client)
        for thread in self._threads:
            thread.join(2.0)
        self._threads = []

    def __enter__(self) -> "FakeNetworkPrinter":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- controls and results ----------------------------------------------------------
    def drop_connection_mid_job(self) -> None:
        """The next job's first bytes reset the connection; that job is lost."""
        with self._lock:
            self._drop_armed = True

    @property
    def jobs(self) -> list[ParsedJob]:
        with self._lock:
            return list(self._jobs)

    def wait_for_jobs(self, count: int, timeout_s: float = 2.0) -> list[ParsedJob]:
        """The jobs once there are ``count`` of them (or what there is at the timeout)."""
        deadline = time.monotonic() + timeout_s
        while len(self.jobs) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.jobs

    # -- threads -------------------------------------------------------------------------
    def _spawn(self, target: Callable[[socket.socket], None], arg: socket.socket,
               name: str) -> None:
        thread = threading.Thread(target=target, args=(arg,), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # listener closed by stop()
            client.settimeout(POLL_S)
            with self._lock:
                self._clients.add(client)
                self.connections += 1
            self._spawn(self._serve, client, "fake-printer-client")

    def _serve(self, client: socket.socket) -> None:
        buffer, job = bytearray(), bytearray()
        try:
            while not self._stopping.is_set():
                try:
                    chunk = client.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                buffer += chunk
                try:
                    consumed, job, dropped = self._consume(client, buffer, job)
                except OSError:  # the driver hung up before reading its answer
                    break
                del buffer[:consumed]
                if dropped:
                    return
            self._finish(job)
        finally:
            with self._lock:
                self._clients.discard(client)
            client.close()

    def _consume(self, client: socket.socket, buffer: bytearray,
                 job: bytearray) -> tuple[int, bytearray, bool]:
        """Handle every complete command in ``buffer``: (bytes used, job so far, dropped)."""
        pos = 0
        while (step := next_token(buffer, pos)) is not None:
            token, pos = step
            if token.name == "status":
                with self._lock:
                    self.status_queries += 1
                answer = self.panel.answer(token.arg[0])
                if answer is not None:
                    client.sendall(answer)
                continue
            with self._lock:
                drop, self._drop_armed = self._drop_armed, False
            if drop:
                _reset(client)
                return pos, bytearray(), True
            if not self.panel.can_print():
                self.discarded_bytes += len(token.raw)
                continue
            job += token.raw
            if token.name == "cut":
                self._finish(job)
                job = bytearray()
        return pos, job, False

    def _finish(self, job: bytearray) -> None:
        if not job:
            return
        parsed = parse_escpos(bytes(job), self.encoding, chinese_mode=self._chinese_mode,
                              default_chinese_mode=self.power_on_chinese_mode)
        self._chinese_mode = parsed.chinese_mode  # the mode carries over to the next job
        if parsed.has_content:
            with self._lock:
                self._jobs.append(parsed)


def _shutdown(client: socket.socket) -> None:
    try:
        client.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone


def _reset(client: socket.socket) -> None:
    """Close with a TCP reset, as a printer losing power mid-job would look."""
    try:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    client.close()
