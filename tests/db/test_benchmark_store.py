"""The 裁量基准 store and service over a real SQLite database: atomic writes, the effective entry,
the 事项 search, the fines of real decided cases, import checks, export."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workstation.app import Core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.discretion import Benchmark, BenchmarkInvalid, TierLevel, with_items
from workstation.domain.entities import PartyKind
from workstation.domain.errors import InvalidInput, NotFound
from workstation.domain.guards import ProcedureConfig
from workstation.persistence.benchmarks import SqlBenchmarkStore
from workstation.persistence.models import BenchmarkItemRow, EnforcementItemRow
from workstation.services.cases import NewCaseSpec
from workstation.services.changes import Topic
from workstation.services.demo import load_sample_benchmarks
from workstation.services.discretion import (
    CitationsUnresolved,
    DiscretionService,
    StatuteLibraryEmpty,
    benchmark_citations,
)

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "discretion" / "sample_benchmarks.json"
LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
REVIEWER = "14b192db-916d-58a7-86a9-b2fcb2a0598b"  # 郑雅琴（示例）
ZHANG = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）, person
LI = "018f0c86-94dc-50c1-bc59-1a1adaa4f9d6"  # 李某（示例）, person
RESTAURANT = "fd2f6168-66e1-5b4b-a1bd-1d86e71bb09b"  # 榕溪镇某某餐饮店（示例）, organisation


@pytest.fixture
def store(core: Core) -> SqlBenchmarkStore:
    return SqlBenchmarkStore(core.database.engine)


@pytest.fixture
def sample() -> list[Benchmark]:
    return load_sample_benchmarks()


def _service(store: SqlBenchmarkStore, resolver: Any = None) -> DiscretionService:
    return DiscretionService(store, ProcedureConfig(), lambda: NOW, resolver)


def _sample_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    return data


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def _tiers(data: dict[str, Any], benchmark: int, code: str) -> list[dict[str, Any]]:
    item = next(i for i in data["benchmarks"][benchmark]["items"] if i["item_code"] == code)
    tiers: list[dict[str, Any]] = item["ranges"][0]["tiers"]
    return tiers


def _tier(tiers: list[dict[str, Any]], level: str) -> dict[str, Any]:
    return next(t for t in tiers if t["level"] == level)


# ---------------------------------------------------------------- storing


def test_upsert_stores_every_benchmark_and_is_idempotent(
    core: Core, store: SqlBenchmarkStore, sample: list[Benchmark]
) -> None:
    assert store.upsert(sample, NOW) == 2
    assert store.benchmarks() == sample  # the payload round-trips the whole model
    assert store.upsert(sample, NOW) == 0  # identical: nothing written
    with core.database.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(BenchmarkItemRow)).scalar_one() == 32
        catalogue = conn.execute(select(EnforcementItemRow.code, EnforcementItemRow.is_sample)).all()
    assert len(catalogue) == 30 and all(sample for _code, sample in catalogue)
    assert core.office.summary().value.item_count == 30  # the 事项目录 sees them
    # A second store (a new process) reads the same thing from the database.
    assert SqlBenchmarkStore(core.database.engine).benchmarks() == sample


def test_a_failing_write_leaves_the_previous_benchmarks_intact(
    store: SqlBenchmarkStore, sample: list[Benchmark]
) -> None:
    province, county = sample
    store.replace_all(sample, NOW)
    renamed = replace(province, name="另一个省级基准")
    broken = with_items(county, [*county.items, county.items[0]])  # duplicate item code: the PK refuses
    with pytest.raises(IntegrityError):
        store.replace_all([renamed, broken], NOW)
    assert store.benchmarks() == sample
    with pytest.raises(IntegrityError):
        store.upsert([renamed, broken], NOW)
    assert store.benchmarks() == sample
    lighter = _lighter(store, "ZB-006")
    assert lighter.minimum == Decimal(6000)  # still the county's refinement


def test_replace_all_removes_what_is_not_given(
    core: Core, store: SqlBenchmarkStore, sample: list[Benchmark]
) -> None:
    province, _county = sample
    store.upsert(sample, NOW)
    assert store.replace_all([province], NOW) == 1  # the county benchmark removed
    assert [b.id for b in store.benchmarks()] == [province.id]
    assert _lighter(store, "ZB-006").minimum == Decimal(5000)  # the province's entry again
    with core.database.engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(BenchmarkItemRow)).scalar_one()
    assert left == 30


# ---------------------------------------------------------------- the effective entry


def _lighter(store: SqlBenchmarkStore, code: str) -> Any:
    entry = store.entry(code)
    assert entry is not None
    tier = entry.ranges[0].tier(TierLevel.LIGHTER)
    assert tier is not None
    return tier


def test_the_most_specific_level_wins(store: SqlBenchmarkStore, sample: list[Benchmark]) -> None:
    province, county = sample
    store.upsert([province], NOW)
    assert _lighter(store, "ZB-006").minimum == Decimal(5000)
    store.upsert([county], NOW)
    refined = store.entry("ZB-006")
    assert refined == county.item("ZB-006")
    heavier = refined.ranges[0].tier(TierLevel.HEAVIER) if refined else None
    assert heavier is not None and heavier.maximum == Decimal(45000)
    assert store.entry("ZB-009") == province.item("ZB-009")  # not refined: the province's
    assert store.entry("ZB-999") is None
    rows = {s.code: s for s in store.items()}
    assert rows["ZB-006"].benchmark_id == county.id and rows["ZB-006"].level.label == "县级"
    assert rows["ZB-009"].benchmark_id == province.id


def test_service_entry_and_not_found_in_chinese(store: SqlBenchmarkStore, sample: list[Benchmark]) -> None:
    service = _service(store)
    store.upsert(sample, NOW)
    assert service.entry(" ZB-006 ").value.item_code == "ZB-006"
    with pytest.raises(NotFound, match="裁量基准中没有执法事项：ZB-999"):
        service.entry("ZB-999")


# ---------------------------------------------------------------- search


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("zdjy", ["ZB-001"]),
        ("ZDJY", ["ZB-001"]),
        ("占道经营", ["ZB-001"]),
        ("zb-009", ["ZB-009"]),
        ("ZB-00", [f"ZB-00{n}" for n in range(1, 10)]),
        ("油烟", ["ZB-006", "ZB-007"]),
        ("消防法", ["ZB-009", "ZB-010"]),  # a law of its bases
        ("xfjy", ["ZB-009", "ZB-010"]),  # 消防救援, the department's initials
        ("油烟 居民", ["ZB-007"]),  # every term must match
        ("没有这种事项", []),
    ],
)
def test_items_are_found_by_name_code_keyword_or_initials(
    store: SqlBenchmarkStore, sample: list[Benchmark], query: str, codes: list[str]
) -> None:
    store.upsert(sample, NOW)
    assert [s.code for s in _service(store).items(query).value] == codes


def test_item_summaries(store: SqlBenchmarkStore, sample: list[Benchmark]) -> None:
    store.upsert(sample, NOW)
    summaries = _service(store).items().value
    assert len(summaries) == 30
    oil = next(s for s in summaries if s.code == "ZB-006")
    assert oil.name == "餐饮服务业经营者超过排放标准排放油烟"
    assert oil.benchmark_name == sample[1].name and oil.level_label == "县级"
    assert oil.sample and oil.delegated
    fire = next(s for s in summaries if s.code == "ZB-009")
    assert fire.level_label == "省级" and fire.department == "消防救援"


# ---------------------------------------------------------------- fines of past cases


def _decided_simple(core: Core, party: str, fine: str, number: str, *, training: bool = False) -> str:
    day = dt.date(2025, 9, 22)
    view = core.cases.new_case(
        NewCaseSpec(
            kind=CaseKind.SIMPLE,
            title=f"占用消防车通道案{number}",
            source=CaseSource.PATROL,
            opened_on=day,
            actor_id=LEAD,
            party_ids=(party,),
            officer_ids=(LEAD, SECOND),
            item_code="ZB-009",
            is_training=training,
        )
    ).value
    inputs = {
        "act_date": day.isoformat(),
        "certificate_shown": True,
        "violation": "占用消防车通道停放车辆",
        "place": "榕溪镇中心街",
        "penalty_types": ["fine"],
        "penalty_basis": "《中华人民共和国消防法》第六十条第二款",
        "fine": fine,
        "decision_no": number,
        "review_body": "闽侯县人民政府",
        "review_first_told": True,
        # The 裁量基准 applies to these fines: one outside the tier carries its written reason.
        "deviation_reason": "当事人当场驶离并承认错误，按从轻幅度处罚",
    }
    decided = core.cases.act(view.case.id, "decide_on_spot", inputs, LEAD, day).value
    assert decided.case.stage == "decided"
    assert decided.case.data["decided_on"] == day.isoformat()
    return decided.case.id


def _decided_ordinary(core: Core, party: str, fine: str) -> str:
    """An organisation's fine (≥5,000 yuan under 消防法第六十条) takes the ordinary procedure."""
    view = core.cases.new_case(
        NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title="占用消防车通道案（普通程序）",
            source=CaseSource.PATROL,
            opened_on=dt.date(2025, 9, 22),
            actor_id=LEAD,
            party_ids=(party,),
            officer_ids=(LEAD, SECOND),
            item_code="ZB-009",
        )
    ).value
    case_id = view.case.id
    steps: list[tuple[str, dict[str, object], str, dt.date]] = [
        ("file", {"act_date": "2025-09-20"}, LEAD, dt.date(2025, 9, 24)),
        (
            "collect_evidence",
            {"evidence_kinds": ["record", "audiovisual"], "certificate_shown": True},
            LEAD,
            dt.date(2025, 9, 26),
        ),
        (
            "conclude",
            {"outcome": "penalty", "penalty_types": ["fine"], "fine": fine},
            LEAD,
            dt.date(2025, 9, 28),
        ),
        ("legal_review", {"review_opinion": "同意"}, REVIEWER, dt.date(2025, 9, 29)),
        ("notify", {"hearing_right_notified": False}, LEAD, dt.date(2025, 9, 30)),
        (
            "decide",
            {
                "facts": "当事人在消防车通道堆放货物，有现场笔录、照片为证",
                "penalty_basis": "《中华人民共和国消防法》第六十条第一款第（五）项",
                "performance": "自收到本决定书之日起十五日内缴纳罚款",
                "review_body": "闽侯县人民政府",
                "surcharge_told": True,
            },
            LEAD,
            dt.date(2025, 10, 13),
        ),
    ]
    for action, inputs, actor, day in steps:
        view = core.cases.act(case_id, action, inputs, actor, day).value
    assert view.case.stage == "decided"
    return case_id


def test_fines_for_item_reads_decided_cases_only(core: Core) -> None:
    core.office.seed_demo()
    service = core.discretion
    service.import_benchmarks(load_sample_benchmarks(), check_citations=False)
    _decided_simple(core, ZHANG, "50", "0101")
    _decided_simple(core, LI, "150", "0102")
    _decided_ordinary(core, RESTAURANT, "20000")
    _decided_simple(core, ZHANG, "190", "0104", training=True)  # a training case does not count
    core.cases.new_case(  # opened, not decided: does not count
        NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title="占用消防车通道（调查中）",
            source=CaseSource.PATROL,
            opened_on=dt.date(2025, 9, 22),
            actor_id=LEAD,
            party_ids=(ZHANG,),
            officer_ids=(LEAD, SECOND),
            item_code="ZB-009",
            data={"fine": "500"},
        )
    )
    store = SqlBenchmarkStore(core.database.engine)
    assert sorted(store.fines_for_item("ZB-009")) == [Decimal(50), Decimal(150), Decimal(20000)]
    assert sorted(store.fines_for_item("ZB-009", PartyKind.PERSON)) == [Decimal(50), Decimal(150)]
    assert store.fines_for_item("ZB-009", PartyKind.ORGANISATION) == [Decimal(20000)]
    assert store.fines_for_item("ZB-001") == []

    everyone = service.distribution("ZB-009").value
    assert everyone.fines == (Decimal(50), Decimal(150), Decimal(20000)) and everyone.count == 3
    assert (everyone.p25, everyone.median, everyone.p75) == (
        Decimal("100.00"),
        Decimal("150.00"),
        Decimal("10075.00"),
    )
    people = service.distribution("ZB-009", PartyKind.PERSON).value
    assert people.count == 2 and people.median == Decimal("100.00")
    none = service.distribution("ZB-001").value
    assert none.count == 0 and none.fines == () and none.median is None and none.p25 is None


# ---------------------------------------------------------------- the calculator


def test_calculate_uses_the_effective_entry_and_the_config(
    store: SqlBenchmarkStore, sample: list[Benchmark]
) -> None:
    store.upsert(sample, NOW)
    service = _service(store)
    oil = service.calculate("ZB-006", PartyKind.ORGANISATION, ["exceeds_standard", "small_scale"]).value
    assert oil.tier_level is TierLevel.LIGHTER
    assert oil.tier_yuan == (Decimal("6000.00"), Decimal("18500.00"))  # the county's 从轻
    fire = service.calculate("ZB-009", PartyKind.PERSON, [], proposed=Decimal(100)).value
    assert fire.simple_procedure_possible  # ≤ 200 yuan for a person (第五十一条)
    strict = DiscretionService(store, ProcedureConfig(simple_fine_limit_person=Decimal(50)), lambda: NOW)
    assert not strict.calculate(
        "ZB-009", PartyKind.PERSON, [], proposed=Decimal(100)
    ).value.simple_procedure_possible
    with pytest.raises(NotFound):
        service.calculate("ZB-999", PartyKind.PERSON, [])


# ---------------------------------------------------------------- import checks


def test_import_stores_atomically_and_reports(store: SqlBenchmarkStore, tmp_path: Path) -> None:
    service = _service(store, lambda texts: [])
    result = service.import_file(SAMPLE)
    assert (result.value.benchmarks, result.value.items, result.value.replaced) == (2, 32, 0)
    assert Topic.OFFICE in result.changes
    again = service.import_file(SAMPLE).value
    assert (again.replaced, again.changed) == (2, 0)


def test_a_refused_file_leaves_the_stored_benchmarks_intact(
    store: SqlBenchmarkStore, sample: list[Benchmark], tmp_path: Path
) -> None:
    service = _service(store)
    service.import_benchmarks(sample, check_citations=False)
    data = _sample_json()
    _tier(_tiers(data, 0, "ZB-006"), "general")["min"] = 20000  # a gap after 从轻 (…18500)
    data["benchmarks"][0]["name"] = "改过的省级基准"
    with pytest.raises(BenchmarkInvalid, match="空档"):
        service.import_file(_write(tmp_path / "bad.json", data), check_citations=False)
    with pytest.raises(InvalidInput, match="format"):
        service.import_file(_write(tmp_path / "other.json", {"benchmarks": []}), check_citations=False)
    assert store.benchmarks() == sample


def test_unreadable_and_unsupported_files_are_refused(store: SqlBenchmarkStore, tmp_path: Path) -> None:
    service = _service(store)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", "utf-8")
    with pytest.raises(InvalidInput, match="不是有效的 JSON"):
        service.import_file(garbage, check_citations=False)
    csv = tmp_path / "items.csv"
    csv.write_text("a,b", "utf-8")
    with pytest.raises(InvalidInput, match="不支持的裁量基准文件类型"):
        service.import_file(csv, check_citations=False)
    with pytest.raises(NotFound, match="找不到裁量基准文件"):
        service.import_file(tmp_path / "missing.json", check_citations=False)
    assert store.benchmarks() == []


def test_a_refinement_needs_its_parent_in_the_file_or_stored(
    store: SqlBenchmarkStore, tmp_path: Path
) -> None:
    service = _service(store)
    data = _sample_json()
    county_only = {**data, "benchmarks": [data["benchmarks"][1]]}
    with pytest.raises(BenchmarkInvalid, match="上级基准SAMPLE-PROV-2025既不在本文件中"):
        service.import_file(_write(tmp_path / "county.json", county_only), check_citations=False)
    province_only = {**data, "benchmarks": [data["benchmarks"][0]]}
    service.import_file(_write(tmp_path / "province.json", province_only), check_citations=False)
    # A refinement whose 从轻 reaches beyond the stored parent's 从轻 is refused …
    tiers = _tiers(county_only, 0, "ZB-006")
    _tier(tiers, "lighter")["max"] = 20000
    _tier(tiers, "general")["min"] = 20000
    with pytest.raises(BenchmarkInvalid, match="超出上级基准"):
        service.import_file(_write(tmp_path / "wide.json", county_only), check_citations=False)
    assert [b.id for b in store.benchmarks()] == ["SAMPLE-PROV-2025"]
    # … and the parent cannot be re-imported narrower than its stored refinement.
    service.import_file(SAMPLE, check_citations=False)
    tiers = _tiers(province_only, 0, "ZB-006")
    _tier(tiers, "lighter")["max"] = 10000
    _tier(tiers, "general")["min"] = 10000
    with pytest.raises(BenchmarkInvalid, match="超出上级基准"):
        service.import_file(_write(tmp_path / "narrow.json", province_only), check_citations=False)
    assert len(store.benchmarks()) == 2


def test_citations_are_checked_through_the_injected_resolver(
    store: SqlBenchmarkStore, sample: list[Benchmark]
) -> None:
    seen: list[str] = []

    def resolver(texts: Any) -> list[str]:
        seen.extend(texts)
        return ["“《中华人民共和国消防法》第六十条第二款”：法规库中没有该法规。"]

    with pytest.raises(CitationsUnresolved, match="无法核对") as refused:
        _service(store, resolver).import_file(SAMPLE)
    assert "--no-citation-check" in refused.value.advice
    assert seen == benchmark_citations(sample)
    assert "《中华人民共和国行政处罚法》第三十四条" in seen  # factor sources are checked too
    assert "《中华人民共和国大气污染防治法》第八十一条第一款" in seen  # 违法依据
    assert store.benchmarks() == []


def test_an_empty_statute_library_is_refused_in_chinese(core: Core) -> None:
    with pytest.raises(StatuteLibraryEmpty) as refused:
        core.discretion.import_file(SAMPLE)
    assert "请先导入法规库" in refused.value.user_text()
    assert "--no-citation-check" in refused.value.user_text()
    assert core.discretion.items().value == []
    assert core.discretion.import_file(SAMPLE, check_citations=False).value.benchmarks == 2


# ---------------------------------------------------------------- export


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_export_then_import_round_trips(
    core: Core, store: SqlBenchmarkStore, sample: list[Benchmark], tmp_path: Path, suffix: str
) -> None:
    service = _service(store)
    service.import_benchmarks(sample, check_citations=False)
    path = service.export_file(tmp_path / f"out{suffix}").value
    assert path.is_file()
    fresh = _service(SqlBenchmarkStore(core.database.engine))
    report = fresh.import_file(path, check_citations=False).value
    assert (report.benchmarks, report.replaced, report.changed) == (2, 2, 0)


def test_export_refuses_other_extensions_and_an_empty_store(
    store: SqlBenchmarkStore, sample: list[Benchmark], tmp_path: Path
) -> None:
    service = _service(store)
    with pytest.raises(InvalidInput, match="尚未导入裁量基准"):
        service.export_file(tmp_path / "out.json")
    service.import_benchmarks(sample, check_citations=False)
    with pytest.raises(InvalidInput, match="不支持的裁量基准文件类型"):
        service.export_file(tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
