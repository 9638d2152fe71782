"""Pinyin for catalogue names: full syllables (no tones) and initials, with polyphone fixes.

pypinyin guesses polyphonic characters from its own phrase list, and for place and
service names it sometimes guesses wrong (长宁区 came out "zhang ning qu"). We do not
touch pypinyin's global dictionaries (`load_phrases_dict` would change every other
caller in the process); instead a pre-pass cuts the text at the longest override phrase
found at each position and only the stretches between overrides go to pypinyin.

Pure functions: nothing blocks, nothing is written; results are cached per text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Place and service-name words whose reading pypinyin gets wrong, or might get wrong
# depending on the neighbouring characters. Values are space-separated syllables.
PHRASE_OVERRIDES: dict[str, str] = {
    "长宁": "chang ning",
    "长者": "zhang zhe",
    "长期": "chang qi",
    "长春": "chang chun",
    "长沙": "chang sha",
    "长安": "chang an",
    "重庆": "chong qing",
    "重新": "chong xin",
    "重大": "zhong da",
    "重点": "zhong dian",
    "重度": "zhong du",
    "行政": "xing zheng",
    "银行": "yin hang",
    "行业": "hang ye",
    "单位": "dan wei",
    "朝阳": "chao yang",
    "调解": "tiao jie",
    "调动": "diao dong",
    "还款": "huan kuan",
    "会计": "kuai ji",
    "住房公积金": "zhu fang gong ji jin",
    "公积金": "gong ji jin",
    "补发": "bu fa",
    "发放": "fa fang",
    "参保": "can bao",
    "参加": "can jia",
    "乐业": "le ye",
    "音乐": "yin yue",
    "省长": "sheng zhang",
    "村长": "cun zhang",
    "处理": "chu li",
    "办事处": "ban shi chu",
    "传染": "chuan ran",
    "着装": "zhuo zhuang",
    "便民": "bian min",
    "种植": "zhong zhi",
    "数据": "shu ju",
    "血液": "xue ye",
    "都市": "du shi",
    "首都": "shou du",
}

_MAX_PHRASE = max(len(p) for p in PHRASE_OVERRIDES)
# A run of Latin letters or digits stays one token ("ETC", "12345"), lower-cased.
_LATIN = re.compile(r"[a-z0-9]+")


def _is_han(ch: str) -> bool:
    return ("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
            or "\U00020000" <= ch <= "\U0003134f")


@lru_cache(maxsize=65536)
def syllables(text: str) -> tuple[str, ...]:
    """Pinyin syllables of `text` without tones, lower case; ü written "v" (pypinyin's default).

    Han characters become one syllable each; runs of Latin letters/digits stay one token;
    everything else (punctuation, spaces, other scripts) is dropped.
    """
    text = text.lower()
    out: list[str] = []
    pending: list[str] = []  # Han text between overrides, converted together for context

    def flush() -> None:
        if pending:
            out.extend(s.lower() for s in lazy_pinyin("".join(pending), style=Style.NORMAL))
            pending.clear()

    i = 0
    while i < len(text):
        ch = text[i]
        if _is_han(ch):
            for size in range(min(_MAX_PHRASE, len(text) - i), 1, -1):
                reading = PHRASE_OVERRIDES.get(text[i:i + size])
                if reading is not None:
                    flush()
                    out.extend(reading.split())
                    i += size
                    break
            else:
                pending.append(ch)
                i += 1
            continue
        flush()
        match = _LATIN.match(text, i)
        if match:
            out.append(match.group())
            i = match.end()
        else:
            i += 1
    flush()
    # lazy_pinyin passes through Han characters it has no reading for; keep only a-z0-9.
    return tuple(s for s in (re.sub(r"[^a-z0-9]", "", s) for s in out) if s)


def full_pinyin(text: str, sep: str = "") -> str:
    """"户口登记" -> "hukoudengji" (or "hu kou deng ji" with sep=" ")."""
    return sep.join(syllables(text))


def initials(text: str) -> str:
    """"户口登记" -> "hkdj": the first letter of every syllable (or token)."""
    return "".join(s[0] for s in syllables(text))
