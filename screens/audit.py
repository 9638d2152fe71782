"""The accessibility audit: every screen of every flow, measured from the running app.

    kiosk --demo --audit DIR [--gallery-flows a,b]

Walks the flows like the gallery (screens/gallery.py) in standard and elderly mode. On
each screen, right after its screenshot, `probe` reads the live widget tree (the bar and
the shown screen): every visible text with its size and colour, every touch target with
its size and position, which of Home / Back / help / elderly switch are shown. The
background behind each text is measured from the screenshot's pixels (the most common
colour inside the text's box), so contrast is judged on what is really drawn.
`kiosk.audit_rules.check` turns the facts into violations. DIR gets the screenshots,
`index.html` and `audit.txt` (a table per screen); the command exits 1 on any violation.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from kivy.core.window import Window
from kivy.metrics import dp, sp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from kiosk.audit_rules import ScreenFacts, TargetFact, TextFact, Violation, check
from screens.gallery import GalleryWalker

log = logging.getLogger(__name__)
BAR_CONTROLS = {"home": "home_button", "back": "back_button", "help": "help_button",
                "elderly": "elderly_switch"}


def _shown(widget: Any) -> bool:
    w = widget
    while w is not None and w is not Window:
        if getattr(w, "opacity", 1) <= 0.01:
            return False
        w = w.parent
    return widget.width > 1 and widget.height > 1


def _window_box(widget: Any) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, widget.width, widget.height


def _on_screen(box: tuple[float, float, float, float]) -> bool:
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    return 0 <= cx <= Window.width and 0 <= cy <= Window.height


def _real(widget: Any) -> Any:
    """The widget behind a kv `ids` entry (those are weak proxies: `is` would fail)."""
    return getattr(widget, "__self__", widget) if widget is not None else None


def _in_bar(widget: Any, bar: Any) -> bool:
    w = widget
    while w is not None and w is not Window:
        if w is bar:
            return True
        w = w.parent
    return False


def _overlaps(a, b) -> bool:
    """More than a sliver of box `a` lies inside box `b`."""
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return dx > 2 and dy > 2


def _clipped(widget: Any, box) -> bool:
    """True when the widget's centre lies outside a scrolling (clipping) ancestor."""
    from kivy.uix.stencilview import StencilView

    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    w = widget.parent
    while w is not None and w is not Window:
        if isinstance(w, StencilView):
            x, y, width, height = _window_box(w)
            if not (x <= cx <= x + width and y <= cy <= y + height):
                return True
        w = w.parent
    return False


def _background(pixels: np.ndarray | None, box) -> tuple[float, float, float] | None:
    """The most common colour in the box (image rows top-down, Kivy y bottom-up)."""
    if pixels is None:
        return None
    x, y, w, h = (int(round(v)) for v in box)
    height = pixels.shape[0]
    top, bottom = max(0, height - (y + h)), min(height, height - y)
    left, right = max(0, x), min(pixels.shape[1], x + w)
    if bottom - top < 2 or right - left < 2:
        return None
    region = pixels[top:bottom, left:right, :3].reshape(-1, 3)
    colours, counts = np.unique(region, axis=0, return_counts=True)
    r, g, b = colours[counts.argmax()]
    return (r / 255.0, g / 255.0, b / 255.0)


def probe(app: Any, name: str, screenshot: Path | None = None) -> ScreenFacts:
    """Measure what the app shows now. Reads the widget tree; never changes it."""
    pixels = None
    if screenshot is not None:
        from PIL import Image

        with Image.open(screenshot) as image:
            pixels = np.asarray(image.convert("RGB"))
    facts = ScreenFacts(name=name, elderly=app.session.elderly)
    screen = app.screen_manager.current_screen
    title = _real(getattr(screen, "ids", {}).get("title_label"))
    choices_grid = _real(getattr(screen, "ids", {}).get("choices_grid"))
    one_dp, one_sp = dp(1), sp(1)
    bar = app.bar
    bar_box = _window_box(bar)
    for widget in app.root.walk(restrict=True):
        if not _shown(widget):
            continue
        box = _window_box(widget)
        if not _on_screen(box) or _clipped(widget, box):
            continue
        where = getattr(widget, "choice_id", "") or _name_of(widget, app, screen)
        if isinstance(widget, Label) and widget.text.strip() and not widget.disabled:
            color = tuple(widget.color[:3])
            facts.texts.append(TextFact(
                where=where or widget.text.strip()[:12], size_sp=widget.font_size / one_sp,
                color=color, background=_background(pixels, box), title=widget is title,
                covered=not _in_bar(widget, bar) and _overlaps(box, bar_box)))
        if isinstance(widget, ButtonBehavior):
            parent = getattr(widget, "parent", None)
            facts.targets.append(TargetFact(
                where=where or widget.text.strip()[:12], x=box[0] / one_dp, y=box[1] / one_dp,
                width=box[2] / one_dp, height=box[3] / one_dp,
                primary=parent is choices_grid))
    bar_ids = app.bar.ids
    for control, wid in BAR_CONTROLS.items():
        if _shown(bar_ids[wid]) or (control in ("home", "back") and screen.name == "home"):
            facts.controls.add(control)
    return facts


def _name_of(widget: Any, app: Any, screen: Any) -> str:
    for owner in (app.bar, screen):
        for key, value in getattr(owner, "ids", {}).items():
            if _real(value) is widget:
                return key
    return ""


class AuditWalker(GalleryWalker):
    """The gallery walk, measuring each screen after its screenshot."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.screens: list[tuple[ScreenFacts, list[Violation]]] = []

    def _shot_done(self) -> None:
        shot = self.shots.taken[-1]
        facts = probe(self.app, shot.stem, shot)
        violations = check(facts)
        self.screens.append((facts, violations))
        for v in violations:
            log.warning("audit: %s", v)
        super()._shot_done()

    @property
    def violations(self) -> list[Violation]:
        return [v for _facts, found in self.screens for v in found]

    def report(self) -> str:
        """A table per screen: smallest text, smallest target, lowest contrast, result."""
        from kiosk.theme import contrast_ratio

        rows = [f"{'screen':44} {'mode':8} {'min text':>9} {'min target':>11} "
                f"{'min contrast':>13} {'choices':>8}  result"]
        for facts, found in self.screens:
            sizes = [t.size_sp for t in facts.texts]
            targets = [min(t.width, t.height) for t in facts.targets]
            ratios = [contrast_ratio(t.color, t.background) for t in facts.texts
                      if t.background is not None]
            rows.append(
                f"{facts.name:44} {'elderly' if facts.elderly else 'standard':8} "
                f"{min(sizes, default=0):>6.0f} sp {min(targets, default=0):>8.0f} dp "
                f"{min(ratios, default=0):>11.2f}:1 "
                f"{sum(t.primary for t in facts.targets):>8}  "
                f"{'ok' if not found else f'{len(found)} violation(s)'}")
            rows += [f"    - {v.rule} at {v.where}: {v.measured} (required {v.required})"
                     for v in found]
        total = len(self.violations)
        rows.append(f"{len(self.screens)} screen(s), {total} violation(s)")
        return "\n".join(rows) + "\n"
