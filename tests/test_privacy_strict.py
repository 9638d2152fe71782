"""`common.privacy.redact_strict`: what must not leave the terminal in an exported bundle,
beyond the technician log's own `redact` (ID and mobile numbers)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from common.privacy import mask_blobs, mask_labelled_names, mask_secrets, redact, redact_strict

TOKEN = "demo-token-DEMO-JS-0001"


def test_everything_redact_masks_stays_masked():
    text = "card 310101199001011234 read; call 13812345678; order 12345"
    assert redact_strict(text) == redact(text)


def test_mobile_numbers_with_country_code_or_in_groups_are_masked():
    for written in ("+86 138 1234 5678", "+8613812345678", "0086-13812345678", "138-1234-5678",
                    "86 13812345678"):
        cleaned = redact_strict(f"call {written} now")
        assert "1234" not in cleaned.replace("138****5678", ""), (written, cleaned)
        assert "138****5678" in cleaned


def test_landlines_and_other_numbers_stay_readable():
    text = "support 021-5792-0000, port 9100, seq=13, 2026-11-28 14:50:00,123"
    assert redact_strict(text) == text


def test_names_after_person_labels_are_masked():
    assert mask_labelled_names("姓名：张小三") == "姓名：张*三"
    assert mask_labelled_names("申请人=欧阳小明;") == "申请人=欧**明;"
    assert mask_labelled_names("代办员 李晓明 signed in") == "代办员 李*明 signed in"
    assert mask_labelled_names('{"applicant_name": "Li Lei"}') == '{"applicant_name": "L*****"}'
    assert mask_labelled_names("姓名=阿依古丽·买买提") == "姓名=阿******提"


def test_ambiguous_labels_mask_only_a_short_name_standing_alone():
    assert mask_labelled_names('"name": "王小明",') == '"name": "王*明",'
    assert mask_labelled_names("居民 身份证读取失败") == "居民 身份证读取失败"
    text = '"name": "金山区政务服务自助终端（演示）", "name": "printer", device name printer'
    assert mask_labelled_names(text) == text


def test_an_already_masked_name_is_left_as_it_is():
    assert mask_labelled_names("居民 王*英 read") == "居民 王*英 read"


def test_tokens_pins_and_given_secrets_are_redacted():
    text = (f"Authorization: Bearer abc.def-123 token={TOKEN} X-Resident-Token: r-77 "
            '"pin_hash": "scrypt$16384$8$1$salt$hash" pin=135790 password: hunter2')
    cleaned = mask_secrets(text, [TOKEN])
    for secret in ("abc.def-123", TOKEN, "r-77", "scrypt$", "135790", "hunter2"):
        assert secret not in cleaned, secret
    assert cleaned.count("<redacted>") == 6


def test_a_given_secret_is_redacted_wherever_it_appears():
    assert mask_secrets(f"url http://x/?q={TOKEN}&a=1", [TOKEN]) == "url http://x/?q=<redacted>&a=1"


def test_placeholders_for_secrets_are_kept():
    assert mask_secrets('"token": "<set>", "pin_hash": "<unset>"') == \
        '"token": "<set>", "pin_hash": "<unset>"'


def test_base64_blobs_are_replaced_but_uuids_hex_digests_and_paths_are_not():
    blob = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123456789abcdefgh=="
    assert mask_blobs(f"photo={blob} end") == f"photo=<blob {len(blob)} chars> end"
    kept = ("key 3f2a5c1e-1111-2222-3333-444455556666 sha256 "
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 "
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    assert mask_blobs(kept) == kept


@given(st.text(max_size=200))
def test_redact_strict_never_raises_and_is_idempotent(text):
    once = redact_strict(text, [TOKEN])
    assert redact_strict(once, [TOKEN]) == once
