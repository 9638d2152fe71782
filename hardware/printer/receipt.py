"""The receipt model: what a flow wants printed, independent of any printer.

Tickets (预约取号), acceptance receipts (受理回执) and licence prints are built from these
frozen dataclasses and handed to `ReceiptPrinter.print_receipt`. Text may hold any Unicode;
the renderer replaces what the printer cannot print (see `layout.printable_text`). Codes
(QR, barcode) are checked here instead, because silently changing their content would make
them scan to something else: a bad code raises ValueError when it is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

Align = Literal["left", "center", "right"]
ALIGNS = ("left", "center", "right")
QR_MAX_BYTES = 2331  # byte-mode capacity of a version-40 symbol at error level M
BARCODE_KINDS = ("CODE128",)
CODE128_MAX_CHARS = 250  # GS k takes one length byte; code-set prefix and escapes count too


@dataclass(frozen=True)
class Text:
    """A paragraph; ``\\n`` starts a new line, long lines wrap at the paper width."""

    text: str
    bold: bool = False
    align: Align = "left"
    size: int = 1  # 1 normal, 2 double width and height

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Text.text must be a str, got {type(self.text).__name__}")
        if self.align not in ALIGNS:
            raise ValueError(f"Text.align {self.align!r}: allowed {', '.join(ALIGNS)}")
        if self.size not in (1, 2):
            raise ValueError(f"Text.size {self.size!r}: allowed 1 or 2")


@dataclass(frozen=True)
class KeyValue:
    """One row: key on the left, value on the right (``受理编号      SL2026-0001``)."""

    key: str
    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not isinstance(self.value, str):
            raise TypeError("KeyValue.key and KeyValue.value must be str")


@dataclass(frozen=True)
class QrCode:
    """A QR code printed natively by the printer. ``data`` is sent as UTF-8, which is
    what phones and the kiosk's own scanners expect of a Chinese payload."""

    data: str
    size: int = 6  # module size in dots, 1..16

    def __post_init__(self) -> None:
        if not isinstance(self.data, str) or not self.data:
            raise ValueError("QrCode.data must be a non-empty str")
        try:
            length = len(self.data.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise ValueError("QrCode.data holds characters UTF-8 cannot carry") from exc
        if length > QR_MAX_BYTES:
            raise ValueError(f"QrCode.data is {length} bytes; at most {QR_MAX_BYTES}")
        if not isinstance(self.size, int) or not 1 <= self.size <= 16:
            raise ValueError(f"QrCode.size {self.size!r}: allowed 1..16")


@dataclass(frozen=True)
class Barcode:
    """A one-dimensional barcode. CODE128 takes printable ASCII (space to ``~``)."""

    data: str
    kind: str = "CODE128"

    def __post_init__(self) -> None:
        if self.kind not in BARCODE_KINDS:
            raise ValueError(f"Barcode.kind {self.kind!r}: allowed {', '.join(BARCODE_KINDS)}")
        if not isinstance(self.data, str) or not self.data:
            raise ValueError("Barcode.data must be a non-empty str")
        if any(not " " <= ch <= "~" for ch in self.data):
            raise ValueError("Barcode.data: CODE128 takes printable ASCII only")
        if len(self.data) + self.data.count("{") > CODE128_MAX_CHARS:
            raise ValueError(f"Barcode.data is too long for CODE128 (max {CODE128_MAX_CHARS})")


@dataclass(frozen=True)
class Separator:
    """A full-width rule made of ``char``."""

    char: str = "-"

    def __post_init__(self) -> None:
        if not isinstance(self.char, str) or len(self.char) != 1 or not " " < self.char <= "~":
            raise ValueError(f"Separator.char {self.char!r}: one printable ASCII character")


@dataclass(frozen=True)
class Feed:
    """``n`` empty lines."""

    n: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or isinstance(self.n, bool) or not 1 <= self.n <= 255:
            raise ValueError(f"Feed.n {self.n!r}: allowed 1..255")


Element = Union[Text, KeyValue, QrCode, Barcode, Separator, Feed]
ELEMENT_TYPES = (Text, KeyValue, QrCode, Barcode, Separator, Feed)


@dataclass(frozen=True)
class Receipt:
    """A whole receipt: a centred title, the elements, a centred footer, then the cut.

    ``lines`` may be given as a list; it is stored as a tuple so the receipt stays
    immutable when it crosses threads.
    """

    title: str
    lines: tuple[Element, ...] = field(default=())
    footer: str = ""
    cut: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not isinstance(self.footer, str):
            raise TypeError("Receipt.title and Receipt.footer must be str")
        lines = tuple(self.lines)
        for element in lines:
            if not isinstance(element, ELEMENT_TYPES):
                raise TypeError(f"Receipt.lines: {type(element).__name__} is not an element")
        object.__setattr__(self, "lines", lines)
