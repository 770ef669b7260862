"""``workstation case …``: open a case, take an action, show it, verify its record, add, list and
correct its evidence (docs/CLI.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workstation.domain.errors import InvalidInput

if TYPE_CHECKING:
    from workstation.app import Core
    from workstation.cli import Output
    from workstation.domain.entities import Party
    from workstation.domain.evidence_ports import EvidenceItem
    from workstation.services.cases import CaseView


def add_parsers(
    sub: Any, common: argparse.ArgumentParser, parser_class: type, wanted: set[str] | None = None
) -> None:
    wanted = {"case", "party"} if wanted is None else wanted
    if "party" in wanted:
        _add_party_parsers(sub, common, parser_class)
    if "case" in wanted:
        _add_case_parsers(sub, common, parser_class)


def _add_party_parsers(sub: Any, common: argparse.ArgumentParser, parser_class: type) -> None:
    party = sub.add_parser("party", help="当事人：登记、查找", parents=[common])
    party_sub = party.add_subparsers(
        dest="party_command", metavar="操作", required=True, parser_class=parser_class
    )
    add = party_sub.add_parser(
        "add", help="登记当事人（JSON 文件；证件号码自动规范并校验）", parents=[common]
    )
    add.add_argument(
        "--json-file", type=Path, required=True, metavar="FILE", help="当事人信息（见 docs/CLI.md）"
    )
    find = party_sub.add_parser("find", help="按姓名、名称、身份证号或统一社会信用代码查找", parents=[common])
    find.add_argument("text", nargs="?", default="", metavar="TEXT", help="查找内容（省略则列出全部）")


def _add_case_parsers(sub: Any, common: argparse.ArgumentParser, parser_class: type) -> None:
    case = sub.add_parser("case", help="案件：立案、办理流程动作、查看、全过程记录", parents=[common])
    case_sub = case.add_subparsers(
        dest="case_command", metavar="操作", required=True, parser_class=parser_class
    )
    new = case_sub.add_parser("new", help="登记新案件（JSON 文件）", parents=[common])
    new.add_argument(
        "--json-file", type=Path, required=True, metavar="FILE", help="案件信息（见 docs/CLI.md）"
    )
    act = case_sub.add_parser("act", help="办理流程动作，如 file（立案）", parents=[common])
    act.add_argument("case", metavar="CASE", help="案件编号或案号")
    act.add_argument("action", metavar="ACTION", help="动作代码，如 file、collect_evidence、notify")
    act.add_argument("--json-file", type=Path, required=True, metavar="FILE", help="办理人、日期与填写内容")
    show = case_sub.add_parser("show", help="查看案件、可办理的动作与期限", parents=[common])
    show.add_argument("case", metavar="CASE", help="案件编号或案号")
    show.add_argument("--today", type=_date, metavar="DATE", help="按该日判断（默认今天）")
    show.add_argument("--as", dest="actor", metavar="OFFICER", help="以该执法人员的身份判断（默认承办人）")
    verify = case_sub.add_parser("verify-log", help="核验案件全过程记录是否被篡改", parents=[common])
    verify.add_argument("case", metavar="CASE", help="案件编号或案号")
    history = case_sub.add_parser(
        "history", help="查看案件全过程记录（谁、何时、做了什么）", parents=[common]
    )
    history.add_argument("case", metavar="CASE", help="案件编号或案号")
    evidence = case_sub.add_parser(
        "evidence", help="证据：添加、列出、更正（行政处罚法第四十六条）", parents=[common]
    )
    evidence_sub = evidence.add_subparsers(
        dest="evidence_command", metavar="操作", required=True, parser_class=parser_class
    )
    add = evidence_sub.add_parser("add", help="添加证据（文件按内容哈希只存一份）", parents=[common])
    add.add_argument("case", metavar="CASE", help="案件编号或案号")
    add.add_argument(
        "--kind",
        required=True,
        metavar="K",
        help="证据种类：documentary、physical、audiovisual、electronic、witness、party_statement、"
        "expert_opinion、record（或中文名称，如 书证）",
    )
    add.add_argument("--title", required=True, metavar="T", help="证据名称")
    add.add_argument("--file", type=Path, metavar="F", help="证据文件（PDF、PNG、JPEG 编入电子卷宗）")
    add.add_argument("--description", default="", metavar="D", help="证据说明")
    add.add_argument("--source", default="", metavar="S", help="证据来源或提供人，如 当事人张某")
    when = add.add_mutually_exclusive_group()
    when.add_argument("--collected-on", type=_date, metavar="DATE", help="取证日期 YYYY-MM-DD（默认现在）")
    when.add_argument(
        "--collected-at", type=_datetime, metavar="TIME", help="取证时间 YYYY-MM-DDTHH:MM（默认现在）"
    )
    add.add_argument(
        "--collector",
        dest="collectors",
        action="append",
        default=[],
        metavar="OFFICER",
        help="取证的执法人员（可重复；默认 --as 的人员）",
    )
    add.add_argument("--as", dest="actor", required=True, metavar="OFFICER", help="登记证据的执法人员")
    listing = evidence_sub.add_parser("list", help="按取证顺序列出案件的证据", parents=[common])
    listing.add_argument("case", metavar="CASE", help="案件编号或案号")
    correct = evidence_sub.add_parser(
        "correct", help="更正或作废一份证据（原证据保留，写入全过程记录）", parents=[common]
    )
    correct.add_argument("case", metavar="CASE", help="案件编号或案号")
    correct.add_argument("evidence_id", metavar="EVIDENCE_ID", help="证据编号（evidence list 中的 id）")
    correct.add_argument("--reason", required=True, metavar="TEXT", help="更正或作废的理由")
    correct.add_argument("--void", action="store_true", help="作废（默认：更正）")
    correct.add_argument("--as", dest="actor", required=True, metavar="OFFICER", help="办理更正的执法人员")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD：{text}") from exc


def _datetime(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"时间应写成 YYYY-MM-DDTHH:MM：{text}") from exc


def _read_json(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise InvalidInput(f"无法读取文件：{path}（{exc.strerror}）") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"文件不是有效的 UTF-8 JSON：{path}（{exc}）") from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"文件内容应为一个 JSON 对象：{path}")
    return raw


def _text(view: CaseView) -> str:
    c = view.case
    lines = [
        f"{c.case_number or '（未立案，无案号）'}  {c.title}",
        f"{view.kind_label}，当前阶段：{view.stage_label}（{c.stage}），版本 {c.row_version}",
    ]
    for d in view.deadlines:
        lines.append(f"期限 {d.label}：{d.due.isoformat()}（{d.basis}）")
    for a in view.actions:
        lines.append(f"{'可办理' if a.enabled else '不可办理'}：{a.label}（{a.code}）")
        lines.extend(f"    {p.text}" for p in a.problems)
    return "\n".join(lines)


def cmd_new(core: Core, args: argparse.Namespace, out: Output) -> int:
    from workstation.services.cases import NewCaseSpec

    view = core.cases.new_case(NewCaseSpec.from_dict(_read_json(args.json_file))).value
    out.result({"case": view.as_dict()}, f"已登记案件 {view.case.id}\n" + _text(view))
    return 0


def cmd_act(core: Core, args: argparse.Namespace, out: Output) -> int:
    raw = _read_json(args.json_file)
    actor = raw.get("actor_id")
    if not isinstance(actor, str) or not actor:
        raise InvalidInput("请在 JSON 中填写办理人（actor_id）。")
    inputs = raw.get("inputs", {})
    if not isinstance(inputs, dict):
        raise InvalidInput("“inputs”应为对象。")
    today_text = raw.get("today")
    try:
        today = dt.date.fromisoformat(str(today_text)) if today_text else core.clock.today()
    except ValueError:
        raise InvalidInput(f"“today”应为日期（YYYY-MM-DD）：{today_text}") from None
    version = raw.get("row_version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput("“row_version”应为整数。")
    view = core.cases.act(args.case, args.action, inputs, actor, today, version).value
    out.result({"case": view.as_dict()}, f"已办理：{args.action}\n" + _text(view))
    return 0


def cmd_show(core: Core, args: argparse.Namespace, out: Output) -> int:
    view = core.cases.show(args.case, args.today or core.clock.today(), args.actor).value
    out.result({"case": view.as_dict()}, _text(view))
    return 0


def cmd_verify_log(core: Core, args: argparse.Namespace, out: Output) -> int:
    report = core.cases.verify_log(args.case).value
    data = {
        "case_id": report.case_id,
        "count": report.count,
        "head_hash": report.head_hash,
        "valid": report.ok,
        "problems": report.messages,
    }
    if not report.ok:
        if out.as_json:
            print(json.dumps({"ok": False, **data}, ensure_ascii=False))
        print(f"错误：{report.summary()}", file=sys.stderr)
        return 1
    out.result(data, report.summary())
    return 0


def cmd_history(core: Core, args: argparse.Namespace, out: Output) -> int:
    entries = core.case_record.timeline(args.case).value
    data = {
        "events": [
            {
                "seq": e.seq,
                "occurred_at": e.occurred_at.isoformat(),
                "actor": e.actor,
                "role": e.role,
                "action": e.action,
                "changes": list(e.changes),
                "warnings": list(e.warnings),
                "hash": e.hash,
            }
            for e in entries
        ]
    }
    lines = []
    for e in entries:
        lines.append(
            f"{e.seq}. {e.occurred_at.isoformat(timespec='minutes')}  {e.actor}（{e.role}）  {e.action}"
        )
        lines.extend(f"    {c}" for c in e.changes)
        lines.extend(f"    （提示）{w}" for w in e.warnings)
    out.result(data, "\n".join(lines) or "（无记录）")
    return 0


def _evidence_dict(item: EvidenceItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "case_id": item.case_id,
        "kind": item.kind,
        "kind_label": item.kind_label,
        "title": item.title,
        "description": item.description,
        "collected_on": item.collected_on.isoformat() if item.collected_on else None,
        "sha256": item.sha256 or None,
        "media_type": item.media_type or None,
        "original_name": item.original_name or None,
        "path": str(item.path) if item.path else None,
        "size": item.size if item.sha256 else None,
        "in_dossier": item.dossier_kind is not None,
        "source": item.source,
        "collected_at": item.collected_at.isoformat(timespec="minutes") if item.collected_at else None,
        "collectors": list(item.collectors),
        "status": item.correction.kind if item.correction else "valid",
        "status_label": item.status_label,
        "correction": (
            {
                "kind": item.correction.kind,
                "label": item.correction.label,
                "reason": item.correction.reason,
                "actor": item.correction.actor_name,
                "at": item.correction.at.isoformat(),
            }
            if item.correction
            else None
        ),
    }


def _evidence_text(i: int, item: EvidenceItem) -> str:
    when = item.collected_at.strftime("%Y-%m-%d %H:%M") if item.collected_at else "日期不详"
    line = f"{i}. [{item.id}] {when}  {item.title}（{item.kind_label}）"
    if item.correction:
        line += f"  【{item.correction.label}：{item.correction.reason}】"
    people = "、".join(item.collectors)
    if item.source or people:
        line += f"\n    来源：{item.source or '—'}  取证人：{people or '—'}"
    if item.sha256:
        bound = "" if item.dossier_kind else "，不编入电子卷宗"
        line += f"\n    {item.original_name}  {item.media_type}  sha256 {item.sha256}{bound}"
    if item.description:
        line += f"\n    {item.description}"
    return line


def cmd_evidence_add(core: Core, args: argparse.Namespace, out: Output) -> int:
    item = core.evidence.add(
        args.case,
        args.kind,
        args.title,
        args.file,
        args.actor,
        description=args.description,
        collected_on=args.collected_on,
        source=args.source,
        collected_at=args.collected_at,
        collectors=args.collectors or None,
    ).value
    out.result({"evidence": _evidence_dict(item)}, "已添加证据：\n" + _evidence_text(1, item))
    return 0


def cmd_evidence_correct(core: Core, args: argparse.Namespace, out: Output) -> int:
    item = core.evidence.correct(args.case, args.evidence_id, args.reason, args.actor, void=args.void).value
    label = item.correction.label if item.correction else "已更正"
    out.result({"evidence": _evidence_dict(item)}, f"证据{label}（原证据保留）：\n" + _evidence_text(1, item))
    return 0


def cmd_evidence_list(core: Core, args: argparse.Namespace, out: Output) -> int:
    items = core.evidence.list(args.case).value
    text = "\n".join(_evidence_text(i, item) for i, item in enumerate(items, 1)) or "（尚无证据）"
    out.result({"evidence": [_evidence_dict(item) for item in items]}, text)
    return 0


def cmd_evidence(core: Core, args: argparse.Namespace, out: Output) -> int:
    """``case evidence add|list|correct`` (cli.py keys commands by two words; the third is here)."""
    commands = {"add": cmd_evidence_add, "list": cmd_evidence_list, "correct": cmd_evidence_correct}
    command = commands[args.evidence_command]
    return command(core, args, out)


def _party_dict(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "kind": party.kind.value,
        "name": party.name,
        "id_number": party.id_number,
        "credit_code": party.credit_code,
        "legal_representative": party.legal_representative,
        "address": party.address,
    }


def _party_text(party: Party) -> str:
    return f"{party.id}  {party.name}（{party.kind.label}）{party.id_number or party.credit_code or ''}"


def cmd_party_add(core: Core, args: argparse.Namespace, out: Output) -> int:
    party = core.intake.add_party(_read_json(args.json_file)).value
    out.result({"party": _party_dict(party)}, "已登记当事人：" + _party_text(party))
    return 0


def cmd_party_find(core: Core, args: argparse.Namespace, out: Output) -> int:
    parties = core.intake.find_parties(args.text).value
    text = "\n".join(_party_text(p) for p in parties) or "未找到当事人。"
    out.result({"parties": [_party_dict(p) for p in parties]}, text)
    return 0


COMMANDS: dict[tuple[str, ...], Callable[[Core, argparse.Namespace, Output], int]] = {
    ("party", "add"): cmd_party_add,
    ("party", "find"): cmd_party_find,
    ("case", "history"): cmd_history,
    ("case", "new"): cmd_new,
    ("case", "act"): cmd_act,
    ("case", "show"): cmd_show,
    ("case", "verify-log"): cmd_verify_log,
    ("case", "evidence"): cmd_evidence,
}
