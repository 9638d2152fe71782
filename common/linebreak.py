"""Line breaking for Chinese text with the usual rules (避头尾, kinsoku): a line never
starts with a closing punctuation mark (，。、：；！？）》” ...) and never ends with an
opening one (（《“ ...); Latin words and numbers are not split.

One implementation for every layer: the screens draw with it (Kivy alone would leave a
lone "。" at the start of a line) and the receipt printer prints with it
(`hardware.printer.layout.wrap`). Pure Python: the width of a piece of text comes from a
function the caller supplies (pixels on screen, printer columns on paper).
"""

from __future__ import annotations

from collections.abc import Callable

NO_START = set("，。、：；！？）》」』”’】〕〉…—·%,.:;!?)]}")
NO_END = set("（《「『“‘【〔〈([{")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese character or a full-width mark."""
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


def _units(paragraph: str) -> list[str]:
    """Pieces that may not be split: a Chinese character, a Latin word or number, a space;
    closing marks stick to what precedes them and opening marks to what follows."""
    units: list[str] = []
    for ch in paragraph:
        if units and (ch.isascii() and ch.isalnum() and units[-1][-1].isascii()
                      and units[-1][-1].isalnum()):
            units[-1] += ch
        elif units and ch in NO_START and units[-1] != " ":
            units[-1] += ch
        elif units and units[-1][-1] in NO_END:
            units[-1] += ch
        else:
            units.append(ch)
    return units


def wrap(text: str, width: float, measure: Callable[[str], float]) -> str:
    """`text` with a newline wherever a line must end to fit `width` (in the units of
    `measure`). Spaces at a break and at the end of a paragraph are dropped; a paragraph's
    own leading spaces (an indent) are kept. A piece wider than a whole line is left on its
    own line for the caller's renderer to cut."""
    if width <= 0:
        return text
    out: list[str] = []
    for paragraph in text.split("\n"):
        lines: list[str] = []
        line, line_w = "", 0.0
        for unit in _units(paragraph):
            unit_w = measure(unit)
            if line and line_w + unit_w > width:
                lines.append(line.rstrip(" "))
                line, line_w = "", 0.0
            if lines and not line and unit == " ":
                continue  # no space at the start of a line the break made
            line += unit
            line_w += unit_w
        lines.append(line.rstrip(" "))
        out.append("\n".join(lines))
    return "\n".join(out)
