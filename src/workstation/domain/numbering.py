"""Numbered sequences: 案号 and 文书文号 per agency, kind and year, and how they are written.

A number is ``(agency, kind, year, serial)``: ``kind`` is :data:`CASE_KIND` for 案号 or a
document type code for 文书文号 (each document type counts on its own); ``year`` is the
year of the filing date (立案日期) or issue date in China time (:func:`numbering_year`);
``serial`` counts 1, 2, 3 … without gaps within one ``(agency, kind, year)``. Serials are
issued by the persistence layer inside the caller's transaction; a serial that was issued
and then not used is voided (recorded with a reason), never issued again.

How a number is written is configuration (:class:`NumberingConfig`), a template with the
placeholders ``{agency_short}`` (执法主体简称, e.g. 榕综执), ``{year}`` and ``{serial}``:

- 案号 default: :data:`DEFAULT_CASE_TEMPLATE` ``{agency_short}罚立字〔{year}〕第{serial}号``
  → 榕综执罚立字〔2026〕第12号;
- 文书文号 default: :data:`DEFAULT_DOCUMENT_TEMPLATE` ``{agency_short}执罚〔{year}〕{serial}号``
  → 榕综执执罚〔2026〕12号 (the ×乡(街)执罚〔年〕号 of the document header); a document
  type may have its own template (e.g. ``{agency_short}执告〔{year}〕{serial}号`` for
  告知书).

A template must contain ``{year}`` and ``{serial}``; literal braces are written ``{{``
and ``}}``; format specifications (``{serial:03d}``) are refused: the serial's minimum
number of digits is the separate ``width`` (``width=3`` → 第012号). ``{year}`` is always
four digits, so a number written with a template reads back (:func:`parse_number`)
unambiguously once the agency is known; without it, only where the template's literal
text separates the agency name from the digits (as the defaults do).
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from workstation.domain.clock import CHINA_TZ
from workstation.domain.errors import InvalidInput

#: The kind of the 案号 sequence; document sequences use their document type code.
CASE_KIND = "case"
#: Training cases (培训模式) number from sequences of their own, this prefix before the kind:
#: a training case never takes a serial of the office's 案号 or 文号 series (which stay gapless)
#: nor one of the blocks the central server reserved for the township.
TRAINING_PREFIX = "training-"
#: Before every number of a training case, so that it never reads as (or equals) a real one.
TRAINING_MARK = "（培训）"

AGENCY_SHORT = "agency_short"
YEAR = "year"
SERIAL = "serial"
PLACEHOLDERS = (AGENCY_SHORT, YEAR, SERIAL)

DEFAULT_CASE_TEMPLATE = "{agency_short}罚立字〔{year}〕第{serial}号"
DEFAULT_DOCUMENT_TEMPLATE = "{agency_short}执罚〔{year}〕{serial}号"

MIN_YEAR = 1000
MAX_YEAR = 9999
MAX_WIDTH = 9
#: Longest kind code (the column is 60 characters).
MAX_KIND_LENGTH = 60
#: Longest text :func:`parse_number` looks at; anything longer is not a number.
MAX_NUMBER_LENGTH = 200

_PLACEHOLDER_ADVICE = "可用的占位符：{agency_short}（执法主体简称）、{year}（年份）、{serial}（序号）。"
_KIND_RE = re.compile(r"^[^\s\x00-\x1f\x7f]+$")


# ------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """What a written number says: the agency's short name, the year and the serial.

    ``agency_short`` is empty when the template has no ``{agency_short}`` and none was given.
    """

    agency_short: str
    year: int
    serial: int


@dataclass(frozen=True, slots=True)
class VoidedNumber:
    """An issued number that was voided (作废): recorded with its reason, never issued again."""

    agency_id: str
    kind: str
    year: int
    serial: int
    reason: str
    voided_at: dt.datetime
    voided_by: str


# ------------------------------------------------------------------ validation


def sequence_kind(kind: str, training: bool) -> str:
    """The sequence a number of ``kind`` is taken from: the office's, or for a training case its
    own (:data:`TRAINING_PREFIX`)."""
    return f"{TRAINING_PREFIX}{kind}" if training else kind


def training_number(number: str, training: bool) -> str:
    """``number`` as printed: marked :data:`TRAINING_MARK` on a training case."""
    return f"{TRAINING_MARK}{number}" if training else number


def is_training_kind(kind: str) -> bool:
    """Whether ``kind`` is a training sequence (never central, never reserved from the server)."""
    return kind.startswith(TRAINING_PREFIX)


def kind_label(kind: str) -> str:
    """How a sequence is named in messages: 案号 or 文书（<type>）文号 (培训 for training ones)."""
    if is_training_kind(kind):
        return f"培训{kind_label(kind.removeprefix(TRAINING_PREFIX))}"
    return "案号" if kind == CASE_KIND else f"文书（{kind}）文号"


def check_kind(kind: str) -> str:
    """``kind`` when it is a usable sequence code: 1 to 60 characters, no spaces or control characters."""
    if not isinstance(kind, str) or not 1 <= len(kind) <= MAX_KIND_LENGTH or not _KIND_RE.match(kind):
        raise InvalidInput(
            f"编号类别无效：{kind!r}",
            f"编号类别应为不超过{MAX_KIND_LENGTH}个字符、不含空格的代码："
            f"案号用 {CASE_KIND}，文书用文书类型代码。",
        )
    return kind


def check_year(year: int) -> int:
    """``year`` when it has four digits."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"编号年份无效：{year!r}", "年份应为四位数，取立案（签发）日期所在的年份。")
    return year


def check_serial(serial: int) -> int:
    """``serial`` when it is a positive integer."""
    if isinstance(serial, bool) or not isinstance(serial, int) or serial < 1:
        raise InvalidInput(f"编号序号无效：{serial!r}", "序号应为从 1 开始的正整数。")
    return serial


def check_width(width: int | None) -> int | None:
    """``width`` when it is None or 1 to :data:`MAX_WIDTH`."""
    if width is None:
        return None
    if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= MAX_WIDTH:
        raise InvalidInput(
            f"序号位数无效：{width!r}",
            f"序号位数应为 1 到 {MAX_WIDTH} 之间的整数（不足位数时前面补 0），或不设置（不补 0）。",
        )
    return width


def check_agency_short(agency_short: str) -> str:
    """``agency_short`` when it is not blank and has no surrounding spaces."""
    if not isinstance(agency_short, str) or not agency_short.strip():
        raise InvalidInput("执法主体简称不能为空。", "请在执法主体设置中填写编号用的简称，例如“榕综执”。")
    if agency_short != agency_short.strip():
        raise InvalidInput(f"执法主体简称首尾不能有空格：“{agency_short}”", "请删除简称前后的空格。")
    return agency_short


def _fields(template: str) -> list[tuple[str, str | None]]:
    """The template as (literal text, placeholder or None) pairs; InvalidInput when malformed."""
    if not isinstance(template, str) or not template.strip():
        raise InvalidInput("编号格式不能为空。", "例如：" + DEFAULT_CASE_TEMPLATE)
    if template != template.strip():
        raise InvalidInput(f"编号格式首尾不能有空格：“{template}”", "请删除编号格式前后的空格。")
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InvalidInput(
            f"编号格式中的花括号不成对：{template}",
            "占位符写作 {year} 这样的形式；要在编号中出现花括号本身，请写成 {{ 或 }}。",
        ) from exc
    out: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in parsed:
        if name is None:
            out.append((literal, None))
            continue
        if name not in PLACEHOLDERS:
            raise InvalidInput(f"编号格式中有未知的占位符：{{{name}}}", _PLACEHOLDER_ADVICE)
        if spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise InvalidInput(
                f"编号格式中的占位符不能带格式说明：{shown}",
                "请只写 {" + name + "}；序号的位数（前面补 0）请用“序号位数”设置。",
            )
        out.append((literal, name))
    return out


def validate_template(template: str) -> str:
    """``template`` when it is a usable number template; InvalidInput in Chinese otherwise."""
    names = [name for _, name in _fields(template) if name is not None]
    missing = [name for name in (YEAR, SERIAL) if name not in names]
    if missing:
        shown = "、".join("{" + name + "}" for name in missing)
        raise InvalidInput(
            f"编号格式必须包含 {{year}} 和 {{serial}}，缺少：{shown}",
            "例如：" + DEFAULT_CASE_TEMPLATE + "；" + _PLACEHOLDER_ADVICE,
        )
    return template


# ------------------------------------------------------------------ writing and reading


def _serial_text(serial: int, width: int | None) -> str:
    return str(serial).zfill(width) if width else str(serial)


def format_number(template: str, agency_short: str, year: int, serial: int, width: int | None = None) -> str:
    """The number written with ``template``; ``width`` pads the serial with zeros (3 → 012)."""
    validate_template(template)
    check_agency_short(agency_short)
    check_year(year)
    check_serial(serial)
    check_width(width)
    return template.format(agency_short=agency_short, year=year, serial=_serial_text(serial, width))


_GROUPS = {YEAR: "[0-9]{4}", SERIAL: "[0-9]+"}


def _pattern(pieces: list[tuple[str, str | None]], agency_short: str | None, agency_length: int) -> str:
    seen: set[str] = set()
    out: list[str] = []
    for literal, name in pieces:
        out.append(re.escape(literal))
        if name is None:
            continue
        if name == AGENCY_SHORT and agency_short is not None:
            out.append(re.escape(agency_short))
        elif name in seen:
            out.append(f"(?P={name})")
        else:
            seen.add(name)
            body = f".{{{agency_length}}}" if name == AGENCY_SHORT else _GROUPS[name]
            out.append(f"(?P<{name}>{body})")
    return "".join(out)


def parse_number(
    template: str, text: str, agency_short: str | None = None, width: int | None = None
) -> ParsedNumber:
    """Read back a number written with ``template`` (and ``width``).

    Only the exact text :func:`format_number` writes is accepted (no extra zeros, no other
    brackets). With ``agency_short`` the reading is always unambiguous; without it, the
    agency's name is whatever the template leaves for it, and a text that could be read in
    more than one way is refused. Raises InvalidInput (Chinese) when ``text`` is not such a
    number or is ambiguous.
    """
    pieces = _fields(validate_template(template))
    check_width(width)
    if agency_short is not None:
        check_agency_short(agency_short)
    text = text.strip() if isinstance(text, str) else ""
    needs_agency = agency_short is None and any(name == AGENCY_SHORT for _, name in pieces)
    lengths = range(1, len(text) + 1) if needs_agency else range(1)
    found: set[ParsedNumber] = set()
    if 0 < len(text) <= MAX_NUMBER_LENGTH:
        for length in lengths:
            match = re.fullmatch(_pattern(pieces, agency_short, length), text, re.DOTALL)
            if match is None:
                continue
            groups = match.groupdict()
            agency = agency_short if agency_short is not None else groups.get(AGENCY_SHORT, "")
            year, serial = int(groups[YEAR]), int(groups[SERIAL])
            if not MIN_YEAR <= year <= MAX_YEAR or serial < 1:
                continue
            if needs_agency and (not agency.strip() or agency != agency.strip()):
                continue
            if template.format(agency_short=agency, year=year, serial=_serial_text(serial, width)) != text:
                continue  # not as written (leading zeros): refused, so reading is one-to-one
            found.add(ParsedNumber(agency, year, serial))
    if not found:
        raise InvalidInput(
            f"编号“{text}”与编号格式不符。",
            f"编号格式为：{template}" + (f"（序号至少{width}位）" if width else "") + "；请核对后重新输入。",
        )
    if len(found) > 1:
        raise InvalidInput(
            f"编号“{text}”可以有多种理解，无法确定执法主体简称。",
            "请同时指定执法主体，或在编号格式中用文字把简称和年份、序号隔开。",
        )
    return found.pop()


@dataclass(frozen=True, slots=True)
class CaseNumberFormat:
    """How the numbers of one sequence are written: a validated template and a serial width.

    Used for 案号 and, with other templates, for 文书文号.
    """

    template: str = DEFAULT_CASE_TEMPLATE
    width: int | None = None

    def __post_init__(self) -> None:
        validate_template(self.template)
        check_width(self.width)

    def format(self, agency_short: str, year: int, serial: int) -> str:
        return format_number(self.template, agency_short, year, serial, self.width)

    def parse(self, text: str, agency_short: str | None = None) -> ParsedNumber:
        return parse_number(self.template, text, agency_short, self.width)


@dataclass(frozen=True)
class NumberingConfig:
    """Number templates of an agency: one for 案号, a default and per-type ones for 文书.

    ``documents`` maps a document type code to its own format; types not listed use
    ``document``.
    """

    case: CaseNumberFormat = field(default_factory=CaseNumberFormat)
    document: CaseNumberFormat = field(default_factory=lambda: CaseNumberFormat(DEFAULT_DOCUMENT_TEMPLATE))
    documents: Mapping[str, CaseNumberFormat] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind in self.documents:
            check_kind(kind)
        if CASE_KIND in self.documents:
            raise InvalidInput(f"文书类型代码不能是 {CASE_KIND}。", f"{CASE_KIND} 留给案号使用。")
        object.__setattr__(self, "documents", MappingProxyType(dict(self.documents)))

    def format_for(self, kind: str) -> CaseNumberFormat:
        """The format of ``kind``: the 案号 format for :data:`CASE_KIND`, else the document's."""
        if kind == CASE_KIND:
            return self.case
        return self.documents.get(check_kind(kind), self.document)

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> NumberingConfig:
        """Read ``{"case": {"template": …, "width": …}, "document": {…}, "documents": {code: {…}}}``.

        Missing parts keep their defaults; anything malformed raises InvalidInput (Chinese).
        """
        unknown = sorted(set(raw) - {"case", "document", "documents"})
        if unknown:
            raise InvalidInput(
                f"编号设置中有未知的项：{'、'.join(unknown)}", "可用的项：case、document、documents。"
            )
        case = _format_from(raw.get("case"), DEFAULT_CASE_TEMPLATE, "case")
        document = _format_from(raw.get("document"), DEFAULT_DOCUMENT_TEMPLATE, "document")
        per_type = raw.get("documents", {})
        if not isinstance(per_type, Mapping):
            raise InvalidInput("编号设置 documents 应为“文书类型代码 → 格式”的对应表。")
        documents = {
            str(code): _format_from(value, DEFAULT_DOCUMENT_TEMPLATE, f"documents.{code}")
            for code, value in per_type.items()
        }
        return cls(case=case, document=document, documents=documents)


def _format_from(raw: object, default_template: str, where: str) -> CaseNumberFormat:
    if raw is None:
        return CaseNumberFormat(default_template)
    if not isinstance(raw, Mapping) or set(raw) - {"template", "width"}:
        raise InvalidInput(f"编号设置 {where} 应为包含 template 和 width 的对应表。")
    template = raw.get("template", default_template)
    width = raw.get("width")
    if not isinstance(template, str):
        raise InvalidInput(f"编号设置 {where}.template 应为文字。")
    if width is not None and (isinstance(width, bool) or not isinstance(width, int)):
        raise InvalidInput(f"编号设置 {where}.width 应为整数。")
    return CaseNumberFormat(template, width)


# ------------------------------------------------------------------ years and voids


def numbering_year(moment: dt.date | dt.datetime) -> int:
    """The year a number counts in: the year of the filing (issue) date in China time.

    A date is taken as a China date; a timezone-aware datetime is converted to China time
    first (2026-12-31 17:00 UTC is already 2027 in China). A naive datetime is refused.
    """
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("a naive datetime has no China date; pass an aware datetime or a date")
        return moment.astimezone(CHINA_TZ).year
    return moment.year


def check_voidable(kind: str, year: int, serial: int, last: int, voided: VoidedNumber | None) -> None:
    """Refuse to void a number that was never issued (serial > ``last``) or is already voided."""
    label = kind_label(kind)
    if serial < 1 or serial > last:
        issued = f"当前已发放到第{last}号。" if last else "该年度尚未发放任何编号。"
        raise InvalidInput(
            f"{label}{year}年第{serial}号尚未发放，不能作废。",
            "只能作废已经发放的编号；" + issued,
        )
    if voided is not None:
        when = voided.voided_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        raise InvalidInput(
            f"{label}{year}年第{serial}号已于{when}作废（原因：{voided.reason}）。",
            "作废的编号不会再次使用，无需重复作废。",
        )


def check_reason(reason: str) -> str:
    """The reason for a void, stripped; it may not be blank."""
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("作废编号必须填写原因。", "例如：文书制作有误已重新制作、案件合并。")
    return reason.strip()
