"""The same server over PostgreSQL: runs only when WORKSTATION_CENTRAL_PG_URL names a database.

The database must be empty or hold only this server's tables (they are dropped afterwards).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.central.helpers import chain, new_id
from workstation_central.config import Settings
from workstation_central.models import Base
from workstation_central.schemas import CaseUpload, EventBatch, EventIn, LoginRequest
from workstation_central.seed import seed
from workstation_central.service import CentralService
from workstation_central.store import Database

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.environ.get("WORKSTATION_CENTRAL_PG_URL"),
        reason="set WORKSTATION_CENTRAL_PG_URL (a PostgreSQL SQLAlchemy URL) to run the PostgreSQL tests",
    ),
]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[CentralService]:
    url = os.environ["WORKSTATION_CENTRAL_PG_URL"]
    db = Database(url)
    Base.metadata.drop_all(db.engine)
    settings = Settings(db_url=url, storage_dir=tmp_path / "files")
    db.open(settings.clock())
    try:
        yield CentralService(db, settings)
    finally:
        Base.metadata.drop_all(db.engine)
        db.dispose()


def test_seed_login_case_and_events_on_postgresql(service: CentralService) -> None:
    township = seed(service)
    assert seed(service) == township
    tokens = service.login(
        LoginRequest(username="zhangsan", password=township.officers[0].password, device_id="d")
    )
    officer = service.authenticate(tokens["access_token"])
    case_id = new_id()
    created = service.put_case(
        officer,
        case_id,
        None,
        CaseUpload(base_version=0, fields={"a": 1}),
        "k",
        b"{}",
        f"/v1/cases/{case_id}",
    )
    assert created.status == 201
    events = [EventIn.model_validate(e) for e in chain(case_id, 3)]
    result = service.post_events(officer, case_id, EventBatch(events=events))
    assert result["accepted"] == 3
    page = service.changes_page(officer, None, 10)
    assert [c["case_id"] for c in page["items"]] == [case_id]
    assert service.db.high_water() == page["items"][0]["updated_seq"]
