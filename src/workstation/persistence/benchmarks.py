"""裁量基准 in SQLite: the ``benchmarks`` and ``benchmark_items`` tables (revision 0006).

:class:`SqlBenchmarkStore` stores whole benchmarks. Each benchmark row keeps the benchmark in
the workstation-discretion JSON format (``payload``, written by ``dump_benchmarks`` and read back
with ``load_benchmarks``); ``benchmark_items`` has one row per item with its search text
(library/item_search.py).

Writes (:meth:`SqlBenchmarkStore.replace_all`, :meth:`SqlBenchmarkStore.upsert`) are one
transaction: every benchmark is stored or none is. In the same transaction the effective entry
of every item code written is upserted into ``enforcement_items`` (the 事项目录 the case wizard
lists), keyed by code as ``SqlOfficeRepository.upsert_item`` does; catalogue rows are never
deleted (cases refer to them).

The effective entry of an item code (:meth:`SqlBenchmarkStore.entry`): of the stored benchmarks
that contain the code, the most specific level wins (county over city over province), so a
county or city refinement replaces its province parent's entry for the items it refines and the
province entry applies to every other item. Between benchmarks of the same level the later
``effective_on`` wins (a benchmark without a date counts as the oldest), then the greater id.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from workstation.domain.discretion import Benchmark, BenchmarkLevel, ItemEntry, load_benchmarks
from workstation.domain.entities import PartyKind
from workstation.library.item_search import matches, search_text
from workstation.persistence.models import BenchmarkItemRow, BenchmarkRow, CaseRow, EnforcementItemRow
from workstation.persistence.repositories import SqlOfficeRepository, session_scope

__all__ = ["SqlBenchmarkStore", "StoredItem", "catalogue_id"]

_ITEM_NAMESPACE = uuid.UUID("6f1c2b1e-5d0e-4a4b-9a57-3c1f0b7d2e11")


def catalogue_id(item_code: str) -> str:
    """The id a new ``enforcement_items`` row gets for a code (stable across installations)."""
    return str(uuid.uuid5(_ITEM_NAMESPACE, item_code))


@dataclass(frozen=True, slots=True)
class StoredItem:
    """The effective entry of one item code, as the 事项 list shows it."""

    code: str
    name: str
    department: str
    benchmark_id: str
    benchmark_name: str
    level: BenchmarkLevel
    sample: bool
    delegated: bool


@dataclass(frozen=True, slots=True)
class _Candidate:
    code: str
    name: str
    department: str
    search_text: str
    benchmark_id: str
    benchmark_name: str
    level: BenchmarkLevel
    effective_on: dt.date | None
    benchmark_sample: bool

    @property
    def rank(self) -> tuple[int, dt.date, str]:
        return (self.level.rank, self.effective_on or dt.date.min, self.benchmark_id)


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _payload(benchmark: Benchmark) -> str:
    from workstation.domain.discretion import dump_benchmarks

    return dump_benchmarks([benchmark])


def _fine(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount > 0 else None


class SqlBenchmarkStore:
    """Benchmarks over SQLite (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        #: Parsed payloads by benchmark id, reused while the payload is the same.
        self._parsed: dict[str, tuple[str, Benchmark]] = {}

    # ------------------------------------------------------------------ writing

    def replace_all(self, benchmarks: Sequence[Benchmark], now: dt.datetime) -> int:
        """Store exactly ``benchmarks`` (others are removed) in one transaction; the number
        of benchmarks added, changed or removed."""
        return self._write(benchmarks, now, replace=True)

    def upsert(self, benchmarks: Sequence[Benchmark], now: dt.datetime) -> int:
        """Add or replace ``benchmarks`` by id in one transaction (others stay); the number
        added or changed (an identical benchmark is left alone, so re-importing changes nothing)."""
        return self._write(benchmarks, now, replace=False)

    def _write(self, benchmarks: Sequence[Benchmark], now: dt.datetime, *, replace: bool) -> int:
        stamp = _naive_utc(now)
        with session_scope(self._sessions, self._engine, commit=True) as s:
            stored = {row.id: row for row in s.scalars(select(BenchmarkRow))}
            changed = 0
            if replace:
                keep = {b.id for b in benchmarks}
                gone = [bid for bid in stored if bid not in keep]
                if gone:
                    s.execute(delete(BenchmarkItemRow).where(BenchmarkItemRow.benchmark_id.in_(gone)))
                    for bid in gone:
                        s.delete(stored.pop(bid))
                    s.flush()
                    changed += len(gone)
            codes: set[str] = set()
            for benchmark in benchmarks:
                payload = _payload(benchmark)
                codes.update(i.item_code for i in benchmark.items)
                row = stored.get(benchmark.id)
                if row is not None and row.payload == payload:
                    continue
                changed += 1
                values = {
                    "name": benchmark.name,
                    "level": benchmark.level.value,
                    "parent_id": benchmark.parent_id,
                    "version": benchmark.version,
                    "publisher": benchmark.publisher,
                    "document_number": benchmark.document_number,
                    "region": benchmark.region,
                    "effective_on": benchmark.effective_on,
                    "is_sample": benchmark.sample,
                    "payload": payload,
                    "imported_at": stamp,
                }
                if row is None:
                    row = BenchmarkRow(id=benchmark.id, row_version=1, **values)
                    s.add(row)
                    stored[benchmark.id] = row
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
                    row.row_version += 1
                    s.execute(delete(BenchmarkItemRow).where(BenchmarkItemRow.benchmark_id == benchmark.id))
                s.flush()
                for item in benchmark.items:
                    s.add(
                        BenchmarkItemRow(
                            benchmark_id=benchmark.id,
                            item_code=item.item_code,
                            name=item.name,
                            department=item.department,
                            search_text=search_text(item),
                        )
                    )
                s.flush()
                self._parsed[benchmark.id] = (payload, benchmark)
            self._update_catalogue(s, codes)
        return changed

    def _update_catalogue(self, s: Session, codes: Collection[str]) -> None:
        """Upsert the effective entry of each code into ``enforcement_items``."""
        office = SqlOfficeRepository(s)
        for code, best in sorted(self._effective(s, codes).items()):
            entry = self._benchmark(s, best.benchmark_id).item(code)
            if entry is not None:
                office.upsert_item(entry.to_enforcement_item(catalogue_id(code)))
        s.flush()

    # ------------------------------------------------------------------ reading

    def _candidates(self, s: Session, codes: Collection[str] | None) -> list[_Candidate]:
        stmt = select(
            BenchmarkItemRow.item_code,
            BenchmarkItemRow.name,
            BenchmarkItemRow.department,
            BenchmarkItemRow.search_text,
            BenchmarkRow.id,
            BenchmarkRow.name,
            BenchmarkRow.level,
            BenchmarkRow.effective_on,
            BenchmarkRow.is_sample,
        ).join(BenchmarkRow, BenchmarkRow.id == BenchmarkItemRow.benchmark_id)
        if codes is not None:
            stmt = stmt.where(BenchmarkItemRow.item_code.in_(list(codes)))
        return [
            _Candidate(code, name, dept, text, bid, bname, BenchmarkLevel(level), effective, bool(sample))
            for code, name, dept, text, bid, bname, level, effective, sample in s.execute(stmt).all()
        ]

    def _effective(self, s: Session, codes: Collection[str] | None = None) -> dict[str, _Candidate]:
        best: dict[str, _Candidate] = {}
        for c in self._candidates(s, codes):
            if c.code not in best or c.rank > best[c.code].rank:
                best[c.code] = c
        return best

    def _benchmark(self, s: Session, benchmark_id: str) -> Benchmark:
        payload = s.scalar(select(BenchmarkRow.payload).where(BenchmarkRow.id == benchmark_id))
        if payload is None:
            raise LookupError(benchmark_id)
        return self._parse(benchmark_id, payload)

    def _parse(self, benchmark_id: str, payload: str) -> Benchmark:
        cached = self._parsed.get(benchmark_id)
        if cached is not None and cached[0] == payload:
            return cached[1]
        benchmark = load_benchmarks(payload)[0]
        self._parsed[benchmark_id] = (payload, benchmark)
        return benchmark

    def benchmarks(self) -> list[Benchmark]:
        """Every stored benchmark, provinces first, then by id."""
        with session_scope(self._sessions, self._engine) as s:
            rows = s.execute(select(BenchmarkRow.id, BenchmarkRow.payload)).all()
            out = [self._parse(bid, payload) for bid, payload in rows]
        return sorted(out, key=lambda b: (b.level.rank, b.id))

    def entry(self, item_code: str) -> ItemEntry | None:
        """The effective entry of ``item_code`` (most specific level wins), None when unknown."""
        with session_scope(self._sessions, self._engine) as s:
            best = self._effective(s, [item_code]).get(item_code)
            if best is None:
                return None
            return self._benchmark(s, best.benchmark_id).item(item_code)

    def benchmark_for(self, item_code: str) -> Benchmark | None:
        """The benchmark whose entry :meth:`entry` returns (for its version and 文号)."""
        with session_scope(self._sessions, self._engine) as s:
            best = self._effective(s, [item_code]).get(item_code)
            return None if best is None else self._benchmark(s, best.benchmark_id)

    def items(self, text: str = "") -> list[StoredItem]:
        """The effective entry of every item code, by code; with ``text`` only those whose name,
        code, keywords or pinyin initials contain every term of it (library/item_search.py)."""
        with session_scope(self._sessions, self._engine) as s:
            found = [c for c in self._effective(s).values() if matches(text, c.search_text)]
            flags = {
                code: (bool(delegated), bool(sample))
                for code, delegated, sample in s.execute(
                    select(
                        EnforcementItemRow.code,
                        EnforcementItemRow.delegated_to_township,
                        EnforcementItemRow.is_sample,
                    ).where(EnforcementItemRow.code.in_([c.code for c in found]))
                ).all()
            }
        out = []
        for c in sorted(found, key=lambda c: c.code):
            delegated, sample = flags.get(c.code, (False, False))
            out.append(
                StoredItem(
                    code=c.code,
                    name=c.name,
                    department=c.department,
                    benchmark_id=c.benchmark_id,
                    benchmark_name=c.benchmark_name,
                    level=c.level,
                    sample=sample or c.benchmark_sample,
                    delegated=delegated,
                )
            )
        return out

    def fines_for_item(self, item_code: str, party_kind: PartyKind | None = None) -> list[Decimal]:
        """The fines (yuan, > 0) decided in past cases of this item, in no particular order.

        Only cases that reached a decision (``decided_on`` in their data) and are not training
        cases count; with ``party_kind`` only those whose ``party_kind`` is that kind.
        """
        stmt = (
            select(CaseRow.data)
            .join(EnforcementItemRow, EnforcementItemRow.id == CaseRow.item_id)
            .where(EnforcementItemRow.code == item_code, CaseRow.is_training.is_(False))
        )
        out: list[Decimal] = []
        with session_scope(self._sessions, self._engine) as s:
            rows = list(s.scalars(stmt))
        for raw in rows:
            try:
                data = json.loads(raw or "{}")
            except json.JSONDecodeError:
                continue
            if not isinstance(data, dict) or not data.get("decided_on"):
                continue
            if party_kind is not None and data.get("party_kind") != party_kind.value:
                continue
            fine = _fine(data.get("fine"))
            if fine is not None:
                out.append(fine)
        return out
