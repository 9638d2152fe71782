"""The screens of the foundation: home, help, out-of-service, and the idle warning.

Screens only show state held by the app and forward taps to it; they hold no personal
data of their own except through `KioskScreen.wipe`, which the app calls at session end.
"""

from __future__ import annotations

from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    """Base of every screen. Subclasses that show personal data clear it in `wipe`."""

    def wipe(self) -> None:
        """Called at every session end, on every screen, shown or not."""


class HomeScreen(KioskScreen):
    pass


class HelpScreen(KioskScreen):
    pass


class OutOfServiceScreen(KioskScreen):
    pass


class IdleWarning(ModalView):
    """Modal countdown over any screen: "more time" or "finish now"."""

    seconds_left = NumericProperty(0)
