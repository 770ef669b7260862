"""``workstation calendar add DATE N --working|--calendar``: deadlines on the State Council calendar."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from workstation.domain.deadlines import Deadline, add_calendar_days, add_working_days
from workstation.domain.errors import InvalidInput

if TYPE_CHECKING:
    from workstation.cli import Output


def add_parsers(sub: Any, common: argparse.ArgumentParser, parser_class: type) -> None:
    calendar = sub.add_parser("calendar", help="期限计算（工作日、调休）", parents=[common])
    cal_sub = calendar.add_subparsers(
        dest="calendar_command", metavar="操作", required=True, parser_class=parser_class
    )
    add = cal_sub.add_parser("add", help="从某日起算 N 日的期限（起算日不计）", parents=[common])
    add.add_argument("start", metavar="DATE", help="起算日，YYYY-MM-DD")
    add.add_argument("days", type=int, metavar="N", help="天数")
    unit = add.add_mutually_exclusive_group(required=True)
    unit.add_argument("--working", action="store_true", help="按工作日（《行政处罚法》第八十五条）")
    unit.add_argument("--calendar", action="store_true", help="按自然日（末日遇节假日顺延）")
    add.add_argument("--strict", action="store_true", help="日期超出节假日数据时报错，而不是按周末推算")


def deadline_json(deadline: Deadline) -> dict[str, Any]:
    return {
        "start": deadline.start.isoformat(),
        "days": deadline.days,
        "unit": deadline.unit.value,
        "due": deadline.due.isoformat(),
        "due_text": deadline.due_text,
        "moved_from": deadline.moved_from.isoformat() if deadline.moved_from else None,
        "basis": deadline.basis,
        "explanation": deadline.explanation,
        "uncertain": deadline.uncertain,
        "warnings": list(deadline.warnings),
    }


def cmd_add(core: Any, args: argparse.Namespace, out: Output) -> int:
    """The deadline on this installation's calendar: the bundled holiday table with each complete
    year the central server sent (``Core.deadline_calendar``), as cases use it."""
    try:
        start = dt.date.fromisoformat(args.start)
    except ValueError as exc:
        raise InvalidInput(f"日期格式不对：{args.start}", "请写成 YYYY-MM-DD，如 2025-09-30。") from exc
    calendar = core.deadline_calendar()
    compute = add_working_days if args.working else add_calendar_days
    deadline = compute(start, args.days, calendar, strict=args.strict)
    lines = [f"期限：{deadline.due_text}", deadline.explanation, f"依据：{deadline.basis}"]
    lines.extend(f"注意：{w}" for w in deadline.warnings)
    out.result(deadline_json(deadline), "\n".join(lines))
    return 0
