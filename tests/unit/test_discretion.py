"""裁量基准 (domain/discretion.py): tiers, the calculator, the W17 classes and validation.

The worked examples are those of PROCEDURE.md section 3: 餐饮油烟 (5,000-50,000, 超标 as
precondition, 拒不改正 → 责令停业整治), 消防通道 (person: 警告 or ≤500; organisation:
5,000-50,000) and 违法建设 (5%-10% of 工程造价).
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from workstation.domain.cases import PenaltyType
from workstation.domain.discretion import (
    BaseKind,
    Benchmark,
    BenchmarkInvalid,
    BenchmarkLevel,
    DeviationKind,
    Escalation,
    ItemEntry,
    Precondition,
    RangeKind,
    Severity,
    StatutoryRange,
    Tier,
    TierConvention,
    TierLevel,
    assess,
    check_refinement,
    convention_tiers,
    load_benchmarks,
    validate_benchmark,
)
from workstation.domain.entities import PartyKind
from workstation.domain.errors import FieldError
from workstation.domain.guards import ProcedureConfig

D = Decimal
PERSON, ORG = PartyKind.PERSON, PartyKind.ORGANISATION
DQ = "《中华人民共和国大气污染防治法》"
XF = "《中华人民共和国消防法》"
GH = "《中华人民共和国城乡规划法》"
MIT = ("coerced", "meritorious", "age_14_18")  # the 减轻 tier; other 第三十二条 circumstances give 从轻


def tiers(a: int, b: int, mitigated: tuple[int, int] | None = None) -> tuple[Tier, ...]:
    graded = convention_tiers(D(a), D(b), conditions={TierLevel.HEAVIER: ("repeated",)})
    extra: tuple[Tier, ...] = (Tier(TierLevel.NO_PENALTY, ("minor", "corrected", "no_harm")),)
    if mitigated is not None:
        extra += (Tier(TierLevel.MITIGATED, MIT, D(mitigated[0]), D(mitigated[1])),)
    return extra + graded


def fumes() -> ItemEntry:
    return ItemEntry(
        item_code="T-FUMES",
        name="餐饮油烟超标排放",
        department="生态环境",
        violation_basis=(f"{DQ}第八十一条第一款",),
        penalty_basis=(f"{DQ}第一百一十八条第一款",),
        party_kinds=frozenset({PERSON, ORG}),
        penalty_types=(PenaltyType.FINE, PenaltyType.SUSPEND_BUSINESS),
        ranges=(
            StatutoryRange(
                frozenset({PERSON, ORG}),
                RangeKind.FIXED,
                D(5000),
                D(50000),
                f"{DQ}第一百一十八条第一款",
                tiers=tiers(5000, 50000, mitigated=(2500, 5000)),
            ),
        ),
        preconditions=(
            Precondition("exceeds_standard", "超过排放标准排放油烟", f"{DQ}第一百一十八条第一款"),
        ),
        escalations=(
            Escalation(
                "refused_to_correct",
                "拒不改正的，责令停业整治",
                f"{DQ}第一百一十八条第一款",
                PenaltyType.SUSPEND_BUSINESS,
            ),
        ),
        factors=(),
    )


def fire_lane() -> ItemEntry:
    return ItemEntry(
        item_code="T-FIRE",
        name="占用消防车通道",
        department="消防救援",
        violation_basis=(f"{XF}第二十八条",),
        penalty_basis=(f"{XF}第六十条第一款第（五）项", f"{XF}第六十条第二款"),
        party_kinds=frozenset({PERSON, ORG}),
        ranges=(
            StatutoryRange(
                frozenset({ORG}),
                RangeKind.FIXED,
                D(5000),
                D(50000),
                f"{XF}第六十条第一款第（五）项",
                tiers=tiers(5000, 50000),
            ),
            StatutoryRange(
                frozenset({PERSON}),
                RangeKind.FIXED,
                D(0),
                D(500),
                f"{XF}第六十条第二款",
                penalty_types=(PenaltyType.WARNING, PenaltyType.FINE),
                warning_alternative=True,
                tiers=tiers(0, 500),
            ),
        ),
    )


def building() -> ItemEntry:
    return ItemEntry(
        item_code="T-BUILD",
        name="未取得建设工程规划许可证进行建设",
        department="规划建设",
        violation_basis=(f"{GH}第四十条第一款",),
        penalty_basis=(f"{GH}第六十四条",),
        party_kinds=frozenset({PERSON, ORG}),
        ranges=(
            StatutoryRange(
                frozenset({PERSON, ORG}),
                RangeKind.PERCENTAGE,
                D(5),
                D(10),
                f"{GH}第六十四条",
                base=BaseKind.CONSTRUCTION_COST,
                tiers=tiers(5, 10, mitigated=(1, 5)),
            ),
        ),
    )


# the repeated factor used in the tiers above
def _with_repeated(item: ItemEntry) -> ItemEntry:
    from workstation.domain.discretion import Effect, Factor

    return dataclasses.replace(
        item,
        factors=(
            Factor("repeated", "多次被投诉", Effect.AGGRAVATING, "《中华人民共和国行政处罚法》第三十四条"),
        ),
    )


FUMES, FIRE, BUILD = _with_repeated(fumes()), _with_repeated(fire_lane()), _with_repeated(building())


def benchmark(*items: ItemEntry, **kw: Any) -> Benchmark:
    fields: dict[str, Any] = {
        "id": "B1",
        "name": "测试基准",
        "version": "1",
        "publisher": "测试",
        "document_number": "测〔2025〕1号",
        "level": BenchmarkLevel.PROVINCE,
        "items": items,
    }
    fields.update(kw)
    return Benchmark(**fields)


# ============================================================================ convention


def test_convention_splits_at_three_and_seven_tenths() -> None:
    lighter, general, heavier = convention_tiers(D(5000), D(50000))
    assert (lighter.minimum, lighter.maximum) == (D(5000), D(18500))
    assert (general.minimum, general.maximum) == (D(18500), D(36500))
    assert (heavier.minimum, heavier.maximum) == (D(36500), D(50000))


def test_convention_is_configurable_and_checked() -> None:
    lighter, general, _ = convention_tiers(D(0), D(100), TierConvention(D("0.2"), D("0.5")))
    assert (lighter.maximum, general.maximum) == (D(20), D(50))
    with pytest.raises(FieldError, match="档次划分比例"):
        TierConvention(D("0.8"), D("0.5"))


# ============================================================================ 油烟


@pytest.mark.parametrize(
    ("fine", "kind"),
    [
        (D(18500), DeviationKind.INSIDE_TIER),  # 从轻 upper end belongs to 从轻
        (D("18500.01"), DeviationKind.OUTSIDE_TIER),
        (D(5000), DeviationKind.INSIDE_TIER),
        (D(4999), DeviationKind.OUTSIDE_TIER),  # below the minimum with a 第三十二条 circumstance
    ],
)
def test_fumes_lighter_tier_boundaries(fine: Decimal, kind: DeviationKind) -> None:
    a = assess(FUMES, ORG, ["exceeds_standard", "eliminated_harm"], proposed_fine=fine)
    assert a.tier_level is TierLevel.LIGHTER
    assert a.tier_yuan == (D(5000), D(18500))
    assert a.deviation_kinds == {kind}


@pytest.mark.parametrize(
    ("fine", "kind"),
    [
        (D(18500), DeviationKind.OUTSIDE_TIER),  # (18,500, 36,500]: lower end excluded
        (D("18500.01"), DeviationKind.INSIDE_TIER),
        (D(36500), DeviationKind.INSIDE_TIER),
        (D("36500.01"), DeviationKind.OUTSIDE_TIER),
    ],
)
def test_fumes_general_tier_boundaries(fine: Decimal, kind: DeviationKind) -> None:
    a = assess(FUMES, ORG, ["exceeds_standard"], proposed_fine=fine)
    assert a.tier_level is TierLevel.GENERAL
    assert a.tier_yuan == (D(18500), D(36500))
    assert a.deviation_kinds == {kind}
    if kind is DeviationKind.OUTSIDE_TIER:
        (dev,) = a.deviations
        assert dev.severity is Severity.YELLOW and dev.reason_required


@pytest.mark.parametrize(
    ("fine", "kind", "severity"),
    [
        (D(36500), DeviationKind.OUTSIDE_TIER, Severity.YELLOW),
        (D("36500.01"), DeviationKind.INSIDE_TIER, Severity.OK),
        (D(50000), DeviationKind.INSIDE_TIER, Severity.OK),
        (D("50000.01"), DeviationKind.OUTSIDE_STATUTORY, Severity.RED),
    ],
)
def test_fumes_heavier_tier_boundaries(fine: Decimal, kind: DeviationKind, severity: Severity) -> None:
    a = assess(FUMES, ORG, ["exceeds_standard", "repeated"], proposed_fine=fine)
    assert a.tier_level is TierLevel.HEAVIER
    assert a.tier_yuan == (D(36500), D(50000))
    assert a.deviation_kinds == {kind}
    assert a.severity is severity


def test_fumes_without_the_precondition_no_fine_is_possible() -> None:
    a = assess(FUMES, ORG, [], proposed_fine=D(10000))
    assert not a.fine_possible
    assert [p.code for p in a.unmet_preconditions] == ["exceeds_standard"]
    assert DeviationKind.PRECONDITION_UNMET in a.deviation_kinds
    assert a.severity is Severity.RED
    assert not a.simple_procedure_possible and not a.hearing_triggered


def test_fumes_refusal_adds_suspension_and_the_hearing_right() -> None:
    a = assess(FUMES, ORG, ["exceeds_standard", "refused_to_correct"])
    assert [e.measure for e in a.escalations] == ["拒不改正的，责令停业整治"]
    assert a.hearing_triggered  # 责令停产停业 (第六十三条第一款第（四）项)
    assert any("停业整治" in e.text and "第一百一十八条" in e.citation for e in a.explanations)


def test_fumes_every_fine_is_ordinary_procedure() -> None:
    a = assess(FUMES, PERSON, ["exceeds_standard", "eliminated_harm"])
    assert a.tier_yuan == (D(5000), D(18500))
    assert not a.simple_procedure_possible


def test_mitigated_tier_needs_a_mitigating_circumstance() -> None:
    a = assess(FUMES, ORG, ["exceeds_standard", "coerced"], proposed_fine=D(3000))
    assert a.tier_level is TierLevel.MITIGATED
    assert a.tier_yuan == (D(2500), D(5000))
    assert a.deviation_kinds == {DeviationKind.INSIDE_TIER}
    below = assess(FUMES, ORG, ["exceeds_standard", "coerced"], proposed_fine=D(2000))
    assert below.deviation_kinds == {DeviationKind.OUTSIDE_TIER}
    assert below.severity is Severity.YELLOW
    red = assess(FUMES, ORG, ["exceeds_standard"], proposed_fine=D(3000))
    assert red.deviation_kinds == {DeviationKind.OUTSIDE_STATUTORY}
    assert red.severity is Severity.RED


def test_mitigating_and_aggravating_together_give_the_general_tier() -> None:
    a = assess(FUMES, ORG, ["exceeds_standard", "confessed", "repeated"])
    assert a.tier_level is TierLevel.GENERAL
    assert any("并存" in e.text for e in a.explanations)


# ============================================================================ 消防通道


@pytest.mark.parametrize(
    ("fine", "simple"),
    [(D(0), True), (D(150), True), (D(200), True), (D("200.01"), False), (D(500), False)],
)
def test_fire_lane_person_simple_procedure_up_to_200(fine: Decimal, simple: bool) -> None:
    a = assess(FIRE, PERSON, [], proposed_fine=fine)
    assert a.simple_procedure_possible is simple
    assert any("第五十一条" in e.citation for e in a.explanations)


def test_fire_lane_person_tiers() -> None:
    assert assess(FIRE, PERSON, ["eliminated_harm"]).tier_yuan == (D(0), D(150))
    assert assess(FIRE, PERSON, []).tier_yuan == (D(150), D(350))
    heavy = assess(FIRE, PERSON, ["repeated"], proposed_fine=D(350))
    assert heavy.tier_yuan == (D(350), D(500))
    assert heavy.deviation_kinds == {DeviationKind.OUTSIDE_TIER}  # 350 belongs to 一般
    assert assess(FIRE, PERSON, ["repeated"], proposed_fine=D(501)).severity is Severity.RED
    # the general tier starts above 200, but a 警告 is always possible
    assert assess(FIRE, PERSON, []).simple_procedure_possible


def test_fire_lane_organisation() -> None:
    a = assess(FIRE, ORG, [], proposed_fine=D(3000))
    assert a.deviation_kinds == {DeviationKind.OUTSIDE_STATUTORY}
    assert not a.simple_procedure_possible
    b = assess(FIRE, ORG, ["repeated"], proposed_fine=D(50000))
    assert b.tier_yuan == (D(36500), D(50000)) and b.severity is Severity.OK
    assert not b.hearing_triggered  # below 100,000 for an organisation


# ============================================================================ 违法建设


def test_building_percentage_of_the_construction_cost() -> None:
    cost = D(1_000_000)
    light = assess(BUILD, ORG, ["eliminated_harm"], base=cost)
    assert light.statutory_yuan == (D(50000), D(100000))
    assert light.tier_yuan == (D(50000), D(65000))
    general = assess(BUILD, ORG, [], base=cost, proposed_fine=D(65000))
    assert general.tier_yuan == (D(65000), D(85000))
    assert general.deviation_kinds == {DeviationKind.OUTSIDE_TIER}
    assert assess(BUILD, ORG, [], base=cost, proposed_fine=D("65000.01")).severity is Severity.OK
    heavy = assess(BUILD, ORG, ["repeated"], base=cost, proposed_fine=D(100000))
    assert heavy.tier_yuan == (D(85000), D(100000)) and heavy.severity is Severity.OK
    assert assess(BUILD, ORG, ["repeated"], base=cost, proposed_fine=D(100001)).severity is Severity.RED
    assert any("工程造价的6.5%" in e.text for e in general.explanations)


def test_building_without_the_cost_asks_for_it() -> None:
    a = assess(BUILD, PERSON, [])
    assert a.base_missing is BaseKind.CONSTRUCTION_COST
    assert a.tier_yuan is None and a.statutory_yuan is None
    assert any("建设工程造价" in e.text for e in a.explanations)


# ============================================================================ hearing and review


@pytest.mark.parametrize(
    ("party", "fine", "hearing"),
    [
        (PERSON, D("9999.99"), False),
        (PERSON, D(10000), True),
        (ORG, D("99999.99"), False),
        (ORG, D(100000), True),
    ],
)
def test_hearing_threshold_by_party(party: PartyKind, fine: Decimal, hearing: bool) -> None:
    item = dataclasses.replace(
        FUMES, ranges=(dataclasses.replace(FUMES.ranges[0], maximum=D(200000), tiers=tiers(5000, 200000)),)
    )
    assert assess(item, party, ["exceeds_standard"], proposed_fine=fine).hearing_triggered is hearing


def test_thresholds_come_from_the_procedure_config() -> None:
    config = ProcedureConfig(
        simple_fine_limit_person=D(50),
        simple_fine_limit_organisation=D(1000),
        hearing_threshold_person=D(300),
        hearing_threshold_organisation=D(20000),
        review_all=False,
    )
    assert not assess(FIRE, PERSON, [], proposed_fine=D(60), config=config).simple_procedure_possible
    assert assess(FIRE, PERSON, [], proposed_fine=D(50), config=config).simple_procedure_possible
    assert assess(FIRE, PERSON, [], proposed_fine=D(300), config=config).hearing_triggered
    assert not assess(FIRE, PERSON, [], proposed_fine=D(299), config=config).hearing_triggered
    org = assess(FIRE, ORG, [], proposed_fine=D(20000), config=config)
    assert org.hearing_triggered
    assert assess(FIRE, ORG, [], config=config).hearing_possible  # 一般 tier reaches 36,500
    assert not org.review_required
    assert assess(FIRE, ORG, [], config=config, complex_case=True).review_required
    assert assess(FIRE, ORG, [], config=config, major=True).review_required
    assert assess(FIRE, ORG, []).review_required  # default review_all


# ============================================================================ 不予处罚 / 首违不罚


def test_mandatory_no_penalty_and_fined_is_red() -> None:
    a = assess(FIRE, PERSON, ["minor", "corrected", "no_harm"], proposed_fine=D(100))
    assert a.mandatory_no_penalty and not a.fine_possible
    assert a.tier_level is TierLevel.NO_PENALTY
    assert a.deviation_kinds == {DeviationKind.MANDATORY_NO_PENALTY_FINED}
    assert a.severity is Severity.RED
    assert a.deviations[0].citation.endswith("第三十三条第一款")
    for code, article in (
        ("no_fault", "第三十三条第二款"),
        ("under_14", "第三十条"),
        ("incapacity", "第三十一条"),
    ):
        b = assess(FIRE, PERSON, [code])
        assert b.mandatory_no_penalty and b.explanations[0].citation.endswith(article)


def test_first_violation_may_not_be_punished_and_fined_is_yellow() -> None:
    a = assess(FIRE, PERSON, ["first_violation", "minor_harm", "corrected"], proposed_fine=D(100))
    assert a.first_violation_eligible and not a.mandatory_no_penalty and a.fine_possible
    assert DeviationKind.FIRST_VIOLATION_FINED in a.deviation_kinds
    assert a.severity is Severity.YELLOW
    assert not assess(FIRE, PERSON, ["first_violation", "corrected"]).first_violation_eligible
    assert not assess(FIRE, PERSON, ["first_violation", "minor_harm", "corrected"]).deviations


def test_every_explanation_cites_an_article() -> None:
    for item, party, codes, base in (
        (FUMES, ORG, ["exceeds_standard", "refused_to_correct"], None),
        (FIRE, PERSON, ["first_violation", "minor_harm", "corrected"], None),
        (BUILD, ORG, ["coerced"], D(300000)),
        (FUMES, ORG, [], None),
    ):
        a = assess(item, party, codes, base=base, proposed_fine=D(1000))
        assert a.explanations
        for line in a.explanations:
            assert "《" in line.citation and "第" in line.citation, line


def test_unknown_circumstance_or_party_is_refused() -> None:
    with pytest.raises(FieldError, match="没有这些情节"):
        assess(FIRE, PERSON, ["typo"])
    only_org = dataclasses.replace(FIRE, party_kinds=frozenset({ORG}))
    with pytest.raises(FieldError, match="不适用于自然人"):
        assess(only_org, PERSON, [])


# ============================================================================ validation


def _problems(*items: ItemEntry, **kw: Any) -> list[str]:
    return [p.message for p in validate_benchmark(benchmark(*items, **kw))]


def _with_tiers(item: ItemEntry, new: tuple[Tier, ...], index: int = 0) -> ItemEntry:
    ranges = list(item.ranges)
    ranges[index] = dataclasses.replace(ranges[index], tiers=new)
    return dataclasses.replace(item, ranges=tuple(ranges))


def test_the_worked_examples_validate() -> None:
    assert _problems(FUMES, FIRE, BUILD) == []


def test_overlapping_tiers_are_refused() -> None:
    graded = convention_tiers(D(5000), D(50000))
    bad = _with_tiers(FUMES, (graded[0], dataclasses.replace(graded[1], minimum=D(18000)), graded[2]))
    (message,) = _problems(bad)
    assert "T-FUMES" in message and "“从轻”档与“一般”档重叠" in message


def test_gapped_tiers_are_refused() -> None:
    graded = convention_tiers(D(5000), D(50000))
    bad = _with_tiers(FUMES, (graded[0], dataclasses.replace(graded[1], minimum=D(19000)), graded[2]))
    (message,) = _problems(bad)
    assert "“从轻”档与“一般”档之间有空档" in message
    ends = _with_tiers(FUMES, (dataclasses.replace(graded[0], minimum=D(6000)), graded[1], graded[2]))
    assert any("法定下限" in m for m in _problems(ends))


def test_min_above_max_is_refused() -> None:
    graded = convention_tiers(D(5000), D(50000))
    bad = _with_tiers(FUMES, (graded[0], dataclasses.replace(graded[1], minimum=D(40000)), graded[2]))
    assert any("“一般”档下限40000大于上限36500" in m for m in _problems(bad))
    wrong = dataclasses.replace(
        FUMES, ranges=(dataclasses.replace(FUMES.ranges[0], minimum=D(60000), tiers=()),)
    )
    assert any("下限60000大于上限50000" in m for m in _problems(wrong))


def test_tier_outside_the_statutory_range_is_refused() -> None:
    graded = convention_tiers(D(5000), D(50000))
    bad = _with_tiers(FUMES, (graded[0], graded[1], dataclasses.replace(graded[2], maximum=D(60000))))
    assert any("T-FUMES" in m and "“从重”档" in m and "超出法定幅度" in m for m in _problems(bad))


def test_mitigated_tier_must_be_below_the_minimum_with_a_statutory_circumstance() -> None:
    graded = convention_tiers(D(5000), D(50000))
    above = _with_tiers(FUMES, (Tier(TierLevel.MITIGATED, MIT, D(3000), D(6000)), *graded))
    assert any("“减轻”档" in m and "应低于法定最低限额" in m for m in _problems(above))
    no_reason = _with_tiers(FUMES, (Tier(TierLevel.MITIGATED, ("minor",), D(3000), D(5000)), *graded))
    assert any("第三十条、第三十一条或者第三十二条" in m for m in _problems(no_reason))
    zero = _with_tiers(FIRE, (Tier(TierLevel.MITIGATED, MIT, D(0), D(0)), *convention_tiers(D(0), D(500))), 1)
    assert any("没有最低限额" in m for m in _problems(zero))


def test_duplicate_item_codes_are_refused() -> None:
    assert any("事项编码T-FIRE重复" in m for m in _problems(FIRE, FIRE))


def test_unparsable_citation_is_refused() -> None:
    bad = dataclasses.replace(FIRE, violation_basis=("消防法的有关规定",))
    assert any("违法依据" in m and "不是可识别的法条引用" in m for m in _problems(bad))


def test_a_refinement_stays_inside_the_parent_tiers() -> None:
    parent = benchmark(FUMES, FIRE)
    graded = convention_tiers(D(5000), D(50000))
    trimmed = _with_tiers(
        FUMES,
        (
            dataclasses.replace(graded[0], minimum=D(6000)),
            graded[1],
            dataclasses.replace(graded[2], maximum=D(45000)),
        ),
    )
    child = benchmark(trimmed, id="B2", level=BenchmarkLevel.COUNTY, parent_id="B1")
    assert validate_benchmark(child) == []
    assert check_refinement(child, parent) == []

    moved = _with_tiers(
        FUMES,
        (
            graded[0],
            dataclasses.replace(graded[1], maximum=D(40000)),
            dataclasses.replace(graded[2], minimum=D(40000)),
        ),
    )
    conflict = benchmark(moved, id="B2", level=BenchmarkLevel.COUNTY, parent_id="B1")
    messages = [p.message for p in check_refinement(conflict, parent)]
    assert any(
        "“一般”档（18500—40000）超出上级基准“测试基准”的同一档次（18500—36500）" in m for m in messages
    )

    same_level = benchmark(FUMES, id="B2", level=BenchmarkLevel.PROVINCE, parent_id="B1")
    assert any("不能细化" in p.message for p in check_refinement(same_level, parent))


# ============================================================================ loading


def _sample_text() -> str:
    return (
        resources.files("workstation.resources")
        .joinpath("discretion/sample_benchmarks.json")
        .read_text("utf-8")
    )


def test_the_sample_file_loads() -> None:
    province, county = load_benchmarks(_sample_text())
    assert len(province.items) >= 25
    assert all(item.sample for item in province.items) and province.sample
    assert county.parent_id == province.id and county.level is BenchmarkLevel.COUNTY
    raw = json.loads(_sample_text())
    assert all(item["tiering"] == "示例" for b in raw["benchmarks"] for item in b["items"])
    food = province.item("ZB-014")
    assert food is not None
    assert assess(food, PERSON, [], base=D(5000)).statutory_yuan == (D(50000), D(100000))
    assert assess(food, PERSON, [], base=D(10000)).statutory_yuan == (D(100000), D(200000))
    assert assess(food, PERSON, []).base_missing is BaseKind.GOODS_VALUE
    assert province.item("ZB-004") is not None
    rural = assess(province.item("ZB-004"), PERSON, [], proposed_fine=D(100))  # type: ignore[arg-type]
    assert rural.deviation_kinds == {DeviationKind.OUTSIDE_STATUTORY}
    enforcement = province.items[0].to_enforcement_item("x")
    assert enforcement.code == "ZB-001" and enforcement.is_sample


def _mutate(path: list[Any], value: Any) -> str:
    data = json.loads(_sample_text())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(data, ensure_ascii=False)


def test_loader_names_the_entry_and_the_field() -> None:
    with pytest.raises(FieldError) as caught:
        load_benchmarks(_mutate(["benchmarks", 0, "items", 5, "ranges", 0, "min"], "五千"))
    assert caught.value.field == "benchmarks[SAMPLE-PROV-2025].items[5][ZB-006].ranges[0].min"
    assert "ZB-006" in caught.value.message and "“min”" in caught.value.message
    with pytest.raises(FieldError, match="“kind”取值“range”无效"):
        load_benchmarks(_mutate(["benchmarks", 0, "items", 0, "ranges", 0, "kind"], "range"))
    with pytest.raises(FieldError, match="不是有效的 JSON"):
        load_benchmarks("{")
    with pytest.raises(FieldError, match="format"):
        load_benchmarks(_mutate(["format"], "other"))


def test_loader_refuses_invalid_benchmarks_listing_every_problem() -> None:
    data = json.loads(_sample_text())
    items = data["benchmarks"][0]["items"]
    items.append(dict(items[0]))
    with pytest.raises(BenchmarkInvalid) as caught:
        load_benchmarks(json.dumps(data, ensure_ascii=False))
    assert any("ZB-001重复" in p.message for p in caught.value.problems)
    data = json.loads(_sample_text())
    county_tiers = data["benchmarks"][1]["items"][0]["ranges"][0]["tiers"]
    assert [t["level"] for t in county_tiers[3:]] == ["general", "heavier"]
    county_tiers[3]["max"] = county_tiers[4]["min"] = 40000
    with pytest.raises(BenchmarkInvalid) as conflict:
        load_benchmarks(json.dumps(data, ensure_ascii=False))
    assert [p.item_code for p in conflict.value.problems] == ["ZB-006"]
    assert "超出上级基准" in conflict.value.problems[0].message
    assert conflict.value.field == "ZB-006.ranges[0].tiers"
