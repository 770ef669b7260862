from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workstation.domain.clock import FixedClock
from workstation.domain.entities import CaseBrief, StageCount
from workstation.domain.errors import InvalidInput
from workstation.services.changes import Topic
from workstation.services.demo import load_demo_cases, load_demo_office, seed_demo
from workstation.services.office import OfficeService

from .fakes import FakeUnitOfWorkFactory


def test_demo_office_is_complete_and_marked_sample() -> None:
    office = load_demo_office()
    assert office.agency.is_sample
    assert "示例" in office.agency.name
    assert len(office.officers) >= 4
    assert all(o.is_sample and "示例" in o.name for o in office.officers)
    assert all(p.is_sample for p in office.parties)
    assert {p.kind.value for p in office.parties} == {"person", "organisation", "other"}
    assert len(office.items) >= 3
    assert all(i.penalty_basis.startswith("《") for i in office.items)


def test_seed_twice_changes_nothing_the_second_time() -> None:
    uow = FakeUnitOfWorkFactory()
    first = seed_demo(uow)
    assert first.value.changed > 0
    assert Topic.OFFICE in first.changes
    assert uow.units[-1].committed
    second = seed_demo(uow)
    assert second.value.changed == 0
    assert not second.changes
    assert len(uow.repo.officer_rows) == first.value.officers


def test_office_summary_flags_expiring_certificates() -> None:
    uow = FakeUnitOfWorkFactory()
    seed_demo(uow)
    service = OfficeService(uow, FixedClock(dt.datetime(2026, 11, 26, 9, 0)), lambda: 60)
    summary = service.summary().value
    expiring = {o.certificate_no for o in summary.expiring_certificates}
    assert "35012100105" in expiring  # valid until 2026-12-19, within 60 days
    assert "35012100101" not in expiring


def test_demo_data_with_a_bad_checksum_is_refused() -> None:
    raw: dict[str, Any] = {
        "agency": {"id": "a", "code": "c", "name": "n", "region_code": "350121"},
        "officers": [],
        "parties": [{"id": "p", "kind": "person", "name": "张三", "id_number": "110105194912310021"}],
        "items": [],
    }
    with pytest.raises(InvalidInput, match="身份证号码校验位错误"):
        load_demo_office(raw)


D = dt.date


def _brief(cid: str, lead: str, due: dt.date | None, stage: str = "investigation") -> CaseBrief:
    return CaseBrief(cid, "ordinary", stage, f"案件{cid}（示例）", lead_officer_id=lead, next_deadline=due)


def test_office_summary_lists_my_tasks_deadlines_and_stages() -> None:
    uow = FakeUnitOfWorkFactory()
    seed_demo(uow)
    uow.repo.cases = [
        _brief("a", "lin", D(2026, 11, 30), "notified"),
        _brief("b", "chen", D(2026, 11, 20)),  # overdue
        _brief("c", "lin", D(2027, 1, 30)),  # far away
        _brief("d", "chen", None, "clue"),
    ]
    uow.repo.stage_counts = [
        StageCount("simple", "decided", 1),
        StageCount("ordinary", "notified", 1),
        StageCount("ordinary", "clue", 1),
        StageCount("ordinary", "investigation", 2),
    ]
    service = OfficeService(uow, FixedClock(dt.datetime(2026, 11, 26, 9, 0)), lambda: 60)

    everyone = service.summary().value
    assert everyone.officer_id is None
    assert [c.id for c in everyone.my_tasks] == ["a", "b", "c", "d"]
    assert [c.id for c in everyone.due_soon] == ["b", "a"]  # overdue first, far deadline left out
    assert everyone.due_days == 7
    assert everyone.due_soon[0].days_left(everyone.today) == -6
    assert everyone.due_soon[1].stage_label == "普通程序·事先告知"
    labels = [(s.label, s.count) for s in everyone.stage_counts]
    assert labels == [
        ("普通程序·线索登记", 1),
        ("普通程序·调查取证", 2),
        ("普通程序·事先告知", 1),
        ("简易程序·当场决定", 1),
    ]

    mine = service.summary("lin").value
    assert mine.officer_id == "lin"
    assert [c.id for c in mine.my_tasks] == ["a", "c"]
    assert [c.id for c in mine.due_soon] == ["b", "a"]  # 近期到期 stays office-wide


def test_demo_cases_cover_the_stages_and_are_marked_sample() -> None:
    cases = load_demo_cases()
    assert len(cases) >= 6
    assert all(c.title.endswith("（示例）") for c in cases)
    actions = {s.action for c in cases for s in c.steps}
    assert {"file", "collect_evidence", "notify", "decide_no_penalty", "close", "decide_on_spot"} <= actions
    assert {"hold_hearing", "apply_court_enforcement", "archive", "seize", "extend", "inspect"} <= actions
    assert any(not c.steps for c in cases)  # a clue only
    assert {c.kind.value for c in cases} == {"ordinary", "simple", "coercive", "inspection"}


def test_demo_cases_must_be_marked_sample() -> None:
    raw: dict[str, Any] = {
        "cases": [{"title": "占道经营", "kind": "ordinary", "source": "patrol", "opened_day": 0, "lead": "x"}]
    }
    with pytest.raises(InvalidInput, match="示例"):
        load_demo_cases(raw)
