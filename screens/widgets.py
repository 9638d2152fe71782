"""Shared widgets: text, buttons and the top bar, styled from ``app.theme`` in widgets.kv."""

from __future__ import annotations

from kivy.properties import ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.app import App
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from common.linebreak import has_cjk, wrap
from kiosk.i18n import N_


_CHAR_WIDTHS: dict[tuple, float] = {}  # (font, size px, character) -> width px


class ChineseWrapping:
    """Label mixin: Chinese text is broken into lines by the rules residents expect (no
    "。" alone at the start of a line; common.linebreak). Only what is drawn changes;
    `text` stays as it was set."""

    def texture_update(self, *largs) -> None:
        if not self.markup:
            self._label.text = self._wrapped_text()
        super().texture_update(*largs)

    def _wrapped_text(self) -> str:
        text, width = self.text, self.text_size[0]
        if not text or not width or self.shorten or not has_cjk(text):
            return text
        label = self._label
        key = (label.options.get("font_name"), label.options.get("font_size"))

        def measure(piece: str) -> float:
            total = 0.0
            for ch in piece:
                w = _CHAR_WIDTHS.get(key + (ch,))
                if w is None:
                    w = _CHAR_WIDTHS[key + (ch,)] = label.get_extents(ch)[0]
                total += w
            return total

        pad = self.padding[0] + self.padding[2] if len(self.padding) == 4 else 0
        # A little slack: the sum of single characters can differ from Kivy's own measure
        # by a pixel, and Kivy would then cut the line again where it likes.
        return wrap(text, width - pad - 3, measure)


class KLabel(ChineseWrapping, Label):
    """Wrapping text whose height follows its content."""

    role = StringProperty("body")  # body | title | hero


class KButton(ButtonBehavior, ChineseWrapping, Label):
    """A flat, high-contrast button at least one touch target in size."""

    bg = ColorProperty((0, 0, 0, 1))
    fg = ColorProperty((1, 1, 1, 1))
    kind = StringProperty("primary")  # primary | secondary | bar


class KioskBar(BoxLayout):
    """The bar on every screen: Home, Back, voice, 长者模式, language, help, finish.

    One row where everything fits with room for the greeting; two rows on a narrow
    (portrait) screen, so that no button is ever pushed off the edge.
    """

    def on_kv_post(self, _base_widget) -> None:
        self.bind(width=self.arrange)
        for button in self._buttons():
            button.bind(width=self.arrange)

    def _buttons(self) -> list:
        ids = self.ids
        return [ids.home_button, ids.back_button, *reversed(ids.voice_group.children),
                ids.elderly_switch, ids.language_button, ids.help_button, ids.finish_button]

    def show_voice(self, available: bool, on: bool) -> None:
        """The voice buttons: none without a speaker; "read aloud" while guidance is off;
        "read again" and "stop reading" while it is on."""
        from kivy.factory import Factory

        group = self.ids.voice_group
        wanted = ([] if not available else
                  [("voice_repeat", N_("Read again")), ("voice_stop", N_("Stop reading"))]
                  if on else [("voice_repeat", N_("Read aloud"))])
        if [(b.voice_id, b.msgid) for b in reversed(group.children)] == wanted:
            return
        group.clear_widgets()
        app = App.get_running_app()
        for voice_id, msgid in wanted:
            button = Factory.VoiceButton(voice_id=voice_id, msgid=msgid)
            button.bind(width=self.arrange)
            button.bind(on_release=lambda b: app.voice_button(b.voice_id))
            group.add_widget(button)
        self.arrange()

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


class VoiceButton(KButton):
    """A voice guidance button of the bar; `msgid` is translated on screen."""

    voice_id = StringProperty("")
    msgid = StringProperty("")


class TileButton(KButton):
    """A service tile on the home screen; its text follows the language (tile_title is
    the English msgid)."""

    tile_id = StringProperty("")
    tile_title = StringProperty("")
