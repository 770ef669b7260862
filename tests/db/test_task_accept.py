"""转为案件 (sync/tasks.py SyncDesk through services/sync.py SyncService) against the real reference
server (uvicorn on 127.0.0.1) and a real client data directory: online, twice, offline (the next
sync sends the acknowledgement and downloads the clue's files), without a login.

Tokens are kept by an in-memory CredentialStore here (the e2e CLI tests use the real keyring).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.central.server import CentralServer
from workstation import __version__
from workstation.app import Core, build_core
from workstation.domain.errors import NotFound
from workstation.domain.sync_ports import SyncGateway, TokenListener
from workstation.paths import prepare_data_dir
from workstation.persistence.reference_sync import SqlReferenceSync
from workstation.persistence.sync_store import SqlSyncStore
from workstation.services.sync import SyncService
from workstation.sync.central_v1 import CentralV1Gateway
from workstation.sync.engine import SyncClient
from workstation.sync.steps import SyncSteps
from workstation.sync.tasks import NoOfficer, SyncDesk

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
TODAY = dt.date(2026, 11, 23)


class MemoryCredentials:
    """The CredentialStore port in memory."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, account: str) -> str | None:
        return self.values.get(account)

    def set(self, account: str, secret: str) -> None:
        self.values[account] = secret

    def delete(self, account: str) -> None:
        self.values.pop(account, None)


class Unreachable(httpx.BaseTransport):
    """A network that is down: every request fails to connect."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("network is down", request=request)


@dataclass
class Desk:
    core: Core
    client: SyncClient
    desk: SyncDesk
    service: SyncService
    server: CentralServer
    network: dict[str, bool]
    sent: list[httpx.Request]

    def login(self) -> None:
        officer = self.server.officer
        self.client.login(self.server.base_url, officer.username, officer.password)

    def acks(self, task_id: str) -> list[httpx.Request]:
        return [r for r in self.sent if r.url.path.endswith(f"/tasks/{task_id}/ack")]

    def server_task(self, task_id: str) -> dict[str, Any]:
        with self.server.client() as http:
            items = http.get("/v1/tasks", params={"limit": 500}).json()["items"]
        return next(t for t in items if t["id"] == task_id)


@contextmanager
def open_desk(folder: Path, server: CentralServer) -> Iterator[Desk]:
    """A client data directory (the demo township), logged in and synced once."""
    core = build_core(prepare_data_dir(folder))
    core.office.seed_demo()
    engine = core.database.engine
    network = {"up": True}
    sent: list[httpx.Request] = []
    url: dict[str, str] = {"value": ""}
    online = httpx.Client(timeout=10, event_hooks={"request": [sent.append]})
    offline = httpx.Client(transport=Unreachable())

    def gateway(base: str, device_id: str, on_tokens: TokenListener) -> SyncGateway:
        http = online if network["up"] else offline
        return CentralV1Gateway(
            base, client=http, client_version=__version__, device_id=device_id, on_tokens=on_tokens
        )

    client = SyncClient(
        SqlSyncStore(engine, core.paths.root),
        MemoryCredentials(),
        gateway,
        lambda: url["value"],
        lambda value: url.__setitem__("value", value),
        core.paths.sessions,
        lambda: (LEAD, "林建华（示例）"),
        lambda: dt.datetime.now(dt.UTC),
        steps=lambda: SyncSteps(SqlReferenceSync(engine)),
    )
    sync_desk = SyncDesk(
        client,
        SqlReferenceSync(engine),
        lambda: core.cases,
        lambda: core.evidence,
        lambda: TODAY,
        core.paths.sessions,
        lock_wait=0.5,
    )
    service = SyncService(lambda: client, lambda: dt.datetime.now(dt.UTC), lambda: 15, desk=lambda: sync_desk)
    made = Desk(core, client, sync_desk, service, server, network, sent)
    made.login()
    report = client.run()
    assert report.ok, report.errors
    try:
        yield made
    finally:
        online.close()
        offline.close()
        core.close()


@pytest.fixture
def desk(tmp_path: Path, server: CentralServer) -> Iterator[Desk]:
    with open_desk(tmp_path / "client", server) as made:
        yield made


def _clue(d: Desk) -> str:
    return d.server.township.task_ids[0]


def test_a_pushed_clue_becomes_a_case_with_its_files_and_the_server_hears_once(desk: Desk) -> None:
    d = desk
    task_id = _clue(d)
    assert d.server_task(task_id)["status"] == "open"

    done = d.service.accept_task(task_id, LEAD).value
    assert done.created and done.acknowledged and done.files_missing == 0
    assert "已报送中心服务器" in done.text

    view = d.core.cases.show(done.case_id, TODAY).value.case
    assert view.stage == "clue" and view.officer_ids == (LEAD,)
    assert "店外摆摊占用人行道" in view.data["brief_facts"] and "人民路 12 号" in view.data["brief_facts"]
    assert view.data["source_task_id"] == task_id
    (item,) = d.core.evidence.list(done.case_id).value
    assert item.kind == "electronic" and item.sha256 == d.server.township.evidence_sha256
    assert item.path is not None
    assert hashlib.sha256(item.path.read_bytes()).hexdigest() == d.server.township.evidence_sha256

    on_server = d.server_task(task_id)
    assert on_server["status"] == "accepted" and on_server["case_id"] == done.case_id
    assert len(d.acks(task_id)) == 1

    # the 工作台 list shows it accepted, with its case
    shown = next(t for t in d.service.tasks().value if t.id == task_id)
    assert (shown.status, shown.status_label, shown.case_id) == ("accepted", "已受理", done.case_id)

    # twice: the same case, no second case, no second file, nothing sent again
    again = d.service.accept_task(task_id, LEAD).value
    assert again.case_id == done.case_id and not again.created and again.acknowledged
    assert len(d.core.evidence.list(done.case_id).value) == 1
    assert len(d.acks(task_id)) == 1
    # ... even without an officer chosen (it only opens the case)
    assert d.desk.accept(task_id, None).case_id == done.case_id

    # a sync afterwards sends nothing more for it
    assert d.client.run().ok
    assert len(d.acks(task_id)) == 1


def test_offline_the_case_is_made_and_the_next_sync_acknowledges_and_attaches_the_files(desk: Desk) -> None:
    d = desk
    task_id = _clue(d)
    d.network["up"] = False

    done = d.service.accept_task(task_id, LEAD).value
    assert done.created and not done.acknowledged and done.files_missing == 1
    assert "下次同步时报送" in done.text and "联网同步后将自动作为电子数据附入案件" in done.text
    assert d.core.cases.show(done.case_id, TODAY).value.case.stage == "clue"
    assert d.core.evidence.list(done.case_id).value == []
    shown = next(t for t in d.service.tasks().value if t.id == task_id)
    assert shown.status_label == "已受理（待报送）" and shown.case_id == done.case_id
    # the server has not heard yet
    assert d.server_task(task_id)["status"] == "open"
    # accepting again offline gives the same case
    assert d.service.accept_task(task_id, LEAD).value.case_id == done.case_id

    d.network["up"] = True
    summary = d.service.run().value
    assert summary.ok, summary.errors
    assert "线索材料 1 个已下载并附入案件" in summary.text

    on_server = d.server_task(task_id)
    assert on_server["status"] == "accepted" and on_server["case_id"] == done.case_id
    assert len(d.acks(task_id)) == 1
    (item,) = d.core.evidence.list(done.case_id).value
    assert item.sha256 == d.server.township.evidence_sha256
    assert item.path is not None
    assert hashlib.sha256(item.path.read_bytes()).hexdigest() == item.sha256
    shown = next(t for t in d.service.tasks().value if t.id == task_id)
    assert shown.status_label == "已受理"

    # the next sync has nothing left to attach or acknowledge
    again = d.service.run().value
    assert "线索材料" not in again.text and len(d.acks(task_id)) == 1


def test_without_a_login_the_case_is_made_and_the_login_is_named(desk: Desk) -> None:
    d = desk
    task_id = d.server.township.task_ids[1]  # a task without files
    assert d.client.logout()

    done = d.desk.accept(task_id, LEAD)
    assert done.created and not done.acknowledged and done.files_total == 0
    assert done.notes and done.notes[0].startswith("尚未登录中心服务器")

    d.login()
    assert d.client.run().ok
    assert d.server_task(task_id)["case_id"] == done.case_id


def test_an_unknown_task_and_a_missing_officer_are_refused_in_chinese(desk: Desk) -> None:
    d = desk
    with pytest.raises(NotFound, match="本机没有编号为 no-such-task 的推送任务"):
        d.desk.accept("no-such-task", LEAD)
    with pytest.raises(NoOfficer, match="尚未选择当前用户"):
        d.desk.accept(_clue(d), None)
    assert d.server_task(_clue(d))["status"] == "open"
    # a unique prefix of the id is enough
    assert d.desk.accept(_clue(d)[:8], LEAD).created


def test_a_task_another_workstation_accepted_opens_its_case_here(
    desk: Desk, server: CentralServer, tmp_path: Path
) -> None:
    task_id = _clue(desk)
    made = desk.desk.accept(task_id, LEAD)
    assert made.acknowledged
    assert desk.client.run().ok  # the case reaches the server

    with open_desk(tmp_path / "other", server) as other:  # pulls the case and the accepted task
        before = other.core.cases.show(made.case_id, TODAY).value.case
        opened = other.desk.accept(task_id, None)
        assert opened.case_id == made.case_id and not opened.created and opened.acknowledged
        assert other.core.cases.show(made.case_id, TODAY).value.case.id == before.id
        shown = next(t for t in other.service.tasks().value if t.id == task_id)
        assert shown.case_id == made.case_id and shown.status_label == "已受理"
        assert other.server_task(task_id)["case_id"] == made.case_id
