"""The configuration steps of maintenance mode (kiosk.maintenance.flow): pick a key, change
it by taps, test a new device port, save (validated, last good kept) or roll back.

    CONFIG (keys with their values, save / roll back / discard) -> CONFIG_ITEM (+/-, on/off,
    a choice, or a port from the ports present with "test") -> CONFIG ...
"""

from __future__ import annotations

from typing import Any

from kiosk.flows.view import Choice, Line, Notice, View, paged
from kiosk.i18n import N_
from kiosk.maintenance.config_edit import PORT_KEYS, ConfigEditor, Editable, candidate_ports

KEY, SET, PLUS, MINUS, TEST = "cf:key:", "cf:set:", "cf:plus", "cf:minus", "cf:test"
SAVE, ROLLBACK, DISCARD, TO_LIST = "cf:save", "cf:rollback", "cf:discard", "cf:list"

SIMPLE: tuple[Editable, ...] = (
    Editable("session.idle_timeout_s", "number", N_("Idle time before the warning (s)"),
             step=30, low=30, high=600),
    Editable("session.warning_s", "number", N_("Warning countdown (s)"), step=10, low=20,
             high=120),
    Editable("accessibility.elderly_by_default", "bool", N_("Start in senior mode")),
    Editable("accessibility.voice_in_elderly_mode", "bool",
             N_("Read aloud in senior mode")),
    Editable("i18n.default_language", "choice", N_("Language at start"),
             choices=("zh_CN", "en")),
)


def editables(config: Any) -> list[Editable]:
    """The simple keys, then each device's port (only devices that have one)."""
    items = list(SIMPLE)
    for spec in config.devices:
        for key in PORT_KEYS:
            value = spec.options.get(key)
            if isinstance(value, str) and value:
                items.append(Editable(f"devices.{spec.name}.{key}", "port",
                                      N_("Port of {device}")))
                break
    return items


def current_value(config: Any, key: str) -> Any:
    parts = key.split(".")
    if parts[0] == "devices":
        spec = next(s for s in config.devices if s.name == parts[1])
        return spec.options.get(parts[2])
    return getattr(getattr(config, parts[0]), parts[1])


class ConfigSteps:
    """State of the configuration screens; the flow renders and routes through it."""

    def __init__(self, editor: ConfigEditor, config: Any) -> None:
        self.editor, self.config = editor, config
        self.item: Editable | None = None
        self.page = 0
        self.ports: list[str] = []

    def value(self, key: str) -> Any:
        return self.editor.pending.get(key, current_value(self.config, key))

    def label(self, item: Editable, tr) -> str:
        return tr(item.label).format(device=item.key.split(".")[1]) if item.kind == "port" \
            else tr(item.label)

    def shown(self, value: Any, tr) -> str:
        if isinstance(value, bool):
            return tr("on") if value else tr("off")
        return str(value)

    # --- views --------------------------------------------------------------------------
    def list_view(self, tr, menu: Choice, notice: Notice | None) -> View:
        items = [Choice(KEY + e.key, self.label(e, tr), self.shown(self.value(e.key), tr)
                        + (" *" if e.key in self.editor.pending else ""))
                 for e in editables(self.config)]
        choices, self.page = paged(items, self.page, tr, 4)
        pending = bool(self.editor.pending)
        actions = (Choice(SAVE, tr("Save and restart"), enabled=pending),
                   Choice(DISCARD, tr("Discard changes"), enabled=pending, primary=False),
                   Choice(ROLLBACK, tr("Back to the last good configuration"),
                          enabled=self.editor.last_good.exists(), primary=False), menu)
        return View(tr("Configuration"), tr("Tap a setting to change it. Changes marked * "
                                            "are saved only with \"Save and restart\"."),
                    choices=choices, actions=actions, notice=notice)

    def item_view(self, tr, notice: Notice | None) -> View:
        item = self.item
        value = self.value(item.key)
        back = Choice(TO_LIST, tr("Back to the settings"), primary=False)
        lines = (Line(self.shown(value, tr), label=self.label(item, tr), emphasis=True),)
        if item.kind == "number":
            choices = (Choice(MINUS, f"- {item.step:g}", enabled=value - item.step >= item.low),
                       Choice(PLUS, f"+ {item.step:g}", enabled=value + item.step <= item.high),
                       back)
        elif item.kind == "bool":
            choices = (Choice(SET + "on", tr("on"), enabled=not value),
                       Choice(SET + "off", tr("off"), enabled=bool(value)), back)
        elif item.kind == "choice":
            choices = tuple(Choice(SET + c, c, enabled=c != value) for c in item.choices) \
                + (back,)
        else:
            ports = [p for p in self.ports if p != value][:3]
            tested = item.key in self.editor.tested
            choices = tuple(Choice(SET + p, p) for p in ports) + (
                Choice(TEST, tr("Test this port"), enabled=item.key in self.editor.pending
                       and not tested), back)
            if not ports:
                lines += (Line(tr("No other serial or printer ports are present.")),)
        return View(self.label(item, tr), tr("Choose the new value."), lines=lines,
                    choices=choices, notice=notice)

    # --- taps ---------------------------------------------------------------------------
    def open(self, key: str) -> None:
        self.item = next(e for e in editables(self.config) if e.key == key)
        if self.item.kind == "port":
            self.ports = candidate_ports()

    def adjust(self, choice_id: str) -> None:
        item = self.item
        value = self.value(item.key)
        if choice_id in (PLUS, MINUS):
            step = item.step if choice_id == PLUS else -item.step
            new = value + step
            self.editor.change(item.key, int(new) if float(new).is_integer() else new)
        elif choice_id.startswith(SET):
            raw = choice_id[len(SET):]
            new = {"on": True, "off": False}.get(raw, raw) if item.kind == "bool" else raw
            if new == current_value(self.config, item.key):
                self.editor.pending.pop(item.key, None)
            else:
                self.editor.change(item.key, new)
