"""``workstation items …`` and ``workstation discretion calc`` as automation runs them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT, run_cli

SAMPLE = ROOT / "resources" / "discretion" / "sample_benchmarks.json"


def _json(*args: str) -> dict[str, Any]:
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["ok"] is True
    return data


def _import(data_dir: Path, path: Path) -> dict[str, Any]:
    return _json("items", "import", str(path), "--no-citation-check", "--data-dir", str(data_dir))


def _codes(data_dir: Path, *text: str) -> list[str]:
    return [i["code"] for i in _json("items", "list", *text, "--data-dir", str(data_dir))["items"]]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    report = _import(root, SAMPLE)
    assert (report["benchmarks"], report["items"], report["replaced"]) == (2, 32, 0)
    assert report["citations_checked"] is False
    return root


def _calc(data_dir: Path, *args: str) -> dict[str, Any]:
    return _json("discretion", "calc", *args, "--data-dir", str(data_dir))


def _yuan(values: list[str]) -> list[Decimal]:
    return [Decimal(v) for v in values]


def test_list_and_show(data_dir: Path) -> None:
    assert len(_codes(data_dir)) == 30
    assert _codes(data_dir, "zdjy") == ["ZB-001"]
    assert _codes(data_dir, "油烟") == ["ZB-006", "ZB-007"]
    listed = _json("items", "list", "ZB-006", "--data-dir", str(data_dir))["items"]
    assert listed == [
        {
            "code": "ZB-006",
            "name": "餐饮服务业经营者超过排放标准排放油烟",
            "department": "生态环境（县级以上地方人民政府确定的监督管理部门）",
            "benchmark_name": "示例县乡镇（街道）综合行政执法裁量基准细化（示例）",
            "level_label": "县级",
            "sample": True,
            "delegated": True,
        }
    ]
    shown = _json("items", "show", "ZB-006", "--data-dir", str(data_dir))
    assert shown["benchmark"]["level_label"] == "县级"
    item = shown["item"]
    assert item["penalty_basis"] == ["《中华人民共和国大气污染防治法》第一百一十八条第一款"]
    lighter = next(t for t in item["ranges"][0]["tiers"] if t["level"] == "lighter")
    assert _yuan([lighter["min"], lighter["max"]]) == [6000, 18500]  # the county's refinement
    assert item["circumstances"]["exceeds_standard"] == "超过排放标准排放油烟（有监测报告）"
    text = run_cli("items", "show", "ZB-009", "--data-dir", str(data_dir))
    assert text.returncode == 0 and "《中华人民共和国消防法》第六十条第二款" in text.stdout


def test_calc_for_the_oil_fume_item(data_dir: Path) -> None:
    base = ("--item", "ZB-006", "--party", "org")
    # No fine before the excess emission is established (the precondition).
    waiting = _calc(data_dir, *base)
    assert waiting["fine_possible"] is False
    assert [p["code"] for p in waiting["unmet_preconditions"]] == ["exceeds_standard"]
    assert waiting["simple_procedure"]["possible"] is False

    general = _calc(data_dir, *base, "--circumstance", "exceeds_standard")
    assert general["tier"] == {"code": "general", "label": "一般"}
    assert _yuan(general["range_yuan"]) == [18500, 36500]
    assert _yuan(general["statutory_yuan"]) == [5000, 50000]
    assert general["simple_procedure"]["possible"] is False
    assert general["simple_procedure"]["citation"].endswith("第五十一条")
    assert general["hearing"]["citation"] == "《中华人民共和国行政处罚法》第六十三条"
    assert general["review_required"] is True
    assert general["first_violation"] is False and general["no_penalty"] is False
    assert all(line["citation"] for line in general["explanations"])
    assert "deviation" not in general

    lighter = _calc(data_dir, *base, "--circumstance", "exceeds_standard", "--circumstance", "small_scale")
    assert lighter["tier"]["code"] == "lighter" and _yuan(lighter["range_yuan"]) == [6000, 18500]

    inside = _calc(data_dir, *base, "--circumstance", "exceeds_standard", "--proposed", "20000")
    assert inside["deviation"]["kind"] == "inside_tier" and inside["deviation"]["severity"] == "ok"
    outside = _calc(data_dir, *base, "--circumstance", "exceeds_standard", "--proposed", "40000")
    assert outside["deviation"]["kind"] == "outside_tier"
    assert outside["deviation"]["severity"] == "yellow"
    assert "须书面说明理由" in outside["deviation"]["message"]
    above = _calc(data_dir, *base, "--circumstance", "exceeds_standard", "--proposed", "60000")
    assert above["deviation"] == {
        "kind": "outside_statutory",
        "severity": "red",
        "severity_label": "红色预警",
        "message": "拟罚款60,000元超过法定最高限额50,000元。",
        "citation": "《中华人民共和国大气污染防治法》第一百一十八条第一款",
        "reason_required": False,
    }


def test_calc_for_the_fire_lane_item_for_a_person(data_dir: Path) -> None:
    base = ("--item", "ZB-009", "--party", "person")
    general = _calc(data_dir, *base)
    assert general["tier"]["code"] == "general" and _yuan(general["range_yuan"]) == [150, 350]
    assert general["simple_procedure"]["possible"] is True  # 警告或者 200 元以下 (第五十一条)
    assert "200元以下" in general["simple_procedure"]["reason"]

    small = _calc(data_dir, *base, "--proposed", "100", "--circumstance", "small_scale")
    assert small["simple_procedure"]["possible"] is True
    assert small["deviation"]["kind"] == "inside_tier"
    over = _calc(data_dir, *base, "--proposed", "300")
    assert over["simple_procedure"]["possible"] is False  # above 200 yuan: the ordinary procedure
    assert over["deviation"]["severity"] == "ok"
    organisation = _calc(data_dir, "--item", "ZB-009", "--party", "organisation")
    assert _yuan(organisation["statutory_yuan"]) == [5000, 50000]
    assert organisation["simple_procedure"]["possible"] is False

    first = _calc(
        data_dir,
        *base,
        "--circumstance",
        "first_violation",
        "--circumstance",
        "minor_harm",
        "--circumstance",
        "corrected",
        "--proposed",
        "200",  # inside the 一般 tier: the finding is the fine itself (首违不罚)
    )
    assert first["first_violation"] is True
    assert first["deviation"]["kind"] == "first_violation_fined"
    assert first["deviation"]["reason_required"] is True
    minor = ("--circumstance", "minor", "--circumstance", "corrected", "--circumstance", "no_harm")
    no_penalty = _calc(data_dir, *base, *minor, "--proposed", "100")
    assert no_penalty["no_penalty"] is True
    assert no_penalty["tier"]["code"] == "no_penalty"
    assert no_penalty["deviation"]["kind"] == "mandatory_no_penalty_fined"
    assert no_penalty["deviation"]["severity"] == "red"

    text = run_cli("discretion", "calc", *base, "--proposed", "100", "--data-dir", str(data_dir))
    assert text.returncode == 0
    assert "简易程序：可以适用" in text.stdout and "第五十一条" in text.stdout


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_export_and_reimport(data_dir: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"exported{suffix}"
    assert _json("items", "export", str(out), "--data-dir", str(data_dir))["path"] == str(out)
    assert out.is_file()
    again = _import(data_dir, out)
    assert (again["benchmarks"], again["replaced"], again["changed"]) == (2, 2, 0)
    fresh = tmp_path / "fresh"
    copied = _import(fresh, out)
    assert (copied["benchmarks"], copied["items"], copied["replaced"]) == (2, 32, 0)
    assert _codes(fresh) == _codes(data_dir)
    assert _calc(fresh, "--item", "ZB-006", "--party", "org", "--circumstance", "small_scale",
                 "--circumstance", "exceeds_standard")["range_yuan"] == ["6000.00", "18500.00"]  # fmt: skip


def test_bad_files_are_refused_in_chinese_and_store_nothing(tmp_path: Path, data_dir: Path) -> None:
    data = json.loads(SAMPLE.read_text("utf-8"))
    oil = next(i for i in data["benchmarks"][0]["items"] if i["item_code"] == "ZB-006")
    general = next(t for t in oil["ranges"][0]["tiers"] if t["level"] == "general")
    general["min"] = 20000  # a gap after 从轻 (… 18500)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    fresh = tmp_path / "fresh"
    done = run_cli("items", "import", str(bad), "--no-citation-check", "--data-dir", str(fresh))
    assert done.returncode == 1
    assert "裁量基准未通过校验" in done.stderr and "空档" in done.stderr
    assert _codes(fresh) == []

    done = run_cli("items", "import", str(bad), "--no-citation-check", "--data-dir", str(data_dir), "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["ok"] is False
    assert len(_codes(data_dir)) == 30  # the benchmarks stored before are intact

    garbage = tmp_path / "garbage.json"
    garbage.write_text("{这不是 JSON", "utf-8")
    done = run_cli("items", "import", str(garbage), "--no-citation-check", "--data-dir", str(fresh))
    assert done.returncode == 1 and "不是有效的 JSON" in done.stderr
    done = run_cli("items", "export", str(tmp_path / "out.csv"), "--data-dir", str(data_dir))
    assert done.returncode == 1 and "不支持的裁量基准文件类型" in done.stderr
    assert _codes(fresh) == []


def test_the_citation_check_needs_the_statute_library(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    done = run_cli("items", "import", str(SAMPLE), "--data-dir", str(fresh))
    assert done.returncode == 1
    assert "法规库为空" in done.stderr and "--no-citation-check" in done.stderr
    assert _codes(fresh) == []


def test_unknown_items_and_circumstances_are_user_errors(data_dir: Path) -> None:
    done = run_cli("items", "show", "ZB-999", "--data-dir", str(data_dir))
    assert done.returncode == 1 and "没有执法事项：ZB-999" in done.stderr
    done = run_cli(
        "discretion", "calc", "--item", "ZB-009", "--party", "person", "--circumstance", "bribed",
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert done.returncode == 1 and "没有这些情节：bribed" in done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["discretion", "calc", "--party", "person"],  # no --item
        ["discretion", "calc", "--item", "ZB-009", "--party", "robot"],
        ["discretion", "calc", "--item", "ZB-009", "--party", "person", "--proposed", "很多"],
        ["discretion", "calc", "--item", "ZB-009", "--party", "person", "--proposed", "-5"],
        ["discretion"],
        ["items"],
        ["items", "import"],
    ],
)
def test_usage_errors_exit_2(data_dir: Path, argv: list[str]) -> None:
    done = run_cli(*argv, "--data-dir", str(data_dir))
    assert done.returncode == 2
    assert "用法错误" in done.stderr
