"""The 法律依据 of the decisions from the statute library, on a real data directory with laws
imported from the real corpus (../shared/corpus/laws, see shared/corpus/README.md): each cited
article is printed in the version in force on the day of the conduct, and a citation that does
not resolve blocks the document (no file, no number) with a Chinese message saying what to do.

《中华人民共和国文物保护法》 is in the corpus in two versions (2017年11月4日 and 2024年11月8日)
whose 第六十六条 differ entirely: a penalty clause in 2017, 民间收藏 in 2024; the 2017 version
has eighty articles, so 第九十九条 exists only in the 2024 one.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import docx
import pytest

from workstation.app import Core
from workstation.documents.catalog import LEGAL_BASIS
from workstation.domain.document_ports import LegalBasis
from workstation.domain.errors import InvalidInput
from workstation.library.legal_basis import LibraryLegalBasisResolver
from workstation.library.store import SqlStatuteLookup
from workstation.services.documents import IMPORT_WHERE, basis_date

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "laws"
RELICS = "《中华人民共和国文物保护法》"
LAWS = (
    "行政法/文物保护法(2017-11-04).md",
    "行政法/文物保护法(2024-11-08).md",
    "行政法/行政处罚法(2021-01-22).md",
)
CITY = "行政法规/城市市容和环境卫生管理条例(2017-03-01).md"
OLD_66 = "造成严重后果的，处五万元以上五十万元以下的罚款"
NEW_66 = "国家鼓励公民、组织合法收藏"
NOTIFIED = "餐饮店未安装油烟净化设施（示例）"
SIMPLE = "店外占道经营影响市容（简易程序）（示例）"
CLOSED = "占用消防车通道妨碍通行（首违不罚）（示例）"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"找不到法规语料库 {CORPUS}：本测试需要 ../shared/corpus/laws（见 shared/corpus/README.md）",
)


def _import(core: Core, tmp_path: Path, *names: str) -> None:
    """Import the named corpus files (copied with their folders) into the statute library."""
    folder = tmp_path / "corpus"
    for name in names:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / name, target)
    report = core.statutes.import_laws(folder).value
    assert report.failed == 0 and report.imported + report.unchanged >= len(names)
    shutil.rmtree(folder)


@pytest.fixture
def seeded(core: Core) -> Core:
    core.office.seed_demo(with_cases=True)
    return core


def _case(core: Core, title: str) -> str:
    with sqlite3.connect(core.database.path) as conn:
        (found,) = conn.execute("SELECT id FROM cases WHERE title = ?", (title,)).fetchone()
    return str(found)


def _text(path: Path) -> str:
    document = docx.Document(str(path))
    return re.sub(r"\s+", "", "\n".join(p.text for p in document.paragraphs))


def _decision(act_date: str, basis: str) -> dict[str, Any]:
    """What the 作出行政处罚决定 action would have entered, for the notified demo case."""
    return {
        "act_date": act_date,
        "facts": "当事人擅自在文物保护单位的保护范围内进行挖掘作业，有现场照片、询问笔录为证。",
        "penalty_basis": basis,
        "violation_basis": "",
        "performance": "自收到本决定书之日起十五日内缴纳罚款",
        "review_body": "闽侯县人民政府",
    }


# ------------------------------------------------------------------ the resolver


def test_the_resolver_gives_the_version_in_force_on_the_day(core: Core, tmp_path: Path) -> None:
    _import(core, tmp_path, *LAWS)
    resolver = LibraryLegalBasisResolver(SqlStatuteLookup(core.database.engine))
    old = resolver.resolve(f"{RELICS}第六十六条", dt.date(2024, 6, 1))
    new = resolver.resolve(f"{RELICS}第六十六条", dt.date(2025, 6, 1))
    assert old.ok and new.ok
    (before,) = old.articles
    (after,) = new.articles
    assert before.citation == after.citation == f"{RELICS}第六十六条"
    assert OLD_66 in before.text and NEW_66 not in before.text
    assert NEW_66 in after.text and OLD_66 not in after.text
    assert before.effective_date == dt.date(2017, 11, 4) and after.effective_date == dt.date(2024, 11, 8)
    assert before.article_label == "第六十六条" and before.law_title == "中华人民共和国文物保护法"

    # A 项 prints the 款's lead and the 项; a list names the law once and resolves every article.
    (item,) = resolver.resolve(f"{RELICS}第六十六条第一款第（三）项", dt.date(2024, 6, 1)).articles
    assert (
        item.text.splitlines()[0].startswith("有下列行为之一") and "擅自迁移、拆除不可移动文物" in item.text
    )
    listed = resolver.resolve(f"{RELICS}第六十六条、第六十七条", dt.date(2025, 6, 1))
    assert [a.article_label for a in listed.articles] == ["第六十六条", "第六十七条"]


def test_the_resolver_reports_what_does_not_resolve(core: Core, tmp_path: Path) -> None:
    resolver = LibraryLegalBasisResolver(SqlStatuteLookup(core.database.engine))
    empty = resolver.resolve(f"{RELICS}第六十六条", dt.date(2024, 6, 1))
    (problem,) = empty.problems
    assert problem.needs_import and "导入法规库（找法 → 导入）" in problem.message
    assert not empty.articles

    _import(core, tmp_path, *LAWS)
    missing = resolver.resolve(f"{RELICS}第九十九条", dt.date(2024, 6, 1))
    assert missing.problems[0].message == (
        f"{RELICS}第九十九条在2017年11月4日施行的版本中不存在，请核对条文。"
    )
    assert not missing.problems[0].needs_import and not missing.articles
    early = resolver.resolve(f"{RELICS}第六十六条", dt.date(2016, 1, 1)).problems[0]
    assert "尚未施行" in early.message and "2016年1月1日" in early.message
    assert "款" in resolver.resolve(f"{RELICS}第六十六条第三款", dt.date(2024, 6, 1)).problems[0].message
    vague = resolver.resolve("依照有关规定", dt.date(2024, 6, 1)).problems[0]
    assert "没有可识别的法条引用" in vague.message
    assert resolver.resolve("  ", dt.date(2024, 6, 1)) == LegalBasis()


def test_the_day_is_the_act_date_then_the_decision_date_then_the_issue_date() -> None:
    today = dt.date(2026, 3, 1)
    assert basis_date({"act_date": "2024-06-01", "decided_on": "2025-01-02"}, today) == dt.date(2024, 6, 1)
    assert basis_date({"act_date": "", "decided_on": "2025-01-02"}, today) == dt.date(2025, 1, 2)
    assert basis_date({"act_date": "不详"}, today) == today


# ------------------------------------------------------------------ the documents


def test_the_decision_prints_the_article_of_the_act_date_not_the_newest(seeded: Core, tmp_path: Path) -> None:
    _import(seeded, tmp_path, *LAWS)
    case_id = _case(seeded, NOTIFIED)
    documents = seeded.documents

    old = documents.render(
        case_id,
        "penalty_decision",
        tmp_path / "old.docx",
        extra=_decision("2024-06-01", f"{RELICS}第六十六条"),
    ).value
    text = _text(old.path)
    assert "法律依据：" in text and f"{RELICS}第六十六条：" in text
    assert OLD_66 in text and NEW_66 not in text

    new = documents.render(
        case_id,
        "penalty_decision",
        tmp_path / "new.docx",
        extra=_decision("2025-06-01", f"{RELICS}第六十六条"),
    ).value
    text = _text(new.path)
    assert NEW_66 in text and OLD_66 not in text
    assert documents.verify(new.path).value.ok  # the printed articles are part of the content hash

    # The 事先告知书 prints them the same way.
    notice = documents.render(
        case_id,
        "prior_notice",
        tmp_path / "notice.docx",
        extra=_decision("2024-06-01", f"{RELICS}第六十六条"),
    ).value
    assert OLD_66 in _text(notice.path)


def test_a_citation_missing_in_that_version_blocks_the_document(seeded: Core, tmp_path: Path) -> None:
    _import(seeded, tmp_path, *LAWS)
    case_id = _case(seeded, NOTIFIED)
    out = tmp_path / "out"
    out.mkdir()
    extra = _decision("2024-06-01", f"{RELICS}第八十三条、第九十九条")
    with pytest.raises(InvalidInput) as refused:
        seeded.documents.render(case_id, "penalty_decision", out / "d.docx", extra=extra)
    message = refused.value.message
    assert "不能出具" in message and "法律依据有2处无法核对" in message
    assert f"处罚依据{RELICS}第九十九条在2017年11月4日施行的版本中不存在，请核对条文" in message
    assert "作出行政处罚决定 → 处罚依据" in message
    assert list(out.iterdir()) == []  # no file
    assert seeded.documents.list(case_id).value[0].status == "available"  # no number taken

    # On a day the 2024 version applies, both articles exist and the document is issued.
    later = seeded.documents.render(
        case_id, "penalty_decision", out / "d.docx", extra={**extra, "act_date": "2025-06-01"}
    ).value
    text = _text(later.path)
    assert f"{RELICS}第九十九条：" in text and "人民检察院可以依照有关诉讼法的规定提起公益诉讼" in text


def test_missing_names_the_import_when_the_library_lacks_the_law(seeded: Core, tmp_path: Path) -> None:
    case_id = _case(seeded, SIMPLE)  # 《城市市容和环境卫生管理条例》第三十六条第（二）项
    documents = seeded.documents
    (problem,) = documents.missing(case_id, "on_spot_decision").value
    assert problem.name == LEGAL_BASIS and problem.where == IMPORT_WHERE
    assert problem.label.startswith("处罚依据《城市市容和环境卫生管理条例》第三十六条第（二）项")
    assert "找法 → 导入" in problem.label
    listed = {d.code: d for d in documents.list(case_id).value}
    assert listed["on_spot_decision"].missing == (problem,)
    with pytest.raises(InvalidInput, match="找法 → 导入"):
        documents.render(case_id, "on_spot_decision", tmp_path / "d.docx")

    _import(seeded, tmp_path, CITY)
    assert documents.missing(case_id, "on_spot_decision").value == []
    made = documents.render(case_id, "on_spot_decision", tmp_path / "d.docx").value
    text = _text(made.path)
    assert "《城市市容和环境卫生管理条例》第三十六条第（二）项：" in text
    assert "有下列行为之一者" in text and "擅自在街道两侧和公共场地堆放物料" in text
    assert "擅自设置大型户外广告" not in text  # only the cited 项


def test_the_no_penalty_decision_checks_its_ground(seeded: Core, tmp_path: Path) -> None:
    """不予行政处罚决定书: the ground (《行政处罚法》第三十三条) is resolved like any citation."""
    case_id = _case(seeded, CLOSED)
    problems = seeded.documents.missing(case_id, "no_penalty_decision").value
    assert any(p.name == LEGAL_BASIS and "行政处罚法" in p.label for p in problems)
    _import(seeded, tmp_path, *LAWS, "行政法/消防法(2021-04-29).md")  # its 违法依据 too
    assert [
        p for p in seeded.documents.missing(case_id, "no_penalty_decision").value if p.name == LEGAL_BASIS
    ] == []


# ------------------------------------------------------------------ values from issued documents


def test_service_receipt_and_reminder_take_the_issued_decision(seeded: Core, tmp_path: Path) -> None:
    _import(seeded, tmp_path, *LAWS, CITY)
    documents = seeded.documents

    simple = _case(seeded, SIMPLE)
    names = {f.name for f in documents.missing(simple, "service_receipt").value}
    assert "served_document" in names  # nothing issued yet
    decision = documents.render(simple, "on_spot_decision", tmp_path / "d.docx").value
    names = {f.name for f in documents.missing(simple, "service_receipt").value}
    assert "served_document" not in names
    receipt = documents.render(
        simple,
        "service_receipt",
        tmp_path / "r.docx",
        extra={"service_method": "direct", "served_on": "2026-03-02"},
    ).value
    assert f"当场行政处罚决定书（{decision.number}）" in _text(receipt.path)
    # An explicit value wins.
    named = documents.render(
        simple,
        "service_receipt",
        tmp_path / "r2.docx",
        extra={"service_method": "direct", "served_on": "2026-03-02", "served_document": "责令改正通知书"},
    ).value
    text = _text(named.path)
    assert decision.number is not None
    assert "送达文书名称及文号：责令改正通知书" in text and decision.number not in text

    notified = _case(seeded, NOTIFIED)
    wanted = {f.name for f in documents.missing(notified, "reminder").value}
    assert {"decision_number", "decided_date"} <= wanted
    where = {f.name: f.where for f in documents.missing(notified, "reminder").value}
    assert where["decision_number"].startswith("先出具行政处罚决定书")
    penalty = documents.render(
        notified,
        "penalty_decision",
        tmp_path / "p.docx",
        extra=_decision("2024-06-01", f"{RELICS}第六十六条"),
    ).value
    wanted = {f.name for f in documents.missing(notified, "reminder").value}
    assert not wanted & {"decision_number", "decided_date"}
    reminder = documents.render(notified, "reminder", tmp_path / "c.docx").value
    assert f"作出{penalty.number}《行政处罚决定书》" in _text(reminder.path)


def test_the_dossier_index_lists_the_issued_documents(seeded: Core, tmp_path: Path) -> None:
    documents = seeded.documents
    closed = _case(seeded, CLOSED)
    closing = documents.render(closed, "closing_approval", tmp_path / "closing.docx").value
    assert "dossier_items" not in {f.name for f in documents.missing(closed, "dossier_index").value}
    index = documents.render(
        closed, "dossier_index", tmp_path / "index.docx", extra={"archive_no": "榕综执档〔2026〕1号"}
    ).value
    table = docx.Document(str(index.path)).tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[1][:2] == ["1", "结案审批表"] and rows[1][3] == f"{closing.issued_on.year}年" + (
        f"{closing.issued_on.month}月{closing.issued_on.day}日"
    )
    assert len(rows) == 2  # the 卷内目录 does not list itself
