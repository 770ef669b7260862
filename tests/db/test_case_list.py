"""The case list query: SQL filtering and sorting over row keys."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from workstation.app import Core
from workstation.domain.case_list import CaseListQuery, CaseSort
from workstation.domain.cases import CaseKind, CaseSource
from workstation.persistence import case_list
from workstation.persistence.case_list import SqlCaseListSource
from workstation.services.cases import NewCaseSpec

from .case_rows import insert_cases

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
RESTAURANT = "fd2f6168-66e1-5b4b-a1bd-1d86e71bb09b"  # 榕溪镇某某餐饮店（示例）


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


# ------------------------------------------------------------------ the text index (0005_case_search)

#: Queries of every length the index answers differently: one or two characters (trigrams
#: starting with them), three or more (a phrase of trigrams); CJK, ASCII in either case,
#: spaces, FTS and LIKE syntax, and the pad character (LIKE).
QUERIES = (
    "张",
    "王五",
    "张王",
    "某",
    "五",
    "立",
    "榕罚",
    "榕罚立",
    "张王某",
    "占道经营",
    "第12号",
    "〕第1",
    "2024",
    "号 占",
    "营 张",
    "执法",
    "zzz",
    "x",
    "ab",
    "AB",
    "abc",
    "ABC 王",
    "b c",
    "c",
    '"',
    'a"b',
    "%",
    "_",
    "\\",
    "a%b",
    "a_b",
    "*",
    "OR",
    "-",
    "a\x1fb",
    "\x1f",
    "（示例）",
    "示例）",
    "）",
    "aaaa",  # a phrase of the same trigram twice
    "aaa",
    "aa",
    "äb",  # LIKE folds ASCII only
    "Äb",
    "xä",
)


def _like_reference(path: Path, text: str, training: int = 0) -> set[int]:
    """The rows the filter kept before the index: LIKE over ``search_text``."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with sqlite3.connect(path) as conn:
        return {
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM cases WHERE is_training = ? AND search_text LIKE ? ESCAPE '\\'",
                (training, f"%{escaped}%"),
            )
        }


def _odd_cases(path: Path) -> None:
    """Cases whose text ends in a short query, mixes ASCII case, or holds query syntax."""
    texts = [
        "王五",  # the whole text is two characters
        "五",
        "榕罚立字〔2025〕第7号 违法建设 李王五",  # a two-character query at the very end
        "abc def ABC",  # upper case ASCII kept as written: LIKE ignores ASCII case
        "AB",
        'say "a"b" 100% a_b a\\b',
        "x",
        "ab c*d or - （示例）",
        "xaaay aaa",
        "Äb xä",
        "",
    ]
    with sqlite3.connect(path) as conn:
        agency = conn.execute("SELECT agency_id FROM cases LIMIT 1").fetchone()[0]
        for n, text in enumerate(texts):
            conn.execute(
                "INSERT INTO cases (id, agency_id, kind, title, source, stage, opened_on, search_text, "
                "created_at, updated_at) VALUES (?, ?, 'ordinary', '占道经营', 'patrol', 'filed', "
                "'2026-01-01', ?, '2026-01-01', '2026-01-01')",
                (f"odd-{n}", agency, text),
            )


def test_the_text_index_keeps_the_rows_like_kept(core: Core) -> None:
    insert_cases(core.database.path, 400)
    _odd_cases(core.database.path)
    source = SqlCaseListSource(core.database.engine)
    for text in QUERIES:
        expected = _like_reference(core.database.path, text.strip().lower())  # "\x1f" is a space
        assert set(source.keys(CaseListQuery(text=text))) == expected, text
        assert set(source.keys(CaseListQuery(text=text, sort=CaseSort.NUMBER))) == expected, text
    assert _like_reference(core.database.path, "王五")  # the cases above are there to be found
    assert len(source.keys(CaseListQuery(text="ABC"))) == 1  # "abc def ABC"
    assert len(source.keys(CaseListQuery(text="ab"))) == 3
    assert source.keys(CaseListQuery(text="  张王 ")) == source.keys(CaseListQuery(text="张王"))


def test_a_two_character_chinese_query_is_found_anywhere_in_the_text(core: Core) -> None:
    insert_cases(core.database.path, 30)
    _odd_cases(core.database.path)
    source = SqlCaseListSource(core.database.engine)
    found = source.rows(source.keys(CaseListQuery(text="王五")))
    assert sorted(r.case_id for r in found.values()) == ["odd-0", "odd-2"]
    assert {r.case_id for r in source.rows(source.keys(CaseListQuery(text="五"))).values()} >= {
        "odd-0",
        "odd-1",
        "odd-2",
    }


def _reference_keys(path: Path, query: CaseListQuery) -> list[int]:
    """The list as one plain SQL query: what every plan of SqlCaseListSource must return."""
    column = {
        CaseSort.NUMBER: "case_number",
        CaseSort.TITLE: "title",
        CaseSort.PARTY: "party_names",
        CaseSort.STAGE: "stage",
        CaseSort.OFFICER: "lead_officer_name",
        CaseSort.DEADLINE: "next_deadline",
        CaseSort.WARNING: "warning_level",
        CaseSort.OPENED: "opened_on",
    }[query.sort]
    direction = "DESC" if query.descending else "ASC"
    where = ["is_training = ?"]
    params: list[object] = [int(query.include_training)]
    if query.text.strip():
        escaped = query.text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("search_text LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    if query.stage:
        where.append("stage = ?")
        params.append(query.stage)
    empty = (
        f"({column} IS NULL OR {column} = '')"
        if query.sort in (CaseSort.NUMBER, CaseSort.PARTY, CaseSort.OFFICER, CaseSort.DEADLINE)
        else "(rowid IS NULL)"  # never
    )
    with sqlite3.connect(path) as conn:
        return [
            r[0]
            for r in conn.execute(
                f"SELECT rowid FROM cases WHERE {' AND '.join(where)} ORDER BY {empty}, "
                f"CASE WHEN {empty} THEN NULL ELSE {column} END {direction}, rowid {direction}",
                params,
            )
        ]


@pytest.mark.parametrize("few", [case_list._FEW, 0])
@pytest.mark.parametrize("sort", list(CaseSort))
def test_every_plan_gives_the_same_order_as_plain_sql(
    core: Core, sort: CaseSort, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_list, "_FEW", few)  # 0: a stage's cases are counted for any text
    path = core.database.path
    insert_cases(path, 300)
    _odd_cases(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE cases SET is_training = 1 WHERE rowid % 10 = 3")
        conn.execute("UPDATE cases SET next_deadline = 20260105 WHERE rowid % 50 = 7")  # a number
        conn.execute("UPDATE cases SET lead_officer_name = '' WHERE rowid % 9 = 1")
    source = SqlCaseListSource(core.database.engine)
    # No text; a narrow, a broad (most 案号), an empty and a LIKE-only text; with and without a stage.
    for text in ("", "张王", "张", "榕罚", "罚立字", "zzz", "a\x1fb"):
        for stage in ("", "decided", "clue"):
            for descending in (True, False):
                for training in (False, True):
                    query = CaseListQuery(
                        text=text, stage=stage, sort=sort, descending=descending, include_training=training
                    )
                    assert source.keys(query) == _reference_keys(path, query), query


def test_cases_written_after_the_migration_are_found(core: Core) -> None:
    path = core.database.path
    insert_cases(path, 50)
    source = SqlCaseListSource(core.database.engine)
    assert source.keys(CaseListQuery(text="擅自占用绿地")) == []
    with sqlite3.connect(path) as conn:
        agency = conn.execute("SELECT agency_id FROM cases LIMIT 1").fetchone()[0]
        conn.execute(
            "INSERT INTO cases (id, agency_id, kind, title, source, stage, opened_on, search_text, "
            "created_at, updated_at) VALUES ('new', ?, 'ordinary', '擅自占用绿地', 'patrol', 'clue', "
            "'2026-01-01', '擅自占用绿地 欧阳某', '2026-01-01', '2026-01-01')",
            (agency,),
        )
        key = conn.execute("SELECT rowid FROM cases WHERE id = 'new'").fetchone()[0]
    for text in ("擅自占用绿地", "绿地", "欧阳某", "某", "占用绿"):
        assert key in source.keys(CaseListQuery(text=text)), text

    with sqlite3.connect(path) as conn:  # 立案: the 案号 joins the text, 当事人 changes
        conn.execute(
            "UPDATE cases SET search_text = '榕罚立字〔2026〕第99号 擅自占用绿地 诸葛某', stage = 'filed' "
            "WHERE id = 'new'"
        )
    assert source.keys(CaseListQuery(text="第99号")) == [key]
    assert source.keys(CaseListQuery(text="诸葛某")) == [key]
    assert key not in source.keys(CaseListQuery(text="欧阳某"))
    with sqlite3.connect(path) as conn:  # other columns change: the text is untouched
        conn.execute("UPDATE cases SET warning_level = 2 WHERE id = 'new'")
    assert source.keys(CaseListQuery(text="第99号")) == [key]

    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM cases WHERE id = 'new'")
    assert source.keys(CaseListQuery(text="第99号")) == []
    assert source.keys(CaseListQuery(text="诸葛某")) == []
    with sqlite3.connect(path) as conn:  # the index still agrees with itself
        conn.execute("INSERT INTO case_search (case_search, rank) VALUES ('integrity-check', 0)")


def test_cases_written_by_the_case_service_are_found(core: Core) -> None:
    core.office.seed_demo()
    spec = NewCaseSpec(
        kind=CaseKind.ORDINARY,
        title="擅自设置户外广告",
        source=CaseSource.PATROL,
        opened_on=dt.date(2026, 3, 2),
        actor_id=LEAD,
        party_ids=(RESTAURANT,),
        officer_ids=(LEAD, SECOND),
        data={"clue_received_on": "2026-03-02"},
    )
    case_id = core.cases.new_case(spec).value.case.id
    source = SqlCaseListSource(core.database.engine)

    def found(text: str) -> set[str]:
        return {r.case_id for r in source.rows(source.keys(CaseListQuery(text=text))).values()}

    assert case_id in found("户外广告")
    assert case_id in found("广告")
    assert case_id in found("餐饮店")
    assert case_id not in found("罚立字")
    filed = core.cases.act(case_id, "file", {"act_date": "2026-02-25"}, LEAD, dt.date(2026, 3, 5)).value
    assert filed.case.case_number
    assert case_id in found(filed.case.case_number)
    assert case_id in found("罚立字")


def test_a_filter_nothing_matches_is_empty_for_every_sort(core: Core) -> None:
    insert_cases(core.database.path, 100)
    source = SqlCaseListSource(core.database.engine)
    for sort in CaseSort:
        for text in ("无此", "无此当事人", "q"):
            assert source.keys(CaseListQuery(text=text, sort=sort)) == []
            assert source.keys(CaseListQuery(text=text, sort=sort, stage="decided")) == []
