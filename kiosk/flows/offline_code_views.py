"""离线码 screens: one View per state of `OfflineCodeFlow`, each with the sentence voice
guidance reads.

Nothing here shows or speaks the token, the name or the ID number; no View carries a QR
code (the code is a credential: paper only). The reason a resident may have a code is not
shown either, only printed on the slip. At most three choices a screen, none needs typing.
"""

from __future__ import annotations

from typing import Any

from kiosk.flows import offline_code as oc
from kiosk.flows.base import home_choice, rate_choice
from kiosk.flows.offline_code_data import HOW, LOST, USE, shown_date
from kiosk.flows.view import Choice, Line, Notice, View


def _speech(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _help(tr) -> Choice:
    return Choice(oc.HELP, tr("Ask the staff for help"), primary=False)


def render(flow: Any, tr) -> View:
    title = tr(flow.title)
    state = flow.state
    if state is oc.State.CONFIRM and flow.offer is not None:
        return _confirm(flow, tr, title)
    if state is oc.State.NOT_ELIGIBLE:
        return _not_eligible(flow, tr, title)
    if state is oc.State.NEEDS_CARD:
        instruction = tr("To print a new offline code, please identify yourself with your ID "
                         "card or the Suishenma on your phone.")
        line = tr("The offline code you scanned keeps working until a new one is printed.")
        return View(title, instruction, lines=(Line(line),),
                    choices=(Choice(oc.REIDENTIFY, tr("Identify with my ID card or Suishenma")),
                             home_choice(tr)),
                    notice=flow.notice, speak=_speech(instruction, line))
    if state is oc.State.UNPRINTED:
        return _unprinted(flow, tr, title)
    if state is oc.State.DONE and flow.valid_until is not None:
        return _done(flow, tr, title)
    return _failed(flow, tr, title)


def _confirm(flow: Any, tr, title: str) -> View:
    offer = flow.offer
    until = shown_date(offer.valid_until, tr)
    instruction = tr("You can have a printed offline code.")
    lines = [Line(tr(USE), emphasis=True),
             Line(until, label=tr("Valid until"), emphasis=True),
             Line(tr("The code is printed on paper only and is not shown on the screen. Keep "
                     "it as carefully as your ID card."))]
    if offer.current_valid_until is not None:
        lines.append(Line(tr("Your present offline code (valid until {date}) stops working "
                             "when the new one is made.").format(
                                 date=shown_date(offer.current_valid_until, tr))))
    speak = _speech(flow.notice.text if flow.notice else "", instruction, tr(USE),
                    tr("It is valid until {date}.").format(date=until),
                    *(line.text for line in lines[3:]),
                    tr("To print it, tap \"Print my offline code\"."))
    return View(title, instruction, lines=tuple(lines),
                choices=(Choice(oc.PRINT, tr("Print my offline code")), home_choice(tr)),
                notice=flow.notice, speak=speak)


def _not_eligible(flow: Any, tr, title: str) -> View:
    notice = flow.notice or Notice("info", tr("This terminal cannot print an offline code "
                                              "for you."))
    instruction = tr("Offline codes are for residents aged 60 or over, under 18, or holding a "
                     "disability certificate.")
    lines = (Line(tr("You can still identify yourself in other ways:"), emphasis=True),
             Line(tr("At this terminal: put your ID card on the reader, or scan the "
                     "Suishenma on your phone.")),
             Line(tr("Without a phone or an ID card: a service window can help you, at the "
                     "community affairs service centre of your town.")))
    return View(title, instruction, lines=lines, choices=(_help(tr), home_choice(tr)),
                notice=notice,
                speak=_speech(notice.text, instruction, *(line.text for line in lines)))


def _unprinted(flow: Any, tr, title: str) -> View:
    instruction = tr("Your offline code is made but not printed yet. When you try again, the "
                     "same code is printed.")
    line = tr("If you leave now, the code is kept until you finish here: come back to this "
              "service to print it.")
    return View(title, instruction, lines=(Line(line),),
                choices=(Choice(oc.REPRINT, tr("Try printing again")), _help(tr),
                         home_choice(tr)),
                notice=flow.notice,
                speak=_speech(flow.notice.text if flow.notice else "", instruction))


def _done(flow: Any, tr, title: str) -> View:
    until = shown_date(flow.valid_until, tr)
    choices = [rate_choice(tr)]
    if flow.confirmed:
        notice = Notice("success", tr("Your offline code is printed. Please take it from the "
                                      "slot below the screen."))
    else:
        notice = Notice("info", tr("The printer did not confirm the print. If no paper came "
                                   "out, tap \"Print again\": the same code is printed."))
        choices.append(Choice(oc.REPRINT, tr("Print again"), primary=False))
    choices.append(home_choice(tr))
    instruction = tr("This is how to use it.")
    lines = (Line(until, label=tr("Valid until"), emphasis=True), Line(tr(HOW)),
             Line(tr(LOST)))
    return View(title, instruction, lines=lines, choices=tuple(choices),
                notice=flow.notice or notice,
                speak=_speech((flow.notice or notice).text,
                              tr("It is valid until {date}.").format(date=until)))


def _failed(flow: Any, tr, title: str) -> View:
    if flow.known_offline():
        instruction = tr("Offline codes can only come from the government service platform, "
                         "which cannot be reached right now.")
        lines: tuple[Line, ...] = (Line(tr("Please try again in a little while. Until then "
                                           "you can identify yourself with your ID card or "
                                           "the Suishenma on your phone.")),)
    else:
        instruction = tr("Your offline code could not be prepared just now.")
        lines = ()
    return View(title, instruction, lines=lines,
                choices=(Choice(oc.RETRY, tr("Try again")), home_choice(tr)),
                notice=flow.notice,
                speak=_speech(flow.notice.text if flow.notice else "", instruction,
                              *(line.text for line in lines)))
