"""离线码 against the real demo platform, printed on the simulated receipt printer, and the
printed token scanned back through the simulated scanner."""

from __future__ import annotations

import datetime as dt
import logging
import queue
import socket

import pytest

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN
from demo_platform.offline_codes import local_today
from hardware.scanner.interface import CodeScanned
from kiosk.flows.base import HOME, RATE
from kiosk.flows.identify import RESIDENT, forget_resident
from kiosk.flows.offline_code import (HELP, PENDING, PRINT, REIDENTIFY, REPRINT, RETRY,
                                      OfflineCodeFlow, State)
from kiosk.platform_client import ClientSettings, PlatformClient

from .apply_helpers import identify_by_card, identify_by_code
from .conftest import choice_ids, tr_of

PRINTED_AT = dt.datetime(2026, 11, 28, 14, 53, tzinfo=dt.timezone.utc).timestamp()
NAMES = {"SSM-DEMO-0001": ("王秀英", "王*英", "310228195203140023"),
         "SSM-DEMO-0002": ("李建国", "李*国", ""), "SSM-DEMO-0012": ("赵志强", "赵*强", "")}


def expected_until() -> str:
    """The last valid day of a code issued today, as the slip and screens write it."""
    today = local_today()
    end = today.replace(year=today.year + 1) - dt.timedelta(days=1)
    return f"{end.year}年{end.month}月{end.day}日"


def view_text(view) -> str:
    parts = [view.title, view.instruction, view.speak, view.qr,
             view.notice.text if view.notice else ""]
    parts += [f"{line.label} {line.text}" for line in view.lines]
    parts += [f"{c.label} {c.detail}" for c in view.choices + view.actions]
    return "\n".join(parts)


def assert_private(view, *secrets: str) -> None:
    """What every screen of the flow keeps: no QR, no typing, speech, and no secret at all."""
    assert view.qr == "" and view.widget == ""
    assert view.speak.strip()
    for secret in filter(None, secrets):
        assert secret not in view_text(view), secret


def issued_count(platform, code: str) -> int:
    return platform.store.q1("SELECT COUNT(*) FROM offline_codes o JOIN residents r ON "
                             "o.id_number = r.id_number WHERE r.code_token = ?", code)[0]


def opened(ctx, code: str = "SSM-DEMO-0001") -> OfflineCodeFlow:
    ctx.wall_clock = lambda: PRINTED_AT
    flow = OfflineCodeFlow(ctx)
    identify_by_code(flow, code)
    return flow


def dead_client(ctx) -> PlatformClient:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]   # closed again: connections are refused
    return PlatformClient(ClientSettings(f"http://127.0.0.1:{port}", DEMO_TERMINAL_ID,
                                         DEMO_TERMINAL_TOKEN, retries=0, connect_timeout_s=1),
                          observer=ctx.connectivity.report)


def test_an_eligible_resident_sees_what_the_code_is_for_and_until_when_but_no_code(ctx):
    flow = opened(ctx)
    view = flow.view(tr_of(ctx))
    assert flow.state is State.CONFIRM
    assert choice_ids(view) == [PRINT, HOME]
    text = view_text(view)
    assert "凭此码在本机和窗口识别身份，无需手机" in text and expected_until() in text
    assert expected_until() in view.speak
    assert "60周岁" not in text  # the reason is for the slip, not for bystanders
    assert_private(view, *NAMES["SSM-DEMO-0001"])


def test_printing_puts_the_token_as_qr_and_the_validity_on_the_slip_and_says_so(
        ctx, devices, platform):
    flow = opened(ctx)
    flow.choose(PRINT)
    assert flow.state is State.DONE
    job = devices.printer.printed[-1]
    [token] = job.qr_codes
    assert token.startswith("OLC-") and len(token) == 36
    paper = "\n".join(job.text_lines)
    flowing = "".join(line.strip() for line in job.text_lines)  # wrapped paragraphs joined
    for expected in ("离线码", "持码人", "王*英", "适用情形", "年满60周岁", "签发日期",
                     "有效期至", expected_until(), "离线码编号", "OC-", DEMO_TERMINAL_ID,
                     "2026-11-28 22:53"):
        assert expected in paper, expected
    for sentence in ("凭此码在本机和窗口识别身份，无需手机。", "扫随申码或离线码",
                     "不要拍照外传", "仅最新打印的离线码有效"):
        assert sentence in flowing, sentence
    assert "王秀英" not in paper and NAMES["SSM-DEMO-0001"][2] not in paper
    assert token not in paper  # only inside the QR code
    view = flow.view(tr_of(ctx))
    assert view.notice.level == "success"
    assert "打印" in view.speak and expected_until() in view.speak
    assert choice_ids(view) == [RATE, HOME]   # no second copy of a printed credential
    assert_private(view, token, *NAMES["SSM-DEMO-0001"])
    assert ctx.session.data.get(PENDING) is None  # on paper: the session lets it go
    assert ctx.client().verify_code(token)["display_name"] == "王*英"


def test_the_slip_is_chinese_even_when_the_screen_is_english(ctx, devices):
    flow = opened(ctx, "SSM-DEMO-0002")
    ctx.session.set_language("en")
    assert "Use this code" in view_text(flow.view(tr_of(ctx)))
    flow.choose(PRINT)
    paper = "".join(line.strip() for line in devices.printer.printed[-1].text_lines)
    assert "凭此码在本机和窗口识别身份" in paper and "有效期至" in paper


def test_a_disabled_adult_gets_the_reason_on_paper_only(ctx, devices):
    flow = opened(ctx, "SSM-DEMO-0012")
    assert "残疾" not in view_text(flow.view(tr_of(ctx)))
    flow.choose(PRINT)
    assert "持证残疾人" in "\n".join(devices.printer.printed[-1].text_lines)
    assert "残疾" not in view_text(flow.view(tr_of(ctx)))


def test_a_resident_who_is_not_eligible_is_told_who_can_and_what_to_do_instead(
        ctx, devices, platform):
    flow = opened(ctx, "SSM-DEMO-0003")
    view = flow.view(tr_of(ctx))
    assert flow.state is State.NOT_ELIGIBLE
    text = view_text(view)
    for expected in ("60周岁", "18周岁", "残疾", "随申码", "身份证", "窗口"):
        assert expected in text, expected
    assert view.notice.level == "info" and PRINT not in choice_ids(view)
    assert choice_ids(view) == [HELP, HOME]
    assert_private(view, "陈美华", "陈*华")
    assert devices.printer.printed == [] and issued_count(platform, "SSM-DEMO-0003") == 0
    flow.choose(HELP)
    assert flow.leave_to == "help"


def test_a_printer_out_of_paper_is_found_before_any_code_is_made(ctx, devices, platform):
    flow = opened(ctx, "SSM-DEMO-0002")
    before = issued_count(platform, "SSM-DEMO-0002")
    devices.printer.run_out_of_paper()
    flow.choose(PRINT)
    view = flow.view(tr_of(ctx))
    assert flow.state is State.CONFIRM and view.notice.level == "warning"
    assert "打印机" in view.notice.text and view.notice.text in view.speak
    assert issued_count(platform, "SSM-DEMO-0002") == before
    devices.printer.load_paper()
    devices.printer.check()
    flow.choose(PRINT)
    assert flow.state is State.DONE and len(devices.printer.printed) == 1


def test_a_print_failure_keeps_the_issued_code_and_reprints_the_same_one(
        ctx, devices, platform):
    flow = opened(ctx, "SSM-DEMO-0002")
    before = issued_count(platform, "SSM-DEMO-0002")
    devices.printer.unplug_during_next_job()
    flow.choose(PRINT)
    issued = ctx.session.data.get(PENDING)["code"]
    view = flow.view(tr_of(ctx))
    assert flow.state is State.UNPRINTED and devices.printer.printed == []
    assert choice_ids(view) == [REPRINT, HELP, HOME] and "同一张" in view.instruction
    assert_private(view, issued.token, *NAMES["SSM-DEMO-0002"])
    flow.choose(REPRINT)  # the printer is still gone: said calmly, the code is kept
    assert flow.state is State.UNPRINTED and "稍后" in flow.view(tr_of(ctx)).notice.text
    devices.printer.replug()
    devices.printer.open()
    flow.choose(REPRINT)
    assert flow.state is State.DONE
    assert devices.printer.printed[-1].qr_codes == (issued.token,)
    assert issued_count(platform, "SSM-DEMO-0002") == before + 1


def test_coming_back_in_the_same_session_prints_the_unprinted_code_instead_of_a_new_one(
        ctx, devices, platform):
    flow = opened(ctx, "SSM-DEMO-0002")
    before = issued_count(platform, "SSM-DEMO-0002")
    devices.printer.unplug()
    devices.printer.check()
    flow.choose(PRINT)  # no usable printer: nothing issued
    assert issued_count(platform, "SSM-DEMO-0002") == before
    devices.printer.replug()
    devices.printer.open()
    devices.printer.unplug_during_next_job()
    flow.choose(PRINT)
    token = ctx.session.data.get(PENDING)["code"].token
    assert not flow.back()       # the resident leaves...
    devices.printer.replug()
    devices.printer.open()
    flow.start()                 # ...and comes back to the tile
    assert flow.state is State.UNPRINTED
    flow.choose(REPRINT)
    assert devices.printer.printed[-1].qr_codes == (token,)
    assert issued_count(platform, "SSM-DEMO-0002") == before + 1


def test_the_printed_token_identifies_the_resident_at_the_scanner(ctx, devices):
    flow = opened(ctx)
    flow.choose(PRINT)
    [token] = devices.printer.printed[-1].qr_codes
    forget_resident(ctx.session)   # another visit
    events: queue.Queue = queue.Queue()
    devices.scanner.subscribe(events.put)
    identify_by_code(flow, "")     # consent, "scan my code"; an empty scan is ignored
    devices.scanner.scan(token)
    scanned = events.get(timeout=5)
    while not isinstance(scanned, CodeScanned):
        scanned = events.get(timeout=5)
    flow.on_code(scanned.text)
    resident = ctx.session.data.get(RESIDENT)
    assert resident.display_name == "王*英" and resident.method == "code"
    view = flow.view(tr_of(ctx))   # a code cannot renew itself
    assert flow.state is State.NEEDS_CARD and choice_ids(view) == [REIDENTIFY, HOME]
    assert "身份证" in view.instruction and "随申码" in view.instruction
    assert_private(view, token, *NAMES["SSM-DEMO-0001"])
    flow.choose(REIDENTIFY)
    assert ctx.session.data.get(RESIDENT) is None and flow._identify is not None


def test_a_replaced_code_at_the_scanner_gets_the_platforms_calm_answer(ctx, devices):
    client = ctx.client()
    h = client.verify_code("SSM-DEMO-0007")["resident_token"]
    old = client.post("/offline-codes", {}, idempotency_key="oc-test-old-0007",
                      resident_token=h).body["token"]
    client.post("/offline-codes", {}, idempotency_key="oc-test-new-0007", resident_token=h)
    flow = opened(ctx, old)
    view = flow.view(tr_of(ctx))
    assert ctx.session.data.get(RESIDENT) is None
    assert "作废" in view.notice.text and old not in view_text(view)


def test_when_the_platform_cannot_be_reached_nothing_is_queued_and_retry_uses_the_same_key(
        ctx, devices, platform):
    live = ctx.client
    flow = opened(ctx, "SSM-DEMO-0008")
    before = issued_count(platform, "SSM-DEMO-0008")
    dead = dead_client(ctx)
    ctx.client = lambda: dead
    flow.choose(PRINT)
    view = flow.view(tr_of(ctx))
    assert flow.state is State.FAILED and "平台" in view.instruction
    assert choice_ids(view) == [RETRY, HOME] and devices.printer.printed == []
    assert ctx.extras["outbox"].items == []
    assert_private(view, "李秀英", "李*英")
    key = flow.key
    ctx.client = live
    flow.choose(RETRY)
    assert flow.state is State.DONE and flow.key == key
    assert issued_count(platform, "SSM-DEMO-0008") == before + 1
    ctx.client = lambda: dead
    flow.start()                   # identified already: straight to the platform, which is down
    assert flow.state is State.FAILED and "平台" in flow.view(tr_of(ctx)).instruction
    dead.close()


def test_the_technician_log_says_what_happened_without_personal_data(ctx, devices, caplog):
    caplog.set_level(logging.INFO, logger="kiosk.flows")
    flow = opened(ctx)
    devices.printer.unplug_during_next_job()
    flow.choose(PRINT)
    token = ctx.session.data.get(PENDING)["code"].token
    devices.printer.replug()
    devices.printer.open()
    flow.choose(REPRINT)
    lines = [r.getMessage() for r in caplog.records if r.name == "kiosk.flows"]
    text = "\n".join(lines)
    assert "offline_code: eligibility answered: confirm" in text
    assert "offline_code: code issued, valid until 20" in text
    assert "printing failed (attempt 1)" in text and "slip printed (attempt 2)" in text
    for secret in (token, *NAMES["SSM-DEMO-0001"], "OC-"):
        assert secret not in text


def test_identifying_by_card_works_the_same_and_a_wipe_forgets_the_unprinted_code(
        ctx, devices):
    ctx.wall_clock = lambda: PRINTED_AT
    flow = OfflineCodeFlow(ctx)
    identify_by_card(flow, devices)   # 张建国, 70
    assert flow.state is State.CONFIRM
    devices.printer.unplug_during_next_job()
    flow.choose(PRINT)
    assert ctx.session.data.get(PENDING)
    ctx.session.data.wipe()
    flow.wipe()
    assert ctx.session.data.get(PENDING) is None and flow.offer is None


@pytest.mark.parametrize("code", ["SSM-DEMO-0001", "SSM-DEMO-0003"])
def test_every_screen_fits_elderly_mode(ctx, devices, code):
    ctx.session.set_elderly(True)
    flow = opened(ctx, code)
    seen = [flow.view(tr_of(ctx))]
    if flow.state is State.CONFIRM:
        flow.choose(PRINT)
        seen.append(flow.view(tr_of(ctx)))
    for view in seen:
        assert len([c for c in view.choices if c.primary]) <= 6 and view.widget == ""
