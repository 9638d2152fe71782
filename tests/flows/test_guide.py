"""办事指南 and 跨省通办 from a catalogue synced from the real demo platform: navigation,
paging, guide content, the phone QR code, pinyin search, the service map, the empty
catalogue, and the guide with the platform stopped."""

from __future__ import annotations

import pytest

from demo_platform import DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN, create_app, start_in_thread
from kiosk.catalogue_sync import CatalogueSync, store_at
from kiosk.flows.base import HOME
from kiosk.flows.cross_province import CrossProvinceFlow
from kiosk.flows.guide import GuideFlow, State
from kiosk.flows.guide_render import GUIDE_URL_BASE
from kiosk.flows.view import MAX_CHOICES, NEXT_PAGE, PREVIOUS_PAGE
from kiosk.platform_client import ClientSettings, PlatformClient
from offline.catalogue import CatalogStore
from offline.db import open_database
from tests.flows.conftest import choice_ids, tr_of


def synced_store(base_url: str, path) -> CatalogStore:
    client = PlatformClient(ClientSettings(base_url, DEMO_TERMINAL_ID, DEMO_TERMINAL_TOKEN,
                                           retries=0, backoff_s=0.01))
    try:
        CatalogueSync(client, store_at(path)).sync_once()
    finally:
        client.close()
    return CatalogStore(open_database(path))


@pytest.fixture(scope="module")
def store(platform, tmp_path_factory):
    s = synced_store(platform.base_url, tmp_path_factory.mktemp("cat") / "catalogue.db")
    yield s
    s.close()


@pytest.fixture
def guide(ctx, store):
    ctx.catalogue = lambda: store
    flow = GuideFlow(ctx)
    flow.start()
    return flow


@pytest.fixture
def cross(ctx, store):
    ctx.catalogue = lambda: store
    flow = CrossProvinceFlow(ctx)
    flow.start()
    return flow


def show(flow):
    return flow.view(tr_of(flow.ctx))


def text_of(view) -> str:
    return "\n".join([view.title, view.instruction]
                     + [f"{line.label} {line.text}" for line in view.lines]
                     + [c.label for c in view.choices + view.actions]
                     + ([view.notice.text] if view.notice else []))


def walk_pages(flow) -> list[str]:
    """Every choice id on every page of the list shown, paging forward to the end."""
    seen: list[str] = []
    while True:
        view = show(flow)
        assert len(view.choices) <= MAX_CHOICES
        seen += [c.id for c in view.choices if c.id not in (NEXT_PAGE, PREVIOUS_PAGE)]
        if NEXT_PAGE not in choice_ids(view):
            return seen
        flow.choose(NEXT_PAGE)


# --- browsing -------------------------------------------------------------------------
def test_categories_page_through_all_sixteen_with_search_and_map_always_offered(guide,
                                                                                 store):
    view = show(guide)
    assert view.title == "办事指南"
    assert {"guide:search", "guide:map"} <= {a.id for a in view.actions}
    assert [c.label for c in view.choices[:5]] == ["户籍", "社会保险", "医疗保障", "民政",
                                                     "残疾人服务"]
    ids = walk_pages(guide)
    assert ids == [f"guide:category:{c.id}" for c in store.categories()]
    assert len(ids) == 16
    last = guide.page
    assert last > 0
    guide.choose(PREVIOUS_PAGE)
    assert guide.page == last - 1


def test_a_category_lists_its_services_paged_and_back_returns_to_the_same_page(guide, store):
    guide.choose(NEXT_PAGE)
    page = guide.page
    hukou = "guide:category:CAT-HJ"
    guide.choose(PREVIOUS_PAGE)
    guide.choose(hukou)
    view = show(guide)
    assert view.title == "户籍"
    assert walk_pages(guide) == [f"guide:service:{s.id}" for s in store.services_in("CAT-HJ")]
    assert guide.back() is True
    assert guide.state is State.CATEGORIES and guide.page == 0
    guide.choose(NEXT_PAGE)
    assert guide.page == page
    guide.choose(show(guide).choices[1].id)  # a category on the second page
    assert guide.state is State.SERVICES
    guide.choose("guide:categories")
    assert guide.state is State.CATEGORIES and guide.page == page
    assert guide.back() is False  # the first step: the screen leaves the flow


def test_the_guide_shows_conditions_materials_fees_time_places_online_and_department(guide):
    guide.choose("guide:category:CAT-HJ")
    guide.choose("guide:service:JS-HJ-001")
    view = show(guide)
    text = text_of(view)
    assert view.title == "户口登记（出生）"
    for part in ("本区常住户口居民或其法定监护人",                       # conditions
                 "1. 居民身份证（原件1份）", "3. 出生医学证明（原件1份）",   # materials
                 "免费", "即办", "金山公安分局",                             # fees, time, dept
                 "朱泾镇社区事务受理服务中心", "朱泾镇人民路180号（演示地址）",
                 "周一至周五 8:30-17:00，周六 9:00-12:00", "021-5731 0001",
                 "在线申请"):                                               # online: where
        assert part in text, part
    labels = {line.label for line in view.lines}
    assert {"办理部门", "收费标准", "办理时限", "地址", "办公时间", "联系电话"} <= labels
    assert view.qr == GUIDE_URL_BASE + "JS-HJ-001"
    assert view.qr == "https://zwfw.example.gov.cn/guide/JS-HJ-001"
    assert "手机" in view.instruction  # says what the code is for
    assert HOME in choice_ids(view)
    assert guide.rating_subject() == {"flow": "guide", "service_id": "JS-HJ-001"}
    guide.choose("guide:list")
    assert guide.state is State.SERVICES


def test_a_service_not_online_says_where_to_go_instead(guide, store):
    offline_only = next(s for c in store.categories() for s in store.services_in(c.id)
                        if not s.online)
    guide.choose(f"guide:category:{offline_only.category_id}")
    guide.choose(f"guide:service:{offline_only.id}")
    text = text_of(show(guide))
    assert "不能在网上办理" in text and "在线申请" not in text


def test_the_service_map_lists_every_point_with_hours_and_address(guide, store):
    guide.choose("guide:map")
    view = show(guide)
    text = text_of(view)
    assert view.title == "服务地图"
    for centre in store.centres():
        assert centre.name in text and centre.address in text and centre.hours in text
    assert "24小时自助服务区" in text and "跨省通办窗口" in text
    assert HOME in choice_ids(view)
    assert guide.back() is True and guide.state is State.CATEGORIES


# --- search ---------------------------------------------------------------------------
def type_text(flow, letters: str) -> None:
    for ch in letters:
        flow.type_key(ch)


def test_initials_hkdj_show_the_birth_registration_first_and_open_its_guide(guide):
    guide.choose("guide:search")
    view = show(guide)
    assert view.widget == "keyboard" and view.choices == ()
    assert choice_ids(view) == ["guide:categories"]  # never a view without a way on
    type_text(guide, "hkdj")
    view = show(guide)
    assert guide.query == "hkdj" and "hkdj" in view.instruction
    assert view.choices[0].id == "guide:service:JS-HJ-001"
    assert view.choices[0].label == "户口登记（出生）"
    guide.choose(view.choices[0].id)
    assert show(guide).title == "户口登记（出生）"
    guide.back()
    assert guide.state is State.SEARCH and guide.query == "hkdj"  # the query is kept


@pytest.mark.parametrize("query", ["hukou", "户口"])
def test_pinyin_and_chinese_show_the_best_hukou_service_first(guide, store, query):
    guide.choose("guide:search")
    if query.isascii():
        type_text(guide, query)
    else:
        guide.query = query  # the keyboard types letters; the search takes Chinese too
    view = show(guide)
    best = store.search(query, 5)[0]
    assert best.name.startswith("户口")
    assert view.choices[0].id == f"guide:service:{best.service_id}"
    assert all(c.label.startswith("户口") or "户口" in c.label for c in view.choices[:5])


def test_matches_show_as_you_type_five_then_all_matches_paged(guide, store):
    guide.choose("guide:search")
    guide.type_key("h")
    view = show(guide)
    hits = store.search("h", 60)
    assert [c.id for c in view.choices[:5]] == [f"guide:service:{h.service_id}"
                                                for h in hits[:5]]
    assert view.choices[5].id == "guide:all_matches"
    assert str(len(hits)) in view.choices[5].label
    guide.type_key("k")
    narrowed = show(guide)
    assert len(store.search("hk", 60)) < len(hits) and narrowed.choices != view.choices
    guide.backspace()
    guide.choose("guide:all_matches")
    listed = show(guide)
    assert listed.widget == "" and "guide:keyboard" in choice_ids(listed)
    assert walk_pages(guide) == [f"guide:service:{h.service_id}" for h in hits]
    guide.choose(show(guide).choices[1].id)
    assert guide.state is State.GUIDE
    guide.back()
    assert guide.state is State.RESULTS
    guide.back()
    assert guide.state is State.SEARCH and guide.query == "h"


def test_elderly_mode_shows_one_match_under_the_larger_keyboard(guide, ctx):
    ctx.session.set_elderly(True)
    guide.choose("guide:search")
    type_text(guide, "hk")
    assert choice_ids(show(guide)) == ["guide:service:JS-HJ-003", "guide:all_matches"]


def test_backspace_clear_space_and_no_match_are_calm(guide):
    guide.choose("guide:search")
    type_text(guide, "HK")   # upper case is taken as lower case
    guide.type_key("1")      # not a letter: ignored
    guide.type_key(" ")
    guide.type_key(" ")      # no double spaces
    assert guide.query == "hk "
    guide.backspace()
    assert guide.query == "hk"
    type_text(guide, "zzzz")
    view = show(guide)
    assert view.choices == () and view.notice is not None
    assert "没有" in view.notice.text
    guide.clear_query()
    assert guide.query == "" and show(guide).notice is None
    guide.back()
    assert guide.state is State.CATEGORIES
    guide.type_key("a")  # keys outside the search view do nothing
    assert guide.query == ""


def test_session_end_forgets_the_query_and_the_place(guide):
    guide.choose("guide:search")
    type_text(guide, "hkdj")
    guide.wipe()
    assert guide.query == "" and guide.state is State.CATEGORIES


# --- cross-province --------------------------------------------------------------------
def test_cross_province_lists_its_services_and_opens_the_shared_guide(cross, store):
    view = show(cross)
    assert view.title == "跨省通办"
    assert "平湖市行政服务中心跨省通办窗口" in text_of(view)
    ids = walk_pages(cross)
    assert ids == [f"cross:service:{s.id}" for s in store.cross_province_services()]
    assert len(ids) == 29 and "cross:service:JS-YB-003" in ids
    cross.choose("cross:service:JS-YB-003")
    view = show(cross)
    assert view.title == "异地就医备案"
    assert view.qr == GUIDE_URL_BASE + "JS-YB-003"
    assert "跨省" in text_of(view)
    assert cross.back() is True and cross.back() is False


# --- no catalogue, no platform ----------------------------------------------------------
@pytest.mark.parametrize("flow_class", [GuideFlow, CrossProvinceFlow])
def test_never_synced_says_guides_are_not_available_yet_and_offers_home(ctx, tmp_path,
                                                                       flow_class):
    empty = CatalogStore(open_database(tmp_path / "empty.db"))
    try:
        ctx.catalogue = lambda: empty
        flow = flow_class(ctx)
        flow.start()
        view = show(flow)
        assert "暂时" in view.notice.text and "工作人员" in view.instruction
        assert choice_ids(view) == [HOME]
        ctx.catalogue = lambda: None
        assert choice_ids(show(flow)) == [HOME]
    finally:
        empty.close()


def test_the_guide_and_search_work_with_the_platform_stopped(ctx, tmp_path):
    handle = start_in_thread(create_app(tmp_path / "platform.db"))
    store = synced_store(handle.base_url, tmp_path / "catalogue.db")
    handle.stop()
    try:
        ctx.catalogue = lambda: store
        flow = GuideFlow(ctx)
        flow.start()
        flow.choose("guide:search")
        type_text(flow, "hkdj")
        flow.choose(show(flow).choices[0].id)
        view = show(flow)
        assert view.title == "户口登记（出生）" and "居民户口簿" in text_of(view)
        assert view.notice is None
    finally:
        store.close()
