"""Workstations ("devices") and a view of the central server, for the sync engine's system tests.

A :class:`Device` is a real data directory (SQLite database migrated by the app and seeded with
the demo office, copied from one template so that making a device costs milliseconds) with the
app's core, its :class:`SqlSyncStore`, and a real :class:`CentralV1Gateway` logged in as a
seeded officer of the real reference server (tests/central/server.py), straight or through the
fault proxy. :class:`ServerView` reads what the server holds over HTTP, and
:func:`assert_converged` checks that a device and the server hold the same cases, records and
files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from tests.central.server import CentralServer
from workstation.app import Core, build_core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.record import CaseEvent, canonical_json
from workstation.paths import prepare_data_dir
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.models import CaseRow
from workstation.persistence.sync_store import SqlSyncStore
from workstation.services.cases import NewCaseSpec
from workstation.sync.backoff import Backoff
from workstation.sync.central_v1 import CentralV1Gateway
from workstation.sync.engine import SyncEngine, SyncReport
from workstation.sync.lock import SyncLock
from workstation_central import cursors
from workstation_central.seed import SeededOfficer

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
ZHANG = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）
LI = "018f0c86-94dc-50c1-bc59-1a1adaa4f9d6"  # 李某（示例）
DAY = dt.date(2025, 3, 4)


def make_template(directory: Path) -> Path:
    """A migrated data directory with the demo office (no cases), to copy devices from."""
    core = build_core(prepare_data_dir(directory))
    try:
        core.office.seed_demo()
    finally:
        core.close()
    return directory


@dataclass
class Device:
    """One workstation (see the module doc); ``close`` when done."""

    name: str
    core: Core
    store: SqlSyncStore
    gateway: CentralV1Gateway
    client: httpx.Client
    officer: SeededOfficer
    waits: list[float] = field(default_factory=list)

    @classmethod
    def make(
        cls,
        template: Path,
        directory: Path,
        base_url: str,
        officer: SeededOfficer,
        *,
        timeout: float = 10.0,
    ) -> Device:
        shutil.copytree(template, directory)
        core = build_core(prepare_data_dir(directory))
        store = SqlSyncStore(core.database.engine, core.paths.root)
        client = httpx.Client(timeout=timeout)
        gateway = CentralV1Gateway(
            base_url, client=client, timeout=timeout, client_version="0.1.0", device_id=store.device_id()
        )
        device = cls(directory.name, core, store, gateway, client, officer)
        gateway.login(officer.username, officer.password, store.device_id())
        return device

    def close(self) -> None:
        self.gateway.close()
        self.client.close()
        self.core.close()

    # ------------------------------------------------------------ sync

    def engine(
        self, *, attempts: int = 5, seed: int = 0, page_size: int = 100, chunk_bytes: int = 1024 * 1024
    ) -> SyncEngine:
        """An engine that never really sleeps (the waits it asked for go to ``waits``)."""
        backoff = Backoff(base=0.01, cap=0.1, max_attempts=attempts, rng=random.Random(seed))
        return SyncEngine(
            self.store,
            self.gateway,
            SyncLock(self.core.paths.sessions),
            backoff=backoff,
            sleep=self.waits.append,
            page_size=page_size,
            chunk_bytes=chunk_bytes,
        )

    def pending(self) -> int:
        counts = self.store.counts()
        return counts.pending_ops + counts.pending_attachments

    def settle(self, *, runs: int = 8, **options: Any) -> list[SyncReport]:
        """Sync until a run is clean and nothing waits (at most ``runs`` runs); the reports."""
        reports: list[SyncReport] = []
        for _ in range(runs):
            report = self.engine(**options).run_once()
            reports.append(report)
            if report.ok and self.pending() == 0:
                return reports
        raise AssertionError(
            f"{self.name} did not settle in {runs} runs: pending {self.store.counts()}, "
            f"last report {reports[-1].as_dict()}"
        )

    # ------------------------------------------------------------ local work

    def new_case(self, title: str = "占道经营", party: str = ZHANG) -> str:
        spec = NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title=title,
            source=CaseSource.PATROL,
            opened_on=dt.date(2025, 3, 3),
            actor_id=LEAD,
            party_ids=(party,),
            officer_ids=(LEAD, SECOND),
            data={},
        )
        return self.core.cases.new_case(spec).value.case.id

    def act(self, case_id: str, action: str, inputs: dict[str, Any], day: dt.date = DAY) -> None:
        self.core.cases.act(case_id, action, inputs, LEAD, day)

    def data(self, case_id: str) -> dict[str, Any]:
        return dict(self.core.cases.show(case_id, DAY).value.case.data)

    def events(self, case_id: str) -> list[CaseEvent]:
        return SqlCaseEventStore(self.core.database.engine).events(case_id)

    def case_ids(self) -> set[str]:
        """Every case of this machine that syncs (training cases never do)."""
        with self.core.database.engine.connect() as conn:
            rows = conn.execute(select(CaseRow.id).where(CaseRow.is_training.is_(False)))
            return set(rows.scalars())

    def changes_cursor_seq(self) -> int:
        """How far this machine's changes cursor reads (the reference server's cursor format)."""
        return cursors.decode("changes", self.store.cursor("changes"))


class ServerView:
    """What the reference server holds for one officer's township (read over HTTP, logged in
    once); ``close`` when done."""

    def __init__(self, server: CentralServer, officer: SeededOfficer) -> None:
        self._server = server
        self._officer = officer
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = self._server.client(self._officer.username, device_id="server-view")
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def cases(self) -> dict[str, dict[str, Any]]:
        """Every case of the township at its latest version, by id (each appears once)."""
        found: dict[str, dict[str, Any]] = {}
        params: dict[str, Any] = {"limit": 500}
        while True:
            page = self._http().get("/v1/changes", params=params).json()
            for item in page["items"]:
                assert item["case_id"] not in found, f"case {item['case_id']} twice in the feed"
                found[item["case_id"]] = item
            if not page["has_more"]:
                return found
            params = {"limit": 500, "cursor": page["next_cursor"]}

    def events(self, case_id: str) -> list[dict[str, Any]]:
        response = self._http().get(f"/v1/cases/{case_id}/events", params={"limit": 500})
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def file_sha256(self, sha256: str) -> str | None:
        response = self._http().get(f"/v1/attachments/{sha256}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return hashlib.sha256(response.content).hexdigest()


def digest(document: object) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def assert_converged(
    device: Device, view: ServerView, *, made_files: bool = True
) -> dict[str, dict[str, Any]]:
    """The device and the server hold exactly the same cases, records and files; the server's
    cases by id.

    ``made_files=False`` for a device that only pulled evidence: the engine does not download
    files, so evidence whose file is not on the device waits there (docs/SYNC.md, "the case
    document"); the rest of each document must be equal.
    """
    remote = view.cases()
    local = device.case_ids()
    assert local == set(remote), f"{device.name}: cases here {sorted(local)}, on the server {sorted(remote)}"
    assert device.store.counts().pending_ops == 0, device.store.counts()
    assert not device.store.quarantined(), device.store.quarantined()
    for case_id, stored in remote.items():
        here, _number = device.store.local_document(case_id)
        there = dict(stored["fields"])
        if not made_files:
            mine, stored_evidence = here.get("evidence") or {}, there.get("evidence") or {}
            assert set(mine) <= set(stored_evidence)
            there["evidence"] = {k: v for k, v in stored_evidence.items() if k in mine}
        if digest(here) != digest(there):
            keys = sorted(k for k in {*here, *there} if here.get(k) != there.get(k))
            shown = "; ".join(f"{k}: here {here.get(k)!r:.200} / server {there.get(k)!r:.200}" for k in keys)
            raise AssertionError(f"{device.name}: case {case_id} differs in {keys}: {shown}")
        assert device.store.state(case_id).server_version == stored["version"]
        mine = [(e.event_id, e.seq, e.hash) for e in device.events(case_id)]
        theirs = [(e["event_id"], e["seq"], e["hash"]) for e in view.events(case_id)]
        assert mine == theirs, f"{device.name}: the record of case {case_id} differs from the server's"
        for evidence_id, item in (stored["fields"].get("evidence") or {}).items():
            sha = item.get("sha256") if isinstance(item, dict) else None
            if sha:
                assert view.file_sha256(sha) == sha, f"file of evidence {evidence_id} missing or damaged"
    return remote


def assert_cursor_behind_applied(device: Device, view: ServerView) -> None:
    """The changes cursor never passed a case version this machine has not applied."""
    upto = device.changes_cursor_seq()
    for case_id, stored in view.cases().items():
        if stored["updated_seq"] <= upto:
            known = device.store.state(case_id).server_version
            assert known >= stored["version"], (
                f"{device.name}: cursor at {upto} passed case {case_id} v{stored['version']} "
                f"(seq {stored['updated_seq']}) but only v{known} was applied"
            )
