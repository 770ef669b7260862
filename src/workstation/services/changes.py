"""What a use case changed, so views refresh only what they show."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


class Topic(enum.StrEnum):
    OFFICE = "office"  # agencies, officers, parties, items
    CASES = "cases"
    DOCUMENTS = "documents"
    STATUTES = "statutes"
    SYNC = "sync"
    DATABASE = "database"
    SETTINGS = "settings"


@dataclass(frozen=True, slots=True)
class Changes:
    topics: frozenset[Topic] = field(default_factory=frozenset)

    @classmethod
    def of(cls, *topics: Topic) -> Changes:
        return cls(frozenset(topics))

    def __contains__(self, topic: object) -> bool:
        return topic in self.topics

    def __bool__(self) -> bool:
        return bool(self.topics)


NO_CHANGES = Changes()


@dataclass(frozen=True, slots=True)
class Result(Generic[T]):
    value: T
    changes: Changes = NO_CHANGES
