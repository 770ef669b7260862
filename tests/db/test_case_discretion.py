"""A penalty proposal goes through the 裁量基准 calculator: CaseService on a real SQLite database.

The benchmark lookup is built in the test from the sample benchmarks (resources/discretion/
sample_benchmarks.json) and knows two items of SAMPLE-PROV-2025: ZB-006 (餐饮油烟超标排放,
5,000-50,000 yuan, 一般档 18,500-36,500, precondition 超过排放标准) and ZB-009 (占用消防车通道:
organisations 5,000-50,000, persons 警告 or 0-500 with 一般档 150-350). Each scenario checks what
``case.data["discretion"]`` records, the W17 guard (refusal, warning) and that the 全过程记录 stays
intact with one event per action.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import func, select

from workstation.app import Core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.discretion import Benchmark, ItemEntry, load_benchmarks
from workstation.domain.errors import FieldError
from workstation.domain.workflow import ActionRefused, ProcedureConfig, WorkflowEngine
from workstation.library.calendar_adapter import default_calendar
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.cases import SqlCaseStore
from workstation.persistence.models import CaseEventRow
from workstation.persistence.numbering import allocate
from workstation.services.case_record import CaseRecordService
from workstation.services.cases import CaseService, CaseView, NewCaseSpec
from workstation.services.workflows import bundled_workflows

D = dt.date
LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
WU = "2738747e-b9ed-5188-9e33-f17a20628f8c"  # 吴永福（示例）
HUANG = "c56a6b49-d0f6-5bee-980d-918d1a336230"  # 黄志强（示例）
REVIEWER = "14b192db-916d-58a7-86a9-b2fcb2a0598b"  # 郑雅琴（示例）, 法制审核人员
RESTAURANT = "fd2f6168-66e1-5b4b-a1bd-1d86e71bb09b"  # 榕溪镇某某餐饮店（示例）, organisation
LI = "018f0c86-94dc-50c1-bc59-1a1adaa4f9d6"  # 李某（示例）, born 7 July 1992

PUNISH = "《中华人民共和国行政处罚法》"
AIR = "《中华人民共和国大气污染防治法》第一百一十八条第一款"
OIL = "ZB-006"
FIRE_LANE = "ZB-009"
OPENED = D(2025, 9, 22)
CONCLUDE = D(2025, 9, 29)

#: What the 行政处罚决定书 states beyond the case's own fields (《行政处罚法》第五十九条).
DECISION: dict[str, Any] = {
    "facts": "当事人餐饮油烟超标排放，有监测报告、现场检查笔录为证",
    "penalty_basis": AIR,
    "performance": "自收到本决定书之日起十五日内缴纳罚款",
    "review_body": "闽侯县人民政府",
    "surcharge_told": True,
}


class SampleBenchmarks:
    """A BenchmarkLookup over two items of the sample provincial benchmark; it also names the
    benchmark (BenchmarkSourceLookup), so the record carries the version and 文号."""

    def __init__(self, codes: frozenset[str] = frozenset({OIL, FIRE_LANE})) -> None:
        text = resources.files("workstation.resources").joinpath("discretion/sample_benchmarks.json")
        benchmarks = load_benchmarks(text.read_text("utf-8"))
        self.province = next(b for b in benchmarks if b.id == "SAMPLE-PROV-2025")
        self.codes = codes

    def entry(self, item_code: str) -> ItemEntry | None:
        return self.province.item(item_code) if item_code in self.codes else None

    def benchmark_for(self, item_code: str) -> Benchmark | None:
        return self.province if item_code in self.codes else None


class EntryOnly:
    """The bare port: entries only (as SqlBenchmarkStore offers)."""

    def __init__(self) -> None:
        self.inner = SampleBenchmarks()

    def entry(self, item_code: str) -> ItemEntry | None:
        return self.inner.entry(item_code)


@dataclass
class Wired:
    core: Core
    cases: CaseService
    record: CaseRecordService


def _wire(core: Core, benchmarks: Any) -> Wired:
    engine = core.database.engine
    store = SqlCaseStore(engine, SqlCaseEventStore(engine), allocate)
    workflow = WorkflowEngine(bundled_workflows(), ProcedureConfig(), default_calendar())
    return Wired(
        core,
        CaseService(store, workflow, core.clock.now, benchmarks=benchmarks),
        CaseRecordService(store, workflow),
    )


@pytest.fixture
def seeded(core: Core) -> Core:
    """The demo office, and the sample items in the 事项目录 (a case's item_code must exist)."""
    core.office.seed_demo()
    province = SampleBenchmarks().province
    with core.uow() as uow:
        for code in (OIL, FIRE_LANE, "ZB-001"):
            entry = province.item(code)
            assert entry is not None
            uow.office.upsert_item(entry.to_enforcement_item(str(uuid.uuid5(uuid.NAMESPACE_URL, code))))
        uow.commit()
    return core


@pytest.fixture
def wired(seeded: Core) -> Wired:
    return _wire(seeded, SampleBenchmarks())


@dataclass
class Scenario:
    """One case driven through the wired service; every action is one event."""

    wired: Wired
    case_id: str
    actions: list[str] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        wired: Wired,
        item_code: str | None,
        *,
        kind: CaseKind = CaseKind.ORDINARY,
        party: str = RESTAURANT,
        officers: tuple[str, ...] = (LEAD, SECOND),
        opened_on: D = OPENED,
    ) -> Scenario:
        spec = NewCaseSpec(
            kind=kind,
            title="餐饮店油烟超标排放" if kind is CaseKind.ORDINARY else "占用消防车通道",
            source=CaseSource.PATROL,
            opened_on=opened_on,
            actor_id=officers[0],
            party_ids=(party,),
            officer_ids=officers,
            item_code=item_code,
            data={"clue_received_on": opened_on.isoformat()} if kind is CaseKind.ORDINARY else {},
        )
        return cls(wired, wired.cases.new_case(spec).value.case.id)

    def act(
        self, action: str, day: D, stage: str, inputs: dict[str, Any] | None = None, actor: str = LEAD
    ) -> CaseView:
        view = self.wired.cases.act(self.case_id, action, inputs or {}, actor, day).value
        self.actions.append(action)
        assert view.case.stage == stage
        assert self.event_count() == len(self.actions) + 1
        return view

    def refused(
        self, action: str, day: D, inputs: dict[str, Any] | None = None, actor: str = LEAD
    ) -> ActionRefused:
        before = self.event_count()
        with pytest.raises(ActionRefused) as refused:
            self.wired.cases.act(self.case_id, action, inputs or {}, actor, day)
        assert self.event_count() == before  # a refused action writes nothing
        return refused.value

    def investigate(self) -> None:
        self.act("file", D(2025, 9, 24), "investigation", {"act_date": "2025-09-20"})
        self.act(
            "collect_evidence",
            D(2025, 9, 26),
            "investigation",
            {"evidence_kinds": ["documentary", "record", "expert_opinion"], "certificate_shown": True},
        )

    def event_count(self) -> int:
        stmt = select(func.count()).select_from(CaseEventRow).where(CaseEventRow.case_id == self.case_id)
        with self.wired.core.database.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def last_event(self, action: str) -> Any:
        events = SqlCaseEventStore(self.wired.core.database.engine).events(self.case_id)
        return [e for e in events if e.action == action][-1]

    def warnings(self, action: str) -> list[str]:
        return [str(w) for w in self.last_event(action).payload.get("warnings") or []]

    def check_log(self) -> None:
        report = self.wired.cases.verify_log(self.case_id).value
        assert report.ok, report.messages
        assert report.count == len(self.actions) + 1
        events = SqlCaseEventStore(self.wired.core.database.engine).events(self.case_id)
        assert [e.action for e in events] == ["create", *self.actions]

    def timeline(self, action: str) -> list[str]:
        entries = self.wired.record.timeline(self.case_id).value
        seq = self.last_event(action).seq
        return list(next(e for e in entries if e.seq == seq).changes)


def _proposal(fine: str, *circumstances: str, **more: Any) -> dict[str, Any]:
    return {
        "outcome": "penalty",
        "penalty_types": ["fine"],
        "fine": fine,
        "circumstances": list(circumstances),
        **more,
    }


# ----------------------------------------------------------------------------- inside the tier


def test_a_fine_inside_the_tier_passes_and_the_record_shows_the_tier(wired: Wired) -> None:
    case = Scenario.open(wired, OIL)
    case.investigate()
    view = case.act("conclude", CONCLUDE, "concluded", _proposal("30000", "exceeds_standard"))

    record = view.case.data["discretion"]
    assert record["status"] == "assessed"
    assert record["item_code"] == OIL
    assert record["benchmark"] == {
        "id": "SAMPLE-PROV-2025",
        "name": record["benchmark"]["name"],
        "version": "2025.1",
        "document_number": "示例〔2025〕1号",
    }
    assert record["tier"] == {"code": "general", "label": "一般"}
    assert record["tier_range"] == {"min": "18500", "max": "36500"}
    assert record["statutory_range"]["citation"] == AIR
    assert record["circumstances"] == [
        {"code": "exceeds_standard", "label": "超过排放标准排放油烟（有监测报告）"}
    ]
    assert record["proposed_fine"] == "30000"
    assert record["severity"] == "ok"
    assert [d["kind"] for d in record["deviations"]] == ["inside_tier"]
    assert record["deviation_reason"] is None
    assert all(line["citation"] for line in record["explanations"])
    # the officer chose no tier: the calculator's tier is the case's 裁量档次 (read by P22)
    assert view.case.data["discretion_tier"] == "general"

    # written with the action's own event, so it is in the 全过程记录
    changes = {c.field: c.new for c in case.last_event("conclude").changes}
    assert changes["discretion"] == record
    assert changes["discretion_tier"] == "general"
    assert case.warnings("conclude") == []
    lines = case.timeline("conclude")
    assert "裁量基准适用：一般档（1.85万元至3.65万元），拟罚款3万元，在档次内" in lines
    assert "裁量情节（法定情节及裁量基准所列情节）：超过排放标准排放油烟（有监测报告）" in lines

    # the decision re-reads the record: nothing to say for a fine inside the tier
    case.act("legal_review", D(2025, 9, 30), "reviewed", {"review_opinion": "同意"}, REVIEWER)
    case.act("notify", D(2025, 9, 30), "notified", {"hearing_right_notified": False})
    case.act("decide", D(2025, 10, 13), "decided", DECISION)
    assert not [w for w in case.warnings("decide") if "[W17]" in w]
    case.check_log()


def test_a_tier_the_officer_chose_is_kept(wired: Wired) -> None:
    case = Scenario.open(wired, OIL)
    case.investigate()
    view = case.act(
        "conclude", CONCLUDE, "concluded", _proposal("30000", "exceeds_standard", discretion_tier="heavier")
    )
    assert view.case.data["discretion_tier"] == "heavier"
    assert view.case.data["discretion"]["tier"]["code"] == "general"
    case.check_log()


# ----------------------------------------------------------------------------- outside the tier (yellow)


def test_outside_the_tier_needs_a_reason_and_the_warning_is_recorded(wired: Wired) -> None:
    case = Scenario.open(wired, OIL)
    case.investigate()
    refused = case.refused("conclude", CONCLUDE, _proposal("40000", "exceeds_standard"))
    (problem,) = refused.problems
    assert problem.rule == "W17" and problem.blocking
    assert f"{PUNISH}第三十四条" in problem.citation
    assert "示例〔2025〕1号" in problem.citation  # the benchmark departed from
    assert "偏离理由" in problem.message
    assert "“一般”档" in refused.message

    reason = "当事人经营场所紧邻学校，油烟对学生影响较大"
    view = case.act(
        "conclude", CONCLUDE, "concluded", _proposal("40000", "exceeds_standard", deviation_reason=reason)
    )
    record = view.case.data["discretion"]
    assert record["severity"] == "yellow"
    assert record["deviations"][0]["kind"] == "outside_tier"
    assert record["deviation_reason"] == reason
    assert view.case.data["deviation_reason"] == reason
    (warning,) = case.warnings("conclude")
    assert warning.startswith("[W17]（提示）") and reason in warning and "第三十四条" in warning
    lines = case.timeline("conclude")
    assert any(
        line.startswith("裁量基准适用：一般档") and "超出裁量档次（黄色预警，已说明理由）" in line
        for line in lines
    )
    assert f"偏离裁量基准的理由：{reason}" in lines

    # W17 runs again at the decision: the reason stands, so it is a warning there too
    case.act("legal_review", D(2025, 9, 30), "reviewed", {"review_opinion": "同意"}, REVIEWER)
    case.act("notify", D(2025, 9, 30), "notified", {"hearing_right_notified": False})
    case.act("decide", D(2025, 10, 13), "decided", DECISION)
    assert [w for w in case.warnings("decide") if w.startswith("[W17]（提示）")]
    case.check_log()


def test_first_violation_eligible_but_fined_needs_a_reason(wired: Wired) -> None:
    case = Scenario.open(wired, FIRE_LANE)
    case.investigate()
    first = {"first_violation": True, "minor_harm": True, "corrected": True}
    refused = case.refused("conclude", CONCLUDE, _proposal("20000", **first))
    (problem,) = refused.problems
    assert problem.rule == "W17"
    assert f"{PUNISH}第三十三条第一款" in problem.citation
    assert "首违不罚" in problem.message

    view = case.act(
        "conclude",
        CONCLUDE,
        "concluded",
        _proposal("20000", deviation_reason="占用消防车通道时间长，经多次劝导方才改正", **first),
    )
    record = view.case.data["discretion"]
    assert {"first_violation", "minor_harm", "corrected"} <= {c["code"] for c in record["circumstances"]}
    assert "first_violation_fined" in {d["kind"] for d in record["deviations"]}
    rules = [w[: w.index("]") + 1] for w in case.warnings("conclude")]
    assert "[W17]" in rules and "[P21]" in rules  # P21 says the same in its own words
    case.check_log()


# ----------------------------------------------------------------------------- red: refused, reason or not


def test_outside_the_statutory_range_is_refused_even_with_a_reason(wired: Wired) -> None:
    case = Scenario.open(wired, OIL)
    case.investigate()
    reason = {"deviation_reason": "情节特别严重"}
    above = case.refused("conclude", CONCLUDE, _proposal("60000", "exceeds_standard", **reason))
    (problem,) = above.problems
    assert problem.rule == "W17" and problem.blocking
    assert problem.citation == AIR
    assert "50,000元" in problem.message

    below = case.refused("conclude", CONCLUDE, _proposal("3000", "exceeds_standard", **reason))
    (problem,) = below.problems
    assert f"{PUNISH}第三十二条" in problem.citation
    assert "减轻" in problem.message

    # 减轻 with a 第三十二条 circumstance inside the benchmark's 减轻 tier is lawful
    view = case.act(
        "conclude", CONCLUDE, "concluded", _proposal("3000", "exceeds_standard", mitigating=["coerced"])
    )
    assert view.case.data["discretion"]["tier"]["code"] == "mitigated"
    assert view.case.data["discretion_tier"] == "mitigated"
    case.check_log()


def test_a_fine_before_the_precondition_holds_is_refused(wired: Wired) -> None:
    case = Scenario.open(wired, OIL)
    case.investigate()
    refused = case.refused("conclude", CONCLUDE, _proposal("30000", deviation_reason="已责令改正"))
    (problem,) = refused.problems
    assert problem.rule == "W17"
    assert problem.citation == AIR
    assert "超过排放标准" in problem.message
    case.check_log()


def test_a_fine_where_no_penalty_is_mandatory_is_refused(wired: Wired) -> None:
    case = Scenario.open(wired, OIL)
    case.investigate()
    minor = {"minor": True, "corrected": True, "no_harm": True, "deviation_reason": "—"}
    refused = case.refused("conclude", CONCLUDE, _proposal("5000", "exceeds_standard", **minor))
    w17 = [p for p in refused.problems if p.rule == "W17"]
    assert w17 and f"{PUNISH}第三十三条第一款" in w17[0].citation
    assert "P21" in {p.rule for p in refused.problems}


def test_an_unknown_circumstance_is_named(wired: Wired) -> None:
    case = Scenario.open(wired, OIL)
    case.investigate()
    with pytest.raises(FieldError) as error:
        wired.cases.act(case.case_id, "conclude", _proposal("30000", "no_such_code"), LEAD, CONCLUDE)
    assert error.value.field == "circumstances"
    assert "no_such_code" in error.value.message


# ----------------------------------------------------------------------------- simple procedure


def test_on_the_spot_decision_goes_through_the_calculator(wired: Wired) -> None:
    case = Scenario.open(
        wired, FIRE_LANE, kind=CaseKind.SIMPLE, party=LI, officers=(HUANG, WU), opened_on=D(2025, 9, 30)
    )
    on_spot: dict[str, Any] = {
        "act_date": "2025-09-30",
        "certificate_shown": True,
        "violation": "在小区消防车通道停放车辆",
        "place": "榕溪镇中心街18号小区",
        "penalty_types": ["fine"],
        "penalty_basis": "《中华人民共和国消防法》第六十条第二款",
        "decision_no": "闽榕当罚No.0000124",
        "review_body": "闽侯县人民政府",
        "review_first_told": True,
    }
    refused = case.refused("decide_on_spot", D(2025, 9, 30), {**on_spot, "fine": "100"}, HUANG)
    assert [p.rule for p in refused.problems] == ["W17"]
    view = case.act("decide_on_spot", D(2025, 9, 30), "decided", {**on_spot, "fine": "200"}, HUANG)
    record = view.case.data["discretion"]
    assert record["party_kind"] == "person"
    assert record["tier"] == {"code": "general", "label": "一般"}
    assert record["tier_range"] == {"min": "150", "max": "350"}
    assert view.case.data["discretion_tier"] == "general"
    assert "裁量基准适用：一般档（150元至350元），拟罚款200元，在档次内" in case.timeline("decide_on_spot")
    case.check_log()


# ----------------------------------------------------------------------------- no benchmark


def test_an_item_without_a_benchmark_records_no_benchmark(wired: Wired) -> None:
    case = Scenario.open(wired, "ZB-001")  # in the sample file, but not known to this lookup
    case.investigate()
    view = case.act("conclude", CONCLUDE, "concluded", _proposal("900000", "whatever"))
    assert view.case.data["discretion"] == {"status": "no_benchmark"}
    assert "discretion_tier" not in view.case.data
    assert case.warnings("conclude") == []
    assert "裁量基准适用：本案执法事项没有裁量基准，未适用" in case.timeline("conclude")
    case.check_log()


def test_a_case_without_an_item_records_nothing(wired: Wired) -> None:
    case = Scenario.open(wired, None)
    case.investigate()
    view = case.act("conclude", CONCLUDE, "concluded", _proposal("30000"))
    assert "discretion" not in view.case.data
    case.check_log()


def test_without_a_lookup_the_service_records_no_benchmark(seeded: Core) -> None:
    case = Scenario.open(_wire(seeded, None), OIL)
    case.investigate()
    view = case.act("conclude", CONCLUDE, "concluded", _proposal("60000", "exceeds_standard"))
    assert view.case.data["discretion"] == {"status": "no_benchmark"}
    case.check_log()


def test_a_lookup_without_benchmark_names_records_no_version(seeded: Core) -> None:
    case = Scenario.open(_wire(seeded, EntryOnly()), OIL)
    case.investigate()
    view = case.act("conclude", CONCLUDE, "concluded", _proposal("30000", "exceeds_standard"))
    record = view.case.data["discretion"]
    assert record["benchmark"] is None
    assert record["tier"]["code"] == "general"
    case.check_log()
