"""Flows driven without a window: real demo platform, simulated devices, immediate jobs."""

from __future__ import annotations

import pytest

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN, create_app, start_in_thread
from kiosk.connectivity import Connectivity
from kiosk.flows.context import FlowContext
from kiosk.flows.runner import ImmediateRunner
from kiosk.i18n import Translator
from kiosk.platform_client import ClientSettings, PlatformClient
from kiosk.session import Session, SessionTimings
from tests.clocks import FakeClock
from tests.sim_devices import RecordingSubmitter as Outbox
from tests.sim_devices import SimDevices


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    handle = start_in_thread(create_app(tmp_path_factory.mktemp("platform") / "platform.db"))
    yield handle
    handle.stop()


@pytest.fixture
def devices():
    d = SimDevices()
    yield d
    d.close()


@pytest.fixture
def ctx(platform, devices):
    link = Connectivity()
    client = PlatformClient(ClientSettings(platform.base_url, DEMO_TERMINAL_ID,
                                           DEMO_TERMINAL_TOKEN, retries=0, backoff_s=0.01),
                            observer=link.report)
    session = Session(SessionTimings(90, 30, 3.0, 60), default_language="zh_CN",
                      languages=("zh_CN", "en"), clock=FakeClock())
    outbox = Outbox()
    context = FlowContext(session=session, runner=ImmediateRunner(),
                          terminal_id=DEMO_TERMINAL_ID, connectivity=link,
                          client=lambda: client, catalogue=lambda: None,
                          submitter=lambda: outbox, devices=devices,
                          translator=Translator(("zh_CN", "en")))
    context.extras["outbox"] = outbox
    context.extras["platform"] = platform
    yield context
    client.close()


def tr_of(ctx):
    return ctx.session_tr()


def choice_ids(view) -> list[str]:
    return [c.id for c in view.choices + view.actions]
