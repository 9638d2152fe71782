"""Catalogue snapshot, ETag / 304 and change sets."""

from __future__ import annotations

from .conftest import assert_error_shape


def test_catalogue_has_at_least_150_services_in_at_least_10_categories_with_full_guides(client):
    r = client.get("/catalogue")
    assert r.status_code == 200
    cat = r.json()
    services, categories = cat["services"], cat["categories"]
    assert len(services) >= 150
    assert len(categories) >= 10
    names = {c["name"] for c in categories}
    for expected in ("户籍", "社会保险", "医疗保障", "民政", "残疾人服务", "婚姻登记", "住房公积金",
                     "不动产", "企业开办", "交通出行", "养老服务", "就业创业", "教育", "卫生健康"):
        assert expected in names
    category_ids = {c["id"] for c in categories}
    assert {s["category_id"] for s in services} <= category_ids
    assert len({s["id"] for s in services}) == len(services)
    for s in services:
        assert s["name"] and s["summary"] and s["department"]
        assert s["conditions"] and s["materials"] and all(m["name"] for m in s["materials"])
        assert s["fee"] and s["time_limit"]
        assert s["where"] and all(w["address"] and w["hours"] for w in s["where"])
        assert isinstance(s["online"], bool) and isinstance(s["cross_province"], bool)
    assert sum(s["fee"] == "免费" for s in services) > len(services) * 0.8
    assert any(s["online"] for s in services) and any(s["cross_province"] for s in services)
    assert any(s["guide_video_url"] for s in services)
    assert any(w["name"] == "金山区行政服务中心" for s in services for w in s["where"])
    assert any(p["name"].startswith("朱泾镇") and p["lat"] and p["lon"] for p in cat["map_points"])
    assert len(cat["help_answers"]) >= 10
    assert cat["version"] == int(r.headers["X-Catalogue-Version"])


def test_same_etag_in_if_none_match_answers_304_without_a_body(client):
    first = client.get("/catalogue")
    etag = first.headers["ETag"]
    again = client.get("/catalogue", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    stale = client.get("/catalogue", headers={"If-None-Match": '"catalogue-v0"'})
    assert stale.status_code == 200 and stale.json()["services"]


def test_changes_since_a_version_list_upserts_and_deletions_and_move_the_etag(platform, client):
    before = client.get("/catalogue")
    v0 = before.json()["version"]
    service = dict(before.json()["services"][0])
    service["fee"] = "免费（演示修改）"
    gone = before.json()["services"][1]["id"]
    v1 = platform.store.change_catalogue(upserts=[("service", service)],
                                         deletions=[("service", gone)])
    assert v1 == v0 + 1

    r = client.get("/catalogue/changes", params={"since": v0})
    assert r.status_code == 200
    changes = r.json()
    assert changes["since"] == v0 and changes["version"] == v1
    assert [s["id"] for s in changes["services"]] == [service["id"]]
    assert changes["services"][0]["fee"] == "免费（演示修改）"
    assert changes["deletions"] == [{"kind": "service", "id": gone}]
    assert client.get("/catalogue/changes", params={"since": v1}).json()["services"] == []

    # The old ETag no longer matches: the full snapshot comes back with the new version.
    r = client.get("/catalogue", headers={"If-None-Match": before.headers["ETag"]})
    assert r.status_code == 200 and r.json()["version"] == v1
    assert gone not in {s["id"] for s in r.json()["services"]}


def test_changes_since_a_forgotten_version_answer_409_take_the_full_catalogue(platform, client):
    v = client.get("/catalogue").json()["version"]
    platform.store.change_catalogue(upserts=[("help_answer", {
        "id": "HELP-900", "question": "测试问题？", "answer": "测试回答。", "topic": "测试"})])
    platform.store.compact_changes()
    assert_error_shape(client.get("/catalogue/changes", params={"since": v}), 409, "catalogue_too_old")
    assert_error_shape(client.get("/catalogue/changes", params={"since": 10**6}), 409,
                       "catalogue_version_unknown")
