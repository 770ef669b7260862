"""The citation parser and checker (domain/citations.py) against an in-memory statute library."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workstation.domain.citations import (
    EXPANSION_LIMIT,
    LENITY_RULE,
    RANGE_LIMIT,
    Citation,
    CitationStatus,
    LawSource,
    RangeProblem,
    check_citations,
    check_text,
    citation_label,
    find_citations,
    format_citation,
)
from workstation.domain.numerals import int_to_cn
from workstation.domain.statutes import (
    ArticleNumber,
    ArticleText,
    Item,
    LawLevel,
    LawRef,
    Paragraph,
    VersionRef,
    VersionStatus,
)

PRC = "中华人民共和国"
XZCF = "中华人民共和国行政处罚法"

# ============================================================================ fake library

Articles = dict[ArticleNumber, tuple[Paragraph, ...]]


@dataclass
class FakeLookup:
    """A StatuteLookup over a few laws held in memory."""

    laws: dict[str, LawRef] = field(default_factory=dict)
    law_versions: dict[str, list[VersionRef]] = field(default_factory=dict)
    texts: dict[str, Articles] = field(default_factory=dict)
    calls: int = 0

    def add(self, law: LawRef, *versions: tuple[VersionRef, Articles]) -> None:
        self.laws[law.law_id] = law
        self.law_versions[law.law_id] = [version for version, _ in versions]
        for version, articles in versions:
            self.texts[version.version_id] = articles

    def find_laws(self, name: str) -> list[LawRef]:
        self.calls += 1
        name = name.strip()
        return [
            law
            for law in self.laws.values()
            if name in (law.title, law.title.removeprefix(PRC)) or name in law.short_names
        ]

    def versions(self, law_id: str) -> list[VersionRef]:
        self.calls += 1
        return list(self.law_versions.get(law_id, []))

    def article(self, version_id: str, number: ArticleNumber) -> ArticleText | None:
        self.calls += 1
        paragraphs = self.texts.get(version_id, {}).get(number)
        if paragraphs is None:
            return None
        version = next(v for vs in self.law_versions.values() for v in vs if v.version_id == version_id)
        return ArticleText(version, number, ("第一章 总则",), paragraphs)


@dataclass
class CountingLookup(FakeLookup):
    """The same, with the optional ArticleCounter extra."""

    counted: list[str] = field(default_factory=list)

    def article_count(self, version_id: str) -> int:
        self.counted.append(version_id)
        return sum(1 for number in self.texts.get(version_id, {}) if number.suffix == 0)


def _plain(count: int, tag: str) -> Articles:
    return {ArticleNumber(n): (Paragraph(1, f"{tag}第{n}条正文。"),) for n in range(1, count + 1)}


def _items(*texts: str) -> tuple[Item, ...]:
    return tuple(Item(n, f"（{int_to_cn(n)}）{text}") for n, text in enumerate(texts, start=1))


ARTICLE_1 = (
    "为了规范行政处罚的设定和实施，保障和监督行政机关有效实施行政管理，维护公共利益和社会秩序，"
    "保护公民、法人或者其他组织的合法权益，根据宪法，制定本法。"
)

XZCF_2017 = VersionRef(
    version_id="xzcf-2017",
    law_id="xzcf",
    title="中华人民共和国行政处罚法（2017年修正）",
    version_date=dt.date(2017, 9, 1),
    effective_date=dt.date(2018, 1, 1),
    status=VersionStatus.AMENDED,
    superseded_on=dt.date(2021, 7, 15),
)
XZCF_2021 = VersionRef(
    version_id="xzcf-2021",
    law_id="xzcf",
    title="中华人民共和国行政处罚法（2021年修订）",
    version_date=dt.date(2021, 1, 22),
    effective_date=dt.date(2021, 7, 15),
    status=VersionStatus.CURRENT,
)


def _xzcf_2017() -> Articles:
    articles = _plain(64, "2017年行政处罚法")
    articles[ArticleNumber(1)] = (Paragraph(1, ARTICLE_1),)
    articles[ArticleNumber(27)] = (
        Paragraph(
            1,
            "当事人有下列情形之一的，应当依法从轻或者减轻行政处罚：",
            _items(
                "主动消除或者减轻违法行为危害后果的；",
                "受他人胁迫有违法行为的；",
                "配合行政机关查处违法行为有立功表现的；",
                "其他依法从轻或者减轻行政处罚的。",
            ),
        ),
        Paragraph(2, "违法行为轻微并及时纠正，没有造成危害后果的，不予行政处罚。"),
    )
    articles[ArticleNumber(33)] = (
        Paragraph(
            1,
            "违法事实确凿并有法定依据，对公民处以五十元以下、对法人或者其他组织处以一千元以下罚款"
            "或者警告的行政处罚的，可以当场作出行政处罚决定。",
        ),
    )
    return articles


def _xzcf_2021() -> Articles:
    articles = _plain(86, "2021年行政处罚法")
    articles[ArticleNumber(1)] = (Paragraph(1, ARTICLE_1),)
    articles[ArticleNumber(32)] = (
        Paragraph(
            1,
            "当事人有下列情形之一，应当从轻或者减轻行政处罚：",
            _items(
                "主动消除或者减轻违法行为危害后果的；",
                "受他人胁迫或者诱骗实施违法行为的；",
                "主动供述行政机关尚未掌握的违法行为的；",
                "配合行政机关查处违法行为有立功表现的；",
                "法律、法规、规章规定其他应当从轻或者减轻行政处罚的。",
            ),
        ),
    )
    articles[ArticleNumber(33)] = (
        Paragraph(
            1,
            "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。"
            "初次违法且危害后果轻微并及时改正的，可以不予行政处罚。",
        ),
        Paragraph(
            2, "当事人有证据足以证明没有主观过错的，不予行政处罚。法律、行政法规另有规定的，从其规定。"
        ),
        Paragraph(3, "对当事人的违法行为依法不予行政处罚的，行政机关应当对当事人进行教育。"),
    )
    articles[ArticleNumber(37)] = (Paragraph(1, LENITY_RULE),)
    # A 款 without 项 followed by one with 项 (for the "which 款?" hint).
    articles[ArticleNumber(45)] = (
        Paragraph(1, "当事人有权进行陈述和申辩。"),
        Paragraph(
            2,
            "行政机关不得因当事人陈述、申辩而给予更重的处罚，但有下列情形之一的除外：",
            _items("甲；", "乙。"),
        ),
    )
    return articles


def _law(law_id: str, title: str, *short: str, level: LawLevel = LawLevel.LAW, region: str = "") -> LawRef:
    return LawRef(law_id, title, short, level, region)


def _version(
    version_id: str,
    law_id: str,
    title: str,
    version_date: dt.date,
    effective: dt.date,
    status: VersionStatus = VersionStatus.CURRENT,
    repealed_on: dt.date | None = None,
) -> VersionRef:
    return VersionRef(version_id, law_id, title, version_date, effective, status, repealed_on=repealed_on)


def make_library(cls: type[FakeLookup] = FakeLookup) -> FakeLookup:
    lookup = cls()
    lookup.add(
        _law("xzcf", XZCF, "行政处罚法", "处罚法"),
        (XZCF_2017, _xzcf_2017()),
        (XZCF_2021, _xzcf_2021()),
    )
    criminal = _plain(452, "刑法")
    criminal[ArticleNumber(133, 1)] = (
        Paragraph(
            1,
            "在道路上驾驶机动车，有下列情形之一的，处拘役，并处罚金：",
            _items("追逐竞驶，情节恶劣的；", "醉酒驾驶机动车的；"),
        ),
    )
    criminal[ArticleNumber(133, 2)] = (Paragraph(1, "对行驶中的公共交通工具的驾驶人员使用暴力……"),)
    lookup.add(
        _law("xf", "中华人民共和国刑法", "刑法"),
        (
            _version(
                "xf-2020",
                "xf",
                "中华人民共和国刑法（2020年修正）",
                dt.date(2020, 12, 26),
                dt.date(2021, 3, 1),
            ),
            criminal,
        ),
    )
    lookup.add(
        _law(
            "zacf-tl", "中华人民共和国治安管理处罚条例", "治安管理处罚条例", level=LawLevel.ADMIN_REGULATION
        ),
        (
            _version(
                "zacf-tl-1994",
                "zacf-tl",
                "中华人民共和国治安管理处罚条例（1994年修正）",
                dt.date(1994, 5, 12),
                dt.date(1994, 5, 12),
                VersionStatus.REPEALED,
                repealed_on=dt.date(2006, 3, 1),
            ),
            _plain(45, "治安管理处罚条例"),
        ),
    )
    lookup.add(
        _law(
            "sfs-xz",
            "示范省乡镇综合行政执法条例",
            "乡镇综合行政执法条例",
            level=LawLevel.LOCAL_REGULATION,
            region="示范省",
        ),
        (
            _version(
                "sfs-xz-2026",
                "sfs-xz",
                "示范省乡镇综合行政执法条例",
                dt.date(2026, 11, 20),
                dt.date(2027, 3, 1),
                VersionStatus.NOT_YET_IN_FORCE,
            ),
            _plain(40, "乡镇综合行政执法条例"),
        ),
    )
    for law_id, city in (("sfs-sr", "示范市"), ("ylz-sr", "样例市")):
        lookup.add(
            _law(
                law_id,
                f"{city}市容和环境卫生管理条例",
                "市容条例",
                level=LawLevel.LOCAL_REGULATION,
                region=city,
            ),
            (
                _version(
                    f"{law_id}-1",
                    law_id,
                    f"{city}市容和环境卫生管理条例",
                    dt.date(2010, 1, 1),
                    dt.date(2010, 3, 1),
                ),
                _plain(50, city),
            ),
        )
    lookup.add(
        _law("wygl", "物业管理条例", level=LawLevel.ADMIN_REGULATION),
        (
            _version("wygl-1", "wygl", "物业管理条例", dt.date(2003, 6, 8), dt.date(2003, 9, 1)),
            _plain(67, "物业"),
        ),
    )
    lookup.add(
        _law(
            "sfs-wy", "示范省物业管理条例", "物业管理条例", level=LawLevel.LOCAL_REGULATION, region="示范省"
        ),
        (
            _version("sfs-wy-1", "sfs-wy", "示范省物业管理条例", dt.date(2009, 1, 1), dt.date(2009, 6, 1)),
            _plain(60, "示范省物业"),
        ),
    )
    return lookup


@pytest.fixture
def library() -> FakeLookup:
    return make_library()


DAY_2022 = dt.date(2022, 5, 10)
DAY_2019 = dt.date(2019, 6, 1)


def nums(citations: list[Citation]) -> list[tuple[int, int, int | None, int | None]]:
    return [(c.article.number, c.article.suffix, c.paragraph, c.item) for c in citations]


def only(text: str, context_law: str | None = None) -> Citation:
    found = find_citations(text, context_law)
    assert len(found) == 1, found
    return found[0]


def assert_spans(text: str, citations: list[Citation]) -> None:
    previous_end = 0
    for citation in citations:
        assert 0 <= citation.start <= citation.end <= len(text)
        assert citation.start >= previous_end
        assert citation.raw == text[citation.start : citation.end]
        assert citation.implied == (citation.start == citation.end)
        previous_end = citation.end


# ============================================================================ parser


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("《中华人民共和国行政处罚法》第三十三条", XZCF),
        ("《行政处罚法》第三十三条", "行政处罚法"),
        ("《 行政处罚法 》 第三十三条", "行政处罚法"),
        ("依据行政处罚法第三十三条", "行政处罚法"),
        ("根据中华人民共和国行政处罚法第三十三条", XZCF),
        ("当事人的行为违反了治安管理处罚条例第三十三条", "治安管理处罚条例"),
        ("依行政处罚法第三十三条", "行政处罚法"),
        ("刑法第三十三条", "刑法"),
        ("按照示范市市容和环境卫生管理条例第三十三条", "示范市市容和环境卫生管理条例"),
        ("依照中华人民共和国香港特别行政区基本法第三十三条", "中华人民共和国香港特别行政区基本法"),
        ("《行政处罚法》（2021年修订）第三十三条", "行政处罚法"),
        ("根据合同法第三十三条", "合同法"),
    ],
)
def test_law_names(text: str, name: str) -> None:
    citation = only(text)
    assert citation.law_name == name
    assert citation.resolved_law == name
    assert citation.law_source is LawSource.NAMED
    assert citation.article == ArticleNumber(33)
    assert citation.in_book_marks == ("《" in text)
    assert citation.raw.endswith("第三十三条")
    assert text.endswith(citation.raw)
    assert citation.raw.startswith("《" if "《" in text else name[0])


def test_span_and_raw_of_a_full_citation() -> None:
    text = "经查，依据《中华人民共和国行政处罚法》第三十三条第二款第（一）项的规定，决定如下。"
    citation = only(text)
    assert citation.raw == "《中华人民共和国行政处罚法》第三十三条第二款第（一）项"
    assert text[citation.start : citation.end] == citation.raw
    assert (citation.article, citation.paragraph, citation.item) == (ArticleNumber(33), 2, 1)
    assert citation.label == "第三十三条第二款第（一）项"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第三十三条", (33, 0, None, None)),
        ("第33条", (33, 0, None, None)),
        ("第３３条", (33, 0, None, None)),
        ("第 33 条", (33, 0, None, None)),
        ("第一百三十三条之一", (133, 1, None, None)),
        ("第133条之二", (133, 2, None, None)),
        ("第十条", (10, 0, None, None)),
        ("第一百一十条", (110, 0, None, None)),
        ("第三十三条第二款第（一）项", (33, 0, 2, 1)),
        ("第三十三条第二款第一项", (33, 0, 2, 1)),
        ("第33条第2款第(1)项", (33, 0, 2, 1)),
        ("第33条第2款第3项", (33, 0, 2, 3)),
        ("第三十二条第（五）项", (32, 0, None, 5)),
        ("第三十三条第三款", (33, 0, 3, None)),
        ("第五条之规定", (5, 0, None, None)),
    ],
)
def test_numbers(text: str, expected: tuple[int, int, int | None, int | None]) -> None:
    assert nums(find_citations("依照《行政处罚法》" + text)) == [expected]


def test_list_of_articles_with_an_item() -> None:
    text = "依据《行政处罚法》第十四条、第三十六条第（二）项"
    found = find_citations(text)
    assert nums(found) == [(14, 0, None, None), (36, 0, None, 2)]
    assert [c.law_name for c in found] == ["行政处罚法", "行政处罚法"]
    assert [c.raw for c in found] == ["《行政处罚法》第十四条", "第三十六条第（二）项"]
    assert_spans(text, found)


def test_range_of_articles_is_expanded() -> None:
    text = "《行政处罚法》第五十一条至第五十三条"
    found = find_citations(text)
    assert nums(found) == [(51, 0, None, None), (52, 0, None, None), (53, 0, None, None)]
    assert [c.implied for c in found] == [False, True, False]
    assert found[1].raw == "" and found[1].start == found[0].end
    assert all(c.law_name == "行政处罚法" for c in found)
    assert all(c.range_problem is None for c in found)
    assert_spans(text, found)


def test_range_with_suffixes() -> None:
    assert nums(find_citations("《刑法》第一百三十三条至第一百三十三条之二")) == [
        (133, 0, None, None),
        (133, 1, None, None),
        (133, 2, None, None),
    ]
    assert nums(find_citations("《刑法》第一百三十二条至第一百三十三条之一")) == [
        (132, 0, None, None),
        (133, 0, None, None),
        (133, 1, None, None),
    ]


def test_long_and_reversed_ranges_are_flagged_not_expanded() -> None:
    too_long = find_citations(f"《刑法》第一条至第{int_to_cn(RANGE_LIMIT + 1)}条")
    assert nums(too_long) == [(1, 0, None, None), (RANGE_LIMIT + 1, 0, None, None)]
    assert all(c.range_problem is RangeProblem.TOO_LONG for c in too_long)
    at_limit = find_citations(f"《刑法》第一条至第{int_to_cn(RANGE_LIMIT)}条")
    assert len(at_limit) == RANGE_LIMIT
    reversed_ = find_citations("《刑法》第五十三条至第五十一条")
    assert nums(reversed_) == [(53, 0, None, None), (51, 0, None, None)]
    assert all(c.range_problem is RangeProblem.REVERSED for c in reversed_)


def test_expansion_stops_at_the_text_limit() -> None:
    text = "《刑法》第一条至第二百条。" * 30
    found = find_citations(text)
    implied = [c for c in found if c.implied]
    assert len(implied) <= EXPANSION_LIMIT
    assert len(implied) == (EXPANSION_LIMIT // 198) * 198
    assert found[-1].range_problem is RangeProblem.TOO_MANY
    assert found[0].range_problem is None
    assert_spans(text, found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第三十三条第一款、第二款", [(33, 0, 1, None), (33, 0, 2, None)]),
        ("第三十三条第一款和第三款", [(33, 0, 1, None), (33, 0, 3, None)]),
        ("第三十三条第一款至第三款", [(33, 0, 1, None), (33, 0, 2, None), (33, 0, 3, None)]),
        ("第三十二条第（一）项至第（三）项", [(32, 0, None, 1), (32, 0, None, 2), (32, 0, None, 3)]),
        (
            "第五十七条第一款第（一）项至第（三）项",
            [(57, 0, 1, 1), (57, 0, 1, 2), (57, 0, 1, 3)],
        ),
        (
            "第三十二条第（一）项、第（二）项及第（四）项",
            [(32, 0, None, 1), (32, 0, None, 2), (32, 0, None, 4)],
        ),
        ("第十四条和第十五条", [(14, 0, None, None), (15, 0, None, None)]),
        ("第十四条及第十五条", [(14, 0, None, None), (15, 0, None, None)]),
        ("第十四条以及第十五条", [(14, 0, None, None), (15, 0, None, None)]),
        ("第十四条、第十五条和第十六条", [(14, 0, None, None), (15, 0, None, None), (16, 0, None, None)]),
        ("第三十三条第（一）项、第二款", [(33, 0, None, 1), (33, 0, 2, None)]),
        ("第三十三条第一款第（一）项、第（二）项", [(33, 0, 1, 1), (33, 0, 1, 2)]),
        # compact forms
        ("第十四、十五条", [(14, 0, None, None), (15, 0, None, None)]),
        ("第五十一至五十三条", [(51, 0, None, None), (52, 0, None, None), (53, 0, None, None)]),
        ("第三十三条第一、二款", [(33, 0, 1, None), (33, 0, 2, None)]),
        ("第三十二条第（一）、（二）项", [(32, 0, None, 1), (32, 0, None, 2)]),
        ("第三十二条第（一）至（三）项", [(32, 0, None, 1), (32, 0, None, 2), (32, 0, None, 3)]),
        # a range whose end goes deeper is not expanded
        ("第五十一条至第五十三条第二款", [(51, 0, None, None), (53, 0, 2, None)]),
    ],
)
def test_lists_and_ranges(text: str, expected: list[tuple[int, int, int | None, int | None]]) -> None:
    full = "依据《行政处罚法》" + text + "的规定"
    found = find_citations(full)
    assert nums(found) == expected
    assert all(c.law_name == "行政处罚法" for c in found)
    assert_spans(full, found)


def test_law_name_carries_over_only_within_the_list() -> None:
    text = "依据《行政处罚法》第一条、第二条。第五条另有规定，并参照《刑法》第三条和第四条，第六条。"
    found = find_citations(text)
    assert nums(found) == [(n, 0, None, None) for n in (1, 2, 5, 3, 4, 6)]
    assert [c.law_name for c in found] == ["行政处罚法", "行政处罚法", None, "刑法", "刑法", None]
    assert [c.law_source for c in found] == [
        LawSource.NAMED,
        LawSource.NAMED,
        LawSource.NONE,
        LawSource.NAMED,
        LawSource.NAMED,
        LawSource.NONE,
    ]
    assert found[2].needs_context


def test_a_new_law_name_ends_the_list() -> None:
    found = find_citations("《行政处罚法》第一条和《刑法》第二条")
    assert [(c.law_name, c.article.number) for c in found] == [("行政处罚法", 1), ("刑法", 2)]


def test_bare_article_resolves_to_the_context_law() -> None:
    text = "本法第三条。第五条。《刑法》第七条"
    found = find_citations(text, context_law=XZCF)
    assert [c.law_source for c in found] == [LawSource.SELF, LawSource.CONTEXT, LawSource.NAMED]
    assert [c.resolved_law for c in found] == [XZCF, XZCF, "刑法"]
    assert [c.law_name for c in found] == [None, None, "刑法"]
    assert found[0].reference == "本法" and found[0].is_self_reference
    assert not found[1].is_self_reference
    assert found[0].raw == "本法第三条"


@pytest.mark.parametrize("word", ["本法", "本条例", "本规定", "本办法", "本细则", "本实施细则"])
def test_self_references(word: str) -> None:
    without = only(f"违反{word}第十条")
    assert without.law_source is LawSource.SELF
    assert without.reference == word
    assert without.resolved_law is None and without.needs_context
    assert without.raw == f"{word}第十条"
    with_context = only(f"违反{word}第十条", context_law="示范省乡镇综合行政执法条例")
    assert with_context.resolved_law == "示范省乡镇综合行政执法条例"
    assert not with_context.needs_context


def test_that_law_refers_to_the_last_named_law() -> None:
    found = find_citations("违反《治安管理处罚条例》第三条，依据该法第五条，又依据该条例第六条")
    assert [c.resolved_law for c in found] == ["治安管理处罚条例"] * 3
    assert [c.law_source for c in found] == [LawSource.NAMED, LawSource.PREVIOUS, LawSource.PREVIOUS]
    assert found[1].reference == "该法" and found[1].in_book_marks
    lonely = only("依据该法第五条")
    assert lonely.law_source is LawSource.PREVIOUS and lonely.needs_context


@pytest.mark.parametrize(
    "text",
    [
        "",
        "当事人第三次违法",
        "本条第二款",
        "第（一）项",
        "第一、二审",
        "《行政处罚法》",
        "第1234567条",
        "第条",
        "第十四、",
    ],
)
def test_no_citation(text: str) -> None:
    assert find_citations(text) == []


def test_inner_title_marks() -> None:
    text = "《关于修改〈中华人民共和国行政处罚法〉的决定》"
    assert find_citations(text) == []
    citation = only("参照〈行政处罚法〉第五条")
    assert citation.law_name == "行政处罚法" and citation.in_book_marks
    assert citation.raw == "〈行政处罚法〉第五条"


def test_generic_words_are_not_law_names() -> None:
    for text in ("依法第三条", "按照有关规定第三条", "这个办法第三条"):
        citation = only(text)
        assert citation.law_name is None, text
        assert citation.raw == "第三条"


def test_citations_are_in_order_of_appearance() -> None:
    text = "《刑法》第二条至第四条、第一条；《行政处罚法》第三十三条第一款至第三款"
    found = find_citations(text)
    assert nums(found) == [
        (2, 0, None, None),
        (3, 0, None, None),
        (4, 0, None, None),
        (1, 0, None, None),
        (33, 0, 1, None),
        (33, 0, 2, None),
        (33, 0, 3, None),
    ]
    assert_spans(text, found)


# ============================================================================ formatting


def test_format_citation() -> None:
    assert (
        format_citation(XZCF, ArticleNumber(33), 2, 1)
        == "《中华人民共和国行政处罚法》第三十三条第二款第（一）项"
    )
    assert format_citation("《刑法》", ArticleNumber(133, 1)) == "《刑法》第一百三十三条之一"
    assert (
        format_citation(XZCF, ArticleNumber(32), None, 5)
        == "《中华人民共和国行政处罚法》第三十二条第（五）项"
    )
    assert format_citation("", ArticleNumber(10), 2) == "第十条第二款"
    assert citation_label(ArticleNumber(110), 1, 12) == "第一百一十条第一款第（十二）项"


# ============================================================================ checker


def test_resolved(library: FakeLookup) -> None:
    [check] = check_text("依据《中华人民共和国行政处罚法》第三十三条第二款", library, DAY_2022)
    assert check.status is CitationStatus.RESOLVED and check.ok
    assert check.message == "《中华人民共和国行政处罚法》（2021年1月22日修订）第三十三条第二款：有效"
    assert check.law is not None and check.law.law_id == "xzcf"
    assert check.version == XZCF_2021
    assert check.article is not None and len(check.article.paragraphs) == 3
    assert check.paragraph is not None and check.paragraph.text.startswith("当事人有证据足以证明")
    assert check.excerpt == check.paragraph.text
    assert check.item is None
    assert check.lenity_warning == ""
    assert check.current_version is None


@pytest.mark.parametrize("name", ["中华人民共和国行政处罚法", "行政处罚法", "处罚法"])
def test_short_names_resolve(library: FakeLookup, name: str) -> None:
    [check] = check_text(f"《{name}》第三十二条第（二）项", library, DAY_2022)
    assert check.status is CitationStatus.RESOLVED
    assert check.paragraph is not None and check.paragraph.number == 1
    assert check.item is not None and check.item.text == "（二）受他人胁迫或者诱骗实施违法行为的；"
    assert check.excerpt == check.item.text
    assert "第三十二条第（二）项：有效" in check.message


def test_suffixed_article(library: FakeLookup) -> None:
    [check] = check_text("依照刑法第133条之1第（二）项", library, DAY_2022)
    assert check.status is CitationStatus.RESOLVED
    assert check.article is not None and check.article.number == ArticleNumber(133, 1)
    assert check.item is not None and check.item.text.startswith("（二）醉酒驾驶")
    assert "（2020年12月26日修正）第一百三十三条之一第（二）项：有效" in check.message


def test_old_version_with_changed_text_warns_about_lenity(library: FakeLookup) -> None:
    [check] = check_text("《行政处罚法》第三十三条", library, DAY_2019)
    assert check.status is CitationStatus.RESOLVED
    assert check.version == XZCF_2017
    assert check.message.startswith("《中华人民共和国行政处罚法》（2017年9月1日修正）第三十三条：有效")
    assert check.current_version == XZCF_2021
    assert check.current_article is not None
    assert check.current_article.text != (check.article.text if check.article else "")
    assert "从旧兼从轻" in check.lenity_warning
    assert "《中华人民共和国行政处罚法》第三十七条" in check.lenity_warning
    assert LENITY_RULE in check.lenity_warning
    assert "2021年1月22日修订" in check.lenity_warning


def test_old_version_with_same_text_needs_no_warning(library: FakeLookup) -> None:
    [check] = check_text("《行政处罚法》第一条", library, DAY_2019)
    assert check.status is CitationStatus.RESOLVED
    assert check.version == XZCF_2017
    assert check.lenity_warning == ""
    assert check.current_version == XZCF_2021


def test_article_gone_in_the_new_version_warns(library: FakeLookup) -> None:
    [check] = check_text("《行政处罚法》第二十七条第一款第（四）项", library, DAY_2019)
    assert check.status is CitationStatus.RESOLVED
    assert check.item is not None and check.item.text == "（四）其他依法从轻或者减轻行政处罚的。"
    assert "内容已有变化" in check.lenity_warning


def test_unknown_law(library: FakeLookup) -> None:
    [check] = check_text("《中华人民共和国治安管理处罚法》第二十三条", library, DAY_2022)
    assert check.status is CitationStatus.UNKNOWN_LAW
    assert "没有找到《中华人民共和国治安管理处罚法》" in check.message
    assert check.law is None


def test_unmarked_name_with_leading_words_falls_back_to_a_full_title(library: FakeLookup) -> None:
    [check] = check_text("经查当事人擅自占道经营违背物业管理条例第十条", library, DAY_2022)
    assert check.status is CitationStatus.RESOLVED
    assert check.law is not None and check.law.law_id == "wygl"
    # A short name is not enough for the fallback: 治安管理处罚法 is not 处罚法.
    [other] = check_text("违反治安管理处罚法第十条", library, DAY_2022)
    assert other.status is CitationStatus.UNKNOWN_LAW


def test_ambiguous_short_name(library: FakeLookup) -> None:
    [check] = check_text("依据《市容条例》第十条", library, DAY_2022)
    assert check.status is CitationStatus.AMBIGUOUS_LAW
    assert {law.law_id for law in check.candidates} == {"sfs-sr", "ylz-sr"}
    assert "示范市市容和环境卫生管理条例" in check.message and "样例市市容和环境卫生管理条例" in check.message
    assert check.law is None


def test_exact_title_beats_a_short_name(library: FakeLookup) -> None:
    [check] = check_text("依据《物业管理条例》第十条", library, DAY_2022)
    assert check.status is CitationStatus.RESOLVED
    assert check.law is not None and check.law.law_id == "wygl"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("依照本法第三条", "未指明“本法”是哪部法律"),
        ("依照本条例第三条", "未指明“本条例”是哪部法律"),
        ("依照第三条", "未写明所引的法律"),
        ("依照该法第三条", "前文没有写明法律名称"),
    ],
)
def test_no_context_law(library: FakeLookup, text: str, fragment: str) -> None:
    [check] = check_text(text, library, DAY_2022)
    assert check.status is CitationStatus.NO_CONTEXT_LAW
    assert fragment in check.message
    assert check.law is None


def test_context_law_resolves_self_and_bare_citations(library: FakeLookup) -> None:
    checks = check_text("依照本法第三十三条第一款。第三十二条第（一）项", library, DAY_2022, context_law=XZCF)
    assert [c.status for c in checks] == [CitationStatus.RESOLVED] * 2
    assert "未写明法律名称" not in checks[0].message
    assert "未写明法律名称，已按《中华人民共和国行政处罚法》核对" in checks[1].message


def test_no_such_article(library: FakeLookup) -> None:
    [check] = check_text("《行政处罚法》第三百条", library, DAY_2022)
    assert check.status is CitationStatus.NO_SUCH_ARTICLE
    assert "第三百条不存在：该法（2021年版）共八十六条" in check.message
    assert check.article is None and check.version == XZCF_2021


def test_no_such_article_in_the_old_version_points_to_the_new_one(library: FakeLookup) -> None:
    [check] = check_text("《行政处罚法》第八十条", library, DAY_2019)
    assert check.status is CitationStatus.NO_SUCH_ARTICLE
    assert "该法（2017年版）共六十四条" in check.message
    assert "该条见于2021年1月22日修订的版本" in check.message


def test_article_count_from_an_article_counter() -> None:
    lookup = make_library(CountingLookup)
    assert isinstance(lookup, CountingLookup)
    [check] = check_text("《刑法》第五百条", lookup, DAY_2022)
    assert check.status is CitationStatus.NO_SUCH_ARTICLE
    assert "共四百五十二条" in check.message
    assert lookup.counted == ["xf-2020"]


def test_no_such_paragraph(library: FakeLookup) -> None:
    [check] = check_text("《行政处罚法》第三十三条第五款", library, DAY_2022)
    assert check.status is CitationStatus.NO_SUCH_PARAGRAPH
    assert "第三十三条没有第五款：该条共三款" in check.message
    assert check.article is not None and check.paragraph is None
    [single] = check_text("《行政处罚法》第三十二条第二款", library, DAY_2022)
    assert single.status is CitationStatus.NO_SUCH_PARAGRAPH
    assert "该条不分款" in single.message


def test_no_such_item(library: FakeLookup) -> None:
    [check] = check_text("《行政处罚法》第三十二条第（六）项", library, DAY_2022)
    assert check.status is CitationStatus.NO_SUCH_ITEM
    assert "第三十二条没有第（六）项：该条第一款共五项" in check.message
    [none] = check_text("《行政处罚法》第三十三条第二款第（一）项", library, DAY_2022)
    assert none.status is CitationStatus.NO_SUCH_ITEM
    assert "第三十三条第二款没有第（一）项：该款不分项" in none.message
    [hint] = check_text("《行政处罚法》第四十五条第（一）项", library, DAY_2022)
    assert hint.status is CitationStatus.NO_SUCH_ITEM
    assert "第二款有两项" in hint.message and "第四十五条第二款第（一）项" in hint.message
    [fine] = check_text("《行政处罚法》第四十五条第二款第（一）项", library, DAY_2022)
    assert fine.status is CitationStatus.RESOLVED


def test_not_yet_in_force(library: FakeLookup) -> None:
    [check] = check_text("违反《示范省乡镇综合行政执法条例》第十条", library, dt.date(2026, 12, 1))
    assert check.status is CitationStatus.NOT_YET_IN_FORCE
    assert "自2027年3月1日起施行" in check.message and "2026年12月1日尚未施行" in check.message
    assert check.version is not None and check.version.version_id == "sfs-xz-2026"
    assert check.article is not None
    [later] = check_text("违反《示范省乡镇综合行政执法条例》第十条", library, dt.date(2027, 3, 1))
    assert later.status is CitationStatus.RESOLVED


def test_before_the_first_version_in_the_library(library: FakeLookup) -> None:
    [check] = check_text("《行政处罚法》第三十三条", library, dt.date(2017, 6, 1))
    assert check.status is CitationStatus.NOT_YET_IN_FORCE
    assert check.version == XZCF_2017


def test_repealed(library: FakeLookup) -> None:
    [check] = check_text("《治安管理处罚条例》第二十条", library, DAY_2022)
    assert check.status is CitationStatus.REPEALED
    assert "已于2006年3月1日废止" in check.message
    assert check.version is not None and check.version.version_id == "zacf-tl-1994"
    [missing] = check_text("《治安管理处罚条例》第九十条", library, DAY_2022)
    assert missing.status is CitationStatus.REPEALED
    assert "第九十条不存在" in missing.message


def test_repealed_after_the_conduct_warns_about_lenity(library: FakeLookup) -> None:
    [check] = check_text("《治安管理处罚条例》第二十条", library, dt.date(2000, 1, 1))
    assert check.status is CitationStatus.RESOLVED
    assert "已于2006年3月1日废止" in check.lenity_warning
    assert LENITY_RULE in check.lenity_warning


def test_range_problem_is_noted(library: FakeLookup) -> None:
    checks = check_text("《刑法》第一条至第三百条", library, DAY_2022)
    assert [c.status for c in checks] == [CitationStatus.RESOLVED] * 2
    assert all(f"超过{RANGE_LIMIT}条" in c.message for c in checks)
    reversed_ = check_text("《刑法》第五条至第三条", library, DAY_2022)
    assert all("起止顺序颠倒" in c.message for c in reversed_)
    many = check_text("《刑法》第一条至第二百条。" * 30, library, DAY_2022)
    assert "条文范围过多" in many[-1].message


def test_check_citations_keeps_order_and_caches(library: FakeLookup) -> None:
    citations = find_citations("《行政处罚法》第三十二条第（一）项至第（五）项、第三十三条第一款至第三款")
    checks = check_citations(citations, library, DAY_2022)
    assert [c.citation for c in checks] == citations
    assert all(c.ok for c in checks)
    assert library.calls <= 2 + 2  # one find_laws, one versions, two articles


# ============================================================================ properties


@settings(max_examples=200, deadline=None)
@given(
    number=st.integers(min_value=1, max_value=9999),
    suffix=st.integers(min_value=0, max_value=10),
    paragraph=st.none() | st.integers(min_value=1, max_value=30),
    item=st.none() | st.integers(min_value=1, max_value=99),
    title=st.sampled_from([XZCF, "行政处罚法", "刑法", "示范省乡镇综合行政执法条例", "A"]),
)
def test_format_then_parse_round_trips(
    number: int, suffix: int, paragraph: int | None, item: int | None, title: str
) -> None:
    article = ArticleNumber(number, suffix)
    text = format_citation(title, article, paragraph, item)
    citation = only(text)
    assert (citation.article, citation.paragraph, citation.item) == (article, paragraph, item)
    assert citation.law_name == title
    assert citation.raw == text
    # and inside a sentence, with Arabic numerals too
    arabic = f"依据《{title}》第{number}条" + (f"之{suffix}" if suffix else "")
    arabic += (f"第{paragraph}款" if paragraph else "") + (f"第（{item}）项" if item else "") + "的规定"
    parsed = only(arabic)
    assert (parsed.article, parsed.paragraph, parsed.item) == (article, paragraph, item)


CITATION_ALPHABET = (
    "第条款项之一二三四十百千零0123456789（）()、至到和及与或《》〈〉法本该条例规定依据 。，\n"
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text() | st.text(alphabet=CITATION_ALPHABET, max_size=200))
def test_never_raises_and_spans_are_sound(text: str) -> None:
    found = find_citations(text)
    assert_spans(text, found)
    with_context = find_citations(text, context_law=XZCF)
    assert [(c.start, c.end) for c in with_context] == [(c.start, c.end) for c in found]


_library_for_hypothesis = make_library()


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=CITATION_ALPHABET + "行政处罚刑市容", max_size=120))
def test_checking_never_raises(text: str) -> None:
    checks = check_text(text, _library_for_hypothesis, DAY_2022, context_law=XZCF)
    assert all(check.message for check in checks)


FRAGMENTS = [
    "依据《中华人民共和国行政处罚法》第三十三条第二款第（一）项",
    "第十四条、第三十六条第（二）项",
    "第五十一条至第五十三条",
    "本法第三条",
    "该法第三条",
    "第一、第二、第三、",
    "《《《》》》",
    "第第第条条条",
    "一二三四五六七八九十百千万",
    "当事人于2026年11月26日在某镇某路擅自占道经营。",
    "\n",
]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=20), seed=st.integers(0, 2**16))
def test_ten_thousand_characters(parts: list[str], seed: int) -> None:
    unit = "".join(parts)
    text = (unit * (10_000 // len(unit) + 1))[:10_000]
    assert len(text) == 10_000
    found = find_citations(text, context_law=XZCF if seed % 2 else None)
    assert_spans(text, found)


@pytest.mark.parametrize(
    "text",
    [
        "第" * 10_000,
        "第一、" * 3_400,
        "第一" * 5_000,
        "《" * 5_000 + "》第一条" * 1_000,
        "法" * 9_990 + "第一条",
        "第一条至第二百条、" * 1_000,
        "一" * 10_000,
        "第" + "一" * 9_998 + "条",
    ],
)
def test_pathological_inputs(text: str) -> None:
    assert_spans(text, find_citations(text))
