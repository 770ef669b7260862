"""The case list use cases: run a query, fetch the rows being shown."""

from __future__ import annotations

from collections.abc import Sequence

from workstation.domain.case_list import CaseListQuery, CaseListRow, CaseListSource
from workstation.services.changes import Result


class CaseListService:
    def __init__(self, source: CaseListSource) -> None:
        self._source = source

    def keys(self, query: CaseListQuery) -> Result[list[int]]:
        return Result(self._source.keys(query))

    def rows(self, keys: Sequence[int]) -> Result[dict[int, CaseListRow]]:
        return Result(self._source.rows(keys))
