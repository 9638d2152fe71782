"""Maintenance mode as a state machine drawn like any flow (kiosk/flows/view.py).

    PIN (numpad, dots) --right PIN--> MENU --> DEVICES --> DEVICE (status, last error,
         |  five wrong: locked, growing delay         counters, self-test)
         |                                   --> PLATFORM (sync now, catalogue version,
         |                                                  network diagnostics)
         |                                   --> OUTBOX (backlog, retry now)
         |                                   --> LOG (recent technician log lines)
         |                                   --> SERVICE (out of service on/off, restart)
    "leave" or idle for `idle_exit_s` ----------------------------> home (leave_to)

Reached only by the hidden gesture (kiosk.maintenance.access), never from a resident flow,
and never while a resident's session runs (the app ends it first). Every action is logged
with its result to the technician log (logger ``kiosk.maintenance``) and kept in
`actions` for the screen. The PIN is never logged, spoken or shown (dots only).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from typing import Any

from kiosk.flows.base import Flow
from kiosk.flows.context import FlowContext
from kiosk.flows.view import Choice, Line, Notice, View, paged
from kiosk.i18n import N_
from kiosk.maintenance import config_steps as cs
from kiosk.maintenance.access import PinGate
from kiosk.maintenance.tools import MaintenanceTools

log = logging.getLogger("kiosk.maintenance")

PIN_OK, LEAVE, BACK_MENU = "mt:pin_ok", "mt:leave", "mt:menu"
DEVICES, PLATFORM, OUTBOX, LOGS, SERVICE, CONFIG = (
    "mt:devices", "mt:platform", "mt:outbox", "mt:log", "mt:service", "mt:config")
DEVICE, SELF_TEST = "mt:device:", "mt:selftest"
SYNC, NETWORK, RETRY = "mt:sync", "mt:network", "mt:retry"
OUT_OF_SERVICE, IN_SERVICE, RESTART = "mt:oos", "mt:in_service", "mt:restart"
IDLE_EXIT_S = 180.0
LOG_LINES = 12
OUT_OF_SERVICE_MESSAGE = "终端正在维护，请稍后再来或前往附近服务中心。"


class State(enum.Enum):
    PIN = "pin"
    MENU = "menu"
    DEVICES = "devices"
    DEVICE = "device"
    PLATFORM = "platform"
    OUTBOX = "outbox"
    LOG = "log"
    SERVICE = "service"
    CONFIG = "config"
    CONFIG_ITEM = "config_item"


BACK = {State.DEVICES: State.MENU, State.DEVICE: State.DEVICES, State.PLATFORM: State.MENU,
        State.OUTBOX: State.MENU, State.LOG: State.MENU, State.SERVICE: State.MENU,
        State.CONFIG: State.MENU, State.CONFIG_ITEM: State.CONFIG}
STATUS_WORDS = {"online": N_("working"), "offline": N_("not connected"),
                "noDevice": N_("not found"), "hardwareError": N_("hardware fault"),
                "userError": N_("needs attention"), "busy": N_("busy")}


class MaintenanceFlow(Flow):
    name = "maintenance"
    title = N_("Maintenance")

    def __init__(self, ctx: FlowContext, gate: PinGate, tools: MaintenanceTools, *,
                 idle_exit_s: float = IDLE_EXIT_S,
                 clock: Callable[[], float] = time.monotonic,
                 config_steps: cs.ConfigSteps | None = None) -> None:
        self.gate, self.tools, self.config_steps = gate, tools, config_steps
        self.idle_exit_s, self._clock = idle_exit_s, clock
        self.actions: list[tuple[float, str, str]] = []  # (wall time, action, result)
        super().__init__(ctx)

    # --- lifecycle ----------------------------------------------------------------------
    def reset(self) -> None:
        self.state = State.PIN
        self.digits = ""
        self.signed_in = False
        self.left = False  # leave() was called: the screen is on its way home
        self.device_name = ""
        self.result: list[Line] = []
        self.page = 0
        self._last_touch = self._clock()

    def entered(self) -> None:
        self.action("open", "PIN asked")

    def touched(self) -> None:
        """Any touch while maintenance is shown keeps it open."""
        self._last_touch = self._clock()

    def tick(self) -> None:
        """Called by the app's scheduler while maintenance is shown: leave when idle."""
        if not self.left and self._clock() - self._last_touch >= self.idle_exit_s:
            self.leave("idle for %.0f s" % self.idle_exit_s)

    def leave(self, why: str) -> None:
        """Sign out and go: by the menu, the bar's Home button or when idle. Logged once."""
        if self.left:
            return
        self.left = True
        self.action("leave", why)
        self.digits, self.signed_in = "", False
        self.leave_to = "home"
        self.changed()

    def action(self, what: str, result: str) -> None:
        """Log one maintenance action with its result (technician log + the screen)."""
        self.actions.append((self.ctx.wall_clock(), what, result))
        del self.actions[:-50]
        log.info("maintenance: %s: %s", what, result)

    # --- input --------------------------------------------------------------------------
    def numpad_key(self, key: str) -> None:
        self.touched()
        if self.state is not State.PIN:
            return
        if key == "del":
            self.digits = self.digits[:-1]
        elif key == "clear":
            self.digits = ""
        elif key.isdigit() and len(self.digits) < 12:
            self.digits += key
        self.changed()

    def handle(self, choice_id: str) -> None:
        self.touched()
        if choice_id == LEAVE:
            self.leave("left by the technician")
            return
        if self.state is State.PIN:
            if choice_id == PIN_OK:
                self._check_pin()
            return
        if choice_id == BACK_MENU:
            self._go(State.MENU)
        elif self.state in (State.CONFIG, State.CONFIG_ITEM):
            self._config(choice_id)
        elif self.state is State.MENU:
            self._menu(choice_id)
        elif choice_id in ("page:next", "page:previous"):
            self.page += 1 if choice_id == "page:next" else -1
        elif choice_id.startswith(DEVICE):
            self.device_name = choice_id[len(DEVICE):]
            self.result = []
            self._go(State.DEVICE)
        elif choice_id == SELF_TEST:
            self._self_test()
        elif choice_id == SYNC:
            self.tools.sync_now()
            self.action("sync now", "catalogue sync asked")
            self.notice = Notice("info", self.tr_now(N_(
                "The catalogue is being synchronised; the version updates when it is done.")))
        elif choice_id == NETWORK:
            self._network()
        elif choice_id == RETRY:
            self.tools.retry_outbox()
            self.action("outbox retry", "sending the backlog now")
            self.notice = Notice("info", self.tr_now(N_("The backlog is being sent now.")))
        elif choice_id in (OUT_OF_SERVICE, IN_SERVICE):
            off = choice_id == OUT_OF_SERVICE
            self.tools.set_out_of_service(off, OUT_OF_SERVICE_MESSAGE if off else "")
            self.action("service", "out of service" if off else "back in service")
        elif choice_id == RESTART:
            self.action("restart", "the kiosk restarts (the service manager starts it again)")
            self.tools.restart()

    def step_back(self) -> bool:
        self.touched()
        if self.state in BACK:
            self._go(BACK[self.state])
            return True
        return False

    def tr_now(self, msgid: str) -> str:
        return self.ctx.session_tr()(msgid)

    # --- actions ------------------------------------------------------------------------
    def _check_pin(self) -> None:
        pin, self.digits = self.digits, ""

        def done(result: Any) -> None:
            if result.ok:
                self.signed_in = True
                self.action("sign in", "PIN accepted")
                self._go(State.MENU)
            elif result.locked_for_s > 0:
                self.action("sign in", "locked for %.0f s" % result.locked_for_s)
            else:
                self.action("sign in", "wrong PIN, %d tries left" % result.tries_left)
                self.notice = Notice("error", self.tr_now(N_(
                    "Wrong PIN. {tries} more tries before entry is locked.")).format(
                        tries=result.tries_left))

        self.run(lambda: self.gate.check(pin), done, doing="check the maintenance PIN",
                 busy_text=N_("Checking the PIN..."))

    def _menu(self, choice_id: str) -> None:
        target = {DEVICES: State.DEVICES, PLATFORM: State.PLATFORM, OUTBOX: State.OUTBOX,
                  LOGS: State.LOG, SERVICE: State.SERVICE, CONFIG: State.CONFIG}.get(choice_id)
        if target is State.CONFIG and self.config_steps is None:
            return
        if target is not None:
            self.action("open", target.value)
            self._go(target)

    def _config(self, choice_id: str) -> None:
        steps = self.config_steps
        editor = steps.editor
        if choice_id.startswith(cs.KEY):
            steps.open(choice_id[len(cs.KEY):])
            self._go(State.CONFIG_ITEM)
        elif choice_id == cs.TO_LIST:
            self._go(State.CONFIG)
        elif choice_id in ("page:next", "page:previous"):
            steps.page += 1 if choice_id == "page:next" else -1
        elif choice_id == cs.DISCARD:
            self.action("configuration", "changes discarded: " + ", ".join(editor.pending))
            editor.pending.clear()
        elif choice_id == cs.TEST:
            key = steps.item.key

            def tested(text: str) -> None:
                self.action(f"test {key}", f"OK: {text}")
                self.notice = Notice("success", text)

            self.run(lambda: editor.test(key), tested, doing=f"test of {key}",
                     busy_text=N_("Testing the device..."),
                     failed=lambda n: self.action(f"test {key}", f"FAILED: {n.text}"))
        elif choice_id in (cs.SAVE, cs.ROLLBACK):
            save = choice_id == cs.SAVE
            what = ", ".join(editor.pending) if save else "last good configuration"

            def done(_result: Any) -> None:
                self.action("configuration", ("saved: " if save else "rolled back: ") + what
                            + "; restarting")
                self.tools.restart()

            self.run(editor.save if save else editor.rollback, done,
                     doing="save the configuration" if save else "roll back the configuration",
                     busy_text=N_("Checking and saving..."),
                     failed=lambda n: self.action("configuration", f"not saved: {n.text}"))
        else:
            steps.adjust(choice_id)

    def _self_test(self) -> None:
        name = self.device_name

        def done(text: str) -> None:
            self.action(f"self-test {name}", f"OK: {text}")
            self.result = [Line(text, label=self.tr_now(N_("Self-test passed")), emphasis=True)]

        def failed(notice: Notice) -> None:
            self.action(f"self-test {name}", f"FAILED: {notice.text}")

        self.run(lambda: self.tools.self_test(name), done, doing=f"self-test of {name}",
                 busy_text=N_("Testing the device..."), failed=failed)

    def _network(self) -> None:
        def done(checks: list) -> None:
            from kiosk.admin.checks import worst

            self.action("network diagnostics", worst(checks).value)
            self.result = [Line(f"{c.level.value}  {c.detail}"
                                + (f" — {c.fix}" if c.fix else ""), label=c.name)
                           for c in checks]

        self.run(self.tools.network, done, doing="network diagnostics",
                 busy_text=N_("Checking the network..."))

    def _go(self, state: State) -> None:
        self.state, self.page = state, 0
        if state not in (State.DEVICE,):
            self.result = []

    # --- views --------------------------------------------------------------------------
    def render(self, tr) -> View:
        title = tr(self.title)
        leave = Choice(LEAVE, tr("Leave maintenance"), primary=False)
        if self.state is State.PIN:
            return self._pin_view(tr, title, leave)
        menu = Choice(BACK_MENU, tr("Maintenance menu"), primary=False)
        if self.state is State.MENU:
            return View(title, tr("Choose what to check or change. Every action is logged."),
                        choices=(Choice(DEVICES, tr("Devices")),
                                 Choice(PLATFORM, tr("Platform and network")),
                                 Choice(OUTBOX, tr("Outbox")),
                                 Choice(LOGS, tr("Recent log")),
                                 Choice(SERVICE, tr("Service and restart")),
                                 Choice(CONFIG, tr("Configuration"),
                                        enabled=self.config_steps is not None)),
                        actions=(leave,), lines=self._recent_actions(tr), notice=self.notice)
        if self.state is State.CONFIG:
            return self.config_steps.list_view(tr, menu, self.notice)
        if self.state is State.CONFIG_ITEM:
            return self.config_steps.item_view(tr, self.notice)
        if self.state is State.DEVICES:
            reports = self.tools.devices()
            items = [Choice(DEVICE + r.name, f"{r.name}: {tr(STATUS_WORDS.get(r.status.value, r.status.value))}",
                            r.detail or r.kind) for r in reports]
            choices, self.page = paged(items, self.page, tr, 5)
            return View(tr("Devices"), tr("Tap a device for its details and a self-test."),
                        choices=choices + (menu,), notice=self.notice)
        if self.state is State.DEVICE:
            return self._device_view(tr)
        if self.state is State.PLATFORM:
            return View(tr("Platform and network"), tr("Synchronise now or check the line."),
                        lines=(Line(self.tools.catalogue_version() or "-",
                                    label=tr("Catalogue version")),) + tuple(self.result),
                        choices=(Choice(SYNC, tr("Synchronise now")),
                                 Choice(NETWORK, tr("Check the network")), menu),
                        notice=self.notice)
        if self.state is State.OUTBOX:
            s = self.tools.outbox()
            return View(tr("Outbox"), tr("What waits to be sent to the platform."),
                        lines=(Line(str(s.waiting), label=tr("Waiting"), emphasis=True),
                               Line(_age(s.oldest_age_s), label=tr("Oldest waiting")),
                               Line(str(s.dead_letters), label=tr("Refused by the platform"))),
                        choices=(Choice(RETRY, tr("Send now")), menu), notice=self.notice)
        if self.state is State.LOG:
            lines = tuple(Line(text) for text in self.tools.recent_log(LOG_LINES))
            return View(tr("Recent log"), tr("The newest lines of the technician log."),
                        lines=lines or (Line(tr("The log is empty.")),),
                        choices=(menu,), notice=self.notice)
        in_service = self.tools.in_service()
        switch = (Choice(OUT_OF_SERVICE, tr("Take out of service")) if in_service
                  else Choice(IN_SERVICE, tr("Put back in service")))
        return View(tr("Service and restart"),
                    tr("Residents see the out-of-service screen until you put the terminal "
                       "back in service."),
                    lines=(Line(tr("In service") if in_service else tr("Out of service"),
                                label=tr("Now"), emphasis=True),),
                    choices=(switch, Choice(RESTART, tr("Restart the kiosk"), primary=False),
                             menu), notice=self.notice)

    def _pin_view(self, tr, title: str, leave: Choice) -> View:
        wait = self.gate.locked_for()
        if wait > 0:
            minutes = max(1, round(wait / 60))
            return View(title, tr("Entry is locked after too many wrong PINs."),
                        notice=Notice("warning", tr(
                            "Try again in about {minutes} minutes.").format(minutes=minutes)),
                        choices=(leave,), speak=tr("Entry is locked after too many wrong PINs."))
        return View(title, tr("Enter the maintenance PIN."),
                    lines=(Line("●" * len(self.digits) or "-", label=tr("PIN"),
                                emphasis=True),),
                    widget="numpad",
                    choices=(Choice(PIN_OK, tr("Enter"), enabled=len(self.digits) >= 6),
                             leave),
                    notice=self.notice, speak=tr("Enter the maintenance PIN."))

    def _device_view(self, tr) -> View:
        menu = Choice(BACK_MENU, tr("Maintenance menu"), primary=False)
        report = next((r for r in self.tools.devices() if r.name == self.device_name), None)
        if report is None:
            return View(tr("Devices"), tr("This device is no longer configured."),
                        choices=(menu,))
        lines = [Line(tr(STATUS_WORDS.get(report.status.value, report.status.value)),
                      label=tr("Status"), emphasis=True),
                 Line(report.detail or "-", label=tr("Detail")),
                 Line(report.last_error or "-", label=tr("Last error")),
                 Line(f"{report.kind} / {report.driver}", label=tr("Kind / driver"))]
        lines += [Line(str(v), label=k) for k, v in sorted(report.counters.items())][:6]
        return View(report.name, tr("Run a self-test to check the device for real."),
                    lines=tuple(lines + self.result),
                    choices=(Choice(SELF_TEST, tr("Run the self-test"),
                                    enabled=report.status.usable), menu),
                    notice=self.notice)

    def _recent_actions(self, tr) -> tuple[Line, ...]:
        return tuple(Line(f"{what}: {result}", label=time.strftime("%H:%M:%S",
                                                                    time.localtime(at)))
                     for at, what, result in self.actions[-4:])


def _age(seconds: float) -> str:
    if seconds <= 0:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
