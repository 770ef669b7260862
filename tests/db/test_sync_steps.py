"""The sync steps after push and pull (sync/steps.py) against the real reference server
(uvicorn on 127.0.0.1, tests/central/server.py) and a real client data directory.

Reference items are put through the server's admin API; the client is a data directory migrated
by the app and seeded with the demo township, syncing through the real CentralV1Gateway.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from tests.central.server import CentralServer
from workstation.app import Core, build_core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.sync_ports import Publication, RetryableError
from workstation.paths import prepare_data_dir
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.models import OfficerRow, SyncAnchorRow, SyncReferenceItemRow
from workstation.persistence.reference_sync import SqlReferenceSync, cursor_stream
from workstation.persistence.sync_store import SqlSyncStore
from workstation.services.cases import NewCaseSpec
from workstation.services.demo import load_sample_benchmarks
from workstation.sync import steps
from workstation.sync.central_v1 import CentralV1Gateway
from workstation.sync.engine import SyncEngine
from workstation.sync.lock import SyncLock

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
REVIEWER = "14b192db-916d-58a7-86a9-b2fcb2a0598b"  # 郑雅琴（示例）
ZHANG = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）
D = dt.date
BENCHMARKS = ("benchmarks",)

STATUTE_PACK: dict[str, Any] = {
    "format": "workstation-statute-pack",
    "version": 1,
    "laws": [
        {
            "title": "中华人民共和国消防法",
            "short_names": ["消防法"],
            "level": "法律",
            "versions": [
                {
                    "version_date": "2021-04-29",
                    "effective_date": "2021-04-29",
                    "status": "现行有效",
                    "articles": [
                        {
                            "number": 60,
                            "paragraphs": [
                                {
                                    "text": "单位违反本法规定，有下列行为之一的，责令改正，"
                                    "处五千元以上五万元以下罚款：",
                                    "items": ["占用、堵塞、封闭消防车通道，妨碍消防车通行的；"],
                                },
                                {
                                    "text": "个人有前款第二项、第三项、第四项、第五项行为之一的，"
                                    "处警告或者五百元以下罚款。"
                                },
                            ],
                        }
                    ],
                }
            ],
        }
    ],
}


def benchmark_pack(benchmark_id: str = "PROV-2026", *, duplicate: bool = False) -> dict[str, Any]:
    """A 裁量基准 file (docs/DISCRETION.md) made from the bundled sample's provincial benchmark."""
    sample = json.loads(Path("resources/discretion/sample_benchmarks.json").read_text("utf-8"))
    province = next(b for b in sample["benchmarks"] if b.get("parent_id") is None)
    province = {**province, "id": benchmark_id, "name": f"{province['name']}（中心下发）"}
    benchmarks = [province, province] if duplicate else [province]
    return {"format": sample["format"], "format_version": sample["format_version"], "benchmarks": benchmarks}


def resident_id(base: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return base + "10X98765432"[sum(int(d) * w for d, w in zip(base, weights, strict=True)) % 11]


class LosingGateway(CentralV1Gateway):
    """Loses the answer of the first publication request (the request reached the server)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lost = 0

    def publish(self, *args: Any, **kwargs: Any) -> Publication:
        publication = super().publish(*args, **kwargs)
        if self.lost == 0:
            self.lost += 1
            raise RetryableError("连接中断", code="network")
        return publication


@dataclass
class Machine:
    core: Core
    sync_store: SqlSyncStore
    reference: SqlReferenceSync
    gateway: CentralV1Gateway
    client: httpx.Client
    sent: list[httpx.Request] = field(default_factory=list)

    def engine(self) -> SyncEngine:
        return SyncEngine(
            self.sync_store, self.gateway, SyncLock(self.core.paths.sessions), sleep=lambda _s: None
        )

    def sync(self) -> None:
        report = self.engine().run_once()
        assert not report.errors, report.errors

    def retrying(self) -> steps.Retrying:
        return self.engine()._retrying

    def pull(self, kinds: tuple[str, ...] = steps.REFERENCE_KINDS) -> steps.ReferenceCounts:
        return steps.pull_reference_data(
            self.gateway,
            self.reference,
            discretion=self.core.discretion,
            statutes=self.core.statutes,
            retrying=self.retrying(),
            kinds=kinds,
        )

    def requests(self, path_part: str) -> list[httpx.Request]:
        return [r for r in self.sent if path_part in r.url.path]


@pytest.fixture
def machine(tmp_path: Path, server: CentralServer) -> Iterator[Any]:
    made: list[Machine] = []

    def make(name: str = "a", gateway_class: type[CentralV1Gateway] = CentralV1Gateway) -> Machine:
        core = build_core(prepare_data_dir(tmp_path / name))
        core.office.seed_demo()
        sync_store = SqlSyncStore(core.database.engine, core.paths.root)
        sent: list[httpx.Request] = []
        client = httpx.Client(timeout=10, event_hooks={"request": [sent.append]})
        gateway = gateway_class(server.base_url, client=client, client_version="0.1.0", device_id=name)
        gateway.login(server.officer.username, server.officer.password, sync_store.device_id())
        made.append(Machine(core, sync_store, SqlReferenceSync(core.database.engine), gateway, client, sent))
        return made[-1]

    yield make
    for m in made:
        m.gateway.close()
        m.client.close()
        m.core.close()


def delete_reference(server: CentralServer, kind: str, item_id: str) -> None:
    with server.admin() as http:
        response = http.delete(f"/v1/admin/reference/{kind}/{item_id}")
        assert response.status_code == 200, response.text


def cursors(m: Machine) -> dict[str, str | None]:
    return {kind: m.reference.cursor(kind) for kind in steps.REFERENCE_KINDS}


# ---------------------------------------------------------------- reference data


def test_reference_data_is_applied_with_its_cursors_and_a_rerun_changes_nothing(
    machine: Any, server: CentralServer
) -> None:
    m = machine()
    # The seed publishes the sample 裁量基准 and no statute pack (no law text is shipped).
    first = m.pull()
    assert first.applied == {"officers": 3, "holidays": 1, "statutes": 0, "benchmarks": 1}
    assert first.refused == 0 and not first.errors, first.errors
    assert m.reference.cursor("officers") and m.reference.cursor("holidays")
    assert m.reference.cursor("benchmarks")

    # Officers with their 执法证, upserted by id.
    engine = m.core.database.engine
    with engine.connect() as conn:
        officers = {
            r.name: r
            for r in conn.execute(
                select(OfficerRow).where(
                    OfficerRow.certificate_no.in_([o.certificate_number for o in server.township.officers])
                )
            )
        }
    assert set(officers) == {"张三", "李四", "王五"}
    assert officers["张三"].certificate_valid_until == D(2030, 12, 31) and officers["张三"].is_active

    # The server's 2026 table replaces that year in the deadline calendar (kept in the database,
    # so it survives restarts).
    calendar = steps.synced_calendar(SqlReferenceSync(engine))
    assert calendar.holiday_name(D(2026, 10, 1)) == "国庆节"
    assert calendar.is_working_day(D(2026, 10, 10))  # 国庆节调休上班 (a Saturday)
    assert not calendar.is_working_day(D(2026, 10, 3))
    assert "中心服务器下发" in calendar.source(2026)
    assert calendar.source(2025) != calendar.source(2026)  # other years: the bundled table

    # Packs put on the server: the statute importer and DiscretionService take them; a deleted
    # item is recorded as deleted.
    server.put_reference("statutes", "law:行政处罚法", STATUTE_PACK)
    server.put_reference("statutes", "law:城乡规划法", STATUTE_PACK)
    delete_reference(server, "statutes", "law:城乡规划法")
    server.put_reference("benchmarks", "item:330217004000", benchmark_pack())
    second = m.pull()
    assert not second.errors, second.errors
    assert second.applied == {"officers": 0, "holidays": 0, "statutes": 2, "benchmarks": 1}
    assert m.core.statutes.resolve_law("消防法").title == "中华人民共和国消防法"
    assert m.core.discretion.entry("ZB-009").value.item_code == "ZB-009"
    assert all(cursors(m).values())
    assert m.reference.item("statutes", "law:城乡规划法").state == "deleted"

    # Again: nothing new, nothing changes (and the cursors stay).
    before = cursors(m)
    third = m.pull()
    assert third.total == 0 and third.refused == 0 and not third.errors
    assert cursors(m) == before

    # A deleted officer is deactivated, never deleted (cases refer to officers).
    delete_reference(server, "officers", f"officer:{server.township.officers[2].username}")
    assert m.pull().applied["officers"] == 1
    with engine.connect() as conn:
        active = conn.execute(select(OfficerRow.is_active).where(OfficerRow.name == "王五")).scalar_one()
    assert not active


def test_a_page_of_statute_packs_is_one_import_and_a_bad_pack_stops_the_kind(
    machine: Any, server: CentralServer
) -> None:
    m = machine()

    def pack(title: str) -> dict[str, Any]:
        made = copy.deepcopy(STATUTE_PACK)
        made["laws"][0].update(title=title, short_names=[])
        return made

    for n in range(3):
        server.put_reference("statutes", f"law:示例条例{n}", pack(f"示例条例{n}"))
    engine = m.core.database.engine

    def generation() -> int:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT value FROM library_meta WHERE key = 'index_generation'")
            ).scalar_one_or_none()
        return int(found or 0)

    before = generation()
    first = m.pull(("statutes",))
    assert first.applied["statutes"] == 3 and not first.errors, first.errors
    assert generation() == before + 1  # the search index is rebuilt once for the page, not per pack
    assert [m.core.statutes.resolve_law(f"示例条例{n}").title for n in range(3)] == [
        f"示例条例{n}" for n in range(3)
    ]

    # A pack without text between two good ones: the one before it is taken, the cursor
    # waits at it, and the one after it waits too.
    cursor = m.reference.cursor("statutes")
    server.put_reference("statutes", "law:示例条例3", pack("示例条例3"))
    empty = pack("空条例")
    empty["laws"][0]["versions"][0]["articles"] = []
    server.put_reference("statutes", "law:空条例", empty)
    server.put_reference("statutes", "law:示例条例5", pack("示例条例5"))
    second = m.pull(("statutes",))
    assert second.applied["statutes"] == 1 and second.refused == 1
    assert "空条例" in second.errors[0] and "暂停更新" in second.errors[0]
    assert m.reference.item("statutes", "law:示例条例3").state == "applied"
    assert m.reference.item("statutes", "law:空条例").state == "refused"
    assert m.reference.item("statutes", "law:示例条例5") is None
    assert m.reference.cursor("statutes") == cursor
    assert m.core.statutes.resolve_law("示例条例3").title == "示例条例3"


def test_an_invalid_benchmark_pack_is_refused_whole_and_the_cursor_waits(
    machine: Any, server: CentralServer
) -> None:
    m = machine()
    server.put_reference("benchmarks", "item:330217004000", benchmark_pack("PROV-A"))
    assert m.pull(BENCHMARKS).applied["benchmarks"] == 2  # the seed's sample pack and this one
    cursor = m.reference.cursor("benchmarks")

    # Two benchmarks with one id: the file is invalid, nothing of it is stored.
    server.put_reference("benchmarks", "pack:bad", benchmark_pack("PROV-BAD", duplicate=True))
    refused = m.pull(BENCHMARKS)
    assert refused.refused == 1 and refused.applied["benchmarks"] == 0
    assert any("重复" in e and "pack:bad" in e for e in refused.errors), refused.errors
    assert m.reference.cursor("benchmarks") == cursor
    stored = m.reference.item("benchmarks", "pack:bad")
    assert stored is not None and stored.state == "refused" and stored.reason and "重复" in stored.reason
    assert "PROV-BAD" not in {b.id for b in m.core._benchmarks().benchmarks()}

    # Still refused next time (the cursor did not pass it) …
    assert m.pull(BENCHMARKS).refused == 1 and m.reference.cursor("benchmarks") == cursor
    # … until the server corrects it.
    server.put_reference("benchmarks", "pack:bad", benchmark_pack("PROV-FIXED"))
    fixed = m.pull(BENCHMARKS)
    assert fixed.applied["benchmarks"] == 1 and not fixed.errors
    assert m.reference.cursor("benchmarks") != cursor
    assert "PROV-FIXED" in {b.id for b in m.core._benchmarks().benchmarks()}
    assert m.reference.item("benchmarks", "pack:bad").state == "applied"


def test_an_older_version_never_overwrites_a_newer_one(machine: Any, server: CentralServer) -> None:
    m = machine()
    m.pull()
    engine = m.core.database.engine
    with engine.connect() as conn:
        row = conn.execute(
            select(SyncReferenceItemRow.item_id, SyncReferenceItemRow.version).where(
                SyncReferenceItemRow.kind == "officers"
            )
        ).first()
    assert row is not None
    # The feed starts over (as after a server restore): every item comes again, none is re-applied.
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM sync_cursors WHERE stream = ?", (cursor_stream("officers"),))
    again = m.pull()
    assert again.applied["officers"] == 0
    assert m.reference.item("officers", row.item_id).version == row.version


# ---------------------------------------------------------------- 公示


def _decided_case(m: Machine) -> tuple[str, str]:
    """An ordinary case of a natural person, decided, with its 行政处罚决定书 issued."""
    core = m.core
    core.discretion.import_benchmarks(load_sample_benchmarks(), check_citations=False)
    id_number = resident_id("11010519491231002")
    party = core.intake.add_party(
        {"kind": "person", "name": "张三丰", "id_number": id_number, "address": "榕溪镇某村1号"}
    ).value
    case_id = core.cases.new_case(
        NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title="占用消防车通道案",
            source=CaseSource.PATROL,
            opened_on=D(2025, 9, 22),
            actor_id=LEAD,
            party_ids=(party.id,),
            officer_ids=(LEAD, SECOND),
            item_code="ZB-009",
        )
    ).value.case.id
    walk: list[tuple[str, dict[str, Any], str, dt.date]] = [
        ("file", {"act_date": "2025-09-20"}, LEAD, D(2025, 9, 24)),
        ("collect_evidence", {"evidence_kinds": ["record"], "certificate_shown": True}, LEAD, D(2025, 9, 26)),
        (
            "conclude",
            {"outcome": "penalty", "penalty_types": ["warning", "fine"], "fine": "300"},
            LEAD,
            D(2025, 9, 28),
        ),
        ("legal_review", {"review_opinion": "同意"}, REVIEWER, D(2025, 9, 29)),
        ("notify", {"hearing_right_notified": False}, LEAD, D(2025, 9, 30)),
        (
            "decide",
            {
                "facts": f"当事人张三丰（公民身份号码{id_number}，电话13800138000）在消防车通道停放车辆",
                "penalty_basis": "《中华人民共和国消防法》第六十条第二款",
                "performance": "自收到本决定书之日起十五日内缴纳罚款",
                "review_body": "闽侯县人民政府",
                "surcharge_told": True,
            },
            LEAD,
            D(2025, 10, 13),
        ),
    ]
    for action, inputs, actor, day in walk:
        core.cases.act(case_id, action, inputs, actor, day)
    rendered = core.documents.render(case_id, "penalty_decision", core.paths.root / "decision.docx").value
    assert rendered.number
    return case_id, rendered.number


def server_publications(server: CentralServer) -> list[dict[str, Any]]:
    with server.anonymous() as http:
        response = http.get("/v1/publications", params={"township": server.township.code, "limit": 500})
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


def test_a_decision_is_published_once_and_withdrawn(machine: Any, server: CentralServer) -> None:
    m = machine("a", LosingGateway)
    server.put_reference("statutes", "law:行政处罚法", STATUTE_PACK)  # the decision cites 消防法
    steps.pull_reference_data(m.gateway, m.reference, statutes=m.core.statutes, kinds=("statutes",))
    case_id, number = _decided_case(m)
    m.core.cases.act(case_id, "publish", {"published_on": "2025-10-15"}, LEAD, D(2025, 10, 15))

    # Not on the server yet: the 公示 waits for the case.
    assert steps.push_publications(m.gateway, m.reference, retrying=m.retrying()).published == 0
    m.sync()
    counts = steps.push_publications(m.gateway, m.reference, retrying=m.retrying())
    assert (counts.published, counts.errors) == (1, [])

    # The first answer was lost: the retry carried the same key and bytes; the server kept one.
    sent = m.requests("/v1/publications")
    assert len(sent) == 2
    assert sent[0].headers["Idempotency-Key"] == sent[1].headers["Idempotency-Key"]
    assert sent[0].content == sent[1].content
    state = m.reference.publication(case_id)
    assert state is not None and state.idempotency_key == sent[0].headers["Idempotency-Key"]
    listed = [p for p in server_publications(server) if p["case_id"] == case_id]
    assert len(listed) == 1 and listed[0]["id"] == state.publication_id
    published = listed[0]
    assert published["decision_number"] == number and published["published_on"] == "2025-10-15"
    content = published["content"]
    assert "张某某" in content and "张三丰" not in content
    assert "110105" not in content and "13800138000" not in content  # no ID or phone number
    for part in (
        "占用消防车通道案",
        "《中华人民共和国消防法》第六十条第二款",
        "警告；罚款人民币300",
        "2025年10月13日",
    ):
        assert part in content, (part, content)
    assert "第四十八条" in content

    # Again: nothing is sent.
    before = len(m.sent)
    assert steps.push_publications(m.gateway, m.reference, retrying=m.retrying()).published == 0
    assert len(m.sent) == before

    # Withdrawn here → withdrawn on the server, once.
    m.core.cases.act(
        case_id,
        "withdraw_publication",
        {"decision_changed_on": "2025-11-01", "withdrawal_reason": "行政复议决定撤销原处罚决定"},
        LEAD,
        D(2025, 11, 3),
    )
    m.sync()
    withdrawn = steps.push_publications(m.gateway, m.reference, retrying=m.retrying())
    assert (withdrawn.withdrawn, withdrawn.errors) == (1, [])
    listed = [p for p in server_publications(server) if p["case_id"] == case_id]
    assert listed[0]["status"] == "withdrawn" and listed[0]["content"] is None
    assert listed[0]["withdrawn_reason"] == "行政复议决定撤销原处罚决定"
    assert steps.push_publications(m.gateway, m.reference, retrying=m.retrying()).withdrawn == 0


def test_mask_name_and_scrub() -> None:
    assert steps.mask_name("张三") == "张某某"
    assert steps.mask_name("欧阳娜娜") == "欧阳某某"
    assert steps.mask_name("李某（示例）") == "李某某"
    text = steps.scrub("身份证11010519491231002X，手机13912345678", [])
    assert "11010519491231002X" not in text and "13912345678" not in text


# ---------------------------------------------------------------- anchors


def _new_case(m: Machine, title: str) -> str:
    spec = NewCaseSpec(
        kind=CaseKind.ORDINARY,
        title=title,
        source=CaseSource.PATROL,
        opened_on=D(2025, 3, 3),
        actor_id=LEAD,
        party_ids=(ZHANG,),
        officer_ids=(LEAD, SECOND),
    )
    return m.core.cases.new_case(spec).value.case.id


def test_heads_are_anchored_once_and_a_mismatch_is_an_alarm(machine: Any, server: CentralServer) -> None:
    m = machine()
    first = _new_case(m, "占道经营")
    second = _new_case(m, "违规张贴广告")
    m.core.cases.act(first, "file", {"act_date": "2025-03-01"}, LEAD, D(2025, 3, 4))

    # Events not yet on the server: nothing to anchor.
    assert steps.anchor_heads(m.gateway, m.reference, retrying=m.retrying()).anchored == 0
    m.sync()
    counts = steps.anchor_heads(m.gateway, m.reference, retrying=m.retrying())
    assert (counts.anchored, counts.alarms, counts.errors) == (2, 0, [])
    events = SqlCaseEventStore(m.core.database.engine).events(first)
    assert m.reference.anchors(first) == [(events[-1].seq, events[-1].hash, "anchored")]
    with server.client() as http:
        anchored = http.get(f"/v1/cases/{first}/anchor").json()["items"]
    assert [(a["head_seq"], a["head_hash"]) for a in anchored] == [(events[-1].seq, events[-1].hash)]

    # Once per head: again nothing; a new head is anchored once.
    assert steps.anchor_heads(m.gateway, m.reference, retrying=m.retrying()).anchored == 0
    m.core.cases.act(first, "collect_evidence", {"evidence_kinds": ["record"]}, LEAD, D(2025, 3, 5))
    m.sync()
    assert steps.anchor_heads(m.gateway, m.reference, retrying=m.retrying()).anchored == 1
    assert len(m.reference.anchors(first)) == 2

    # The server holds another hash for the head this machine will reach: an integrity alarm.
    head = SqlCaseEventStore(m.core.database.engine).events(second)[-1]
    forged = "f" * 64
    with server.client() as http:
        planted = http.post(
            f"/v1/cases/{second}/anchor", json={"head_seq": head.seq + 1, "head_hash": forged}
        )
        assert planted.status_code == 201, planted.text
    m.core.cases.act(second, "file", {"act_date": "2025-03-01"}, LEAD, D(2025, 3, 4))
    m.sync()
    alarm = steps.anchor_heads(m.gateway, m.reference, retrying=m.retrying())
    assert (alarm.anchored, alarm.alarms) == (0, 1)
    assert alarm.errors[0].startswith(steps.ANCHOR_ALARM)
    (recorded,) = m.reference.alarms()
    assert recorded.case_id == second and recorded.head_seq == head.seq + 1
    assert recorded.server_head_hash == forged and recorded.reason.startswith(steps.ANCHOR_ALARM)
    # Never retried over, never overwritten.
    assert steps.anchor_heads(m.gateway, m.reference, retrying=m.retrying()).alarms == 0
    assert not m.reference.record_anchor(second, head.seq + 1, "0" * 64, dt.datetime.now(dt.UTC))
    with m.core.database.engine.connect() as conn:
        row = conn.execute(
            select(SyncAnchorRow.state, SyncAnchorRow.reason).where(
                SyncAnchorRow.case_id == second, SyncAnchorRow.head_seq == head.seq + 1
            )
        ).one()
    assert row.state == "mismatch" and row.reason == recorded.reason


# ---------------------------------------------------------------- tasks


def test_a_clue_becomes_a_case_with_its_evidence_and_is_acknowledged_once(
    machine: Any, server: CentralServer
) -> None:
    m = machine()
    m.sync()  # pulls the task feed into sync_tasks
    stored = next(t for t in m.sync_store.tasks() if t["id"] == server.township.task_ids[0])
    task = steps.task_from_stored(stored)
    assert task.kind == "clue" and task.evidence_sha256 == (server.township.evidence_sha256,)

    def make() -> str:
        return steps.case_from_task(
            task,
            cases=m.core.cases,
            evidence=m.core.evidence,
            gateway=m.gateway,
            store=m.reference,
            actor_id=LEAD,
            opened_on=D(2026, 11, 21),
            officer_ids=(LEAD, SECOND),
            retrying=m.retrying(),
        )

    case_id = make()
    view = m.core.cases.show(case_id, D(2026, 11, 21)).value.case
    assert view.stage == "clue" and view.source is CaseSource.OFF_SITE and view.title == task.title
    assert task.description in view.data["brief_facts"] and task.location in view.data["brief_facts"]
    (item,) = m.core.evidence.list(case_id).value
    assert item.sha256 == server.township.evidence_sha256 and item.kind == "electronic"
    assert item.path is not None and "非现场监测" in item.path.read_bytes().decode("utf-8")
    assert make() == case_id and len(m.core.evidence.list(case_id).value) == 1  # idempotent

    m.sync()  # the case reaches the server
    acked = steps.acknowledge_tasks(m.gateway, m.reference, retrying=m.retrying())
    assert (acked.accepted, acked.done, acked.errors) == (1, 0, [])
    with server.client() as http:
        on_server = next(
            t for t in http.get("/v1/tasks", params={"limit": 500}).json()["items"] if t["id"] == task.task_id
        )
    assert on_server["status"] == "accepted" and on_server["case_id"] == case_id
    assert steps.acknowledge_tasks(m.gateway, m.reference, retrying=m.retrying()).accepted == 0
    assert len(m.requests(f"/v1/tasks/{task.task_id}/ack")) == 1

    # 不予立案 finishes the case: the task is reported done, once.
    m.core.cases.act(case_id, "decline", {"decline_reason": "经核查当事人已自行改正"}, LEAD, D(2026, 11, 22))
    done = steps.acknowledge_tasks(m.gateway, m.reference, retrying=m.retrying())
    assert (done.accepted, done.done) == (0, 1)
    assert steps.acknowledge_tasks(m.gateway, m.reference, retrying=m.retrying()).done == 0
    assert len(m.requests(f"/v1/tasks/{task.task_id}/ack")) == 2
    with server.client() as http:
        on_server = next(
            t for t in http.get("/v1/tasks", params={"limit": 500}).json()["items"] if t["id"] == task.task_id
        )
    assert on_server["status"] == "done" and on_server["case_id"] == case_id


def test_sync_steps_run_all_four(machine: Any, server: CentralServer) -> None:
    m = machine()
    _new_case(m, "占道经营")
    m.sync()
    bundle = steps.SyncSteps(m.reference, discretion=m.core.discretion, statutes=m.core.statutes)
    report = bundle.run(m.gateway, m.retrying())
    assert report.anchors.anchored == 1 and report.reference.applied["officers"] == 3
    assert report.as_dict()["anchored"] == 1
    assert report.errors == []
