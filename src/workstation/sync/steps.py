"""The sync steps after push and pull (no Qt): reference data, 公示, anchors and tasks.

:meth:`SyncEngine.run_once <workstation.sync.engine.SyncEngine.run_once>` calls them after its
push, pull and attachment lane (docs/SYNC.md, "Reference data, 公示, anchors and tasks"); each
takes the gateway, the stores and services it needs and a ``retrying`` callable (the engine's
backoff; the default calls once), and returns counts for the SyncReport with Chinese messages
for people. ``RetryableError``, ``SessionExpired`` and ``UpgradeRequired`` propagate (the engine
stops the run as it does for push and pull); a record the server refuses is kept with its
reason and the step goes on.

- :func:`pull_reference_data` — the reference feeds ``officers`` (执法人员 and 执法证),
  ``holidays`` (the holiday / 调休 table of the deadline calendar, one complete year each:
  a year lacking a holiday of 《全国年节及纪念日放假办法》第二条 is refused), ``statutes`` (statute packs,
  through the statute importer) and ``benchmarks`` (裁量基准 and 执法事项, through
  DiscretionService's import and its validation). An item that cannot be taken is refused whole
  with its Chinese reason and the kind's cursor does not move past it.
- :func:`push_publications` — 公示 of decisions (《中华人民共和国行政处罚法》第四十八条):
  publish once per case (idempotency key stored with the arguments), withdraw when the decision
  was withdrawn here.
- :func:`anchor_heads` — anchor the head of every case's 全过程记录 the server has whole, once
  per head; a mismatch is an integrity alarm, recorded and never overwritten.
- :func:`case_from_task`, :func:`accept_task`, :func:`finish_task`,
  :func:`acknowledge_tasks` — a pushed clue becomes an ordinary case at 线索登记 with its
  evidence, and the server hears that it was accepted and, once the case is finished, done.
- :func:`download_evidence_files` — the files of evidence of cases pulled from another device,
  downloaded by SHA-256 into the attachment store, and the evidence rows that waited for them.
- :func:`reserve_number_blocks` — blocks of 案号 and 文书 serials reserved from the central
  server (the platform owns the numbering), each reservation's idempotency key stored before
  its request so a lost answer is fetched again, never reserved twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import mimetypes
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from workstation.documents.catalog import CATALOG
from workstation.domain.cases import CaseKind, CaseSource, EvidenceKind, PenaltyType
from workstation.domain.clock import CHINA_TZ
from workstation.domain.deadlines import HolidayPeriod, MakeupWorkingDay, TableCalendar, YearSchedule
from workstation.domain.errors import InvalidInput, KnownError
from workstation.domain.formatting import chinese_date, yuan
from workstation.domain.numbering import CASE_KIND, check_kind, kind_label
from workstation.domain.statutory_holidays import IncompleteHolidayTable, check_statutory_holidays
from workstation.domain.sync_ports import (
    ANCHOR_BATCH,
    AnchorHead,
    AnchorReceipt,
    Page,
    RecordRejected,
    RefItem,
    RetryableError,
    SyncGateway,
    Task,
)
from workstation.persistence.numbering import SqlNumberBlocks
from workstation.persistence.reference_sync import (
    PUB_PENDING,
    PUB_PUBLISHED,
    PUB_WITHDRAWN,
    AnchorCandidate,
    DecisionFacts,
    ItemRefused,
    OfficerEntry,
    PartyFacts,
    PulledEvidence,
    ReferenceItem,
    SqlReferenceSync,
)

if TYPE_CHECKING:
    from workstation.domain.deadlines import LayeredCalendar
    from workstation.domain.statutes import ImportReport
    from workstation.persistence.attachments import SqlAttachmentStore
    from workstation.services.cases import CaseService
    from workstation.services.discretion import DiscretionService
    from workstation.services.evidence import EvidenceService
    from workstation.services.statutes import StatuteService

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The reference kinds, in the order they are pulled (statutes before the benchmarks citing them).
REFERENCE_KINDS = ("officers", "holidays", "statutes", "benchmarks")
KIND_LABELS = {"officers": "执法人员", "holidays": "节假日表", "statutes": "法规包", "benchmarks": "裁量基准"}
#: The article 公示 rests on.
PUBLICATION_BASIS = "《中华人民共和国行政处罚法》第四十八条"
#: Documents whose number is the decision number a 公示 carries.
DECISION_DOCUMENTS = ("penalty_decision", "on_spot_decision")
#: Keep at least this many serials free per series (setting ``number_block_threshold``).
NUMBER_THRESHOLD = 20
#: Serials asked for per block (setting ``number_block_size``; the server allows 1–200).
NUMBER_BLOCK_SIZE = 50
#: Blocks reserved at most per series and year in one run.
MAX_BLOCKS_PER_RUN = 10
#: The first words of the alarm an anchor mismatch raises.
ANCHOR_ALARM = "本机全过程记录与服务器锚定的哈希不一致"


class Retrying(Protocol):
    """Calls ``call``, retrying transient failures (the engine's ``_retrying``)."""

    def __call__(self, call: Callable[[], T], /) -> T: ...


def call_once(call: Callable[[], T], /) -> T:
    """The default ``retrying``: one attempt."""
    return call()


# ---------------------------------------------------------------- counts


@dataclass
class ReferenceCounts:
    """What :func:`pull_reference_data` took: items applied per kind, items refused."""

    applied: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.applied.values())


@dataclass
class PublicationCounts:
    published: int = 0
    withdrawn: int = 0
    #: Cases whose 公示 waits for something here (e.g. no decision number yet), in Chinese.
    waiting: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class AnchorCounts:
    anchored: int = 0
    alarms: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class TaskCounts:
    accepted: int = 0
    done: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class FileCounts:
    """What :func:`download_evidence_files` did: evidence rows added with their files."""

    downloaded: int = 0
    #: Files the server does not have yet (not uploaded by the other device yet), in Chinese.
    waiting: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class NumberCounts:
    """What :func:`reserve_number_blocks` did: blocks stored and the serials in them."""

    blocks: int = 0
    numbers: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class StepsReport:
    """All steps of one run (see :class:`SyncSteps`)."""

    reference: ReferenceCounts = field(default_factory=ReferenceCounts)
    publications: PublicationCounts = field(default_factory=PublicationCounts)
    anchors: AnchorCounts = field(default_factory=AnchorCounts)
    tasks: TaskCounts = field(default_factory=TaskCounts)
    files: FileCounts = field(default_factory=FileCounts)
    numbers: NumberCounts = field(default_factory=NumberCounts)

    @property
    def errors(self) -> list[str]:
        return (
            self.reference.errors
            + self.publications.errors
            + self.anchors.errors
            + self.tasks.errors
            + self.files.errors
            + self.numbers.errors
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference.total,
            "reference_by_kind": dict(self.reference.applied),
            "reference_refused": self.reference.refused,
            "published": self.publications.published,
            "withdrawn": self.publications.withdrawn,
            "publications_waiting": list(self.publications.waiting),
            "anchored": self.anchors.anchored,
            "anchor_alarms": self.anchors.alarms,
            "tasks_accepted": self.tasks.accepted,
            "tasks_done": self.tasks.done,
            "evidence_files": self.files.downloaded,
            "evidence_files_waiting": list(self.files.waiting),
            "number_blocks": self.numbers.blocks,
            "numbers_reserved": self.numbers.numbers,
            "errors": self.errors,
        }


# ---------------------------------------------------------------- 1. reference data


def _item(ref: RefItem) -> ReferenceItem:
    return ReferenceItem(
        ref.kind,
        ref.item_id,
        ref.version,
        ref.updated_seq,
        ref.deleted,
        ref.township_code,
        None if ref.payload is None else dict(ref.payload),
    )


def pull_reference_data(
    gateway: SyncGateway,
    store: SqlReferenceSync,
    *,
    discretion: DiscretionService | None = None,
    statutes: StatuteService | None = None,
    retrying: Retrying = call_once,
    kinds: Sequence[str] = REFERENCE_KINDS,
    page_size: int = 100,
    high_water: int | None = None,
) -> ReferenceCounts:
    """Read each reference feed from its cursor to its end and apply it (see the module doc).

    Officers and holidays are written with their cursor in one transaction. Statute and
    benchmark packs are imported through their services (which commit on their own) first and
    the cursor moves after; re-applying a page is harmless (items are taken by id and version,
    an older version never overwrites a newer one). A kind whose service is not given is not
    pulled. An item that cannot be taken stops its kind: the reason is recorded and reported,
    and the cursor stays before it (the server's corrected item comes again at a new place).

    ``high_water``: the run's handshake high water when the server's feeds follow it
    (ServerInfo.feeds_follow_high_water). A kind read to its end at that mark is not asked
    for (nothing was written on the server since); a kind read to its end is marked with it.
    """
    counts = ReferenceCounts()
    for kind in kinds:
        if (kind == "benchmarks" and discretion is None) or (kind == "statutes" and statutes is None):
            continue
        counts.applied.setdefault(kind, 0)
        if high_water is not None and store.read_to(kind) == high_water:
            continue
        cursor = store.cursor(kind)
        while True:
            page = retrying(partial(gateway.pull_reference, kind, cursor, page_size))
            items = [_item(r) for r in page.items]
            try:
                counts.applied[kind] += _apply_page(kind, items, page, store, discretion, statutes)
            except ItemRefused as exc:
                counts.applied[kind] += exc.applied
                refused = next((i for i in items if i.item_id == exc.item_id), items[0])
                reason = exc.user_text()
                store.record_refusal(refused, reason)
                counts.refused += 1
                label = KIND_LABELS.get(kind, kind)
                counts.errors.append(
                    f"中心服务器下发的{label}“{refused.item_id}”（第{refused.version}版）"
                    f"未采用，其后的{label}暂停更新：{reason}"
                )
                log.warning("reference %s/%s v%d refused: %s", kind, refused.item_id, refused.version, reason)
                break
            cursor = page.next_cursor
            if not page.has_more or not page.items:
                if high_water is not None:
                    store.mark_read(kind, high_water)
                break
    return counts


def _apply_page(
    kind: str,
    items: Sequence[ReferenceItem],
    page: Page[RefItem],
    store: SqlReferenceSync,
    discretion: DiscretionService | None,
    statutes: StatuteService | None,
) -> int:
    if kind == "officers":
        entries = [(i, None if i.deleted else officer_entry(i)) for i in items]
        return store.apply_officers(entries, page.next_cursor)
    if kind == "holidays":
        fresh = [i for i in items if not store.is_taken(i)]
        for item in fresh:
            if not item.deleted:
                complete_year_schedule(item)  # refuses the item by name before anything is written
        try:
            return store.apply_holidays(items, page.next_cursor, _check_holidays)
        except InvalidInput as exc:
            blamed = fresh[-1].item_id if fresh else items[0].item_id
            raise ItemRefused(blamed, exc.message, exc.advice) from exc
    if kind == "statutes":
        assert statutes is not None
        return _apply_statutes(items, page, store, statutes)
    if kind == "benchmarks":
        taken: list[tuple[ReferenceItem, str | None]] = []
        for item in items:
            if store.is_taken(item):
                continue
            try:
                target = None if item.deleted else _import(kind, item, discretion, statutes)
            except ItemRefused as exc:
                store.record_items(kind, taken, None)  # what was imported stays; the cursor waits
                exc.applied = len(taken)
                raise
            taken.append((item, target))
        store.record_items(kind, taken, page.next_cursor)
        return len(taken)
    raise InvalidInput(f"未知的参考数据类别：{kind}")


def _import(
    kind: str, item: ReferenceItem, discretion: DiscretionService | None, statutes: StatuteService | None
) -> str | None:
    payload = dict(item.payload or {})
    assert kind == "benchmarks" and discretion is not None
    return import_benchmark_pack(discretion, item.item_id, payload)


def _apply_statutes(
    items: Sequence[ReferenceItem], page: Page[RefItem], store: SqlReferenceSync, statutes: StatuteService
) -> int:
    """A page of statute packs imported as one import (statuses and the search index derived
    once for the page, not once per pack: a first sync takes thousands of packs).

    Each pack is validated whole first; the packs before the first one refused are imported
    and recorded, and the cursor waits at the refused one (as for one pack at a time)."""
    prepared: list[tuple[ReferenceItem, PreparedPack | None]] = []
    refused: ItemRefused | None = None
    for item in items:
        if store.is_taken(item):
            continue
        if item.deleted:
            prepared.append((item, None))
            continue
        try:
            prepared.append((item, prepare_statute_pack(item.item_id, item.payload or {})))
        except ItemRefused as exc:
            refused = exc
            break
    packs = [pack for _item, pack in prepared if pack is not None]
    failed: dict[str, str] = {}
    if packs:
        report = statutes.import_packs([(p.name, p.data) for p in packs]).value
        failed = _failed_packs(report, packs)
    taken: list[tuple[ReferenceItem, str | None]] = []
    for item, pack in prepared:
        if pack is not None and pack.name in failed:
            refused = ItemRefused(item.item_id, failed[pack.name])
            break
        taken.append((item, pack.titles if pack is not None else None))
    store.record_items("statutes", taken, None if refused is not None else page.next_cursor)
    if refused is not None:
        refused.applied = len(taken)
        raise refused
    return len(taken)


# -- officers


def _date(value: Any, item_id: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise ItemRefused(
            item_id, f"执法人员信息中的{what}“{value}”不是有效日期（应为 YYYY-MM-DD）。"
        ) from None


def officer_entry(item: ReferenceItem, today: dt.date | None = None) -> OfficerEntry:
    """An officer item's payload read and checked; ItemRefused (Chinese) when unusable.

    Payload: ``name``; the 执法证 either as ``certificates`` (a list of ``number``,
    ``valid_from``, ``valid_until``; the one valid ``today``, else the one valid longest, is
    used) or as ``certificate_no`` / ``certificate_valid_from`` / ``certificate_valid_until``;
    optional ``officer_id`` (this machine's id of the officer), ``roles`` (list or
    comma-separated) and ``active`` (default true).
    """
    data = dict(item.payload or {})
    name = str(data.get("name") or "").strip()
    if not name:
        raise ItemRefused(item.item_id, "执法人员信息缺少姓名。")
    day = today or dt.date.today()
    certificates: list[tuple[str, dt.date, dt.date]] = []
    raw = data.get("certificates")
    if isinstance(raw, list):
        for cert in raw:
            if isinstance(cert, Mapping) and cert.get("number"):
                certificates.append(
                    (
                        str(cert["number"]).strip(),
                        _date(cert.get("valid_from"), item.item_id, "执法证起始日期"),
                        _date(cert.get("valid_until"), item.item_id, "执法证截止日期"),
                    )
                )
    elif data.get("certificate_no"):
        certificates.append(
            (
                str(data["certificate_no"]).strip(),
                _date(data.get("certificate_valid_from"), item.item_id, "执法证起始日期"),
                _date(data.get("certificate_valid_until"), item.item_id, "执法证截止日期"),
            )
        )
    if not certificates:
        raise ItemRefused(
            item.item_id,
            f"执法人员{name}没有执法证信息（《中华人民共和国行政处罚法》第四十二条：执法人员应当具有行政执法资格）。",
        )
    for number, first, last in certificates:
        if last < first or not 1 <= len(number) <= 40:
            raise ItemRefused(item.item_id, f"执法人员{name}的执法证 {number} 信息有误（证号或有效期不对）。")
    current = [c for c in certificates if c[1] <= day <= c[2]]
    number, first, last = max(current or certificates, key=lambda c: (c[2], c[1]))
    officer_id = data.get("officer_id")
    if officer_id is not None and (not isinstance(officer_id, str) or not 1 <= len(officer_id) <= 36):
        raise ItemRefused(item.item_id, f"执法人员{name}的编号 officer_id 无效。")
    roles = data.get("roles")
    roles_text = (
        ",".join(str(r) for r in roles) if isinstance(roles, list) else (str(roles) if roles else None)
    )
    return OfficerEntry(
        officer_id=officer_id,
        name=name[:100],
        certificate_no=number,
        valid_from=first,
        valid_until=last,
        roles=roles_text[:100] if roles_text else None,
        active=bool(data.get("active", True)),
    )


# -- holidays


def _periods(entries: Iterable[Any], item_id: str) -> tuple[HolidayPeriod, ...]:
    """Holiday entries as periods: ``{name, first, last}`` as given; ``{name, date}`` days in a
    row with the same name are joined into one period."""
    periods: list[HolidayPeriod] = []
    days: list[tuple[dt.date, str]] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise ItemRefused(item_id, "节假日表格式有误：放假安排应为对象。")
        name = str(entry.get("name") or "").strip()
        if not name:
            raise ItemRefused(item_id, "节假日表格式有误：放假安排缺少节日名称。")
        if "first" in entry:
            periods.append(
                HolidayPeriod(
                    name,
                    _holiday_date(entry.get("first"), item_id),
                    _holiday_date(entry.get("last"), item_id),
                )
            )
        else:
            days.append((_holiday_date(entry.get("date"), item_id), name))
    for day, name in sorted(days):
        last = periods[-1] if periods else None
        if last is not None and last.name == name and last.last + dt.timedelta(days=1) == day:
            periods[-1] = HolidayPeriod(name, last.first, day)
        else:
            periods.append(HolidayPeriod(name, day, day))
    return tuple(periods)


def _holiday_date(value: Any, item_id: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ItemRefused(item_id, f"节假日表格式有误：日期“{value}”应写作 YYYY-MM-DD。") from None


def year_schedule(item: ReferenceItem) -> YearSchedule:
    """A holiday item's payload as one year's complete 放假安排; ItemRefused when malformed.

    Payload: ``year``; ``holidays`` as days (``{date, name}``) or periods (``{name, first,
    last}``); ``workdays`` or ``working_days`` (``{date, name}``, 调休上班); optional ``source``.
    """
    data = dict(item.payload or {})
    try:
        year = int(data["year"])
    except (KeyError, TypeError, ValueError):
        raise ItemRefused(item.item_id, "节假日表格式有误：缺少年份 year。") from None
    working: list[MakeupWorkingDay] = []
    for entry in list(data.get("workdays") or ()) + list(data.get("working_days") or ()):
        if not isinstance(entry, Mapping):
            raise ItemRefused(item.item_id, "节假日表格式有误：调休上班日应为对象。")
        working.append(
            MakeupWorkingDay(_holiday_date(entry.get("date"), item.item_id), str(entry.get("name") or ""))
        )
    origin = f"中心服务器下发，{item.item_id}，第{item.version}版"
    given = str(data.get("source") or "").strip()
    source = f"{given}（{origin}）" if given else f"中心服务器下发的{year}年节假日安排（{origin}）"
    schedule = YearSchedule(year, source, _periods(data.get("holidays") or (), item.item_id), tuple(working))
    try:
        TableCalendar([schedule])
    except InvalidInput as exc:
        raise ItemRefused(item.item_id, exc.message, exc.advice) from exc
    return schedule


def complete_year_schedule(item: ReferenceItem) -> YearSchedule:
    """:func:`year_schedule`, refused (ItemRefused, Chinese reason citing the 办法) unless the
    year lists every 全体公民放假的节日 of 《全国年节及纪念日放假办法》第二条: a year the server
    sends replaces that year of the calendar whole, so a partial one would shorten deadlines."""
    schedule = year_schedule(item)
    try:
        check_statutory_holidays(schedule)
    except IncompleteHolidayTable as exc:
        raise ItemRefused(item.item_id, exc.message, exc.advice) from exc
    return schedule


def _stored_item(payload: Mapping[str, Any]) -> ReferenceItem:
    return ReferenceItem("holidays", f"holidays:{payload.get('year')}", 0, 0, False, None, payload)


def _server_schedules(payloads: Iterable[Mapping[str, Any]]) -> list[YearSchedule]:
    return [year_schedule(_stored_item(p)) for p in payloads]


def _complete_server_schedules(payloads: Iterable[Mapping[str, Any]]) -> list[YearSchedule]:
    """The stored server years that are complete; one stored before completeness was checked
    and lacking a holiday is left out (the bundled year stays) and logged."""
    schedules = []
    for payload in payloads:
        try:
            schedules.append(complete_year_schedule(_stored_item(payload)))
        except ItemRefused as exc:
            log.warning("stored holiday table for %s not used: %s", payload.get("year"), exc.message)
    return schedules


def _check_holidays(payloads: list[dict[str, Any]]) -> None:
    TableCalendar(_server_schedules(payloads))  # two tables of one year, etc.: InvalidInput


def holiday_table(store: SqlReferenceSync) -> TableCalendar:
    """The holiday table the deadline calendar uses: the bundled table, each year the server
    sent replacing the bundled one (a listed year is complete, as in holidays.json: only years
    that list every holiday of 《全国年节及纪念日放假办法》第二条 are taken)."""
    from workstation.library.calendar_adapter import load_bundled_table

    bundled = load_bundled_table()
    server = {s.year: s for s in _complete_server_schedules(store.holiday_payloads())}
    merged = [s for s in bundled.schedules if s.year not in server] + list(server.values())
    return TableCalendar(sorted(merged, key=lambda s: s.year), updated=bundled.updated)


def synced_calendar(store: SqlReferenceSync) -> LayeredCalendar:
    """The deadline calendar with the server's holiday tables (for app.py's case wiring)."""
    from workstation.library.calendar_adapter import default_calendar

    return default_calendar(holiday_table(store))


# -- statute and benchmark packs


def _pack_name(item_id: str) -> str:
    safe = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", item_id).strip("_") or "pack"
    return f"中心法规包-{safe[:80]}.json"


@dataclass(frozen=True, slots=True)
class PreparedPack:
    """A statute pack checked whole and ready for the importer: its file name (derived from
    the item id, so a pack already imported is recognised as unchanged), its bytes, and the
    titles of its laws (the local target recorded for the item)."""

    name: str
    data: bytes
    titles: str


def prepare_statute_pack(item_id: str, payload: Mapping[str, Any]) -> PreparedPack:
    """A statute pack (library/pack.py format) validated completely (parse_pack), every law
    version with articles or annexes, so a pack is imported entirely or not at all
    (ItemRefused with the reason)."""
    from workstation.library.pack import parse_pack

    name = _pack_name(item_id)
    data = json.dumps(dict(payload), ensure_ascii=False, sort_keys=True).encode("utf-8")
    try:
        laws = parse_pack(data, name)
    except InvalidInput as exc:
        raise ItemRefused(item_id, exc.message, exc.advice) from exc
    empty = [p.law.title for p in laws if not p.law.articles and not p.law.annexes]
    if not laws or empty:
        raise ItemRefused(
            item_id, f"法规包中有没有条文的法规，未导入任何内容：{'、'.join(empty) or '（空包）'}"
        )
    return PreparedPack(name, data, "、".join(dict.fromkeys(p.law.title for p in laws))[:60])


def _failed_packs(report: ImportReport, packs: Sequence[PreparedPack]) -> dict[str, str]:
    """The packs (by file name) the importer could not take whole, with the reason."""
    if not report.failed:
        return {}
    names = {p.name for p in packs}
    found: dict[str, list[str]] = {}
    for problem in report.problems:
        name = problem.source.split("#", 1)[0]
        if name in names:
            found.setdefault(name, []).append(problem.message)
    if not found:  # not attributable: the whole page waits at its first pack
        found[packs[0].name] = [p.message for p in report.problems[:3]] or ["导入失败"]
    return {name: f"法规包有 {len(m)} 处未能导入：{'；'.join(m[:3])}" for name, m in found.items()}


def import_statute_pack(statutes: StatuteService, item_id: str, payload: Mapping[str, Any]) -> str:
    """Import one statute pack whole through the statute importer (see
    :func:`prepare_statute_pack`); the titles of its laws."""
    pack = prepare_statute_pack(item_id, payload)
    report = statutes.import_packs([(pack.name, pack.data)]).value
    failed = _failed_packs(report, [pack])
    if failed:
        raise ItemRefused(item_id, failed[pack.name])
    return pack.titles


def import_benchmark_pack(discretion: DiscretionService, item_id: str, payload: Mapping[str, Any]) -> str:
    """Import a 裁量基准 file (docs/DISCRETION.md format) whole through DiscretionService.

    Validation is the service's (load_benchmarks, and each refinement against its parent);
    any problem refuses the whole pack with the service's Chinese reason (ItemRefused). The
    statute citation check is not run: the province's benchmarks are authoritative and must
    not wait for this machine's statute library.
    """
    from workstation.domain.discretion import load_benchmarks

    text = json.dumps(dict(payload), ensure_ascii=False)
    try:
        benchmarks = load_benchmarks(text)
        discretion.import_benchmarks(benchmarks, check_citations=False)
    except KnownError as exc:
        raise ItemRefused(item_id, exc.message, exc.advice) from exc
    return ",".join(b.id for b in benchmarks)[:60]


# ---------------------------------------------------------------- 2. 公示


#: Two-character surnames kept whole when a name is masked.
_COMPOUND_SURNAMES = frozenset(
    {
        *("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙"),
        *("令狐", "夏侯", "轩辕", "端木", "南宫", "西门", "宇文", "司徒", "申屠", "澹台"),
    }
)
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_SAMPLE = re.compile(r"（示例）$")


def mask_name(name: str) -> str:
    """A natural person's name as a 公示 shows it: the surname and 某某 (张三 → 张某某)."""
    base = _SAMPLE.sub("", name.strip())
    if not base:
        return "某某"
    surname = base[:2] if base[:2] in _COMPOUND_SURNAMES else base[:1]
    return f"{surname}某某"


def scrub(text: str, parties: Sequence[PartyFacts]) -> str:
    """``text`` without a person's name, ID number or mobile number (the 公示 shows none)."""
    out = text
    for party in parties:
        if party.kind == "person":
            base = _SAMPLE.sub("", party.name.strip())
            for name in {party.name.strip(), base} - {""}:
                out = out.replace(name, mask_name(name))
            if party.id_number:
                out = out.replace(party.id_number, "（身份证号码已隐去）")
    out = _ID_NUMBER.sub("（身份证号码已隐去）", out)
    return _MOBILE.sub("（电话号码已隐去）", out)


def _party_text(party: PartyFacts) -> str:
    if party.kind == "person":
        return mask_name(party.name)
    if party.credit_code:
        return f"{party.name}（统一社会信用代码：{party.credit_code}）"
    return party.name


def _penalty_text(data: Mapping[str, Any]) -> str:
    parts: list[str] = []
    kinds = data.get("penalty_types") or []
    fine = data.get("fine")
    amount: Decimal | None = None
    if fine not in (None, ""):
        try:
            amount = Decimal(str(fine))
        except InvalidOperation:
            amount = None
    for code in kinds if isinstance(kinds, list) else []:
        try:
            kind = PenaltyType(str(code))
        except ValueError:
            parts.append(str(code))
            continue
        if kind is PenaltyType.FINE and amount is not None:
            parts.append(f"罚款人民币{yuan(amount)}")
        else:
            parts.append(kind.label)
    if amount is not None and not any(p.startswith("罚款") for p in parts):
        parts.append(f"罚款人民币{yuan(amount)}")
    return "；".join(parts) or "见行政处罚决定书"


def decision_number(facts: DecisionFacts) -> str | None:
    """The number of the issued 行政处罚决定书 (当场 or 普通程序), else the pre-printed number
    of a 当场处罚决定书 recorded with the decision."""
    if facts.decisions:
        return facts.decisions[0][1]
    number = str(facts.data.get("decision_no") or "").strip()
    return number or None


def publication_text(facts: DecisionFacts, number: str) -> str:
    """The 公示 text of a decision (《中华人民共和国行政处罚法》第四十八条第一款): 文号, 案由,
    the party (a natural person's name masked as 张某某, never an ID number), facts, basis,
    penalty, the decision's date and the agency."""
    data = facts.data
    decided = data.get("decided_on")
    try:
        decided_text = chinese_date(dt.date.fromisoformat(str(decided))) if decided else "见行政处罚决定书"
    except ValueError:
        decided_text = str(decided)
    facts_text = str(
        data.get("facts") or data.get("violation") or data.get("brief_facts") or "见行政处罚决定书"
    )
    basis = str(data.get("penalty_basis") or data.get("legal_basis") or "见行政处罚决定书")
    parties = "、".join(_party_text(p) for p in facts.parties) or "见行政处罚决定书"
    title = _SAMPLE.sub("", facts.title.strip()) if facts.title else ""
    lines = [
        f"行政处罚决定信息公开（依据{PUBLICATION_BASIS}）",
        f"行政处罚决定书文号：{number}",
        f"案由：{title or facts.title}",
        f"被处罚人：{parties}",
        f"主要违法事实：{facts_text}",
        f"处罚依据：{basis}",
        f"处罚内容：{_penalty_text(data)}",
        f"作出处罚决定的日期：{decided_text}",
        f"作出处罚决定的机关：{facts.agency_name}",
    ]
    return scrub("\n".join(lines), facts.parties)


def _withdrawal(data: Mapping[str, Any]) -> str | None:
    if not (data.get("withdrawn_on") or data.get("withdrawal_reason")):
        return None
    reason = str(data.get("withdrawal_reason") or "").strip()
    return reason or f"行政处罚决定被变更、撤销或者确认违法、无效，撤回公开（{PUBLICATION_BASIS}第二款）"


def push_publications(
    gateway: SyncGateway, store: SqlReferenceSync, *, retrying: Retrying = call_once
) -> PublicationCounts:
    """Publish (公示) the decisions of cases published here and withdraw the ones withdrawn.

    A case takes part once the server has it. The publication's arguments and idempotency key
    are stored before the first request and reused by every retry, so a request whose answer
    was lost is replayed by the server, not stored twice. A refusal is kept with its reason.
    """
    counts = PublicationCounts()
    for candidate in store.publication_candidates():
        case_id, data = candidate.case_id, candidate.data
        state = store.publication(case_id)
        reason = _withdrawal(data)
        if state is None:
            if reason is not None:
                continue  # withdrawn before it reached the server: nothing to publish
            facts = store.decision_facts(case_id, DECISION_DOCUMENTS)
            number = decision_number(facts) if facts is not None else None
            if facts is None or number is None:
                counts.waiting.append(f"案件 {case_id}：已登记公开日期，但尚未出具行政处罚决定书，暂不能公示")
                continue
            try:
                published_on = dt.date.fromisoformat(str(data["published_on"]))
            except ValueError:
                counts.waiting.append(f"案件 {case_id}：公开日期“{data['published_on']}”无效，暂不能公示")
                continue
            state = store.fix_publication(case_id, number[:80], published_on, publication_text(facts, number))
        if state.status == PUB_PENDING:
            try:
                publication = retrying(
                    partial(
                        gateway.publish,
                        state.case_id,
                        state.decision_number,
                        state.content,
                        state.published_on,
                        state.idempotency_key,
                    )
                )
            except RecordRejected as exc:
                store.publication_failed(case_id, f"{exc.message}（{exc.code}）", refused=True)
                counts.errors.append(f"案件 {case_id} 的处罚决定未能公示：{exc.message}")
                continue
            store.publication_done(case_id, publication.publication_id, PUB_PUBLISHED)
            if publication.status == PUB_WITHDRAWN:
                store.publication_withdrawn(case_id, publication.withdrawn_reason or "")
                continue
            counts.published += 1
            state = store.publication(case_id)
            assert state is not None
        if reason is not None and state.status == PUB_PUBLISHED and state.publication_id:
            try:
                retrying(partial(gateway.withdraw, state.publication_id, reason))
            except RecordRejected as exc:
                store.publication_failed(case_id, f"{exc.message}（{exc.code}）", refused=False)
                counts.errors.append(f"案件 {case_id} 的公示未能撤回：{exc.message}")
                continue
            store.publication_withdrawn(case_id, reason)
            counts.withdrawn += 1
    return counts


# ---------------------------------------------------------------- 3. anchors


def anchor_reason(case_id: str, head_seq: int, head_hash: str, server_seq: Any, server_hash: Any) -> str:
    where = (
        f"服务器记录的是第{server_seq}条 {str(server_hash)[:12]}…"
        if server_seq is not None
        else "服务器拒绝锚定"
    )
    return (
        f"{ANCHOR_ALARM}（案件 {case_id}：本机第{head_seq}条 {head_hash[:12]}…，{where}）。"
        "全过程记录可能被改动或分叉，已停止该案的锚定；请立即报告管理员核查，"
        "不要删除或修改本机数据（《中华人民共和国行政处罚法》第四十七条）。"
    )


def anchor_heads(
    gateway: SyncGateway, store: SqlReferenceSync, *, retrying: Retrying = call_once
) -> AnchorCounts:
    """Anchor the head of every case whose events the server all acknowledged, once per head.

    The heads go :data:`ANCHOR_BATCH` at a time (``anchor_many``: one request and one server
    transaction each on the reference server) and each batch's anchors are recorded here in
    one transaction. A ``409 anchor_mismatch`` is recorded as an integrity alarm (never
    overwritten; the case is not anchored again until a person has looked) and reported.
    """
    counts = AnchorCounts()
    candidates = store.anchor_candidates()
    for start in range(0, len(candidates), ANCHOR_BATCH):
        batch = candidates[start : start + ANCHOR_BATCH]
        heads = [AnchorHead(c.case_id, c.head_seq, c.head_hash) for c in batch]
        results = retrying(partial(gateway.anchor_many, heads))
        anchored: list[AnchorReceipt] = []
        for candidate, result in zip(batch, results, strict=True):
            if isinstance(result, RecordRejected):
                _anchor_refused(store, candidate, result, counts)
            elif result.head_seq != candidate.head_seq or result.head_hash != candidate.head_hash:
                counts.errors.append(f"案件 {candidate.case_id}：服务器确认的锚定与本机不一致，未记录")
            else:
                anchored.append(result)
        counts.anchored += store.record_anchors(anchored)
    return counts


def _anchor_refused(
    store: SqlReferenceSync, candidate: AnchorCandidate, exc: RecordRejected, counts: AnchorCounts
) -> None:
    if exc.code != "anchor_mismatch":
        counts.errors.append(f"案件 {candidate.case_id} 的全过程记录未能锚定：{exc.message}")
        return
    server_seq = exc.details.get("head_seq")
    server_hash = exc.details.get("head_hash")
    reason = anchor_reason(
        candidate.case_id, candidate.head_seq, candidate.head_hash, server_seq, server_hash
    )
    store.record_alarm(
        candidate.case_id,
        candidate.head_seq,
        candidate.head_hash,
        server_seq if isinstance(server_seq, int) else None,
        server_hash if isinstance(server_hash, str) else None,
        reason,
    )
    counts.alarms += 1
    counts.errors.append(reason)
    log.error("anchor mismatch for case %s at seq %d", candidate.case_id, candidate.head_seq)


# ---------------------------------------------------------------- 4. tasks


def task_from_stored(raw: Mapping[str, Any]) -> Task:
    """A task as the engine stores it in ``sync_tasks`` (SqlSyncStore.tasks()) back as a Task."""
    deadline = raw.get("deadline")
    return Task(
        task_id=str(raw["id"]),
        kind=str(raw.get("kind") or "clue"),
        township_code=str(raw.get("township_code") or ""),
        title=str(raw.get("title") or ""),
        description=str(raw.get("description") or ""),
        location=str(raw.get("location") or ""),
        deadline=dt.date.fromisoformat(str(deadline)) if deadline else None,
        source=str(raw.get("source") or ""),
        evidence_sha256=tuple(str(s) for s in raw.get("evidence_sha256") or ()),
        status=str(raw.get("status") or "open"),
        case_id=raw.get("case_id"),
        version=int(raw.get("version") or 0),
        updated_seq=int(raw.get("updated_seq") or 0),
    )


def _suffix(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return ".pdf"
    if head.startswith(b"\x89PNG"):
        return ".png"
    if head.startswith(b"\xff\xd8"):
        return ".jpg"
    if head[4:8] == b"ftyp":
        return ".mp4"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return ".bin"
    return ".txt"


def _download(gateway: SyncGateway, sha256: str, folder: Path, retrying: Retrying) -> Path:
    target = folder / sha256

    def fetch() -> int:
        with target.open("wb") as sink:  # each attempt starts the file over
            return gateway.download(sha256, sink)

    retrying(fetch)
    with target.open("rb") as fh:
        head = fh.read(16)
    named = target.with_suffix(_suffix(head))
    target.replace(named)
    return named


def case_from_task(
    task: Task,
    *,
    cases: CaseService,
    evidence: EvidenceService,
    gateway: SyncGateway,
    store: SqlReferenceSync,
    actor_id: str,
    opened_on: dt.date,
    officer_ids: Sequence[str] = (),
    retrying: Retrying = call_once,
) -> str:
    """A new ordinary case at 线索登记 made from a pushed task or clue; its id.

    The title is the task's, the source 非现场执法 for a clue from 非现场监测 (上级交办
    otherwise), the description and location go into 简要案情 (``brief_facts``), and every
    evidence file (by SHA-256) is downloaded through the gateway and added as 电子数据 through
    EvidenceService (《中华人民共和国行政处罚法》第四十一条、第四十六条). Idempotent: the case
    made before (found by the link, or by ``source_task_id`` in its data after a crash) is
    returned, and evidence already on it is not added again.
    """
    from workstation.services.cases import NewCaseSpec

    case_id = store.case_for_task(task.task_id)
    if case_id is None:
        off_site = "非现场" in task.source or "监测" in task.source
        brief = task.description.strip()
        if task.location:
            brief = f"{brief}（地点：{task.location}）" if brief else f"地点：{task.location}"
        spec = NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title=(task.title.strip() or "中心服务器推送的线索")[:300],
            source=CaseSource.OFF_SITE if off_site else CaseSource.ASSIGNED,
            opened_on=opened_on,
            actor_id=actor_id,
            officer_ids=tuple(officer_ids),
            data={"brief_facts": brief, "source_task_id": task.task_id},
        )
        case_id = cases.new_case(spec).value.case.id
    store.link_task(task.task_id, case_id)
    have = {item.sha256 for item in evidence.list(case_id).value if item.sha256}
    missing = [sha for sha in task.evidence_sha256 if sha not in have]
    if missing:
        with tempfile.TemporaryDirectory(prefix="workstation-task-") as folder:
            for index, sha256 in enumerate(task.evidence_sha256, start=1):
                if sha256 not in missing:
                    continue
                path = _download(gateway, sha256, Path(folder), retrying)
                evidence.add(
                    case_id,
                    EvidenceKind.ELECTRONIC.value,
                    f"{task.source or '线索'}材料{index}"[:300],
                    path,
                    actor_id,
                    f"中心服务器推送的{('线索' if task.kind == 'clue' else '任务')}“{task.title}”所附材料，"
                    f"SHA-256：{sha256}",
                    opened_on,
                    source=task.source or "中心服务器",
                )
    return case_id


def accept_task(
    gateway: SyncGateway,
    store: SqlReferenceSync,
    task_id: str,
    case_id: str,
    *,
    retrying: Retrying = call_once,
) -> Task:
    """Tell the server the task was accepted into ``case_id`` (repeating is harmless).

    The link is stored first, so an acknowledgement that could not be sent now is sent by
    :func:`acknowledge_tasks` in a later run. RecordRejected ``invalid_transition`` when the
    server already recorded another case or the task is done.
    """
    store.link_task(task_id, case_id)
    task = retrying(partial(gateway.ack_task, task_id, "accepted", case_id))
    store.task_acked(task_id, "accepted")
    return task


def finish_task(
    gateway: SyncGateway,
    store: SqlReferenceSync,
    task_id: str,
    case_id: str | None = None,
    *,
    retrying: Retrying = call_once,
) -> Task:
    """Tell the server the task is done (its case finished); repeating is harmless."""
    task = retrying(partial(gateway.ack_task, task_id, "done", case_id))
    store.task_acked(task_id, "done")
    return task


def acknowledge_tasks(
    gateway: SyncGateway, store: SqlReferenceSync, *, retrying: Retrying = call_once
) -> TaskCounts:
    """Send the acknowledgements not yet sent: ``accepted`` for every task made into a case,
    ``done`` once that case is finished (结案, 归档 or 不予立案). Each is sent once."""
    counts = TaskCounts()
    for link in store.task_links(unfinished=True):
        try:
            if link.accepted_at is None and not link.case_handled:
                accept_task(gateway, store, link.task_id, link.case_id, retrying=retrying)
                counts.accepted += 1
            if link.case_handled and link.done_at is None:
                finish_task(gateway, store, link.task_id, link.case_id, retrying=retrying)
                counts.done += 1
        except RecordRejected as exc:
            counts.errors.append(f"任务 {link.task_id} 的处理情况未能报送：{exc.message}")
    return counts


# ---------------------------------------------------------------- 5. evidence files of pulled cases


def _pulled_label(pulled: PulledEvidence) -> str:
    title = str(pulled.item.get("title") or pulled.item.get("filename") or pulled.item["id"])
    return f"案件 {pulled.case_id} 的证据“{title}”"


def download_evidence_files(
    gateway: SyncGateway,
    store: SqlReferenceSync,
    attachments: SqlAttachmentStore,
    *,
    retrying: Retrying = call_once,
) -> FileCounts:
    """Download the files of evidence that cases pulled from another device list, and add the
    evidence rows that waited for them (《中华人民共和国行政处罚法》第四十六条、第四十七条).

    Each file is fetched by its SHA-256 through the gateway (which checks the bytes against it),
    stored once by hash in the attachment store (temporary file, fsync, rename: as
    EvidenceService stores files), and the evidence row is inserted as applying the case would
    have. Only cases whose ``updated_seq`` passed the mark of the last complete check are read.
    A file the server does not have yet (RecordRejected) waits for the next run; a transient
    failure (RetryableError, after ``retrying``) ends the step, reported, and the next run goes
    on from the first case not done.
    """
    counts = FileCounts()
    mark = store.evidence_mark()
    missing, highest = store.missing_evidence(mark)
    stuck: list[int] = []
    with tempfile.TemporaryDirectory(prefix="workstation-evidence-") as folder:
        for index, pulled in enumerate(missing):
            sha256 = str(pulled.item["sha256"]).lower()
            stored = attachments.find(sha256)
            if stored is None:
                try:
                    path = _download(gateway, sha256, Path(folder), retrying)
                except RecordRejected as exc:
                    counts.waiting.append(
                        f"{_pulled_label(pulled)}的文件中心服务器尚未收到，下次同步再取：{exc.message}"
                    )
                    stuck.append(pulled.updated_seq)
                    continue
                except RetryableError as exc:
                    counts.errors.append(
                        f"{_pulled_label(pulled)}的文件暂时未能下载，下次同步继续：{exc.message}"
                    )
                    stuck += [p.updated_seq for p in missing[index:]]
                    break
                data = path.read_bytes()
                path.unlink()
                if hashlib.sha256(data).hexdigest() != sha256:
                    counts.errors.append(f"{_pulled_label(pulled)}的文件与其 SHA-256 校验值不符，已丢弃")
                    stuck.append(pulled.updated_seq)
                    continue
                name = str(pulled.item.get("filename") or sha256)
                media_type = str(
                    pulled.item.get("media_type")
                    or mimetypes.guess_type(name)[0]
                    or "application/octet-stream"
                )
                stored = attachments.put(data, media_type, name)
            if store.add_pulled_evidence(pulled, stored.id):
                counts.downloaded += 1
    new_mark = min(stuck) - 1 if stuck else highest
    if new_mark != mark:
        store.set_evidence_mark(new_mark)
    return counts


# ---------------------------------------------------------------- 6. number blocks


def number_series(extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The series an agency numbers: 案号 (``case``), every 文书 number kind of the catalogue
    (documents/catalog.py), and any other kind this machine has numbered (``extra``)."""
    kinds = {spec.number_kind for spec in CATALOG.values() if spec.number_kind} | set(extra)
    kinds.discard(CASE_KIND)
    return (CASE_KIND, *sorted(check_kind(kind) for kind in kinds))


def number_years(today: dt.date) -> tuple[int, ...]:
    """The years blocks are kept for: this year, and the next one during December."""
    return (today.year, today.year + 1) if today.month == 12 else (today.year,)


def reserve_number_blocks(
    gateway: SyncGateway,
    numbers: SqlNumberBlocks,
    *,
    today: dt.date,
    threshold: int = NUMBER_THRESHOLD,
    block_size: int = NUMBER_BLOCK_SIZE,
    retrying: Retrying = call_once,
) -> NumberCounts:
    """Keep at least ``threshold`` serials free per series (:func:`number_series`) and year
    (:func:`number_years`) of the logged-in officer's township, reserving blocks of
    ``block_size`` from the server.

    A reservation's idempotency key is stored before its request and the block is stored with
    it in one transaction, so an answer lost (or a crash before storing it) is asked again with
    the same key and the server answers the same block: no serial is reserved twice or lost.
    A refusal is reported and its reservation dropped (the server stored nothing under it).
    """
    counts = NumberCounts()
    tokens = gateway.tokens
    if tokens is None or tokens.officer is None:
        return counts
    township = tokens.officer.township_code
    agency_id = numbers.agency_for(township)
    if agency_id is None:
        counts.errors.append(
            f"未能领取案号和文书编号号段：本机没有与登录账号所属乡镇（代码 {township}）对应的执法主体。"
            "请在本机设置本乡镇的执法主体（代码与中心服务器的乡镇代码一致）后再同步。"
        )
        return counts
    waiting = {(r.kind, r.year) for r in numbers.reservations() if r.agency_id == agency_id}
    targets: list[tuple[str, int]] = []
    for year in number_years(today):
        free = numbers.free_by_kind(agency_id, year)
        for kind in number_series(numbers.kinds(agency_id)):
            if (kind, year) in waiting or free.get(kind, 0) < threshold:
                targets.append((kind, year))
    targets += sorted(waiting - set(targets))  # e.g. last December's reservation for this year
    for kind, year in targets:
        for _ in range(MAX_BLOCKS_PER_RUN):
            pending = numbers.pending(agency_id, kind, year)
            if pending is None:
                if numbers.free(agency_id, kind, year) >= threshold:
                    break
                pending = numbers.begin_reservation(agency_id, kind, year, block_size)
            try:
                block = retrying(
                    partial(gateway.reserve_numbers, kind, year, pending.count, pending.idempotency_key)
                )
            except RecordRejected as exc:
                numbers.drop_reservation(pending)
                counts.errors.append(f"{kind_label(kind)}（{year}年）未能领取号段：{exc.message}")
                break
            stored = numbers.store_block(pending, block.first, block.last)
            log.info("number block %s %d: %d-%d", kind, year, stored.first, stored.last)
            counts.blocks += 1
            counts.numbers += block.count
    return counts


def _china_today() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()


# ---------------------------------------------------------------- all steps


@dataclass
class SyncSteps:
    """The stores and services the steps need, made once by the composition root.

    ``on_holidays`` is called after a run that took holiday tables (the app's deadline calendar
    is rebuilt then: RefreshingCalendar.invalidate). Without ``attachments`` the evidence files
    of pulled cases are not downloaded.
    """

    store: SqlReferenceSync
    discretion: DiscretionService | None = None
    statutes: StatuteService | None = None
    #: Reference items per page: the server's largest (a page of statute packs is one import,
    #: with one rebuild of the search index).
    page_size: int = 500
    on_holidays: Callable[[], None] | None = None
    attachments: SqlAttachmentStore | None = None
    #: Serials kept free per series and year, and the size of a block (docs/SETTINGS.md).
    number_threshold: int = NUMBER_THRESHOLD
    number_block_size: int = NUMBER_BLOCK_SIZE
    #: Today in China time (the year of the blocks kept).
    today: Callable[[], dt.date] = _china_today
    #: The number blocks' store; by default over the reference store's database.
    numbers: SqlNumberBlocks | None = None

    def run(
        self, gateway: SyncGateway, retrying: Retrying = call_once, *, high_water: int | None = None
    ) -> StepsReport:
        """Reference data, then 公示, anchors, task acknowledgements, the evidence files of
        pulled cases (after push and pull) and the number blocks. ``high_water``: see
        :func:`pull_reference_data`."""
        report = StepsReport()
        report.reference = pull_reference_data(
            gateway,
            self.store,
            discretion=self.discretion,
            statutes=self.statutes,
            retrying=retrying,
            page_size=self.page_size,
            high_water=high_water,
        )
        if report.reference.applied.get("holidays") and self.on_holidays is not None:
            self.on_holidays()
        report.publications = push_publications(gateway, self.store, retrying=retrying)
        report.anchors = anchor_heads(gateway, self.store, retrying=retrying)
        report.tasks = acknowledge_tasks(gateway, self.store, retrying=retrying)
        if self.attachments is not None:
            report.files = download_evidence_files(gateway, self.store, self.attachments, retrying=retrying)
        report.numbers = reserve_number_blocks(
            gateway,
            self.numbers if self.numbers is not None else SqlNumberBlocks(self.store.engine),
            today=self.today(),
            threshold=self.number_threshold,
            block_size=self.number_block_size,
            retrying=retrying,
        )
        return report


__all__ = [
    "ANCHOR_ALARM",
    "DECISION_DOCUMENTS",
    "PUBLICATION_BASIS",
    "REFERENCE_KINDS",
    "AnchorCounts",
    "FileCounts",
    "NumberCounts",
    "PublicationCounts",
    "ReferenceCounts",
    "Retrying",
    "StepsReport",
    "SyncSteps",
    "TaskCounts",
    "accept_task",
    "acknowledge_tasks",
    "anchor_heads",
    "call_once",
    "case_from_task",
    "complete_year_schedule",
    "decision_number",
    "download_evidence_files",
    "finish_task",
    "holiday_table",
    "import_benchmark_pack",
    "import_statute_pack",
    "mask_name",
    "number_series",
    "number_years",
    "officer_entry",
    "prepare_statute_pack",
    "publication_text",
    "pull_reference_data",
    "push_publications",
    "reserve_number_blocks",
    "scrub",
    "synced_calendar",
    "task_from_stored",
    "year_schedule",
]
