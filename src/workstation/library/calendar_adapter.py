"""Holiday calendars for the deadline engine: the chinese-calendar package and the bundled table.

The domain (domain/deadlines.py) knows only the HolidayCalendar protocol; the third-party
``chinese_calendar`` package stays here. :func:`default_calendar` layers the editable table
(resources/calendar/holidays.json, each year of it replaceable by the central server) over the
package; :class:`RefreshingCalendar` is the deadline calendar the app uses, rebuilt when the
holiday tables a sync took change (sync/steps.py ``synced_calendar``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Hashable
from importlib import resources

import chinese_calendar

from workstation.domain.deadlines import HolidayCalendar, LayeredCalendar, TableCalendar, weekend_rule

log = logging.getLogger(__name__)

#: The bundled table, inside the workstation.resources package.
BUNDLED_TABLE = "calendar/holidays.json"

#: chinese_calendar's English holiday names in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class ChineseCalendarAdapter:
    """The State Council schedules carried by the ``chinese_calendar`` package (PyPI chinese-calendar).

    The package raises NotImplementedError for years outside its data; this adapter answers
    ``covers`` False for them and falls back to the weekend rule, so the deadline functions can
    warn (or refuse in strict mode) instead of crashing.
    """

    def __init__(self) -> None:
        years: set[int] = {day.year for day in chinese_calendar.holidays}
        self._first = min(years)
        self._last = max(years)
        self.version = str(getattr(chinese_calendar, "__version__", "?"))

    def covers(self, day: dt.date) -> bool:
        return self._first <= day.year <= self._last

    def covered_years(self) -> frozenset[int]:
        return frozenset(range(self._first, self._last + 1))

    def is_working_day(self, day: dt.date) -> bool:
        if not self.covers(day):
            return weekend_rule(day)
        return bool(chinese_calendar.is_workday(day))

    def holiday_name(self, day: dt.date) -> str | None:
        if not self.covers(day):
            return None
        _, name = chinese_calendar.get_holiday_detail(day)
        if name is None:
            return None
        text = str(name)
        return HOLIDAY_NAMES.get(text, text)

    def source(self, year: int) -> str:
        if year < self._first or year > self._last:
            return f"chinese-calendar {self.version} 软件包没有{year}年的数据"
        return f"国务院办公厅关于{year}年部分节假日安排的通知（据 chinese-calendar {self.version} 软件包）"


def load_bundled_table() -> TableCalendar:
    """The holiday table shipped with the program (resources/calendar/holidays.json)."""
    text = resources.files("workstation.resources").joinpath(BUNDLED_TABLE).read_text("utf-8")
    return TableCalendar.from_json(text)


def default_calendar(table: TableCalendar | None = None) -> LayeredCalendar:
    """The table (the server's copy when given, else the bundled one) over the package."""
    return LayeredCalendar(table if table is not None else load_bundled_table(), ChineseCalendarAdapter())


class RefreshingCalendar:
    """A HolidayCalendar rebuilt by ``load`` whenever ``stamp`` changes.

    ``stamp`` is cheap (the app passes the cursor of the server's holiday feed, which moves only
    when a sync takes holiday tables); it is read at most every ``recheck_seconds``, so a
    deadline computation asks each of its many days of one calendar without a query each.
    :meth:`invalidate` makes the next call read ``stamp`` at once (the sync of this process calls
    it after taking holiday tables); a sync run by another process is seen within
    ``recheck_seconds``. A failing ``load`` keeps the calendar in use (logged) and is tried again
    at the next check.
    """

    def __init__(
        self,
        load: Callable[[], HolidayCalendar],
        stamp: Callable[[], Hashable],
        *,
        recheck_seconds: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._stamp = stamp
        self._recheck = recheck_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._calendar: HolidayCalendar | None = None
        self._stamp_seen: Hashable = None
        self._checked_at = 0.0

    def invalidate(self) -> None:
        """Read the stamp at the next call (and rebuild if it moved)."""
        with self._lock:
            self._checked_at = float("-inf")

    def current(self) -> HolidayCalendar:
        """The calendar in force now, rebuilt first when the stamp moved."""
        with self._lock:
            now = self._monotonic()
            if self._calendar is not None and now - self._checked_at < self._recheck:
                return self._calendar
            stamp = self._stamp()
            self._checked_at = now
            if self._calendar is None or stamp != self._stamp_seen:
                try:
                    self._calendar = self._load()
                except Exception:
                    if self._calendar is None:
                        raise
                    log.exception("holiday tables not reloaded; the calendar in use stays")
                    return self._calendar
                self._stamp_seen = stamp
            return self._calendar

    def covers(self, day: dt.date) -> bool:
        return self.current().covers(day)

    def covered_years(self) -> frozenset[int]:
        return self.current().covered_years()

    def is_working_day(self, day: dt.date) -> bool:
        return self.current().is_working_day(day)

    def holiday_name(self, day: dt.date) -> str | None:
        return self.current().holiday_name(day)

    def source(self, year: int) -> str:
        return self.current().source(year)
