"""Read an ESC/POS job back into what a printer would put on paper. Pure and total.

`parse_escpos` never raises on the bytes (only on a bad ``encoding`` argument): undecodable
text becomes U+FFFD, unknown commands are skipped and counted, a command cut off at the end
sets ``truncated``. Used by the fake network printer and the simulator to show what was
printed, and by tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware.printer.commands import BARCODE_NAMES
from hardware.printer.layout import ENCODINGS, GB_ENCODINGS
from hardware.printer.tokens import next_token

SINGLE_BYTE_CODEPAGE = "cp437"  # what a printer outside Chinese mode reads (PC437)
FUNCTION_A_BARCODES = {0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39",
                       5: "ITF", 6: "CODABAR"}


@dataclass(frozen=True)
class ParsedBarcode:
    kind: str
    data: str


@dataclass(frozen=True)
class ParsedJob:
    """One job as printed: text lines (blank ones included), QR payloads, barcodes, cuts.

    ``status_queries`` lists the ``DLE EOT n`` requests met in the data, ``skipped`` counts
    unknown commands and control bytes, ``chinese_mode`` is the mode at the end.
    """

    lines: tuple[str, ...] = ()
    qr_codes: tuple[str, ...] = ()
    barcodes: tuple[ParsedBarcode, ...] = ()
    cuts: int = 0
    status_queries: tuple[int, ...] = ()
    skipped: int = 0
    truncated: bool = False
    chinese_mode: bool = False

    @property
    def text_lines(self) -> tuple[str, ...]:
        """The lines with something printed on them."""
        return tuple(line for line in self.lines if line.strip())

    @property
    def has_content(self) -> bool:
        return bool(self.text_lines or self.qr_codes or self.barcodes or self.cuts)


class _Reader:
    """Mutable state of one parse; `parse_escpos` is its only user."""

    def __init__(self, encoding: str, chinese: bool, default_chinese: bool) -> None:
        self.encoding = encoding
        self.chinese = chinese
        self.default_chinese = default_chinese
        self.pending: list[tuple[bytes, bool]] = []  # text runs of the current line + mode
        self.lines: list[str] = []
        self.qr_codes: list[str] = []
        self.qr_stored: bytes | None = None
        self.barcodes: list[ParsedBarcode] = []
        self.cuts = 0
        self.queries: list[int] = []
        self.skipped = 0

    def end_line(self, keep_empty: bool = True) -> None:
        if self.pending or keep_empty:
            self.lines.append("".join(self._decode(raw, chinese)
                                      for raw, chinese in self.pending))
        self.pending = []

    def _decode(self, raw: bytes, chinese: bool) -> str:
        if self.encoding in GB_ENCODINGS and not chinese:
            return raw.decode(SINGLE_BYTE_CODEPAGE, errors="replace")
        return raw.decode(self.encoding, errors="replace")

    def take(self, name: str, raw: bytes, arg: bytes) -> None:
        if name in ("text", "ht"):
            self.pending.append((raw, self.chinese))
        elif name == "lf":
            self.end_line()
        elif name == "feed":
            for _ in range(arg[0]):
                self.end_line()
        elif name == "init":
            self.pending = []  # ESC @ clears the print buffer
            self.chinese = self.default_chinese
        elif name == "chinese_on":
            self.chinese = True
        elif name == "chinese_off":
            self.chinese = False
        elif name == "cut":
            self.end_line(keep_empty=False)
            self.cuts += 1
        elif name == "gs_paren":
            self._two_d_code(arg)
        elif name == "barcode":
            self._barcode(arg)
        elif name == "status":
            self.queries.append(arg[0])
        elif name == "unknown":
            self.skipped += 1
        # bold, align, size, cr and other known commands change nothing in the text

    def _two_d_code(self, arg: bytes) -> None:
        """GS ( k: arg = 'k' pL pH cn fn [m data]; only QR (cn 0x31) store and print."""
        if len(arg) < 5 or arg[0] != 0x6B or arg[3] != 0x31:
            return
        function = arg[4]
        if function == 0x50 and len(arg) >= 6:
            self.qr_stored = arg[6:]
        elif function == 0x51 and self.qr_stored is not None:
            self.qr_codes.append(self.qr_stored.decode("utf-8", errors="replace"))

    def _barcode(self, arg: bytes) -> None:
        """GS k: arg = m n data (m >= 65) or m data NUL (m <= 6)."""
        m = arg[0]
        if m >= 65:
            kind, data = BARCODE_NAMES.get(m, f"type {m}"), arg[2:]
        else:
            kind, data = FUNCTION_A_BARCODES.get(m, f"type {m}"), arg[1:].rstrip(b"\x00")
        text = _code128_text(data) if kind == "CODE128" else data.decode("latin-1")
        self.barcodes.append(ParsedBarcode(kind, text))


def _code128_text(data: bytes) -> str:
    """The characters a CODE128 symbol encodes: ``{A``/``{B``/``{C`` switch code sets,
    ``{{`` is a ``{``, other ``{x`` (shift, FNC1-4) carry no character."""
    out: list[str] = []
    codeset, i = "B", 0
    while i < len(data):
        byte = data[i]
        if byte == 0x7B and i + 1 < len(data):
            follower = chr(data[i + 1])
            if follower == "{":
                out.append("{")
            elif follower in "ABC":
                codeset = follower
            i += 2
            continue
        out.append(f"{byte:02d}" if codeset == "C" and byte < 100 else chr(byte))
        i += 1
    return "".join(out)


def parse_escpos(data: bytes, encoding: str = "gb18030", *, chinese_mode: bool = False,
                 default_chinese_mode: bool | None = None) -> ParsedJob:
    """Parse ``data`` as a printer would print it.

    ``chinese_mode``: whether the printer is in Chinese (double-byte) mode when the data
    starts; ``default_chinese_mode``: the mode ``ESC @`` restores (its power-on mode;
    defaults to ``chinese_mode``). Outside Chinese mode a GB printer reads bytes as PC437,
    so GB text sent without ``FS &`` comes back as mojibake, as it would print. UTF-8
    printers ignore the mode. Raises ValueError only for an unsupported ``encoding``.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding {encoding!r}: allowed {', '.join(ENCODINGS)}")
    default = chinese_mode if default_chinese_mode is None else default_chinese_mode
    reader = _Reader(encoding, chinese_mode, default)
    pos, truncated = 0, False
    while pos < len(data):
        step = next_token(data, pos)
        if step is None:
            truncated = True
            break
        token, pos = step
        reader.take(token.name, token.raw, token.arg)
    reader.end_line(keep_empty=False)
    return ParsedJob(tuple(reader.lines), tuple(reader.qr_codes), tuple(reader.barcodes),
                     reader.cuts, tuple(reader.queries), reader.skipped, truncated,
                     reader.chinese)
