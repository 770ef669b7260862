"""Holiday tables sent by the central server drive the app's deadline calendar (sync/steps.py,
library/calendar_adapter.RefreshingCalendar, wired in app.py), against the real reference server
(uvicorn on 127.0.0.1) and a real client data directory.

A complete year is taken and the case deadlines the app computes use it at once, without a
restart; a year lacking a holiday of 《全国年节及纪念日放假办法》第二条 is refused whole, the
refusal is kept with its reason, and the calendar keeps the year it had.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.central.server import CentralServer
from workstation import cli
from workstation.app import Core, build_core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.paths import prepare_data_dir
from workstation.persistence.reference_sync import REFERENCE_NOTICE, ReferenceItem, SqlReferenceSync
from workstation.persistence.sync_store import SqlSyncStore
from workstation.services.cases import NewCaseSpec
from workstation.sync import steps
from workstation.sync.central_v1 import CentralV1Gateway
from workstation.sync.engine import SyncEngine, SyncReport
from workstation.sync.lock import SyncLock

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
ZHANG = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）
D = dt.date
BUNDLED_2025 = "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）"

#: A made-up but complete 2027 table (days and periods mixed, as the feed allows).
TABLE_2027: dict[str, Any] = {
    "year": 2027,
    "source": "2027年部分节假日安排（测试用）",
    "holidays": [
        {"name": "元旦", "first": "2027-01-01", "last": "2027-01-03"},
        {"name": "春节", "first": "2027-02-05", "last": "2027-02-13"},
        {"name": "清明节", "first": "2027-04-03", "last": "2027-04-05"},
        {"name": "劳动节", "first": "2027-05-01", "last": "2027-05-05"},
        {"name": "端午节", "date": "2027-06-09"},
        {"name": "中秋节", "date": "2027-09-15"},
        {"name": "国庆节", "first": "2027-10-01", "last": "2027-10-07"},
    ],
    "workdays": [
        {"date": "2027-01-30", "name": "春节"},
        {"date": "2027-05-08", "name": "劳动节"},
        {"date": "2027-09-26", "name": "国庆节"},
        {"date": "2027-10-09", "name": "国庆节"},
    ],
}

#: 2025 with only the fixed-date holidays (as the classroom seed used to publish).
PARTIAL_2025: dict[str, Any] = {
    "year": 2025,
    "holidays": [
        {"date": "2025-01-01", "name": "元旦"},
        {"date": "2025-10-01", "name": "国庆节"},
        {"date": "2025-10-02", "name": "国庆节"},
        {"date": "2025-10-03", "name": "国庆节"},
    ],
    "workdays": [{"date": "2025-10-11", "name": "国庆节"}],
}


@dataclass
class Machine:
    core: Core
    reference: SqlReferenceSync
    gateway: CentralV1Gateway

    def sync(self) -> SyncReport:
        """One run of the engine as the app wires it (the steps of Core, with its calendar)."""
        store = SqlSyncStore(self.core.database.engine, self.core.paths.root)
        engine = SyncEngine(
            store,
            self.gateway,
            SyncLock(self.core.paths.sessions),
            sleep=lambda _s: None,
            steps=self.core._sync_steps(),
        )
        return engine.run_once()

    def decision_due(self, title: str, filed: dt.date) -> tuple[dt.date, str]:
        """Open and file (立案) a case on ``filed``: the 办案期限 the app computed, and its basis."""
        case_id = self.core.cases.new_case(
            NewCaseSpec(
                kind=CaseKind.ORDINARY,
                title=title,
                source=CaseSource.PATROL,
                opened_on=filed,
                actor_id=LEAD,
                party_ids=(ZHANG,),
                officer_ids=(LEAD, SECOND),
            )
        ).value.case.id
        view = self.core.cases.act(case_id, "file", {"act_date": filed.isoformat()}, LEAD, filed).value
        decision = next(d for d in view.deadlines if d.name == "decision")
        return decision.due, decision.basis


@pytest.fixture
def machine(tmp_path: Path, server: CentralServer) -> Iterator[Machine]:
    core = build_core(prepare_data_dir(tmp_path / "client"))
    core.office.seed_demo()
    client = httpx.Client(timeout=10)
    gateway = CentralV1Gateway(server.base_url, client=client, client_version="0.1.0", device_id="a")
    store = SqlSyncStore(core.database.engine, core.paths.root)
    gateway.login(server.officer.username, server.officer.password, store.device_id())
    yield Machine(core, SqlReferenceSync(core.database.engine), gateway)
    gateway.close()
    client.close()
    core.close()


def state(store: SqlReferenceSync, item_id: str) -> str | None:
    stored = store.item("holidays", item_id)
    return None if stored is None else stored.state


def put_holidays(server: CentralServer, item_id: str, payload: dict[str, Any]) -> None:
    with server.admin() as http:
        response = http.put(
            f"/v1/admin/reference/holidays/{item_id}", json={"township_code": None, "payload": payload}
        )
        assert response.status_code == 200, response.text


def test_a_complete_year_from_the_server_drives_case_deadlines_without_a_restart(
    machine: Machine, server: CentralServer
) -> None:
    m = machine
    calendar = m.core.deadline_calendar()
    # Before: 2027 is in no table: the 90-day 办案期限 from 2026-11-11 ends on 2027-02-09, a
    # Tuesday, guessed by the weekend rule.
    before, _ = m.decision_due("占道经营（同步前立案）", D(2026, 11, 11))
    assert before == D(2027, 2, 9)
    assert not calendar.covers(D(2027, 2, 9))

    # The seed's complete 2026 and this 2027 are taken in one sync.
    put_holidays(server, "holidays:2027", TABLE_2027)
    report = m.sync()
    assert not report.errors, report.errors
    assert state(m.reference, "holidays:2027") == "applied"
    assert state(m.reference, "holidays:2026") == "applied"

    # The same Core, no restart: the calendar in use has 2027 now …
    assert calendar.covers(D(2027, 2, 9)) and calendar.holiday_name(D(2027, 2, 9)) == "春节"
    assert calendar.source(2027).startswith("2027年部分节假日安排（测试用）（中心服务器下发")
    assert m.core.deadline_calendar() is calendar
    # … and a case filed now gets its 办案期限 carried over the 春节 holiday to Monday 2027-02-15.
    after, basis = m.decision_due("占道经营（同步后立案）", D(2026, 11, 11))
    assert after == D(2027, 2, 15)
    assert "法定休假日" in basis
    # 2026 is the official schedule (the seed's equals the bundled one).
    assert not calendar.is_working_day(D(2026, 2, 16)) and calendar.is_working_day(D(2026, 2, 14))
    # `workstation calendar add` counts on the same calendar: 3 working days from Thursday
    # 2027-02-04 skip the 春节 holiday of the server's table (2027-02-05 to 02-13).
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(
            [
                "--data-dir",
                str(m.core.paths.root),
                "--json",
                "calendar",
                "add",
                "2027-02-04",
                "3",
                "--working",
            ]
        )
    assert code == 0
    assert json.loads(out.getvalue())["due"] == "2027-02-17"


def test_a_partial_year_is_refused_with_its_reason_and_the_calendar_keeps_its_year(
    machine: Machine, server: CentralServer
) -> None:
    m = machine
    assert not m.sync().errors
    cursor = m.reference.cursor("holidays")

    put_holidays(server, "holidays:2025", PARTIAL_2025)
    report = m.sync()
    refusal = [e for e in report.errors if "holidays:2025" in e]
    assert len(refusal) == 1, report.errors
    assert "《全国年节及纪念日放假办法》（2024年11月10日修订）第二条" in refusal[0]
    for name in ("春节", "清明节", "劳动节", "端午节", "中秋节"):
        assert name in refusal[0]
    # Kept as a refused reference item (what `sync status` lists), the cursor before it.
    stored = m.reference.item("holidays", "holidays:2025")
    assert stored is not None and stored.state == "refused"
    assert stored.reason and "全国年节及纪念日放假办法" in stored.reason and "5月2日" in stored.reason
    assert [(r.kind, r.item_id) for r in m.reference.refusals()] == [("holidays", "holidays:2025")]
    # What `workstation sync status` lists under refused_reference.
    notices = [n for n in m.core.sync_desk().notices() if n.kind == REFERENCE_NOTICE]
    assert [(n.subject, n.version) for n in notices] == [("holidays/holidays:2025", 1)]
    assert "全国年节及纪念日放假办法" in notices[0].reason
    assert m.reference.cursor("holidays") == cursor

    # The bundled 2025 stays in use: 春节 and 劳动节 are still holidays.
    calendar = m.core.deadline_calendar()
    assert calendar.source(2025) == BUNDLED_2025
    assert not calendar.is_working_day(D(2025, 1, 29)) and not calendar.is_working_day(D(2025, 5, 2))
    assert steps.holiday_table(m.reference).source(2025) == BUNDLED_2025

    # Refused again next time; taken once the server completes it.
    again = m.sync()
    assert any("holidays:2025" in e for e in again.errors)
    complete = {
        "year": 2025,
        "source": "国务院办公厅关于2025年部分节假日安排的通知（中心服务器更正）",
        "holidays": [
            {"name": "元旦", "first": "2025-01-01", "last": "2025-01-01"},
            {"name": "春节", "first": "2025-01-28", "last": "2025-02-04"},
            {"name": "清明节", "first": "2025-04-04", "last": "2025-04-06"},
            {"name": "劳动节", "first": "2025-05-01", "last": "2025-05-05"},
            {"name": "端午节", "first": "2025-05-31", "last": "2025-06-02"},
            {"name": "国庆节、中秋节", "first": "2025-10-01", "last": "2025-10-08"},
        ],
        "workdays": [
            {"date": "2025-01-26", "name": "春节"},
            {"date": "2025-02-08", "name": "春节"},
            {"date": "2025-04-27", "name": "劳动节"},
            {"date": "2025-09-28", "name": "国庆节、中秋节"},
            {"date": "2025-10-11", "name": "国庆节、中秋节"},
        ],
    }
    put_holidays(server, "holidays:2025", complete)
    fixed = m.sync()
    assert not fixed.errors, fixed.errors
    assert state(m.reference, "holidays:2025") == "applied"
    assert m.reference.refusals() == []
    assert "中心服务器更正" in calendar.source(2025)


def test_a_newer_partial_version_leaves_the_taken_one_in_use(machine: Machine, server: CentralServer) -> None:
    m = machine
    put_holidays(server, "holidays:2027", TABLE_2027)
    assert not m.sync().errors
    shortened = {**TABLE_2027, "holidays": [h for h in TABLE_2027["holidays"] if h["name"] != "春节"]}
    put_holidays(server, "holidays:2027", shortened)
    report = m.sync()
    assert any("holidays:2027" in e and "春节" in e for e in report.errors), report.errors
    stored = m.reference.item("holidays", "holidays:2027")
    assert stored is not None and stored.state == "applied" and stored.version == 1
    assert stored.reason and stored.reason.startswith("第2版未采用：")
    calendar = m.core.deadline_calendar()
    assert calendar.holiday_name(D(2027, 2, 9)) == "春节"
    assert m.decision_due("占道经营", D(2026, 11, 11))[0] == D(2027, 2, 15)


def test_a_partial_year_stored_before_the_check_is_not_used(machine: Machine) -> None:
    store = machine.reference
    item = ReferenceItem("holidays", "holidays:2025", 1, 1, False, None, PARTIAL_2025)
    store.apply_holidays([item], "legacy-cursor", lambda _payloads: None)  # as an older version did
    assert state(store, "holidays:2025") == "applied"
    table = steps.holiday_table(store)
    assert table.source(2025) == BUNDLED_2025
    calendar = steps.synced_calendar(store)
    assert not calendar.is_working_day(D(2025, 1, 29))
