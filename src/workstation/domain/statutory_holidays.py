"""Is a year's holiday table complete? The 全体公民放假的节日 of 《全国年节及纪念日放假办法》第二条.

A year listed in a holiday table replaces that year everywhere (domain/deadlines.py): a table
that forgot a holiday would count that day as a working day and shorten every deadline running
over it. :func:`missing_statutory_holidays` lists what a year's 放假安排 lacks; a table from the
central server is taken only when the list is empty (sync/steps.py).

The text in force for the year is used: the 2024 revision (国务院令第795号, in force from
1 January 2025: 春节 4 days from 农历除夕, 劳动节 5月1日、2日) from 2025 on, the 2013 and 2007
revisions (春节 3 days, 劳动节 5月1日) from 2008, the 1999 one (no 清明, 端午, 中秋; 劳动节
3 days) before. Fixed-date holidays are checked by date: the day must lie in a
listed 放假期间 (a statutory holiday on a weekend is made up on a working day, 第六条, so the
State Council notice always lists it). Lunar ones are checked by name (``清明``, ``端午``,
``中秋``, ``春节`` in a period's name, a merged period such as 「国庆节、中秋节」 counting for
both), with at least the statutory number of days and within the months they can fall in
(清明 on 4月4日 or 5日; 春节 from late January to late February; 端午 late May to late June;
中秋 September to early October). Lunar dates are not computed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from workstation.domain.deadlines import ONE_DAY, YearSchedule
from workstation.domain.errors import InvalidInput

#: The 2024 revision applies from this year on.
REVISION_2024_FROM = 2025


@dataclass(frozen=True, slots=True)
class StatutoryHoliday:
    """One 全体公民放假的节日 of 第二条: what the statute says and how a table is checked."""

    name: str
    #: How the statute states it, e.g. 「放假1天（1月1日）」.
    statute: str
    #: Words one of which a period's name must contain (lunar holidays).
    keys: tuple[str, ...]
    #: Statutory days off (the least number of listed days bearing the name).
    days: int
    #: Fixed days (month, day) that must be listed as 放假; empty for lunar holidays.
    fixed: tuple[tuple[int, int], ...] = ()
    #: (month, day) bounds a lunar holiday's listed days must touch.
    window: tuple[tuple[int, int], tuple[int, int]] | None = None
    #: Days of which the listed period must include at least one (清明: 4月4日 or 5日).
    any_of: tuple[tuple[int, int], ...] = ()


_REVISION_2024 = (
    StatutoryHoliday("元旦", "放假1天（1月1日）", ("元旦",), 1, fixed=((1, 1),)),
    StatutoryHoliday("春节", "放假4天（农历除夕、正月初一至初三）", ("春节",), 4, window=((1, 19), (2, 24))),
    StatutoryHoliday("清明节", "放假1天（农历清明当日）", ("清明",), 1, any_of=((4, 4), (4, 5))),
    StatutoryHoliday("劳动节", "放假2天（5月1日、2日）", ("劳动节", "五一"), 2, fixed=((5, 1), (5, 2))),
    StatutoryHoliday("端午节", "放假1天（农历端午当日）", ("端午",), 1, window=((5, 26), (6, 27))),
    StatutoryHoliday("中秋节", "放假1天（农历中秋当日）", ("中秋",), 1, window=((9, 5), (10, 10))),
    StatutoryHoliday("国庆节", "放假3天（10月1日至3日）", ("国庆",), 3, fixed=((10, 1), (10, 2), (10, 3))),
)

_REVISION_2013 = (
    _REVISION_2024[0],
    StatutoryHoliday("春节", "放假3天（农历正月初一、初二、初三）", ("春节",), 3, window=((1, 19), (2, 24))),
    _REVISION_2024[2],
    StatutoryHoliday("劳动节", "放假1天（5月1日）", ("劳动节", "五一"), 1, fixed=((5, 1),)),
    *_REVISION_2024[4:],
)


_REVISION_2007 = (
    _REVISION_2024[0],
    StatutoryHoliday("春节", "放假3天（农历除夕、正月初一、初二）", ("春节",), 3, window=((1, 19), (2, 24))),
    *_REVISION_2013[2:],
)

_REVISION_1999 = (
    StatutoryHoliday("元旦", "放假1天（1月1日）", ("元旦", "新年"), 1, fixed=((1, 1),)),
    StatutoryHoliday("春节", "放假3天（农历正月初一、初二、初三）", ("春节",), 3, window=((1, 19), (2, 24))),
    StatutoryHoliday(
        "劳动节", "放假3天（5月1日、2日、3日）", ("劳动节", "五一"), 3, fixed=((5, 1), (5, 2), (5, 3))
    ),
    _REVISION_2024[6],
)

#: (first year in force, revision date, holidays), newest first.
_REVISIONS = (
    (REVISION_2024_FROM, "2024年11月10日修订", _REVISION_2024),
    (2014, "2013年12月11日修订", _REVISION_2013),
    (2008, "2007年12月14日修订", _REVISION_2007),
    (0, "1999年9月18日修订", _REVISION_1999),
)


def _revision(year: int) -> tuple[int, str, tuple[StatutoryHoliday, ...]]:
    return next(r for r in _REVISIONS if year >= r[0])


def statutory_holidays(year: int) -> tuple[StatutoryHoliday, ...]:
    """The 全体公民放假的节日 of the text in force in ``year``."""
    return _revision(year)[2]


def statute_citation(year: int) -> str:
    """《全国年节及纪念日放假办法》 with the revision in force in ``year`` and the article."""
    return f"《全国年节及纪念日放假办法》（{_revision(year)[1]}）第二条"


def _md(month_day: tuple[int, int]) -> str:
    return f"{month_day[0]}月{month_day[1]}日"


def _listed_days(schedule: YearSchedule) -> dict[dt.date, list[str]]:
    """Every day listed as 放假 in the schedule, with the names of its period (split on 、)."""
    days: dict[dt.date, list[str]] = {}
    for period in schedule.holidays:
        parts = [part.strip() for part in period.name.split("、") if part.strip()] or [period.name]
        day = period.first
        while day <= period.last:
            days.setdefault(day, []).extend(parts)
            day += ONE_DAY
    return days


def _date(year: int, month_day: tuple[int, int]) -> dt.date:
    return dt.date(year, *month_day)


def missing_statutory_holidays(schedule: YearSchedule) -> tuple[str, ...]:
    """What the year's 放假安排 lacks of 第二条, in Chinese (empty when complete).

    Each entry names the holiday with the statute's own words, e.g.
    「劳动节：5月2日未列为放假（法定放假2天（5月1日、2日））」.
    """
    year = schedule.year
    listed = _listed_days(schedule)
    working = {m.day for m in schedule.working_days}
    missing: list[str] = []
    for holiday in statutory_holidays(year):
        law = f"法定{holiday.statute}"
        if holiday.fixed:
            absent = [
                _md(md) for md in holiday.fixed if _date(year, md) not in listed or _date(year, md) in working
            ]
            if absent:
                missing.append(f"{holiday.name}：{'、'.join(absent)}未列为放假（{law}）")
            continue
        named = sorted(
            day for day, names in listed.items() if any(k in n for n in names for k in holiday.keys)
        )
        if not named:
            missing.append(f"{holiday.name}：未列入（{law}）")
            continue
        if len(named) < holiday.days:
            missing.append(f"{holiday.name}：只列了{len(named)}天放假（{law}）")
            continue
        if holiday.any_of and not any(_date(year, md) in named for md in holiday.any_of):
            days = "或".join(_md(md) for md in holiday.any_of)
            missing.append(f"{holiday.name}：放假期间不含{days}（{law}）")
            continue
        if holiday.window is not None:
            lo, hi = (_date(year, md) for md in holiday.window)
            if not any(lo <= day <= hi for day in named):
                missing.append(
                    f"{holiday.name}：放假日期不在{_md(holiday.window[0])}至{_md(holiday.window[1])}之间（{law}）"
                )
    return tuple(missing)


class IncompleteHolidayTable(InvalidInput):
    """A year's holiday table lacks a 全体公民放假的节日 of 《全国年节及纪念日放假办法》第二条."""

    code = "holiday_table_incomplete"

    def __init__(self, year: int, missing: Sequence[str]) -> None:
        self.year = year
        self.missing = tuple(missing)
        super().__init__(
            f"{year}年节假日表不完整，缺少{statute_citation(year)}规定的全体公民放假的节日："
            f"{'；'.join(self.missing)}。不完整的年度表会把法定节假日算作工作日、缩短期限，"
            "整表未采用，该年度仍按本机原有的节假日数据计算期限。",
            f"请按国务院办公厅关于{year}年部分节假日安排的通知补全该年度的放假和调休上班日期后重新下发。",
        )


def check_statutory_holidays(schedule: YearSchedule) -> None:
    """IncompleteHolidayTable when the year's table lacks a statutory holiday."""
    missing = missing_statutory_holidays(schedule)
    if missing:
        raise IncompleteHolidayTable(schedule.year, missing)


__all__ = [
    "REVISION_2024_FROM",
    "IncompleteHolidayTable",
    "StatutoryHoliday",
    "check_statutory_holidays",
    "missing_statutory_holidays",
    "statute_citation",
    "statutory_holidays",
]
