"""CaseService over the real database: an ordinary case from 线索 to 事先告知, one event per change."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from workstation.app import Core
from workstation.domain.case_ports import CaseListColumns
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.record import ConcurrentEdit
from workstation.domain.workflow import ActionRefused
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.cases import SqlCaseStore
from workstation.persistence.models import (
    CaseEventRow,
    CaseOfficerRow,
    CasePartyRow,
    CaseRow,
    NumberSequenceRow,
)
from workstation.persistence.numbering import allocate
from workstation.services.cases import NewCaseSpec, agency_short_name

D = dt.date
LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
REVIEWER = "14b192db-916d-58a7-86a9-b2fcb2a0598b"  # 郑雅琴（示例）
RESTAURANT = "fd2f6168-66e1-5b4b-a1bd-1d86e71bb09b"  # 榕溪镇某某餐饮店（示例）
AGENCY = "e52cfba8-c375-5761-8c48-e9745d174700"


def _spec(title: str = "占道经营") -> NewCaseSpec:
    return NewCaseSpec(
        kind=CaseKind.ORDINARY,
        title=title,
        source=CaseSource.PATROL,
        opened_on=D(2026, 3, 2),
        actor_id=LEAD,
        party_ids=(RESTAURANT,),
        officer_ids=(LEAD, SECOND),
        data={"clue_received_on": "2026-03-02"},
    )


def _count(core: Core, stmt: object) -> int:
    with core.database.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())  # type: ignore[call-overload]


def _events(core: Core, case_id: str) -> int:
    return _count(core, select(func.count()).select_from(CaseEventRow).where(CaseEventRow.case_id == case_id))


@pytest.fixture
def seeded(core: Core) -> Core:
    core.office.seed_demo()
    return core


def test_agency_short_name() -> None:
    assert agency_short_name("榕溪镇人民政府（示例）") == "榕溪镇"
    assert agency_short_name("人民政府") == "人民政府"


def test_an_ordinary_case_from_clue_to_prior_notice(seeded: Core) -> None:
    core = seeded
    created = core.cases.new_case(_spec()).value
    case_id = created.case.id
    assert created.case.stage == "clue"
    assert created.case.case_number is None
    assert created.case.officer_ids == (LEAD, SECOND)
    assert {a.code for a in created.actions} == {"file", "decline"}
    assert _events(core, case_id) == 1
    assert _count(core, select(func.count()).select_from(CasePartyRow)) == 1
    assert _count(core, select(func.count()).select_from(CaseOfficerRow)) == 2

    steps: list[tuple[str, dict[str, object], str, D]] = [
        ("file", {"act_date": "2026-02-25"}, LEAD, D(2026, 3, 5)),
        ("collect_evidence", {"evidence_kinds": ["documentary", "record"]}, LEAD, D(2026, 3, 9)),
        ("conclude", {"outcome": "penalty", "penalty_types": ["fine"], "fine": "2000"}, LEAD, D(2026, 3, 20)),
        ("legal_review", {"review_opinion": "同意"}, REVIEWER, D(2026, 3, 23)),
        ("notify", {"hearing_right_notified": True}, LEAD, D(2026, 3, 24)),
    ]
    version = created.case.row_version
    for n, (action, inputs, actor, day) in enumerate(steps, start=2):
        view = core.cases.act(case_id, action, inputs, actor, day, expected_version=version).value
        assert view.case.row_version == version + 1
        version = view.case.row_version
        assert _events(core, case_id) == n  # exactly one event per action
    assert view.case.stage == "notified"

    # The 案号: issued once, at 立案, the first serial of the year, and not again afterwards.
    number = view.case.case_number
    assert number == "榕溪镇罚立字〔2026〕第1号"
    assert view.case.data["filed_on"] == "2026-03-05"
    with core.database.engine.connect() as conn:
        last = conn.execute(
            select(NumberSequenceRow.last).where(
                NumberSequenceRow.agency_id == AGENCY, NumberSequenceRow.kind == "case"
            )
        ).scalar_one()
        row = conn.execute(select(CaseRow).where(CaseRow.id == case_id)).one()
    assert last == 1
    assert row.party_names == "榕溪镇某某餐饮店（示例）"
    assert row.lead_officer_name == "林建华（示例）"
    assert row.next_deadline == D(2026, 3, 27)  # 陈述申辩期限 (three working days)
    assert "榕溪镇罚立字〔2026〕第1号" in row.search_text
    assert "占道经营" in row.search_text

    events = SqlCaseEventStore(core.database.engine).events(case_id)
    assert [e.action for e in events] == ["create", *[s[0] for s in steps]]
    filed = events[1]
    assert ("case_number", None, number) in [(c.field, c.old, c.new) for c in filed.changes]
    assert all(c.field != "case_number" for e in events[2:] for c in e.changes)

    # A second case filed the same year takes the next serial.
    second = core.cases.new_case(_spec("擅自搭建设施")).value
    filed_second = core.cases.act(second.case.id, "file", {"act_date": "2026-03-01"}, LEAD, D(2026, 3, 6))
    assert filed_second.value.case.case_number == "榕溪镇罚立字〔2026〕第2号"

    report = core.cases.verify_log(case_id).value
    assert report.ok
    assert report.count == len(steps) + 1

    shown = core.cases.show(number, D(2026, 3, 25)).value  # found by 案号 too
    assert shown.case.id == case_id
    actions = {a.code: a for a in shown.actions}
    assert {"hear_statement", "request_hearing", "decide"} <= set(actions)
    decide = actions["decide"]
    assert not decide.enabled
    assert decide.problems
    assert all(p.rule and p.message and p.citation for p in decide.problems)
    assert any("行政处罚法" in p.citation for p in decide.problems)
    assert {d.name for d in shown.deadlines} == {"decision", "statement", "hearing_request"}
    shown_dict = shown.as_dict()
    assert shown_dict["case_number"] == number
    assert shown_dict["actions"][0]["problems"] is not None


def test_a_refused_action_writes_nothing(seeded: Core) -> None:
    core = seeded
    case_id = core.cases.new_case(_spec()).value.case.id
    before = core.cases.show(case_id, D(2026, 3, 5)).value.case
    with pytest.raises(ActionRefused) as refused:
        core.cases.act(case_id, "notify", {}, LEAD, D(2026, 3, 5))
    assert refused.value.problems[0].rule == "STAGE"
    assert "线索登记" in refused.value.message
    with pytest.raises(ActionRefused) as role:
        core.cases.act(case_id, "file", {"act_date": "2026-02-25"}, REVIEWER, D(2026, 3, 5))
    assert role.value.problems[0].rule == "ROLE"
    after = core.cases.show(case_id, D(2026, 3, 5)).value.case
    assert after == before
    assert _events(core, case_id) == 1
    assert _count(core, select(func.count()).select_from(NumberSequenceRow)) == 0


def test_a_stale_row_version_raises_concurrent_edit(seeded: Core) -> None:
    core = seeded
    created = core.cases.new_case(_spec()).value
    case_id = created.case.id
    core.cases.act(case_id, "file", {"act_date": "2026-02-25"}, LEAD, D(2026, 3, 5))
    with pytest.raises(ConcurrentEdit):
        core.cases.act(
            case_id,
            "collect_evidence",
            {"evidence_kinds": ["documentary"]},
            LEAD,
            D(2026, 3, 9),
            expected_version=created.case.row_version,
        )
    assert _events(core, case_id) == 2

    engine = core.database.engine
    store = SqlCaseStore(engine, SqlCaseEventStore(engine), allocate)
    with store.transaction() as tx:
        stale = tx.load(case_id)
    with store.transaction() as tx:
        current = tx.load(case_id)
        tx.update(replace(current, title="改过的案由"), current.row_version, CaseListColumns())
    with pytest.raises(ConcurrentEdit), store.transaction() as tx:
        tx.update(replace(stale, stage="concluded"), stale.row_version, CaseListColumns())
    with store.transaction() as tx:
        assert tx.load(case_id).stage == "investigation"
