"""``workstation docs …`` and ``workstation dossier`` as users run them, on the demo office:
list, render (Word and PDF), verify an untouched and an edited file, the e-dossier, and the
refusal of a document whose fields are not filled in."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader

from ..conftest import run_cli

CHINESE = re.compile(r"[\u4e00-\u9fff]")
#: The regulation the demo 当场决定书 cites: the decision prints its article, so it is imported.
CITED = (
    Path(__file__).resolve().parents[3]
    / "shared/corpus/laws/行政法规/城市市容和环境卫生管理条例(2017-03-01).md"
)
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice (soffice) is not installed",
)


def _json(*args: str) -> dict[str, Any]:
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["ok"] is True
    return data


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A seeded data directory and the 案号 of the demo cases by stage (found with ``case show``)."""
    root = tmp_path_factory.mktemp("docs") / "data"
    seeded = run_cli("demo", "seed", "--data-dir", str(root))
    assert seeded.returncode == 0, seeded.stderr
    imported = run_cli("laws", "import", str(CITED), "--data-dir", str(root))
    assert imported.returncode == 0, imported.stderr
    found = {"data_dir": str(root)}
    year = dt.date.today().year
    for serial in range(1, 7):
        number = f"榕溪镇罚立字〔{year}〕第{serial}号"
        done = run_cli("case", "show", number, "--data-dir", str(root), "--json")
        if done.returncode != 0:
            continue
        case = json.loads(done.stdout)["case"]
        found.setdefault(f"{case['kind']}:{case['stage']}", number)
    assert "simple:decided" in found and "ordinary:notified" in found, found
    return found


def test_list_render_verify_and_catch_an_edit(demo: dict[str, str], tmp_path: Path) -> None:
    d = demo["data_dir"]
    decided = demo["simple:decided"]  # 当场处罚决定: the 决定书's fields are complete

    listing = _json("docs", "list", decided, "--data-dir", d)
    assert listing["issued"] == []
    available = {a["code"]: a for a in listing["available"]}
    assert available["on_spot_decision"]["missing"] == []
    assert available["on_spot_decision"]["title"] == "当场行政处罚决定书"

    out = tmp_path / "当场决定书.docx"
    doc = _json("docs", "render", decided, "on_spot_decision", "--out", str(out), "--data-dir", d)["document"]
    assert out.is_file() and doc["path"] == str(out) and doc["pdf"] is None
    assert re.fullmatch(r"榕溪镇当罚字〔\d{4}〕第1号", doc["number"])
    assert doc["payload"] == f"WSDOC1|{decided}|{doc['number']}|{doc['content_hash']}"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # nothing half-written beside it

    after = _json("docs", "list", decided, "--data-dir", d)
    assert [(i["number"], i["status"]) for i in after["issued"]] == [(doc["number"], "issued")]
    assert after["issued"][0]["issued_on"] == doc["issued_on"]

    checked = _json("docs", "verify", str(out), "--data-dir", d)
    assert (checked["status"], checked["valid"], checked["number"]) == ("match", True, doc["number"])
    text = run_cli("docs", "verify", str(out), "--data-dir", d)
    assert text.returncode == 0 and "未被修改" in text.stdout

    # one character changed with python-docx: the file is altered
    edited = tmp_path / "edited.docx"
    document = docx.Document(str(out))
    run = next(r for p in document.paragraphs for r in p.runs if CHINESE.search(r.text))
    first_char = CHINESE.search(run.text)
    assert first_char is not None
    other = "甲" if first_char.group() != "甲" else "乙"
    run.text = run.text[: first_char.start()] + other + run.text[first_char.end() :]
    document.save(str(edited))
    altered = run_cli("docs", "verify", str(edited), "--data-dir", d, "--json")
    assert altered.returncode == 1
    data = json.loads(altered.stdout)
    assert (data["ok"], data["status"], data["valid"]) == (False, "altered", False)
    assert "修改" in altered.stderr and CHINESE.search(altered.stderr)


def test_missing_fields_are_refused_in_chinese(demo: dict[str, str], tmp_path: Path) -> None:
    d = demo["data_dir"]
    notified = demo["ordinary:notified"]  # 事先告知: 违法事实 and 处罚依据 not entered yet
    listing = _json("docs", "list", notified, "--data-dir", d)
    missing = {a["code"]: a["missing"] for a in listing["available"]}
    assert {m["name"] for m in missing["prior_notice"]} >= {"facts", "penalty_basis"}

    out = tmp_path / "告知书.docx"
    done = run_cli("docs", "render", notified, "行政处罚事先告知书", "--out", str(out), "--data-dir", d)
    assert done.returncode == 1
    assert "不能出具" in done.stderr and "违法事实和证据" in done.stderr and "处罚依据" in done.stderr
    assert "填写位置" in done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []
    as_json = run_cli(
        "docs", "render", notified, "prior_notice", "--out", str(out), "--data-dir", d, "--json"
    )
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["error"]["code"] == "invalid_input"
    # and no number was taken: the list still has nothing issued
    assert _json("docs", "list", notified, "--data-dir", d)["issued"] == []


@needs_soffice
def test_pdf_and_dossier(demo: dict[str, str], tmp_path: Path) -> None:
    d = demo["data_dir"]
    closed = next((v for k, v in demo.items() if k.endswith(":closed")), None)
    assert closed is not None, demo
    first = _json("docs", "render", closed, "closing_approval", "--out", str(tmp_path / "结案.docx"), "--pdf",
                  "--data-dir", d)["document"]  # fmt: skip
    pdf = Path(first["pdf"])
    assert pdf == tmp_path / "结案.pdf" and pdf.read_bytes().startswith(b"%PDF")
    assert first["number"] is None  # 结案审批表 has no 文书编号
    checked = _json("docs", "verify", str(pdf), "--data-dir", d)
    assert checked["status"] == "match"

    dossier = tmp_path / "卷宗.pdf"
    report = _json("dossier", closed, "--out", str(dossier), "--data-dir", d)
    assert report["path"] == str(dossier)
    assert report["pages"] == len(PdfReader(str(dossier)).pages) >= 2
    assert any(p["title"] == "结案审批表" for p in report["parts"])
    again = run_cli("dossier", closed, "--out", str(dossier), "--data-dir", d)
    assert again.returncode == 1 and "不会覆盖" in again.stderr


def test_a_dossier_of_a_case_without_documents_is_refused(demo: dict[str, str], tmp_path: Path) -> None:
    done = run_cli("dossier", demo["ordinary:notified"], "--out", str(tmp_path / "x.pdf"), "--data-dir",
                   demo["data_dir"])  # fmt: skip
    assert done.returncode == 1 and "还没有出具任何文书" in done.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    done = run_cli("docs", "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 2 and "用法错误" in done.stderr
    done = run_cli("docs", "render", "X", "prior_notice", "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 2 and "--out" in done.stderr
