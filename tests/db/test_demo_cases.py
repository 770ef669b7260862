"""The demo seed's cases over the real database: cases at many stages, 示例, seeded once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from workstation.app import Core, build_core
from workstation.domain.clock import FixedClock
from workstation.paths import DataPaths
from workstation.persistence.models import CaseRow

TODAY = dt.date(2026, 11, 26)
LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）


@pytest.fixture
def fixed_core(data_paths: DataPaths) -> Iterator[Core]:
    opened = build_core(data_paths, clock=FixedClock(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)))
    yield opened
    opened.close()


def _rows(core: Core) -> list[CaseRow]:
    with core.database.engine.connect() as conn:
        return list(conn.execute(select(CaseRow).order_by(CaseRow.opened_on)).all())  # type: ignore[arg-type]


def test_demo_seed_adds_cases_at_different_stages_once(fixed_core: Core) -> None:
    core = fixed_core
    first = core.office.seed_demo(with_cases=True).value
    assert first.cases == 9
    assert first.as_dict()["cases"] == 9
    rows = _rows(core)
    assert len(rows) == 9
    assert all(r.title.endswith("（示例）") for r in rows)
    stages = {(r.kind, r.stage) for r in rows}
    assert {
        ("ordinary", "clue"),
        ("ordinary", "investigation"),
        ("ordinary", "notified"),
        ("ordinary", "closed"),
        ("ordinary", "archived"),
        ("simple", "decided"),
        ("coercive", "closed"),
        ("inspection", "rectify"),
    } <= stages
    closed = next(r for r in rows if r.stage == "closed" and r.kind == "ordinary")
    assert closed.closed_on is not None
    assert "首违不罚" in closed.title
    notified = next(r for r in rows if r.stage == "notified")
    assert notified.next_deadline is not None
    assert 0 <= (notified.next_deadline - TODAY).days <= 7
    for case_id in (r.id for r in rows):
        assert core.cases.verify_log(case_id).value.ok

    second = core.office.seed_demo(with_cases=True).value
    assert second.cases == 0
    assert second.changed == 0
    assert len(_rows(core)) == 9


def test_seed_without_cases_adds_none(fixed_core: Core) -> None:
    report = fixed_core.office.seed_demo().value
    assert report.cases == 0
    assert _rows(fixed_core) == []


def test_summary_shows_tasks_deadlines_and_stage_counts(fixed_core: Core) -> None:
    core = fixed_core
    core.office.seed_demo(with_cases=True)
    summary = core.office.summary().value
    assert summary.case_count == 9
    assert sum(s.count for s in summary.stage_counts) == 9
    labels = {s.label: s.count for s in summary.stage_counts}
    assert labels["普通程序·调查取证"] == 2
    assert labels["普通程序·结案"] == 1
    assert len(summary.my_tasks) == 6  # every open case when no one is logged in
    assert all(c.stage not in ("closed", "archived") for c in summary.my_tasks)
    due = summary.due_soon
    assert due and due[0].stage == "notified"
    assert [c.next_deadline for c in due] == sorted(c.next_deadline for c in due if c.next_deadline)
    mine = core.office.summary(LEAD).value.my_tasks
    assert mine and all(c.lead_officer_id == LEAD for c in mine)
    assert len(mine) < len(summary.my_tasks)


def test_demo_seed_with_the_discretion_service_stores_the_sample_benchmarks_once(fixed_core: Core) -> None:
    from workstation.services.demo import seed_demo

    core = fixed_core
    first = seed_demo(core.uow, discretion=lambda: core.discretion, today=TODAY).value
    assert first.benchmarks == 2
    assert first.items == 35  # 5 demo 事项 and the 30 of the sample benchmark
    assert first.as_dict()["benchmarks"] == 2
    assert core.office.summary().value.item_count == first.items  # what self-test compares
    assert [s.code for s in core.discretion.items("zdjy").value] == ["ZB-001"]
    second = seed_demo(core.uow, discretion=lambda: core.discretion, today=TODAY).value
    assert second.changed == 0
    assert second.benchmarks == 2 and second.items == 35
