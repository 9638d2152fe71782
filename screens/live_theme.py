"""The chosen `kiosk.theme.Theme` mirrored into Kivy properties.

Every ``.kv`` rule takes its sizes and colours from ``app.theme``; `apply` changes the
properties in place, so Kivy's bindings restyle every screen at once, live.
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.metrics import dp, sp
from kivy.properties import ColorProperty, NumericProperty, StringProperty

from kiosk.theme import Theme

_SP = ("body", "title", "hero")
_DP = ("target", "tile", "spacing", "padding", "bar")


class LiveTheme(EventDispatcher):
    name = StringProperty("")
    # sizes in pixels, converted from the theme's sp / dp
    body = NumericProperty(0)
    title = NumericProperty(0)
    hero = NumericProperty(0)
    target = NumericProperty(0)
    tile = NumericProperty(0)
    spacing = NumericProperty(0)
    padding = NumericProperty(0)
    bar = NumericProperty(0)
    line_height = NumericProperty(1.3)
    background = ColorProperty()
    surface = ColorProperty()
    text = ColorProperty()
    text_muted = ColorProperty()
    primary = ColorProperty()
    primary_text = ColorProperty()
    secondary = ColorProperty()
    secondary_text = ColorProperty()
    bar_bg = ColorProperty()
    bar_text = ColorProperty()
    warning = ColorProperty()
    warning_text = ColorProperty()
    outline = ColorProperty()

    def __init__(self, theme: Theme, **kwargs) -> None:
        super().__init__(**kwargs)
        self.current: Theme = theme
        self.apply(theme)

    def apply(self, theme: Theme) -> None:
        self.current = theme
        self.name = theme.name
        for key in _SP:
            setattr(self, key, sp(getattr(theme, f"{key}_sp")))
        for key in _DP:
            setattr(self, key, dp(getattr(theme, f"{key}_dp")))
        self.line_height = theme.line_height
        for key in theme.colour_fields():
            setattr(self, key, (*getattr(theme, key), 1.0))
