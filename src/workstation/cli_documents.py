"""``workstation docs …`` and ``workstation dossier``: 执法文书 and the 电子卷宗 (docs/CLI.md)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workstation.app import Core
    from workstation.cli import Output


def add_parsers(
    sub: Any, common: argparse.ArgumentParser, parser_class: type, wanted: set[str] | None = None
) -> None:
    wanted = {"docs", "dossier"} if wanted is None else wanted
    if "docs" in wanted:
        docs = sub.add_parser("docs", help="执法文书：列出、出具（编号、二维码）、核验", parents=[common])
        docs_sub = docs.add_subparsers(
            dest="docs_command", metavar="操作", required=True, parser_class=parser_class
        )
        listing = docs_sub.add_parser(
            "list", help="案件已出具的文书，以及当前阶段可出具的文书和尚缺的内容", parents=[common]
        )
        listing.add_argument("case", metavar="CASE", help="案件编号或案号")
        render = docs_sub.add_parser(
            "render", help="出具文书：检查必填内容、编号、加二维码并登记", parents=[common]
        )
        render.add_argument("case", metavar="CASE", help="案件编号或案号")
        render.add_argument(
            "doc_type", metavar="TYPE", help="文书代码（如 prior_notice）或名称（如 行政处罚事先告知书）"
        )
        render.add_argument(
            "--out", type=Path, required=True, metavar="FILE", help="输出的 .docx 文件（不覆盖已有文件）"
        )
        render.add_argument("--pdf", action="store_true", help="同时生成同名 PDF（需要 LibreOffice）")
        verify = docs_sub.add_parser(
            "verify", help="核验文书文件（.docx 或 .pdf）是否被修改", parents=[common]
        )
        verify.add_argument("file", type=Path, metavar="FILE", help="要核验的文书文件")
    if "dossier" in wanted:
        dossier = sub.add_parser("dossier", help="电子卷宗：案件全部文书合并为一个 PDF", parents=[common])
        dossier.add_argument("case", metavar="CASE", help="案件编号或案号")
        dossier.add_argument(
            "--out", type=Path, required=True, metavar="FILE", help="输出的 PDF 文件（不覆盖已有文件）"
        )


def cmd_list(core: Core, args: argparse.Namespace, out: Output) -> int:
    infos = core.documents.list(args.case).value
    issued = [i for i in infos if i.issued]
    available = [i for i in infos if not i.issued]
    lines = ["已出具的文书：" if issued else "尚未出具文书。"]
    for i in issued:
        date = i.issued_on.isoformat() if i.issued_on else ""
        lines.append(f"  {i.number or '（无编号）'}  《{i.title}》  {i.status_label}  {date}")
    if available:
        lines.append("当前阶段可出具的文书：")
    for i in available:
        state = "内容齐全" if not i.missing else "尚缺：" + "、".join(f.label for f in i.missing)
        lines.append(f"  {i.code}  《{i.title}》  {state}")
    out.result(
        {"issued": [i.as_dict() for i in issued], "available": [i.as_dict() for i in available]},
        "\n".join(lines),
    )
    return 0


def cmd_render(core: Core, args: argparse.Namespace, out: Output) -> int:
    doc = core.documents.render(args.case, args.doc_type, args.out, pdf=args.pdf).value
    text = f"已出具《{doc.title}》{doc.number or ''}：{doc.path}"
    if doc.pdf:
        text += f"\nPDF：{doc.pdf}"
    out.result({"document": doc.as_dict()}, text)
    return 0


def cmd_verify(core: Core, args: argparse.Namespace, out: Output) -> int:
    result = core.documents.verify(args.file).value
    if not result.ok:
        if out.as_json:
            print(json.dumps({"ok": False, **result.as_dict()}, ensure_ascii=False))  # noqa: T201
        print(f"错误：{result.summary}", file=sys.stderr)  # noqa: T201
        return 1
    out.result(result.as_dict(), result.summary)
    return 0


def cmd_dossier(core: Core, args: argparse.Namespace, out: Output) -> int:
    report = core.documents.dossier(args.case, args.out).value
    path = args.out.expanduser().absolute()
    data = {
        "path": str(path),
        "pages": report.pages,
        "parts": [{"title": t, "first_page": a, "last_page": b} for t, a, b in report.ranges],
    }
    out.result(data, f"电子卷宗已生成：{path}（共{report.pages}页，{len(report.ranges)}个部分）")
    return 0


COMMANDS: dict[tuple[str, ...], Callable[[Core, argparse.Namespace, Output], int]] = {
    ("docs", "list"): cmd_list,
    ("docs", "render"): cmd_render,
    ("docs", "verify"): cmd_verify,
    ("dossier",): cmd_dossier,
}
