"""The office at a glance (工作台) and the demo office."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from workstation.domain.entities import CaseBrief, OfficeSummary, StageCount
from workstation.domain.ports import Clock, UnitOfWorkFactory
from workstation.services.changes import Result

if TYPE_CHECKING:
    from workstation.domain.workflow import WorkflowDefinition
    from workstation.services.cases import CaseService
    from workstation.services.demo import SeedReport
    from workstation.services.discretion import DiscretionService

#: The 工作台 lists deadlines due within this many days (and overdue ones).
DUE_SOON_DAYS = 7


@functools.cache
def _workflows() -> dict[str, WorkflowDefinition]:
    from workstation.services.workflows import bundled_workflows

    return {kind.value: d for kind, d in bundled_workflows().items()}


def stage_label(kind: str, stage: str) -> str:
    """“普通程序·事先告知” for a kind and stage code of the bundled workflows."""
    definition = _workflows().get(kind)
    if definition is None:
        return stage
    return f"{definition.label}·{definition.stage_label(stage)}"


def _stage_order(count: StageCount) -> tuple[int, int, str]:
    kinds = list(_workflows())
    definition = _workflows().get(count.kind)
    stages = [s.code for s in definition.stages] if definition else []
    return (
        kinds.index(count.kind) if count.kind in kinds else len(kinds),
        stages.index(count.stage) if count.stage in stages else len(stages),
        count.stage,
    )


class OfficeService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        warn_days: Callable[[], int],
        cases: Callable[[], CaseService] | None = None,
        discretion: Callable[[], DiscretionService] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._warn_days = warn_days
        self._cases = cases
        self._discretion = discretion

    def summary(self, officer_id: str | None = None) -> Result[OfficeSummary]:
        """The office at a glance; 我的待办 are the open cases ``officer_id`` leads (all when None)."""
        today = self._clock.today()
        with self._uow() as uow:
            summary = uow.office.summary(today, self._warn_days())
        return Result(self._labelled(summary, today, officer_id))

    def _labelled(self, summary: OfficeSummary, today: dt.date, officer_id: str | None) -> OfficeSummary:
        def brief(c: CaseBrief) -> CaseBrief:
            return replace(c, stage_label=c.stage_label or stage_label(c.kind, c.stage))

        until = today + dt.timedelta(days=DUE_SOON_DAYS)
        due = sorted(
            (c for c in summary.due_soon if c.next_deadline is not None and c.next_deadline <= until),
            key=lambda c: (c.next_deadline or today, c.id),
        )
        mine = [c for c in summary.my_tasks if officer_id is None or c.lead_officer_id == officer_id]
        counts = sorted(
            (replace(s, label=s.label or stage_label(s.kind, s.stage)) for s in summary.stage_counts),
            key=_stage_order,
        )
        return replace(
            summary,
            stage_counts=tuple(counts),
            due_soon=tuple(brief(c) for c in due),
            my_tasks=tuple(brief(c) for c in mine),
            officer_id=officer_id,
            due_days=DUE_SOON_DAYS,
        )

    def seed_demo(self, with_cases: bool = False) -> Result[SeedReport]:
        """The demo office; with ``with_cases`` (and the case service wired) its demo cases too."""
        from workstation.services.demo import seed_demo

        cases = self._cases if with_cases else None
        return seed_demo(self._uow, cases=cases, today=self._clock.today(), discretion=self._discretion)
