"""The Markdown corpus parser (library/markdown.py): every irregularity, round trips, the real corpus."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.domain.numerals import article_label, int_to_cn
from workstation.domain.statutes import (
    Annex,
    ArticleNumber,
    Item,
    LawLevel,
    Paragraph,
    ParsedArticle,
    ParsedLaw,
    VersionStatus,
)
from workstation.library.markdown import decode_law_file, level_for_path, parse_markdown
from workstation.library.sources import iter_law_files

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "laws"
SOURCE = "行政法/测试法(2021-01-22).md"
HEADER = "# 中华人民共和国测试法\n\n2020年1月2日 第一次会议通过\n\n<!-- INFO END -->\n\n"


def parse(body: str, source: str = SOURCE, header: str = HEADER) -> ParsedLaw:
    return parse_markdown(header + body, source)


def art(law: ParsedLaw, number: int, suffix: int = 0) -> ParsedArticle:
    found = [a for a in law.articles if a.number == ArticleNumber(number, suffix)]
    assert len(found) == 1, f"{article_label(number, suffix)}: {len(found)} found"
    return found[0]


def texts(article: ParsedArticle) -> list[str]:
    return [paragraph.text for paragraph in article.paragraphs]


# ============================================================================ header


def test_header_title_history_dates_and_level() -> None:
    law = parse_markdown(
        "# 中华人民共和国行政处罚法\n\n"
        "1996年3月17日 第八届全国人民代表大会第四次会议通过\n\n"
        "2021年01月22日 第十三届全国人民代表大会常务委员会第二十五次会议修订\n\n"
        "2021年7月15日 施行\n\n"
        "<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了规范行政处罚。\n",
        "行政法/行政处罚法(2021-01-22).md",
    )
    assert law.title == "中华人民共和国行政处罚法"
    assert law.subtitle == ""
    assert law.history == (
        (dt.date(1996, 3, 17), "第八届全国人民代表大会第四次会议通过"),
        (dt.date(2021, 1, 22), "第十三届全国人民代表大会常务委员会第二十五次会议修订"),
        (dt.date(2021, 7, 15), "施行"),
    )
    assert law.version_date == dt.date(2021, 1, 22)
    assert law.effective_date == dt.date(2021, 7, 15)
    assert law.status is VersionStatus.UNKNOWN
    assert (law.level, law.category, law.region) == (LawLevel.LAW, "行政法", "")
    assert law.source == "行政法/行政处罚法(2021-01-22).md"
    assert law.problems == ()


def test_version_date_without_a_dated_file_name_is_the_latest_act_not_the_effective_date() -> None:
    header = (
        "# 中华人民共和国民法典\n\n# 物权编\n\n"
        "2020年5月28日 通过\n\n2021年1月1日 施行\n\n<!-- INFO END -->\n\n"
    )
    law = parse("第二百零五条 本编调整因物的归属和利用产生的民事关系。\n", "民法典/物权编.md", header)
    assert (law.title, law.subtitle) == ("中华人民共和国民法典", "物权编")
    assert law.version_date == dt.date(2020, 5, 28)
    assert law.effective_date == dt.date(2021, 1, 1)


def test_effective_date_is_the_date_before_the_keyword_and_none_without_one() -> None:
    header = "# 规定\n\n1985年1月1日 海关总署发布 自1985年3月1日施行\n\n<!-- INFO END -->\n\n"
    law = parse("第一条 内容。\n", "行政法规/规定.md", header)
    assert law.effective_date == dt.date(1985, 3, 1)
    assert law.version_date == dt.date(1985, 1, 1)
    header = "# 规定\n\n1983年12月29日 国务院发布\n\n发布之日施行\n\n<!-- INFO END -->\n\n"
    law = parse("第一条 内容。\n", "行政法规/规定.md", header)
    assert law.effective_date is None
    assert law.history[-1] == (None, "发布之日施行")


def test_effective_date_of_an_earlier_version_is_not_this_versions() -> None:
    header = (
        "# 宪法\n\n1982年12月4日 全国人民代表大会公告公布施行\n\n2018年3月11日 修正\n\n<!-- INFO END -->\n\n"
    )
    law = parse("第一条 内容。\n", "宪法/宪法.md", header)
    assert law.version_date == dt.date(2018, 3, 11)
    assert law.effective_date is None
    assert law.level is LawLevel.CONSTITUTION


def test_history_irregular_dates_and_wrapped_lines() -> None:
    header = (
        "# 测试条例\n\n"
        "(2014年11月1日第十二届全国人民代表大会常务委员会第十一次会议通过)\n\n"
        "1991年6月29日 会议《关于修改<中华人民共和国文物保护法>第三十条\n\n"
        "第三十一条的决定》第一次修正\n\n"
        "2010年12月23日北京市第十三届人民代表大会常务委员会修正\n\n"
        "一九九五年三月二十六日\n\n"
        "2018-03-15\n\n"
        "中央军委发布\n\n"
        "2019年10月1日 起生效）\n\n"
        "<!-- INFO END -->\n\n"
    )
    law = parse("第一条 内容。\n", "其他/测试条例.md", header)
    assert law.history == (
        (dt.date(2014, 11, 1), "第十二届全国人民代表大会常务委员会第十一次会议通过"),
        (
            dt.date(1991, 6, 29),
            "会议《关于修改<中华人民共和国文物保护法>第三十条第三十一条的决定》第一次修正",
        ),
        (dt.date(2010, 12, 23), "北京市第十三届人民代表大会常务委员会修正"),
        (dt.date(1995, 3, 26), ""),
        (dt.date(2018, 3, 15), ""),
        (None, "中央军委发布"),
        (dt.date(2019, 10, 1), "起生效"),
    )
    assert law.effective_date == dt.date(2019, 10, 1)
    assert law.version_date == dt.date(2018, 3, 15)
    assert [a.number.number for a in law.articles] == [1]


def test_invalid_history_date_is_a_problem_and_kept() -> None:
    law = parse("第一条 内容。\n", header="# 法\n\n2021年2月30日 通过\n\n<!-- INFO END -->\n\n")
    assert law.history == ((None, "通过"),)
    assert [p.line for p in law.problems] == [3]
    assert "日期无效" in law.problems[0].message


def test_front_matter_is_skipped_without_a_problem() -> None:
    law = parse_markdown(
        "---\nbookHidden: true\ntitle: x\n---\n\n# 测试法\n\n"
        "2020年1月1日 通过\n\n<!-- INFO END -->\n\n第一条 内容。\n",
        SOURCE,
    )
    assert law.title == "测试法"
    assert law.history == ((dt.date(2020, 1, 1), "通过"),)
    assert law.problems == ()
    assert art(law, 1).line == 12


def test_unclosed_front_matter_is_a_problem() -> None:
    law = parse_markdown("---\nbookHidden: true\n\n# 测试法\n\n第一条 内容。\n", SOURCE)
    assert any("元数据" in p.message for p in law.problems)
    assert texts(art(law, 1)) == ["内容。"]


def test_html_comments_are_stripped_everywhere() -> None:
    text = (
        "# 某条法律的标题 <!-- 比如中华人民共和国民法典 -->\n\n"
        "1990年01月23日 发生了什么事情 <!-- 时间<空格>事件 -->\n\n"
        "<!-- INFO END -->\n<!-- 第五行是必须填写的 -->\n\n"
        "## 第一篇 <!-- 层级 -->\n\n"
        "第一条 甲<!-- 注 -->乙。\n\n<!-- FORCE BREAK -->\n\n"
        "<!-- 跨行\n的注释\n-->\n"
        "本条第二款。\n"
    )
    law = parse_markdown(text, "x.md")
    assert law.title == "某条法律的标题"
    assert law.history == ((dt.date(1990, 1, 23), "发生了什么事情"),)
    assert art(law, 1).path == ("第一篇",)
    assert texts(art(law, 1)) == ["甲乙。", "本条第二款。"]
    assert art(law, 1).line == 10
    assert law.problems == ()


def test_unclosed_comment_is_a_problem_and_the_text_kept() -> None:
    law = parse("第一条 甲。<!-- 没有结束\n\n第二条 乙。\n")
    assert any("注释" in p.message for p in law.problems)
    assert texts(art(law, 2)) == ["乙。"]


def test_missing_info_end_header_ends_at_the_first_heading() -> None:
    law = parse_markdown("# 测试法\n\n2020年1月1日 通过\n\n## 第一章 总则\n\n第一条 内容。\n", SOURCE)
    assert law.history == ((dt.date(2020, 1, 1), "通过"),)
    assert art(law, 1).path == ("第一章 总则",)
    assert law.problems == ()


def test_missing_info_end_header_ends_at_the_first_article_or_other_text() -> None:
    law = parse_markdown("# 测试法\n2020年1月1日 通过\n第一条 内容。\n第二条 其他。\n", SOURCE)
    assert law.history == ((dt.date(2020, 1, 1), "通过"),)
    assert [a.line for a in law.articles] == [3, 4]
    law = parse_markdown("# 决定\n\n2020年1月1日 通过\n\n为了……，特作如下决定：\n\n第一条 内容。\n", SOURCE)
    assert law.preamble == "为了……，特作如下决定："
    assert law.history == ((dt.date(2020, 1, 1), "通过"),)


def test_missing_title_uses_the_file_name_and_is_a_problem() -> None:
    law = parse_markdown(
        "2020年1月1日 通过\n\n<!-- INFO END -->\n\n第一条 内容。\n", "行政法/无题法(2020-01-01).md"
    )
    assert law.title == "无题法"
    assert any("标题" in p.message for p in law.problems)


# ============================================================================ articles


def test_articles_with_suffixes_arabic_numbers_and_lines() -> None:
    law = parse(
        "第一百三十三条 甲。\n\n第一百三十三条之一 乙。\n\n"
        "第一百三十三条之二　丙。\n\n第134条 丁。\n\n第134条之一 戊。\n"
    )
    assert [a.number for a in law.articles] == [
        ArticleNumber(133),
        ArticleNumber(133, 1),
        ArticleNumber(133, 2),
        ArticleNumber(134),
        ArticleNumber(134, 1),
    ]
    assert [a.line for a in law.articles] == [7, 9, 11, 13, 15]
    assert texts(art(law, 133, 2)) == ["丙。"]


def test_missing_space_after_the_label_and_space_inside_it() -> None:
    law = parse("第四条 甲。\n\n第五条当事人乙。\n\n第六 条农村丙。\n\n第七条：丁。\n")
    assert [a.number.number for a in law.articles] == [4, 5, 6, 7]
    assert texts(art(law, 5)) == ["当事人乙。"]
    assert texts(art(law, 6)) == ["农村丙。"]
    assert texts(art(law, 7)) == ["丁。"]
    assert law.problems == ()


def test_a_paragraph_that_mentions_an_article_is_not_an_article() -> None:
    law = parse(
        "第四条 甲。\n\n第五条 乙。\n\n第四条规定的情形，依照本条处理。\n\n第六条第二款另有规定的除外。\n\n"
        "第六条、第七条不适用。\n\n第一条件是丙。\n"
    )
    assert [a.number.number for a in law.articles] == [4, 5]
    assert texts(art(law, 5)) == [
        "乙。",
        "第四条规定的情形，依照本条处理。",
        "第六条第二款另有规定的除外。",
        "第六条、第七条不适用。",
        "第一条件是丙。",
    ]
    assert law.problems == ()


def test_an_article_number_that_goes_backwards_is_kept_as_text_and_reported() -> None:
    law = parse("第十条 甲。\n\n第十一条 乙：\n\n第三条 引用的条文。\n\n第十二条 丙。\n")
    assert [a.number.number for a in law.articles] == [10, 11, 12]
    assert texts(art(law, 11)) == ["乙：", "第三条 引用的条文。"]
    (problem,) = law.problems
    assert (problem.line, problem.fragment) == (11, "第三条 引用的条文。")
    assert "第三条" in problem.message and "第十一条" in problem.message
    assert problem.source == SOURCE


def test_a_dash_for_one_in_the_label_is_read_when_it_gives_the_next_number() -> None:
    law = parse("第三十条 甲。\n\n第三十－条 乙。\n\n第九十－条 丙。\n")
    assert [a.number.number for a in law.articles] == [30, 31]
    assert texts(art(law, 31)) == ["乙。", "第九十－条 丙。"]
    assert [p.line for p in law.problems] == [9, 11]


def test_run_on_articles_on_one_line_are_split() -> None:
    law = parse(
        "## 第一章 总则\n\n第一条 甲。 第二条 乙。 丙款。 第三条 丁： （一）子； （二）丑。\n\n"
        "## 第二章 其他\n\n第四条 戊。\n"
    )
    assert [a.number.number for a in law.articles] == [1, 2, 3, 4]
    assert texts(art(law, 2)) == ["乙。", "丙款。"]
    assert art(law, 3).paragraphs == (Paragraph(1, "丁：", (Item(1, "（一）子；"), Item(2, "（二）丑。"))),)
    assert {a.line for a in law.articles[:3]} == {9}


def test_paragraphs_items_and_sub_items() -> None:
    law = parse(
        "第九条 行政处罚的种类：\n\n（一）警告；\n\n(二)罚款；\n\n（三）其他：\n\n"
        "1. 甲；\n\n2．乙；\n\n（四）分项：\n\n（1）子；\n\n（2）丑。\n\n"
        "前款规定以外的情形，另行规定。\n\n一、不是项的列举。\n"
    )
    nine = art(law, 9)
    assert nine.paragraphs == (
        Paragraph(
            1,
            "行政处罚的种类：",
            (
                Item(1, "（一）警告；"),
                Item(2, "(二)罚款；"),
                Item(3, "（三）其他：\n1. 甲；\n2．乙；"),
                Item(4, "（四）分项：\n（1）子；\n（2）丑。"),
            ),
        ),
        Paragraph(2, "前款规定以外的情形，另行规定。"),
        Paragraph(3, "一、不是项的列举。"),
    )
    assert nine.text.splitlines()[0] == "行政处罚的种类："


def test_arabic_items_without_chinese_items_are_items() -> None:
    law = parse("第一条 下列情形：\n（1）甲；\n（2）乙。\n")
    assert art(law, 1).paragraphs[0].items == (Item(1, "（1）甲；"), Item(2, "（2）乙。"))


def test_bare_article_line_takes_its_text_from_the_next_lines() -> None:
    law = parse("第一条\n\n（一）甲；\n\n（二）乙。\n")
    assert art(law, 1).paragraphs == (Paragraph(1, "", (Item(1, "（一）甲；"), Item(2, "（二）乙。"))),)
    assert art(law, 1).text == "（一）甲；\n（二）乙。"


# ============================================================================ structure


def test_heading_nesting_bian_fenbian_zhang_jie() -> None:
    law = parse(
        "## 第一编 总则\n\n### 第一章 基本规定\n\n第一条 甲。\n\n"
        "## 第二编 物权\n\n### 第一分编 通则\n\n#### 第一章 一般规定\n\n##### 第一节 原则\n\n第二条 乙。\n\n"
        "##### 第二节 登记\n\n第三条 丙。\n\n#### 第二章 所有权\n\n第四条 丁。\n\n## 附则\n\n第五条 戊。\n"
    )
    assert [a.path for a in law.articles] == [
        ("第一编 总则", "第一章 基本规定"),
        ("第二编 物权", "第一分编 通则", "第一章 一般规定", "第一节 原则"),
        ("第二编 物权", "第一分编 通则", "第一章 一般规定", "第二节 登记"),
        ("第二编 物权", "第一分编 通则", "第二章 所有权"),
        ("附则",),
    ]


def test_heading_whitespace_is_normalised_and_inverted_depths_follow_the_labels() -> None:
    law = parse(
        "### 第三章　 审查\n\n## 第一节  审查职责\n\n第一条 甲。\n\n"
        "### 第四章 受理\n\n## 第一节 一般规定\n\n第二条 乙。\n"
    )
    assert [a.path for a in law.articles] == [
        ("第三章 审查", "第一节 审查职责"),
        ("第四章 受理", "第一节 一般规定"),
    ]


def test_a_wrapped_chapter_title_is_joined() -> None:
    law = parse(
        "第一条 甲。\n\n## 第三章 审查和批准决算，听取和审议国民经济和\n\n"
        "社会发展计划的执行情况报告\n\n第二条 乙。\n"
    )
    assert art(law, 2).path == ("第三章 审查和批准决算，听取和审议国民经济和社会发展计划的执行情况报告",)
    assert law.annexes == ()


def test_headings_without_content_are_problems_but_a_table_of_contents_is_not() -> None:
    law = parse(
        "## 第一章 总则\n\n## 第二章 附则\n\n## 第一章 总则\n\n"
        "第一条 甲。\n\n## 第二章 附则\n\n第二条 乙。\n\n## 第三章 空\n"
    )
    assert [a.path for a in law.articles] == [("第一章 总则",), ("第二章 附则",)]
    (problem,) = law.problems
    assert (problem.line, problem.fragment) == (19, "第三章 空")


def test_preamble_before_the_first_article() -> None:
    law = parse(
        "## 序言\n\n中国是世界上历史最悠久的国家之一。\n\n"
        "二十世纪，中国发生了巨变。\n\n## 第一章 总纲\n\n第一条 甲。\n"
    )
    assert law.preamble == "序言\n中国是世界上历史最悠久的国家之一。\n二十世纪，中国发生了巨变。"
    assert art(law, 1).path == ("第一章 总纲",)
    assert law.annexes == ()


# ============================================================================ annexes


def test_a_table_becomes_an_annex_and_the_article_continues() -> None:
    law = parse("第一条 下表：\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n本条第二款。\n\n第二条 丙。\n")
    assert law.annexes == (Annex("表格（第一条）", "| 甲 | 乙 |\n|---|---|\n| 1 | 2 |", 9),)
    assert texts(art(law, 1)) == ["下表：", "本条第二款。"]


def test_annexes_after_the_last_article_are_kept_whole() -> None:
    law = parse(
        "第十九条 本法自1991年10月1日起施行。\n\n附件：\n\n"
        "中华人民共和国国徽图案\n\n第一条 附件里的条文。\n\n"
        "附表一\n\n环境保护税税目税额表\n\n## 一、第一类水污染物污染当量值\n\n"
        "| 污染物 | 当量值 |\n\n## 附录\n\n说明。\n"
    )
    assert [a.number.number for a in law.articles] == [19]
    assert texts(art(law, 19)) == ["本法自1991年10月1日起施行。"]
    assert law.annexes == (
        Annex("附件：", "中华人民共和国国徽图案\n第一条 附件里的条文。", 9),
        Annex("附表一", "环境保护税税目税额表\n一、第一类水污染物污染当量值\n| 污染物 | 当量值 |", 15),
        Annex("附录", "说明。", 23),
    )
    assert law.problems == ()


def test_a_paragraph_starting_with_annex_words_is_not_an_annex() -> None:
    law = parse("第一条 甲。\n\n附件所列的物品，依照本法管理。\n")
    assert texts(art(law, 1)) == ["甲。", "附件所列的物品，依照本法管理。"]
    assert law.annexes == ()


def test_text_after_a_heading_outside_any_article_is_an_annex() -> None:
    law = parse(
        "第一条 甲。\n\n## 一、基础电信业务\n\n"
        "(一)固定网络国内长途及本地电话业务；\n\n(二)移动网络电话业务。\n"
    )
    assert law.annexes == (
        Annex("一、基础电信业务", "(一)固定网络国内长途及本地电话业务；\n(二)移动网络电话业务。", 11),
    )


def test_a_document_without_articles_becomes_annexes() -> None:
    law = parse(
        "为了……，作如下决定：\n\n一、将刑法第十七条修改为：“已满十六周岁的人犯罪，应当负刑事责任。\n\n"
        "<!-- TABLE -->\n| 刑法条文 | 罪名 |\n|-----|-----|\n| 第151条 | 走私罪 |\n<!-- TABLE END -->\n\n"
        "## 说明\n\n本决定自公布之日起施行。\n",
        "刑法/刑法修正案（十一）.md",
    )
    assert law.articles == ()
    assert law.annexes == (
        Annex(
            "正文",
            "为了……，作如下决定：\n一、将刑法第十七条修改为：“已满十六周岁的人犯罪，应当负刑事责任。",
            7,
        ),
        Annex("表格", "| 刑法条文 | 罪名 |\n|-----|-----|\n| 第151条 | 走私罪 |", 12),
        Annex("说明", "本决定自公布之日起施行。", 19),
    )
    assert law.preamble == ""
    assert law.problems == ()


def test_a_case_is_never_split_into_articles() -> None:
    law = parse(
        "## 吴某与某电子商务有限公司买卖合同纠纷案\n\n## 裁判要点\n\n经营者怠于履行进货查验义务。\n\n"
        "## 司法解释相关法条\n\n第六条 食品经营者具有下列情形之一：\n\n（一）已过保质期仍然销售的。\n",
        "案例/消费购物/吴某案.md",
    )
    assert law.level is LawLevel.CASE
    assert law.articles == ()
    assert law.annexes == (
        Annex("吴某与某电子商务有限公司买卖合同纠纷案", "", 7),
        Annex("裁判要点", "经营者怠于履行进货查验义务。", 11),
        Annex("司法解释相关法条", "第六条 食品经营者具有下列情形之一：\n（一）已过保质期仍然销售的。", 15),
    )


def test_an_empty_body_is_a_problem() -> None:
    law = parse("\n\n<!-- 只有注释 -->\n\n")
    assert law.articles == ()
    assert law.annexes == ()
    (problem,) = law.problems
    assert "正文为空" in problem.message
    assert problem.line == 6


def test_crlf_and_bom_in_text() -> None:
    law = parse_markdown("\ufeff# 测试法\r\n\r\n<!-- INFO END -->\r\n\r\n第一条 甲。\r\n乙。\r\n", SOURCE)
    assert law.title == "测试法"
    assert texts(art(law, 1)) == ["甲。", "乙。"]
    assert art(law, 1).line == 5


def test_zero_width_spaces_are_blank() -> None:
    law = parse("## 第一章 总则\n\n\u200b\n\n第一条 甲。\n")
    assert art(law, 1).path == ("第一章 总则",)
    assert law.annexes == ()
    assert law.problems == ()


# ============================================================================ decoding


def test_decode_utf8_with_and_without_bom() -> None:
    assert decode_law_file("第一条 甲。".encode()) == ("第一条 甲。", "utf-8")
    assert decode_law_file(b"\xef\xbb\xbf" + "第一条 甲。".encode()) == ("第一条 甲。", "utf-8-sig")


def test_decode_gbk_and_gb18030() -> None:
    text = "# 中华人民共和国测试法\n\n第一条 为了规范行政处罚的设定和实施。\n"
    assert decode_law_file(text.encode("gbk")) == (text, "gbk")
    rare = "第一条 䶮。"  # outside GBK, inside GB18030
    assert decode_law_file(rare.encode("gb18030")) == (rare, "gb18030")
    decoded, _encoding = decode_law_file(text.encode("gbk"))
    assert parse_markdown(decoded, SOURCE).title == "中华人民共和国测试法"


@pytest.mark.parametrize("data", [b"\x00\x01\x02\xff\xfe\x00", b"\x81\x20\xff\xff", b"\xef\xbb\xbf\xff\xff"])
def test_decode_unknown_encoding_raises_a_chinese_message(data: bytes) -> None:
    with pytest.raises(ValueError, match="编码") as info:
        decode_law_file(data)
    assert "无法识别" in str(info.value)


# ============================================================================ levels


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("宪法/宪法.md", (LawLevel.CONSTITUTION, "宪法", "")),
        ("宪法相关法/国旗法.md", (LawLevel.LAW, "宪法相关法", "")),
        ("民法典/合同编.md", (LawLevel.LAW, "民法典", "")),
        ("民法商法/公司法.md", (LawLevel.LAW, "民法商法", "")),
        ("行政法/行政处罚法(2021-01-22).md", (LawLevel.LAW, "行政法", "")),
        ("经济法/税法.md", (LawLevel.LAW, "经济法", "")),
        ("社会法/劳动法.md", (LawLevel.LAW, "社会法", "")),
        ("刑法/刑法.md", (LawLevel.LAW, "刑法", "")),
        ("诉讼与非诉讼程序法/民事诉讼法.md", (LawLevel.LAW, "诉讼与非诉讼程序法", "")),
        ("行政法规/飞行基本规则.md", (LawLevel.ADMIN_REGULATION, "行政法规", "")),
        ("部门规章/公安部/规范.md", (LawLevel.DEPARTMENTAL_RULE, "部门规章", "")),
        ("司法解释/解释.md", (LawLevel.JUDICIAL_INTERPRETATION, "司法解释", "")),
        ("案例/消费购物/某案.md", (LawLevel.CASE, "案例", "")),
        ("其他/标准.md", (LawLevel.OTHER, "其他", "")),
        ("DLC/浙江地方法规/地方性法规/浙江/条例.md", (LawLevel.LOCAL_REGULATION, "地方性法规", "浙江")),
        ("DLC/重庆地方法规/条例.md", (LawLevel.LOCAL_REGULATION, "地方性法规", "重庆")),
        ("laws/DLC/上海地方法规/地方性法规/上海/条例.md", (LawLevel.LOCAL_REGULATION, "地方性法规", "上海")),
        ("corpus\\行政法规\\条例.md", (LawLevel.ADMIN_REGULATION, "行政法规", "")),
        ("自选/条例.md", (LawLevel.OTHER, "自选", "")),
        ("条例.md", (LawLevel.OTHER, "", "")),
    ],
)
def test_level_for_path(path: str, expected: tuple[LawLevel, str, str]) -> None:
    assert level_for_path(path) == expected


def test_explicit_level_category_and_region_win() -> None:
    law = parse_markdown(HEADER + "第一条 甲。\n", "x.md", category="地方性法规", region="浙江")
    assert (law.level, law.category, law.region) == (LawLevel.LOCAL_REGULATION, "地方性法规", "浙江")
    law = parse_markdown(HEADER + "第一条 甲。\n", "行政法/x.md", level=LawLevel.LOCAL_RULE, region="北京")
    assert (law.level, law.category, law.region) == (LawLevel.LOCAL_RULE, "", "北京")


# ============================================================================ round trips

#: Characters for generated text: none starts an item, a heading, a table, an annex or a
#: mention of an article (以, 的, 规 … after a label without a space).
SAFE = "行政机关当事人应依法罚没收违予公民组织单位责令改正审查批准登记"


@dataclass(frozen=True)
class GenArticle:
    number: ArticleNumber
    paragraphs: tuple[tuple[str, tuple[str, ...]], ...]  # (款 text, 项 texts without marker)
    separator: str  # " ", "\u3000" or "" after the label
    arabic: bool


@dataclass(frozen=True)
class GenSection:
    headings: tuple[tuple[int, str], ...]  # (depth 1..3, text) pushed before the articles
    articles: tuple[GenArticle, ...]


sentences = st.text(alphabet=SAFE, min_size=1, max_size=12).map(lambda s: s + "。")
paragraph_st = st.tuples(sentences, st.lists(sentences, max_size=3).map(tuple))
LABELS = {1: "编", 2: "章", 3: "节"}


@st.composite
def laws(draw: st.DrawFn) -> tuple[GenSection, ...]:
    number = ArticleNumber(draw(st.integers(1, 300)))
    sections: list[GenSection] = []
    for index in range(draw(st.integers(1, 5))):
        headings: list[tuple[int, str]] = []
        for sub in range(draw(st.integers(0, 3))):
            depth = draw(st.integers(1, 3))
            labelled = draw(st.booleans())
            name = draw(st.text(alphabet=SAFE, min_size=1, max_size=6))
            text = (
                f"第{int_to_cn(index + 1)}{LABELS[depth]} {name}{index}{sub}"
                if labelled
                else f"{name}{index}{sub}"
            )
            headings.append((depth, text))
        articles: list[GenArticle] = []
        for _ in range(draw(st.integers(1, 4))):
            step = draw(st.sampled_from(["next", "next", "gap", "suffix"]))
            if articles or sections:
                if step == "next":
                    number = ArticleNumber(number.number + 1)
                elif step == "gap":
                    number = ArticleNumber(number.number + draw(st.integers(2, 30)))
                else:
                    number = ArticleNumber(number.number, number.suffix + 1)
            sequential = step != "gap"
            separator = draw(st.sampled_from([" ", "\u3000", ""] if sequential else [" ", "\u3000"]))
            articles.append(
                GenArticle(
                    number,
                    tuple(draw(st.lists(paragraph_st, min_size=1, max_size=3))),
                    separator,
                    draw(st.booleans()),
                )
            )
        sections.append(GenSection(tuple(headings), tuple(articles)))
    return tuple(sections)


def render_label(article: GenArticle) -> str:
    number = article.number
    if not article.arabic:
        return number.label
    return f"第{number.number}条" + (f"之{int_to_cn(number.suffix)}" if number.suffix else "")


def render(sections: tuple[GenSection, ...], blank: bool) -> str:
    gap = "\n\n" if blank else "\n"
    out = ["# 中华人民共和国生成法", "2001年2月3日 第一次会议通过", "2021年1月22日 修订", "<!-- INFO END -->"]
    for section in sections:
        out.extend("#" * (depth + 1) + " " + text for depth, text in section.headings)
        for article in section.articles:
            first, items = article.paragraphs[0]
            out.append(render_label(article) + article.separator + first)
            out.extend(f"（{int_to_cn(i)}）{item}" for i, item in enumerate(items, start=1))
            for text, more in article.paragraphs[1:]:
                out.append(text)
                out.extend(f"（{int_to_cn(i)}）{item}" for i, item in enumerate(more, start=1))
    return gap.join(out) + "\n"


def expected(
    sections: tuple[GenSection, ...],
) -> tuple[list[tuple[ArticleNumber, tuple[str, ...], tuple[Paragraph, ...]]], int]:
    """The articles the parser should find, and how many headings head nothing."""
    stack: list[tuple[int, str, list[bool]]] = []
    orphans = 0
    result = []
    for section in sections:
        for depth, text in section.headings:
            while stack and stack[-1][0] >= depth:
                orphans += not stack.pop()[2][0]
            stack.append((depth, text, [False]))
        for entry in stack:
            entry[2][0] = True
        for article in section.articles:
            paragraphs = tuple(
                Paragraph(
                    index,
                    text,
                    tuple(Item(i, f"（{int_to_cn(i)}）{item}") for i, item in enumerate(items, start=1)),
                )
                for index, (text, items) in enumerate(article.paragraphs, start=1)
            )
            result.append((article.number, tuple(text for _, text, _ in stack), paragraphs))
    return result, orphans


@settings(max_examples=150, deadline=None)
@given(laws(), st.booleans())
def test_round_trip_generated_law(sections: tuple[GenSection, ...], blank: bool) -> None:
    law = parse_markdown(render(sections, blank), "行政法/生成法(2021-01-22).md")
    articles, orphans = expected(sections)
    assert [(a.number, a.path, a.paragraphs) for a in law.articles] == articles
    assert law.title == "中华人民共和国生成法"
    assert law.version_date == dt.date(2021, 1, 22)
    assert law.history == ((dt.date(2001, 2, 3), "第一次会议通过"), (dt.date(2021, 1, 22), "修订"))
    assert law.annexes == ()
    assert len(law.problems) == orphans
    assert all("标题下没有" in problem.message for problem in law.problems)
    lines = render(sections, blank).split("\n")
    for article in law.articles:
        assert lines[article.line - 1].startswith(render_label_of(article.number, lines[article.line - 1]))


def render_label_of(number: ArticleNumber, line: str) -> str:
    """The label as the line writes it (Chinese or Arabic)."""
    arabic = f"第{number.number}条" + (f"之{int_to_cn(number.suffix)}" if number.suffix else "")
    return arabic if line.startswith(arabic) else number.label


LINE_SHAPES = [
    "# 标题{m}",
    "## 第一章 总则{m}",
    "### 第一节 一般规定{m}",
    "#### 小节{m}",
    "附件：{m}",
    "附表一 {m}",
    "| {m} | 值 |",
    "|---|---|",
    "2020年1月1日 通过{m}",
    "2021年2月30日 无效{m}",
    "（一）项目{m}；",
    "（1）子项{m}；",
    "1. 目{m}；",
    "一、列举{m}。",
    "第一条 甲{m}。",
    "第3条 乙{m}。",
    "第五条当事人{m}。",
    "第七条之一　丙{m}。",
    "第三条规定的情形{m}。",
    "第三十－条 丁{m}。",
    "第八条 甲{m}。 第九条 乙{m}。",
    "普通段落{m}",
]
EXTRA_LINES = ["", "", "<!-- INFO END -->", "\u200b", "##", "<!-- 注释 -->"]


def haystack(law: ParsedLaw) -> str:
    parts = [law.title, law.subtitle, law.preamble]
    parts += [text for _, text in law.history]
    for article in law.articles:
        parts += [*article.path, article.text]
    parts += [f"{annex.title}\n{annex.text}" for annex in law.annexes]
    parts += [problem.fragment for problem in law.problems]
    return "\n".join(parts)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(LINE_SHAPES), st.sampled_from(EXTRA_LINES)), max_size=30),
    st.sampled_from(["行政法/随机法(2021-01-22).md", "案例/随机案.md", "随机.md"]),
)
def test_no_text_is_ever_lost(shapes: list[str], source: str) -> None:
    """Whatever the lines, each one's text ends up somewhere: never dropped silently."""
    lines = [shape.replace("{m}", f"记{index}号") for index, shape in enumerate(shapes)]
    law = parse_markdown("\n".join(lines), source)
    found = haystack(law)
    for index, shape in enumerate(shapes):
        if "{m}" in shape:
            assert f"记{index}号" in found, (index, lines[index])
    assert law.articles or law.annexes or law.problems or law.history or law.title


# ============================================================================ real corpus


def test_the_real_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.fail(
            f"找不到法规语料库 {CORPUS}：测试需要 ../shared/corpus/laws（见 shared/corpus/README.md）"
        )
    laws: dict[str, ParsedLaw] = {}
    for file in iter_law_files(CORPUS):
        text, _encoding = decode_law_file(file.data)
        laws[file.relative_path] = parse_markdown(text, file.relative_path)

    # Observed: 2,585 files, 108,830 articles, 540 annexes, 10 problems (4 empty bodies,
    # 4 headings without content, 2 labels with "－" for 一); 422 files with a preamble.
    articles = sum(len(law.articles) for law in laws.values())
    annexes = sum(len(law.annexes) for law in laws.values())
    problems = sum(len(law.problems) for law in laws.values())
    assert 2_500 <= len(laws) <= 2_700
    assert 104_000 <= articles <= 114_000
    assert 400 <= annexes <= 700
    assert problems <= 60
    for source, law in laws.items():
        assert law.articles or law.annexes or law.problems, source
        assert law.title, source
        numbers = [article.number for article in law.articles]
        assert numbers == sorted(set(numbers)), source

    xzcf = laws["行政法/行政处罚法(2021-01-22).md"]
    assert xzcf.title == "中华人民共和国行政处罚法"
    assert xzcf.version_date == dt.date(2021, 1, 22)
    assert len(art(xzcf, 33).paragraphs) == 3
    assert art(xzcf, 33).path == ("第四章 行政处罚的管辖和适用",)
    assert len(art(xzcf, 9).paragraphs[0].items) == 6
    assert len(xzcf.articles) == 86

    criminal = laws["刑法/刑法.md"]
    assert art(criminal, 133, 1).paragraphs[0].text.startswith("在道路上驾驶机动车")
    assert [annex.title for annex in criminal.annexes] == ["附件一", "附件二"]
    assert len(art(criminal, 452).paragraphs) >= 3

    contract = laws["民法典/合同编.md"]
    assert contract.subtitle == "合同编"
    assert art(contract, 681).path == ("第二分编 典型合同", "第十三章 保证合同", "第一节 一般规定")

    constitution = laws["宪法/宪法.md"]
    assert constitution.level is LawLevel.CONSTITUTION
    assert constitution.preamble.startswith("序言\n中国是世界上历史最悠久的国家之一")

    flight = laws["行政法规/飞行基本规则(2007-10-18).md"]  # whole chapters on one line
    assert len(flight.articles) == 124
    assert len(art(flight, 29).paragraphs[0].items) == 4

    sewage = laws["DLC/浙江地方法规/地方性法规/浙江/浙江省农村生活污水处理设施管理条例(2019-09-27).md"]
    assert sewage.region == "浙江"
    assert texts(art(sewage, 35))[0].startswith("农村生活污水纳入城镇污水处理设施集中处理")

    amendment = laws["刑法/刑法修正案（十一）.md"]
    assert amendment.articles == ()
    assert amendment.annexes[0].text.startswith("一、将刑法第十七条修改为")
