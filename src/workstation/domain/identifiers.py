"""Checksums of Chinese identifiers.

- 公民身份号码: GB 11643-1999, 18 characters, ISO 7064 MOD 11-2 check character.
- 统一社会信用代码: GB 32100-2015, 18 characters, weighted MOD 31 check character.
"""

from __future__ import annotations

import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def resident_id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_resident_id(value: str) -> bool:
    """True for an 18-character 公民身份号码 whose check character is right."""
    value = value.strip().upper()
    if not _ID_RE.match(value):
        return False
    return resident_id_check_char(value[:17]) == value[17]


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    """True for an 18-character 统一社会信用代码 whose check character is right."""
    value = value.strip().upper()
    if not _USCC_RE.match(value):
        return False
    return uscc_check_char(value[:17]) == value[17]


# ------------------------------------------------------------------ normalising what people type

_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\-]+")


def _clean(text: str) -> str:
    """Full-width digits and letters to ASCII, spaces (incl. 全角空格) and hyphens removed."""
    return _SPACES.sub("", text.translate(_FULL_WIDTH))


def upgrade_legacy_id(id15: str) -> str:
    """A 15-digit resident ID (issued before 1999) as its 18-character form (GB 11643-1999):
    the birth year gains its century (19) and a check character is appended."""
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + resident_id_check_char(first17)


def normalise_resident_id(text: str, field: str = "id_number") -> str:
    """What an officer typed as a 公民身份号码, as the canonical 18 characters.

    Accepts full-width digits, stray spaces, a lower-case x and the 15-digit legacy form;
    refuses anything else with a Chinese message naming the field.
    """
    from workstation.domain.errors import FieldError

    value = _clean(text).upper()
    if re.fullmatch(r"\d{15}", value):
        value = upgrade_legacy_id(value)
    if not _ID_RE.match(value):
        raise FieldError(
            field,
            f"公民身份号码格式不对：{text.strip()}（应为18位，最后一位可以是X）",
            "请核对证件后重新输入；15位旧号码会自动升为18位。",
        )
    if not _valid_birth_date(value[6:14]):
        raise FieldError(field, f"公民身份号码中的出生日期无效：{value[6:14]}", "请核对证件后重新输入。")
    if resident_id_check_char(value[:17]) != value[17]:
        raise FieldError(
            field,
            f"公民身份号码校验位不对：{value}（按 GB 11643 应为 {resident_id_check_char(value[:17])}）",
            "请核对证件，多半是某一位数字输错了。",
        )
    return value


def normalise_credit_code(text: str, field: str = "credit_code") -> str:
    """What an officer typed as a 统一社会信用代码, as the canonical 18 characters (GB 32100-2015)."""
    from workstation.domain.errors import FieldError

    value = _clean(text).upper()
    if not _USCC_RE.match(value):
        raise FieldError(
            field,
            f"统一社会信用代码格式不对：{text.strip()}（应为18位数字或大写字母，不含 I、O、Z、S、V）",
            "请对照营业执照或登记证书重新输入。",
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise FieldError(
            field,
            f"统一社会信用代码校验位不对：{value}（按 GB 32100 应为 {uscc_check_char(value[:17])}）",
            "请对照营业执照核对，多半是某一位输错了。",
        )
    return value


def _valid_birth_date(yyyymmdd: str) -> bool:
    import datetime as dt

    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return dt.date(1880, 1, 1) <= born <= dt.date.today()
