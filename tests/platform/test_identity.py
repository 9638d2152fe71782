"""Identity verification: card record or scanned code token -> resident profile."""

from __future__ import annotations

from .conftest import assert_error_shape

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def with_check(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def test_sample_card_record_verifies_to_a_masked_profile_with_a_resident_token(client):
    idn = with_check("31022819520314002")
    r = client.post("/identity/verify", json={"method": "card", "card": {
        "name": "王秀英", "id_number": idn, "gender": "女", "address": "金山区廊下镇中洪村"}})
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["display_name"] == "王*英"
    assert idn not in r.text and "王秀英" not in r.text
    assert p["id_number_masked"] == idn[:4] + "*" * 10 + idn[-4:]
    assert p["elderly"] is True and p["age"] >= 70
    assert p["resident_token"].startswith("rt_")
    licences = client.get("/licences", headers={"X-Resident-Token": p["resident_token"]})
    assert licences.status_code == 200 and len(licences.json()) >= 3


def test_scanned_code_token_verifies(client):
    p = client.verify("SSM-DEMO-0004")
    assert p["display_name"] == "周*龙" and p["elderly"] is False


def test_unknown_card_with_a_valid_number_answers_404_in_the_error_shape(client):
    r = client.post("/identity/verify", json={"method": "card", "card": {
        "name": "赵无名", "id_number": with_check("31011619900101999")}})
    assert_error_shape(r, 404, "resident_not_found")


def test_card_with_a_wrong_check_character_answers_422(client):
    idn = with_check("31022819520314002")
    wrong = idn[:17] + ("0" if idn[17] != "0" else "1")
    r = client.post("/identity/verify", json={"method": "card", "card": {
        "name": "王秀英", "id_number": wrong}})
    assert_error_shape(r, 422, "id_number_invalid")


def test_resident_endpoints_refuse_a_missing_or_unknown_resident_token(client):
    assert_error_shape(client.get("/benefits"), 401, "resident_required")
    assert_error_shape(client.get("/benefits", headers={"X-Resident-Token": "rt_nope"}), 401,
                       "resident_session_expired")


def test_benefits_and_printable_licence_for_a_verified_resident(client):
    token = client.verify("SSM-DEMO-0001")["resident_token"]
    h = {"X-Resident-Token": token}
    benefits = client.get("/benefits", headers=h).json()
    assert any(b["proactive"] and b["status"] for b in benefits)
    lic = client.get("/licences", headers=h).json()[0]
    printable = client.get(f"/licences/{lic['id']}/printable", headers=h)
    assert printable.status_code == 200
    body = printable.json()
    assert body["lines"] and body["verify_qr"].startswith("https://")
    assert with_check("31022819520314002") not in printable.text
