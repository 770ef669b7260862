"""The legal basis of a decision from the statute library (the LegalBasisResolver port).

Every citation of a text (处罚依据, 违法依据 …) is found and checked by the citation checker
(domain/citations.py) for the day of the conduct: 《中华人民共和国行政处罚法》第三十七条
applies the law in force when the violation was committed, so the version printed is the one
in force on that day, not the newest. A citation that resolves gives the article's text — the
whole article, the cited 款 (with its 项), or the 款's lead and the cited 项; one that does not
(unknown law, no such 条/款/项 in that version, a law not yet in force or repealed by then)
gives a problem that names it and says what to do. Nothing is ever guessed.
"""

from __future__ import annotations

import datetime as dt

from workstation.domain.citations import CitationCheck, CitationStatus, check_citations, find_citations
from workstation.domain.document_ports import BasisProblem, LegalBasis, ResolvedArticle
from workstation.domain.formatting import chinese_date
from workstation.domain.statutes import StatuteLookup, VersionRef

#: Where the statute library is filled (the 找法 page's import).
IMPORT_HINT = "请先导入法规库（找法 → 导入），导入该法后再出具文书"
_EXAMPLE = "《中华人民共和国行政处罚法》第三十三条"


def _start(version: VersionRef | None) -> dt.date | None:
    if version is None:
        return None
    return version.effective_date or version.version_date


def version_label(version: VersionRef) -> str:
    """2025年3月1日起施行 / 2017年11月4日版 / 版本日期不详."""
    if version.effective_date is not None:
        return f"{chinese_date(version.effective_date)}起施行"
    if version.version_date is not None:
        return f"{chinese_date(version.version_date)}版"
    return "版本日期不详"


def _written(check: CitationCheck) -> str:
    """The citation with the law's full title (as the library names it) when known."""
    citation = check.citation
    if check.law is not None:
        return f"《{check.law.title}》{citation.label}"
    if citation.resolved_law:
        return f"《{citation.resolved_law}》{citation.label}"
    return citation.raw.strip() or citation.label


def _cited_text(check: CitationCheck) -> str:
    """The whole article; the cited 款 with its 项; or the 款's lead and the cited 项."""
    if check.item is not None:
        lead = check.paragraph.text if check.paragraph is not None else ""
        return "\n".join(t for t in (lead, check.item.text) if t)
    if check.paragraph is not None and check.citation.paragraph is not None:
        lines = [check.paragraph.text, *(i.text for i in check.paragraph.items)]
        return "\n".join(t for t in lines if t)
    return check.article.text if check.article is not None else ""


def _in_version(check: CitationCheck) -> str:
    start = _start(check.version)
    return f"在{chinese_date(start)}施行的版本中" if start is not None else "在当时适用的版本中"


def _problem(check: CitationCheck, on: dt.date) -> BasisProblem:
    written = _written(check)
    status = check.status
    law = f"《{check.law.title}》" if check.law is not None else ""
    if status is CitationStatus.UNKNOWN_LAW:
        if check.law is not None:
            message = f"{written}：法规库中有{law}，但没有它的条文，无法核对并打印条文；{IMPORT_HINT}。"
        else:
            message = (
                f"{written}：法规库中没有这部法律，无法核对并打印条文；请核对法律名称（建议写全称），"
                f"或{IMPORT_HINT.removeprefix('请')}。"
            )
        return BasisProblem(written, message, needs_import=True)
    if status is CitationStatus.AMBIGUOUS_LAW:
        names = "、".join(f"《{c.title}》" for c in check.candidates)
        message = f"{written}：“{check.citation.resolved_law}”可以指{names}，请写明所引法律的全称。"
    elif status is CitationStatus.NO_CONTEXT_LAW:
        message = f"{written}：未写明所引的法律，请在条文序号前写明法律全称（如{_EXAMPLE}）。"
    elif status in (
        CitationStatus.NO_SUCH_ARTICLE,
        CitationStatus.NO_SUCH_PARAGRAPH,
        CitationStatus.NO_SUCH_ITEM,
    ):
        message = f"{written}{_in_version(check)}不存在，请核对条文。"
    elif status is CitationStatus.NOT_YET_IN_FORCE:
        start = _start(check.version)
        since = f"自{chinese_date(start)}起施行，" if start is not None else ""
        message = (
            f"{written}：{law}{since}违法行为发生时（{chinese_date(on)}）尚未施行，不能作为依据；"
            "请引用当时有效的规定（法规库缺少该法更早的版本时，请先导入：找法 → 导入）。"
        )
    elif status is CitationStatus.REPEALED:
        end = check.version.repealed_on or check.version.superseded_on if check.version else None
        when = f"已于{chinese_date(end)}废止" if end is not None else "已废止"
        message = (
            f"{written}：{law}{when}，违法行为发生时（{chinese_date(on)}）已不再施行，请改引当时有效的规定。"
        )
    else:
        message = f"{written}：{check.message}"
    return BasisProblem(written, message)


class LibraryLegalBasisResolver:
    """:class:`~workstation.domain.document_ports.LegalBasisResolver` over a StatuteLookup."""

    def __init__(self, lookup: StatuteLookup) -> None:
        self._lookup = lookup

    def resolve(self, text: str, on: dt.date) -> LegalBasis:
        text = text.strip()
        if not text:
            return LegalBasis()
        citations = find_citations(text)
        if not citations:
            return LegalBasis(
                problems=(
                    BasisProblem(
                        text,
                        f"“{text}”中没有可识别的法条引用，无法打印条文；"
                        f"请写明法律全称和条文序号（如{_EXAMPLE}）。",
                    ),
                )
            )
        articles: list[ResolvedArticle] = []
        problems: list[BasisProblem] = []
        seen: set[str] = set()
        for check in check_citations(citations, self._lookup, on):
            written = _written(check)
            if written in seen:
                continue
            seen.add(written)
            if not check.ok or check.law is None or check.version is None or check.article is None:
                problems.append(_problem(check, on))
                continue
            articles.append(
                ResolvedArticle(
                    citation=written,
                    law_title=check.law.title,
                    version_label=version_label(check.version),
                    effective_date=_start(check.version),
                    article_label=check.citation.label,
                    text=_cited_text(check),
                )
            )
        return LegalBasis(tuple(articles), tuple(problems))


__all__ = ["IMPORT_HINT", "LibraryLegalBasisResolver", "version_label"]
