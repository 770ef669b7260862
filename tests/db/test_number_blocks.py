"""Central numbering in SQLite (persistence/numbering.py, migration 0011): serials from blocks
reserved from the central server, gapless within a block, the local sequence moved along (so
voids work), refused with a Chinese message when used up, the local sequence unchanged without
blocks, the triggers, and the upgrade from 0010 of a database with data."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from workstation.app import Core
from workstation.domain.errors import InvalidInput
from workstation.domain.numbering import CASE_KIND
from workstation.persistence.numbering import (
    NumbersUsedUp,
    SqlNumberBlocks,
    allocate,
    last_issued,
    void,
    voided,
)

YEAR = 2026
DECISION = "罚决字"


def _add_agency(engine: Engine, agency_id: str, code: str, *, sample: bool = False) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO agencies (id, code, name, region_code, is_sample, created_at, updated_at) "
                "VALUES (:id, :code, '榕溪镇人民政府', '350121', :sample, '2026-01-01', '2026-01-01')"
            ),
            {"id": agency_id, "code": code, "sample": sample},
        )


@pytest.fixture
def engine(core: Core) -> Engine:
    _add_agency(core.database.engine, "a1", "330106001")
    return core.database.engine


def _next(engine: Engine, kind: str = CASE_KIND, year: int = YEAR, agency_id: str = "a1") -> int:
    with engine.begin() as conn:
        return allocate(conn, agency_id, kind, year)


def _block(engine: Engine, first: int, last: int, kind: str = CASE_KIND, year: int = YEAR) -> None:
    numbers = SqlNumberBlocks(engine)
    reservation = numbers.begin_reservation("a1", kind, year, last - first + 1)
    numbers.store_block(reservation, first, last)


def test_serials_come_from_the_earliest_block_and_move_the_sequence(engine: Engine) -> None:
    _block(engine, 11, 13)
    _block(engine, 21, 22)
    assert [_next(engine) for _ in range(5)] == [11, 12, 13, 21, 22]
    with engine.connect() as conn:
        assert last_issued(conn, "a1", CASE_KIND, YEAR) == 22
    blocks = SqlNumberBlocks(engine).blocks("a1", CASE_KIND, YEAR)
    assert [(b.first, b.last, b.next, b.free) for b in blocks] == [(11, 13, 14, 0), (21, 22, 23, 0)]
    # Used up: refused in Chinese, asking to sync for a new block; nothing moves.
    with pytest.raises(NumbersUsedUp) as caught:
        _next(engine)
    assert "本机预领的案号（2026年）已用完，请联网同步领取新号段后再立案" in caught.value.message
    with engine.connect() as conn:
        assert last_issued(conn, "a1", CASE_KIND, YEAR) == 22


def test_a_rolled_back_transaction_gives_its_block_serial_back(engine: Engine) -> None:
    _block(engine, 1, 5)

    def fail_after_allocating() -> None:
        with engine.begin() as conn:
            assert allocate(conn, "a1", CASE_KIND, YEAR) == 1
            raise RuntimeError("立案失败")

    with pytest.raises(RuntimeError):
        fail_after_allocating()
    assert _next(engine) == 1
    assert SqlNumberBlocks(engine).free("a1", CASE_KIND, YEAR) == 4


def test_every_kind_of_a_central_year_needs_a_block(engine: Engine) -> None:
    _block(engine, 1, 5)
    # Another kind of the same agency and year, without a block of its own: never numbered
    # locally (another machine may hold those serials).
    with pytest.raises(NumbersUsedUp) as caught:
        _next(engine, DECISION)
    assert "本机预领的文书（罚决字）文号（2026年）已用完" in caught.value.message
    assert "再出具文书" in caught.value.message
    # Another year without blocks keeps the local sequence, as does another agency.
    assert [_next(engine, year=2025) for _ in range(2)] == [1, 2]
    _add_agency(engine, "a2", "330106002")
    assert _next(engine, agency_id="a2") == 1


def test_without_blocks_the_local_sequence_is_unchanged(engine: Engine) -> None:
    assert [_next(engine) for _ in range(3)] == [1, 2, 3]
    assert [_next(engine, DECISION) for _ in range(2)] == [1, 2]


def test_serials_issued_locally_before_the_block_are_skipped(engine: Engine) -> None:
    assert [_next(engine) for _ in range(3)] == [1, 2, 3]
    _block(engine, 1, 10)
    assert _next(engine) == 4
    assert SqlNumberBlocks(engine).free("a1", CASE_KIND, YEAR) == 6
    _block(engine, 30, 31)  # a later block starts at its own first serial
    assert [_next(engine) for _ in range(7)] == [5, 6, 7, 8, 9, 10, 30]


def test_a_block_serial_is_voided_like_any_issued_number(engine: Engine) -> None:
    _block(engine, 41, 45)
    assert _next(engine) == 41
    when = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        void(conn, "a1", CASE_KIND, YEAR, 41, "立案信息有误", "o1", at=when)
    with engine.connect() as conn:
        assert voided(conn, "a1", CASE_KIND, YEAR, 41) is not None
    with pytest.raises(InvalidInput, match="第43号尚未发放"), engine.begin() as conn:
        void(conn, "a1", CASE_KIND, YEAR, 43, "立案信息有误", "o1", at=when)  # not issued yet
    assert _next(engine) == 42  # a voided number is never issued again; the block goes on


def test_a_reservation_is_stored_before_its_request_and_its_block_once(engine: Engine) -> None:
    numbers = SqlNumberBlocks(engine)
    first = numbers.begin_reservation("a1", CASE_KIND, YEAR, 50)
    # Asked again (e.g. after a crash): the same key, not a new one.
    assert numbers.begin_reservation("a1", CASE_KIND, YEAR, 20) == first
    assert numbers.pending("a1", CASE_KIND, YEAR) == first and numbers.reservations() == [first]
    stored = numbers.store_block(first, 1, 50)
    assert stored.source == first.idempotency_key and stored.free == 50
    assert numbers.pending("a1", CASE_KIND, YEAR) is None
    assert numbers.store_block(first, 1, 50) == stored  # the same answer again: stored once
    assert len(numbers.blocks("a1")) == 1
    assert numbers.free_by_kind("a1", YEAR) == {CASE_KIND: 50}
    assert numbers.kinds("a1") == {CASE_KIND}


def test_the_township_maps_to_its_agency(core: Core) -> None:
    engine = core.database.engine
    numbers = SqlNumberBlocks(engine)
    assert numbers.agency_for("330106001") is None  # no agency here
    _add_agency(engine, "demo", "DEMO", sample=True)
    assert numbers.agency_for("330106001") == "demo"  # the only agency
    _add_agency(engine, "a1", "330106009")
    assert numbers.agency_for("330106001") == "a1"  # the only real agency
    _add_agency(engine, "a2", "330106001")
    assert numbers.agency_for("330106001") == "a2"  # the one with the township's code
    _add_agency(engine, "a3", "330106003")
    assert numbers.agency_for("330106004") is None  # several, none with the code


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("DELETE FROM number_blocks", "never deleted"),
        ("UPDATE number_blocks SET next = 2", "only move forward"),
        ("UPDATE number_blocks SET next = 12", "only move forward"),
        ('UPDATE number_blocks SET "last" = 20', "only move forward"),
        (
            "INSERT INTO number_blocks VALUES ('a1', 'case', 2026, 8, 12, 8, '2026-03-01', 'k2')",
            "never overlap",
        ),
        (
            "INSERT INTO number_blocks VALUES ('a1', 'case', 2026, 20, 19, 20, '2026-03-01', 'k3')",
            "first <= next <= last",
        ),
    ],
)
def test_triggers_keep_blocks(core: Core, engine: Engine, statement: str, message: str) -> None:
    _block(engine, 1, 10)
    assert [_next(engine) for _ in range(3)] == [1, 2, 3]
    with sqlite3.connect(core.database.path) as raw, pytest.raises(sqlite3.IntegrityError, match=message):
        raw.execute(statement)
    assert _next(engine) == 4


def test_the_upgrade_from_0010_keeps_the_data(alembic_runner, alembic_engine) -> None:  # type: ignore[no-untyped-def]
    alembic_runner.migrate_up_to("0010_sync_steps")
    path = Path(str(alembic_engine.url.database))
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO agencies (id, code, name, region_code, created_at, updated_at) "
            "VALUES ('a1', '330106001', '某镇', '350121', '2026-01-01', '2026-01-01')"
        )
        conn.execute("INSERT INTO number_sequences VALUES ('a1', 'case', 2026, 7)")
        conn.execute(
            "INSERT INTO number_voids VALUES ('a1', 'case', 2026, 3, '立案信息有误', '2026-03-01', 'o1')"
        )
        conn.execute(
            "INSERT INTO cases (id, agency_id, case_number, kind, title, source, stage, opened_on, "
            "created_at, updated_at) VALUES ('c1', 'a1', '某罚立字〔2026〕第7号', 'ordinary', '占道经营', "
            "'patrol', 'filed', '2026-03-01', '2026-03-01', '2026-03-01')"
        )
    alembic_runner.migrate_up_one()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0011_number_blocks",)
        assert conn.execute("SELECT * FROM number_sequences").fetchall() == [("a1", "case", 2026, 7)]
        assert conn.execute("SELECT serial FROM number_voids").fetchall() == [(3,)]
        assert conn.execute("SELECT case_number FROM cases").fetchall() == [("某罚立字〔2026〕第7号",)]
        assert conn.execute("SELECT count(*) FROM number_blocks").fetchone() == (0,)
    # Without blocks the sequence goes on; a block skips what was issued here.
    assert _next(alembic_engine) == 8
    numbers = SqlNumberBlocks(alembic_engine)
    numbers.store_block(numbers.begin_reservation("a1", CASE_KIND, YEAR, 20), 1, 20)
    assert _next(alembic_engine) == 9
    alembic_runner.migrate_down_one()
    with sqlite3.connect(path) as conn:
        assert (
            conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'number_blocks%'").fetchall() == []
        )
        assert conn.execute("SELECT last FROM number_sequences").fetchall() == [(9,)]


def test_a_failed_allocation_inside_a_transaction_leaves_nothing(engine: Engine) -> None:
    _block(engine, 1, 1)
    assert _next(engine) == 1

    def insert_case_and_number() -> None:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO cases (id, agency_id, kind, title, source, stage, opened_on, created_at, "
                    "updated_at) VALUES ('c9', 'a1', 'ordinary', '占道经营', 'patrol', 'filed', "
                    "'2026-03-01', '2026-03-01', '2026-03-01')"
                )
            )
            allocate(conn, "a1", CASE_KIND, YEAR)

    with pytest.raises(NumbersUsedUp):
        insert_case_and_number()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases WHERE id = 'c9'")).scalar_one() == 0


def test_integrity_error_type_is_sqlalchemy(engine: Engine) -> None:
    _block(engine, 1, 2)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("DELETE FROM number_blocks"))
