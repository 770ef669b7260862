"""``workstation login``, ``logout`` and ``sync …``: the central server (docs/CLI.md, docs/SYNC.md).

Tokens are kept only in the OS keyring; the server URL in the settings. ``sync tasks`` lists the
tasks and clues the server pushed, ``sync accept`` makes one into a case (sync/tasks.py).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workstation.domain.errors import InvalidInput, KnownError, NotFound

if TYPE_CHECKING:
    from workstation.app import Core
    from workstation.cli import Output
    from workstation.sync.engine import SyncReport
    from workstation.sync.tasks import SyncDesk

COMMAND_NAMES = ("login", "logout", "sync")


def add_parsers(
    sub: Any, common: argparse.ArgumentParser, parser_class: type, wanted: set[str] | None = None
) -> None:
    wanted = set(COMMAND_NAMES) if wanted is None else wanted
    if "login" in wanted:
        _add_login(sub, common)
    if "logout" in wanted:
        sub.add_parser("logout", help="退出登录并删除密钥环中的凭据", parents=[common])
    if "sync" in wanted:
        _add_sync(sub, common, parser_class)


def _add_login(sub: Any, common: argparse.ArgumentParser) -> None:
    login = sub.add_parser("login", help="登录省级中心服务器（凭据只保存在系统密钥环）", parents=[common])
    login.add_argument(
        "--server", required=True, metavar="URL", help="中心服务器地址，如 https://example.gov.cn"
    )
    login.add_argument("--username", metavar="U", help="用户名（不填则提示输入）")
    login.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")


def _add_sync(sub: Any, common: argparse.ArgumentParser, parser_class: type) -> None:
    sync = sub.add_parser("sync", help="与中心服务器同步（不带操作时立即同步一次）", parents=[common])
    sync_sub = sync.add_subparsers(
        dest="sync_command", metavar="操作", required=False, parser_class=parser_class
    )
    sync_sub.add_parser("status", help="待上传、被拒收（隔离）的数据和待处理的冲突", parents=[common])
    resolve = sync_sub.add_parser("resolve", help="处理一个冲突", parents=[common])
    resolve.add_argument("conflict_id", metavar="CONFLICT_ID", help="冲突编号（可只写前几位）")
    resolve.add_argument(
        "--take",
        required=True,
        metavar="local|remote|VALUE",
        help="采用本机值、服务器值，或给出新值（JSON 或文字）",
    )
    retry = sync_sub.add_parser("retry", help="把被拒收（隔离）的数据重新排队上传", parents=[common])
    retry.add_argument("op_id", nargs="?", metavar="OP_ID", help="操作编号（不填则全部）")
    sync_sub.add_parser("tasks", help="省平台推送的任务和线索（同步时下载）", parents=[common])
    accept = sync_sub.add_parser(
        "accept", help="将推送的任务或线索转为案件（线索登记）并报送受理", parents=[common]
    )
    accept.add_argument("task_id", metavar="TASK_ID", help="任务编号（可只写前几位）")
    accept.add_argument(
        "--as",
        dest="actor",
        metavar="OFFICER",
        help="承办的执法人员（编号或姓名；默认本机当前用户，其次为登录省平台的人员）",
    )


def _shown(value: Any) -> str:
    from workstation.domain.merge import MISSING

    if value is MISSING or value is None:
        return "（空）"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def cmd_login(core: Core, args: argparse.Namespace, out: Output) -> int:
    username = args.username
    if not username:
        sys.stderr.write("用户名：")
        sys.stderr.flush()
        username = sys.stdin.readline().strip()
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else getpass.getpass("密码：")
    if not username or not password:
        raise InvalidInput("用户名和密码都不能为空。", "请重新运行 workstation login。")
    tokens = core.sync.login(args.server, username, password)
    officer = tokens.officer
    name = officer.name if officer else username
    township = f"（{officer.township_name or officer.township_code}）" if officer else ""
    out.result(
        {
            "server": args.server.rstrip("/"),
            "officer": name,
            "township_code": officer.township_code if officer else None,
        },
        f"已登录 {args.server.rstrip('/')}：{name}{township}。凭据已保存在系统密钥环。",
    )
    return 0


def cmd_logout(core: Core, args: argparse.Namespace, out: Output) -> int:
    was = core.sync.logout()
    out.result(
        {"logged_out": was}, "已退出登录，密钥环中的凭据已删除。" if was else "本机没有登录中心服务器。"
    )
    return 0


def _report_text(report: SyncReport) -> str:
    text = (
        f"同步完成：上传 {report.pushed} 条（案件 {report.pushed_cases}，记录 {report.pushed_events}），"
        f"下载案件 {report.pulled} 件（记录 {report.pulled_events} 条），任务 {report.tasks} 个，"
        f"附件 {report.attachments} 个；新冲突 {report.conflicts} 个，被拒收 {report.quarantined} 条。"
    )
    if report.server_restored:
        text += f"\n中心服务器曾从备份恢复，已重新排队 {report.requeued} 条数据上传。"
    if report.conflicts or report.quarantined:
        text += "\n请运行 workstation sync status 查看需要处理的冲突和被拒收的数据。"
    for line in report.mismatches:
        text += f"\n核对：{line}"
    return text


def _attach_task_files(desk: SyncDesk, report: SyncReport) -> list[str]:
    """After a run: the files of accepted clues that are not on their case yet."""
    if report.offline or report.needs_login or report.upgrade_required:
        return []
    try:
        return desk.attach_pending()
    except KnownError as exc:
        return [f"线索材料未能附入案件：{exc.message}"]


def cmd_sync(core: Core, args: argparse.Namespace, out: Output) -> int:
    report = core.sync.run()
    attached = _attach_task_files(core.sync_desk(), report)
    data = {**report.as_dict(), "task_files": attached}
    text = "\n".join([_report_text(report), *attached])
    if report.ok:
        out.result(data, text)
        return 0
    shown = json.dumps({"ok": False, **data}, ensure_ascii=False) if out.as_json else text
    sys.stdout.write(shown + "\n")
    for error in report.errors:
        sys.stderr.write(f"错误：{error}\n")
    if report.needs_login:
        sys.stderr.write("请运行 workstation login 重新登录后再同步。\n")
    return 1


def _notices(core: Core) -> dict[str, list[dict[str, Any]]]:
    from workstation.persistence.reference_sync import ALARM_NOTICE, PUBLICATION_NOTICE, REFERENCE_NOTICE

    notices = core.sync_desk().notices()
    return {
        "anchor_alarms": [n.as_dict() for n in notices if n.kind == ALARM_NOTICE],
        "refused_publications": [n.as_dict() for n in notices if n.kind == PUBLICATION_NOTICE],
        "refused_reference": [n.as_dict() for n in notices if n.kind == REFERENCE_NOTICE],
    }


def _notice_lines(notices: dict[str, list[dict[str, Any]]]) -> list[str]:
    lines: list[str] = []
    alarms = notices["anchor_alarms"]
    if alarms:
        lines.append(f"【告警】全过程记录锚定不一致 {len(alarms)} 个（请立即报告管理员核查）：")
        lines += [f"  案件 {n['case_id']}：{n['reason']}" for n in alarms]
    if notices["refused_publications"]:
        lines.append(f"公示被中心服务器拒绝 {len(notices['refused_publications'])} 个：")
        lines += [
            f"  案件 {n['case_id']}（{n['detail']}）：{n['reason']}" for n in notices["refused_publications"]
        ]
    if notices["refused_reference"]:
        lines.append(f"未采用的参考数据 {len(notices['refused_reference'])} 项：")
        lines += [
            f"  {n['subject']}（第{n['version']}版）：{n['reason']}" for n in notices["refused_reference"]
        ]
    return lines


def cmd_status(core: Core, args: argparse.Namespace, out: Output) -> int:
    view = core.sync.status()
    notices = _notices(core)
    login = f"已登录：{view.officer_name or ''}" if view.logged_in else "未登录"
    lines = [
        f"中心服务器：{view.server_url or '未设置'}（{login}）",
        f"待上传：{view.pending_ops} 条（{view.pending_cases} 件案件），附件 {view.pending_attachments} 个；"
        f"已收到任务 {view.tasks} 个",
    ]
    if view.quarantined:
        lines.append(f"被拒收（隔离）{len(view.quarantined)} 条：")
        lines += [f"  {q['op_id']}  案件 {q['case_id']}：{q['reason']}" for q in view.quarantined]
    if view.conflicts:
        lines.append(f"冲突待处理 {len(view.conflicts)} 个：")
        lines += [
            f"  {c['id'][:8]}  {c['case_title'] or c['case_id']}  字段 {c['field']}："
            f"本机 {_shown(c['local'])}，服务器 {_shown(c['remote'])}"
            for c in view.conflicts
        ]
        lines.append("用 workstation sync resolve 冲突编号 --take local|remote|新值 处理。")
    lines += _notice_lines(notices)
    out.result({**view.as_dict(), **notices}, "\n".join(lines))
    return 0


def cmd_resolve(core: Core, args: argparse.Namespace, out: Output) -> int:
    resolved = core.sync.resolve(args.conflict_id, args.take)
    out.result(
        {"conflict": resolved},
        f"冲突已处理：字段 {resolved['field']} 采用 {_shown(resolved['value'])}"
        f"（{resolved['resolved_by']}），已记入全过程记录，下次同步时上传。",
    )
    return 0


def cmd_retry(core: Core, args: argparse.Namespace, out: Output) -> int:
    count = core.sync.retry(args.op_id)
    if args.op_id and count == 0:
        raise InvalidInput(
            f"没有找到被拒收的操作：{args.op_id}", "请用 workstation sync status 查看操作编号。"
        )
    out.result({"requeued": count}, f"已重新排队 {count} 条数据，下次同步时上传。")
    return 0


def cmd_tasks(core: Core, args: argparse.Namespace, out: Output) -> int:
    from workstation.sync.tasks import task_rows

    rows = task_rows(core.sync_desk().tasks())
    if not rows:
        out.result({"tasks": []}, "本机还没有省平台推送的任务（登录并同步后下载）。")
        return 0
    lines = [f"省平台推送任务 {len(rows)} 个："]
    for t in rows:
        where = f"  地点：{t['location']}" if t["location"] else ""
        due = f"  期限：{t['deadline']}" if t["deadline"] else ""
        case = f"  案件：{t['case_id']}" if t["case_id"] else ""
        pending = "（待报送）" if t["status"] != "open" and not t["acknowledged"] else ""
        lines.append(
            f"{t['id']}  [{t['kind_label']}] {t['title']}  {t['status_label']}{pending}{where}{due}{case}"
        )
    lines.append("用 workstation sync accept 任务编号 转为案件。")
    out.result({"tasks": rows}, "\n".join(lines))
    return 0


def _officer(core: Core, wanted: str | None) -> str | None:
    """The officer who takes the case: ``--as`` (id or name), else the officer at this desk
    (settings), else the logged-in officer if an officer of that name is here."""
    choices = [c.officer for c in core.intake.options().value.officers]
    if wanted:
        by_id = [o for o in choices if o.id == wanted]
        by_name = [o for o in choices if o.name == wanted]
        found = by_id or by_name
        if len(found) != 1:
            raise NotFound(
                f"没有找到执法人员：{wanted}" if not found else f"有多名执法人员名为“{wanted}”。",
                "请用执法人员编号指定（--as 编号）。",
            )
        return found[0].id
    current = core.settings_store.load().current_officer_id
    if current and any(o.id == current for o in choices):
        return current
    try:
        name = core.sync.status().officer_name
    except KnownError:  # e.g. the keyring is unavailable: no login to go by
        name = None
    named = [o for o in choices if name and o.name == name]
    return named[0].id if len(named) == 1 else None


def cmd_accept(core: Core, args: argparse.Namespace, out: Output) -> int:
    done = core.sync_desk().accept(args.task_id, _officer(core, args.actor))
    out.result(done.as_dict(), done.text)
    return 0


COMMANDS: dict[tuple[str, ...], Callable[[Core, argparse.Namespace, Output], int]] = {
    ("login",): cmd_login,
    ("logout",): cmd_logout,
    ("sync",): cmd_sync,
    ("sync", "status"): cmd_status,
    ("sync", "resolve"): cmd_resolve,
    ("sync", "retry"): cmd_retry,
    ("sync", "tasks"): cmd_tasks,
    ("sync", "accept"): cmd_accept,
}
