"""The case list in SQL: filtering and sorting by the database, rows fetched by key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

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


_MAY_BE_EMPTY = frozenset({CaseSort.NUMBER, CaseSort.PARTY, CaseSort.OFFICER, CaseSort.DEADLINE})


def search_text(case_number: str | None, title: str, party_names: str) -> str:
    """What the list's filter searches: kept in ``cases.search_text`` by whoever writes a case."""
    return " ".join(p for p in (case_number or "", title, party_names) if p).lower()


def _key_list(raw: Any, select: str, params: Sequence[object]) -> list[int]:
    """The keys a SELECT returns, as one string from SQLite (a row object per key costs more)."""
    joined = raw.execute(f"SELECT group_concat(rowid) FROM ({select})", params).fetchone()[0]
    return [int(k) for k in joined.split(",")] if joined else []


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlCaseListSource:
    """CaseListSource over the ``cases`` table (its rowid is the row key)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def keys(self, query: CaseListQuery) -> list[int]:
        # With a text filter, scan the table once (unary + keeps SQLite from using an index for
        # is_training and then looking up every row to test the filter).
        where = ["+is_training = ?" if query.text.strip() else "is_training = ?"]
        params: list[object] = [1 if query.include_training else 0]
        if query.text.strip():
            where.append("search_text LIKE ? ESCAPE '\\'")
            params.append(_like(query.text.strip().lower()))
        if query.stage:
            where.append("stage = ?")
            params.append(query.stage)
        if query.kind:
            where.append("kind = ?")
            params.append(query.kind)
        column = _ORDER[query.sort]
        if query.text.strip():
            # A text filter keeps few rows: scan and sort those (unary + stops SQLite from walking the
            # sort index and looking up every row to test the filter).
            column = f"+{column}"
        direction = "DESC" if query.descending else "ASC"
        condition = " AND ".join(where)
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            if query.sort not in _MAY_BE_EMPTY:
                return _key_list(
                    raw,
                    f"SELECT rowid FROM cases WHERE {condition} "
                    f"ORDER BY {column} {direction}, rowid {direction}",
                    params,
                )
            # Empty values (no 案号 yet, no open deadline) last whichever way the list is sorted:
            # two index walks instead of one sort over an expression.
            keys = _key_list(
                raw,
                f"SELECT rowid FROM cases WHERE {condition} AND {column} IS NOT NULL AND {column} != '' "
                f"ORDER BY {column} {direction}, rowid {direction}",
                params,
            )
            keys.extend(
                _key_list(
                    raw,
                    f"SELECT rowid FROM cases WHERE {condition} AND ({column} IS NULL OR {column} = '') "
                    f"ORDER BY rowid {direction}",
                    params,
                )
            )
            return keys

    def rows(self, keys: Sequence[int]) -> dict[int, CaseListRow]:
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            found = raw.execute(
                "SELECT rowid, id, COALESCE(case_number, ''), title, party_names, stage, lead_officer_name, "
                f"next_deadline, warning_level FROM cases WHERE rowid IN ({marks})",
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
            )
            for r in found
        }
