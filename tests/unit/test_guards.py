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
    hearing_triggered,
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


def test_c2_prior_approval_or_emergency_report() -> None:
    blocked(run("C2", D(2025, 6, 4)), "C2", f"{COERCE}第十八条第（一）项")
    assert run("C2", D(2025, 6, 4), approved_on="2025-06-03") == []
    assert run("C2", D(2025, 6, 5), emergency=True, seized_on="2025-06-04") == []
    blocked(run("C2", D(2025, 6, 6), emergency=True, seized_on="2025-06-04"), "C2", f"{COERCE}第十九条")


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
    always = {"P04", "P10", "P11", "C2", "C6"}  # these are about something missing
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
