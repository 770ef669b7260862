"""找法: search-as-you-type, the law tree, the article view, versions and their comparison."""

from __future__ import annotations

import datetime as dt
import functools
import html
import itertools
import re
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHeaderView,
    QListWidgetItem,
    QMessageBox,
    QTableWidgetItem,
    QWidget,
)

from workstation.domain.citations import format_citation
from workstation.domain.formatting import chinese_date
from workstation.domain.statute_diff import ArticleChange, ChangeKind
from workstation.domain.statutes import (
    ArticleNumber,
    ArticleText,
    ImportReport,
    LawLevel,
    LawRef,
    SearchHit,
    SearchQuery,
    SearchResult,
    VersionRef,
)
from workstation.services.changes import Result
from workstation.services.statutes import LawView, StatuteService, version_label
from workstation.ui.errors import ErrorReporter
from workstation.ui.forms.statutes_page_ui import Ui_StatutesPage
from workstation.ui.forms.version_diff_dialog_ui import Ui_VersionDiffDialog
from workstation.ui.models import HeaderedTableModel
from workstation.ui.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex
LAW_ROLE = Qt.ItemDataRole.UserRole + 1
VERSION_ROLE = Qt.ItemDataRole.UserRole + 2
HEADING_ROLE = Qt.ItemDataRole.UserRole + 3


#: The law and first article of a citation (a citation may list several articles).
_FIRST_ARTICLE = re.compile(r"《[^》]+》第[一二三四五六七八九十百零〇]+条")


def version_text(version: VersionRef) -> str:
    return f"{version_label(version)}［{version.status.value}］"


class SearchResultsModel(HeaderedTableModel):
    """Search hits, best first."""

    HEADERS = ("法规", "条", "时效", "内容")

    def __init__(self) -> None:
        super().__init__()
        self._hits: tuple[SearchHit, ...] = ()

    def set_hits(self, hits: tuple[SearchHit, ...]) -> None:
        self.beginResetModel()
        self._hits = hits
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def _row_count(self) -> int:
        return len(self._hits)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        hit = self.hit(index.row()) if index.isValid() else None
        if hit is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                (
                    hit.law.title,
                    hit.article.label,
                    hit.version.status.value,
                    hit.snippet,
                )[index.column()]
                if 0 <= index.column() < 4
                else None
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            where = " / ".join(hit.path)
            return f"{hit.law.title}（{hit.law.level.value}）{where}\n{hit.snippet}"
        return None


def article_html(article: ArticleText, anchor: bool = True) -> str:
    """An article with its 款 numbered (②③…) and its 项 indented."""
    marks = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
    parts = []
    name = f"a{article.number.number}_{article.number.suffix}"
    label = html.escape(article.number.label)
    head = f'<a name="{name}"></a>' if anchor else ""
    many = len(article.paragraphs) > 1
    for i, paragraph in enumerate(article.paragraphs):
        mark = f'<span style="color:#6b7280">{marks[i] if i < len(marks) else ""}</span>' if many else ""
        lead = f"<b>{label}</b>　" if i == 0 else ""
        parts.append(
            f'<p style="margin:2px 0">{head if i == 0 else ""}{lead}{mark}{html.escape(paragraph.text)}</p>'
        )
        for item in paragraph.items:
            parts.append(f'<p style="margin:0 0 0 2em">{html.escape(item.text)}</p>')
    return "".join(parts)


class _Relay(QObject):
    """Carries import progress from the worker thread to the GUI thread (queued signal)."""

    progressed = Signal(int, int, str)


class VersionDiffDialog(QDialog):
    """Side-by-side comparison of two versions of a law."""

    compare_requested = Signal(str, str)

    def __init__(self, versions: tuple[VersionRef, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_VersionDiffDialog()
        self.ui.setupUi(self)
        self._changes: list[ArticleChange] = []
        self._versions = versions
        for version in versions:
            self.ui.oldCombo.addItem(version_text(version), version.version_id)
            self.ui.newCombo.addItem(version_text(version), version.version_id)
        if len(versions) >= 2:
            self.ui.oldCombo.setCurrentIndex(len(versions) - 2)
            self.ui.newCombo.setCurrentIndex(len(versions) - 1)
        header = self.ui.diffTable.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.ui.oldCombo.currentIndexChanged.connect(self._on_choice_changed)
        self.ui.newCombo.currentIndexChanged.connect(self._on_choice_changed)
        self.ui.changedOnlyCheck.toggled.connect(self._on_changed_only_toggled)
        self.ui.buttonBox.rejected.connect(self.reject)

    def request(self) -> None:
        self.compare_requested.emit(self.ui.oldCombo.currentData(), self.ui.newCombo.currentData())

    def _on_choice_changed(self, _index: int) -> None:
        self.request()

    def _on_changed_only_toggled(self, _on: bool) -> None:
        self.show_changes(self._changes)

    def show_changes(self, changes: list[ArticleChange]) -> None:
        self._changes = changes
        counts = {kind: sum(c.kind is kind for c in changes) for kind in ChangeKind}
        self.ui.summaryLabel.setText(
            f"修改 {counts[ChangeKind.CHANGED]} 条，新增 {counts[ChangeKind.ADDED]} 条，"
            f"删除 {counts[ChangeKind.REMOVED]} 条，未变 {counts[ChangeKind.SAME]} 条。"
        )
        shown = [
            c for c in changes if c.kind is not ChangeKind.SAME or not self.ui.changedOnlyCheck.isChecked()
        ]
        table = self.ui.diffTable
        table.setRowCount(len(shown))
        for row, change in enumerate(shown):
            old = f"{change.old_number.label} {change.old_text}" if change.old_number else ""
            new = f"{change.new_number.label} {change.new_text}" if change.new_number else ""
            for column, text in enumerate((change.kind.value, old, new)):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeRowsToContents()


class StatutesPage(QWidget):
    """The 找法 page. Searches run on the I/O pool; only the newest result is shown."""

    search_finished = Signal(int)
    law_shown = Signal(str)
    import_finished = Signal(object)

    DEBOUNCE_MS = 250

    def __init__(
        self,
        statutes: StatuteService,
        runner: TaskRunner,
        errors: ErrorReporter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_StatutesPage()
        self.ui.setupUi(self)
        self._statutes = statutes
        self._runner = runner
        self._errors = errors
        self._search_ids = itertools.count(1)
        self._latest_search = 0
        self._view: LawView | None = None
        self._selected_article: ArticleNumber | None = None
        self._cancel_import = threading.Event()
        self._diff_dialog: VersionDiffDialog | None = None
        self._tree_version_item: QStandardItem | None = None
        self._relay = _Relay()
        self.results_model = SearchResultsModel()
        self.tree_model = QStandardItemModel()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(self.DEBOUNCE_MS)
        self._setup_widgets()
        self._connect_signals()
        self._loaded_once = False

    def _setup_widgets(self) -> None:
        ui = self.ui
        ui.levelCombo.addItem("全部位阶", "")
        for level in LawLevel:
            ui.levelCombo.addItem(level.value, level.value)
        ui.atDate.setDate(QDate.currentDate())
        ui.resultsView.setModel(self.results_model)
        header = ui.resultsView.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        ui.resultsView.setColumnWidth(0, 170)
        ui.resultsView.setColumnWidth(1, 100)
        ui.resultsView.setColumnWidth(2, 64)
        ui.resultsView.verticalHeader().setVisible(False)
        ui.resultsView.setWordWrap(False)
        ui.resultsView.setTextElideMode(Qt.TextElideMode.ElideRight)
        ui.lawTree.setModel(self.tree_model)
        ui.splitter.setSizes([230, 620, 450])
        ui.importProgress.setVisible(False)
        ui.cancelImportButton.setVisible(False)
        self._set_article_actions(False)

    def _connect_signals(self) -> None:
        ui = self.ui
        ui.searchEdit.textChanged.connect(self._on_search_edit_text_changed)
        ui.searchEdit.returnPressed.connect(self._on_search_edit_return_pressed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        ui.levelCombo.currentIndexChanged.connect(self._on_filter_changed)
        ui.atCheck.toggled.connect(self._on_at_check_toggled)
        ui.atDate.dateChanged.connect(self._on_filter_changed)
        ui.historyCheck.toggled.connect(self._on_filter_changed)
        ui.resultsView.clicked.connect(self._on_results_view_clicked)
        ui.resultsView.activated.connect(self._on_results_view_clicked)
        ui.lawTree.clicked.connect(self._on_law_tree_clicked)
        ui.favouritesList.itemActivated.connect(self._on_marked_item_activated)
        ui.favouritesList.itemClicked.connect(self._on_marked_item_activated)
        ui.recentList.itemActivated.connect(self._on_marked_item_activated)
        ui.recentList.itemClicked.connect(self._on_marked_item_activated)
        ui.versionCombo.activated.connect(self._on_version_combo_activated)
        ui.favouriteButton.toggled.connect(self._on_favourite_button_toggled)
        ui.copyButton.clicked.connect(self._on_copy_button_clicked)
        ui.compareButton.clicked.connect(self._on_compare_button_clicked)
        ui.importButton.clicked.connect(self._on_import_button_clicked)
        ui.cancelImportButton.clicked.connect(self._on_cancel_import_button_clicked)
        self._relay.progressed.connect(self._on_relay_progressed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.refresh_tree()
            self.ui.searchEdit.setFocus()

    # ------------------------------------------------------------- searching

    def query(self) -> SearchQuery:
        ui = self.ui
        level = ui.levelCombo.currentData()
        at: dt.date | None = None
        if ui.atCheck.isChecked():
            qd = ui.atDate.date()
            at = dt.date(qd.year(), qd.month(), qd.day())
        return SearchQuery(
            text=ui.searchEdit.text(),
            at=at,
            levels=(LawLevel(level),) if level else (),
            all_versions=ui.historyCheck.isChecked(),
            within_law=self._view.law.law_id if self._view else "",
            limit=50,
        )

    def show_citation(self, citation: str) -> int:
        """Look up a citation such as 《中华人民共和国行政处罚法》第五十一条 (its first article)."""
        match = _FIRST_ARTICLE.search(citation)
        text = match.group(0) if match else citation
        self.ui.searchEdit.setText(text)
        return self.search_now()

    def search_now(self) -> int:
        """Start a search for the current input; returns its request number."""
        self._debounce.stop()
        request = next(self._search_ids)
        self._latest_search = request
        query = self.query()
        if not query.text.strip():
            self.results_model.set_hits(())
            self.ui.infoLabel.setText("")
            self.search_finished.emit(request)
            return request
        self._runner.run_io(
            lambda: self._statutes.search(query),
            functools.partial(self._on_search_done, request),
            self._errors.report,
            "找法",
        )
        return request

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_search_edit_return_pressed(self) -> None:
        self.search_now()

    def _on_debounce_timeout(self) -> None:
        self.search_now()

    def _on_filter_changed(self, *_args: object) -> None:
        if self.ui.searchEdit.text().strip():
            self._debounce.start()

    def _on_at_check_toggled(self, on: bool) -> None:
        self.ui.atDate.setEnabled(on)
        self._on_filter_changed()

    def _on_search_done(self, request: int, result: Result[SearchResult]) -> None:
        if request != self._latest_search:
            return  # a newer search has started: drop this stale result
        found = result.value
        lines: list[str] = []
        if found.messages:
            lines.extend(found.messages)
        if found.jump is not None:
            self._show_jump(found.jump)
            lines.append(f"已跳转到《{found.jump.version.title}》{found.jump.number.label}")
        else:
            if found.also_searched:
                lines.append("也搜索了：" + "、".join(found.also_searched))
            if not found.messages:
                lines.append(f"共 {found.total_articles} 条")
            if found.suggestion:
                lines.append(found.suggestion)
                lines.append(
                    "；".join(f"{c.law.title} {c.hits} 条" for c in found.per_law[:8])
                    + ("……" if len(found.per_law) > 8 else "")
                )
        self.results_model.set_hits(found.hits)
        self.ui.infoLabel.setText(
            "　".join(lines[:2]) + ("\n" + "\n".join(lines[2:]) if len(lines) > 2 else "")
        )
        self.search_finished.emit(request)

    def _on_results_view_clicked(self, index: QModelIndex) -> None:
        hit = self.results_model.hit(index.row())
        if hit is not None:
            self.open_law(hit.law.law_id, hit.article, hit.version.version_id)

    def _show_jump(self, article: ArticleText) -> None:
        self.open_law(article.version.law_id, article.number, article.version.version_id)

    # ------------------------------------------------------------- law view

    def open_law(
        self, law_id: str, article: ArticleNumber | None = None, version_id: str | None = None
    ) -> None:
        self._selected_article = article
        self._runner.run_io(
            lambda: self._statutes.show(law_id, None, None, version_id),
            self._on_law_loaded,
            self._errors.report,
            "打开法规",
        )

    def _on_law_loaded(self, result: Result[LawView]) -> None:
        view = result.value
        self._view = view
        ui = self.ui
        ui.lawTitleLabel.setText(f"{view.law.title}（{view.law.level.value}）")
        ui.versionCombo.blockSignals(True)
        ui.versionCombo.clear()
        for version in view.versions:
            ui.versionCombo.addItem(version_text(version), version.version_id)
        ui.versionCombo.setCurrentIndex(ui.versionCombo.findData(view.version.version_id))
        ui.versionCombo.blockSignals(False)
        ui.favouriteButton.blockSignals(True)
        ui.favouriteButton.setChecked(view.is_favourite)
        ui.favouriteButton.setText("已收藏" if view.is_favourite else "收藏")
        ui.favouriteButton.blockSignals(False)
        self._set_article_actions(True)
        ui.compareButton.setEnabled(len(view.versions) > 1)
        body = [
            f'<p style="color:#6b7280">{html.escape(version_text(view.version))}'
            + (
                f"，施行日期 {chinese_date(view.version.effective_date)}"
                if view.version.effective_date
                else ""
            )
            + "</p>"
        ]
        last_path: tuple[str, ...] = ()
        headings: list[tuple[int, str, str]] = []
        for article in view.articles:
            if article.path != last_path:
                shared = 0
                while (
                    shared < min(len(article.path), len(last_path))
                    and article.path[shared] == last_path[shared]
                ):
                    shared += 1
                for depth, heading in enumerate(article.path[shared:], start=shared):
                    anchor = f"h{len(headings)}"
                    headings.append((depth, heading, anchor))
                    body.append(
                        f'<h4 style="margin:10px 0 4px 0"><a name="{anchor}"></a>{html.escape(heading)}</h4>'
                    )
                last_path = article.path
            body.append(article_html(article))
        ui.articleBrowser.setHtml("".join(body))
        self._fill_structure(view, headings)
        if self._selected_article is not None:
            ui.articleBrowser.scrollToAnchor(
                f"a{self._selected_article.number}_{self._selected_article.suffix}"
            )
        self.law_shown.emit(view.law.law_id)
        self._refresh_marked()

    def _fill_structure(self, view: LawView, headings: list[tuple[int, str, str]]) -> None:
        """编/章/节 of the shown version under its node in the law tree (a click scrolls to it)."""
        item = self._tree_version_item
        self._tree_version_item = None
        if item is None or item.data(VERSION_ROLE) != view.version.version_id or item.rowCount():
            return
        parents: dict[int, QStandardItem] = {}
        for depth, heading, anchor in headings:
            child = QStandardItem(heading)
            child.setData(anchor, HEADING_ROLE)
            child.setEditable(False)
            parents.get(depth - 1, item).appendRow(child)
            parents[depth] = child
        self.ui.lawTree.expand(item.index())

    def _set_article_actions(self, enabled: bool) -> None:
        for widget in (
            self.ui.versionCombo,
            self.ui.copyButton,
            self.ui.favouriteButton,
            self.ui.compareButton,
        ):
            widget.setEnabled(enabled)

    def _on_version_combo_activated(self, index: int) -> None:
        if self._view is not None:
            self.open_law(self._view.law.law_id, self._selected_article, self.ui.versionCombo.itemData(index))

    def citation_text(self) -> str:
        """The standard citation of the article being looked at (or of the law)."""
        if self._view is None:
            return ""
        if self._selected_article is not None:
            return format_citation(self._view.law.title, self._selected_article)
        return f"《{self._view.law.title}》"

    def _on_copy_button_clicked(self) -> None:
        text = self.citation_text()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.ui.infoLabel.setText(f"已复制：{text}")

    def _on_favourite_button_toggled(self, on: bool) -> None:
        if self._view is None:
            return
        law_id = self._view.law.law_id
        self.ui.favouriteButton.setText("已收藏" if on else "收藏")
        self._runner.run_db(
            lambda: self._statutes.set_favourite(law_id, on), self._on_marked_changed, self._errors.report
        )

    def _on_marked_changed(self, _result: Result[bool]) -> None:
        self._refresh_marked()

    def _refresh_marked(self) -> None:
        self._runner.run_io(
            lambda: (self._statutes.marked("favourite").value, self._statutes.marked("recent").value),
            self._on_marked_loaded,
            self._errors.report,
        )

    def _on_marked_loaded(self, lists: tuple[list[LawRef], list[LawRef]]) -> None:
        for widget, laws in zip((self.ui.favouritesList, self.ui.recentList), lists, strict=True):
            widget.clear()
            for law in laws:
                item = QListWidgetItem(law.title)
                item.setData(LAW_ROLE, law.law_id)
                widget.addItem(item)

    def _on_marked_item_activated(self, item: QListWidgetItem) -> None:
        self.open_law(str(item.data(LAW_ROLE)))

    # ------------------------------------------------------------- compare

    def _on_compare_button_clicked(self) -> None:
        if self._view is None or len(self._view.versions) < 2:
            return
        dialog = VersionDiffDialog(self._view.versions, self)
        dialog.compare_requested.connect(self._on_diff_dialog_compare_requested)
        self._diff_dialog = dialog
        dialog.open()
        dialog.request()

    def _on_diff_dialog_compare_requested(self, old_id: str, new_id: str) -> None:
        if self._view is None:
            return
        law_id = self._view.law.law_id
        self._runner.run_io(
            lambda: self._statutes.compare(law_id, old_id, new_id),
            self._on_compare_done,
            self._errors.report,
            "版本对照",
        )

    def _on_compare_done(self, result: Result[list[ArticleChange]]) -> None:
        if self._diff_dialog is not None:
            self._diff_dialog.show_changes(result.value)

    # ------------------------------------------------------------- tree

    def refresh_tree(self) -> None:
        self._runner.run_io(
            self._statutes.tree_with_versions, self._on_tree_loaded, self._errors.report, "法规目录"
        )
        self._refresh_marked()

    def _on_tree_loaded(self, result: Result[list[tuple[LawRef, list[VersionRef]]]]) -> None:
        model = self.tree_model
        model.clear()
        groups: dict[str, QStandardItem] = {}
        for law, versions in result.value:
            key = (law.category or law.level.value) + (f" · {law.region}" if law.region else "")
            group = groups.get(key)
            if group is None:
                group = QStandardItem(key)
                group.setEditable(False)
                groups[key] = group
                model.appendRow(group)
            item = QStandardItem(law.title + (f"（{len(versions)} 个版本）" if len(versions) > 1 else ""))
            item.setData(law.law_id, LAW_ROLE)
            item.setToolTip(law.title)
            item.setEditable(False)
            for version in reversed(versions):  # newest first
                child = QStandardItem(version_text(version))
                child.setData(law.law_id, LAW_ROLE)
                child.setData(version.version_id, VERSION_ROLE)
                child.setEditable(False)
                item.appendRow(child)
            group.appendRow(item)
        for group in groups.values():
            group.setText(f"{group.text()}（{group.rowCount()}）")
        if not result.value:
            self.ui.infoLabel.setText("法规库是空的：请点击“导入法规”，或运行 workstation laws import。")

    def _on_law_tree_clicked(self, index: QModelIndex) -> None:
        heading = index.data(HEADING_ROLE)
        if heading:
            self.ui.articleBrowser.scrollToAnchor(str(heading))
            return
        law_id = index.data(LAW_ROLE)
        if law_id:
            self._tree_version_item = (
                self.tree_model.itemFromIndex(index) if index.data(VERSION_ROLE) else None
            )
            self.open_law(str(law_id), None, index.data(VERSION_ROLE) or None)

    # ------------------------------------------------------------- import

    def _on_import_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "选择要导入的法规文件", "", "法规（*.zip *.json *.db *.md）;;所有文件（*）"
        )
        if not path:
            folder = QFileDialog.getExistingDirectory(self, "或选择 Markdown 法规文件夹")
            if not folder:
                return
            path = folder
        self.start_import(Path(path))

    def start_import(self, path: Path | None, fmt: str | None = None) -> None:
        self._cancel_import.clear()
        ui = self.ui
        ui.importProgress.setRange(0, 0)
        ui.importProgress.setVisible(True)
        ui.cancelImportButton.setVisible(True)
        ui.importButton.setEnabled(False)
        relay = self._relay
        self._runner.run_db(
            lambda: self._statutes.import_laws(
                path,
                fmt,
                lambda done, total, name: relay.progressed.emit(done, total, name),
                self._cancel_import.is_set,
            ),
            self._on_import_done,
            self._on_import_failed,
            "导入法规",
        )

    def _on_relay_progressed(self, done: int, total: int, name: str) -> None:
        self.ui.importProgress.setRange(0, total)
        self.ui.importProgress.setValue(done)
        self.ui.importProgress.setToolTip(name)

    def _on_cancel_import_button_clicked(self) -> None:
        self._cancel_import.set()
        self.ui.cancelImportButton.setEnabled(False)

    def _finish_import_ui(self) -> None:
        self.ui.importProgress.setVisible(False)
        self.ui.cancelImportButton.setVisible(False)
        self.ui.cancelImportButton.setEnabled(True)
        self.ui.importButton.setEnabled(True)

    def _on_import_failed(self, exc: BaseException) -> None:
        self._finish_import_ui()
        self._errors.report(exc)

    def _on_import_done(self, result: Result[ImportReport]) -> None:
        self._finish_import_ui()
        report = result.value
        text = (
            f"{'已取消：' if report.cancelled else ''}处理文件 {report.files} 个，新导入 {report.imported}，"
            f"未变化 {report.unchanged}，条文 {report.articles} 条；"
            f"未能解析的片段 {len(report.problems)} 处。"
        )
        self.ui.infoLabel.setText(text)
        if report.problems:
            box = QMessageBox(
                QMessageBox.Icon.Information, "导入报告", text, QMessageBox.StandardButton.Ok, self
            )
            box.setDetailedText(
                "\n".join(f"{p.source}:{p.line}  {p.message}" for p in report.problems[:2000])
            )
            box.open()
        self.refresh_tree()
        self.import_finished.emit(report)
