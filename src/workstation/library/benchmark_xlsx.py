"""裁量基准 as an Excel workbook (.xlsx), in the shape provinces publish them.

:func:`write_workbook` writes benchmarks as eight sheets — 基准, 事项, 罚款幅度, 裁量档次, 情节,
前提条件, 加重措施, 首违不罚 — one row per benchmark, item, range, tier …, Chinese headers, lists
one element per line inside a cell. :func:`read_workbook` reads such a workbook back, refusing bad
input with the sheet, row, column and reason in Chinese, and validates the result exactly as
:func:`~workstation.domain.discretion.load_benchmarks` does. The layout, the list separator and
the formula-injection guard are documented in docs/DISCRETION.md ("Excel layout").

Round trip: ``read_workbook(path)`` after ``write_workbook(b, path)`` equals ``b`` for every
benchmark list that ``load_benchmarks`` accepts, except text the JSON loader could not return
either (leading or trailing spaces) and list elements containing a line break, which
:func:`write_workbook` refuses.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from workstation.domain.cases import PenaltyType
from workstation.domain.discretion import (
    BaseKind,
    Benchmark,
    BenchmarkLevel,
    BenchmarkProblem,
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
    check_refinement,
    convention_tiers,
    validate_benchmark,
)
from workstation.domain.entities import PartyKind
from workstation.domain.errors import FieldError, InvalidInput

__all__ = [
    "GUARD",
    "MAX_LISTED",
    "SEPARATOR",
    "SHEETS",
    "BenchmarkWorkbookInvalid",
    "WorkbookProblem",
    "read_workbook",
    "write_workbook",
]

#: Elements of a list inside one cell are separated by a line break (Alt+Enter in Excel).
SEPARATOR = "\n"
#: Prefixed to text that starts with one of ``_GUARDED`` (``=``, ``+``, ``-``, ``@``, tab, carriage
#: return, or the apostrophe itself) so no spreadsheet takes it for a formula; the text ``-`` alone
#: is left as it is. :func:`read_workbook` removes one leading apostrophe from every text cell.
GUARD = "'"
_GUARDED = ("=", "+", "-", "@", "\t", "\r", GUARD)
#: How many problems the error message lists; ``problems`` holds them all.
MAX_LISTED = 20
#: Integers up to this size are written as numbers (Excel keeps 15 significant digits).
_EXACT_INTEGER = Decimal(10) ** 15
_NUMERIC_TEXT = re.compile(r"\d+(\.\d+)?")
_INTEGER_TEXT = re.compile(r"-?\d+")
_YES, _NO = "是", "否"


# ============================================================================ errors


class WorkbookProblem(NamedTuple):
    """One reason to refuse a workbook: sheet, row (1-based, ``None`` for the whole sheet),
    column (its header, or its letter outside the layout) and a Chinese message."""

    sheet: str
    row: int | None
    column: str
    message: str

    @property
    def text(self) -> str:
        where = f"工作表“{self.sheet}”" if self.sheet else ""
        if self.row is not None:
            where += f"第{self.row}行"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.message}" if where else self.message


class BenchmarkWorkbookInvalid(InvalidInput):
    """A workbook that cannot be read; ``problems`` lists every finding, nothing was read."""

    code = "invalid_benchmark_workbook"

    def __init__(self, source: str, problems: Sequence[WorkbookProblem]) -> None:
        self.problems = tuple(problems)
        shown = [p.text for p in self.problems[:MAX_LISTED]]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            shown.append(f"……另有{rest}处问题未列出。")
        super().__init__(
            f"裁量基准表格“{source}”有{len(self.problems)}处问题，未导入任何内容：\n" + "\n".join(shown),
            "请按提示修改表格后重新导入；表格格式见 docs/DISCRETION.md 的“Excel layout”一节。",
        )


# ============================================================================ the layout


class _Kind(enum.Enum):
    TEXT = "text"  # required text
    OPTIONAL_TEXT = "optional_text"
    LIST = "list"  # texts, one per line
    NUMBER = "number"  # required non-negative Decimal
    OPTIONAL_NUMBER = "optional_number"
    INTEGER = "integer"
    FLAG = "flag"  # 是 / 否
    DATE = "date"
    CHOICE = "choice"  # one enum member, by label or value
    OPTIONAL_CHOICE = "optional_choice"
    CHOICES = "choices"  # enum members, one per line


@dataclass(frozen=True, slots=True)
class _Column:
    key: str
    header: str
    kind: _Kind
    width: int = 14
    choices: type[enum.StrEnum] | None = None


@dataclass(frozen=True, slots=True)
class _Sheet:
    title: str
    columns: tuple[_Column, ...]

    def column(self, key: str) -> _Column:
        return next(c for c in self.columns if c.key == key)

    def header(self, key: str) -> str:
        return self.column(key).header


_K = _Kind
_BID = _Column("benchmark", "基准编号", _K.TEXT, 18)
_CODE = _Column("item_code", "事项编码", _K.TEXT, 12)
_SEQ = _Column("range", "幅度序号", _K.INTEGER, 10)
_SOURCE = _Column("source", "依据", _K.TEXT, 40)

BENCHMARKS = _Sheet(
    "基准",
    (
        _Column("id", "基准编号", _K.TEXT, 18),
        _Column("name", "名称", _K.TEXT, 40),
        _Column("level", "层级", _K.CHOICE, 10, BenchmarkLevel),
        _Column("parent_id", "上级基准", _K.OPTIONAL_TEXT, 18),
        _Column("version", "版本", _K.TEXT, 10),
        _Column("publisher", "发布机关", _K.TEXT, 24),
        _Column("document_number", "文号", _K.TEXT, 20),
        _Column("region", "地区", _K.OPTIONAL_TEXT, 12),
        _Column("effective_on", "生效日期", _K.DATE, 12),
        _Column("lighter_fraction", "从轻上限比例", _K.OPTIONAL_NUMBER, 12),
        _Column("heavier_fraction", "一般上限比例", _K.OPTIONAL_NUMBER, 12),
        _Column("sample", "示例", _K.FLAG, 8),
    ),
)
ITEMS = _Sheet(
    "事项",
    (
        _BID,
        _CODE,
        _Column("name", "事项名称", _K.TEXT, 36),
        _Column("department", "实施部门", _K.TEXT, 20),
        _Column("violation_basis", "违法依据", _K.LIST, 40),
        _Column("penalty_basis", "处罚依据", _K.LIST, 40),
        _Column("party_kinds", "当事人类别", _K.CHOICES, 12, PartyKind),
        _Column("penalty_types", "处罚种类", _K.CHOICES, 16, PenaltyType),
        _Column("measures", "其他措施", _K.LIST, 24),
        _Column("delegated", "赋权乡镇", _K.FLAG, 10),
        _Column("delegation_document", "赋权文件", _K.OPTIONAL_TEXT, 30),
        _Column("evidence_checklist", "证据清单", _K.LIST, 30),
        _Column("inspection_items", "检查事项", _K.LIST, 30),
        _Column("sample", "示例", _K.FLAG, 8),
        _Column("note", "备注", _K.OPTIONAL_TEXT, 30),
    ),
)
RANGES = _Sheet(
    "罚款幅度",
    (
        _BID,
        _CODE,
        _SEQ,
        _Column("party_kinds", "当事人类别", _K.CHOICES, 12, PartyKind),
        _Column("kind", "计算方式", _K.CHOICE, 10, RangeKind),
        _Column("min", "下限", _K.NUMBER, 12),
        _Column("max", "上限", _K.NUMBER, 12),
        _Column("base", "计算基数", _K.OPTIONAL_CHOICE, 14, BaseKind),
        _Column("floor", "最低罚款额", _K.OPTIONAL_NUMBER, 12),
        _Column("ceiling", "最高罚款额", _K.OPTIONAL_NUMBER, 12),
        _Column("base_from", "基数下限（含）", _K.OPTIONAL_NUMBER, 14),
        _Column("base_below", "基数上限（不含）", _K.OPTIONAL_NUMBER, 14),
        _Column("when", "适用情形", _K.LIST, 18),
        _Column("penalty_types", "处罚种类", _K.CHOICES, 16, PenaltyType),
        _Column("warning_alternative", "可处警告替代罚款", _K.FLAG, 10),
        _Column("fine_optional", "可以处罚款", _K.FLAG, 10),
        _Column("citation", "依据", _K.TEXT, 40),
    ),
)
TIERS = _Sheet(
    "裁量档次",
    (
        _BID,
        _CODE,
        _SEQ,
        _Column("level", "档次", _K.CHOICE, 10, TierLevel),
        _Column("conditions", "情形", _K.LIST, 24),
        _Column("min", "下限", _K.OPTIONAL_NUMBER, 12),
        _Column("max", "上限", _K.OPTIONAL_NUMBER, 12),
        _Column("note", "说明", _K.OPTIONAL_TEXT, 30),
    ),
)
FACTORS = _Sheet(
    "情节",
    (
        _BID,
        _CODE,
        _Column("code", "情节代码", _K.TEXT, 18),
        _Column("label", "情节名称", _K.TEXT, 36),
        _Column("effect", "作用", _K.CHOICE, 14, Effect),
        _SOURCE,
    ),
)
PRECONDITIONS = _Sheet(
    "前提条件",
    (
        _BID,
        _CODE,
        _Column("code", "条件代码", _K.TEXT, 18),
        _Column("label", "条件名称", _K.TEXT, 30),
        _SOURCE,
    ),
)
ESCALATIONS = _Sheet(
    "加重措施",
    (
        _BID,
        _CODE,
        _Column("condition", "触发条件", _K.TEXT, 18),
        _Column("measure", "措施", _K.TEXT, 30),
        _Column("penalty_type", "处罚种类", _K.OPTIONAL_CHOICE, 16, PenaltyType),
        _SOURCE,
    ),
)
FIRST_VIOLATIONS = _Sheet(
    "首违不罚",
    (
        _BID,
        _CODE,
        _Column("conditions", "附加条件", _K.LIST, 24),
        _Column("correction_days", "改正期限（日）", _K.INTEGER, 12),
        _Column("source", "依据", _K.OPTIONAL_TEXT, 40),
    ),
)

#: The sheets in workbook order.
SHEETS = (BENCHMARKS, ITEMS, RANGES, TIERS, FACTORS, PRECONDITIONS, ESCALATIONS, FIRST_VIOLATIONS)


# ============================================================================ writing


def _label(member: Any) -> str:
    """The Chinese label every vocabulary enum of the model carries."""
    return str(member.label)


def _guard(text: str, where: str) -> str:
    if ILLEGAL_CHARACTERS_RE.search(text):
        raise InvalidInput(f"{where}含有 Excel 不能保存的控制字符，无法导出为表格。")
    return GUARD + text if text.startswith(_GUARDED) and text != "-" else text


def _number_out(value: Decimal) -> int | float | str:
    """Integers and decimals a double holds exactly as numbers; anything else as exact text."""
    if value == value.to_integral_value() and abs(value) < _EXACT_INTEGER:
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) == value:
        return as_float
    return format(value, "f")


def _cell_out(column: _Column, value: Any, where: str) -> Any:
    kind = column.kind
    if value is None:
        return None
    if kind in (_K.TEXT, _K.OPTIONAL_TEXT):
        return _guard(str(value), where) if value else None
    if kind is _K.LIST:
        for element in value:
            if "\n" in element or "\r" in element:
                raise InvalidInput(
                    f"{where}的“{column.header}”中“{element}”含有换行，而表格以换行分隔列表，无法导出。"
                )
        return _guard(SEPARATOR.join(value), where) if value else None
    if kind in (_K.NUMBER, _K.OPTIONAL_NUMBER):
        return _number_out(value)
    if kind is _K.INTEGER:
        return int(value)
    if kind is _K.FLAG:
        return _YES if value else _NO
    if kind is _K.DATE:
        return value
    if kind in (_K.CHOICE, _K.OPTIONAL_CHOICE):
        return _guard(_label(value), where)
    assert column.choices is not None
    members = [m for m in column.choices if m in value] if isinstance(value, frozenset) else list(value)
    return _guard(SEPARATOR.join(_label(m) for m in members), where) if members else None


def _rows(benchmarks: Sequence[Benchmark]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Per sheet title: (where, values by column key) for each row."""
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {s.title: [] for s in SHEETS}
    for b in benchmarks:
        out[BENCHMARKS.title].append(
            (
                f"裁量基准{b.id}",
                {
                    "id": b.id,
                    "name": b.name,
                    "level": b.level,
                    "parent_id": b.parent_id,
                    "version": b.version,
                    "publisher": b.publisher,
                    "document_number": b.document_number,
                    "region": b.region,
                    "effective_on": b.effective_on,
                    "lighter_fraction": b.convention.lighter_fraction,
                    "heavier_fraction": b.convention.heavier_fraction,
                    "sample": b.sample,
                },
            )
        )
        for item in b.items:
            where = f"裁量基准{b.id}的事项{item.title}"
            key = {"benchmark": b.id, "item_code": item.item_code}
            out[ITEMS.title].append(
                (
                    where,
                    {
                        **key,
                        "name": item.name,
                        "department": item.department,
                        "violation_basis": item.violation_basis,
                        "penalty_basis": item.penalty_basis,
                        "party_kinds": item.party_kinds,
                        "penalty_types": item.penalty_types,
                        "measures": item.measures,
                        "delegated": item.delegated_to_township,
                        "delegation_document": item.delegation_document,
                        "evidence_checklist": item.evidence_checklist,
                        "inspection_items": item.inspection_items,
                        "sample": item.sample,
                        "note": item.note,
                    },
                )
            )
            for seq, rng in enumerate(item.ranges, start=1):
                out[RANGES.title].append(
                    (
                        where,
                        {
                            **key,
                            "range": seq,
                            "party_kinds": rng.party_kinds,
                            "kind": rng.kind,
                            "min": rng.minimum,
                            "max": rng.maximum,
                            "base": rng.base,
                            "floor": rng.floor,
                            "ceiling": rng.ceiling,
                            "base_from": rng.base_from,
                            "base_below": rng.base_below,
                            "when": rng.when,
                            "penalty_types": rng.penalty_types,
                            "warning_alternative": rng.warning_alternative,
                            "fine_optional": rng.fine_optional,
                            "citation": rng.citation,
                        },
                    )
                )
                for t in rng.tiers:
                    out[TIERS.title].append(
                        (
                            where,
                            {
                                **key,
                                "range": seq,
                                "level": t.level,
                                "conditions": t.conditions,
                                "min": t.minimum,
                                "max": t.maximum,
                                "note": t.note,
                            },
                        )
                    )
            for f in item.factors:
                out[FACTORS.title].append(
                    (
                        where,
                        {**key, "code": f.code, "label": f.label, "effect": f.effect, "source": f.source},
                    )
                )
            for p in item.preconditions:
                out[PRECONDITIONS.title].append(
                    (where, {**key, "code": p.code, "label": p.label, "source": p.source})
                )
            for e in item.escalations:
                out[ESCALATIONS.title].append(
                    (
                        where,
                        {
                            **key,
                            "condition": e.condition,
                            "measure": e.measure,
                            "penalty_type": e.penalty_type,
                            "source": e.source,
                        },
                    )
                )
            fv = item.first_violation
            if fv is not None:
                out[FIRST_VIOLATIONS.title].append(
                    (
                        where,
                        {
                            **key,
                            "conditions": fv.conditions,
                            "correction_days": fv.correction_days,
                            "source": fv.source,
                        },
                    )
                )
    return out


def write_workbook(benchmarks: Sequence[Benchmark], path: Path) -> None:
    """Write ``benchmarks`` as an .xlsx workbook (layout in docs/DISCRETION.md).

    Bold, frozen header row; column widths set; list cells wrap. Written to a temporary file in
    the same folder and then moved over ``path``, so a failed export leaves no partial file.
    Raises :class:`~workstation.domain.errors.InvalidInput` for text a workbook cannot hold.
    """
    rows = _rows(benchmarks)
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for spec in SHEETS:
        ws = wb.create_sheet(spec.title)
        ws.append([c.header for c in spec.columns])
        for index, column in enumerate(spec.columns, start=1):
            ws.cell(row=1, column=index).font = bold
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        for row_number, (where, values) in enumerate(rows[spec.title], start=2):
            for index, column in enumerate(spec.columns, start=1):
                value = _cell_out(column, values.get(column.key), where)
                if value is None:
                    continue
                cell = ws.cell(row=row_number, column=index)
                cell.value = value
                if column.kind in (_K.LIST, _K.CHOICES):
                    cell.alignment = wrap
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".xlsx", prefix=".benchmarks-", dir=path.parent)
    os.close(handle)
    try:
        wb.save(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


# ============================================================================ reading cells


class _CellError(Exception):
    """A cell that cannot be read; ``args[0]`` is the Chinese reason."""


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _text_in(raw: Any, *, required: bool) -> str:
    if raw is None:
        text = ""
    elif isinstance(raw, str):
        text = (raw[1:] if raw.startswith(GUARD) else raw).strip()
    elif isinstance(raw, bool | dt.datetime | dt.date | dt.time):
        raise _CellError(f"应为文字（填写为“{_shown(raw)}”）。")
    elif isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        text = str(int(raw)) if raw.is_integer() else repr(raw)
    else:
        raise _CellError(f"应为文字（填写为“{_shown(raw)}”）。")
    if required and not text:
        raise _CellError("不能为空。")
    return text


def _list_in(raw: Any) -> tuple[str, ...]:
    text = _text_in(raw, required=False)
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _number_in(raw: Any, *, required: bool) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise _CellError("不能为空，应填写数字。")
        return None
    if isinstance(raw, bool | dt.datetime | dt.date | dt.time):
        raise _CellError(f"应为数字（填写为“{_shown(raw)}”）。")
    if isinstance(raw, int):
        amount = Decimal(raw)
    elif isinstance(raw, float):
        amount = Decimal(repr(raw))
    elif isinstance(raw, str) and _NUMERIC_TEXT.fullmatch(raw.strip()):
        amount = Decimal(raw.strip())
    else:
        raise _CellError(f"应为数字（填写为“{_shown(raw)}”）。")
    if not amount.is_finite() or amount < 0:
        raise _CellError(f"应为非负数（填写为“{_shown(raw)}”）。")
    return amount


def _integer_in(raw: Any) -> int:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise _CellError("不能为空，应填写整数。")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INTEGER_TEXT.fullmatch(raw.strip()):
        return int(raw.strip())
    raise _CellError(f"应为整数（填写为“{_shown(raw)}”）。")


def _flag_in(raw: Any) -> bool:
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    text = _text_in(raw, required=False)
    if text in ("", _NO, "0"):
        return False
    if text in (_YES, "1"):
        return True
    raise _CellError(f"应为“{_YES}”或“{_NO}”（填写为“{text}”）。")


def _date_in(raw: Any) -> dt.date | None:
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time():
            raise _CellError(f"应为日期，不含时刻（填写为“{_shown(raw)}”）。")
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = _text_in(raw, required=False)
        if not text:
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise _CellError(f"不是有效的日期（填写为“{text}”）。") from None
    raise _CellError(f"应为“年-月-日”格式的日期（填写为“{_shown(raw)}”）。")


def _choice_in(raw: Any, choices: type[enum.StrEnum], *, required: bool) -> Any:
    text = _text_in(raw, required=False)
    if not text:
        if required:
            raise _CellError("不能为空。")
        return None
    return _member(text, choices)


def _member(text: str, choices: type[enum.StrEnum]) -> Any:
    for member in choices:
        if text in (member.value, _label(member)):
            return member
    allowed = "、".join(_label(m) for m in choices)
    raise _CellError(f"取值“{text}”无效，应为：{allowed}。")


def _choices_in(raw: Any, choices: type[enum.StrEnum]) -> tuple[Any, ...]:
    return tuple(_member(text, choices) for text in _list_in(raw))


def _cell_in(column: _Column, raw: Any) -> Any:
    kind = column.kind
    if kind is _K.TEXT:
        return _text_in(raw, required=True)
    if kind is _K.OPTIONAL_TEXT:
        return _text_in(raw, required=False)
    if kind is _K.LIST:
        return _list_in(raw)
    if kind is _K.NUMBER:
        return _number_in(raw, required=True)
    if kind is _K.OPTIONAL_NUMBER:
        return _number_in(raw, required=False)
    if kind is _K.INTEGER:
        return _integer_in(raw)
    if kind is _K.FLAG:
        return _flag_in(raw)
    if kind is _K.DATE:
        return _date_in(raw)
    assert column.choices is not None
    if kind is _K.CHOICES:
        return _choices_in(raw, column.choices)
    return _choice_in(raw, column.choices, required=kind is _K.CHOICE)


# ============================================================================ reading sheets


@dataclass(slots=True)
class _Row:
    number: int
    values: dict[str, Any]
    ok: bool


class _Problems:
    def __init__(self) -> None:
        self.items: list[WorkbookProblem] = []

    def add(self, sheet: _Sheet | str, row: int | None, column: str, message: str) -> None:
        title = sheet.title if isinstance(sheet, _Sheet) else sheet
        self.items.append(WorkbookProblem(title, row, column, message))


def _read_sheet(wb: Any, spec: _Sheet, problems: _Problems) -> list[_Row]:
    if spec.title not in wb.sheetnames:
        problems.add(spec, None, "", f"缺少工作表“{spec.title}”。")
        return []
    ws = wb[spec.title]
    rows = list(ws.iter_rows())
    headers: dict[str, int] = {}
    for index, cell in enumerate(rows[0] if rows else ()):
        if cell.data_type == "f":
            continue  # reported by the formula scan
        text = _text_in(cell.value, required=False) if isinstance(cell.value, str) else ""
        if text in headers:
            problems.add(spec, 1, get_column_letter(index + 1), f"表头“{text}”重复。")
        elif text:
            headers[text] = index
    missing = [c.header for c in spec.columns if c.header not in headers]
    for header in missing:
        problems.add(spec, 1, header, f"缺少表头“{header}”（第一行应为表头）。")
    if missing:
        return []
    out = []
    for cells in rows[1:]:
        raw = {
            c.key: (cells[headers[c.header]] if headers[c.header] < len(cells) else None)
            for c in spec.columns
        }
        if all(cell is None or _blank(cell.value) for cell in raw.values()):
            continue
        row_number = next(cell.row for cell in cells)
        values: dict[str, Any] = {}
        ok = True
        for column in spec.columns:
            cell = raw[column.key]
            if cell is not None and cell.data_type == "f":
                ok = False  # reported by the formula scan
                values[column.key] = None
                continue
            try:
                values[column.key] = _cell_in(column, None if cell is None else cell.value)
            except _CellError as exc:
                problems.add(spec, row_number, column.header, str(exc.args[0]))
                values[column.key] = None
                ok = False
        out.append(_Row(row_number, values, ok))
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _scan_formulas(wb: Any, problems: _Problems) -> None:
    """Every formula cell of every sheet, named by its header where the sheet has one."""
    for ws in wb.worksheets:
        rows = list(ws.iter_rows())
        headers = {
            cell.column_letter: cell.value.strip()
            for cell in (rows[0] if rows else ())
            if isinstance(cell.value, str) and cell.data_type != "f" and cell.value.strip()
        }
        for cells in rows:
            for cell in cells:
                if cell.data_type == "f":
                    problems.add(
                        ws.title,
                        cell.row,
                        headers.get(cell.column_letter, f"{cell.column_letter}"),
                        f"单元格{cell.coordinate}是公式（{str(cell.value)[:40]}），"
                        "裁量基准表格只接受直接填写的值，请改为数值或文字。",
                    )


# ============================================================================ assembling


@dataclass(slots=True)
class _ItemRows:
    """Where each part of one item came from, to point validation problems at a row."""

    row: int
    values: dict[str, Any]
    ranges: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    tiers: dict[int, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    factors: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    preconditions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    escalations: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    first_violation: tuple[int, dict[str, Any]] | None = None
    range_order: list[int] = field(default_factory=list)  # 幅度序号 per range index

    def range_row(self, index: int) -> int | None:
        if index >= len(self.range_order):
            return None
        return self.ranges[self.range_order[index]][0]


@dataclass(slots=True)
class _BenchmarkRows:
    row: int
    values: dict[str, Any]
    convention: TierConvention
    items: dict[str, _ItemRows] = field(default_factory=dict)


class _Assembler:
    def __init__(self, problems: _Problems) -> None:
        self.problems = problems
        self.benchmarks: dict[str, _BenchmarkRows] = {}
        self.broken_benchmarks: set[str] = set()
        self.broken_items: set[tuple[str, str]] = set()
        self.broken_ranges: set[tuple[str, str, int]] = set()

    def add_benchmarks(self, rows: Iterable[_Row]) -> None:
        for r in rows:
            bid = r.values["id"]
            if bid and bid in self.benchmarks:
                first = self.benchmarks[bid].row
                self.problems.add(BENCHMARKS, r.number, "基准编号", f"基准编号{bid}重复（第{first}行已有）。")
                continue
            if not r.ok:
                if bid:
                    self.broken_benchmarks.add(bid)
                continue
            try:
                convention = TierConvention(
                    r.values["lighter_fraction"] or Decimal("0.3"),
                    r.values["heavier_fraction"] or Decimal("0.7"),
                )
            except FieldError as exc:
                self.problems.add(BENCHMARKS, r.number, "从轻上限比例", exc.message)
                self.broken_benchmarks.add(bid)
                continue
            self.benchmarks[bid] = _BenchmarkRows(r.number, r.values, convention)

    def _owner(self, spec: _Sheet, r: _Row) -> _BenchmarkRows | None:
        """The benchmark a row names, or None (reported unless that benchmark's row was broken)."""
        bid = r.values["benchmark"]
        if bid is None or bid in self.broken_benchmarks:
            return None
        found = self.benchmarks.get(bid)
        if found is None:
            self.problems.add(
                spec, r.number, "基准编号", f"基准编号{bid}在工作表“{BENCHMARKS.title}”中没有。"
            )
        return found

    def add_items(self, rows: Iterable[_Row]) -> None:
        for r in rows:
            owner = self._owner(ITEMS, r)
            code = r.values["item_code"]
            if owner is None or code is None:
                continue
            bid = owner.values["id"]
            if code in owner.items or (bid, code) in self.broken_items:
                first = owner.items[code].row if code in owner.items else None
                also = f"（第{first}行已有）" if first else ""
                self.problems.add(ITEMS, r.number, "事项编码", f"基准{bid}中事项编码{code}重复{also}。")
                continue
            if not r.ok:
                self.broken_items.add((bid, code))
                continue
            owner.items[code] = _ItemRows(r.number, r.values)

    def _item(self, spec: _Sheet, r: _Row) -> _ItemRows | None:
        owner = self._owner(spec, r)
        code = r.values["item_code"]
        if owner is None or code is None:
            return None
        bid = owner.values["id"]
        if (bid, code) in self.broken_items:
            return None
        found = owner.items.get(code)
        if found is None:
            self.problems.add(
                spec, r.number, "事项编码", f"事项编码{code}在工作表“{ITEMS.title}”中没有（基准{bid}）。"
            )
        return found

    def add_ranges(self, rows: Iterable[_Row]) -> None:
        for r in rows:
            item = self._item(RANGES, r)
            seq = r.values["range"]
            if item is None or seq is None:
                continue
            key = (r.values["benchmark"], r.values["item_code"], seq)
            if seq in item.ranges or key in self.broken_ranges:
                self.problems.add(RANGES, r.number, "幅度序号", f"事项{key[1]}的幅度序号{seq}重复。")
                continue
            if not r.ok:
                self.broken_ranges.add(key)
                continue
            item.ranges[seq] = (r.number, r.values)

    def add_tiers(self, rows: Iterable[_Row]) -> None:
        for r in rows:
            item = self._item(TIERS, r)
            seq = r.values["range"]
            if item is None or seq is None:
                continue
            key = (r.values["benchmark"], r.values["item_code"], seq)
            if key in self.broken_ranges:
                continue
            if seq not in item.ranges:
                self.problems.add(
                    TIERS,
                    r.number,
                    "幅度序号",
                    f"事项{key[1]}的幅度序号{seq}在工作表“{RANGES.title}”中没有。",
                )
                continue
            if r.ok:
                item.tiers.setdefault(seq, []).append((r.number, r.values))

    def add_parts(self, spec: _Sheet, rows: Iterable[_Row], pick: Callable[[_ItemRows], Any]) -> None:
        for r in rows:
            item = self._item(spec, r)
            if item is None or not r.ok:
                continue
            target = pick(item)
            target.append((r.number, r.values))

    def add_first_violations(self, rows: Iterable[_Row]) -> None:
        for r in rows:
            item = self._item(FIRST_VIOLATIONS, r)
            if item is None or not r.ok:
                continue
            if item.first_violation is not None:
                self.problems.add(
                    FIRST_VIOLATIONS,
                    r.number,
                    "事项编码",
                    f"事项{r.values['item_code']}有两行首违不罚（第{item.first_violation[0]}行已有），"
                    "每个事项至多一行。",
                )
                continue
            item.first_violation = (r.number, r.values)

    # ------------------------------------------------------------------ building

    def build(self) -> list[Benchmark]:
        return [self._benchmark(b) for b in self.benchmarks.values()]

    def _benchmark(self, rows: _BenchmarkRows) -> Benchmark:
        v = rows.values
        return Benchmark(
            id=v["id"],
            name=v["name"],
            version=v["version"],
            publisher=v["publisher"],
            document_number=v["document_number"],
            level=v["level"],
            items=tuple(self._item_entry(i, rows.convention) for i in rows.items.values()),
            parent_id=v["parent_id"] or None,
            region=v["region"],
            effective_on=v["effective_on"],
            convention=rows.convention,
            sample=v["sample"],
        )

    def _item_entry(self, rows: _ItemRows, convention: TierConvention) -> ItemEntry:
        v = rows.values
        ranges = []
        rows.range_order = sorted(rows.ranges)
        for seq in rows.range_order:
            g = rows.ranges[seq][1]
            defaults = {
                t.level: (t.minimum, t.maximum) for t in convention_tiers(g["min"], g["max"], convention)
            }
            tiers = []
            for _, t in rows.tiers.get(seq, []):
                minimum, maximum = t["min"], t["max"]
                if minimum is None and maximum is None and t["level"] in defaults:
                    minimum, maximum = defaults[t["level"]]
                tiers.append(Tier(t["level"], t["conditions"], minimum, maximum, t["note"]))
            ranges.append(
                StatutoryRange(
                    party_kinds=frozenset(g["party_kinds"]),
                    kind=g["kind"],
                    minimum=g["min"],
                    maximum=g["max"],
                    citation=g["citation"],
                    base=g["base"],
                    floor=g["floor"],
                    ceiling=g["ceiling"],
                    base_from=g["base_from"],
                    base_below=g["base_below"],
                    when=g["when"],
                    penalty_types=g["penalty_types"] or (PenaltyType.FINE,),
                    warning_alternative=g["warning_alternative"],
                    fine_optional=g["fine_optional"],
                    tiers=tuple(tiers),
                )
            )
        fv = rows.first_violation
        return ItemEntry(
            item_code=v["item_code"],
            name=v["name"],
            department=v["department"],
            violation_basis=v["violation_basis"],
            penalty_basis=v["penalty_basis"],
            party_kinds=frozenset(v["party_kinds"]),
            penalty_types=v["penalty_types"],
            ranges=tuple(ranges),
            delegated_to_township=v["delegated"],
            delegation_document=v["delegation_document"],
            measures=v["measures"],
            preconditions=tuple(
                Precondition(p["code"], p["label"], p["source"]) for _, p in rows.preconditions
            ),
            factors=tuple(Factor(f["code"], f["label"], f["effect"], f["source"]) for _, f in rows.factors),
            escalations=tuple(
                Escalation(e["condition"], e["measure"], e["source"], e["penalty_type"])
                for _, e in rows.escalations
            ),
            first_violation=None
            if fv is None
            else FirstViolation(fv[1]["conditions"], fv[1]["correction_days"], fv[1]["source"]),
            evidence_checklist=v["evidence_checklist"],
            inspection_items=v["inspection_items"],
            sample=v["sample"],
            note=v["note"],
        )

    # ------------------------------------------------------------------ validation

    def validate(self, benchmarks: list[Benchmark]) -> None:
        by_id = {b.id: b for b in benchmarks}
        for b in benchmarks:
            found = validate_benchmark(b)
            if b.parent_id is not None and b.parent_id in by_id:
                found.extend(check_refinement(b, by_id[b.parent_id]))
            parent = by_id.get(b.parent_id) if b.parent_id is not None else None
            for problem in found:
                self._locate(b, problem, parent)

    def _locate(self, b: Benchmark, p: BenchmarkProblem, parent: Benchmark | None) -> None:
        rows = self.benchmarks[b.id]
        add = self.problems.add
        if not p.item_code:
            header = {"parent_id": "上级基准", "level": "层级"}.get(p.field, "基准编号")
            add(BENCHMARKS, rows.row, header, p.message)
            return
        item = rows.items.get(p.item_code)
        entry = b.item(p.item_code)
        if item is None or entry is None:
            add("", None, f"{p.item_code}.{p.field}", p.message)
            return
        match = re.fullmatch(r"ranges\[(\d+)\](?:\.(\w+))?", p.field)
        if match:
            index, sub = int(match.group(1)), match.group(2)
            range_row = item.range_row(index)
            if sub == "tiers":
                upper = parent.item(p.item_code) if parent is not None else None
                self._locate_tier(item, entry.ranges[index], index, p, upper)
                return
            header = {
                "party_kinds": "当事人类别",
                "min": "下限",
                "base": "计算基数",
                "floor": "最低罚款额",
                "citation": "依据",
                "when": "适用情形",
            }.get(sub or "", "下限" if "不一致" in p.message else "当事人类别")
            add(RANGES, range_row, header, p.message)
            return
        if p.field in ("item_code", "party_kinds", "violation_basis", "penalty_basis"):
            add(ITEMS, item.row, ITEMS.header(p.field), p.message)
            return
        parts = {
            "factors": (FACTORS, item.factors, "label"),
            "preconditions": (PRECONDITIONS, item.preconditions, "label"),
            "escalations": (ESCALATIONS, item.escalations, "measure"),
        }
        if p.field in parts:
            spec, found, name = parts[p.field]
            row = next((n for n, v in found if f"“{v[name]}”" in p.message), found[0][0] if found else None)
            add(spec, row, "依据", p.message)
            return
        if p.field == "first_violation" and item.first_violation is not None:
            if "改正期限" in p.message:
                header = "改正期限（日）"
            elif "依据" in p.message:
                header = "依据"
            else:
                header = "附加条件"
            add(FIRST_VIOLATIONS, item.first_violation[0], header, p.message)
            return
        add(ITEMS, item.row, p.field, p.message)

    def _locate_tier(
        self, item: _ItemRows, rng: StatutoryRange, index: int, p: BenchmarkProblem, upper: ItemEntry | None
    ) -> None:
        seq = item.range_order[index]
        tier_rows = item.tiers.get(seq, [])
        position = -1
        chosen: tuple[int, dict[str, Any]] | None = None
        for number, values in tier_rows:
            at = p.message.rfind(f"“{values['level'].label}”档")
            if at > position:
                position, chosen = at, (number, values)
        if chosen is None:
            if tier_rows:
                self.problems.add(TIERS, tier_rows[0][0], "档次", p.message)
            else:
                self.problems.add(RANGES, item.range_row(index), "幅度序号", p.message)
            return
        number, values = chosen
        message = p.message
        if "重复" in message:
            header = "档次"
            same = [n for n, v in tier_rows if v["level"] is values["level"]]
            number = same[-1]
        elif "情节" in message or "条件" in message:
            header = "情形"
        elif "止于" in message or "应低于" in message:
            header = "上限"
        elif "超出" in message:
            low, _ = _bounds_of(rng, values["level"], upper) if "上级基准" in message else (rng.minimum, None)
            header = (
                "下限" if low is not None and values["min"] is not None and values["min"] < low else "上限"
            )
        else:
            header = "下限"
        self.problems.add(TIERS, number, header, message)


def _bounds_of(
    rng: StatutoryRange, level: TierLevel, upper: ItemEntry | None
) -> tuple[Decimal | None, Decimal | None]:
    """The parent's tier of ``level`` for ``rng`` (matched as check_refinement does)."""
    twin = next(
        (
            r
            for r in (upper.ranges if upper is not None else ())
            if r.party_kinds == rng.party_kinds
            and set(r.when) == set(rng.when)
            and (r.base_from, r.base_below) == (rng.base_from, rng.base_below)
        ),
        None,
    )
    other = twin.tier(level) if twin is not None else None
    return (None, None) if other is None else (other.minimum, other.maximum)


def read_workbook(path: Path) -> list[Benchmark]:
    """Read and validate a workbook written by :func:`write_workbook` or filled in by hand.

    Every problem is collected — missing sheets or headers, formula cells, wrong types, unknown
    codes, rows naming an unknown benchmark, item or 幅度序号, duplicates, and (once every cell
    reads cleanly) the checks of ``load_benchmarks`` mapped back to their sheet and row — and
    raised together as :class:`BenchmarkWorkbookInvalid`; nothing is returned half-read.
    """
    source = path.name
    try:
        wb = load_workbook(path, data_only=False)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise BenchmarkWorkbookInvalid(
            source, [WorkbookProblem("", None, "", f"无法作为 Excel 表格（.xlsx）打开：{exc}")]
        ) from None
    problems = _Problems()
    _scan_formulas(wb, problems)
    sheets = {spec.title: _read_sheet(wb, spec, problems) for spec in SHEETS}
    wb.close()
    assembler = _Assembler(problems)
    assembler.add_benchmarks(sheets[BENCHMARKS.title])
    assembler.add_items(sheets[ITEMS.title])
    assembler.add_ranges(sheets[RANGES.title])
    assembler.add_tiers(sheets[TIERS.title])
    assembler.add_parts(FACTORS, sheets[FACTORS.title], lambda i: i.factors)
    assembler.add_parts(PRECONDITIONS, sheets[PRECONDITIONS.title], lambda i: i.preconditions)
    assembler.add_parts(ESCALATIONS, sheets[ESCALATIONS.title], lambda i: i.escalations)
    assembler.add_first_violations(sheets[FIRST_VIOLATIONS.title])
    if problems.items:
        raise BenchmarkWorkbookInvalid(source, problems.items)
    benchmarks = assembler.build()
    assembler.validate(benchmarks)
    if problems.items:
        raise BenchmarkWorkbookInvalid(source, problems.items)
    return benchmarks
