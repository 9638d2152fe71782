"""The two scales meet the kiosk's own accessibility targets."""

from __future__ import annotations

import pytest

from kiosk.theme import (ELDERLY, ELDERLY_HIGH_CONTRAST, STANDARD, STANDARD_HIGH_CONTRAST,
                         contrast_ratio, hex_rgb, theme_for)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio(hex_rgb("#000000"), hex_rgb("#ffffff")) == pytest.approx(21.0)
    assert contrast_ratio(hex_rgb("#777777"), hex_rgb("#ffffff")) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", [STANDARD, ELDERLY, STANDARD_HIGH_CONTRAST,
                                   ELDERLY_HIGH_CONTRAST], ids=lambda t: t.name)
def test_every_text_pairing_reaches_the_modes_contrast(theme):
    for name, fg, bg in theme.text_pairs():
        assert contrast_ratio(fg, bg) >= theme.min_contrast, name


def test_elderly_contrast_target_is_seven_to_one():
    assert STANDARD.min_contrast >= 4.5 and ELDERLY.min_contrast >= 7.0


def test_sizes_reach_targets_and_elderly_is_larger_everywhere():
    assert STANDARD.body_sp >= 24 and STANDARD.title_sp >= 36
    assert ELDERLY.body_sp >= 36 and ELDERLY.title_sp >= 54
    assert STANDARD.target_dp >= 64 and STANDARD.spacing_dp >= 16
    assert ELDERLY.target_dp >= 96 and ELDERLY.spacing_dp >= 24
    assert STANDARD.line_height >= 1.3 and ELDERLY.line_height >= 1.3
    for size in ("body_sp", "title_sp", "hero_sp", "target_dp", "tile_dp", "spacing_dp",
                 "padding_dp", "bar_dp"):
        assert getattr(ELDERLY, size) > getattr(STANDARD, size), size


def test_theme_for_picks_the_scale():
    assert theme_for(True) is ELDERLY and theme_for(False) is STANDARD


def test_high_contrast_keeps_the_modes_sizes_and_reaches_seven_to_one_in_either_mode():
    assert theme_for(False, high_contrast=True) is STANDARD_HIGH_CONTRAST
    assert theme_for(True, high_contrast=True) is ELDERLY_HIGH_CONTRAST
    for plain, contrast in ((STANDARD, STANDARD_HIGH_CONTRAST), (ELDERLY, ELDERLY_HIGH_CONTRAST)):
        assert (contrast.body_sp, contrast.target_dp, contrast.tile_dp) == (
            plain.body_sp, plain.target_dp, plain.tile_dp)
        assert min(contrast_ratio(fg, bg) for _n, fg, bg in contrast.text_pairs()) >= 7.0
        assert contrast.background != plain.background
