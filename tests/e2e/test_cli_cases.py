"""``workstation case …`` as users and automation run it: new, act, show, verify-log."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ..conftest import run_cli

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
RESTAURANT = "fd2f6168-66e1-5b4b-a1bd-1d86e71bb09b"  # 榕溪镇某某餐饮店（示例）
CHINESE = re.compile(r"[\u4e00-\u9fff]")


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


def test_case_new_act_show_and_verify_log(data_dir: Path, tmp_path: Path) -> None:
    d = str(data_dir)
    new = _file(
        tmp_path,
        "new.json",
        {
            "kind": "ordinary",
            "title": "占道经营",
            "source": "patrol",
            "opened_on": "2026-03-02",
            "actor_id": LEAD,
            "party_ids": [RESTAURANT],
            "officer_ids": [LEAD, SECOND],
            "data": {"clue_received_on": "2026-03-02"},
        },
    )
    case = _json("case", "new", "--json-file", new, "--data-dir", d)["case"]
    assert case["stage"] == "clue"
    assert case["case_number"] is None
    case_id = case["id"]

    file = _file(
        tmp_path, "file.json", {"actor_id": LEAD, "today": "2026-03-05", "inputs": {"act_date": "2026-02-25"}}
    )
    filed = _json("case", "act", case_id, "file", "--json-file", file, "--data-dir", d)["case"]
    assert filed["stage"] == "investigation"
    # the demo seed's own cases already hold the first numbers of the year
    assert re.fullmatch(r"榕溪镇罚立字〔2026〕第\d+号", filed["case_number"])
    assert filed["deadlines"][0]["name"] == "decision"
    assert filed["deadlines"][0]["due"] == "2026-06-03"

    evidence = _file(
        tmp_path,
        "evidence.json",
        {
            "actor_id": LEAD,
            "today": "2026-03-09",
            "inputs": {"evidence_kinds": ["documentary"]},
            "row_version": 2,
        },
    )
    _json("case", "act", filed["case_number"], "collect_evidence", "--json-file", evidence, "--data-dir", d)

    shown = _json("case", "show", case_id, "--today", "2026-03-10", "--data-dir", d)["case"]
    assert shown["row_version"] == 3
    assert shown["event_count"] == 3
    actions = {a["code"]: a for a in shown["actions"]}
    assert {"collect_evidence", "conclude", "transfer"} <= set(actions)
    assert all({"rule", "message", "citation"} <= set(p) for a in shown["actions"] for p in a["problems"])

    verified = _json("case", "verify-log", case_id, "--data-dir", d)
    assert verified["valid"] is True
    assert verified["count"] == 3

    text = run_cli("case", "show", case_id, "--data-dir", d)
    assert text.returncode == 0, text.stderr
    assert "调查取证" in text.stdout or "investigation" in text.stdout


def test_a_refused_action_exits_1_with_chinese_on_stderr(data_dir: Path, tmp_path: Path) -> None:
    d = str(data_dir)
    new = _file(
        tmp_path,
        "new.json",
        {"kind": "ordinary", "title": "露天焚烧", "opened_on": "2026-03-02", "officer_ids": [LEAD, SECOND]},
    )
    case_id = _json("case", "new", "--json-file", new, "--data-dir", d)["case"]["id"]
    notify = _file(tmp_path, "notify.json", {"actor_id": LEAD, "today": "2026-03-05", "inputs": {}})
    done = run_cli("case", "act", case_id, "notify", "--json-file", notify, "--data-dir", d, "--json")
    assert done.returncode == 1
    assert CHINESE.search(done.stderr)
    assert "事先告知" in done.stderr
    assert json.loads(done.stdout)["error"]["code"] == "action_refused"
    shown = _json("case", "show", case_id, "--data-dir", d)["case"]
    assert shown["stage"] == "clue"
    assert shown["event_count"] == 1

    missing = run_cli("case", "show", "no-such-case", "--data-dir", d)
    assert missing.returncode == 1
    assert "没有找到案件" in missing.stderr
