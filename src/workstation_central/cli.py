"""The ``workstation-central`` command: serve, seed, openapi, add-officer.

Exit codes: 0 ok; 1 a user-facing error (Chinese, on stderr); 2 usage.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workstation_central import __version__
from workstation_central.config import Settings, default_storage_dir, parse_version
from workstation_central.errors import ApiError
from workstation_central.store import Database, DatabaseUnavailable, SchemaTooNew

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2

DEFAULT_DB = "sqlite:///central.db"
ADMIN_TOKEN_ENV = "WORKSTATION_CENTRAL_ADMIN_TOKEN"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"用法错误：{message}\n")
        sys.exit(EXIT_USAGE)


class UserError(Exception):
    """A failure the operator can act on; its text is shown as it is."""


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
    return parser


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


_COMMANDS = {"serve": _cmd_serve, "seed": _cmd_seed, "openapi": _cmd_openapi, "add-officer": _cmd_add_officer}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return _COMMANDS[args.command](args)
    except (UserError, SchemaTooNew, DatabaseUnavailable) as exc:
        sys.stderr.write(f"错误：{exc}\n")
    except ApiError as exc:
        sys.stderr.write(f"错误：{exc.message}\n")
    except ModuleNotFoundError as exc:
        if exc.name not in ("fastapi", "uvicorn", "pydantic", "starlette"):
            raise
        sys.stderr.write(
            f"错误：缺少中心服务所需的组件 {exc.name}。\n"
            "请安装服务端依赖后重试：pip install 'workstation[central]'\n"
        )
    return EXIT_USER_ERROR
