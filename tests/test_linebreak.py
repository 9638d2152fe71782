"""Chinese line breaking: no closing mark starts a line, no opening mark ends one, Latin
words stay whole, and every line fits."""

from __future__ import annotations

from common.linebreak import NO_END, NO_START, has_cjk, wrap


def width_of(text: str) -> float:
    """Every Chinese character and mark 10 wide, Latin 5, like a real CJK font."""
    return sum(5 if ch.isascii() else 10 for ch in text)


TEXT = "请用下面的键盘输入拼音，或只输入每个字的第一个字母，例如“户口登记”输入“hkdj”。边输入边显示"


def test_every_width_gives_lines_that_fit_and_never_start_with_a_closing_mark():
    for width in range(60, 400, 7):
        lines = wrap(TEXT, width, width_of).split("\n")
        assert "".join(lines) == TEXT  # nothing lost, nothing added
        for line in lines:
            assert line[0] not in NO_START, (width, lines)
            assert line[-1] not in NO_END, (width, lines)
            assert width_of(line) <= width or len(line) <= 3, (width, line)


def test_the_comma_that_would_start_a_line_goes_with_the_character_before_it():
    # Eleven characters fit, and the twelfth is "，": cutting there would orphan it, so
    # the line ends one character early and "音，" go on together.
    assert TEXT[11] == "，"
    lines = wrap(TEXT, 110, width_of).split("\n")
    assert lines[0] == TEXT[:10]
    assert lines[1].startswith("音，")


def test_latin_words_and_numbers_are_not_split_and_spaces_do_not_start_lines():
    text = "办件编号 JS2026000002 请保存 receipt"
    for width in range(70, 200, 5):
        lines = wrap(text, width, width_of).split("\n")
        assert any("JS2026000002" in line for line in lines)
        assert all(not line.startswith(" ") for line in lines)


def test_paragraphs_keep_their_own_breaks_and_latin_only_text_is_left_alone():
    assert wrap("第一行\n第二行", 1000, width_of) == "第一行\n第二行"
    assert not has_cjk("Hello, world") and has_cjk("您好")


def test_a_paragraph_keeps_its_indent_but_a_line_a_break_made_starts_without_a_space():
    assert wrap("  第一行", 1000, width_of) == "  第一行"
    assert wrap("  办事 指南", 40, width_of) == "  办事\n指南"
