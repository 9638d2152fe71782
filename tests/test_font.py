"""Chinese renders with the configured font: glyphs, not the empty boxes of a missing font."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config


def render(text: str, font: str) -> tuple[tuple[int, int], bytes]:
    from kivy.core.text import Label as CoreLabel

    label = CoreLabel(text=text, font_size=48, font_name=font)
    label.refresh()
    texture = label.texture
    return texture.size, bytes(texture.pixels)[3::4]  # coverage (alpha) only


@pytest.fixture(scope="module")
def font() -> str:
    path = Path(load_config(demo=True, environ={}).display.font_path)
    assert path.exists(), f"CJK font missing: {path} (scripts/setup.sh installs it)"
    # Textures need the GL context of a window; make it the way the UI tests do.
    from screens.window_profile import configure_kivy
    from tests.ui_harness import HEIGHT, WIDTH

    configure_kivy("kiosk", WIDTH, HEIGHT, path, headless=True)
    from kivy.base import EventLoop

    EventLoop.ensure_window()
    return str(path)


def distinct_glyphs(font: str) -> bool:
    glyphs = {ch: render(ch, font) for ch in "政务服务终端长者"}
    missing = render("\ue000", font)  # private use: no font has it, it draws .notdef
    distinct = {pixels for _size, pixels in glyphs.values()}
    return len(distinct) == len(set("政务服务终端长者")) and missing not in glyphs.values()


def test_each_chinese_character_draws_its_own_glyph(font):
    assert distinct_glyphs(font)


def test_the_check_fails_for_kivys_default_font(font):
    # Kivy's Roboto has no CJK glyphs: the reason the kiosk registers its own font.
    import os

    import kivy

    assert not distinct_glyphs(os.path.join(kivy.kivy_data_dir, "fonts", "Roboto-Regular.ttf"))
