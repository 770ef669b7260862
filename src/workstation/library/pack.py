"""JSON statute packs: the format the central server sends (docs/STATUTES.md describes it).

A pack is validated completely before anything is imported; every problem is reported
with its JSON path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from workstation.domain.errors import InvalidInput
from workstation.domain.statutes import (
    Annex,
    ArticleNumber,
    Item,
    LawLevel,
    Paragraph,
    ParsedArticle,
    ParsedLaw,
    VersionStatus,
)

PACK_FORMAT = "workstation-statute-pack"
PACK_VERSION = 1


@dataclass(frozen=True, slots=True)
class PackLaw:
    source: str
    content_hash: str
    law: ParsedLaw
    short_names: tuple[str, ...]


class _Errors:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        if len(self.items) < 50:
            self.items.append(f"{where}：{message}")


def _date(value: Any, where: str, errors: _Errors) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.add(where, f"日期格式应为 YYYY-MM-DD，实际为 {value!r}")
        return None


def _str(obj: dict[str, Any], key: str, where: str, errors: _Errors, required: bool = False) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str):
        errors.add(f"{where}.{key}", "应为字符串")
        return ""
    if required and not value.strip():
        errors.add(f"{where}.{key}", "不能为空")
    return value


def parse_pack(data: bytes, name: str) -> list[PackLaw]:
    """Validate the whole pack and return its law versions; InvalidInput lists what is wrong."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"法规包不是有效的 UTF-8 JSON：{name}（{exc}）", "请检查文件是否完整。") from exc
    errors = _Errors()
    if not isinstance(raw, dict) or raw.get("format") != PACK_FORMAT:
        raise InvalidInput(f"不是工作站法规包：{name}", f'文件的 "format" 应为 "{PACK_FORMAT}"。')
    if raw.get("version") != PACK_VERSION:
        raise InvalidInput(
            f"法规包版本 {raw.get('version')!r} 不受支持：{name}",
            f"本程序支持第 {PACK_VERSION} 版；请升级工作站。",
        )
    laws = raw.get("laws")
    if not isinstance(laws, list):
        raise InvalidInput(f"法规包缺少 laws 列表：{name}", "请检查文件。")
    out: list[PackLaw] = []
    for li, law in enumerate(laws):
        where = f"laws[{li}]"
        if not isinstance(law, dict):
            errors.add(where, "应为对象")
            continue
        title = _str(law, "title", where, errors, required=True)
        try:
            level = LawLevel(law.get("level", ""))
        except ValueError:
            errors.add(f"{where}.level", f"未知的效力位阶 {law.get('level')!r}")
            level = LawLevel.OTHER
        short = law.get("short_names", [])
        if not isinstance(short, list) or not all(isinstance(s, str) for s in short):
            errors.add(f"{where}.short_names", "应为字符串列表")
            short = []
        versions = law.get("versions")
        if not isinstance(versions, list) or not versions:
            errors.add(f"{where}.versions", "至少需要一个版本")
            continue
        for vi, version in enumerate(versions):
            vwhere = f"{where}.versions[{vi}]"
            if not isinstance(version, dict):
                errors.add(vwhere, "应为对象")
                continue
            try:
                status = VersionStatus(version.get("status", VersionStatus.UNKNOWN.value))
            except ValueError:
                errors.add(f"{vwhere}.status", f"未知的时效性 {version.get('status')!r}")
                status = VersionStatus.UNKNOWN
            articles: list[ParsedArticle] = []
            for ai, article in enumerate(version.get("articles", [])):
                awhere = f"{vwhere}.articles[{ai}]"
                number = article.get("number") if isinstance(article, dict) else None
                suffix = article.get("suffix", 0) if isinstance(article, dict) else 0
                if not isinstance(number, int) or number < 1 or not isinstance(suffix, int) or suffix < 0:
                    errors.add(awhere, "number 应为正整数，suffix 应为非负整数")
                    continue
                paragraphs: list[Paragraph] = []
                for pi, para in enumerate(article.get("paragraphs", [])):
                    if not isinstance(para, dict) or not isinstance(para.get("text"), str):
                        errors.add(f"{awhere}.paragraphs[{pi}]", "应为含 text 的对象")
                        continue
                    items = para.get("items", [])
                    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                        errors.add(f"{awhere}.paragraphs[{pi}].items", "应为字符串列表")
                        items = []
                    paragraphs.append(
                        Paragraph(
                            pi + 1,
                            para["text"],
                            tuple(Item(n + 1, text) for n, text in enumerate(items)),
                        )
                    )
                if not paragraphs:
                    errors.add(awhere, "条文没有正文")
                    continue
                path = article.get("path", [])
                articles.append(
                    ParsedArticle(
                        ArticleNumber(number, suffix),
                        tuple(str(p) for p in path) if isinstance(path, list) else (),
                        tuple(paragraphs),
                    )
                )
            annexes = tuple(
                Annex(str(a.get("title", "")), str(a.get("text", "")))
                for a in version.get("annexes", [])
                if isinstance(a, dict)
            )
            history = tuple(
                (_date(h.get("date"), f"{vwhere}.history", errors), str(h.get("event", "")))
                for h in version.get("history", [])
                if isinstance(h, dict)
            )
            version_date = _date(version.get("version_date"), f"{vwhere}.version_date", errors)
            parsed = ParsedLaw(
                title=title,
                level=level,
                source=f"{name}#{title}@{version.get('version_date') or 'undated'}",
                category=_str(law, "category", where, errors),
                region=_str(law, "region", where, errors),
                issuing_body=_str(law, "issuing_body", where, errors),
                version_date=version_date,
                effective_date=_date(version.get("effective_date"), f"{vwhere}.effective_date", errors),
                status=status,
                history=history,
                articles=tuple(articles),
                annexes=annexes,
            )
            digest = hashlib.sha256(
                json.dumps(
                    [law.get(k) for k in ("title", "level", "category", "region", "issuing_body")]
                    + [version],
                    ensure_ascii=False,
                    sort_keys=True,
                ).encode()
            ).hexdigest()
            out.append(PackLaw(parsed.source, digest, parsed, tuple(short)))
    if errors.items:
        raise InvalidInput(
            f"法规包有 {len(errors.items)} 处错误，未导入任何内容：{name}",
            "；".join(errors.items[:10]) + ("……" if len(errors.items) > 10 else ""),
        )
    return out


def law_to_pack_entry(law: ParsedLaw, short_names: tuple[str, ...] = ()) -> dict[str, Any]:
    """The pack form of one law version (used to write packs and in tests)."""
    return {
        "title": law.title,
        "short_names": list(short_names),
        "level": law.level.value,
        "category": law.category,
        "region": law.region,
        "issuing_body": law.issuing_body,
        "versions": [
            {
                "version_date": law.version_date.isoformat() if law.version_date else None,
                "effective_date": law.effective_date.isoformat() if law.effective_date else None,
                "status": law.status.value,
                "history": [{"date": d.isoformat() if d else None, "event": e} for d, e in law.history],
                "articles": [
                    {
                        "number": a.number.number,
                        "suffix": a.number.suffix,
                        "path": list(a.path),
                        "paragraphs": [
                            {"text": p.text, "items": [i.text for i in p.items]} for p in a.paragraphs
                        ],
                    }
                    for a in law.articles
                ],
                "annexes": [{"title": x.title, "text": x.text} for x in law.annexes],
            }
        ],
    }


def iter_pack(data: bytes, name: str) -> Iterator[PackLaw]:
    yield from parse_pack(data, name)
