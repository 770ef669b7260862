"""Chinese numerals as statutes write them: 第一百三十三条之一, 第（十二）项."""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_SMALL = "零一二三四五六七八九"
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万"
CN_NUMBER = f"[{CN_NUMERAL_CHARS}]+"
ANY_NUMBER = rf"(?:\d+|{CN_NUMBER})"


def cn_to_int(text: str) -> int:
    """'一百三十三' -> 133, '十二' -> 12, '二〇二一' -> 2021, '33' -> 33. ValueError otherwise."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    if all(c in _DIGITS for c in text):  # digit by digit, as in years
        return int("".join(str(_DIGITS[c]) for c in text))
    total = 0
    section = 0
    current = 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char in _UNITS:
            section += (current or 1) * _UNITS[char]
            current = 0
        elif char == "万":
            total += (section + current) * 10000
            section = 0
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + current


def int_to_cn(n: int) -> str:
    """133 -> '一百三十三', 10 -> '十', 110 -> '一百一十', 1005 -> '一千零五'."""
    if n < 0:
        raise ValueError("negative numbers are not statute numbers")
    if n == 0:
        return "零"
    if n >= 10000:
        high, low = divmod(n, 10000)
        rest = int_to_cn(low) if low else ""
        if low and low < 1000:
            rest = "零" + rest
        return int_to_cn(high) + "万" + rest
    out: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = (n // value) % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_SMALL[digit] + unit)
    text = "".join(out)
    if text.startswith("一十"):
        text = text[1:]
    return text


def parse_number(text: str) -> int:
    """An Arabic or Chinese number."""
    return int(text) if text.isdigit() else cn_to_int(text)


SUFFIX_NAMES = ("", "之一", "之二", "之三", "之四", "之五", "之六", "之七", "之八", "之九", "之十")

ARTICLE_LABEL_RE = re.compile(rf"第({ANY_NUMBER})条(?:之({CN_NUMBER}|\d+))?")


def parse_article_label(text: str) -> tuple[int, int]:
    """'第一百三十三条之一' -> (133, 1); '第33条' -> (33, 0)."""
    match = ARTICLE_LABEL_RE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not an article label: {text!r}")
    suffix = parse_number(match.group(2)) if match.group(2) else 0
    return parse_number(match.group(1)), suffix


def article_label(number: int, suffix: int = 0) -> str:
    """(133, 1) -> '第一百三十三条之一'."""
    tail = f"之{int_to_cn(suffix)}" if suffix else ""
    return f"第{int_to_cn(number)}条{tail}"
