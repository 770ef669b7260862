"""The push in blocks: bodies fixed a block at a time, acknowledgements recorded a block at a time.

An acknowledgement received but not recorded yet is lost by a crash: its operation is sent
again with the same key and bytes and the server answers it as before. These tests stop a run
at every named crash point (in the middle of a block and in a later block) the way kill -9
would — nothing more is written once the point is reached — and show that the next runs
leave every case and event on the server exactly once.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.central.server import CentralServer
from tests.db import test_sync_engine as engine_tests
from tests.db.test_sync_engine import Machine, server_case, server_case_ids, server_events
from workstation.domain.sync_ports import RetryableError, ServerInfo
from workstation.persistence.sync_store import SqlSyncStore, UpsertFix
from workstation.sync import engine as engine_module
from workstation.sync.central_v1 import CentralV1Gateway
from workstation.sync.engine import CrashPoints, SyncEngine
from workstation.sync.lock import SyncLock

# the fixtures of the engine's tests: a reference server and machines logged in to it
server = engine_tests.server
machines = engine_tests.machines


class Unreachable(CentralV1Gateway):
    """The server cannot be reached (after the login)."""

    def handshake(self) -> ServerInfo:
        raise RetryableError("无法连接中心服务器", code="network")


class Killed(BaseException):
    """The process is gone: raised at the crash point and by every later use of the store."""


class DyingStore(SqlSyncStore):
    """A store that refuses everything once the process "died" (as kill -9 would stop it)."""

    dead = False

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_") and name != "dead" and object.__getattribute__(self, "dead"):
            raise Killed(name)
        return super().__getattribute__(name)


class KillAt(CrashPoints):
    def __init__(self, spec: str, store: DyingStore) -> None:
        super().__init__(spec)
        self.store = store
        self.reached = False

    def __call__(self, point: str) -> None:
        if self._name != point:
            return
        self._seen += 1
        if self._seen >= self._count:
            self.reached = True
            self.store.dead = True
            raise Killed(point)


def _cases(machine: Machine, count: int) -> list[str]:
    ids = []
    for n in range(count):
        case_id = machine.new_case(title=f"占道经营{n}")
        machine.act(case_id, "file", {"act_date": "2025-03-01"})
        ids.append(case_id)
    return ids


def _run_killed(machine: Machine, spec: str) -> bool:
    store = DyingStore(machine.core.database.engine, machine.core.paths.root)
    crash = KillAt(spec, store)
    engine = SyncEngine(store, machine.gateway, SyncLock(machine.core.paths.sessions), crash=crash)
    with pytest.raises(Killed):
        engine.run_once()
    return crash.reached


def _assert_everything_once(machine: Machine, server: CentralServer, case_ids: list[str]) -> None:
    ids = Counter(server_case_ids(server))
    for case_id in case_ids:
        assert ids[case_id] == 1
        assert [e["event_id"] for e in server_events(server, case_id)] == [
            e.event_id for e in machine.events(case_id)
        ]
        assert server_case(server, case_id)["version"] == 1  # a replay never made a second version
    assert machine.store.counts().pending_ops == 0


#: Blocks of three cases: five cases make two blocks (each case: an upsert and one event batch).
BLOCK = 3
CASES = 5


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "PUSH_BLOCK", BLOCK)


@pytest.mark.parametrize(
    "spec",
    [
        "local_write:1",
        f"local_write:{BLOCK + 1}",  # the second block's bodies fixed
        "send:1",
        "send:4",  # the first case's acknowledgements and the second's upsert's not recorded yet
        f"send:{2 * BLOCK + 2}",  # in the second block, the first block's acknowledgements recorded
        "ack:1",
        f"ack:{2 * BLOCK + 1}",  # the second block's first acknowledgement recorded
        "pull_applied:1",
    ],
)
def test_a_run_killed_at_any_point_of_a_block_loses_and_duplicates_nothing(
    machines: Any, server: CentralServer, small_blocks: None, spec: str
) -> None:
    a = machines("a")
    case_ids = _cases(a, CASES)
    assert _run_killed(a, spec)
    for _ in range(3):
        report = a.sync()
        if a.store.counts().pending_ops == 0:
            break
    assert not report.mismatches
    _assert_everything_once(a, server, case_ids)


def test_acknowledgements_lost_with_a_crash_are_answered_again_with_the_same_bytes(
    machines: Any, server: CentralServer, small_blocks: None
) -> None:
    a = machines("a")
    case_ids = _cases(a, CASES)
    # the first block's six answers received (three upserts, three event batches), none recorded
    assert _run_killed(a, f"send:{2 * BLOCK}")
    first_puts = {r.url.path: (r.headers["Idempotency-Key"], r.content) for r in a.sent if r.method == "PUT"}
    a.sent.clear()
    a.sync()
    again = [r for r in a.sent if r.method == "PUT" and r.url.path in first_puts]
    assert len(again) == BLOCK
    for request in again:
        assert (request.headers["Idempotency-Key"], request.content) == first_puts[request.url.path]
    _assert_everything_once(a, server, case_ids)


def test_a_case_changed_after_its_body_was_read_is_not_fixed_with_the_old_body(
    machines: Any, server: CentralServer
) -> None:
    a = machines("a")
    case_id = a.new_case()
    source = a.store.upsert_source(case_id)
    (upsert,) = [o for o in a.store.ops(case_id) if o.operation == "upsert"]
    a.act(case_id, "file", {"act_date": "2025-03-01"})  # coalesced into the waiting upsert
    body = {"base_version": 0, "fields": source.document, "case_number": source.local_number}
    assert a.store.fix_upserts([UpsertFix(upsert.op_id, body, (), source.seen)]) == [None]
    assert [o.state for o in a.store.ops(case_id) if o.operation == "upsert"] == ["pending"]
    a.sync()
    assert server_case(server, case_id)["fields"]["stage"] == "investigation"
    _assert_everything_once(a, server, [case_id])


def test_the_engine_records_the_time_and_outcome_of_each_run(machines: Any, server: CentralServer) -> None:
    a = machines("a")
    a.new_case()
    a.sync()
    last = json.loads(a.store.meta("last_sync") or "{}")
    assert last["ok"] is True and last["contact"] is True and not last["errors"]
    assert last["summary"].startswith("上传 ")
    assert a.store.meta("last_success_at") == last["at"] == a.store.meta("last_contact_at")

    offline = machines("offline", Unreachable)
    offline.store.set_meta("last_success_at", "2025-01-01T00:00:00+00:00")
    report = offline.engine().run_once()
    assert report.offline
    last = json.loads(offline.store.meta("last_sync") or "{}")
    assert last["ok"] is False and last["contact"] is False
    assert last["summary"] == "无法连接中心服务器，本机数据已保存，联网后自动继续。"
    assert offline.store.meta("last_success_at") == "2025-01-01T00:00:00+00:00"
