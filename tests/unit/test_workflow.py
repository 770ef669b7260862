"""The workflow engine (domain/workflow.py) driving the four bundled workflows with real dates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from workstation.domain.cases import CaseKind
from workstation.domain.deadlines import HolidayCalendar
from workstation.domain.entities import Officer, OfficerRole
from workstation.domain.errors import FieldError, InvalidInput
from workstation.domain.workflow import (
    ActionRefused,
    ActionResult,
    CaseState,
    ProcedureConfig,
    WorkflowEngine,
    load_workflows,
    parse_workflow,
)
from workstation.library.calendar_adapter import default_calendar

WORKFLOWS = Path(__file__).resolve().parents[2] / "resources" / "workflows"
D = dt.date


def _officer(oid: str, name: str, role: OfficerRole = OfficerRole.OFFICER) -> Officer:
    return Officer(oid, "ag1", name, f"35000{oid}", D(2024, 1, 1), D(2027, 12, 31), (role,))


LEAD = _officer("1", "张明")
REVIEWER = _officer("3", "王法", OfficerRole.REVIEWER)
TEAM = [
    {
        "id": "1",
        "name": "张明",
        "certificate_valid_from": "2024-01-01",
        "certificate_valid_until": "2027-12-31",
    },
    {
        "id": "2",
        "name": "李华",
        "certificate_valid_from": "2024-01-01",
        "certificate_valid_until": "2027-12-31",
    },
]


#: What a 行政处罚决定书 states (《行政处罚法》第五十九条) beyond what the case already holds.
DECISION = {
    "party_name": "榕溪镇某某餐饮店",
    "party_address": "榕溪镇中心街26号",
    "facts": "未安装油烟净化设施排放油烟，有现场笔录、监测报告为证",
    "penalty_basis": "《中华人民共和国大气污染防治法》第一百一十八条第一款",
    "performance": "自收到本决定书之日起十五日内到指定银行或者通过电子支付系统缴纳",
    "review_body": "闽侯县人民政府",
    "review_period_days": 60,
    "litigation_period_months": 6,
    "surcharge_told": True,
}

#: What a 查封（扣押）审批表 states: the field the power comes from, its basis and reasons.
SEIZURE = {
    "seizure_domain": "market",
    "seizure_basis": "《中华人民共和国食品安全法》第一百一十条第（四）项",
    "seizure_reason": "涉嫌经营超过保质期的食品",
}


@pytest.fixture(scope="module")
def calendar() -> HolidayCalendar:
    return default_calendar()


@pytest.fixture(scope="module")
def engine(calendar: HolidayCalendar) -> WorkflowEngine:
    return WorkflowEngine(load_workflows(WORKFLOWS), ProcedureConfig(), calendar)


def _step(
    engine: WorkflowEngine,
    state: CaseState,
    action: str,
    day: D,
    inputs: dict[str, Any] | None = None,
    actor: Officer = LEAD,
) -> tuple[CaseState, ActionResult]:
    result = engine.act(state, action, inputs or {}, actor, day)
    return CaseState(state.kind, result.stage, {**state.data, **result.data_changes}), result


def test_the_four_bundled_workflows_load() -> None:
    definitions = load_workflows(WORKFLOWS)
    assert set(definitions) == set(CaseKind)
    assert definitions[CaseKind.ORDINARY].initial_stage == "clue"
    texts = {p.name: p.read_text("utf-8") for p in WORKFLOWS.glob("*.json")}
    assert set(load_workflows(texts)) == set(CaseKind)


def test_ordinary_case_with_a_hearing_from_clue_to_archive(engine: WorkflowEngine) -> None:
    state = CaseState(CaseKind.ORDINARY, "clue", {"clue_received_on": "2025-03-03"})
    state, result = _step(
        engine,
        state,
        "file",
        D(2025, 3, 10),
        {"party_kind": "organisation", "officers": TEAM, "act_date": "2025-02-20"},
    )
    assert state.stage == "investigation"
    assert state.data["filed_on"] == "2025-03-10"
    assert result.changes[0].field == "stage"
    (decision,) = result.deadlines
    assert decision.name == "decision"
    assert decision.pausable
    assert decision.due.due == D(2025, 6, 9)  # 90th day is Sunday 8 June → Monday
    assert "第六十条" in decision.due.basis

    state, _ = _step(engine, state, "collect_evidence", D(2025, 3, 12), {"evidence_kinds": ["documentary"]})
    state, _ = _step(
        engine,
        state,
        "conclude",
        D(2025, 4, 1),
        {"outcome": "penalty", "penalty_types": ["fine"], "fine": "150000"},
    )
    with pytest.raises(ActionRefused) as refused:
        engine.act(state, "legal_review", {"review_opinion": "同意"}, LEAD, D(2025, 4, 3))
    assert refused.value.problems[0].rule == "ROLE"
    state, _ = _step(engine, state, "legal_review", D(2025, 4, 3), {"review_opinion": "同意"}, REVIEWER)
    state, result = _step(engine, state, "notify", D(2025, 4, 7), {"hearing_right_notified": True})
    assert {d.name: d.due.due for d in result.deadlines} == {
        "statement": D(2025, 4, 10),
        "hearing_request": D(2025, 4, 14),
    }
    state, _ = _step(engine, state, "request_hearing", D(2025, 4, 9), {"hearing_requested_on": "2025-04-09"})
    assert state.stage == "hearing"

    decide = {o.code: o for o in engine.allowed_actions(state, LEAD, D(2025, 4, 10))}["decide"]
    assert not decide.enabled
    assert "P12" in {p.rule for p in decide.problems}

    with pytest.raises(ActionRefused) as refused:
        engine.act(
            state,
            "notify_hearing",
            {"hearing_on": "2025-04-18", "hearing_host": "赵审"},
            LEAD,
            D(2025, 4, 10),
        )
    assert refused.value.problems[0].rule == "P13"
    assert "第六十四条" in refused.value.message
    state, _ = _step(
        engine, state, "notify_hearing", D(2025, 4, 10), {"hearing_on": "2025-04-22", "hearing_host": "赵审"}
    )
    state, _ = _step(engine, state, "hold_hearing", D(2025, 4, 22), {"hearing_report": "维持拟处罚意见"})
    with pytest.raises(FieldError) as missing:
        engine.act(state, "decide", {}, LEAD, D(2025, 4, 24))
    assert missing.value.field == "facts"
    state, result = _step(engine, state, "decide", D(2025, 4, 24), DECISION)
    assert state.stage == "decided"
    assert "行政处罚决定书" in state.data["documents"]
    assert result.deadlines[0].due.due == D(2025, 5, 7)  # 7 WD: 27 April (调休) counts, 1-5 May do not
    state, result = _step(engine, state, "serve", D(2025, 4, 25), {"service_method": "direct"})
    assert result.deadlines[0].due.due == D(2025, 5, 12)  # 15 days → Saturday 10 May → Monday
    state, _ = _step(engine, state, "pay", D(2025, 5, 8), {"paid_on": "2025-05-08", "receipt_no": "FJ0001"})
    state, _ = _step(engine, state, "close", D(2025, 5, 9), {"closing_summary": "罚款已缴清"})
    state, _ = _step(engine, state, "archive", D(2025, 5, 12), {"archive_no": "2025-001"})
    assert state.stage == "archived"


def test_decision_before_the_statement_period_ends_is_refused(engine: WorkflowEngine) -> None:
    data = {
        "party_kind": "person",
        "officers": TEAM,
        "filed_on": "2025-03-10",
        "outcome": "penalty",
        "penalty_types": ["warning"],
        "review_passed_on": "2025-04-03",
        "notified_on": "2025-04-07",
        "documents": ["行政处罚事先告知书"],
    }
    state = CaseState(CaseKind.ORDINARY, "notified", data)
    with pytest.raises(ActionRefused) as refused:
        engine.act(state, "decide", DECISION, LEAD, D(2025, 4, 9))
    assert [p.rule for p in refused.value.problems] == ["P11"]
    assert "第四十四条" in refused.value.message
    _, result = _step(engine, state, "decide", D(2025, 4, 11), DECISION)
    assert result.stage == "decided"


def test_simple_procedure_on_the_spot(engine: WorkflowEngine) -> None:
    state = CaseState(CaseKind.SIMPLE, "on_site", {})
    inputs = {
        "party_kind": "person",
        "officers": TEAM,
        "act_date": "2025-06-03",
        "penalty_types": ["fine"],
        "fine": "200.01",
        "decision_no": "0001",
        "certificate_shown": True,
        "violation": "店外占道经营",
        "place": "榕溪镇中心街",
        "penalty_basis": "《城市市容和环境卫生管理条例》第三十六条第（二）项",
        "review_body": "闽侯县人民政府",
        "review_period_days": 60,
        "review_first_told": True,
    }
    with pytest.raises(ActionRefused) as refused:
        engine.act(state, "decide_on_spot", inputs, LEAD, D(2025, 6, 3))
    assert refused.value.problems[0].rule == "P01"
    assert "第五十一条" in refused.value.message
    state, _ = _step(engine, state, "decide_on_spot", D(2025, 6, 3), {**inputs, "fine": "50"})
    state, _ = _step(engine, state, "deliver", D(2025, 6, 3))
    state, _ = _step(
        engine,
        state,
        "collect_on_spot",
        D(2025, 6, 3),
        {"receipt_no": "CZ001", "collect_reason": "fine_within_100"},
    )
    state, _ = _step(engine, state, "file_record", D(2025, 6, 4))
    assert state.stage == "closed"
    assert state.data["paid_on"] == "2025-06-03"


def test_first_violation_not_punished(engine: WorkflowEngine) -> None:
    state = CaseState(
        CaseKind.ORDINARY,
        "investigation",
        {"party_kind": "organisation", "officers": TEAM, "filed_on": "2025-03-10", "act_date": "2025-03-01"},
    )
    minor = {"minor": True, "corrected": True, "no_harm": True}
    with pytest.raises(ActionRefused) as refused:
        engine.act(
            state,
            "conclude",
            {"outcome": "penalty", "penalty_types": ["fine"], "fine": "5000", **minor},
            LEAD,
            D(2025, 3, 20),
        )
    assert refused.value.problems[0].rule == "P21"
    assert "第三十三条" in refused.value.problems[0].citation
    flags = {"first_violation": True, "minor_harm": True, "corrected": True}
    state, _ = _step(engine, state, "conclude", D(2025, 3, 20), {"outcome": "no_penalty_first", **flags})
    state, _ = _step(
        engine, state, "legal_review", D(2025, 3, 21), {"review_opinion": "同意首违不罚"}, REVIEWER
    )
    options = {o.code for o in engine.allowed_actions(state, LEAD, D(2025, 3, 24))}
    assert {"decide_no_penalty", "notify", "collective_discussion"} <= options
    state, _ = _step(engine, state, "decide_no_penalty", D(2025, 3, 24))
    assert "不予行政处罚决定书" in state.data["documents"]
    state, _ = _step(engine, state, "serve", D(2025, 3, 25), {"service_method": "direct"})
    state, _ = _step(engine, state, "close", D(2025, 3, 26), {"closing_summary": "已教育，当事人已改正"})
    assert state.stage == "closed"


def test_seizure_with_extension_and_release(engine: WorkflowEngine) -> None:
    state = CaseState(CaseKind.COERCIVE, "request", {})
    state, _ = _step(
        engine, state, "approve", D(2025, 6, 3), {"approver": "陈镇长", "measure": "seize", **SEIZURE}
    )
    state, result = _step(
        engine,
        state,
        "seize",
        D(2025, 6, 4),
        {"officers": TEAM, "items": [{"name": "燃气瓶", "qty": 3}], "handed_over": True},
    )
    assert result.deadlines[0].due.due == D(2025, 7, 4)
    assert {"现场笔录", "查封（扣押）决定书", "查封（扣押）清单"} <= set(state.data["documents"])
    extension = {"extension_days": 31, "extension_reason": "待检测", "extension_approved_on": "2025-06-30"}
    with pytest.raises(ActionRefused) as refused:
        engine.act(state, "extend", extension, LEAD, D(2025, 6, 30))
    assert refused.value.problems[0].rule == "C6"
    state, _ = _step(engine, state, "extend", D(2025, 6, 30), {**extension, "extension_days": 30})
    assert state.stage == "extended"
    # 4 July + 30 days = 3 August (a Sunday) → Monday 4 August; after that only release remains.
    with pytest.raises(ActionRefused) as refused:
        engine.act(state, "handle", {"seizure_result": "confiscate"}, LEAD, D(2025, 8, 5))
    assert refused.value.problems[0].rule == "C7"
    state, _ = _step(engine, state, "release", D(2025, 7, 20), {"release_reason": "检测合格"})
    state, _ = _step(engine, state, "close", D(2025, 7, 21))
    assert state.stage == "closed"


def test_seizure_without_approval_is_refused(engine: WorkflowEngine) -> None:
    state = CaseState(CaseKind.COERCIVE, "approved", dict(SEIZURE))
    with pytest.raises(ActionRefused) as refused:
        engine.act(
            state, "seize", {"officers": TEAM[:1], "items": ["x"], "handed_over": True}, LEAD, D(2025, 6, 4)
        )
    rules = [p.rule for p in refused.value.problems]
    assert rules == ["P04", "C2"]
    assert "《中华人民共和国行政强制法》第十八条" in refused.value.message


def test_joint_inspection(engine: WorkflowEngine) -> None:
    state = CaseState(CaseKind.INSPECTION, "planned", {})
    departments = ["市场监管", "消防", "生态环境"]
    checklist = [
        {"department": "市场监管", "item": "食品经营许可", "result": "合格"},
        {"department": "消防", "item": "疏散通道", "result": "合格"},
    ]
    inputs = {"officers": TEAM, "certificate_shown": True, "departments": departments, "checklist": checklist}
    with pytest.raises(ActionRefused) as refused:
        engine.act(state, "inspect", inputs, LEAD, D(2025, 9, 2))
    assert "生态环境" in refused.value.message
    checklist.append({"department": "生态环境", "item": "油烟净化", "result": "合格"})
    state, _ = _step(engine, state, "inspect", D(2025, 9, 2), inputs)
    state, _ = _step(engine, state, "pass", D(2025, 9, 2))
    state, _ = _step(engine, state, "close", D(2025, 9, 3))
    assert state.stage == "closed"
    assert state.data["inspection_result"] == "compliant"


def test_allowed_actions_wait_for_input_but_show_blocking_state(engine: WorkflowEngine) -> None:
    clue = CaseState(CaseKind.ORDINARY, "clue", {"clue_received_on": "2025-03-03"})
    options = {o.code: o for o in engine.allowed_actions(clue, LEAD, D(2025, 3, 4))}
    assert set(options) == {"file", "decline"}
    assert options["file"].enabled
    late = {o.code: o for o in engine.allowed_actions(clue, LEAD, D(2025, 3, 31))}["file"]
    assert late.enabled
    assert [w.rule for w in late.warnings] == ["P06"]
    concluded = CaseState(CaseKind.ORDINARY, "concluded", {"documents": ["案件调查终结报告"]})
    review = {o.code: o for o in engine.allowed_actions(concluded, LEAD, D(2025, 4, 1))}["legal_review"]
    assert not review.enabled
    assert review.problems[0].rule == "ROLE"


def test_action_at_the_wrong_stage_is_refused(engine: WorkflowEngine) -> None:
    state = CaseState(CaseKind.ORDINARY, "clue", {})
    with pytest.raises(ActionRefused) as refused:
        engine.act(state, "decide", {}, LEAD, D(2025, 4, 1))
    assert "线索登记" in refused.value.message
    assert "只能在" in refused.value.message
    assert "decide" not in {o.code for o in engine.allowed_actions(state, LEAD, D(2025, 4, 1))}


def test_missing_and_unknown_fields(engine: WorkflowEngine) -> None:
    state = CaseState(CaseKind.ORDINARY, "clue", {})
    with pytest.raises(FieldError) as missing:
        engine.act(state, "file", {"party_kind": "person", "officers": TEAM}, LEAD, D(2025, 4, 1))
    assert missing.value.field == "act_date"
    with pytest.raises(FieldError) as bad_date:
        engine.act(
            state, "file", {"party_kind": "person", "officers": TEAM, "act_date": "昨天"}, LEAD, D(2025, 4, 1)
        )
    assert bad_date.value.field == "act_date"
    with pytest.raises(FieldError) as unknown:
        engine.act(state, "decline", {"decline_reason": "无违法事实", "fine": "1"}, LEAD, D(2025, 4, 1))
    assert unknown.value.field == "fine"


def _definition(**changes: Any) -> str:
    raw: dict[str, Any] = {
        "kind": "inspection",
        "stages": [{"code": "a", "label": "甲"}, {"code": "b", "label": "乙"}],
        "actions": [
            {"code": "go", "label": "前进", "from_stages": ["a"], "to_stage": "b", "roles": ["officer"]}
        ],
    }
    raw.update(changes)
    return json.dumps(raw, ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _definition(
                actions=[
                    {
                        "code": "go",
                        "label": "前进",
                        "from_stages": ["a"],
                        "to_stage": "b",
                        "roles": [],
                        "guards": ["P99"],
                    }
                ]
            ),
            "actions[go].guards",
        ),
        (
            _definition(
                actions=[{"code": "go", "label": "前进", "from_stages": ["a"], "to_stage": "c", "roles": []}]
            ),
            "actions[go].to_stage",
        ),
        (_definition(actions=[]), "stages"),
        (_definition(kind="martial"), "kind"),
        ("{not json", "JSON"),
    ],
)
def test_invalid_definitions_are_refused(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_workflow(text, "bad.json")
    assert "bad.json" in refused.value.message
    assert expected in refused.value.message


def test_unreachable_stage_is_named() -> None:
    with pytest.raises(InvalidInput, match="乙"):
        load_workflows({"bad.json": _definition(actions=[])})


# ----------------------------------------------------------------------------- the decision clock


def test_decision_clock_pauses_resumes_and_extends(engine: WorkflowEngine) -> None:
    state = CaseState(
        CaseKind.ORDINARY,
        "investigation",
        {"party_kind": "person", "officers": TEAM, "filed_on": "2025-03-10", "act_date": "2025-03-01"},
    )
    # Filed 10 March 2025: day 90 is Sunday 8 June → Monday 9 June.
    state, result = _step(
        engine, state, "pause_clock", D(2025, 4, 10), {"pause_reason": "testing", "pause_start": "2025-04-10"}
    )
    assert state.stage == "investigation"
    assert "pause_start" not in state.data and "pause_reason" not in state.data
    assert state.data["decision_pauses"] == [
        {"start": "2025-04-10", "end": None, "reason": "检测", "code": "testing"}
    ]
    (decision,) = result.deadlines
    assert decision.name == "decision"
    assert decision.paused_since == D(2025, 4, 10)
    assert decision.due.due == D(2025, 6, 9)  # one day paused so far: 9 June, still a Monday
    assert "检测期间自2025年4月10日起暂停计算（尚未恢复）" in decision.due.basis

    with pytest.raises(ActionRefused) as again:
        engine.act(
            state,
            "pause_clock",
            {"pause_reason": "hearing", "pause_start": "2025-04-12"},
            LEAD,
            D(2025, 4, 12),
        )
    assert again.value.problems[0].rule == "P15"
    options = {o.code: o for o in engine.allowed_actions(state, LEAD, D(2025, 4, 15))}
    assert not options["pause_clock"].enabled
    assert options["resume_clock"].enabled

    state, result = _step(engine, state, "resume_clock", D(2025, 4, 21), {"pause_end": "2025-04-19"})
    (decision,) = result.deadlines
    assert decision.paused_since is None
    assert decision.due.due == D(2025, 6, 18)  # ten days (10-19 April) not counted
    assert decision.due.basis.startswith(
        "《中华人民共和国行政处罚法》第六十条；检测期间2025年4月10日至4月19日不计入"
    )
    options = {o.code: o for o in engine.allowed_actions(state, LEAD, D(2025, 4, 22))}
    assert not options["resume_clock"].enabled
    assert options["resume_clock"].problems[0].rule == "P15"

    extend = {"extension_approved_on": "2025-06-10", "extension_reason": "案情复杂，需补充鉴定"}
    state, result = _step(engine, state, "extend_period", D(2025, 6, 10), extend)
    assert result.deadlines[0].due.due == D(2025, 7, 18)
    assert "经负责人批准（案情复杂，需补充鉴定），延长30日" in result.deadlines[0].due.basis
    assert state.data["decision_extensions"][0]["days"] == 30
    assert "延长办案期限审批表" in state.data["documents"]

    second = {"extension_approved_on": "2025-07-15", "extension_reason": "鉴定未完成"}
    with pytest.raises(ActionRefused) as refused:
        engine.act(state, "extend_period", second, LEAD, D(2025, 7, 15))
    assert "集体讨论" in refused.value.message
    state, result = _step(
        engine, state, "extend_period", D(2025, 7, 15), {**second, "extension_discussed_on": "2025-07-14"}
    )
    assert result.deadlines[0].due.due == D(2025, 8, 18)  # 17 August is a Sunday
    assert "经集体讨论决定（鉴定未完成），延长30日" in result.deadlines[0].due.basis


def test_extension_after_the_period_ended_is_refused(engine: WorkflowEngine) -> None:
    state = CaseState(
        CaseKind.ORDINARY, "notified", {"party_kind": "person", "officers": TEAM, "filed_on": "2025-03-10"}
    )
    options = {o.code: o for o in engine.allowed_actions(state, LEAD, D(2025, 6, 10))}
    assert not options["extend_period"].enabled
    assert "2025年6月9日届满" in options["extend_period"].problems[0].message
    with pytest.raises(ActionRefused):
        engine.act(
            state,
            "extend_period",
            {"extension_approved_on": "2025-06-10", "extension_reason": "补充调查"},
            LEAD,
            D(2025, 6, 10),
        )


def test_current_deadline_moves_while_paused(engine: WorkflowEngine) -> None:
    data = {
        "filed_on": "2025-03-10",
        "decision_pauses": [{"start": "2025-06-03", "end": None, "reason": "听证"}],
    }
    first = engine.current_deadline(CaseKind.ORDINARY, data, "decision", D(2025, 6, 5))
    later = engine.current_deadline(CaseKind.ORDINARY, data, "decision", D(2025, 6, 20))
    assert first is not None and later is not None
    assert (later.due.due - first.due.due).days == 15
    assert engine.current_deadline(CaseKind.ORDINARY, {}, "decision", D(2025, 6, 5)) is None
    assert engine.current_deadline(CaseKind.ORDINARY, data, "no_such", D(2025, 6, 5)) is None


def _clock_definition(
    clock: dict[str, Any], fields: list[dict[str, Any]], to_stage: str | None = None
) -> str:
    return json.dumps(
        {
            "kind": "ordinary",
            "stages": [{"code": "a", "label": "甲"}],
            "actions": [
                {
                    "code": "start",
                    "label": "立案",
                    "from_stages": ["a"],
                    "to_stage": None,
                    "roles": [],
                    "deadlines": [
                        {
                            "name": "decision",
                            "days": 90,
                            "unit": "calendar",
                            "basis": "第六十条",
                            "pausable": True,
                        }
                    ],
                },
                {
                    "code": "clock",
                    "label": "暂停",
                    "from_stages": ["a"],
                    "to_stage": to_stage,
                    "roles": [],
                    "required_fields": fields,
                    "clock": clock,
                },
            ],
        },
        ensure_ascii=False,
    )


PAUSE_FIELDS = [
    {"name": "pause_reason", "type": "choice", "label": "原因"},
    {"name": "pause_start", "type": "date", "label": "开始"},
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_clock_definition({"deadline": "decision", "op": "stop"}, PAUSE_FIELDS), "clock.op"),
        (_clock_definition({"deadline": "decision", "op": "pause"}, PAUSE_FIELDS[:1]), "pause_start"),
        (_clock_definition({"deadline": "other", "op": "pause"}, PAUSE_FIELDS), "clock.deadline"),
        (_clock_definition({"deadline": "decision", "op": "pause"}, PAUSE_FIELDS, "a"), "to_stage"),
        (
            _clock_definition(
                {"deadline": "decision", "op": "resume"},
                [
                    {"name": "pause_end", "type": "date", "label": "止"},
                    {"name": "fine", "type": "money", "label": "罚款"},
                ],
            ),
            "fine",
        ),
        (
            _clock_definition(
                {"deadline": "decision", "op": "extend"},
                [
                    {"name": "extension_approved_on", "type": "date", "label": "批准"},
                    {"name": "extension_reason", "type": "text", "label": "理由"},
                ],
            ),
            "clock.days",
        ),
    ],
)
def test_invalid_clock_definitions_are_refused(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_workflow(text, "clock.json")
    assert expected in refused.value.message


def test_penalty_proposals_take_discretion_fields_and_run_w17() -> None:
    definitions = load_workflows(WORKFLOWS)
    for kind, code in ((CaseKind.ORDINARY, "conclude"), (CaseKind.SIMPLE, "decide_on_spot")):
        action = definitions[kind].action(code)
        assert action is not None
        fields = {f.name: f for f in action.required_fields}
        assert [fields[n].type for n in ("circumstances", "base_amount", "deviation_reason")] == [
            "list",
            "money",
            "text",
        ]
        assert all(fields[n].optional for n in ("circumstances", "base_amount", "deviation_reason"))
        assert "W17" in {g.name for g in action.guards}
    decide = definitions[CaseKind.ORDINARY].action("decide")
    assert decide is not None and "W17" in {g.name for g in decide.guards}
