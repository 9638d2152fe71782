"""Catalogue sync against the real demonstration platform: full, change sets, not modified,
fall-backs, faults, and search on what arrived."""

from __future__ import annotations

import threading

import pytest

from common.errors import StorageError
from demo_platform import Faults
from kiosk.catalogue_mapping import CatalogueFormatError
from kiosk.catalogue_sync import CatalogueSync, SyncResult, store_at
from kiosk.platform_client import PlatformClient
from kiosk.platform_errors import PlatformUnavailableError, TerminalAuthError
from offline.catalogue import CatalogSnapshot, CatalogStore, Category
from offline.db import integrity_ok, open_database
from tests.kiosk.conftest import settings_for, start_platform

CHANGES = "/api/v1/catalogue/changes"
FULL = "/api/v1/catalogue"
HUKOU_NAMES = {"JS-HJ-001", "JS-HJ-002", "JS-HJ-003", "JS-HJ-005", "JS-HJ-006"}  # 户口...


def ids(store: CatalogStore, query: str, limit: int = 20) -> list[str]:
    return [h.service_id for h in store.search(query, limit)]


def state(store: CatalogStore) -> tuple:
    """Everything a resident could see, plus what the next sync starts from."""
    services = [s for c in store.categories() for s in store.services_in(c.id)]
    return (store.version, store.etag, store.last_sync_at, store.counts(), store.categories(),
            services, store.centres(), store.answers(),
            *(ids(store, q) for q in ("户口", "医保", "hkdj", "证")))


def paths(requests) -> list[tuple[str, int | None]]:
    return [(path, status) for _method, path, _query, status in requests]


def new_service(platform, sid: str, name: str, base: str = "JS-HJ-001") -> dict:
    item = dict(platform.store.catalogue_item("service", base))
    item.pop("version")
    return {**item, "id": sid, "name": name, "summary": f"{name}。演示用新事项。"}


# --- first sync, not modified, change sets ----------------------------------------------
def test_first_sync_is_full_and_caches_the_seeded_catalogue(sync, platform, reader, clock):
    result = sync.sync_once()
    assert (result.kind, result.from_version, result.to_version, result.services,
            result.round_trips) == ("full", "", "1", 160, 1)
    assert paths(platform.app.take()) == [(FULL, 200)]
    assert reader.counts() == {"categories": 16, "services": 160, "centres": 16,
                               "help_answers": 15}
    assert (reader.version, reader.etag, reader.last_sync_at) == ("1", '"catalogue-v1"', 1000.0)
    hukou = reader.categories()[0]
    assert (hukou.id, hukou.name, hukou.icon, hukou.department) == (
        "CAT-HJ", "户籍", "hukou", "金山公安分局")
    birth = reader.service("JS-HJ-001")
    assert birth.name == "户口登记（出生）" and birth.online
    assert birth.guide.materials[:3] == ("居民身份证（原件1份）", "居民户口簿（原件1份）",
                                         "出生医学证明（原件1份）")
    assert (birth.guide.department, birth.guide.time_limit, birth.guide.time_limit_days) == (
        "金山公安分局", "即办", 0)
    zhujing = next(w for w in birth.guide.where_when if w.centre_id == "JS-CENTRE-ZHUJING")
    assert zhujing.phone == "021-5731 0001"
    points = {c.id: c for c in reader.centres()}
    assert points["JS-CENTRE-ZHUJING"].phone == "021-5731 0001"
    assert {c.kind for c in points.values()} == {"service_centre", "self_service",
                                                 "village_station", "cross_province"}
    assert reader.answers()[0].topic == "身份"
    assert integrity_ok(reader._db)


def test_a_second_sync_with_nothing_changed_costs_exactly_one_round_trip(sync, platform,
                                                                         reader, clock):
    sync.sync_once()
    platform.app.take()
    clock.now = 2000.0
    result = sync.sync_once()
    assert (result.kind, result.from_version, result.to_version, result.round_trips) == (
        "not_modified", "1", "1", 1)
    assert paths(platform.app.take()) == [(CHANGES, 200)]
    assert (reader.version, reader.etag, reader.last_sync_at) == ("1", '"catalogue-v1"', 2000.0)


def test_a_platform_side_change_arrives_as_a_change_set_and_search_follows(sync, platform,
                                                                           reader):
    sync.sync_once()
    renamed = {**new_service(platform, "JS-HJ-001", "出生户口申报"), "summary": "新生儿落户。"}
    platform.store.change_catalogue(
        upserts=[("service", new_service(platform, "JS-HJ-900", "宅基地建房户口核查")),
                 ("service", renamed),
                 ("help_answer", {"id": "HELP-900", "question": "终端几点开放？",
                                  "answer": "全天24小时。", "topic": "终端"})],
        deletions=[("service", "JS-HJ-003"), ("map_point", "JS-POINT-PINGHU")])
    platform.app.take()
    result = sync.sync_once()
    assert (result.kind, result.from_version, result.to_version, result.services,
            result.round_trips) == ("changes", "1", "2", 160, 1)
    assert paths(platform.app.take()) == [(CHANGES, 200)]  # no full download
    assert reader.version == "2" and reader.etag == ""  # a change set carries no ETag
    assert ids(reader, "宅基地建房")[0] == "JS-HJ-900"
    assert "JS-HJ-003" not in ids(reader, "户口迁出") and reader.service("JS-HJ-003") is None
    assert ids(reader, "出生户口申报")[0] == "JS-HJ-001"
    assert "JS-HJ-001" not in ids(reader, "hkdj")  # the old name's keys are gone
    assert "JS-POINT-PINGHU" not in {c.id for c in reader.centres()}
    assert "HELP-900" in {a.id for a in reader.answers()}
    again = sync.sync_once()
    assert (again.kind, again.round_trips) == ("not_modified", 1)


def test_a_category_and_its_services_deleted_together_leave_the_catalogue(sync, platform,
                                                                         reader):
    sync.sync_once()
    gone = [s["id"] for s in platform.store.catalogue_items("service")
            if s["category_id"] == "CAT-HJ"]
    platform.store.change_catalogue(deletions=[("service", s) for s in gone]
                                    + [("category", "CAT-HJ")])
    assert sync.sync_once().kind == "changes"
    assert "CAT-HJ" not in {c.id for c in reader.categories()}
    assert reader.counts()["services"] == 160 - len(gone)
    assert not set(ids(reader, "户口")) & set(gone)


# --- falling back to the full catalogue --------------------------------------------------
def test_after_the_platform_forgets_its_history_the_sync_takes_the_full_catalogue(
        sync, platform, reader):
    sync.sync_once()
    platform.store.change_catalogue(
        upserts=[("service", new_service(platform, "JS-HJ-901", "农村集体户口证明"))],
        deletions=[("service", "JS-HJ-002")])
    platform.store.compact_changes()
    platform.app.take()
    result = sync.sync_once()
    assert (result.kind, result.from_version, result.to_version, result.round_trips) == (
        "full", "1", "2", 2)
    assert paths(platform.app.take()) == [(CHANGES, 409), (FULL, 200)]
    assert reader.version == "2" and reader.etag == '"catalogue-v2"'
    assert ids(reader, "农村集体户口")[0] == "JS-HJ-901" and reader.service("JS-HJ-002") is None


def test_a_platform_restored_to_an_older_version_is_taken_in_full(tmp_path, catalogue_db,
                                                                  reader):
    first = start_platform(tmp_path / "first.db")
    try:
        for n in range(2):
            first.store.change_catalogue(deletions=[("service", f"JS-HJ-00{n + 1}")])
        with _closing(PlatformClient(settings_for(first))) as client:
            CatalogueSync(client, store_at(catalogue_db)).sync_once()
    finally:
        first.stop()
    assert reader.version == "3"
    restored = start_platform(tmp_path / "restored.db")  # fresh from seed: version 1
    try:
        with _closing(PlatformClient(settings_for(restored))) as client:
            result = CatalogueSync(client, store_at(catalogue_db)).sync_once()
        assert (result.kind, result.from_version, result.to_version) == ("full", "3", "1")
        assert paths(restored.app.take()) == [(CHANGES, 409), (FULL, 200)]
        assert reader.service("JS-HJ-001") is not None and reader.counts()["services"] == 160
    finally:
        restored.stop()


class _closing:
    def __init__(self, client: PlatformClient) -> None:
        self.client = client

    def __enter__(self) -> PlatformClient:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()


class NoHistoryClient(PlatformClient):
    """Talks to a platform that keeps no change history: every change set request is
    answered 409 (a real 409 from the platform, asked from a version it never had)."""

    def catalogue_changes(self, since: int):
        return super().catalogue_changes(10**9)


def test_when_change_sets_are_refused_an_unchanged_catalogue_costs_a_304(platform, catalogue_db,
                                                                        reader, clock):
    client = NoHistoryClient(settings_for(platform))
    sync = CatalogueSync(client, store_at(catalogue_db), clock=clock)
    sync.sync_once()
    platform.app.take()
    clock.now = 3000.0
    result = sync.sync_once()
    assert (result.kind, result.to_version, result.round_trips) == ("not_modified", "1", 2)
    assert paths(platform.app.take()) == [(CHANGES, 409), (FULL, 304)]
    assert reader.last_sync_at == 3000.0 and reader.etag == '"catalogue-v1"'
    client.close()


def test_a_catalogue_loaded_from_elsewhere_is_replaced_with_one_full_download(
        sync, platform, catalogue_db, reader):
    reader.replace_all(CatalogSnapshot("bundled-2026-01", (Category("c", "类"),)))
    result = sync.sync_once()
    assert (result.kind, result.from_version, result.to_version, result.round_trips) == (
        "full", "bundled-2026-01", "1", 1)
    assert paths(platform.app.take()) == [(FULL, 200)]


def test_a_change_set_that_does_not_fit_the_local_data_falls_back_to_the_full_catalogue(
        sync, platform, reader):
    sync.sync_once()
    # The cache has drifted (say, restored from an old backup): CAT-HJ is missing here.
    with reader._db.conn:
        reader._db.execute("DELETE FROM services WHERE category_id = 'CAT-HJ'")
        reader._db.execute("DELETE FROM categories WHERE id = 'CAT-HJ'")
    platform.store.change_catalogue(
        upserts=[("service", new_service(platform, "JS-HJ-902", "户口本页面更正"))])
    platform.app.take()
    result = sync.sync_once()
    assert (result.kind, result.round_trips) == ("full", 2)
    assert paths(platform.app.take()) == [(CHANGES, 200), (FULL, 200)]
    assert reader.counts()["services"] == 161 and ids(reader, "户口本页面更正")[0] == "JS-HJ-902"


# --- search on the synced demo catalogue ---------------------------------------------------
def test_search_on_the_synced_demo_catalogue_puts_the_right_services_first(sync, reader):
    sync.sync_once()
    assert set(ids(reader, "户口")[:5]) == HUKOU_NAMES  # every name starting with 户口
    assert set(ids(reader, "hukou")[:5]) == HUKOU_NAMES
    assert ids(reader, "户口")[5] == "JS-HJ-004"  # 死亡注销户口: contains it, after them
    # 医保费用零星报销 / 医保电子凭证激活 / 医保个人账户查询 start with 医保;
    # 城乡居民医保参保登记 contains it.
    assert set(ids(reader, "医保")[:3]) == {"JS-YB-002", "JS-YB-004", "JS-YB-007"}
    assert ids(reader, "医保")[3] == "JS-YB-001"
    assert ids(reader, "hkdj")[0] == "JS-HJ-001"  # 户口登记（出生）
    one_char = reader.search("证")
    assert len(one_char) == 20 and all("证" in h.name for h in one_char[:10])
    assert one_char[0].service_id == "JS-HJ-012"  # 居住证办理: shortest name with 证


# --- failures leave the previous catalogue ---------------------------------------------------
FAULTS = {
    "truncated JSON": dict(truncated_rate=1.0),
    "malformed JSON": dict(malformed_rate=1.0),
    "dropped connection": dict(drop_rate=1.0),
    "503": dict(error_rate=1.0),
    "timeout": dict(timeout_rate=1.0, timeout_s=3.0),
}


def _faulty_sync(platform, catalogue_db, fault: str) -> CatalogueSync:
    client = PlatformClient(settings_for(platform, catalogue_timeout_s=0.3, retries=1))
    platform.faults.set(Faults(**FAULTS[fault], only_paths=["/api/v1/catalogue"]))
    return CatalogueSync(client, store_at(catalogue_db))


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_during_a_change_set_sync_keeps_the_previous_catalogue(
        sync, platform, catalogue_db, reader, fault):
    sync.sync_once()
    before = state(reader)
    platform.store.change_catalogue(deletions=[("service", "JS-HJ-001")])
    with pytest.raises(PlatformUnavailableError):
        _faulty_sync(platform, catalogue_db, fault).sync_once()
    assert state(reader) == before and integrity_ok(reader._db)
    assert ids(reader, "hkdj")[0] == "JS-HJ-001"
    platform.faults.clear()
    assert sync.sync_once().kind == "changes" and reader.service("JS-HJ-001") is None


@pytest.mark.parametrize("fault", ["truncated JSON", "dropped connection"])
def test_a_fault_during_the_first_download_leaves_an_empty_store_that_syncs_later(
        sync, platform, catalogue_db, reader, fault):
    with pytest.raises(PlatformUnavailableError):
        _faulty_sync(platform, catalogue_db, fault).sync_once()
    assert reader.version == "" and reader.counts()["services"] == 0
    platform.faults.clear()
    assert sync.sync_once().kind == "full" and reader.counts()["services"] == 160


def test_a_catalogue_outside_the_contract_is_refused_whole_and_names_the_item(
        sync, platform, reader):
    sync.sync_once()
    before = state(reader)
    bad = {**new_service(platform, "JS-HJ-903", "某事项"), "online": "yes"}
    platform.store.change_catalogue(upserts=[("service", bad)])
    platform.store.compact_changes()  # the full snapshot is served as stored, unchecked
    with pytest.raises(CatalogueFormatError) as caught:
        sync.sync_once()
    assert (caught.value.item, caught.value.field) == ("service JS-HJ-903", "online")
    assert state(reader) == before


def test_wrong_terminal_credentials_are_refused_and_change_nothing(platform, catalogue_db,
                                                                   sync, reader):
    sync.sync_once()
    before = state(reader)
    client = PlatformClient(settings_for(platform, token="wrong-token"))
    with pytest.raises(TerminalAuthError):
        CatalogueSync(client, store_at(catalogue_db)).sync_once()
    assert state(reader) == before
    client.close()


def test_a_full_disk_is_a_storage_error_and_keeps_the_previous_catalogue(
        sync, platform, catalogue_db, reader):
    sync.sync_once()
    before = state(reader)
    platform.store.change_catalogue(
        upserts=[("service", new_service(platform, f"JS-HJ-{n}", f"新增事项{n}"))
                 for n in range(910, 990)])

    def tiny_disk() -> CatalogStore:
        store = CatalogStore(open_database(catalogue_db))
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")  # no room to grow
        return store

    client = PlatformClient(settings_for(platform))
    with pytest.raises(StorageError):
        CatalogueSync(client, tiny_disk).sync_once()
    client.close()
    assert state(reader) == before


# --- threads ----------------------------------------------------------------------------------
def test_sync_runs_on_a_worker_thread_while_the_screens_read_their_own_connection(
        sync, platform, reader):
    sync.sync_once()
    platform.store.change_catalogue(
        upserts=[("service", new_service(platform, "JS-HJ-904", "户口信息核对"))])
    results: list[SyncResult | BaseException] = []

    def worker() -> None:
        try:
            results.append(sync.sync_once())
        except BaseException as exc:  # reported below, in the test thread
            results.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    while t.is_alive():
        assert reader.version in ("1", "2") and ids(reader, "户口")  # never half a catalogue
    t.join()
    assert isinstance(results[0], SyncResult) and results[0].kind == "changes"
    assert ids(reader, "户口信息核对")[0] == "JS-HJ-904"
