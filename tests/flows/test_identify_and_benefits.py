"""Identification (card or code, verified by the real platform) and 免申即享 after it."""

from __future__ import annotations

from hardware.card_reader.samples import sample_cards
from kiosk.flows.base import HOME
from kiosk.flows.benefits import BenefitsFlow
from kiosk.flows.identify import AGREE, BY_CARD, BY_CODE, DECLINE, current_resident

from .conftest import choice_ids, tr_of


def test_consent_comes_before_anything_is_read(ctx):
    flow = BenefitsFlow(ctx)
    flow.start()
    view = flow.view(tr_of(ctx))
    assert choice_ids(view) == [AGREE, DECLINE]
    assert "身份证" in view.instruction


def test_declining_consent_leaves_the_flow(ctx):
    flow = BenefitsFlow(ctx)
    flow.start()
    flow.choose(DECLINE)
    assert flow.leave_to == "home"
    assert current_resident(ctx.session) is None


def test_a_card_on_the_reader_identifies_and_lists_benefits(ctx, devices):
    flow = BenefitsFlow(ctx)
    flow.start()
    flow.choose(AGREE)
    flow.choose(BY_CARD)
    assert "读卡区" in flow.view(tr_of(ctx)).instruction
    card = sample_cards()[0]  # 张建国, born 1956
    devices.card_reader.insert_card(card)
    flow.on_card_present()
    resident = current_resident(ctx.session)
    assert resident is not None and resident.display_name == "张*国"
    assert resident.card["id_number"] == card.id_number
    view = flow.view(tr_of(ctx))
    texts = [line.text for line in view.lines]
    assert "老年人综合津贴" in texts  # 65+: granted without applying
    assert card.name not in " ".join(texts) and card.id_number not in " ".join(texts)
    assert choice_ids(view) == [HOME]


def test_a_scanned_code_identifies(ctx):
    flow = BenefitsFlow(ctx)
    flow.start()
    flow.choose(AGREE)
    flow.choose(BY_CODE)
    flow.on_code("SSM-DEMO-0004\r\n")
    assert current_resident(ctx.session).display_name == "周*龙"
    assert "灵活就业社保补贴" in [line.text for line in flow.view(tr_of(ctx)).lines]


def test_an_unknown_code_says_calmly_what_to_do_and_waits_for_another(ctx):
    flow = BenefitsFlow(ctx)
    flow.start()
    flow.choose(AGREE)
    flow.choose(BY_CODE)
    flow.on_code("SSM-NOBODY")
    view = flow.view(tr_of(ctx))
    assert view.notice is not None and "窗口" in view.notice.text
    assert current_resident(ctx.session) is None
    flow.on_code("SSM-DEMO-0001")
    assert current_resident(ctx.session) is not None


def test_an_unplugged_reader_is_offered_disabled_and_the_code_still_works(ctx, devices):
    devices.card_reader.unplug()
    devices.card_reader.check()
    flow = BenefitsFlow(ctx)
    flow.start()
    flow.choose(AGREE)
    view = flow.view(tr_of(ctx))
    card, code = view.choices
    assert not card.enabled and card.detail
    assert code.enabled


def test_the_identity_is_reused_by_the_next_flow_and_wiped_with_the_session(ctx):
    first = BenefitsFlow(ctx)
    first.start()
    first.choose(AGREE)
    first.choose(BY_CODE)
    first.on_code("SSM-DEMO-0001")
    second = BenefitsFlow(ctx)
    second.start()
    assert second.view(tr_of(ctx)).lines, "no second identification"
    ctx.session.data.wipe()
    assert current_resident(ctx.session) is None


def test_the_thread_runner_hands_failures_back_through_the_scheduler():
    import threading

    from kiosk.flows.runner import ThreadRunner

    scheduled, failures = [], []
    done = threading.Event()

    def schedule(job):
        scheduled.append(job)
        done.set()

    runner = ThreadRunner(schedule)

    def job():
        raise ValueError("disk hiccup")

    runner.run(job, lambda result: None, failures.append)
    assert done.wait(5)
    assert failures == []  # nothing runs on the worker thread
    scheduled[0]()
    assert isinstance(failures[0], ValueError)
    runner.shutdown()
