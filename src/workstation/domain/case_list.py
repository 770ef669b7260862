"""The case list (案件列表): a query, its rows, and the port that answers it.

The list works over row keys: the query returns every matching key in display order
(filtering and sorting happen in SQL), and the view fetches the rows it shows, a block at
a time. So 100,000 cases cost one key list, never 100,000 row objects.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class CaseSort(enum.StrEnum):
    NUMBER = "case_number"
    TITLE = "title"
    PARTY = "party_names"
    STAGE = "stage"
    OFFICER = "lead_officer_name"
    DEADLINE = "next_deadline"
    WARNING = "warning_level"
    OPENED = "opened_on"


#: Columns of the list, in order, with their sort key.
COLUMNS: tuple[tuple[str, CaseSort], ...] = (
    ("案号", CaseSort.NUMBER),
    ("案由", CaseSort.TITLE),
    ("当事人", CaseSort.PARTY),
    ("阶段", CaseSort.STAGE),
    ("承办人", CaseSort.OFFICER),
    ("期限", CaseSort.DEADLINE),
    ("预警", CaseSort.WARNING),
)

WARNING_LABELS = {0: "", 1: "黄色预警", 2: "红色预警"}


@dataclass(frozen=True, slots=True)
class CaseListQuery:
    #: Matches 案号, 案由 or 当事人 (substring).
    text: str = ""
    stage: str = ""
    kind: str = ""
    sort: CaseSort = CaseSort.OPENED
    descending: bool = True
    include_training: bool = False


@dataclass(frozen=True, slots=True)
class CaseListRow:
    key: int
    case_id: str
    case_number: str
    title: str
    party_names: str
    stage: str
    lead_officer_name: str
    next_deadline: dt.date | None
    warning_level: int
    kind: str = ""


class CaseListSource(Protocol):
    def keys(self, query: CaseListQuery) -> list[int]:
        """Every matching case's row key, in display order."""
        ...

    def rows(self, keys: Sequence[int]) -> dict[int, CaseListRow]: ...
