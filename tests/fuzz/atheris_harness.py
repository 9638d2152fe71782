"""Coverage-guided fuzzing with atheris (optional; scripts/fuzz.sh runs it when installed).

    .venv/bin/python tests/fuzz/atheris_harness.py card -atheris_runs=200000
    .venv/bin/python tests/fuzz/atheris_harness.py catalogue -atheris_runs=200000

`card`: bytes -> SAM FrameDecoder -> parse_read_response; `catalogue`: bytes -> json ->
snapshot_from_json / changes_from_json. Only the project's typed errors may come out (a
crash writes the input to crash-*); the corpus, in $TMPDIR/village-kiosk-fuzz/, is seeded
from the valid samples. atheris is not a project dependency: `pip install atheris` (3.0.0
has a wheel for CPython 3.11 on x86_64 Linux).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports():
    from common.errors import KioskError
    from hardware.card_reader.card_record import encode_read_data, parse_read_response
    from hardware.card_reader.sam_protocol import SW3, FrameDecoder, encode_response
    from hardware.card_reader.samples import sample_cards
    from kiosk.catalogue_mapping import changes_from_json, snapshot_from_json


def card(data: bytes) -> None:
    decoder = FrameDecoder()
    decoder.push(data)
    for _ in range(len(data) + 2):
        try:
            frame = decoder.next_frame()
        except KioskError:
            continue
        if frame is None:
            break
        for fingerprint in (False, True):
            try:
                parse_read_response(frame.data, fingerprint)
            except KioskError:
                pass
    else:
        raise AssertionError("decoder made no progress")


def catalogue(data: bytes) -> None:
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # the client's PlatformUnavailableError
        return
    for parse in (snapshot_from_json, changes_from_json):
        try:
            parse(body)
        except KioskError:
            pass


def seeds(target: str) -> list[bytes]:
    if target == "card":
        return [encode_response(SW3.SUCCESS, encode_read_data(c, fp))
                for c in sample_cards()[:2] for fp in (False, True)]
    from tests.kiosk.test_catalogue_mapping import CHANGES, SNAPSHOT
    return [json.dumps(b, ensure_ascii=False).encode() for b in (SNAPSHOT, CHANGES)]


def main() -> None:
    target = sys.argv.pop(1) if len(sys.argv) > 1 else "card"
    corpus = Path(tempfile.gettempdir()) / "village-kiosk-fuzz" / target
    corpus.mkdir(parents=True, exist_ok=True)
    for n, seed in enumerate(seeds(target)):
        (corpus / f"seed-{n}").write_bytes(seed)
    atheris.Setup(sys.argv + [str(corpus)], {"card": card, "catalogue": catalogue}[target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
