"""裁量基准 (discretion benchmark) and 执法事项 entries, the tier calculator and the W17 check.

PROCEDURE.md section 3: a benchmark lists, per 执法事项 (item), the 违法依据 and 处罚依据, the
statutory range of the fine per party type (fixed yuan, or a multiple / percentage of a base such
as 货值金额 or 工程造价), the preconditions without which no fine may be imposed yet (拒不改正,
超标排放 …), and the tiers 不予处罚 / 减轻 / 从轻 / 一般 / 从重 with the circumstances that select
them. Tiers are expressed in the unit of their range (yuan, a multiple, or percent); the default
split of a range [a, b] (``TierConvention``) is 从轻 [a, a+0.3(b−a)], 一般 (a+0.3(b−a), a+0.7(b−a)],
从重 (a+0.7(b−a), b] — a convention, not statute.

:func:`assess` is the calculator: for an item, a party kind and the circumstances found, it names
the applicable tier and its yuan range, the unmet preconditions, whether the 简易程序 is possible
(P01, 《行政处罚法》第五十一条), whether a hearing is triggered (P12, 第六十三条), whether 首违不罚 or
a mandatory 不予处罚 applies (P21, 第三十三条), whether 法制审核 is required (P10, 第五十八条), and
classifies a proposed fine as warning W17 does (第三十二条至第三十四条). Every explanation line
cites its article.

:func:`load_benchmarks` parses and validates the JSON format documented in docs/DISCRETION.md;
:func:`validate_benchmark` and :func:`check_refinement` are the checks it runs;
:func:`dump_benchmarks` writes the same format back.

Pure Python: amounts are :class:`~decimal.Decimal`.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from workstation.domain.cases import PenaltyType
from workstation.domain.citations import find_citations
from workstation.domain.entities import EnforcementItem, PartyKind
from workstation.domain.errors import FieldError
from workstation.domain.guards import (
    MITIGATING_CIRCUMSTANCES,
    ProcedureConfig,
    hearing_triggered,
    review_required,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MITIGATION_CODES",
    "STATUTORY_CIRCUMSTANCES",
    "Assessment",
    "BaseKind",
    "Benchmark",
    "BenchmarkInvalid",
    "BenchmarkLevel",
    "BenchmarkProblem",
    "Circumstance",
    "Deviation",
    "DeviationKind",
    "Effect",
    "Escalation",
    "Explanation",
    "Factor",
    "FirstViolation",
    "ItemEntry",
    "Precondition",
    "RangeKind",
    "Severity",
    "StatutoryRange",
    "Tier",
    "TierConvention",
    "TierLevel",
    "assess",
    "check_refinement",
    "convention_tiers",
    "dump_benchmarks",
    "load_benchmarks",
    "validate_benchmark",
    "with_items",
]

FORMAT = "workstation-discretion"
FORMAT_VERSION = 1

PUNISHMENT_LAW = "《中华人民共和国行政处罚法》"
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


def _art(article: str) -> str:
    return f"{PUNISHMENT_LAW}{article}"


# ============================================================================ vocabulary


class TierLevel(enum.StrEnum):
    """裁量档次; the values match guards.DISCRETION_TIERS (field ``discretion_tier``)."""

    NO_PENALTY = "no_penalty"
    MITIGATED = "mitigated"
    LIGHTER = "lighter"
    GENERAL = "general"
    HEAVIER = "heavier"

    @property
    def label(self) -> str:
        return {
            "no_penalty": "不予处罚",
            "mitigated": "减轻",
            "lighter": "从轻",
            "general": "一般",
            "heavier": "从重",
        }[self.value]


#: The graded tiers, in order along the statutory range.
GRADED = (TierLevel.LIGHTER, TierLevel.GENERAL, TierLevel.HEAVIER)


class RangeKind(enum.StrEnum):
    FIXED = "fixed"  # yuan
    MULTIPLE = "multiple"  # 倍 of the base
    PERCENTAGE = "percentage"  # 百分之 of the base

    @property
    def label(self) -> str:
        return {"fixed": "固定金额", "multiple": "倍数", "percentage": "百分比"}[self.value]


class BaseKind(enum.StrEnum):
    """The amount a multiple or percentage is taken of."""

    GOODS_VALUE = "goods_value"
    ILLEGAL_GAINS = "illegal_gains"
    CONSTRUCTION_COST = "construction_cost"
    RECLAMATION_FEE = "reclamation_fee"
    AREA = "area"

    @property
    def label(self) -> str:
        return {
            "goods_value": "货值金额",
            "illegal_gains": "违法所得",
            "construction_cost": "建设工程造价",
            "reclamation_fee": "耕地开垦费",
            "area": "非法占用土地面积（平方米）",
        }[self.value]


class BenchmarkLevel(enum.StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"

    @property
    def label(self) -> str:
        return {"province": "省级", "city": "设区的市级", "county": "县级"}[self.value]

    @property
    def rank(self) -> int:
        return {"province": 1, "city": 2, "county": 3}[self.value]


class Effect(enum.StrEnum):
    """How a circumstance bears on the tier."""

    NO_PENALTY = "no_penalty"  # 第三十条、第三十一条、第三十三条
    MITIGATING = "mitigating"
    AGGRAVATING = "aggravating"

    @property
    def label(self) -> str:
        return {"no_penalty": "不予处罚情节", "mitigating": "从轻、减轻情节", "aggravating": "从重情节"}[
            self.value
        ]


class Severity(enum.IntEnum):
    """W17 levels, comparable: OK < YELLOW < RED."""

    OK = 0
    YELLOW = 1
    RED = 2

    @property
    def label(self) -> str:
        return {0: "符合", 1: "黄色预警", 2: "红色预警"}[int(self)]


class DeviationKind(enum.StrEnum):
    """The W17 classes of a proposed fine (PROCEDURE.md section 4)."""

    INSIDE_TIER = "inside_tier"
    OUTSIDE_TIER = "outside_tier"
    OUTSIDE_STATUTORY = "outside_statutory"
    FIRST_VIOLATION_FINED = "first_violation_fined"
    MANDATORY_NO_PENALTY_FINED = "mandatory_no_penalty_fined"
    PRECONDITION_UNMET = "precondition_unmet"


@dataclass(frozen=True, slots=True)
class Circumstance:
    """A circumstance the law itself names (code, label, article, effect)."""

    code: str
    label: str
    source: str
    effect: Effect


def _statutory() -> dict[str, Circumstance]:
    out = [
        Circumstance("minor", "违法行为轻微", _art("第三十三条第一款"), Effect.NO_PENALTY),
        Circumstance("corrected", "及时改正", _art("第三十三条第一款"), Effect.NO_PENALTY),
        Circumstance("no_harm", "没有造成危害后果", _art("第三十三条第一款"), Effect.NO_PENALTY),
        Circumstance("first_violation", "初次违法", _art("第三十三条第一款"), Effect.NO_PENALTY),
        Circumstance("minor_harm", "危害后果轻微", _art("第三十三条第一款"), Effect.NO_PENALTY),
        Circumstance("no_fault", "有证据足以证明没有主观过错", _art("第三十三条第二款"), Effect.NO_PENALTY),
        Circumstance("under_14", "不满十四周岁", _art("第三十条"), Effect.NO_PENALTY),
        Circumstance(
            "incapacity",
            "精神病人、智力残疾人在不能辨认或者不能控制自己行为时违法",
            _art("第三十一条"),
            Effect.NO_PENALTY,
        ),
        Circumstance("age_14_18", "已满十四周岁不满十八周岁", _art("第三十条"), Effect.MITIGATING),
        Circumstance(
            "partial_incapacity",
            "尚未完全丧失辨认或者控制自己行为能力的精神病人、智力残疾人",
            _art("第三十一条"),
            Effect.MITIGATING,
        ),
    ]
    for number, (code, label) in enumerate(MITIGATING_CIRCUMSTANCES.items(), start=1):
        item = "一二三四五六七八九"[number - 1]
        out.append(Circumstance(code, label, _art(f"第三十二条第（{item}）项"), Effect.MITIGATING))
    out.append(
        Circumstance("emergency", "违反突发事件应对措施", _art("第四十九条"), Effect.AGGRAVATING),
    )
    return {c.code: c for c in out}


#: Circumstances of the 行政处罚法 itself, usable in every item.
STATUTORY_CIRCUMSTANCES: dict[str, Circumstance] = _statutory()

#: The circumstances that allow 减轻 (below the statutory minimum): 第三十条、第三十一条、第三十二条.
MITIGATION_CODES = frozenset(
    c.code for c in STATUTORY_CIRCUMSTANCES.values() if c.effect is Effect.MITIGATING
)

#: 第三十三条第一款前段: 轻微 + 及时改正 + 没有危害后果 → 不予处罚.
MINOR_SET = frozenset({"minor", "corrected", "no_harm"})
#: 第三十三条第一款后段: 初次违法 + 危害后果轻微 + 及时改正 → 可以不予处罚 (首违不罚).
FIRST_VIOLATION_SET = frozenset({"first_violation", "minor_harm", "corrected"})
#: Each alone means 不予处罚: 第三十条、第三十一条、第三十三条第二款.
_ALONE_NO_PENALTY = {
    "under_14": ("不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教", "第三十条"),
    "incapacity": (
        "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为的，不予行政处罚",
        "第三十一条",
    ),
    "no_fault": ("当事人有证据足以证明没有主观过错的，不予行政处罚", "第三十三条第二款"),
}
_NO_PENALTY_CODES = frozenset(
    c.code for c in STATUTORY_CIRCUMSTANCES.values() if c.effect is Effect.NO_PENALTY
)


# ============================================================================ the model


@dataclass(frozen=True, slots=True)
class TierConvention:
    """Where the graded tiers split a range [a, b] (configurable, not statutory)."""

    lighter_fraction: Decimal = Decimal("0.3")
    heavier_fraction: Decimal = Decimal("0.7")

    def __post_init__(self) -> None:
        if not Decimal(0) < self.lighter_fraction < self.heavier_fraction < Decimal(1):
            raise FieldError(
                "convention",
                f"档次划分比例不正确：从轻上限比例 {self.lighter_fraction}、一般上限比例 "
                f"{self.heavier_fraction}。",
                "两个比例都应在 0 与 1 之间，且前者小于后者（默认 0.3 与 0.7）。",
            )

    def bounds(self, minimum: Decimal, maximum: Decimal) -> tuple[Decimal, Decimal]:
        span = maximum - minimum
        return minimum + self.lighter_fraction * span, minimum + self.heavier_fraction * span


@dataclass(frozen=True, slots=True)
class Factor:
    """A mitigating or aggravating circumstance of one item, with its source."""

    code: str
    label: str
    effect: Effect
    source: str


@dataclass(frozen=True, slots=True)
class Precondition:
    """Must hold before any fine: e.g. 拒不改正, 超过排放标准."""

    code: str
    label: str
    source: str


@dataclass(frozen=True, slots=True)
class Escalation:
    """A heavier measure once ``condition`` holds, e.g. 拒不改正 → 责令停业整治."""

    condition: str
    measure: str
    source: str
    penalty_type: PenaltyType | None = None


@dataclass(frozen=True, slots=True)
class FirstViolation:
    """首违不罚清单 entry: conditions besides 第三十三条's, and the days allowed to correct."""

    conditions: tuple[str, ...] = ()
    correction_days: int = 0
    source: str = ""


@dataclass(frozen=True, slots=True)
class Tier:
    """One 裁量档次: the circumstances that select it and its sub-range in the range's unit.

    Graded tiers: the first (从轻) is [min, max], the next ones (min, max]. 减轻 is [min, max]
    below the statutory minimum. 不予处罚 has no range.
    """

    level: TierLevel
    conditions: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class StatutoryRange:
    """The fine a 处罚依据 allows for some party kinds (and circumstances, and base band).

    ``minimum``/``maximum`` are yuan (FIXED), times the base (MULTIPLE) or percent of the base
    (PERCENTAGE); ``floor``/``ceiling`` are absolute yuan limits. ``base_from``/``base_below``
    restrict the range to a band of the base (食品安全法第一百二十二条: 货值不足一万元 / 一万元以上);
    ``when`` lists the circumstances that select it (无法采取改正措施, 逾期不改正 …).
    ``penalty_types`` are imposed together; with ``warning_alternative`` a 警告 may replace the
    fine (处警告或者五百元以下罚款); ``fine_optional`` means 可以处.
    """

    party_kinds: frozenset[PartyKind]
    kind: RangeKind
    minimum: Decimal
    maximum: Decimal
    citation: str
    base: BaseKind | None = None
    floor: Decimal | None = None
    ceiling: Decimal | None = None
    base_from: Decimal | None = None
    base_below: Decimal | None = None
    when: tuple[str, ...] = ()
    penalty_types: tuple[PenaltyType, ...] = (PenaltyType.FINE,)
    warning_alternative: bool = False
    fine_optional: bool = False
    tiers: tuple[Tier, ...] = ()

    def tier(self, level: TierLevel) -> Tier | None:
        return next((t for t in self.tiers if t.level is level), None)

    def unit_text(self, value: Decimal) -> str:
        if self.kind is RangeKind.FIXED:
            return _yuan(value)
        base = self.base.label if self.base else "基数"
        if self.kind is RangeKind.MULTIPLE:
            return f"{base}的{_num(value)}倍"
        return f"{base}的{_num(value)}%"

    @property
    def needs_base(self) -> bool:
        return self.kind is not RangeKind.FIXED or self.base_from is not None or self.base_below is not None

    @property
    def describe(self) -> str:
        kinds = "、".join(k.label for k in sorted(self.party_kinds))
        if self.minimum == 0:
            amount = f"{self.unit_text(self.maximum)}以下罚款"
        else:
            amount = f"{self.unit_text(self.minimum)}以上{self.unit_text(self.maximum)}以下罚款"
        if self.warning_alternative:
            amount = f"警告或者{amount}"
        return f"{kinds}：{amount}"


@dataclass(frozen=True, slots=True)
class ItemEntry:
    """One 执法事项 of a benchmark (PROCEDURE.md section 3)."""

    item_code: str
    name: str
    department: str
    violation_basis: tuple[str, ...]
    penalty_basis: tuple[str, ...]
    party_kinds: frozenset[PartyKind]
    penalty_types: tuple[PenaltyType, ...] = ()
    ranges: tuple[StatutoryRange, ...] = ()
    delegated_to_township: bool = False
    delegation_document: str = ""
    measures: tuple[str, ...] = ()
    preconditions: tuple[Precondition, ...] = ()
    factors: tuple[Factor, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    first_violation: FirstViolation | None = None
    evidence_checklist: tuple[str, ...] = ()
    inspection_items: tuple[str, ...] = ()
    sample: bool = False
    note: str = ""

    @property
    def title(self) -> str:
        return f"{self.item_code}（{self.name}）"

    def known_codes(self) -> frozenset[str]:
        """Every circumstance code this item understands."""
        codes = set(STATUTORY_CIRCUMSTANCES)
        codes.update(f.code for f in self.factors)
        codes.update(p.code for p in self.preconditions)
        codes.update(e.condition for e in self.escalations)
        if self.first_violation is not None:
            codes.update(self.first_violation.conditions)
        for r in self.ranges:
            codes.update(r.when)
        return frozenset(codes)

    def circumstance_label(self, code: str) -> str:
        if code in STATUTORY_CIRCUMSTANCES:
            return STATUTORY_CIRCUMSTANCES[code].label
        for f in self.factors:
            if f.code == code:
                return f.label
        for p in self.preconditions:
            if p.code == code:
                return p.label
        return code

    def to_enforcement_item(self, item_id: str) -> EnforcementItem:
        """The 事项目录 record this entry describes."""
        return EnforcementItem(
            id=item_id,
            code=self.item_code,
            name=self.name,
            department=self.department,
            violation_basis="；".join(self.violation_basis),
            penalty_basis="；".join(self.penalty_basis),
            delegated_to_township=self.delegated_to_township,
            delegation_document=self.delegation_document,
            is_sample=self.sample,
        )


@dataclass(frozen=True, slots=True)
class Benchmark:
    """A published 裁量基准: its items and where it stands in the hierarchy."""

    id: str
    name: str
    version: str
    publisher: str
    document_number: str
    level: BenchmarkLevel
    items: tuple[ItemEntry, ...]
    parent_id: str | None = None
    region: str = ""
    effective_on: dt.date | None = None
    convention: TierConvention = field(default_factory=TierConvention)
    sample: bool = False

    def item(self, code: str) -> ItemEntry | None:
        return next((i for i in self.items if i.item_code == code), None)


def convention_tiers(
    minimum: Decimal,
    maximum: Decimal,
    convention: TierConvention | None = None,
    conditions: Mapping[TierLevel, Sequence[str]] | None = None,
) -> tuple[Tier, Tier, Tier]:
    """从轻/一般/从重 of [minimum, maximum] by the convention (default 0.3 / 0.7)."""
    low, high = (convention or TierConvention()).bounds(minimum, maximum)
    cond = conditions or {}
    return (
        Tier(TierLevel.LIGHTER, tuple(cond.get(TierLevel.LIGHTER, ())), minimum, _clean(low)),
        Tier(TierLevel.GENERAL, tuple(cond.get(TierLevel.GENERAL, ())), _clean(low), _clean(high)),
        Tier(TierLevel.HEAVIER, tuple(cond.get(TierLevel.HEAVIER, ())), _clean(high), maximum),
    )


# ============================================================================ helpers


def _clean(value: Decimal) -> Decimal:
    """Drop trailing zeros without exponent notation (18500.0 → 18500)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def _num(value: Decimal) -> str:
    return format(_clean(value), "f")


def _yuan(amount: Decimal) -> str:
    q = amount.quantize(_CENT)
    text = f"{q:,}"
    return (text[:-3] if text.endswith(".00") else text) + "元"


def _span(tier: Tier) -> str:
    return f"{_num(tier.minimum or Decimal(0))}—{_num(tier.maximum or Decimal(0))}"


# ============================================================================ validation


@dataclass(frozen=True, slots=True)
class BenchmarkProblem:
    """A reason to refuse a benchmark: the item, the field and a Chinese message."""

    item_code: str
    field: str
    message: str


class BenchmarkInvalid(FieldError):
    """A benchmark that fails validation; ``problems`` lists every finding."""

    code = "invalid_benchmark"

    def __init__(self, problems: Sequence[BenchmarkProblem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        more = f"（另有{len(self.problems) - 1}处问题）" if len(self.problems) > 1 else ""
        super().__init__(
            f"{first.item_code}.{first.field}" if first.item_code else first.field,
            f"裁量基准未通过校验：{first.message}{more}",
            "\n".join(p.message for p in self.problems),
        )


def _citation_ok(text: str) -> bool:
    found = find_citations(text)
    return bool(found) and all(not c.needs_context for c in found)


def _check_citation(
    problems: list[BenchmarkProblem], item: ItemEntry, field_name: str, what: str, text: str
) -> None:
    if not _citation_ok(text):
        problems.append(
            BenchmarkProblem(
                item.item_code,
                field_name,
                f"事项{item.title}的{what}“{text}”不是可识别的法条引用，应写明《法律名称》第某条。",
            )
        )


def _validate_range(
    problems: list[BenchmarkProblem], item: ItemEntry, index: int, rng: StatutoryRange, top_level: bool
) -> None:
    where = f"ranges[{index}]"
    title = f"事项{item.title}的处罚幅度（{rng.describe}）"

    def add(field_name: str, message: str) -> None:
        problems.append(BenchmarkProblem(item.item_code, f"{where}.{field_name}", message))

    if not rng.party_kinds <= item.party_kinds:
        add("party_kinds", f"{title}适用的当事人类别不在事项的当事人类别之内。")
    if rng.minimum < 0 or rng.maximum < 0:
        add("min", f"{title}不能为负数。")
    if rng.minimum > rng.maximum:
        add("min", f"事项{item.title}的法定幅度下限{_num(rng.minimum)}大于上限{_num(rng.maximum)}。")
    if rng.kind is not RangeKind.FIXED and rng.base is None:
        add("base", f"{title}按{rng.kind.label}计算，须指明计算基数（货值金额、违法所得、工程造价等）。")
    if (rng.base_from is not None or rng.base_below is not None) and rng.base is None:
        add("base", f"{title}按基数分段适用，须指明计算基数。")
    if rng.floor is not None and rng.ceiling is not None and rng.floor > rng.ceiling:
        add("floor", f"{title}的最低限额{_yuan(rng.floor)}高于最高限额{_yuan(rng.ceiling)}。")
    _check_citation(problems, item, f"{where}.citation", "处罚幅度依据", rng.citation)
    known = item.known_codes()
    for code in rng.when:
        if code not in known:
            add("when", f"{title}的适用情形“{code}”未定义。")

    levels = [t.level for t in rng.tiers]
    for level in set(levels):
        if levels.count(level) > 1:
            add("tiers", f"事项{item.title}的“{level.label}”档重复。")
    for t in rng.tiers:
        tname = f"事项{item.title}的“{t.level.label}”档"
        for code in t.conditions:
            if code not in known:
                add("tiers", f"{tname}的情节“{code}”未定义（应为法定情节或本事项的情节、前提条件）。")
        if t.level is TierLevel.NO_PENALTY:
            if t.minimum is not None or t.maximum is not None:
                add("tiers", f"{tname}不应设罚款幅度。")
            if not t.conditions or not set(t.conditions) <= _NO_PENALTY_CODES:
                add("tiers", f"{tname}的情节应为《行政处罚法》第三十条、第三十一条、第三十三条规定的情形。")
            continue
        if t.minimum is None or t.maximum is None:
            add("tiers", f"{tname}缺少幅度（min、max）。")
            continue
        if t.minimum > t.maximum:
            add("tiers", f"{tname}下限{_num(t.minimum)}大于上限{_num(t.maximum)}。")
            continue
        if t.level is TierLevel.MITIGATED:
            if rng.minimum <= 0:
                add("tiers", f"{tname}无从设置：法定幅度没有最低限额，不存在低于下限的减轻处罚。")
            elif t.maximum > rng.minimum or t.minimum < 0:
                add(
                    "tiers",
                    f"{tname}（{_span(t)}）应低于法定最低限额{_num(rng.minimum)}（减轻处罚是在法定幅度以下处罚）。",
                )
            if not set(t.conditions) & MITIGATION_CODES:
                add(
                    "tiers",
                    f"{tname}须以《行政处罚法》第三十条、第三十一条或者第三十二条规定的情形为条件。",
                )
            continue
        if t.minimum < rng.minimum or t.maximum > rng.maximum:
            add(
                "tiers",
                f"{tname}（{_span(t)}）超出法定幅度（{_num(rng.minimum)}—{_num(rng.maximum)}）。",
            )

    graded = sorted(
        (t for t in rng.tiers if t.level in GRADED and t.minimum is not None and t.maximum is not None),
        key=lambda t: GRADED.index(t.level),
    )
    for prev, nxt in pairwise(graded):
        assert prev.maximum is not None and nxt.minimum is not None
        if nxt.minimum > prev.maximum:
            add(
                "tiers",
                f"事项{item.title}的“{prev.level.label}”档与“{nxt.level.label}”档之间有空档"
                f"（{_num(prev.maximum)}至{_num(nxt.minimum)}）。",
            )
        elif nxt.minimum < prev.maximum:
            add(
                "tiers",
                f"事项{item.title}的“{prev.level.label}”档与“{nxt.level.label}”档重叠"
                f"（{_num(nxt.minimum)}至{_num(prev.maximum)}）。",
            )
    if top_level and graded:
        first, last = graded[0], graded[-1]
        if first.minimum is not None and first.minimum > rng.minimum:
            add(
                "tiers",
                f"事项{item.title}的“{first.level.label}”档从{_num(first.minimum)}起，"
                f"与法定下限{_num(rng.minimum)}之间有空档。",
            )
        if last.maximum is not None and last.maximum < rng.maximum:
            add(
                "tiers",
                f"事项{item.title}的“{last.level.label}”档止于{_num(last.maximum)}，"
                f"与法定上限{_num(rng.maximum)}之间有空档。",
            )


def validate_benchmark(benchmark: Benchmark) -> list[BenchmarkProblem]:
    """Every problem of one benchmark (empty when it is sound).

    Refused: duplicate item codes; min > max; overlapping or gapped graded tiers (for a benchmark
    without a parent also a gap to either end of the statutory range); a graded tier outside the
    statutory range; 减轻 not below the minimum or without a 第三十条/第三十一条/第三十二条
    circumstance; unknown circumstance codes; citations that name no law.
    """
    problems: list[BenchmarkProblem] = []
    seen: set[str] = set()
    top_level = benchmark.parent_id is None
    for item in benchmark.items:
        if not item.item_code.strip():
            problems.append(BenchmarkProblem("", "item_code", f"事项“{item.name}”缺少事项编码。"))
        elif item.item_code in seen:
            problems.append(
                BenchmarkProblem(
                    item.item_code, "item_code", f"事项编码{item.item_code}重复（{item.name}）。"
                )
            )
        seen.add(item.item_code)
        if not item.party_kinds:
            problems.append(
                BenchmarkProblem(item.item_code, "party_kinds", f"事项{item.title}未指明当事人类别。")
            )
        for what, name, texts in (
            ("违法依据", "violation_basis", item.violation_basis),
            ("处罚依据", "penalty_basis", item.penalty_basis),
        ):
            if not texts:
                problems.append(BenchmarkProblem(item.item_code, name, f"事项{item.title}缺少{what}。"))
            for text in texts:
                _check_citation(problems, item, name, what, text)
        for f in item.factors:
            _check_citation(problems, item, "factors", f"情节“{f.label}”的依据", f.source)
        for p in item.preconditions:
            _check_citation(problems, item, "preconditions", f"前提条件“{p.label}”的依据", p.source)
        for e in item.escalations:
            _check_citation(problems, item, "escalations", f"“{e.measure}”的依据", e.source)
        fv = item.first_violation
        if fv is not None:
            if fv.correction_days < 0:
                problems.append(
                    BenchmarkProblem(
                        item.item_code, "first_violation", f"事项{item.title}的改正期限不能为负数。"
                    )
                )
            if fv.source:
                _check_citation(problems, item, "first_violation", "首违不罚依据", fv.source)
            unknown = [c for c in fv.conditions if c not in item.known_codes()]
            if unknown:
                problems.append(
                    BenchmarkProblem(
                        item.item_code, "first_violation", f"事项{item.title}的首违不罚条件{unknown}未定义。"
                    )
                )
        keys: set[tuple[PartyKind, tuple[str, ...], Decimal | None, Decimal | None]] = set()
        for index, rng in enumerate(item.ranges):
            _validate_range(problems, item, index, rng, top_level)
            for kind in rng.party_kinds:
                key = (kind, tuple(sorted(rng.when)), rng.base_from, rng.base_below)
                if key in keys:
                    problems.append(
                        BenchmarkProblem(
                            item.item_code,
                            f"ranges[{index}]",
                            f"事项{item.title}对{kind.label}有两个适用条件相同的处罚幅度。",
                        )
                    )
                keys.add(key)
    return problems


def check_refinement(child: Benchmark, parent: Benchmark) -> list[BenchmarkProblem]:
    """Conflicts of a refining benchmark with the one it refines (PROCEDURE.md section 3).

    The child must name the parent, sit at a lower level, keep each statutory range, and keep
    each tier inside the parent's tier of the same level (a level the parent lacks is a
    conflict). Items the parent lacks are the child's own and are not compared.
    """
    problems: list[BenchmarkProblem] = []
    if child.parent_id != parent.id:
        problems.append(
            BenchmarkProblem("", "parent_id", f"裁量基准“{child.name}”的上级基准不是“{parent.name}”。")
        )
    if child.level.rank <= parent.level.rank:
        problems.append(
            BenchmarkProblem(
                "",
                "level",
                f"裁量基准“{child.name}”（{child.level.label}）不低于其上级“{parent.name}”"
                f"（{parent.level.label}），不能细化。",
            )
        )
    for item in child.items:
        upper = parent.item(item.item_code)
        if upper is None:
            continue
        for index, rng in enumerate(item.ranges):
            twin = next(
                (
                    r
                    for r in upper.ranges
                    if r.party_kinds == rng.party_kinds
                    and set(r.when) == set(rng.when)
                    and (r.base_from, r.base_below) == (rng.base_from, rng.base_below)
                ),
                None,
            )
            where = f"ranges[{index}]"
            if twin is None:
                problems.append(
                    BenchmarkProblem(
                        item.item_code,
                        where,
                        f"事项{item.title}的处罚幅度（{rng.describe}）在上级基准中没有对应。",
                    )
                )
                continue
            if (twin.kind, twin.minimum, twin.maximum, twin.base) != (
                rng.kind,
                rng.minimum,
                rng.maximum,
                rng.base,
            ):
                problems.append(
                    BenchmarkProblem(
                        item.item_code,
                        where,
                        f"事项{item.title}的法定幅度（{rng.describe}）与上级基准（{twin.describe}）不一致。",
                    )
                )
            for tier in rng.tiers:
                other = twin.tier(tier.level)
                tname = f"事项{item.title}的“{tier.level.label}”档"
                if other is None:
                    problems.append(
                        BenchmarkProblem(
                            item.item_code,
                            f"{where}.tiers",
                            f"{tname}在上级基准“{parent.name}”中没有对应档次。",
                        )
                    )
                    continue
                if (
                    tier.minimum is None
                    or tier.maximum is None
                    or other.minimum is None
                    or other.maximum is None
                ):
                    continue
                if tier.minimum < other.minimum or tier.maximum > other.maximum:
                    problems.append(
                        BenchmarkProblem(
                            item.item_code,
                            f"{where}.tiers",
                            f"{tname}（{_span(tier)}）超出上级基准“{parent.name}”的同一档次（{_span(other)}）。",
                        )
                    )
    return problems


# ============================================================================ the calculator


@dataclass(frozen=True, slots=True)
class Explanation:
    """One line of the reasoning, with the article it rests on."""

    text: str
    citation: str

    @property
    def line(self) -> str:
        return f"{self.text}（依据：{self.citation}）"


@dataclass(frozen=True, slots=True)
class Deviation:
    """A W17 finding about the proposed fine."""

    kind: DeviationKind
    severity: Severity
    message: str
    citation: str
    reason_required: bool = False


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the benchmark says for one case (see :func:`assess`)."""

    item_code: str
    party_kind: PartyKind
    statutory_range: StatutoryRange | None
    statutory_yuan: tuple[Decimal, Decimal] | None
    tier: Tier | None
    tier_yuan: tuple[Decimal, Decimal] | None
    fine_possible: bool
    unmet_preconditions: tuple[Precondition, ...]
    escalations: tuple[Escalation, ...]
    mandatory_no_penalty: bool
    first_violation_eligible: bool
    simple_procedure_possible: bool
    hearing_triggered: bool
    hearing_possible: bool
    review_required: bool
    base_missing: BaseKind | None
    explanations: tuple[Explanation, ...]
    deviations: tuple[Deviation, ...]

    @property
    def tier_level(self) -> TierLevel | None:
        return None if self.tier is None else self.tier.level

    @property
    def severity(self) -> Severity:
        return max((d.severity for d in self.deviations), default=Severity.OK)

    @property
    def deviation_kinds(self) -> frozenset[DeviationKind]:
        return frozenset(d.kind for d in self.deviations)


def _to_yuan(rng: StatutoryRange, value: Decimal, base: Decimal | None) -> Decimal | None:
    if rng.kind is RangeKind.FIXED:
        amount = value
    elif base is None:
        return None
    elif rng.kind is RangeKind.MULTIPLE:
        amount = value * base
    else:
        amount = value * base / _HUNDRED
    if rng.floor is not None:
        amount = max(amount, rng.floor)
    if rng.ceiling is not None:
        amount = min(amount, rng.ceiling)
    return amount.quantize(_CENT)


def _pick_range(
    item: ItemEntry, party: PartyKind, chosen: frozenset[str], base: Decimal | None
) -> tuple[StatutoryRange | None, BaseKind | None]:
    candidates = [r for r in item.ranges if party in r.party_kinds and set(r.when) <= chosen]
    if not candidates:
        return None, None
    banded = [r for r in candidates if r.base_from is not None or r.base_below is not None]
    if banded and base is None:
        return None, banded[0].base
    if base is not None:
        candidates = [
            r
            for r in candidates
            if (r.base_from is None or base >= r.base_from) and (r.base_below is None or base < r.base_below)
        ]
    if not candidates:
        return None, None
    best = max(len(r.when) for r in candidates)
    return next(r for r in candidates if len(r.when) == best), None


def _select_tier(
    item: ItemEntry, rng: StatutoryRange, chosen: frozenset[str]
) -> tuple[Tier | None, list[Explanation]]:
    notes: list[Explanation] = []
    effects = {f.code: f.effect for f in item.factors}
    effects.update({c.code: c.effect for c in STATUTORY_CIRCUMSTANCES.values()})
    mitigated = rng.tier(TierLevel.MITIGATED)
    lighter, heavier = rng.tier(TierLevel.LIGHTER), rng.tier(TierLevel.HEAVIER)
    mitigating = {c for c in chosen if effects.get(c) is Effect.MITIGATING}
    if lighter is not None:
        mitigating |= chosen & set(lighter.conditions)
    aggravating = {c for c in chosen if effects.get(c) is Effect.AGGRAVATING}
    if heavier is not None:
        aggravating |= chosen & set(heavier.conditions)
    labels = item.circumstance_label
    if mitigated is not None and chosen & set(mitigated.conditions):
        codes = sorted(chosen & set(mitigated.conditions))
        notes.append(
            Explanation(
                f"具有{'、'.join(labels(c) for c in codes)}情节，适用“减轻”档，在法定最低限额以下处罚",
                _art("第三十二条")
                if set(codes) & set(MITIGATING_CIRCUMSTANCES)
                else _art("第三十条、第三十一条"),
            )
        )
        if aggravating:
            notes.append(
                Explanation(
                    f"同时具有{'、'.join(labels(c) for c in sorted(aggravating))}情节，减轻处罚时应一并说明",
                    _art("第三十四条"),
                )
            )
        return mitigated, notes
    if mitigating and aggravating:
        notes.append(
            Explanation(
                f"从轻情节（{'、'.join(labels(c) for c in sorted(mitigating))}）与从重情节"
                f"（{'、'.join(labels(c) for c in sorted(aggravating))}）并存，"
                "按裁量基准综合裁量，适用“一般”档",
                _art("第三十四条"),
            )
        )
        return rng.tier(TierLevel.GENERAL), notes
    if aggravating:
        notes.append(
            Explanation(
                f"具有{'、'.join(labels(c) for c in sorted(aggravating))}情节，适用“从重”档",
                _art("第四十九条") if "emergency" in aggravating else _art("第三十四条"),
            )
        )
        return heavier, notes
    if mitigating:
        law = [c for c in mitigating if c in MITIGATION_CODES]
        notes.append(
            Explanation(
                f"具有{'、'.join(labels(c) for c in sorted(mitigating))}情节，适用“从轻”档",
                _art("第三十二条") if law else _art("第三十四条"),
            )
        )
        return lighter, notes
    notes.append(Explanation("无法定或者基准规定的从轻、从重情节，适用“一般”档", _art("第三十四条")))
    return rng.tier(TierLevel.GENERAL), notes


def _mandatory_no_penalty(chosen: frozenset[str]) -> Explanation | None:
    for code, (text, article) in _ALONE_NO_PENALTY.items():
        if code in chosen:
            return Explanation(text, _art(article))
    if chosen >= MINOR_SET:
        return Explanation(
            "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚", _art("第三十三条第一款")
        )
    return None


def assess(
    item: ItemEntry,
    party_kind: PartyKind,
    circumstances: Iterable[str] = (),
    *,
    base: Decimal | None = None,
    proposed_fine: Decimal | None = None,
    config: ProcedureConfig | None = None,
    major: bool = False,
    complex_case: bool = False,
    public_interest: bool = False,
) -> Assessment:
    """Apply the benchmark entry ``item`` to one case.

    ``circumstances`` are codes (:data:`STATUTORY_CIRCUMSTANCES`, the item's factors,
    preconditions, escalation conditions, range ``when`` codes); ``base`` is the amount a
    multiple/percentage is taken of; ``proposed_fine`` (yuan, 0 = no fine) is checked as W17 does.
    ``major``/``complex_case``/``public_interest`` are the 第五十八条 flags for 法制审核.
    """
    cfg = config or ProcedureConfig()
    chosen = frozenset(circumstances)
    unknown = sorted(chosen - item.known_codes())
    if unknown:
        raise FieldError("circumstances", f"事项{item.title}没有这些情节：{'、'.join(unknown)}。")
    if party_kind not in item.party_kinds:
        raise FieldError(
            "party_kind", f"事项{item.title}不适用于{party_kind.label}。", "请核对当事人类别或者执法事项。"
        )
    if base is not None and base < 0:
        raise FieldError("base", "计算基数不能为负数。")
    if proposed_fine is not None and proposed_fine < 0:
        raise FieldError("proposed_fine", "拟罚款金额不能为负数。")
    notes: list[Explanation] = []
    deviations: list[Deviation] = []
    fined = proposed_fine is not None and proposed_fine > 0
    basis = "；".join(item.penalty_basis)

    # 不予处罚 (第三十条、第三十一条、第三十三条)
    no_penalty = _mandatory_no_penalty(chosen)
    first_ok = chosen >= FIRST_VIOLATION_SET and (
        item.first_violation is None or set(item.first_violation.conditions) <= chosen
    )
    first_eligible = no_penalty is None and first_ok
    if no_penalty is not None:
        notes.append(no_penalty)
    elif first_eligible:
        days = item.first_violation.correction_days if item.first_violation else 0
        within = f"（首违不罚清单：{days}日内改正）" if days else ""
        notes.append(
            Explanation(
                f"初次违法且危害后果轻微并及时改正{within}，可以不予行政处罚（首违不罚）；如仍予处罚，应写明理由",
                _art("第三十三条第一款"),
            )
        )

    # Preconditions
    unmet = tuple(p for p in item.preconditions if p.code not in chosen)
    for p in unmet:
        notes.append(Explanation(f"尚不具备处罚条件：须“{p.label}”，在此之前不得罚款", p.source))
    escalations = tuple(e for e in item.escalations if e.condition in chosen)
    for e in escalations:
        notes.append(Explanation(f"具有“{item.circumstance_label(e.condition)}”情形：{e.measure}", e.source))

    # Range and tier
    rng, base_missing = _pick_range(item, party_kind, chosen, base)
    if rng is not None and rng.kind is not RangeKind.FIXED and base is None:
        base_missing = rng.base
    if base_missing is not None:
        notes.append(
            Explanation(
                f"罚款幅度按{base_missing.label}计算，请填写{base_missing.label}", basis or _art("第三十四条")
            )
        )
    statutory_yuan: tuple[Decimal, Decimal] | None = None
    tier: Tier | None = None
    tier_yuan: tuple[Decimal, Decimal] | None = None
    if no_penalty is not None:
        tier = (rng.tier(TierLevel.NO_PENALTY) if rng else None) or Tier(TierLevel.NO_PENALTY)
    elif rng is not None:
        low, high = _to_yuan(rng, rng.minimum, base), _to_yuan(rng, rng.maximum, base)
        if low is not None and high is not None:
            statutory_yuan = (low, high)
            within = "" if rng.kind is RangeKind.FIXED else f"，本案为{_yuan(low)}至{_yuan(high)}"
            notes.append(Explanation(f"法定罚款幅度：{rng.describe}{within}", rng.citation))
        tier, why = _select_tier(item, rng, chosen)
        notes.extend(why)
        if tier is not None and tier.minimum is not None and tier.maximum is not None:
            t_low, t_high = _to_yuan(rng, tier.minimum, base), _to_yuan(rng, tier.maximum, base)
            if t_low is not None and t_high is not None:
                tier_yuan = (t_low, t_high)
                units = (
                    ""
                    if rng.kind is RangeKind.FIXED
                    else f"（{rng.unit_text(tier.minimum)}至{rng.unit_text(tier.maximum)}）"
                )
                notes.append(
                    Explanation(
                        f"“{tier.level.label}”档罚款幅度{_yuan(t_low)}至{_yuan(t_high)}{units}（裁量基准）",
                        _art("第三十四条"),
                    )
                )
    elif base_missing is None and item.ranges:
        notes.append(
            Explanation(f"本事项对{party_kind.label}的情形没有规定罚款", basis or _art("第三十四条"))
        )
    elif not item.ranges:
        measures = "、".join(item.measures) if item.measures else "法定措施"
        notes.append(Explanation(f"本事项法定处理为{measures}，不设罚款", basis or _art("第三十四条")))

    fine_possible = no_penalty is None and not unmet and rng is not None

    # P01 simple procedure
    penalties: set[PenaltyType] = set(rng.penalty_types) if rng is not None else set()
    penalties |= {e.penalty_type for e in escalations if e.penalty_type is not None}
    limit = (
        cfg.simple_fine_limit_person if party_kind is PartyKind.PERSON else cfg.simple_fine_limit_organisation
    )
    others = penalties - {PenaltyType.FINE, PenaltyType.WARNING}
    simple = False
    if fine_possible and rng is not None and not others:
        warning_ok = rng.warning_alternative or (rng.fine_optional and PenaltyType.WARNING in penalties)
        if proposed_fine is not None:
            lawful = statutory_yuan is None or proposed_fine <= statutory_yuan[1]
            if statutory_yuan is not None and 0 < proposed_fine < statutory_yuan[0]:
                lawful = bool(chosen & MITIGATION_CODES)
            simple = (
                lawful and proposed_fine <= limit and (proposed_fine > 0 or warning_ok or rng.fine_optional)
            )
        elif tier_yuan is not None:
            simple = tier_yuan[0] <= limit or warning_ok
        else:
            simple = warning_ok
    cite51 = _art("第五十一条")
    if simple:
        notes.append(
            Explanation(
                f"可以适用简易程序当场处罚：警告或者对{party_kind.label}处以{_yuan(limit)}以下罚款", cite51
            )
        )
    elif fine_possible:
        why_not = (
            f"处罚含{'、'.join(sorted(p.label for p in others))}" if others else f"罚款超过{_yuan(limit)}"
        )
        notes.append(Explanation(f"不适用简易程序（{why_not}），应当适用普通程序", cite51))

    # P12 hearing
    kind_value = "person" if party_kind is PartyKind.PERSON else "organisation"
    types = [p.value for p in penalties]
    if proposed_fine is not None:
        amount_low = amount_high = proposed_fine
    elif tier_yuan is not None:
        amount_low, amount_high = tier_yuan
    else:
        amount_low = amount_high = Decimal(0)
    hearing = fine_possible and hearing_triggered(
        {"penalty_types": types, "fine": amount_low, "party_kind": kind_value}, cfg
    )
    hearing_maybe = fine_possible and hearing_triggered(
        {"penalty_types": types, "fine": amount_high, "party_kind": kind_value}, cfg
    )
    threshold = (
        cfg.hearing_threshold_person if party_kind is PartyKind.PERSON else cfg.hearing_threshold_organisation
    )
    cite63 = _art("第六十三条")
    if hearing:
        notes.append(
            Explanation(f"应当告知听证权利（较大数额罚款为{_yuan(threshold)}以上，或者处罚种类较重）", cite63)
        )
    elif hearing_maybe:
        notes.append(Explanation(f"罚款达到{_yuan(threshold)}以上的，应当告知听证权利", cite63))

    # P10 法制审核
    review = fine_possible and review_required(
        {"major": major, "complex": complex_case, "public_interest": public_interest}, cfg
    )
    if review:
        reason = "本省规定普通程序案件均须法制审核" if cfg.review_all else "涉及重大公共利益或者案件疑难复杂"
        notes.append(Explanation(f"按普通程序作出决定前须经法制审核（{reason}）", _art("第五十八条")))

    # W17
    if fined and proposed_fine is not None:
        deviations.extend(
            _deviations(item, chosen, proposed_fine, rng, statutory_yuan, tier, tier_yuan, no_penalty, unmet)
        )
        if first_eligible:
            deviations.append(
                Deviation(
                    DeviationKind.FIRST_VIOLATION_FINED,
                    Severity.YELLOW,
                    "符合首违不罚条件仍拟罚款，须书面说明理由。",
                    _art("第三十三条第一款"),
                    reason_required=True,
                )
            )
    return Assessment(
        item_code=item.item_code,
        party_kind=party_kind,
        statutory_range=rng,
        statutory_yuan=statutory_yuan,
        tier=tier,
        tier_yuan=tier_yuan,
        fine_possible=fine_possible,
        unmet_preconditions=unmet,
        escalations=escalations,
        mandatory_no_penalty=no_penalty is not None,
        first_violation_eligible=first_eligible,
        simple_procedure_possible=simple,
        hearing_triggered=hearing,
        hearing_possible=hearing_maybe,
        review_required=review,
        base_missing=base_missing,
        explanations=tuple(notes),
        deviations=tuple(deviations),
    )


def _deviations(
    item: ItemEntry,
    chosen: frozenset[str],
    fine: Decimal,
    rng: StatutoryRange | None,
    statutory_yuan: tuple[Decimal, Decimal] | None,
    tier: Tier | None,
    tier_yuan: tuple[Decimal, Decimal] | None,
    no_penalty: Explanation | None,
    unmet: tuple[Precondition, ...],
) -> list[Deviation]:
    amount = _yuan(fine)
    if no_penalty is not None:
        return [
            Deviation(
                DeviationKind.MANDATORY_NO_PENALTY_FINED,
                Severity.RED,
                f"依法应当不予行政处罚，却拟罚款{amount}。",
                no_penalty.citation,
            )
        ]
    out: list[Deviation] = []
    if unmet:
        out.append(
            Deviation(
                DeviationKind.PRECONDITION_UNMET,
                Severity.RED,
                f"尚不具备罚款条件（{'、'.join(p.label for p in unmet)}），却拟罚款{amount}。",
                unmet[0].source,
            )
        )
    if rng is None:
        if not item.ranges:
            out.append(
                Deviation(
                    DeviationKind.OUTSIDE_STATUTORY,
                    Severity.RED,
                    f"事项{item.title}的法定处理不含罚款，却拟罚款{amount}。",
                    "；".join(item.penalty_basis),
                )
            )
        return out
    if statutory_yuan is None:
        return out
    low, high = statutory_yuan
    cite = rng.citation
    if fine > high:
        out.append(
            Deviation(
                DeviationKind.OUTSIDE_STATUTORY,
                Severity.RED,
                f"拟罚款{amount}超过法定最高限额{_yuan(high)}。",
                cite,
            )
        )
        return out
    if fine < low:
        in_mitigated = tier is not None and tier.level is TierLevel.MITIGATED and tier_yuan is not None
        if in_mitigated and tier_yuan is not None and tier_yuan[0] <= fine <= tier_yuan[1]:
            out.append(
                Deviation(
                    DeviationKind.INSIDE_TIER,
                    Severity.OK,
                    f"拟罚款{amount}在“减轻”档内。",
                    _art("第三十二条"),
                )
            )
            return out
        if chosen & MITIGATION_CODES:
            out.append(
                Deviation(
                    DeviationKind.OUTSIDE_TIER,
                    Severity.YELLOW,
                    f"拟罚款{amount}低于法定最低限额{_yuan(low)}（减轻处罚），"
                    "但不在裁量基准的减轻档内，须书面说明理由。",
                    _art("第三十二条、第三十四条"),
                    reason_required=True,
                )
            )
        else:
            out.append(
                Deviation(
                    DeviationKind.OUTSIDE_STATUTORY,
                    Severity.RED,
                    f"拟罚款{amount}低于法定最低限额{_yuan(low)}，且没有第三十条、第三十二条规定的减轻情节。",
                    f"{cite}；{_art('第三十二条')}",
                )
            )
        return out
    if tier_yuan is not None and tier is not None and _in_tier(rng, tier, tier_yuan, fine):
        out.append(
            Deviation(
                DeviationKind.INSIDE_TIER, Severity.OK, f"拟罚款{amount}在“{tier.level.label}”档内。", cite
            )
        )
    elif tier_yuan is not None and tier is not None:
        out.append(
            Deviation(
                DeviationKind.OUTSIDE_TIER,
                Severity.YELLOW,
                f"拟罚款{amount}在法定幅度内，但不在“{tier.level.label}”档（{_yuan(tier_yuan[0])}至"
                f"{_yuan(tier_yuan[1])}），须书面说明理由。",
                _art("第三十四条"),
                reason_required=True,
            )
        )
    return out


def _in_tier(rng: StatutoryRange, tier: Tier, tier_yuan: tuple[Decimal, Decimal], fine: Decimal) -> bool:
    low, high = tier_yuan
    graded = [t for t in rng.tiers if t.level in GRADED]
    first = min(graded, key=lambda t: GRADED.index(t.level)) if graded else None
    closed_below = tier.level is not TierLevel.MITIGATED and (first is None or first.level is tier.level)
    above_low = fine >= low if closed_below or tier.level is TierLevel.MITIGATED else fine > low
    return above_low and fine <= high


# ============================================================================ loading


_TOP_FIELDS = frozenset({"format", "format_version", "benchmarks", "note"})


class _Reader:
    """Reads one JSON object, refusing with the entry code and field in Chinese."""

    def __init__(self, data: Any, where: str, label: str) -> None:
        if not isinstance(data, dict):
            raise FieldError(where, f"{label}应为一个对象。")
        self.data: dict[str, Any] = data
        self.where = where
        self.label = label

    def fail(self, key: str, message: str) -> FieldError:
        return FieldError(f"{self.where}.{key}", f"{self.label}的字段“{key}”{message}")

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, "缺失。")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(key, "应为非空文字。")
        return value.strip()

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "应为 true 或 false。")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "应为文字列表。")
        return tuple(v.strip() for v in value)

    def money(self, key: str, *, required: bool = True) -> Decimal | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, "缺失。")
            return None
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
            raise self.fail(key, f"应为数字（填写为{value!r}）。")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.fail(key, f"应为数字（填写为{value!r}）。") from None
        if not amount.is_finite() or amount < 0:
            raise self.fail(key, f"应为非负数（填写为{value!r}）。")
        return amount

    def integer(self, key: str, default: int = 0) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "应为整数。")
        return value

    def choice(self, key: str, enum_type: type[enum.StrEnum], *, required: bool = True) -> Any:
        value = self.data.get(key)
        if value is None and not required:
            return None
        try:
            return enum_type(str(value)) if isinstance(value, str) else enum_type("\0")
        except ValueError:
            allowed = "、".join(m.value for m in enum_type)
            raise self.fail(key, f"取值“{value}”无效，应为：{allowed}。") from None

    def choices(self, key: str, enum_type: type[enum.StrEnum]) -> tuple[Any, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, "应为列表。")
        out = []
        for v in value:
            try:
                out.append(enum_type(v))
            except ValueError:
                allowed = "、".join(m.value for m in enum_type)
                raise self.fail(key, f"取值“{v}”无效，应为：{allowed}。") from None
        return tuple(out)

    def objects(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, "应为对象列表。")
        return value


def _read_tiers(
    r: _Reader, rng_min: Decimal, rng_max: Decimal, convention: TierConvention
) -> tuple[Tier, ...]:
    tiers = []
    low, high = convention.bounds(rng_min, rng_max)
    defaults = {
        TierLevel.LIGHTER: (rng_min, _clean(low)),
        TierLevel.GENERAL: (_clean(low), _clean(high)),
        TierLevel.HEAVIER: (_clean(high), rng_max),
    }
    for index, raw in enumerate(r.objects("tiers")):
        t = _Reader(raw, f"{r.where}.tiers[{index}]", f"{r.label}的第{index + 1}个档次")
        level: TierLevel = t.choice("level", TierLevel)
        minimum, maximum = t.money("min", required=False), t.money("max", required=False)
        if minimum is None and maximum is None and level in defaults:
            minimum, maximum = defaults[level]
        tiers.append(Tier(level, t.texts("conditions"), minimum, maximum, t.text("note", required=False)))
    return tuple(tiers)


def _read_item(raw: Any, where: str, convention: TierConvention) -> ItemEntry:
    probe = raw.get("item_code", "?") if isinstance(raw, dict) else "?"
    r = _Reader(raw, where, f"事项{probe}")
    code = r.text("item_code")
    r = _Reader(raw, f"{where}[{code}]", f"事项{code}（{raw.get('name', '')}）")
    ranges = []
    for index, rr in enumerate(r.objects("ranges")):
        g = _Reader(rr, f"{r.where}.ranges[{index}]", f"{r.label}的第{index + 1}个处罚幅度")
        minimum, maximum = g.money("min"), g.money("max")
        assert minimum is not None and maximum is not None
        ranges.append(
            StatutoryRange(
                party_kinds=frozenset(g.choices("party_kinds", PartyKind)),
                kind=g.choice("kind", RangeKind),
                minimum=minimum,
                maximum=maximum,
                citation=g.text("citation"),
                base=g.choice("base", BaseKind, required=False),
                floor=g.money("floor", required=False),
                ceiling=g.money("ceiling", required=False),
                base_from=g.money("base_from", required=False),
                base_below=g.money("base_below", required=False),
                when=g.texts("when"),
                penalty_types=g.choices("penalty_types", PenaltyType) or (PenaltyType.FINE,),
                warning_alternative=g.flag("warning_alternative"),
                fine_optional=g.flag("fine_optional"),
                tiers=_read_tiers(g, minimum, maximum, convention),
            )
        )
    preconditions = []
    for index, raw_p in enumerate(r.objects("preconditions")):
        p = _Reader(raw_p, f"{r.where}.preconditions[{index}]", f"{r.label}的前提条件")
        preconditions.append(Precondition(p.text("code"), p.text("label"), p.text("source")))
    factors = []
    for index, raw_f in enumerate(r.objects("factors")):
        f = _Reader(raw_f, f"{r.where}.factors[{index}]", f"{r.label}的情节")
        factors.append(Factor(f.text("code"), f.text("label"), f.choice("effect", Effect), f.text("source")))
    escalations = []
    for index, raw_e in enumerate(r.objects("escalations")):
        e = _Reader(raw_e, f"{r.where}.escalations[{index}]", f"{r.label}的加重措施")
        escalations.append(
            Escalation(
                e.text("condition"),
                e.text("measure"),
                e.text("source"),
                e.choice("penalty_type", PenaltyType, required=False),
            )
        )
    first: FirstViolation | None = None
    if r.data.get("first_violation") is not None:
        fv = _Reader(r.data["first_violation"], f"{r.where}.first_violation", f"{r.label}的首违不罚")
        first = FirstViolation(
            fv.texts("conditions"), fv.integer("correction_days"), fv.text("source", required=False)
        )
    delegation = _Reader(r.data.get("delegation", {}), f"{r.where}.delegation", f"{r.label}的赋权")
    return ItemEntry(
        item_code=code,
        name=r.text("name"),
        department=r.text("department"),
        violation_basis=r.texts("violation_basis"),
        penalty_basis=r.texts("penalty_basis"),
        party_kinds=frozenset(r.choices("party_kinds", PartyKind)),
        penalty_types=r.choices("penalty_types", PenaltyType),
        ranges=tuple(ranges),
        delegated_to_township=delegation.flag("township"),
        delegation_document=delegation.text("document", required=False),
        measures=r.texts("measures"),
        preconditions=tuple(preconditions),
        factors=tuple(factors),
        escalations=tuple(escalations),
        first_violation=first,
        evidence_checklist=r.texts("evidence_checklist"),
        inspection_items=r.texts("inspection_items"),
        sample=r.flag("sample"),
        note=r.text("note", required=False),
    )


def _read_benchmark(raw: Any, index: int) -> Benchmark:
    probe = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
    r = _Reader(raw, f"benchmarks[{probe}]", f"裁量基准{probe}")
    conv_raw = r.data.get("convention") or {}
    c = _Reader(conv_raw, f"{r.where}.convention", f"{r.label}的档次划分")
    convention = TierConvention(
        c.money("lighter_fraction", required=False) or Decimal("0.3"),
        c.money("heavier_fraction", required=False) or Decimal("0.7"),
    )
    effective = r.text("effective_on", required=False)
    try:
        effective_on = dt.date.fromisoformat(effective) if effective else None
    except ValueError:
        raise r.fail("effective_on", f"应为“年-月-日”格式的日期（填写为{effective}）。") from None
    items = tuple(
        _read_item(raw_item, f"{r.where}.items[{i}]", convention)
        for i, raw_item in enumerate(r.objects("items"))
    )
    return Benchmark(
        id=r.text("id"),
        name=r.text("name"),
        version=r.text("version"),
        publisher=r.text("publisher"),
        document_number=r.text("document_number"),
        level=r.choice("level", BenchmarkLevel),
        items=items,
        parent_id=r.text("parent_id", required=False) or None,
        region=r.text("region", required=False),
        effective_on=effective_on,
        convention=convention,
        sample=r.flag("sample"),
    )


def load_benchmarks(text: str) -> list[Benchmark]:
    """Parse and validate a benchmark file (format in docs/DISCRETION.md).

    Raises :class:`~workstation.domain.errors.FieldError` naming the entry and field for a
    malformed value, :class:`BenchmarkInvalid` (every problem listed) when validation fails,
    including conflicts of a refining benchmark with its parent in the same file.
    """
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise FieldError(
            "json", f"裁量基准文件不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）。"
        ) from None
    top = _Reader(data, "file", "裁量基准文件")
    if top.data.get("format") != FORMAT:
        raise top.fail("format", f"应为“{FORMAT}”。")
    if top.integer("format_version") != FORMAT_VERSION:
        raise top.fail("format_version", f"不受支持（本程序支持第{FORMAT_VERSION}版）。")
    extra = sorted(set(top.data) - _TOP_FIELDS)
    if extra:
        raise top.fail(extra[0], "不是裁量基准文件的字段。")
    benchmarks = [_read_benchmark(raw, i) for i, raw in enumerate(top.objects("benchmarks"))]
    problems: list[BenchmarkProblem] = []
    by_id: dict[str, Benchmark] = {}
    for b in benchmarks:
        if b.id in by_id:
            problems.append(BenchmarkProblem("", "id", f"裁量基准编号{b.id}重复。"))
        by_id[b.id] = b
    for b in benchmarks:
        problems.extend(validate_benchmark(b))
        if b.parent_id is not None and b.parent_id in by_id:
            problems.extend(check_refinement(b, by_id[b.parent_id]))
    if problems:
        raise BenchmarkInvalid(problems)
    return benchmarks


def with_items(benchmark: Benchmark, items: Iterable[ItemEntry]) -> Benchmark:
    """The same benchmark with other items (tests and editors build variants this way)."""
    return replace(benchmark, items=tuple(items))


# ============================================================================ dumping


def _dump_amount(value: Decimal | None) -> int | str | None:
    """An amount as the loader reads it back exactly: an integer, else the Decimal's own digits."""
    if value is None:
        return None
    if value.is_finite() and value.as_tuple().exponent == 0:
        return int(value)
    return str(value)


def _dump_kinds(kinds: frozenset[PartyKind]) -> list[str]:
    return [k.value for k in PartyKind if k in kinds]


def _dump_tier(tier: Tier) -> dict[str, Any]:
    return {
        "level": tier.level.value,
        "conditions": list(tier.conditions),
        "min": _dump_amount(tier.minimum),
        "max": _dump_amount(tier.maximum),
        "note": tier.note,
    }


def _dump_range(rng: StatutoryRange) -> dict[str, Any]:
    return {
        "party_kinds": _dump_kinds(rng.party_kinds),
        "kind": rng.kind.value,
        "min": _dump_amount(rng.minimum),
        "max": _dump_amount(rng.maximum),
        "citation": rng.citation,
        "base": None if rng.base is None else rng.base.value,
        "floor": _dump_amount(rng.floor),
        "ceiling": _dump_amount(rng.ceiling),
        "base_from": _dump_amount(rng.base_from),
        "base_below": _dump_amount(rng.base_below),
        "when": list(rng.when),
        "penalty_types": [p.value for p in rng.penalty_types],
        "warning_alternative": rng.warning_alternative,
        "fine_optional": rng.fine_optional,
        "tiers": [_dump_tier(t) for t in rng.tiers],
    }


def _dump_item(item: ItemEntry) -> dict[str, Any]:
    fv = item.first_violation
    return {
        "item_code": item.item_code,
        "name": item.name,
        "department": item.department,
        "sample": item.sample,
        "violation_basis": list(item.violation_basis),
        "penalty_basis": list(item.penalty_basis),
        "delegation": {"township": item.delegated_to_township, "document": item.delegation_document},
        "party_kinds": _dump_kinds(item.party_kinds),
        "penalty_types": [p.value for p in item.penalty_types],
        "measures": list(item.measures),
        "preconditions": [{"code": p.code, "label": p.label, "source": p.source} for p in item.preconditions],
        "factors": [
            {"code": f.code, "label": f.label, "effect": f.effect.value, "source": f.source}
            for f in item.factors
        ],
        "escalations": [
            {
                "condition": e.condition,
                "measure": e.measure,
                "penalty_type": None if e.penalty_type is None else e.penalty_type.value,
                "source": e.source,
            }
            for e in item.escalations
        ],
        "first_violation": None
        if fv is None
        else {"conditions": list(fv.conditions), "correction_days": fv.correction_days, "source": fv.source},
        "evidence_checklist": list(item.evidence_checklist),
        "inspection_items": list(item.inspection_items),
        "ranges": [_dump_range(r) for r in item.ranges],
        "note": item.note,
    }


def _dump_benchmark(b: Benchmark) -> dict[str, Any]:
    return {
        "id": b.id,
        "name": b.name,
        "version": b.version,
        "publisher": b.publisher,
        "document_number": b.document_number,
        "level": b.level.value,
        "parent_id": b.parent_id,
        "region": b.region,
        "effective_on": None if b.effective_on is None else b.effective_on.isoformat(),
        "sample": b.sample,
        "convention": {
            "lighter_fraction": str(b.convention.lighter_fraction),
            "heavier_fraction": str(b.convention.heavier_fraction),
        },
        "items": [_dump_item(i) for i in b.items],
    }


def dump_benchmarks(benchmarks: Sequence[Benchmark]) -> str:
    """The JSON text of the format :func:`load_benchmarks` reads (docs/DISCRETION.md).

    Every field is written, in a fixed order, absent values as ``null``; amounts are JSON
    integers when integral, otherwise strings of the exact ``Decimal`` digits (``"0.3"``), so
    ``load_benchmarks(dump_benchmarks(b)) == b`` for every benchmark that loads. Not
    representable (the loader reads them differently): a range without penalty types (read as
    ``["fine"]``), a graded tier without ``min``/``max`` (read as the convention's split), and
    text with leading or trailing spaces (read stripped).
    """
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "benchmarks": [_dump_benchmark(b) for b in benchmarks],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
