"""Walk every view of a flow that taps and the devices can reach, without a window.

The screenshot gallery's rules (screens/gallery.py), on plain flows: breadth first, each
path replayed from a fresh session and a fresh flow; a view is expanded once, by a key of
its state, texts and how the resident identified (not its title, so the hundred guides or
service lists of the same kind count once; a form reached after a code differs, it asks
for the card); identification is done as a resident does it: the demo code at the scanner
when a code is awaited, a sample card on the reader when a card is (also a form's
"put your card on the reader" step). Taps in `avoid` are never made: that is how a walk
stays "without choosing a typing option". A path stops where the flow hands over to
another flow or home.

Jobs run at once (ImmediateRunner) against the real demo platform, so a walk of the
application flows takes a few seconds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.flows.base import HOME
from kiosk.flows.identify import current_resident
from kiosk.flows.view import PREVIOUS_PAGE, View

DEMO_CODE = "SSM-DEMO-0007"   # 张建国, the person of sample card 0 laid on the reader
RATED_SERVICE = "JS-HJ-001"
SKIPPED = {HOME, PREVIOUS_PAGE}   # lead only back to views already seen


@dataclass(frozen=True)
class Reached:
    """One view reached, and the taps (and "@scan" / "@card") that led to it."""

    flow: str
    state: str
    path: tuple[str, ...]
    view: View


def _state(flow: Any) -> str:
    step = getattr(getattr(flow, "_identify", None), "step", None)
    if step is not None:
        return f"identify:{step.value}"
    state = getattr(flow, "state", None)
    return str(getattr(state, "value", state))


def _waiting_for(flow: Any) -> str:
    """"@scan" / "@card" when the flow waits for a code / a card, else ""."""
    return {"identify:wait_code": "@scan", "identify:wait_card": "@card",
            "need_card": "@card"}.get(_state(flow), "")


def walk(ctx: Any, devices: Any, flow_cls: type, *, elderly: bool,
         avoid: Iterable[str] = (), before: Callable[[Any], None] | None = None,
         max_views: int = 300) -> list[Reached]:
    """Every distinct view of `flow_cls` reachable in `elderly` mode without tapping a
    choice in `avoid`. `before(ctx)` runs at the start of each fresh session (e.g. to
    identify the resident beforehand). Raises AssertionError past `max_views` views, so
    a walk is never silently cut short."""
    avoid = set(avoid)
    tr = ctx.session_tr()
    seen: set[tuple] = set()
    reached: list[Reached] = []
    queue: deque[tuple[str, ...]] = deque([()])
    while queue:
        path = queue.popleft()
        flow = _replay(ctx, devices, flow_cls, path, elderly=elderly, before=before)
        if flow is None:
            continue
        view = flow.view(tr)
        method = getattr(current_resident(ctx.session), "method", "")
        key = (_state(flow), method, view.instruction, view.widget,
               view.notice.text if view.notice else "", len(view.choices), len(view.actions))
        if key in seen:
            continue
        seen.add(key)
        reached.append(Reached(flow.name, _state(flow), path, view))
        assert len(reached) <= max_views, f"{flow.name}: more than {max_views} views"
        waiting = _waiting_for(flow)
        if waiting:
            queue.append(path + (waiting,))
        for choice in view.choices + view.actions:
            if choice.enabled and choice.id not in SKIPPED and choice.id not in avoid:
                queue.append(path + (choice.id,))
    return reached


def _replay(ctx: Any, devices: Any, flow_cls: type, path: tuple[str, ...], *,
            elderly: bool, before: Callable[[Any], None] | None) -> Any:
    """A fresh session and flow, then `path`; None when the path no longer applies or
    left the flow."""
    if ctx.session.state.value != "idle":
        ctx.session.finish()  # wipes SessionData, as at the end of a resident's visit
    ctx.extras.pop("rating_for", None)
    ctx.extras.pop("return_to", None)
    devices.card_reader.remove_card()
    ctx.session.set_elderly(elderly)
    if before is not None:
        before(ctx)
    flow = flow_cls(ctx)
    if flow.name == "rating":  # as a completed flow hands over to it
        ctx.extras["rating_for"] = {"service_id": RATED_SERVICE}
    flow.start()
    tr = ctx.session_tr()
    for step in path:
        if step == "@scan":
            flow.on_code(DEMO_CODE)
        elif step == "@card":
            devices.card_reader.insert_card(0)
            flow.on_card_present()
        else:
            view = flow.view(tr)
            if step not in {c.id for c in view.choices + view.actions if c.enabled}:
                return None
            flow.choose(step)
        if flow.leave_to:
            return None
    return flow
