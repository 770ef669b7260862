"""Action forms made from workflow field definitions: editors, values, highlighting, citations."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QFormLayout, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from workstation.domain.guards import RuleProblem
from workstation.domain.workflow import ActionOption, FieldSpec
from workstation.ui.action_dialog import ActionDialog
from workstation.ui.field_editors import FieldEditors, citation_from_link, citation_link, problems_html

TODAY = dt.date(2025, 10, 9)
SPECS = (
    FieldSpec("act_date", "date", "违法行为发生日期"),
    FieldSpec("act_end_date", "date", "违法行为终了日期", optional=True),
    FieldSpec("party_kind", "choice", "当事人类别", options=("person", "organisation", "other")),
    FieldSpec("evidence_kinds", "list", "已收集的证据种类"),
    FieldSpec("checklist", "list", "检查单", optional=True),
    FieldSpec("saved_items", "list", "物品清单", optional=True),
    FieldSpec("fine", "money", "罚款金额（元）", optional=True),
    FieldSpec("minor", "bool", "违法行为轻微", optional=True),
    FieldSpec("officers", "list", "承办执法人员"),
    FieldSpec("review_opinion", "text", "审核意见"),
)


def _editors(qtbot: QtBot) -> tuple[QWidget, FieldEditors]:
    host = QWidget()
    qtbot.addWidget(host)
    form = QFormLayout(host)
    return host, FieldEditors(form, SPECS, TODAY)


def test_each_type_gets_its_editor_with_chinese_labels(qtbot: QtBot) -> None:
    _host, editors = _editors(qtbot)
    assert "officers" not in editors.names(), "the service fills in the case's officers"
    assert isinstance(editors.widget("act_date"), QDateEdit)
    assert isinstance(editors.widget("minor"), QCheckBox)
    combo = editors.widget("party_kind")
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["（请选择）", "自然人", "法人", "其他组织"]
    kinds = editors.widget("evidence_kinds")
    assert isinstance(kinds, QListWidget)
    assert kinds.count() == 8 and kinds.item(0).text() == "书证"  # 《行政处罚法》第四十六条


def test_values_leave_out_empty_optional_fields(qtbot: QtBot) -> None:
    _host, editors = _editors(qtbot)
    # A required date starts at today; unchosen choices, empty text and optional dates are left out.
    assert editors.values() == {"act_date": "2025-10-09", "evidence_kinds": []}
    editors.set_value("act_date", "2025-09-20")
    editors.set_value("party_kind", "organisation")
    editors.set_value("evidence_kinds", ["record", "audiovisual"])
    editors.set_value("checklist", [{"department": "市场监管", "item": "亮证经营", "result": "合格"}])
    editors.set_value("saved_items", ["燃气罐 2 只", "灶具 1 台"])
    editors.set_value("fine", "1,200.50")
    editors.set_value("minor", True)
    editors.set_value("review_opinion", "同意")
    assert editors.values() == {
        "act_date": "2025-09-20",
        "party_kind": "organisation",
        "evidence_kinds": ["audiovisual", "record"],
        "checklist": [{"department": "市场监管", "item": "亮证经营", "result": "合格"}],
        "saved_items": ["燃气罐 2 只", "灶具 1 台"],
        "fine": "1,200.50",
        "minor": True,
        "review_opinion": "同意",
    }
    editors.set_value("act_end_date", "2025-09-21")
    assert editors.values()["act_end_date"] == "2025-09-21"


def test_mark_invalid_highlights_one_field(qtbot: QtBot) -> None:
    _host, editors = _editors(qtbot)
    assert editors.mark_invalid("fine")
    assert editors.widget("fine").property("invalid") is True
    assert editors.widget("act_date").property("invalid") is False
    assert editors.mark_invalid(None) is False
    assert editors.widget("fine").property("invalid") is False


def test_citations_become_links_into_the_statute_view() -> None:
    cite = "《中华人民共和国行政处罚法》第四十四条"
    link = citation_link(cite)
    href = link.split('href="')[1].split('"')[0]
    assert citation_from_link(href) == cite
    assert citation_link("普通程序流程") == "普通程序流程"
    text = problems_html(
        [RuleProblem("P11", "陈述申辩期未满", cite)], [RuleProblem("P06", "立案<超期>", cite, False)]
    )
    assert "［P11］陈述申辩期未满" in text and "（提示）［P06］立案&lt;超期&gt;" in text


def test_dialog_shows_refusals_and_field_errors_without_losing_input(qtbot: QtBot) -> None:
    from workstation.domain.errors import FieldError
    from workstation.domain.workflow import ActionRefused

    option = ActionOption("conclude", "调查终结", "concluded", True, (), (), SPECS)
    dialog = ActionDialog(option, TODAY, "调查终结", ("案件调查终结报告",))
    qtbot.addWidget(dialog)
    assert "制作文书：案件调查终结报告" in dialog.ui.descriptionLabel.text()
    dialog.set_values({"fine": "abc", "review_opinion": "同意"})
    with qtbot.waitSignal(dialog.submitted) as sent:
        dialog.ui.buttonBox.accepted.emit()
    assert sent.args[0]["fine"] == "abc"
    assert dialog.show_error(FieldError("fine", "“罚款金额（元）”应为金额。"))
    assert dialog.editors.widget("fine").property("invalid") is True
    assert "应为金额" in dialog.ui.errorLabel.text()
    problem = RuleProblem("P21", "首违不罚情形不得处罚", "《中华人民共和国行政处罚法》第三十三条")
    assert dialog.show_error(ActionRefused("调查终结", [problem]))
    assert dialog.ui.problemsLabel.isVisibleTo(dialog) and "第三十三条" in dialog.ui.problemsLabel.text()
    assert dialog.values()["review_opinion"] == "同意"
    with qtbot.waitSignal(dialog.citation_activated) as opened:
        dialog.ui.problemsLabel.linkActivated.emit(citation_link(problem.citation).split('"')[1])
    assert opened.args == [problem.citation]
    assert dialog.show_error(RuntimeError("bug")) is False
