"""The case list query: SQL filtering and sorting over row keys."""

from __future__ import annotations

import sqlite3

from workstation.app import Core
from workstation.domain.case_list import CaseListQuery, CaseSort
from workstation.persistence.case_list import SqlCaseListSource

from .case_rows import insert_cases


def test_filter_sort_and_fetch(core: Core) -> None:
    insert_cases(core.database.path, 500)
    source = SqlCaseListSource(core.database.engine)
    everything = source.keys(CaseListQuery())
    assert len(everything) == 500
    with sqlite3.connect(core.database.path) as conn:
        expected = {
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM cases WHERE case_number LIKE '%占%' OR title LIKE '%占%' "
                "OR party_names LIKE '%占%'"
            )
        }
    assert set(source.keys(CaseListQuery(text="占"))) == expected
    by_party = source.keys(CaseListQuery(sort=CaseSort.PARTY, descending=False))
    rows = source.rows(by_party)
    names = [rows[k].party_names for k in by_party]
    assert names == sorted(names)
    decided = source.keys(CaseListQuery(stage="decided"))
    assert all(r.stage == "decided" for r in source.rows(decided).values())


def test_empty_values_sort_last_both_ways(core: Core) -> None:
    insert_cases(core.database.path, 300)
    source = SqlCaseListSource(core.database.engine)
    for descending in (False, True):
        keys = source.keys(CaseListQuery(sort=CaseSort.NUMBER, descending=descending))
        rows = source.rows(keys)
        numbers = [rows[k].case_number for k in keys]
        first_empty = numbers.index("") if "" in numbers else len(numbers)
        assert first_empty < len(numbers)  # some cases have no 案号 yet
        assert all(n == "" for n in numbers[first_empty:])
        assert all(n for n in numbers[:first_empty])


def test_like_wildcards_in_the_filter_are_literal(core: Core) -> None:
    insert_cases(core.database.path, 50)
    source = SqlCaseListSource(core.database.engine)
    assert source.keys(CaseListQuery(text="%")) == []
    assert source.keys(CaseListQuery(text="_")) == []
