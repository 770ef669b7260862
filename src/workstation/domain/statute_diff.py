"""Comparing two versions of a law article by article (修订对照)."""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass

from workstation.domain.statutes import ArticleNumber, ArticleText


class ChangeKind(enum.StrEnum):
    ADDED = "新增"
    REMOVED = "删除"
    CHANGED = "修改"
    SAME = "未变"


@dataclass(frozen=True, slots=True)
class ArticleChange:
    kind: ChangeKind
    old_number: ArticleNumber | None
    new_number: ArticleNumber | None
    old_text: str
    new_text: str


def _key(text: str) -> str:
    return "".join(text.split())


def diff_versions(old: list[ArticleText], new: list[ArticleText]) -> list[ArticleChange]:
    """Align the articles of two versions by text similarity (articles are renumbered between
    versions, so numbers alone would pair the wrong articles) and classify each pair."""
    old_keys = [_key(a.text) for a in old]
    new_keys = [_key(a.text) for a in new]
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    changes: list[ArticleChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes.extend(
                ArticleChange(ChangeKind.SAME, old[i].number, new[j].number, old[i].text, new[j].text)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        olds = list(range(i1, i2))
        news = list(range(j1, j2))
        # pair articles inside a replaced block when they are similar enough
        while olds and news:
            i = olds[0]
            best = max(
                news, key=lambda j: difflib.SequenceMatcher(a=old_keys[i], b=new_keys[j]).quick_ratio()
            )
            ratio = difflib.SequenceMatcher(a=old_keys[i], b=new_keys[best]).ratio()
            if ratio < 0.5:
                changes.append(ArticleChange(ChangeKind.REMOVED, old[i].number, None, old[i].text, ""))
                olds.pop(0)
                continue
            for j in news[: news.index(best)]:
                changes.append(ArticleChange(ChangeKind.ADDED, None, new[j].number, "", new[j].text))
            news = news[news.index(best) + 1 :]
            olds.pop(0)
            kind = ChangeKind.SAME if old_keys[i] == new_keys[best] else ChangeKind.CHANGED
            changes.append(ArticleChange(kind, old[i].number, new[best].number, old[i].text, new[best].text))
        changes.extend(ArticleChange(ChangeKind.REMOVED, old[i].number, None, old[i].text, "") for i in olds)
        changes.extend(ArticleChange(ChangeKind.ADDED, None, new[j].number, "", new[j].text) for j in news)
    return changes
