"""Every 执法文书 template filled from a complete demo case and read back with python-docx.

The demo seed brings cases that, between them, run every workflow to the documents of
PROCEDURE.md §2: an ordinary case heard and enforced by the court to 归档, a 首违不罚 case, a
simple procedure, a 扣押 extended and released, and a 综合查一次 with 责令改正. For each template
the test renders the document from the seeded case through the real DocumentService (numbered,
with the statute text of its legal basis from the laws the case cites, imported from the real
corpus), then reads the .docx back: every value the case holds for the document is printed and
no placeholder is left.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import docx
import pytest

from workstation.app import Core, build_core
from workstation.documents.catalog import CATALOG
from workstation.domain.clock import FixedClock
from workstation.paths import DataPaths

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "laws"
#: The laws the demo cases cite (their decisions print the articles).
LAWS = (
    "大气污染防治法(2018-10-26).md",
    "消防法(2021-04-29).md",
    "城市市容和环境卫生管理条例(2017-03-01).md",
    "行政处罚法(2021-01-22).md",
    "行政强制法(2011-06-30).md",
    "食品安全法(2021-04-29).md",
)

COMPLETE = "小吃店超标排放油烟经听证后处罚（完整卷宗）（示例）"
FIRST_VIOLATION = "占用消防车通道妨碍通行（首违不罚）（示例）"
SIMPLE = "店外占道经营影响市容（简易程序）（示例）"
SEIZURE = "扣押涉嫌过期预包装食品（示例）"
INSPECTION = "餐饮店综合查一次（示例）"
AGENCY = "榕溪镇人民政府（示例）"

#: Which demo case each template is filled from (the rest come from the complete case).
CASE_OF = {
    "no_penalty_decision": FIRST_VIOLATION,
    "on_spot_decision": SIMPLE,
    "seizure_decision": SEIZURE,
    "seizure_list": SEIZURE,
    "seizure_extension": SEIZURE,
    "seizure_release": SEIZURE,
    "inspection_record": INSPECTION,
}
#: Rendered last: they print what earlier documents of the case carry (决定书文号, 卷内文件).
LATER = ("service_receipt", "reminder", "dossier_index")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the law corpus (../shared/corpus) is not here")


def _demo() -> dict[str, dict[str, Any]]:
    text = resources.files("workstation.resources").joinpath("demo/demo_cases.json").read_text("utf-8")
    return {c["title"]: c for c in json.loads(text)["cases"]}


def _inputs(case: dict[str, Any], action: str) -> dict[str, Any]:
    return next(s["inputs"] for s in case["steps"] if s["action"] == action)


def _expected() -> dict[str, list[str]]:
    """The case values each document must print, taken from the demo data itself."""
    demo = _demo()
    full = demo[COMPLETE]
    filed = _inputs(full, "file")
    evidence = _inputs(full, "collect_evidence")
    saved = _inputs(full, "save_evidence")
    discussion = _inputs(full, "collective_discussion")
    hearing = _inputs(full, "notify_hearing")
    decision = _inputs(full, "decide")
    archive = _inputs(full, "archive")
    first = _inputs(demo[FIRST_VIOLATION], "decide_no_penalty")
    on_spot = _inputs(demo[SIMPLE], "decide_on_spot")
    approval = _inputs(demo[SEIZURE], "approve")
    seizure = _inputs(demo[SEIZURE], "seize")
    extension = _inputs(demo[SEIZURE], "extend")
    release = _inputs(demo[SEIZURE], "release")
    inspect = _inputs(demo[INSPECTION], "inspect")
    restaurant = "榕溪镇某某餐饮店（示例）"
    officers = ["林建华（示例）", "35012100101", "陈晓敏（示例）", "35012100102"]
    return {
        "filing_approval": [COMPLETE, restaurant, filed["brief_facts"], *officers],
        "inspection_record": [INSPECTION, inspect["place"], inspect["findings"], "陈晓敏（示例）"],
        "inquiry_record": [
            evidence["interviewee"],
            evidence["inquiry_place"],
            evidence["inquiry_start"],
            evidence["questioner"],
            evidence["recorder"],
            *(part for qa in evidence["qa"] for part in (qa["q"], qa["a"])),
        ],
        "save_notice": [restaurant, *(item["name"] for item in saved["saved_items"])],
        "rectify_notice": [restaurant, filed["violation"], filed["violation_basis"]],
        "investigation_report": [COMPLETE, restaurant, "贰万元", "书证"],
        "legal_review_opinion": [COMPLETE, "事实清楚，证据确凿，程序合法"],
        "collective_discussion": [
            COMPLETE,
            discussion["discussion_place"],
            discussion["discussion_chair"],
            discussion["discussion_result"],
            *discussion["discussion_attendees"],
            *(o["opinion"] for o in discussion["discussion_opinions"]),
        ],
        "prior_notice": [restaurant, "贰万元"],
        "hearing_notice": [restaurant, hearing["hearing_place"], hearing["hearing_host"]],
        "hearing_record": [COMPLETE, hearing["hearing_place"]],
        "penalty_decision": [
            restaurant,
            "92350121MA2Y3K4L54",
            decision["facts"],
            decision["penalty_basis"],
            decision["review_body"],
            "贰万元",
            "百分之三",
            # The article itself, from the version in force on the day of the act.
            "超过排放标准排放油烟的，由县级以上地方人民政府确定的监督管理部门责令改正，处五千元以上五万元以下的罚款",
        ],
        "no_penalty_decision": ["溪东村经济合作社（示例）", first["facts"], first["review_body"]],
        "on_spot_decision": [
            "张某某（示例）",
            on_spot["penalty_basis"],
            on_spot["place"],
            on_spot["review_body"],
            "擅自在街道两侧和公共场地堆放物料",
        ],
        "service_receipt": [COMPLETE, "行政处罚决定书", "直接送达"],
        "reminder": [restaurant, "贰万元"],
        "seizure_decision": [
            "某某建材有限公司（示例）",
            approval["seizure_basis"],
            approval["seizure_reason"],
            approval["seizure_place"],
        ],
        "seizure_list": ["某某建材有限公司（示例）", *(item["name"] for item in seizure["items"])],
        "seizure_extension": ["某某建材有限公司（示例）", extension["extension_reason"], "三十日"],
        "seizure_release": ["某某建材有限公司（示例）", release["release_reason"]],
        "closing_approval": [COMPLETE, restaurant],
        "dossier_index": [COMPLETE, "行政处罚决定书", "立案审批表"],
        "dossier_note": [archive["archivist"], archive["archive_checker"], archive["dossier_remark"]],
    }


def _text(path: Path) -> str:
    """All the text of a .docx: body paragraphs, table cells, headers and footers."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        for story in (section.header, section.footer):
            parts.extend(p.text for p in story.paragraphs)
            for table in story.tables:
                for row in table.rows:
                    parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def demo_core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    from workstation.paths import prepare_data_dir

    root = tmp_path_factory.mktemp("demo-docs")
    paths: DataPaths = prepare_data_dir(root / "data")
    core = build_core(paths, clock=FixedClock(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)))
    core.office.seed_demo(with_cases=True)
    laws = root / "laws"
    laws.mkdir()
    for name in LAWS:
        found = next(CORPUS.rglob(name))
        shutil.copy(found, laws / name)
    report = core.statutes.import_laws(laws).value
    assert report.failed == 0, report
    yield core
    core.close()


@pytest.fixture(scope="module")
def rendered(demo_core: Core, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every template rendered once, in an order where each document's sources come first."""
    out = tmp_path_factory.mktemp("rendered")
    ids = _case_ids(demo_core)
    order = [c for c in CATALOG if c not in LATER] + list(LATER)
    paths: dict[str, Path] = {}
    for code in order:
        case_id = ids[CASE_OF.get(code, COMPLETE)]
        missing = demo_core.documents.missing(case_id, code).value
        assert missing == [], f"{code}: {[(m.label, m.where) for m in missing]}"
        target = out / f"{code}.docx"
        demo_core.documents.render(case_id, code, target)
        paths[code] = target
    return paths


def _case_ids(core: Core) -> dict[str, str]:
    from sqlalchemy import select

    from workstation.persistence.models import CaseRow

    with core.database.engine.connect() as conn:
        return {row.title: row.id for row in conn.execute(select(CaseRow.title, CaseRow.id))}


def test_the_demo_cases_fill_every_template(rendered: dict[str, Path]) -> None:
    assert set(rendered) == set(CATALOG)


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_case_value_is_printed_and_no_placeholder_is_left(rendered: dict[str, Path], code: str) -> None:
    text = _text(rendered[code])
    for mark in ("{{", "}}", "{%", "%}", "{#"):
        assert mark not in text, f"{code}: placeholder {mark} left"
    assert AGENCY.removesuffix("（示例）") in text
    absent = [value for value in _expected()[code] if str(value) not in text]
    assert absent == [], f"{code} does not print {absent}"
