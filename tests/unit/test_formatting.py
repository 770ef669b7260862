from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from workstation.domain.formatting import chinese_date, yuan, yuan_capital


def test_chinese_date() -> None:
    assert chinese_date(dt.date(2026, 11, 26)) == "2026年11月26日"
    assert chinese_date(dt.date(2027, 1, 9)) == "2027年1月9日"


@pytest.mark.parametrize(
    ("amount", "text"),
    [(5000, "5,000元"), (12.5, "12.50元"), (Decimal("200000"), "200,000元"), (0, "0元")],
)
def test_yuan(amount: float, text: str) -> None:
    assert yuan(amount) == text


@pytest.mark.parametrize(
    ("amount", "capital"),
    [
        (5000, "伍仟元整"),
        (10, "壹拾元整"),
        (200, "贰佰元整"),
        (1005, "壹仟零伍元整"),
        (1010, "壹仟零壹拾元整"),
        (100000, "壹拾万元整"),
        (100010, "壹拾万零壹拾元整"),
        (105000, "壹拾万伍仟元整"),
        (1000500, "壹佰万零伍佰元整"),
        (300000000, "叁亿元整"),
        (Decimal("12.50"), "壹拾贰元伍角整"),
        (Decimal("1.05"), "壹元零伍分"),
        (Decimal("0.05"), "伍分"),
        (Decimal("0.30"), "叁角整"),
        (0, "零元整"),
    ],
)
def test_yuan_capital(amount: Decimal | int, capital: str) -> None:
    assert yuan_capital(amount) == capital


def test_negative_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        yuan_capital(-1)
