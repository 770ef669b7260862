"""The case list in SQL: filtering and sorting by the database, rows fetched by key.

The keys of one query come back as JSON arrays (``json_group_array``), one per part of the
order, parsed by :func:`json.loads`: a row object per key costs several times more.

The text filter uses ``case_search``, a trigram index of ``search_text`` (migration
0005_case_search). A query of three characters or more is a phrase of trigrams; a shorter
one is every trigram starting with it (the indexed text ends with two U+001F characters, so
that includes the last one or two characters of the text). Either way the match is exactly
``search_text LIKE '%text%'`` — the text is lower-cased (ASCII) on the way in, as LIKE
compares — which stays the fallback for a query containing U+001F.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from workstation.domain.case_list import CaseListQuery, CaseListRow, CaseSort

_ORDER = {
    CaseSort.NUMBER: "case_number",
    CaseSort.TITLE: "title",
    CaseSort.PARTY: "party_names",
    CaseSort.STAGE: "stage",
    CaseSort.OFFICER: "lead_officer_name",
    CaseSort.DEADLINE: "next_deadline",
    CaseSort.WARNING: "warning_level",
    CaseSort.OPENED: "opened_on",
}

#: Sorts whose empty values (no 案号 yet, no open deadline) come last whichever the direction.
_MAY_BE_EMPTY = frozenset({CaseSort.NUMBER, CaseSort.PARTY, CaseSort.OFFICER, CaseSort.DEADLINE})

#: Ends every text in ``case_search`` (migrations/versions/..._0005_case_search.py).
_PAD = "\x1f"
_TRIGRAM = 3
#: A text filter that may keep more than this share of the cases walks the sort index and
#: tests each key against the matches; a narrower one sorts its matches.
_BROAD = 0.5
#: Below this many possible matches, the text index finds a stage's matches without asking
#: how many cases the stage has.
_FEW = 1000


def search_text(case_number: str | None, title: str, party_names: str) -> str:
    """What the list's filter searches: kept in ``cases.search_text`` by whoever writes a case."""
    return " ".join(p for p in (case_number or "", title, party_names) if p).lower()


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True, slots=True)
class _Match:
    """The rowids of the cases a text filter keeps, as an SQL condition."""

    condition: str
    params: tuple[object, ...]
    #: At most this many cases match; None for LIKE, which tests each case it is given.
    bound: int | None


def _broad(raw: sqlite3.Connection, bound: int) -> bool:
    total = raw.execute("SELECT max(rowid) FROM cases").fetchone()[0] or 0
    return bool(bound > _BROAD * total)


def _stage_count(raw: sqlite3.Connection, query: CaseListQuery) -> int:
    return int(
        raw.execute(
            "SELECT count(*) FROM cases WHERE is_training = ? AND stage = ?",
            (1 if query.include_training else 0, query.stage),
        ).fetchone()[0]
    )


def _like_match(text: str) -> _Match:
    return _Match("search_text LIKE ? ESCAPE '\\'", (_like(text),), None)


def _text_match(raw: sqlite3.Connection, text: str) -> _Match:
    if _PAD in text:
        return _like_match(text)
    if len(text) >= _TRIGRAM:
        phrase = '"' + text.replace('"', '""') + '"'
        # Every match holds every trigram of the text: the rarer of the first and last bounds it.
        ends = (text[:_TRIGRAM], text[-_TRIGRAM:])
        (bound,) = raw.execute(
            "SELECT min(doc) FROM case_search_counts WHERE term IN (?, ?)", ends
        ).fetchone()
        return _Match(
            "rowid IN (SELECT rowid FROM case_search WHERE case_search MATCH ?)", (phrase,), int(bound or 0)
        )
    # Every trigram starting with the text (terms are exactly three characters long).
    first, last = text, text + "\U0010ffff" * (_TRIGRAM - len(text))
    (bound,) = raw.execute(
        "SELECT sum(doc) FROM case_search_counts WHERE term >= ? AND term <= ?", (first, last)
    ).fetchone()
    return _Match(
        "rowid IN (SELECT doc FROM case_search_terms WHERE term >= ? AND term <= ?)",
        (first, last),
        int(bound or 0),
    )


@dataclass(slots=True)
class _Parts:
    """SELECTs of row keys whose results, one after another, are the list in order."""

    selects: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)

    def add(self, select: str, params: Sequence[object]) -> None:
        self.selects.append(select)
        self.params.extend(params)

    def run(self, raw: sqlite3.Connection) -> list[int]:
        columns = ", ".join(f"(SELECT json_group_array(rowid) FROM ({s}))" for s in self.selects)
        found = raw.execute(f"SELECT {columns}", self.params).fetchone()
        if len(found) == 1:
            only: list[int] = json.loads(found[0])
            return only
        keys: list[int] = []
        for part in found:
            keys.extend(json.loads(part))
        return keys


class SqlCaseListSource:
    """CaseListSource over the ``cases`` table (its rowid is the row key)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def keys(self, query: CaseListQuery) -> list[int]:
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            return _plan(raw, query).run(raw)

    def rows(self, keys: Sequence[int]) -> dict[int, CaseListRow]:
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            found = raw.execute(
                "SELECT rowid, id, COALESCE(case_number, ''), title, party_names, stage, lead_officer_name, "
                f"next_deadline, warning_level, kind FROM cases WHERE rowid IN ({marks})",
                list(keys),
            ).fetchall()
        return {
            int(r[0]): CaseListRow(
                key=int(r[0]),
                case_id=str(r[1]),
                case_number=str(r[2]),
                title=str(r[3]),
                party_names=str(r[4]),
                stage=str(r[5]),
                lead_officer_name=str(r[6]),
                next_deadline=dt.date.fromisoformat(str(r[7])) if r[7] else None,
                warning_level=int(r[8]),
                kind=str(r[9]),
            )
            for r in found
        }


def _plan(raw: sqlite3.Connection, query: CaseListQuery) -> _Parts:
    text = query.text.strip().lower()
    if not text:
        if query.stage or query.kind:
            return _sorted_matches(query, None)
        return _index_walk(query, None)
    match = _text_match(raw, text)
    bound = match.bound
    if bound:
        if query.stage and bound > _FEW and bound > _stage_count(raw, query):
            # The stage has fewer cases than the text may match: test each of those.
            return _sorted_matches(query, _like_match(text))
        if _broad(raw, bound):
            # Most cases match: testing each one as the list is read in order beats looking
            # each match up to sort it (a sort with empty values last is a scan and a sort).
            if query.stage or query.kind or query.sort in _MAY_BE_EMPTY:
                return _sorted_matches(query, _like_match(text))
            return _index_walk(query, match)
    return _sorted_matches(query, match)


def _index_walk(query: CaseListQuery, match: _Match | None) -> _Parts:
    """Walk the (is_training, column) index in order (a text filter tests each key as it goes).

    Empty values last: the non-empty ones are two ranges of the index (numbers sort before
    text; NULL is in neither) in sort order, then the NULLs and empty strings by key.
    """
    column = _ORDER[query.sort]
    direction = "DESC" if query.descending else "ASC"
    where = "is_training = ?"
    params: list[object] = [1 if query.include_training else 0]
    if match is not None:
        where += f" AND {match.condition}"
        params.extend(match.params)
    parts = _Parts()
    order = f"ORDER BY {column} {direction}, rowid {direction}"
    if query.sort not in _MAY_BE_EMPTY:
        parts.add(f"SELECT rowid FROM cases WHERE {where} {order}", params)
        return parts
    numbers = f"SELECT rowid FROM cases WHERE {where} AND {column} < '' {order}"
    texts = f"SELECT rowid FROM cases WHERE {where} AND {column} > '' {order}"
    for select in (texts, numbers) if query.descending else (numbers, texts):
        parts.add(select, params)
    parts.add(
        f"SELECT rowid FROM cases WHERE {where} AND {column} IS NULL UNION ALL "
        f"SELECT rowid FROM cases WHERE {where} AND {column} = '' ORDER BY 1 {direction}",
        params + params,
    )
    return parts


def _sorted_matches(query: CaseListQuery, match: _Match | None) -> _Parts:
    """Find the matches first, then sort them.

    The matches come from the text index, else the (is_training, stage) index, else a scan of
    the table; unary + keeps SQLite from walking another index instead and looking up every
    case to test it.
    """
    column = _ORDER[query.sort]
    direction = "DESC" if query.descending else "ASC"
    where: list[str] = []
    params: list[object] = []
    indexed = match is not None and match.bound is not None
    if match is not None:
        where.append(match.condition)
        params.extend(match.params)
    by_stage = bool(query.stage) and not indexed
    where.append("is_training = ?" if by_stage else "+is_training = ?")
    params.append(1 if query.include_training else 0)
    if query.stage:
        where.append("stage = ?" if by_stage else "+stage = ?")
        params.append(query.stage)
    if query.kind:
        where.append("kind = ?")
        params.append(query.kind)
    if query.sort in _MAY_BE_EMPTY:
        empty = f"({column} IS NULL OR {column} = '')"
        order = f"{empty}, CASE WHEN {empty} THEN NULL ELSE {column} END {direction}, rowid {direction}"
    else:
        order = f"+{column} {direction}, rowid {direction}"
    parts = _Parts()
    parts.add(f"SELECT rowid FROM cases WHERE {' AND '.join(where)} ORDER BY {order}", params)
    return parts
