"""Receipt -> ESC/POS bytes. Pure: no I/O, never fails on text.

All text is encoded here with the configured encoding (python-escpos' text() is not used:
it sends text made only of Chinese punctuation, e.g. "：——。", through a code page and the
printer prints "?"). A GB encoding gets ``FS &`` after ``ESC @`` so printers that start in
single-byte mode read the double-byte characters as Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware.printer import commands as cmd
from hardware.printer.layout import (ENCODINGS, GB_ENCODINGS, PAPER_CHARS_RANGE,
                                     key_value_lines, printable_text, wrap)
from hardware.printer.receipt import (Barcode, Element, Feed, KeyValue, QrCode, Receipt,
                                      Separator, Text)

FEED_BEFORE_CUT = 4  # the cutter sits a few lines above the print head


@dataclass(frozen=True)
class RenderSettings:
    """How one printer wants its bytes. ValueError on a value outside what is allowed."""

    encoding: str = "gb18030"
    paper_chars: int = 32            # 32 on 58 mm paper, 48 on 80 mm
    chinese_mode_command: bool = True  # send FS & with a GB encoding
    cutter: bool = True              # without one, a receipt ends with a feed only

    def __post_init__(self) -> None:
        if self.encoding not in ENCODINGS:
            raise ValueError(f"encoding {self.encoding!r}: allowed {', '.join(ENCODINGS)}")
        low, high = PAPER_CHARS_RANGE
        if (not isinstance(self.paper_chars, int) or isinstance(self.paper_chars, bool)
                or not low <= self.paper_chars <= high):
            raise ValueError(f"paper_chars {self.paper_chars!r}: allowed {low}..{high}")

    @property
    def sends_chinese_mode(self) -> bool:
        return self.encoding in GB_ENCODINGS and self.chinese_mode_command


def render(receipt: Receipt, settings: RenderSettings = RenderSettings()) -> bytes:
    """The whole job: init, Chinese mode, title, elements, footer, feed and cut."""
    out = bytearray(cmd.INIT)
    if settings.sends_chinese_mode:
        out += cmd.CHINESE_ON
    if receipt.title:
        out += _text(Text(receipt.title, bold=True, align="center", size=2), settings)
    for element in receipt.lines:
        out += _element(element, settings)
    if receipt.footer:
        out += _text(Text(receipt.footer, align="center"), settings)
    if receipt.cut:
        out += cmd.feed(FEED_BEFORE_CUT)
        if settings.cutter:
            out += cmd.CUT_FULL
    return bytes(out)


def encode_line(text: str, settings: RenderSettings) -> bytes:
    """One printable line in the printer's encoding (``text`` already `printable_text`)."""
    return text.encode(settings.encoding)


def _element(element: Element, settings: RenderSettings) -> bytes:
    if isinstance(element, Text):
        return _text(element, settings)
    if isinstance(element, KeyValue):
        key = printable_text(element.key, settings.encoding)
        value = printable_text(element.value, settings.encoding)
        return b"".join(encode_line(line, settings) + cmd.LF for line in
                        key_value_lines(key, value, settings.paper_chars, settings.encoding))
    if isinstance(element, QrCode):
        return (cmd.align("center") + cmd.QR_MODEL_2 + cmd.qr_size(element.size)
                + cmd.QR_ERROR_M + cmd.qr_store(element.data.encode("utf-8")) + cmd.QR_PRINT
                + cmd.LF + cmd.align("left"))
    if isinstance(element, Barcode):
        return (cmd.align("center") + cmd.barcode_setup() + cmd.barcode_code128(element.data)
                + cmd.LF + cmd.align("left"))
    if isinstance(element, Separator):
        return (element.char * settings.paper_chars).encode("ascii") + cmd.LF
    if isinstance(element, Feed):
        return cmd.feed(element.n)
    raise TypeError(f"not a receipt element: {type(element).__name__}")


def _text(element: Text, settings: RenderSettings) -> bytes:
    """Set the style, print each wrapped line, then return to the defaults so every
    element starts from the same state."""
    width = settings.paper_chars // element.size
    text = printable_text(element.text, settings.encoding)
    out = bytearray()
    if element.align != "left":
        out += cmd.align(element.align)
    if element.bold:
        out += cmd.bold(True)
    if element.size != 1:
        out += cmd.size(element.size, element.size)
    for paragraph in text.split("\n"):
        for line in wrap(paragraph, width, settings.encoding):
            out += encode_line(line, settings) + cmd.LF
    if element.size != 1:
        out += cmd.size(1, 1)
    if element.bold:
        out += cmd.bold(False)
    if element.align != "left":
        out += cmd.align("left")
    return bytes(out)
