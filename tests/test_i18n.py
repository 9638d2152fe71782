"""Every resident-facing string is in the gettext catalogue, and zh_CN translates all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kiosk.i18n import Translator, catalogue_path, load_translations

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("**.py", "python"), ("**.kv", "kiosk.kv_extract.extract_kv")]
KEYWORDS = {"tr": None, "N_": None}
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def source_messages() -> set[str]:
    found: set[str] = set()
    for folder in ("kiosk", "screens"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
                ROOT / folder, METHODS, keywords=KEYWORDS):
            found.add(message)
    return found


def zh_catalogue():
    with catalogue_path("zh_CN").open("rb") as fh:
        return read_po(fh, locale="zh_CN")


def test_source_has_resident_facing_messages():
    messages = source_messages()
    assert "Home" in messages and "Senior mode: on" in messages
    assert len(messages) >= 20


def test_zh_cn_translates_every_source_message():
    catalogue = zh_catalogue()
    missing = sorted(m for m in source_messages()
                     if m not in catalogue or not catalogue[m].string or catalogue[m].fuzzy)
    assert missing == [], f"untranslated in zh_CN: {missing}"


def test_zh_cn_has_no_stale_messages():
    source = source_messages()  # once: extracting per message took minutes
    stale = sorted(m.id for m in zh_catalogue() if m.id and m.id not in source)
    assert stale == [], f"no longer in the source: {stale}"


def test_translations_keep_their_placeholders():
    for message in zh_catalogue():
        if message.id:
            assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id


def test_chinese_and_english_translations_load():
    translator = Translator(("zh_CN", "en"))
    assert translator.gettext_for("zh_CN")("Home") == "首页"
    assert translator.gettext_for("en")("Home") == "Home"
    assert translator.next_language("zh_CN") == "en"
    assert translator.next_language("en") == "zh_CN"


def test_a_missing_catalogue_is_reported_not_hidden():
    from kiosk.i18n import CatalogueError

    with pytest.raises(CatalogueError):
        load_translations("fr")


def test_compiled_catalogue_matches_its_po_file():
    import gettext

    with catalogue_path("zh_CN", ".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    expected = {m.id: m.string for m in zh_catalogue() if m.id and m.string and not m.fuzzy}
    actual = {msgid: compiled.gettext(msgid) for msgid in expected}
    assert actual == expected, "run: .venv/bin/pybabel compile -d kiosk/locale -D kiosk"
    assert len(compiled._catalog) - 1 == len(expected)  # - the header entry


def test_a_damaged_compiled_catalogue_is_reported(tmp_path, monkeypatch):
    from kiosk import i18n

    good = catalogue_path("zh_CN", ".mo").read_bytes()
    damaged = tmp_path / "zh_CN" / "LC_MESSAGES" / "kiosk.mo"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(good[:40])
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    with pytest.raises(i18n.CatalogueError):
        load_translations("zh_CN")
