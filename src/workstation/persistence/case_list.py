"""The case list in SQL: filtering and sorting by the database, rows fetched by key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

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


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlCaseListSource:
    """CaseListSource over the ``cases`` table (its rowid is the row key)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def keys(self, query: CaseListQuery) -> list[int]:
        where = ["1 = 1"]
        params: list[object] = []
        if not query.include_training:
            where.append("is_training = 0")
        if query.text.strip():
            where.append(
                "(case_number LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\' "
                "OR party_names LIKE ? ESCAPE '\\')"
            )
            params.extend([_like(query.text.strip())] * 3)
        if query.stage:
            where.append("stage = ?")
            params.append(query.stage)
        if query.kind:
            where.append("kind = ?")
            params.append(query.kind)
        column = _ORDER[query.sort]
        direction = "DESC" if query.descending else "ASC"
        # empty values (no 案号 yet, no deadline) last whichever way the list is sorted
        empty_last = f"({column} IS NULL OR {column} = '')"
        sql = (
            f"SELECT rowid FROM cases WHERE {' AND '.join(where)} "
            f"ORDER BY {empty_last}, {column} {direction}, rowid {direction}"
        )
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            return [int(r[0]) for r in raw.execute(sql, params)]

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
