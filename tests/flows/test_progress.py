"""办件进度 against the real demo platform: list, timeline, scanned numbers, offline, and
applications still waiting in the terminal's encrypted outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN
from hardware.card_reader.samples import sample_cards
from kiosk.flows.base import HOME
from kiosk.flows.progress import OPEN, RETRY, TO_LIST, ProgressFlow, State, application_code
from kiosk.platform_client import ClientSettings, PlatformClient
from kiosk.platform_link import PlatformLink
from offline.crypto import OutboxKey
from offline.outbox import Outbox

from .apply_helpers import identify_by_card, identify_by_code
from .conftest import choice_ids, tr_of

SEED_ID, SEED_NUMBER = "APP-SEED-0001", "JS2026000001"


def seeded(ctx) -> ProgressFlow:
    flow = ProgressFlow(ctx)
    identify_by_code(flow, "SSM-DEMO-0001")
    return flow


def test_the_residents_applications_are_listed_with_number_and_status(ctx):
    flow = seeded(ctx)
    view = flow.view(tr_of(ctx))
    assert flow.state is State.LIST
    seed = next(c for c in view.choices if c.id == OPEN + SEED_ID)
    assert SEED_NUMBER in seed.detail and "审核中" in seed.detail
    assert seed.label  # the service's name
    assert all(c.startswith(OPEN) for c in choice_ids(view))  # home is in the bar


def test_one_application_shows_its_timeline_newest_first_in_shanghai_time(ctx):
    flow = seeded(ctx)
    flow.choose(OPEN + SEED_ID)
    view = flow.view(tr_of(ctx))
    assert flow.state is State.DETAIL
    texts = [line.text for line in view.lines]
    assert SEED_NUMBER in texts
    reviewing = texts.index("审核中 · 区民政局审核中")
    submitted = texts.index("已提交 · 自助终端提交")
    assert reviewing < texts.index("已受理 · 廊下镇社区事务受理服务中心已受理") < submitted
    at = ctx.extras["platform"].store.q1(
        "SELECT at FROM application_events WHERE application_id = ? ORDER BY id", SEED_ID)["at"]
    utc = datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ")
    assert view.lines[submitted].label == (utc + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert choice_ids(view) == [TO_LIST, HOME]
    assert flow.back() and flow.state is State.LIST


def test_a_scanned_application_number_opens_its_progress_while_the_list_is_shown(ctx):
    flow = seeded(ctx)
    flow.on_code(SEED_NUMBER + "\r\n")
    assert flow.state is State.DETAIL
    assert flow.current["number"] == SEED_NUMBER


def test_a_scan_that_cannot_be_a_number_is_refused_calmly_and_the_list_stays(ctx):
    flow = seeded(ctx)
    flow.on_code("这不是编号!")
    view = flow.view(tr_of(ctx))
    assert flow.state is State.LIST and "办件编号" in view.notice.text
    assert application_code("https://x.example/a/JS2026000001") == SEED_NUMBER


def test_a_number_that_is_not_the_residents_gets_the_platforms_calm_answer(ctx):
    flow = seeded(ctx)
    flow.on_code("JS2099999999")
    view = flow.view(tr_of(ctx))
    assert flow.state is State.LIST
    assert "没有找到" in view.notice.text


def test_offline_says_so_calmly_and_offers_to_try_again(ctx):
    flow = seeded(ctx)
    online = ctx.client
    nowhere = PlatformClient(ClientSettings("http://127.0.0.1:9", DEMO_TERMINAL_ID,
                                            DEMO_TERMINAL_TOKEN, retries=0, backoff_s=0.01))
    ctx.client = lambda: nowhere
    try:
        flow.start()  # identified already: straight to loading
        view = flow.view(tr_of(ctx))
        assert flow.state is State.FAILED
        assert "网络" in view.notice.text and "网络" in view.instruction
        assert choice_ids(view) == [RETRY, HOME]
        ctx.client = online
        flow.choose(RETRY)
        assert flow.state is State.LIST
    finally:
        nowhere.close()


def test_applications_still_in_the_outbox_are_listed_as_saved_for_their_resident_only(
        ctx, devices, tmp_path):
    outbox = Outbox(tmp_path / "outbox.db", OutboxKey.generate())
    link = PlatformLink(outbox, lambda item: None)  # never started: nothing is sent
    ctx.submitter = lambda: link
    mine, other = sample_cards()[0], sample_cards()[1]
    for card, service in ((mine, "JS-YL-001"), (other, "JS-SB-002")):
        link.submit("application", {"service_id": service,
                                    "applicant": {"name": card.name, "id_number": card.id_number},
                                    "answers": {}, "materials_provided": []}, key=f"key-{service}")
    try:
        flow = ProgressFlow(ctx)
        identify_by_card(flow, devices)
        view = flow.view(tr_of(ctx))
        text = "\n".join(f"{line.label} {line.text}" for line in view.lines)
        assert "JS-YL-001" in text and "待网络恢复后发送" in text and "key-JS-Y" in text
        assert "JS-SB-002" not in text
        assert mine.name not in text and mine.id_number not in text
        assert flow.queued == [{"service_id": "JS-YL-001", "created_at": flow.queued[0]["created_at"],
                                "reference": "key-JS-Y", "service_name": "JS-YL-001"}]
        flow.wipe()
        assert flow.queued == [] and flow.apps == []
    finally:
        outbox.close()
