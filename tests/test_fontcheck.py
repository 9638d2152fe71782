"""The configured font must draw Chinese in Simplified forms, with Latin letters too."""

from __future__ import annotations

import os
import struct

import kivy
import pytest

from config.fontcheck import FontFileError, face0_covers, face0_family_names
from config.schema import check_cjk_font

WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
ROBOTO = os.path.join(kivy.kivy_data_dir, "fonts", "Roboto-Regular.ttf")


def font_with_family(path, family: str, *, collection: bool = False) -> str:
    """A minimal sfnt whose only table is 'name' with one Windows family record."""
    name = family.encode("utf-16-be")
    table = struct.pack(">HHH", 0, 1, 6 + 12) + struct.pack(">HHHHHH", 3, 1, 0x409, 1,
                                                           len(name), 0) + name
    head_len = 12 + 16
    offset = 16 if collection else 0  # after "ttcf", version, count and one offset
    sfnt = (struct.pack(">4sHHHH", b"\x00\x01\x00\x00", 1, 16, 0, 0)
            + struct.pack(">4sIII", b"name", 0, offset + head_len, len(table)) + table)
    data = (b"ttcf" + struct.pack(">HHII", 1, 0, 1, offset) + sfnt) if collection else sfnt
    path.write_bytes(data)
    return str(path)


def test_wqy_microhei_is_accepted():
    assert check_cjk_font(WQY) is None
    assert "WenQuanYi Micro Hei" in face0_family_names(WQY)


def test_a_collection_whose_first_face_is_japanese_is_refused(tmp_path):
    path = font_with_family(tmp_path / "NotoSansCJK-Regular.ttc", "Noto Sans CJK JP",
                            collection=True)
    problem = check_cjk_font(path)
    assert problem and "Noto Sans CJK JP" in problem and "face 0" in problem


def test_a_font_without_chinese_glyphs_is_refused():
    problem = check_cjk_font(ROBOTO)
    assert problem and "Chinese" in problem and "政" in problem


def test_a_font_without_latin_glyphs_would_be_caught():
    assert face0_covers(WQY, "Az09") == set()
    assert face0_covers(ROBOTO, "Az09") == set()


def test_not_a_font_is_refused_with_a_reason(tmp_path):
    bogus = tmp_path / "font.ttf"
    bogus.write_bytes(b"<html>not a font</html>")
    assert "TrueType/OpenType" in check_cjk_font(str(bogus))


@pytest.mark.parametrize("cut", [3, 10, 20, 40])
def test_truncated_font_files_give_a_typed_error(tmp_path, cut):
    whole = font_with_family(tmp_path / "whole.ttf", "Some Font")
    part = tmp_path / "part.ttf"
    part.write_bytes(open(whole, "rb").read()[:cut])
    with pytest.raises(FontFileError):
        face0_family_names(str(part))
