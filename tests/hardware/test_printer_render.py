"""The renderer's bytes, checked against the ESC/POS values in hardware.md section 2."""

from __future__ import annotations

import pytest

from hardware.printer.layout import char_width, key_value_lines, printable_text, text_width
from hardware.printer.parser import parse_escpos
from hardware.printer.receipt import Barcode, Feed, QrCode, Receipt, Separator, Text
from hardware.printer.render import RenderSettings, render

GB = RenderSettings()


def test_a_job_starts_with_esc_at_then_fs_ampersand_for_gb18030():
    data = render(Receipt("", ()), GB)
    assert data.startswith(b"\x1b\x40\x1c\x26")


@pytest.mark.parametrize("settings", [RenderSettings(encoding="utf-8"),
                                      RenderSettings(chinese_mode_command=False)])
def test_no_chinese_mode_command_for_utf8_or_when_switched_off(settings):
    data = render(Receipt("标题", (Text("事项"),)), settings)
    assert data.startswith(b"\x1b\x40") and b"\x1c\x26" not in data


def test_gbk_also_gets_chinese_mode():
    assert render(Receipt(""), RenderSettings(encoding="gbk")).startswith(b"\x1b@\x1c&")


def test_a_cut_receipt_ends_with_a_feed_and_a_full_cut():
    assert render(Receipt("x"), GB).endswith(b"\x1b\x64\x04" + b"\x1d\x56\x00")


def test_no_cut_command_without_cut_or_without_a_cutter():
    assert b"\x1d\x56" not in render(Receipt("x", cut=False), GB)
    no_cutter = render(Receipt("x"), RenderSettings(cutter=False))
    assert b"\x1d\x56" not in no_cutter and no_cutter.endswith(b"\x1b\x64\x04")


def test_qr_code_bytes_model_size_level_m_store_and_print():
    data = render(Receipt("", (QrCode("ABC", size=6),), cut=False), GB)
    expected = (b"\x1d\x28\x6b\x04\x00\x31\x41\x32\x00"   # model 2
                b"\x1d\x28\x6b\x03\x00\x31\x43\x06"       # module size 6
                b"\x1d\x28\x6b\x03\x00\x31\x45\x31"       # error level M
                b"\x1d\x28\x6b\x06\x00\x31\x50\x30ABC"    # store: pL = 3 + 3
                b"\x1d\x28\x6b\x03\x00\x31\x51\x30")      # print
    assert expected in data


def test_qr_store_length_counts_utf8_bytes_plus_three_in_low_high_order():
    payload = "受理" * 50 + "x"  # 301 UTF-8 bytes -> 304 = 0x0130
    data = render(Receipt("", (QrCode(payload),), cut=False), GB)
    assert b"\x1d\x28\x6b\x30\x01\x31\x50\x30" + payload.encode("utf-8") in data


def test_punctuation_only_chinese_line_is_gb18030_not_question_marks():
    data = render(Receipt("", (Text("：——。"),), cut=False), GB)
    assert "：——。".encode("gb18030") + b"\n" in data
    assert b"?" not in data


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8"])
def test_punctuation_only_line_reads_back_in_every_encoding(encoding):
    settings = RenderSettings(encoding=encoding)
    data = render(Receipt("", (Text("：——。"), Text("《办事指南》、“请”")), cut=False), settings)
    job = parse_escpos(data, encoding)
    assert job.text_lines == ("：——。", "《办事指南》、“请”")


def test_text_style_bytes_bold_centre_double_size_and_reset():
    data = render(Receipt("", (Text("取号", bold=True, align="center", size=2),), cut=False),
                  GB)
    assert (b"\x1b\x61\x01" + b"\x1b\x45\x01" + b"\x1d\x21\x11" + "取号".encode("gb18030")
            + b"\n" + b"\x1d\x21\x00" + b"\x1b\x45\x00" + b"\x1b\x61\x00") in data


def test_code128_barcode_is_gs_k_73_with_code_set_b():
    data = render(Receipt("", (Barcode("A{1"),), cut=False), GB)
    assert b"\x1d\x6b\x49\x06{BA{{1" in data
    assert parse_escpos(data).barcodes[0].data == "A{1"


def test_feed_is_esc_d_n():
    assert b"\x1b\x64\x03" in render(Receipt("", (Feed(3),), cut=False), GB)


@pytest.mark.parametrize("chars", [32, 48])
def test_key_value_row_is_exactly_the_paper_width_with_cjk_counted_double(chars):
    [line] = key_value_lines("受理编号", "SL2026-000123", chars, "gb18030")
    assert line.startswith("受理编号 ") and line.endswith(" SL2026-000123")
    assert text_width(line, "gb18030") == chars
    assert len(line) == chars - 4  # four CJK characters take eight columns
    assert line.count(" ") == chars - 8 - 13


def test_full_width_punctuation_is_two_columns_in_gb_mode():
    assert [char_width(c, "gb18030") for c in "：—。a"] == [2, 2, 2, 1]
    [line] = key_value_lines("时间：", "9:00", 32, "gb18030")
    assert text_width(line, "gb18030") == 32 and line.count(" ") == 32 - 6 - 4


def test_key_value_too_long_for_one_line_puts_the_value_below():
    address = "上海市某某区某某镇某某村某某路一百二十三号"
    lines = key_value_lines("地址", address, 32, "gb18030")
    assert lines[0] == "地址"
    assert "".join(lines[1:]) == address
    assert all(text_width(line, "gb18030") <= 32 for line in lines)
    [_, right] = key_value_lines("受理编号受理编号受理编号受理编号", "SL2026", 32, "gb18030")
    assert right == " " * 26 + "SL2026"


def test_separator_spans_the_paper():
    data = render(Receipt("", (Separator(),), cut=False), RenderSettings(paper_chars=48))
    assert parse_escpos(data).text_lines == ("-" * 48,)


def test_long_chinese_text_wraps_at_the_width_never_inside_a_character():
    text = "请携带本人居民身份证原件到窗口办理" * 2  # 34 characters, 68 columns
    job = parse_escpos(render(Receipt("", (Text(text),), cut=False), GB))
    assert "".join(job.text_lines) == text
    assert all(text_width(line, "gb18030") <= 32 for line in job.text_lines)


def test_control_characters_in_text_cannot_inject_printer_commands():
    data = render(Receipt("", (Text("张三\x1b@\x1dV\x00\x10\x04\x01"),), cut=False), GB)
    assert b"\x1b@\x1d" not in data[4:] and b"\x10\x04" not in data
    assert parse_escpos(data).text_lines == ("张三?@?V????",)


def test_characters_gbk_cannot_encode_become_question_marks():
    assert printable_text("办好了😀", "gbk") == "办好了?"
    assert printable_text("办好了😀", "gb18030") == "办好了😀"
    data = render(Receipt("", (Text("办好了😀"),), cut=False), RenderSettings(encoding="gbk"))
    assert parse_escpos(data, "gbk").text_lines == ("办好了?",)


def test_bad_settings_and_bad_codes_are_refused_when_built():
    with pytest.raises(ValueError, match="encoding"):
        RenderSettings(encoding="big5")
    with pytest.raises(ValueError, match="paper_chars"):
        RenderSettings(paper_chars=80)
    with pytest.raises(ValueError):
        Barcode("受理")
    with pytest.raises(ValueError):
        QrCode("")
    with pytest.raises(ValueError):
        QrCode("\ud800")
    with pytest.raises(ValueError):
        Text("x", align="middle")
    with pytest.raises(TypeError):
        Receipt("x", ("not an element",))
