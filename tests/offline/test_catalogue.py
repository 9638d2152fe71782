"""The catalogue cache: round trips, atomic replacement under injected failures, change sets."""

from __future__ import annotations

import random

import pytest

from common.errors import StorageError
from offline import catalogue as catalogue_module
from offline import search_index
from offline.catalogue import (CatalogChanges, CatalogSnapshot, CatalogStore, Category, Centre,
                               Guide, GuideCentre, HelpAnswer, Service)
from offline.db import integrity_ok, open_database

CATEGORIES = (Category("hukou", "户籍", 1), Category("yibao", "医疗保障", 2),
              Category("shebao", "社会保险", 3), Category("minzheng", "民政婚姻", 4),
              Category("gjj", "住房公积金", 5), Category("laonian", "养老服务", 6))

_CENTRE = GuideCentre("长宁区政务服务中心", "长宁区长宁路 599 号", "工作日 9:00-17:00")
_GUIDE = Guide(conditions=("本区户籍居民",), materials=("居民身份证原件", "户口簿"),
               fees="免费", time_limit="即时办结", where_when=(_CENTRE,),
               video_url="https://example.invalid/guide.mp4")


def _svc(sid: str, cat: str, name: str, summary: str = "", *, cross: bool = False,
         keywords: tuple[str, ...] = ()) -> Service:
    return Service(sid, cat, name, summary, online=sid.endswith("1"), cross_province=cross,
                   guide=_GUIDE, keywords=keywords)


SERVICES = (
    _svc("s01", "hukou", "户口登记", "新生儿、收养等户口申报登记"),
    _svc("s02", "hukou", "户口迁移", "户籍迁入迁出办理", cross=True),
    _svc("s03", "yibao", "居民医保参保登记", "城乡居民基本医疗保险参保"),
    _svc("s04", "yibao", "医保报销", "门诊和住院费用报销", cross=True),
    _svc("s05", "shebao", "社保卡补办", "社会保障卡挂失后补办"),
    _svc("s06", "hukou", "居住证办理", "流动人口申领居住证"),
    _svc("s07", "minzheng", "结婚登记", "内地居民婚姻登记"),
    _svc("s08", "gjj", "公积金提取", "住房公积金提取，用于购房还款", keywords=("还贷",)),
    _svc("s09", "laonian", "长宁区长者照护服务申请", "长者居家照护"),
    _svc("s10", "hukou", "户籍证明开具", "开具户口登记证明", keywords=("户口证明",)),
    _svc("s11", "minzheng", "离婚登记", "协议离婚办理"),
    _svc("s12", "yibao", "异地就医备案", "跨省异地就医医保直接结算备案", cross=True),
    _svc("s13", "shebao", "身份证丢失补领", "居民身份证补领"),
)

CENTRES = (Centre("c1", "长宁区政务服务中心", "长宁路 599 号", "9:00-17:00", 31.22, 121.42),)
ANSWERS = (HelpAnswer("a1", "忘记带身份证怎么办？", "请携带户口簿或临时身份证明。"),)
SNAPSHOT = CatalogSnapshot("v1", CATEGORIES, SERVICES, CENTRES, ANSWERS)


def small_store(db=None) -> CatalogStore:
    store = CatalogStore(db if db is not None else open_database(":memory:"))
    store.replace_all(SNAPSHOT, synced_at=1000.0)
    return store


def _state(store: CatalogStore) -> tuple:
    """Everything a resident could see, to compare before and after a failed write."""
    services = [s for c in store.categories() for s in store.services_in(c.id)]
    return (store.version, store.last_sync_at, store.categories(), services, store.centres(),
            store.answers(), [h.service_id for h in store.search("户口")],
            [h.service_id for h in store.search("hkdj")], [h.service_id for h in store.search("证")])


NEW_SNAPSHOT = CatalogSnapshot(
    "v2", CATEGORIES[:2],
    tuple(_svc(f"n{i:02d}", "hukou" if i % 2 else "yibao", f"新版服务{i}号", "新的说明")
          for i in range(40)), (), ())


def test_snapshot_round_trips_every_field():
    store = small_store()
    assert store.version == "v1" and store.last_sync_at == 1000.0
    assert [c.id for c in store.categories()] == [c.id for c in CATEGORIES]
    assert store.service("s08") == SERVICES[7]
    assert store.service("nope") is None
    assert [s.id for s in store.services_in("hukou")] == ["s01", "s02", "s06", "s10"]
    assert [s.id for s in store.cross_province_services()] == ["s02", "s04", "s12"]
    assert store.centres() == list(CENTRES) and store.answers() == list(ANSWERS)


def test_empty_store_has_no_version_and_no_sync_time():
    store = CatalogStore(open_database(":memory:"))
    assert store.version == "" and store.last_sync_at is None and store.search("户口") == []
    store.mark_synced(42.5)
    assert store.last_sync_at == 42.5


@pytest.mark.parametrize("fail_at", ["_write_services", "add", "_set_meta", "_upsert"])
def test_replace_all_failing_part_way_keeps_the_previous_catalogue(monkeypatch, fail_at):
    store = small_store()
    before = _state(store)
    target = search_index if fail_at == "add" else catalogue_module
    if fail_at == "_set_meta":
        target = CatalogStore
    original = getattr(target, fail_at)
    calls = {"n": 0}

    def boom(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] >= 2 or fail_at != "_upsert":  # _upsert: fail after categories went in
            raise OSError("disk unplugged")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, fail_at, boom)
    with pytest.raises(OSError):
        store.replace_all(NEW_SNAPSHOT)
    monkeypatch.undo()
    assert _state(store) == before
    assert integrity_ok(store._db)


def test_replace_all_interrupted_at_random_sqlite_steps_keeps_the_previous_catalogue():
    # The progress handler aborts whatever statement SQLite is running after N VM steps:
    # an interruption at an arbitrary point inside the transaction, not only between calls.
    store = small_store()
    before = _state(store)
    rng = random.Random(4)
    interrupted = 0
    for _ in range(25):
        budget = {"left": rng.randrange(1, 400)}

        def step() -> int:  # one interruption, like one failed write
            budget["left"] -= 1
            return 1 if budget["left"] == 0 else 0

        store._db.conn.set_progress_handler(step, 50)
        try:
            store.replace_all(NEW_SNAPSHOT)
        except StorageError:
            interrupted += 1
            store._db.conn.set_progress_handler(None, 0)
            assert _state(store) == before
        else:
            store._db.conn.set_progress_handler(None, 0)
            store.replace_all(SNAPSHOT, synced_at=1000.0)  # back to v1 for the next round
    assert interrupted >= 10
    assert integrity_ok(store._db)


def test_failed_replace_on_a_file_database_leaves_the_old_catalogue_after_reopening(
        tmp_path, monkeypatch):
    path = tmp_path / "catalogue.db"
    store = small_store(open_database(path))
    monkeypatch.setattr(search_index, "add", lambda *a, **k: (_ for _ in ()).throw(OSError("x")))
    with pytest.raises(OSError):
        store.replace_all(NEW_SNAPSHOT)
    store._db.conn.close()
    reopened = CatalogStore(open_database(path))
    assert reopened.version == "v1" and len(reopened.services_in("hukou")) == 4
    assert reopened.search("户口")[0].service_id == "s01"


def test_replace_all_replaces_services_and_their_search_keys():
    store = small_store()
    store.replace_all(NEW_SNAPSHOT)
    assert store.version == "v2" and store.search("户口") == []
    assert [h.service_id for h in store.search("新版服务1号")][:1] == ["n01"]
    assert store.service("s01") is None


def test_apply_changes_updates_deletes_and_reindexes():
    store = small_store()
    changes = CatalogChanges(
        "v1", "v2",
        services=(_svc("s01", "hukou", "出生登记", "新生儿户口申报"),
                  _svc("s20", "minzheng", "低保申请", "最低生活保障")),
        deleted_services=("s02",), deleted_centres=("c1",))
    store.apply_changes(changes, synced_at=2000.0)
    assert store.version == "v2" and store.last_sync_at == 2000.0
    assert store.service("s02") is None and store.centres() == []
    assert store.search("csdj")[0].service_id == "s01"
    assert store.search("低保")[0].service_id == "s20"
    assert "s02" not in [h.service_id for h in store.search("户口迁移")]
    # 户口 now only in s01's summary, so the name matches (s10 via keywords... ) come first
    assert [h.service_id for h in store.search("户口")][0] != "s02"


def test_apply_changes_from_another_version_is_refused_and_changes_nothing():
    store = small_store()
    before = _state(store)
    with pytest.raises(StorageError, match="version"):
        store.apply_changes(CatalogChanges("v0", "v2", deleted_services=("s01",)))
    assert _state(store) == before


def test_apply_changes_deleting_a_category_that_keeps_services_is_rolled_back():
    store = small_store()
    before = _state(store)
    with pytest.raises(StorageError):
        store.apply_changes(CatalogChanges("v1", "v2", deleted_categories=("hukou",)))
    assert _state(store) == before


def test_a_snapshot_naming_a_service_twice_is_refused():
    store = small_store()
    dup = CatalogSnapshot("v9", CATEGORIES, (SERVICES[0], SERVICES[0]))
    with pytest.raises(StorageError):
        store.replace_all(dup)
    assert store.version == "v1"


def test_a_second_connection_keeps_searching_the_old_catalogue_during_a_replace(
        tmp_path, monkeypatch):
    path = tmp_path / "catalogue.db"
    writer = small_store(open_database(path))
    reader = CatalogStore(open_database(path))
    seen_mid_write = []
    original = search_index.add

    def add_then_look(db, entries):
        count = original(db, entries)
        seen_mid_write.append((reader.version, [h.service_id for h in reader.search("户口")][:2]))
        return count

    monkeypatch.setattr(search_index, "add", add_then_look)
    writer.replace_all(NEW_SNAPSHOT)
    assert seen_mid_write == [("v1", ["s01", "s02"])]
    assert reader.version == "v2" and reader.search("户口") == []


# --- migration 2 and the sync ETag ----------------------------------------------------------
def _v1_database(path):
    """A catalogue file as the first release wrote it: schema 1 only, guides without the
    fields added since."""
    from offline.migrations import migrate

    db = open_database(path)
    migrate(db, catalogue_module.MIGRATIONS[:1], scope=catalogue_module.SCOPE)
    old_guide = ('{"conditions": ["本区户籍居民"], "materials": ["居民身份证原件"], "fees": "免费", '
                 '"time_limit": "即时办结", "where_when": [{"name": "长宁区政务服务中心", '
                 '"address": "长宁路 599 号", "hours": "9:00-17:00"}], "video_url": null}')
    with db.conn:
        db.execute("INSERT INTO categories VALUES ('hukou', '户籍', 1)")
        db.execute("INSERT INTO services VALUES ('s01', 'hukou', '户口登记', '新生儿户口申报', 1, 0, "
                   "?, '[\"户口\"]', 0)", (old_guide,))
        db.execute("INSERT INTO centres VALUES ('c1', '长宁区政务服务中心', '长宁路 599 号', "
                   "'9:00-17:00', 31.22, 121.42)")
        db.execute("INSERT INTO help_answers VALUES ('a1', '忘记带身份证怎么办？', '请携带户口簿。')")
        db.execute("INSERT INTO catalog_meta VALUES ('version', '7')")
        search_index.add(db, [search_index.IndexEntry("s01", "户口登记", "新生儿户口申报 户口")])
    db.conn.close()


def test_a_version_1_database_upgrades_to_version_2_and_keeps_its_catalogue(tmp_path):
    from offline.migrations import applied

    path = tmp_path / "old.db"
    _v1_database(path)
    store = CatalogStore(open_database(path))
    assert [(a.number, a.name) for a in applied(store._db, "catalogue")] == [
        (m.number, m.name) for m in catalogue_module.MIGRATIONS]
    assert store.version == "7" and store.etag == ""
    assert store.categories() == [Category("hukou", "户籍", 1, icon="", department="")]
    svc = store.service("s01")
    assert svc.guide.materials == ("居民身份证原件",) and svc.keywords == ("户口",)
    assert svc.guide.where_when == (GuideCentre("长宁区政务服务中心", "长宁路 599 号", "9:00-17:00"),)
    assert (svc.guide.department, svc.guide.time_limit_days) == ("", None)
    assert store.centres() == [Centre("c1", "长宁区政务服务中心", "长宁路 599 号", "9:00-17:00",
                                      31.22, 121.42, phone="", kind="service_centre")]
    assert store.answers() == [HelpAnswer("a1", "忘记带身份证怎么办？", "请携带户口簿。", topic="")]
    assert store.search("hkdj")[0].service_id == "s01"
    # the new columns take new data
    store.replace_all(CatalogSnapshot("8", (Category("hukou", "户籍", 1, "hukou", "公安分局"),), (),
                                      (Centre("p", "中洪村服务站", "中洪村", "全天", 30.8, 121.2,
                                              "021-1", "village_station"),),
                                      (HelpAnswer("a2", "问", "答", "身份"),)))
    assert store.categories()[0].department == "公安分局"
    assert store.centres()[0].kind == "village_station" and store.answers()[0].topic == "身份"
    assert integrity_ok(store._db)


def test_the_sync_etag_is_written_with_the_version_and_forgotten_by_a_change_set():
    store = CatalogStore(open_database(":memory:"))
    store.replace_all(SNAPSHOT, synced_at=1.0, etag='"catalogue-v1"')
    assert (store.version, store.etag) == ("v1", '"catalogue-v1"')
    store.mark_synced(2.0)
    assert store.etag == '"catalogue-v1"'
    store.apply_changes(CatalogChanges("v1", "v2", deleted_services=("s13",)))
    assert (store.version, store.etag) == ("v2", "")  # the old ETag named version v1
    store.apply_changes(CatalogChanges("v2", "v3"), etag='W/"v3"')
    assert (store.version, store.etag) == ("v3", 'W/"v3"')
    store.replace_all(SNAPSHOT)
    assert (store.version, store.etag) == ("v1", "")


def test_a_failed_replace_keeps_the_previous_version_and_etag_together(monkeypatch):
    store = CatalogStore(open_database(":memory:"))
    store.replace_all(SNAPSHOT, synced_at=1.0, etag='"catalogue-v1"')
    monkeypatch.setattr(search_index, "add", lambda *a, **k: (_ for _ in ()).throw(OSError("x")))
    with pytest.raises(OSError):
        store.replace_all(NEW_SNAPSHOT, synced_at=2.0, etag='"catalogue-v2"')
    assert (store.version, store.etag, store.last_sync_at) == ("v1", '"catalogue-v1"', 1.0)
