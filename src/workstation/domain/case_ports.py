"""What the case services need of storage: small Protocols, implemented in persistence/cases.py.

:class:`BenchmarkLookup` is what the case service needs of the 裁量基准 (discretion benchmarks):
the entry of one 执法事项 by its code, to run the calculator (:func:`discretion.assess`) on a
penalty proposal. A lookup that can also say which benchmark an entry comes from
(:class:`BenchmarkSourceLookup`) lets the service record the benchmark's version and 文号.

A :class:`CaseTransaction` is one database transaction: everything written through it (the case
row, its 案号 and the 全过程记录 event) commits together when the ``with`` block ends without an
error, and is rolled back otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from workstation.domain.cases import Case
from workstation.domain.discretion import Benchmark, ItemEntry
from workstation.domain.entities import Agency, Officer, Party
from workstation.domain.record import CaseEvent, FieldChange, VerifyReport


@dataclass(frozen=True, slots=True)
class CaseListColumns:
    """The case-list columns kept in step with each write (see persistence/case_list.py)."""

    next_deadline: dt.date | None = None
    warning_level: int = 0


class CaseTransaction(Protocol):
    def load(self, case_ref: str) -> Case:
        """The case by id or 案号; NotFound (Chinese) when there is none."""
        ...

    def officer(self, officer_id: str) -> Officer:
        """The officer; NotFound (Chinese) when there is none."""
        ...

    def party(self, party_id: str) -> Party:
        """The party; NotFound (Chinese) when there is none."""
        ...

    def agency(self, agency_id: str) -> Agency:
        """The agency; NotFound (Chinese) when there is none."""
        ...

    def insert(self, case: Case, columns: CaseListColumns) -> None:
        """Write a new case with its parties and officers."""
        ...

    def update(self, case: Case, expected_version: int, columns: CaseListColumns) -> Case:
        """Write the case's stage, number, data and closing date when its stored ``row_version``
        is still ``expected_version`` (ConcurrentEdit otherwise); the case as stored."""
        ...

    def allocate_number(self, agency_id: str, kind: str, year: int) -> int:
        """The next gapless serial of (agency, kind, year), in this transaction."""
        ...

    def record_event(
        self,
        *,
        case_id: str,
        actor_id: str | None,
        actor_role: str,
        action: str,
        occurred_at: dt.datetime,
        changes: Iterable[FieldChange] = (),
        payload: Mapping[str, object] | None = None,
    ) -> CaseEvent:
        """Append the next 全过程记录 event of the case, in this transaction."""
        ...


class CaseStore(Protocol):
    def transaction(self) -> AbstractContextManager[CaseTransaction]:
        """A transaction: committed when the block ends normally, rolled back on an error."""
        ...

    def events(self, case_id: str) -> list[CaseEvent]:
        """The case's 全过程记录 in order."""
        ...

    def verify_log(self, case_id: str) -> VerifyReport:
        """Check the case's 全过程记录 for tampering."""
        ...


class BenchmarkLookup(Protocol):
    def entry(self, item_code: str) -> ItemEntry | None:
        """The 裁量基准 entry of the 执法事项 ``item_code``; None when no benchmark covers it."""
        ...


@runtime_checkable
class BenchmarkSourceLookup(Protocol):
    """Optional: a :class:`BenchmarkLookup` that also names the benchmark an entry comes from."""

    def benchmark_for(self, item_code: str) -> Benchmark | None:
        """The benchmark whose entry :meth:`BenchmarkLookup.entry` returns (version, 文号)."""
        ...
