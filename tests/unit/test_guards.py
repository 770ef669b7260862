"""The legal guards (domain/guards.py): each blocks with its rule id and its citation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workstation.domain.deadlines import HolidayCalendar
from workstation.domain.errors import InvalidInput
from workstation.domain.guards import (
    GUARDS,
    GuardContext,
    ProcedureConfig,
    RuleProblem,
    as_money,
    decision_deadline,
    hearing_triggered,
    is_night,
    surcharge,
)
from workstation.library.calendar_adapter import default_calendar

D = dt.date
CALENDAR: HolidayCalendar = default_calendar()
PUNISH = "《中华人民共和国行政处罚法》"
COERCE = "《中华人民共和国行政强制法》"
TEAM = [
    {"name": "张明", "certificate_valid_from": "2024-01-01", "certificate_valid_until": "2027-12-31"},
    {"name": "李华", "certificate_valid_from": "2024-01-01", "certificate_valid_until": "2025-03-31"},
]


def run(
    rule: str,
    today: D,
    config: ProcedureConfig | None = None,
    before: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    kind: str = "ordinary",
    **data: Any,
) -> list[RuleProblem]:
    ctx = GuardContext(data, today, config or ProcedureConfig(), CALENDAR, before or {}, params or {}, kind)
    return GUARDS[rule](ctx)


def blocked(problems: list[RuleProblem], rule: str, citation: str) -> RuleProblem:
    blocking = [p for p in problems if p.blocking]
    assert blocking, "expected a blocking problem"
    assert blocking[0].rule == rule
    assert citation in blocking[0].citation
    assert citation in blocking[0].text
    return blocking[0]


# ----------------------------------------------------------------------------- P01


@pytest.mark.parametrize(
    ("party", "fine", "ok"),
    [
        ("person", "200", True),
        ("person", "200.01", False),
        ("organisation", "3000", True),
        ("organisation", "3000.01", False),
        ("other", "3000", True),
    ],
)
def test_p01_simple_procedure_limits(party: str, fine: str, ok: bool) -> None:
    problems = run("P01", D(2025, 6, 3), party_kind=party, penalty_types=["fine"], fine=fine)
    if ok:
        assert problems == []
    else:
        blocked(problems, "P01", f"{PUNISH}第五十一条")


def test_p01_only_warning_or_fine_and_configurable() -> None:
    blocked(run("P01", D(2025, 6, 3), penalty_types=["suspend_business"]), "P01", "第五十一条")
    config = ProcedureConfig(simple_fine_limit_person=Decimal("500"))
    assert run("P01", D(2025, 6, 3), config, penalty_types=["fine"], fine="500") == []


# ----------------------------------------------------------------------------- P04


def test_p04_two_officers_with_valid_certificates_on_the_act_date() -> None:
    assert run("P04", D(2025, 3, 31), officers=TEAM) == []
    problem = blocked(run("P04", D(2025, 4, 1), officers=TEAM), "P04", f"{PUNISH}第四十二条")
    assert "李华" in problem.message
    blocked(
        run("P04", D(2025, 3, 1), kind="coercive", officers=TEAM[:1]), "P04", f"{COERCE}第十八条第（二）项"
    )


# ----------------------------------------------------------------------------- P06, P08, P23


def test_p06_filing_deadline_from_the_clue() -> None:
    # 3 March 2025 + 15 working days = 24 March.
    assert run("P06", D(2025, 3, 24), clue_received_on="2025-03-03") == []
    blocked(run("P06", D(2025, 3, 25), clue_received_on="2025-03-03"), "P06", "第五十四条第二款")
    warning = run("P06", D(2025, 3, 25), params={"blocking": False}, clue_received_on="2025-03-03")
    assert warning and not warning[0].blocking


def test_p08_saved_items_decided_within_seven_working_days() -> None:
    data: dict[str, Any] = {"saved_on": "2025-04-28", "save_approved_on": "2025-04-28"}
    # 28 April + 7 WD (29, 30 April; 6-9 May; 1-5 May and the weekend are rest days) = 12 May.
    assert run("P08", D(2025, 5, 12), **data) == []
    blocked(run("P08", D(2025, 5, 13), **data), "P08", f"{PUNISH}第五十六条")
    blocked(run("P08", D(2025, 4, 29), saved_on="2025-04-28"), "P08", "第五十六条")


def test_p23_limitation_two_or_five_years() -> None:
    assert run("P23", D(2027, 3, 1), act_end_date="2025-03-01") == []
    blocked(run("P23", D(2027, 3, 2), act_end_date="2025-03-01"), "P23", f"{PUNISH}第三十六条")
    assert run("P23", D(2029, 3, 1), act_end_date="2025-03-01", safety_or_finance=True) == []


# ----------------------------------------------------------------------------- deciding


def test_p09_collective_discussion_for_complex_cases() -> None:
    assert run("P09", D(2025, 5, 6)) == []
    blocked(run("P09", D(2025, 5, 6), complex=True), "P09", "第五十七条第二款")
    assert run("P09", D(2025, 5, 6), major=True, collective_discussion_on="2025-05-06") == []


def test_p10_legal_review_before_the_decision() -> None:
    blocked(run("P10", D(2025, 5, 6)), "P10", f"{PUNISH}第五十八条")
    assert run("P10", D(2025, 5, 6), review_passed_on="2025-05-06") == []
    narrow = ProcedureConfig(review_all=False)
    assert run("P10", D(2025, 5, 6), narrow) == []
    blocked(run("P10", D(2025, 5, 6), narrow, public_interest=True), "P10", "第五十八条")


def test_p11_prior_notice_and_statement_period() -> None:
    blocked(run("P11", D(2025, 5, 6)), "P11", "第四十四条")
    # Notice 7 April 2025 + 3 WD = 10 April.
    blocked(run("P11", D(2025, 4, 10), notified_on="2025-04-07"), "P11", "第六十二条")
    assert run("P11", D(2025, 4, 11), notified_on="2025-04-07") == []
    assert run("P11", D(2025, 4, 8), notified_on="2025-04-07", statement_waived=True) == []


def test_p11_hearing_window_of_five_working_days() -> None:
    data: dict[str, Any] = {
        "notified_on": "2025-04-07",
        "party_kind": "person",
        "penalty_types": ["fine"],
        "fine": "10000",
    }
    blocked(run("P11", D(2025, 4, 14), **data), "P13", "第六十四条")
    assert run("P11", D(2025, 4, 15), **data) == []
    assert run("P11", D(2025, 4, 11), hearing_waived=True, **data) == []


@pytest.mark.parametrize(
    ("party", "fine", "triggered"),
    [
        ("person", "9999.99", False),
        ("person", "10000", True),
        ("organisation", "99999.99", False),
        ("organisation", "100000", True),
    ],
)
def test_hearing_thresholds(party: str, fine: str, triggered: bool) -> None:
    data = {"party_kind": party, "penalty_types": ["fine"], "fine": fine}
    assert hearing_triggered(data, ProcedureConfig()) is triggered


def test_hearing_thresholds_are_configuration_and_some_penalties_always_trigger() -> None:
    data = {"party_kind": "person", "penalty_types": ["fine"], "fine": "5000"}
    assert hearing_triggered(data, ProcedureConfig(hearing_threshold_person=Decimal("5000")))
    assert hearing_triggered({"penalty_types": ["revoke_permit"]}, ProcedureConfig())


def test_p12_hearing_held_before_the_decision() -> None:
    data: dict[str, Any] = {
        "party_kind": "person",
        "penalty_types": ["fine"],
        "fine": "20000",
        "hearing_right_notified": True,
    }
    blocked(
        run("P12", D(2025, 5, 6), hearing_requested_on="2025-04-09", **data), "P12", f"{PUNISH}第六十三条"
    )
    assert (
        run("P12", D(2025, 5, 6), hearing_requested_on="2025-04-09", hearing_held_on="2025-04-22", **data)
        == []
    )
    data["hearing_right_notified"] = False
    blocked(run("P12", D(2025, 5, 6), notified_on="2025-04-07", **data), "P12", "第六十三条")


def test_p13_hearing_notice_seven_working_days_before() -> None:
    # Notice 10 April 2025 + 7 WD = 21 April.
    blocked(
        run("P13", D(2025, 4, 10), hearing_notice_on="2025-04-10", hearing_on="2025-04-18"),
        "P13",
        "第六十四条",
    )
    assert run("P13", D(2025, 4, 10), hearing_notice_on="2025-04-10", hearing_on="2025-04-21") == []
    late = run("P13", D(2025, 4, 15), notified_on="2025-04-07", hearing_requested_on="2025-04-15")
    blocked(late, "P13", "第六十四条")


def test_p15_decision_within_ninety_days_with_pauses() -> None:
    # Filed 10 March 2025: day 90 is Sunday 8 June → Monday 9 June.
    assert run("P15", D(2025, 6, 9), filed_on="2025-03-10") == []
    blocked(run("P15", D(2025, 6, 10), filed_on="2025-03-10"), "P15", f"{PUNISH}第六十条")
    pause = [{"start": "2025-04-10", "end": "2025-04-19", "reason": "听证"}]
    assert run("P15", D(2025, 6, 18), filed_on="2025-03-10", decision_pauses=pause) == []
    extension = [{"days": 30, "reason": "负责人批准延长"}]
    assert run("P15", D(2025, 7, 8), filed_on="2025-03-10", decision_extensions=extension) == []


def test_p16_service_within_seven_working_days() -> None:
    assert run("P16", D(2025, 5, 7), decided_on="2025-04-24") == []
    blocked(run("P16", D(2025, 5, 8), decided_on="2025-04-24"), "P16", f"{PUNISH}第六十一条")


def test_p17_p18_late_payment_names_the_surcharge() -> None:
    data: dict[str, Any] = {"served_on": "2025-04-25", "fine": "1000"}  # due 12 May (10 May is a Saturday)
    assert run("P17", D(2025, 5, 12), paid_on="2025-05-12", **data) == []
    problem = blocked(run("P17", D(2025, 5, 15), paid_on="2025-05-15", **data), "P18", "第七十二条")
    assert "90.00元" in problem.message
    assert run("P17", D(2025, 5, 15), paid_on="2025-05-15", surcharge_paid="90", **data) == []


def test_p21_no_penalty_cases() -> None:
    minor: dict[str, Any] = {"minor": True, "corrected": True, "no_harm": True}
    blocked(run("P21", D(2025, 5, 6), penalty_types=["fine"], fine="500", **minor), "P21", "第三十三条第一款")
    first: dict[str, Any] = {"first_violation": True, "minor_harm": True, "corrected": True}
    (warning,) = run("P21", D(2025, 5, 6), penalty_types=["fine"], **first)
    assert not warning.blocking
    assert "首违不罚" in warning.message
    blocked(
        run("P21", D(2025, 5, 6), outcome="no_penalty_first", penalty_types=["fine"]), "P21", "第三十三条"
    )
    assert run("P21", D(2025, 5, 6), outcome="no_penalty_minor", **minor) == []


# ----------------------------------------------------------------------------- coercion


def test_c2_prior_approval_and_emergency_left_to_c3() -> None:
    blocked(run("C2", D(2025, 6, 4)), "C2", f"{COERCE}第十八条第（一）项")
    assert run("C2", D(2025, 6, 4), approved_on="2025-06-03") == []
    assert run("C2", D(2025, 6, 6), emergency=True, seized_on="2025-06-04") == []


def test_c6_one_extension_of_at_most_thirty_days() -> None:
    good: dict[str, Any] = {
        "seized_on": "2025-06-04",
        "extension_days": 30,
        "extension_reason": "待检测",
        "extension_approved_on": "2025-06-30",
    }
    assert run("C6", D(2025, 6, 30), **good) == []
    blocked(run("C6", D(2025, 6, 30), **dict(good, extension_days=31)), "C6", f"{COERCE}第二十五条")
    blocked(run("C6", D(2025, 6, 30), **dict(good, extension_reason=" ")), "C6", "第二十五条")
    blocked(run("C6", D(2025, 6, 30), **dict(good, extension_approved_on=None)), "C6", "第二十五条")
    blocked(run("C6", D(2025, 7, 5), **good), "C6", "第二十五条")
    blocked(run("C6", D(2025, 6, 30), before={"extended_on": "2025-06-20"}, **good), "C6", "第二十五条")


def test_c7_decide_within_the_period() -> None:
    assert run("C7", D(2025, 7, 4), seized_on="2025-06-04") == []
    blocked(run("C7", D(2025, 7, 7), seized_on="2025-06-04"), "C7", f"{COERCE}第二十七条")
    testing = [{"start": "2025-06-10", "end": "2025-06-19", "reason": "检测"}]
    assert run("C7", D(2025, 7, 14), seized_on="2025-06-04", testing_pauses=testing) == []


def test_every_guard_is_registered_and_silent_on_an_empty_case() -> None:
    # these are about something missing (a document's contents, an approval, a 催告, a hand-over)
    always = {"P02", "P04", "P10", "P11", "P14", "P19", "C1", "C2", "C5", "C6"}
    for name in GUARDS:
        problems = run(name, D(2025, 6, 4))
        assert bool(problems) is (name in always), name


# ----------------------------------------------------------------------------- surcharge


def test_surcharge_values_and_cap() -> None:
    assert surcharge(Decimal("1000"), 0) == Decimal("0.00")
    assert surcharge(Decimal("1000"), 3) == Decimal("90.00")
    assert surcharge(Decimal("1000"), 33) == Decimal("990.00")
    assert surcharge(Decimal("1000"), 34) == Decimal("1000.00")
    assert surcharge(Decimal("1000"), 3650) == Decimal("1000.00")
    with pytest.raises(InvalidInput):
        surcharge(Decimal("1000"), -1)


@given(
    fine=st.decimals(min_value=0, max_value=10_000_000, places=2),
    days=st.integers(min_value=0, max_value=5000),
    more=st.integers(min_value=0, max_value=5000),
)
def test_surcharge_is_monotone_and_capped(fine: Decimal, days: int, more: int) -> None:
    first = surcharge(fine, days)
    later = surcharge(fine, days + more)
    assert Decimal(0) <= first <= later <= fine.quantize(Decimal("0.01"))


def test_money_parsing() -> None:
    assert as_money("1,000.50") == Decimal("1000.50")
    for bad in ("abc", "-1", 1.5, "NaN"):
        with pytest.raises(InvalidInput):
            as_money(bad)


# ============================================================================= P02-P24, C1-C8

REVIEW = "《中华人民共和国行政复议法》"
LITIGATE = "《中华人民共和国行政诉讼法》"


def warned(problems: list[RuleProblem], rule: str, citation: str) -> RuleProblem:
    """The problems are only non-blocking warnings, the first of ``rule`` citing ``citation``."""
    assert problems, "expected a warning"
    assert not [p for p in problems if p.blocking], problems
    assert problems[0].rule == rule
    assert citation in problems[0].citation
    assert "（提示）" in problems[0].text
    return problems[0]


ON_SPOT: dict[str, Any] = {
    "certificate_shown": True,
    "decision_no": "闽榕当罚0001",
    "violation": "在中心街店外占道经营",
    "penalty_types": ["fine"],
    "penalty_basis": "《福建省城市市容和环境卫生管理办法》第十六条",
    "fine": "50",
    "place": "榕溪镇中心街",
    "review_body": "闽侯县人民政府",
    "review_period_days": 60,
    "review_first_told": True,
}


# ----------------------------------------------------------------------------- P02


def test_p02_on_spot_decision_certificate_number_and_contents() -> None:
    assert run("P02", D(2025, 6, 3), kind="simple", params={"part": "decision"}, **ON_SPOT) == []
    no_card = run("P02", D(2025, 6, 3), **dict(ON_SPOT, certificate_shown=False))
    blocked(no_card, "P02", f"{PUNISH}第五十二条第一款")
    blocked(run("P02", D(2025, 6, 3), **dict(ON_SPOT, decision_no=" ")), "P02", "第五十二条第一款")
    problem = blocked(
        run("P02", D(2025, 6, 3), **dict(ON_SPOT, place="", review_body=None)),
        "P02",
        f"{PUNISH}第五十二条第二款",
    )
    assert "地点" in problem.message and "申请行政复议" in problem.message


def test_p02_refusal_to_sign_is_noted() -> None:
    delivery: dict[str, Any] = {"part": "delivery"}
    blocked(run("P02", D(2025, 6, 3), params=delivery, refused_to_sign=True), "P02", "第五十二条第一款")
    assert run("P02", D(2025, 6, 3), params=delivery, refused_to_sign=True, refusal_noted=True) == []
    assert run("P02", D(2025, 6, 3), params=delivery, refused_to_sign=False) == []


def test_p02_filing_with_the_agency_is_a_warning_at_the_configured_boundary() -> None:
    record: dict[str, Any] = {"part": "record"}
    # Decided Tuesday 3 June 2025 + 5 working days (端午节 was 31 May-2 June) = 10 June.
    assert run("P02", D(2025, 6, 10), params=record, decided_on="2025-06-03", recorded_on="2025-06-10") == []
    late = run("P02", D(2025, 6, 11), params=record, decided_on="2025-06-03", recorded_on="2025-06-11")
    warned(late, "P02", "第五十二条第三款")
    longer = ProcedureConfig(on_spot_record_working_days=6)
    assert (
        run("P02", D(2025, 6, 11), longer, params=record, decided_on="2025-06-03", recorded_on="2025-06-11")
        == []
    )


# ----------------------------------------------------------------------------- P03


@pytest.mark.parametrize(("fine", "ok"), [("100", True), ("100.01", False)])
def test_p03_on_spot_collection_at_most_100_yuan(fine: str, ok: bool) -> None:
    data: dict[str, Any] = {"collect_reason": "fine_within_100", "receipt_no": "FJ-0001", "fine": fine}
    problems = run("P03", D(2025, 6, 3), kind="simple", **data)
    if ok:
        assert problems == []
    else:
        blocked(problems, "P03", f"{PUNISH}第六十八条第（一）项")


def test_p03_limit_is_configuration_and_other_grounds_need_their_facts() -> None:
    data: dict[str, Any] = {"receipt_no": "FJ-0001", "fine": "150"}
    raised = ProcedureConfig(on_spot_collect_limit=Decimal("150"))
    assert run("P03", D(2025, 6, 3), raised, kind="simple", collect_reason="fine_within_100", **data) == []
    blocked(
        run("P03", D(2025, 6, 3), kind="simple", collect_reason="hard_to_collect_later", **data),
        "P03",
        "第六十八条第（二）项",
    )
    ok = run(
        "P03",
        D(2025, 6, 3),
        kind="simple",
        collect_reason="hard_to_collect_later",
        collect_note="流动摊贩",
        **data,
    )
    assert ok == []
    blocked(
        run("P03", D(2025, 6, 3), kind="simple", collect_reason="remote_area", **data),
        "P03",
        f"{PUNISH}第六十九条",
    )
    assert run("P03", D(2025, 6, 3), collect_reason="remote_area", party_requested=True, **data) == []
    # 第六十八条 applies to a simple-procedure decision only.
    blocked(
        run("P03", D(2025, 6, 3), kind="ordinary", collect_reason="fine_within_100", **dict(data, fine="50")),
        "P03",
        "第六十八条",
    )


def test_p03_special_receipt_is_mandatory() -> None:
    problems = run("P03", D(2025, 6, 3), kind="simple", collect_reason="fine_within_100", fine="50")
    blocked(problems, "P03", f"{PUNISH}第七十条")
    assert run("P03", D(2025, 6, 3), kind="simple") == []  # paid at the bank: not an on-the-spot collection


def test_p03_cash_handed_in_within_two_working_days_is_a_warning() -> None:
    # Collected Tuesday 30 September 2025; 1-8 October are the 国庆节、中秋节 holidays, so the second
    # working day is Friday 10 October (Saturday 11 October is a 调休 working day).
    data: dict[str, Any] = {
        "collect_reason": "fine_within_100",
        "receipt_no": "FJ-0001",
        "fine": "50",
        "paid_on": "2025-09-30",
    }
    assert run("P03", D(2025, 10, 10), kind="simple", handed_in_on="2025-10-10", **data) == []
    warned(
        run("P03", D(2025, 10, 11), kind="simple", handed_in_on="2025-10-11", **data),
        "P03",
        f"{PUNISH}第七十一条",
    )
    warned(run("P03", D(2025, 10, 11), kind="simple", **data), "P03", "第七十一条")
    assert run("P03", D(2025, 10, 9), kind="simple", **data) == []
    longer = ProcedureConfig(cash_handover_working_days=3)
    assert run("P03", D(2025, 10, 11), longer, kind="simple", handed_in_on="2025-10-11", **data) == []
    bank = run(
        "P03", D(2025, 10, 20), kind="simple", handed_in_on="2025-10-10", banked_on="2025-10-15", **data
    )
    warned(bank, "P03", "第七十一条")


# ----------------------------------------------------------------------------- P05


def test_p05_certificate_shown_and_record_made() -> None:
    blocked(run("P05", D(2025, 6, 3), certificate_shown=False), "P05", f"{PUNISH}第五十五条第一款")
    blocked(run("P05", D(2025, 6, 3), documents=["立案审批表"]), "P05", f"{PUNISH}第五十五条第二款")
    assert (
        run("P05", D(2025, 6, 3), certificate_shown=True, documents=["立案审批表", "询问（调查）笔录"]) == []
    )


def test_p05_recusal_of_investigators_as_hearing_host_or_reviewer() -> None:
    team: list[dict[str, Any]] = [{"id": "o1", "name": "张明"}, {"id": "o2", "name": "李华"}]
    problem = blocked(
        run("P05", D(2025, 6, 3), officers=team, hearing_host="张明"), "P05", f"{PUNISH}第四十三条"
    )
    assert "第六十四条第（四）项" in problem.citation
    blocked(run("P05", D(2025, 6, 3), officers=team, reviewer="o2"), "P05", "第四十三条")
    assert run("P05", D(2025, 6, 3), officers=team, hearing_host="赵审", reviewer="王法") == []


# ----------------------------------------------------------------------------- P07


def test_p07_eight_kinds_of_evidence_and_no_illegal_evidence() -> None:
    problem = blocked(
        run("P07", D(2025, 6, 3), evidence_kinds=["documentary", "rumour"]),
        "P07",
        f"{PUNISH}第四十六条第一款",
    )
    assert "rumour" in problem.message and "书证" in problem.message
    blocked(
        run("P07", D(2025, 6, 3), evidence_kinds=["audiovisual"], illegal_evidence=True),
        "P07",
        "第四十六条第三款",
    )
    assert run("P07", D(2025, 6, 3), evidence_kinds=["documentary", "record", "electronic"]) == []


def test_p07_electronic_monitoring_needs_review_and_published_locations() -> None:
    reviewed: dict[str, Any] = {
        "electronic_monitoring": True,
        "monitoring_device_reviewed": True,
        "monitoring_location_published": True,
        "monitoring_record_reviewed": True,
    }
    assert run("P07", D(2025, 6, 3), evidence_kinds=["electronic"], **reviewed) == []
    for flag, citation in (
        ("monitoring_device_reviewed", "第四十一条第一款"),
        ("monitoring_location_published", "第四十一条第一款"),
        ("monitoring_record_reviewed", "第四十一条第二款"),
    ):
        problems = run("P07", D(2025, 6, 3), **dict(reviewed, **{flag: False}))
        blocked(problems, "P07", f"{PUNISH}{citation}")


# ----------------------------------------------------------------------------- P14, P20


DECISION: dict[str, Any] = {
    "party_name": "榕溪镇某某餐饮店",
    "party_address": "榕溪镇中心街26号",
    "facts": "2025年3月1日起未安装油烟净化设施排放油烟，有现场笔录、监测报告为证",
    "penalty_types": ["fine"],
    "fine": "5000",
    "penalty_basis": "《中华人民共和国大气污染防治法》第一百一十八条第一款",
    "performance": "自收到本决定书之日起十五日内到指定银行或者通过电子支付系统缴纳",
    "review_body": "闽侯县人民政府",
    "review_period_days": 60,
    "litigation_period_months": 6,
    "surcharge_told": True,
    "agency_kind": "township",
}


def test_p14_decision_states_the_article_59_items_and_the_surcharge_rate() -> None:
    assert run("P14", D(2025, 6, 3), **DECISION) == []
    problem = blocked(
        run("P14", D(2025, 6, 3), **dict(DECISION, facts="", party_address=None)),
        "P14",
        f"{PUNISH}第五十九条第一款",
    )
    assert "当事人的姓名或者名称、地址" in problem.message and "事实和证据" in problem.message
    blocked(run("P14", D(2025, 6, 3), **dict(DECISION, litigation_period_months=None)), "P14", "第五十九条")
    blocked(
        run("P14", D(2025, 6, 3), **dict(DECISION, surcharge_told=False)), "P14", f"{COERCE}第四十五条第一款"
    )
    warning_only = dict(DECISION, penalty_types=["warning"], fine=None, surcharge_told=False)
    assert run("P14", D(2025, 6, 3), **warning_only) == []


@pytest.mark.parametrize(("days", "blocking"), [(59, True), (60, None), (61, False)])
def test_p20_review_period_of_sixty_days(days: int, blocking: bool | None) -> None:
    problems = run("P20", D(2025, 6, 3), **dict(DECISION, review_period_days=days))
    if blocking is None:
        assert problems == []
    elif blocking:
        blocked(problems, "P20", f"{REVIEW}第二十条第一款")
    else:
        warned(problems, "P20", f"{REVIEW}第二十条第一款")


def test_p20_litigation_period_and_configuration() -> None:
    blocked(
        run("P20", D(2025, 6, 3), **dict(DECISION, litigation_period_months=5)),
        "P20",
        f"{LITIGATE}第四十六条第一款",
    )
    warned(run("P20", D(2025, 6, 3), **dict(DECISION, litigation_period_months=7)), "P20", "第四十六条")
    assert (
        run(
            "P20",
            D(2025, 6, 3),
            ProcedureConfig(review_period_days=90),
            **dict(DECISION, review_period_days=90),
        )
        == []
    )


def test_p20_review_body_for_a_township_and_a_subdistrict() -> None:
    blocked(
        run("P20", D(2025, 6, 3), **dict(DECISION, review_body="榕溪镇人民政府")),
        "P20",
        f"{REVIEW}第二十四条第一款第（二）项",
    )
    blocked(
        run("P20", D(2025, 6, 3), **dict(DECISION, review_body="闽侯县城市管理局")),
        "P20",
        "第二十四条第一款第（二）项",
    )
    assert run("P20", D(2025, 6, 3), **dict(DECISION, review_body="乡宁县人民政府")) == []
    street = dict(DECISION, agency_kind="subdistrict")
    assert run("P20", D(2025, 6, 3), **dict(street, review_body="福州市鼓楼区人民政府")) == []
    blocked(
        run("P20", D(2025, 6, 3), **dict(street, review_body="鼓东街道办事处")),
        "P20",
        f"{REVIEW}第二十四条第一款第（三）项",
    )


def test_p20_on_the_spot_decision_tells_review_first() -> None:
    assert run("P20", D(2025, 6, 3), kind="simple", **ON_SPOT) == []
    problems = run("P20", D(2025, 6, 3), kind="simple", **dict(ON_SPOT, review_first_told=False))
    blocked(problems, "P20", f"{REVIEW}第二十三条第一款第（一）项、第二款")


# ----------------------------------------------------------------------------- P22


@pytest.mark.parametrize(
    ("age", "tier", "rule_article"),
    [
        (13, "lighter", "第三十条"),  # under 14: no penalty at all
        (14, "general", "第三十条"),
        (17, "heavier", "第三十条"),
        (17, "lighter", None),
        (18, "general", None),
    ],
)
def test_p22_ages_fourteen_to_eighteen(age: int, tier: str, rule_article: str | None) -> None:
    problems = run(
        "P22", D(2025, 6, 3), penalty_types=["fine"], fine="500", party_age=age, discretion_tier=tier
    )
    if rule_article is None:
        assert problems == []
    else:
        blocked(problems, "P22", f"{PUNISH}{rule_article}")


def test_p22_article_32_circumstances_make_mitigation_mandatory() -> None:
    data: dict[str, Any] = {"penalty_types": ["fine"], "fine": "5000", "mitigating": ["confessed"]}
    problem = blocked(
        run("P22", D(2025, 6, 3), discretion_tier="general", **data), "P22", f"{PUNISH}第三十二条"
    )
    assert "主动供述" in problem.message
    assert run("P22", D(2025, 6, 3), discretion_tier="mitigated", **data) == []
    assert run("P22", D(2025, 6, 3), discretion_tier="heavier", penalty_types=["fine"]) == []
    no_penalty = run("P22", D(2025, 6, 3), outcome="no_penalty_minor", party_age=13)
    assert no_penalty == []


# ----------------------------------------------------------------------------- P24


def test_p24_no_second_fine_for_the_same_act() -> None:
    earlier = "县市场监管局闽市监罚〔2025〕12号"
    blocked(
        run("P24", D(2025, 6, 3), penalty_types=["fine"], same_act_fined_by=earlier),
        "P24",
        f"{PUNISH}第二十九条",
    )
    assert run("P24", D(2025, 6, 3), penalty_types=["warning"], same_act_fined_by=earlier) == []
    assert run("P24", D(2025, 6, 3), penalty_types=["fine"]) == []


def test_p24_publishing_within_the_configured_working_days_is_a_warning() -> None:
    # Decided Friday 26 September 2025: 28 September and 11 October are 调休 working days,
    # 1-8 October holidays; the 7th working day is Monday 13 October.
    decided: dict[str, Any] = {"decided_on": "2025-09-26"}
    assert run("P24", D(2025, 10, 13), published_on="2025-10-13", **decided) == []
    warned(
        run("P24", D(2025, 10, 14), published_on="2025-10-14", **decided), "P24", f"{PUNISH}第四十八条第一款"
    )
    longer = ProcedureConfig(publish_working_days=8)
    assert run("P24", D(2025, 10, 14), longer, published_on="2025-10-14", **decided) == []
    # Changed on 30 September: withdrawn within 3 working days (by Saturday 11 October).
    changed: dict[str, Any] = {"published_on": "2025-09-29", "decision_changed_on": "2025-09-30", **decided}
    assert run("P24", D(2025, 10, 11), withdrawn_on="2025-10-11", **changed) == []
    warned(run("P24", D(2025, 10, 13), withdrawn_on="2025-10-13", **changed), "P24", "第四十八条第二款")


# ----------------------------------------------------------------------------- P19


def test_p19_reminder_served_ten_working_days_before_applying() -> None:
    blocked(run("P19", D(2025, 11, 3)), "P19", f"{COERCE}第三十五条、第五十四条")
    # Served 14 March 2025: 复议 and 诉讼 periods lapse on Monday 15 September (the 14th is a Sunday).
    # Reminder served Thursday 9 October: its tenth working day is Wednesday 22 October.
    data: dict[str, Any] = {"served_on": "2025-03-14", "reminder_served_on": "2025-10-09"}
    blocked(run("P19", D(2025, 10, 22), **data), "P19", f"{COERCE}第五十四条")
    assert run("P19", D(2025, 10, 23), **data) == []
    assert run("P19", D(2025, 10, 29), ProcedureConfig(reminder_working_days=14), **data) == []
    blocked(
        run("P19", D(2025, 10, 27), ProcedureConfig(reminder_working_days=14), **data), "P19", "第五十四条"
    )


def test_p19_within_three_months_after_the_remedy_periods() -> None:
    # Served 25 April 2025: 6 months end on Saturday 25 October → Monday 27 October; three months
    # from then end on Tuesday 27 January 2026.
    data: dict[str, Any] = {"served_on": "2025-04-25", "reminder_served_on": "2025-09-01"}
    blocked(run("P19", D(2025, 10, 27), **data), "P19", f"{COERCE}第五十三条")
    assert run("P19", D(2025, 10, 28), **data) == []
    assert run("P19", D(2026, 1, 27), **data) == []
    blocked(run("P19", D(2026, 1, 28), **data), "P19", "第五十三条")
    blocked(run("P19", D(2025, 11, 3), paid_on="2025-05-08", **data), "P19", "第五十三条")
    blocked(run("P19", D(2025, 11, 3), remedy_sought=True, **data), "P19", "第五十三条")


# ----------------------------------------------------------------------------- C1, C3, C4, C5, C8


def test_c1_only_an_authorised_body_in_a_delegated_field() -> None:
    data: dict[str, Any] = {"seizure_basis": "《中华人民共和国食品安全法》第一百一十条第（四）项"}
    assert run("C1", D(2025, 6, 3), seizure_domain="market", **data) == []
    blocked(run("C1", D(2025, 6, 3), **data), "C1", f"{COERCE}第十七条、第二十二条")
    problem = blocked(run("C1", D(2025, 6, 3), seizure_domain="planning", **data), "C1", "第二十二条")
    assert "规划建设" in problem.message
    delegated = ProcedureConfig(seizure_domains=frozenset({"planning"}))
    assert run("C1", D(2025, 6, 3), delegated, seizure_domain="planning", **data) == []
    blocked(run("C1", D(2025, 6, 3), delegated, seizure_domain="market", **data), "C1", "第二十二条")
    blocked(
        run("C1", D(2025, 6, 3), seizure_domain="market", entrusted=True, **data),
        "C1",
        f"{COERCE}第十七条第一款",
    )
    blocked(run("C1", D(2025, 6, 3), seizure_domain="market"), "C1", "第十七条")


def test_c3_emergency_reported_within_twenty_four_hours() -> None:
    seized: dict[str, Any] = {"emergency": True, "seized_on": "2025-06-04", "seized_time": "10:00"}
    assert run("C3", D(2025, 6, 5), reported_on="2025-06-05", reported_time="10:00", **seized) == []
    late = run("C3", D(2025, 6, 5), reported_on="2025-06-05", reported_time="10:01", **seized)
    blocked(late, "C3", f"{COERCE}第十九条")
    twelve = ProcedureConfig(emergency_report_hours=12)
    blocked(
        run("C3", D(2025, 6, 4), twelve, reported_on="2025-06-04", reported_time="22:01", **seized),
        "C3",
        "第十九条",
    )
    # With dates only, a report on the next day is accepted; after that, release.
    dated: dict[str, Any] = {"emergency": True, "seized_on": "2025-06-04"}
    assert run("C3", D(2025, 6, 5), reported_on="2025-06-05", **dated) == []
    blocked(run("C3", D(2025, 6, 6), reported_on="2025-06-06", **dated), "C3", "第十九条")
    assert run("C3", D(2025, 6, 5), **dated) == []
    blocked(run("C3", D(2025, 6, 6), **dated), "C3", "第十九条")
    blocked(
        run("C3", D(2025, 6, 5), emergency_refused=True, reported_on="2025-06-04", **dated), "C3", "第十九条"
    )
    assert run("C3", D(2025, 6, 9), seized_on="2025-06-04") == []  # not an emergency measure


def test_c4_only_case_items_no_necessities_no_duplicate_sealing() -> None:
    items: list[Any] = [{"name": "燃气瓶", "qty": 3}, "液化气灶"]
    assert run("C4", D(2025, 6, 4), items=items, items_case_related=True) == []
    unrelated = [*items, {"name": "家用冰箱", "qty": 1, "related": False}]
    blocked(run("C4", D(2025, 6, 4), items=unrelated), "C4", f"{COERCE}第二十三条第一款")
    necessity = [*items, {"name": "被褥", "necessity": True}]
    assert "被褥" in blocked(run("C4", D(2025, 6, 4), items=necessity), "C4", "第二十三条第一款").message
    blocked(run("C4", D(2025, 6, 4), items=items, living_necessities=True), "C4", "第二十三条第一款")
    blocked(run("C4", D(2025, 6, 4), items=items, items_case_related=False), "C4", "第二十三条第一款")
    sealed: list[dict[str, Any]] = [{"name": "仓库", "sealed_by": "县公安局"}]
    blocked(run("C4", D(2025, 6, 4), items=sealed, measure="seal"), "C4", f"{COERCE}第二十三条第二款")
    warned(run("C4", D(2025, 6, 4), items=sealed, measure="seize"), "C4", "第二十三条第二款")


def test_c5_decision_and_list_handed_over_on_the_spot_in_two_copies() -> None:
    good: dict[str, Any] = {
        "seizure_reason": "涉嫌无证经营液化气",
        "seizure_basis": "《城镇燃气管理条例》第四十二条",
        "items": [{"name": "燃气瓶", "qty": 3}],
        "handed_over": True,
        "list_copies": 2,
    }
    assert run("C5", D(2025, 6, 4), **good) == []
    problem = blocked(
        run("C5", D(2025, 6, 4), **dict(good, seizure_reason="", items=[])), "C5", f"{COERCE}第二十四条第二款"
    )
    assert "理由" in problem.message and "名称、数量" in problem.message
    blocked(run("C5", D(2025, 6, 4), **dict(good, handed_over=False)), "C5", f"{COERCE}第二十四条第一款")
    blocked(run("C5", D(2025, 6, 4), **dict(good, list_copies=1)), "C5", f"{COERCE}第二十四条第三款")


def test_c8_no_enforcement_on_holidays_unless_urgent() -> None:
    cite = f"{COERCE}第四十三条第一款"
    problem = blocked(run("C8", D(2025, 10, 3)), "C8", cite)
    assert "国庆节" in problem.message
    blocked(run("C8", D(2025, 10, 12)), "C8", cite)  # an ordinary Sunday
    assert run("C8", D(2025, 10, 11)) == []  # Saturday 11 October 2025 is a 调休 working day
    assert run("C8", D(2025, 10, 3), urgent=True) == []
    assert run("C8", D(2025, 10, 20), params={"date_field": "handled_on"}, handled_on="2025-10-03") != []


@pytest.mark.parametrize(
    ("time", "night"), [("21:59", False), ("22:00", True), ("03:00", True), ("05:59", True), ("06:00", False)]
)
def test_c8_night_is_configuration(time: str, night: bool) -> None:
    problems = run("C8", D(2025, 6, 4), act_time=time)
    if night:
        blocked(problems, "C8", f"{COERCE}第四十三条第一款")
    else:
        assert problems == []
    assert is_night(dt.time.fromisoformat(time), ProcedureConfig()) is night


def test_c8_night_window_from_the_config_and_bad_times() -> None:
    late = ProcedureConfig(night_start=dt.time(23, 0), night_end=dt.time(5, 0))
    assert run("C8", D(2025, 6, 4), late, act_time="22:30") == []
    blocked(run("C8", D(2025, 6, 4), late, act_time="23:00"), "C8", "第四十三条")
    with pytest.raises(InvalidInput, match="时间格式"):
        run("C8", D(2025, 6, 4), act_time="晚上十点")


# ----------------------------------------------------------------------------- P15 clock actions


def test_p15_pause_checks() -> None:
    filed: dict[str, Any] = {"filed_on": "2025-03-10"}
    pause: dict[str, Any] = {"start": "2025-06-03", "end": None, "reason": "听证", "code": "hearing"}
    clock: dict[str, Any] = {"clock": "pause"}
    assert run("P15", D(2025, 6, 3), params=clock, decision_pauses=[pause], **filed) == []
    running = run(
        "P15",
        D(2025, 6, 4),
        params=clock,
        before={"decision_pauses": [pause]},
        decision_pauses=[pause],
        **filed,
    )
    blocked(running, "P15", f"{PUNISH}第六十条")
    late = dict(pause, start="2025-06-10")  # the 90 days ended on Monday 9 June
    blocked(run("P15", D(2025, 6, 10), params=clock, decision_pauses=[late], **filed), "P15", "第六十条")
    future = dict(pause, start="2025-06-05")
    blocked(run("P15", D(2025, 6, 3), params=clock, decision_pauses=[future], **filed), "P15", "第六十条")
    other = dict(pause, code="other", reason="其他")
    blocked(run("P15", D(2025, 6, 3), params=clock, decision_pauses=[other], **filed), "P15", "第六十条")
    blocked(run("P15", D(2025, 6, 3), params=clock), "P15", "第六十条")  # not filed yet


def test_p15_resume_and_extension_checks() -> None:
    filed: dict[str, Any] = {"filed_on": "2025-03-10"}
    blocked(run("P15", D(2025, 6, 3), params={"clock": "resume"}, **filed), "P15", f"{PUNISH}第六十条")
    running: list[dict[str, Any]] = [{"start": "2025-06-03", "end": None, "reason": "听证"}]
    closed: list[dict[str, Any]] = [{"start": "2025-06-03", "end": "2025-06-10", "reason": "听证"}]
    resumed = run(
        "P15",
        D(2025, 6, 10),
        params={"clock": "resume"},
        before={"decision_pauses": running},
        decision_pauses=closed,
        **filed,
    )
    assert resumed == []
    extend: dict[str, Any] = {"clock": "extend"}
    first: dict[str, Any] = {
        "days": 30,
        "reason": "案情复杂需补充鉴定",
        "approved_on": "2025-06-05",
        "discussed_on": None,
    }
    assert run("P15", D(2025, 6, 5), params=extend, decision_extensions=[first], **filed) == []
    after_due = dict(first, approved_on="2025-06-10")
    blocked(
        run("P15", D(2025, 6, 10), params=extend, decision_extensions=[after_due], **filed), "P15", "第六十条"
    )
    second = dict(first, approved_on="2025-07-01")
    twice: dict[str, Any] = {
        "before": {"decision_extensions": [first]},
        "decision_extensions": [first, second],
    }
    problem = blocked(run("P15", D(2025, 7, 1), params=extend, **twice, **filed), "P15", "第六十条")
    assert "集体讨论" in problem.message
    discussed = [first, dict(second, discussed_on="2025-06-30")]
    assert (
        run(
            "P15",
            D(2025, 7, 1),
            params=extend,
            before=twice["before"],
            decision_extensions=discussed,
            **filed,
        )
        == []
    )


def test_p15_running_pause_counts_up_to_today() -> None:
    filed: dict[str, Any] = {"filed_on": "2025-03-10"}
    running: list[dict[str, Any]] = [{"start": "2025-06-03", "end": None, "reason": "听证"}]
    # Filed 10 March: 84 days have run by 2 June, so 6 remain after the pause (3 June to today).
    assert run("P15", D(2025, 6, 20), decision_pauses=running, **filed) == []
    deadline = decision_deadline(
        {"decision_pauses": running, **filed}, ProcedureConfig(), CALENDAR, D(2025, 6, 20)
    )
    assert deadline is not None and deadline.due == D(2025, 6, 26)


# ----------------------------------------------------------------------------- W17 裁量偏离

BENCHMARK = {"id": "B1", "name": "示例裁量基准", "version": "2025.1", "document_number": "示例〔2025〕1号"}


def _discretion(*deviations: dict[str, Any], benchmark: dict[str, str] | None = BENCHMARK) -> dict[str, Any]:
    """A ``discretion`` record as the case service writes it (only what W17 reads)."""
    return {
        "status": "assessed",
        "item_code": "ZB-006",
        "benchmark": benchmark,
        "deviations": list(deviations),
    }


def _deviation(kind: str, severity: str, citation: str, reason_required: bool = False) -> dict[str, Any]:
    return {
        "kind": kind,
        "severity": severity,
        "message": f"拟罚款偏离（{kind}）。",
        "citation": citation,
        "reason_required": reason_required,
    }


OUTSIDE_TIER = _deviation("outside_tier", "yellow", f"{PUNISH}第三十四条", reason_required=True)
FIRST_FINED = _deviation("first_violation_fined", "yellow", f"{PUNISH}第三十三条第一款", reason_required=True)
ABOVE_MAX = _deviation("outside_statutory", "red", "《中华人民共和国大气污染防治法》第一百一十八条第一款")
BELOW_MIN = _deviation("outside_statutory", "red", f"某法第十条；{PUNISH}第三十二条")
NO_PENALTY_FINED = _deviation("mandatory_no_penalty_fined", "red", f"{PUNISH}第三十三条第一款")


def test_w17_is_silent_without_a_benchmark_or_inside_the_tier() -> None:
    today = D(2025, 6, 4)
    assert run("W17", today) == []
    assert run("W17", today, discretion={"status": "no_benchmark"}, fine="900000") == []
    inside = _deviation("inside_tier", "ok", f"{PUNISH}第三十四条")
    assert run("W17", today, discretion=_discretion(inside)) == []
    assert run("W17", today, discretion=_discretion()) == []  # no fine proposed


def test_w17_outside_the_tier_needs_a_reason() -> None:
    today = D(2025, 6, 4)
    problem = blocked(run("W17", today, discretion=_discretion(OUTSIDE_TIER)), "W17", f"{PUNISH}第三十四条")
    assert "偏离理由" in problem.message and "黄色预警" in problem.message
    assert "《示例裁量基准》（示例〔2025〕1号，版本2025.1）事项ZB-006" in problem.citation

    (warning,) = run(
        "W17", today, discretion=_discretion(OUTSIDE_TIER), deviation_reason="紧邻学校，影响较大"
    )
    assert warning.rule == "W17" and not warning.blocking
    assert "紧邻学校，影响较大" in warning.message
    assert warning.text.startswith("[W17]（提示）")
    # the reason kept in the record counts too (the decision re-reads the record)
    recorded = {**_discretion(OUTSIDE_TIER), "deviation_reason": "紧邻学校"}
    assert [p.blocking for p in run("W17", today, discretion=recorded)] == [False]
    # a blank reason is no reason
    assert run("W17", today, discretion=_discretion(OUTSIDE_TIER), deviation_reason="  ")[0].blocking


def test_w17_first_violation_fined_cites_article_33_and_the_benchmark() -> None:
    today = D(2025, 6, 4)
    problem = blocked(
        run("W17", today, discretion=_discretion(FIRST_FINED, benchmark=None)),
        "W17",
        f"{PUNISH}第三十三条第一款",
    )
    assert f"{PUNISH}第三十四条" in problem.citation
    assert "行政处罚裁量基准（事项ZB-006）" in problem.citation
    assert not run("W17", today, discretion=_discretion(FIRST_FINED), deviation_reason="多次劝导不改")[
        0
    ].blocking


@pytest.mark.parametrize(
    ("deviation", "citation"),
    [
        (ABOVE_MAX, "《中华人民共和国大气污染防治法》第一百一十八条第一款"),
        (BELOW_MIN, f"{PUNISH}第三十二条"),
        (NO_PENALTY_FINED, f"{PUNISH}第三十三条第一款"),
    ],
)
def test_w17_red_blocks_whatever_the_reason(deviation: dict[str, Any], citation: str) -> None:
    for reason in ("", "情节特别严重"):
        problems = run("W17", D(2025, 6, 4), discretion=_discretion(deviation), deviation_reason=reason)
        problem = blocked(problems, "W17", citation)
        assert "红色预警" in problem.message
        assert problem.citation == deviation["citation"]


def test_w17_reports_every_finding() -> None:
    problems = run(
        "W17", D(2025, 6, 4), discretion=_discretion(ABOVE_MAX, FIRST_FINED), deviation_reason="理由"
    )
    assert [(p.rule, p.blocking) for p in problems] == [("W17", True), ("W17", False)]


def test_every_deviation_kind_has_a_timeline_label() -> None:
    from workstation.domain.discretion import DeviationKind
    from workstation.domain.vocabulary import DEVIATION_KINDS

    assert set(DEVIATION_KINDS) == {k.value for k in DeviationKind}


def test_as_money_reads_amounts_as_officers_type_them() -> None:
    assert as_money("1,200") == as_money("1，200元") == Decimal("1200")
    assert as_money("  ") is None and as_money("") is None and as_money(None) is None
    with pytest.raises(InvalidInput, match="金额格式不正确"):
        as_money("五百")
