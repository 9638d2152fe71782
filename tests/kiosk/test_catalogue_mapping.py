"""Platform catalogue JSON -> the store's types: the contract's shapes map field by field,
and anything outside the contract is refused whole, naming the item and the field."""

from __future__ import annotations

import copy

import pytest

from common.errors import PlatformError
from kiosk.catalogue_mapping import (CatalogueFormatError, changes_from_json, material_text,
                                     snapshot_from_json)
from offline.catalogue import Centre, GuideCentre, HelpAnswer

SERVICE = {
    "id": "JS-HJ-001", "category_id": "CAT-HJ", "name": "户口登记（出生）",
    "summary": "户口登记（出生）。由公安户政窗口受理。", "department": "金山公安分局",
    "conditions": ["本区常住户口居民或其法定监护人"],
    "materials": [{"name": "居民身份证", "original": True, "copies": 1, "note": ""},
                  {"name": "出生医学证明", "original": False, "copies": 2, "note": "加盖医院公章"}],
    "fee": "免费", "time_limit": "即办", "time_limit_days": 0,
    "where": [{"centre_id": "JS-CENTRE-ZHUJING", "name": "朱泾镇社区事务受理服务中心",
               "address": "朱泾镇人民路180号（演示地址）", "phone": "021-5731 0001",
               "hours": "周一至周五 8:30-17:00"}],
    "online": True, "cross_province": False,
    "guide_video_url": "https://video.example.gov.cn/jinshan/guides/JS-HJ-001.mp4",
    "keywords": ["户籍"], "version": 1, "a_field_from_a_later_contract": {"x": 1}}
SNAPSHOT = {
    "version": 12, "updated_at": "2026-11-28T14:50:48Z",
    "categories": [{"id": "CAT-HJ", "name": "户籍", "icon": "hukou", "department": "金山公安分局",
                    "sort": 1, "version": 1}],
    "services": [SERVICE],
    "map_points": [{"id": "JS-CENTRE-ZHUJING", "name": "朱泾镇社区事务受理服务中心",
                    "kind": "service_centre", "address": "朱泾镇人民路180号", "lat": 30.8978,
                    "lon": 121.1662, "phone": "021-5731 0001", "hours": "8:30-17:00",
                    "version": 1}],
    "help_answers": [{"id": "HELP-001", "question": "忘带身份证能办事吗？",
                      "answer": "可以使用随申码。", "topic": "身份", "version": 1}]}
CHANGES = {"since": 12, "version": 14, "categories": [], "services": [SERVICE],
           "map_points": [], "help_answers": [],
           "deletions": [{"kind": "service", "id": "JS-HJ-002"},
                         {"kind": "map_point", "id": "JS-POINT-PINGHU"},
                         {"kind": "help_answer", "id": "HELP-009"},
                         {"kind": "category", "id": "CAT-OLD"}]}


def test_the_contract_example_snapshot_maps_every_field_a_resident_needs():
    snap = snapshot_from_json(SNAPSHOT)
    assert snap.version == "12"  # an int on the wire, a string in the store
    (cat,) = snap.categories
    assert (cat.id, cat.name, cat.sort, cat.icon, cat.department) == (
        "CAT-HJ", "户籍", 1, "hukou", "金山公安分局")
    (svc,) = snap.services
    assert (svc.id, svc.category_id, svc.name, svc.online, svc.cross_province,
            svc.keywords) == ("JS-HJ-001", "CAT-HJ", "户口登记（出生）", True, False, ("户籍",))
    g = svc.guide
    assert g.materials == ("居民身份证（原件1份）", "出生医学证明（复印件2份），加盖医院公章")
    assert (g.fees, g.time_limit, g.time_limit_days, g.department) == (
        "免费", "即办", 0, "金山公安分局")
    assert g.where_when == (GuideCentre("朱泾镇社区事务受理服务中心", "朱泾镇人民路180号（演示地址）",
                                        "周一至周五 8:30-17:00", "021-5731 0001",
                                        "JS-CENTRE-ZHUJING"),)
    assert g.video_url.endswith("JS-HJ-001.mp4") and g.conditions == (
        "本区常住户口居民或其法定监护人",)
    assert snap.centres == (Centre("JS-CENTRE-ZHUJING", "朱泾镇社区事务受理服务中心",
                                   "朱泾镇人民路180号", "8:30-17:00", 30.8978, 121.1662,
                                   "021-5731 0001", "service_centre"),)
    assert snap.answers == (HelpAnswer("HELP-001", "忘带身份证能办事吗？", "可以使用随申码。", "身份"),)


def test_a_change_set_maps_upserts_and_each_kind_of_deletion():
    changes = changes_from_json(CHANGES)
    assert (changes.from_version, changes.to_version) == ("12", "14")
    assert [s.id for s in changes.services] == ["JS-HJ-001"]
    assert (changes.deleted_services, changes.deleted_centres, changes.deleted_answers,
            changes.deleted_categories) == (("JS-HJ-002",), ("JS-POINT-PINGHU",),
                                            ("HELP-009",), ("CAT-OLD",))
    assert not changes.empty


def test_an_empty_change_set_at_the_same_version_is_empty():
    changes = changes_from_json({"since": 7, "version": 7, "categories": [], "services": [],
                                 "map_points": [], "help_answers": [], "deletions": []})
    assert changes.empty and changes.from_version == changes.to_version == "7"


def test_a_service_without_a_video_and_keywords_maps_to_their_defaults():
    svc = {k: v for k, v in SERVICE.items() if k not in ("guide_video_url", "keywords")}
    (mapped,) = snapshot_from_json({**SNAPSHOT, "services": [svc]}).services
    assert mapped.guide.video_url is None and mapped.keywords == ()


@pytest.mark.parametrize("original, copies, note, text", [
    (True, 1, "", "居民身份证（原件1份）"),
    (False, 3, "", "居民身份证（复印件3份）"),
    (True, 0, "出示即可", "居民身份证（原件），出示即可"),
])
def test_materials_read_as_one_line_each(original, copies, note, text):
    assert material_text("居民身份证", original, copies, note) == text


def _broken(path: tuple, value, base=SNAPSHOT) -> dict:
    body = copy.deepcopy(base)
    target = body
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return body


@pytest.mark.parametrize("path, value, item, field", [
    (("version",), "12", "catalogue", "version"),
    (("version",), True, "catalogue", "version"),
    (("services",), KeyError, "catalogue", "services"),
    (("services",), {"JS-HJ-001": SERVICE}, "catalogue", "services"),
    (("services", 0, "online"), "yes", "service JS-HJ-001", "online"),
    (("services", 0, "online"), 1, "service JS-HJ-001", "online"),
    (("services", 0, "name"), KeyError, "service JS-HJ-001", "name"),
    (("services", 0, "name"), " ", "service JS-HJ-001", "name"),
    (("services", 0, "id"), KeyError, "services[0]", "id"),
    (("services", 0, "time_limit_days"), -1, "service JS-HJ-001", "time_limit_days"),
    (("services", 0, "keywords"), ["户籍", 3], "service JS-HJ-001", "keywords[1]"),
    (("services", 0, "materials", 1, "copies"), "2", "service JS-HJ-001 materials[1]", "copies"),
    (("services", 0, "where", 0), "朱泾", "service JS-HJ-001 where[0]", ""),
    (("services", 0, "category_id"), "CAT-NONE", "service JS-HJ-001", "category_id"),
    (("map_points", 0, "lat"), 130.0, "map_point JS-CENTRE-ZHUJING", "lat"),
    (("map_points", 0, "lon"), float("nan"), "map_point JS-CENTRE-ZHUJING", "lon"),
    (("map_points", 0, "kind"), "", "map_point JS-CENTRE-ZHUJING", "kind"),
    (("help_answers", 0, "answer"), None, "help_answer HELP-001", "answer"),
    (("categories", 0, "sort"), 1.5, "category CAT-HJ", "sort"),
    (("categories", 0), ["CAT-HJ"], "categories[0]", ""),
])
def test_a_snapshot_outside_the_contract_is_refused_naming_item_and_field(path, value, item,
                                                                          field):
    with pytest.raises(CatalogueFormatError) as caught:
        snapshot_from_json(_broken(path, value))
    assert (caught.value.item, caught.value.field) == (item, field)
    assert isinstance(caught.value, PlatformError) and item in str(caught.value)


@pytest.mark.parametrize("body", [None, [], "catalogue", 12])
def test_a_body_that_is_not_an_object_is_refused(body):
    with pytest.raises(CatalogueFormatError, match="expected an object"):
        snapshot_from_json(body)
    with pytest.raises(CatalogueFormatError):
        changes_from_json(body)


def test_a_service_listed_twice_is_refused():
    with pytest.raises(CatalogueFormatError, match="listed twice") as caught:
        snapshot_from_json({**SNAPSHOT, "services": [SERVICE, SERVICE]})
    assert caught.value.item == "service JS-HJ-001"


@pytest.mark.parametrize("change, item, field", [
    ({"deletions": [{"kind": "licence", "id": "X"}]}, "deletions[0]", "kind"),
    ({"deletions": [{"kind": "service"}]}, "deletions[0]", "id"),
    ({"deletions": [{"kind": "service", "id": "JS-HJ-001"}]}, "service JS-HJ-001", "id"),
    ({"deletions": [{"kind": "service", "id": "A"}, {"kind": "service", "id": "A"}]},
     "deletions of service", "id"),
    ({"version": 11}, "catalogue changes", "version"),
    ({"since": -1}, "catalogue changes", "since"),
    ({"help_answers": [{"id": "HELP-002", "question": "?"}]}, "help_answer HELP-002", "answer"),
])
def test_a_change_set_outside_the_contract_is_refused_naming_item_and_field(change, item,
                                                                            field):
    with pytest.raises(CatalogueFormatError) as caught:
        changes_from_json({**CHANGES, **change})
    assert (caught.value.item, caught.value.field) == (item, field)


def test_the_input_is_not_modified():
    body = copy.deepcopy(SNAPSHOT)
    snapshot_from_json(body)
    assert body == SNAPSHOT
