"""The 全过程记录 in SQLite: written with the change it records, read back exactly, and every
kind of tampering found — even by someone who drops the append-only triggers."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workstation.app import Core
from workstation.domain.clock import CHINA_TZ
from workstation.domain.record import (
    CaseEvent,
    ConcurrentEdit,
    FieldChange,
    ProblemKind,
    VerifyReport,
    append,
    event_hash,
    genesis_hash,
)
from workstation.persistence.case_events import SqlCaseEventStore

T0 = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=CHINA_TZ)
STAGES = ["filed", "investigating", "notified", "decided", "served"]
ACTIONS = ["file_case", "add_evidence", "notify", "decide", "serve"]


def _insert_case(engine: Engine, case_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT OR IGNORE INTO agencies (id, code, name, region_code, created_at, updated_at) "
                "VALUES ('a1', 'C1', '榕溪镇人民政府', '350121', '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO cases (id, agency_id, kind, title, source, stage, opened_on, created_at, "
                "updated_at) VALUES (:id, 'a1', 'ordinary', '占道经营', 'patrol', 'clue', '2026-03-01', "
                "'2026-03-01', '2026-03-01')"
            ),
            {"id": case_id},
        )


@pytest.fixture
def store(core: Core) -> SqlCaseEventStore:
    _insert_case(core.database.engine, "c1")
    _insert_case(core.database.engine, "c2")
    return SqlCaseEventStore(core.database.engine)


def _record(store: SqlCaseEventStore, engine: Engine, case_id: str = "c1", n: int = 5) -> list[CaseEvent]:
    """``n`` events, each in its own transaction together with the case change it records."""
    events = []
    for i in range(n):
        with engine.begin() as conn:
            old = conn.execute(text("SELECT stage FROM cases WHERE id = :id"), {"id": case_id}).scalar_one()
            conn.execute(text("UPDATE cases SET stage = :s WHERE id = :id"), {"s": STAGES[i], "id": case_id})
            events.append(
                store.record(
                    conn,
                    case_id=case_id,
                    actor_id="o1",
                    actor_role="officer",
                    action=ACTIONS[i],
                    occurred_at=T0 + dt.timedelta(days=i),
                    changes=[FieldChange("stage", old, STAGES[i])],
                    payload={"note": f"第{i + 1}步：占道经营", "amount": 5000 if i == 3 else None},
                )
            )
    return events


@contextlib.contextmanager
def _attacker(path: Path) -> Iterator[sqlite3.Connection]:
    """A raw connection of someone who removed the append-only triggers first."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("DROP TRIGGER case_events_no_update")
        conn.execute("DROP TRIGGER case_events_no_delete")
        yield conn
        conn.commit()
    finally:
        conn.close()


def _found(report: VerifyReport) -> set[tuple[ProblemKind, int]]:
    return {(p.kind, p.seq) for p in report.problems}


# ---------------------------------------------------------------- writing and reading


def test_a_chain_reads_back_exactly_as_written_and_verifies(core: Core, store: SqlCaseEventStore) -> None:
    events = _record(store, core.database.engine)
    assert store.events("c1") == events
    assert [e.occurred_at for e in store.events("c1")] == [e.occurred_at for e in events]
    assert store.head("c1") == events[-1]
    assert events[0].prev_hash == genesis_hash("c1")
    report = store.verify_case("c1", expected_head=events[-1].hash, expected_count=5)
    assert report.ok, report.messages
    assert report.summary() == "全过程记录完整：共5条，未发现篡改。"
    assert store.events("c2") == []
    assert store.head("c2") is None
    assert store.verify_case("c2").ok


def test_rows_hold_canonical_json_and_utc_time(core: Core, store: SqlCaseEventStore) -> None:
    first = _record(store, core.database.engine, n=1)[0]
    with core.database.engine.connect() as conn:
        row = conn.execute(text("SELECT occurred_at, payload, prev_hash, hash, seq FROM case_events")).one()
    assert row.occurred_at == "2026-03-01 01:30:15.123456"
    assert row.payload == (
        '{"changes":[{"field":"stage","new":"filed","old":"clue"}],'
        '"payload":{"amount":null,"note":"第1步：占道经营"}}'
    )
    assert json.loads(row.payload)["payload"]["note"] == "第1步：占道经营"
    assert (row.prev_hash, row.hash, row.seq) == (first.prev_hash, first.hash, 1)


def test_the_change_and_its_event_commit_together_or_not_at_all(core: Core, store: SqlCaseEventStore) -> None:
    engine = core.database.engine
    with Session(engine) as session:
        session.execute(text("UPDATE cases SET stage = 'filed' WHERE id = 'c1'"))
        event = store.record(
            session,
            case_id="c1",
            actor_id="o1",
            actor_role="officer",
            action="file_case",
            occurred_at=T0,
            changes=[FieldChange("stage", "clue", "filed")],
        )
        assert store.head("c1", within=session) == event  # visible inside the transaction
        session.rollback()
    assert store.events("c1") == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT stage FROM cases WHERE id = 'c1'")).scalar_one() == "clue"

    with Session(engine) as session:
        session.execute(text("UPDATE cases SET stage = 'filed' WHERE id = 'c1'"))
        event = store.record(
            session, case_id="c1", actor_id="o1", actor_role="officer", action="file_case", occurred_at=T0
        )
        session.commit()
    assert store.events("c1") == [event]


def test_a_second_append_for_the_same_number_is_a_concurrent_edit(
    core: Core, store: SqlCaseEventStore
) -> None:
    engine = core.database.engine
    head = _record(store, engine, n=2)[-1]
    # Two officers opened the case at the same head and both save.
    mine, theirs = (
        append(head, case_id="c1", actor_id=who, actor_role="officer", action="notify", occurred_at=T0)
        for who in ("o1", "o2")
    )
    with engine.begin() as conn:
        store.append(conn, theirs)
    with engine.connect() as conn, conn.begin():
        with pytest.raises(ConcurrentEdit) as caught:
            store.append(conn, mine)
        conn.rollback()
    assert caught.value.message == "该案件刚被其他操作修改，请刷新后重试"
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert "UNIQUE constraint failed: case_events.case_id, case_events.seq" in str(caught.value.__cause__)
    assert store.head("c1") == theirs
    assert store.verify_case("c1").ok


def test_events_that_do_not_extend_the_record_are_refused(core: Core, store: SqlCaseEventStore) -> None:
    events = _record(store, core.database.engine, n=2)
    skipping = append(
        dataclasses.replace(events[-1], seq=3),
        case_id="c1",
        actor_id="o1",
        actor_role="officer",
        action="decide",
        occurred_at=T0,
    )
    unsealed = dataclasses.replace(events[-1], seq=3, hash="0" * 64)
    elsewhere = append(None, case_id="c1", actor_id=None, actor_role="system", action="x", occurred_at=T0)
    elsewhere = dataclasses.replace(elsewhere, seq=3)
    elsewhere = dataclasses.replace(elsewhere, hash=event_hash(elsewhere))
    with core.database.engine.begin() as conn:
        for event in (skipping, unsealed, elsewhere):
            with pytest.raises(ValueError, match="event"):
                store.append(conn, event)
    assert store.events("c1") == events


@pytest.mark.parametrize("statement", ["UPDATE case_events SET action = 'edited'", "DELETE FROM case_events"])
def test_the_database_refuses_updates_and_deletes(
    core: Core, store: SqlCaseEventStore, statement: str
) -> None:
    events = _record(store, core.database.engine, n=2)
    with core.database.engine.begin() as conn, pytest.raises(IntegrityError, match="append-only"):
        conn.execute(text(statement))
    assert store.events("c1") == events


# ---------------------------------------------------------------- tampering without the triggers


def _edit_payload(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute(
        "UPDATE case_events SET payload = replace(payload, '占道经营', '无违法') "
        "WHERE case_id = 'c1' AND seq = 3"
    )


def _edit_time(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute(
        "UPDATE case_events SET occurred_at = '2026-03-01 00:00:00.000000' WHERE case_id = 'c1' AND seq = 2"
    )


def _unreadable_payload(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("UPDATE case_events SET payload = 'not json' WHERE case_id = 'c1' AND seq = 4")


def _unreadable_time(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("UPDATE case_events SET occurred_at = 'yesterday' WHERE case_id = 'c1' AND seq = 4")


def _overwrite_hash(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("UPDATE case_events SET hash = ? WHERE case_id = 'c1' AND seq = 2", ("a" * 64,))


def _rewrite_with_new_hash(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    edited = dataclasses.replace(events[2], action="close")
    conn.execute(
        "UPDATE case_events SET action = 'close', hash = ? WHERE case_id = 'c1' AND seq = 3",
        (event_hash(edited),),
    )


def _rewrite_last_with_new_hash(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    edited = dataclasses.replace(events[4], actor_id="o9")
    conn.execute(
        "UPDATE case_events SET actor_id = 'o9', hash = ? WHERE case_id = 'c1' AND seq = 5",
        (event_hash(edited),),
    )


def _delete_middle(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("DELETE FROM case_events WHERE case_id = 'c1' AND seq = 3")


def _delete_first(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("DELETE FROM case_events WHERE case_id = 'c1' AND seq = 1")


def _delete_last(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("DELETE FROM case_events WHERE case_id = 'c1' AND seq = 5")


def _renumber(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("DELETE FROM case_events WHERE case_id = 'c1' AND seq = 3")
    conn.execute("UPDATE case_events SET seq = seq - 1 WHERE case_id = 'c1' AND seq > 3")


def _swap_numbers(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("UPDATE case_events SET seq = -1 WHERE case_id = 'c1' AND seq = 2")
    conn.execute("UPDATE case_events SET seq = 2 WHERE case_id = 'c1' AND seq = 4")
    conn.execute("UPDATE case_events SET seq = 4 WHERE case_id = 'c1' AND seq = -1")


def _rewrite_rows_in_another_order(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    rows = conn.execute("SELECT * FROM case_events WHERE case_id = 'c1' AND seq >= 2").fetchall()
    conn.execute("DELETE FROM case_events WHERE case_id = 'c1' AND seq >= 2")
    for row in reversed(rows):  # identical content, written back newest first
        conn.execute("INSERT INTO case_events VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row[1:])


def _insert_row(conn: sqlite3.Connection, event: CaseEvent) -> None:
    conn.execute(
        "INSERT INTO case_events (event_id, case_id, seq, occurred_at, actor_id, actor_role, action, "
        'payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, \'{"changes":[],"payload":{}}\', ?, ?)',
        (
            event.event_id,
            event.case_id,
            event.seq,
            event.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
            event.actor_id,
            event.actor_role,
            event.action,
            event.prev_hash,
            event.hash,
        ),
    )


def _forged(head: CaseEvent) -> CaseEvent:
    return append(head, case_id="c1", actor_id="o9", actor_role="officer", action="decide", occurred_at=T0)


def _replace_with_forged(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("DELETE FROM case_events WHERE case_id = 'c1' AND seq = 3")
    _insert_row(conn, _forged(events[1]))


def _append_forged(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    _insert_row(conn, _forged(events[4]))


def _move_from_other_case(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("UPDATE case_events SET case_id = 'c1', seq = 6 WHERE case_id = 'c2' AND seq = 2")


def _replace_with_other_case(conn: sqlite3.Connection, events: list[CaseEvent]) -> None:
    conn.execute("DELETE FROM case_events WHERE case_id = 'c1' AND seq = 2")
    conn.execute("UPDATE case_events SET case_id = 'c1' WHERE case_id = 'c2' AND seq = 2")


Tamper = Callable[[sqlite3.Connection, list[CaseEvent]], None]
E, M, B, T, X, R, SWAP = (
    ProblemKind.EDITED,
    ProblemKind.MISSING,
    ProblemKind.BROKEN_LINK,
    ProblemKind.TRUNCATED,
    ProblemKind.EXTRA,
    ProblemKind.REWRITTEN,
    ProblemKind.REORDERED,
)


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_edit_payload, {(E, 3)}),
        (_edit_time, {(E, 2)}),
        (_unreadable_payload, {(E, 4)}),
        (_unreadable_time, {(E, 4)}),
        (_overwrite_hash, {(E, 2), (B, 3)}),
        (_rewrite_with_new_hash, {(B, 4)}),
        (_rewrite_last_with_new_hash, {(R, 5)}),
        (_delete_middle, {(M, 3)}),
        (_delete_first, {(M, 1)}),
        (_delete_last, {(T, 5)}),
        (_renumber, {(E, 3), (E, 4), (T, 5)}),
        (_swap_numbers, {(SWAP, 2), (SWAP, 3), (SWAP, 4), (E, 2), (E, 4), (B, 3), (B, 5)}),
        (_rewrite_rows_in_another_order, {(SWAP, 2), (SWAP, 3), (SWAP, 4), (SWAP, 5)}),
        (_replace_with_forged, {(SWAP, 3), (B, 4)}),
        (_append_forged, {(X, 6)}),
        (_move_from_other_case, {(E, 6), (X, 6)}),
        (_replace_with_other_case, {(E, 2), (SWAP, 2), (B, 3)}),
    ],
    ids=lambda value: getattr(value, "__name__", "").lstrip("_") or None,
)
def test_tampering_below_the_application_is_found(
    core: Core, store: SqlCaseEventStore, tamper: Tamper, expected: set[tuple[ProblemKind, int]]
) -> None:
    events = _record(store, core.database.engine)
    _record(store, core.database.engine, case_id="c2", n=3)
    with _attacker(core.database.path) as conn:
        tamper(conn, events)
    report = store.verify_case("c1", expected_head=events[-1].hash, expected_count=len(events))
    assert not report.ok
    assert _found(report) == expected, report.messages
    assert all(p.message.startswith("第") for p in report.problems)
    assert store.verify_case("c2").ok or tamper in (_move_from_other_case, _replace_with_other_case)


def test_without_an_anchor_only_the_tail_can_go_unnoticed(core: Core, store: SqlCaseEventStore) -> None:
    events = _record(store, core.database.engine)
    with _attacker(core.database.path) as conn:
        _delete_last(conn, events)
    assert store.verify_case("c1").ok  # nothing inside the chain shows a removed last event …
    report = store.verify_case("c1", expected_count=5)  # … the count kept elsewhere does
    assert report.messages == ["第4条之后缺少记录（应至少有5条，末尾的记录被删除）"]
