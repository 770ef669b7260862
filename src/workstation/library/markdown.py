"""Parser for the Markdown law corpus (one file per law version).

The format (see the corpus README and ``法律法规模版.md``)::

    # 中华人民共和国行政处罚法          title; a second ``# `` line is a subtitle
    1996年3月17日 …通过                 history: date + event, until <!-- INFO END -->
    <!-- INFO END -->
    ## 第一章 总则                      headings (##, ###, ####) form the structure path
    第一条 为了规范……                   an article: 第…条 + space + the first 款
    （一）警告、通报批评；               项 of the preceding 款

Dates: ``version_date`` comes from the file name ``Name(2021-01-22).md``, else from the
latest dated history line that is not a 施行 line; ``effective_date`` from the date before
施行/生效 in a history line (``自2014年1月1日施行``), unless it precedes the version date
(then it belongs to an earlier version and is None). ``status`` is always UNKNOWN.

Irregularities handled (all found in the real corpus or named by its README):

* front matter between ``---`` lines; HTML comments anywhere (``<!-- FORCE BREAK -->``);
* a missing ``<!-- INFO END -->``: the header then ends at the first heading, article or
  line that is neither a date line nor the continuation of one;
* history lines wrapped onto the next line (an unclosed 《…》 continues), dates without
  a space before the event, in parentheses, ISO or in Chinese numerals;
* 第…条之一 articles, Arabic article numbers, a missing space after the label
  (``第五条当事人…``), a space inside it (``第三十五 条农村…``), a dash typed for 一
  (``第三十－条``, accepted only when it gives the next number, and reported);
* whole chapters run together on one line (``…。 第二条 …。 第三条 …``);
* a 第…条 line whose number does not go forward (quoted text): kept as text, reported;
* 项 numbered （1） under 项 numbered （一）, and 目 ``1.`` lines: kept with their 项;
* heading depths that contradict the labels (``### 第三章`` above ``## 第一节``), chapter
  titles wrapped onto the next line, zero-width spaces, a table of contents of headings;
* tables (``|`` lines), 附件/附表/附录 after the last article and text outside any article:
  kept as :class:`Annex` entries; headings that head nothing are reported;
* documents without articles (决定, 修正案, cases): their text becomes annexes, one per
  section; cases are never split into articles (their 第…条 lines quote other laws).

Nothing is dropped silently: what cannot be placed becomes a :class:`ParseProblem`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from workstation.domain.numerals import ANY_NUMBER, CN_NUMBER, cn_to_int, parse_number
from workstation.domain.statutes import (
    Annex,
    ArticleNumber,
    Item,
    LawLevel,
    Paragraph,
    ParsedArticle,
    ParsedLaw,
    ParseProblem,
    VersionStatus,
)

__all__ = ["decode_law_file", "level_for_path", "parse_markdown"]

# ----------------------------------------------------------------------------- decoding


def decode_law_file(data: bytes) -> tuple[str, str]:
    """Decode a law file: UTF-8 (with or without BOM) first, then GBK/GB18030.

    Returns ``(text, encoding)``; the BOM is not part of the text. Raises ValueError with a
    Chinese message when the bytes are in neither encoding (or are not text at all).
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    if b"\x00" not in data:  # GBK decodes many binary files; text never holds NUL bytes
        for encoding in ("gbk", "gb18030"):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    raise ValueError("无法识别文件编码：该文件既不是 UTF-8，也不是 GBK/GB18030 编码的文本。")


# ----------------------------------------------------------------------------- levels

_LEVEL_BY_FOLDER: dict[str, LawLevel] = {
    "宪法": LawLevel.CONSTITUTION,
    "宪法相关法": LawLevel.LAW,
    "民法典": LawLevel.LAW,
    "民法商法": LawLevel.LAW,
    "行政法": LawLevel.LAW,
    "经济法": LawLevel.LAW,
    "社会法": LawLevel.LAW,
    "刑法": LawLevel.LAW,
    "诉讼与非诉讼程序法": LawLevel.LAW,
    "行政法规": LawLevel.ADMIN_REGULATION,
    "监察法规": LawLevel.SUPERVISORY_REGULATION,
    "部门规章": LawLevel.DEPARTMENTAL_RULE,
    "司法解释": LawLevel.JUDICIAL_INTERPRETATION,
    "案例": LawLevel.CASE,
    "其他": LawLevel.OTHER,
    "地方性法规": LawLevel.LOCAL_REGULATION,
    "地方政府规章": LawLevel.LOCAL_RULE,
}
_LOCAL_SUFFIX = "地方法规"


def level_for_path(relative_path: str) -> tuple[LawLevel, str, str]:
    """``(level, category, region)`` from a corpus path such as ``行政法/行政处罚法(2021-01-22).md``.

    The first folder named like a corpus category decides (so a wrapper folder, as in a
    zip, does not matter). ``DLC/<省>地方法规/…`` gives a local regulation with the
    province as region. Unknown folders give :attr:`LawLevel.OTHER` with the top folder as
    category.
    """
    folders = [part for part in PurePosixPath(relative_path.replace("\\", "/")).parts[:-1] if part]
    for index, folder in enumerate(folders):
        if folder == "DLC" or (folder.endswith(_LOCAL_SUFFIX) and len(folder) > len(_LOCAL_SUFFIX)):
            rest = folders[index:] if folder != "DLC" else folders[index + 1 :]
            region = rest[0].removesuffix(_LOCAL_SUFFIX) if rest else ""
            kind = rest[1] if len(rest) > 1 else ""
            if _LEVEL_BY_FOLDER.get(kind) in (LawLevel.LOCAL_REGULATION, LawLevel.LOCAL_RULE):
                return _LEVEL_BY_FOLDER[kind], kind, region
            return LawLevel.LOCAL_REGULATION, "地方性法规", region
        level = _LEVEL_BY_FOLDER.get(folder)
        if level is not None:
            return level, folder, ""
    return LawLevel.OTHER, folders[0] if folders else "", ""


# ----------------------------------------------------------------------------- patterns

#: Whitespace as the corpus has it: full-width and no-break spaces, zero-width spaces and BOMs.
_WS = " \t\u3000\xa0\u2002\u2003\u2009\u200b\u200c\u200d\ufeff"
_WSC = f"[{_WS}]"  # one whitespace character as a regex class
_INFO_END_RE = re.compile(r"<!--\s*INFO\s+END\s*-->", re.IGNORECASE)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING_RE = re.compile(rf"^(#{{1,6}})(?:{_WSC}+(.*))?$")
_ARTICLE_RE = re.compile(rf"第{_WSC}*({ANY_NUMBER}){_WSC}*条(?:之({CN_NUMBER}|\d+))?")
#: After a label without a space, these mean the line *mentions* an article
#: (第五条规定的…, 第五条第二款…, 第五条、第六条…) or is a word (第一条件…), not that one starts.
_MENTION_NEXT = frozenset("款项规的、，,；;。.至到和与及或中所以起之第“”\"'《》〈〉<>件例款文约目")
_EMBEDDED_ARTICLE_RE = re.compile(
    rf"[。；：;:]{_WSC}+第{_WSC}*{ANY_NUMBER}{_WSC}*条(?:之(?:{CN_NUMBER}|\d+))?{_WSC}"
)
#: Looks like an article label but the number cannot be read (第三十－条 …).
_ODD_ARTICLE_RE = re.compile(rf"^第[^条{_WS}]{{1,12}}条(?:之\S{{1,3}})?{_WSC}")
_RUN_ON_SPLIT_RE = re.compile(rf"(?<=[。；：;:]){_WSC}+")
_ITEM_RE = re.compile(rf"^[（(]{_WSC}*({ANY_NUMBER}){_WSC}*[）)]")
_SUBITEM_RE = re.compile(rf"^\d{{1,3}}{_WSC}*[.．、](?!\d)")
_ANNEX_RE = re.compile(rf"^附(?:件|表|录)[0-9０-９一二三四五六七八九十]*(?:{_WSC}*[：:].*|{_WSC}.*)?$")
_DATE = (
    rf"(?P<y>\d{{4}}){_WSC}*年{_WSC}*(?P<m>\d{{1,2}}){_WSC}*月{_WSC}*(?P<d>\d{{1,2}}){_WSC}*日"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d)"
    r"|(?P<cy>[〇○零一二三四五六七八九]{4})年(?P<cm>[一二三四五六七八九十]{1,2})月(?P<cd>[一二三四五六七八九十]{1,3})日"
)
_DATE_RE = re.compile(_DATE)
_LEADING_DATE_RE = re.compile(rf"^[（(]?{_WSC}*(?:{_DATE})")
_FILE_DATE_RE = re.compile(r"\((\d{4})-(\d{1,2})-(\d{1,2})\)\s*(?:\.md)?$", re.IGNORECASE)
_EFFECT_RE = re.compile(r"施行|生效")
_STRUCTURE_RE = re.compile(rf"^第{_WSC}*{ANY_NUMBER}{_WSC}*(分编|编|章|节)")
_STRUCTURE_RANK = {"编": 1, "分编": 2, "章": 3, "节": 4}
_SENTENCE_END = frozenset("。；：！？.;:!?")
_BRACKETS = (("《", "》"), ("〈", "〉"), ("<", ">"), ("（", "）"), ("(", ")"))


def _date_from(match: re.Match[str]) -> dt.date | None:
    """The date a :data:`_DATE_RE` match names, or None when it is not a real date."""
    groups = match.groupdict()
    try:
        if groups["y"]:
            return dt.date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
        if groups["iy"]:
            return dt.date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
        year = cn_to_int(groups["cy"].replace("○", "〇"))
        return dt.date(year, cn_to_int(groups["cm"]), cn_to_int(groups["cd"]))
    except ValueError:
        return None


_NUMBERS: dict[str, int] = {}


def _number(numeral: str) -> int:
    """:func:`parse_number`, memoised: the same few hundred numerals recur in every file."""
    value = _NUMBERS.get(numeral)
    if value is None:
        value = parse_number(numeral)
        if len(_NUMBERS) < 100_000:
            _NUMBERS[numeral] = value
    return value


def _unbalanced(text: str) -> bool:
    """True when a bracket or title mark is opened and not closed (the line is wrapped)."""
    return any(text.count(left) > text.count(right) for left, right in _BRACKETS)


def _clean_heading(text: str) -> str:
    text = text.strip(_WS).rstrip("#").strip(_WS)
    return " ".join(text.replace("\u3000", " ").split())


# ----------------------------------------------------------------------------- header


@dataclass(slots=True)
class _Event:
    date: dt.date | None
    text: str
    raw: str


@dataclass(slots=True)
class _Header:
    title: str = ""
    subtitle: str = ""
    events: list[_Event] = field(default_factory=list)


def _event_text(line: str, end: int) -> str:
    """The event after a leading date: without the date, spaces and wrapping parentheses."""
    opened = line[:1] in "（("
    text = line[end:].strip(_WS)
    if (opened or text.count("）") > text.count("（")) and text.endswith("）"):
        text = text[:-1]
    if (opened or text.count(")") > text.count("(")) and text.endswith(")"):
        text = text[:-1]
    return text.strip(_WS)


def _effective_date(events: list[_Event]) -> dt.date | None:
    """The latest date a history line says the law takes effect on (自…起施行, 生效)."""
    found: list[dt.date] = []
    for event in events:
        raw = event.raw
        for keyword in _EFFECT_RE.finditer(raw):
            before = raw[: keyword.start()]
            if before.count("《") > before.count("》"):
                continue  # 施行 inside a title: 《关于…施行…的决定》
            dates = [d for m in _DATE_RE.finditer(before) if (d := _date_from(m)) is not None]
            if dates:
                found.append(dates[-1])
                break
    return max(found) if found else None


def _mentions_effect(raw: str) -> bool:
    for keyword in _EFFECT_RE.finditer(raw):
        before = raw[: keyword.start()]
        if before.count("《") <= before.count("》"):
            return True
    return False


def _version_date(source: str, events: list[_Event]) -> dt.date | None:
    """The date in the file name ``Name(2021-01-22).md``, else the latest adoption/amendment date."""
    match = _FILE_DATE_RE.search(PurePosixPath(source.replace("\\", "/")).name)
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    dated = [event for event in events if event.date is not None]
    acts = [event.date for event in dated if event.date is not None and not _mentions_effect(event.raw)]
    candidates = acts or [event.date for event in dated if event.date is not None]
    return max(candidates) if candidates else None


# ----------------------------------------------------------------------------- body drafts


@dataclass(slots=True)
class _ItemDraft:
    number: int
    lines: list[str]
    arabic: bool


@dataclass(slots=True)
class _ParagraphDraft:
    text: str
    items: list[_ItemDraft] = field(default_factory=list)


@dataclass(slots=True)
class _ArticleDraft:
    number: ArticleNumber
    path: tuple[str, ...]
    line: int
    paragraphs: list[_ParagraphDraft] = field(default_factory=list)

    def build(self) -> ParsedArticle:
        paragraphs: list[Paragraph] = []
        for index, draft in enumerate(self.paragraphs, start=1):
            if draft.items:
                items = tuple([Item(item.number, "\n".join(item.lines)) for item in draft.items])
                paragraphs.append(Paragraph(index, draft.text, items))
            else:
                paragraphs.append(Paragraph(index, draft.text))
        return ParsedArticle(self.number, self.path, tuple(paragraphs), self.line)


@dataclass(slots=True)
class _HeadingDraft:
    depth: int  # number of # marks
    rank: int | None  # 1 编, 2 分编, 3 章, 4 节 when the heading carries such a label
    text: str
    line: int
    used: bool = False  # an article or text came under it


@dataclass(slots=True)
class _SectionDraft:
    """Text outside articles: the preamble, a loose section or an explicit 附件."""

    title: str
    line: int
    before_articles: bool
    lines: list[str] = field(default_factory=list)
    headed: bool = False  # under a heading (its title is the heading path)


class _BodyParser:
    """Feeds the body lines one by one; collects articles, sections, tables and problems."""

    def __init__(self, source: str, allow_articles: bool) -> None:
        self.source = source
        self.allow_articles = allow_articles
        self.articles: list[ParsedArticle] = []
        self.sections: list[_SectionDraft] = []
        self.tables: list[Annex] = []
        self.problems: list[ParseProblem] = []
        self._headings: list[_HeadingDraft] = []
        self._orphan_headings: list[_HeadingDraft] = []
        self._used_heading_texts: set[str] = set()
        self._article: _ArticleDraft | None = None
        self._last_key: tuple[int, int] | None = None  # (number, suffix) of the last article
        self._section: _SectionDraft | None = None
        self._annex: _SectionDraft | None = None
        self._table: list[str] = []
        self._table_line = 0
        self._table_title = ""

    # -- dispatch

    def feed(self, lineno: int, raw: str, allow_split: bool = True) -> None:
        line = raw.strip(_WS)
        if not line:
            self._end_table()
            return
        if line[0] == "|":
            self._add_table_line(lineno, line)
            return
        if self._table:
            self._end_table()
        heading = _HEADING_RE.match(line) if line[0] == "#" else None
        if self._annex is not None:
            text = _clean_heading(heading.group(2) or "") if heading else line
            if text and _ANNEX_RE.match(text):
                self._start_annex(lineno, text)
            elif text:
                self._annex.lines.append(text)
            return
        if heading:
            self._heading(lineno, len(heading.group(1)), _clean_heading(heading.group(2) or ""))
            return
        if self.allow_articles:
            if line[0] == "第":
                match = _ARTICLE_RE.match(line)
                if match and self._try_article(lineno, line, match, allow_split):
                    return
            elif line[0] == "附" and self._last_key is not None and _ANNEX_RE.match(line):
                self._start_annex(lineno, line)
                return
            if line[0] == "第" and _ODD_ARTICLE_RE.match(line) and not _ARTICLE_RE.match(line):
                if self._try_dash_article(lineno, line):
                    return
                message = "条号无法识别，已作为正文保留"
                self.problems.append(ParseProblem(self.source, lineno, message, line[:200]))
        self._text(lineno, line)

    # -- structure

    def _path(self) -> tuple[str, ...]:
        return tuple(heading.text for heading in self._headings)

    def _mark_headings_used(self) -> None:
        for heading in self._headings:
            if not heading.used:
                heading.used = True
                self._used_heading_texts.add(heading.text)

    def _heading(self, lineno: int, depth: int, text: str) -> None:
        self._close_article()
        self._section = None
        if not text:
            return
        if self._last_key is not None and _ANNEX_RE.match(text):
            self._start_annex(lineno, text)
            return
        label = _STRUCTURE_RE.match(text) if self.allow_articles else None
        rank = _STRUCTURE_RANK[label.group(1)] if label else None
        headings = self._headings
        while headings:
            top = headings[-1]
            # 第…章 written as ### above 第…节 written as ##: the labels outrank the depth.
            outranked = top.rank >= rank if top.rank is not None and rank is not None else top.depth >= depth
            if not outranked:
                break
            self._drop_heading(headings.pop())
        headings.append(_HeadingDraft(depth, rank, text, lineno))

    def _continues_heading(self, line: str) -> bool:
        """A chapter title wrapped onto the next line: append it to the heading."""
        if not self._headings or self._section is not None:
            return False
        top = self._headings[-1]
        if top.used or top.rank is None or len(line) > 50 or line[-1] in _SENTENCE_END:
            return False
        if top.text[-1:] in _SENTENCE_END or _ITEM_RE.match(line):
            return False
        top.text += line
        return True

    def _drop_heading(self, heading: _HeadingDraft) -> None:
        if not heading.used:
            self._orphan_headings.append(heading)

    def _start_annex(self, lineno: int, title: str) -> None:
        self._close_article()
        self._section = None
        self._annex = _SectionDraft(title, lineno, before_articles=False)
        self.sections.append(self._annex)

    # -- articles

    def _try_article(self, lineno: int, line: str, match: re.Match[str], allow_split: bool) -> bool:
        numeral, suffix_numeral = match.group(1, 2)
        try:
            key = (_number(numeral), _number(suffix_numeral) if suffix_numeral else 0)
        except ValueError:
            return False
        rest = line[match.end() :]
        if rest[:1] in ("：", ":"):  # 第一条：… is a separator, not a mention
            rest = " " + rest[1:]
        spaced = not rest or rest[0] in _WS
        previous = self._last_key
        if not spaced:
            if rest[0] in _MENTION_NEXT:
                return False
            if previous is not None and not (previous < key and key[0] <= previous[0] + 1):
                return False
        elif previous is not None and key <= previous:
            number, previous_number = ArticleNumber(*key), ArticleNumber(*previous)
            self.problems.append(
                ParseProblem(
                    self.source,
                    lineno,
                    f"条号没有递增：{number.label}出现在{previous_number.label}之后，已作为正文保留",
                    line[:200],
                )
            )
            return False
        if allow_split and spaced and "第" in rest and _EMBEDDED_ARTICLE_RE.search(rest):
            segments = _RUN_ON_SPLIT_RE.split(line)
            if len(segments) > 1:
                for segment in segments:
                    self.feed(lineno, segment, allow_split=False)
                return True
        self._close_article()
        self._section = None
        self._mark_headings_used()
        first = rest.strip(_WS)
        self._article = _ArticleDraft(
            ArticleNumber(*key), self._path(), lineno, [_ParagraphDraft(first)] if first else []
        )
        self._last_key = key
        return True

    def _try_dash_article(self, lineno: int, line: str) -> bool:
        """第三十－条: a dash typed for 一; accepted only when that gives the next number."""
        head, sep, tail = line.partition("条")
        fixed = re.sub("[－—–-]", "一", head) + sep + tail
        match = _ARTICLE_RE.match(fixed)
        previous = self._last_key
        if fixed == line or match is None or previous is None:
            return False
        try:
            number = _number(match.group(1))
        except ValueError:
            return False
        if number != previous[0] + 1 or match.group(2):
            return False
        label = ArticleNumber(number).label
        message = f"条号中的“－”疑为“一”，已按{label}处理"
        self.problems.append(ParseProblem(self.source, lineno, message, line[:200]))
        return self._try_article(lineno, fixed, match, allow_split=True)

    def _close_article(self) -> None:
        if self._article is not None:
            self.articles.append(self._article.build())
            self._article = None

    # -- text

    def _text(self, lineno: int, line: str) -> None:
        article = self._article
        if article is None:
            if self._continues_heading(line):
                return
            if self._section is None:
                self._mark_headings_used()
                path = " / ".join(self._path())
                self._section = _SectionDraft(
                    path or "正文", lineno, before_articles=self._last_key is None, headed=bool(path)
                )
                self.sections.append(self._section)
            self._section.lines.append(line)
            return
        paragraphs = article.paragraphs
        item = _ITEM_RE.match(line)
        if item:
            arabic = item.group(1).isdigit()
            if not paragraphs:
                paragraphs.append(_ParagraphDraft(""))
            items = paragraphs[-1].items
            if arabic and items and not items[-1].arabic:  # （1） under （一）: a 目 of that 项
                items[-1].lines.append(line)
                return
            try:
                number = _number(item.group(1))
            except ValueError:
                number = len(items) + 1
            items.append(_ItemDraft(number, [line], arabic))
            return
        if paragraphs and paragraphs[-1].items and _SUBITEM_RE.match(line):
            paragraphs[-1].items[-1].lines.append(line)  # 1. under （一）: a 目 of that 项
            return
        paragraphs.append(_ParagraphDraft(line))

    # -- tables

    def _add_table_line(self, lineno: int, line: str) -> None:
        if self._annex is not None:
            self._annex.lines.append(line)
            return
        if not self._table:
            self._table_line = lineno
            if self._article is not None:
                self._table_title = f"表格（{self._article.number.label}）"
            else:
                self._mark_headings_used()
                path = " / ".join(self._path())
                self._table_title = f"表格（{path}）" if path else "表格"
        self._table.append(line)

    def _end_table(self) -> None:
        if self._table:
            self.tables.append(Annex(self._table_title, "\n".join(self._table), self._table_line))
            self._table = []

    def finish(self) -> None:
        self._end_table()
        self._close_article()
        while self._headings:
            self._drop_heading(self._headings.pop())

    def annexes_and_preamble(self) -> tuple[list[Annex], str]:
        """Sections before the first article form the preamble (when there are articles)."""
        preamble: list[str] = []
        annexes: list[Annex] = list(self.tables)
        for heading in self._orphan_headings:
            if heading.text in self._used_heading_texts:
                continue  # an entry of a table of contents: the heading itself comes later
            if self.articles:
                message = "标题下没有任何条文或正文，未收录到结构中"
                self.problems.append(ParseProblem(self.source, heading.line, message, heading.text))
            else:  # a document without articles: its headings are part of its text
                annexes.append(Annex(heading.text, "", heading.line))
        for section in self.sections:
            if section.before_articles and self.articles:
                if section.headed:  # 序言: the heading stays with its text
                    preamble.append(section.title)
                preamble.extend(section.lines)
            else:
                annexes.append(Annex(section.title, "\n".join(section.lines), section.line))
        annexes.sort(key=lambda annex: annex.line)
        return annexes, "\n".join(preamble)


# ----------------------------------------------------------------------------- parse


def _strip_comments(text: str, source: str, problems: list[ParseProblem]) -> str:
    if "<!--" not in text:
        return text
    text = _COMMENT_RE.sub(lambda m: "\n" * m.group().count("\n"), text)
    start = text.find("<!--")
    if start >= 0:
        line = text.count("\n", 0, start) + 1
        fragment = text[start : start + 200].split("\n", 1)[0]
        problems.append(ParseProblem(source, line, "HTML 注释没有结束（缺少 -->），已按正文处理", fragment))
    return text


def _skip_front_matter(lines: list[str], source: str, problems: list[ParseProblem]) -> int:
    """Index of the first line after front matter (``---`` … ``---``) at the top, if any."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return 0
    for index in range(first + 1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return index + 1
    problems.append(ParseProblem(source, first + 1, "文件开头的元数据（---）没有结束，已按正文处理", "---"))
    return first + 1


def _starts_article(line: str) -> bool:
    """第…条 followed by a space: an article, not a history line that mentions one."""
    match = _ARTICLE_RE.match(line)
    if match is None:
        return False
    after = line[match.end() : match.end() + 1]
    return not after or after in _WS


def _read_header(
    lines: list[str], start: int, end: int | None, source: str, problems: list[ParseProblem]
) -> tuple[_Header, int]:
    """Read the header from ``start``; with ``end`` (the INFO END line) it stops there.

    Returns the header and the index of the first body line.
    """
    header = _Header()
    index = start
    limit = len(lines) if end is None else end
    while index < limit:
        line = lines[index].strip(_WS)
        if not line:
            index += 1
            continue
        heading = _HEADING_RE.match(line) if line[0] == "#" else None
        if heading and len(heading.group(1)) == 1:
            text = _clean_heading(heading.group(2) or "")
            if not header.title:
                header.title = text
            elif not header.subtitle:
                header.subtitle = text
            elif end is not None:
                header.events.append(_Event(None, text, line))
            else:
                break  # a third title without INFO END: a heading of the body
            index += 1
            continue
        if heading or _starts_article(line):
            if end is not None:
                message = "<!-- INFO END --> 之前已出现标题或条文，已从此处起按正文处理"
                problems.append(ParseProblem(source, index + 1, message, line[:200]))
            return header, index  # without INFO END the header ends at the first heading or article
        date_match = _LEADING_DATE_RE.match(line)
        if date_match:
            date = _date_from(date_match)
            if date is None:
                problems.append(
                    ParseProblem(source, index + 1, "历史沿革中的日期无效，已保留原文", line[:200])
                )
            header.events.append(_Event(date, _event_text(line, date_match.end()), line))
        elif header.events and _unbalanced(header.events[-1].raw):
            previous = header.events[-1]
            previous.raw += line
            previous.text += line
        elif end is not None:
            header.events.append(_Event(None, line, line))
        else:
            break  # without INFO END the header ends at the first other line
        index += 1
    return header, (index if end is None else end + 1)


def parse_markdown(
    text: str,
    source: str,
    category: str = "",
    region: str = "",
    level: LawLevel | None = None,
) -> ParsedLaw:
    """Parse one corpus file into a :class:`ParsedLaw`.

    ``source`` is the file's path relative to the corpus root (or at least its file name):
    the version date is read from ``Name(2021-01-22).md`` and, without ``level``, the level,
    category and region from its folders (:func:`level_for_path`).
    """
    if level is None:
        level, derived_category, derived_region = level_for_path(source)
        if level is LawLevel.OTHER and category:
            level, derived_category, derived_region = level_for_path(f"{category}/_")
        category = category or derived_category
        region = region or derived_region
    problems: list[ParseProblem] = []
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    info_end = _INFO_END_RE.search(text)
    info_end_index = text.count("\n", 0, info_end.start()) if info_end else None
    lines = _strip_comments(text, source, problems).split("\n")

    start = _skip_front_matter(lines, source, problems)
    if info_end_index is not None and info_end_index < start:
        info_end_index = None
    header, body_start = _read_header(lines, start, info_end_index, source, problems)

    body = _BodyParser(source, allow_articles=level is not LawLevel.CASE)
    for index in range(body_start, len(lines)):
        body.feed(index + 1, lines[index])
    body.finish()
    annexes, preamble = body.annexes_and_preamble()
    problems.extend(body.problems)

    title = header.title
    if not title:
        name = PurePosixPath(source.replace("\\", "/")).name
        title = _FILE_DATE_RE.sub("", name).removesuffix(".md").strip() or name
        problems.append(ParseProblem(source, 1, "缺少标题（以“# ”开头的行），已使用文件名作为标题"))
    if not body.articles and not annexes:
        problems.append(ParseProblem(source, body_start + 1, "正文为空：没有找到任何条文或附件"))
    problems.sort(key=lambda problem: problem.line)

    version_date = _version_date(source, header.events)
    effective_date = _effective_date(header.events)
    if effective_date is not None and version_date is not None and effective_date < version_date:
        effective_date = None  # the 施行 line of an earlier version (宪法 1982 in the 2018 text)

    return ParsedLaw(
        title=title,
        level=level,
        source=source,
        subtitle=header.subtitle,
        category=category,
        region=region,
        version_date=version_date,
        effective_date=effective_date,
        status=VersionStatus.UNKNOWN,
        history=tuple((event.date, event.text) for event in header.events),
        articles=tuple(body.articles),
        annexes=tuple(annexes),
        preamble=preamble,
        problems=tuple(problems),
    )
