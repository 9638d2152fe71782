"""Shared widgets: text, buttons and the top bar, styled from ``app.theme`` in widgets.kv."""

from __future__ import annotations

from kivy.properties import ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.app import App
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
    """The bar on every screen: Home, Back, 长者模式, language, help, finish.

    One row where everything fits with room for the greeting; two rows on a narrow
    (portrait) screen, so that no button is ever pushed off the edge.
    """

    def on_kv_post(self, _base_widget) -> None:
        self.bind(width=self.arrange)
        for button in self._buttons():
            button.bind(width=self.arrange)

    def _buttons(self) -> list:
        ids = self.ids
        return [ids.home_button, ids.back_button, ids.elderly_switch, ids.language_button,
                ids.help_button, ids.finish_button]

    def arrange(self, *_args) -> None:
        """Pick one or two rows from the buttons' own widths (never from the groups',
        which change with the orientation: that could flip back and forth)."""
        app = App.get_running_app()
        if app is None:  # the app has stopped: nothing to lay out for
            return
        theme = app.theme
        buttons = self._buttons()
        needed = (sum(b.width for b in buttons) + theme.body * 6
                  + theme.spacing * (len(buttons) + 2))
        self.orientation = "horizontal" if self.width >= needed else "vertical"


class TileButton(KButton):
    """A service tile on the home screen; its text follows the language (tile_title is
    the English msgid)."""

    tile_id = StringProperty("")
    tile_title = StringProperty("")
