"""The main window's pages in navigation order, with their shortcuts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PageSpec:
    key: str
    title: str
    icon: str
    shortcut: str
    #: For a page whose capability is not built yet: what it will do.
    planned: str = ""


PAGES: tuple[PageSpec, ...] = (
    PageSpec("workbench", "工作台", "workbench", "Ctrl+1"),
    PageSpec("cases", "案件", "cases", "Ctrl+2"),
    PageSpec(
        "inspection",
        "检查",
        "inspection",
        "Ctrl+3",
        "行政检查与“综合查一次”：检查计划、多部门合并检查单、现场检查笔录。",
    ),
    PageSpec("statutes", "找法", "statutes", "Ctrl+4"),
    PageSpec("discretion", "裁量", "discretion", "Ctrl+5"),
    PageSpec("documents", "文书", "documents", "Ctrl+6"),
    PageSpec(
        "review",
        "审核",
        "review",
        "Ctrl+7",
        "法制审核：决定前的合法性自动检查与审核意见。",
    ),
    PageSpec(
        "stats",
        "统计",
        "stats",
        "Ctrl+8",
        "预警与统计：期限预警、案件分布与办案质量图表。",
    ),
    PageSpec("sync", "同步", "sync", "Ctrl+9"),
    PageSpec("settings", "设置", "settings", "Ctrl+0"),
)


def page(key: str) -> PageSpec:
    for spec in PAGES:
        if spec.key == key:
            return spec
    raise KeyError(key)
