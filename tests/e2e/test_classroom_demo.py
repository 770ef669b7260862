"""The classroom demo of docs/CENTRAL.md ("Classroom") through the real commands: a case made
offline with ``workstation case …`` reaches the server on ``workstation sync`` and is listed by
``workstation-central cases``; a task pushed with ``workstation-central task add`` reaches the
workstation on the next sync. The real reference server under uvicorn, a real data directory,
tokens in a real Secret Service (the fixture of test_cli_sync.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.central.server import CentralServer
from tests.e2e.test_cli_sync import cli, login, ok_json, secret_service

__all__ = ["secret_service"]  # the module-scoped fixture, shared

pytestmark = pytest.mark.e2e

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
PARTY = "ddb69b6a-e595-5420-8f4e-5d9b67257046"

#: The files of the walkthrough in docs/CENTRAL.md, as written there.
NEW_CASE = {
    "kind": "ordinary",
    "title": "东街口占道经营",
    "source": "patrol",
    "opened_on": "2026-11-23",
    "actor_id": LEAD,
    "party_ids": [PARTY],
    "officer_ids": [LEAD, SECOND],
    "data": {},
}
FILE_CASE = {"actor_id": LEAD, "today": "2026-11-24", "inputs": {"act_date": "2026-11-20"}}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(tmp_path / "central") as running:
        yield running


def central(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workstation_central", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def central_json(env: dict[str, str], *args: str) -> Any:
    result = central(env, *args, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True
    return data


@pytest.mark.timeout(300)  # a dozen CLI processes, each opening the data directory
def test_a_case_made_offline_reaches_the_server_and_a_pushed_task_reaches_the_workstation(
    secret_service: dict[str, str], server: CentralServer, tmp_path: Path
) -> None:
    env = secret_service
    data = tmp_path / "desk"
    db = server.db_url
    code = server.township.code

    seeded = ok_json(cli(env, data, "demo", "seed", "--json"))
    assert seeded["officers"] == 5
    samples = seeded["cases"]  # the demo office's sample cases (示例) travel too
    assert central_json(env, "cases", "--db", db)["cases"] == []

    # offline: the case is registered and filed (立案 issues the 案号) before any login
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(NEW_CASE, ensure_ascii=False), encoding="utf-8")
    made = ok_json(cli(env, data, "case", "new", "--json-file", str(case_file), "--json"))["case"]
    act_file = tmp_path / "file.json"
    act_file.write_text(json.dumps(FILE_CASE), encoding="utf-8")
    filed = ok_json(cli(env, data, "case", "act", made["id"], "file", "--json-file", str(act_file), "--json"))
    case_id, number = made["id"], filed["case"]["case_number"]
    assert number and "罚立字" in number
    assert ok_json(cli(env, data, "sync", "status", "--json"))["pending_cases"] == samples + 1

    login(env, data, server)
    pushed = ok_json(cli(env, data, "sync", "--json"))
    assert (pushed["pushed_cases"], pushed["quarantined"], pushed["errors"]) == (samples + 1, 0, [])
    assert pushed["tasks"] == 2  # the two tasks of the seed

    listed = central_json(env, "cases", "--db", db, "--township", code)
    assert listed["total"] == samples + 1
    case = next(c for c in listed["cases"] if c["case_id"] == case_id)
    assert (case["case_id"], case["case_number"], case["title"]) == (case_id, number, "东街口占道经营")
    assert (case["township_code"], case["version"], case["review_status"], case["locked"]) == (
        code,
        1,
        "none",
        False,
    )
    assert case["events"] == 2  # 登记 and 立案
    assert case["updated_by"] == server.officer.name
    text = central(env, "cases", "--db", db)
    assert text.returncode == 0 and number in text.stdout and "全过程记录 2 条" in text.stdout

    evidence = tmp_path / "抓拍记录.txt"
    evidence.write_text("非现场监测抓拍：西街 8 号门前堆放杂物，2026-11-25 10:02。", encoding="utf-8")
    added = central_json(
        env,
        "task",
        "add",
        "--db",
        db,
        "--township",
        code,
        "--kind",
        "clue",
        "--title",
        "西街 8 号门前堆物",
        "--description",
        "请核查并处理。",
        "--location",
        "示范镇西街 8 号",
        "--deadline",
        "2026-12-15",
        "--source",
        "非现场监测",
        "--evidence",
        str(evidence),
    )
    task_id = added["task"]["id"]
    assert added["evidence"][0]["filename"] == "抓拍记录.txt"
    opened = central_json(env, "tasks", "--db", db, "--township", code)["tasks"]
    assert next(t for t in opened if t["id"] == task_id)["status"] == "open"

    pulled = ok_json(cli(env, data, "sync", "--json"))
    assert pulled["tasks"] == 1 and pulled["errors"] == []
    status = ok_json(cli(env, data, "sync", "status", "--json"))
    assert (status["tasks"], status["pending"], status["logged_in"]) == (3, 0, True)
    tasks = ok_json(cli(env, data, "sync", "tasks", "--json"))["tasks"]
    mine = next(t for t in tasks if t["id"] == task_id)
    assert (mine["title"], mine["kind"], mine["deadline"], mine["files"]) == (
        "西街 8 号门前堆物",
        "clue",
        "2026-12-15",
        1,
    )

    # the workstation takes the clue into a case: the server records who accepted it, and which case
    accepted = ok_json(cli(env, data, "sync", "accept", task_id, "--as", LEAD, "--json"))
    assert accepted["acknowledged"] and accepted["files_attached"] == 1
    reported = central_json(env, "tasks", "--db", db)["tasks"]
    done = next(t for t in reported if t["id"] == task_id)
    assert (done["status"], done["case_id"], done["acked_by"]) == ("accepted", accepted["case_id"], "张三")
