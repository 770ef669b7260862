"""Migrations: one head, upgrade/downgrade round trip, models match what revisions build."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from pytest_alembic.tests import (  # noqa: F401 - collected here as tests
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from workstation.app import Core
from workstation.persistence.database import alembic_config, migrations_dir
from workstation.persistence.schema import HEAD_REVISION


def test_head_constant_matches_alembic_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD_REVISION]


def test_revision_files_are_dated() -> None:
    names = [p.name for p in (migrations_dir() / "versions").glob("*.py") if p.name != "__init__.py"]
    assert names
    for name in names:
        year, month, day = name.split("_")[:3]
        assert len(year) == 4 and len(month) == 2 and len(day) == 2, name


def test_constraints_follow_the_naming_convention(core: Core) -> None:
    with sqlite3.connect(core.database.path) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'officers'").fetchone()[0]
    assert "CONSTRAINT pk_officers PRIMARY KEY" in sql
    assert "CONSTRAINT uq_officers_certificate_no UNIQUE" in sql
    assert "CONSTRAINT fk_officers_agency_id_agencies FOREIGN KEY" in sql


def _insert_case_with_event(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO agencies (id, code, name, region_code, created_at, updated_at) "
            "VALUES ('a1', 'C1', '某镇', '350121', '2026-01-01', '2026-01-01')"
        )
        conn.execute(
            "INSERT INTO cases (id, agency_id, kind, title, source, stage, opened_on, created_at, "
            "updated_at) VALUES ('c1', 'a1', 'ordinary', '占道经营', 'patrol', 'filed', '2026-01-01', "
            "'2026-01-01', '2026-01-01')"
        )
        conn.execute(
            "INSERT INTO case_events (event_id, case_id, seq, occurred_at, actor_role, action, payload, "
            "prev_hash, hash) VALUES ('e1', 'c1', 1, '2026-01-01', 'officer', 'file', '{}', '', 'h')"
        )


@pytest.mark.parametrize("statement", ["UPDATE case_events SET action = 'edited'", "DELETE FROM case_events"])
def test_case_event_log_is_append_only(core: Core, statement: str) -> None:
    _insert_case_with_event(core.database.path)
    with (
        sqlite3.connect(core.database.path) as conn,
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
    ):
        conn.execute(statement)
    with sqlite3.connect(core.database.path) as conn:
        assert conn.execute("SELECT action FROM case_events").fetchall() == [("file",)]


def test_foreign_keys_are_enforced(core: Core) -> None:
    from sqlalchemy.exc import IntegrityError

    with core.database.engine.begin() as conn, pytest.raises(IntegrityError):
        conn.exec_driver_sql(
            "INSERT INTO officers (id, agency_id, name, certificate_no, certificate_valid_from, "
            "certificate_valid_until, created_at, updated_at) VALUES "
            "('o1', 'missing', '林某', 'X1', '2024-01-01', '2029-01-01', '2026-01-01', '2026-01-01')"
        )


def test_case_search_indexes_the_cases_already_there(alembic_runner, alembic_engine) -> None:  # type: ignore[no-untyped-def]
    from workstation.domain.case_list import CaseListQuery
    from workstation.persistence.case_list import SqlCaseListSource

    alembic_runner.migrate_up_to("0004_case_list")
    path = Path(str(alembic_engine.url.database))
    _insert_case_with_event(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE cases SET search_text = '占道经营 王五' WHERE id = 'c1'")
    alembic_runner.migrate_up_one()
    source = SqlCaseListSource(alembic_engine)
    for text in ("占道经营", "王五", "五", "经"):
        assert len(source.keys(CaseListQuery(text=text))) == 1, text
    assert source.keys(CaseListQuery(text="王六")) == []

    alembic_runner.migrate_down_one()
    with sqlite3.connect(path) as conn:
        left = conn.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'case_search%' OR tbl_name LIKE 'case_search%'"
        ).fetchall()
        assert left == []
        conn.execute("UPDATE cases SET search_text = 'x' WHERE id = 'c1'")  # no trigger left behind


def test_sync_marks_take_the_anchors_already_recorded(alembic_runner, alembic_engine) -> None:  # type: ignore[no-untyped-def]
    from workstation.persistence.reference_sync import SqlReferenceSync

    alembic_runner.migrate_up_to("0011_number_blocks")
    path = Path(str(alembic_engine.url.database))
    _insert_case_with_event(path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO case_events (event_id, case_id, seq, occurred_at, actor_role, action, payload, "
            "prev_hash, hash) VALUES ('e2', 'c1', 2, '2026-01-02', 'officer', 'note', '{}', 'h', 'h2')"
        )
        conn.execute(
            "INSERT INTO sync_cases (case_id, server_version, server_head_seq, server_head_hash) "
            "VALUES ('c1', 1, 2, 'h2')"
        )
        conn.execute(
            "INSERT INTO sync_anchors (case_id, head_seq, head_hash, state, recorded_at) "
            "VALUES ('c1', 1, 'h', 'anchored', '2026-01-01')"
        )
        conn.execute(
            "INSERT INTO sync_anchors (case_id, head_seq, head_hash, state, recorded_at) "
            "VALUES ('c1', 2, 'h2', 'anchored', '2026-01-02')"
        )
    alembic_runner.migrate_up_one()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT anchored_seq FROM sync_cases WHERE case_id = 'c1'").fetchone() == (2,)
    # The head the server holds is anchored already: nothing to anchor after the upgrade.
    assert SqlReferenceSync(alembic_engine).anchor_candidates() == []

    alembic_runner.migrate_down_one()
    with sqlite3.connect(path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(sync_cases)")}
    assert "anchored_seq" not in columns and "server_head_seq" in columns
