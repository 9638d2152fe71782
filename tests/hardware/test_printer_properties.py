"""Properties: the parser survives any bytes; any receipt renders and reads back.

Unencodable characters: `layout.printable_text` replaces control characters, lone
surrogates and characters the encoding cannot encode with "?", one "?" per character;
everything else reaches the paper unchanged, but for spaces where a line breaks.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.printer import commands as cmd
from hardware.printer.layout import printable_text, text_width
from hardware.printer.parser import ParsedJob, parse_escpos
from hardware.printer.receipt import (Barcode, Feed, KeyValue, QrCode, Receipt, Separator,
                                      Text)
from hardware.printer.render import RenderSettings, render
from hardware.printer.tokens import next_token

PROPERTY = settings(max_examples=200, deadline=None)
ENCODINGS = st.sampled_from(["gb18030", "gbk", "utf-8"])
TRICKY = "：——。，、“”《》【】…·￥😀🧧👍🏽é\u0301\u200b\x1b\x1d\x10\x04\x00\x7f\x85\ud800\n\r\t"
TEXT = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(TRICKY),
                                  st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)),
               max_size=80)
FRAGMENTS = st.sampled_from([cmd.INIT, cmd.CHINESE_ON, cmd.CHINESE_OFF, b"\x1d(k", b"\x1dk",
                             b"\x1dkI", b"\x1dk\x02", b"\x10\x04", b"\x1b", b"\x1d", b"\x1c",
                             b"\x1dV", b"\x1dv0", b"\x1d8L", b"\x1b*", b"\x1bD", b"\x1b&",
                             b"\x1d(k\x03\x001Q0", b"\x1d(k\x05\x001P0ab", b"\n"])
BYTES = st.one_of(st.binary(max_size=400),
                  st.lists(st.one_of(FRAGMENTS, st.binary(max_size=8)), max_size=60)
                  .map(b"".join))
ELEMENTS = st.one_of(
    st.builds(Text, TEXT, st.booleans(), st.sampled_from(["left", "center", "right"]),
              st.sampled_from([1, 2])),
    st.builds(KeyValue, TEXT, TEXT),
    st.builds(QrCode, st.text(min_size=1, max_size=120), st.integers(1, 16)),
    st.builds(Barcode, st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126),
                               min_size=1, max_size=40)),
    st.builds(Separator),
    st.builds(Feed, st.integers(1, 5)),
)
RECEIPTS = st.builds(Receipt, TEXT, st.lists(ELEMENTS, max_size=8).map(tuple), TEXT,
                     st.booleans())


@PROPERTY
@given(BYTES, ENCODINGS, st.booleans())
def test_parse_escpos_never_raises_on_any_bytes(data, encoding, chinese):
    job = parse_escpos(data, encoding, chinese_mode=chinese)
    assert isinstance(job, ParsedJob)
    assert all(isinstance(line, str) for line in job.lines)


@PROPERTY
@given(BYTES)
def test_tokens_cover_the_bytes_in_order_and_always_advance(data):
    pos, raws = 0, []
    while (step := next_token(data, pos)) is not None:
        token, end = step
        assert end > pos and token.raw == data[pos:end]
        raws.append(token.raw)
        pos = end
    assert b"".join(raws) == data[:pos]
    # what is left is one command still waiting for its bytes, never a text run
    assert pos == len(data) or data[pos] < 0x20


@PROPERTY
@given(RECEIPTS, ENCODINGS, st.sampled_from([32, 48]), st.booleans())
def test_any_receipt_renders_and_reads_back_without_breaking_the_job(receipt, encoding,
                                                                     chars, cutter):
    rendering = RenderSettings(encoding=encoding, paper_chars=chars, cutter=cutter)
    data = render(receipt, rendering)
    job = parse_escpos(data, encoding)
    assert not job.truncated and job.skipped == 0 and job.status_queries == ()
    assert job.cuts == (1 if receipt.cut and cutter else 0)
    assert job.qr_codes == tuple(e.data for e in receipt.lines if isinstance(e, QrCode))
    assert [b.data for b in job.barcodes] == [e.data for e in receipt.lines
                                              if isinstance(e, Barcode)]
    assert all(text_width(line, encoding) <= chars for line in job.lines)


@PROPERTY
@given(TEXT, ENCODINGS)
def test_text_reads_back_as_printable_text_says_but_for_spaces_at_line_breaks(text,
                                                                               encoding):
    # Each printed line is a piece of the text as it stands, the pieces come in order, and
    # all that falls between them is spaces (dropped at a break, common.linebreak).
    data = render(Receipt("", (Text(text),), cut=False), RenderSettings(encoding=encoding))
    lines = parse_escpos(data, encoding).lines
    expected = printable_text(text, encoding)
    assert all(line in expected for line in lines)
    assert "".join(lines).replace(" ", "") == expected.replace("\n", "").replace(" ", "")
    rest = iter(expected)
    assert all(ch in rest for ch in "".join(lines))  # in order: only spaces left out


@PROPERTY
@given(TEXT, ENCODINGS)
def test_replacement_is_one_question_mark_per_unprintable_character(text, encoding):
    clean = printable_text(text.replace("\r\n", "\n"), encoding)
    original = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    assert len(clean) == len(original)
    for before, after in zip(original, clean):
        assert after == before or after == "?"
    clean.encode(encoding)  # always encodable
