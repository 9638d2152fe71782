"""Accessibility rules for one screen, checked on facts measured from the live app.

The numbers are the kiosk's own targets (docs: ../shared/reference/accessibility.md):

    standard: text >= 24 sp, titles >= 36 sp, targets >= 64 x 64 dp, >= 16 dp apart, 4.5:1
    elderly:  text >= 36 sp, titles >= 54 sp, targets >= 96 x 96 dp, >= 24 dp apart, 7:1,
              at most 6 primary choices
    both:     Home, Back, help and the elderly switch on the screen

Plain Python: screens/audit_probe.py measures a screen into `ScreenFacts`; `check` says
what is wrong, one `Violation` per problem, each naming the widget and the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.theme import RGB, contrast_ratio


@dataclass(frozen=True)
class Limits:
    text_sp: float
    title_sp: float
    target_dp: float
    gap_dp: float
    contrast: float
    max_primary: int | None


STANDARD = Limits(text_sp=24, title_sp=36, target_dp=64, gap_dp=16, contrast=4.5,
                  max_primary=None)
ELDERLY = Limits(text_sp=36, title_sp=54, target_dp=96, gap_dp=24, contrast=7.0,
                 max_primary=6)
REQUIRED_CONTROLS = ("home", "back", "help", "elderly")


@dataclass(frozen=True)
class TextFact:
    where: str              # what the table shows: widget id or the first characters
    size_sp: float
    color: RGB
    background: RGB | None  # measured from the drawn frame; None when not measurable
    title: bool = False
    covered: bool = False   # under the bar (the screen overflowed) or outside the window


@dataclass(frozen=True)
class TargetFact:
    where: str
    x: float                # dp, window coordinates
    y: float
    width: float
    height: float
    primary: bool = False   # one of the screen's choices (not the bar, keys or actions)


@dataclass
class ScreenFacts:
    name: str
    elderly: bool
    texts: list[TextFact] = field(default_factory=list)
    targets: list[TargetFact] = field(default_factory=list)
    controls: set[str] = field(default_factory=set)  # which of REQUIRED_CONTROLS are shown


@dataclass(frozen=True)
class Violation:
    screen: str
    rule: str
    where: str
    measured: str
    required: str

    def __str__(self) -> str:
        return (f"{self.screen}: {self.rule} at {self.where}: {self.measured} "
                f"(required {self.required})")


def gap(a: TargetFact, b: TargetFact) -> float:
    """Edge-to-edge distance between two targets (0 when they touch or overlap)."""
    dx = max(b.x - (a.x + a.width), a.x - (b.x + b.width), 0.0)
    dy = max(b.y - (a.y + a.height), a.y - (b.y + b.height), 0.0)
    return max(dx, dy) if dx == 0 or dy == 0 else (dx * dx + dy * dy) ** 0.5


def check(facts: ScreenFacts) -> list[Violation]:
    limits = ELDERLY if facts.elderly else STANDARD
    found: list[Violation] = []

    def bad(rule: str, where: str, measured: str, required: str) -> None:
        found.append(Violation(facts.name, rule, where, measured, required))

    for t in facts.texts:
        if t.covered:
            bad("hidden text", t.where, "under the bar or off the screen", "fully visible")
            continue
        need = limits.title_sp if t.title else limits.text_sp
        if t.size_sp + 0.05 < need:
            bad("title size" if t.title else "text size", t.where, f"{t.size_sp:.0f} sp",
                f">= {need:.0f} sp")
        if t.background is not None:
            ratio = contrast_ratio(t.color, t.background)
            if ratio + 0.005 < limits.contrast:
                bad("contrast", t.where, f"{ratio:.2f}:1", f">= {limits.contrast}:1")
    for tg in facts.targets:
        if min(tg.width, tg.height) + 0.5 < limits.target_dp:
            bad("target size", tg.where, f"{tg.width:.0f} x {tg.height:.0f} dp",
                f">= {limits.target_dp:.0f} x {limits.target_dp:.0f} dp")
    targets = facts.targets
    for i, a in enumerate(targets):
        for b in targets[i + 1:]:
            d = gap(a, b)
            if d + 0.5 < limits.gap_dp:
                bad("target spacing", f"{a.where} / {b.where}", f"{d:.0f} dp",
                    f">= {limits.gap_dp:.0f} dp")
    primary = sum(1 for t in targets if t.primary)
    if limits.max_primary is not None and primary > limits.max_primary:
        bad("choices", "screen", f"{primary} primary choices", f"<= {limits.max_primary}")
    for control in REQUIRED_CONTROLS:
        if control not in facts.controls:
            bad("missing control", control, "not shown", "on every screen")
    return found
