"""好差评: five levels, a reason for a low score, submitted through the outbox, no tile."""

from __future__ import annotations

from kiosk.flows.base import HOME, RATE
from kiosk.flows.benefits import BenefitsFlow
from kiosk.flows.rating import REASON, RETRY, SCORE, RatingFlow, State
from kiosk.flows.registry import FLOW_CLASSES, flow_tiles

from .conftest import choice_ids, tr_of


def rated_from(ctx, subject):
    ctx.extras["rating_for"] = subject
    flow = RatingFlow(ctx)
    flow.start()
    return flow


def test_five_levels_are_offered_best_first(ctx):
    view = rated_from(ctx, {"flow": "guide"}).view(tr_of(ctx))
    assert [c.label for c in view.choices] == ["非常满意", "满意", "基本满意", "不满意",
                                               "非常不满意"]
    assert choice_ids(view) == [f"{SCORE}{n}" for n in (5, 4, 3, 2, 1)]


def test_a_good_score_is_submitted_at_once_with_what_it_rates(ctx):
    flow = rated_from(ctx, {"flow": "apply", "service_id": "SVC-001",
                            "application_id": "APP-9"})
    flow.choose(f"{SCORE}5")
    assert ctx.extras["outbox"].items == [
        ("rating", {"score": 5, "service_id": "SVC-001", "application_id": "APP-9"}, False)]
    view = flow.view(tr_of(ctx))
    assert flow.state is State.THANKS and "感谢" in view.title
    assert choice_ids(view) == [HOME]


def test_a_low_score_needs_a_reason_before_anything_is_sent(ctx):
    flow = rated_from(ctx, {"flow": "guide", "service_id": "SVC-002"})
    flow.choose(f"{SCORE}1")
    view = flow.view(tr_of(ctx))
    assert ctx.extras["outbox"].items == []
    assert flow.state is State.REASON and 1 < len(view.choices) <= 6
    assert "等待时间长" in [c.label for c in view.choices]
    flow.choose(f"{REASON}waiting")
    assert ctx.extras["outbox"].items == [
        ("rating", {"score": 1, "service_id": "SVC-002", "reason": "等待时间长"}, False)]
    assert flow.state is State.THANKS


def test_back_from_the_reason_returns_to_the_levels(ctx):
    flow = rated_from(ctx, {})
    flow.choose(f"{SCORE}2")
    assert flow.back() is True
    assert flow.state is State.SCORE and ctx.extras["outbox"].items == []


def test_a_failed_save_offers_the_same_rating_again_with_the_same_key(ctx):
    class Broken:
        def __init__(self):
            self.keys = []

        def submit(self, kind, payload, *, personal=True, key=None):
            self.keys.append(key)
            from common.errors import StorageError
            raise StorageError("disk full")

    broken = Broken()
    ctx.submitter = lambda: broken
    flow = rated_from(ctx, {})
    flow.choose(f"{SCORE}4")
    view = flow.view(tr_of(ctx))
    assert view.notice is not None and choice_ids(view) == [RETRY, HOME]
    ctx.submitter = lambda: ctx.extras["outbox"]
    flow.choose(RETRY)
    assert flow.state is State.THANKS
    assert ctx.extras["outbox"].items[0][1]["score"] == 4
    assert flow.key == broken.keys[0]


def test_rating_has_no_home_tile_but_is_reached_from_a_completed_flow(ctx):
    assert RatingFlow in FLOW_CLASSES
    assert "rating" not in [t.id for t in flow_tiles()]
    other = BenefitsFlow(ctx)
    other.choose(RATE)
    assert other.leave_to == "rating" and ctx.extras["rating_for"] == {"flow": "benefits"}
