"""一件事 against the real demo platform: one set of answers, one application per service,
one receipt listing them all."""

from __future__ import annotations

import pytest

from demo_platform.catalogue import build_services
from kiosk.flows.application_steps import State
from kiosk.flows.bundles import BUNDLES, BundlesFlow

from .apply_helpers import DeliveringSubmitter, identify_by_card, synced_catalogue
from .conftest import choice_ids, tr_of


@pytest.fixture
def catalogue(ctx, tmp_path):
    store = synced_catalogue(ctx, tmp_path / "catalogue.db")
    yield store
    store.close()


def test_every_bundle_names_at_least_two_online_services_of_the_demo_platform():
    online = {s["id"] for s in build_services() if s["online"]}
    assert len(BUNDLES) >= 2
    for bundle in BUNDLES:
        assert len(bundle.services) >= 2 and set(bundle.services) <= online, bundle.id


def test_the_elderly_bundle_asks_each_answer_once_and_submits_one_application_per_service(
        ctx, devices, catalogue):
    delivering = DeliveringSubmitter(ctx.client())
    ctx.submitter = lambda: delivering
    flow = BundlesFlow(ctx)
    identify_by_card(flow, devices)  # 张建国, 70: meets the 60+ condition
    view = flow.view(tr_of(ctx))
    assert choice_ids(view) == ["bundle:newborn", "bundle:elderly", "bundle:retirement"]
    flow.choose("bundle:elderly")
    assert flow.state is State.REVIEW
    assert len([line for line in flow.view(tr_of(ctx)).lines if line.emphasis]) == 3
    flow.choose("app:next")
    screens = []
    while flow.state is not State.PRECHECK:
        view = flow.view(tr_of(ctx))
        screens.append(flow.state)
        if flow.state is State.QUESTION:
            flow.choose(view.choices[0].id)
        elif flow.state is State.PHONE:
            assert view.choices[0].detail == "138****0007"
            flow.choose("phone:registered")  # nothing typed: the platform has the number
        elif flow.state is State.MATERIAL:
            flow.choose("material:window")
        elif flow.state is State.DELIVERY:
            flow.choose("deliver:0")
    # one question, one phone, two paper materials (证件照回执, 银行账户信息), one delivery
    assert screens == [State.QUESTION, State.PHONE, State.MATERIAL, State.MATERIAL,
                       State.DELIVERY]
    view = flow.view(tr_of(ctx))
    assert [line.text for line in view.lines if line.emphasis][:1] == ["老年人优待证办理"]
    assert "app:anyway" in choice_ids(view)  # only the papers for the window are missing
    flow.choose("app:anyway")
    assert flow.state is State.CONFIRM
    flow.choose("app:submit")
    items = delivering.items
    assert [p["service_id"] for _, p, _, _ in items] == ["JS-YL-010", "JS-YL-001", "JS-YL-006"]
    assert all(personal for _, _, personal, _ in items)
    assert len({key for _, _, _, key in items}) == 3
    for _, payload, _, _ in items:
        assert payload["answers"]["living"] == "独居"
        assert "phone" not in payload["answers"] and payload["phone_ref"].startswith("pr_")
    numbers = [o.answer["number"] for o in flow.outcomes]
    printed = devices.printer.printed[-1].text_lines
    assert printed[0].strip() == "受理回执"
    assert any("老年人优待一件事" in line for line in printed)
    for number in numbers:
        assert any(number in line for line in printed)
    assert any("证件照回执" in line for line in printed)  # to bring to the window


def test_a_bundle_queued_offline_lists_every_service_with_its_reference(ctx, devices, catalogue):
    flow = BundlesFlow(ctx)
    identify_by_card(flow, devices)
    flow.choose("bundle:newborn")
    flow.choose("app:next")
    assert [q.name for q in flow.questions] == ["relation_to_child", "child_gender"]
    flow.choose("answer:1")
    flow.choose("answer:0")
    flow.choose("phone:registered")
    while flow.state is State.MATERIAL:
        flow.choose("material:window")
    flow.choose("deliver:1")
    flow.choose("app:anyway")
    flow.choose("app:submit")
    items = ctx.extras["outbox"].items
    assert [p["service_id"] for _, p, _ in items] == ["JS-HJ-001", "JS-YB-001", "JS-SB-006"]
    assert all(p["answers"]["relation_to_child"] == "母亲" for _, p, _ in items)
    printed = "\n".join(devices.printer.printed[-1].text_lines)
    assert "受理回执" not in printed and printed.count("网络恢复后自动提交") == 3
    for key in flow.keys.values():
        assert key[:8] in printed
