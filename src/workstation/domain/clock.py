"""The system clock (an adapter of the Clock port with no dependencies)."""

from __future__ import annotations

import datetime as dt

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


class SystemClock:
    """Wall-clock time in China Standard Time (UTC+8, no daylight saving)."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(CHINA_TZ)

    def today(self) -> dt.date:
        return self.now().date()


class FixedClock:
    """A clock that stands still until moved; for tests and training scenarios."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=CHINA_TZ)
        self._at = at

    def now(self) -> dt.datetime:
        return self._at

    def today(self) -> dt.date:
        return self._at.date()

    def move_to(self, at: dt.datetime | dt.date) -> None:
        """Set the clock (a training scenario or a test moving through a case's days)."""
        if not isinstance(at, dt.datetime):
            at = dt.datetime(at.year, at.month, at.day, self._at.hour, self._at.minute)
        self._at = at if at.tzinfo is not None else at.replace(tzinfo=CHINA_TZ)
