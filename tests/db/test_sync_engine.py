"""The sync engine against the real reference server (uvicorn on 127.0.0.1) and real SQLite.

Two "machines" are two data directories migrated by the app, seeded with the demo township;
each syncs through the real CentralV1Gateway (whose ``pull_events`` reads GET …/events).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.central.server import CentralServer
from tests.sync.fault_proxy import Fault, FaultProxy
from workstation.app import Core, build_core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.record import CaseEvent
from workstation.domain.sync_ports import CaseAck, RetryableError
from workstation.paths import prepare_data_dir
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.models import SyncCursorRow
from workstation.persistence.sync_store import RemoteCase, SqlSyncStore
from workstation.services.cases import NewCaseSpec
from workstation.sync.backoff import Backoff
from workstation.sync.central_v1 import CentralV1Gateway
from workstation.sync.engine import EventFeed, SyncEngine, SyncReport
from workstation.sync.lock import SyncAlreadyRunning, SyncLock

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
ZHANG = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）
LI = "018f0c86-94dc-50c1-bc59-1a1adaa4f9d6"  # 李某（示例）
D = dt.date


class WithoutEventsReader(CentralV1Gateway):
    """CentralV1Gateway as a server without GET …/events would be: no EventFeed."""

    pull_events = None  # type: ignore[assignment]


class FlakyGateway(CentralV1Gateway):
    """Loses the response of the first case upsert (the request reached the server)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lost = 0
        self.acks: list[CaseAck] = []

    def push_case(self, *args: Any, **kwargs: Any) -> CaseAck:
        ack = super().push_case(*args, **kwargs)
        self.acks.append(ack)
        if self.lost == 0:
            self.lost += 1
            raise RetryableError("连接中断", code="network")
        return ack


@dataclass
class Machine:
    core: Core
    store: SqlSyncStore
    gateway: CentralV1Gateway
    client: httpx.Client
    sent: list[httpx.Request] = field(default_factory=list)

    def engine(self, **options: Any) -> SyncEngine:
        options.setdefault("sleep", lambda _s: None)
        return SyncEngine(self.store, self.gateway, SyncLock(self.core.paths.sessions), **options)

    def sync(self) -> SyncReport:
        report = self.engine().run_once()
        assert not report.errors, report.errors
        return report

    def new_case(
        self, title: str = "占道经营", party: str = ZHANG, data: dict[str, Any] | None = None
    ) -> str:
        spec = NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title=title,
            source=CaseSource.PATROL,
            opened_on=D(2025, 3, 3),
            actor_id=LEAD,
            party_ids=(party,),
            officer_ids=(LEAD, SECOND),
            data=data or {},
        )
        return self.core.cases.new_case(spec).value.case.id

    def act(self, case_id: str, action: str, inputs: dict[str, Any], day: dt.date | None = None) -> None:
        self.core.cases.act(case_id, action, inputs, LEAD, day or D(2025, 3, 4))

    def data(self, case_id: str) -> dict[str, Any]:
        return dict(self.core.cases.show(case_id, D(2025, 3, 10)).value.case.data)

    def events(self, case_id: str) -> list[CaseEvent]:
        return SqlCaseEventStore(self.core.database.engine).events(case_id)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(tmp_path / "central", max_json_bytes=256 * 1024) as running:
        yield running


@pytest.fixture
def machines(tmp_path: Path, server: CentralServer) -> Iterator[Any]:
    made: list[Machine] = []

    def make(
        name: str, gateway_class: type[CentralV1Gateway] = CentralV1Gateway, base_url: str | None = None
    ) -> Machine:
        core = build_core(prepare_data_dir(tmp_path / name))
        core.office.seed_demo()
        store = SqlSyncStore(core.database.engine, core.paths.root)
        sent: list[httpx.Request] = []
        client = httpx.Client(timeout=10, event_hooks={"request": [sent.append]})
        gateway = gateway_class(
            base_url or server.base_url, client=client, client_version="0.1.0", device_id=name
        )
        machine = Machine(core, store, gateway, client, sent)
        made.append(machine)
        gateway.login(server.officer.username, server.officer.password, store.device_id())
        return machine

    yield make
    for machine in made:
        machine.gateway.close()
        machine.client.close()
        machine.core.close()


def server_case(server: CentralServer, case_id: str) -> dict[str, Any]:
    with server.client() as http:
        response = http.get(f"/v1/cases/{case_id}")
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data


def server_events(server: CentralServer, case_id: str) -> list[dict[str, Any]]:
    with server.client() as http:
        items: list[dict[str, Any]] = http.get(f"/v1/cases/{case_id}/events", params={"limit": 500}).json()[
            "items"
        ]
        return items


def server_case_ids(server: CentralServer) -> list[str]:
    ids: list[str] = []
    with server.client() as http:
        cursor = ""
        while True:
            page = http.get(
                "/v1/changes", params={"cursor": cursor, "limit": 500} if cursor else {"limit": 500}
            ).json()
            ids += [c["case_id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return ids


# ---------------------------------------------------------------- push


def test_a_case_made_offline_reaches_the_server_exactly_once(machines: Any, server: CentralServer) -> None:
    a = machines("a")
    case_id = a.new_case()
    a.act(case_id, "file", {"act_date": "2025-03-01"})
    report = a.sync()
    assert (report.pushed_cases, report.pushed_events, report.verified) == (1, 2, 1)
    assert not report.mismatches
    assert a.store.counts().pending_ops == 0
    stored = server_case(server, case_id)
    assert stored["version"] == 1 and stored["fields"]["stage"] == "investigation"
    assert stored["case_number"] == "榕溪镇罚立字〔2025〕第1号"
    local = a.events(case_id)
    remote = server_events(server, case_id)
    assert [e["event_id"] for e in remote] == [e.event_id for e in local]
    again = a.sync()
    assert again.pushed == 0
    assert server_case_ids(server).count(case_id) == 1
    assert len(server_events(server, case_id)) == len(local)


def test_a_retry_sends_identical_bytes_and_the_server_replays(machines: Any, server: CentralServer) -> None:
    a = machines("a", FlakyGateway)
    case_id = a.new_case()
    report = a.sync()
    assert report.pushed_cases == 1
    puts = [r for r in a.sent if r.method == "PUT" and r.url.path == f"/v1/cases/{case_id}"]
    assert len(puts) == 2
    assert puts[0].content == puts[1].content
    assert puts[0].headers["Idempotency-Key"] == puts[1].headers["Idempotency-Key"]
    assert [ack.replayed for ack in a.gateway.acks] == [False, True]
    assert server_case(server, case_id)["version"] == 1


def test_through_a_faulty_network_nothing_is_lost_or_doubled(machines: Any, server: CentralServer) -> None:
    with FaultProxy(server.base_url) as proxy:
        a = machines("a", base_url=proxy.base_url)
        case_id = a.new_case()
        a.act(case_id, "file", {"act_date": "2025-03-01"})
        proxy.inject(Fault.drop_response(), match=f"PUT /v1/cases/{case_id}")  # applied, answer lost
        proxy.inject(Fault.status(429, retry_after="3"), match=f"POST /v1/cases/{case_id}/events")
        proxy.inject(Fault.html(), match="GET /v1/changes")  # a captive portal's page
        waits: list[float] = []
        report = a.engine(sleep=waits.append).run_once()
        assert report.ok, report.errors
        assert (report.pushed_cases, report.pushed_events) == (1, 2)
        assert any(w >= 3 for w in waits) and len(waits) == 3
        faults = [e.fault for e in proxy.log if e.fault]
        assert len(faults) == 3
    assert server_case(server, case_id)["version"] == 1
    assert len(server_events(server, case_id)) == 2
    assert server_case_ids(server).count(case_id) == 1


def test_transient_failures_back_off_with_jitter_and_honour_retry_after() -> None:
    backoff = Backoff(base=1, factor=2, cap=8)
    delays = [backoff.delay(n) for n in range(1, 7)]
    assert all(0.5 <= d <= 1 for d in delays[:1]) and all(4 <= d <= 8 for d in delays[3:])
    assert backoff.delay(1, retry_after=30) == 30
    assert backoff.gives_up(5, 1) and backoff.gives_up(1, 120) and not backoff.gives_up(1, 1)


def test_one_refused_record_is_quarantined_and_the_others_go_through(
    machines: Any, server: CentralServer
) -> None:
    a = machines("a")
    good = a.new_case("占道经营")
    bad = a.new_case("超大案件", data={"brief_facts": "很长的案情" * 60_000})  # above the server's limit
    other = a.new_case("噪声扰民", party=LI)
    report = a.engine().run_once()
    assert report.quarantined == 1
    assert report.pushed_cases == 2
    quarantined = a.store.quarantined()
    assert [(q.case_id, q.reason_code) for q in quarantined] == [(bad, "too_large")]
    assert quarantined[0].reason.endswith("（too_large）") and len(quarantined[0].reason) > len(
        "（too_large）"
    )
    ids = server_case_ids(server)
    assert good in ids and other in ids and bad not in ids
    # the refused case's events wait behind it; sync retry puts it back in line
    assert a.store.counts().pending_ops == 1
    assert a.store.retry(quarantined[0].op_id) == 1
    assert a.engine().run_once().quarantined == 1  # still too large: refused again, nothing lost


# ---------------------------------------------------------------- pull


def test_pull_applies_another_devices_case_with_its_record(machines: Any, server: CentralServer) -> None:
    a, b = machines("a"), machines("b")
    case_id = a.new_case()
    a.act(case_id, "file", {"act_date": "2025-03-01"})
    a.sync()
    report = b.sync()
    assert report.pulled == 1 and report.pulled_events == 2
    view = b.core.cases.show(case_id, D(2025, 3, 10)).value
    assert view.case.title == "占道经营" and view.case.case_number == "榕溪镇罚立字〔2025〕第1号"
    assert [e.event_id for e in b.events(case_id)] == [e.event_id for e in a.events(case_id)]
    assert b.core.cases.verify_log(case_id).value.ok
    assert b.store.counts().pending_ops == 0  # what came from the server is not sent back


def test_the_cursor_moves_only_with_the_batch_it_belongs_to(machines: Any, server: CentralServer) -> None:
    a, b = machines("a"), machines("b")
    case_id = a.new_case()
    a.sync()
    b.sync()
    cursor = b.store.cursor("changes")
    assert cursor is not None
    good = RemoteCase(case_id, 99, 999, None, "none", False, {"title": "不应写入"})
    broken = RemoteCase(
        "f" * 8 + "-0000-4000-8000-" + "0" * 12, 1, 1000, None, "none", False, {"opened_on": "坏日期"}
    )
    with pytest.raises(ValueError, match="坏日期"):
        b.store.apply_pulled("changes", [good, broken], "cursor-after-the-batch")
    assert b.store.cursor("changes") == cursor
    assert b.core.cases.show(case_id, D(2025, 3, 10)).value.case.title == "占道经营"


def test_an_older_version_never_overwrites_a_newer_one(machines: Any, server: CentralServer) -> None:
    a, b = machines("a"), machines("b")
    case_id = a.new_case()
    a.sync()
    a.act(case_id, "file", {"act_date": "2025-03-01"})
    a.sync()
    b.sync()
    newer = b.store.state(case_id)
    assert newer.server_version == 2
    old = RemoteCase(case_id, 1, 1, None, "none", False, {**(newer.base or {}), "stage": "clue"})
    applied, conflicts = b.store.apply_pulled("changes", [old], "c")
    assert (applied, conflicts) == (0, [])
    assert b.core.cases.show(case_id, D(2025, 3, 10)).value.case.stage == "investigation"
    with b.core.database.engine.connect() as conn:
        assert (
            conn.execute(select(SyncCursorRow.cursor).where(SyncCursorRow.stream == "changes")).scalar_one()
            == "c"
        )


def test_tasks_are_pulled_and_kept_for_the_workbench(machines: Any, server: CentralServer) -> None:
    a = machines("a")
    report = a.sync()
    assert report.tasks == len(server.township.task_ids) > 0
    assert {t["id"] for t in a.store.tasks()} == set(server.township.task_ids)
    assert a.sync().tasks == 0


# ---------------------------------------------------------------- merge


def test_different_fields_edited_on_two_machines_merge_silently(machines: Any, server: CentralServer) -> None:
    a, b = machines("a"), machines("b")
    case_id = a.new_case()
    a.act(case_id, "file", {"act_date": "2025-03-01"})
    a.sync()
    b.sync()
    a.act(case_id, "collect_evidence", {"evidence_kinds": ["record"], "place": "东街"}, D(2025, 3, 5))
    b.act(case_id, "collect_evidence", {"evidence_kinds": ["record"], "findings": "占道摆摊"}, D(2025, 3, 5))
    a.sync()
    report = b.sync()
    assert report.conflicts == 0 and not b.store.conflicts()
    a.sync()
    for machine in (a, b):
        data = machine.data(case_id)
        assert data["place"] == "东街" and data["findings"] == "占道摆摊"
    stored = server_case(server, case_id)["fields"]["data"]
    assert stored["place"] == "东街" and stored["findings"] == "占道摆摊"
    # the forked 全过程记录: b's event was continued on the server as a copy, nothing twice
    remote = server_events(server, case_id)
    assert [e["seq"] for e in remote] == list(range(1, len(remote) + 1))
    assert len(remote) == 4
    origins = [e["payload"].get("rebased_from", {}).get("event_id") for e in remote]
    assert origins.count(b.events(case_id)[-1].event_id) == 1
    b.sync()
    assert len(server_events(server, case_id)) == 4


def test_the_same_field_edited_differently_is_a_conflict_for_a_person(
    machines: Any, server: CentralServer
) -> None:
    a, b = machines("a"), machines("b")
    case_id = a.new_case()
    a.sync()
    b.sync()
    a.act(case_id, "file", {"act_date": "2025-03-01", "brief_facts": "在东街占道摆摊"})
    b.act(case_id, "file", {"act_date": "2025-03-01", "brief_facts": "在西街占道摆摊"})
    a.sync()
    report = b.sync()
    assert report.conflicts == 1
    [conflict] = b.store.conflicts()
    assert (conflict.field, conflict.local, conflict.remote) == (
        "data.brief_facts",
        "在西街占道摆摊",
        "在东街占道摆摊",
    )
    assert b.data(case_id)["brief_facts"] == "在东街占道摆摊"  # the server's value until decided
    event = b.store.resolve(
        conflict.id, conflict.local, resolved_by="陈晓敏", actor_id=SECOND, now=dt.datetime.now(dt.UTC)
    )
    assert event.action == "resolve_sync_conflict" and b.events(case_id)[-1] == event
    assert not b.store.conflicts()
    [resolved] = b.store.conflicts(open_only=False)
    assert (resolved.status, resolved.resolution, resolved.resolved_by) == (
        "resolved",
        "在西街占道摆摊",
        "陈晓敏",
    )
    b.sync()
    assert server_case(server, case_id)["fields"]["data"]["brief_facts"] == "在西街占道摆摊"
    a.sync()
    assert a.data(case_id)["brief_facts"] == "在西街占道摆摊"
    assert [e["action"] for e in server_events(server, case_id)][-1] == "resolve_sync_conflict"


def test_without_the_events_reader_a_forked_record_still_lands_once(
    machines: Any, server: CentralServer
) -> None:
    a, b = machines("a"), machines("b", WithoutEventsReader)
    assert isinstance(a.gateway, EventFeed) and not isinstance(b.gateway, EventFeed)
    case_id = a.new_case()
    a.sync()
    b.sync()
    a.act(case_id, "file", {"act_date": "2025-03-01"})
    b.act(case_id, "file", {"act_date": "2025-03-01"})
    a.sync()
    report = b.sync()
    assert report.rebased == 1 and report.pushed_events == 1
    remote = server_events(server, case_id)
    assert [e["seq"] for e in remote] == [1, 2, 3]
    b.sync()
    assert len(server_events(server, case_id)) == 3


# ---------------------------------------------------------------- attachments, lock, restore


def test_evidence_files_go_through_their_own_lane(
    machines: Any, server: CentralServer, tmp_path: Path
) -> None:
    a = machines("a")
    case_id = a.new_case()
    a.act(case_id, "file", {"act_date": "2025-03-01"})
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 5000)
    item = a.core.evidence.add(case_id, "audiovisual", "现场照片", photo, LEAD).value
    report = a.engine(chunk_bytes=300_000).run_once()
    assert report.attachments == 1 and report.pushed_cases == 1
    assert a.store.counts().pending_attachments == 0
    sha = server_case(server, case_id)["fields"]["evidence"][item.id]["sha256"]
    with server.client() as http:
        assert http.get(f"/v1/attachments/{sha}").content == photo.read_bytes()


def test_a_second_engine_is_refused_while_one_runs(machines: Any) -> None:
    a = machines("a")
    with SyncLock(a.core.paths.sessions), pytest.raises(SyncAlreadyRunning) as refused:
        a.engine().run_once()
    assert "另一个同步正在进行" in refused.value.message


def test_a_restored_server_gets_back_what_it_lost(
    machines: Any, server: CentralServer, tmp_path: Path
) -> None:
    a = machines("a")
    case_id = a.new_case()
    a.act(case_id, "file", {"act_date": "2025-03-01"})
    a.sync()
    with CentralServer(tmp_path / "restored") as fresh:
        a.gateway.base_url = fresh.base_url
        a.gateway.login(fresh.officer.username, fresh.officer.password, a.store.device_id())
        report = a.sync()
        assert report.server_restored and report.requeued >= 2
        with fresh.client() as http:
            assert http.get(f"/v1/cases/{case_id}").json()["fields"]["stage"] == "investigation"
            assert len(http.get(f"/v1/cases/{case_id}/events").json()["items"]) == 2
        assert a.sync().pushed == 0


# ---------------------------------------------------------------- stops


def test_an_unsupported_client_stops_with_an_upgrade_message(machines: Any, tmp_path: Path) -> None:
    a = machines("a")
    a.new_case()
    with CentralServer(tmp_path / "newer", min_client_version="9.0.0") as newer:
        a.gateway.base_url = newer.base_url
        report = a.engine().run_once()
    assert report.upgrade_required and not report.ok
    assert "升级" in report.errors[0]
    assert a.store.counts().pending_ops == 2  # kept for after the upgrade


def test_an_expired_session_stops_and_asks_for_a_login(machines: Any, server: CentralServer) -> None:
    a = machines("a")
    a.new_case()
    server.clock.advance(31 * 24 * 3600)  # past the refresh token's lifetime
    report = a.engine().run_once()
    assert report.needs_login and "重新登录" in report.errors[0]
    assert a.store.counts().pending_ops == 2


def test_a_case_locked_after_review_refuses_edits_which_wait_in_quarantine(
    machines: Any, server: CentralServer
) -> None:
    a = machines("a")
    case_id = a.new_case()
    a.sync()
    with server.admin() as http:
        reviewed = http.post(
            f"/v1/admin/cases/{case_id}/review", json={"review_status": "approved", "locked": True}
        )
        assert reviewed.status_code == 200, reviewed.text
    a.act(case_id, "file", {"act_date": "2025-03-01"})
    report = a.engine().run_once()
    assert report.quarantined == 1
    [item] = a.store.quarantined()
    assert (item.case_id, item.reason_code) == (case_id, "case_locked") and "锁定" in item.reason
    state = a.store.state(case_id)
    assert (state.review_status, state.locked) == ("approved", True)  # the server owns these
    assert server_case(server, case_id)["fields"]["stage"] == "clue"
