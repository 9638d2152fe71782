"""Platform responses: the contract's catalogue bodies with fields deleted, retyped, made huge
or duplicated, raw bodies with bytes mutated, any HTTP status, served by a local HTTP server
-> the mapped snapshot (which the offline store then takes) or a typed PlatformError
(PlatformUnavailableError, PlatformRefusedError, CatalogueFormatError). Never a KeyError,
TypeError, ValueError or OverflowError escaping.
"""

from __future__ import annotations

import copy
import http.server
import json
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from common.errors import KioskError, PlatformError
from kiosk.catalogue_mapping import CatalogueFormatError, changes_from_json, snapshot_from_json
from kiosk.catalogue_sync import store_at
from kiosk.platform_client import ClientSettings, PlatformClient
from kiosk.platform_errors import PlatformRefusedError, PlatformUnavailableError
from tests.fuzz.mutate import mutated_bytes
from tests.fuzz.profiles import FUZZ, FUZZ_SLOW
from tests.kiosk.test_catalogue_mapping import CHANGES, SNAPSHOT

ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=10),
    st.sampled_from(["", " ", "\x00", "长" * 5000, [], {}, [None], {"": None}]))


def paths(node, prefix=()):
    """Every path to a value inside a JSON tree (dict keys and list indexes)."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, prefix + (key,))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from paths(value, prefix + (n,))


@st.composite
def mutated_json(draw, sample):
    """`sample` with a few nodes deleted, replaced by odd values, or duplicated."""
    body = copy.deepcopy(sample)
    for _ in range(draw(st.integers(1, 4))):
        targets = [p for p in paths(body) if p]
        if not targets:
            return draw(ODD_VALUES)
        path = draw(st.sampled_from(targets))
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        op = draw(st.sampled_from(["delete", "replace", "replace", "duplicate"]))
        if op == "delete":
            del parent[last]
        elif op == "replace":
            parent[last] = draw(ODD_VALUES)
        elif isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]))
        else:
            parent[last] = [copy.deepcopy(parent[last])]
    return body


def map_or_typed(body, kind: str):
    try:
        return (snapshot_from_json if kind == "snapshot" else changes_from_json)(body)
    except CatalogueFormatError as exc:
        assert isinstance(exc, PlatformError) and str(exc)
        return None


@pytest.fixture(scope="module")
def store():
    with tempfile.TemporaryDirectory() as folder:
        yield store_at(Path(folder) / "catalogue.db")()


@FUZZ
@given(st.one_of(mutated_json(SNAPSHOT).map(lambda b: ("snapshot", b)),
                 mutated_json(CHANGES).map(lambda b: ("changes", b))))
@example(("snapshot", {**SNAPSHOT, "version": 2**63}))
@example(("snapshot", {**SNAPSHOT, "categories": [{**SNAPSHOT["categories"][0],
                                                   "sort": 2**70}]}))
def test_mutated_catalogue_bodies_map_or_are_refused_and_the_store_takes_what_maps(
        store, kind_body):
    kind, body = kind_body
    mapped = map_or_typed(body, kind)
    if mapped is not None and kind == "snapshot":
        try:
            store.replace_all(mapped)  # what passes the mapping, the store must take
        except KioskError:  # StorageError: typed, the old catalogue stays
            pass
        store.search("户口")


@FUZZ
@given(st.sampled_from([SNAPSHOT, CHANGES]).flatmap(
    lambda s: mutated_bytes(json.dumps(s, ensure_ascii=False).encode("utf-8"))))
def test_mutated_body_bytes_give_json_errors_or_typed_mapping_errors(raw):
    try:
        body = json.loads(raw)
    except ValueError:  # what the client turns into PlatformUnavailableError
        return
    map_or_typed(body, "snapshot")
    map_or_typed(body, "changes")


# --- through HTTP --------------------------------------------------------------------------
class Answers:
    status = 200
    body = b"{}"
    content_type = "application/json"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(Answers.status)
        self.send_header("Content-Type", Answers.content_type)
        self.send_header("Content-Length", str(len(Answers.body)))
        self.end_headers()
        self.wfile.write(Answers.body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def platform():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = PlatformClient(ClientSettings(f"http://127.0.0.1:{server.server_port}", "T-1",
                                           "token", connect_timeout_s=2, read_timeout_s=2,
                                           catalogue_timeout_s=2, retries=0))
    yield client
    client.close()
    server.shutdown()
    server.server_close()


BODIES = st.one_of(
    mutated_json(SNAPSHOT).map(lambda b: json.dumps(b, ensure_ascii=False).encode("utf-8")),
    st.sampled_from([SNAPSHOT, {"error": {"code": "invalid_token", "message": "x"}},
                     {"error": "text"}, {"error": {"code": 1, "message": None}}]).flatmap(
        lambda s: mutated_bytes(json.dumps(s, ensure_ascii=False).encode("utf-8"))),
    st.sampled_from([b"", b"null", b"[]", b"<html>502</html>", b"\xff\xfe{", b"1e999",
                     b"9" * 5000, b"[" * 100_000, b'{"a":' * 3000]))


@FUZZ_SLOW
@given(BODIES, st.sampled_from([200, 200, 200, 201, 204, 301, 304, 400, 401, 404, 409, 418,
                                429, 500, 502, 503]))
@example(b"[" * 100_000, 200)  # deeper than the JSON parser's recursion limit
@example(json.dumps({**SNAPSHOT, "version": 2**64}).encode(), 200)
def test_any_http_answer_gives_a_catalogue_or_a_typed_platform_error(platform, body, status):
    Answers.status, Answers.body = status, body
    try:
        response = platform.catalogue(None)
    except (PlatformUnavailableError, PlatformRefusedError) as exc:
        assert isinstance(exc, PlatformError)
        return
    if not response.not_modified:
        map_or_typed(response.body, "snapshot")
