"""The one generic screen that draws any flow's `View` (kiosk/flows/view.py).

Thin by design: it rebuilds its widgets from `flow.view(app.tr)` whenever the flow says
it changed or the language or elderly mode changes, and forwards taps to `flow.choose`.
Layout, top to bottom: title, instruction, notice, content lines (scrollable when a guide
is long) with an optional QR code beside them, up to six large choices, a row of actions.
While a job runs the instruction reads "please wait" and nothing can be tapped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.app import App
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.flows.view import View
from kiosk.voice import speech_for
from screens.screens import KioskScreen
from screens.widgets import KButton, KLabel

log = logging.getLogger(__name__)


class ChoiceButton(KButton):
    """A large choice: label, optional detail line; `choice_id` goes to the flow."""

    choice_id = StringProperty("")
    detail = StringProperty("")


class NoticeCard(BoxLayout):
    level = StringProperty("info")
    text = StringProperty("")


class ContentLine(BoxLayout):
    label = StringProperty("")
    text = StringProperty("")
    emphasis = BooleanProperty(False)


class QrImage(Image):
    """A QR code drawn from text with zxing-cpp (nearest-neighbour scaled, crisp)."""

    payload = StringProperty("")

    def on_payload(self, _instance, text: str) -> None:
        if not text:
            self.texture = None
            return
        import numpy as np
        import zxingcpp

        pixels = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
                            .to_image(scale=4))
        rgb = np.ascontiguousarray(np.flipud(np.repeat(pixels[:, :, None], 3, axis=2)))
        texture = Texture.create(size=(rgb.shape[1], rgb.shape[0]), colorfmt="rgb")
        texture.mag_filter = "nearest"
        texture.blit_buffer(rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        self.texture = texture


# Special widgets a View may ask for (View.widget): name -> factory(screen, flow) returning
# a Kivy widget placed between the content and the choices. A factory module registers
# itself here; the widget talks to its flow directly (e.g. typed text, camera frames) and
# is dropped when the view stops asking for it. Its `wipe()` (if any) runs at session end.
SPECIAL_WIDGETS: dict[str, Callable[[Any, Any], Any]] = {}


def register_special_widget(name: str, factory: Callable[[Any, Any], Any]) -> None:
    SPECIAL_WIDGETS[name] = factory


class FlowScreen(KioskScreen):
    flow = ObjectProperty(None, allownone=True)
    title = StringProperty("")
    instruction = StringProperty("")
    busy = BooleanProperty(False)
    qr = StringProperty("")
    lines = ListProperty([])
    side_by_side = BooleanProperty(False)  # special widget left, choices right (_arrange)

    def __init__(self, flow: Any, **kwargs) -> None:
        super().__init__(name=flow.name, **kwargs)
        self.flow = flow
        self.current_view: View | None = None
        self.special: Any = None
        self.special_name = ""
        flow.subscribe(self._flow_changed)
        self.bind(size=self._arrange)
        app = App.get_running_app()
        app.bind(tr=lambda *_: self.refresh(), theme=lambda *_: self.refresh())

    def _flow_changed(self) -> None:
        self.refresh(answered=True)

    def spoken_text(self) -> str:
        return speech_for(self.current_view) if self.current_view is not None else ""

    def refresh(self, *_args, answered: bool = False) -> None:
        """Redraw from the flow's view. ``answered``: the flow changed (it answered a tap
        or a job ended), so voice guidance reads an error or notice again even if the
        text is the same as before; a redraw for a new theme or language is not."""
        app = App.get_running_app()
        if app is None or self.flow is None:
            return
        view = self.flow.view(app.tr)
        self.current_view = view
        self.title, self.instruction, self.busy, self.qr = (
            view.title, view.instruction, view.busy, view.qr)
        ids = self.ids
        ids.notice_box.clear_widgets()
        if view.notice is not None:
            ids.notice_box.add_widget(NoticeCard(level=view.notice.level, text=view.notice.text))
        ids.lines_box.clear_widgets()
        for line in view.lines:
            ids.lines_box.add_widget(ContentLine(label=line.label, text=line.text,
                                                 emphasis=line.emphasis))
        ids.content_scroll.scroll_y = 1
        ids.choices_grid.clear_widgets()
        for choice in view.choices:
            ids.choices_grid.add_widget(self._button(choice, tall=True))
        ids.actions_row.clear_widgets()
        for choice in view.actions:
            ids.actions_row.add_widget(self._button(choice, tall=False))
        self._place_special(view.widget)
        self._arrange()
        leave, self.flow.leave_to = self.flow.leave_to, ""
        if not leave:
            app.screen_updated(self, again=answered and view.notice is not None)
        if leave == "home":
            app.go_home()
        elif leave.startswith("resume:"):
            app.resume_flow(leave[len("resume:"):])
        elif leave:
            app.open_flow(leave)

    def _arrange(self, *_args) -> None:
        """Landscape with a keypad (a special widget with `beside_choices`) and choices: put
        them side by side, so the choices ("号码正确") are not pushed off the screen. The
        search keyboard stays full width: narrower, it would change its layout mid-typing."""
        self.side_by_side = bool(getattr(self.special, "beside_choices", False)
                                 and self.ids.choices_grid.children
                                 and self.width > self.height * 1.2)

    def _place_special(self, name: str) -> None:
        if name == self.special_name:
            if self.special is not None and hasattr(self.special, "refresh"):
                self.special.refresh()
            return
        self._drop_special()
        if name:
            factory = SPECIAL_WIDGETS.get(name)
            if factory is None:
                log.error("flow %s asks for unknown widget %r", self.flow.name, name)
                return
            self.special, self.special_name = factory(self, self.flow), name
            self.ids.special_box.add_widget(self.special)

    def _drop_special(self) -> None:
        if self.special is not None:
            if hasattr(self.special, "wipe"):
                self.special.wipe()
            self.ids.special_box.clear_widgets()
        self.special, self.special_name = None, ""

    def _button(self, choice, *, tall: bool) -> ChoiceButton:
        text = choice.label + (f"\n{choice.detail}" if choice.detail else "")
        button = ChoiceButton(text=text, choice_id=choice.id, detail=choice.detail,
                              kind="primary" if choice.primary else "secondary",
                              disabled=not choice.enabled or self.busy)
        if not tall:
            button.size_hint_y = 1  # an action fills its row instead of spilling upwards
        button.bind(on_release=lambda b: self.tapped(b.choice_id))
        return button

    def tapped(self, choice_id: str) -> None:
        if not self.busy:
            self.flow.choose(choice_id)

    def wipe(self) -> None:
        """Session end: the flow forgets everything and no widget keeps any text."""
        if self.flow is not None:
            self.flow.wipe()
        self.current_view = None
        self.title = self.instruction = self.qr = ""
        self._drop_special()
        for box in ("notice_box", "lines_box", "choices_grid", "actions_row"):
            self.ids[box].clear_widgets()


import screens.numpad  # noqa: E402,F401  (registers the "numpad" special widget)
import screens.keyboard  # noqa: E402,F401  (registers the "keyboard" special widget)
import screens.camera_view  # noqa: E402,F401  (registers the "camera" and "id_photos" widgets)
