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
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from workstation.domain.cases import EvidenceKind, Outcome, PenaltyType
from workstation.domain.deadlines import (
    COERCION_LAW_WORKING_DAYS,
    DayUnit,
    Deadline,
    HolidayCalendar,
    PausableDeadline,
    Pause,
    SuspendedDeadline,
    add_calendar_days,
    add_months,
    add_working_days,
)
from workstation.domain.errors import InvalidInput
from workstation.domain.formatting import chinese_date

PUNISHMENT_LAW = "《中华人民共和国行政处罚法》"
COERCION_LAW = "《中华人民共和国行政强制法》"
REVIEW_LAW = "《中华人民共和国行政复议法》"
LITIGATION_LAW = "《中华人民共和国行政诉讼法》"

#: 执法领域 of a 查封/扣押 (field ``seizure_domain``), with the statute that grants the power in
#: that field to the competent department. Whether a township (街道) may exercise it is the
#: province's delegation list (:attr:`ProcedureConfig.seizure_domains`).
SEIZURE_DOMAINS: dict[str, str] = {
    "market": "市场监管（含食品安全，《食品安全法》第一百一十条）",
    "environment": "生态环境（《环境保护法》第二十五条）",
    "urban": "城市管理（市容环卫、城市道路等，依地方性法规）",
    "planning": "规划建设（《城乡规划法》第六十八条）",
    "fire": "消防安全",
    "agriculture": "农业农村",
    "transport": "交通运输",
    "other": "其他",
}

#: The 第三十二条 circumstances that make 从轻或者减轻 mandatory (field ``mitigating``).
MITIGATING_CIRCUMSTANCES: dict[str, str] = {
    "eliminated_harm": "主动消除或者减轻违法行为危害后果",
    "coerced": "受他人胁迫或者诱骗实施违法行为",
    "confessed": "主动供述行政机关尚未掌握的违法行为",
    "meritorious": "配合行政机关查处违法行为有立功表现",
    "other_law": "法律、法规、规章规定其他应当从轻或者减轻行政处罚的情形",
}

#: 裁量档次 (field ``discretion_tier``), PROCEDURE.md section 3.
DISCRETION_TIERS: dict[str, str] = {
    "mitigated": "减轻",
    "lighter": "从轻",
    "general": "一般",
    "heavier": "从重",
}

#: Reasons the decision clock pauses (field ``pause_reason``): time not counted toward the 90
#: days of 《行政处罚法》第六十条 [unverified: 市场监督管理行政处罚程序规定 lists them].
PAUSE_REASONS: dict[str, str] = {
    "hearing": "听证",
    "testing": "检测",
    "inspection": "检验",
    "quarantine": "检疫",
    "appraisal": "鉴定",
    "announcement": "公告",
    "other": "其他",
}

#: Ways of 当场收缴 (field ``collect_reason``), 《行政处罚法》第六十八条、第六十九条.
COLLECT_REASONS: dict[str, str] = {
    "fine_within_100": "依法给予一百元以下罚款",
    "hard_to_collect_later": "不当场收缴事后难以执行",
    "remote_area": "边远、水上、交通不便地区，当事人提出当场缴纳",
}

#: Ages of 《行政处罚法》第三十条: under 14 not punished; 14 to under 18 从轻或者减轻.
AGE_OF_RESPONSIBILITY = 14
AGE_OF_MAJORITY = 18

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

    Added with P02-P24 and C1-C8 (statutory values unless marked [unverified]):

    - ``on_spot_collect_limit`` 100 yuan: 当场收缴 for a fine of at most this (处罚法第六十八条);
    - ``cash_handover_working_days`` 2: cash collected on the spot handed to the agency, and by
      the agency to the bank, within 2 working days (第七十一条);
    - ``on_spot_record_working_days`` 5 [unverified]: 当场处罚决定 filed (备案) with the agency
      (第五十二条第三款 sets no period);
    - ``publish_working_days`` 7 [unverified]: a decision with social impact published
      (第四十八条第一款 sets no period); ``withdraw_working_days`` 3: withdrawn after it is
      changed or revoked (第四十八条第二款);
    - ``review_period_days`` 60 (《行政复议法》第二十条) and ``litigation_period_months`` 6
      (《行政诉讼法》第四十六条): the remedy periods a 决定书 must state;
    - ``reminder_working_days`` 10 (《行政强制法》第五十四条, working days by 第六十九条) and
      ``court_application_months`` 3 (第五十三条): applying to court for enforcement;
    - ``decision_extension_days`` 30 [unverified]: one extension of the 90-day decision period,
      approved by the 负责人; a further one needs 集体讨论 (处罚法第六十条 “另有规定的，从其规定”;
      市场监督管理行政处罚程序规定);
    - ``seizure_domains`` [unverified]: the fields in which the province's delegation list lets
      the township (街道) take 查封/扣押 (强制法第十七条第二款, 第二十二条). Default: ``market``
      (食品安全法第一百一十条), ``environment`` (环境保护法第二十五条) and ``urban`` (provincial
      城市管理 regulations) — planning (城乡规划法第六十八条 gives 查封施工现场 to the 县级
      government), fire and the rest are not delegated by default; see :data:`SEIZURE_DOMAINS`;
    - ``night_start`` 22:00 and ``night_end`` 06:00 [unverified]: 夜间 for 强制法第四十三条,
      which does not define it.
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
    on_spot_collect_limit: Decimal = Decimal("100")
    cash_handover_working_days: int = 2
    on_spot_record_working_days: int = 5
    publish_working_days: int = 7
    withdraw_working_days: int = 3
    review_period_days: int = 60
    litigation_period_months: int = 6
    reminder_working_days: int = 10
    court_application_months: int = 3
    decision_extension_days: int = 30
    seizure_domains: frozenset[str] = frozenset({"market", "environment", "urban"})
    night_start: dt.time = dt.time(22, 0)
    night_end: dt.time = dt.time(6, 0)


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
    """An amount in yuan from a Decimal, int or string (``1,200``, ``1，200元``); None for None and
    blank text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | float):
        raise InvalidInput(f"金额格式不正确：{value!r}。", "请以元为单位填写数字，最多两位小数。")
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", "").removesuffix("元"))
    except InvalidOperation:
        raise InvalidInput(f"金额格式不正确：{value!r}。", "请以元为单位填写数字，最多两位小数。") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(f"金额不能为负数或非数字：{value!r}。")
    return amount


def as_time(value: object) -> dt.time | None:
    """A time of day from a time or an "HH:MM" string; None for None/""; InvalidInput otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(f"时间格式不正确：{value!r}。", "请按“时:分”填写，例如 09:30 或 22:15。")


def _date(ctx: GuardContext, name: str) -> dt.date | None:
    return as_date(ctx.data.get(name))


def _text(ctx: GuardContext, name: str) -> str:
    value = ctx.data.get(name)
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _int(ctx: GuardContext, name: str) -> int | None:
    value = ctx.data.get(name)
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"应为整数：{value!r}。") from None


def _part(ctx: GuardContext, name: str) -> bool:
    """Whether the guard checks its part ``name``: every part unless ``params["part"]`` picks one."""
    part = ctx.params.get("part")
    return part is None or part == name


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


def case_clock(
    data: Mapping[str, Any], name: str, start: dt.date, days: int, unit: DayUnit, basis: str = ""
) -> PausableDeadline:
    """The pausable clock ``name`` of a case: the periods in ``{name}_pauses`` (list of
    {"start", "end", "reason"}) are not counted and ``{name}_extensions`` ({"days", "reason"})
    are added. The workflow engine (the deadline the case shows) and the guards (P15) both use it.
    """
    clock = PausableDeadline(start, days, unit, basis=basis, pauses=_pauses(data.get(f"{name}_pauses")))
    for ext in data.get(f"{name}_extensions") or ():
        clock = clock.with_extension(int(ext["days"]), _extension_label(ext))
    return clock


def _extension_label(ext: Mapping[str, Any]) -> str:
    """How an extension reads in a basis: “经负责人批准（理由）”, “经集体讨论决定（理由）”."""
    reason = str(ext.get("reason") or "").strip()
    if ext.get("discussed_on"):
        who = "经集体讨论决定"
    elif ext.get("approved_on"):
        who = "经负责人批准"
    else:
        return reason or "经批准延长"
    return f"{who}（{reason}）" if reason else who


def projected_due(
    clock: PausableDeadline, calendar: HolidayCalendar, today: dt.date
) -> tuple[Deadline, Pause | None]:
    """The due date and the pause still running, if any.

    A running pause counts as ending on ``today`` (the clock would resume tomorrow), so while it
    runs the due date moves one day later every day; a pause starting after ``today`` is ignored.
    """
    running = clock.open_pause
    if running is not None:
        if running.start <= today:
            clock = clock.end_pause(today)
        else:
            clock = replace(clock, pauses=tuple(p for p in clock.pauses if p is not running))
            running = None
    return clock.due_date(calendar), running


def decision_deadline(
    data: Mapping[str, Any],
    config: ProcedureConfig,
    calendar: HolidayCalendar,
    today: dt.date | None = None,
) -> Deadline | None:
    """The 90-day decision period from 立案, with pauses and approved extensions (第六十条).

    With ``today``, a pause still running counts up to ``today`` (:func:`projected_due`);
    without it, running pauses are left out.
    """
    filed = as_date(data.get("filed_on"))
    if filed is None:
        return None
    clock = case_clock(
        data, "decision", filed, config.decision_days, DayUnit.CALENDAR, _art(PUNISHMENT_LAW, "第六十条")
    )
    if today is None:
        clock = replace(clock, pauses=tuple(p for p in clock.pauses if p.end is not None))
        return clock.due_date(calendar)
    return projected_due(clock, calendar, today)[0]


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
    """P15: decision within 90 days of 立案 (《行政处罚法》第六十条), pauses not counted, approved
    extensions added (the same computation as the deadline the case shows: :func:`case_clock`).

    With ``params["clock"]`` ("pause" | "resume" | "extend") it checks instead the pause or
    extension the action records (暂停、恢复计算、延长办案期限); see :func:`_p15_clock`.
    """
    op = ctx.params.get("clock")
    if op:
        return _p15_clock(ctx, str(op))
    deadline = decision_deadline(ctx.data, ctx.config, ctx.calendar, ctx.today)
    decided = _date(ctx, "decided_on") or ctx.today
    if deadline is None or decided <= deadline.due:
        return []
    filed = _date(ctx, "filed_on")
    assert filed is not None
    clock = case_clock(ctx.data, "decision", filed, ctx.config.decision_days, DayUnit.CALENDAR)
    notes = "；".join(clock.adjustment_notes())
    return [
        RuleProblem(
            "P15",
            f"应自立案之日起{ctx.config.decision_days}日内作出决定{f'（{notes}）' if notes else ''}，"
            f"办案期限已于{chinese_date(deadline.due)}届满，已超期{(decided - deadline.due).days}日；"
            "延长须有依据并经批准。",
            _art(PUNISHMENT_LAW, "第六十条"),
            blocking=bool(ctx.params.get("blocking", True)),
        )
    ]


def _p15_clock(ctx: GuardContext, op: str) -> list[RuleProblem]:
    """P15 for the clock actions: one pause at a time, inside the period, dated no later than
    today; a resume closes the running pause; an extension approved by the 负责人 before the
    period ends, with reasons, and a further extension only after 集体讨论 (第六十条 “法律、法规、
    规章另有规定的，从其规定”; the periods excluded and the extension rules are configuration)."""
    cite = _art(PUNISHMENT_LAW, "第六十条")
    filed = _date(ctx, "filed_on")
    if filed is None:
        return [RuleProblem("P15", "案件尚未立案，没有可以暂停或者延长的办案期限。", cite)]
    prior_pauses = list(ctx.before.get("decision_pauses") or ())
    prior_ext = list(ctx.before.get("decision_extensions") or ())
    pauses = list(ctx.data.get("decision_pauses") or ())
    extensions = list(ctx.data.get("decision_extensions") or ())
    base = {**ctx.data, "decision_pauses": prior_pauses, "decision_extensions": prior_ext}
    try:
        before_due = decision_deadline(base, ctx.config, ctx.calendar, ctx.today)
        decision_deadline(ctx.data, ctx.config, ctx.calendar, ctx.today)
    except InvalidInput as exc:
        return [RuleProblem("P15", exc.message, cite)]
    assert before_due is not None
    due = before_due.due
    running = [p for p in prior_pauses if not p.get("end")]
    problems: list[RuleProblem] = []
    if op == "pause":
        if running:
            start = as_date(running[0].get("start"))
            problems.append(
                RuleProblem(
                    "P15",
                    f"办案期限已因“{running[0].get('reason')}”自{chinese_date(start) if start else ''}"
                    "起暂停，恢复计算后才能再次暂停。",
                    cite,
                )
            )
        for entry in pauses[len(prior_pauses) :]:
            start = as_date(entry.get("start"))
            if start is None:
                continue
            if entry.get("code") == "other" and not str(entry.get("note") or "").strip():
                problems.append(RuleProblem("P15", "暂停原因为“其他”的，请写明具体原因。", cite))
            if start < filed:
                problems.append(
                    RuleProblem(
                        "P15", f"暂停开始日期{chinese_date(start)}早于立案日期{chinese_date(filed)}。", cite
                    )
                )
            if start > ctx.today:
                problems.append(
                    RuleProblem("P15", "暂停开始日期不能晚于今天，请在暂停事由发生后登记。", cite)
                )
            if start > due:
                problems.append(
                    RuleProblem(
                        "P15",
                        f"办案期限已于{chinese_date(due)}届满，届满后不能再暂停计算。",
                        cite,
                    )
                )
        if len(pauses) == len(prior_pauses) and not running and ctx.today > due:
            problems.append(
                RuleProblem("P15", f"办案期限已于{chinese_date(due)}届满，届满后不能再暂停计算。", cite)
            )
    elif op == "resume":
        if not running:
            problems.append(RuleProblem("P15", "办案期限当前没有暂停，无需恢复计算。", cite))
        for old, new in zip(prior_pauses, pauses, strict=False):
            end = as_date(new.get("end"))
            if old.get("end") or end is None:
                continue
            if end > ctx.today:
                problems.append(RuleProblem("P15", "暂停结束日期不能晚于今天。", cite))
    elif op == "extend":
        if len(extensions) == len(prior_ext) and ctx.today > due:
            problems.append(
                RuleProblem(
                    "P15", f"办案期限已于{chinese_date(due)}届满，届满后不能再延长，应当依法处理。", cite
                )
            )
        for entry in extensions[len(prior_ext) :]:
            approved = as_date(entry.get("approved_on"))
            if approved is None:
                problems.append(
                    RuleProblem("P15", "延长办案期限须经行政机关负责人批准，请填写批准日期。", cite)
                )
            elif approved > ctx.today:
                problems.append(RuleProblem("P15", "负责人批准日期不能晚于今天。", cite))
            elif approved > due:
                problems.append(
                    RuleProblem(
                        "P15",
                        f"办案期限已于{chinese_date(due)}届满，{chinese_date(approved)}批准的延长无效；"
                        "延长须在期限届满前批准。",
                        cite,
                    )
                )
            if not str(entry.get("reason") or "").strip():
                problems.append(RuleProblem("P15", "延长办案期限须写明理由。", cite))
            if prior_ext and not as_date(entry.get("discussed_on")):
                problems.append(
                    RuleProblem(
                        "P15",
                        f"办案期限已延长{len(prior_ext)}次，再次延长须经行政机关负责人集体讨论决定，"
                        "请填写集体讨论日期。",
                        cite,
                    )
                )
    return problems


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
    """C2: 查封/扣押 needs the 负责人's prior approval (《行政强制法》第十八条第（一）项).

    A measure taken on the spot in an emergency is approved afterwards: that is C3's rule.
    """
    if ctx.data.get("approved_on") or _flag(ctx, "emergency"):
        return []
    return [
        RuleProblem(
            "C2",
            "实施查封、扣押前须向行政机关负责人报告并经批准，尚无批准记录。",
            _art(COERCION_LAW, "第十八条第（一）项"),
        )
    ]


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


# ----------------------------------------------------------------------------- simple procedure


def p02_on_spot_decision(ctx: GuardContext) -> list[RuleProblem]:
    """P02: the 当场处罚决定 (《行政处罚法》第五十二条).

    Parts (``params["part"]``; all when absent): ``decision`` — the 执法证 shown, a pre-printed
    numbered 决定书 stating the violation, penalty type and basis, the fine, time and place, the
    复议/诉讼 routes and limits (第二款); ``delivery`` — handed over, a refusal to sign noted on
    it (第一款); ``record`` — filed (备案) with the agency (第三款) within the configured working
    days (a warning: the law sets no period).
    """
    problems: list[RuleProblem] = []
    if _part(ctx, "decision"):
        if ctx.data.get("certificate_shown") is not True:
            problems.append(
                RuleProblem(
                    "P02",
                    "当场作出行政处罚决定，执法人员应当向当事人出示执法证件；请出示执法证件并勾选确认。",
                    _art(PUNISHMENT_LAW, "第五十二条第一款"),
                )
            )
        if not _text(ctx, "decision_no"):
            problems.append(
                RuleProblem(
                    "P02",
                    "应当填写预定格式、编有号码的行政处罚决定书，请填写决定书上印制的编号。",
                    _art(PUNISHMENT_LAW, "第五十二条第一款"),
                )
            )
        missing = []
        if not _text(ctx, "violation"):
            missing.append("当事人的违法行为")
        if not _penalties(ctx) or not _text(ctx, "penalty_basis"):
            missing.append("行政处罚的种类和依据")
        if PenaltyType.FINE.value in _penalties(ctx) and _fine(ctx) <= 0:
            missing.append("罚款数额")
        if not _text(ctx, "place"):
            missing.append("地点")
        if not _text(ctx, "review_body") or _int(ctx, "review_period_days") is None:
            missing.append("申请行政复议、提起行政诉讼的途径和期限")
        if missing:
            problems.append(
                RuleProblem(
                    "P02",
                    f"当场行政处罚决定书应当载明{'、'.join(missing)}，尚未填写。",
                    _art(PUNISHMENT_LAW, "第五十二条第二款"),
                )
            )
    if _part(ctx, "delivery") and _flag(ctx, "refused_to_sign") and not _flag(ctx, "refusal_noted"):
        problems.append(
            RuleProblem(
                "P02",
                "当事人拒绝签收的，应当在行政处罚决定书上注明；请注明后勾选确认。",
                _art(PUNISHMENT_LAW, "第五十二条第一款"),
            )
        )
    decided = _date(ctx, "decided_on")
    recorded = _date(ctx, "recorded_on")
    if _part(ctx, "record") and decided is not None and recorded is not None:
        days = ctx.config.on_spot_record_working_days
        due = add_working_days(decided, days, ctx.calendar).due
        if recorded > due:
            problems.append(
                RuleProblem(
                    "P02",
                    f"当场处罚决定于{chinese_date(decided)}作出，应及时报所属行政机关备案"
                    f"（本省规定{days}个工作日内，即{chinese_date(due)}前），{chinese_date(recorded)}备案已迟延。",
                    _art(PUNISHMENT_LAW, "第五十二条第三款"),
                    blocking=False,
                )
            )
    return problems


def p03_on_spot_collection(ctx: GuardContext) -> list[RuleProblem]:
    """P03: 当场收缴罚款 (《行政处罚法》第六十八条至第七十一条).

    Only in a simple-procedure decision for a fine ≤100 yuan or where later collection would be
    hard (第六十八条), or in a remote/on-water area at the party's request (第六十九条); a
    财政 special receipt is mandatory (第七十条); the officer hands the cash to the agency within
    2 working days and the agency pays it into the bank within 2 working days (第七十一条) — a
    warning when late. Silent for a fine paid at the bank (no ``collect_reason``).
    """
    reason = _text(ctx, "collect_reason")
    if not reason:
        return []
    problems: list[RuleProblem] = []
    fine = _fine(ctx)
    limit = ctx.config.on_spot_collect_limit
    simple = ctx.kind == "simple"
    if reason in ("fine_within_100", "hard_to_collect_later") and not simple:
        problems.append(
            RuleProblem(
                "P03",
                "只有依照简易程序当场作出的处罚决定，才能以第六十八条的情形当场收缴罚款；"
                "普通程序的罚款应由当事人到指定银行或者通过电子支付系统缴纳。",
                _art(PUNISHMENT_LAW, "第六十七条、第六十八条"),
            )
        )
    if reason == "fine_within_100" and fine > limit:
        problems.append(
            RuleProblem(
                "P03",
                f"罚款{_yuan(fine)}超过{_yuan(limit)}，不能以“依法给予一百元以下罚款”为由当场收缴；"
                "确属事后难以执行的，请选择该情形并写明理由，否则应告知当事人到银行缴纳。",
                _art(PUNISHMENT_LAW, "第六十八条第（一）项"),
            )
        )
    if reason == "hard_to_collect_later" and not _text(ctx, "collect_note"):
        problems.append(
            RuleProblem(
                "P03",
                "以“不当场收缴事后难以执行”为由当场收缴的，请写明具体情形（如当事人系流动摊贩、无固定住所等）。",
                _art(PUNISHMENT_LAW, "第六十八条第（二）项"),
            )
        )
    if reason == "remote_area" and not _flag(ctx, "party_requested"):
        problems.append(
            RuleProblem(
                "P03",
                "在边远、水上、交通不便地区当场收缴罚款，须经当事人提出（到银行或者电子支付缴纳确有困难）。",
                _art(PUNISHMENT_LAW, "第六十九条"),
            )
        )
    if reason not in COLLECT_REASONS:
        problems.append(
            RuleProblem(
                "P03", f"未知的当场收缴情形“{reason}”。", _art(PUNISHMENT_LAW, "第六十八条、第六十九条")
            )
        )
    if not _text(ctx, "receipt_no"):
        problems.append(
            RuleProblem(
                "P03",
                "当场收缴罚款必须出具财政部门统一制发的专用票据，请填写票据号；不出具的，当事人有权拒绝缴纳。",
                _art(PUNISHMENT_LAW, "第七十条"),
            )
        )
    paid = _date(ctx, "paid_on")
    days = ctx.config.cash_handover_working_days
    if paid is not None:
        due = add_working_days(paid, days, ctx.calendar).due
        handed = _date(ctx, "handed_in_on")
        if (handed or ctx.today) > due:
            when = f"{chinese_date(handed)}才交至" if handed else "至今尚未交至"
            problems.append(
                RuleProblem(
                    "P03",
                    f"当场收缴的罚款应自收缴之日起{days}个工作日内（{chinese_date(due)}前）交至行政机关，{when}。",
                    _art(PUNISHMENT_LAW, "第七十一条"),
                    blocking=False,
                )
            )
        banked = _date(ctx, "banked_on")
        if handed is not None and banked is not None:
            bank_due = add_working_days(handed, days, ctx.calendar).due
            if banked > bank_due:
                problems.append(
                    RuleProblem(
                        "P03",
                        f"行政机关应在{days}个工作日内（{chinese_date(bank_due)}前）将罚款缴付指定的银行，"
                        f"{chinese_date(banked)}缴付已迟延。",
                        _art(PUNISHMENT_LAW, "第七十一条"),
                        blocking=False,
                    )
                )
    return problems


# ----------------------------------------------------------------------------- investigation


def _investigators(ctx: GuardContext) -> dict[str, str]:
    """The case's officers: their names and ids, each mapped to the name."""
    found: dict[str, str] = {}
    for officer in ctx.data.get("officers") or ():
        if isinstance(officer, Mapping):
            name = str(officer.get("name") or "").strip()
            for key in (name, str(officer.get("id") or "").strip()):
                if key:
                    found[key] = name or key
    return found


def p05_certificate_record_recusal(ctx: GuardContext) -> list[RuleProblem]:
    """P05: 执法证 shown and 笔录 made at investigation and inspection (《行政处罚法》第五十五条);
    recusal (回避, 第四十三条): an investigator may not host the hearing (第六十四条第（四）项) or
    do the 法制审核 of the same case.

    Parts (``params["part"]``; all when absent): ``investigation`` (certificate shown — refused
    when recorded as not shown — and a 笔录 among the documents once documents exist) and
    ``recusal`` (``hearing_host`` and ``reviewer`` against ``officers``).
    """
    problems: list[RuleProblem] = []
    if _part(ctx, "investigation"):
        if ctx.data.get("certificate_shown") is False:
            problems.append(
                RuleProblem(
                    "P05",
                    "执法人员在调查或者进行检查时，应当主动向当事人或者有关人员出示执法证件；"
                    "不出示的，当事人或者有关人员有权拒绝接受调查或者检查。请出示执法证件后再进行。",
                    _art(PUNISHMENT_LAW, "第五十五条第一款"),
                )
            )
        documents = ctx.data.get("documents")
        if documents is not None and not any("笔录" in str(d) for d in documents):
            problems.append(
                RuleProblem(
                    "P05",
                    "询问或者检查应当制作笔录，本案尚无询问（调查）笔录或者现场检查笔录。",
                    _art(PUNISHMENT_LAW, "第五十五条第二款"),
                )
            )
    if _part(ctx, "recusal"):
        investigators = _investigators(ctx)
        host = _text(ctx, "hearing_host")
        if host and host in investigators:
            problems.append(
                RuleProblem(
                    "P05",
                    f"{investigators[host]}是本案调查人员，不能主持听证；听证应由行政机关指定的非本案调查人员主持。",
                    _art(PUNISHMENT_LAW, "第四十三条、第六十四条第（四）项"),
                )
            )
        reviewer = _text(ctx, "reviewer")
        if reviewer and reviewer in investigators:
            problems.append(
                RuleProblem(
                    "P05",
                    f"{investigators[reviewer]}是本案调查人员，应当回避，不能对本案进行法制审核；请由其他法制审核人员审核。",
                    _art(PUNISHMENT_LAW, "第四十三条、第五十八条"),
                )
            )
    return problems


def p07_evidence(ctx: GuardContext) -> list[RuleProblem]:
    """P07: evidence (《行政处罚法》第四十六条, 第四十一条).

    Only the eight kinds of 第四十六条第一款; evidence obtained by illegal means is not registered
    (第三款); evidence from electronic monitoring devices needs the devices' 法制和技术审核 and
    published locations (第四十一条第一款) and a reviewed record (第二款).
    """
    problems: list[RuleProblem] = []
    known = {k.value for k in EvidenceKind}
    unknown = [str(k) for k in ctx.data.get("evidence_kinds") or () if str(k) not in known]
    if unknown:
        kinds = "、".join(k.label for k in EvidenceKind)
        problems.append(
            RuleProblem(
                "P07",
                f"证据种类“{'、'.join(unknown)}”不属于法定证据种类；证据包括{kinds}。",
                _art(PUNISHMENT_LAW, "第四十六条第一款"),
            )
        )
    if _flag(ctx, "illegal_evidence"):
        problems.append(
            RuleProblem(
                "P07",
                "以非法手段取得的证据，不得作为认定案件事实的根据；请排除该证据，依法重新调查取证。",
                _art(PUNISHMENT_LAW, "第四十六条第三款"),
            )
        )
    if _flag(ctx, "electronic_monitoring"):
        if not _flag(ctx, "monitoring_device_reviewed"):
            problems.append(
                RuleProblem(
                    "P07",
                    "利用电子技术监控设备收集、固定违法事实的，设备应当经过法制和技术审核；尚无审核记录，不能作为证据。",
                    _art(PUNISHMENT_LAW, "第四十一条第一款"),
                )
            )
        if not _flag(ctx, "monitoring_location_published"):
            problems.append(
                RuleProblem(
                    "P07",
                    "电子技术监控设备的设置地点应当向社会公布；未公布的，请公布后再使用其记录。",
                    _art(PUNISHMENT_LAW, "第四十一条第一款"),
                )
            )
        if not _flag(ctx, "monitoring_record_reviewed"):
            problems.append(
                RuleProblem(
                    "P07",
                    "电子技术监控设备记录的违法事实须经审核确认真实、清晰、完整、准确；"
                    "未经审核或者经审核不符合要求的，不得作为行政处罚的证据。",
                    _art(PUNISHMENT_LAW, "第四十一条第二款"),
                )
            )
    return problems


# ----------------------------------------------------------------------------- deciding


def p14_decision_contents(ctx: GuardContext) -> list[RuleProblem]:
    """P14: the 行政处罚决定书 states the 第五十九条 items — party and address; facts and
    evidence; penalty types and basis; how and by when to comply; the 复议/诉讼 routes and limits
    (their values are P20's); agency and date (the workstation's own) — and, for a fine, the
    加处罚款 rate (《行政强制法》第四十五条第一款: “标准应当告知当事人”).
    """
    missing = []
    if not _text(ctx, "party_name") or not _text(ctx, "party_address"):
        missing.append("当事人的姓名或者名称、地址")
    if not _text(ctx, "facts"):
        missing.append("违反法律、法规、规章的事实和证据")
    if not _penalties(ctx) or not _text(ctx, "penalty_basis"):
        missing.append("行政处罚的种类和依据")
    if not _text(ctx, "performance"):
        missing.append("行政处罚的履行方式和期限")
    if (
        not _text(ctx, "review_body")
        or _int(ctx, "review_period_days") is None
        or _int(ctx, "litigation_period_months") is None
    ):
        missing.append("申请行政复议、提起行政诉讼的途径和期限")
    problems = []
    if missing:
        problems.append(
            RuleProblem(
                "P14",
                f"行政处罚决定书应当载明{'、'.join(missing)}，尚未填写。",
                _art(PUNISHMENT_LAW, "第五十九条第一款"),
            )
        )
    if PenaltyType.FINE.value in _penalties(ctx):
        if _fine(ctx) <= 0:
            problems.append(
                RuleProblem(
                    "P14",
                    "处罚种类含罚款，决定书应当载明罚款数额。",
                    _art(PUNISHMENT_LAW, "第五十九条第一款"),
                )
            )
        if not _flag(ctx, "surcharge_told"):
            problems.append(
                RuleProblem(
                    "P14",
                    "决定书应当告知加处罚款的标准：到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
                    "加处罚款的数额不得超出罚款的数额。请在决定书中载明后勾选确认。",
                    _art(COERCION_LAW, "第四十五条第一款"),
                )
            )
    return problems


def p20_remedies(ctx: GuardContext) -> list[RuleProblem]:
    """P20: the remedies a decision must tell (silent for items not filled in: P02/P14 ask for them).

    复议 within 60 days (《行政复议法》第二十条第一款; untold, up to one year, 第三款); 诉讼 within
    6 months (《行政诉讼法》第四十六条); the 复议机关 for a 乡镇 decision is the 县级人民政府
    (《行政复议法》第二十四条第一款第（二）项), for a 街道办事处 the government that set it up
    (第（三）项) — never a department; an on-the-spot decision (简易程序, ``kind == "simple"``)
    must tell the party to apply for 复议 first (复议前置, 第二十三条第一款第（一）项、第二款).
    A period longer than the statutory one is a warning (a special law may provide it).
    """
    problems: list[RuleProblem] = []
    on_spot = ctx.kind == "simple" or bool(ctx.params.get("on_spot"))
    days = _int(ctx, "review_period_days")
    statutory_days = ctx.config.review_period_days
    if days is not None and days != statutory_days:
        shorter = days < statutory_days
        problems.append(
            RuleProblem(
                "P20",
                f"告知的行政复议申请期限为{days}日，法定期限为自知道该行政行为之日起{statutory_days}日"
                + (
                    "，告知的期限短于法定期限，请更正。"
                    if shorter
                    else "；如有法律规定更长期限，请核实并在决定书中写明依据。"
                ),
                _art(REVIEW_LAW, "第二十条第一款"),
                blocking=shorter,
            )
        )
    months = _int(ctx, "litigation_period_months")
    statutory_months = ctx.config.litigation_period_months
    if months is not None and not on_spot and months != statutory_months:
        shorter = months < statutory_months
        problems.append(
            RuleProblem(
                "P20",
                f"告知的起诉期限为{months}个月，法定期限为自知道作出行政行为之日起{statutory_months}个月"
                + ("，告知的期限短于法定期限，请更正。" if shorter else "；如有法律规定，请核实。"),
                _art(LITIGATION_LAW, "第四十六条第一款"),
                blocking=shorter,
            )
        )
    if on_spot and not _flag(ctx, "review_first_told"):
        problems.append(
            RuleProblem(
                "P20",
                "对当场作出的行政处罚决定不服的，应当先申请行政复议（复议前置）；"
                "当场处罚决定书须告知当事人先向行政复议机关申请行政复议，请载明后勾选确认。",
                _art(REVIEW_LAW, "第二十三条第一款第（一）项、第二款"),
            )
        )
    body = _text(ctx, "review_body")
    if body:
        agency_kind = ctx.data.get("agency_kind")
        government = body.endswith("人民政府")
        if agency_kind == "subdistrict":
            if not government or "街道" in body:
                problems.append(
                    RuleProblem(
                        "P20",
                        f"街道办事处作出的行政处罚，行政复议机关是设立该派出机关的人民政府（区、不设区的市人民政府），"
                        f"不是“{body}”。",
                        _art(REVIEW_LAW, "第二十四条第一款第（三）项"),
                    )
                )
        elif not government or re.search(r"(乡|镇)人民政府$", body):
            problems.append(
                RuleProblem(
                    "P20",
                    f"乡镇人民政府作出的行政处罚，行政复议机关是上一级的县级人民政府（县、不设区的市、市辖区人民政府），"
                    f"不是“{body}”。",
                    _art(REVIEW_LAW, "第二十四条第一款第（二）项"),
                )
            )
    return problems


def p22_mitigation(ctx: GuardContext) -> list[RuleProblem]:
    """P22: 从轻/减轻 is mandatory for the circumstances of 《行政处罚法》第三十二条 and for a party
    aged 14 to under 18 at the time of the act (第三十条): a penalty proposed in the 一般 or 从重
    tier while such a circumstance is recorded is refused. A party under 14 is not punished
    (第三十条). ``party_age`` is the age at the time of the act; ``mitigating`` lists codes of
    :data:`MITIGATING_CIRCUMSTANCES`; ``discretion_tier`` one of :data:`DISCRETION_TIERS`.
    """
    outcome = ctx.data.get("outcome")
    punishing = bool(_penalties(ctx)) and outcome in (None, "", Outcome.PENALTY.value)
    if not punishing:
        return []
    problems: list[RuleProblem] = []
    age = _int(ctx, "party_age")
    if age is not None and age <= 0:
        age = None  # not filled in (a form's number box starts at 0)
    if age is not None and age < AGE_OF_RESPONSIBILITY:
        problems.append(
            RuleProblem(
                "P22",
                f"当事人实施违法行为时{age}周岁，不满十四周岁的未成年人有违法行为的，不予行政处罚，"
                "应当责令监护人加以管教。",
                _art(PUNISHMENT_LAW, "第三十条"),
            )
        )
        return problems
    reasons: list[str] = []
    articles: list[str] = []
    if age is not None and age < AGE_OF_MAJORITY:
        reasons.append(f"实施违法行为时{age}周岁（已满十四周岁不满十八周岁）")
        articles.append("第三十条")
    circumstances = [MITIGATING_CIRCUMSTANCES.get(str(c), str(c)) for c in ctx.data.get("mitigating") or ()]
    if circumstances:
        reasons.append("、".join(circumstances))
        articles.append("第三十二条")
    tier = _text(ctx, "discretion_tier")
    if reasons and tier in ("general", "heavier"):
        problems.append(
            RuleProblem(
                "P22",
                f"当事人有{'；'.join(reasons)}的情形，应当从轻或者减轻行政处罚，"
                f"拟处罚的裁量档次为“{DISCRETION_TIERS[tier]}”，请调整为从轻或者减轻。",
                _art(PUNISHMENT_LAW, "、".join(articles)),
            )
        )
    return problems


def p24_one_fine_and_publication(ctx: GuardContext) -> list[RuleProblem]:
    """P24: no second fine for the same act (《行政处罚法》第二十九条: apply the higher provision
    once); decisions with social impact published (第四十八条第一款) within the configured
    working days [unverified] and withdrawn within 3 working days once changed, revoked or held
    unlawful or void (第二款) — the publishing periods are warnings.
    """
    problems: list[RuleProblem] = []
    earlier = _text(ctx, "same_act_fined_by")
    if earlier and PenaltyType.FINE.value in _penalties(ctx):
        problems.append(
            RuleProblem(
                "P24",
                f"同一个违法行为已被处以罚款（{earlier}），不得给予两次以上罚款的行政处罚；"
                "违反多个法律规范应当给予罚款的，按照罚款数额高的规定处罚一次。",
                _art(PUNISHMENT_LAW, "第二十九条"),
            )
        )
    decided = _date(ctx, "decided_on")
    published = _date(ctx, "published_on")
    if decided is not None and published is not None:
        days = ctx.config.publish_working_days
        due = add_working_days(decided, days, ctx.calendar).due
        if published > due:
            problems.append(
                RuleProblem(
                    "P24",
                    f"具有一定社会影响的行政处罚决定应依法公开（本省规定作出决定后{days}个工作日内，即"
                    f"{chinese_date(due)}前），{chinese_date(published)}公开已迟延。",
                    _art(PUNISHMENT_LAW, "第四十八条第一款"),
                    blocking=False,
                )
            )
    changed = _date(ctx, "decision_changed_on")
    if changed is not None and published is not None:
        days = ctx.config.withdraw_working_days
        due = add_working_days(changed, days, ctx.calendar).due
        withdrawn = _date(ctx, "withdrawn_on") or ctx.today
        if withdrawn > due:
            problems.append(
                RuleProblem(
                    "P24",
                    f"公开的决定于{chinese_date(changed)}被变更、撤销或者确认违法、无效，应在三日内"
                    f"（{chinese_date(due)}前）撤回决定信息并公开说明理由，已迟延。",
                    _art(PUNISHMENT_LAW, "第四十八条第二款"),
                    blocking=False,
                )
            )
    return problems


# ----------------------------------------------------------------------------- enforcement


def remedy_periods_end(served: dt.date, config: ProcedureConfig, calendar: HolidayCalendar) -> dt.date:
    """The day both the 复议 (60 days) and the 诉讼 (6 months) periods from service have lapsed."""
    review = add_calendar_days(served, config.review_period_days, calendar).due
    litigation = add_months(served, config.litigation_period_months, calendar).due
    return max(review, litigation)


def p19_court_enforcement(ctx: GuardContext) -> list[RuleProblem]:
    """P19: applying to the court for enforcement (townships have no 强制执行权).

    The party has neither applied for 复议 nor sued and has not paid (《行政强制法》第五十三条);
    a 催告书 was served first (第五十四条, 第三十五条) and ten working days (第六十九条) have
    passed since; the application is made after the 复议/诉讼 periods from service have lapsed
    and within three months of that (第五十三条).
    """
    cite53 = _art(COERCION_LAW, "第五十三条")
    problems: list[RuleProblem] = []
    if _date(ctx, "paid_on") is not None:
        problems.append(RuleProblem("P19", "罚款已经缴纳，无需申请人民法院强制执行。", cite53))
    if _flag(ctx, "remedy_sought"):
        problems.append(
            RuleProblem(
                "P19",
                "当事人已申请行政复议或者提起行政诉讼的，不能依第五十三条申请强制执行，应待复议、诉讼结果依法处理。",
                cite53,
            )
        )
    applied = _date(ctx, "court_applied_on") or ctx.today
    reminder = _date(ctx, "reminder_served_on")
    cite54 = _art(COERCION_LAW, "第五十四条")
    if reminder is None:
        problems.append(
            RuleProblem(
                "P19",
                "申请人民法院强制执行前，应当以书面形式催告当事人履行义务，尚无催告书送达记录。",
                _art(COERCION_LAW, "第三十五条、第五十四条"),
            )
        )
    else:
        days = ctx.config.reminder_working_days
        tenth = add_working_days(reminder, days, ctx.calendar, basis=COERCION_LAW_WORKING_DAYS).due
        if reminder > applied:
            problems.append(RuleProblem("P19", "催告书送达日期不能晚于申请日期。", cite54))
        elif applied <= tenth:
            problems.append(
                RuleProblem(
                    "P19",
                    f"催告书于{chinese_date(reminder)}送达，{days}个工作日至{chinese_date(tenth)}届满；"
                    "届满后当事人仍未履行的，方可申请强制执行。",
                    cite54,
                )
            )
    served = _date(ctx, "served_on")
    if served is not None:
        lapse = remedy_periods_end(served, ctx.config, ctx.calendar)
        months = ctx.config.court_application_months
        last = add_months(lapse, months, ctx.calendar).due
        if applied <= lapse:
            problems.append(
                RuleProblem(
                    "P19",
                    f"决定书于{chinese_date(served)}送达，申请行政复议、提起行政诉讼的期限至{chinese_date(lapse)}届满，"
                    "届满前不能申请强制执行。",
                    cite53,
                )
            )
        elif applied > last:
            problems.append(
                RuleProblem(
                    "P19",
                    f"应自复议、诉讼期限届满之日起三个月内（{chinese_date(last)}前）申请强制执行，已超过申请期限。",
                    cite53,
                )
            )
    return problems


# ----------------------------------------------------------------------------- coercion


def c1_authorised_body(ctx: GuardContext) -> list[RuleProblem]:
    """C1: 查封/扣押 only by a body that a law or regulation authorises, never by entrustment
    (《行政强制法》第十七条, 第二十二条). Whether the township (街道) may in the measure's field is
    the province's delegation list: :attr:`ProcedureConfig.seizure_domains`.
    """
    cite = _art(COERCION_LAW, "第十七条、第二十二条")
    problems: list[RuleProblem] = []
    domain = _text(ctx, "seizure_domain")
    if not domain:
        problems.append(
            RuleProblem(
                "C1",
                "查封、扣押应当由法律、法规规定的行政机关实施，请选择实施查封、扣押所依据的执法领域。",
                cite,
            )
        )
    elif domain not in ctx.config.seizure_domains:
        label = SEIZURE_DOMAINS.get(domain, domain)
        problems.append(
            RuleProblem(
                "C1",
                f"本省赋权清单未授权本机关在“{label}”领域实施查封、扣押；应由法律、法规规定的行政机关实施，"
                "请移送有权机关。",
                cite,
            )
        )
    if not _text(ctx, "seizure_basis"):
        problems.append(
            RuleProblem("C1", "请写明授权实施查封、扣押的法律、法规条款。", cite),
        )
    if _flag(ctx, "entrusted"):
        problems.append(
            RuleProblem(
                "C1",
                "行政强制措施权不得委托；受委托的组织或者机关不能实施查封、扣押。",
                _art(COERCION_LAW, "第十七条第一款"),
            )
        )
    return problems


def _moment(day: dt.date, time: dt.time | None) -> dt.datetime:
    return dt.datetime.combine(day, time or dt.time(0, 0))


def c3_emergency(ctx: GuardContext) -> list[RuleProblem]:
    """C3: a measure taken on the spot in an emergency is reported to the 负责人 within 24 hours
    and approved afterwards; if the 负责人 refuses, or the report is late, it is released at once
    (《行政强制法》第十九条). With ``seized_time`` and ``reported_time`` ("HH:MM") the hours are
    counted exactly; with dates only, a report on the next day is accepted.
    """
    if not _flag(ctx, "emergency"):
        return []
    cite = _art(COERCION_LAW, "第十九条")
    if _flag(ctx, "emergency_refused"):
        return [
            RuleProblem(
                "C3",
                "行政机关负责人认为不应当采取查封、扣押，应当立即解除，不能延长期限或者作出处理决定。",
                cite,
            )
        ]
    seized = _date(ctx, "seized_on")
    if seized is None:
        return []
    hours = ctx.config.emergency_report_hours
    seized_time = as_time(ctx.data.get("seized_time"))
    reported = _date(ctx, "reported_on")
    reported_time = as_time(ctx.data.get("reported_time"))
    if seized_time is not None and (reported is None or reported_time is not None):
        limit = _moment(seized, seized_time) + dt.timedelta(hours=hours)
        late = _moment(reported, reported_time) > limit if reported is not None else ctx.today > limit.date()
        limit_text = f"{chinese_date(limit.date())}{limit:%H:%M}"
    else:
        last_day = seized + dt.timedelta(days=max(1, -(-hours // 24)))
        late = (reported or ctx.today) > last_day
        limit_text = chinese_date(last_day)
    if not late:
        return []
    if reported is not None:
        message = (
            f"紧急情况下当场实施的查封、扣押，应当在{hours}小时内（{limit_text}前）向行政机关负责人报告并补办批准手续；"
            "已超过时限，不能补办，应当立即解除。"
        )
    else:
        message = (
            f"紧急情况下当场实施的查封、扣押，应当在{hours}小时内（{limit_text}前）向行政机关负责人报告并补办批准手续，"
            "至今未报告，应当立即解除。"
        )
    return [RuleProblem("C3", message, cite)]


def c4_items(ctx: GuardContext) -> list[RuleProblem]:
    """C4: only places, facilities or property connected to the case; never the necessities of
    life of the citizen and the dependants; no duplicate 查封 of what another state organ has
    already sealed (《行政强制法》第二十三条) — for an 扣押 of such items, a warning.

    Items are strings or {"name", "qty", "related", "necessity", "sealed_by"}; the form-level
    ``items_case_related`` (False), ``living_necessities`` (True) and ``sealed_by_other`` (text)
    say the same for the whole list.
    """
    unrelated: list[str] = []
    necessities: list[str] = []
    sealed: list[str] = []
    for item in ctx.data.get("items") or ():
        if not isinstance(item, Mapping):
            continue
        name = str(item.get("name") or "某项财物")
        if item.get("related") is False:
            unrelated.append(name)
        if item.get("necessity"):
            necessities.append(name)
        if str(item.get("sealed_by") or "").strip():
            sealed.append(f"{name}（{str(item.get('sealed_by')).strip()}已查封）")
    if ctx.data.get("items_case_related") is False:
        unrelated.append("清单中的部分场所、设施或者财物")
    if _flag(ctx, "living_necessities"):
        necessities.append("清单中的部分物品")
    if _text(ctx, "sealed_by_other"):
        sealed.append(f"清单中的部分场所、设施或者财物（{_text(ctx, 'sealed_by_other')}）")
    problems: list[RuleProblem] = []
    if unrelated:
        problems.append(
            RuleProblem(
                "C4",
                f"查封、扣押限于涉案的场所、设施或者财物，{'、'.join(unrelated)}与违法行为无关，不得查封、扣押。",
                _art(COERCION_LAW, "第二十三条第一款"),
            )
        )
    if necessities:
        problems.append(
            RuleProblem(
                "C4",
                f"不得查封、扣押公民个人及其所扶养家属的生活必需品：{'、'.join(necessities)}。",
                _art(COERCION_LAW, "第二十三条第一款"),
            )
        )
    if sealed:
        seal = ctx.data.get("measure") != "seize"
        problems.append(
            RuleProblem(
                "C4",
                f"{'、'.join(sealed)}已被其他国家机关依法查封，"
                + ("不得重复查封。" if seal else "请与查封机关协调，避免重复采取强制措施。"),
                _art(COERCION_LAW, "第二十三条第二款"),
                blocking=seal,
            )
        )
    return problems


def c5_decision_and_list(ctx: GuardContext) -> list[RuleProblem]:
    """C5: a 查封（扣押）决定书 and 清单 made and handed over on the spot; the 决定书 states the
    reasons, basis and the items; the 清单 in two copies, one for the party and one for the agency
    (《行政强制法》第二十四条).
    """
    missing = []
    if not _text(ctx, "seizure_reason"):
        missing.append("查封、扣押的理由")
    if not _text(ctx, "seizure_basis"):
        missing.append("查封、扣押的依据")
    if not ctx.data.get("items"):
        missing.append("查封、扣押场所、设施或者财物的名称、数量")
    problems: list[RuleProblem] = []
    if missing:
        problems.append(
            RuleProblem(
                "C5",
                f"查封、扣押决定书应当载明{'、'.join(missing)}，尚未填写。",
                _art(COERCION_LAW, "第二十四条第二款"),
            )
        )
    if ctx.data.get("handed_over") is not True:
        problems.append(
            RuleProblem(
                "C5",
                "应当制作并当场交付查封、扣押决定书和清单；请当场交付后勾选确认。",
                _art(COERCION_LAW, "第二十四条第一款"),
            )
        )
    copies = _int(ctx, "list_copies")
    if copies is not None and 0 < copies < 2:  # 0: not filled in
        problems.append(
            RuleProblem(
                "C5",
                f"查封、扣押清单应一式二份，由当事人和行政机关分别保存（填写为{copies}份）。",
                _art(COERCION_LAW, "第二十四条第三款"),
            )
        )
    return problems


def is_night(time: dt.time, config: ProcedureConfig) -> bool:
    """Whether ``time`` falls in the configured night (default 22:00 to 06:00, end excluded)."""
    start, end = config.night_start, config.night_end
    if start <= end:
        return start <= time < end
    return time >= start or time < end


def c8_no_night_or_holiday(ctx: GuardContext) -> list[RuleProblem]:
    """C8: no 行政强制执行 at night or on a 法定节假日 unless urgent (《行政强制法》第四十三条第一款).

    The day is the action date (or ``params["date_field"]``), the time ``act_time`` (or
    ``params["time_field"]``, "HH:MM"); the night is configuration (:func:`is_night`); rest days
    come from the holiday calendar, so weekends count as 节假日 and 调休 weekends do not.
    ``urgent`` (情况紧急) lifts the rule.
    """
    if _flag(ctx, "urgent"):
        return []
    date_field = ctx.params.get("date_field")
    day = (_date(ctx, str(date_field)) if date_field else None) or ctx.today
    time = as_time(ctx.data.get(str(ctx.params.get("time_field") or "act_time")))
    cite = _art(COERCION_LAW, "第四十三条第一款")
    problems: list[RuleProblem] = []
    if not ctx.calendar.is_working_day(day):
        holiday = ctx.calendar.holiday_name(day)
        what = f"{holiday}假期" if holiday else "休息日"
        problems.append(
            RuleProblem(
                "C8",
                f"{chinese_date(day)}为{what}，除情况紧急外，不得在法定节假日实施行政强制执行；"
                "确属情况紧急的，请勾选并说明。",
                cite,
            )
        )
    if time is not None and is_night(time, ctx.config):
        start, end = ctx.config.night_start, ctx.config.night_end
        problems.append(
            RuleProblem(
                "C8",
                f"实施时间{time:%H:%M}在夜间（{start:%H:%M}至次日{end:%H:%M}），除情况紧急外，不得在夜间实施行政强制执行。",
                cite,
            )
        )
    return problems


def _benchmark_reference(record: Mapping[str, Any]) -> str:
    """The benchmark a ``discretion`` record was computed from, as a citation."""
    bench = record.get("benchmark")
    code = str(record.get("item_code") or "")
    if isinstance(bench, Mapping) and bench.get("name"):
        number = str(bench.get("document_number") or "")
        version = str(bench.get("version") or "")
        extra = "，".join(x for x in (number, f"版本{version}" if version else "") if x)
        return f"《{bench['name']}》" + (f"（{extra}）" if extra else "") + (f"事项{code}" if code else "")
    return f"行政处罚裁量基准（事项{code}）" if code else "行政处罚裁量基准"


def w17_discretion_deviation(ctx: GuardContext) -> list[RuleProblem]:
    """W17 裁量偏离: reads the calculator's findings the case service records in ``discretion``.

    A yellow finding (a fine outside the benchmark tier but inside the statutory range; 首违不罚
    eligible but fined) needs the reason for departing from the benchmark (``deviation_reason``):
    without one it blocks, with one it is a warning. A red finding (outside the statutory range
    without a 减轻 circumstance, a fine where 不予处罚 is mandatory, a precondition unmet) blocks
    whatever the reason. Silent when no benchmark was applied (no ``discretion`` record, or
    ``{"status": "no_benchmark"}``). 《行政处罚法》第三十二条至第三十四条.
    """
    record = ctx.data.get("discretion")
    if not isinstance(record, Mapping) or record.get("status") != "assessed":
        return []
    reason = _text(ctx, "deviation_reason") or str(record.get("deviation_reason") or "").strip()
    benchmark = _benchmark_reference(record)
    problems: list[RuleProblem] = []
    for deviation in record.get("deviations") or ():
        if not isinstance(deviation, Mapping):
            continue
        severity = str(deviation.get("severity") or "")
        message = str(deviation.get("message") or "").strip()
        citation = str(deviation.get("citation") or _art(PUNISHMENT_LAW, "第三十四条"))
        if severity == "red":
            problems.append(
                RuleProblem(
                    "W17",
                    f"裁量偏离（红色预警）：{message}说明理由也不能作出该处罚，请调整拟罚款金额或者处理意见。",
                    citation,
                )
            )
        elif severity == "yellow":
            article = "" if "第三十四条" in citation else f"；{_art(PUNISHMENT_LAW, '第三十四条')}"
            cited = f"{citation}{article}；{benchmark}"
            if reason:
                text = f"裁量偏离（黄色预警）：{message}已说明偏离裁量基准的理由：{reason}"
                problems.append(RuleProblem("W17", text, cited, blocking=False))
            elif deviation.get("reason_required", True):
                text = f"裁量偏离（黄色预警）：{message}请在“偏离理由”中写明偏离裁量基准的理由后再办理。"
                problems.append(RuleProblem("W17", text, cited))
            else:
                problems.append(RuleProblem("W17", f"裁量偏离（黄色预警）：{message}", cited, blocking=False))
    return problems


#: Guards by the name a workflow definition uses.
GUARDS: dict[str, Guard] = {
    "P01": p01_simple_limits,
    "P02": p02_on_spot_decision,
    "P03": p03_on_spot_collection,
    "P04": p04_two_officers,
    "P05": p05_certificate_record_recusal,
    "P06": p06_filing_deadline,
    "P07": p07_evidence,
    "P08": p08_saved_items,
    "P09": p09_collective_discussion,
    "P10": p10_legal_review,
    "P11": p11_prior_notice,
    "P12": p12_hearing,
    "P13": p13_hearing_request,
    "P14": p14_decision_contents,
    "P15": p15_decision_period,
    "P16": p16_service,
    "P17": p17_payment,
    "P19": p19_court_enforcement,
    "P20": p20_remedies,
    "P21": p21_no_penalty,
    "P22": p22_mitigation,
    "P23": p23_limitation,
    "P24": p24_one_fine_and_publication,
    "W17": w17_discretion_deviation,
    "C1": c1_authorised_body,
    "C2": c2_approval,
    "C3": c3_emergency,
    "C4": c4_items,
    "C5": c5_decision_and_list,
    "C6": c6_extension,
    "C7": c7_decide_in_time,
    "C8": c8_no_night_or_holiday,
    "J1": j1_joint_checklist,
}

#: The fields a guard reads that an action usually asks for: while such a field is still empty,
#: :meth:`WorkflowEngine.allowed_actions` does not run the guard (it runs when the action is taken).
GUARD_INPUTS: dict[str, frozenset[str]] = {
    "P01": frozenset({"party_kind", "penalty_types", "fine"}),
    "P02": frozenset(
        {"certificate_shown", "decision_no", "violation", "penalty_basis", "place", "review_body"}
        | {"review_period_days", "refused_to_sign", "refusal_noted"}
    ),
    "P03": frozenset({"receipt_no", "collect_reason", "collect_note", "party_requested", "handed_in_on"}),
    "P04": frozenset({"officers"}),
    "P05": frozenset({"certificate_shown", "hearing_host", "reviewer"}),
    "P07": frozenset({"evidence_kinds", "illegal_evidence", "electronic_monitoring"}),
    "P13": frozenset({"hearing_requested_on", "hearing_on"}),
    "P14": frozenset(
        {"facts", "penalty_basis", "performance", "review_body", "review_period_days"}
        | {"litigation_period_months", "surcharge_told", "party_name", "party_address"}
    ),
    "P17": frozenset({"paid_on"}),
    "P19": frozenset({"reminder_served_on", "court", "remedy_sought"}),
    "P20": frozenset({"review_body", "review_period_days", "litigation_period_months", "review_first_told"}),
    "P21": frozenset({"outcome", "penalty_types"}),
    "P22": frozenset({"party_age", "mitigating", "discretion_tier"}),
    "P23": frozenset({"act_date", "act_end_date"}),
    "P24": frozenset({"same_act_fined_by", "published_on", "decision_changed_on"}),
    "W17": frozenset({"fine", "circumstances", "base_amount", "deviation_reason"}),
    "C1": frozenset({"seizure_domain", "seizure_basis", "entrusted"}),
    "C3": frozenset({"reported_time"}),
    "C4": frozenset({"items", "items_case_related", "living_necessities", "sealed_by_other"}),
    "C5": frozenset({"handed_over", "items", "seizure_reason", "list_copies"}),
    "C6": frozenset({"extension_days", "extension_reason", "extension_approved_on"}),
    "J1": frozenset({"departments", "checklist"}),
}

__all__ = [
    "COLLECT_REASONS",
    "DISCRETION_TIERS",
    "GUARDS",
    "GUARD_INPUTS",
    "MITIGATING_CIRCUMSTANCES",
    "PAUSE_REASONS",
    "SEIZURE_DOMAINS",
    "Guard",
    "GuardContext",
    "ProcedureConfig",
    "RuleProblem",
    "as_date",
    "as_money",
    "as_time",
    "case_clock",
    "decision_deadline",
    "hearing_triggered",
    "is_night",
    "payment_due",
    "projected_due",
    "remedy_periods_end",
    "review_required",
    "seizure_deadline",
    "surcharge",
]
