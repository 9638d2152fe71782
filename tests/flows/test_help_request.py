"""帮办: the help flow keeps the contact details and sends the three kinds of request."""

from __future__ import annotations

from common.errors import StorageError
from kiosk.flows.base import HOME
from kiosk.flows.help_request import (ASK, ASSISTANCE, CALL_BACK, DEVICE_PROBLEM, PHONE_OK,
                                      RETRY, HelpFlow, State)
from kiosk.flows.registry import flow_tiles

from .conftest import choice_ids, tr_of


def started(ctx):
    ctx.support_contact = "技术支持 021-5792-0000（演示号码）"
    flow = HelpFlow(ctx)
    flow.start()
    return flow


def test_the_first_view_shows_whom_to_call_and_three_requests(ctx):
    view = started(ctx).view(tr_of(ctx))
    texts = [line.text for line in view.lines]
    assert "技术支持 021-5792-0000（演示号码）" in texts
    assert any(ctx.terminal_id in t for t in texts)
    assert choice_ids(view) == [f"{ASK}{ASSISTANCE}", f"{ASK}{CALL_BACK}",
                                f"{ASK}{DEVICE_PROBLEM}", HOME]
    assert [c.label for c in view.choices[:3]] == ["请工作人员现场协助", "请工作人员回电",
                                                   "这台设备有问题"]
    assert "help" not in [t.id for t in flow_tiles()]


def test_assistance_is_sent_without_personal_data_and_says_it_is_saved(ctx):
    flow = started(ctx)
    flow.choose(f"{ASK}{ASSISTANCE}")
    kind, payload, personal = ctx.extras["outbox"].items[0]
    assert (kind, payload["kind"], personal) == ("help_request", "assistance", False)
    assert "phone" not in payload and payload["message"]
    view = flow.view(tr_of(ctx))
    assert flow.state is State.SENT and choice_ids(view) == [HOME]
    # the recorder gives no platform answer: the resident is told it is saved and sent later
    assert "已保存" in view.title
    assert any("服务站工作人员" in line.text for line in view.lines)


def test_device_problem_is_its_own_kind(ctx):
    flow = started(ctx)
    flow.choose(f"{ASK}{DEVICE_PROBLEM}")
    assert ctx.extras["outbox"].items[0][1]["kind"] == "device_problem"


def test_call_back_takes_the_phone_on_the_numpad_and_is_personal(ctx):
    flow = started(ctx)  # standard mode, nobody identified: typing is the one way
    flow.choose(f"{ASK}{CALL_BACK}")
    view = flow.view(tr_of(ctx))
    assert flow.state is State.PHONE_TYPE and view.widget == "numpad"
    assert not view.choices[0].enabled
    for key in "1380013800":
        flow.numpad_key(key)
    flow.numpad_key("9")
    flow.numpad_key("del")
    flow.numpad_key("0")
    assert flow.view(tr_of(ctx)).choices[0].enabled
    flow.choose(PHONE_OK)
    kind, payload, personal = ctx.extras["outbox"].items[0]
    assert payload == {"kind": "call_back", "message": payload["message"],
                       "phone": "13800138000"} and personal is True
    texts = " ".join(line.text for line in flow.view(tr_of(ctx)).lines)
    assert "138****8000" in texts and "13800138000" not in texts


def test_the_phone_is_forgotten_when_the_session_ends(ctx):
    flow = started(ctx)
    flow.choose(f"{ASK}{CALL_BACK}")
    for key in "13800138000":
        flow.numpad_key(key)
    flow.wipe()
    assert flow.digits == "" and flow.state is State.MENU


def test_back_from_the_keypad_returns_to_the_requests(ctx):
    flow = started(ctx)
    flow.choose(f"{ASK}{CALL_BACK}")
    assert flow.back() is True and flow.state is State.MENU
    assert flow.back() is False  # the first view: the screen leaves the flow


def test_the_platform_answer_says_what_happens_next(ctx):
    class Delivering:
        """Answers like PlatformLink.wait_delivered after the platform acknowledged."""

        def __init__(self):
            self.items = []

        def submit(self, kind, payload, *, personal=True, key=None):
            self.items.append((kind, payload, personal, key))

        def wait_delivered(self, key, timeout_s):
            assert key == self.items[-1][3]
            return {"id": "HLP-1", "status": "open",
                    "expected_response": "工作人员将在工作时间2小时内与您联系"}

    link = Delivering()
    ctx.submitter = lambda: link
    flow = started(ctx)
    flow.choose(f"{ASK}{ASSISTANCE}")
    view = flow.view(tr_of(ctx))
    assert "已发送" in view.title
    assert "工作人员将在工作时间2小时内与您联系" in [line.text for line in view.lines]


def test_a_request_that_could_not_be_saved_can_be_tried_again(ctx):
    class Full:
        def submit(self, *args, **kwargs):
            raise StorageError("disk full")

    ctx.submitter = lambda: Full()
    flow = started(ctx)
    flow.choose(f"{ASK}{DEVICE_PROBLEM}")
    view = flow.view(tr_of(ctx))
    assert view.notice is not None and choice_ids(view) == [RETRY, HOME]
    assert "技术支持 021-5792-0000（演示号码）" in [line.text for line in view.lines]
    ctx.submitter = lambda: ctx.extras["outbox"]
    flow.choose(RETRY)
    assert flow.state is State.SENT and ctx.extras["outbox"].items[0][1]["kind"] == "device_problem"
