"""``workstation sync tasks``, ``sync accept`` and the notices of ``sync status`` as real
processes: the real reference server under uvicorn, a real data directory, tokens in a real
Secret Service (gnome-keyring on a private D-Bus session, the fixture of test_cli_sync.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.central.server import CentralServer
from tests.e2e.test_cli_sync import cli, login, ok_json, secret_service, seed
from workstation.app import build_core
from workstation.paths import prepare_data_dir
from workstation.persistence.reference_sync import SqlReferenceSync

__all__ = ["secret_service"]  # the module-scoped fixture, shared

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(tmp_path / "central") as running:
        yield running


def server_task(server: CentralServer, task_id: str) -> dict[str, Any]:
    with server.client() as http:
        items = http.get("/v1/tasks", params={"limit": 500}).json()["items"]
    return next(t for t in items if t["id"] == task_id)


def test_a_pushed_clue_is_listed_and_accepted_into_a_case_with_its_files(
    secret_service: dict[str, str], server: CentralServer, tmp_path: Path
) -> None:
    env = secret_service
    data = tmp_path / "a"
    seed(data)
    empty = cli(env, data, "sync", "tasks")
    assert empty.returncode == 0 and "还没有省平台推送的任务" in empty.stdout
    login(env, data, server)
    assert cli(env, data, "sync", "--json").returncode in (0, 1)  # the tasks arrive either way
    clue_id, task_id = server.township.task_ids

    listed = ok_json(cli(env, data, "sync", "tasks", "--json"))["tasks"]
    clue = next(t for t in listed if t["id"] == clue_id)
    assert (clue["kind"], clue["status"], clue["case_id"], clue["files"]) == ("clue", "open", None, 1)
    assert clue["title"] == "人民路 12 号门前占道经营" and "人民路 12 号" in clue["location"]
    assert {"deadline", "status_label", "acknowledged"} <= clue.keys()
    text = cli(env, data, "sync", "tasks")
    assert clue_id in text.stdout and "待处理" in text.stdout

    accepted = ok_json(cli(env, data, "sync", "accept", clue_id, "--as", LEAD, "--json"))
    assert accepted["created"] and accepted["acknowledged"]
    assert (accepted["files_total"], accepted["files_attached"], accepted["files_missing"]) == (1, 1, [])
    case_id = accepted["case_id"]

    shown = ok_json(cli(env, data, "case", "show", case_id, "--json"))["case"]
    assert shown["stage"] == "clue" and shown["source"] == "off_site"
    assert "店外摆摊占用人行道" in shown["data"]["brief_facts"]
    [item] = ok_json(cli(env, data, "case", "evidence", "list", case_id, "--json"))["evidence"]
    assert item["sha256"] == server.township.evidence_sha256 and item["kind"] == "electronic"
    assert hashlib.sha256(Path(item["path"]).read_bytes()).hexdigest() == server.township.evidence_sha256

    on_server = server_task(server, clue_id)
    assert on_server["status"] == "accepted" and on_server["case_id"] == case_id

    # twice: the same case
    again = cli(env, data, "sync", "accept", clue_id[:8])
    assert again.returncode == 0 and case_id in again.stdout and "未重复立案" in again.stdout
    listed = ok_json(cli(env, data, "sync", "tasks", "--json"))["tasks"]
    clue = next(t for t in listed if t["id"] == clue_id)
    assert (clue["status"], clue["status_label"], clue["case_id"], clue["acknowledged"]) == (
        "accepted",
        "已受理",
        case_id,
        True,
    )
    core = build_core(prepare_data_dir(data))
    try:
        data_of_case = core.cases.show(case_id, core.clock.today()).value.case.data
        assert data_of_case["source_task_id"] == clue_id
        linked = [link.case_id for link in SqlReferenceSync(core.database.engine).task_links()]
        assert linked == [case_id]
    finally:
        core.close()

    # not logged in: the case is made here and the next sync sends the acknowledgement
    assert cli(env, data, "logout").returncode == 0
    offline = ok_json(cli(env, data, "sync", "accept", task_id, "--as", "林建华（示例）", "--json"))
    assert offline["created"] and not offline["acknowledged"]
    assert "尚未登录中心服务器" in offline["notes"][0] and "下次同步时报送" in offline["notes"][0]
    assert server_task(server, task_id)["status"] == "open"
    login(env, data, server)
    report = json.loads(cli(env, data, "sync", "--json").stdout)
    assert report["tasks_acked"] == 1
    on_server = server_task(server, task_id)
    assert on_server["status"] == "accepted" and on_server["case_id"] == offline["case_id"]


def test_accept_refuses_in_chinese(
    secret_service: dict[str, str], server: CentralServer, tmp_path: Path
) -> None:
    env = secret_service
    data = tmp_path / "a"
    seed(data)
    login(env, data, server)
    cli(env, data, "sync")

    unknown = cli(env, data, "sync", "accept", "no-such-task", "--json")
    assert unknown.returncode == 1
    assert json.loads(unknown.stdout)["error"]["code"] == "not_found"
    assert "本机没有编号为 no-such-task 的推送任务" in unknown.stderr

    clue_id = server.township.task_ids[0]
    stranger = cli(env, data, "sync", "accept", clue_id, "--as", "无此人")
    assert stranger.returncode == 1 and "没有找到执法人员：无此人" in stranger.stderr
    usage = cli(env, data, "sync", "accept")
    assert usage.returncode == 2 and "用法错误" in usage.stderr

    # no officer chosen at this desk and nobody logged in: it says what to do
    assert cli(env, data, "logout").returncode == 0
    nobody = cli(env, data, "sync", "accept", clue_id)
    assert nobody.returncode == 1 and "尚未选择当前用户" in nobody.stderr and "--as" in nobody.stderr
    assert server_task(server, clue_id)["status"] == "open"

    # logged in, the officer of the login (an officer of this office since the reference sync) takes it
    login(env, data, server)
    case_id = ok_json(cli(env, data, "sync", "accept", clue_id, "--json"))["case_id"]
    core = build_core(prepare_data_dir(data))
    try:
        names = {c.officer.id: c.officer.name for c in core.intake.options().value.officers}
        officers = core.cases.show(case_id, core.clock.today()).value.case.officer_ids
        assert [names[o] for o in officers] == [server.officer.name]
    finally:
        core.close()


def test_status_lists_alarms_and_refusals_with_their_reasons(
    secret_service: dict[str, str], server: CentralServer, tmp_path: Path
) -> None:
    env = secret_service
    data = tmp_path / "a"
    seed(data)
    login(env, data, server)
    # the province sends a statute pack and a 裁量基准 file that are not in their formats
    with server.admin() as http:
        for kind, item_id, payload in (
            ("statutes", "statutes:bad", {"laws": [{"title": "某某条例"}]}),
            ("benchmarks", "benchmarks:bad", {"format": "spreadsheet"}),
        ):
            response = http.put(
                f"/v1/admin/reference/{kind}/{item_id}", json={"township_code": None, "payload": payload}
            )
            assert response.status_code == 200, response.text
    refused_run = cli(env, data, "sync", "--json")
    assert refused_run.returncode == 1 and "未采用" in refused_run.stderr
    core = build_core(prepare_data_dir(data))
    try:
        # an alarm and a refused 公示 as the steps record them
        store = SqlReferenceSync(core.database.engine)
        store.record_alarm(
            "case-x", 3, "a" * 64, 4, "b" * 64, "本机全过程记录与服务器锚定的哈希不一致（案件 case-x）"
        )
        store.fix_publication("case-y", "榕溪镇罚决字〔2026〕第1号", dt.date(2026, 11, 20), "……")
        store.publication_failed("case-y", "该决定已由其他工作站公示（already_published）", refused=True)
    finally:
        core.close()

    status = ok_json(cli(env, data, "sync", "status", "--json"))
    [alarm] = status["anchor_alarms"]
    assert (alarm["case_id"], alarm["version"], alarm["kind"]) == ("case-x", 3, "anchor_alarm")
    assert alarm["reason"].startswith("本机全过程记录与服务器锚定的哈希不一致")
    [publication] = status["refused_publications"]
    assert publication["case_id"] == "case-y" and "already_published" in publication["reason"]
    assert publication["detail"] == "榕溪镇罚决字〔2026〕第1号"
    refused = {n["detail"]: n for n in status["refused_reference"]}
    assert refused.keys() == {"statutes", "benchmarks"}
    assert refused["statutes"]["subject"] == "statutes/statutes:bad" and refused["statutes"]["reason"]
    assert "workstation-discretion" in refused["benchmarks"]["reason"]
    text = cli(env, data, "sync", "status")
    assert "【告警】全过程记录锚定不一致 1 个" in text.stdout and "未采用的参考数据 2 项" in text.stdout
    assert "公示被中心服务器拒绝 1 个" in text.stdout
