"""What a flow asks the screen to show: one plain, translated description per state.

Flows are plain-Python state machines (kiosk/flows/); `Flow.view(tr)` returns a `View`,
and the one generic Kivy screen (screens/flow_screen.py) draws any View the same way:
title, one instruction, an optional notice, content lines, up to six large choices and
a row of actions. So every flow gets the same layout, the same elderly-mode scaling and
the same accessibility audit, and no flow needs its own .kv file for ordinary steps.
Texts in a View are already translated (the flow renders with the session's `tr`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MAX_CHOICES = 6  # one decision per screen, at most six options (elderly guideline)

Level = Literal["info", "success", "warning", "error"]


@dataclass(frozen=True)
class Choice:
    """A large button. `id` is what the flow receives when it is tapped."""

    id: str
    label: str
    detail: str = ""
    enabled: bool = True
    primary: bool = True


@dataclass(frozen=True)
class Line:
    """One line of content: a label and its value, or a paragraph (label "")."""

    text: str
    label: str = ""
    emphasis: bool = False


@dataclass(frozen=True)
class Notice:
    """A calm message above the content: what happened and what to do next."""

    level: Level
    text: str


@dataclass(frozen=True)
class View:
    title: str
    instruction: str = ""
    choices: tuple[Choice, ...] = ()
    lines: tuple[Line, ...] = ()
    actions: tuple[Choice, ...] = ()
    notice: Notice | None = None
    busy: bool = False        # a job runs: show the instruction as "please wait", no taps
    qr: str = ""              # text to draw as a QR code beside the content
    widget: str = ""          # a special widget the screen adds ("keyboard", "camera")
    speak: str = ""           # what voice guidance reads aloud ("" = title + instruction)

    def __post_init__(self) -> None:
        if len(self.choices) > MAX_CHOICES:
            raise ValueError(f"a view offers at most {MAX_CHOICES} choices, "
                             f"got {len(self.choices)} (use paged())")


NEXT_PAGE, PREVIOUS_PAGE = "page:next", "page:previous"


def paged(choices: list[Choice], page: int, tr, per_page: int = MAX_CHOICES
          ) -> tuple[tuple[Choice, ...], int]:
    """Cut `choices` into pages of at most `per_page` buttons, paging buttons included.

    Returns this page's buttons and the page actually shown (clamped). The flow handles
    NEXT_PAGE / PREVIOUS_PAGE by moving its page number.
    """
    if len(choices) <= per_page:
        return tuple(choices), 0
    room = per_page - 2  # a middle page has both paging buttons
    pages = max(1, -(-(len(choices) - 2) // room))
    page = max(0, min(page, pages - 1))
    start = 0 if page == 0 else (per_page - 1) + (page - 1) * room
    size = per_page - 1 if page == 0 else (per_page - 1 if page == pages - 1 else room)
    shown = list(choices[start:start + size])
    if start + size < len(choices):
        shown.append(Choice(NEXT_PAGE, tr("Next page"), primary=False))
    if page > 0:
        shown.insert(0, Choice(PREVIOUS_PAGE, tr("Previous page"), primary=False))
    return tuple(shown), page
