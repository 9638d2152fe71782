"""办件进度: the resident's applications and each one's progress, step by step.

    (identify) -> LIST (paged, <= 6 a screen; a scanned 办件编号 opens one directly)
               -> DETAIL (the timeline, newest step first) -> back to LIST
    loading fails -> FAILED (try again / home)

Read only, online only (`GET /applications`, `GET /applications/{id}` with the resident
token). The timeline is shown newest first: what an elderly resident comes to ask is
"where is my matter now", so the current step is the first line they read; the way it
got there follows below.

Applications this terminal has saved in its outbox but not yet delivered (the line was
down) are listed too, as "saved, will be sent when the network is back", matched to the
resident by the full ID number read from the card (a resident identified by a code has no
full number on the terminal, so nothing can be matched safely and none are listed).
Only the service, the time and the reference code leave the worker: the rest of each
decrypted payload is dropped there.
"""

from __future__ import annotations

import enum
import logging
import re
from typing import Any
from urllib.parse import quote

from kiosk.flows.base import Flow, home_choice
from kiosk.flows.local_time import shown_time, shown_timestamp
from kiosk.flows.view import NEXT_PAGE, PREVIOUS_PAGE, Choice, Line, Notice, View, paged
from kiosk.i18n import N_

log = logging.getLogger("kiosk.flows")

OPEN, RETRY, TO_LIST = "progress:open:", "progress:retry", "progress:list"
_CODE_RE = re.compile(r"^[A-Za-z0-9._:-]{4,64}$")

STATUS_TEXTS = {
    "submitted": N_("Application submitted"),
    "received": N_("Received by the office"),
    "accepted": N_("Accepted for handling"),
    "reviewing": N_("Under review"),
    "approved": N_("Approved"),
    "rejected": N_("Not approved"),
    "completed": N_("Completed"),
}


class State(enum.Enum):
    LIST = "list"
    DETAIL = "detail"
    FAILED = "failed"


def application_code(text: str) -> str:
    """The 办件编号 (or application id) in a scan: the text itself, or the last part of a
    link; "" when it cannot be one (never sent to the platform then)."""
    code = (text or "").strip().rstrip("/")
    if "/" in code:
        code = code.rsplit("/", 1)[1]
    code = code.split("?", 1)[0].split("#", 1)[0]
    return code if _CODE_RE.match(code) else ""


def status_text(app: dict[str, Any], tr) -> str:
    """The application's current status as a resident reads it."""
    msgid = STATUS_TEXTS.get(str(app.get("status", "")))
    if msgid:
        return tr(msgid)
    timeline = app.get("timeline") or []
    return str(timeline[-1].get("title", "")) if timeline else str(app.get("status", ""))


def newest_first(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Timeline events, newest first; events with the same time keep the platform's order
    reversed (it lists them oldest first)."""
    indexed = list(enumerate(events))
    indexed.sort(key=lambda pair: (str(pair[1].get("at", "")), pair[0]), reverse=True)
    return [event for _i, event in indexed]


def read_queued(submitter: Any, id_number: str) -> list[dict[str, Any]]:
    """Worker side: this resident's applications still in the outbox, as non-personal
    summaries. Never raises: the list is a courtesy, the platform's list is the record."""
    queued = getattr(submitter, "queued", None)
    if queued is None or not id_number:
        return []
    try:
        items = queued("application")
    except Exception as exc:  # noqa: BLE001 - StorageError or a broken item: skip the extra
        log.warning("progress: could not read queued applications: %s", type(exc).__name__)
        return []
    wanted = id_number.strip().upper()
    found = []
    for item in items:
        applicant = item.payload.get("applicant") or {}
        if str(applicant.get("id_number", "")).strip().upper() == wanted:
            found.append({"service_id": str(item.payload.get("service_id", "")),
                          "created_at": float(item.created_at), "reference": item.key[:8]})
    return found


class ProgressFlow(Flow):
    name = "progress"
    title = N_("Application progress")
    needs_identity = True

    def reset(self) -> None:
        self.state = State.FAILED
        self.apps: list[dict[str, Any]] = []
        self.queued: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.page = 0

    # --- loading ----------------------------------------------------------------------
    def entered(self) -> None:
        self._load()

    def _load(self) -> None:
        resident = self.resident()
        token = resident.token
        id_number = str(resident.card.get("id_number", ""))
        submitter = self.ctx.submitter
        box: dict[str, Any] = {}

        def job() -> list[dict[str, Any]]:
            try:
                box["queued"] = read_queued(submitter(), id_number)
            except Exception as exc:  # noqa: BLE001 - no outbox yet: nothing to add
                log.warning("progress: no outbox to read: %s", type(exc).__name__)
            return self.ctx.client().get("/applications", resident_token=token)

        def done(apps: list[dict[str, Any]]) -> None:
            self.queued = self._named(box.get("queued", []))
            self.apps, self.page, self.current = list(apps), 0, None
            self.state = State.LIST

        def failed(_notice: Notice) -> None:
            self.queued = self._named(box.get("queued", []))
            self.state = State.FAILED

        self.run(job, done, doing="load applications", failed=failed,
                 busy_text=N_("Looking up your applications..."))

    def _named(self, queued: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """UI thread: add each queued item's service name from the offline catalogue."""
        try:
            store = self.ctx.catalogue()
        except Exception:  # noqa: BLE001 - no catalogue yet: show the id
            store = None
        for q in queued:
            service = store.service(q["service_id"]) if store is not None else None
            q["service_name"] = service.name if service is not None else q["service_id"]
        return queued

    def _open(self, key: str) -> None:
        token = self.resident().token
        back_to = self.state

        def done(app: dict[str, Any]) -> None:
            self.current, self.state = app, State.DETAIL

        def failed(_notice: Notice) -> None:
            self.state = back_to

        self.run(lambda: self.ctx.client().get(f"/applications/{quote(key, safe='')}",
                                               resident_token=token),
                 done, doing="load one application", failed=failed,
                 busy_text=N_("Looking up the progress..."))

    # --- events -------------------------------------------------------------------------
    def handle(self, choice_id: str) -> None:
        if choice_id == RETRY:
            self._load()
        elif choice_id == TO_LIST:
            self.step_back()
        elif choice_id == NEXT_PAGE:
            self.page += 1
        elif choice_id == PREVIOUS_PAGE:
            self.page = max(0, self.page - 1)
        elif choice_id.startswith(OPEN) and self.state is State.LIST:
            self._open(choice_id[len(OPEN):])

    def step_back(self) -> bool:
        if self.state is State.DETAIL:
            self.current = None
            if self.apps or self.queued:
                self.state = State.LIST
                return True
            self._load()
            return True
        return False

    def code_scanned(self, text: str) -> None:
        if self.state not in (State.LIST, State.DETAIL):
            return
        code = application_code(text)
        if not code:
            log.info("progress: ignored a scan that is not an application number")
            self.notice = Notice("warning", self.ctx.session_tr()(N_(
                "This code is not an application number. Please scan the number on your "
                "receipt, or choose from the list.")))
            self.changed()
            return
        self.notice = None
        known = next((a for a in self.apps if code in (a.get("number"), a.get("id"))), None)
        self._open(str(known["id"]) if known else code)

    # --- rendering ----------------------------------------------------------------------
    def render(self, tr) -> View:
        title = tr(self.title)
        if self.state is State.DETAIL and self.current is not None:
            return self._render_detail(tr, title)
        queued_lines = self._queued_lines(tr)
        if self.state is State.FAILED:
            return View(title, tr("Your applications could not be loaded. Checking progress "
                                  "needs the network."),
                        lines=queued_lines,
                        choices=(Choice(RETRY, tr("Try again")), home_choice(tr)),
                        notice=self.notice)
        if not self.apps:
            text = (tr("No application has reached the platform yet.") if self.queued else
                    tr("You have no applications on record at the moment."))
            return View(title, text, lines=queued_lines, choices=(home_choice(tr),),
                        notice=self.notice)
        items = [Choice(f"{OPEN}{a['id']}", str(a.get("service_name", "")),
                        detail=tr("No. {number} · {status}").format(
                            number=a.get("number", ""), status=status_text(a, tr)))
                 for a in self.apps]
        choices, self.page = paged(items, self.page, tr)
        return View(title, tr("Choose an application to see its progress, or scan the "
                              "application number on your receipt."),
                    choices=choices, lines=queued_lines, notice=self.notice)  # home: the bar

    def _queued_lines(self, tr) -> tuple[Line, ...]:
        if not self.queued:
            return ()
        lines = [Line(tr("Saved on this terminal, not sent yet"), emphasis=True)]
        for q in self.queued:
            lines.append(Line(q["service_name"], label=shown_timestamp(q["created_at"])))
            lines.append(Line(tr("Saved. It will be sent when the network is back. "
                                 "Reference code {code}").format(code=q["reference"])))
        return tuple(lines)

    def _render_detail(self, tr, title: str) -> View:
        app = self.current or {}
        lines = [Line(str(app.get("service_name", "")), emphasis=True),
                 Line(str(app.get("number", "")), label=tr("Application number")),
                 Line(status_text(app, tr), label=tr("Current status"), emphasis=True)]
        events = newest_first(list(app.get("timeline") or []))
        lines.append(Line(tr("Progress, newest step first") if events else
                          tr("No progress has been recorded yet."), emphasis=True))
        for event in events:
            text = str(event.get("title", ""))
            if event.get("note"):
                text = f"{text} · {event['note']}"
            lines.append(Line(text, label=shown_time(event.get("at", ""))))
        choices = [home_choice(tr)]
        if self.apps or self.queued:
            choices.insert(0, Choice(TO_LIST, tr("Back to my applications"), primary=False))
        return View(title, tr("This is where your application stands now."),
                    lines=tuple(lines), choices=tuple(choices), notice=self.notice)
