"""The deadline engine (domain/deadlines.py) against the real 2025/2026 schedules."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workstation.domain.deadlines import (
    COERCION_LAW_WORKING_DAYS,
    CalendarNotCovered,
    DayUnit,
    Deadline,
    HolidayCalendar,
    HolidayPeriod,
    LayeredCalendar,
    MakeupWorkingDay,
    PausableDeadline,
    Pause,
    SuspendedDeadline,
    TableCalendar,
    Urgency,
    YearSchedule,
    add_calendar_days,
    add_months,
    add_working_days,
    days_left,
)
from workstation.domain.errors import InvalidInput, KnownError
from workstation.library.calendar_adapter import ChineseCalendarAdapter, default_calendar, load_bundled_table

D = dt.date
TABLE = load_bundled_table()
PACKAGE = ChineseCalendarAdapter()
LAYERED = default_calendar()
CALENDARS: dict[str, HolidayCalendar] = {"table": TABLE, "package": PACKAGE, "layered": LAYERED}


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _working_between(calendar: HolidayCalendar, start: dt.date, due: dt.date) -> int:
    """Working days in (start, due]."""
    return sum(calendar.is_working_day(day) for day in _days(start + dt.timedelta(days=1), due))


# ----------------------------------------------------------------------------- the table


def test_bundled_table_covers_2025_and_2026_and_documents_its_format() -> None:
    raw = json.loads(resources.files("workstation.resources").joinpath("calendar/holidays.json").read_text())
    assert "years" in raw["note"] and "working_days" in raw["note"]
    assert TABLE.covered_years() == frozenset({2025, 2026})
    assert "国办发明电〔2024〕12号" in TABLE.source(2025)
    assert "2026年" in TABLE.source(2026)


@pytest.mark.parametrize("year", [2025, 2026])
def test_bundled_table_agrees_with_the_package_on_every_day(year: int) -> None:
    for day in _days(D(year, 1, 1), D(year, 12, 31)):
        assert TABLE.is_working_day(day) == PACKAGE.is_working_day(day), day
        assert (TABLE.holiday_name(day) is None) == (PACKAGE.holiday_name(day) is None), day


def test_makeup_days_are_working_days_and_holidays_are_not() -> None:
    for name, calendar in CALENDARS.items():
        for day in (D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)):
            assert calendar.is_working_day(day), (name, day)
            assert day.weekday() >= 5
        for day in (D(2025, 1, 28), D(2025, 2, 3), D(2025, 10, 6), D(2026, 2, 23)):
            assert not calendar.is_working_day(day), (name, day)
    assert PACKAGE.holiday_name(D(2025, 10, 6)) == "中秋节"
    assert TABLE.holiday_name(D(2025, 10, 6)) == "国庆节、中秋节"


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (
            lambda y: y["working_days"].append({"date": "2025-10-04", "name": "国庆节"}),
            "既列为放假又列为调休上班",
        ),
        (lambda y: y["working_days"].append({"date": "2025-10-09", "name": "国庆节"}), "不是周六或周日"),
        (
            lambda y: y["holidays"].append({"name": "x", "first": "2025-03-05", "last": "2025-03-01"}),
            "早于首日",
        ),
        (
            lambda y: y["holidays"].append({"name": "x", "first": "2025-13-01", "last": "2025-13-02"}),
            "格式有误",
        ),
        (lambda y: y["holidays"].append({"name": "x", "first": "2031-01-01", "last": "2031-01-01"}), "2031"),
        (lambda y: y.pop("year"), "格式有误"),
    ],
)
def test_malformed_tables_are_refused_in_chinese(
    mutate: Callable[[dict[str, Any]], object], fragment: str
) -> None:
    data = json.loads(resources.files("workstation.resources").joinpath("calendar/holidays.json").read_text())
    mutate(data["years"][0])
    with pytest.raises(InvalidInput) as caught:
        TableCalendar.from_mapping(data)
    assert fragment in caught.value.message


def test_bad_json_duplicate_years_and_unknown_format_are_refused() -> None:
    with pytest.raises(InvalidInput, match="JSON"):
        TableCalendar.from_json("{not json")
    with pytest.raises(InvalidInput, match="顶层"):
        TableCalendar.from_json("[]")
    with pytest.raises(InvalidInput, match="重复"):
        TableCalendar([YearSchedule(2030, "", ()), YearSchedule(2030, "", ())])
    with pytest.raises(InvalidInput, match="版本2"):
        TableCalendar.from_mapping({"format": 2, "years": []})


# ----------------------------------------------------------------------------- working days


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_five_working_days_across_national_day_2025(name: str) -> None:
    deadline = add_working_days(D(2025, 9, 30), 5, CALENDARS[name])
    # 10/1–10/8 off; 10/9 (1), 10/10 (2), Saturday 10/11 调休 (3), 10/13 (4), 10/14 (5).
    assert deadline.due == D(2025, 10, 14)
    assert deadline.moved_from is None
    assert deadline.unit is DayUnit.WORKING and deadline.days == 5
    assert not deadline.warnings and not deadline.uncertain
    assert "第八十五条" in deadline.basis
    assert "自2025年9月30日起（当日不计）" in deadline.explanation
    assert "10月1日至8日为国庆节、中秋节假期" in deadline.explanation
    assert "9月28日、10月11日调休上班" in deadline.explanation


def test_a_makeup_saturday_is_counted() -> None:
    assert add_working_days(D(2025, 9, 30), 3, LAYERED).due == D(2025, 10, 11)
    assert add_working_days(D(2025, 9, 26), 1, LAYERED).due == D(2025, 9, 28)  # Sunday 调休


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # Sunday 1/26 is a working day
        (D(2025, 1, 24), 2, D(2025, 1, 27)),
        (D(2025, 1, 24), 3, D(2025, 2, 5)),  # 1/28–2/4 off
        (D(2025, 2, 5), 3, D(2025, 2, 8)),  # Saturday 2/8 is a working day
        (D(2025, 2, 5), 4, D(2025, 2, 10)),
        (D(2026, 2, 12), 2, D(2026, 2, 14)),  # 2026: Saturday 2/14 works, 2/15–2/23 off
        (D(2026, 2, 12), 3, D(2026, 2, 24)),
    ],
)
def test_spring_festival_with_makeup_weekends(start: dt.date, n: int, due: dt.date) -> None:
    deadline = add_working_days(start, n, LAYERED)
    assert deadline.due == due
    assert _working_between(LAYERED, start, deadline.due) == n


def test_spring_festival_explanation_names_the_holiday_and_the_makeup_days() -> None:
    deadline = add_working_days(D(2025, 1, 24), 3, LAYERED)
    assert "1月28日至2月4日为春节假期" in deadline.explanation
    assert "1月26日、2月8日调休上班" in deadline.explanation


def test_start_on_a_holiday() -> None:
    deadline = add_working_days(D(2025, 10, 3), 1, LAYERED)
    assert deadline.due == D(2025, 10, 9)
    assert "10月1日至8日" in deadline.explanation
    moved = add_calendar_days(D(2025, 10, 3), 1, LAYERED)
    assert moved.due == D(2025, 10, 9) and moved.moved_from == D(2025, 10, 4)


def test_zero_days_is_the_start_day_and_negative_is_refused() -> None:
    assert add_working_days(D(2025, 10, 3), 0, LAYERED).due == D(2025, 10, 3)
    zero = add_calendar_days(D(2025, 10, 4), 0, LAYERED)
    assert zero.due == D(2025, 10, 4) and zero.moved_from is None
    with pytest.raises(InvalidInput, match="负数"):
        add_working_days(D(2025, 10, 3), -1, LAYERED)
    with pytest.raises(InvalidInput, match="负数"):
        add_calendar_days(D(2025, 10, 3), -1, LAYERED)


def test_basis_can_cite_the_coercion_law() -> None:
    deadline = add_working_days(D(2025, 3, 3), 10, LAYERED, basis=COERCION_LAW_WORKING_DAYS)
    assert deadline.basis == COERCION_LAW_WORKING_DAYS
    assert "第六十九条" in deadline.basis
    assert deadline.due == D(2025, 3, 17)


# ----------------------------------------------------------------------------- calendar days


def test_calendar_days_landing_on_a_holiday_move_to_the_next_working_day() -> None:
    deadline = add_calendar_days(D(2025, 9, 19), 15, LAYERED)
    assert deadline.moved_from == D(2025, 10, 4)
    assert deadline.due == D(2025, 10, 9)
    assert "第八十五条" in deadline.basis and "法定休假日" in deadline.basis
    assert "适逢国庆节、中秋节假期" in deadline.explanation
    assert "顺延至2025年10月9日" in deadline.explanation


def test_calendar_days_landing_on_a_weekend_or_a_makeup_day() -> None:
    weekend = add_calendar_days(D(2025, 2, 14), 15, LAYERED)
    assert weekend.moved_from == D(2025, 3, 1)
    assert weekend.due == D(2025, 3, 3)
    assert "周六（休息日）" in weekend.explanation
    makeup = add_calendar_days(D(2025, 9, 13), 15, LAYERED)  # Sunday 9/28 is a working day
    assert makeup.due == D(2025, 9, 28) and makeup.moved_from is None


def test_holidays_inside_a_calendar_period_do_not_count() -> None:
    deadline = add_calendar_days(D(2025, 9, 25), 90, LAYERED)
    assert deadline.due == D(2025, 12, 24)
    assert deadline.moved_from is None


# ----------------------------------------------------------------------------- layering


def _fictional_2025() -> TableCalendar:
    return TableCalendar(
        [
            YearSchedule(
                2025,
                "服务器下发的更正表",
                (HolidayPeriod("国庆节", D(2025, 10, 1), D(2025, 10, 9)),),
                (MakeupWorkingDay(D(2025, 10, 12), "国庆节"),),
            )
        ]
    )


def test_table_overrides_the_package_for_its_years_only() -> None:
    calendar = LayeredCalendar(_fictional_2025(), PACKAGE)
    assert not calendar.is_working_day(D(2025, 10, 9))
    assert calendar.is_working_day(D(2025, 10, 12))
    assert not calendar.is_working_day(D(2025, 10, 11))  # the package's 调休 is overridden
    assert calendar.source(2025) == "服务器下发的更正表"
    # 2024 and 2026 still come from the package.
    assert calendar.is_working_day(D(2024, 2, 4)) == PACKAGE.is_working_day(D(2024, 2, 4))
    assert not calendar.is_working_day(D(2026, 2, 16))
    assert "chinese-calendar" in calendar.source(2024)
    assert add_working_days(D(2025, 9, 30), 1, calendar).due == D(2025, 10, 10)
    assert calendar.covered_years() == PACKAGE.covered_years()


def test_the_default_calendar_layers_the_table_over_the_package() -> None:
    assert LAYERED.covers(D(2004, 1, 1)) and LAYERED.covers(D(2026, 12, 31))
    assert not LAYERED.covers(D(2027, 1, 1))
    assert "国办发明电" in LAYERED.source(2025)
    assert "没有2027年" in LAYERED.source(2027)


# ----------------------------------------------------------------------------- beyond the data


def test_package_answers_beyond_its_data_without_crashing() -> None:
    assert not PACKAGE.covers(D(2027, 1, 1))
    assert PACKAGE.is_working_day(D(2027, 1, 1))  # a Friday: only the weekend rule is known
    assert not PACKAGE.is_working_day(D(2027, 1, 2))
    assert PACKAGE.holiday_name(D(2027, 1, 1)) is None


def test_a_year_beyond_the_data_gives_a_warning_not_a_silent_guess() -> None:
    deadline = add_working_days(D(2026, 12, 28), 5, LAYERED)
    assert deadline.due == D(2027, 1, 4)
    assert deadline.uncertain
    assert len(deadline.warnings) == 1
    assert "2027年的节假日安排尚未发布" in deadline.warnings[0]
    assert "按周末休息推算" in deadline.warnings[0] and "复核" in deadline.warnings[0]
    assert "需复核" in deadline.explanation
    calendar_days = add_calendar_days(D(2026, 12, 20), 15, LAYERED)
    assert calendar_days.uncertain and "2027年" in calendar_days.warnings[0]


def test_a_year_beyond_the_data_is_refused_in_strict_mode() -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        add_working_days(D(2026, 12, 28), 5, LAYERED, strict=True)
    error = caught.value
    assert isinstance(error, InvalidInput) and isinstance(error, KnownError)
    assert error.years == (2027,)
    assert "2027年" in error.message and "第八十五条" in error.message
    assert "2004年至2026年" in error.message
    assert error.advice
    with pytest.raises(CalendarNotCovered):
        add_calendar_days(D(2026, 12, 20), 15, LAYERED, strict=True)


def test_strict_mode_passes_inside_the_data() -> None:
    assert add_working_days(D(2026, 12, 1), 5, LAYERED, strict=True).due == D(2026, 12, 8)
    # A calendar period whose deciding last day is covered is certain even from an uncovered start.
    assert not add_calendar_days(D(2024, 12, 20), 30, TABLE, strict=True).uncertain


def test_a_year_before_the_table_is_reported_as_missing() -> None:
    deadline = add_working_days(D(2024, 12, 30), 3, TABLE)
    assert deadline.uncertain
    assert "2024年的节假日安排不在日历数据中" in deadline.warnings[0]


# ----------------------------------------------------------------------------- pausable clocks

DECISION = PausableDeadline(D(2025, 3, 3), 90, basis="《行政处罚法》第六十条：自立案之日起九十日内作出决定")


def test_a_clock_without_pauses_is_a_calendar_period() -> None:
    result = DECISION.due(LAYERED, D(2025, 3, 10))
    assert isinstance(result, Deadline)
    assert result.due == D(2025, 6, 3)  # 3/3 + 90 = 6/1 (Sunday), moved to Tuesday 6/3 after 端午
    assert result.moved_from == D(2025, 6, 1)
    assert "第六十条" in result.basis


def test_one_pause_adds_its_days() -> None:
    clock = DECISION.with_pause(D(2025, 4, 1), "听证", D(2025, 4, 10))
    result = clock.due(LAYERED, D(2025, 5, 1))
    assert isinstance(result, Deadline)
    assert result.due == D(2025, 6, 11)  # 6/1 + 10 days
    assert "听证（2025年4月1日至2025年4月10日）不计入，扣除10日" in result.explanation


def test_two_pauses_and_an_extension() -> None:
    clock = (
        DECISION.with_pause(D(2025, 5, 1), "检测检验", D(2025, 5, 5))
        .with_pause(D(2025, 4, 1), "听证", D(2025, 4, 10))
        .with_extension(30, "案情复杂经负责人批准")
    )
    assert [pause.reason for pause in clock.pauses] == ["听证", "检测检验"]
    result = clock.due(LAYERED, D(2025, 5, 10))
    assert isinstance(result, Deadline)
    assert result.due == D(2025, 7, 16)  # 3/3 + 120 + 15
    assert "延长30日" in result.explanation
    assert "扣除5日" in result.explanation and "扣除10日" in result.explanation


def test_an_open_pause_suspends_the_clock() -> None:
    clock = DECISION.with_pause(D(2025, 4, 1), "检测检验")
    result = clock.due(LAYERED, D(2025, 4, 5))
    assert isinstance(result, SuspendedDeadline)
    assert result.due is None
    assert result.paused_since == D(2025, 4, 1) and result.reason == "检测检验"
    assert result.counted == 28 and result.remaining == 62
    assert "暂停中" in result.explanation
    assert "自2025年4月1日起因检测检验暂停计算" in result.explanation
    assert "已暂停5日" in result.explanation
    with pytest.raises(InvalidInput, match="暂停中"):
        clock.due_date(LAYERED)
    resumed = clock.end_pause(D(2025, 4, 10)).due(LAYERED, D(2025, 5, 1))
    assert isinstance(resumed, Deadline) and resumed.due == D(2025, 6, 11)


def test_a_pause_after_the_due_date_changes_nothing() -> None:
    late = DECISION.with_pause(D(2025, 7, 1), "复议", D(2025, 7, 30)).due(LAYERED, D(2025, 8, 1))
    assert isinstance(late, Deadline) and late.due == D(2025, 6, 3)
    assert "不影响期限" in late.explanation
    still_open = DECISION.with_pause(D(2025, 7, 1), "复议").due(LAYERED, D(2025, 8, 1))
    assert isinstance(still_open, Deadline) and still_open.due == D(2025, 6, 3)


def test_a_working_day_clock_skips_paused_working_days() -> None:
    clock = PausableDeadline(D(2025, 9, 30), 5, DayUnit.WORKING).with_pause(
        D(2025, 10, 9), "鉴定", D(2025, 10, 10)
    )
    result = clock.due(LAYERED, D(2025, 10, 20))
    assert isinstance(result, Deadline)
    assert result.due == D(2025, 10, 16)
    assert "扣除2个工作日" in result.explanation


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((D(2025, 4, 1), D(2025, 4, 10)), (D(2025, 4, 10), D(2025, 4, 20))),  # share a day
        ((D(2025, 4, 1), D(2025, 4, 30)), (D(2025, 4, 5), D(2025, 4, 6))),  # inside
        ((D(2025, 4, 1), None), (D(2025, 5, 1), D(2025, 5, 2))),  # after an open pause
        ((D(2025, 5, 1), D(2025, 5, 2)), (D(2025, 4, 1), None)),  # open pause running into another
    ],
)
def test_overlapping_pauses_are_refused(
    first: tuple[dt.date, dt.date | None], second: tuple[dt.date, dt.date | None]
) -> None:
    clock = DECISION.with_pause(first[0], "听证", first[1])
    with pytest.raises(InvalidInput) as caught:
        clock.with_pause(second[0], "鉴定", second[1])
    assert "重叠" in caught.value.message


def test_invalid_pauses_are_refused() -> None:
    with pytest.raises(InvalidInput, match="早于开始日期"):
        DECISION.with_pause(D(2025, 4, 10), "听证", D(2025, 4, 1))
    with pytest.raises(InvalidInput, match="早于期限起算日"):
        DECISION.with_pause(D(2025, 3, 1), "听证", D(2025, 3, 5))
    with pytest.raises(InvalidInput, match="原因"):
        Pause(D(2025, 4, 1), " ")
    with pytest.raises(InvalidInput, match="没有未结束的暂停"):
        DECISION.end_pause(D(2025, 4, 1))
    with pytest.raises(InvalidInput, match="正整数"):
        DECISION.with_extension(0, "无")


def test_adjacent_pauses_are_accepted() -> None:
    clock = DECISION.with_pause(D(2025, 4, 1), "听证", D(2025, 4, 10)).with_pause(
        D(2025, 4, 11), "公告", None
    )
    assert clock.open_pause is not None and clock.open_pause.reason == "公告"


# ----------------------------------------------------------------------------- days left


def test_days_left_levels() -> None:
    deadline = add_working_days(D(2025, 9, 30), 5, LAYERED)  # due 10/14
    ok = days_left(deadline, D(2025, 9, 30), LAYERED)
    assert ok.level is Urgency.OK and ok.days == 5 and ok.unit is DayUnit.WORKING
    soon = days_left(deadline, D(2025, 10, 10), LAYERED)
    assert soon.level is Urgency.DUE_SOON and soon.days == 3 and "还剩3个工作日" in soon.text
    today = days_left(deadline, D(2025, 10, 14), LAYERED)
    assert today.level is Urgency.DUE_SOON and today.days == 0 and today.text == "今日届满"
    late = days_left(deadline, D(2025, 10, 16), LAYERED)
    assert late.level is Urgency.OVERDUE and late.overdue_days == 2 and "已逾期2日" in late.text


def test_days_left_thresholds_and_units_are_parameters() -> None:
    deadline = add_calendar_days(D(2025, 3, 3), 90, LAYERED)  # due 6/3
    assert days_left(deadline, D(2025, 5, 20), LAYERED).level is Urgency.OK
    wide = days_left(deadline, D(2025, 5, 20), LAYERED, due_soon_within=15)
    assert wide.level is Urgency.DUE_SOON and wide.days == 14 and wide.unit is DayUnit.CALENDAR
    working = days_left(deadline, D(2025, 5, 20), LAYERED, unit=DayUnit.WORKING)
    assert working.days == 9  # 5/21–5/23, 5/26–5/30 and 6/3 (5/31–6/2 is 端午)
    assert working.days == _working_between(LAYERED, D(2025, 5, 20), D(2025, 6, 3))


def test_days_left_of_a_suspended_clock() -> None:
    result = DECISION.with_pause(D(2025, 4, 1), "检测检验").due(LAYERED, D(2025, 4, 5))
    left = days_left(result, D(2025, 4, 5), LAYERED)
    assert left.level is Urgency.PAUSED and left.days == 62 and "暂停中" in left.text


def test_days_left_warns_beyond_the_data() -> None:
    deadline = add_working_days(D(2026, 12, 1), 5, LAYERED)
    left = days_left(deadline, D(2026, 11, 20), LAYERED, unit=DayUnit.WORKING)
    assert not left.warnings
    far = add_calendar_days(D(2026, 12, 1), 60, LAYERED)
    assert far.uncertain
    assert days_left(far, D(2026, 12, 20), LAYERED, unit=DayUnit.WORKING).warnings
    with pytest.raises(CalendarNotCovered):
        days_left(far, D(2026, 12, 20), LAYERED, unit=DayUnit.WORKING, strict=True)


# ----------------------------------------------------------------------------- properties

STARTS = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 10, 31))
SMALL_N = st.integers(min_value=1, max_value=40)


@given(start=STARTS, n=SMALL_N)
def test_working_due_is_a_working_day_after_start_with_exactly_n_working_days(start: dt.date, n: int) -> None:
    deadline = add_working_days(start, n, LAYERED)
    assert deadline.due > start
    assert LAYERED.is_working_day(deadline.due)
    assert _working_between(LAYERED, start, deadline.due) == n
    assert not deadline.uncertain


@given(start=STARTS, n=SMALL_N, m=SMALL_N)
def test_working_due_is_monotonic_in_n(start: dt.date, n: int, m: int) -> None:
    low, high = sorted((n, m))
    first = add_working_days(start, low, LAYERED).due
    second = add_working_days(start, high, LAYERED).due
    assert first < second if low < high else first == second


@given(start=STARTS, n=st.integers(min_value=1, max_value=120))
def test_calendar_due_is_the_first_working_day_from_the_natural_last_day(start: dt.date, n: int) -> None:
    deadline = add_calendar_days(start, n, LAYERED)
    last = start + dt.timedelta(days=n)
    assert deadline.due >= last
    assert LAYERED.is_working_day(deadline.due)
    assert not any(LAYERED.is_working_day(day) for day in _days(last, deadline.due - dt.timedelta(days=1)))
    assert (deadline.moved_from is not None) == (deadline.due != last)


@given(
    start=STARTS,
    n=st.integers(min_value=2, max_value=120),
    offset=st.integers(min_value=1, max_value=119),
    length=st.integers(min_value=1, max_value=30),
)
def test_a_pause_inside_the_period_adds_exactly_its_length(
    start: dt.date, n: int, offset: int, length: int
) -> None:
    offset = min(offset, n)
    pause_start = start + dt.timedelta(days=offset)
    pause_end = min(pause_start + dt.timedelta(days=length - 1), start + dt.timedelta(days=n))
    paused_days = (pause_end - pause_start).days + 1
    clock = PausableDeadline(start, n).with_pause(pause_start, "听证", pause_end)
    result = clock.due(LAYERED, pause_end)
    assert isinstance(result, Deadline)
    assert result.due == add_calendar_days(start, n + paused_days, LAYERED).due


@st.composite
def random_tables(draw: st.DrawFn) -> TableCalendar:
    """A fictional 2030 schedule: random holidays and random weekend makeup days."""
    days = _days(D(2030, 1, 1), D(2030, 12, 31))
    rest = draw(st.sets(st.sampled_from(days), max_size=40))
    weekends = [day for day in days if day.weekday() >= 5 and day not in rest]
    working = draw(st.sets(st.sampled_from(weekends), max_size=15))
    return TableCalendar(
        [
            YearSchedule(
                2030,
                "虚构",
                tuple(HolidayPeriod("假", day, day) for day in sorted(rest)),
                tuple(MakeupWorkingDay(day, "假") for day in sorted(working)),
            )
        ]
    )


@given(
    calendar=random_tables(),
    start=st.dates(min_value=D(2030, 1, 1), max_value=D(2030, 10, 31)),
    n=st.integers(min_value=0, max_value=30),
)
def test_properties_hold_for_any_table(calendar: TableCalendar, start: dt.date, n: int) -> None:
    deadline = add_working_days(start, n, calendar)
    assert _working_between(calendar, start, deadline.due) == n
    if n:
        assert deadline.due > start and calendar.is_working_day(deadline.due)
        assert add_working_days(start, n - 1, calendar).due < deadline.due
    else:
        assert deadline.due == start


# ----------------------------------------------------------------------------- months and notes


@pytest.mark.parametrize(
    ("start", "months", "due", "moved_from"),
    [
        (D(2025, 4, 25), 6, D(2025, 10, 27), D(2025, 10, 25)),  # Saturday → Monday
        (D(2025, 3, 14), 6, D(2025, 9, 15), D(2025, 9, 14)),  # Sunday → Monday
        (D(2025, 4, 2), 6, D(2025, 10, 9), D(2025, 10, 2)),  # 国庆节 → Thursday 9 October
        (D(2025, 8, 31), 6, D(2026, 2, 28), None),  # no 31 February; Saturday 28th is worked (春节调休)
        (D(2025, 10, 27), 3, D(2026, 1, 27), None),
        (D(2025, 6, 3), 0, D(2025, 6, 3), None),
    ],
)
def test_add_months_ends_on_the_same_day_of_the_month(
    start: dt.date, months: int, due: dt.date, moved_from: dt.date | None
) -> None:
    deadline = add_months(start, months, LAYERED)
    assert deadline.due == due
    assert deadline.moved_from == moved_from
    assert deadline.unit is DayUnit.CALENDAR
    if moved_from is not None:
        assert "顺延至" in deadline.explanation
    with pytest.raises(InvalidInput):
        add_months(start, -1, LAYERED)


def test_adjustment_notes_name_the_pauses_and_extensions() -> None:
    clock = (
        PausableDeadline(D(2025, 3, 10), 90)
        .with_pause(D(2025, 6, 3), "听证", D(2025, 6, 10))
        .with_pause(D(2025, 6, 12), "鉴定", D(2025, 6, 12))
        .with_extension(30, "经负责人批准（案情复杂）")
        .with_pause(D(2025, 7, 1), "公告")
    )
    assert clock.adjustment_notes() == (
        "听证期间2025年6月3日至6月10日不计入",
        "鉴定期间2025年6月12日不计入",
        "公告期间自2025年7月1日起暂停计算（尚未恢复）",
        "经负责人批准（案情复杂），延长30日",
    )
    across = PausableDeadline(D(2025, 12, 1), 90).with_pause(D(2025, 12, 30), "检测期间", D(2026, 1, 5))
    assert across.adjustment_notes() == ("检测期间2025年12月30日至2026年1月5日不计入",)
