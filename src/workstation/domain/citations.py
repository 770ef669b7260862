"""Citations of statute articles in free Chinese text, and checking them against the library.

:func:`find_citations` finds every 《某法》第N条第M款第（K）项 in a decision document or a
reviewer's note; :func:`check_citations` resolves each one through a
:class:`~workstation.domain.statutes.StatuteLookup` and says, in plain Chinese, whether it
is right for the date of the conduct (时效, 条/款/项 existence, 从旧兼从轻).

The parser is heuristic by nature (Chinese has no word boundaries) but never raises and runs
in time linear in the length of the text: every match attempt is anchored at a "第" and
bounded in length.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from workstation.domain.formatting import chinese_date
from workstation.domain.numerals import cn_to_int, int_to_cn
from workstation.domain.statutes import (
    ArticleNumber,
    ArticleText,
    Item,
    LawRef,
    Paragraph,
    StatuteLookup,
    VersionRef,
    VersionStatus,
)

__all__ = [
    "EXPANSION_LIMIT",
    "LENITY_RULE",
    "RANGE_LIMIT",
    "ArticleCounter",
    "Citation",
    "CitationCheck",
    "CitationStatus",
    "LawSource",
    "RangeProblem",
    "check_citations",
    "check_text",
    "citation_label",
    "find_citations",
    "format_citation",
]

#: A range 第A条至第B条 is expanded only up to this many articles (款, 项).
RANGE_LIMIT = 200
#: At most this many unwritten range members are produced for one text; later ranges are not expanded.
EXPANSION_LIMIT = 5000

#: 《中华人民共和国行政处罚法》（2021年修订）第三十七条, the rule behind "从旧兼从轻".
LENITY_RULE = (
    "实施行政处罚，适用违法行为发生时的法律、法规、规章的规定。但是，作出行政处罚决定时，"
    "法律、法规、规章已被修改或者废止，且新的规定处罚较轻或者不认为是违法的，适用新的规定。"
)
_LENITY_SOURCE = "《中华人民共和国行政处罚法》第三十七条"
_PRC = "中华人民共和国"


# ============================================================================ citations


class LawSource(enum.StrEnum):
    """Where the law of a citation comes from."""

    #: Named in the text (《…》 or an unmarked title ending in 法/条例/…), possibly earlier in the same list.
    NAMED = "named"
    #: 本法/本条例/本规定/本办法/本细则…: the law the text belongs to (``context_law``).
    SELF = "self"
    #: 该法/该条例…: the law named last before it in the text.
    PREVIOUS = "previous"
    #: A bare 第N条 with no law name, read as the context law.
    CONTEXT = "context"
    #: A bare 第N条 with no law name and no context law.
    NONE = "none"


class RangeProblem(enum.StrEnum):
    """Why a range 第A条至第B条 was not expanded (only its two ends are listed)."""

    #: More than RANGE_LIMIT members.
    TOO_LONG = "too_long"
    #: The end comes before the start.
    REVERSED = "reversed"
    #: The text already expanded EXPANSION_LIMIT members.
    TOO_MANY = "too_many"


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited article, 款 or 项, with its place in the text.

    ``raw == text[start:end]``. The first citation of a list includes the law name in its
    span; later ones (``、第二条``) only their own numbers. Members of a range that are not
    written out (第五十二条 in 第五十一条至第五十三条) are ``implied`` and have an empty span
    at the end of the range's first member.
    """

    start: int
    end: int
    raw: str
    article: ArticleNumber
    paragraph: int | None = None
    item: int | None = None
    #: The law name as written, without 《》 (carried over within one list); None for 本法 and bare 第N条.
    law_name: str | None = None
    law_source: LawSource = LawSource.NONE
    #: The reference word as written: "本法", "本条例", "该法" …
    reference: str | None = None
    #: The name to look the law up by: ``law_name``, the context law, or the previously named law.
    resolved_law: str | None = None
    #: The law name was written in book-title marks 《》 (so it is taken literally).
    in_book_marks: bool = False
    implied: bool = False
    range_problem: RangeProblem | None = None

    @property
    def label(self) -> str:
        """第三十三条第二款第（一）项, without the law."""
        return citation_label(self.article, self.paragraph, self.item)

    @property
    def is_self_reference(self) -> bool:
        """Written as 本法/本条例/… ."""
        return self.law_source is LawSource.SELF

    @property
    def needs_context(self) -> bool:
        """No law can be named for it: 本法 without a context law, a bare 第N条, or 该法 with none before."""
        return self.resolved_law is None


def citation_label(number: ArticleNumber, paragraph: int | None = None, item: int | None = None) -> str:
    """第三十三条第二款第（一）项; a 项 with no 款 is a 项 of the article's first 款."""
    out = number.label
    if paragraph is not None:
        out += f"第{int_to_cn(paragraph)}款"
    if item is not None:
        out += f"第（{int_to_cn(item)}）项"
    return out


def format_citation(
    law_title: str, number: ArticleNumber, paragraph: int | None = None, item: int | None = None
) -> str:
    """The standard form: 《中华人民共和国行政处罚法》第三十三条第二款第（一）项.

    An empty title gives the bare label. Raises ValueError for negative numbers.
    """
    title = law_title.strip().removeprefix("《").removesuffix("》").strip()
    head = f"《{title}》" if title else ""
    return head + citation_label(number, paragraph, item)


# ---------------------------------------------------------------------------- lexing

_NUM = r"(?:[0-9０-９]{1,6}|[零〇一二两三四五六七八九十百千万]{1,12})"
_SP = r"[ \t\u3000]*"
_NUMBER_RE = re.compile(rf"{_SP}(?P<tok>[（(]{_SP}(?P<a>{_NUM}){_SP}[）)]|(?P<b>{_NUM}))")
_UNIT_RE = re.compile(rf"{_SP}([条款项])")
_SUFFIX_RE = re.compile(r"之([一二三四五六七八九十]{1,3}|[0-9]{1,2})")
_INNER_SEP_RE = re.compile(rf"{_SP}([、至到和及与或])(?:{_SP}第)?")
_OUTER_SEP_RE = re.compile(rf"{_SP}(、|以及|及|和|与|或者|或|至|到){_SP}(?=第)")
_CONTIG_RE = re.compile(rf"{_SP}(?=第)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_LEVELS = {"条": 0, "款": 1, "项": 2}
_RANGE_WORDS = frozenset("至到")
#: Most numbers in one compact list (第一、二、三款); bounds the work per "第".
_MAX_LIST = 12

_LAW_WORDS = "(?:法典|法|条例|规定|办法|细则|决定|解释|规则)"
_LAW_END_RE = re.compile(rf"{_LAW_WORDS}$")
#: 本法 …, but not 基本法/日本法/成本法 ….
_SELF_RE = re.compile(rf"(?<![基根日资成版文样范剧课读账脚副正原])本(?:实施)?{_LAW_WORDS}$")
_PREVIOUS_RE = re.compile(rf"(?<!应)该(?:实施)?{_LAW_WORDS}$")
#: Words after which an unmarked law name starts (依据行政处罚法第三条).
_TRIGGERS = (
    "依据",
    "根据",
    "依照",
    "按照",
    "遵照",
    "参照",
    "对照",
    "违反",
    "违背",
    "适用",
    "援引",
    "引用",
    "符合",
    "属于",
    "触犯",
    "的",
    "了",
)
_LEADING_PREPOSITIONS = "依按据照"
_NOT_NAMES = frozenset(
    {
        "依法",
        "违法",
        "合法",
        "非法",
        "守法",
        "执法",
        "方法",
        "立法",
        "司法",
        "新法",
        "旧法",
        "办法",
        "规定",
        "决定",
        "解释",
        "细则",
        "条例",
        "规则",
        "法典",
        "法律法规",
    }
)
_GENERIC_PREFIXES = ("有关", "相关", "上述", "以上", "前述", "下列", "以下", "其他", "这", "那", "此", "各")
#: Longest 《…》 title, and longest unmarked run looked at before a 第.
_MAX_TITLE = 100
_MAX_RUN = 40
_MAX_NOTE = 40


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or char == "〇"


def _to_int(token: str) -> int | None:
    token = token.translate(_FULLWIDTH)
    try:
        return int(token) if token.isascii() and token.isdigit() else cn_to_int(token)
    except ValueError:
        return None


class _Join(enum.Enum):
    FIRST = enum.auto()
    CONTIG = enum.auto()  # written right after the previous unit: 第三条第二款
    LIST = enum.auto()
    RANGE = enum.auto()


@dataclass(frozen=True, slots=True)
class _Num:
    value: int
    start: int
    end: int
    join: _Join


@dataclass(frozen=True, slots=True)
class _Unit:
    """第…条 / 第…款 / 第…项, possibly a compact list (第十四、十五条; 第（一）至（三）项)."""

    level: int
    nums: tuple[_Num, ...]
    suffix: int
    end: int


def _scan_unit(text: str, pos: int, join: _Join) -> _Unit | None:
    """A unit starting at the "第" at ``pos``; None if there is none."""
    nums: list[_Num] = []
    p = pos + 1
    current_join = join
    while len(nums) < _MAX_LIST:
        m = _NUMBER_RE.match(text, p)
        if m is None:
            return None
        value = _to_int(m.group("a") or m.group("b") or "")
        if value is None:
            return None
        start = pos if not nums else m.start("tok")
        unit = _UNIT_RE.match(text, m.end())
        if unit is not None:
            end = unit.end()
            level = _LEVELS[unit.group(1)]
            suffix = 0
            if level == 0:
                sm = _SUFFIX_RE.match(text, end)
                if sm is not None:
                    suffix = _to_int(sm.group(1)) or 0
                    if suffix:
                        end = sm.end()
            nums.append(_Num(value, start, end, current_join))
            return _Unit(level, tuple(nums), suffix, end)
        nums.append(_Num(value, start, m.end("tok"), current_join))
        sep = _INNER_SEP_RE.match(text, m.end())
        if sep is None:
            return None
        current_join = _Join.RANGE if sep.group(1) in _RANGE_WORDS else _Join.LIST
        p = sep.end()
    return None


def _scan_group(text: str, pos: int) -> list[_Unit] | None:
    """A list of units that starts with an article at ``pos``: 第十四条、第三十六条第（二）项 …"""
    first = _scan_unit(text, pos, _Join.FIRST)
    if first is None or first.level != 0:
        return None
    units = [first]
    p = first.end
    while True:
        sep = _OUTER_SEP_RE.match(text, p)
        if sep is not None:
            join = _Join.RANGE if sep.group(1) in _RANGE_WORDS else _Join.LIST
            q = sep.end()
        else:
            contig = _CONTIG_RE.match(text, p)
            if contig is None:
                break
            join = _Join.CONTIG
            q = contig.end()
        unit = _scan_unit(text, q, join)
        if unit is None:
            break
        units.append(unit)
        p = unit.end
    return units


# ---------------------------------------------------------------------------- law names


@dataclass(frozen=True, slots=True)
class _LawInfo:
    source: LawSource
    start: int
    name: str | None = None
    reference: str | None = None
    marked: bool = False


def _law_before(text: str, pos: int, floor: int) -> _LawInfo | None:
    """The law named right before the 第 at ``pos`` (not before ``floor``), if any."""
    i = pos
    while i > floor and text[i - 1] in " \t\u3000":
        i -= 1
    if i <= floor:
        return None
    if text[i - 1] in "）)":
        # 《行政处罚法》（2021年修订）第三十三条: skip one short note between the title and the article.
        j = i - 2
        lowest = max(floor, i - 1 - _MAX_NOTE)
        while j >= lowest and text[j] not in "（(）)《》〈〉\n\r":
            j -= 1
        if j < lowest or text[j] not in "（(":
            return None
        i = j
        while i > floor and text[i - 1] in " \t\u3000":
            i -= 1
        if i <= floor or text[i - 1] not in "》〉":
            return None
    if text[i - 1] in "》〉":
        # 〈〉 are the inner marks of a title inside a title: 《关于修改〈中华人民共和国行政处罚法〉的决定》.
        opening = text.rfind("《" if text[i - 1] == "》" else "〈", max(floor, i - 1 - _MAX_TITLE), i - 1)
        if opening < 0:
            return None
        inner = text[opening + 1 : i - 1]
        if any(c in inner for c in "《》〈〉\n\r"):
            return None
        name = re.sub(r"[ \t\u3000]+", "", inner)
        if not name:
            return None
        return _LawInfo(LawSource.NAMED, opening, name=name, marked=True)
    return _unmarked_law(text, i, floor)


def _unmarked_law(text: str, end: int, floor: int) -> _LawInfo | None:
    lowest = max(floor, end - _MAX_RUN)
    start = end
    while start > lowest and _is_cjk(text[start - 1]):
        start -= 1
    run = text[start:end]
    if not run:
        return None
    m = _SELF_RE.search(run)
    if m is not None:
        return _LawInfo(LawSource.SELF, start + m.start(), reference=m.group(0))
    m = _PREVIOUS_RE.search(run)
    if m is not None:
        return _LawInfo(LawSource.PREVIOUS, start + m.start(), reference=m.group(0))
    if _LAW_END_RE.search(run) is None:
        return None
    cut = run.rfind(_PRC)
    if cut < 0:
        cut = 0
        for trigger in _TRIGGERS:
            k = run.rfind(trigger)
            while k >= 0 and k + len(trigger) > len(run) - 2:
                k = run.rfind(trigger, 0, k)
            if k >= 0:
                cut = max(cut, k + len(trigger))
    name = run[cut:]
    if len(name) > 2 and name[0] in _LEADING_PREPOSITIONS:
        name = name[1:]
        cut += 1
    if len(name) < 2 or name in _NOT_NAMES or name.startswith(_GENERIC_PREFIXES):
        return None
    return _LawInfo(LawSource.NAMED, start + cut, name=name)


# ---------------------------------------------------------------------------- building


@dataclass(slots=True)
class _Pending:
    article: ArticleNumber
    paragraph: int | None
    item: int | None
    start: int
    end: int
    start_level: int
    deepest: int
    range_from: Citation | None


def _deepest(citation: Citation) -> int:
    if citation.item is not None:
        return 2
    return 1 if citation.paragraph is not None else 0


def _expand(
    first: Citation, last: Citation, level: int, budget: int
) -> tuple[list[Citation], RangeProblem | None]:
    """The unwritten members between ``first`` and ``last`` of a range at ``level`` (at most ``budget``)."""
    at = first.end
    if level == 0:
        a, b = first.article, last.article
        if b < a:
            return [], RangeProblem.REVERSED
        if b.number - a.number + 1 > RANGE_LIMIT:
            return [], RangeProblem.TOO_LONG
        if a.number == b.number:
            numbers = [ArticleNumber(a.number, s) for s in range(a.suffix + 1, b.suffix)]
        else:
            numbers = [ArticleNumber(n) for n in range(a.number + 1, b.number)]
            if b.suffix:
                numbers.append(ArticleNumber(b.number))
        if len(numbers) > budget:
            return [], RangeProblem.TOO_MANY
        return [replace(first, article=n, start=at, end=at, raw="", implied=True) for n in numbers], None
    lo = (first.paragraph if level == 1 else first.item) or 0
    hi = (last.paragraph if level == 1 else last.item) or 0
    if hi < lo:
        return [], RangeProblem.REVERSED
    if hi - lo + 1 > RANGE_LIMIT:
        return [], RangeProblem.TOO_LONG
    if hi - lo - 1 > budget:
        return [], RangeProblem.TOO_MANY
    if level == 1:
        return [
            replace(first, paragraph=n, start=at, end=at, raw="", implied=True) for n in range(lo + 1, hi)
        ], None
    return [replace(first, item=n, start=at, end=at, raw="", implied=True) for n in range(lo + 1, hi)], None


@dataclass(frozen=True, slots=True)
class _LawFields:
    """The law part of every Citation of one list."""

    source: LawSource
    name: str | None = None
    reference: str | None = None
    resolved: str | None = None
    marked: bool = False


def _law_fields(
    info: _LawInfo | None, context: str | None, last_named: tuple[str, bool] | None
) -> _LawFields:
    if info is None:
        return _LawFields(LawSource.CONTEXT if context else LawSource.NONE, resolved=context)
    if info.source is LawSource.NAMED:
        return _LawFields(LawSource.NAMED, info.name, resolved=info.name, marked=info.marked)
    if info.source is LawSource.SELF:
        return _LawFields(LawSource.SELF, reference=info.reference, resolved=context)
    if last_named is None:
        return _LawFields(LawSource.PREVIOUS, reference=info.reference)
    return _LawFields(
        LawSource.PREVIOUS, reference=info.reference, resolved=last_named[0], marked=last_named[1]
    )


@dataclass(slots=True)
class _Budget:
    """Unwritten range members still allowed for this text (EXPANSION_LIMIT)."""

    left: int = EXPANSION_LIMIT


def _build(text: str, units: list[_Unit], law: _LawFields, budget: _Budget) -> list[Citation]:
    """Citations from the units of one list, all of the same law."""
    out: list[Citation] = []
    pending: _Pending | None = None

    def finish(p: _Pending) -> None:
        citation = Citation(
            start=p.start,
            end=p.end,
            raw=text[p.start : p.end],
            article=p.article,
            paragraph=p.paragraph,
            item=p.item,
            law_name=law.name,
            law_source=law.source,
            reference=law.reference,
            resolved_law=law.resolved,
            in_book_marks=law.marked,
        )
        first = p.range_from
        if first is not None and _deepest(first) == p.start_level == p.deepest:
            implied, problem = _expand(first, citation, p.start_level, budget.left)
            budget.left -= len(implied)
            if problem is not None:
                out[-1] = replace(first, range_problem=problem)
                citation = replace(citation, range_problem=problem)
            out.extend(implied)
        out.append(citation)

    for unit in units:
        last_index = len(unit.nums) - 1
        for index, num in enumerate(unit.nums):
            suffix = unit.suffix if unit.level == 0 and index == last_index else 0
            if num.join is _Join.CONTIG and pending is not None and unit.level > pending.deepest:
                if unit.level == 1:
                    pending.paragraph = num.value
                else:
                    pending.item = num.value
                pending.deepest = unit.level
                pending.end = num.end
                continue
            previous = pending
            if previous is not None:
                finish(previous)
            if unit.level == 0:
                pending = _Pending(
                    ArticleNumber(num.value, suffix), None, None, num.start, num.end, 0, 0, None
                )
            elif previous is None:  # cannot happen: a list starts with an article
                continue
            elif unit.level == 1:
                pending = _Pending(previous.article, num.value, None, num.start, num.end, 1, 1, None)
            else:
                pending = _Pending(
                    previous.article, previous.paragraph, num.value, num.start, num.end, 2, 2, None
                )
            if num.join is _Join.RANGE and out:
                pending.range_from = out[-1]
    if pending is not None:
        finish(pending)
    return out


def find_citations(text: str, context_law: str | None = None) -> list[Citation]:
    """Every citation of a statute article in ``text``, in order of appearance.

    ``context_law`` is the law the text belongs to or mainly applies: 本法/本条例 and bare
    第N条 (without a law name in the same list) resolve to it. Never raises.
    """
    context = (context_law or "").strip() or None
    out: list[Citation] = []
    floor = 0
    pos = 0
    last_named: tuple[str, bool] | None = None
    budget = _Budget()
    while True:
        anchor = text.find("第", pos)
        if anchor < 0:
            break
        units = _scan_group(text, anchor)
        if units is None:
            pos = anchor + 1
            continue
        info = _law_before(text, anchor, floor)
        law = _law_fields(info, context, last_named)
        if law.source is LawSource.NAMED and law.name is not None:
            last_named = (law.name, law.marked)
        if info is not None:
            first = units[0]
            units[0] = replace(first, nums=(replace(first.nums[0], start=info.start), *first.nums[1:]))
        out.extend(_build(text, units, law, budget))
        floor = pos = units[-1].end
    return out


# ============================================================================ checking


class CitationStatus(enum.StrEnum):
    """The outcome of checking one citation."""

    RESOLVED = "有效"
    UNKNOWN_LAW = "法规库中无此法"
    AMBIGUOUS_LAW = "法律名称不唯一"
    NO_CONTEXT_LAW = "未指明法律"
    NO_SUCH_ARTICLE = "条不存在"
    NO_SUCH_PARAGRAPH = "款不存在"
    NO_SUCH_ITEM = "项不存在"
    NOT_YET_IN_FORCE = "尚未施行"
    REPEALED = "已失效"


@dataclass(frozen=True, slots=True)
class CitationCheck:
    """What the library says about one citation on the date of the conduct."""

    citation: Citation
    status: CitationStatus
    message: str
    law: LawRef | None = None
    #: The laws a short name could mean (AMBIGUOUS_LAW).
    candidates: tuple[LawRef, ...] = ()
    #: The version applicable on the date, or the nearest one (NOT_YET_IN_FORCE, REPEALED).
    version: VersionRef | None = None
    article: ArticleText | None = None
    #: The cited 款 (for a 项 cited without a 款: the first 款).
    paragraph: Paragraph | None = None
    item: Item | None = None
    #: The latest version of the law, when it differs from ``version``.
    current_version: VersionRef | None = None
    current_article: ArticleText | None = None
    #: 从旧兼从轻 warning (《中华人民共和国行政处罚法》第三十七条); empty when it does not come into play.
    lenity_warning: str = ""

    @property
    def ok(self) -> bool:
        return self.status is CitationStatus.RESOLVED

    @property
    def excerpt(self) -> str:
        """The cited text: the 项, else the 款, else the whole article; empty when not found."""
        if self.item is not None:
            return self.item.text
        if self.paragraph is not None and self.citation.paragraph is not None:
            return self.paragraph.text
        return self.article.text if self.article is not None else ""


@runtime_checkable
class ArticleCounter(Protocol):
    """Optional extra of a StatuteLookup: how many articles (第N条, without 之N) a version has."""

    def article_count(self, version_id: str) -> int: ...


def _bare_title(name: str) -> str:
    return re.sub(r"\s+", "", name).removeprefix(_PRC)


def _start(version: VersionRef) -> dt.date | None:
    return version.effective_date or version.version_date


def _count_cn(n: int) -> str:
    return "两" if n == 2 else int_to_cn(n)


#: 中华人民共和国行政处罚法（2021年修订）, but not 中华人民共和国刑法修正案（十一）.
_VERSION_NOTE_RE = re.compile(r"[（(][^（）()]{0,20}(修订|修正)[^（）()]{0,20}[）)]")


def _version_label(version: VersionRef, versions: Sequence[VersionRef]) -> str:
    """2021年1月22日修订 / 2017年9月1日修正 / 1996年3月17日公布."""
    if version.version_date is None:
        if version.effective_date is not None:
            return f"{chinese_date(version.effective_date)}起施行"
        return "版本日期不详"
    note = _VERSION_NOTE_RE.search(version.title)
    if note is not None:
        kind = note.group(1)
    elif versions and versions[0].version_id == version.version_id:
        kind = "公布"
    else:
        kind = "修改"
    return f"{chinese_date(version.version_date)}{kind}"


def _year_label(version: VersionRef) -> str:
    day = version.version_date or version.effective_date
    return f"{day.year}年版" if day is not None else "版本日期不详"


class _Checker:
    """One run of :func:`check_citations`, with its look-ups cached."""

    def __init__(self, lookup: StatuteLookup, on: dt.date) -> None:
        self.lookup = lookup
        self.on = on
        self.on_text = chinese_date(on)
        self._found: dict[str, list[LawRef]] = {}
        self._versions: dict[str, list[VersionRef]] = {}
        self._articles: dict[tuple[str, ArticleNumber], ArticleText | None] = {}
        self._counts: dict[str, int] = {}

    # ------------------------------------------------------------ cached look-ups

    def find(self, name: str) -> list[LawRef]:
        if name not in self._found:
            unique: dict[str, LawRef] = {}
            for law in self.lookup.find_laws(name):
                unique.setdefault(law.law_id, law)
            self._found[name] = list(unique.values())
        return self._found[name]

    def versions(self, law_id: str) -> list[VersionRef]:
        if law_id not in self._versions:
            self._versions[law_id] = list(self.lookup.versions(law_id))
        return self._versions[law_id]

    def article(self, version: VersionRef, number: ArticleNumber) -> ArticleText | None:
        key = (version.version_id, number)
        if key not in self._articles:
            self._articles[key] = self.lookup.article(version.version_id, number)
        return self._articles[key]

    def count(self, version: VersionRef) -> int:
        """Articles in a version; without ArticleCounter, assumes 第1条…第N条 without gaps."""
        if version.version_id not in self._counts:
            if isinstance(self.lookup, ArticleCounter):
                total = self.lookup.article_count(version.version_id)
            else:
                total = self._search_count(version)
            self._counts[version.version_id] = total
        return self._counts[version.version_id]

    def _search_count(self, version: VersionRef) -> int:
        def exists(n: int) -> bool:
            return self.article(version, ArticleNumber(n)) is not None

        if not exists(1):
            return 0
        low, high = 1, 2
        while exists(high):
            low, high = high, high * 2
            if high > 100_000:
                return low
        while high - low > 1:  # exists(low), not exists(high)
            middle = (low + high) // 2
            if exists(middle):
                low = middle
            else:
                high = middle
        return low

    # ------------------------------------------------------------ resolution

    def laws(self, name: str, marked: bool) -> list[LawRef]:
        """Laws a name can mean; an exact title wins over short names."""
        laws = self.find(name)
        if not laws and name.startswith(_PRC) and len(name) > len(_PRC):
            laws = self.find(name.removeprefix(_PRC))
        if not laws and not marked:
            # An unmarked name may carry words before it (经查当事人违背城市道路管理条例):
            # accept a shorter tail only when it is a law's full title.
            for index in range(1, len(name) - 1):
                tail = name[index:]
                exact = [law for law in self.find(tail) if _bare_title(law.title) == _bare_title(tail)]
                if exact:
                    laws = exact
                    break
        if len(laws) > 1:
            exact = [law for law in laws if _bare_title(law.title) == _bare_title(name)]
            if len(exact) == 1:
                laws = exact
        return laws

    def pick_version(self, versions: list[VersionRef]) -> tuple[VersionRef, CitationStatus | None, bool]:
        """The version for the date, a temporal status if none applies, and whether data is incomplete."""
        in_force = [v for v in versions if v.in_force_on(self.on)]
        if in_force:
            return max(in_force, key=lambda v: _start(v) or dt.date.min), None, False
        future = [v for v in versions if (s := _start(v)) is not None and s > self.on]
        if future:
            return min(future, key=lambda v: _start(v) or dt.date.max), CitationStatus.NOT_YET_IN_FORCE, False
        last = versions[-1]
        repealed = last.status is VersionStatus.REPEALED or (
            last.repealed_on is not None and last.repealed_on <= self.on
        )
        if repealed:
            return last, CitationStatus.REPEALED, False
        return last, None, True

    # ------------------------------------------------------------ one citation

    def check(self, citation: Citation) -> CitationCheck:
        name = citation.resolved_law
        if name is None:
            return CitationCheck(citation, CitationStatus.NO_CONTEXT_LAW, self._no_context_message(citation))
        laws = self.laws(name, citation.in_book_marks)
        if not laws:
            message = (
                f"法规库中没有找到《{name}》{citation.label}所引的法律：请核对法律名称是否写全、写对"
                "（建议使用全称），或先将该法导入法规库。"
            )
            return CitationCheck(citation, CitationStatus.UNKNOWN_LAW, self._with_notes(citation, message))
        if len(laws) > 1:
            names = "、".join(
                f"《{law.title}》（{law.level}{'，' + law.region if law.region else ''}）" for law in laws
            )
            message = f"“{name}”可以指多部法律：{names}。请写明所引法律的全称。"
            return CitationCheck(
                citation,
                CitationStatus.AMBIGUOUS_LAW,
                self._with_notes(citation, message),
                candidates=tuple(laws),
            )
        law = laws[0]
        versions = self.versions(law.law_id)
        if not versions:
            message = f"法规库中有《{law.title}》，但没有它的任何文本版本：请先导入该法的文本。"
            return CitationCheck(
                citation, CitationStatus.UNKNOWN_LAW, self._with_notes(citation, message), law
            )
        return self._check_in_law(citation, law, versions)

    def _check_in_law(self, citation: Citation, law: LawRef, versions: list[VersionRef]) -> CitationCheck:
        version, temporal, incomplete = self.pick_version(versions)
        where = f"《{law.title}》（{_version_label(version, versions)}）"
        article = self.article(version, citation.article)
        paragraph: Paragraph | None = None
        item: Item | None = None
        problem: CitationStatus | None = None
        detail = ""
        if article is None:
            problem = CitationStatus.NO_SUCH_ARTICLE
            detail = self._no_article(citation, law, version, versions)
        else:
            problem, detail, paragraph, item = self._find_parts(citation, article)
        status = problem or CitationStatus.RESOLVED
        current: VersionRef | None = None
        current_article: ArticleText | None = None
        warning = ""
        if temporal is CitationStatus.NOT_YET_IN_FORCE:
            status = temporal
            start = _start(version)
            since = f"自{chinese_date(start)}起施行，" if start is not None else ""
            message = (
                f"{where}{since}{self.on_text}尚未施行：不能作为该日行为的依据，请引用当时有效的规定"
                "（法规库中没有该法更早的版本，如有，请导入）。"
            )
            if problem is not None:
                message += f"另：{detail}"
        elif temporal is CitationStatus.REPEALED:
            status = temporal
            end = version.repealed_on or version.superseded_on
            when = f"已于{chinese_date(end)}废止" if end is not None else "已废止（废止日期不详）"
            message = (
                f"《{law.title}》{when}，{self.on_text}已不再施行：不能作为该日行为的依据，"
                "请改引当时有效的规定（如替代该法的新法）。"
            )
            if problem is not None:
                message += f"另：{detail}"
        elif problem is not None or article is None:
            message = f"{where}{detail}"
            if incomplete:
                message += "（法规库中该法的时效信息不完整，请核对。）"
        else:
            message = f"{where}{citation.label}：有效"
            if citation.law_source is LawSource.CONTEXT:
                message += f"（未写明法律名称，已按《{law.title}》核对；文书中应写明法律全称）"
            if incomplete:
                message += "（法规库中该法的时效信息不完整，请核对该版本在当日是否有效）"
            current, current_article, warning = self._lenity(citation, law, version, versions, article)
            if warning:
                message += "（该条此后已被修改或废止，见从旧兼从轻提示）"
        return CitationCheck(
            citation,
            status,
            self._with_notes(citation, message),
            law=law,
            version=version,
            article=article,
            paragraph=paragraph,
            item=item,
            current_version=current,
            current_article=current_article,
            lenity_warning=warning,
        )

    def _find_parts(
        self, citation: Citation, article: ArticleText
    ) -> tuple[CitationStatus | None, str, Paragraph | None, Item | None]:
        """The cited 款 and 项 in ``article``, or the problem and its explanation."""
        label = citation.article.label
        if citation.paragraph is None and citation.item is None:
            return None, "", None, None
        if citation.paragraph is not None:
            paragraph = next((p for p in article.paragraphs if p.number == citation.paragraph), None)
            if paragraph is None:
                total = len(article.paragraphs)
                detail = (
                    f"{label}没有第{int_to_cn(citation.paragraph)}款：该条共{_count_cn(total)}款，请核对款的序号。"
                    if total > 1
                    else f"{label}没有第{int_to_cn(citation.paragraph)}款：该条不分款，请核对。"
                )
                return CitationStatus.NO_SUCH_PARAGRAPH, detail, None, None
        else:
            paragraph = article.paragraphs[0] if article.paragraphs else None
            if paragraph is None:
                return CitationStatus.NO_SUCH_ITEM, f"{label}没有正文，无法核对项。", None, None
        if citation.item is None:
            return None, "", paragraph, None
        item = next((i for i in paragraph.items if i.number == citation.item), None)
        if item is not None:
            return None, "", paragraph, item
        where = citation_label(citation.article, citation.paragraph)
        wanted = f"第（{int_to_cn(citation.item)}）项"
        scope = "该款" if citation.paragraph is not None else "该条第一款"
        if paragraph.items:
            detail = f"{where}没有{wanted}：{scope}共{_count_cn(len(paragraph.items))}项，请核对项的序号。"
        else:
            detail = f"{where}没有{wanted}：{scope}不分项。"
            if citation.paragraph is None:
                others = [p for p in article.paragraphs if p.items]
                if others:
                    hints = "、".join(
                        f"第{int_to_cn(p.number)}款有{_count_cn(len(p.items))}项" for p in others
                    )
                    example = citation_label(citation.article, others[0].number, citation.item)
                    detail += f"该条{hints}，请写明款的序号（如{example}）。"
        return CitationStatus.NO_SUCH_ITEM, detail, paragraph, None

    def _no_article(
        self, citation: Citation, law: LawRef, version: VersionRef, versions: list[VersionRef]
    ) -> str:
        total = self.count(version)
        label = citation.article.label
        if total:
            detail = f"{label}不存在：该法（{_year_label(version)}）共{_count_cn(total)}条，请核对条文序号。"
        else:
            detail = f"{label}不存在：法规库中该版本没有条文，请核对或重新导入。"
        elsewhere = [
            v
            for v in versions
            if v.version_id != version.version_id and self.article(v, citation.article) is not None
        ]
        if elsewhere:
            names = "、".join(f"{_version_label(v, versions)}的版本" for v in elsewhere)
            detail += f"该条见于{names}，请核对是否混用了新旧版本的条文序号。"
        return detail

    def _lenity(
        self,
        citation: Citation,
        law: LawRef,
        version: VersionRef,
        versions: list[VersionRef],
        article: ArticleText,
    ) -> tuple[VersionRef | None, ArticleText | None, str]:
        """The latest version, and a 从旧兼从轻 warning if it matters (行政处罚法第三十七条)."""
        latest = versions[-1]
        rule = f"依照{_LENITY_SOURCE}：{LENITY_RULE}请核对新旧规定，适用对当事人有利的规定。"
        label = citation.article.label
        if latest.version_id != version.version_id:
            current_article = self.article(latest, citation.article)
            if current_article is not None and current_article.text == article.text:
                return latest, current_article, ""
            start = _start(latest)
            since = f"，{chinese_date(start)}起施行" if start is not None else ""
            change = (
                "内容已有变化"
                if current_article is not None
                else "在新版本中已不存在（可能已删除或调整序号）"
            )
            warning = (
                f"从旧兼从轻：{self.on_text}适用的是《{law.title}》"
                f"{_version_label(version, versions)}的版本；"
                f"该法此后于{_version_label(latest, versions)}{since}，{label}{change}。{rule}"
            )
            if latest.status is VersionStatus.REPEALED or latest.repealed_on is not None:
                warning += "（该法现已废止。）"
            return latest, current_article, warning
        end = version.repealed_on
        if end is not None and end > self.on:
            warning = (
                f"从旧兼从轻：《{law.title}》已于{chinese_date(end)}废止，{self.on_text}时仍有效。{rule}"
            )
            return None, None, warning
        return None, None, ""

    def _no_context_message(self, citation: Citation) -> str:
        label = citation.label
        if citation.law_source is LawSource.SELF:
            ref = citation.reference or "本法"
            return (
                f"“{ref}”{label}：未指明“{ref}”是哪部法律，无法核对。"
                f"请写明法律全称（如《××法》{label}），或在核对时指定本文所属的法律。"
            )
        if citation.law_source is LawSource.PREVIOUS:
            ref = citation.reference or "该法"
            return f"“{ref}”{label}：前文没有写明法律名称，无法确定“{ref}”所指，请写明法律全称。"
        return f"{label}：未写明所引的法律，无法核对。请在条文序号前写明法律全称（如《××法》{label}）。"

    @staticmethod
    def _with_notes(citation: Citation, message: str) -> str:
        if citation.range_problem is RangeProblem.TOO_LONG:
            message += f"（注：该条文范围超过{RANGE_LIMIT}条，只核对了起止两处，请核对范围是否写错。）"
        elif citation.range_problem is RangeProblem.REVERSED:
            message += "（注：该条文范围的起止顺序颠倒，请核对。）"
        elif citation.range_problem is RangeProblem.TOO_MANY:
            message += "（注：文中条文范围过多，该范围只核对了起止两处。）"
        return message


def check_citations(citations: Iterable[Citation], lookup: StatuteLookup, on: dt.date) -> list[CitationCheck]:
    """Check each citation against the library for conduct on ``on`` (违法行为发生之日).

    The version applied is the one in force on that day (VersionRef.in_force_on); when the
    law has changed since, ``lenity_warning`` recalls 从旧兼从轻 (《中华人民共和国行政处罚法》第三十七条).
    """
    checker = _Checker(lookup, on)
    return [checker.check(citation) for citation in citations]


def check_text(
    text: str, lookup: StatuteLookup, on: dt.date, context_law: str | None = None
) -> list[CitationCheck]:
    """:func:`find_citations` then :func:`check_citations`."""
    return check_citations(find_citations(text, context_law), lookup, on)
