"""Use cases of the statute library (找法): import, search, show, compare versions, check citations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from workstation.domain.citations import CitationCheck, check_text
from workstation.domain.errors import InvalidInput, NotFound
from workstation.domain.numerals import parse_article_label, parse_number
from workstation.domain.statute_diff import ArticleChange, diff_versions
from workstation.domain.statutes import (
    ArticleNumber,
    ArticleText,
    ImportProgress,
    ImportReport,
    LawRef,
    SearchQuery,
    SearchResult,
    StatuteImporter,
    StatuteIndex,
    StatuteLibrary,
    VersionRef,
)
from workstation.services.changes import Changes, Result, Topic


@dataclass(frozen=True, slots=True)
class LawView:
    """A law as the article view shows it: one version, all its versions, its articles."""

    law: LawRef
    version: VersionRef
    versions: tuple[VersionRef, ...]
    articles: tuple[ArticleText, ...]
    #: Set when one article was asked for.
    article: ArticleText | None = None
    is_favourite: bool = False


def parse_article_arg(text: str) -> ArticleNumber:
    """'33', '第三十三条', '133之一', '第一百三十三条之一' -> ArticleNumber."""
    text = text.strip()
    try:
        if text.startswith("第"):
            number, suffix = parse_article_label(text)
            return ArticleNumber(number, suffix)
        head, _, tail = text.partition("之")
        return ArticleNumber(parse_number(head.rstrip("条")), parse_number(tail) if tail else 0)
    except ValueError as exc:
        raise InvalidInput(
            f"无法识别的条号：{text}", "请写成 33、第三十三条 或 第一百三十三条之一。"
        ) from exc


def version_for(versions: list[VersionRef], at: dt.date | None) -> VersionRef:
    """The version in force on ``at`` (the latest without a date)."""
    if at is None:
        return versions[-1]
    in_force = [v for v in versions if v.in_force_on(at)]
    if in_force:
        return in_force[-1]
    earlier = [v for v in versions if (v.effective_date or v.version_date or dt.date.min) <= at]
    return earlier[-1] if earlier else versions[0]


class StatuteService:
    def __init__(
        self,
        library: StatuteLibrary,
        index: StatuteIndex,
        importer: StatuteImporter,
        today: Callable[[], dt.date],
    ) -> None:
        self._library = library
        self._index = index
        self._importer = importer
        self._today = today

    # ---------------------------------------------------------------- import

    def import_laws(
        self,
        path: Path | None,
        fmt: str | None = None,
        progress: ImportProgress | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> Result[ImportReport]:
        report = self._importer.import_path(path, fmt, progress, cancelled)
        return Result(report, Changes.of(Topic.STATUTES))

    def import_packs(self, packs: Sequence[tuple[str, bytes]]) -> Result[ImportReport]:
        """Statute packs ``(file name, bytes)`` imported as one import (the central server's
        statute feed: one index rebuild per page of packs, not per pack)."""
        return Result(self._importer.import_packs(packs), Changes.of(Topic.STATUTES))

    # ---------------------------------------------------------------- search

    def search(self, query: SearchQuery) -> Result[SearchResult]:
        return Result(self._index.search(query))

    # ------------------------------------------------------------------ show

    def resolve_law(self, name: str) -> LawRef:
        """A law by id, full title or short name; the highest-level one when several share a name."""
        name = name.strip().strip("《》")
        law = self._library.law(name)
        if law is not None:
            return law
        found = self._library.find_laws(name)
        if not found:
            raise NotFound(
                f"法规库中没有《{name}》。",
                "请检查名称（可用全称或简称，如“行政处罚法”），或先导入该法规：workstation laws import。",
            )
        return found[0]

    def show(
        self,
        law_name: str,
        article: str | ArticleNumber | None = None,
        at: dt.date | None = None,
        version_id: str | None = None,
    ) -> Result[LawView]:
        law = self.resolve_law(law_name)
        versions = self._library.versions(law.law_id)
        if not versions:
            raise NotFound(f"《{law.title}》没有已导入的版本。", "请重新导入该法规。")
        if version_id is not None:
            chosen = next((v for v in versions if v.version_id == version_id), None)
            if chosen is None:
                raise NotFound("没有这个版本。", "请从版本列表中选择。")
        else:
            chosen = version_for(versions, at)
        articles = tuple(self._library.articles(chosen.version_id))
        single: ArticleText | None = None
        if article is not None:
            number = article if isinstance(article, ArticleNumber) else parse_article_arg(article)
            single = next((a for a in articles if a.number == number), None)
            if single is None:
                last = articles[-1].number.label if articles else "无条文"
                raise NotFound(
                    f"《{law.title}》（{_version_label(chosen)}）没有{number.label}。",
                    f"该版本共 {len(articles)} 条，最后一条是{last}。",
                )
        self._library.touch_recent(law.law_id)
        favourite = any(f.law_id == law.law_id for f in self._library.marked("favourite"))
        return Result(LawView(law, chosen, tuple(versions), articles, single, favourite))

    def compare(self, law_name: str, old_version_id: str, new_version_id: str) -> Result[list[ArticleChange]]:
        law = self.resolve_law(law_name)
        ids = {v.version_id for v in self._library.versions(law.law_id)}
        if old_version_id not in ids or new_version_id not in ids:
            raise NotFound("要比较的版本不属于该法规。", "请从版本列表中选择。")
        old = self._library.articles(old_version_id)
        new = self._library.articles(new_version_id)
        return Result(diff_versions(old, new))

    def tree(self) -> Result[list[tuple[LawRef, int]]]:
        return Result(self._library.laws())

    def tree_with_versions(self) -> Result[list[tuple[LawRef, list[VersionRef]]]]:
        """The law tree: every law (by level, category, title) with its versions."""
        versions = self._library.all_versions()
        return Result([(law, versions.get(law.law_id, [])) for law, _count in self._library.laws()])

    def set_favourite(self, law_id: str, on: bool) -> Result[bool]:
        self._library.set_favourite(law_id, on)
        return Result(on, Changes.of(Topic.STATUTES))

    def marked(self, kind: str) -> Result[list[LawRef]]:
        return Result(self._library.marked(kind))

    # ----------------------------------------------------------------- cite

    def cite(
        self, text: str, at: dt.date | None = None, context_law: str | None = None
    ) -> Result[list[CitationCheck]]:
        if not text.strip():
            raise InvalidInput(
                "没有要检查的文字。", "请输入含有法条引用的文字，如“《行政处罚法》第三十三条”。"
            )
        return Result(check_text(text, self._library, at or self._today(), context_law))


def _version_label(version: VersionRef) -> str:
    if version.version_date is None:
        return "未注明日期的版本"
    d = version.version_date
    return f"{d.year}年{d.month}月{d.day}日版"


def version_label(version: VersionRef) -> str:
    return _version_label(version)
