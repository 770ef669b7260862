"""The office at a glance (工作台) and the demo office."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from workstation.domain.entities import OfficeSummary
from workstation.domain.ports import Clock, UnitOfWorkFactory
from workstation.services.changes import Result

if TYPE_CHECKING:
    from workstation.services.demo import SeedReport


class OfficeService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, warn_days: Callable[[], int]) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._warn_days = warn_days

    def summary(self) -> Result[OfficeSummary]:
        with self._uow() as uow:
            return Result(uow.office.summary(self._clock.today(), self._warn_days()))

    def seed_demo(self) -> Result[SeedReport]:
        from workstation.services.demo import seed_demo

        return seed_demo(self._uow)
