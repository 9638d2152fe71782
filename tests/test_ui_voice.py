"""长者模式 with voice guidance through the real app: touches, simulated devices (the speech
simulator records what was said), the real demo platform."""

from __future__ import annotations

from dataclasses import replace

from hardware.card_reader.samples import sample_cards
import pytest

from tests.ui_flow_kit import button, devices, rig, tile  # noqa: F401 (fixtures)
from tests.ui_harness import KioskHarness


@pytest.fixture
def kiosk(tmp_path, rig, devices):
    """The reference display (1920 x 1080): in 长者模式 the bar keeps one row there."""
    from kivy.core.window import Window

    harness = KioskHarness(tmp_path, connectivity=rig.connectivity, platform=rig.access(),
                           devices=devices)
    small = Window.size
    Window.size = (1920, 1080)
    harness.frames(5)
    yield harness
    Window.size = small
    harness.frames(3)
    harness.close()


def voice_buttons(kiosk) -> dict[str, object]:
    return {b.voice_id: b for b in kiosk.app.bar.ids.voice_group.children}


def said(devices) -> list[str]:
    devices.speaker.wait_idle(5)
    return [u.text for u in devices.speaker.spoken]


class NoTyping:
    """Taps choices and checks that no screen on the way asks for typing."""

    def __init__(self, kiosk) -> None:
        self.kiosk = kiosk
        self.seen: list[str] = []

    def tap(self, *choice_ids: str) -> None:
        for choice_id in choice_ids:
            self.kiosk.tap(button(self.kiosk, choice_id))
            self.check()

    def check(self) -> None:
        screen = self.kiosk.app.screen_manager.current_screen
        special = getattr(screen, "special_name", "")
        self.seen.append(special)
        assert special not in ("numpad", "keyboard"), f"typing asked on {screen.name}"


def test_elderly_booking_with_card_and_taps_prints_and_speaks_the_ticket(kiosk, devices, rig):
    card = sample_cards()[0]
    kiosk.tap(kiosk.app.bar.ids.elderly_switch)
    assert kiosk.app.elderly and kiosk.app.voice_on
    assert set(voice_buttons(kiosk)) == {"voice_repeat", "voice_stop"}
    assert said(devices)[-1].startswith(kiosk.app.tr("Government services self-service terminal"))
    walk = NoTyping(kiosk)
    kiosk.tap(tile(kiosk, "appointment"))
    walk.check()
    screen = kiosk.app.screen_manager.current_screen
    assert said(devices)[-1] == kiosk.services.voice.current_text
    assert said(devices)[-1].startswith(screen.title) and screen.name == "appointment"
    walk.tap("consent:agree", "way:card")
    devices.card_reader.insert_card(card)
    kiosk.app.device_card_present()
    kiosk.frames(3)
    walk.check()
    flow = kiosk.services.flows["appointment"]
    walk.tap("apt:category:CAT-SB", "apt:service:JS-SB-002", "apt:centre:JS-CENTRE-ZHUJING")
    day = flow.days[0][0]
    walk.tap(f"apt:day:{day.isoformat()}")
    walk.tap(f"apt:slot:{flow.slots[0]['time']}")
    walk.tap("apt:book")

    [row] = rig.handle.store.q("SELECT * FROM appointments WHERE id_number = ? AND "
                               "service_id = 'JS-SB-002'", card.id_number)
    job = devices.printer.printed[-1]
    assert job.text_lines[0].strip() == "预约凭证" and job.qr_codes == (row["id"],)
    ticket_speech = said(devices)[-1]
    assert "预约成功" in ticket_speech and row["id"] in ticket_speech
    assert "朱泾镇社区事务受理服务中心" in ticket_speech and "请携带" in ticket_speech
    assert devices.speaker.spoken[-1].finished
    everything = "\n".join(said(devices))
    assert card.name not in everything and card.id_number not in everything
    assert "*" not in everything  # masked values are never spoken either

    kiosk.tap(voice_buttons(kiosk)["voice_repeat"])  # 重听
    assert said(devices)[-1] == ticket_speech
    kiosk.tap(voice_buttons(kiosk)["voice_stop"])  # 停止朗读: quiet from now on
    assert not kiosk.app.voice_on and set(voice_buttons(kiosk)) == {"voice_repeat"}
    count = len(said(devices))
    kiosk.tap(button(kiosk, "apt:mine"))
    assert len(said(devices)) == count

    kiosk.services.session.card_removed()
    kiosk.frames(3)
    assert kiosk.app.screen_manager.current == "home"
    assert devices.speaker.volume == devices.speaker.default_volume


def test_standard_mode_is_silent_until_read_aloud_and_volume_resets_at_session_end(
        kiosk, devices):
    kiosk.tap(tile(kiosk, "guide"))
    assert said(devices) == [] and not kiosk.app.voice_on
    assert set(voice_buttons(kiosk)) == {"voice_repeat"}  # 朗读
    kiosk.tap(voice_buttons(kiosk)["voice_repeat"])
    assert kiosk.app.voice_on
    title = kiosk.app.screen_manager.current_screen.title
    assert said(devices)[-1].startswith(title)
    kiosk.app.voice_louder()
    assert devices.speaker.volume == devices.speaker.default_volume + 10
    kiosk.app.finish_session()
    kiosk.frames(2)
    assert not kiosk.app.voice_on
    assert devices.speaker.volume == devices.speaker.default_volume


def test_a_touch_stops_the_speech_and_an_error_is_spoken(kiosk, devices):
    devices.speaker.chars_per_second = 3.0  # slow enough to be cut off
    kiosk.tap(kiosk.app.bar.ids.elderly_switch)
    kiosk.tap(tile(kiosk, "appointment"))
    assert devices.speaker.speaking
    kiosk.tap_at(5, 5)  # any touch, even where there is no button
    devices.speaker.wait_idle(5)
    assert devices.speaker.spoken[-1].interrupted and not devices.speaker.speaking
    assert kiosk.app.voice_on  # acting is not switching guidance off

    devices.speaker.chars_per_second = 2000.0
    kiosk.tap(button(kiosk, "consent:agree"))
    kiosk.tap(button(kiosk, "way:card"))
    stranger = replace(sample_cards()[0], name="查无此人")  # the platform knows no such card
    devices.card_reader.insert_card(stranger)
    kiosk.app.device_card_present()
    kiosk.frames(3)
    notice = kiosk.app.screen_manager.current_screen.current_view.notice
    assert notice is not None and notice.level in ("error", "warning")
    assert said(devices)[-1].startswith(notice.text.rstrip("。"))


def test_the_language_button_reads_the_screen_again_in_english(kiosk, devices):
    kiosk.tap(kiosk.app.bar.ids.elderly_switch)
    said(devices)
    kiosk.tap(kiosk.app.bar.ids.language_button)
    last = devices.speaker.spoken[-1] if said(devices) else None
    assert last is not None and last.language == "en"
    assert last.text.startswith("Government services self-service terminal")
