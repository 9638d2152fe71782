"""Run the platform with uvicorn in a background thread on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn


class ServerHandle:
    def __init__(self, app: Any, server: uvicorn.Server, thread: threading.Thread,
                 sock: socket.socket, host: str, port: int) -> None:
        self.app = app
        self._server = server
        self._thread = thread
        self._sock = sock
        self.host = host
        self.port = port
        self.base_url = f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/v1"

    @property
    def store(self):
        return self.app.state.store

    @property
    def faults(self):
        return self.app.state.faults

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving, end any fault sleeps, wait for the thread and close the database."""
        state = getattr(self.app.state, "faults", None)
        if state is not None:
            state.closing.set()
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        try:
            self._sock.close()
        except OSError:
            pass
        store = getattr(self.app.state, "store", None)
        if store is not None:
            store.close()

    def __enter__(self) -> "ServerHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0,
                    startup_timeout: float = 10.0) -> ServerHandle:
    """Serve ``app`` on ``host`` (a free port unless given) in a daemon thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this on Linux: without it every response with a body
    # waits ~40 ms for the client's delayed ACK (Nagle), which slows every test and bench.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host=host, port=port, http="h11", ws="none", lifespan="off",
                            log_level="warning", access_log=False, timeout_graceful_shutdown=2,
                            timeout_keep_alive=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"demo-platform:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("demonstration platform did not start")
        time.sleep(0.01)
    return ServerHandle(app, server, thread, sock, host, port)
