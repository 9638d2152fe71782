"""The OpenAPI document and the one start command."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import requests

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN

ROOT = Path(__file__).resolve().parents[2]


def test_openapi_document_lists_every_endpoint(platform):
    doc = requests.get(platform.api_url + "/openapi.json", timeout=5).json()
    paths = doc["paths"]
    for path, method in [
        ("/api/v1/catalogue", "get"), ("/api/v1/catalogue/changes", "get"),
        ("/api/v1/identity/verify", "post"), ("/api/v1/licences", "get"),
        ("/api/v1/licences/{licence_id}/printable", "get"), ("/api/v1/benefits", "get"),
        ("/api/v1/appointments/centres", "get"), ("/api/v1/appointments/slots", "get"),
        ("/api/v1/appointments", "post"), ("/api/v1/appointments/{appointment_id}/cancel", "post"),
        ("/api/v1/services/{service_id}/form", "get"), ("/api/v1/applications/precheck", "post"),
        ("/api/v1/applications", "post"), ("/api/v1/applications/{application_id}", "get"),
        ("/api/v1/ratings", "post"), ("/api/v1/help-requests", "post"),
        ("/api/v1/terminals/heartbeat", "post"),
    ]:
        assert method in paths[path], path
    assert "/__faults" not in paths
    schemas = doc["components"]["schemas"]
    assert {"Service", "Catalogue", "ErrorResponse", "Application", "RatingRequest"} <= set(schemas)
    submit = paths["/api/v1/applications"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in submit["parameters"])
    assert "HTTPBearer" in doc["components"]["securitySchemes"]


def test_python_dash_m_demo_platform_serves_the_seeded_catalogue(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo_platform", "--host", "127.0.0.1", "--port", str(port),
         "--db", str(tmp_path / "cli.db"), "--seed", "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/catalogue", headers={
            "Authorization": f"Bearer {DEMO_TERMINAL_TOKEN}", "X-Terminal-Id": DEMO_TERMINAL_ID})
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(req, timeout=2) as resp:
                    body = json.loads(resp.read())
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.1)
        assert len(body["services"]) >= 150
    finally:
        proc.terminate()
        proc.communicate(timeout=10)   # also closes the pipes
