"""Index and query terms for Chinese substring search over SQLite FTS5.

Text is normalised (full-width letters and digits folded, lower case) and split into runs of word characters
(CJK ideographs, letters, digits). Each run is indexed as its overlapping
two-character pieces followed by its last character alone:

    行政处罚  ->  行政 政处 处罚 罚

A query run of two or more characters becomes an FTS5 phrase of its bigrams
(consecutive tokens, so exactly the substring), and a single character becomes
a prefix query (``"拆"*``), which matches every bigram starting with it and the
lone last character of a run. Within word runs this is the same as a plain
substring scan, for any length: 100% recall, no false hits. (A trigram index
cannot serve one- and two-character terms, and SQLite 3.40's trigram LIKE misses
two-character Chinese terms.)
"""

from __future__ import annotations

import operator
import re

_WORD = re.compile(
    r"[0-9a-z\u00c0-\u024f\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+"
)


#: Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) to ASCII; the only NFKC folding that
#: matters for word characters, done without normalising whole texts.
_FULL_WIDTH = {
    cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}


_HAS_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def normalise(text: str) -> str:
    if _HAS_FULL_WIDTH.search(text):
        text = text.translate(_FULL_WIDTH)
    return text.lower()


def runs(text: str) -> list[str]:
    """Runs of word characters of the normalised text."""
    return _WORD.findall(normalise(text))


def index_body(text: str) -> str:
    """The FTS5 body for ``text``: bigrams of each run plus the run's last character."""
    pieces: list[str] = []
    for run in runs(text):
        if len(run) > 1:
            pieces.append(" ".join(map(operator.add, run, run[1:])))
        pieces.append(run[-1])
    return " ".join(pieces)


def term_expression(term: str) -> str | None:
    """The FTS5 expression matching ``term`` as a substring; None when it has no word characters."""
    parts = []
    for run in runs(term):
        if len(run) == 1:
            parts.append(f'"{run}"*')
        else:
            parts.append('"' + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + '"')
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def contains(text: str, term: str) -> bool:
    """The substring semantics the index implements (for checks and snippets)."""
    normalised = normalise(text)
    return all(run in normalised for run in runs(term))
