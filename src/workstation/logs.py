"""Logging: a rotating file in the data directory and an in-memory tail.

Personal data (身份证号, 手机号, 统一社会信用代码) is masked before any
record reaches a handler.
"""

from __future__ import annotations

import collections
import logging
import logging.handlers
import re
from pathlib import Path

_PII_PATTERNS = (
    # 18-character resident ID and 18-character credit code
    (re.compile(r"(?<![0-9A-Z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Z])"), r"\1********\2"),
    (
        re.compile(
            r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{6})[0-9A-HJ-NPQRTUWXY]{9}([0-9A-HJ-NPQRTUWXY])(?![0-9A-Z])"
        ),
        r"\1*********\2",
    ),
    # mainland mobile numbers
    (re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),
)

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def mask_personal_data(text: str) -> str:
    for pattern, repl in _PII_PATTERNS:
        text = pattern.sub(repl, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Rewrites each record's message with personal data masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


class TailHandler(logging.Handler):
    """Keeps the last ``capacity`` formatted lines for the crash dialog."""

    def __init__(self, capacity: int = 400) -> None:
        super().__init__()
        self._lines: collections.deque[str] = collections.deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a logging handler must never raise
            self.handleError(record)

    def text(self) -> str:
        return "\n".join(self._lines)


class LogSetup:
    """Handlers installed on the root logger; ``close()`` removes them."""

    def __init__(self, tail: TailHandler, file_handler: logging.Handler | None) -> None:
        self.tail = tail
        self.file_handler = file_handler

    def close(self) -> None:
        root = logging.getLogger()
        for handler in (self.tail, self.file_handler):
            if handler is not None:
                root.removeHandler(handler)
                handler.close()


def setup_logging(log_file: Path | None, level: int = logging.INFO) -> LogSetup:
    formatter = logging.Formatter(LOG_FORMAT)
    pii = PersonalDataFilter()
    tail = TailHandler()
    tail.setFormatter(formatter)
    tail.addFilter(pii)
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(tail)
    file_handler: logging.Handler | None = None
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            file_handler = logging.handlers.RotatingFileHandler(
                log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
            )
        except OSError:
            file_handler = None  # a read-only or full disk must not stop the app
        else:
            file_handler.setFormatter(formatter)
            file_handler.addFilter(pii)
            root.addHandler(file_handler)
    return LogSetup(tail, file_handler)
