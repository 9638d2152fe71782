"""在线申请 with a 证件照 material, by touches through the real app: the application hands
over to the 证件照 flow, the camera takes the photo by itself, the resident comes back to the
same application with the answers kept, and the platform receives the photo itself."""

from __future__ import annotations

import hashlib
import time

import pytest

from hardware.camera.simulator import SimulatedCamera
from kiosk.flows.application_steps import State
from kiosk.flows.id_photo import MATERIAL_KEY
from kiosk.flows.id_photo import State as PhotoState
from tests.sim_devices import SimDevices
from tests.test_ui_apply import applications, identify, tap, type_phone
from tests.ui_flow_kit import kiosk, rig, shown_text  # noqa: F401 (fixtures)


@pytest.fixture
def devices():
    d = SimDevices()
    camera = SimulatedCamera("camera", person=True)
    camera.open()
    d.camera = camera
    d.all.append(camera)
    yield d
    d.close()


def wait_until(kiosk, predicate, timeout_s=8.0):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        kiosk.wait(0.05)


def test_an_id_photo_material_is_taken_at_the_terminal_and_reaches_the_platform(
        kiosk, devices, rig):
    [service_id] = [s["id"] for s in rig.handle.store.catalogue_items("service")
                    if s["name"] == "社会保障卡申领"]
    identify(kiosk, devices, "apply")
    tap(kiosk, "category:CAT-SB", f"service:{service_id}", "app:next")
    flow = kiosk.app.current_flow()
    if flow.state is State.PHONE:
        type_phone(kiosk)
    assert flow.state is State.MATERIAL and "证件照回执" in shown_text(kiosk)
    answers = dict(flow.answers)

    tap(kiosk, "material:id_photo:take")
    assert kiosk.app.screen_manager.current == "id_photo"
    photo_flow = kiosk.app.current_flow()
    wait_until(kiosk, lambda: photo_flow.state is PhotoState.REVIEW)
    kiosk.frames(3)
    tap(kiosk, "photo:use:0")
    assert "回到您的申请" in shown_text(kiosk)
    photo = bytes(kiosk.services.session.data.get(MATERIAL_KEY))
    tap(kiosk, "photo:resume")

    assert kiosk.app.screen_manager.current == "apply"
    assert kiosk.app.current_flow() is flow and flow.answers == answers
    assert "证件照已添加" in shown_text(kiosk)
    for _ in range(6):
        if flow.state is State.MATERIAL:
            tap(kiosk, "material:window")
        elif flow.state is State.DELIVERY:
            tap(kiosk, "deliver:0")
        elif flow.state is State.PRECHECK:
            tap(kiosk, "app:next" if flow._ready() else "app:anyway")
        elif flow.state is State.CONFIRM:
            tap(kiosk, "app:submit")
            break
    kiosk.frames(3)
    [app_row] = applications(rig, service_id)
    stored = rig.handle.store.q("SELECT material, sha256 FROM application_attachments a "
                                "JOIN applications p ON p.id = a.application_id "
                                "WHERE p.number = ?", app_row["number"])
    assert [(r["material"], r["sha256"]) for r in stored] == [
        ("证件照回执", hashlib.sha256(photo).hexdigest())]
