"""Kivy settings that must be made before the window exists: profile, size, font, input.

Call `configure_kivy` after the environment is prepared (``KIVY_HOME`` etc.) and before
anything imports ``kivy.core.window``.
"""

from __future__ import annotations

from pathlib import Path


def configure_kivy(profile: str, width: int, height: int, font_path: Path,
                   *, headless: bool) -> None:
    """Apply the kiosk or developer window profile and register the CJK default font.

    Kiosk: full screen, borderless, cursor hidden, Esc does not exit. Developer: a window
    of ``width`` x ``height`` with a cursor; Esc does not exit there either. Headless
    (offscreen rendering) always uses a fixed ``width`` x ``height`` surface.
    Raises OSError when the font file cannot be read.
    """
    from kivy.config import Config

    kiosk = profile == "kiosk" and not headless
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("kivy", "window_icon", "")
    Config.set("graphics", "fullscreen", "auto" if kiosk else "0")
    Config.set("graphics", "borderless", "1" if kiosk else "0")
    Config.set("graphics", "show_cursor", "0" if kiosk else "1")
    Config.set("graphics", "resizable", "0" if kiosk else "1")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "multisamples", "0")
    # A right click must not leave Kivy's red multitouch-emulation dots on the screen.
    Config.set("input", "mouse", "mouse,disable_multitouch")

    with open(font_path, "rb") as fh:  # fail here, loudly, rather than draw boxes
        fh.read(4)
    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(DEFAULT_FONT, str(font_path))
