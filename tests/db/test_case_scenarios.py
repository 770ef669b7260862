"""Whole cases through CaseService on a real SQLite database, with real 2025 dates.

Each scenario drives one case action by action and checks the stage after every action, the
全过程记录 (one event per action, the hash chain intact) and the 案号. Dates are chosen where the
2025 holidays matter: the 春节 (28 January-4 February, 26 January and 8 February worked) and the
国庆节、中秋节 (1-8 October, 28 September and 11 October worked).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from workstation.app import Core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.workflow import ActionRefused
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.models import CaseEventRow, CaseRow
from workstation.services.cases import CaseView, NewCaseSpec

D = dt.date
LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
WU = "2738747e-b9ed-5188-9e33-f17a20628f8c"  # 吴永福（示例）
HUANG = "c56a6b49-d0f6-5bee-980d-918d1a336230"  # 黄志强（示例）
REVIEWER = "14b192db-916d-58a7-86a9-b2fcb2a0598b"  # 郑雅琴（示例）, 法制审核人员
RESTAURANT = "fd2f6168-66e1-5b4b-a1bd-1d86e71bb09b"  # 榕溪镇某某餐饮店（示例）, organisation
ZHANG = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）, born 12 March 1985
LI = "018f0c86-94dc-50c1-bc59-1a1adaa4f9d6"  # 李某（示例）, born 7 July 1992
COOPERATIVE = "0792856b-5dbc-5c71-8d7a-76414ff06ff0"  # 溪东村经济合作社（示例）, other organisation
COMPANY = "806c66bb-2a7a-5ba6-8e53-a3623f8b0635"  # 某某建材有限公司（示例）

CASE_NUMBER = re.compile(r"榕溪镇罚立字〔(\d{4})〕第(\d+)号")
PUNISH = "《中华人民共和国行政处罚法》"

#: What the 行政处罚决定书 states beyond the case's own fields (《行政处罚法》第五十九条).
DECISION: dict[str, Any] = {
    "facts": "当事人未安装油烟净化设施直排油烟，有现场检查笔录、询问笔录、现场照片为证",
    "penalty_basis": "《中华人民共和国大气污染防治法》第一百一十八条第一款",
    "performance": "自收到本决定书之日起十五日内到指定银行或者通过电子支付系统缴纳罚款",
    "review_body": "闽侯县人民政府",
    "review_period_days": 60,
    "litigation_period_months": 6,
    "litigation_court": "闽侯县人民法院",
    "surcharge_told": True,
}


@pytest.fixture
def seeded(core: Core) -> Core:
    core.office.seed_demo()
    return core


@dataclass
class Scenario:
    """One case being driven: every action is checked for its stage and counted."""

    core: Core
    case_id: str
    actions: list[str] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        core: Core,
        kind: CaseKind,
        title: str,
        opened_on: D,
        party: str,
        officers: tuple[str, ...] = (LEAD, SECOND),
        data: dict[str, Any] | None = None,
        source: CaseSource = CaseSource.PATROL,
    ) -> tuple[Scenario, CaseView]:
        spec = NewCaseSpec(
            kind=kind,
            title=title,
            source=source,
            opened_on=opened_on,
            actor_id=officers[0],
            party_ids=(party,),
            officer_ids=officers,
            data=data or {},
        )
        view = core.cases.new_case(spec).value
        return cls(core, view.case.id), view

    def act(
        self, action: str, day: D, stage: str, inputs: dict[str, Any] | None = None, actor: str = LEAD
    ) -> CaseView:
        view = self.core.cases.act(self.case_id, action, inputs or {}, actor, day).value
        self.actions.append(action)
        assert view.case.stage == stage, f"after {action}: {view.case.stage}, expected {stage}"
        assert self.event_count() == len(self.actions) + 1  # one event per action
        return view

    def refused(
        self, action: str, day: D, inputs: dict[str, Any] | None = None, actor: str = LEAD
    ) -> ActionRefused:
        before = self.event_count()
        with pytest.raises(ActionRefused) as refused:
            self.core.cases.act(self.case_id, action, inputs or {}, actor, day)
        assert self.event_count() == before  # a refused action writes nothing
        return refused.value

    def event_count(self) -> int:
        stmt = select(func.count()).select_from(CaseEventRow).where(CaseEventRow.case_id == self.case_id)
        with self.core.database.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def check_log(self) -> None:
        """The 全过程记录: intact, the creation and then exactly one event per action, in order."""
        report = self.core.cases.verify_log(self.case_id).value
        assert report.ok, report.messages
        assert report.count == len(self.actions) + 1
        events = SqlCaseEventStore(self.core.database.engine).events(self.case_id)
        assert [e.action for e in events] == ["create", *self.actions]

    def warnings(self, action: str) -> list[str]:
        """The non-blocking warnings recorded with the last event of ``action``."""
        events = SqlCaseEventStore(self.core.database.engine).events(self.case_id)
        event = [e for e in events if e.action == action][-1]
        return list(event.payload.get("warnings") or [])

    def show(self, day: D) -> CaseView:
        return self.core.cases.show(self.case_id, day).value


def _rules(refused: ActionRefused) -> list[str]:
    return [p.rule for p in refused.problems]


def _deadline(view: CaseView, name: str) -> Any:
    return next(d for d in view.deadlines if d.name == name)


def _assert_number(view: CaseView, year: int, serial: int) -> None:
    number = view.case.case_number
    assert number is not None
    match = CASE_NUMBER.fullmatch(number)
    assert match, number
    assert (int(match[1]), int(match[2])) == (year, serial)


# ----------------------------------------------------------------------------- ordinary, clue to archive


def test_ordinary_case_from_clue_to_archive_over_national_day(seeded: Core) -> None:
    case, view = Scenario.open(
        seeded,
        CaseKind.ORDINARY,
        "餐饮店未安装油烟净化设施直排油烟",
        D(2025, 9, 22),
        RESTAURANT,
        data={"clue_received_on": "2025-09-22"},
        source=CaseSource.COMPLAINT,
    )
    assert view.case.stage == "clue"
    assert view.case.case_number is None  # the 案号 comes with 立案

    view = case.act("file", D(2025, 9, 24), "investigation", {"act_date": "2025-09-20"})
    _assert_number(view, 2025, 1)
    assert view.case.case_number == "榕溪镇罚立字〔2025〕第1号"
    assert _deadline(view, "decision").due == D(2025, 12, 23)  # 24 September + 90 days

    view = case.act(
        "collect_evidence",
        D(2025, 9, 26),
        "investigation",
        {"evidence_kinds": ["documentary", "record", "audiovisual"], "certificate_shown": True},
    )
    view = case.act(
        "conclude",
        D(2025, 9, 28),  # Sunday 28 September is a 调休 working day
        "concluded",
        {"outcome": "penalty", "penalty_types": ["fine"], "fine": "3000", "discretion_tier": "general"},
    )
    view = case.act(
        "legal_review", D(2025, 9, 29), "reviewed", {"review_opinion": "事实清楚，证据确凿，同意"}, REVIEWER
    )
    assert view.case.data["reviewer"] == "郑雅琴（示例）"

    # 告知 on 30 September: three working days are 9, 10 and (the 调休 Saturday) 11 October.
    view = case.act("notify", D(2025, 9, 30), "notified", {"hearing_right_notified": False})
    assert _deadline(view, "statement").due == D(2025, 10, 11)
    refused = case.refused("decide", D(2025, 10, 11), DECISION)
    assert _rules(refused) == ["P11"]
    assert "2025年10月11日" in refused.message

    view = case.act("decide", D(2025, 10, 13), "decided", DECISION)
    assert view.case.data["party_name"] == "榕溪镇某某餐饮店（示例）"
    assert view.case.data["party_address"] == "榕溪镇中心街26号（示例）"
    assert "行政处罚决定书" in view.case.data["documents"]
    assert _deadline(view, "service").due == D(2025, 10, 22)

    view = case.act("serve", D(2025, 10, 14), "served", {"service_method": "direct"})
    assert _deadline(view, "payment").due == D(2025, 10, 29)
    view = case.act(
        "pay", D(2025, 10, 20), "executed", {"paid_on": "2025-10-20", "receipt_no": "FJ2025-0001"}
    )
    view = case.act("publish", D(2025, 10, 21), "executed", {"published_on": "2025-10-21"})
    assert case.warnings("publish") == []
    view = case.act("close", D(2025, 10, 24), "closed", {"closing_summary": "罚款已缴清，已整改"})
    assert view.case.closed_on == D(2025, 10, 24)
    view = case.act("archive", D(2025, 10, 27), "archived", {"archive_no": "2025-榕溪-001"})
    assert view.case.case_number == "榕溪镇罚立字〔2025〕第1号"
    case.check_log()


# ----------------------------------------------------------------------------- a hearing over 春节


def test_ordinary_case_with_a_hearing_over_the_spring_festival(seeded: Core) -> None:
    case, _ = Scenario.open(
        seeded,
        CaseKind.ORDINARY,
        "个人在居民区违规露天焚烧垃圾",
        D(2025, 1, 6),
        ZHANG,
        data={"clue_received_on": "2025-01-06"},
    )
    view = case.act("file", D(2025, 1, 8), "investigation", {"act_date": "2025-01-03"})
    _assert_number(view, 2025, 1)
    case.act("collect_evidence", D(2025, 1, 10), "investigation", {"evidence_kinds": ["record", "witness"]})
    view = case.act(
        "conclude",
        D(2025, 1, 15),
        "concluded",
        {"outcome": "penalty", "penalty_types": ["fine"], "fine": "20000", "discretion_tier": "general"},
    )
    assert view.case.data["party_age"] == 39  # from the 公民身份号码, on the day of the act
    case.act("legal_review", D(2025, 1, 16), "reviewed", {"review_opinion": "同意"}, REVIEWER)

    # 20,000 yuan for a person is a 较大数额: the party may ask for a hearing within five working
    # days of the 告知 — 21 to 24 January and Sunday 26 January (worked for the 春节).
    view = case.act("notify", D(2025, 1, 20), "notified", {"hearing_right_notified": True})
    assert _deadline(view, "hearing_request").due == D(2025, 1, 26)
    view = case.act("request_hearing", D(2025, 1, 24), "hearing", {"hearing_requested_on": "2025-01-24"})
    decide = next(a for a in case.show(D(2025, 1, 27)).actions if a.code == "decide")
    assert not decide.enabled
    assert "P12" in {p.rule for p in decide.problems}

    # The notice goes out on 24 January: seven working days later, over the holiday, is 10 February.
    too_soon = case.refused(
        "notify_hearing", D(2025, 1, 24), {"hearing_on": "2025-02-07", "hearing_host": "吴永福（示例）"}
    )
    assert _rules(too_soon) == ["P13"]
    assert "2025年2月10日" in too_soon.message
    investigator = case.refused(
        "notify_hearing", D(2025, 1, 24), {"hearing_on": "2025-02-10", "hearing_host": "林建华（示例）"}
    )
    assert _rules(investigator) == ["P05"]
    assert "第四十三条" in investigator.message
    case.act(
        "notify_hearing",
        D(2025, 1, 24),
        "hearing",
        {"hearing_on": "2025-02-10", "hearing_host": "吴永福（示例）"},
    )
    case.act(
        "hold_hearing",
        D(2025, 2, 10),
        "hearing",
        {"hearing_report": "当事人承认事实，请求从轻处罚；维持拟处罚意见"},
    )

    view = case.act("decide", D(2025, 2, 12), "decided", DECISION)
    assert view.case.data["hearing_held_on"] == "2025-02-10"
    assert {"听证通知书", "听证笔录", "听证报告", "行政处罚决定书"} <= set(view.case.data["documents"])
    case.act("serve", D(2025, 2, 13), "served", {"service_method": "direct"})
    case.check_log()


# ----------------------------------------------------------------------------- simple procedure, 当场收缴


def test_simple_procedure_with_collection_on_the_spot(seeded: Core) -> None:
    case, view = Scenario.open(
        seeded, CaseKind.SIMPLE, "店外占道经营", D(2025, 9, 30), LI, officers=(HUANG, WU)
    )
    assert view.case.stage == "on_site"
    _assert_number(view, 2025, 1)  # a simple-procedure case is numbered when it is opened
    on_spot = {
        "act_date": "2025-09-30",
        "certificate_shown": True,
        "violation": "在中心街人行道摆摊占道经营",
        "place": "榕溪镇中心街18号门前",
        "penalty_types": ["fine"],
        "penalty_basis": "《城市市容和环境卫生管理条例》第三十六条第（二）项",
        "fine": "50",
        "decision_no": "闽榕当罚No.0000123",
        "review_body": "闽侯县人民政府",
        "review_period_days": 60,
        "review_first_told": True,
    }
    no_card = case.refused("decide_on_spot", D(2025, 9, 30), {**on_spot, "certificate_shown": False}, HUANG)
    assert _rules(no_card) == ["P02"]
    no_review_first = case.refused(
        "decide_on_spot", D(2025, 9, 30), {**on_spot, "review_first_told": False}, HUANG
    )
    assert _rules(no_review_first) == ["P20"]
    assert "《中华人民共和国行政复议法》第二十三条" in no_review_first.message
    case.act("decide_on_spot", D(2025, 9, 30), "decided", on_spot, HUANG)

    unnoted = case.refused("deliver", D(2025, 9, 30), {"refused_to_sign": True}, HUANG)
    assert _rules(unnoted) == ["P02"]
    case.act("deliver", D(2025, 9, 30), "delivered", {"refused_to_sign": True, "refusal_noted": True}, HUANG)

    no_receipt = case.refused(
        "collect_on_spot", D(2025, 9, 30), {"receipt_no": " ", "collect_reason": "fine_within_100"}, HUANG
    )
    assert "第七十条" in no_receipt.message
    view = case.act(
        "collect_on_spot",
        D(2025, 9, 30),
        "paid",
        {"receipt_no": "闽财罚0012345", "collect_reason": "fine_within_100"},
        HUANG,
    )
    assert view.case.data["paid_on"] == "2025-09-30"
    assert "罚没款专用票据" in view.case.data["documents"]

    # Two working days after 30 September are 9 and 10 October: Saturday 11 October (worked) is late.
    case.act("hand_in_cash", D(2025, 10, 11), "paid", {"handed_in_on": "2025-10-11"}, HUANG)
    (warning,) = case.warnings("hand_in_cash")
    assert "[P03]（提示）" in warning and "2025年10月10日" in warning and "第七十一条" in warning

    view = case.act("file_record", D(2025, 10, 13), "closed", {}, HUANG)
    assert view.case.data["recorded_on"] == "2025-10-13"
    # 备案 on the 5th working day is in time (no P02); the late hand-over stays on the record.
    assert [w[:5] for w in case.warnings("file_record")] == ["[P03]"]
    _assert_number(view, 2025, 1)
    case.check_log()


# ----------------------------------------------------------------------------- 首违不罚


def test_first_violation_not_punished_to_archive(seeded: Core) -> None:
    case, _ = Scenario.open(
        seeded,
        CaseKind.ORDINARY,
        "在村道旁堆放建筑材料（首违不罚）",
        D(2025, 5, 6),
        COOPERATIVE,
        officers=(SECOND, LEAD),
        data={"clue_received_on": "2025-05-06"},
    )
    view = case.act("file", D(2025, 5, 7), "investigation", {"act_date": "2025-05-05"}, SECOND)
    _assert_number(view, 2025, 1)
    case.act(
        "collect_evidence",
        D(2025, 5, 8),
        "investigation",
        {"evidence_kinds": ["record", "audiovisual"]},
        SECOND,
    )
    fined = case.refused(
        "conclude",
        D(2025, 5, 12),
        {
            "outcome": "penalty",
            "penalty_types": ["fine"],
            "fine": "500",
            "minor": True,
            "corrected": True,
            "no_harm": True,
        },
        SECOND,
    )
    assert _rules(fined) == ["P21"]
    case.act(
        "conclude",
        D(2025, 5, 12),
        "concluded",
        {"outcome": "no_penalty_first", "first_violation": True, "minor_harm": True, "corrected": True},
        SECOND,
    )
    case.act(
        "legal_review", D(2025, 5, 13), "reviewed", {"review_opinion": "符合首违不罚情形，同意"}, REVIEWER
    )
    view = case.act("decide_no_penalty", D(2025, 5, 14), "decided", {}, SECOND)
    assert "不予行政处罚决定书" in view.case.data["documents"]
    case.act("serve", D(2025, 5, 15), "served", {"service_method": "direct"}, SECOND)
    case.act("close", D(2025, 5, 16), "closed", {"closing_summary": "已批评教育，当事人已当场清理"}, SECOND)
    view = case.act("archive", D(2025, 5, 19), "archived", {"archive_no": "2025-榕溪-002"}, SECOND)
    assert view.case.case_number == "榕溪镇罚立字〔2025〕第1号"
    case.check_log()


# ----------------------------------------------------------------------------- 查封/扣押


def test_seizure_with_extension_and_release(seeded: Core) -> None:
    case, view = Scenario.open(seeded, CaseKind.COERCIVE, "扣押涉嫌过期食品", D(2025, 6, 3), COMPANY)
    assert view.case.stage == "request"
    assert view.case.case_number is None  # a 强制措施 is not numbered as a 处罚 case
    approval = {
        "approver": "陈镇长",
        "measure": "seize",
        "seizure_domain": "market",
        "seizure_basis": "《中华人民共和国食品安全法》第一百一十条第（四）项",
        "seizure_reason": "涉嫌经营超过保质期的食品",
    }
    outside = case.refused("approve", D(2025, 6, 3), {**approval, "seizure_domain": "planning"})
    assert _rules(outside) == ["C1"]
    assert "《中华人民共和国行政强制法》第十七条、第二十二条" in outside.message
    case.act("approve", D(2025, 6, 3), "approved", approval)

    items = [{"name": "过期预包装食品", "qty": 120}, {"name": "冷柜", "qty": 1}]
    bedding = case.refused(
        "seize", D(2025, 6, 4), {"items": [*items, {"name": "被褥", "necessity": True}], "handed_over": True}
    )
    assert _rules(bedding) == ["C4"]
    not_handed = case.refused("seize", D(2025, 6, 4), {"items": items, "handed_over": False})
    assert _rules(not_handed) == ["C5"]
    view = case.act(
        "seize",
        D(2025, 6, 4),
        "seized",
        {"items": items, "handed_over": True, "list_copies": 2, "act_time": "09:30"},
    )
    assert _deadline(view, "seizure").due == D(2025, 7, 4)
    assert case.warnings("seize") == []

    too_long = {"extension_days": 31, "extension_reason": "待检验", "extension_approved_on": "2025-06-30"}
    assert _rules(case.refused("extend", D(2025, 6, 30), too_long)) == ["C6"]
    case.act("extend", D(2025, 6, 30), "extended", {**too_long, "extension_days": 30})
    view = case.act("release", D(2025, 7, 21), "released", {"release_reason": "检验合格，解除扣押并退还"})
    assert {"解除查封（扣押）决定书", "退还物品清单"} <= set(view.case.data["documents"])
    view = case.act("close", D(2025, 7, 22), "closed")
    assert view.case.case_number is None
    case.check_log()


# ----------------------------------------------------------------------------- 综合查一次


def test_joint_inspection_with_a_merged_checklist(seeded: Core) -> None:
    case, view = Scenario.open(seeded, CaseKind.INSPECTION, "餐饮店综合查一次", D(2025, 9, 2), RESTAURANT)
    assert view.case.stage == "planned"
    assert view.case.case_number is None
    departments = ["市场监管", "消防", "生态环境"]
    checklist = [
        {"department": "市场监管", "item": "食品经营许可证", "result": "合格"},
        {"department": "消防", "item": "疏散通道畅通", "result": "不合格"},
    ]
    inputs: dict[str, Any] = {"certificate_shown": True, "departments": departments, "checklist": checklist}
    partial = case.refused("inspect", D(2025, 9, 2), inputs)
    assert _rules(partial) == ["J1"]
    assert "生态环境" in partial.message
    no_card = case.refused("inspect", D(2025, 9, 2), {**inputs, "certificate_shown": False})
    assert "P05" in _rules(no_card)
    merged = [*checklist, {"department": "生态环境", "item": "油烟净化设施", "result": "合格"}]
    view = case.act("inspect", D(2025, 9, 2), "inspected", {**inputs, "checklist": merged})
    assert view.case.data["departments"] == departments
    assert {c["department"] for c in view.case.data["checklist"]} == set(departments)
    case.act("order_rectify", D(2025, 9, 2), "rectify", {"rectify_by": "2025-09-16"})
    case.act("recheck", D(2025, 9, 16), "compliant", {"certificate_shown": True})
    view = case.act("close", D(2025, 9, 17), "closed")
    assert view.case.case_number is None
    case.check_log()


# ----------------------------------------------------------------------------- the decision clock


def test_decision_clock_paused_for_a_hearing_and_extended(seeded: Core) -> None:
    case, _ = Scenario.open(
        seeded,
        CaseKind.ORDINARY,
        "擅自占用道路堆放物料",
        D(2025, 7, 1),
        ZHANG,
        data={"clue_received_on": "2025-07-01"},
    )
    view = case.act("file", D(2025, 7, 2), "investigation", {"act_date": "2025-06-30"})
    _assert_number(view, 2025, 1)
    assert _deadline(view, "decision").due == D(2025, 9, 30)  # 2 July + 90 days
    case.act(
        "collect_evidence", D(2025, 7, 4), "investigation", {"evidence_kinds": ["record", "documentary"]}
    )
    case.act(
        "conclude",
        D(2025, 7, 10),
        "concluded",
        {"outcome": "penalty", "penalty_types": ["fine"], "fine": "15000", "discretion_tier": "general"},
    )
    case.act("legal_review", D(2025, 7, 11), "reviewed", {"review_opinion": "同意"}, REVIEWER)
    case.act("notify", D(2025, 7, 14), "notified", {"hearing_right_notified": True})
    case.act("request_hearing", D(2025, 7, 16), "hearing", {"hearing_requested_on": "2025-07-16"})

    # The hearing time does not count: the clock stops on 16 July.
    view = case.act(
        "pause_clock", D(2025, 7, 16), "hearing", {"pause_reason": "hearing", "pause_start": "2025-07-16"}
    )
    decision = _deadline(view, "decision")
    assert decision.paused_since == D(2025, 7, 16)
    # If it resumed on 17 July, day 90 would be 1 October (国庆节) → Thursday 9 October.
    assert decision.due == D(2025, 10, 9)
    assert "听证期间自2025年7月16日起暂停计算（尚未恢复）" in decision.basis
    moved = _deadline(case.show(D(2025, 8, 10)), "decision")  # still paused: the date moves on
    assert moved.paused_since == D(2025, 7, 16)
    assert moved.due == D(2025, 10, 27)  # 26 days paused: 26 October is a Sunday
    with seeded.database.engine.connect() as conn:
        listed = conn.execute(select(CaseRow.next_deadline).where(CaseRow.id == case.case_id)).scalar_one()
    # A paused clock does not drive the case list: the nearest is the 陈述申辩 period (3 WD from 14 July).
    assert listed == D(2025, 7, 17)

    case.act(
        "notify_hearing",
        D(2025, 7, 16),
        "hearing",
        {"hearing_on": "2025-07-28", "hearing_host": "吴永福（示例）"},
    )
    case.act("hold_hearing", D(2025, 7, 28), "hearing", {"hearing_report": "维持拟处罚意见"})
    view = case.act("resume_clock", D(2025, 7, 29), "hearing", {"pause_end": "2025-07-28"})
    decision = _deadline(view, "decision")
    assert decision.paused_since is None
    assert decision.due == D(2025, 10, 13)  # 16-28 July (13 days) not counted
    assert decision.basis.startswith(f"{PUNISH}第六十条；听证期间2025年7月16日至7月28日不计入")

    # On 10 October the plain 90 days are long over, but not the case's own period.
    decide = next(a for a in case.show(D(2025, 10, 10)).actions if a.code == "decide")
    assert "P15" not in {p.rule for p in decide.problems}

    view = case.act(
        "extend_period",
        D(2025, 10, 10),
        "hearing",
        {"extension_approved_on": "2025-10-10", "extension_reason": "案情复杂，需补充调查"},
    )
    decision = _deadline(view, "decision")
    assert decision.due == D(2025, 11, 12)
    assert decision.basis.startswith(
        f"{PUNISH}第六十条；听证期间2025年7月16日至7月28日不计入；经负责人批准（案情复杂，需补充调查），延长30日；"
    )
    assert "延长办案期限审批表" in view.case.data["documents"]

    # After the true deadline P15 refuses the decision; on the last day it is allowed.
    late = next(a for a in case.show(D(2025, 11, 13)).actions if a.code == "decide")
    assert not late.enabled
    assert "P15" in {p.rule for p in late.problems}
    refused = case.refused("decide", D(2025, 11, 13), DECISION)
    assert _rules(refused) == ["P15"]
    assert "2025年11月12日" in refused.message and f"{PUNISH}第六十条" in refused.message
    case.act("decide", D(2025, 11, 12), "decided", DECISION)
    case.check_log()


def test_court_enforcement_after_the_remedy_periods(seeded: Core) -> None:
    case, _ = Scenario.open(
        seeded,
        CaseKind.ORDINARY,
        "擅自在公共场地设置广告牌",
        D(2025, 3, 3),
        RESTAURANT,
        data={"clue_received_on": "2025-03-03"},
    )
    case.act("file", D(2025, 3, 4), "investigation", {"act_date": "2025-03-01"})
    case.act("collect_evidence", D(2025, 3, 5), "investigation", {"evidence_kinds": ["record"]})
    case.act(
        "conclude",
        D(2025, 3, 6),
        "concluded",
        {"outcome": "penalty", "penalty_types": ["fine"], "fine": "2000"},
    )
    case.act("legal_review", D(2025, 3, 7), "reviewed", {"review_opinion": "同意"}, REVIEWER)
    case.act("notify", D(2025, 3, 10), "notified", {"hearing_right_notified": False})
    # The remedy periods left out: the 决定书 states the statutory 60 days and 6 months.
    statutory = {
        k: v for k, v in DECISION.items() if k not in ("review_period_days", "litigation_period_months")
    }
    view = case.act("decide", D(2025, 3, 14), "decided", {**statutory, "review_period_days": 0})
    assert (view.case.data["review_period_days"], view.case.data["litigation_period_months"]) == (60, 6)
    case.act("serve", D(2025, 3, 14), "served", {"service_method": "direct"})
    # Served 14 March: the six months for 诉讼 end on Monday 15 September (the 14th is a Sunday).
    application = {"reminder_served_on": "2025-10-09", "enforcement_court": "闽侯县人民法院"}
    early = case.refused("apply_court_enforcement", D(2025, 10, 22), application)
    assert _rules(early) == ["P19"]
    assert "《中华人民共和国行政强制法》第五十四条" in early.message
    view = case.act("apply_court_enforcement", D(2025, 10, 23), "court_enforcement", application)
    assert "强制执行申请书" in view.case.data["documents"]
    case.act("close", D(2025, 12, 1), "closed", {"closing_summary": "法院裁定准予执行，罚款已执行到位"})
    case.check_log()
