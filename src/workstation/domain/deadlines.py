"""Deadlines (期限计算): working days, calendar days and clocks that pause.

The counting rules (PROCEDURE.md section 0):

- T1 《行政处罚法》第八十五条: its 「二日」「三日」「五日」「七日」 are working days, not counting
  法定节假日; its 15日 and 90日 are calendar days.
- T2 《行政强制法》第六十九条: its periods of ten days or less are working days.
- T3 The starting day is not counted; when the last day of a period is a 法定休假日 the period
  ends on the next working day (《民事诉讼法》第八十五条, applied through 《行政诉讼法》第一百零一条).
- T4 Working days come from a holiday table with 调休 (weekend days that are workdays), never a
  Monday-to-Friday rule.

Calendars are behind the :class:`HolidayCalendar` protocol. :class:`TableCalendar` reads the
editable table (resources/calendar/holidays.json, replaceable by the central server);
``workstation.library.calendar_adapter.ChineseCalendarAdapter`` wraps the ``chinese_calendar``
package (kept out of the domain); :class:`LayeredCalendar` asks the first calendar that covers a
day, so the server table overrides the package for the years it lists.

Days outside every calendar's data are never guessed silently. With ``strict=False`` (the
default) the weekend rule is used for them and the result carries a warning and
``uncertain=True``; with ``strict=True`` :class:`CalendarNotCovered` is raised. Only the days
that decide a result are checked: for working days every day in (start, due]; for calendar days
the natural last day and the days it is moved over (holidays in between do not change a
calendar-day period).
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
import enum
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from workstation.domain.errors import InvalidInput
from workstation.domain.formatting import chinese_date

ONE_DAY = dt.timedelta(days=1)

#: The longest period accepted, in days (ten years): a longer one is a typing error.
MAX_PERIOD_DAYS = 3660

PUNISHMENT_LAW_WORKING_DAYS = (
    "《行政处罚法》第八十五条：本法中“二日”“三日”“五日”“七日”的规定是指工作日，不含法定节假日"
)
COERCION_LAW_WORKING_DAYS = "《行政强制法》第六十九条：本法中十日以内期限的规定是指工作日，不含法定节假日"
START_DAY_NOT_COUNTED = (
    "期间开始的日不计算在期间内（《民事诉讼法》第八十五条第二款，依《行政诉讼法》第一百零一条参照适用）"
)
LAST_DAY_ON_HOLIDAY = (
    "期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期"
    "（《民事诉讼法》第八十五条第三款，依《行政诉讼法》第一百零一条参照适用）"
)
#: Default basis of :func:`add_working_days` (pass COERCION_LAW_WORKING_DAYS for 强制法 periods).
WORKING_DAYS_BASIS = f"{PUNISHMENT_LAW_WORKING_DAYS}；{START_DAY_NOT_COUNTED}"
#: Default basis of :func:`add_calendar_days`.
CALENDAR_DAYS_BASIS = f"{START_DAY_NOT_COUNTED}；{LAST_DAY_ON_HOLIDAY}"

_TABLE_ADVICE = "请检查 resources/calendar/holidays.json 或中心服务器下发的节假日表。"
_WEEKDAYS = "一二三四五六日"


class CalendarNotCovered(InvalidInput):
    """A day that decides a deadline lies in a year no calendar has data for (strict mode)."""

    code = "calendar_not_covered"

    def __init__(self, years: Sequence[int], covered: Iterable[int]) -> None:
        self.years = tuple(years)
        listed = "、".join(f"{year}年" for year in self.years)
        super().__init__(
            f"{listed}的节假日安排不在日历数据中（{_covered_text(covered)}），"
            "无法按《行政处罚法》第八十五条、《行政强制法》第六十九条准确计算工作日和法定节假日。",
            "请在国务院公布该年度节假日安排后更新节假日表（由中心服务器下发或由管理员导入）再计算；"
            "如需先行估算，可不用严格模式：按周六、周日休息推算，结果标注为待复核。",
        )


class DayUnit(enum.StrEnum):
    """How a period is counted."""

    WORKING = "working"  # 工作日
    CALENDAR = "calendar"  # 自然日

    @property
    def label(self) -> str:
        return {"working": "个工作日", "calendar": "日"}[self.value]


class HolidayCalendar(Protocol):
    """Which days are working days under the State Council 放假安排.

    ``is_working_day`` answers for every day: for a day the calendar does not cover it falls
    back to Monday-Friday, and callers must check ``covers`` (the deadline functions do).
    """

    def covers(self, day: dt.date) -> bool:
        """True when the calendar holds the official schedule for the day's year."""
        ...

    def covered_years(self) -> frozenset[int]: ...

    def is_working_day(self, day: dt.date) -> bool: ...

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday a rest day belongs to, or a 调休 working day makes up for (Chinese); else None."""
        ...

    def source(self, year: int) -> str:
        """The document the year's schedule comes from, in Chinese."""
        ...


def weekend_rule(day: dt.date) -> bool:
    """The fallback guess for uncovered days: Monday to Friday are working days."""
    return day.weekday() < 5


# ----------------------------------------------------------------------------- the table


@dataclass(frozen=True, slots=True)
class HolidayPeriod:
    """放假期间: ``first`` to ``last`` inclusive, weekend days within it included."""

    name: str
    first: dt.date
    last: dt.date


@dataclass(frozen=True, slots=True)
class MakeupWorkingDay:
    """调休上班日: a Saturday or Sunday that is a working day."""

    day: dt.date
    name: str


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's 放假安排, complete: listing a year means its days are known."""

    year: int
    source: str
    holidays: tuple[HolidayPeriod, ...]
    working_days: tuple[MakeupWorkingDay, ...] = ()


class TableCalendar:
    """A calendar from a holiday table (resources/calendar/holidays.json or the server's copy)."""

    def __init__(self, schedules: Iterable[YearSchedule], *, updated: dt.date | None = None) -> None:
        self.updated = updated
        self._schedules: dict[int, YearSchedule] = {}
        self._rest: dict[dt.date, str] = {}
        self._working: dict[dt.date, str] = {}
        for schedule in schedules:
            if schedule.year in self._schedules:
                raise InvalidInput(f"节假日表格式有误：{schedule.year}年重复列出。", _TABLE_ADVICE)
            self._schedules[schedule.year] = schedule
            for period in schedule.holidays:
                _check_near_year(period.first, schedule.year)
                _check_near_year(period.last, schedule.year)
                if period.last < period.first:
                    raise InvalidInput(
                        f"节假日表格式有误：{period.name}放假末日{period.last}早于首日{period.first}。",
                        _TABLE_ADVICE,
                    )
                if (period.last - period.first).days > 31:
                    raise InvalidInput(
                        f"节假日表格式有误：{period.name}放假期间超过一个月（{period.first}至{period.last}）。",
                        _TABLE_ADVICE,
                    )
                day = period.first
                while day <= period.last:
                    self._rest[day] = period.name
                    day += ONE_DAY
            for makeup in schedule.working_days:
                _check_near_year(makeup.day, schedule.year)
                if makeup.day.weekday() < 5:
                    raise InvalidInput(
                        f"节假日表格式有误：调休上班日{makeup.day}不是周六或周日。", _TABLE_ADVICE
                    )
                self._working[makeup.day] = makeup.name
        clash = sorted(set(self._rest) & set(self._working))
        if clash:
            raise InvalidInput(f"节假日表格式有误：{clash[0]}既列为放假又列为调休上班。", _TABLE_ADVICE)

    @classmethod
    def from_json(cls, text: str) -> TableCalendar:
        """Parse the JSON table (format described in its "note" field); InvalidInput when malformed."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInput(f"节假日表不是有效的 JSON：{exc}", _TABLE_ADVICE) from exc
        if not isinstance(data, Mapping):
            raise InvalidInput("节假日表格式有误：顶层应为对象。", _TABLE_ADVICE)
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> TableCalendar:
        """Build from the parsed JSON: {"format": 1, "updated": …, "years": [{…}, …]}."""
        try:
            version = data.get("format", 1)
            if version != 1:
                raise InvalidInput(
                    f"节假日表格式版本{version}不受支持（本程序支持版本1）。",
                    "请升级工作站程序后再导入该表。",
                )
            updated = dt.date.fromisoformat(data["updated"]) if data.get("updated") else None
            schedules = [_parse_year(item) for item in data["years"]]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidInput(f"节假日表格式有误：{exc!r}", _TABLE_ADVICE) from exc
        return cls(schedules, updated=updated)

    @property
    def schedules(self) -> tuple[YearSchedule, ...]:
        return tuple(self._schedules[year] for year in sorted(self._schedules))

    def covers(self, day: dt.date) -> bool:
        return day.year in self._schedules

    def covered_years(self) -> frozenset[int]:
        return frozenset(self._schedules)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self._working:
            return True
        if day in self._rest:
            return False
        return weekend_rule(day)

    def holiday_name(self, day: dt.date) -> str | None:
        return self._rest.get(day) or self._working.get(day)

    def source(self, year: int) -> str:
        schedule = self._schedules.get(year)
        return schedule.source if schedule else f"节假日表中没有{year}年的数据"


def _parse_year(item: Mapping[str, Any]) -> YearSchedule:
    year = int(item["year"])
    holidays = tuple(
        HolidayPeriod(
            str(entry["name"]), dt.date.fromisoformat(entry["first"]), dt.date.fromisoformat(entry["last"])
        )
        for entry in item.get("holidays", ())
    )
    working = tuple(
        MakeupWorkingDay(dt.date.fromisoformat(entry["date"]), str(entry["name"]))
        for entry in item.get("working_days", ())
    )
    return YearSchedule(year, str(item.get("source", "")), holidays, working)


def _check_near_year(day: dt.date, year: int) -> None:
    # A 元旦 holiday may start on 31 December of the year before (as in 2017).
    if abs(day.year - year) > 1:
        raise InvalidInput(f"节假日表格式有误：{year}年的安排中出现日期{day}。", _TABLE_ADVICE)


class LayeredCalendar:
    """Several calendars, first wins: each day is answered by the first layer that covers it.

    ``LayeredCalendar(table, package)`` lets the server-updatable table override the package for
    the years the table lists, and the package serve the others.
    """

    def __init__(self, *layers: HolidayCalendar) -> None:
        if not layers:
            raise ValueError("LayeredCalendar needs at least one layer")
        self.layers = layers

    def _layer(self, day: dt.date) -> HolidayCalendar | None:
        return next((layer for layer in self.layers if layer.covers(day)), None)

    def covers(self, day: dt.date) -> bool:
        return self._layer(day) is not None

    def covered_years(self) -> frozenset[int]:
        return frozenset().union(*(layer.covered_years() for layer in self.layers))

    def is_working_day(self, day: dt.date) -> bool:
        layer = self._layer(day)
        return layer.is_working_day(day) if layer else weekend_rule(day)

    def holiday_name(self, day: dt.date) -> str | None:
        layer = self._layer(day)
        return layer.holiday_name(day) if layer else None

    def source(self, year: int) -> str:
        for layer in self.layers:
            if year in layer.covered_years():
                return layer.source(year)
        return f"没有{year}年的节假日数据，按周六、周日休息推算"


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed due date with its legal basis and a plain-Chinese explanation.

    ``moved_from`` is the natural last day when it fell on a rest day and the period was carried
    to the next working day. ``uncertain`` is True when a deciding day lies outside the calendar's
    data; ``warnings`` then say which years were guessed.
    """

    due: dt.date
    basis: str
    explanation: str
    start: dt.date
    days: int
    unit: DayUnit
    moved_from: dt.date | None = None
    warnings: tuple[str, ...] = ()
    uncertain: bool = False

    @property
    def due_text(self) -> str:
        return f"{chinese_date(self.due)}（{weekday_label(self.due)}）"


@dataclass(frozen=True, slots=True)
class SuspendedDeadline:
    """A clock stopped by a pause that has not ended (暂停中): there is no due date yet."""

    paused_since: dt.date
    reason: str
    counted: int  # days that ran before the pause
    remaining: int  # days that will run once the clock resumes
    basis: str
    explanation: str
    start: dt.date
    days: int
    unit: DayUnit
    warnings: tuple[str, ...] = ()
    uncertain: bool = False
    due: None = None
    moved_from: None = None


def weekday_label(day: dt.date) -> str:
    """周一 … 周日."""
    return f"周{_WEEKDAYS[day.weekday()]}"


# ----------------------------------------------------------------------------- counting


def add_working_days(
    start: dt.date,
    n: int,
    calendar: HolidayCalendar,
    *,
    basis: str = WORKING_DAYS_BASIS,
    strict: bool = False,
) -> Deadline:
    """The n-th working day after ``start`` (start not counted; 调休 weekends count, holidays do not).

    n=0 gives ``start`` itself. Raises InvalidInput for n<0, CalendarNotCovered in strict mode.
    """
    return PausableDeadline(start, n, DayUnit.WORKING, basis=basis).due_date(calendar, strict=strict)


def add_calendar_days(
    start: dt.date,
    n: int,
    calendar: HolidayCalendar,
    *,
    basis: str = CALENDAR_DAYS_BASIS,
    strict: bool = False,
) -> Deadline:
    """The n-th natural day after ``start``, moved to the next working day if that is a rest day.

    n=0 gives ``start`` itself, unmoved. Raises InvalidInput for n<0, CalendarNotCovered in
    strict mode.
    """
    return PausableDeadline(start, n, DayUnit.CALENDAR, basis=basis).due_date(calendar, strict=strict)


def add_months(
    start: dt.date,
    n: int,
    calendar: HolidayCalendar,
    *,
    basis: str = CALENDAR_DAYS_BASIS,
    strict: bool = False,
) -> Deadline:
    """The day ``n`` months after ``start``, moved to the next working day if that is a rest day.

    A period of months ends on the same day of the month (the month's last day when it has no
    such day: 31 August + 6 months = 28 February), as for the 六个月 of 《行政诉讼法》第四十六条
    and the 三个月 of 《行政强制法》第五十三条. Raises InvalidInput for n<0.
    """
    if n < 0:
        raise InvalidInput(f"期限月数不能为负数（{n}）。", "请输入0或正整数。")
    if n > MAX_PERIOD_DAYS // 28:
        raise InvalidInput(f"期限月数{n}过大。", "请核对期限月数。")
    month_index = start.month - 1 + n
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar_module.monthrange(year, month)[1]
    natural = dt.date(year, month, min(start.day, last_day))
    due = next_working_day(natural, calendar) if n else natural
    moved_from = natural if due != natural else None
    warnings, uncertain = _coverage(calendar, natural, due, strict)
    explanation = f"自{chinese_date(start)}起{n}个月，至{chinese_date(natural)}（{weekday_label(natural)}）"
    if moved_from is not None:
        explanation += (
            f"，适逢{_rest_label(calendar, natural)}，顺延至{chinese_date(due)}（{weekday_label(due)}）届满"
        )
    else:
        explanation += "届满"
    return Deadline(
        due,
        basis,
        explanation,
        start,
        (due - start).days,
        DayUnit.CALENDAR,
        moved_from=moved_from,
        warnings=warnings,
        uncertain=uncertain,
    )


def next_working_day(day: dt.date, calendar: HolidayCalendar) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    for _ in range(400):
        if calendar.is_working_day(day):
            return day
        day += ONE_DAY
    raise InvalidInput(f"日历数据中{day.year}年前后连续一年以上没有工作日。", _TABLE_ADVICE)


def _check_days(n: int) -> None:
    if n < 0:
        raise InvalidInput(f"期限天数不能为负数（{n}）。", "请输入0或正整数。")
    if n > MAX_PERIOD_DAYS:
        raise InvalidInput(f"期限天数{n}过大（超过{MAX_PERIOD_DAYS}日）。", "请核对期限天数。")


def _coverage(
    calendar: HolidayCalendar, first: dt.date, last: dt.date, strict: bool
) -> tuple[tuple[str, ...], bool]:
    """Warnings for the years in [first, last] the calendar does not cover; raises when strict."""
    years: list[int] = []
    for year in range(first.year, last.year + 1):
        lo = max(first, dt.date(year, 1, 1))
        if not calendar.covers(lo):
            years.append(year)
    if not years:
        return (), False
    covered = calendar.covered_years()
    if strict:
        raise CalendarNotCovered(years, covered)
    return tuple(_not_covered_warning(year, covered) for year in years), True


def _not_covered_warning(year: int, covered: frozenset[int]) -> str:
    if not covered or year > max(covered):
        return (
            f"{year}年的节假日安排尚未发布或尚未更新到本机，按周末休息推算，"
            "请在国务院公布后复核（更新节假日表后重新计算）"
        )
    return f"{year}年的节假日安排不在日历数据中（{_covered_text(covered)}），按周末休息推算，请核实"


def _covered_text(years: Iterable[int]) -> str:
    ordered = sorted(set(years))
    if not ordered:
        return "现有日历数据为空"
    runs: list[tuple[int, int]] = []
    for year in ordered:
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    text = "、".join(f"{a}年" if a == b else f"{a}年至{b}年" for a, b in runs)
    return f"现有数据覆盖{text}"


# ----------------------------------------------------------------------------- explanations


def _holiday_rest(calendar: HolidayCalendar, day: dt.date) -> bool:
    return not calendar.is_working_day(day) and calendar.holiday_name(day) is not None


def _name_parts(name: str | None) -> list[str]:
    return [part for part in (name or "").split("、") if part]


def _holiday_blocks(
    calendar: HolidayCalendar, first: dt.date, last: dt.date
) -> list[tuple[dt.date, dt.date, list[str]]]:
    """Holiday rest periods touching [first, last], each widened to its full extent."""
    blocks: list[tuple[dt.date, dt.date, list[str]]] = []
    day = first
    while day <= last:
        if not _holiday_rest(calendar, day):
            day += ONE_DAY
            continue
        lo = day
        while (day - lo).days < 31 and _holiday_rest(calendar, lo - ONE_DAY):
            lo -= ONE_DAY
        hi = day
        while (hi - day).days < 31 and _holiday_rest(calendar, hi + ONE_DAY):
            hi += ONE_DAY
        names: list[str] = []
        probe = lo
        while probe <= hi:
            for part in _name_parts(calendar.holiday_name(probe)):
                if part not in names:
                    names.append(part)
            probe += ONE_DAY
        blocks.append((lo, hi, names))
        day = hi + ONE_DAY
    return blocks


def _makeup_days(
    calendar: HolidayCalendar, first: dt.date, last: dt.date, names: Iterable[str]
) -> set[dt.date]:
    """调休 working days in [first, last] (of the given holidays only, when names are given)."""
    wanted = set(names)
    found: set[dt.date] = set()
    day = first
    while day <= last:
        if day.weekday() >= 5 and calendar.is_working_day(day):
            parts = set(_name_parts(calendar.holiday_name(day)))
            if not wanted or parts & wanted:
                found.add(day)
        day += ONE_DAY
    return found


def _month_day(day: dt.date, ref_year: int) -> str:
    return f"{day.month}月{day.day}日" if day.year == ref_year else chinese_date(day)


def _span(lo: dt.date, hi: dt.date, ref_year: int) -> str:
    if lo == hi:
        return _month_day(lo, ref_year)
    if (lo.year, lo.month) == (hi.year, hi.month):
        return f"{_month_day(lo, ref_year)}至{hi.day}日"
    return f"{_month_day(lo, ref_year)}至{_month_day(hi, ref_year if hi.year == lo.year else -1)}"


def holiday_notes(calendar: HolidayCalendar, first: dt.date, last: dt.date, ref_year: int) -> str:
    """Notes on the holidays touching [first, last].

    Example: '10月1日至8日为国庆节、中秋节假期；9月28日、10月11日调休上班'.
    """
    parts: list[str] = []
    makeups = _makeup_days(calendar, first, last, ())
    for lo, hi, names in _holiday_blocks(calendar, first, last):
        parts.append(f"{_span(lo, hi, ref_year)}为{'、'.join(names)}假期")
        makeups |= _makeup_days(calendar, lo - dt.timedelta(days=30), hi + dt.timedelta(days=30), names)
    if makeups:
        parts.append("、".join(_month_day(day, ref_year) for day in sorted(makeups)) + "调休上班")
    return "；".join(parts)


def _rest_label(calendar: HolidayCalendar, day: dt.date) -> str:
    blocks = _holiday_blocks(calendar, day, day)
    if blocks:
        lo, hi, names = blocks[0]
        return f"{'、'.join(names)}假期（{_span(lo, hi, day.year)}）"
    return f"{weekday_label(day)}（休息日）"


# ----------------------------------------------------------------------------- pausable clocks


@dataclass(frozen=True, slots=True)
class Pause:
    """A period that does not count toward a clock: ``start`` to ``end`` inclusive.

    ``end=None`` means the pause is still running (暂停中). ``reason`` is Chinese, e.g. "听证"
    or "检测检验" — see PROCEDURE.md P15 (听证、公告、检测、鉴定 excluded from the 90 days), C6
    (检测检验鉴定 excluded from 查封扣押, 《行政强制法》第二十五条第三款) and P18 (复议、诉讼 days not
    counted for 加处罚款, 《行政处罚法》第七十三条第三款).
    """

    start: dt.date
    reason: str
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise InvalidInput(
                f"“{self.reason}”期间的结束日期{chinese_date(self.end)}早于开始日期{chinese_date(self.start)}。",
                "请核对起止日期：结束日期应不早于开始日期（起止两日均不计入期限）。",
            )
        if not self.reason.strip():
            raise InvalidInput("请填写期限暂停（不计入期限）的原因，例如“听证”“检测检验”。")

    @property
    def is_open(self) -> bool:
        return self.end is None

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: Pause) -> bool:
        return (self.end is None or other.start <= self.end) and (
            other.end is None or self.start <= other.end
        )

    @property
    def label(self) -> str:
        if self.end is None:
            return f"{self.reason}（{chinese_date(self.start)}起，尚未结束）"
        return f"{self.reason}（{chinese_date(self.start)}至{chinese_date(self.end)}）"


@dataclass(frozen=True, slots=True)
class Extension:
    """An approved extension, e.g. 30 days with the 负责人's approval (《行政强制法》第二十五条)."""

    days: int
    reason: str

    def __post_init__(self) -> None:
        if self.days <= 0:
            raise InvalidInput(f"延长期限的天数应为正整数（{self.days}）。")


@dataclass(frozen=True, slots=True)
class PausableDeadline:
    """A period that can be paused and resumed, such as the 90-day decision period.

    Days inside a pause (both ends included) are not counted; approved extensions add to the
    length. Pauses never overlap, none starts before ``start``, and only the latest may be open.
    Example: ``PausableDeadline(filed_on, 90, basis="《行政处罚法》第六十条…")
    .with_pause(hearing_from, "听证", hearing_to)``.
    """

    start: dt.date
    days: int
    unit: DayUnit = DayUnit.CALENDAR
    basis: str = ""
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.start, dt.datetime):
            object.__setattr__(self, "start", self.start.date())
        _check_days(self.days)
        ordered = tuple(sorted(self.pauses, key=lambda pause: pause.start))
        for pause in ordered:
            if pause.start < self.start:
                raise InvalidInput(
                    f"“{pause.reason}”期间开始于{chinese_date(pause.start)}，早于期限起算日"
                    f"{chinese_date(self.start)}。",
                    "请核对日期：不计入期限的期间只能在期限起算之后。",
                )
        for earlier, later in itertools.pairwise(ordered):
            if earlier.overlaps(later):
                raise InvalidInput(
                    f"不计入期限的期间相互重叠：{earlier.label}与{later.label}。",
                    "同一日不能重复扣除；未结束的暂停须先结束，才能登记新的暂停。请核对起止日期。",
                )
        object.__setattr__(self, "pauses", ordered)
        _check_days(self.total_days)

    @property
    def total_days(self) -> int:
        return self.days + sum(extension.days for extension in self.extensions)

    @property
    def open_pause(self) -> Pause | None:
        return next((pause for pause in self.pauses if pause.end is None), None)

    def with_pause(self, start: dt.date, reason: str, end: dt.date | None = None) -> PausableDeadline:
        """A copy with one more pause; InvalidInput if it overlaps another or ends before it starts."""
        return replace(self, pauses=(*self.pauses, Pause(start, reason, end)))

    def end_pause(self, end: dt.date) -> PausableDeadline:
        """A copy whose open pause ends on ``end`` (the last day not counted)."""
        current = self.open_pause
        if current is None:
            raise InvalidInput("当前没有未结束的暂停，无需恢复计算。")
        others = tuple(pause for pause in self.pauses if pause is not current)
        return replace(self, pauses=(*others, Pause(current.start, current.reason, end)))

    def with_extension(self, days: int, reason: str) -> PausableDeadline:
        return replace(self, extensions=(*self.extensions, Extension(days, reason)))

    def adjustment_notes(self) -> tuple[str, ...]:
        """The pauses and extensions in words, for the basis shown with a due date.

        Example: ``("听证期间2025年6月3日至6月10日不计入", "经负责人批准（待鉴定），延长30日")``.
        """
        notes: list[str] = []
        for pause in self.pauses:
            reason = pause.reason if pause.reason.endswith("期间") else f"{pause.reason}期间"
            if pause.end is None:
                notes.append(f"{reason}自{chinese_date(pause.start)}起暂停计算（尚未恢复）")
            elif pause.end == pause.start:
                notes.append(f"{reason}{chinese_date(pause.start)}不计入")
            else:
                notes.append(
                    f"{reason}{chinese_date(pause.start)}至{_month_day(pause.end, pause.start.year)}不计入"
                )
        notes.extend(f"{ext.reason}，延长{ext.days}{self.unit.label}" for ext in self.extensions)
        return tuple(notes)

    def _paused(self, day: dt.date) -> bool:
        return any(pause.contains(day) for pause in self.pauses)

    def _counts(self, day: dt.date, calendar: HolidayCalendar) -> bool:
        if self._paused(day):
            return False
        return self.unit is DayUnit.CALENDAR or calendar.is_working_day(day)

    def due(
        self, calendar: HolidayCalendar, today: dt.date, *, strict: bool = False
    ) -> Deadline | SuspendedDeadline:
        """The due date, or a SuspendedDeadline while a pause is open (``today`` dates the pause)."""
        total = self.total_days
        counted = 0
        day = self.start
        open_pause = self.open_pause
        while counted < total:
            day += ONE_DAY
            if open_pause is not None and day >= open_pause.start:
                return self._suspended(calendar, today, open_pause, counted, strict)
            if self._counts(day, calendar):
                counted += 1
        return self._finish(calendar, day, strict)

    def due_date(self, calendar: HolidayCalendar, *, strict: bool = False) -> Deadline:
        """The due date of a clock without an open pause (InvalidInput while one is open)."""
        open_pause = self.open_pause
        if open_pause is not None:
            raise InvalidInput(f"期限因“{open_pause.reason}”暂停中，恢复计算后才有届满日期。")
        result = self.due(calendar, self.start, strict=strict)
        assert isinstance(result, Deadline)
        return result

    def _head(self) -> str:
        head = f"自{chinese_date(self.start)}起（当日不计）"
        if self.extensions:
            extra = "、".join(f"{ext.reason}延长{ext.days}{self.unit.label}" for ext in self.extensions)
            return f"{head}{self.days}{self.unit.label}，{extra}，共{self.total_days}{self.unit.label}"
        return f"{head}{self.days}{self.unit.label}"

    def _pause_texts(self, calendar: HolidayCalendar, until: dt.date, *, open_too: bool = True) -> list[str]:
        texts: list[str] = []
        for pause in self.pauses:
            if pause.end is None:
                if open_too and pause.start > until:
                    texts.append(f"{pause.label}开始于期限届满之后，不影响期限")
                continue
            excluded = 0
            day = max(pause.start, self.start + ONE_DAY)
            while day <= min(pause.end, until):
                if self.unit is DayUnit.CALENDAR or calendar.is_working_day(day):
                    excluded += 1
                day += ONE_DAY
            if pause.start > until:
                texts.append(f"{pause.label}开始于期限届满之后，不影响期限")
            else:
                texts.append(f"{pause.label}不计入，扣除{excluded}{self.unit.label}")
        return texts

    def _finish(self, calendar: HolidayCalendar, last: dt.date, strict: bool) -> Deadline:
        basis = self.basis or (WORKING_DAYS_BASIS if self.unit is DayUnit.WORKING else CALENDAR_DAYS_BASIS)
        if self.total_days == 0:
            explanation = f"期限为0{self.unit.label}，届满日即起算日{chinese_date(self.start)}"
            return Deadline(self.start, basis, explanation, self.start, 0, self.unit)
        due = last
        moved_from: dt.date | None = None
        if self.unit is DayUnit.CALENDAR:
            due = next_working_day(last, calendar)
            moved_from = last if due != last else None
            warnings, uncertain = _coverage(calendar, last, due, strict)
        else:
            warnings, uncertain = _coverage(calendar, self.start + ONE_DAY, due, strict)
        parts = [self._head(), *self._pause_texts(calendar, last)]
        if moved_from is not None:
            parts.append(
                f"第{self.total_days}日为{chinese_date(moved_from)}，"
                f"适逢{_rest_label(calendar, moved_from)}，"
                f"顺延至{chinese_date(due)}（{weekday_label(due)}）届满"
            )
            notes = ""
        elif self.unit is DayUnit.CALENDAR:
            parts.append(f"第{self.total_days}日为{chinese_date(due)}（{weekday_label(due)}），期限届满")
            notes = ""
        else:
            parts.append(
                f"第{self.total_days}个工作日为{chinese_date(due)}（{weekday_label(due)}），期限届满"
            )
            notes = holiday_notes(calendar, self.start + ONE_DAY, due, due.year)
        explanation = "；".join(parts) + (f"（{notes}）" if notes else "")
        if uncertain:
            explanation += "。注意：部分日期超出日历数据，结果为推算，需复核"
        return Deadline(
            due,
            basis,
            explanation,
            self.start,
            self.total_days,
            self.unit,
            moved_from=moved_from,
            warnings=warnings,
            uncertain=uncertain,
        )

    def _suspended(
        self, calendar: HolidayCalendar, today: dt.date, pause: Pause, counted: int, strict: bool
    ) -> SuspendedDeadline:
        basis = self.basis or (WORKING_DAYS_BASIS if self.unit is DayUnit.WORKING else CALENDAR_DAYS_BASIS)
        warnings: tuple[str, ...] = ()
        uncertain = False
        if self.unit is DayUnit.WORKING and pause.start > self.start + ONE_DAY:
            warnings, uncertain = _coverage(calendar, self.start + ONE_DAY, pause.start - ONE_DAY, strict)
        remaining = self.total_days - counted
        paused_for = max(0, (today - pause.start).days + 1)
        parts = [self._head(), *self._pause_texts(calendar, pause.start - ONE_DAY, open_too=False)]
        parts.append(
            f"自{chinese_date(pause.start)}起因{pause.reason}暂停计算，目前暂停中"
            f"（截至{chinese_date(today)}已暂停{paused_for}日）"
        )
        parts.append(f"暂停前已计{counted}{self.unit.label}，恢复计算后尚余{remaining}{self.unit.label}")
        return SuspendedDeadline(
            paused_since=pause.start,
            reason=pause.reason,
            counted=counted,
            remaining=remaining,
            basis=basis,
            explanation="；".join(parts),
            start=self.start,
            days=self.total_days,
            unit=self.unit,
            warnings=warnings,
            uncertain=uncertain,
        )


# ----------------------------------------------------------------------------- time left


class Urgency(enum.StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"

    @property
    def label(self) -> str:
        return {"ok": "正常", "due_soon": "即将到期", "overdue": "已逾期", "paused": "暂停中"}[self.value]


#: Default "due soon" threshold, in the deadline's unit (W01: ≤3 working days left). Callers pass
#: their own: 15 for the 90-day decision period (W02), 5 for 查封扣押 (W16).
DUE_SOON_WITHIN = 3


@dataclass(frozen=True, slots=True)
class Remaining:
    """Time left on ``today``: ``days`` in ``unit`` after today up to the due date (0 on the due
    day and when overdue), ``overdue_days`` in natural days past it."""

    level: Urgency
    days: int
    unit: DayUnit
    overdue_days: int
    text: str
    warnings: tuple[str, ...] = ()


def days_left(
    deadline: Deadline | SuspendedDeadline,
    today: dt.date,
    calendar: HolidayCalendar,
    *,
    due_soon_within: int = DUE_SOON_WITHIN,
    unit: DayUnit | None = None,
    strict: bool = False,
) -> Remaining:
    """How much time is left: OK, DUE_SOON (≤ ``due_soon_within`` left, due day included), OVERDUE
    (today after the due date) or PAUSED. ``unit`` defaults to the deadline's own unit."""
    unit = unit or deadline.unit
    if isinstance(deadline, SuspendedDeadline):
        return Remaining(
            Urgency.PAUSED,
            deadline.remaining,
            deadline.unit,
            0,
            f"暂停中（{deadline.reason}），恢复计算后尚余{deadline.remaining}{deadline.unit.label}",
            deadline.warnings,
        )
    due = deadline.due
    if today > due:
        overdue = (today - due).days
        return Remaining(
            Urgency.OVERDUE,
            0,
            unit,
            overdue,
            f"已逾期{overdue}日（{chinese_date(due)}届满）",
            deadline.warnings,
        )
    warnings = deadline.warnings
    if unit is DayUnit.CALENDAR:
        left = (due - today).days
    else:
        left = 0
        day = today + ONE_DAY
        while day <= due:
            if calendar.is_working_day(day):
                left += 1
            day += ONE_DAY
        if due > today:
            extra, _ = _coverage(calendar, today + ONE_DAY, due, strict)
            warnings = tuple(dict.fromkeys((*warnings, *extra)))
    level = Urgency.DUE_SOON if left <= due_soon_within else Urgency.OK
    text = "今日届满" if due == today else f"还剩{left}{unit.label}（{chinese_date(due)}届满）"
    return Remaining(level, left, unit, 0, text, warnings)
