"""Regression: PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call.

After about 5,000 such calls the interpreter aborts ("none_dealloc"). 6.11.3 is pinned;
this test fails if an upgrade brings the bug back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QLabel


def test_twenty_thousand_void_qt_calls_leave_none_refcount_alone(qapp: QApplication) -> None:
    obj = QObject()
    label = QLabel()
    before = sys.getrefcount(None)
    for i in range(10_000):
        obj.setObjectName("x")
        label.setText(str(i & 7))
    after = sys.getrefcount(None)
    assert after >= before - 50, f"None lost {before - after} references over 20,000 void Qt calls"
