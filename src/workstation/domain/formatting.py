"""Chinese conventions for dates and money (2026年11月26日, 5,000元, 伍仟元整)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_SECTIONS = ("", "万", "亿", "万亿")


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def yuan(amount: Decimal | int | float) -> str:
    """5000 -> '5,000元'; 12.5 -> '12.50元'."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        return f"{int(value):,}元"
    return f"{value:,.2f}元"


def _section(n: int) -> str:
    """Four digits (0..9999) in capitals, with inner zeros collapsed."""
    out: list[str] = []
    zero = False
    for pos in range(3, -1, -1):
        d = (n // 10**pos) % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[d] + _UNITS[pos])
    return "".join(out)


def yuan_capital(amount: Decimal | int | float) -> str:
    """Amount in 大写 as financial documents need: 5000 -> '伍仟元整'."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("amount must not be negative")
    integer = int(value)
    cents = int((value - integer) * 100)
    if integer == 0:
        text = "零元" if cents == 0 else ""
    else:
        parts: list[str] = []
        sections = []
        n = integer
        while n:
            sections.append(n % 10000)
            n //= 10000
        need_zero = False
        for idx in range(len(sections) - 1, -1, -1):
            sec = sections[idx]
            if sec == 0:
                need_zero = bool(parts)
                continue
            if parts and (need_zero or sec < 1000):
                parts.append("零")
            parts.append(_section(sec) + _SECTIONS[idx])
            need_zero = False
        text = "".join(parts) + "元"
    jiao, fen = divmod(cents, 10)
    if cents == 0:
        return text + "整"
    tail = ""
    if jiao:
        tail += _DIGITS[jiao] + "角"
    elif integer:
        tail += "零"
    if fen:
        tail += _DIGITS[fen] + "分"
    else:
        tail += "整"
    return text + tail
