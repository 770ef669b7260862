"""``workstation party add|find`` and ``workstation case history`` as automation runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workstation.domain.identifiers import resident_id_check_char

from ..conftest import run_cli

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
ID17 = "35010219800101123"
ID18 = ID17 + resident_id_check_char(ID17)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    seeded = run_cli("demo", "seed", "--data-dir", str(root))
    assert seeded.returncode == 0, seeded.stderr
    return root


def _file(tmp_path: Path, name: str, content: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(content, ensure_ascii=False), "utf-8")
    return str(path)


def _json(*args: str) -> dict[str, Any]:
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["ok"] is True
    return data


def test_party_add_normalises_and_find_returns_it(data_dir: Path, tmp_path: Path) -> None:
    raw = {"kind": "person", "name": "王某某", "id_number": " 350102800101123 ", "address": "榕溪镇新街12号"}
    added = _json("party", "add", "--json-file", _file(tmp_path, "p.json", raw), "--data-dir", str(data_dir))
    party = added["party"]
    assert party["id_number"] == ID18 and party["kind"] == "person"
    found = _json("party", "find", ID18[-4:], "--data-dir", str(data_dir))
    assert [p["id"] for p in found["parties"]] == [party["id"]]


def test_party_add_refuses_a_bad_check_digit_in_chinese(data_dir: Path, tmp_path: Path) -> None:
    wrong = ID18[:-1] + ("0" if ID18[-1] != "0" else "1")
    raw = {"kind": "person", "name": "王某某", "id_number": wrong}
    done = run_cli("party", "add", "--json-file", _file(tmp_path, "p.json", raw), "--data-dir", str(data_dir))
    assert done.returncode == 1
    assert "校验位" in done.stderr
    assert _json("party", "find", "王某某", "--data-dir", str(data_dir))["parties"] == []
    usage = run_cli("party", "add", "--data-dir", str(data_dir))
    assert usage.returncode == 2


def test_case_history_lists_each_event(data_dir: Path, tmp_path: Path) -> None:
    party = _json(
        "party",
        "add",
        "--json-file",
        _file(tmp_path, "p.json", {"kind": "person", "name": "王某某", "id_number": ID18}),
        "--data-dir",
        str(data_dir),
    )["party"]
    spec = {
        "kind": "ordinary",
        "title": "王某某占道经营案",
        "source": "hotline_12345",
        "opened_on": "2025-09-22",
        "party_ids": [party["id"]],
        "officer_ids": [LEAD, SECOND],
    }
    case = _json("case", "new", "--json-file", _file(tmp_path, "c.json", spec), "--data-dir", str(data_dir))
    case_id = case["case"]["id"]
    act = {"actor_id": LEAD, "today": "2025-09-22", "inputs": {"act_date": "2025-09-20"}}
    _json(
        "case",
        "act",
        case_id,
        "file",
        "--json-file",
        _file(tmp_path, "a.json", act),
        "--data-dir",
        str(data_dir),
    )
    history = _json("case", "history", case_id, "--data-dir", str(data_dir))["events"]
    assert [e["seq"] for e in history] == [1, 2]
    assert [e["action"] for e in history] == ["登记案件", "立案"]
    assert history[1]["actor"].startswith("林建华") and history[1]["role"] == "执法人员"
    assert any(c.startswith("案号：") for c in history[1]["changes"])
    text = run_cli("case", "history", case_id, "--data-dir", str(data_dir))
    assert text.returncode == 0 and "立案" in text.stdout
    missing = run_cli("case", "history", "no-such-case", "--data-dir", str(data_dir))
    assert missing.returncode == 1 and "案件" in missing.stderr
