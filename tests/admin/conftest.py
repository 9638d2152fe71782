"""Fixtures for kiosk-admin: a demo platform on loopback, terminal files in tmp_path, and an
HTTPS server with a certificate made for the test."""

from __future__ import annotations

import datetime as dt
import email.utils
import http.server
import json
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN, create_app, start_in_thread
from offline.crypto import create_key_file

SIM_DEVICES = "".join(f'[devices.{k}]\nkind = "{k}"\ndriver = "sim"\n'
                      for k in ("card_reader", "scanner", "printer"))


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    handle = start_in_thread(create_app(tmp_path_factory.mktemp("platform") / "platform.db"))
    yield handle
    handle.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def terminal_file(tmp_path: Path, *, url: str, devices: str = SIM_DEVICES,
                  token: str = DEMO_TERMINAL_TOKEN, extra: str = "") -> Path:
    """A terminal file over the demo layer: its own state, log and key under tmp_path, the
    given platform URL and devices (the demo's simulated devices are replaced)."""
    state, log = tmp_path / "state", tmp_path / "log"
    state.mkdir(exist_ok=True)
    log.mkdir(exist_ok=True)
    key = state / "outbox.key"
    if not key.exists():
        create_key_file(key)
    path = tmp_path / "terminal.toml"
    path.write_text(
        f'[terminal]\nid = "{DEMO_TERMINAL_ID}"\n'
        f'[platform]\nurl = "{url}"\ntoken = "{token}"\nstart_demo_server = false\n'
        f'[paths]\nstate_dir = "{state}"\n[log]\ndir = "{log}"\n'
        f'[outbox]\nkey_file = "{key}"\n' + extra + devices, encoding="utf-8")
    return path


def run_admin(*args: str, stdin: str = "") -> tuple[int, str, str]:
    """kiosk-admin in this process; (exit code, stdout, stderr)."""
    import io

    from kiosk.admin.cli import main

    out, err = io.StringIO(), io.StringIO()
    try:
        code = main(list(args), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


# --- an HTTPS "platform" with a certificate of the test's choosing ---------------------------

def make_certificate(folder: Path, *, days: int, host: str = "localhost") -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` (and 127.0.0.1) valid ``days`` from now."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(host), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class HttpsPlatform:
    """Answers GET /api/v1/health over TLS with a Date header ``clock_offset_s`` off."""

    def __init__(self, folder: Path, *, days: int = 365, clock_offset_s: float = 0.0) -> None:
        self.cert, key = make_certificate(folder, days=days)
        offset = clock_offset_s

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                body = json.dumps({"status": "ok", "catalogue_version": 1}).encode()
                self.send_response_only(200 if self.path == "/api/v1/health" else 401)
                self.send_header("Date", email.utils.formatdate(time.time() + offset,
                                                                usegmt=True))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://localhost:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
