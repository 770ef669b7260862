"""The outbox is written in the same transaction as the case change (persistence/case_events.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from workstation.app import Core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.record import append, canonical_json
from workstation.domain.workflow import ActionRefused
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.models import CaseEventRow, CaseRow, SyncOutboxRow
from workstation.persistence.sync_store import (
    EVENT,
    INFLIGHT,
    PENDING,
    UPSERT,
    SqlSyncStore,
    event_body,
    event_from_body,
)
from workstation.services.cases import NewCaseSpec

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
ZHANG = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）
D = dt.date


@pytest.fixture
def seeded(core: Core) -> Core:
    core.office.seed_demo()
    return core


def new_case(core: Core, title: str = "占道经营", *, training: bool = False) -> str:
    spec = NewCaseSpec(
        kind=CaseKind.ORDINARY,
        title=title,
        source=CaseSource.PATROL,
        opened_on=D(2025, 3, 3),
        actor_id=LEAD,
        party_ids=(ZHANG,),
        officer_ids=(LEAD, SECOND),
        data={},
        is_training=training,
    )
    return core.cases.new_case(spec).value.case.id


def outbox(core: Core, case_id: str | None = None) -> list[SyncOutboxRow]:
    with core.database.engine.connect() as conn:
        query = select(SyncOutboxRow).order_by(SyncOutboxRow.id)
        if case_id is not None:
            query = query.where(SyncOutboxRow.entity_id == case_id)
        return list(conn.execute(query).all())  # type: ignore[arg-type]


def count(core: Core, table: type) -> int:
    with core.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_new_case_queues_its_upsert_and_its_event_in_the_same_transaction(seeded: Core) -> None:
    case_id = new_case(seeded)
    rows = outbox(seeded, case_id)
    assert [(r.operation, r.state) for r in rows] == [(UPSERT, PENDING), (EVENT, PENDING)]
    upsert, event_op = rows
    assert upsert.payload == ""  # the upsert's body is fixed when it is first sent
    stored = SqlCaseEventStore(seeded.database.engine).events(case_id)
    assert event_op.ref_id == stored[0].event_id and event_op.seq == 1
    # the event's body is its canonical JSON, written once, and reads back as the same event
    assert event_op.payload == event_body(stored[0])
    assert event_from_body(event_op.payload) == stored[0]
    assert len({r.op_id for r in rows}) == 2


def test_a_refused_action_writes_neither_the_change_nor_the_outbox(seeded: Core) -> None:
    case_id = new_case(seeded)
    before = count(seeded, SyncOutboxRow), count(seeded, CaseEventRow)
    with pytest.raises(ActionRefused):
        seeded.cases.act(case_id, "decide", {"facts": "x"}, LEAD, D(2025, 3, 4))
    assert (count(seeded, SyncOutboxRow), count(seeded, CaseEventRow)) == before


def test_a_transaction_that_fails_after_the_event_leaves_no_outbox_row(seeded: Core) -> None:
    case_id = new_case(seeded)
    before = count(seeded, SyncOutboxRow)
    store = seeded._case_store()
    seen_inside: list[int] = []

    def failing_action() -> None:
        with store.transaction() as tx:
            tx.record_event(
                case_id=case_id,
                actor_id=LEAD,
                actor_role="officer",
                action="note",
                occurred_at=dt.datetime.now(dt.UTC),
            )
            seen_inside.append(count(seeded, SyncOutboxRow))  # not visible outside the transaction
            raise RuntimeError("the action fails after its event was written")

    with pytest.raises(RuntimeError, match="fails after its event"):
        failing_action()
    assert seen_inside == [before]
    assert count(seeded, SyncOutboxRow) == before
    assert len(SqlCaseEventStore(seeded.database.engine).events(case_id)) == 1


def test_one_waiting_upsert_per_case_but_a_change_after_sending_queues_another(seeded: Core) -> None:
    case_id = new_case(seeded)
    seeded.cases.act(case_id, "file", {"act_date": "2025-03-01"}, LEAD, D(2025, 3, 4))
    ops = [(r.operation, r.seq) for r in outbox(seeded, case_id)]
    assert ops == [(UPSERT, None), (EVENT, 1), (EVENT, 2)]  # coalesced: one upsert carries both
    sync = SqlSyncStore(seeded.database.engine, seeded.paths.root)
    upsert = sync.ops(case_id)[0]
    document, _ = sync.local_document(case_id)
    sync.fix_upsert(upsert.op_id, {"base_version": 0, "fields": document, "case_number": None})
    seeded.cases.act(case_id, "collect_evidence", {"evidence_kinds": ["record"]}, LEAD, D(2025, 3, 5))
    rows = outbox(seeded, case_id)
    upserts = [r for r in rows if r.operation == UPSERT]
    assert [(r.state, r.op_id == upsert.op_id) for r in upserts] == [(INFLIGHT, True), (PENDING, False)]
    sent = next(r for r in upserts if r.state == INFLIGHT)
    assert json.loads(sent.payload)["fields"]["stage"] == "investigation"  # fixed before the evidence
    assert sent.payload == canonical_json(json.loads(sent.payload)).decode()
    assert [r.seq for r in rows if r.operation == EVENT] == [1, 2, 3]


def test_training_cases_and_events_from_the_server_are_not_queued(seeded: Core) -> None:
    training = new_case(seeded, "培训案件", training=True)
    assert outbox(seeded, training) == []
    case_id = new_case(seeded)
    events = SqlCaseEventStore(seeded.database.engine)
    before = len(outbox(seeded, case_id))
    head = events.head(case_id)
    pulled = append(
        head,
        case_id=case_id,
        actor_id=None,
        actor_role="officer",
        action="note",
        occurred_at=dt.datetime.now(dt.UTC),
    )
    with seeded.database.engine.begin() as conn:
        events.append(conn, pulled, enqueue=False)
    assert len(outbox(seeded, case_id)) == before
    with seeded.database.engine.connect() as conn:
        assert conn.execute(select(CaseRow.id).where(CaseRow.id == case_id)).scalar_one() == case_id
