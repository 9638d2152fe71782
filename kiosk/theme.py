"""Sizes and colours of every screen, in a standard and an elderly (长者模式) scale, each
also in a high-contrast scheme.

Plain data: `screens/` mirrors the chosen `Theme` into Kivy properties so that switching
mode restyles every screen at once. Numbers come from the kiosk's accessibility targets
(body >= 24 sp / 36 sp, titles >= 36 sp / 54 sp, targets >= 64 dp / 96 dp, >= 16 dp / 24 dp
apart, text contrast >= 4.5:1 / 7:1).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

RGB = tuple[float, float, float]


def hex_rgb(value: str) -> RGB:
    """``"#0b57b0"`` -> (0.043, 0.341, 0.690)."""
    v = value.lstrip("#")
    return (int(v[0:2], 16) / 255, int(v[2:4], 16) / 255, int(v[4:6], 16) / 255)


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.x relative luminance of an sRGB colour with channels in 0..1."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: RGB, bg: RGB) -> float:
    """WCAG contrast ratio, 1.0 .. 21.0."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class Theme:
    name: str
    min_contrast: float
    # text sizes in sp
    body_sp: float
    title_sp: float
    hero_sp: float
    line_height: float
    # geometry in dp
    target_dp: float
    tile_dp: float
    spacing_dp: float
    padding_dp: float
    bar_dp: float
    # colours
    background: RGB
    surface: RGB
    text: RGB
    text_muted: RGB
    primary: RGB
    primary_text: RGB
    secondary: RGB
    secondary_text: RGB
    bar_bg: RGB
    bar_text: RGB
    warning: RGB
    warning_text: RGB
    outline: RGB

    def text_pairs(self) -> list[tuple[str, RGB, RGB]]:
        """Every (foreground, background) pairing the screens draw text with."""
        return [
            ("text/background", self.text, self.background),
            ("text/surface", self.text, self.surface),
            ("text_muted/background", self.text_muted, self.background),
            ("text_muted/surface", self.text_muted, self.surface),
            ("primary_text/primary", self.primary_text, self.primary),
            ("secondary_text/secondary", self.secondary_text, self.secondary),
            ("bar_text/bar_bg", self.bar_text, self.bar_bg),
            ("warning_text/warning", self.warning_text, self.warning),
        ]

    def colour_fields(self) -> list[str]:
        return [f.name for f in fields(self) if isinstance(getattr(self, f.name), tuple)]


STANDARD = Theme(
    name="standard", min_contrast=4.5,
    body_sp=26, title_sp=40, hero_sp=48, line_height=1.3,
    target_dp=72, tile_dp=180, spacing_dp=16, padding_dp=24, bar_dp=96,
    background=hex_rgb("#eef2f7"), surface=hex_rgb("#ffffff"),
    text=hex_rgb("#1b1f24"), text_muted=hex_rgb("#49505a"),
    primary=hex_rgb("#0b57b0"), primary_text=hex_rgb("#ffffff"),
    secondary=hex_rgb("#dfe7f2"), secondary_text=hex_rgb("#0b2e5c"),
    bar_bg=hex_rgb("#0b3d7a"), bar_text=hex_rgb("#ffffff"),
    warning=hex_rgb("#fff1dc"), warning_text=hex_rgb("#6b3500"),
    outline=hex_rgb("#8a94a3"),
)

ELDERLY = Theme(
    name="elderly", min_contrast=7.0,
    body_sp=38, title_sp=56, hero_sp=64, line_height=1.35,
    target_dp=104, tile_dp=240, spacing_dp=24, padding_dp=32, bar_dp=136,
    background=hex_rgb("#ffffff"), surface=hex_rgb("#ffffff"),
    text=hex_rgb("#000000"), text_muted=hex_rgb("#262626"),
    primary=hex_rgb("#003a8c"), primary_text=hex_rgb("#ffffff"),
    secondary=hex_rgb("#e6ecf5"), secondary_text=hex_rgb("#001a40"),
    bar_bg=hex_rgb("#00285f"), bar_text=hex_rgb("#ffffff"),
    warning=hex_rgb("#fff4e0"), warning_text=hex_rgb("#4a2400"),
    outline=hex_rgb("#1f1f1f"),
)


# The high-contrast scheme (for low vision, glare on the screen): light text and yellow
# buttons on black, in either mode; sizes stay those of the mode. Every pair >= 7:1.
_HIGH_CONTRAST = dict(
    background=hex_rgb("#000000"), surface=hex_rgb("#000000"),
    text=hex_rgb("#ffffff"), text_muted=hex_rgb("#e6e6e6"),
    primary=hex_rgb("#ffd60a"), primary_text=hex_rgb("#000000"),
    secondary=hex_rgb("#262626"), secondary_text=hex_rgb("#ffffff"),
    bar_bg=hex_rgb("#000000"), bar_text=hex_rgb("#ffd60a"),
    warning=hex_rgb("#3d2e00"), warning_text=hex_rgb("#ffffff"),
    outline=hex_rgb("#ffffff"),
)
STANDARD_HIGH_CONTRAST = replace(STANDARD, name="standard_high_contrast", min_contrast=7.0,
                                 **_HIGH_CONTRAST)
ELDERLY_HIGH_CONTRAST = replace(ELDERLY, name="elderly_high_contrast", **_HIGH_CONTRAST)


def theme_for(elderly: bool, high_contrast: bool = False) -> Theme:
    if high_contrast:
        return ELDERLY_HIGH_CONTRAST if elderly else STANDARD_HIGH_CONTRAST
    return ELDERLY if elderly else STANDARD
