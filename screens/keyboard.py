"""The on-screen keyboard special widget (View.widget == "keyboard"): search by pinyin.

No system input method: a QWERTY letter layout, large keys (each at least one touch
target, `app.theme.target`, high), and Clear, Space and Delete. It holds no text itself:

    a letter or space  -> flow.type_key(char)   (char: "a".."z" or " ")
    Delete (退格)       -> flow.backspace()
    Clear (清空)        -> flow.clear_query()

The flow (kiosk/flows/guide.py) keeps the query, searches the offline catalogue and shows
the query in its instruction and the matches as choices after every key. Three QWERTY rows
keep the keyboard low so that matches fit under it; where ten keys of one touch target do
not fit across (a portrait screen in 长者模式), the letters go in alphabetical rows instead. Each key has a `choice_id` ("key:h", "key:del",
"key:clear", "key:space") so tests find and touch it like a choice.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import N_
from screens.flow_screen import register_special_widget
from screens.widgets import KButton

# (key, relative width); letters are one unit, every row is ten units wide.
ROWS: tuple[tuple[tuple[str, float], ...], ...] = (
    tuple((c, 1.0) for c in "qwertyuiop"),
    tuple((c, 1.0) for c in "asdfghjkl") + (("clear", 1.0),),
    tuple((c, 1.0) for c in "zxcvbnm") + (("space", 1.5), ("del", 1.5)),
)
LABELS = {"clear": N_("Clear"), "space": N_("Space"), "del": N_("Delete")}
UNITS = 10  # keys of one unit in a QWERTY row


def rows_for(per_row: int) -> tuple[tuple[tuple[str, float], ...], ...]:
    """The layout for a width holding `per_row` one-unit keys: QWERTY when ten fit, else
    the alphabet in order, `per_row` keys a row (a narrow, portrait screen), so that no
    key is ever narrower than one touch target."""
    if per_row >= UNITS:
        return ROWS
    keys = [(c, 1.0) for c in "abcdefghijklmnopqrstuvwxyz"] + [
        ("space", 1.0), ("del", 1.0), ("clear", 1.0)]
    per_row = max(per_row, 3)
    return tuple(tuple(keys[i:i + per_row]) for i in range(0, len(keys), per_row))


class KeyboardKey(KButton):
    choice_id = StringProperty("")


class Keyboard(BoxLayout):
    """Rows of keys sized to the width it gets; what was typed is shown by the flow's view
    (its instruction)."""

    def __init__(self, flow: Any, **kwargs) -> None:
        super().__init__(orientation="vertical", size_hint_y=None, **kwargs)
        self.flow = flow
        self.keys: list[KeyboardKey] = []
        self.rows = ROWS
        self._build()
        self.bind(width=self.refresh)
        self.refresh()

    def _build(self) -> None:
        self.clear_widgets()
        self.keys = []
        for row in self.rows:
            line = BoxLayout(orientation="horizontal", size_hint_y=None)
            for key, width in row:
                button = KeyboardKey(text=key.upper() if key not in LABELS else "",
                                     choice_id=f"key:{key}", size_hint=(width, None),
                                     kind="secondary" if key in LABELS else "primary")
                button.bind(on_release=lambda _b, k=key: self.pressed(k))
                self.keys.append(button)
                line.add_widget(button)
            short = sum(w for _k, w in self.rows[0]) - sum(w for _k, w in row)
            if short > 0:  # a short last row keeps the keys as wide as the others
                line.add_widget(Widget(size_hint_x=short))
            self.add_widget(line)

    def pressed(self, key: str) -> None:
        if key == "del":
            self.flow.backspace()
        elif key == "clear":
            self.flow.clear_query()
        else:
            self.flow.type_key(" " if key == "space" else key)

    def refresh(self, *_args) -> None:
        """Redraw after a flow change, a language or a scale (长者模式) switch, or a new width."""
        app = App.get_running_app()
        if app is None:
            return
        theme = app.theme
        if self.width > 100:  # laid out: the rows that keep every key a full touch target
            per_row = int((self.width + theme.spacing) // (theme.target + theme.spacing))
            rows = rows_for(per_row)
            if rows != self.rows:
                self.rows = rows
                self._build()
        self.spacing = theme.spacing
        for line in self.children:
            if isinstance(line, BoxLayout):
                line.spacing, line.height = theme.spacing, theme.target
        for button in self.keys:
            key = button.choice_id[len("key:"):]
            if key in LABELS:
                button.text = app.tr(LABELS[key])
            button.font_size, button.height = theme.title, theme.target
        self.height = len(self.rows) * theme.target + (len(self.rows) - 1) * theme.spacing


register_special_widget("keyboard", lambda _screen, flow: Keyboard(flow))
