"""Index and query terms for Chinese substring search over SQLite FTS5.

Text is normalised (NFKC, lower case) and split into runs of word characters
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

import re
import unicodedata

_WORD = re.compile(
    r"[0-9a-z\u00c0-\u024f\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+"
)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[str]:
    """Runs of word characters of the normalised text."""
    return _WORD.findall(normalise(text))


def index_body(text: str) -> str:
    """The FTS5 body for ``text``: bigrams of each run plus the run's last character."""
    tokens: list[str] = []
    for run in runs(text):
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        tokens.append(run[-1])
    return " ".join(tokens)


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
