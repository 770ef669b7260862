"""Looks: Fusion with one accent colour, a CJK-capable font, calm dense spacing."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

ACCENT = "#1f5fa8"
WARNING = "#b45309"

#: Preferred UI fonts, first available wins. All render Simplified Chinese.
CJK_FONTS = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
)

STYLESHEET = f"""
QListWidget#navList {{
    background: #f2f5f9;
    border: none;
    border-right: 1px solid #d9dee6;
    padding-top: 8px;
    outline: 0;
}}
QListWidget#navList::item {{
    padding: 9px 12px;
    margin: 1px 6px;
    border-radius: 4px;
    color: #1f2933;
}}
QListWidget#navList::item:selected {{
    background: #dbe7f5;
    color: {ACCENT};
    font-weight: 600;
}}
QListWidget#navList::item:hover:!selected {{
    background: #e1e8f1;
}}
QLabel[role="titleLabel"] {{
    font-size: 18pt;
    font-weight: 600;
    color: #111827;
}}
QLabel[role="sectionHeading"] {{
    font-size: 11pt;
    font-weight: 600;
    color: #374151;
    padding-top: 6px;
}}
QLabel[role="statusLabel"] {{
    font-size: 11pt;
    color: {WARNING};
    background: #fff7ed;
    border: 1px solid #fed7aa;
    border-radius: 4px;
    padding: 8px 12px;
}}
QLabel[role="statCard"] {{
    background: white;
    border: 1px solid #d9dee6;
    border-radius: 6px;
    padding: 10px 16px;
    font-size: 11pt;
}}
QLabel[role="warningBanner"] {{
    color: {WARNING};
}}
*[invalid="true"] {{
    border: 2px solid #b91c1c;
    background: #fef2f2;
}}
QLabel[role="errorLabel"] {{
    color: #b91c1c;
}}
QLabel[role="problemsLabel"] {{
    color: {WARNING};
    background: #fff7ed;
    border: 1px solid #fed7aa;
    border-radius: 4px;
    padding: 6px 10px;
}}
QLabel#trainingBadge {{
    background: #b91c1c;
    color: white;
    font-weight: 600;
    padding: 1px 8px;
    border-radius: 3px;
}}
"""


def pick_cjk_font() -> str | None:
    families = set(QFontDatabase.families())
    for family in CJK_FONTS:
        if family in families:
            return family
    for family in sorted(families):
        if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family):
            return family
    return None


def apply_theme(app: QApplication) -> str | None:
    """Style the application; returns the UI font family chosen (None: no CJK font found)."""
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.Link, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.Window, QColor("#f8fafc"))
    app.setPalette(palette)
    family = pick_cjk_font()
    if family is None:
        log.warning("no CJK-capable font installed: Chinese text will not render")
    else:
        font = QFont(family)
        font.setPointSize(10)
        app.setFont(font)
    app.setStyleSheet(STYLESHEET)
    app.setWindowIcon(icon("app"))
    return family


def icon_path(name: str) -> Path:
    return Path(str(resources.files("workstation.resources").joinpath(f"icons/{name}.svg")))


def icon(name: str) -> QIcon:
    """A bundled SVG icon, rendered by Qt's SVG icon engine at whatever size is asked."""
    return QIcon(str(icon_path(name)))


#: Characters rendered to prove Chinese shows as glyphs, not boxes.
CJK_PROBE = "工作台案件检查找法裁量文书审核统计同步设置"


def cjk_rendering_report(font: QFont) -> dict[str, object]:
    """Render each probe character; a missing glyph renders as the same box every time.

    Returns the font family Qt actually used, whether it declares Simplified
    Chinese, and whether all probe characters rendered to distinct images.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontInfo, QFontMetrics, QImage, QPainter

    family = QFontInfo(font).family()
    metrics = QFontMetrics(font)
    images: set[bytes] = set()
    blank = 0
    for char in CJK_PROBE:
        image = QImage(48, 48, QImage.Format.Format_Grayscale8)
        image.fill(255)
        painter = QPainter(image)
        painter.setFont(font)
        painter.setPen(Qt.GlobalColor.black)
        painter.drawText(4, 4 + metrics.ascent(), char)
        painter.end()
        data = bytes(image.constBits())
        if min(data) == 255:
            blank += 1
        images.add(data)
    declares = QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)
    return {
        "family": family,
        "declares_simplified_chinese": declares,
        "in_font": all(metrics.inFontUcs4(ord(c)) for c in CJK_PROBE),
        "cjk_glyphs_distinct": len(images) == len(CJK_PROBE) and blank == 0,
        "distinct_images": len(images),
        "probe_characters": len(CJK_PROBE),
    }
