"""A sync with nothing to do (docs/SYNC.md, "Speed"): one request, and no whole table read.

The client is a real data directory syncing with the app's sync steps through the real
CentralV1Gateway to the reference server on 127.0.0.1 (tests/central/server.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event

from tests.central.server import CentralServer
from workstation.app import Core, build_core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.sync_ports import CaseChange, Page, RetryableError, ServerInfo
from workstation.paths import prepare_data_dir
from workstation.persistence.sync_store import SqlSyncStore
from workstation.services.cases import NewCaseSpec
from workstation.sync.central_v1 import CentralV1Gateway
from workstation.sync.engine import CHANGES_STREAM, SyncEngine, SyncReport
from workstation.sync.lock import SyncLock

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
ZHANG = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）

#: Tables that grow with the office's cases: a sync with nothing to do must not read one whole.
GROWING = {
    "cases",
    "case_events",
    "case_parties",
    "case_officers",
    "documents",
    "evidence",
    "signatures",
    "attachments",
    "sync_cases",
    "sync_anchors",
    "sync_publications",
    "sync_attachments",
    "sync_task_cases",
    "sync_reference_items",
}
#: Partial indexes (0012_sync_marks): scanning one reads only the rows with work.
PARTIAL = {
    "ix_sync_cases_unanchored",
    "ix_attachments_not_uploaded",
    "ix_sync_attachments_waiting",
    "ix_sync_task_cases_unfinished",
    "ix_cases_published",
}


class NoFollowGateway(CentralV1Gateway):
    """A server that does not say its feeds follow its high water."""

    def handshake(self) -> ServerInfo:
        return dataclasses.replace(super().handshake(), feeds_follow_high_water=False)


class BreakingGateway(CentralV1Gateway):
    """Loses the connection on every page of the changes feed after the first, while ``broken``."""

    broken = False
    pages = 0

    def pull_changes(self, cursor: str | None, limit: int = 100) -> Page[CaseChange]:
        if self.broken and self.pages >= 1:
            raise RetryableError("连接中断", code="network")
        self.pages += 1
        return super().pull_changes(cursor, limit)


class Machine:
    def __init__(
        self, root: Path, server: CentralServer, gateway_class: type[CentralV1Gateway], page_size: int
    ) -> None:
        self.core: Core = build_core(prepare_data_dir(root))
        self.core.office.seed_demo()
        self.store = SqlSyncStore(self.core.database.engine, self.core.paths.root)
        self.sent: list[httpx.Request] = []
        self.client = httpx.Client(timeout=10, event_hooks={"request": [self.sent.append]})
        self.gateway = gateway_class(
            server.base_url, client=self.client, client_version="0.1.0", device_id=root.name
        )
        self.gateway.login(server.officer.username, server.officer.password, self.store.device_id())
        self.engine = SyncEngine(
            self.store,
            self.gateway,
            SyncLock(self.core.paths.sessions),
            sleep=lambda _s: None,
            steps=self.core._sync_steps(),
            page_size=page_size,
        )

    def sync(self, *, ok: bool = True) -> SyncReport:
        self.sent.clear()
        report = self.engine.run_once()
        assert report.ok is ok, report.as_dict()
        return report

    def quiet(self) -> None:
        """Sync until a run changes nothing on the server (anchors and acknowledgements of the
        run before move its high water once more)."""
        for _ in range(4):
            report = self.sync()
            if not (report.pushed or report.anchored or report.published or report.tasks_acked):
                return
        raise AssertionError("the sync did not settle")

    def paths(self) -> list[str]:
        return [r.url.path for r in self.sent]

    def new_case(self, title: str) -> str:
        spec = NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title=title,
            source=CaseSource.PATROL,
            opened_on=dt.date(2026, 3, 3),
            actor_id=LEAD,
            party_ids=(ZHANG,),
            officer_ids=(LEAD, SECOND),
        )
        case_id = self.core.cases.new_case(spec).value.case.id
        self.core.cases.act(case_id, "file", {"act_date": "2026-03-04"}, LEAD, dt.date(2026, 3, 4))
        return case_id

    def close(self) -> None:
        self.gateway.close()
        self.client.close()
        self.core.close()


@pytest.fixture
def machine(tmp_path: Path, server: CentralServer) -> Iterator[Any]:
    made: list[Machine] = []

    def make(
        name: str = "a", gateway_class: type[CentralV1Gateway] = CentralV1Gateway, page_size: int = 500
    ) -> Machine:
        made.append(Machine(tmp_path / name, server, gateway_class, page_size))
        return made[-1]

    yield make
    for m in made:
        m.close()


def test_a_sync_with_nothing_new_asks_for_the_handshake_alone(machine: Any, server: CentralServer) -> None:
    a = machine("a")
    case_id = a.new_case("占道经营")
    first = a.sync()
    assert first.pushed_cases == 1 and first.reference > 0
    a.quiet()

    assert a.sync().as_dict() == SyncReport().as_dict() | {"verified": 0}
    assert a.paths() == ["/v1/handshake"]
    assert a.store.read_to(CHANGES_STREAM) == a.gateway.handshake().high_water

    # Something written on the server (a reference item): every feed is read again, once.
    server.put_reference("officers", "officer:zhaoliu", _officer("赵六", "35012119990001"))
    report = a.sync()
    assert report.reference == 1
    assert {"/v1/changes", "/v1/tasks", "/v1/reference/officers", "/v1/reference/statutes"} <= set(a.paths())
    a.sync()
    assert a.paths() == ["/v1/handshake"]

    # Another device changes the case: the next sync pulls it.
    b = machine("b")
    b.quiet()
    b.core.cases.act(case_id, "collect_evidence", {"evidence_kinds": ["record"]}, LEAD, dt.date(2026, 3, 5))
    assert b.sync().pushed_cases == 1
    pulled = a.sync()
    assert pulled.pulled == 1 and pulled.pulled_events == 1
    a.quiet()
    a.sync()
    assert a.paths() == ["/v1/handshake"]

    # Cursors started over (as after a server restore): the feeds are read again.
    a.store.reset_cursors()
    a.sync()
    assert "/v1/changes" in a.paths() and "/v1/reference/benchmarks" in a.paths()


def test_the_heads_of_many_cases_are_anchored_in_one_request(machine: Any, server: CentralServer) -> None:
    a = machine("a")
    cases = [a.new_case(f"占道经营（{n}）") for n in range(3)]
    report = a.sync()
    assert report.pushed_cases == 3 and report.anchored == 3
    assert a.paths().count("/v1/anchors") == 1
    assert not [p for p in a.paths() if p.endswith("/anchor")]
    with server.client() as http:
        for case_id in cases:
            assert len(http.get(f"/v1/cases/{case_id}/anchor").json()["items"]) == 1


def test_a_server_that_does_not_follow_its_high_water_is_asked_every_time(machine: Any) -> None:
    a = machine("a", NoFollowGateway)
    a.new_case("占道经营")
    a.quiet()
    a.sync()
    assert {"/v1/changes", "/v1/tasks", "/v1/reference/officers", "/v1/reference/holidays"} <= set(a.paths())
    assert a.store.read_to(CHANGES_STREAM) is None


def test_a_feed_cut_off_half_way_is_read_again(machine: Any) -> None:
    a = machine("a", BreakingGateway, page_size=1)
    a.quiet()
    assert a.store.read_to(CHANGES_STREAM) is not None
    b = machine("b")
    for n in range(3):
        b.new_case(f"违规张贴广告（{n}）")
    b.quiet()

    a.gateway.broken, a.gateway.pages = True, 0
    cut = a.sync(ok=False)
    assert cut.offline and cut.pulled == 1
    assert a.store.read_to(CHANGES_STREAM) is None  # the page applied moved the cursor

    a.gateway.broken = False
    assert a.sync().pulled == 2
    assert a.store.read_to(CHANGES_STREAM) == a.gateway.handshake().high_water


def _officer(name: str, certificate: str) -> dict[str, Any]:
    return {
        "name": name,
        "certificate_no": certificate,
        "certificate_valid_from": "2024-01-01",
        "certificate_valid_until": "2030-12-31",
    }


# ---------------------------------------------------------------- no whole table read


@contextmanager
def statements_of(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements run on ``engine`` inside the block, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if not many and statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


SCAN = re.compile(r"^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?")
#: A search whose only key is "training or not" walks (half) the table all the same.
TRAINING_ONLY = re.compile(r"^SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \(is_training=\?\)$")


def whole_reads(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    """The plan lines of ``statements`` that read a growing table (or a full index of one)."""
    found = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            for row in cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters or ()).fetchall():
                match = SCAN.match(row[3])
                whole = match is not None and match.group(1) in GROWING and match.group(2) not in PARTIAL
                if whole or TRAINING_ONLY.match(row[3]):
                    found.append(f"{row[3]}  ←  {' '.join(statement.split())[:200]}")
    finally:
        raw.close()
    return found


def test_a_sync_with_nothing_new_reads_no_growing_table_whole(machine: Any, server: CentralServer) -> None:
    a = machine("a")
    for n in range(3):
        case_id = a.new_case(f"占道经营（{n}）")
        photo = a.core.paths.root / f"photo{n}.jpg"
        photo.write_bytes(b"\xff\xd8\xff" + bytes([n]) * 200)
        assert a.core.evidence.add(case_id, "audiovisual", "现场照片", photo, LEAD).value.sha256
    a.quiet()
    engine = a.core.database.engine
    with statements_of(engine) as statements:
        a.sync()
    assert a.paths() == ["/v1/handshake"]
    assert statements, "the run read nothing at all"
    assert whole_reads(engine, statements) == []
