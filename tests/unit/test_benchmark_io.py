"""裁量基准 in and out: dump_benchmarks (JSON) and the Excel workbook (library.benchmark_xlsx)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import tempfile
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from workstation.domain.cases import PenaltyType
from workstation.domain.discretion import (
    BaseKind,
    Benchmark,
    BenchmarkLevel,
    Effect,
    Escalation,
    Factor,
    FirstViolation,
    ItemEntry,
    Precondition,
    RangeKind,
    StatutoryRange,
    Tier,
    TierConvention,
    TierLevel,
    convention_tiers,
    dump_benchmarks,
    load_benchmarks,
)
from workstation.domain.entities import PartyKind
from workstation.domain.errors import InvalidInput
from workstation.library.benchmark_xlsx import (
    GUARD,
    MAX_LISTED,
    SHEETS,
    BenchmarkWorkbookInvalid,
    WorkbookProblem,
    read_workbook,
    write_workbook,
)

D = Decimal
PERSON, ORG, OTHER = PartyKind.PERSON, PartyKind.ORGANISATION, PartyKind.OTHER
SP = "《中华人民共和国食品安全法》"
CF = "《中华人民共和国行政处罚法》"
LONG = D("1234567.123456789012345")  # more digits than a double holds


def _sample_text() -> str:
    return (
        resources.files("workstation.resources")
        .joinpath("discretion/sample_benchmarks.json")
        .read_text("utf-8")
    )


def _sample() -> list[Benchmark]:
    return load_benchmarks(_sample_text())


def _full() -> list[Benchmark]:
    """A province benchmark and a county refinement using every optional part of the model."""
    cite = f"{SP}第一百二十二条第一款"
    multiple = StatutoryRange(
        frozenset({PERSON, ORG}),
        RangeKind.MULTIPLE,
        D(10),
        D(20),
        cite,
        base=BaseKind.GOODS_VALUE,
        floor=D("50000.5"),
        ceiling=LONG,
        base_from=D(10000),
        when=("refused_to_correct",),
        penalty_types=(PenaltyType.FINE, PenaltyType.CONFISCATE_GAINS),
        warning_alternative=True,
        fine_optional=True,
        tiers=(
            Tier(TierLevel.NO_PENALTY, ("minor", "corrected", "no_harm"), note="-"),
            Tier(TierLevel.MITIGATED, ("coerced", "meritorious"), D("2.5"), D(10), "+减轻"),
            Tier(TierLevel.LIGHTER, ("small",), D(10), D("12.5"), "=SUM(A1:A9)"),
            Tier(TierLevel.GENERAL, (), D("12.5"), D("17.5")),
            Tier(TierLevel.HEAVIER, ("repeated",), D("17.5"), D(20), "@从重"),
        ),
    )
    fixed = StatutoryRange(
        frozenset({ORG}),
        RangeKind.FIXED,
        D(50000),
        D(100000),
        cite,
        base=BaseKind.GOODS_VALUE,
        base_below=D(10000),
        tiers=convention_tiers(D(50000), D(100000), TierConvention(D("0.25"), D("0.75"))),
    )
    item = ItemEntry(
        item_code="X-1",
        name="=1+1 未取得食品经营许可从事食品经营",
        department="市场监管",
        violation_basis=(f"{SP}第三十五条第一款",),
        penalty_basis=(cite, f"{SP}第一百二十二条第二款"),
        party_kinds=frozenset({PERSON, ORG, OTHER}),
        penalty_types=(PenaltyType.FINE, PenaltyType.CONFISCATE_GAINS, PenaltyType.SUSPEND_BUSINESS),
        ranges=(multiple, fixed),
        delegated_to_township=True,
        delegation_document="-赋权文件（示例）",
        measures=("责令改正", "'引号开头的措施"),
        preconditions=(Precondition("refused_to_correct", "-经责令改正拒不改正", cite),),
        factors=(
            Factor("repeated", "@多次被投诉", Effect.AGGRAVATING, f"{CF}第三十四条"),
            Factor("small", "+情节轻微", Effect.MITIGATING, f"{CF}第三十四条"),
        ),
        escalations=(
            Escalation("refused_to_correct", "责令停产停业", cite, PenaltyType.SUSPEND_BUSINESS),
            Escalation("repeated", '=HYPERLINK("http://x")', cite),
        ),
        first_violation=FirstViolation(("small",), 7, f"{CF}第三十三条第一款"),
        evidence_checklist=("现场检查笔录", "=cmd|' /C calc'!A0"),
        inspection_items=("+是否持证",),
        sample=True,
        note="备注；含分号",
    )
    province = Benchmark(
        id="P1",
        name="测试省裁量基准",
        version="2025.1",
        publisher="测试省司法厅",
        document_number="测〔2025〕1号",
        level=BenchmarkLevel.PROVINCE,
        items=(item,),
        region="测试省",
        effective_on=dt.date(2025, 3, 1),
        convention=TierConvention(D("0.25"), D("0.75")),
        sample=True,
    )
    child_range = dataclasses.replace(
        multiple,
        tiers=(
            Tier(TierLevel.LIGHTER, ("small",), D(11), D("12.5")),
            Tier(TierLevel.GENERAL, (), D("12.5"), D("17.5")),
            Tier(TierLevel.HEAVIER, ("repeated",), D("17.5"), D(19)),
        ),
    )
    county_item = dataclasses.replace(item, ranges=(child_range,), first_violation=None, sample=False)
    county = Benchmark(
        id="C1",
        name="测试县细化基准",
        version="1",
        publisher="测试县司法局",
        document_number="测县〔2025〕2号",
        level=BenchmarkLevel.COUNTY,
        items=(county_item,),
        parent_id="P1",
    )
    return [province, county]


# ============================================================================ JSON


def test_dump_round_trips_the_sample() -> None:
    sample = _sample()
    text = dump_benchmarks(sample)
    assert load_benchmarks(text) == sample
    assert dump_benchmarks(load_benchmarks(text)) == text  # stable
    assert "示例省" in text and '\n  "benchmarks": [' in text  # UTF-8 text, indent 2
    data = json.loads(text)
    assert list(data) == ["format", "format_version", "benchmarks"]
    assert list(data["benchmarks"][0])[:3] == ["id", "name", "version"]


def test_dump_round_trips_every_optional_part() -> None:
    full = _full()
    text = dump_benchmarks(full)
    loaded = load_benchmarks(text)
    assert loaded == full
    rng = loaded[0].items[0].ranges[0]
    assert str(rng.ceiling) == str(LONG) and str(rng.floor) == "50000.5"
    assert loaded[0].convention.lighter_fraction == D("0.25")
    assert loaded[1].parent_id == "P1" and loaded[1].effective_on is None
    assert loaded[0].items[0].escalations[1].penalty_type is None
    raw = json.loads(text)["benchmarks"][0]["items"][0]["ranges"][0]
    assert raw["min"] == 10 and raw["floor"] == "50000.5" and raw["base_from"] == 10000


# ============================================================================ Excel: round trip


def test_excel_round_trip_of_the_sample_is_exact(tmp_path: Path) -> None:
    sample = _sample()
    path = tmp_path / "基准.xlsx"
    write_workbook(sample, path)
    assert read_workbook(path) == sample
    assert read_workbook(path) == load_benchmarks(_sample_text())
    assert [p.name for p in tmp_path.iterdir()] == ["基准.xlsx"]  # no temporary file left


def test_excel_round_trip_of_every_optional_part(tmp_path: Path) -> None:
    full = _full()
    path = tmp_path / "full.xlsx"
    write_workbook(full, path)
    read = read_workbook(path)
    assert read == full
    rng = read[0].items[0].ranges[0]
    assert str(rng.ceiling) == str(LONG) and str(rng.floor) == "50000.5"
    assert read[0].items[0].name.startswith("=1+1")
    wb = load_workbook(path)
    ranges = wb["罚款幅度"]
    head = _headers(ranges)
    assert ranges.cell(2, head["下限"]).value == 10 and ranges.cell(2, head["下限"]).data_type == "n"
    assert ranges.cell(2, head["最低罚款额"]).value == 50000.5  # a double holds it exactly
    assert ranges.cell(2, head["最高罚款额"]).value == str(LONG)  # exact digits as text
    tiers = wb["裁量档次"]
    assert tiers.cell(3, _headers(tiers)["下限"]).value == 2.5
    bench = wb["基准"]
    assert bench.cell(2, _headers(bench)["生效日期"]).value == dt.datetime(2025, 3, 1)


def test_written_workbook_guards_every_formula_like_text(tmp_path: Path) -> None:
    path = tmp_path / "full.xlsx"
    write_workbook(_full(), path)
    wb = load_workbook(path)
    assert wb.sheetnames == [s.title for s in SHEETS]
    texts = []
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(cell.font.bold for cell in ws[1])
        assert ws.column_dimensions["A"].width >= 10
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert cell.value == "-" or not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert "'=1+1 未取得食品经营许可从事食品经营" in texts
    assert "'-经责令改正拒不改正" in texts and "'@多次被投诉" in texts and "'+情节轻微" in texts
    assert "'=SUM(A1:A9)" in texts and '\'=HYPERLINK("http://x")' in texts
    assert "''引号开头的措施" not in texts and any(t.startswith("责令改正\n'引号") for t in texts)
    assert "-" in texts  # "-" alone is left as it is


def test_guarded_text_typed_by_hand_is_read_without_the_apostrophe(tmp_path: Path) -> None:
    path = _edit(tmp_path, lambda wb: _set(wb, "事项", {"事项编码": "ZB-003"}, "备注", f"{GUARD}=说明"))
    item = read_workbook(path)[0].item("ZB-003")
    assert item is not None and item.note == "=说明"


def test_numbers_typed_as_text_and_lists_with_blank_lines_are_read(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        _set(
            wb,
            "罚款幅度",
            {"事项编码": "ZB-003", "幅度序号": 1},
            "上限",
            _get(wb, "罚款幅度", "ZB-003", "上限"),
        )
        _set(wb, "事项", {"事项编码": "ZB-003"}, "证据清单", "\n 询问笔录 \n\n现场照片\n")

    ranges = _sample()[0].item("ZB-003")
    path = _edit(tmp_path, change)
    item = read_workbook(path)[0].item("ZB-003")
    assert ranges is not None and item is not None
    assert item.ranges == ranges.ranges and item.evidence_checklist == ("询问笔录", "现场照片")


def test_writing_refuses_a_list_element_with_a_line_break(tmp_path: Path) -> None:
    full = _full()
    item = dataclasses.replace(full[0].items[0], measures=("责令改正\n并公告",))
    with pytest.raises(InvalidInput, match="换行"):
        write_workbook([dataclasses.replace(full[0], items=(item,))], tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())


# ============================================================================ Excel: refusals


def _headers(ws: Worksheet) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[1] if c.value is not None}


def _row(ws: Worksheet, where: dict[str, Any], nth: int = 0) -> int:
    head = _headers(ws)
    found = [
        r for r in range(2, ws.max_row + 1) if all(ws.cell(r, head[h]).value == v for h, v in where.items())
    ]
    return found[nth]


def _set(wb: Workbook, sheet: str, where: dict[str, Any], column: str, value: Any, nth: int = 0) -> int:
    ws = wb[sheet]
    row = _row(ws, where, nth)
    ws.cell(row, _headers(ws)[column]).value = value
    return row


def _get(wb: Workbook, sheet: str, code: str, column: str) -> str:
    ws = wb[sheet]
    return str(ws.cell(_row(ws, {"事项编码": code}), _headers(ws)[column]).value)


@functools.cache
def _sample_workbook() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sample.xlsx"
        write_workbook(_sample(), path)
        return path.read_bytes()


def _edit(tmp_path: Path, change: Callable[[Workbook], Any]) -> Path:
    """The sample written as a workbook, then changed with openpyxl as a user's editor would."""
    path = tmp_path / "edited.xlsx"
    path.write_bytes(_sample_workbook())
    wb = load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def _refused(path: Path) -> BenchmarkWorkbookInvalid:
    with pytest.raises(BenchmarkWorkbookInvalid) as caught:
        read_workbook(path)
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert all(isinstance(p, WorkbookProblem) for p in error.problems)
    return error


def _tier(level: str, seq: int = 1, code: str = "ZB-014") -> dict[str, Any]:
    return {"基准编号": "SAMPLE-PROV-2025", "事项编码": code, "幅度序号": seq, "档次": level}


def _named(error: BenchmarkWorkbookInvalid, sheet: str, row: int, column: str, *words: str) -> None:
    """The message names the sheet, row and column of a problem whose text has ``words``."""
    matching = [
        p
        for p in error.problems
        if (p.sheet, p.row, p.column) == (sheet, row, column) and all(w in p.message for w in words)
    ]
    assert matching, [p.text for p in error.problems]
    assert f"工作表“{sheet}”第{row}行“{column}”列：" in error.message


def test_missing_sheet_is_refused(tmp_path: Path) -> None:
    error = _refused(_edit(tmp_path, lambda wb: wb.remove(wb["情节"])))
    assert error.problems == (WorkbookProblem("情节", None, "", "缺少工作表“情节”。"),)
    assert "工作表“情节”：缺少工作表“情节”。" in error.message and "未导入任何内容" in error.message


def test_missing_header_is_refused(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["裁量档次"]
        ws.cell(1, _headers(ws)["上限"]).value = "最高额"

    error = _refused(_edit(tmp_path, change))
    _named(error, "裁量档次", 1, "上限", "缺少表头")


def test_formula_cell_is_refused(tmp_path: Path) -> None:
    rows: list[int] = []

    def change(wb: Workbook) -> None:
        rows.append(_set(wb, "罚款幅度", {"事项编码": "ZB-014", "幅度序号": 1}, "下限", "=40000+10000"))
        assert wb["罚款幅度"].cell(rows[0], _headers(wb["罚款幅度"])["下限"]).data_type == "f"

    error = _refused(_edit(tmp_path, change))
    _named(error, "罚款幅度", rows[0], "下限", "公式", "=40000+10000")
    assert len(error.problems) == 1


def test_text_in_a_number_column_is_refused(tmp_path: Path) -> None:
    rows: list[int] = []
    path = _edit(tmp_path, lambda wb: rows.append(_set(wb, "裁量档次", _tier("从轻"), "下限", "五万")))
    error = _refused(path)
    _named(error, "裁量档次", rows[0], "下限", "应为数字", "五万")


def test_bad_date_and_unknown_codes_are_refused(tmp_path: Path) -> None:
    rows: dict[str, int] = {}

    def change(wb: Workbook) -> None:
        rows["date"] = _set(wb, "基准", {"基准编号": "SAMPLE-COUNTY-2025"}, "生效日期", "2025-13-01")
        rows["tier"] = _set(wb, "裁量档次", _tier("一般"), "档次", "中等")
        rows["party"] = _set(wb, "事项", {"事项编码": "ZB-003"}, "当事人类别", "自然人\n个体户")
        rows["kind"] = _set(wb, "罚款幅度", {"事项编码": "ZB-003"}, "计算方式", "区间")
        rows["base"] = _set(wb, "罚款幅度", {"事项编码": "ZB-014", "幅度序号": 2}, "计算基数", "营业额")

    error = _refused(_edit(tmp_path, change))
    _named(error, "基准", rows["date"], "生效日期", "不是有效的日期")
    _named(error, "裁量档次", rows["tier"], "档次", "“中等”无效", "从轻")
    _named(error, "事项", rows["party"], "当事人类别", "“个体户”无效")
    _named(error, "罚款幅度", rows["kind"], "计算方式", "“区间”无效")
    _named(error, "罚款幅度", rows["base"], "计算基数", "“营业额”无效")
    assert len(error.problems) == 5  # nothing reported twice, no validation on half-read data


def test_overlapping_tiers_are_refused(tmp_path: Path) -> None:
    rows: list[int] = []
    path = _edit(tmp_path, lambda wb: rows.append(_set(wb, "裁量档次", _tier("一般"), "下限", 60000)))
    error = _refused(path)
    _named(error, "裁量档次", rows[0], "下限", "ZB-014", "重叠")


def test_gapped_tiers_are_refused(tmp_path: Path) -> None:
    rows: list[int] = []
    path = _edit(tmp_path, lambda wb: rows.append(_set(wb, "裁量档次", _tier("一般"), "下限", 70000)))
    error = _refused(path)
    _named(error, "裁量档次", rows[0], "下限", "ZB-014", "空档")


def test_min_above_max_is_refused(tmp_path: Path) -> None:
    rows: list[int] = []

    def change(wb: Workbook) -> None:
        rows.append(_set(wb, "裁量档次", _tier("从轻"), "下限", 70000))
        rows.append(_set(wb, "罚款幅度", {"事项编码": "ZB-003", "幅度序号": 1}, "下限", 999999))

    error = _refused(_edit(tmp_path, change))
    _named(error, "裁量档次", rows[0], "下限", "“从轻”档下限70000大于上限65000")
    _named(error, "罚款幅度", rows[1], "下限", "ZB-003", "下限999999大于上限")


def test_tier_outside_the_statutory_range_is_refused(tmp_path: Path) -> None:
    rows: list[int] = []
    path = _edit(tmp_path, lambda wb: rows.append(_set(wb, "裁量档次", _tier("从重"), "上限", 120000)))
    error = _refused(path)
    _named(error, "裁量档次", rows[0], "上限", "“从重”档", "超出法定幅度")


def test_duplicate_item_codes_are_refused(tmp_path: Path) -> None:
    rows: list[int] = []
    path = _edit(
        tmp_path, lambda wb: rows.append(_set(wb, "事项", {"事项编码": "ZB-003"}, "事项编码", "ZB-002"))
    )
    error = _refused(path)
    _named(error, "事项", rows[0], "事项编码", "ZB-002重复", "第3行已有")


def test_unknown_item_code_in_a_tier_row_is_refused(tmp_path: Path) -> None:
    rows: list[int] = []
    path = _edit(tmp_path, lambda wb: rows.append(_set(wb, "裁量档次", _tier("从重"), "事项编码", "ZB-999")))
    error = _refused(path)
    _named(error, "裁量档次", rows[0], "事项编码", "ZB-999", "没有")
    assert len(error.problems) == 1


def test_refinement_conflict_is_mapped_to_the_county_row(tmp_path: Path) -> None:
    rows: list[int] = []
    county = {"基准编号": "SAMPLE-COUNTY-2025", "事项编码": "ZB-006", "幅度序号": 1}

    def change(wb: Workbook) -> None:
        rows.append(_set(wb, "裁量档次", {**county, "档次": "一般"}, "上限", 40000))
        _set(wb, "裁量档次", {**county, "档次": "从重"}, "下限", 40000)

    error = _refused(_edit(tmp_path, change))
    _named(error, "裁量档次", rows[0], "上限", "超出上级基准")


def test_many_problems_are_listed_up_to_a_cap(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["裁量档次"]
        column = _headers(ws)["说明"]
        for row in range(2, ws.max_row + 1):
            ws.cell(row, column).value = dt.datetime(2025, 1, 1)

    error = _refused(_edit(tmp_path, change))
    assert len(error.problems) > MAX_LISTED + 5
    listed = error.message.splitlines()
    assert len(listed) == 1 + MAX_LISTED + 1
    assert f"另有{len(error.problems) - MAX_LISTED}处问题未列出" in listed[-1]
    assert all("“说明”列：应为文字" in line for line in listed[1:-1])


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_text("not a workbook", "utf-8")
    error = _refused(path)
    assert "无法作为 Excel 表格" in error.message


def test_unknown_benchmark_code_in_a_row_is_refused(tmp_path: Path) -> None:
    rows: list[int] = []
    where = {"事项编码": "ZB-001", "情节代码": "small_scale"}
    path = _edit(tmp_path, lambda wb: rows.append(_set(wb, "情节", where, "基准编号", "NOPE")))
    error = _refused(path)
    _named(error, "情节", rows[0], "基准编号", "NOPE", "“基准”中没有")
    assert len(error.problems) == 1
