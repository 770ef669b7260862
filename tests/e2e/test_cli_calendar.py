"""``workstation calendar add`` on the real State Council schedule."""

from __future__ import annotations

import json

from ..conftest import run_cli


def test_five_working_days_across_national_day_2025() -> None:
    result = run_cli("calendar", "add", "2025-09-30", "5", "--working", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["due"] == "2025-10-14"  # 10.1-10.8 off; 10.11 (Sat) is a 调休 working day
    assert "第八十五条" in data["basis"]
    assert data["uncertain"] is False


def test_calendar_days_ending_in_spring_festival_move_to_the_next_working_day() -> None:
    result = run_cli("calendar", "add", "2025-01-20", "15", "--calendar", "--json")
    data = json.loads(result.stdout)
    assert data["moved_from"] == "2025-02-04"
    assert data["due"] == "2025-02-05"


def test_a_year_without_holiday_data_is_a_warning_or_in_strict_mode_an_error() -> None:
    loose = json.loads(run_cli("calendar", "add", "2027-03-01", "5", "--working", "--json").stdout)
    assert loose["uncertain"] is True
    assert any("2027年" in w for w in loose["warnings"])
    strict = run_cli("calendar", "add", "2027-03-01", "5", "--working", "--strict")
    assert strict.returncode == 1
    assert "2027年的节假日安排不在日历数据中" in strict.stderr


def test_bad_date_and_missing_unit() -> None:
    bad = run_cli("calendar", "add", "2025/09/30", "5", "--working")
    assert bad.returncode == 1
    assert "日期格式不对" in bad.stderr
    assert run_cli("calendar", "add", "2025-09-30", "5").returncode == 2
