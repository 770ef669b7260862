"""A year's holiday table must list every 全体公民放假的节日 of 《全国年节及纪念日放假办法》第二条
(domain/statutory_holidays.py), and the app's deadline calendar follows the tables a sync took
(library/calendar_adapter.RefreshingCalendar)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workstation.domain.deadlines import (
    HolidayCalendar,
    HolidayPeriod,
    MakeupWorkingDay,
    TableCalendar,
    YearSchedule,
    add_working_days,
)
from workstation.domain.statutory_holidays import (
    IncompleteHolidayTable,
    check_statutory_holidays,
    missing_statutory_holidays,
    statute_citation,
)
from workstation.library.calendar_adapter import RefreshingCalendar, load_bundled_table
from workstation.persistence.reference_sync import ItemRefused, ReferenceItem
from workstation.sync.steps import complete_year_schedule, year_schedule
from workstation_central.seed import _holidays as seeded_holidays

D = dt.date


def period(name: str, first: str, last: str | None = None) -> HolidayPeriod:
    return HolidayPeriod(name, D.fromisoformat(first), D.fromisoformat(last or first))


#: A made-up but complete 2027 table (the 2024 text: 春节 4 days, 劳动节 5月1日、2日).
COMPLETE_2027 = YearSchedule(
    2027,
    "示例",
    (
        period("元旦", "2027-01-01", "2027-01-03"),
        period("春节", "2027-02-05", "2027-02-13"),
        period("清明节", "2027-04-03", "2027-04-05"),
        period("劳动节", "2027-05-01", "2027-05-05"),
        period("端午节", "2027-06-09"),
        period("中秋节", "2027-09-15"),
        period("国庆节", "2027-10-01", "2027-10-07"),
    ),
    (MakeupWorkingDay(D(2027, 1, 30), "春节"), MakeupWorkingDay(D(2027, 10, 9), "国庆节")),
)


def without(schedule: YearSchedule, name: str) -> YearSchedule:
    return YearSchedule(
        schedule.year,
        schedule.source,
        tuple(p for p in schedule.holidays if p.name != name),
        schedule.working_days,
    )


def replaced(schedule: YearSchedule, name: str, new: HolidayPeriod) -> YearSchedule:
    holidays = tuple(new if p.name == name else p for p in schedule.holidays)
    return YearSchedule(schedule.year, schedule.source, holidays, schedule.working_days)


def test_the_bundled_years_and_the_made_up_year_are_complete() -> None:
    for schedule in load_bundled_table().schedules:
        assert missing_statutory_holidays(schedule) == (), schedule.year
    assert missing_statutory_holidays(COMPLETE_2027) == ()
    check_statutory_holidays(COMPLETE_2027)


def test_the_seeded_2026_table_is_the_official_schedule_and_equals_the_bundled_one() -> None:
    item = ReferenceItem("holidays", "holidays:2026", 1, 1, False, None, seeded_holidays())
    seeded = complete_year_schedule(item)
    bundled = next(s for s in load_bundled_table().schedules if s.year == 2026)
    assert seeded.holidays == bundled.holidays
    assert sorted(m.day for m in seeded.working_days) == sorted(m.day for m in bundled.working_days)
    assert [m.name for m in sorted(seeded.working_days, key=lambda m: m.day)] == [
        m.name for m in sorted(bundled.working_days, key=lambda m: m.day)
    ]
    assert seeded.source.startswith("国务院办公厅关于2026年部分节假日安排的通知")
    assert "中心服务器下发" in seeded.source
    # The dates of the notice.
    table = TableCalendar([seeded])
    for rest in ("2026-01-03", "2026-02-15", "2026-02-23", "2026-04-06", "2026-05-05", "2026-06-19"):
        assert not table.is_working_day(D.fromisoformat(rest)), rest
    for rest in ("2026-09-25", "2026-10-07"):
        assert not table.is_working_day(D.fromisoformat(rest)), rest
    for work in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"):
        assert table.is_working_day(D.fromisoformat(work)), work


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("元旦", "元旦：1月1日未列为放假"),
        ("春节", "春节：未列入（法定放假4天（农历除夕、正月初一至初三））"),
        ("清明节", "清明节：未列入"),
        ("劳动节", "劳动节：5月1日、5月2日未列为放假"),
        ("端午节", "端午节：未列入"),
        ("中秋节", "中秋节：未列入"),
        ("国庆节", "国庆节：10月1日、10月2日、10月3日未列为放假"),
    ],
)
def test_each_missing_holiday_is_named(name: str, expected: str) -> None:
    missing = missing_statutory_holidays(without(COMPLETE_2027, name))
    assert len(missing) == 1 and missing[0].startswith(expected), missing


def test_days_and_dates_are_checked() -> None:
    # 劳动节 of one day: enough before 2025, not under the 2024 text.
    one_day = replaced(COMPLETE_2027, "劳动节", period("劳动节", "2027-05-01"))
    assert missing_statutory_holidays(one_day) == ("劳动节：5月2日未列为放假（法定放假2天（5月1日、2日））",)
    may_day_2024 = YearSchedule(
        2024, "", tuple(p if p.name != "劳动节" else period("劳动节", "2024-05-01") for p in _shifted(2024))
    )
    assert missing_statutory_holidays(may_day_2024) == ()
    # 春节 of three days: enough under the 2013 text, not from 2025.
    short = replaced(COMPLETE_2027, "春节", period("春节", "2027-02-06", "2027-02-08"))
    assert missing_statutory_holidays(short) == (
        "春节：只列了3天放假（法定放假4天（农历除夕、正月初一至初三））",
    )
    # 国庆节 partly listed; a 调休上班 day inside it is not a holiday either.
    two = replaced(COMPLETE_2027, "国庆节", period("国庆节", "2027-10-01", "2027-10-02"))
    assert missing_statutory_holidays(two)[0].startswith("国庆节：10月3日未列为放假")
    # 清明 must include 4月4日 or 5日; 中秋 must be in September or early October.
    early = replaced(COMPLETE_2027, "清明节", period("清明节", "2027-03-05"))
    assert missing_statutory_holidays(early)[0].startswith("清明节：放假期间不含4月4日或4月5日")
    wrong = replaced(COMPLETE_2027, "中秋节", period("中秋节", "2027-08-15"))
    assert missing_statutory_holidays(wrong)[0].startswith("中秋节：放假日期不在9月5日至10月10日之间")


def _shifted(year: int) -> tuple[HolidayPeriod, ...]:
    return tuple(
        HolidayPeriod(p.name, p.first.replace(year=year), p.last.replace(year=year))
        for p in COMPLETE_2027.holidays
    )


def test_a_merged_period_counts_for_both_holidays() -> None:
    merged = YearSchedule(
        2025,
        "",
        (
            period("元旦", "2025-01-01"),
            period("春节", "2025-01-28", "2025-02-04"),
            period("清明节", "2025-04-04", "2025-04-06"),
            period("劳动节", "2025-05-01", "2025-05-05"),
            period("端午节", "2025-05-31", "2025-06-02"),
            period("国庆节、中秋节", "2025-10-01", "2025-10-08"),
        ),
    )
    assert missing_statutory_holidays(merged) == ()


def test_the_refusal_names_what_is_missing_and_cites_the_statute() -> None:
    partial = YearSchedule(
        2026, "", (period("元旦", "2026-01-01"), period("国庆节", "2026-10-01", "2026-10-03"))
    )
    with pytest.raises(IncompleteHolidayTable) as caught:
        check_statutory_holidays(partial)
    error = caught.value
    assert error.code == "holiday_table_incomplete" and error.year == 2026
    assert [m.split("：")[0] for m in error.missing] == ["春节", "清明节", "劳动节", "端午节", "中秋节"]
    assert "《全国年节及纪念日放假办法》（2024年11月10日修订）第二条" in error.message
    assert "缩短期限" in error.message and "整表未采用" in error.message
    assert "国务院办公厅关于2026年部分节假日安排的通知" in error.advice
    assert statute_citation(2020) == "《全国年节及纪念日放假办法》（2013年12月11日修订）第二条"


def test_a_server_item_lacking_a_holiday_is_refused_by_name() -> None:
    payload: dict[str, Any] = {
        "year": 2026,
        "holidays": [
            {"date": "2026-01-01", "name": "元旦"},
            {"date": "2026-10-01", "name": "国庆节"},
            {"date": "2026-10-02", "name": "国庆节"},
            {"date": "2026-10-03", "name": "国庆节"},
        ],
        "workdays": [{"date": "2026-10-10", "name": "国庆节调休上班"}],
    }
    item = ReferenceItem("holidays", "holidays:2026", 2, 5, False, None, payload)
    assert year_schedule(item).year == 2026  # well formed …
    with pytest.raises(ItemRefused) as caught:
        complete_year_schedule(item)  # … but incomplete
    assert caught.value.item_id == "holidays:2026"
    assert "全国年节及纪念日放假办法" in caught.value.message and "春节" in caught.value.message


# ---------------------------------------------------------------- the refreshing calendar


class Source:
    def __init__(self) -> None:
        self.stamp: object = "c1"
        self.loads = 0
        self.stamps = 0
        self.table = TableCalendar([])
        self.fail = False

    def load(self) -> HolidayCalendar:
        if self.fail:
            raise OSError("broken")
        self.loads += 1
        return self.table

    def read_stamp(self) -> object:
        self.stamps += 1
        return self.stamp


def test_the_refreshing_calendar_reloads_when_the_stamp_moves() -> None:
    source = Source()
    now = [100.0]
    calendar = RefreshingCalendar(source.load, source.read_stamp, recheck_seconds=5, monotonic=lambda: now[0])
    day = D(2027, 2, 9)
    assert calendar.is_working_day(day) and not calendar.covers(day)
    assert source.loads == 1 and source.stamps == 1
    # Many questions within the recheck interval: no stamp read, no reload.
    for _ in range(100):
        add_working_days(D(2027, 2, 1), 5, calendar)
    assert source.loads == 1 and source.stamps == 1

    # A sync took a table: the stamp moved; seen after the interval …
    source.table = TableCalendar([COMPLETE_2027])
    source.stamp = "c2"
    assert calendar.is_working_day(day)  # still the old one
    now[0] += 6
    assert not calendar.is_working_day(day) and calendar.holiday_name(day) == "春节"
    assert source.loads == 2 and calendar.source(2027) == "示例"

    # … or at once after invalidate(); an unchanged stamp does not reload.
    calendar.invalidate()
    assert calendar.covers(day)
    assert source.loads == 2 and source.stamps == 3
    source.stamp = "c3"
    calendar.invalidate()
    assert calendar.covered_years() == frozenset({2027})
    assert source.loads == 3

    # A failing load keeps the calendar in use and is tried again at the next check.
    source.stamp = "c4"
    source.fail = True
    calendar.invalidate()
    assert not calendar.is_working_day(day)
    source.fail = False
    calendar.invalidate()
    assert not calendar.is_working_day(day) and source.loads == 4


def test_a_first_load_that_fails_raises() -> None:
    source = Source()
    source.fail = True
    calendar = RefreshingCalendar(source.load, source.read_stamp)
    with pytest.raises(OSError, match="broken"):
        calendar.covers(D(2026, 1, 1))
