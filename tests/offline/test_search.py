"""Catalogue search: Chinese of any length, full pinyin, pinyin prefixes, initials, ranking."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offline.catalogue import CatalogSnapshot, CatalogStore, Category, Service
from offline.db import integrity_ok, open_database
from offline.pinyin_names import full_pinyin, initials
from offline.search_index import normalise
from tests.offline.test_catalogue import small_store


@pytest.fixture(scope="module")
def store() -> CatalogStore:
    return small_store()


def ids(store, query, limit=20):
    return [h.service_id for h in store.search(query, limit)]


def test_two_character_chinese_finds_names_starting_with_it_first(store):
    # 户口登记 / 户口迁移 start with 户口; 户籍证明开具 only mentions it in summary/keywords.
    assert ids(store, "户口")[:2] == ["s01", "s02"]
    assert "s10" in ids(store, "户口")


def test_yibao_in_chinese_ranks_starting_names_before_names_containing_it(store):
    # 医保报销 starts with 医保 and beats the longer 居民医保参保登记, which contains it;
    # 异地就医备案 only has 医保 in its summary and comes last.
    assert ids(store, "医保") == ["s04", "s03", "s12"]


def test_single_character_finds_every_name_containing_it_shortest_first(store):
    found = ids(store, "证")
    assert set(found[:3]) == {"s06", "s10", "s13"}  # names with 证 before summaries with 证
    assert found[0] == "s06"  # 居住证办理 (5 chars) is the shortest name containing 证


def test_initials_find_the_exact_service_first(store):
    assert ids(store, "hkdj")[0] == "s01"
    assert ids(store, "HKDJ")[0] == "s01"
    assert store.search("hkdj")[0].tier == 0 and store.search("hkdj")[0].matched_on == "initials"


def test_initials_in_the_middle_of_a_name_match_at_a_syllable(store):
    # yb: 医保报销 starts with y b; 居民医保参保登记 and 异地就医备案 have y b later on
    found = ids(store, "yb")
    assert found[0] == "s04" and set(found[1:3]) == {"s03", "s12"}
    assert [h.tier for h in store.search("yb")][:3] == [1, 2, 2]


@pytest.mark.parametrize("query", ["hukou", "hu kou", "HuKou", "huk", "hukoudengji",
                                   "hu kou deng ji"])
def test_full_pinyin_and_pinyin_prefixes_find_hukou(store, query):
    assert ids(store, query)[0] in {"s01", "s02"}
    assert set(ids(store, query)[:2]) <= {"s01", "s02"}


def test_full_pinyin_of_a_whole_name_is_an_exact_match(store):
    hit = store.search("hu kou deng ji")[0]
    assert (hit.service_id, hit.tier, hit.matched_on) == ("s01", 0, "pinyin")


def test_exact_name_beats_a_longer_name_starting_with_it():
    db = open_database(":memory:")
    s = CatalogStore(db)
    cat = (Category("c", "类"),)
    s.replace_all(CatalogSnapshot("v", cat, (
        Service("a", "c", "结婚登记补领"), Service("b", "c", "结婚登记"),
        Service("c", "c", "补办结婚登记证"), Service("d", "c", "婚姻", "结婚登记说明"))))
    assert ids(s, "结婚登记") == ["b", "a", "c", "d"]
    assert [h.tier for h in s.search("结婚登记")] == [0, 1, 2, 4]


def test_a_name_starting_with_the_query_beats_a_shorter_name_containing_it():
    s = CatalogStore(open_database(":memory:"))
    s.replace_all(CatalogSnapshot("v", (Category("c", "类"),), (
        Service("short", "c", "新生儿户口"), Service("long", "c", "户口登记信息变更申请"))))
    assert ids(s, "户口") == ["long", "short"]
    assert ids(s, "hk") == ["long", "short"]  # initials: start of name before a later syllable


def test_a_query_whose_bigrams_all_appear_in_a_name_matches_below_contiguous_ones():
    s = CatalogStore(open_database(":memory:"))
    s.replace_all(CatalogSnapshot("v", (Category("c", "类"),), (
        Service("a", "c", "医保参保登记"), Service("b", "c", "医保登记查询"))))
    # 医保 / 保登 / 登记 are all in 医保参保登记 although 医保登记 is not written there
    assert [(h.service_id, h.tier) for h in s.search("医保登记")] == [("b", 1), ("a", 3)]
    assert s.search("参保医保") == []  # 保医 is in neither name


def test_polyphonic_place_and_service_words_read_correctly():
    assert full_pinyin("长宁区", " ") == "chang ning qu"
    assert full_pinyin("长者", " ") == "zhang zhe"
    assert full_pinyin("重庆市", " ") == "chong qing shi"
    assert full_pinyin("银行还款", " ") == "yin hang huan kuan"
    assert full_pinyin("住房公积金提取") == "zhufanggongjijintiqu"
    assert initials("长宁区长者照护服务申请") == "cnqzzzhfwsq"


def test_polyphonic_names_are_found_by_their_correct_pinyin(store):
    assert ids(store, "changning")[0] == "s09"
    assert ids(store, "zhangzhe")[0] == "s09"
    assert ids(store, "zhangning") == []


def test_summary_and_keywords_match_below_names(store):
    hits = store.search("还贷")
    assert [(h.service_id, h.matched_on) for h in hits] == [("s08", "summary")]


def test_ties_are_broken_by_id_so_results_are_stable():
    s = CatalogStore(open_database(":memory:"))
    s.replace_all(CatalogSnapshot("v", (Category("c", "类"),), tuple(
        Service(f"x{i}", "c", "社保查询") for i in (3, 1, 2))))
    assert ids(s, "社保") == ["x1", "x2", "x3"]


def test_limit_is_respected(store):
    assert len(store.search("登记", limit=2)) == 2
    assert store.search("登记", limit=0) == []


def test_empty_and_punctuation_only_queries_find_nothing(store):
    assert store.search("") == [] and store.search("  ，。！") == []


def test_full_width_and_spaced_queries_are_normalised(store):
    assert normalise("ＨＫＤＪ") == "hkdj" and normalise("户 口") == "户口"
    assert ids(store, "ＨＫＤＪ")[0] == "s01" and ids(store, "户 口")[0] == "s01"


@settings(deadline=None, max_examples=150,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=80), limit=st.integers(min_value=-1, max_value=30))
def test_any_unicode_query_returns_a_list_and_leaves_the_database_intact(store, query, limit):
    hits = store.search(query, limit)
    assert isinstance(hits, list) and len(hits) <= max(limit, 0)
    assert integrity_ok(store._db)


@settings(deadline=None, max_examples=60)
@given(names=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8),
       query=st.text(max_size=6))
def test_arbitrary_names_index_and_search_without_error(names, query):
    s = CatalogStore(open_database(":memory:"))
    s.replace_all(CatalogSnapshot("v", (Category("c", "类"),), tuple(
        Service(f"id{i}", "c", n, n[::-1]) for i, n in enumerate(names))))
    hits = s.search(query)
    assert isinstance(hits, list)
    # a query equal to a (normalisable) name finds that name first
    target = normalise(names[0])
    if target and len(target) <= 64:  # longer queries are cut to 64 characters
        assert normalise(s.search(names[0])[0].name) == target
    assert integrity_ok(s._db)
