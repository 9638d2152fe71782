"""预约取号 against the real demo platform: booking, the printed ticket, refusals, retries,
cancelling, a printer without paper and a line that is down."""

from __future__ import annotations

import uuid

import pytest

from demo_platform.faults import Faults
from hardware.card_reader.samples import sample_cards
from kiosk.flows import appointment as a
from kiosk.flows.appointment import AppointmentFlow, Printed, State
from kiosk.flows.base import HOME, RATE
from kiosk.flows.view import NEXT_PAGE

from .apply_helpers import identify_by_card, synced_catalogue
from .conftest import choice_ids, tr_of

ZHUJING = "JS-CENTRE-ZHUJING"


@pytest.fixture
def catalogue(ctx, tmp_path):
    store = synced_catalogue(ctx, tmp_path / "catalogue.db")
    yield store
    store.close()


def to_confirm(flow, category: str, service: str, centre: str = ZHUJING, slot: int = 0):
    flow.choose(f"{a.CATEGORY}{category}")
    while f"{a.SERVICE}{service}" not in choice_ids(flow.view(lambda t: t)):
        flow.choose(NEXT_PAGE)
    flow.choose(f"{a.SERVICE}{service}")
    assert flow.state is State.CENTRES
    flow.choose(f"{a.CENTRE}{centre}")
    assert flow.state is State.DAYS and flow.days
    flow.choose(f"{a.DAY}{flow.days[0][0].isoformat()}")
    assert flow.state is State.SLOTS
    flow.choose(f"{a.SLOT}{flow.slots[slot]['time']}")
    assert flow.state is State.CONFIRM


def rows(ctx, card_index: int, service: str):
    store = ctx.extras["platform"].store
    return store.q("SELECT * FROM appointments WHERE id_number = ? AND service_id = ?",
                   sample_cards()[card_index].id_number, service)


def other_resident_books(ctx, code: str, body: dict) -> None:
    client = ctx.client()
    token = client.verify_code(code)["resident_token"]
    client.post("/appointments", body, idempotency_key=f"test-{uuid.uuid4().hex}",
                resident_token=token)


def test_happy_path_books_at_the_platform_and_prints_a_ticket_with_its_id_as_qr(
        ctx, devices, catalogue):
    flow = AppointmentFlow(ctx)
    identify_by_card(flow, devices, 0)
    first = flow.view(tr_of(ctx))
    assert choice_ids(first)[:5] == [f"{a.CATEGORY}{c}" for c in a.COMMON_CATEGORIES]
    assert a.MINE in choice_ids(first) and len(first.choices) <= 6
    to_confirm(flow, "CAT-SB", "JS-SB-006")
    assert all(day.weekday() != 6 for day, _free in flow.days)  # never a Sunday
    confirm = flow.view(tr_of(ctx))
    texts = [line.text for line in confirm.lines]
    assert "社会保障卡申领" in texts and "朱泾镇人民路180号（演示地址）" in texts
    assert any(t.startswith("居民身份证") for t in texts)  # what to bring, from the guide
    day, time = flow.day, flow.time

    flow.choose(a.BOOK)
    assert flow.state is State.TICKET and flow.printed is Printed.CONFIRMED
    [row] = rows(ctx, 0, "JS-SB-006")
    assert (row["centre_id"], row["day"], row["time"], row["status"]) == (
        ZHUJING, day.isoformat(), time, "booked")
    job = devices.printer.printed[-1]
    assert job.text_lines[0].strip() == "预约凭证"
    assert job.qr_codes == (row["id"],)
    printed = "\n".join(job.text_lines)
    for part in (row["id"], "社会保障卡申领", "朱泾镇社区事务受理服务中心", "人民路180号",
                 f"{day.year}年{day.month}月{day.day}日", time, "居民身份证", ctx.terminal_id,
                 "打印时间"):
        assert part in printed, part
    assert sample_cards()[0].name not in printed
    ticket = flow.view(tr_of(ctx))
    assert ticket.qr == row["id"] and row["id"] in ticket.speak and time in ticket.speak
    assert row["id"] in [line.text for line in ticket.lines]
    assert RATE in choice_ids(ticket) and HOME in choice_ids(ticket)
    assert flow.rating_subject() == {"service_id": "JS-SB-006"}


def test_a_slot_taken_meanwhile_leads_back_to_the_free_times_with_a_calm_notice(
        ctx, devices, catalogue):
    flow = AppointmentFlow(ctx)
    identify_by_card(flow, devices, 1)
    to_confirm(flow, "CAT-YB", "JS-YB-002")
    body = {"service_id": "JS-YB-002", "centre_id": ZHUJING,
            "date": flow.day.isoformat(), "time": flow.time}
    other_resident_books(ctx, "SSM-DEMO-0002", body)
    other_resident_books(ctx, "SSM-DEMO-0003", body)  # capacity 2: now full
    taken = flow.time
    flow.choose(a.BOOK)
    view = flow.view(tr_of(ctx))
    assert flow.state is State.SLOTS and "换一个时间" in view.notice.text
    assert f"{a.SLOT}{taken}" not in choice_ids(view)
    assert not rows(ctx, 1, "JS-YB-002")
    flow.choose(choice_ids(view)[0])  # another time books fine
    flow.choose(a.BOOK)
    assert flow.state is State.TICKET and len(rows(ctx, 1, "JS-YB-002")) == 1


def test_a_lost_answer_is_retried_with_the_same_key_and_books_once(ctx, devices, catalogue):
    flow = AppointmentFlow(ctx)
    identify_by_card(flow, devices, 2)
    to_confirm(flow, "CAT-HJ", "JS-HJ-006")
    key = flow.key
    faults = ctx.extras["platform"].faults
    faults.set(Faults(truncated_rate=1.0, only_paths=["/api/v1/appointments"]))
    try:
        flow.choose(a.BOOK)  # booked at the platform, but the answer arrives cut in half
    finally:
        faults.clear()
    view = flow.view(tr_of(ctx))
    assert flow.state is State.CONFIRM and flow.line_down and flow.key == key
    assert "网络" in view.notice.text and a.GUIDE in choice_ids(view)
    assert len(rows(ctx, 2, "JS-HJ-006")) == 1
    flow.choose(a.BOOK)  # "try again": same key, the platform replays its answer
    assert flow.state is State.TICKET
    [row] = rows(ctx, 2, "JS-HJ-006")
    assert flow.booked.appointment_id == row["id"]


def test_booking_the_same_service_twice_on_one_day_goes_back_to_the_days(
        ctx, devices, catalogue):
    flow = AppointmentFlow(ctx)
    identify_by_card(flow, devices, 3)
    to_confirm(flow, "CAT-YL", "JS-YL-002")
    flow.choose(a.BOOK)
    assert flow.state is State.TICKET
    flow.start()  # the same resident again (identity kept in the session)
    to_confirm(flow, "CAT-YL", "JS-YL-002", slot=1)
    flow.choose(a.BOOK)
    view = flow.view(tr_of(ctx))
    assert flow.state is State.DAYS and "我的预约" in view.notice.text
    assert len(rows(ctx, 3, "JS-YL-002")) == 1


def test_cancelling_with_a_confirmation_frees_the_slot(ctx, devices, catalogue):
    flow = AppointmentFlow(ctx)
    identify_by_card(flow, devices, 4)
    to_confirm(flow, "CAT-MZ", "JS-MZ-003")
    flow.choose(a.BOOK)
    booked = flow.booked
    flow.choose(a.MINE)
    assert flow.state is State.MINE
    assert f"{a.OPEN}{booked.appointment_id}" in choice_ids(flow.view(tr_of(ctx)))
    flow.choose(f"{a.OPEN}{booked.appointment_id}")
    view = flow.view(tr_of(ctx))
    assert flow.state is State.CANCEL_CONFIRM and choice_ids(view) == [a.CANCEL, a.KEEP]
    flow.choose(a.CANCEL)
    assert flow.state is State.CANCELLED
    [row] = rows(ctx, 4, "JS-MZ-003")
    assert row["status"] == "cancelled"
    slots = ctx.client().get("/appointments/slots", params={
        "service_id": "JS-MZ-003", "centre_id": ZHUJING, "date": booked.day.isoformat()})
    [slot] = [s for s in slots["slots"] if s["time"] == booked.time]
    assert slot["free"] == slot["capacity"]
    flow.choose(a.MINE)
    assert flow.state is State.MINE and not flow.mine


def test_a_printer_out_of_paper_shows_the_ticket_on_screen_and_keeps_the_booking(
        ctx, devices, catalogue):
    devices.printer.run_out_of_paper()
    flow = AppointmentFlow(ctx)
    identify_by_card(flow, devices, 0)
    to_confirm(flow, "CAT-JT", "JS-JT-004")
    flow.choose(a.BOOK)
    [row] = rows(ctx, 0, "JS-JT-004")
    assert row["status"] == "booked"
    assert flow.state is State.TICKET and flow.printed is Printed.FAILED
    assert not devices.printer.printed
    view = flow.view(tr_of(ctx))
    assert view.notice.level == "warning" and row["id"] in view.notice.text
    assert view.qr == row["id"] and row["id"] in [line.text for line in view.lines]
    assert a.PRINT in choice_ids(view)
    devices.printer.load_paper()
    devices.printer.check()  # what the device manager's poll does
    flow.choose(a.PRINT)  # paper back in: the same ticket prints
    assert flow.printed is Printed.CONFIRMED
    assert devices.printer.printed[-1].qr_codes == (row["id"],)


def test_a_line_known_to_be_down_says_so_first_and_offers_the_guide(ctx, catalogue):
    ctx.connectivity.report(False, "test: cable pulled")
    flow = AppointmentFlow(ctx)
    flow.start()
    view = flow.view(tr_of(ctx))
    assert flow.state is State.OFFLINE and "网络" in view.instruction
    assert choice_ids(view) == [a.RETRY, a.GUIDE, HOME]
    flow.choose(a.GUIDE)
    assert flow.leave_to == "guide"
    flow.leave_to = ""
    ctx.connectivity.report(True)
    flow.choose(a.RETRY)  # the line is back: identification comes next
    assert "身份证" in flow.view(tr_of(ctx)).instruction


def test_back_walks_the_steps_and_a_wipe_forgets_everything(ctx, devices, catalogue):
    flow = AppointmentFlow(ctx)
    identify_by_card(flow, devices, 1)
    to_confirm(flow, "CAT-HJ", "JS-HJ-005")
    key = flow.key
    for state in (State.SLOTS, State.DAYS, State.CENTRES, State.SERVICES, State.CATEGORIES):
        assert flow.back() and flow.state is state
    assert not flow.back()  # the first step: leave the flow
    to_confirm(flow, "CAT-HJ", "JS-HJ-005")
    assert flow.key and flow.key != key  # a new confirmation, a new key
    flow.wipe()
    assert flow.state is State.CATEGORIES and not flow.key and not flow.centre
