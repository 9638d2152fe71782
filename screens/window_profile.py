"""Kivy settings that must be made before the window exists: profile, size, font, input.

Call `configure_kivy` after the environment is prepared (``KIVY_HOME`` etc.) and before
anything imports ``kivy.core.window``.
"""

from __future__ import annotations

from pathlib import Path


def window_settings(profile: str, width: int, height: int, *, headless: bool
                    ) -> dict[tuple[str, str], str]:
    """The Kivy ``Config`` values of a profile, as ``{(section, key): value}``.

    Kiosk: full screen, borderless, not resizable, cursor hidden. Developer: a window of
    ``width`` x ``height`` with a cursor. In both, Esc does not exit, the screensaver is
    off and a right click leaves no multitouch-emulation dots. Offscreen rendering
    (``headless``) always draws a fixed ``width`` x ``height`` surface.
    """
    kiosk = profile == "kiosk"
    fullscreen = kiosk and not headless
    return {
        ("kivy", "exit_on_escape"): "0",
        ("kivy", "pause_on_minimize"): "0",
        ("kivy", "window_icon"): "",
        ("graphics", "fullscreen"): "auto" if fullscreen else "0",
        ("graphics", "borderless"): "1" if kiosk else "0",
        ("graphics", "show_cursor"): "0" if kiosk else "1",
        ("graphics", "resizable"): "0" if kiosk else "1",
        ("graphics", "allow_screensaver"): "0",
        ("graphics", "width"): str(width),
        ("graphics", "height"): str(height),
        ("graphics", "multisamples"): "0",
        ("input", "mouse"): "mouse,disable_multitouch",
    }


def configure_kivy(profile: str, width: int, height: int, font_path: Path,
                   *, headless: bool) -> None:
    """Apply `window_settings` to Kivy's Config and register the CJK default font.

    Raises OSError when the font file cannot be read (the configuration check has
    already refused fonts without Simplified Chinese glyphs).
    """
    from kivy.config import Config

    for (section, key), value in window_settings(profile, width, height,
                                                 headless=headless).items():
        Config.set(section, key, value)
    with open(font_path, "rb") as fh:  # fail here, loudly, rather than draw boxes
        fh.read(4)
    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(DEFAULT_FONT, str(font_path))
