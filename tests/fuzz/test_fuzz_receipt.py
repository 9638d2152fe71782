"""Receipt rendering: arbitrary Unicode text, every paper width the renderer accepts, QR
payloads up to and past the symbol's capacity -> ESC/POS bytes whose every printed line fits
the paper (double-size text counted double), or a typed error: ValueError when an element
is built with a payload it cannot carry (documented in hardware/printer/receipt.py), a
PrinterError from the printer. Never another exception.

tests/hardware/test_printer_properties.py renders random receipts at 32 and 48 columns and
checks the read-back; this adds every width in PAPER_CHARS_RANGE, per-element width checks
(size 2), long and hostile QR payloads, and the whole print path of the simulated printer.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from hardware.errors import PrinterError
from hardware.printer.layout import PAPER_CHARS_RANGE, text_width
from hardware.printer.parser import parse_escpos
from hardware.printer.receipt import (QR_MAX_BYTES, Barcode, Feed, KeyValue, QrCode, Receipt,
                                      Separator, Text)
from hardware.printer.render import RenderSettings, render
from hardware.printer.simulator import SimulatedReceiptPrinter
from tests.fuzz.profiles import FUZZ

WIDTHS = st.integers(*PAPER_CHARS_RANGE)
ENCODINGS = st.sampled_from(["gb18030", "gbk", "utf-8"])
HOSTILE = ("长者模式办事指南：——“”《》…·￥😀👍🏽é\u0301\u200b\u200d\ufeff\u3000\uff01"
           "\u0e01\u0e34\u0644\u0627\u202e\x1b\x1d\x10\x04\x00\x7f\x85\ud800\n\r\t "
           "각\U0002a6a5\U000e0001ﷺ𒐫")
UNICODE = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(HOSTILE)), max_size=200)


def settings_or_none(encoding: str, chars: int) -> RenderSettings:
    return RenderSettings(encoding=encoding, paper_chars=chars)


def printed_lines(element, settings: RenderSettings) -> tuple[str, ...]:
    job = parse_escpos(render(Receipt("", (element,), cut=False), settings), settings.encoding)
    assert not job.truncated and job.status_queries == ()
    return job.lines


@FUZZ
@given(UNICODE, st.booleans(), st.sampled_from(["left", "center", "right"]),
       st.sampled_from([1, 2]), ENCODINGS, WIDTHS)
@example("长" * 13, False, "left", 2, "gb18030", 25)  # odd width, double size, wide chars
@example("\U0002a6a5" * 40, True, "center", 2, "utf-8", 24)
def test_text_of_any_unicode_fits_every_paper_width(text, bold, align, size, encoding, chars):
    settings = settings_or_none(encoding, chars)
    for line in printed_lines(Text(text, bold, align, size), settings):
        assert text_width(line, encoding) * size <= chars, (line, size, chars)


@FUZZ
@given(UNICODE, UNICODE, ENCODINGS, WIDTHS)
def test_key_value_rows_fit_every_paper_width(key, value, encoding, chars):
    settings = settings_or_none(encoding, chars)
    for line in printed_lines(KeyValue(key, value), settings):
        assert text_width(line, encoding) <= chars


QR_PAYLOADS = st.one_of(
    st.text(min_size=1, max_size=300),
    st.text(alphabet=st.sampled_from(HOSTILE), min_size=1, max_size=40),
    st.integers(QR_MAX_BYTES - 4, QR_MAX_BYTES + 4).map(lambda n: "A" * n),
    st.integers(QR_MAX_BYTES // 3 - 2, QR_MAX_BYTES // 3 + 2).map(lambda n: "码" * n),
)


@FUZZ
@given(QR_PAYLOADS, st.integers(-1, 18), ENCODINGS, WIDTHS)
@example("A" * QR_MAX_BYTES, 16, "gb18030", 24)
@example("\ud800", 6, "utf-8", 32)
def test_qr_payloads_print_exactly_or_are_refused_when_built(data, size, encoding, chars):
    try:
        element = QrCode(data, size)
    except ValueError:
        encoded = data.encode("utf-8", "surrogatepass")
        assert (len(encoded) > QR_MAX_BYTES or not 1 <= size <= 16
                or any(0xD800 <= ord(c) <= 0xDFFF for c in data))
        return
    job = parse_escpos(render(Receipt("", (element,)), settings_or_none(encoding, chars)),
                       encoding)
    assert job.qr_codes == (data,) and not job.truncated


ELEMENTS = st.one_of(
    st.builds(Text, UNICODE, st.booleans(), st.sampled_from(["left", "center", "right"]),
              st.sampled_from([1, 2])),
    st.builds(KeyValue, UNICODE, UNICODE),
    st.builds(QrCode, st.text(min_size=1, max_size=200).filter(
        lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s))),
    st.builds(Barcode, st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126),
                               min_size=1, max_size=30)),
    st.builds(Separator, st.characters(min_codepoint=33, max_codepoint=126)),
    st.builds(Feed, st.integers(1, 255)))


@FUZZ
@given(UNICODE, st.lists(ELEMENTS, max_size=8), UNICODE, ENCODINGS, WIDTHS,
       st.sampled_from(["ok", "no_paper", "cover", "silent", "unplug_mid_job"]))
def test_the_simulated_printer_prints_any_receipt_or_raises_a_printer_error(
        title, elements, footer, encoding, chars, trouble):
    printer = SimulatedReceiptPrinter("fuzz", settings_or_none(encoding, chars))
    printer.confirm_wait_s = 0
    printer.open()
    try:
        if trouble == "no_paper":
            printer.run_out_of_paper()
        elif trouble == "cover":
            printer.open_cover()
        elif trouble == "silent":
            printer.stop_answering_status()
        elif trouble == "unplug_mid_job":
            printer.unplug_during_next_job()
        try:
            printer.print_receipt(Receipt(title, tuple(elements), footer))
        except PrinterError:
            assert trouble != "ok"
            return
        job = printer.printed[-1]
        assert all(text_width(line, encoding) <= chars for line in job.text_lines)
    finally:
        printer.close()
