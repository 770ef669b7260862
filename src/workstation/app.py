"""Composition root: the one place that builds and wires everything.

``build_core`` makes the headless part (data directory, settings, database,
repositories, services) and is shared by the GUI and the CLI; ``run_gui``
adds the Qt layer. Dependencies are passed through constructors; nothing is
looked up from a global registry. PySide6 is imported only inside the GUI
functions so headless commands start fast and never need a display.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from workstation.credentials.keyring_store import KeyringCredentialStore
from workstation.domain.clock import SystemClock
from workstation.domain.errors import DatabaseCorrupt, KnownError
from workstation.domain.ports import Clock
from workstation.instance import InstanceLock, SessionMarker
from workstation.logs import LogSetup, setup_logging
from workstation.paths import DataPaths, prepare_data_dir, resolve_data_dir
from workstation.persistence.database import Database, OpenReport
from workstation.persistence.uow import LazySqlUnitOfWorkFactory
from workstation.services.intake import IntakeService
from workstation.services.maintenance import MaintenanceService
from workstation.services.office import OfficeService
from workstation.settings import Settings, SettingsStore

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from workstation.library.calendar_adapter import RefreshingCalendar
    from workstation.persistence.attachments import SqlAttachmentStore
    from workstation.persistence.benchmarks import SqlBenchmarkStore
    from workstation.persistence.cases import SqlCaseStore
    from workstation.services.case_record import CaseRecordService
    from workstation.services.cases import CaseService
    from workstation.services.discretion import DiscretionService
    from workstation.services.documents import DocumentService
    from workstation.services.evidence import EvidenceService
    from workstation.services.signatures import SignatureService
    from workstation.services.statutes import StatuteService
    from workstation.sync.engine import SyncClient
    from workstation.sync.steps import SyncSteps
    from workstation.sync.tasks import SyncDesk
    from workstation.ui.current_user import CurrentUser, UserSwitcher
    from workstation.ui.main_window import MainWindow
    from workstation.ui.sync_status import SyncController
    from workstation.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

#: Set when the process started; the start-up benchmark reads it.
PROCESS_START = time.perf_counter()


@dataclass
class Core:
    """Everything headless, opened and ready."""

    paths: DataPaths
    settings_store: SettingsStore
    settings: Settings
    database: Database
    open_report: OpenReport
    uow: LazySqlUnitOfWorkFactory
    clock: Clock
    credentials: KeyringCredentialStore
    office: OfficeService
    intake: IntakeService
    maintenance: MaintenanceService
    _marker: SessionMarker = field(repr=False)
    _statutes: StatuteService | None = field(default=None, repr=False)
    _cases: CaseService | None = field(default=None, repr=False)
    _case_record: CaseRecordService | None = field(default=None, repr=False)
    _benchmark_store: SqlBenchmarkStore | None = field(default=None, repr=False)
    _cases_store: SqlCaseStore | None = field(default=None, repr=False)
    _attachment_store: SqlAttachmentStore | None = field(default=None, repr=False)
    _signatures: SignatureService | None = field(default=None, repr=False)
    _discretion: DiscretionService | None = field(default=None, repr=False)
    _documents: DocumentService | None = field(default=None, repr=False)
    _evidence: EvidenceService | None = field(default=None, repr=False)
    _sync: SyncClient | None = field(default=None, repr=False)
    _deadline_calendar: RefreshingCalendar | None = field(default=None, repr=False)

    @property
    def statutes(self) -> StatuteService:
        """The statute library's services, wired on first use (SQLAlchemy loads then)."""
        if self._statutes is None:
            from workstation.library.importer import SqlStatuteImporter
            from workstation.library.search import SqlStatuteIndex
            from workstation.library.store import StatuteStore
            from workstation.services.statutes import StatuteService

            engine = self.database.engine
            index = SqlStatuteIndex(engine)
            self._statutes = StatuteService(
                library=index.lookup,
                index=index,
                importer=SqlStatuteImporter(StatuteStore(engine), self.clock.today),
                today=self.clock.today,
            )
        return self._statutes

    @property
    def cases(self) -> CaseService:
        """The case services, wired on first use (workflows, calendar and SQLAlchemy load then)."""
        if self._cases is None:
            self._wire_cases()
        assert self._cases is not None
        return self._cases

    @property
    def case_record(self) -> CaseRecordService:
        """The 全过程记录 as a timeline, wired with the case services."""
        if self._case_record is None:
            self._wire_cases()
        assert self._case_record is not None
        return self._case_record

    @property
    def discretion(self) -> DiscretionService:
        """The 裁量基准 services, wired on first use; citations are checked against ``statutes``."""
        if self._discretion is None:
            from workstation.domain.guards import ProcedureConfig
            from workstation.services.discretion import DiscretionService, statute_citation_resolver

            resolver = statute_citation_resolver(
                lambda text: self.statutes.cite(text), lambda: bool(self.statutes.tree().value)
            )
            self._discretion = DiscretionService(
                self._benchmarks(), ProcedureConfig(), self.clock.now, resolver
            )
        return self._discretion

    @property
    def documents(self) -> DocumentService:
        """执法文书 (render, number, verify, dossier), wired on first use; the decisions' cited articles
        are resolved in the statute library."""
        if self._documents is None:
            from workstation.library.legal_basis import LibraryLegalBasisResolver
            from workstation.library.store import SqlStatuteLookup
            from workstation.persistence.documents import SqlDocumentStore
            from workstation.persistence.numbering import allocate
            from workstation.services.documents import DocumentService
            from workstation.services.workflows import bundled_workflows

            self._documents = DocumentService(
                self._case_store(),
                SqlDocumentStore(self.database.engine, allocate),
                bundled_workflows(),
                self.clock.today,
                signatures=lambda case_id, code: self.signatures.marks(case_id, code).value,
                evidence=lambda case_id: self.evidence.list(case_id).value,
                legal_basis=LibraryLegalBasisResolver(SqlStatuteLookup(self.database.engine)),
            )
        return self._documents

    @property
    def evidence(self) -> EvidenceService:
        """证据 of cases (《行政处罚法》第四十六条), files stored by content hash, wired on first use."""
        if self._evidence is None:
            from workstation.persistence.case_events import SqlCaseEventStore
            from workstation.persistence.evidence import SqlEvidenceStore
            from workstation.persistence.numbering import allocate
            from workstation.services.evidence import EvidenceService
            from workstation.services.workflows import bundled_workflows

            engine = self.database.engine
            self._evidence = EvidenceService(
                SqlEvidenceStore(engine, SqlCaseEventStore(engine), allocate, self.paths.root),
                self._attachments(),
                self.clock.now,
                bundled_workflows(),
            )
        return self._evidence

    @property
    def signatures(self) -> SignatureService:
        """签名 and 拒签 records of documents, their images stored by content hash."""
        if self._signatures is None:
            from workstation.persistence.signatures import SqlSignatureStore
            from workstation.services.signatures import SignatureService

            self._signatures = SignatureService(
                self._attachments(), SqlSignatureStore(self.database.engine), now=self.clock.now
            )
        return self._signatures

    @property
    def sync(self) -> SyncClient:
        """Login and sync with the central server (docs/SYNC.md), wired on first use."""
        if self._sync is None:
            from workstation.sync.engine import make_sync_client

            self._sync = make_sync_client(
                self.database.engine,
                self.paths,
                self.settings_store,
                self.credentials,
                self.clock.now,
                steps=self._sync_steps,
            )
        return self._sync

    def sync_desk(self) -> SyncDesk:
        """Pushed tasks accepted into cases, and what the sync steps kept for a person."""
        from workstation.persistence.reference_sync import SqlReferenceSync
        from workstation.sync.tasks import SyncDesk

        return SyncDesk(
            self.sync,
            SqlReferenceSync(self.database.engine),
            lambda: self.cases,
            lambda: self.evidence,
            self.clock.today,
            self.paths.sessions,
        )

    def _sync_steps(self) -> SyncSteps:
        """What a sync run does after push and pull: reference data, 公示, anchors, tasks, and
        the evidence files of cases pulled from another device."""
        from workstation.persistence.numbering import SqlNumberBlocks
        from workstation.persistence.reference_sync import SqlReferenceSync
        from workstation.sync.steps import SyncSteps

        settings = self.settings_store.load()  # as they are now (the settings page may change them)
        return SyncSteps(
            SqlReferenceSync(self.database.engine),
            discretion=self.discretion,
            statutes=self.statutes,
            on_holidays=self.deadline_calendar().invalidate,
            attachments=self._attachments(),
            number_threshold=settings.number_block_threshold,
            number_block_size=settings.number_block_size,
            numbers=SqlNumberBlocks(self.database.engine),
        )

    def deadline_calendar(self) -> RefreshingCalendar:
        """The deadline calendar of cases and warnings: the bundled holiday table with each
        complete year the central server sent (sync/steps.py ``synced_calendar``), rebuilt when
        a sync takes holiday tables (the holidays feed's cursor moves), without a restart."""
        if self._deadline_calendar is None:
            from workstation.library.calendar_adapter import RefreshingCalendar
            from workstation.persistence.reference_sync import SqlReferenceSync
            from workstation.sync.steps import synced_calendar

            store = SqlReferenceSync(self.database.engine)
            self._deadline_calendar = RefreshingCalendar(
                lambda: synced_calendar(store), lambda: store.cursor("holidays")
            )
        return self._deadline_calendar

    def _case_store(self) -> SqlCaseStore:
        """One case store (cases, their events and 案号) for every service that reads cases."""
        if self._cases_store is None:
            from workstation.persistence.case_events import SqlCaseEventStore
            from workstation.persistence.cases import SqlCaseStore
            from workstation.persistence.numbering import allocate

            engine = self.database.engine
            self._cases_store = SqlCaseStore(engine, SqlCaseEventStore(engine), allocate)
        return self._cases_store

    def _attachments(self) -> SqlAttachmentStore:
        """Files stored once by content hash under the data directory's attachments/."""
        if self._attachment_store is None:
            from workstation.persistence.attachments import SqlAttachmentStore

            self._attachment_store = SqlAttachmentStore(self.database.engine, self.paths.root)
        return self._attachment_store

    def _benchmarks(self) -> SqlBenchmarkStore:
        """One benchmark store (it caches parsed benchmarks) for 裁量 and for case handling."""
        if self._benchmark_store is None:
            from workstation.persistence.benchmarks import SqlBenchmarkStore

            self._benchmark_store = SqlBenchmarkStore(self.database.engine)
        return self._benchmark_store

    def _wire_cases(self) -> None:
        from workstation.domain.workflow import ProcedureConfig, WorkflowEngine
        from workstation.services.case_record import CaseRecordService
        from workstation.services.cases import CaseService
        from workstation.services.workflows import bundled_workflows

        store = self._case_store()
        workflow = WorkflowEngine(bundled_workflows(), ProcedureConfig(), self.deadline_calendar())
        self._cases = CaseService(store, workflow, self.clock.now, benchmarks=self._benchmarks())
        self._case_record = CaseRecordService(store, workflow)

    def close(self) -> None:
        self.database.close()
        self._marker.close()


def build_core(paths: DataPaths, clock: Clock | None = None) -> Core:
    """Open the data directory's database (checking, backing up, upgrading) and wire services."""
    settings_store = SettingsStore(paths.settings_file)
    settings = settings_store.load()
    marker = SessionMarker(paths.sessions)
    stale = marker.stale_markers()
    database = Database(paths, backups_to_keep=settings.backups_to_keep)
    marker.open()
    try:
        report = database.open(after_unclean_shutdown=bool(stale))
    except DatabaseCorrupt:
        marker.clear_stale(stale)
        marker.close()
        raise
    except BaseException:
        marker.close()
        raise
    marker.clear_stale(stale)
    uow = LazySqlUnitOfWorkFactory(database)
    clock = clock or SystemClock()
    core = Core(
        paths=paths,
        settings_store=settings_store,
        settings=settings,
        database=database,
        open_report=report,
        uow=uow,
        clock=clock,
        credentials=KeyringCredentialStore(),
        office=OfficeService(
            uow,
            clock,
            lambda: settings_store.load().certificate_warning_days,
            cases=lambda: core.cases,  # the demo seed opens cases through Core.cases
            discretion=lambda: core.discretion,
        ),
        intake=IntakeService(
            uow,
            clock,
            settings.certificate_warning_days,
            inactive_officers=lambda: _inactive_officers(database),
        ),
        maintenance=MaintenanceService(database),
        _marker=marker,
    )
    return core


def _inactive_officers(database: Database) -> set[str]:
    """Officers the provincial platform deactivated (not offered for new cases)."""
    from workstation.persistence.reference_sync import SqlReferenceSync

    return SqlReferenceSync(database.engine).inactive_officer_ids()


# ---------------------------------------------------------------------- GUI


@dataclass(frozen=True, slots=True)
class GuiOptions:
    data_dir: str | None = None
    #: Save a screenshot of every page into this folder, then quit.
    screenshot_tour: Path | None = None
    #: Print the start-up time once the window is shown, then quit (bench/startup.py).
    exit_when_shown: bool = False
    argv: tuple[str, ...] = ()


@dataclass
class Gui:
    """The wired Qt layer (returned so tests and the self-test can inspect it)."""

    window: MainWindow
    runner: TaskRunner
    user: CurrentUser
    switcher: UserSwitcher
    sync: SyncController | None = None


def build_gui(core: Core, logs: LogSetup) -> Gui:
    from PySide6.QtCore import QSettings

    from workstation.services.sync import SyncService
    from workstation.ui.current_user import CurrentUser, UserSwitcher
    from workstation.ui.errors import ErrorReporter
    from workstation.ui.main_window import MainWindow, StatusInfo
    from workstation.ui.pages.workbench import WorkbenchPage
    from workstation.ui.sync_status import SyncController
    from workstation.ui.tasks import TaskRunner

    # Pages other than the 工作台 are imported and built when first opened.
    def settings_page() -> QWidget:
        from workstation.ui.pages.settings_page import SettingsPage

        return SettingsPage(core.maintenance, core.paths.root, core.paths.log_file, runner, errors)

    def backup_now() -> None:
        from workstation.ui.pages.settings_page import SettingsPage

        page = window.page("settings")
        assert isinstance(page, SettingsPage)
        page.backup_now()

    def statutes_page() -> QWidget:
        from workstation.ui.pages.statutes_page import StatutesPage

        return StatutesPage(core.statutes, runner, errors)

    def cases_page() -> QWidget:
        from workstation.persistence.case_list import SqlCaseListSource
        from workstation.services.case_list import CaseListService
        from workstation.services.workflows import bundled_workflows
        from workstation.ui.pages.cases_page import CaseServices, CasesPage

        services = CaseServices(
            cases=core.cases,
            case_list=CaseListService(SqlCaseListSource(core.database.engine)),
            record=core.case_record,
            intake=core.intake,
            discretion=core.discretion,
            evidence=core.evidence,
        )
        page = CasesPage(
            services, bundled_workflows(), core.clock.today, user, runner, errors, now=core.clock.now
        )
        page.case_shown.connect(lambda case_id: holder_case.__setitem__("case", case_id))
        page.user_needed.connect(switcher.choose)
        page.citation_activated.connect(show_citation)
        return page

    def documents_page() -> QWidget:
        from workstation.ui.pages.documents_page import DocumentsPage

        def output_dir(case_ref: str) -> Path:
            safe = "".join("_" if c in '<>:"/\\|?*' else c for c in case_ref)
            return core.paths.root / "documents" / safe

        return DocumentsPage(
            core.documents,
            output_dir,
            lambda: holder_case.get("case"),
            runner,
            errors,
            signatures=core.signatures.acting_as(lambda: user.officer_id),
        )

    def discretion_page() -> QWidget:
        from workstation.ui.pages.discretion_page import DiscretionPage

        page = DiscretionPage(core.discretion, runner, errors)
        page.citation_activated.connect(show_citation)
        return page

    def show_citation(citation: str) -> None:
        from workstation.ui.pages.statutes_page import StatutesPage

        page = window.page("statutes")
        assert isinstance(page, StatutesPage)
        window.show_page("statutes")
        page.show_citation(citation)

    def save_user(officer_id: str, name: str) -> None:
        store = core.settings_store
        store.save(replace(store.load(), current_officer_id=officer_id, current_officer_name=name))

    def workbench_page() -> QWidget:
        page = WorkbenchPage(core.office, runner, errors, current_officer=lambda: user.officer_id, sync=sync)
        user.changed.connect(page.refresh)
        page.case_activated.connect(open_case)
        sync.tasks_loaded.connect(page.set_server_tasks)
        sync.sync_finished.connect(lambda _summary: page.refresh())
        return page

    def sync_page() -> QWidget:
        from workstation.ui.pages.sync_page import SyncPage

        return SyncPage(sync, errors)

    def sync_field_labels() -> dict[str, str]:
        from workstation.services.sync import workflow_field_labels
        from workstation.services.workflows import bundled_workflows

        return workflow_field_labels(bundled_workflows().values())

    def sync_interval() -> int:
        return core.settings_store.load().sync_interval_minutes

    def open_case(case_id: str) -> None:
        from workstation.ui.pages.cases_page import CasesPage

        page = window.page("cases")
        assert isinstance(page, CasesPage)
        window.show_page("cases")
        page.open_case(case_id)

    holder: dict[str, MainWindow] = {}
    holder_case: dict[str, str] = {}  # the case last opened in 案件, which 文书 shows
    errors = ErrorReporter(logs.tail.text, lambda: holder.get("window"))
    runner = TaskRunner(errors.report)
    user = CurrentUser(core.settings.current_officer_id, core.settings.current_officer_name, save_user)
    switcher = UserSwitcher(user, core.intake, runner, errors, lambda: holder.get("window"))
    sync_service = SyncService(
        lambda: core.sync, core.clock.now, sync_interval, sync_field_labels, desk=core.sync_desk
    )
    sync = SyncController(sync_service, runner, errors, sync_interval, core.clock.now)
    pages: dict[str, Callable[[], QWidget]] = {
        "workbench": workbench_page,
        "cases": cases_page,
        "discretion": discretion_page,
        "documents": documents_page,
        "statutes": statutes_page,
        "sync": sync_page,
        "settings": settings_page,
    }
    ui_state = QSettings(str(core.paths.root / "ui-state.ini"), QSettings.Format.IniFormat)
    status = StatusInfo(
        user=user.text(),
        sync="未配置省级平台，单机工作" if not core.settings.central_server_url else "尚未同步",
    )
    window = MainWindow(pages, status, ui_state)
    holder["window"] = window
    # The controller and its background timer live and die with the window: closing the window
    # stops the timer, deleting it deletes the controller.
    sync.setParent(window)
    window.closed.connect(sync.stop)
    window.backup_requested.connect(backup_now)
    window.user_switch_requested.connect(switcher.choose)
    user.changed.connect(lambda: window.set_user(user.text()))
    sync.status_changed.connect(lambda st: window.sync_status.show_status(st, core.clock.now(), sync.running))
    sync.status_failed.connect(window.sync_status.show_problem)
    sync.sync_started.connect(window.sync_status.show_running)
    errors.install()
    sync.start()
    return Gui(window, runner, user, switcher, sync)


def _offscreen() -> bool:
    return os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen")


def run_gui(options: GuiOptions) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from workstation.ui.errors import show_startup_error
    from workstation.ui.qt_logging import install_qt_message_handler
    from workstation.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(["workstation", *options.argv])
    assert isinstance(app, QApplication)
    app.setApplicationName("workstation")
    app.setApplicationDisplayName("综合行政执法工作站")
    install_qt_message_handler()
    apply_theme(app)

    logs = setup_logging(None)
    lock: InstanceLock | None = None
    core: Core | None = None
    try:
        paths = prepare_data_dir(resolve_data_dir(options.data_dir))
        logs.close()
        logs = setup_logging(paths.log_file)
        log.info("workstation starting, data dir %s", paths.root)
        lock = InstanceLock(paths.lock_file, paths.root)
        lock.acquire()
        core = build_core(paths)
        logging.getLogger().setLevel(core.settings.log_level)
    except KnownError as exc:
        print(exc.user_text(), file=sys.stderr)
        if not _offscreen():
            show_startup_error(exc)
        if lock is not None:
            lock.release()
        logs.close()
        return 1

    gui = build_gui(core, logs)
    gui.window.show()
    if options.exit_when_shown:
        QTimer.singleShot(0, lambda: _report_shown(app))
    if options.screenshot_tour is not None:
        from workstation.ui.tour import ScreenshotTour

        tour = ScreenshotTour(gui.window, gui.runner, options.screenshot_tour)
        tour.finished.connect(app.quit)
        QTimer.singleShot(300, tour.start)
    try:
        return app.exec()
    finally:
        gui.runner.shutdown()
        core.close()
        lock.release()
        log.info("workstation stopped cleanly")
        logs.close()


def _report_shown(app: QApplication) -> None:
    print(f"shown {time.perf_counter() - PROCESS_START:.4f}", flush=True)
    app.quit()


def self_test(out: list[str]) -> bool:
    """Headless check of an installation: migrate a temporary database, build the window offscreen."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    ok = True

    def check(label: str, passed: bool, detail: str = "") -> None:
        nonlocal ok
        ok = ok and passed
        out.append(f"{'通过' if passed else '失败'}  {label}{'：' + detail if detail else ''}")

    with tempfile.TemporaryDirectory(prefix="workstation-selftest-") as tmp:
        logs = setup_logging(None)
        core: Core | None = None
        try:
            paths = prepare_data_dir(Path(tmp))
            core = build_core(paths)
            check(
                "数据库迁移到最新结构",
                core.open_report.revision == core.database.check().head,
                core.open_report.revision,
            )
            health = core.database.check()
            check(
                "数据库完整性与 WAL 模式",
                health.ok and health.journal_mode == "wal",
                f"{health.integrity[0]}，{health.journal_mode}",
            )
            seeded = core.office.seed_demo().value
            check("写入并读回示例数据", core.office.summary().value.item_count == seeded.items)

            from PySide6.QtWidgets import QApplication

            from workstation.ui.theme import apply_theme, cjk_rendering_report

            app = QApplication.instance() or QApplication(["workstation-self-test"])
            assert isinstance(app, QApplication)
            family = apply_theme(app)
            gui = build_gui(core, logs)
            gui.window.show()
            from workstation.ui.pages.registry import PAGES

            built = [gui.window.page(spec.key) for spec in PAGES]
            check("主窗口与全部页面", all(w is not None for w in built), f"{len(built)} 个页面")
            report = cjk_rendering_report(app.font())
            check(
                "中文字体可用",
                family is not None and bool(report["cjk_glyphs_distinct"]),
                family or "未找到中文字体（请安装 fonts-wqy-microhei）",
            )
            gui.window.close()
            gui.runner.shutdown()
            gui.window.deleteLater()
        except KnownError as exc:
            check("启动", False, exc.user_text())
        except Exception as exc:  # noqa: BLE001 - the self-test reports every failure
            check("启动", False, f"{type(exc).__name__}: {exc}")
        finally:
            if core is not None:
                with contextlib.suppress(Exception):
                    core.close()
            logs.close()
    return ok
