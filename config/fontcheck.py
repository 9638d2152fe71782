"""Reads the family names of the face Kivy will use from a TrueType/OpenType font file.

Kivy loads face 0 of a ``.ttc`` collection. In Debian's ``NotoSansCJK-Regular.ttc`` face 0
is the Japanese face, which draws Japanese glyph forms for Chinese text; the configuration
refuses such a font instead of letting residents read the wrong forms.
"""

from __future__ import annotations

import mmap
import re
import struct

_FAMILY_IDS = (1, 16)  # family, typographic family
# Region/language variants of CJK superfamilies whose glyph forms are not Simplified Chinese.
_NOT_SC = re.compile(r"\b(JP|KR|TC|HK|Japanese|Korean)\b|Gothic|Mincho|Batang|Dotum")


class FontFileError(ValueError):
    """The file is not a TrueType/OpenType font or collection."""


# What every screen needs drawn: common Chinese, Latin letters and digits.
REQUIRED_TEXT = "政务服务自助终端长者模式请返回首页AZaz09"


def _read_face0_tables(path: str) -> tuple[bytes, dict[bytes, int]]:
    # Map the file instead of reading it: a CJK font is 5-16 MB and only a few KB are used.
    with open(path, "rb") as fh:
        try:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            data = b""
    offset = 0
    if data[:4] == b"ttcf":
        (offset,) = struct.unpack_from(">I", data, 12)
    sfnt = data[offset:offset + 4]
    if sfnt not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
        raise FontFileError(f"not a TrueType/OpenType font (starts with {sfnt!r})")
    (num_tables,) = struct.unpack_from(">H", data, offset + 4)
    tables = {}
    for i in range(num_tables):
        tag, _check, table_at, _length = struct.unpack_from(">4sIII", data, offset + 12 + 16 * i)
        tables[tag] = table_at
    return data, tables


def face0_family_names(path: str) -> list[str]:
    """Family names (all platforms and languages) of the first face; raises FontFileError."""
    try:
        data, tables = _read_face0_tables(path)
        name_at = tables.get(b"name")
        if name_at is None:
            raise FontFileError("font has no name table")
        _fmt, count, strings_at = struct.unpack_from(">HHH", data, name_at)
        names: list[str] = []
        for i in range(count):
            platform, _enc, _lang, name_id, length, at = struct.unpack_from(
                ">HHHHHH", data, name_at + 6 + 12 * i)
            if name_id not in _FAMILY_IDS:
                continue
            raw = data[name_at + strings_at + at:name_at + strings_at + at + length]
            text = raw.decode("utf-16-be" if platform in (0, 3) else "latin-1",
                              errors="replace")
            if text not in names:
                names.append(text)
        return names
    except struct.error as exc:
        raise FontFileError(f"truncated font file: {exc}") from exc


def face0_covers(path: str, text: str) -> set[str]:
    """The characters of ``text`` that face 0 has no glyph for (Unicode cmap 4 or 12)."""
    try:
        data, tables = _read_face0_tables(path)
        cmap_at = tables.get(b"cmap")
        if cmap_at is None:
            raise FontFileError("font has no cmap table")
        _version, count = struct.unpack_from(">HH", data, cmap_at)
        best = None
        for i in range(count):
            platform, encoding, sub = struct.unpack_from(">HHI", data, cmap_at + 4 + 8 * i)
            (fmt,) = struct.unpack_from(">H", data, cmap_at + sub)
            if (platform, encoding, fmt) in ((3, 10, 12), (0, 4, 12)):
                best = (fmt, cmap_at + sub)
                break
            if (platform, encoding, fmt) in ((3, 1, 4), (0, 3, 4)) and best is None:
                best = (fmt, cmap_at + sub)
        if best is None:
            raise FontFileError("font has no Unicode cmap")
        fmt, at = best
        return {ch for ch in text if not _has_glyph(data, fmt, at, ord(ch))}
    except struct.error as exc:
        raise FontFileError(f"truncated font file: {exc}") from exc


def _has_glyph(data: bytes, fmt: int, at: int, code: int) -> bool:
    if fmt == 12:
        (groups,) = struct.unpack_from(">I", data, at + 12)
        for g in range(groups):
            start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * g)
            if start <= code <= end:
                return glyph + (code - start) != 0
        return False
    (seg_x2,) = struct.unpack_from(">H", data, at + 6)
    ends = at + 14
    starts = ends + seg_x2 + 2
    deltas = starts + seg_x2
    range_offsets = deltas + seg_x2
    for s in range(seg_x2 // 2):
        (end,) = struct.unpack_from(">H", data, ends + 2 * s)
        if code > end:
            continue
        (start,) = struct.unpack_from(">H", data, starts + 2 * s)
        if code < start:
            return False
        (delta,) = struct.unpack_from(">h", data, deltas + 2 * s)
        ro_at = range_offsets + 2 * s
        (ro,) = struct.unpack_from(">H", data, ro_at)
        if ro == 0:
            return (code + delta) & 0xFFFF != 0
        (glyph,) = struct.unpack_from(">H", data, ro_at + ro + 2 * (code - start))
        return glyph != 0
    return False


def non_simplified_chinese_face(path: str) -> str | None:
    """The family name when face 0 is a Japanese/Korean/Traditional variant, else None."""
    for name in face0_family_names(path):
        if _NOT_SC.search(name):
            return name
    return None
