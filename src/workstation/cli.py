"""The ``workstation`` command: the GUI with no arguments, headless commands otherwise.

Exit codes: 0 ok; 1 a user-facing error (Chinese, on stderr); 2 usage;
70 an internal error (a bug: traceback on stderr and in the log).
``--json`` prints one JSON object on stdout (docs/CLI.md lists the fields).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from workstation import __version__
from workstation.domain.errors import KnownError

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_BUG = 70


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        print(f"用法错误：{message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _common(defaults: bool) -> _Parser:
    """Options accepted before or after a subcommand."""
    p = _Parser(add_help=False)
    kw: dict[str, Any] = {} if defaults else {"default": argparse.SUPPRESS}
    p.add_argument("--data-dir", metavar="DIR", help="数据目录（默认：系统用户数据目录）", **kw)
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果", **kw)
    return p


#: Commands whose parsers import larger parts of the domain: built only when asked for.
_HEAVY_COMMANDS = {
    "laws": "法规库：导入、检索、查看、引用核对",
    "calendar": "期限计算（工作日、调休）",
    "case": "案件：立案、办理流程动作、查看、全过程记录",
    "party": "当事人：登记、查找",
    "items": "执法事项与裁量基准：导入、导出、列出、查看",
    "discretion": "裁量计算：档次、幅度、程序与偏离预警",
    "docs": "执法文书：列出、出具（编号、二维码）、核验",
    "dossier": "电子卷宗：案件全部文书合并为一个 PDF",
    "login": "登录省级中心服务器",
    "logout": "退出中心服务器登录",
    "sync": "与中心服务器同步；查看状态、处理冲突、重试",
}


def _wanted_commands(argv: Sequence[str] | None) -> set[str]:
    """The heavy commands this command line may need (all of them when help is asked for)."""
    words = list(sys.argv[1:] if argv is None else argv)
    if any(w in ("-h", "--help") for w in words):
        return set(_HEAVY_COMMANDS)
    return {w for w in words if w in _HEAVY_COMMANDS}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; ``argv`` lets it skip importing what this command line cannot need
    (starting the GUI must not pay for the statute and calendar commands)."""
    parser = _Parser(
        prog="workstation",
        description="综合行政执法工作站。不带参数时启动图形界面。",
        parents=[_common(True)],
    )
    parser.add_argument("--version", action="version", version=f"workstation {__version__}")
    parser.add_argument("--screenshot-tour", metavar="DIR", type=Path, help="依次截取各页面截图后退出")
    parser.add_argument("--exit-when-shown", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    common = _common(False)

    db = sub.add_parser("db", help="数据库维护", parents=[common])
    db_sub = db.add_subparsers(dest="db_command", metavar="操作", required=True, parser_class=_Parser)
    db_sub.add_parser("upgrade", help="备份并升级数据库结构", parents=[common])
    db_sub.add_parser("check", help="报告结构版本与完整性", parents=[common])
    backup = db_sub.add_parser("backup", help="立即备份数据库", parents=[common])
    backup.add_argument("--out", type=Path, metavar="FILE", help="备份文件路径（默认：数据目录 backups/）")
    restore = db_sub.add_parser("restore", help="从备份恢复（当前数据库移到一旁保存）", parents=[common])
    restore.add_argument("backup_file", type=Path, metavar="BACKUP")

    sub.add_parser("self-test", help="无界面自检：迁移临时数据库并在后台构建主窗口", parents=[common])

    demo = sub.add_parser("demo", help="示例数据", parents=[common])
    demo_sub = demo.add_subparsers(dest="demo_command", metavar="操作", required=True, parser_class=_Parser)
    demo_sub.add_parser("seed", help="载入示例乡镇（可重复运行）", parents=[common])

    wanted = _wanted_commands(argv)
    if "laws" in wanted:
        from workstation import cli_laws

        cli_laws.add_parsers(sub, common, _Parser)
    if "calendar" in wanted:
        from workstation import cli_calendar

        cli_calendar.add_parsers(sub, common, _Parser)
    if wanted & {"case", "party"}:
        from workstation import cli_cases

        cli_cases.add_parsers(sub, common, _Parser, wanted)
    if wanted & {"items", "discretion"}:
        from workstation import cli_discretion

        cli_discretion.add_parsers(sub, common, _Parser, wanted)
    if wanted & {"docs", "dossier"}:
        from workstation import cli_documents

        cli_documents.add_parsers(sub, common, _Parser, wanted)
    if wanted & {"login", "logout", "sync"}:
        from workstation import cli_sync

        cli_sync.add_parsers(sub, common, _Parser, wanted)
    for name, help_text in _HEAVY_COMMANDS.items():
        if name not in wanted:
            sub.add_parser(name, help=help_text, parents=[common])
    return parser


# ------------------------------------------------------------------ output


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def result(self, data: dict[str, Any], text: str) -> None:
        if self.as_json:
            print(json.dumps({"ok": True, **data}, ensure_ascii=False, default=str))
        else:
            print(text)

    def progress(self, text: str) -> None:
        if not self.as_json:
            print(text, file=sys.stderr)

    def error(self, exc: KnownError) -> None:
        if self.as_json:
            print(json.dumps({"ok": False, "error": exc.as_dict()}, ensure_ascii=False))
        print(f"错误：{exc.user_text()}", file=sys.stderr)


# ---------------------------------------------------------------- commands


def _core(args: argparse.Namespace) -> Any:
    from workstation.app import build_core
    from workstation.paths import prepare_data_dir, resolve_data_dir

    return build_core(prepare_data_dir(resolve_data_dir(args.data_dir)))


def _locked(args: argparse.Namespace) -> Any:
    from workstation.instance import InstanceLock
    from workstation.paths import prepare_data_dir, resolve_data_dir

    paths = prepare_data_dir(resolve_data_dir(args.data_dir))
    lock = InstanceLock(paths.lock_file, paths.root)
    lock.acquire()
    return paths, lock


def cmd_db_check(args: argparse.Namespace, out: Output) -> int:
    core = _core(args)
    try:
        health = core.database.check()
    finally:
        core.close()
    status = "ok" if health.ok else "problem"
    data = {
        "database": str(health.path),
        "revision": health.revision,
        "head": health.head,
        "integrity": "ok" if health.integrity == ("ok",) else list(health.integrity),
        "status": status,
        "journal_mode": health.journal_mode,
        "foreign_keys": health.foreign_keys,
        "size_bytes": health.size_bytes,
    }
    text = (
        f"数据库：{health.path}\n结构版本：{health.revision}（程序需要 {health.head}）\n"
        f"完整性：{'正常' if health.integrity == ('ok',) else '；'.join(health.integrity[:5])}\n"
        f"日志模式：{health.journal_mode}"
    )
    if not health.ok:
        if out.as_json:
            print(json.dumps({"ok": False, **data}, ensure_ascii=False))
        print(text, file=sys.stderr)
        print("错误：数据库检查未通过。请先备份当前文件，再从 backups 中的备份恢复。", file=sys.stderr)
        return EXIT_USER_ERROR
    out.result(data, text)
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace, out: Output) -> int:
    from workstation.app import build_core

    paths, lock = _locked(args)
    try:
        core = build_core(paths)
        core.close()
    finally:
        lock.release()
    report = core.open_report
    data = {
        "database": str(report.path),
        "revision_before": report.revision_before,
        "revision": report.revision,
        "backup": str(report.backup) if report.backup else None,
        "created": report.created,
    }
    if report.revision_before == report.revision:
        text = f"数据库已是最新结构（{report.revision}），无需升级。"
    else:
        text = f"数据库已从 {report.revision_before or '空'} 升级到 {report.revision}。"
        if report.backup:
            text += f"\n升级前备份：{report.backup}"
    out.result(data, text)
    return EXIT_OK


def cmd_db_backup(args: argparse.Namespace, out: Output) -> int:
    core = _core(args)
    try:
        dest = core.maintenance.backup(args.out.resolve() if args.out else None).value
    finally:
        core.close()
    out.result({"backup": str(dest)}, f"已备份到：{dest}")
    return EXIT_OK


def cmd_db_restore(args: argparse.Namespace, out: Output) -> int:
    from workstation.app import build_core
    from workstation.persistence.database import Database

    paths, lock = _locked(args)
    try:
        moved = Database(paths).restore(args.backup_file)
        core = build_core(paths)
        core.close()
    finally:
        lock.release()
    data = {
        "restored_from": str(args.backup_file.resolve()),
        "previous_moved_to": str(moved) if moved != paths.database else None,
        "revision": core.open_report.revision,
    }
    text = f"已从备份恢复：{args.backup_file}"
    if data["previous_moved_to"]:
        text += f"\n原数据库已移至：{moved}（未删除）"
    out.result(data, text)
    return EXIT_OK


def cmd_self_test(args: argparse.Namespace, out: Output) -> int:
    from workstation.app import self_test

    lines: list[str] = []
    ok = self_test(lines)
    if out.as_json:
        print(json.dumps({"ok": ok, "checks": lines}, ensure_ascii=False))
    else:
        print("\n".join(lines))
    if not ok:
        print("错误：自检未通过，见上面标为“失败”的项目。", file=sys.stderr)
        return EXIT_USER_ERROR
    return EXIT_OK


def cmd_demo_seed(args: argparse.Namespace, out: Output) -> int:
    core = _core(args)
    try:
        report = core.office.seed_demo(with_cases=True).value
    finally:
        core.close()
    text = (
        f"示例乡镇已就绪：{report.agency}；执法人员 {report.officers} 名，当事人 {report.parties} 个，"
        f"执法事项 {report.items} 项，新增示例案件 {report.cases} 件（本次新增或更新 {report.changed} 条）。"
    )
    out.result(report.as_dict(), text)
    return EXIT_OK


COMMANDS: dict[tuple[str, ...], Callable[[argparse.Namespace, Output], int]] = {
    ("db", "check"): cmd_db_check,
    ("db", "upgrade"): cmd_db_upgrade,
    ("db", "backup"): cmd_db_backup,
    ("db", "restore"): cmd_db_restore,
    ("self-test",): cmd_self_test,
    ("demo", "seed"): cmd_demo_seed,
}


def _with_core(args: argparse.Namespace, out: Output, key: tuple[str, ...]) -> int:
    from workstation import cli_laws

    core = _core(args)
    try:
        return cli_laws.COMMANDS[key](core, args, out)
    finally:
        core.close()


def _with_core_discretion(args: argparse.Namespace, out: Output, key: tuple[str, ...]) -> int:
    from workstation import cli_discretion

    core = _core(args)
    try:
        return cli_discretion.COMMANDS[key](core, args, out)
    finally:
        core.close()


def _with_core_cases(args: argparse.Namespace, out: Output, key: tuple[str, ...]) -> int:
    from workstation import cli_cases

    core = _core(args)
    try:
        return cli_cases.COMMANDS[key](core, args, out)
    finally:
        core.close()


def _with_core_documents(args: argparse.Namespace, out: Output, key: tuple[str, ...]) -> int:
    from workstation import cli_documents

    core = _core(args)
    try:
        return cli_documents.COMMANDS[key](core, args, out)
    finally:
        core.close()


def _with_core_commands(
    args: argparse.Namespace, out: Output, command: Callable[[Any, argparse.Namespace, Output], int]
) -> int:
    core = _core(args)
    try:
        return command(core, args, out)
    finally:
        core.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser(argv).parse_args(argv)
    out = Output(bool(args.json))
    if args.command is None:
        from workstation.app import GuiOptions, run_gui

        return run_gui(
            GuiOptions(
                data_dir=args.data_dir,
                screenshot_tour=args.screenshot_tour,
                exit_when_shown=args.exit_when_shown,
            )
        )
    key = tuple(
        part
        for part in (
            args.command,
            getattr(args, "db_command", None),
            getattr(args, "demo_command", None),
            getattr(args, "laws_command", None),
            getattr(args, "calendar_command", None),
            getattr(args, "case_command", None),
            getattr(args, "party_command", None),
            getattr(args, "items_command", None),
            getattr(args, "discretion_command", None),
            getattr(args, "docs_command", None),
            getattr(args, "sync_command", None),
        )
        if part
    )
    from workstation.logs import setup_logging

    logs = setup_logging(None)
    try:
        if key[0] == "laws":
            return _with_core(args, out, key)
        if key[0] in ("case", "party"):
            return _with_core_cases(args, out, key)
        if key[0] in ("items", "discretion"):
            return _with_core_discretion(args, out, key)
        if key[0] in ("docs", "dossier"):
            return _with_core_documents(args, out, key)
        if key[0] in ("login", "logout", "sync"):
            from workstation import cli_sync

            return _with_core_commands(args, out, cli_sync.COMMANDS[key])
        if key == ("calendar", "add"):
            from workstation import cli_calendar

            return _with_core_commands(args, out, cli_calendar.cmd_add)
        return COMMANDS[key](args, out)
    except KnownError as exc:
        out.error(exc)
        return EXIT_USER_ERROR
    except Exception:  # noqa: BLE001 - a bug: report it and exit with its own code
        traceback.print_exc()
        print("错误：程序内部错误（见上方错误信息），请联系技术支持。", file=sys.stderr)
        return EXIT_BUG
    finally:
        logs.close()
