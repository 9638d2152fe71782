"""电子证照 against the real demo platform, printed on the simulated receipt printer."""

from __future__ import annotations

from datetime import datetime, timezone

from demo_platform import DEMO_TERMINAL_ID
from hardware.card_reader.samples import sample_cards
from kiosk.flows.base import HOME, RATE
from kiosk.flows.licences import OPEN, PRINT, TO_LIST, LicencesFlow, State

from .apply_helpers import identify_by_card, identify_by_code
from .conftest import choice_ids, tr_of

PRINTED_AT = datetime(2026, 11, 28, 14, 53, tzinfo=timezone.utc).timestamp()  # 22:53 in Shanghai


def opened(ctx, code: str = "SSM-DEMO-0001") -> LicencesFlow:
    ctx.wall_clock = lambda: PRINTED_AT
    flow = LicencesFlow(ctx)
    identify_by_code(flow, code)
    first = next(c for c in flow.view(tr_of(ctx)).choices if c.id.startswith(OPEN))
    flow.choose(first.id)
    return flow


def test_the_residents_licences_are_listed(ctx):
    flow = LicencesFlow(ctx)
    identify_by_code(flow, "SSM-DEMO-0003")
    view = flow.view(tr_of(ctx))
    labels = [c.label for c in view.choices]
    assert "居民身份证（电子证照）" in labels and "结婚证（电子证照）" in labels
    assert all(c.detail for c in view.choices)
    assert all(c.startswith(OPEN) for c in choice_ids(view))  # home is in the bar


def test_one_licence_is_shown_masked_with_its_verification_qr(ctx, devices):
    ctx.wall_clock = lambda: PRINTED_AT
    flow = LicencesFlow(ctx)
    identify_by_card(flow, devices)  # 张建国: the full card is on the terminal
    flow.choose(next(c.id for c in flow.view(tr_of(ctx)).choices if c.id.startswith(OPEN)))
    view = flow.view(tr_of(ctx))
    assert flow.state is State.VIEW
    assert view.qr == flow.printable["verify_qr"] and view.qr.startswith("https://")
    shown = "\n".join(f"{line.label} {line.text}" for line in view.lines)
    card = sample_cards()[0]
    assert "张*国" in shown and "仅供政务服务使用" in shown
    assert card.name not in shown and card.id_number not in shown
    assert choice_ids(view) == [PRINT, TO_LIST]  # home is in the bar


def test_printing_puts_every_line_the_watermark_the_use_time_terminal_and_qr_on_paper(
        ctx, devices):
    flow = opened(ctx)
    printable = flow.printable
    flow.choose(PRINT)
    assert flow.state is State.PRINTED
    job = devices.printer.printed[-1]
    paper = "\n".join(job.text_lines)
    assert printable["title"] in paper
    for line in printable["lines"]:
        assert line["label"] in paper and line["value"] in paper
    assert printable["watermark"] in paper
    assert "仅供政务服务使用" in paper
    assert "2026-11-28 22:53" in paper and DEMO_TERMINAL_ID in paper
    assert job.qr_codes == (printable["verify_qr"],)
    view = flow.view(tr_of(ctx))
    assert view.notice.level == "success"
    assert RATE in choice_ids(view) and HOME in choice_ids(view)
    assert flow.rating_subject() == {"flow": "licences", "licence_kind": "ID"}


def test_a_printer_out_of_paper_is_a_calm_notice_and_printing_can_be_retried(ctx, devices):
    flow = opened(ctx)
    devices.printer.run_out_of_paper()
    flow.choose(PRINT)
    view = flow.view(tr_of(ctx))
    assert flow.state is State.VIEW and view.notice is not None
    assert "不会丢失" in view.notice.text
    assert devices.printer.printed == []
    assert view.choices[0].id == PRINT and "再试" in view.choices[0].label
    devices.printer.load_paper()
    devices.printer.check()
    flow.choose(PRINT)
    assert flow.state is State.PRINTED and len(devices.printer.printed) == 1


def test_no_usable_printer_keeps_the_licence_on_screen_with_a_way_forward(ctx, devices):
    flow = opened(ctx)
    devices.printer.unplug()
    devices.printer.check()
    flow.choose(PRINT)
    view = flow.view(tr_of(ctx))
    assert flow.state is State.VIEW and "稍后再试" in view.notice.text
    assert choice_ids(view) == [PRINT, TO_LIST]


def test_the_printed_copy_is_chinese_even_when_the_screen_is_english(ctx, devices):
    flow = opened(ctx)
    ctx.session.set_language("en")
    assert "For government-service use only" in [line.text for line in flow.view(tr_of(ctx)).lines]
    flow.choose(PRINT)
    assert "仅供政务服务使用" in "\n".join(devices.printer.printed[-1].text_lines)


def test_back_returns_to_the_list_and_forgets_the_shown_licence(ctx):
    flow = opened(ctx)
    assert flow.back() and flow.state is State.LIST and flow.printable is None
    assert not flow.back()
    flow.wipe()
    assert flow.licences == [] and flow.printable is None
