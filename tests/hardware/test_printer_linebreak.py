"""Receipts break Chinese lines by the rules the screens use (common.linebreak): no "。",
"，", "）" or "、" starts a printed line, no "（" or "“" ends one, and no line is wider than
the paper (CJK two columns, ASCII one). Checked on slips the flows really print."""

from __future__ import annotations

import datetime as dt

import pytest

from hardware.printer import DRIVERS
from hardware.printer.layout import char_width, key_value_lines, text_width
from hardware.printer.parser import parse_escpos
from hardware.printer.receipt import KeyValue, Receipt, Text
from hardware.printer.render import RenderSettings, render
from kiosk.flows.application_form import Outcome, build_receipt
from kiosk.flows.appointment_data import Booked, ticket_receipt
from kiosk.flows.offline_code_data import IssuedCode, slip_receipt
from kiosk.i18n import Translator

ENCODING = "gb18030"
CLOSING = set("，。、：；！？）》」』”’】〕〉")  # may not start a line
OPENING = set("（《「『“‘【〔〈")                # may not end one
PAPERS = {58: 32, 80: 48}                       # paper mm -> columns


def printed_lines(receipt: Receipt, chars: int) -> tuple[str, ...]:
    """The text lines read back from the bytes a renderer sends for ``chars`` columns."""
    data = render(receipt, RenderSettings(paper_chars=chars))
    return parse_escpos(data, ENCODING).text_lines


def cut_anywhere(text: str, width: int) -> list[str]:
    """How the renderer used to wrap: wherever the width runs out, rules or not."""
    lines, line, used = [], "", 0
    for ch in text:
        w = char_width(ch, ENCODING)
        if line and used + w > width:
            lines.append(line)
            line, used = "", 0
        line, used = line + ch, used + w
    return lines + [line]


def broken_rules(lines: list[str] | tuple[str, ...]) -> list[str]:
    """Lines of one paragraph that start with a closing mark or end with an opening one."""
    return ([line for line in lines[1:] if line[:1] in CLOSING]
            + [line for line in lines[:-1] if line[-1:] in OPENING])


def assert_slip_follows_the_rules(lines: tuple[str, ...], chars: int) -> None:
    for line in lines:
        assert text_width(line, ENCODING) <= chars, line
        assert line[0] not in CLOSING, line
        assert line[-1] not in OPENING, line


# -- one paragraph, the mark placed where a line naturally ends -------------------------

@pytest.mark.parametrize("chars", PAPERS.values())
@pytest.mark.parametrize("mark", ["。", "，", "）", "、"],
                         ids=["full-stop", "comma", "bracket", "enumeration-comma"])
def test_a_closing_mark_that_would_start_a_line_takes_the_character_before_it_along(
        chars, mark):
    opener = "（" if mark == "）" else ""
    # the line is full just before the mark: cut there, the mark would start the next one
    text = opener + "办" * (chars // 2 - len(opener)) + mark + "请携带本人居民身份证原件"
    assert cut_anywhere(text, chars)[1].startswith(mark)
    lines = printed_lines(Receipt("", (Text(text),), cut=False), chars)
    assert "".join(lines) == text
    assert lines[1].startswith("办" + mark)
    assert_slip_follows_the_rules(lines, chars)


@pytest.mark.parametrize("chars", PAPERS.values())
@pytest.mark.parametrize("mark,closing", [("（", "）"), ("“", "”")],
                         ids=["bracket", "quote"])
def test_an_opening_mark_never_ends_a_line_it_starts_the_next_one(chars, mark, closing):
    # the mark in the line's last two columns
    text = "办" * (chars // 2 - 1) + mark + "居民身份证" + closing + "原件"
    assert cut_anywhere(text, chars)[0].endswith(mark)
    lines = printed_lines(Receipt("", (Text(text),), cut=False), chars)
    assert "".join(lines) == text
    assert lines[1].startswith(mark + "居")
    assert_slip_follows_the_rules(lines, chars)


@pytest.mark.parametrize("chars", [24, 31, 32, 33, 42, 48, 64])
@pytest.mark.parametrize("size", [1, 2])
def test_no_line_is_wider_than_the_paper_even_for_pieces_that_may_not_be_broken(chars, size):
    texts = ("编号：" + "SL2026" * 12,            # one Latin "word" wider than the line
             "请稍候" + "。" * 40,                # marks that all stick to one character
             "“" * 30 + "办" + "”" * 30,
             "地址：上海市某某区（东门）、请携带“居民身份证”原件。Please bring your ID card.")
    data = render(Receipt("", tuple(Text(t, size=size) for t in texts), cut=False),
                  RenderSettings(paper_chars=chars))
    lines = parse_escpos(data, ENCODING).text_lines
    assert lines and all(text_width(line, ENCODING) <= chars // size for line in lines)
    assert "".join(line.replace(" ", "") for line in lines) == "".join(
        t.replace(" ", "") for t in texts)  # cut, never lost


def test_a_key_value_row_keeps_its_layout_and_a_long_value_wraps_by_the_rules():
    [row] = key_value_lines("取件方式", "邮寄到家", 32, ENCODING)
    assert row == "取件方式" + " " * 16 + "邮寄到家"  # value right-aligned, full width
    value = "邮寄到家（免费），请保持电话畅通。"  # 34 columns: the key goes above it
    assert broken_rules(cut_anywhere(value, 32))  # "。" alone, the old way
    lines = key_value_lines("取件方式", value, 32, ENCODING)
    assert lines == ["取件方式", "邮寄到家（免费），请保持电话畅", "通。"]
    [_, right] = key_value_lines("取件方式" * 4, "窗口领取（一楼）", 32, ENCODING)
    assert right == " " * 16 + "窗口领取（一楼）"


# -- real slips, as the flows build them --------------------------------------------------

@pytest.fixture(params=sorted(PAPERS), ids=lambda mm: f"{mm}mm")
def printer(request):
    """A simulated printer configured like a terminal with 58 mm or 80 mm paper."""
    device = DRIVERS["sim"]("printer", {"paper_mm": request.param})
    device.open()
    yield device
    device.close()


@pytest.fixture(scope="module")
def tr():
    return Translator(("zh_CN",)).gettext_for("zh_CN")


def old_breaks(receipt: Receipt, chars: int) -> list[str]:
    """Lines the old cut-anywhere wrapping would have printed against the rules."""
    bad = []
    for element in (*receipt.lines, Text(receipt.footer)):
        if isinstance(element, Text):
            bad += broken_rules(cut_anywhere(element.text, chars // element.size))
        elif isinstance(element, KeyValue) and text_width(element.key + element.value,
                                                          ENCODING) >= chars:
            bad += broken_rules(cut_anywhere(element.value, chars))
    return bad


def test_an_appointment_ticket_with_long_chinese_text_prints_by_the_rules(printer, tr):
    booked = Booked(
        "YY20260316-0042", "svc-id-renewal",
        service_name="居民身份证换领（到期换证损坏换证）及户口簿信息变更",
        centre_name="某镇社区事务受理服务中心（东门一楼大厅）",
        address="上海市某某区某某镇人民路一百二十三号东门旁，近地铁站二号出口。",
        day=dt.date(2026, 3, 16), time="09:30",
        materials=("居民身份证原件及复印件各一份。",
                   "近期免冠彩色照片两张，白底二寸，不戴帽子不戴眼镜、露出双耳和眉毛。"))
    receipt = ticket_receipt(booked, tr, terminal_id="T-0001", at=1.7e9)
    chars = printer.settings.paper_chars
    assert old_breaks(receipt, chars)  # this ticket used to print a lone mark
    printer.print_receipt(receipt)
    lines = printer.printed[-1].text_lines
    assert_slip_follows_the_rules(lines, chars)
    paper = "".join(lines)
    for piece in (booked.service_name, booked.address, *booked.materials, "YY20260316-0042"):
        assert piece in paper, piece  # nothing lost at a break


def test_an_application_receipt_and_an_offline_code_slip_print_by_the_rules(printer, tr):
    saved = build_receipt(
        [Outcome("最低生活保障、特困人员救助供养、临时救助和医疗救助申请", "abcdef1234"),
         Outcome("高龄老人综合津贴", "k2", {"number": "SL2026-000123"})],
        tr, bundle="社会救助一件事：低保特困临时救助医疗救助一起办“一表申请、一次办好”",
        delivery="邮寄到家（免费），请保持电话畅通。", terminal_id="T-0001", at=1.7e9)
    code = IssuedCode("OC-2026-0001", "OLC-" + "x" * 32, reason="other",
                      reason_label="持有残疾人证的本市户籍居民（视力、听力、言语残疾）及其监护人",
                      holder="王*英", issued_at="2026-03-15T02:00:00Z",
                      valid_until=dt.date(2027, 3, 15))
    slip = slip_receipt(code, tr, terminal_id="T-0001", at=1.7e9)
    chars = printer.settings.paper_chars
    assert old_breaks(saved, chars) and old_breaks(slip, chars)
    for receipt in (saved, slip):
        printer.print_receipt(receipt)
        assert_slip_follows_the_rules(printer.printed[-1].text_lines, chars)
    paper = "".join(printer.printed[-1].text_lines)
    assert code.reason_label in paper and code.token not in paper
