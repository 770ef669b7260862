"""``workstation case evidence add|list|correct`` as users and automation run it."""

from __future__ import annotations

import json
import re
import sqlite3
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from ..conftest import run_cli

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    seeded = run_cli("demo", "seed", "--data-dir", str(root))
    assert seeded.returncode == 0, seeded.stderr
    return root


def _json(*args: str) -> dict[str, Any]:
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["ok"] is True
    return data


def _png(path: Path) -> Path:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + bytes(12) for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def _new_case(d: str, tmp_path: Path) -> str:
    new = tmp_path / "new.json"
    spec = {"kind": "ordinary", "title": "露天焚烧", "opened_on": "2026-03-02", "officer_ids": [LEAD, SECOND]}
    new.write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
    case_id: str = _json("case", "new", "--json-file", str(new), "--data-dir", d)["case"]["id"]
    return case_id


def test_evidence_add_and_list(data_dir: Path, tmp_path: Path) -> None:
    d = str(data_dir)
    case_id = _new_case(d, tmp_path)
    photo = _png(tmp_path / "现场照片.png")
    added = _json(
        "case",
        "evidence",
        "add",
        case_id,
        "--kind",
        "physical",
        "--title",
        "现场照片",
        "--file",
        str(photo),
        "--collected-on",
        "2026-03-02",
        "--as",
        LEAD,
        "--data-dir",
        d,
    )["evidence"]
    assert added["kind"] == "physical" and added["kind_label"] == "物证"
    assert added["media_type"] == "image/png" and added["in_dossier"] is True
    assert added["collected_on"] == "2026-03-02" and len(added["sha256"]) == 64
    note = _json(
        "case",
        "evidence",
        "add",
        case_id,
        "--kind",
        "证人证言",
        "--title",
        "证人王某证言",
        "--description",
        "纸质，附卷",
        "--collected-on",
        "2026-03-03",
        "--as",
        LEAD,
        "--data-dir",
        d,
    )["evidence"]
    assert note["kind"] == "witness" and note["sha256"] is None and note["in_dossier"] is False

    assert note["source"] == "" and note["collectors"] == ["林建华（示例）"] and note["status"] == "valid"

    listed = _json("case", "evidence", "list", case_id, "--data-dir", d)["evidence"]
    assert [e["id"] for e in listed] == [added["id"], note["id"]]
    assert listed[1]["description"] == "纸质，附卷"
    assert listed == [added, note]  # list prints each item as add printed it
    text = run_cli("case", "evidence", "list", case_id, "--data-dir", d)
    assert (
        text.returncode == 0
        and "现场照片（物证）" in text.stdout
        and "证人王某证言（证人证言）" in text.stdout
    )

    history = _json("case", "history", case_id, "--data-dir", d)["events"]
    assert [e["action"] for e in history].count("登记证据") == 2  # the action as people read it
    assert _json("case", "verify-log", case_id, "--data-dir", d)["valid"] is True


def test_a_bad_kind_exits_1_and_usage_exits_2(data_dir: Path, tmp_path: Path) -> None:
    d = str(data_dir)
    case_id = _new_case(d, tmp_path)
    bad = run_cli(
        "case",
        "evidence",
        "add",
        case_id,
        "--kind",
        "hearsay",
        "--title",
        "传闻",
        "--as",
        LEAD,
        "--data-dir",
        d,
        "--json",
    )
    assert bad.returncode == 1
    assert "第四十六条" in bad.stderr and CHINESE.search(bad.stderr)
    error = json.loads(bad.stdout)["error"]
    assert error["code"] == "invalid_field" and error["field"] == "kind"
    missing = run_cli(
        "case",
        "evidence",
        "add",
        case_id,
        "--kind",
        "physical",
        "--title",
        "照片",
        "--file",
        str(tmp_path / "missing.png"),
        "--as",
        LEAD,
        "--data-dir",
        d,
    )
    assert missing.returncode == 1 and "没有找到证据文件" in missing.stderr
    assert _json("case", "evidence", "list", case_id, "--data-dir", d)["evidence"] == []

    no_actor = run_cli(
        "case", "evidence", "add", case_id, "--kind", "physical", "--title", "照片", "--data-dir", d
    )
    assert no_actor.returncode == 2
    no_command = run_cli("case", "evidence", "--data-dir", d)
    assert no_command.returncode == 2
    bad_date = run_cli(
        "case",
        "evidence",
        "add",
        case_id,
        "--kind",
        "physical",
        "--title",
        "照片",
        "--collected-on",
        "3月2日",
        "--as",
        LEAD,
        "--data-dir",
        d,
    )
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr


def test_evidence_correct_keeps_the_original(data_dir: Path, tmp_path: Path) -> None:
    d = str(data_dir)
    case_id = _new_case(d, tmp_path)
    added = _json(
        "case",
        "evidence",
        "add",
        case_id,
        "--kind",
        "witness",
        "--title",
        "证人李某证言",
        "--source",
        "证人李某",
        "--collected-at",
        "2026-03-02T10:30",
        "--collector",
        LEAD,
        "--collector",
        SECOND,
        "--as",
        LEAD,
        "--data-dir",
        d,
    )["evidence"]
    assert added["source"] == "证人李某" and added["collected_at"] == "2026-03-02T10:30"
    assert added["collectors"] == ["林建华（示例）", "陈晓敏（示例）"] and added["correction"] is None

    voided = _json(
        "case",
        "evidence",
        "correct",
        case_id,
        added["id"],
        "--reason",
        "证人系当事人近亲属，证言不予采用",
        "--void",
        "--as",
        SECOND,
        "--data-dir",
        d,
    )["evidence"]
    assert voided["id"] == added["id"] and voided["title"] == "证人李某证言"
    assert voided["status"] == "voided" and voided["status_label"] == "已作废"
    assert voided["correction"]["reason"] == "证人系当事人近亲属，证言不予采用"
    assert voided["correction"]["actor"] == "陈晓敏（示例）"
    (listed,) = _json("case", "evidence", "list", case_id, "--data-dir", d)["evidence"]
    assert listed == voided
    text = run_cli("case", "evidence", "list", case_id, "--data-dir", d)
    assert "【已作废：证人系当事人近亲属，证言不予采用】" in text.stdout

    again = run_cli(
        "case", "evidence", "correct", case_id, added["id"], "--reason", "再改", "--as", LEAD, "--data-dir", d
    )
    assert again.returncode == 1 and "已作废" in again.stderr
    no_reason = run_cli("case", "evidence", "correct", case_id, added["id"], "--as", LEAD, "--data-dir", d)
    assert no_reason.returncode == 2
    history = _json("case", "history", case_id, "--data-dir", d)["events"]
    assert history[-1]["action"] == "作废证据"
    assert history[-1]["changes"][-1] == "已作废，理由：证人系当事人近亲属，证言不予采用"
    assert _json("case", "verify-log", case_id, "--data-dir", d)["valid"] is True


def test_a_finished_case_refuses_evidence_with_exit_1(data_dir: Path, tmp_path: Path) -> None:
    with sqlite3.connect(data_dir / "workstation.db") as conn:
        (case_id,) = conn.execute("SELECT id FROM cases WHERE stage = 'archived' LIMIT 1").fetchone()
        (events,) = conn.execute("SELECT count(*) FROM case_events WHERE case_id = ?", (case_id,)).fetchone()
    refused = run_cli(
        "case",
        "evidence",
        "add",
        case_id,
        "--kind",
        "physical",
        "--title",
        "补拍照片",
        "--file",
        str(_png(tmp_path / "late.png")),
        "--as",
        LEAD,
        "--data-dir",
        str(data_dir),
        "--json",
    )
    assert refused.returncode == 1
    assert "案件已结案（归档），不能再添加证据" in refused.stderr and "第四十七条" in refused.stderr
    assert json.loads(refused.stdout)["error"]["code"] == "case_finished"
    with sqlite3.connect(data_dir / "workstation.db") as conn:
        assert conn.execute("SELECT count(*) FROM evidence WHERE case_id = ?", (case_id,)).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM case_events WHERE case_id = ?", (case_id,)).fetchone() == (
            events,
        )
