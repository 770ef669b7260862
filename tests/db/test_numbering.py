"""Numbered sequences in SQLite: 1, 2, 3 per (agency, kind, year), rolled back with the
caller's transaction, unique and gapless under concurrent writers, voids recorded and never
reissued, and the revision that makes the tables upgrades and downgrades cleanly."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import threading
import time
import uuid

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workstation.app import Core
from workstation.domain.clock import CHINA_TZ
from workstation.domain.errors import DatabaseLocked, InvalidInput
from workstation.domain.numbering import CASE_KIND, CaseNumberFormat, VoidedNumber
from workstation.persistence.database import alembic_config
from workstation.persistence.engine import make_engine
from workstation.persistence.numbering import advance_to, allocate, last_issued, void, voided, voids

FMT = CaseNumberFormat()
THREADS = 4
PER_THREAD = 50
#: Busy timeout of the test engines: generous, so a slow machine waits instead of failing.
PATIENT_MS = 60_000


def _add_agency(engine: Engine, agency_id: str, code: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO agencies (id, code, name, region_code, created_at, updated_at) "
                "VALUES (:id, :code, '榕溪镇人民政府', '350121', '2026-01-01', '2026-01-01')"
            ),
            {"id": agency_id, "code": code},
        )


def _add_case(conn: Connection, agency_id: str, case_number: str) -> None:
    conn.execute(
        text(
            "INSERT INTO cases (id, agency_id, case_number, kind, title, source, stage, opened_on, "
            "created_at, updated_at) VALUES (:id, :agency, :number, 'ordinary', '占道经营', 'patrol', "
            "'filed', '2026-03-01', '2026-03-01', '2026-03-01')"
        ),
        {"id": str(uuid.uuid4()), "agency": agency_id, "number": case_number},
    )


@pytest.fixture
def engine(core: Core) -> Engine:
    _add_agency(core.database.engine, "a1", "C1")
    _add_agency(core.database.engine, "a2", "C2")
    return core.database.engine


def _next(engine: Engine, agency_id: str = "a1", kind: str = CASE_KIND, year: int = 2026) -> int:
    with engine.begin() as conn:
        return allocate(conn, agency_id, kind, year)


def _last(engine: Engine, agency_id: str = "a1", kind: str = CASE_KIND, year: int = 2026) -> int:
    with engine.connect() as conn:
        return last_issued(conn, agency_id, kind, year)


# ---------------------------------------------------------------- schema


def test_the_revision_makes_tables_and_triggers(core: Core) -> None:
    with sqlite3.connect(core.database.path) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'number_sequences'").fetchone()[0]
    assert {"number_sequences", "number_voids"} <= names
    assert {
        "number_sequences_start_at_one",
        "number_sequences_forward_only",
        "number_sequences_no_delete",
        "number_voids_issued_only",
        "number_voids_no_update",
        "number_voids_no_delete",
    } <= names
    assert "CONSTRAINT pk_number_sequences PRIMARY KEY (agency_id, kind, year)" in sql
    assert "CONSTRAINT fk_number_sequences_agency_id_agencies FOREIGN KEY" in sql


def test_downgrade_and_upgrade_again(core: Core, engine: Engine) -> None:
    assert _next(engine) == 1
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002_statutes")
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'number_%'")).all()
        assert tables == []
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert _last(engine) == 0
    assert _next(engine) == 1


# ---------------------------------------------------------------- issuing


def test_serials_count_per_agency_kind_and_year(engine: Engine) -> None:
    assert [_next(engine) for _ in range(3)] == [1, 2, 3]
    assert [_next(engine, "a2") for _ in range(2)] == [1, 2]
    assert [_next(engine, kind="行政处罚决定书") for _ in range(2)] == [1, 2]
    assert [_next(engine, year=2027) for _ in range(2)] == [1, 2]
    assert _next(engine) == 4
    assert _last(engine) == 4
    assert _last(engine, "a2") == 2
    assert _last(engine, kind="notice") == 0


def test_allocate_in_an_orm_session(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        assert allocate(session, "a1", CASE_KIND, 2026) == 1
        assert allocate(session, "a1", CASE_KIND, 2026) == 2
    with Session(engine) as session:
        assert last_issued(session, "a1", CASE_KIND, 2026) == 2


def test_a_rolled_back_transaction_takes_its_number_back(engine: Engine) -> None:
    assert _next(engine) == 1
    with engine.connect() as conn:
        trans = conn.begin()
        assert allocate(conn, "a1", CASE_KIND, 2026) == 2
        assert allocate(conn, "a1", CASE_KIND, 2026) == 3
        trans.rollback()
    assert _last(engine) == 1
    assert _next(engine) == 2


def test_a_failed_case_creation_leaves_no_gap(engine: Engine) -> None:
    with engine.begin() as conn:
        _add_case(conn, "a1", FMT.format("榕综执", 2026, allocate(conn, "a1", CASE_KIND, 2026)))
    with engine.connect() as conn:
        trans = conn.begin()
        number = FMT.format("榕综执", 2026, allocate(conn, "a1", CASE_KIND, 2026))
        assert number == "榕综执罚立字〔2026〕第2号"
        with pytest.raises(IntegrityError):
            _add_case(conn, "missing-agency", number)  # the case is refused ...
        trans.rollback()  # ... and the caller rolls the whole transaction back
    with engine.begin() as conn:
        _add_case(conn, "a1", FMT.format("榕综执", 2026, allocate(conn, "a1", CASE_KIND, 2026)))
    with engine.connect() as conn:
        numbers = conn.execute(text("SELECT case_number FROM cases ORDER BY case_number")).scalars().all()
    assert numbers == ["榕综执罚立字〔2026〕第1号", "榕综执罚立字〔2026〕第2号"]


@pytest.mark.parametrize(
    ("agency_id", "kind", "year"),
    [("", CASE_KIND, 2026), ("a1", "", 2026), ("a1", "with space", 2026), ("a1", CASE_KIND, 26)],
)
def test_bad_keys_are_refused(engine: Engine, agency_id: str, kind: str, year: int) -> None:
    with pytest.raises(InvalidInput), engine.begin() as conn:
        allocate(conn, agency_id, kind, year)


def test_an_unknown_agency_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="执法主体不存在"), engine.begin() as conn:
        allocate(conn, "missing", CASE_KIND, 2026)
    with pytest.raises(InvalidInput, match="执法主体不存在"), engine.begin() as conn:
        advance_to(conn, "missing", CASE_KIND, 2026, 5)


def test_advance_to_continues_a_paper_register(engine: Engine) -> None:
    with engine.begin() as conn:
        assert advance_to(conn, "a1", CASE_KIND, 2026, 37) == 37
    assert _next(engine) == 38
    with engine.begin() as conn:
        advance_to(conn, "a1", CASE_KIND, 2026, 38)  # already there: nothing changes
    with pytest.raises(InvalidInput, match="不能退回到第10号"), engine.begin() as conn:
        advance_to(conn, "a1", CASE_KIND, 2026, 10)
    assert _next(engine) == 39


# ---------------------------------------------------------------- two writers


@pytest.mark.parametrize(("commit", "expected"), [(True, 2), (False, 1)])
def test_the_second_writer_waits_and_gets_the_next_committed_number(
    core: Core, engine: Engine, commit: bool, expected: int
) -> None:
    """Connection A allocates and holds its transaction; B (another engine) allocates meanwhile."""
    other = make_engine(core.database.path, busy_timeout_ms=PATIENT_MS)
    got: list[int] = []

    def second() -> None:
        with other.begin() as conn:
            got.append(allocate(conn, "a1", CASE_KIND, 2026))

    thread = threading.Thread(target=second)
    try:
        with engine.connect() as conn:
            trans = conn.begin()
            assert allocate(conn, "a1", CASE_KIND, 2026) == 1
            thread.start()
            time.sleep(0.3)
            assert thread.is_alive() and got == []  # B waits for A's write lock
            if commit:
                trans.commit()
            else:
                trans.rollback()
        thread.join(30)
    finally:
        other.dispose()
    assert not thread.is_alive()
    assert got == [expected]
    assert _last(engine) == expected


def test_a_writer_kept_waiting_past_the_busy_timeout_gets_database_locked(core: Core, engine: Engine) -> None:
    impatient = make_engine(core.database.path, busy_timeout_ms=50)
    try:
        with engine.connect() as holder:
            trans = holder.begin()
            allocate(holder, "a1", CASE_KIND, 2026)
            with pytest.raises(DatabaseLocked), impatient.begin() as conn:
                allocate(conn, "a1", CASE_KIND, 2026)
            trans.commit()
    finally:
        impatient.dispose()
    assert _next(engine) == 2


def test_a_stale_read_snapshot_is_reported_as_database_locked(core: Core, engine: Engine) -> None:
    """Why allocation should be the transaction's first write (persistence/numbering.py)."""
    reader = make_engine(core.database.path)
    try:
        with reader.connect() as conn:
            trans = conn.begin()
            assert last_issued(conn, "a1", CASE_KIND, 2026) == 0  # snapshot taken
            assert _next(engine) == 1  # another connection commits meanwhile
            with pytest.raises(DatabaseLocked):
                allocate(conn, "a1", CASE_KIND, 2026)
            trans.rollback()
    finally:
        reader.dispose()
    assert _next(engine) == 2


def test_concurrent_writers_get_unique_gapless_numbers(core: Core, engine: Engine) -> None:
    """4 threads, each with its own engine, 50 transactions each; about 1 in 5 rolled back."""
    engines = [make_engine(core.database.path, busy_timeout_ms=PATIENT_MS) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    committed: list[list[int]] = [[] for _ in range(THREADS)]
    rolled_back: list[list[int]] = [[] for _ in range(THREADS)]
    waits: list[list[float]] = [[] for _ in range(THREADS)]
    failures: list[BaseException] = []

    class Abandon(Exception):
        pass

    def work(index: int) -> None:
        rng = random.Random(index)
        try:
            barrier.wait(10)
            for _ in range(PER_THREAD):
                give_up = rng.random() < 0.2
                try:
                    with engines[index].begin() as conn:
                        started = time.perf_counter()
                        serial = allocate(conn, "a1", CASE_KIND, 2026)
                        waits[index].append(time.perf_counter() - started)
                        _add_case(conn, "a1", FMT.format("榕综执", 2026, serial))
                        time.sleep(rng.uniform(0, 0.002))  # hold the write lock a little
                        if give_up:
                            rolled_back[index].append(serial)
                            raise Abandon
                    committed[index].append(serial)
                except Abandon:
                    pass
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        for e in engines:
            e.dispose()
    assert not failures, failures
    issued = sorted(n for numbers in committed for n in numbers)
    total = THREADS * PER_THREAD
    undone = sum(len(numbers) for numbers in rolled_back)
    assert len(issued) + undone == total
    assert 0 < undone < total
    assert issued == list(range(1, len(issued) + 1))  # unique and gapless
    assert _last(engine) == len(issued)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT case_number FROM cases")).scalars().all()
    assert sorted(stored) == sorted(FMT.format("榕综执", 2026, n) for n in issued)
    all_waits = sorted(w for per in waits for w in per)
    assert all_waits[-1] > 0.001  # writers really did wait for one another
    print(
        f"\n{total} transactions from {THREADS} threads: {len(issued)} committed (numbers 1..{len(issued)}), "
        f"{undone} rolled back; allocate waited up to {all_waits[-1] * 1000:.1f} ms "
        f"(median {all_waits[len(all_waits) // 2] * 1000:.2f} ms)"
    )


# ---------------------------------------------------------------- voids

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CHINA_TZ)


def test_a_void_is_recorded_and_the_number_never_reissued(engine: Engine) -> None:
    assert [_next(engine) for _ in range(3)] == [1, 2, 3]
    with engine.begin() as conn:
        record = void(conn, "a1", CASE_KIND, 2026, 2, "  重复立案 ", "o1", at=AT)
    assert record == VoidedNumber("a1", CASE_KIND, 2026, 2, "重复立案", AT.astimezone(dt.UTC), "o1")
    assert _next(engine) == 4
    with engine.connect() as conn:
        assert voids(conn, "a1") == [record]
        assert voids(conn, "a1", CASE_KIND, 2026) == [record]
        assert voids(conn, "a1", "notice") == []
        assert voids(conn, "a1", year=2027) == []
        assert voids(conn, "a2") == []
        assert voided(conn, "a1", CASE_KIND, 2026, 2) == record
        assert voided(conn, "a1", CASE_KIND, 2026, 3) is None


def test_a_void_rolls_back_with_its_transaction(engine: Engine) -> None:
    _next(engine)
    with engine.connect() as conn:
        trans = conn.begin()
        void(conn, "a1", CASE_KIND, 2026, 1, "文书有误", "o1")
        trans.rollback()
    with engine.connect() as conn:
        assert voids(conn, "a1") == []


def test_voiding_a_number_never_issued_or_already_voided_is_refused(engine: Engine) -> None:
    _next(engine)
    with pytest.raises(InvalidInput, match="案号2026年第2号尚未发放"), engine.begin() as conn:
        void(conn, "a1", CASE_KIND, 2026, 2, "文书有误", "o1")
    with pytest.raises(InvalidInput, match="尚未发放"), engine.begin() as conn:
        void(conn, "a1", "notice", 2026, 1, "文书有误", "o1")
    with pytest.raises(InvalidInput, match="尚未发放"), engine.begin() as conn:
        void(conn, "a2", CASE_KIND, 2026, 1, "文书有误", "o1")
    with engine.begin() as conn:
        void(conn, "a1", CASE_KIND, 2026, 1, "文书有误", "o1", at=AT)
    with pytest.raises(InvalidInput, match="已于2026-03-02 10:00作废"), engine.begin() as conn:
        void(conn, "a1", CASE_KIND, 2026, 1, "又一次", "o2")
    with engine.connect() as conn:
        assert [v.reason for v in voids(conn, "a1")] == ["文书有误"]


@pytest.mark.parametrize(("serial", "reason", "actor"), [(0, "有误", "o1"), (1, " ", "o1"), (1, "有误", "")])
def test_a_void_needs_an_issued_serial_a_reason_and_an_actor(
    engine: Engine, serial: int, reason: str, actor: str
) -> None:
    _next(engine)
    with pytest.raises(InvalidInput), engine.begin() as conn:
        void(conn, "a1", CASE_KIND, 2026, serial, reason, actor)


# ---------------------------------------------------------------- the database's own guard


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("UPDATE number_sequences SET last = last - 1", "only move forward"),
        ("UPDATE number_sequences SET year = 2030", "only move forward"),
        ("DELETE FROM number_sequences", "only move forward"),
        ("INSERT INTO number_sequences VALUES ('a2', 'case', 2026, 0)", "at least 1"),
        ("UPDATE number_voids SET reason = 'x'", "append-only"),
        ("DELETE FROM number_voids", "append-only"),
        (
            "INSERT INTO number_voids VALUES ('a1', 'case', 2026, 3, 'x', '2026-03-01', 'o1')",
            "never issued",
        ),
        (
            "INSERT INTO number_voids VALUES ('a1', 'notice', 2026, 1, 'x', '2026-03-01', 'o1')",
            "never issued",
        ),
    ],
)
def test_triggers_refuse_taking_numbers_back(
    core: Core, engine: Engine, statement: str, message: str
) -> None:
    _next(engine)
    _next(engine)
    with engine.begin() as conn:
        void(conn, "a1", CASE_KIND, 2026, 1, "文书有误", "o1")
    with sqlite3.connect(core.database.path) as raw, pytest.raises(sqlite3.IntegrityError, match=message):
        raw.execute(statement)
    assert _last(engine) == 2
    assert _next(engine) == 3
