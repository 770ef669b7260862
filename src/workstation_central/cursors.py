"""Opaque feed cursors: base64url of ``<feed>:<sequence number>``."""

from __future__ import annotations

import base64
import binascii

from workstation_central.errors import ApiError


def encode(feed: str, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{feed}:{seq}".encode()).decode("ascii").rstrip("=")


def decode(feed: str, cursor: str | None) -> int:
    """The sequence number of ``cursor`` (0 when absent); 400 invalid_cursor if not ours."""
    if cursor is None or cursor == "":
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
        name, _, number = text.rpartition(":")
        if name == feed and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ApiError(400, "invalid_cursor", "同步游标无效，请从头同步")
