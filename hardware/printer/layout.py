"""Text as a receipt printer sees it: what can be printed, how wide it is, where it wraps.

Pure functions, no I/O. Widths are in columns of the normal font: ``paper_chars`` of them
fit on a line (32 on 58 mm paper, 48 on 80 mm).
"""

from __future__ import annotations

import unicodedata
from functools import partial

from common import linebreak

GB_ENCODINGS = ("gb18030", "gbk")
ENCODINGS = ("gb18030", "gbk", "utf-8")
PAPER_CHARS_RANGE = (24, 64)  # characters per line a renderer accepts
REPLACEMENT = "?"


def printable_text(text: str, encoding: str) -> str:
    """``text`` with everything the printer must not or cannot receive replaced.

    - ``\\r\\n`` and ``\\r`` become ``\\n``; a tab becomes a space.
    - Any other control character (C0, DEL, C1) becomes ``?``: sent raw it would be read
      as a printer command (ESC, GS, DLE...) and could wreck the rest of the job.
    - A lone surrogate, or a character ``encoding`` cannot encode (an emoji in GBK), becomes
      ``?``. GB18030 and UTF-8 encode every other character, so with them only controls
      and surrogates are replaced.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    try:
        text.encode(encoding)
        clean = True
    except UnicodeEncodeError:
        clean = False
    out = []
    for ch in text:
        if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(REPLACEMENT)
        elif not clean and not _encodable(ch, encoding):
            out.append(REPLACEMENT)
        else:
            out.append(ch)
    return "".join(out)


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def char_width(ch: str, encoding: str) -> int:
    """Columns ``ch`` takes on the printer (``ch`` must be printable in ``encoding``).

    A Chinese printer in GB mode prints every multi-byte character from its 24x24 font,
    two columns wide; that includes full-width punctuation such as ``：`` and ``——``.
    In UTF-8 mode East Asian wide characters take two columns, combining marks none.
    """
    if encoding in GB_ENCODINGS:
        return 1 if len(ch.encode(encoding)) == 1 else 2
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 1


def text_width(text: str, encoding: str) -> int:
    return sum(char_width(ch, encoding) for ch in text)


def wrap(text: str, width: int, encoding: str) -> list[str]:
    """Split one line into lines of at most ``width`` columns, by the Chinese rules the
    screens use (`common.linebreak`): no "。" / "，" / "）" at the start of a line, no "（" /
    "“" at its end, Latin words and numbers kept whole, spaces at a break dropped.

    A piece wider than a whole line (a long number, a run of marks) is cut between
    characters, never inside one. An empty line stays one empty line, so a blank Text
    still feeds a line.
    """
    broken = linebreak.wrap(text, width, partial(text_width, encoding=encoding))
    return [piece for line in broken.split("\n") for piece in _cut(line, width, encoding)]


def _cut(text: str, width: int, encoding: str) -> list[str]:
    """``text`` cut into pieces of at most ``width`` columns wherever the width runs out."""
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        w = char_width(ch, encoding)
        if used + w > width and current:
            lines.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += w
    if current or not lines:
        lines.append("".join(current))
    return lines


def key_value_lines(key: str, value: str, width: int, encoding: str) -> list[str]:
    """Lay out a key/value row: ``key``, spaces, ``value`` right-aligned, ``width`` wide.

    When both do not fit on one line with at least one space between them, the key gets
    its own line(s) and the value follows, right-aligned when it fits on one line, else
    wrapped.
    Both must already be printable (`printable_text`); newlines are read as spaces.
    """
    key, value = key.replace("\n", " "), value.replace("\n", " ")
    kw, vw = text_width(key, encoding), text_width(value, encoding)
    if kw + 1 + vw <= width:
        return [key + " " * (width - kw - vw) + value]
    lines = wrap(key, width, encoding) if key else []
    if vw <= width:
        return lines + [" " * (width - vw) + value]
    return lines + wrap(value, width, encoding)  # a long value (an address) reads left to right
