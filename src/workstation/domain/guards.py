"""Legal guards (合法性校验) of the enforcement procedure, named by the rule ids of PROCEDURE.md.

Every guard is a pure function ``guard(ctx) -> list[RuleProblem]``: it looks at the case fields
(``ctx.data`` = the fields after the action, ``ctx.before`` = before it), the action date
(``ctx.today``), the province's :class:`ProcedureConfig` and a :class:`HolidayCalendar`, and
returns the problems it finds. A problem names its rule (``"P04"``), says in plain Chinese what is
wrong and cites the article. Guards never raise for a missing field: a rule that needs a field
which is not there yet is silent, unless the missing field *is* the problem (no 事先告知 before
the decision, no approval before a 查封).

Workflow definitions (resources/workflows/*.json) refer to guards by their key in :data:`GUARDS`;
the engine (workflow.py) runs them. Field names are documented in workflow.py.

Amounts are :class:`~decimal.Decimal`; dates are ``datetime.date`` or ISO strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from workstation.domain.cases import Outcome, PenaltyType
from workstation.domain.deadlines import (
    DayUnit,
    Deadline,
    HolidayCalendar,
    PausableDeadline,
    Pause,
    SuspendedDeadline,
    add_calendar_days,
    add_working_days,
)
from workstation.domain.errors import InvalidInput
from workstation.domain.formatting import chinese_date

PUNISHMENT_LAW = "《中华人民共和国行政处罚法》"
COERCION_LAW = "《中华人民共和国行政强制法》"

#: Penalty types that trigger the right to a hearing whatever the amount (《行政处罚法》第六十三条).
HEARING_PENALTIES = frozenset(
    {
        PenaltyType.CONFISCATE_PROPERTY,
        PenaltyType.LOWER_QUALIFICATION,
        PenaltyType.REVOKE_PERMIT,
        PenaltyType.SUSPEND_BUSINESS,
        PenaltyType.CLOSE,
        PenaltyType.RESTRICT_PRACTICE,
        PenaltyType.RESTRICT_BUSINESS,
    }
)


@dataclass(frozen=True, slots=True)
class ProcedureConfig:
    """Province-adjustable thresholds and periods (PROCEDURE.md marks them [unverified]).

    Defaults: simple procedure ≤200 yuan (person) / ≤3,000 yuan (organisation) (第五十一条 — a
    law may provide otherwise); 「较大数额」 hearing threshold ≥10,000 yuan (person) / ≥100,000
    yuan (organisation); 立案 within 15 working days of the clue; 陈述申辩 period 3 working days
    after the 告知 is served; hearing request window 5 working days (第六十四条); hearing notice
    ≥7 working days before the hearing; 法制审核 for every ordinary case (``review_all``).
    """

    simple_fine_limit_person: Decimal = Decimal("200")
    simple_fine_limit_organisation: Decimal = Decimal("3000")
    hearing_threshold_person: Decimal = Decimal("10000")
    hearing_threshold_organisation: Decimal = Decimal("100000")
    filing_working_days: int = 15
    statement_working_days: int = 3
    hearing_request_working_days: int = 5
    hearing_notice_working_days: int = 7
    decision_days: int = 90
    service_working_days: int = 7
    payment_days: int = 15
    save_decision_working_days: int = 7
    seizure_days: int = 30
    seizure_extension_days: int = 30
    emergency_report_hours: int = 24
    limitation_years: int = 2
    limitation_years_safety: int = 5
    review_all: bool = True


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One finding of a guard: ``rule`` like "P04", a Chinese ``message``, the ``citation``."""

    rule: str
    message: str
    citation: str
    blocking: bool = True

    @property
    def text(self) -> str:
        kind = "" if self.blocking else "（提示）"
        return f"[{self.rule}]{kind}{self.message}（依据：{self.citation}）"


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What a guard sees: fields after (``data``) and before (``before``) the action."""

    data: Mapping[str, Any]
    today: dt.date
    config: ProcedureConfig
    calendar: HolidayCalendar
    before: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    kind: str = ""


Guard = Callable[[GuardContext], list[RuleProblem]]


# ----------------------------------------------------------------------------- field helpers


def as_date(value: object) -> dt.date | None:
    """A date from a date or an ISO string; None for None/""; InvalidInput otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"日期格式不正确：{value!r}。", "请按“年-月-日”填写，例如 2026-03-02。")


def as_money(value: object) -> Decimal | None:
    """An amount in yuan from a Decimal, int or string; None for None/""."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | float):
        raise InvalidInput(f"金额格式不正确：{value!r}。", "请以元为单位填写数字，最多两位小数。")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(f"金额格式不正确：{value!r}。", "请以元为单位填写数字，最多两位小数。") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(f"金额不能为负数或非数字：{value!r}。")
    return amount


def _date(ctx: GuardContext, name: str) -> dt.date | None:
    return as_date(ctx.data.get(name))


def _flag(ctx: GuardContext, name: str) -> bool:
    return bool(ctx.data.get(name))


def _penalties(ctx: GuardContext) -> set[str]:
    return {str(p) for p in ctx.data.get("penalty_types") or ()}


def _fine(ctx: GuardContext) -> Decimal:
    return as_money(ctx.data.get("fine")) or Decimal(0)


def _is_person(ctx: GuardContext) -> bool:
    return str(ctx.data.get("party_kind", "person")) == "person"


def _yuan(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,}元"


def _pauses(items: Iterable[Mapping[str, Any]] | None) -> tuple[Pause, ...]:
    pauses = []
    for item in items or ():
        start = as_date(item.get("start"))
        if start is not None:
            pauses.append(Pause(start, str(item.get("reason") or "暂停"), as_date(item.get("end"))))
    return tuple(pauses)


def _art(law: str, article: str) -> str:
    return f"{law}{article}"


# ----------------------------------------------------------------------------- pure computations


def surcharge(fine: Decimal, overdue_days: int) -> Decimal:
    """加处罚款: fine × 3% per overdue day, never more than the fine.

    《行政处罚法》第七十二条第一款第（一）项; 《行政强制法》第四十五条第二款. Rounded to the fen.
    """
    if fine < 0 or overdue_days < 0:
        raise InvalidInput("罚款金额和逾期天数不能为负数。")
    amount = fine * Decimal("0.03") * overdue_days
    return min(amount, fine).quantize(Decimal("0.01"))


def hearing_triggered(data: Mapping[str, Any], config: ProcedureConfig) -> bool:
    """Whether the proposed penalty gives the party the right to a hearing (第六十三条)."""
    penalties = {str(p) for p in data.get("penalty_types") or ()}
    if penalties & {p.value for p in HEARING_PENALTIES} or data.get("hearing_right_by_law"):
        return True
    fine = as_money(data.get("fine")) or Decimal(0)
    person = data.get("party_kind", "person") == "person"
    threshold = config.hearing_threshold_person if person else config.hearing_threshold_organisation
    return PenaltyType.FINE.value in penalties and fine >= threshold


def review_required(data: Mapping[str, Any], config: ProcedureConfig) -> bool:
    """Whether 法制审核 is required before the decision (第五十八条)."""
    return config.review_all or any(
        data.get(flag) for flag in ("public_interest", "major", "complex", "review_by_law", "hearing_held_on")
    )


def decision_deadline(
    data: Mapping[str, Any], config: ProcedureConfig, calendar: HolidayCalendar
) -> Deadline | None:
    """The 90-day decision period from 立案, with pauses and approved extensions (第六十条)."""
    filed = as_date(data.get("filed_on"))
    if filed is None:
        return None
    clock = PausableDeadline(
        filed,
        config.decision_days,
        DayUnit.CALENDAR,
        basis=_art(PUNISHMENT_LAW, "第六十条"),
        pauses=tuple(p for p in _pauses(data.get("decision_pauses")) if p.end is not None),
    )
    for ext in data.get("decision_extensions") or ():
        clock = clock.with_extension(int(ext["days"]), str(ext.get("reason") or "经批准延长"))
    return clock.due_date(calendar)


def seizure_deadline(
    data: Mapping[str, Any], config: ProcedureConfig, calendar: HolidayCalendar
) -> Deadline | None:
    """The 查封/扣押 period: 30 days, + the approved extension, testing time excluded (强制法第二十五条)."""
    seized = as_date(data.get("seized_on"))
    if seized is None:
        return None
    clock = PausableDeadline(
        seized,
        config.seizure_days,
        DayUnit.CALENDAR,
        basis=_art(COERCION_LAW, "第二十五条"),
        pauses=tuple(p for p in _pauses(data.get("testing_pauses")) if p.end is not None),
    )
    extension = int(data.get("extension_days") or 0)
    if extension and data.get("extended_on"):
        clock = clock.with_extension(extension, "经负责人批准延长")
    result: Deadline | SuspendedDeadline = clock.due(calendar, seized)
    assert isinstance(result, Deadline)
    return result


# ----------------------------------------------------------------------------- the guards


def p01_simple_limits(ctx: GuardContext) -> list[RuleProblem]:
    """P01: simple procedure only for 警告 or a fine ≤200 (person) / ≤3,000 (organisation)."""
    cite = _art(PUNISHMENT_LAW, "第五十一条")
    problems = []
    others = _penalties(ctx) - {PenaltyType.WARNING.value, PenaltyType.FINE.value}
    if others:
        known = {p.value for p in PenaltyType}
        labels = "、".join(PenaltyType(p).label if p in known else p for p in sorted(others))
        problems.append(
            RuleProblem("P01", f"简易程序只能给予警告或者罚款，不能给予“{labels}”，应适用普通程序。", cite)
        )
    limit = (
        ctx.config.simple_fine_limit_person if _is_person(ctx) else ctx.config.simple_fine_limit_organisation
    )
    fine = _fine(ctx)
    if fine > limit:
        who = "公民" if _is_person(ctx) else "法人或者其他组织"
        problems.append(
            RuleProblem(
                "P01",
                f"对{who}处以{_yuan(fine)}罚款，超过简易程序{_yuan(limit)}的上限，应适用普通程序。",
                cite,
            )
        )
    return problems


def p04_two_officers(ctx: GuardContext) -> list[RuleProblem]:
    """P04: at least two officers whose 执法证 is valid on the act date."""
    coercive = ctx.params.get("law") == "coercive" or ctx.kind == "coercive"
    cite = _art(COERCION_LAW, "第十八条第（二）项") if coercive else _art(PUNISHMENT_LAW, "第四十二条")
    day = _date(ctx, str(ctx.params.get("date_field", ""))) if ctx.params.get("date_field") else None
    day = day or ctx.today
    valid: list[str] = []
    invalid: list[str] = []
    for officer in ctx.data.get("officers") or ():
        frm = as_date(officer.get("certificate_valid_from"))
        until = as_date(officer.get("certificate_valid_until"))
        name = str(officer.get("name") or officer.get("id") or "")
        if frm is not None and until is not None and frm <= day <= until:
            valid.append(name)
        else:
            invalid.append(name)
    if len(valid) >= 2:
        return []
    detail = f"{chinese_date(day)}持有效执法证的执法人员只有{len(valid)}名"
    if invalid:
        detail += f"（{'、'.join(invalid)}的执法证当日无效）"
    return [RuleProblem("P04", f"{detail}，执法时执法人员不得少于两人。", cite)]


def p06_filing_deadline(ctx: GuardContext) -> list[RuleProblem]:
    """P06: 立案 within the configured working days of the clue (a warning by default)."""
    clue = _date(ctx, "clue_received_on")
    if clue is None:
        return []
    days = ctx.config.filing_working_days + int(ctx.data.get("filing_extension_days") or 0)
    due = add_working_days(clue, days, ctx.calendar).due
    filed = _date(ctx, "filed_on") or ctx.today
    if filed <= due:
        return []
    return [
        RuleProblem(
            "P06",
            f"线索于{chinese_date(clue)}登记，应在{days}个工作日内（{chinese_date(due)}前）立案或者不予立案，"
            f"已超期{(filed - due).days}日。",
            _art(PUNISHMENT_LAW, "第五十四条第二款、第七十六条"),
            blocking=bool(ctx.params.get("blocking", True)),
        )
    ]


def p08_saved_items(ctx: GuardContext) -> list[RuleProblem]:
    """P08: 先行登记保存 needs approval and a 处理决定 within 7 working days."""
    saved = _date(ctx, "saved_on")
    if saved is None:
        return []
    cite = _art(PUNISHMENT_LAW, "第五十六条")
    problems = []
    if not ctx.data.get("save_approved_on"):
        problems.append(RuleProblem("P08", "先行登记保存证据须经行政机关负责人批准，尚无批准记录。", cite))
    due = add_working_days(saved, ctx.config.save_decision_working_days, ctx.calendar).due
    handled = _date(ctx, "save_decided_on") or ctx.today
    if handled > due:
        problems.append(
            RuleProblem(
                "P08",
                f"先行登记保存于{chinese_date(saved)}实施，应在七个工作日内（{chinese_date(due)}前）作出处理决定，"
                f"已超期。",
                cite,
            )
        )
    return problems


def p09_collective_discussion(ctx: GuardContext) -> list[RuleProblem]:
    """P09: 情节复杂或者重大违法 → 集体讨论 before the decision."""
    if not (_flag(ctx, "complex") or _flag(ctx, "major")):
        return []
    held = _date(ctx, "collective_discussion_on")
    if held is not None and held <= ctx.today:
        return []
    return [
        RuleProblem(
            "P09",
            "本案情节复杂或者属于重大违法行为，作出决定前须经行政机关负责人集体讨论，尚无集体讨论记录。",
            _art(PUNISHMENT_LAW, "第五十七条第二款"),
        )
    ]


def p10_legal_review(ctx: GuardContext) -> list[RuleProblem]:
    """P10: 法制审核 required and passed before the decision."""
    if not review_required(ctx.data, ctx.config):
        return []
    passed = _date(ctx, "review_passed_on")
    if passed is not None and passed <= ctx.today:
        return []
    return [
        RuleProblem(
            "P10",
            "作出行政处罚决定前须进行法制审核；未经法制审核或者审核未通过的，不得作出决定。",
            _art(PUNISHMENT_LAW, "第五十八条"),
        )
    ]


def p11_prior_notice(ctx: GuardContext) -> list[RuleProblem]:
    """P11: 事先告知 served, and the statement period (and hearing window) elapsed or waived."""
    cite = _art(PUNISHMENT_LAW, "第四十四条、第六十二条")
    notified = _date(ctx, "notified_on")
    if notified is None:
        return [
            RuleProblem("P11", "尚未送达行政处罚事先告知书，不得作出行政处罚决定。", cite),
        ]
    problems = []
    waived = _flag(ctx, "statement_waived")
    if not waived:
        end = add_working_days(notified, ctx.config.statement_working_days, ctx.calendar).due
        if ctx.today <= end and not _date(ctx, "statement_heard_on"):
            problems.append(
                RuleProblem(
                    "P11",
                    f"陈述、申辩期限至{chinese_date(end)}届满，期满前（当事人明确放弃的除外）不得作出决定。",
                    cite,
                )
            )
    if hearing_triggered(ctx.data, ctx.config) and not (
        _flag(ctx, "hearing_waived") or ctx.data.get("hearing_requested_on")
    ):
        end = add_working_days(notified, ctx.config.hearing_request_working_days, ctx.calendar).due
        if ctx.today <= end:
            problems.append(
                RuleProblem(
                    "P13",
                    f"当事人可在告知后五个工作日内（{chinese_date(end)}前）要求听证，期满前不得作出决定。",
                    _art(PUNISHMENT_LAW, "第六十四条第（一）项"),
                )
            )
    return problems


def p12_hearing(ctx: GuardContext) -> list[RuleProblem]:
    """P12: a requested hearing must be held (or waived) before the decision."""
    if not hearing_triggered(ctx.data, ctx.config):
        return []
    cite = _art(PUNISHMENT_LAW, "第六十三条")
    problems = []
    if ctx.data.get("notified_on") and not ctx.data.get("hearing_right_notified"):
        problems.append(
            RuleProblem("P12", "拟作出的处罚属于听证范围，事先告知书须告知当事人有要求听证的权利。", cite)
        )
    if ctx.data.get("hearing_requested_on") and not (
        ctx.data.get("hearing_held_on") or _flag(ctx, "hearing_waived")
    ):
        problems.append(
            RuleProblem("P12", "当事人已要求听证，听证结束（或当事人放弃听证）前不得作出决定。", cite)
        )
    return problems


def p13_hearing_request(ctx: GuardContext) -> list[RuleProblem]:
    """P13: the request within 5 WD of the 告知; the notice ≥7 WD before the hearing."""
    cite = _art(PUNISHMENT_LAW, "第六十四条")
    problems = []
    notified = _date(ctx, "notified_on")
    requested = _date(ctx, "hearing_requested_on")
    if notified is not None and requested is not None:
        end = add_working_days(notified, ctx.config.hearing_request_working_days, ctx.calendar).due
        if requested > end:
            problems.append(
                RuleProblem(
                    "P13", f"听证要求应在告知后五个工作日内（{chinese_date(end)}前）提出，已逾期。", cite
                )
            )
    notice = _date(ctx, "hearing_notice_on")
    hearing = _date(ctx, "hearing_on")
    if notice is not None and hearing is not None:
        earliest = add_working_days(notice, ctx.config.hearing_notice_working_days, ctx.calendar).due
        if hearing < earliest:
            problems.append(
                RuleProblem(
                    "P13",
                    f"听证通知于{chinese_date(notice)}送达，听证应在七个工作日后举行（不早于{chinese_date(earliest)}），"
                    f"{chinese_date(hearing)}过早。",
                    cite,
                )
            )
    return problems


def p15_decision_period(ctx: GuardContext) -> list[RuleProblem]:
    """P15: decision within 90 days of 立案, pauses excluded, extensions approved."""
    deadline = decision_deadline(ctx.data, ctx.config, ctx.calendar)
    decided = _date(ctx, "decided_on") or ctx.today
    if deadline is None or decided <= deadline.due:
        return []
    return [
        RuleProblem(
            "P15",
            f"应自立案之日起九十日内（{chinese_date(deadline.due)}前）作出决定，"
            f"已超期{(decided - deadline.due).days}日；"
            "延长须有依据并经批准。",
            _art(PUNISHMENT_LAW, "第六十条"),
            blocking=bool(ctx.params.get("blocking", True)),
        )
    ]


def p16_service(ctx: GuardContext) -> list[RuleProblem]:
    """P16: the decision served within 7 working days."""
    decided = _date(ctx, "decided_on")
    if decided is None:
        return []
    served = _date(ctx, "served_on") or ctx.today
    due = add_working_days(decided, ctx.config.service_working_days, ctx.calendar).due
    if served <= due:
        return []
    return [
        RuleProblem(
            "P16",
            f"决定书应在作出后七个工作日内（{chinese_date(due)}前）送达，{chinese_date(served)}送达已超期。",
            _art(PUNISHMENT_LAW, "第六十一条"),
            blocking=bool(ctx.params.get("blocking", True)),
        )
    ]


def payment_due(
    data: Mapping[str, Any], config: ProcedureConfig, calendar: HolidayCalendar
) -> dt.date | None:
    """The last day to pay: 15 days after service (or the approved deferral date)."""
    deferred = as_date(data.get("payment_deferred_to"))
    if deferred is not None:
        return deferred
    served = as_date(data.get("served_on"))
    if served is None:
        return None
    return add_calendar_days(served, config.payment_days, calendar).due


def p17_payment(ctx: GuardContext) -> list[RuleProblem]:
    """P17/P18: payment within 15 days of service; after that the surcharge is due."""
    due = payment_due(ctx.data, ctx.config, ctx.calendar)
    if due is None:
        return []
    paid = _date(ctx, "paid_on") or ctx.today
    if paid <= due:
        return []
    days = (paid - due).days - int(ctx.data.get("review_days") or 0)
    if days <= 0:
        return []
    fine = _fine(ctx)
    extra = surcharge(fine, days)
    paid_surcharge = as_money(ctx.data.get("surcharge_paid")) or Decimal(0)
    if paid_surcharge >= extra and ctx.data.get("paid_on"):
        return []
    return [
        RuleProblem(
            "P18",
            f"罚款应于{chinese_date(due)}前缴纳，逾期{days}日，应加处罚款{_yuan(extra)}"
            f"（每日按罚款数额的百分之三，不超过罚款数额{_yuan(fine)}）。",
            _art(PUNISHMENT_LAW, "第六十七条、第七十二条第一款第（一）项"),
            blocking=bool(ctx.params.get("blocking", True)),
        )
    ]


def p21_no_penalty(ctx: GuardContext) -> list[RuleProblem]:
    """P21: 第三十三条 cases: no penalty for minor & corrected & harmless; 首违 may not be fined."""
    penalties = _penalties(ctx)
    outcome = ctx.data.get("outcome")
    problems = []
    if outcome and outcome != Outcome.PENALTY.value and penalties:
        problems.append(
            RuleProblem(
                "P21",
                f"结论为“{Outcome(outcome).label}”，不能同时给予行政处罚。",
                _art(PUNISHMENT_LAW, "第三十三条、第五十七条"),
            )
        )
    if not penalties or outcome not in (None, "", Outcome.PENALTY.value):
        return problems
    if _flag(ctx, "minor") and _flag(ctx, "corrected") and _flag(ctx, "no_harm"):
        problems.append(
            RuleProblem(
                "P21",
                "违法行为轻微并及时改正，没有造成危害后果，依法不予行政处罚，不得罚款或者给予其他处罚。",
                _art(PUNISHMENT_LAW, "第三十三条第一款"),
            )
        )
    elif _flag(ctx, "first_violation") and _flag(ctx, "minor_harm") and _flag(ctx, "corrected"):
        problems.append(
            RuleProblem(
                "P21",
                "初次违法且危害后果轻微并及时改正，可以不予行政处罚（首违不罚）；如仍予处罚，请写明理由。",
                _art(PUNISHMENT_LAW, "第三十三条第一款"),
                blocking=False,
            )
        )
    return problems


def p23_limitation(ctx: GuardContext) -> list[RuleProblem]:
    """P23: no penalty once 2 years (5 with the safety/finance flag) have passed since the act ended."""
    act_end = _date(ctx, "act_end_date") or _date(ctx, "act_date")
    if act_end is None:
        return []
    years = (
        ctx.config.limitation_years_safety if _flag(ctx, "safety_or_finance") else ctx.config.limitation_years
    )
    try:
        limit = act_end.replace(year=act_end.year + years)
    except ValueError:  # 29 February
        limit = act_end.replace(year=act_end.year + years, day=28)
    found = _date(ctx, "filed_on") or ctx.today
    if found <= limit:
        return []
    return [
        RuleProblem(
            "P23",
            f"违法行为于{chinese_date(act_end)}终了，{years}年内未被发现的，不再给予行政处罚（{chinese_date(limit)}已届满）。",
            _art(PUNISHMENT_LAW, "第三十六条"),
        )
    ]


def c2_approval(ctx: GuardContext) -> list[RuleProblem]:
    """C2/C3: 查封/扣押 needs the 负责人's prior approval, or an emergency reported within 24 hours."""
    if ctx.data.get("approved_on"):
        return []
    if not _flag(ctx, "emergency"):
        return [
            RuleProblem(
                "C2",
                "实施查封、扣押前须向行政机关负责人报告并经批准，尚无批准记录。",
                _art(COERCION_LAW, "第十八条第（一）项"),
            )
        ]
    seized = _date(ctx, "seized_on")
    reported = _date(ctx, "reported_on")
    hours = ctx.config.emergency_report_hours
    latest = seized + dt.timedelta(days=max(1, hours // 24)) if seized else None
    if latest is not None and (reported or ctx.today) > latest and (reported is None or reported > latest):
        return [
            RuleProblem(
                "C2",
                f"情况紧急当场实施的，应在{hours}小时内向负责人报告并补办批准手续；未批准的应立即解除。",
                _art(COERCION_LAW, "第十九条"),
            )
        ]
    return []


def c6_extension(ctx: GuardContext) -> list[RuleProblem]:
    """C6: one extension of ≤30 days, approved, with written reasons, before the period ends."""
    cite = _art(COERCION_LAW, "第二十五条")
    problems = []
    if ctx.before.get("extended_on"):
        problems.append(RuleProblem("C6", "查封、扣押期限只能延长一次，本案已经延长。", cite))
    days = int(ctx.data.get("extension_days") or 0)
    if days > ctx.config.seizure_extension_days or days <= 0:
        problems.append(RuleProblem("C6", f"延长期限不得超过三十日（填写为{days}日）。", cite))
    if not ctx.data.get("extension_approved_on"):
        problems.append(RuleProblem("C6", "延长查封、扣押期限须经行政机关负责人批准。", cite))
    if not str(ctx.data.get("extension_reason") or "").strip():
        problems.append(
            RuleProblem("C6", "延长查封、扣押期限须书面告知当事人并说明理由，请填写延长理由。", cite)
        )
    seized = _date(ctx, "seized_on")
    if seized is not None:
        base = add_calendar_days(seized, ctx.config.seizure_days, ctx.calendar).due
        if ctx.today > base:
            problems.append(
                RuleProblem(
                    "C6", f"原查封、扣押期限已于{chinese_date(base)}届满，不能再延长，应当解除。", cite
                )
            )
    return problems


def c7_decide_in_time(ctx: GuardContext) -> list[RuleProblem]:
    """C7: a 处理决定 (没收/销毁) only within the period; after it the items must be released."""
    deadline = seizure_deadline(ctx.data, ctx.config, ctx.calendar)
    if deadline is None or ctx.today <= deadline.due:
        return []
    return [
        RuleProblem(
            "C7",
            f"查封、扣押期限已于{chinese_date(deadline.due)}届满，逾期未作出处理决定的，应当解除查封、扣押。",
            _art(COERCION_LAW, "第二十七条、第二十八条第一款第（四）项"),
        )
    ]


def j1_joint_checklist(ctx: GuardContext) -> list[RuleProblem]:
    """J1: a joint inspection (综合查一次) has one merged checklist covering every department."""
    departments = [str(d) for d in ctx.data.get("departments") or ()]
    if len(departments) < 2:
        return []
    covered = {str(item.get("department")) for item in ctx.data.get("checklist") or ()}
    missing = [d for d in departments if d not in covered]
    if not missing:
        return []
    return [
        RuleProblem(
            "J1",
            f"联合检查应使用合并的检查单，检查单中缺少{'、'.join(missing)}的检查事项。",
            "《国务院办公厅关于深入推进跨部门综合监管的指导意见》（国办发〔2023〕1号，待核实）",
            blocking=bool(ctx.params.get("blocking", True)),
        )
    ]


#: Guards by the name a workflow definition uses.
GUARDS: dict[str, Guard] = {
    "P01": p01_simple_limits,
    "P04": p04_two_officers,
    "P06": p06_filing_deadline,
    "P08": p08_saved_items,
    "P09": p09_collective_discussion,
    "P10": p10_legal_review,
    "P11": p11_prior_notice,
    "P12": p12_hearing,
    "P13": p13_hearing_request,
    "P15": p15_decision_period,
    "P16": p16_service,
    "P17": p17_payment,
    "P21": p21_no_penalty,
    "P23": p23_limitation,
    "C2": c2_approval,
    "C6": c6_extension,
    "C7": c7_decide_in_time,
    "J1": j1_joint_checklist,
}

#: The fields a guard reads that an action usually asks for: while such a field is still empty,
#: :meth:`WorkflowEngine.allowed_actions` does not run the guard (it runs when the action is taken).
GUARD_INPUTS: dict[str, frozenset[str]] = {
    "P01": frozenset({"party_kind", "penalty_types", "fine"}),
    "P04": frozenset({"officers"}),
    "P13": frozenset({"hearing_requested_on", "hearing_on"}),
    "P17": frozenset({"paid_on"}),
    "P21": frozenset({"outcome", "penalty_types"}),
    "P23": frozenset({"act_date", "act_end_date"}),
    "C6": frozenset({"extension_days", "extension_reason", "extension_approved_on"}),
    "J1": frozenset({"departments", "checklist"}),
}

__all__ = [
    "GUARDS",
    "GUARD_INPUTS",
    "Guard",
    "GuardContext",
    "ProcedureConfig",
    "RuleProblem",
    "as_date",
    "as_money",
    "decision_deadline",
    "hearing_triggered",
    "payment_due",
    "review_required",
    "seizure_deadline",
    "surcharge",
]
