"""Finding a 执法事项 by what an officer types: part of its name, its code, a keyword or pinyin initials.

:func:`search_text` builds one lower-cased text per item (stored in ``benchmark_items.search_text``):
the code, the name, the name's words (split at punctuation: 擅自占用城市道路（占道经营） gives
擅自占用城市道路 and 占道经营), the department, the names of the laws in its 违法依据 and 处罚依据
(full and without 中华人民共和国), and the pinyin initials of the whole name, of the name's
words and of the department's words (占道经营 → ``zdjy``). :func:`matches` says whether a query
matches such a text: every whitespace-separated term must be a case-insensitive substring of it.

pypinyin is imported on first use, so importing this module costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from workstation.domain.discretion import ItemEntry

__all__ = ["initials", "keywords", "matches", "search_text"]

_WORD_SPLIT = re.compile(r"[\s（）()、，,；;。：:“”\"《》【】\[\]/·-]+")
_LAW = re.compile(r"《([^《》]+)》")
_PREFIX = "中华人民共和国"


def initials(text: str) -> str:
    """The pinyin initials of the Chinese characters of ``text``, lower-case (占道经营 → zdjy).

    Latin letters and digits are kept as they are (lower-cased); punctuation is dropped.
    """
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    for part in lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chars: chars):
        out.extend(ch for ch in part.lower() if ch.isascii() and ch.isalnum())
    return "".join(out)


def _words(text: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(text) if w]


def _law_names(texts: Iterable[str]) -> list[str]:
    names: list[str] = []
    for text in texts:
        for name in _LAW.findall(text):
            for candidate in (name, name.removeprefix(_PREFIX)):
                if candidate and candidate not in names:
                    names.append(candidate)
    return names


def keywords(item: ItemEntry) -> list[str]:
    """The item's name words, its department (and its words) and the laws of its bases."""
    out: list[str] = []
    for word in (
        *_words(item.name),
        item.department,
        *_words(item.department),
        *_law_names((*item.violation_basis, *item.penalty_basis)),
    ):
        if word and word not in out:
            out.append(word)
    return out


def search_text(item: ItemEntry) -> str:
    """One lower-cased text: code, name, keywords and pinyin initials, separated by spaces."""
    parts = [item.item_code, item.name, *keywords(item)]
    spelled = [initials(item.name), *(initials(w) for w in (*_words(item.name), *_words(item.department)))]
    unique: list[str] = []
    for part in (*parts, *spelled):
        if part and part not in unique:
            unique.append(part)
    return " ".join(unique).lower()


def matches(query: str, text: str) -> bool:
    """True when every term of ``query`` is a case-insensitive substring of ``text`` (empty: all)."""
    haystack = text.lower()
    return all(term in haystack for term in query.lower().split())
