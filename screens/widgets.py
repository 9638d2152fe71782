"""Shared widgets: text, buttons and the top bar, styled from ``app.theme`` in widgets.kv."""

from __future__ import annotations

from kivy.properties import ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label


class KLabel(Label):
    """Wrapping text whose height follows its content."""

    role = StringProperty("body")  # body | title | hero


class KButton(ButtonBehavior, Label):
    """A flat, high-contrast button at least one touch target in size."""

    bg = ColorProperty((0, 0, 0, 1))
    fg = ColorProperty((1, 1, 1, 1))
    kind = StringProperty("primary")  # primary | secondary | bar


class KioskBar(BoxLayout):
    """The bar on every screen: Home, Back, 长者模式, language, help, finish."""


class TileButton(KButton):
    """A service tile on the home screen; its text follows the language (tile_title is
    the English msgid)."""

    tile_id = StringProperty("")
    tile_title = StringProperty("")
