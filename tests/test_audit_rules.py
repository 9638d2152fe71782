"""The accessibility rules on measured facts: each target of the kiosk, in both modes."""

from __future__ import annotations

from kiosk.audit_rules import (REQUIRED_CONTROLS, ScreenFacts, TargetFact, TextFact, check,
                               gap)

BLACK, WHITE, GREY = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), (0.55, 0.55, 0.55)


def facts(elderly=False, texts=(), targets=(), controls=REQUIRED_CONTROLS) -> ScreenFacts:
    return ScreenFacts("s", elderly, list(texts), list(targets), set(controls))


def rules(found) -> list[str]:
    return sorted(v.rule for v in found)


def test_a_screen_meeting_every_target_passes_in_both_modes():
    for elderly, size, target in ((False, 26, 72), (True, 38, 104)):
        f = facts(elderly, [TextFact("t", size + 20, BLACK, WHITE, title=True),
                            TextFact("b", size, BLACK, WHITE)],
                  [TargetFact("a", 0, 0, target, target), TargetFact("b", 0, 200, target, target)])
        assert check(f) == []


def test_small_text_and_small_titles_fail_with_the_numbers():
    found = check(facts(texts=[TextFact("b", 20, BLACK, WHITE),
                               TextFact("t", 30, BLACK, WHITE, title=True)]))
    assert rules(found) == ["text size", "title size"]
    assert found[0].measured == "20 sp" and found[0].required == ">= 24 sp"
    assert rules(check(facts(True, texts=[TextFact("b", 30, BLACK, WHITE)]))) == ["text size"]


def test_contrast_is_4_5_in_standard_and_7_in_elderly_mode():
    text = TextFact("b", 40, GREY, WHITE)  # 3.35:1
    assert rules(check(facts(texts=[text]))) == ["contrast"]
    mid = TextFact("b", 40, (0.35, 0.35, 0.35), WHITE)  # 6.98:1: enough only for standard
    ratio_rules = rules(check(facts(texts=[mid]))), rules(check(facts(True, texts=[mid])))
    assert ratio_rules == ([], ["contrast"])


def test_undersized_and_crowded_targets_fail():
    small = TargetFact("tiny", 0, 0, 40, 40)
    assert rules(check(facts(targets=[small]))) == ["target size"]
    a, b = TargetFact("a", 0, 0, 80, 80), TargetFact("b", 90, 0, 80, 80)
    assert gap(a, b) == 10
    assert rules(check(facts(targets=[a, b]))) == ["target spacing"]


def test_more_than_six_primary_choices_fail_only_in_elderly_mode():
    many = [TargetFact(f"c{i}", 0, i * 200, 120, 120, primary=True) for i in range(7)]
    assert check(facts(targets=many)) == []
    assert rules(check(facts(True, targets=many))) == ["choices"]


def test_missing_home_back_help_or_elderly_switch_fails_and_hidden_text_is_reported():
    assert rules(check(facts(controls={"home", "help"}))) == ["missing control"] * 2
    hidden = TextFact("title_label", 60, BLACK, WHITE, title=True, covered=True)
    assert rules(check(facts(texts=[hidden]))) == ["hidden text"]
