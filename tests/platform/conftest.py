"""A real demonstration platform on loopback for the platform tests."""

from __future__ import annotations

import pytest
import requests

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN, create_app, start_in_thread

AUTH = {"Authorization": f"Bearer {DEMO_TERMINAL_TOKEN}", "X-Terminal-Id": DEMO_TERMINAL_ID}


class Client:
    """A thin requests session against one server, with the demo terminal's credentials."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.api = handle.api_url
        self.session = requests.Session()
        self.session.headers.update(AUTH)

    def get(self, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", 5)
        return self.session.get(self.api + path, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", 5)
        return self.session.post(self.api + path, **kw)

    def verify(self, code_token: str = "SSM-DEMO-0001") -> dict:
        r = self.post("/identity/verify", json={"method": "code", "code_token": code_token})
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    handle = start_in_thread(create_app(tmp_path_factory.mktemp("platform") / "platform.db"))
    yield handle
    handle.stop()


@pytest.fixture
def client(platform) -> Client:
    c = Client(platform)
    yield c
    c.session.close()


@pytest.fixture
def fault_platform(tmp_path):
    """A fresh platform with the HTTP fault switch enabled; stopped after the test."""
    handle = start_in_thread(create_app(tmp_path / "faulty.db", faults_enabled=True))
    yield handle
    handle.stop()


def assert_error_shape(response: requests.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"code", "message", "detail"}
    assert all(isinstance(err[k], str) and err[k] for k in err)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]), "message must be Chinese"
    if code is not None:
        assert err["code"] == code
    return err
