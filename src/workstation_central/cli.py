"""The ``workstation-central`` command: serve, seed, openapi, add-officer, and the classroom
commands cases, task add and tasks (docs/CENTRAL.md, "Classroom").

Exit codes: 0 ok; 1 a user-facing error (Chinese, on stderr; with ``--json`` also
``{"ok": false, "error": {"code", "message"}}`` on stdout); 2 usage.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workstation_central import __version__
from workstation_central.config import Settings, default_storage_dir, parse_version
from workstation_central.errors import ApiError
from workstation_central.store import Database, DatabaseUnavailable, SchemaTooNew

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2

if TYPE_CHECKING:
    from workstation_central.service import CentralService

DEFAULT_DB = "sqlite:///central.db"
ADMIN_TOKEN_ENV = "WORKSTATION_CENTRAL_ADMIN_TOKEN"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"用法错误：{message}\n")
        sys.exit(EXIT_USAGE)


class UserError(Exception):
    """A failure the operator can act on; its text is shown as it is, ``code`` in JSON."""

    def __init__(self, message: str, code: str = "invalid_input") -> None:
        super().__init__(message)
        self.code = code


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是数字：{text}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"应大于 0：{text}")
    return value


def _version(text: str) -> str:
    if parse_version(text) is None:
        raise argparse.ArgumentTypeError(f"版本号应为 X.Y.Z：{text}")
    return text


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是整数：{text}") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"应为 1 至 1000：{text}")
    return value


def build_parser() -> _Parser:
    parser = _Parser(prog="workstation-central", description="乡镇综合行政执法工作站 中心平台（参考实现）")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def db_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", default=DEFAULT_DB, metavar="URL", help=f"数据库地址（默认 {DEFAULT_DB}）")
        p.add_argument(
            "--storage", type=Path, metavar="DIR", help="附件存放目录（默认：数据库文件旁的 .files 目录）"
        )

    serve = sub.add_parser("serve", help="启动服务")
    db_options(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--admin-token", metavar="TOKEN", help=f"管理令牌（也可用环境变量 {ADMIN_TOKEN_ENV}）")
    serve.add_argument("--access-ttl", type=_positive, default=15 * 60, metavar="SECONDS")
    serve.add_argument("--refresh-ttl", type=_positive, default=30 * 24 * 3600, metavar="SECONDS")
    serve.add_argument("--max-chunk-bytes", type=int, default=Settings.max_chunk_bytes, metavar="N")
    serve.add_argument("--max-file-bytes", type=int, default=Settings.max_file_bytes, metavar="N")
    serve.add_argument("--min-client-version", type=_version, default=Settings.min_client_version)
    serve.add_argument("--max-client-version", type=_version, default=Settings.max_client_version)

    seed = sub.add_parser("seed", help="写入教学用乡镇、执法人员、基础数据和任务（可重复执行）")
    db_options(seed)
    seed.add_argument("--township", metavar="CODE", help="乡镇（辖区）代码，默认教学乡镇")
    seed.add_argument("--name", metavar="NAME", help="乡镇名称")

    openapi = sub.add_parser("openapi", help="输出接口的 OpenAPI 文档")
    openapi.add_argument("--out", type=Path, metavar="FILE", help="写入文件（默认输出到标准输出）")

    officer = sub.add_parser("add-officer", help="新增或修改执法人员账号")
    db_options(officer)
    officer.add_argument("--township", required=True, metavar="CODE")
    officer.add_argument("--username", required=True)
    officer.add_argument("--name", required=True, metavar="姓名")
    officer.add_argument("--password", help="密码（不给则提示输入）")
    _add_classroom(sub, db_options)
    return parser


def _add_classroom(sub: Any, db_options: Any) -> None:
    def listing(p: argparse.ArgumentParser, what: str) -> None:
        db_options(p)
        p.add_argument("--township", metavar="CODE", help="只列出该乡镇（辖区）的")
        p.add_argument(
            "--limit", type=_limit, default=50, metavar="N", help=f"最多列出 N 个{what}（默认 50）"
        )
        p.add_argument("--json", action="store_true", help="输出 JSON")

    cases = sub.add_parser("cases", help="列出服务器上的案件（最近更新的在前）")
    listing(cases, "案件")

    tasks = sub.add_parser("tasks", help="列出已推送的任务和线索及其处理状态")
    listing(tasks, "任务")

    task = sub.add_parser("task", help="推送任务或线索")
    task_sub = task.add_subparsers(dest="task_command", required=True)
    add = task_sub.add_parser("add", help="向乡镇推送一条任务或线索（证据文件作为附件随之下发）")
    db_options(add)
    add.add_argument("--township", required=True, metavar="CODE", help="接收的乡镇（辖区）代码")
    add.add_argument("--title", required=True, metavar="T", help="标题")
    add.add_argument("--kind", choices=("task", "clue"), default="task", help="task 任务（默认）或 clue 线索")
    add.add_argument("--description", default="", metavar="D", help="说明")
    add.add_argument("--location", default="", metavar="L", help="地点")
    add.add_argument("--deadline", metavar="YYYY-MM-DD", help="办理期限")
    add.add_argument("--source", default="", metavar="S", help="来源，如 非现场监测、县综合行政执法局")
    add.add_argument(
        "--evidence", type=Path, nargs="+", default=[], metavar="FILE", help="证据文件（可多个）"
    )
    add.add_argument("--json", action="store_true", help="输出 JSON")


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    storage = args.storage or default_storage_dir(args.db)
    return Settings(db_url=args.db, storage_dir=storage, **extra)


def _open(settings: Settings) -> Database:
    db = Database(settings.db_url)
    db.open(settings.clock())
    return db


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the app (docs/central-openapi.json is this, committed)."""
    from workstation_central.app import create_app

    with tempfile.TemporaryDirectory() as temp:
        settings = Settings(db_url=f"sqlite:///{Path(temp) / 'openapi.db'}", storage_dir=Path(temp) / "files")
        db = _open(settings)
        try:
            return create_app(settings, db).openapi()
        finally:
            db.dispose()


def openapi_text() -> str:
    return json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n"


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from workstation_central.app import create_app

    settings = _settings(
        args,
        admin_token=args.admin_token or os.environ.get(ADMIN_TOKEN_ENV) or None,
        access_ttl=args.access_ttl,
        refresh_ttl=args.refresh_ttl,
        max_chunk_bytes=args.max_chunk_bytes,
        max_file_bytes=args.max_file_bytes,
        min_client_version=args.min_client_version,
        max_client_version=args.max_client_version,
    )
    app = create_app(settings, _open(settings))
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return EXIT_OK


def _cmd_seed(args: argparse.Namespace) -> int:
    from workstation_central.seed import CLASSROOM_TOWNSHIP, seed
    from workstation_central.service import CentralService

    settings = _settings(args)
    db = _open(settings)
    try:
        result = seed(CentralService(db, settings), args.township or CLASSROOM_TOWNSHIP, args.name)
    finally:
        db.dispose()
    sys.stdout.write(f"已准备教学乡镇 {result.name}（{result.code}）\n")
    for officer in result.officers:
        sys.stdout.write(f"  执法人员 {officer.name}：用户名 {officer.username}，密码 {officer.password}\n")
    sys.stdout.write(f"  推送任务 {len(result.task_ids)} 条\n")
    return EXIT_OK


def _cmd_openapi(args: argparse.Namespace) -> int:
    text = openapi_text()
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"无法写入 {args.out}：{exc.strerror}") from exc
    return EXIT_OK


def _cmd_add_officer(args: argparse.Namespace) -> int:
    from workstation_central.schemas import OfficerIn
    from workstation_central.service import CentralService

    password = args.password or getpass.getpass("密码：")
    if len(password) < 8:
        raise UserError("密码至少 8 个字符")
    settings = _settings(args)
    db = _open(settings)
    try:
        out = CentralService(db, settings).put_officer(
            args.username, OfficerIn(name=args.name, township_code=args.township, password=password)
        )
    finally:
        db.dispose()
    sys.stdout.write(f"已保存执法人员 {out['name']}（{out['username']}，{out['township_name']}）\n")
    return EXIT_OK


def _print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps({"ok": True, **data}, ensure_ascii=False) + "\n")


def _service(args: argparse.Namespace) -> tuple[Database, CentralService]:
    """The database and service of ``--db`` (the caller disposes of the database)."""
    from workstation_central.service import CentralService

    settings = _settings(args)
    db = _open(settings)
    try:
        return db, CentralService(db, settings)
    except OSError as exc:
        db.dispose()
        raise UserError(f"无法使用附件目录 {settings.storage_dir}：{exc.strerror or exc}") from exc


def _listing(
    args: argparse.Namespace, listing: Callable[[CentralService, str | None, int], dict[str, Any]]
) -> dict[str, Any]:
    """``listing`` (classroom.list_cases or list_tasks) over the database of ``args``."""
    from workstation_central.classroom import ClassroomError

    db, service = _service(args)
    try:
        return listing(service, args.township, args.limit)
    except ClassroomError as exc:
        raise UserError(exc.message, exc.code) from exc
    finally:
        db.dispose()


def _cmd_cases(args: argparse.Namespace) -> int:
    from workstation_central.classroom import list_cases

    result = _listing(args, list_cases)
    if args.json:
        _print_json(result)
        return EXIT_OK
    cases = result["cases"]
    if not cases:
        where = f"乡镇（辖区）{args.township}" if args.township else "服务器上"
        sys.stdout.write(f"{where}还没有案件。\n")
        return EXIT_OK
    shown = f"（显示最近的 {len(cases)} 件）" if len(cases) < result["total"] else ""
    sys.stdout.write(f"服务器上共有案件 {result['total']} 件{shown}：\n")
    for case in cases:
        lock = "，已锁定" if case["locked"] else ""
        who = f"，{case['updated_by']}" if case["updated_by"] else ""
        sys.stdout.write(
            f"  {case['case_id']}  {case['case_number'] or '（尚无案号）'}  {case['title'] or '（无案由）'}\n"
            f"      {case['township_name']}（{case['township_code']}），第 {case['version']} 版，"
            f"全过程记录 {case['events']} 条，{case['review_status_label']}{lock}；"
            f"最后更新 {case['updated_at']}{who}\n"
        )
    return EXIT_OK


def _cmd_tasks(args: argparse.Namespace) -> int:
    from workstation_central.classroom import list_tasks

    result = _listing(args, list_tasks)
    if args.json:
        _print_json(result)
        return EXIT_OK
    tasks = result["tasks"]
    if not tasks:
        where = f"向乡镇（辖区）{args.township}" if args.township else ""
        sys.stdout.write(f"还没有{where}推送过任务或线索。\n")
        return EXIT_OK
    shown = f"（显示最近的 {len(tasks)} 条）" if len(tasks) < result["total"] else ""
    sys.stdout.write(f"已推送任务和线索 {result['total']} 条{shown}：\n")
    for task in tasks:
        deadline = f"，期限 {task['deadline']}" if task["deadline"] else ""
        files = f"，证据 {len(task['evidence'])} 个" if task["evidence"] else ""
        case = f"，案件 {task['case_id']}" if task["case_id"] else ""
        who = f"（{task['acked_by']}）" if task["acked_by"] else ""
        sys.stdout.write(
            f"  {task['id']}  [{task['kind_label']}] {task['title']}\n"
            f"      {task['township_name']}（{task['township_code']}）{deadline}{files}；"
            f"{task['status_label']}{who}{case}\n"
        )
    return EXIT_OK


def _cmd_task(args: argparse.Namespace) -> int:
    from workstation_central.classroom import ClassroomError, parse_deadline, push_task, read_evidence

    try:
        deadline = parse_deadline(args.deadline)
    except ClassroomError as exc:
        raise UserError(exc.message, exc.code) from exc
    db, service = _service(args)
    try:
        evidence = read_evidence(args.evidence, service.settings.max_file_bytes)
        result = push_task(
            service,
            township_code=args.township,
            title=args.title,
            kind=args.kind,
            description=args.description,
            location=args.location,
            deadline=deadline,
            source=args.source,
            evidence=evidence,
        )
    except ClassroomError as exc:
        raise UserError(exc.message, exc.code) from exc
    finally:
        db.dispose()
    if args.json:
        _print_json(result)
        return EXIT_OK
    task = result["task"]
    kind = "线索" if task["kind"] == "clue" else "任务"
    sys.stdout.write(
        f"已向 {result['township_name']}（{task['township_code']}）推送{kind}：{task['title']}\n"
    )
    for item in result["evidence"]:
        sys.stdout.write(f"  证据 {item['filename']}（{item['size']} 字节，SHA-256 {item['sha256']}）\n")
    sys.stdout.write(f"任务编号：{task['id']}\n")
    return EXIT_OK


_COMMANDS = {
    "serve": _cmd_serve,
    "seed": _cmd_seed,
    "openapi": _cmd_openapi,
    "add-officer": _cmd_add_officer,
    "cases": _cmd_cases,
    "tasks": _cmd_tasks,
    "task": _cmd_task,
}


def _fail(args: argparse.Namespace, code: str, message: str) -> int:
    sys.stderr.write(f"错误：{message}\n")
    if getattr(args, "json", False):
        error = {"code": code, "message": message}
        sys.stdout.write(json.dumps({"ok": False, "error": error}, ensure_ascii=False) + "\n")
    return EXIT_USER_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return _COMMANDS[args.command](args)
    except UserError as exc:
        return _fail(args, exc.code, str(exc))
    except SchemaTooNew as exc:
        return _fail(args, "database_too_new", str(exc))
    except DatabaseUnavailable as exc:
        return _fail(args, "database_unavailable", str(exc))
    except ApiError as exc:
        return _fail(args, exc.code, exc.message)
    except ModuleNotFoundError as exc:
        if exc.name not in ("fastapi", "uvicorn", "pydantic", "starlette"):
            raise
        sys.stderr.write(
            f"错误：缺少中心服务所需的组件 {exc.name}。\n"
            "请安装服务端依赖后重试：pip install 'workstation[central]'\n"
        )
    return EXIT_USER_ERROR
