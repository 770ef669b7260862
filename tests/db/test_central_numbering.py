"""Central numbering end to end (docs/SYNC.md, "Numbering"): real client data directories
reserve 案号 and 文书 blocks from the real reference server (uvicorn on 127.0.0.1) through the
sync step, then file cases offline.

- two machines of one township never give the same 案号;
- a reservation whose answer was lost (or whose process died before storing it) is asked
  again with its stored key and gets the same block: nothing reserved twice, nothing lost;
- numbers used up offline: 立案 is refused in Chinese and the case is left as it was;
- a machine without blocks numbers locally as before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.central.server import CentralServer
from workstation.app import Core, build_core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.clock import CHINA_TZ
from workstation.domain.numbering import CASE_KIND
from workstation.domain.sync_ports import NumberBlock, RetryableError
from workstation.paths import prepare_data_dir
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.numbering import NumbersUsedUp, SqlNumberBlocks
from workstation.persistence.reference_sync import SqlReferenceSync
from workstation.persistence.sync_store import SqlSyncStore
from workstation.services.cases import NewCaseSpec
from workstation.sync import steps
from workstation.sync.central_v1 import CentralV1Gateway
from workstation_central.models import NumberBlockRow, NumberSeriesRow

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
ZHANG = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）
TODAY = dt.datetime.now(CHINA_TZ).date()
SERIAL = re.compile(r"第(\d+)号$")


class LosingGateway(CentralV1Gateway):
    """Loses the answer of the first number reservation (the request reached the server)."""

    lost = 0

    def reserve_numbers(self, series: str, year: int, count: int, idempotency_key: str) -> NumberBlock:
        block = super().reserve_numbers(series, year, count, idempotency_key)
        if LosingGateway.lost == 0:
            LosingGateway.lost += 1
            raise RetryableError("连接中断", code="network")
        return block


@dataclass
class Machine:
    core: Core
    reference: SqlReferenceSync
    numbers: SqlNumberBlocks
    gateway: CentralV1Gateway
    client: httpx.Client

    @property
    def agency_id(self) -> str:
        agency = self.numbers.agency_for("330106001")
        assert agency is not None
        return agency

    def reserve(self, *, threshold: int = 2, size: int = 3, **kwargs: Any) -> steps.NumberCounts:
        return steps.reserve_number_blocks(
            kwargs.pop("gateway", self.gateway),
            self.numbers,
            today=TODAY,
            threshold=threshold,
            block_size=size,
            **kwargs,
        )

    def new_case(self, title: str = "占道经营") -> str:
        spec = NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title=title,
            source=CaseSource.PATROL,
            opened_on=TODAY,
            actor_id=LEAD,
            party_ids=(ZHANG,),
            officer_ids=(LEAD, SECOND),
        )
        return self.core.cases.new_case(spec).value.case.id

    def file(self, case_id: str) -> int:
        view = self.core.cases.act(case_id, "file", {"act_date": TODAY.isoformat()}, LEAD, TODAY).value
        number = view.case.case_number
        assert number is not None
        found = SERIAL.search(number)
        assert found is not None, number
        return int(found.group(1))

    def new_filed_case(self) -> int:
        return self.file(self.new_case())


@pytest.fixture
def machine(tmp_path: Path, server: CentralServer) -> Iterator[Any]:
    made: list[Machine] = []

    def make(name: str, gateway_class: type[CentralV1Gateway] = CentralV1Gateway) -> Machine:
        core = build_core(prepare_data_dir(tmp_path / name))
        core.office.seed_demo()
        sync_store = SqlSyncStore(core.database.engine, core.paths.root)
        client = httpx.Client(timeout=10)
        gateway = gateway_class(server.base_url, client=client, client_version="0.1.0", device_id=name)
        gateway.login(server.officer.username, server.officer.password, sync_store.device_id())
        engine = core.database.engine
        made.append(Machine(core, SqlReferenceSync(engine), SqlNumberBlocks(engine), gateway, client))
        return made[-1]

    yield make
    for m in made:
        m.gateway.close()
        m.client.close()
        m.core.close()


def _server_blocks(server: CentralServer, series: str = CASE_KIND) -> list[tuple[int, int]]:
    with server.service.db.read() as s:
        rows = s.scalars(
            select(NumberBlockRow)
            .where(NumberBlockRow.series == series, NumberBlockRow.year == TODAY.year)
            .order_by(NumberBlockRow.first)
        )
        return [(r.first, r.last) for r in rows]


def _server_last(server: CentralServer, series: str = CASE_KIND) -> int:
    with server.service.db.read() as s:
        row = s.get(NumberSeriesRow, (server.township.code, series, TODAY.year))
        return 0 if row is None else row.last


def test_two_machines_of_one_township_never_give_the_same_case_number(
    machine: Any, server: CentralServer
) -> None:
    a, b = machine("a"), machine("b")
    # A full run of the steps (as the engine runs them) reserves a block for every series.
    report = steps.SyncSteps(a.reference, number_threshold=2, number_block_size=3, today=lambda: TODAY).run(
        a.gateway, steps.call_once
    )
    series = steps.number_series()
    years = steps.number_years(TODAY)
    assert report.numbers.blocks == len(series) * len(years) and not report.numbers.errors
    assert report.as_dict()["number_blocks"] == report.numbers.blocks
    assert report.as_dict()["numbers_reserved"] == 3 * report.numbers.blocks
    counts = b.reserve()
    assert counts.blocks == len(series) * len(years) and counts.numbers == 3 * counts.blocks
    assert b.reserve().blocks == 0  # enough left: nothing asked

    # Offline from here: each machine files three cases.
    numbers_a = [a.new_filed_case() for _ in range(3)]
    numbers_b = [b.new_filed_case() for _ in range(3)]
    assert numbers_a == [1, 2, 3] and numbers_b == [4, 5, 6]
    assert not set(numbers_a) & set(numbers_b)
    assert _server_blocks(server) == [(1, 3), (4, 6)]

    # Used up offline: 立案 is refused, the case stays as it was (stage, record, no number).
    case_id = a.new_case("违规张贴广告")
    before = a.core.cases.show(case_id, TODAY).value.case
    events = len(SqlCaseEventStore(a.core.database.engine).events(case_id))
    with pytest.raises(NumbersUsedUp) as caught:
        a.file(case_id)
    assert "本机预领的案号" in caught.value.message and "请联网同步领取新号段后再立案" in caught.value.message
    after = a.core.cases.show(case_id, TODAY).value.case
    assert (after.stage, after.case_number, after.row_version) == (before.stage, None, before.row_version)
    assert len(SqlCaseEventStore(a.core.database.engine).events(case_id)) == events

    # Online again: a new block, and the refused case is filed with its first serial.
    assert a.reserve().blocks == 1
    assert a.file(case_id) == 7
    assert b.reserve(threshold=1).blocks == 1 and b.new_filed_case() == 10


def test_a_lost_answer_is_asked_again_with_its_key_and_nothing_is_lost(
    machine: Any, server: CentralServer
) -> None:
    LosingGateway.lost = 0
    a = machine("a", LosingGateway)
    with pytest.raises(RetryableError):
        a.reserve()  # the server reserved 1–3; the answer never arrived (or the process died)
    pending = a.numbers.pending(a.agency_id, CASE_KIND, TODAY.year)
    assert pending is not None and a.numbers.blocks(a.agency_id) == []
    assert _server_blocks(server) == [(1, 3)]

    # The next run asks again with the stored key: the server answers the same block.
    counts = a.reserve()
    assert not counts.errors
    stored = a.numbers.blocks(a.agency_id, CASE_KIND, TODAY.year)
    assert [(s.first, s.last, s.source) for s in stored] == [(1, 3, pending.idempotency_key)]
    assert a.numbers.reservations() == []
    assert _server_blocks(server) == [(1, 3)] and _server_last(server) == 3
    assert [a.new_filed_case() for _ in range(3)] == [1, 2, 3]

    # Another machine goes on after it: no serial lost, none twice.
    b = machine("b")
    b.reserve()
    assert b.new_filed_case() == 4


def test_a_machine_without_blocks_numbers_locally(machine: Any) -> None:
    c = machine("c")  # logged in, never reserved
    assert [c.new_filed_case() for _ in range(2)] == [1, 2]
    assert c.numbers.blocks(c.agency_id) == []


def test_a_training_case_never_takes_a_central_number(machine: Any, server: CentralServer) -> None:
    a = machine("a")
    assert a.reserve().blocks > 0
    first = a.new_filed_case()
    # A training case (培训模式) on the same machine: numbered from its own local sequence, so the
    # office's series stays gapless and the township's reserved serials are not used up.
    spec = NewCaseSpec(
        kind=CaseKind.ORDINARY,
        title="培训：占道经营",
        source=CaseSource.PATROL,
        opened_on=TODAY,
        actor_id=LEAD,
        party_ids=(ZHANG,),
        officer_ids=(LEAD, SECOND),
        is_training=True,
    )
    training_id = a.core.cases.new_case(spec).value.case.id
    assert a.file(training_id) == 1
    number = a.core.cases.show(training_id, TODAY).value.case.case_number
    assert number == "（培训）榕溪镇罚立字〔2026〕第1号"  # never equal to, nor read as, a real one
    free = a.numbers.free(a.agency_id, CASE_KIND, TODAY.year)
    assert a.new_filed_case() == first + 1
    assert a.numbers.free(a.agency_id, CASE_KIND, TODAY.year) == free - 1
    # the training sequence is never reserved from the server
    assert all(not kind.startswith("training-") for kind in a.numbers.kinds(a.agency_id))
    assert a.reserve(threshold=50).blocks >= 1
    assert all(not b.kind.startswith("training-") for b in a.numbers.blocks(a.agency_id))
    assert _server_last(server) >= first + 1
