"""The files of evidence of a case pulled from another device are downloaded by the sync steps
(sync/steps.download_evidence_files), against the real reference server (uvicorn on 127.0.0.1)
and two real client data directories.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.central.server import CentralServer
from workstation.app import Core, build_core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.paths import prepare_data_dir
from workstation.persistence.reference_sync import SqlReferenceSync
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


class NoUploads(SyncEngine):
    """An engine whose attachment lane does not run (the files stay on this machine)."""

    def _upload_files(self, report: SyncReport) -> None:
        return None


@dataclass
class Machine:
    core: Core
    gateway: CentralV1Gateway
    sent: list[httpx.Request] = field(default_factory=list)

    @property
    def reference(self) -> SqlReferenceSync:
        return SqlReferenceSync(self.core.database.engine)

    def sync(self, engine_class: type[SyncEngine] = SyncEngine) -> SyncReport:
        """One run as the app wires it (Core's steps, with the attachment store)."""
        engine = engine_class(
            SqlSyncStore(self.core.database.engine, self.core.paths.root),
            self.gateway,
            SyncLock(self.core.paths.sessions),
            sleep=lambda _s: None,
            steps=self.core._sync_steps(),
        )
        report = engine.run_once()
        assert not report.errors, report.errors
        return report

    def downloads(self) -> int:
        return len([r for r in self.sent if r.method == "GET" and "/v1/attachments/" in r.url.path])


@pytest.fixture
def machines(tmp_path: Path, server: CentralServer) -> Iterator[Any]:
    made: list[tuple[Machine, httpx.Client]] = []

    def make(name: str) -> Machine:
        core = build_core(prepare_data_dir(tmp_path / name))
        core.office.seed_demo()
        sent: list[httpx.Request] = []
        client = httpx.Client(timeout=10, event_hooks={"request": [sent.append]})
        gateway = CentralV1Gateway(server.base_url, client=client, client_version="0.1.0", device_id=name)
        gateway.login(
            server.officer.username,
            server.officer.password,
            SqlSyncStore(core.database.engine, core.paths.root).device_id(),
        )
        made.append((Machine(core, gateway, sent), client))
        return made[-1][0]

    yield make
    for machine, client in made:
        machine.gateway.close()
        client.close()
        machine.core.close()


def new_case_with_evidence(m: Machine, photo: Path) -> tuple[str, str]:
    case_id = m.core.cases.new_case(
        NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title="占道经营",
            source=CaseSource.PATROL,
            opened_on=D(2025, 3, 3),
            actor_id=LEAD,
            party_ids=(ZHANG,),
            officer_ids=(LEAD, SECOND),
        )
    ).value.case.id
    m.core.cases.act(case_id, "file", {"act_date": "2025-03-01"}, LEAD, D(2025, 3, 4))
    item = m.core.evidence.add(
        case_id, "audiovisual", "现场照片", photo, LEAD, "店外摆摊", D(2025, 3, 4)
    ).value
    return case_id, item.id


def test_the_files_of_a_pulled_case_are_downloaded_once(
    machines: Any, server: CentralServer, tmp_path: Path
) -> None:
    a, b = machines("a"), machines("b")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 3000)
    case_id, evidence_id = new_case_with_evidence(a, photo)
    a.sync()

    b.sync()
    items = b.core.evidence.list(case_id).value
    assert [i.id for i in items] == [evidence_id]
    shown = items[0]
    assert shown.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    stored = b.core._attachments().find(shown.sha256)
    assert stored is not None and stored.path.read_bytes() == photo.read_bytes()
    assert stored.path.parent == b.core.paths.root / "attachments"
    assert shown.title == "现场照片" and shown.kind == "audiovisual"
    assert b.downloads() == 1

    # Nothing again: the file is here, and the mark passed the case.
    b.sync()
    assert b.downloads() == 1
    assert b.reference.missing_evidence(0)[0] == []


def test_a_file_the_server_lacks_waits_for_a_later_run(
    machines: Any, server: CentralServer, tmp_path: Path
) -> None:
    a, b = machines("a"), machines("b")
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"waiting" * 1000)
    case_id, evidence_id = new_case_with_evidence(a, photo)
    a.sync(NoUploads)  # the case and its record reach the server, the file does not

    report = steps.download_evidence_files(b.gateway, b.reference, b.core._attachments())
    assert report.downloaded == 0 and report.errors == [] and report.waiting == []  # not pulled yet
    b.sync()  # pulls the case; its file is not on the server: it waits, not an error
    assert b.core.evidence.list(case_id).value == []
    waiting, _ = b.reference.missing_evidence(b.reference.evidence_mark())
    assert [(w.case_id, w.item["id"]) for w in waiting] == [(case_id, evidence_id)]
    direct = steps.download_evidence_files(b.gateway, b.reference, b.core._attachments())
    assert direct.downloaded == 0 and len(direct.waiting) == 1 and "现场照片" in direct.waiting[0]

    a.sync()  # the lane uploads the file now; the case itself did not change
    b.sync()
    assert [i.id for i in b.core.evidence.list(case_id).value] == [evidence_id]
    assert b.reference.missing_evidence(0)[0] == []
