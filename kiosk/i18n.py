"""Resident-facing text through gettext catalogues kept as Babel ``.po`` files.

Source strings are English; ``kiosk/locale/zh_CN/LC_MESSAGES/kiosk.po`` translates every one
of them (a test checks it is complete). The kiosk loads the compiled ``kiosk.mo`` beside it
with the standard library (Babel at start-up cost ~20 ms); a test fails when the ``.mo`` no
longer matches its ``.po`` (``pybabel compile -d kiosk/locale -D kiosk`` after editing).
Mark strings with ``tr("...")`` in Python and ``app.tr("...")`` in ``.kv`` rules;
``N_("...")`` marks a string for extraction where it is translated later.
"""

from __future__ import annotations

import gettext
import logging
import struct
from pathlib import Path

from common.errors import KioskError

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kiosk"
SOURCE_LANGUAGE = "en"

# What the language button shows for each language, in that language.
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


class CatalogueError(KioskError):
    """A translation catalogue is missing or cannot be parsed (a packaging fault)."""


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


def catalogue_path(language: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def load_translations(language: str) -> gettext.NullTranslations:
    """Translations for ``language`` from its compiled ``.mo``; the source language needs none.

    Raises `CatalogueError` when the catalogue is missing or malformed: a packaging fault
    to report, not to hide behind English.
    """
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    path = catalogue_path(language, ".mo")
    try:
        with path.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    except (OSError, struct.error, UnicodeDecodeError) as exc:
        raise CatalogueError(f"translation catalogue {path} unusable: {exc}") from exc


class Translator:
    """Holds the catalogues of the offered languages; ``gettext_for(lang)`` for screens."""

    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages
        self._translations = {lang: load_translations(lang) for lang in languages}

    def gettext_for(self, language: str):
        """The ``gettext`` function of ``language`` (KeyError if it is not offered)."""
        return self._translations[language].gettext

    def next_language(self, current: str) -> str:
        """The language the language button switches to from ``current``."""
        i = self.languages.index(current)
        return self.languages[(i + 1) % len(self.languages)]
