"""The classroom commands of ``workstation-central``: cases, task add, tasks (docs/CENTRAL.md,
"Classroom"), run in-process against a seeded SQLite database, also while the server serves it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.central.helpers import chain, new_id
from tests.central.server import CentralServer
from workstation_central.classroom import ClassroomError, read_evidence
from workstation_central.cli import main

pytestmark = pytest.mark.e2e


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = _run(capsys, *argv, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["ok"] is True
    return data


def _high_water(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        value: int = conn.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()[0]
    return value


def _task_count(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        value: int = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
    return value


@pytest.fixture
def seeded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "central.db"
    assert main(["seed", "--db", f"sqlite:///{db}"]) == 0
    capsys.readouterr()
    return db


def test_a_pushed_task_is_stored_with_its_evidence_and_listed_open(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{seeded}"
    evidence = tmp_path / "现场照片.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    note = tmp_path / "说明.txt"
    note.write_text("群众来电反映夜间施工噪声。", encoding="utf-8")
    before = _high_water(seeded)

    added = _json(
        capsys,
        "task",
        "add",
        "--db",
        url,
        "--township",
        "330106001",
        "--title",
        "西街夜间施工噪声",
        "--kind",
        "clue",
        "--description",
        "请核查。",
        "--location",
        "示范镇西街",
        "--deadline",
        "2026-12-10",
        "--source",
        "12345热线",
        "--evidence",
        str(evidence),
        str(note),
    )
    task = added["task"]
    png_sha = hashlib.sha256(evidence.read_bytes()).hexdigest()
    note_sha = hashlib.sha256(note.read_bytes()).hexdigest()
    assert task["evidence_sha256"] == [png_sha, note_sha]
    assert (task["kind"], task["status"], task["deadline"], task["source"]) == (
        "clue",
        "open",
        "2026-12-10",
        "12345热线",
    )
    assert added["township_name"] == "示范镇"
    assert [(e["filename"], e["media_type"]) for e in added["evidence"]] == [
        ("现场照片.png", "image/png"),
        ("说明.txt", "text/plain; charset=utf-8"),
    ]
    # the files are server attachments now (what GET /v1/attachments/{sha256} serves) ...
    stored = seeded.with_suffix(".files") / "files" / png_sha[:2] / png_sha
    assert stored.read_bytes() == evidence.read_bytes()
    # ... the township may download them, and the task took the next number of the change feed
    with closing(sqlite3.connect(seeded)) as conn:
        owners = conn.execute(
            "SELECT township_code FROM attachment_owners WHERE sha256 IN (?, ?)", (png_sha, note_sha)
        ).fetchall()
    assert owners == [("330106001",), ("330106001",)]
    assert task["updated_seq"] == _high_water(seeded) == before + 1

    listed = _json(capsys, "tasks", "--db", url, "--township", "330106001")
    assert listed["total"] == 3  # the seed's two and this one
    first = listed["tasks"][0]
    assert (first["id"], first["status"], first["status_label"], first["case_id"]) == (
        task["id"],
        "open",
        "待处理",
        None,
    )
    assert [e["filename"] for e in first["evidence"]] == ["现场照片.png", "说明.txt"]

    code, out, _ = _run(capsys, "tasks", "--db", url)
    assert code == 0 and task["id"] in out and "西街夜间施工噪声" in out and "待处理" in out
    code, out, _ = _run(capsys, "task", "add", "--db", url, "--township", "330106001", "--title", "巡查")
    assert code == 0 and "已向 示范镇（330106001）推送任务：巡查" in out
    assert out.strip().splitlines()[-1].startswith("任务编号：")
    assert _json(capsys, "tasks", "--db", url, "--limit", "1")["tasks"][0]["title"] == "巡查"


def test_cases_lists_what_officers_pushed_while_the_server_runs(
    central_server: CentralServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = central_server.db_url
    assert _json(capsys, "cases", "--db", url)["cases"] == []
    code, out, _ = _run(capsys, "cases", "--db", url)
    assert code == 0 and "服务器上还没有案件" in out

    older, newer = new_id(), new_id()
    with central_server.client(device_id="desk-1") as http:
        for case_id, fields, number in (
            (older, {"title": "违规设置户外广告", "kind": "ordinary"}, None),
            (newer, {"title": "东街口占道经营", "kind": "ordinary"}, "榕溪镇罚立字〔2026〕第7号"),
        ):
            body = {"base_version": 0, "fields": fields, "case_number": number}
            put = http.put(
                f"/v1/cases/{case_id}",
                content=json.dumps(body).encode(),
                headers={"Idempotency-Key": new_id(), "Content-Type": "application/json"},
            )
            assert put.status_code == 201, put.text
        assert http.post(f"/v1/cases/{newer}/events", json={"events": chain(newer, 3)}).status_code == 200

    listed = _json(capsys, "cases", "--db", url, "--township", central_server.township.code)
    assert listed["total"] == 2
    assert [c["case_id"] for c in listed["cases"]] == [newer, older]  # the latest change first
    case = listed["cases"][0]
    assert (case["case_number"], case["title"], case["kind"], case["events"]) == (
        "榕溪镇罚立字〔2026〕第7号",
        "东街口占道经营",
        "ordinary",
        3,
    )
    assert (case["township_code"], case["township_name"], case["version"]) == ("330106001", "示范镇", 1)
    assert (case["review_status"], case["locked"], case["updated_by"], case["updated_by_device"]) == (
        "none",
        False,
        central_server.officer.name,
        "desk-1",
    )
    assert listed["cases"][1]["case_number"] is None and listed["cases"][1]["events"] == 0

    # a review on the server makes the case the latest change, locked
    with central_server.admin() as admin:
        review = {"review_status": "approved", "locked": True}
        assert admin.post(f"/v1/admin/cases/{older}/review", json=review).status_code == 200
    reviewed = _json(capsys, "cases", "--db", url, "--limit", "1")
    assert reviewed["total"] == 2 and len(reviewed["cases"]) == 1
    assert (reviewed["cases"][0]["case_id"], reviewed["cases"][0]["locked"]) == (older, True)
    assert reviewed["cases"][0]["review_status_label"] == "审核通过"
    code, out, _ = _run(capsys, "cases", "--db", url)
    assert "榕溪镇罚立字〔2026〕第7号" in out and "全过程记录 3 条" in out and "已锁定" in out

    # another township's officers see nothing of these; the list filters by township
    other = central_server.seed()
    assert _json(capsys, "cases", "--db", url, "--township", other.code)["cases"] == []


def test_a_task_pushed_while_the_server_runs_reaches_the_township_with_its_file(
    central_server: CentralServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "抓拍.jpg"
    evidence.write_bytes(b"\xff\xd8\xff\xe0" + b"photo" * 100)
    added = _json(
        capsys,
        "task",
        "add",
        "--db",
        central_server.db_url,
        "--township",
        central_server.township.code,
        "--title",
        "桥头违停",
        "--evidence",
        str(evidence),
    )
    sha = added["task"]["evidence_sha256"][0]
    with central_server.client() as http:
        feed = http.get("/v1/tasks", params={"limit": 500}).json()["items"]
        assert [t["title"] for t in feed if t["id"] == added["task"]["id"]] == ["桥头违停"]
        download = http.get(f"/v1/attachments/{sha}")
        assert download.status_code == 200 and download.content == evidence.read_bytes()
        assert download.headers["Content-Type"] == "image/jpeg"
        ack = http.post(f"/v1/tasks/{added['task']['id']}/ack", json={"status": "accepted", "case_id": "c-1"})
        assert ack.status_code == 200
    [reported] = [
        t
        for t in _json(capsys, "tasks", "--db", central_server.db_url)["tasks"]
        if t["id"] == added["task"]["id"]
    ]
    assert (reported["status"], reported["case_id"], reported["acked_by"]) == (
        "accepted",
        "c-1",
        central_server.officer.name,
    )


@pytest.mark.parametrize(
    ("extra", "message", "code"),
    [
        (["--township", "999999999"], "服务器上没有乡镇（辖区）999999999", "not_found"),
        (["--deadline", "2026-02-30"], "期限应为日期（YYYY-MM-DD）", "invalid_input"),
        (["--deadline", "下周五"], "期限应为日期（YYYY-MM-DD）", "invalid_input"),
        (["--title", "   "], "任务标题不能为空", "invalid_input"),
        (["--evidence", "missing.png"], "无法读取证据文件", "evidence_unreadable"),
    ],
    ids=["township", "date", "words", "title", "evidence"],
)
def test_refused_tasks_exit_1_in_chinese_and_change_nothing(
    seeded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
    code: str,
) -> None:
    url = f"sqlite:///{seeded}"
    argv = ["task", "add", "--db", url, "--township", "330106001", "--title", "巡查", *extra]
    argv = [str(tmp_path / a) if a == "missing.png" else a for a in argv]
    before = (_task_count(seeded), _high_water(seeded))
    status, out, err = _run(capsys, *argv)
    assert status == 1 and err.startswith("错误：") and message in err and out == ""
    status, out, err = _run(capsys, *argv, "--json")
    assert status == 1 and message in err
    assert json.loads(out) == {"ok": False, "error": {"code": code, "message": err[3:].strip()}}
    assert (_task_count(seeded), _high_water(seeded)) == before


def test_unknown_townships_and_bad_options(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{seeded}"
    for command in ("cases", "tasks"):
        status, _, err = _run(capsys, command, "--db", url, "--township", "000")
        assert status == 1 and "服务器上没有乡镇（辖区）000" in err
    for argv in (
        ["tasks", "--db", url, "--limit", "0"],
        ["cases", "--db", url, "--limit", "many"],
        ["task", "add", "--db", url, "--township", "330106001"],  # no --title
        ["task", "add", "--db", url, "--township", "330106001", "--title", "x", "--kind", "case"],
        ["task", "--db", url],
    ):
        with pytest.raises(SystemExit) as usage:
            main(argv)
        assert usage.value.code == 2 and "用法错误" in capsys.readouterr().err, argv


def test_evidence_is_read_whole_before_anything_is_written(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 11)
    with pytest.raises(ClassroomError) as refused:
        read_evidence([big], max_bytes=10)
    assert refused.value.code == "too_large" and "超过服务器允许的 10 字节" in refused.value.message
    with pytest.raises(ClassroomError) as folder:
        read_evidence([tmp_path], max_bytes=10)
    assert folder.value.code == "evidence_unreadable" and "目录" in folder.value.message
    [read] = read_evidence([big], max_bytes=11)
    assert (read.filename, read.media_type, read.sha256) == (
        "big.bin",
        "application/octet-stream",
        hashlib.sha256(b"x" * 11).hexdigest(),
    )
