"""The numeric keypad special widget (View.widget == "numpad"): digits for a phone number.

Twelve large keys (1-9, clear, 0, delete) sized like every touch target; each key calls
`flow.numpad_key(key)` ("0".."9", "del", "clear") and the flow keeps the digits and shows
them in its view, so the keypad itself holds nothing personal. `choice_id` on each key
("numpad:5") lets tests find them like choices.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import N_
from screens.flow_screen import register_special_widget
from screens.widgets import KButton

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "del")
LABELS = {"clear": N_("Clear"), "del": N_("Delete")}


class NumpadKey(KButton):
    choice_id = StringProperty("")


class Numpad(GridLayout):
    beside_choices = True  # on a landscape screen the flow screen puts "号码正确" beside it

    def __init__(self, flow: Any, **kwargs) -> None:
        app = App.get_running_app()
        theme = app.theme
        super().__init__(cols=3, spacing=theme.spacing, size_hint_y=None, **kwargs)
        self.flow = flow
        self.keys: list[NumpadKey] = []
        for key in KEYS:
            button = NumpadKey(text=app.tr(LABELS[key]) if key in LABELS else key,
                               choice_id=f"numpad:{key}",
                               kind="secondary" if key in LABELS else "primary")
            button.font_size = theme.title
            button.size_hint_y = None
            button.height = theme.target
            button.bind(on_release=lambda b, k=key: self.flow.numpad_key(k))
            self.keys.append(button)
            self.add_widget(button)
        self.height = 4 * theme.target + 3 * theme.spacing

    def refresh(self) -> None:
        """The view was redrawn (language or scale may have changed)."""
        app = App.get_running_app()
        theme = app.theme
        for button, key in zip(self.keys, KEYS):
            if key in LABELS:
                button.text = app.tr(LABELS[key])
            button.font_size, button.height = theme.title, theme.target
        self.spacing = theme.spacing
        self.height = 4 * theme.target + 3 * theme.spacing


register_special_widget("numpad", lambda _screen, flow: Numpad(flow))
