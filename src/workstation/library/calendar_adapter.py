"""Holiday calendars for the deadline engine: the chinese-calendar package and the bundled table.

The domain (domain/deadlines.py) knows only the HolidayCalendar protocol; the third-party
``chinese_calendar`` package stays here. :func:`default_calendar` layers the editable table
(resources/calendar/holidays.json, replaceable by the central server) over the package.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import chinese_calendar

from workstation.domain.deadlines import LayeredCalendar, TableCalendar, weekend_rule

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
