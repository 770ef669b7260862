"""``workstation laws …`` as users and automation run it: import, search, show, cite.

A small corpus (the one tests/db/test_statute_library.py builds) is imported once for the
command tests; the whole shared corpus is imported once, into its own data directory, for
the report counts and a few searches over real laws.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..conftest import SHARED, run_cli
from ..db.test_statute_library import (
    ARTICLES,
    NOISE_OLD,
    ONLY_2017,
    TOTAL_ARTICLES,
    XZCF,
    XZCF_33_PARAGRAPH_2,
    XZCF_2021_PATH,
    ZJ,
    ZJ_BACKWARDS,
    ZJ_PATH,
    ZJ_TEXT,
    line_of,
    write_corpus,
)

CORPUS = SHARED / "corpus" / "laws"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Library:
    corpus: Path
    data_dir: str
    report: dict[str, Any]

    def run(self, *args: str, timeout: float = 120) -> Any:
        return run_cli(*args, "--data-dir", self.data_dir, timeout=timeout)

    def json(self, *args: str) -> dict[str, Any]:
        result = self.run(*args, "--json")
        assert result.returncode == 0, result.stderr
        data: dict[str, Any] = json.loads(result.stdout)
        assert data["ok"] is True
        return data


def _import(corpus: Path, data_dir: Path, timeout: float = 120) -> Library:
    result = run_cli("laws", "import", str(corpus), "--json", "--data-dir", str(data_dir), timeout=timeout)
    assert result.returncode == 0, result.stderr
    return Library(corpus, str(data_dir), json.loads(result.stdout))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Library:
    base = tmp_path_factory.mktemp("cli-laws")
    return _import(write_corpus(base / "laws"), base / "data")


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Library:
    if not CORPUS.is_dir():
        pytest.fail(f"the shared corpus is missing: {CORPUS}")
    base = tmp_path_factory.mktemp("cli-laws-full")
    return _import(CORPUS, base / "data", timeout=280)


# ============================================================================ import


def test_import_json_reports_counts_and_problems_with_file_and_line(small: Library) -> None:
    report = small.report
    assert report["ok"] is True
    assert report["format"] == "md"
    assert report["path"] == str(small.corpus)
    assert (report["files"], report["imported"], report["unchanged"]) == (5, 5, 0)
    assert (report["replaced"], report["duplicates"], report["failed"]) == (0, 0, 0)
    assert report["articles"] == TOTAL_ARTICLES
    assert report["annexes"] == 1
    assert report["problem_count"] == len(report["problems"]) == 1
    (problem,) = report["problems"]
    assert problem["file"] == ZJ_PATH
    assert problem["line"] == line_of(ZJ_TEXT, ZJ_BACKWARDS)
    assert problem["fragment"] == ZJ_BACKWARDS
    assert "条号没有递增" in problem["message"]

    again = small.run("laws", "import", str(small.corpus))
    assert again.returncode == 0, again.stderr
    assert "文件 5 个：新导入 0，未变化 5" in again.stdout
    assert f"{ZJ_PATH}:{problem['line']}" not in again.stdout  # unchanged files are not parsed again


def test_import_of_a_missing_path_exits_1_in_chinese(tmp_path: Path) -> None:
    result = run_cli("laws", "import", str(tmp_path / "nowhere"), "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 1
    assert "找不到要导入的文件或文件夹" in result.stderr
    assert "Traceback" not in result.stderr


# ============================================================================ search


def test_search_json_fields_with_synonyms(small: Library) -> None:
    data = small.json("laws", "search", "首违不罚")
    assert data["query"] == "首违不罚"
    assert data["terms"] == ["首违不罚"]
    assert data["also_searched"] == ["初次违法且危害后果轻微并及时改正"]
    assert data["total"] == 1
    assert data["jump"] is None
    assert data["per_law"] == []
    (hit,) = data["hits"]
    assert hit["title"] == XZCF
    assert hit["article"] == "第三十三条"
    assert (hit["number"], hit["suffix"]) == (33, 0)
    assert hit["status"] == "现行有效"
    assert hit["version_date"] == "2021-01-22"
    assert hit["level"] == "法律"
    assert "【初次违法且危害后果轻微并及时改正】" in hit["snippet"]


def test_search_with_a_date_filters_and_without_synonyms(small: Library) -> None:
    then = small.json("laws", "search", ONLY_2017, "--at", "2019-01-01")
    assert [(h["title"], h["article"], h["status"]) for h in then["hits"]] == [(XZCF, "第三十三条", "已修改")]
    assert then["hits"][0]["superseded_on"] == "2021-01-22"

    local = small.json("laws", "search", "罚款", "--level", "地方性法规", "--region", "浙江", "--no-synonyms")
    assert local["total"] >= 2
    assert {(h["title"], h["level"], h["region"]) for h in local["hits"]} == {(ZJ, "地方性法规", "浙江")}

    noise = small.json(
        "laws", "search", "高音广播喇叭", "--at", "2023-01-01", "--all-versions", "--limit", "5"
    )
    assert {h["title"] for h in noise["hits"]} == {"中华人民共和国噪声污染防治法"}


def test_search_jump_returns_the_article(small: Library) -> None:
    data = small.json("laws", "search", "处罚法第三十三条")
    assert data["hits"] == []
    jump = data["jump"]
    assert jump["title"] == XZCF
    assert jump["label"] == "第三十三条"
    assert jump["version_date"] == "2021-01-22"
    assert [p["number"] for p in jump["paragraphs"]] == [1, 2, 3]
    assert jump["paragraphs"][1]["text"] == XZCF_33_PARAGRAPH_2


@pytest.mark.parametrize("query", ["，。！？……", "罚" * 10_000])
def test_search_without_searchable_text_exits_1_in_chinese(small: Library, query: str) -> None:
    result = small.run("laws", "search", query, "--json")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("错误：")
    assert CHINESE.search(result.stderr.removeprefix("错误："))
    error = json.loads(result.stdout)
    assert error["ok"] is False
    assert error["error"]["code"] == "invalid_input"


# ============================================================================ show


def test_show_an_article_json(small: Library) -> None:
    data = small.json("laws", "show", "处罚法", "33")
    assert data["law"]["title"] == XZCF
    assert "处罚法" in data["law"]["short_names"]
    assert data["version"]["status"] == "现行有效"
    assert [v["version_date"] for v in data["versions"]] == ["2017-09-01", "2021-01-22"]
    article = data["article"]
    assert article["label"] == "第三十三条"
    assert article["paragraphs"][1] == {"number": 2, "text": XZCF_33_PARAGRAPH_2, "items": []}
    assert "articles" not in data

    then = small.json("laws", "show", "中华人民共和国行政处罚法", "第三十三条", "--at", "2019-01-01")
    assert then["version"]["version_date"] == "2017-09-01"
    assert then["version"]["status"] == "已修改"
    assert ONLY_2017 in then["article"]["text"]

    whole = small.json("laws", "show", "行政处罚法")
    assert len(whole["articles"]) == ARTICLES[XZCF_2021_PATH]
    assert whole["articles"][-1]["label"] == "第三十三条之一"
    assert [i["number"] for i in whole["articles"][-1]["paragraphs"][0]["items"]] == [1, 2]


def test_show_of_an_unknown_law_or_article_exits_1_in_chinese(small: Library) -> None:
    unknown = small.run("laws", "show", "不存在的管理条例")
    assert unknown.returncode == 1
    assert "法规库中没有《不存在的管理条例》" in unknown.stderr
    assert unknown.stdout == ""

    missing = small.run("laws", "show", "处罚法", "900", "--json")
    assert missing.returncode == 1
    assert "没有第九百条" in missing.stderr
    assert f"该版本共 {ARTICLES[XZCF_2021_PATH]} 条" in missing.stderr
    assert json.loads(missing.stdout)["error"]["code"] == "not_found"


# ============================================================================ cite


def test_cite_json_resolves_paragraphs_and_reports_missing_articles(small: Library) -> None:
    data = small.json("laws", "cite", "依据《中华人民共和国行政处罚法》第三十三条第二款、第九百条的规定")
    assert data["count"] == 2
    assert data["problems"] == 1
    good, bad = data["citations"]
    assert (good["status"], good["ok"], good["paragraph"]) == ("resolved", True, 2)
    assert good["cited_text"] == XZCF_33_PARAGRAPH_2
    assert good["law"]["title"] == XZCF
    assert good["version"]["version_date"] == "2021-01-22"
    assert (bad["status"], bad["ok"], bad["cited_text"]) == ("no_such_article", False, "")
    assert "第九百条不存在" in bad["message"]


def test_cite_with_a_date_and_a_context_law(small: Library) -> None:
    data = small.json(
        "laws",
        "cite",
        "依据本法第三十三条的规定",
        "--at",
        "2019-01-01",
        "--context-law",
        "中华人民共和国行政处罚法",
    )
    (check,) = data["citations"]
    assert check["status"] == "resolved" and check["ok"] is True
    assert check["resolved_law"] == "中华人民共和国行政处罚法"
    assert check["version"]["version_date"] == "2017-09-01"
    assert ONLY_2017 in check["cited_text"]
    assert "从旧兼从轻" in check["lenity_warning"]
    assert CHINESE.search(check["message"])

    repealed = small.json("laws", "cite", f"《{NOISE_OLD}》第四十五条", "--at", "2023-01-01")
    assert repealed["citations"][0]["status"] == "repealed"
    assert "废止" in repealed["citations"][0]["message"]


# ============================================================================ the whole shared corpus


def _corpus_files() -> set[str]:
    skip = {"_index.md", "法律法规模版.md"}
    return {
        path.relative_to(CORPUS).as_posix()
        for path in CORPUS.rglob("*.md")
        if path.name not in skip and not any(part.startswith(".") for part in path.relative_to(CORPUS).parts)
    }


@pytest.mark.timeout(300)
def test_importing_the_whole_shared_corpus_reports_every_file_and_fragment(full: Library) -> None:
    report = full.report
    files = _corpus_files()
    assert 2_500 <= len(files) <= 2_700
    assert report["files"] == len(files)
    assert report["unchanged"] == 0 and report["replaced"] == 0 and not report["cancelled"]
    assert report["imported"] + report["duplicates"] + report["failed"] == report["files"]
    assert report["imported"] >= len(files) - 20
    assert 100_000 <= report["articles"] <= 115_000
    assert report["annexes"] > 100

    problems = report["problems"]
    assert report["problem_count"] == len(problems) > 0
    assert {p["file"] for p in problems} <= files
    duplicates = [p for p in problems if "重复版本" in p["message"]]
    assert len(duplicates) == report["duplicates"]
    assert report["failed"] <= sum("正文为空" in p["message"] for p in problems)
    for problem in problems:
        assert isinstance(problem["line"], int) and problem["line"] >= 0
        if problem["line"] and problem["fragment"]:
            lines = (CORPUS / problem["file"]).read_text(encoding="utf-8").split("\n")
            where = "".join(lines[problem["line"] - 1].split())
            assert "".join(problem["fragment"].split())[:15] in where, problem
    dash = [p for p in problems if "疑为“一”" in p["message"]]
    assert dash and all(p["fragment"].startswith("第") for p in dash)


@pytest.mark.timeout(300)
def test_searches_over_the_whole_shared_corpus(full: Library) -> None:
    fire = full.json("laws", "search", "消防车通道")
    assert fire["hits"][0]["title"] == "中华人民共和国消防法"
    assert fire["hits"][0]["status"] == "现行有效"
    assert fire["total"] >= 10

    first_offence = full.json("laws", "search", "首违不罚")
    assert "初次违法且危害后果轻微并及时改正" in first_offence["also_searched"]
    assert ("中华人民共和国行政处罚法", "第三十三条") in {
        (h["title"], h["article"]) for h in first_offence["hits"]
    }

    jump = full.json("laws", "search", "行政处罚法 33")["jump"]
    assert jump["title"] == "中华人民共和国行政处罚法" and jump["label"] == "第三十三条"
    assert "初次违法且危害后果轻微并及时改正" in jump["text"]

    noise = full.json("laws", "show", "环境噪声污染防治法")
    assert noise["version"]["status"] == "已废止"
    assert noise["version"]["repealed_on"] == "2022-06-05"

    cite = full.json("laws", "cite", "《中华人民共和国消防法》第二十八条", "--at", "2024-01-01")
    assert cite["citations"][0]["ok"] is True
    assert "消防车通道" in cite["citations"][0]["cited_text"]


@pytest.mark.timeout(300)
def test_a_very_common_term_gives_hit_counts_per_law(full: Library) -> None:
    """罚款 is in thousands of articles: counted exactly, per law, with a suggestion that tells the truth."""
    with contextlib.closing(sqlite3.connect(Path(full.data_dir) / "workstation.db")) as conn:
        per_title = dict(
            conn.execute(
                "SELECT l.title, count(*) FROM articles a JOIN law_versions v ON v.id = a.version_id "
                "JOIN laws l ON l.id = v.law_id WHERE v.is_latest = 1 AND instr(a.text, '罚款') > 0 "
                "GROUP BY l.title"
            ).fetchall()
        )
    scanned = sum(per_title.values())
    assert scanned > 3000

    data = full.json("laws", "search", "罚款", "--no-synonyms")

    assert data["total"] == scanned  # every article with the word, none without
    assert len(data["hits"]) == 20
    assert 0 < len(data["per_law"]) <= len(per_title)
    for count in data["per_law"][:5]:
        assert count["hits"] == per_title[count["title"]], count["title"]
    assert f"出现在 {len(per_title)} 部法规的 {scanned} 条条文中" in data["suggestion"]
