"""Personal data is masked by one shared module, in screens and in the technician log."""

from __future__ import annotations

import logging

from common.privacy import mask_id_number, mask_name, mask_phone, redact
from kiosk.techlog import LOG_FILE, setup_logging


def test_id_number_keeps_first_and_last_four():
    assert mask_id_number("310101199001011234") == "3101**********1234"
    assert mask_id_number("31010119900101123X") == "3101**********123X"


def test_names_keep_first_and_last_character_only():
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_name("Li Lei") == "L*****"
    assert mask_name("") == ""


def test_a_name_the_platform_already_masked_is_shown_as_sent_not_masked_twice():
    assert mask_name("王*英") == "王*英"
    assert mask_name(mask_name("欧阳小明")) == "欧**明"


def test_phone_keeps_first_three_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_redact_masks_numbers_inside_free_text():
    text = "card 310101199001011234 read; call 13812345678 or 021-57920000; order 12345"
    cleaned = redact(text)
    assert "310101199001011234" not in cleaned and "3101**********1234" in cleaned
    assert "13812345678" not in cleaned and "138****5678" in cleaned
    assert "021-57920000" in cleaned and "order 12345" in cleaned


def test_redact_leaves_longer_digit_runs_alone():
    assert redact("serial 12345678901234567890") == "serial 12345678901234567890"


def test_technician_log_writes_one_masked_line_per_event(tmp_path):
    path = setup_logging(tmp_path, "INFO", 1_000_000, 3)
    try:
        logger = logging.getLogger("kiosk.test")
        logger.info("identified %s by phone %s", "310101199001011234", "13812345678")
        try:
            raise ValueError("bad frame\nsecond line")
        except ValueError:
            logger.exception("card read failed for %s", "310101199001011234")
        for h in logging.getLogger().handlers:
            h.flush()
        lines = path.read_text(encoding="utf-8").splitlines()
    finally:
        _remove_kiosk_handlers()
    ours = [line for line in lines if "kiosk.test" in line]
    assert len(ours) == 2
    assert all("310101199001011234" not in line and "13812345678" not in line for line in lines)
    assert "3101**********1234" in ours[0] and "138****5678" in ours[0]
    assert "Traceback" in ours[1] and "ValueError: bad frame" in ours[1]
    assert path.name == LOG_FILE


def test_technician_log_rotates(tmp_path):
    setup_logging(tmp_path, "INFO", 65536, 2)
    try:
        logger = logging.getLogger("kiosk.rotate")
        for i in range(3000):
            logger.info("event %05d %s", i, "x" * 60)
    finally:
        _remove_kiosk_handlers()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [LOG_FILE, LOG_FILE + ".1", LOG_FILE + ".2"]
    assert all(p.stat().st_size <= 65536 + 200 for p in tmp_path.iterdir())


def _remove_kiosk_handlers() -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kiosk_handler", False):
            root.removeHandler(h)
            h.close()
