"""The statute library in SQLite: storing imported laws, deriving status, looking articles up.

One imported file (a :class:`ParsedLaw`) is written in its own transaction. Re-importing
an unchanged file does nothing; a changed file replaces what that file contributed.
Article ids are assigned here so a version's articles get a contiguous range.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import re
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from workstation.domain.statutes import (
    ArticleNumber,
    ArticleText,
    Item,
    LawLevel,
    LawRef,
    Paragraph,
    ParsedArticle,
    ParsedLaw,
    ParseProblem,
    VersionRef,
    VersionStatus,
)
from workstation.library.bigrams import index_body

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("0b6e1f0e-2f7c-4a3f-9a57-1d8c3f4e5a60")
PRC_PREFIX = "中华人民共和国"
_ITEM_LINE = re.compile(r"^[（(]([一二三四五六七八九十百]+|\d+)[）)]")


def law_id_for(title: str) -> str:
    """Deterministic id: the same law has the same id on every machine."""
    return str(uuid.uuid5(_NAMESPACE, "law:" + title))


def version_id_for(title: str, version_key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"version:{title}:{version_key}"))


def version_key_for(version_date: dt.date | None) -> str:
    return version_date.isoformat() if version_date else "undated"


def derived_aliases(title: str) -> set[str]:
    """Names a law is commonly cited by, derived from its title."""
    names = {title}
    bare = title.removeprefix(PRC_PREFIX)
    names.add(bare)
    for name in list(names):
        stripped = re.sub(r"[（(][^）)]*[）)]$", "", name)
        if stripped:
            names.add(stripped)
    return {n for n in names if n}


def article_text(article: ParsedArticle) -> str:
    return article.text


def article_layout(article: ParsedArticle) -> str:
    """One letter per line of ``article.text``: P starts a 款, I starts a 项, C continues the line before.

    Stored beside the text so 款 and 项 come back exactly as parsed, including 项 that run over
    several lines (目 such as 1．… or （1）… inside a 项).
    """
    out: list[str] = []
    for paragraph in article.paragraphs:
        if paragraph.text:
            out.append("P" + "C" * paragraph.text.count("\n"))
        for item in paragraph.items:
            if item.text:
                out.append("I" + "C" * item.text.count("\n"))
    return "".join(out)


def split_paragraphs(text: str, layout: str = "") -> tuple[Paragraph, ...]:
    """Rebuild 款 and 项 from stored text and its layout (see :func:`article_layout`).

    Without a layout (or one that does not fit the text) each line is a 款, or a 项 when it
    starts with （N）.
    """
    lines = text.split("\n")
    if len(layout) != len(lines) or (layout and layout[0] != "P" and layout[0] != "I"):
        layout = "".join("I" if _ITEM_LINE.match(line) and i else "P" for i, line in enumerate(lines))
    paragraphs: list[list[Any]] = []  # [text lines, [item lines, …]]
    for kind, line in zip(layout, lines, strict=True):
        if kind == "P" or not paragraphs:
            paragraphs.append([[line], []])
        elif kind == "I":
            paragraphs[-1][1].append([line])
        elif paragraphs[-1][1]:
            paragraphs[-1][1][-1].append(line)
        else:
            paragraphs[-1][0].append(line)
    return tuple(
        Paragraph(
            number,
            "\n".join(text_lines),
            tuple(Item(n, "\n".join(item)) for n, item in enumerate(items, start=1)),
        )
        for number, (text_lines, items) in enumerate(paragraphs, start=1)
    )


_BODY_CHUNK = 4000


def _bodies(texts: list[str]) -> list[str]:
    return [index_body(text) for text in texts]


def _index_bodies(rows: list[Any]) -> Iterator[tuple[list[int], list[str]]]:
    """Index bodies for (rowid, text) rows, chunk by chunk, made in a helper process.

    Building the bigram bodies is a third of an index rebuild; a spawned process (not forked:
    the GUI process has threads) makes them while this one feeds FTS5. Without a usable
    helper process the bodies are made here.
    """
    chunks = [rows[i : i + _BODY_CHUNK] for i in range(0, len(rows), _BODY_CHUNK)]
    if len(chunks) < 4:
        for chunk in chunks:
            yield [r[0] for r in chunk], _bodies([r[1] for r in chunk])
        return
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    except (OSError, ValueError) as exc:  # pragma: no cover - no process support
        log.warning("no helper process for index bodies (%s); building them here", exc)
        for chunk in chunks:
            yield [r[0] for r in chunk], _bodies([r[1] for r in chunk])
        return
    with pool:
        futures = [pool.submit(_bodies, [r[1] for r in chunk]) for chunk in chunks]
        broken = False
        for chunk, future in zip(chunks, futures, strict=True):
            texts = [r[1] for r in chunk]
            if not broken:
                try:
                    yield [r[0] for r in chunk], future.result()
                    continue
                except (BrokenProcessPool, OSError) as exc:
                    log.warning("helper process for index bodies failed (%s); building them here", exc)
                    broken = True
            yield [r[0] for r in chunk], _bodies(texts)


class _Rows:
    """The few Result methods the import needs, over a plain sqlite3 cursor (no per-call overhead)."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    def first(self) -> Any:
        return self._cursor.fetchone()

    def scalar(self) -> Any:
        row = self._cursor.fetchone()
        return None if row is None else row[0]

    def scalar_one(self) -> Any:
        row = self._cursor.fetchone()
        if row is None:
            raise LookupError("no row")
        return row[0]

    def all(self) -> list[Any]:
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)


class _Sql:
    def __init__(self, conn: Connection) -> None:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        self.raw = raw

    def __call__(self, statement: str, params: Sequence[Any] = ()) -> _Rows:
        return _Rows(self.raw.execute(statement, params))

    def many(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        self.raw.executemany(statement, rows)


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """What storing one file did."""

    source: str
    status: str  # imported | unchanged | replaced | duplicate
    law_title: str
    articles: int
    annexes: int
    problems: tuple[ParseProblem, ...]


_STATUS_FROM_SOURCE = {
    "现行有效": VersionStatus.CURRENT,
    "有效": VersionStatus.CURRENT,
    "已废止": VersionStatus.REPEALED,
    "失效": VersionStatus.REPEALED,
    "已修改": VersionStatus.AMENDED,
    "已被修改": VersionStatus.AMENDED,
    "历史版本": VersionStatus.AMENDED,
    "尚未施行": VersionStatus.NOT_YET_IN_FORCE,
    "尚未生效": VersionStatus.NOT_YET_IN_FORCE,
}


def status_from_source(text: str) -> VersionStatus:
    try:
        return VersionStatus(text)
    except ValueError:
        return _STATUS_FROM_SOURCE.get(text.strip(), VersionStatus.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Replacement:
    """A law replaced by one under another name (环境噪声污染防治法 → 噪声污染防治法)."""

    old_title: str
    new_title: str
    on: dt.date
    basis: str = ""


class StatuteStore:
    """Writes and reads the statute tables through one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def _write(self, bulk: bool = False) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            if bulk:
                # Re-runnable import: WAL with synchronous=NORMAL cannot corrupt the database;
                # a power cut may lose the last files, which the next import re-adds.
                raw.execute("PRAGMA synchronous=NORMAL")
                raw.execute("PRAGMA wal_autocheckpoint=16384")  # checkpoint every 64 MB, not 4 MB
            try:
                with conn.begin():
                    yield conn
            finally:
                if bulk:
                    raw.execute("PRAGMA synchronous=FULL")
                    raw.execute("PRAGMA wal_autocheckpoint=1000")

    # ------------------------------------------------------------------ import

    def source_hash(self, kind: str, source: str) -> str | None:
        with self._engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT content_hash FROM law_sources WHERE kind = ? AND source = ?", (kind, source)
            ).first()
        return None if row is None else str(row[0])

    def store(
        self,
        law: ParsedLaw,
        kind: str,
        source: str,
        content_hash: str,
        short_names: Iterable[str] = (),
    ) -> StoreOutcome:
        """Write one file's law version in one transaction."""
        with self._write(bulk=True) as conn:
            return self._store(conn, law, kind, source, content_hash, short_names)

    def _store(
        self,
        conn: Connection,
        law: ParsedLaw,
        kind: str,
        source: str,
        content_hash: str,
        short_names: Iterable[str],
    ) -> StoreOutcome:
        sql = _Sql(conn)
        existing = sql(
            "SELECT id, content_hash FROM law_sources WHERE kind = ? AND source = ?", (kind, source)
        ).first()
        if existing is not None and existing[1] == content_hash:
            return StoreOutcome(source, "unchanged", law.title, 0, 0, ())
        status = "imported"
        if existing is not None:
            self._remove_source(conn, int(existing[0]))
            status = "replaced"

        law_id = law_id_for(law.title)
        law_no = sql("SELECT no FROM laws WHERE id = ?", (law_id,)).scalar()
        if law_no is None:
            law_no = int(sql("SELECT COALESCE(MAX(no), 0) + 1 FROM laws").scalar_one())
        sql(
            "INSERT INTO laws (id, no, title, level, level_rank, category, region, issuing_body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "level = excluded.level, level_rank = excluded.level_rank, "
            "category = CASE WHEN excluded.category != '' THEN excluded.category ELSE laws.category END, "
            "region = CASE WHEN excluded.region != '' THEN excluded.region ELSE laws.region END, "
            "issuing_body = CASE WHEN excluded.issuing_body != '' THEN excluded.issuing_body "
            "ELSE laws.issuing_body END",
            (
                law_id,
                law_no,
                law.title,
                law.level.value,
                law.level.rank,
                law.category,
                law.region,
                law.issuing_body,
            ),
        )
        for alias in derived_aliases(law.title) | set(short_names):
            sql("INSERT OR IGNORE INTO law_aliases (alias, law_id) VALUES (?, ?)", (alias, law_id))

        key = version_key_for(law.version_date)
        version_id = version_id_for(law.title, key)
        history = json.dumps(
            [[d.isoformat() if d else None, event] for d, event in law.history], ensure_ascii=False
        )
        version_no = sql("SELECT no FROM law_versions WHERE id = ?", (version_id,)).scalar()
        if version_no is None:
            version_no = int(sql("SELECT COALESCE(MAX(no), 0) + 1 FROM law_versions").scalar_one())
        sql(
            "INSERT INTO law_versions (id, no, law_id, version_key, version_date, effective_date, "
            "source_status, status, history) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET "
            "effective_date = COALESCE(excluded.effective_date, law_versions.effective_date), "
            "source_status = CASE WHEN excluded.source_status != '未知' THEN excluded.source_status "
            "ELSE law_versions.source_status END",
            (
                version_id,
                version_no,
                law_id,
                key,
                law.version_date.isoformat() if law.version_date else None,
                law.effective_date.isoformat() if law.effective_date else None,
                law.status.value,
                law.status.value,
                history,
            ),
        )

        problems = list(law.problems)
        # A second source for the same version (same law, same date, same part) is a duplicate.
        other = sql(
            "SELECT s.source, s.kind FROM law_sources s WHERE s.version_id = ? AND s.subtitle = ?",
            (version_id, law.subtitle),
        ).first()
        cursor = sql(
            "INSERT INTO law_sources "
            "(version_id, kind, source, content_hash, subtitle, preamble, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                version_id,
                kind,
                source,
                content_hash,
                law.subtitle,
                law.preamble,
                dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" "),
            ),
        )
        source_id = int(cursor.lastrowid or 0)
        articles = law.articles
        if other is not None:
            problems.append(
                ParseProblem(
                    source,
                    0,
                    f"重复版本：《{law.title}》{key} 版已由 {other[0]} 导入，本文件的条文未再导入",
                )
            )
            articles = ()
            status = "duplicate"
        else:
            numbers_here = {a.number for a in articles}
            taken = {
                ArticleNumber(int(r[0]), int(r[1]))
                for r in sql("SELECT number, suffix FROM articles WHERE version_id = ?", (version_id,))
            }
            clash = numbers_here & taken
            if clash:
                first = min(clash)
                problems.append(
                    ParseProblem(
                        source,
                        0,
                        f"《{law.title}》{key} 版的 {len(clash)} 条条文（如{first.label}）已由同一版本的"
                        "另一文件导入，这些条文未再导入",
                    )
                )
                articles = tuple(a for a in articles if a.number not in clash)

        seen: set[ArticleNumber] = set()
        unique: list[ParsedArticle] = []
        for article in articles:
            if article.number in seen:
                problems.append(
                    ParseProblem(
                        source,
                        article.line,
                        f"条号重复：{article.number.label}，保留第一处",
                        article.text[:80],
                    )
                )
                continue
            seen.add(article.number)
            unique.append(article)

        next_id = int(sql("SELECT COALESCE(MAX(id), 0) + 1 FROM articles").scalar_one())
        base_seq = int(
            sql("SELECT COALESCE(MAX(seq), 0) FROM articles WHERE version_id = ?", (version_id,)).scalar_one()
        )
        rows = []
        for offset, article in enumerate(unique):
            body = article.text
            rows.append(
                (
                    next_id + offset,
                    version_id,
                    source_id,
                    base_seq + offset + 1,
                    article.number.number,
                    article.number.suffix,
                    " / ".join(((law.subtitle,) if law.subtitle else ()) + article.path),
                    body,
                    article_layout(article),
                    article.line,
                )
            )
        if rows:
            sql.many(
                "INSERT INTO articles "
                "(id, version_id, source_id, seq, number, suffix, path, text, layout, line) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        # The full-text index is rebuilt in ranking order once the import ends (rebuild_index).
        self._mark_dirty(sql)
        for annex in law.annexes:
            sql(
                "INSERT INTO law_annexes (source_id, title, text, line) VALUES (?, ?, ?, ?)",
                (source_id, annex.title, annex.text, annex.line),
            )
        for problem in problems:
            sql(
                "INSERT INTO law_import_problems (source_id, line, message, fragment) VALUES (?, ?, ?, ?)",
                (source_id, problem.line, problem.message, problem.fragment),
            )
        return StoreOutcome(source, status, law.title, len(rows), len(law.annexes), tuple(problems))

    def _remove_source(self, conn: Connection, source_id: int) -> None:
        sql = _Sql(conn)
        sql("DELETE FROM articles WHERE source_id = ?", (source_id,))
        sql("DELETE FROM law_annexes WHERE source_id = ?", (source_id,))
        sql("DELETE FROM law_import_problems WHERE source_id = ?", (source_id,))
        sql("DELETE FROM law_sources WHERE id = ?", (source_id,))
        self._mark_dirty(sql)

    @staticmethod
    def _mark_dirty(sql: _Sql) -> None:
        sql("INSERT OR REPLACE INTO library_meta (key, value) VALUES ('index_dirty', '1')")

    def derive_statuses(self, replacements: Iterable[Replacement], today: dt.date) -> int:
        """Work out 现行有效/已修改/已废止 where the source did not say, for every law.

        - versions of one law are ordered by date; each is superseded when the next takes effect;
        - the latest version is 现行有效 (or 尚未施行 before its effective date), unless the law
          is listed as replaced by another law, which makes it 已废止 from that day;
        - a status the source stated is kept.
        Returns the number of versions whose status changed.
        """
        changed = 0
        replaced = {r.old_title: r for r in replacements}
        with self._write() as conn:
            sql = conn.exec_driver_sql
            titles = {str(r[0]): str(r[1]) for r in sql("SELECT id, title FROM laws")}
            by_law: dict[str, list[tuple[Any, ...]]] = {}
            for row in sql(
                "SELECT id, law_id, version_date, effective_date, source_status, status, "
                "superseded_on, repealed_on, is_latest FROM law_versions ORDER BY law_id, version_key"
            ):
                by_law.setdefault(str(row[1]), []).append(tuple(row))
            updates = []
            for law_id, versions in by_law.items():
                versions.sort(key=lambda v: (v[2] or "", v[3] or ""))
                replacement = replaced.get(titles[law_id])
                for index, v in enumerate(versions):
                    latest = index == len(versions) - 1
                    nxt = versions[index + 1] if not latest else None
                    superseded = (nxt[3] or nxt[2]) if nxt else None
                    repealed = replacement.on.isoformat() if latest and replacement is not None else None
                    source_status = status_from_source(str(v[4]))
                    start = v[3] or v[2]
                    if source_status is not VersionStatus.UNKNOWN:
                        status = source_status
                    elif not latest:
                        status = VersionStatus.AMENDED
                    elif repealed is not None and repealed <= today.isoformat():
                        status = VersionStatus.REPEALED
                    elif start is not None and start > today.isoformat():
                        status = VersionStatus.NOT_YET_IN_FORCE
                    else:
                        status = VersionStatus.CURRENT
                    if status is VersionStatus.REPEALED and repealed is None:
                        repealed = v[7]
                    new = (status.value, superseded, repealed, int(latest))
                    old = (v[5], v[6], v[7], int(v[8]))
                    if new != old:
                        updates.append((*new, v[0]))
            if updates:
                conn.connection.driver_connection.executemany(  # type: ignore[union-attr]
                    "UPDATE law_versions SET status = ?, superseded_on = ?, repealed_on = ?, is_latest = ? "
                    "WHERE id = ?",
                    updates,
                )
                changed = len(updates)
        return changed

    def index_dirty(self) -> bool:
        with self._engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT value FROM library_meta WHERE key = 'index_dirty'").first()
        return row is not None and row[0] == "1"

    def rebuild_index(self) -> int:
        """Rebuild the full-text index in ranking order; returns the number of articles indexed.

        Blocks (one per law version) are numbered by tier (0 latest and in force, 1 latest but
        not in force, 2 historical), then level, then law; an article's index rowid is
        ``block_no << 16 | position``. Done in one transaction, so searches keep using the old
        index until the new one is complete.
        """
        with self._write(bulk=True) as conn:
            sql = _Sql(conn)
            sql("INSERT INTO article_fts (article_fts) VALUES ('delete-all')")
            # One big insert: merge segments once at the end ('optimize') instead of all along.
            sql("INSERT INTO article_fts (article_fts, rank) VALUES ('automerge', 0)")
            sql("INSERT INTO article_fts (article_fts, rank) VALUES ('crisismerge', 64)")
            sql("DELETE FROM article_keys")
            sql("DELETE FROM index_blocks")
            sql(
                "INSERT INTO index_blocks (block_no, version_no, law_no, tier, level_rank) "
                "SELECT ROW_NUMBER() OVER (ORDER BY v.tier, l.level_rank, l.title, v.version_key DESC), "
                "v.no, l.no, v.tier, l.level_rank FROM ("
                "SELECT *, CASE WHEN is_latest AND status IN ('现行有效', '未知') THEN 0 "
                "WHEN is_latest THEN 1 ELSE 2 END AS tier FROM law_versions) v "
                "JOIN laws l ON l.id = v.law_id"
            )
            sql(
                "INSERT INTO article_keys (id, article_id) "
                "SELECT (b.block_no << 16) "
                "| (ROW_NUMBER() OVER (PARTITION BY a.version_id ORDER BY a.seq) - 1), "
                "a.id FROM articles a JOIN law_versions v ON v.id = a.version_id "
                "JOIN index_blocks b ON b.version_no = v.no"
            )
            rows = sql(
                "SELECT k.id, a.text FROM article_keys k JOIN articles a ON a.id = k.article_id ORDER BY k.id"
            ).all()
            for ids, bodies in _index_bodies(rows):
                sql.many("INSERT INTO article_fts (rowid, body) VALUES (?, ?)", zip(ids, bodies, strict=True))
            sql("INSERT INTO article_fts (article_fts) VALUES ('optimize')")
            sql("INSERT INTO article_fts (article_fts, rank) VALUES ('automerge', 4)")
            sql("INSERT INTO article_fts (article_fts, rank) VALUES ('crisismerge', 16)")
            sql(
                "INSERT INTO library_meta (key, value) VALUES ('index_generation', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )
            sql("INSERT OR REPLACE INTO library_meta (key, value) VALUES ('index_dirty', '0')")
        return len(rows)

    # ------------------------------------------------------------------ reading

    def counts(self) -> dict[str, int]:
        with self._engine.connect() as conn:

            def one(query: str) -> int:
                return int(conn.exec_driver_sql(query).scalar_one())

            return {
                "laws": one("SELECT count(*) FROM laws"),
                "versions": one("SELECT count(*) FROM law_versions"),
                "files": one("SELECT count(*) FROM law_sources"),
                "articles": one("SELECT count(*) FROM articles"),
                "annexes": one("SELECT count(*) FROM law_annexes"),
                "problems": one("SELECT count(*) FROM law_import_problems"),
            }

    def problems(self, limit: int = 10_000) -> list[ParseProblem]:
        with self._engine.connect() as conn:
            return [
                ParseProblem(str(r[0]), int(r[1]), str(r[2]), str(r[3]))
                for r in conn.exec_driver_sql(
                    "SELECT s.source, p.line, p.message, p.fragment FROM law_import_problems p "
                    "JOIN law_sources s ON s.id = p.source_id ORDER BY s.source, p.line LIMIT ?",
                    (limit,),
                )
            ]


def law_ref(row: Any) -> LawRef:
    """(id, title, level, region, category, aliases)."""
    aliases = tuple(sorted(a for a in str(row[5] or "").split("\x1f") if a and a != row[1]))
    return LawRef(str(row[0]), str(row[1]), aliases, LawLevel(row[2]), str(row[3]), str(row[4]))


def _iso_date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def version_ref(row: Any) -> VersionRef:
    """(id, law_id, title, version_date, effective_date, status, superseded_on, repealed_on)."""
    return VersionRef(
        version_id=str(row[0]),
        law_id=str(row[1]),
        title=str(row[2]),
        version_date=_iso_date(row[3]),
        effective_date=_iso_date(row[4]),
        status=VersionStatus(row[5]),
        superseded_on=_iso_date(row[6]),
        repealed_on=_iso_date(row[7]),
    )


LAW_COLUMNS = (
    "l.id, l.title, l.level, l.region, l.category, "
    "(SELECT group_concat(alias, char(31)) FROM law_aliases a WHERE a.law_id = l.id)"
)
VERSION_COLUMNS = (
    "v.id, v.law_id, l.title, v.version_date, v.effective_date, v.status, v.superseded_on, v.repealed_on"
)


class SqlStatuteLookup:
    """The StatuteLookup port over the statute tables."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def find_laws(self, name: str) -> list[LawRef]:
        name = name.strip().strip("《》")
        with self._engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT DISTINCT {LAW_COLUMNS} FROM laws l JOIN law_aliases a ON a.law_id = l.id "
                "WHERE a.alias = ? ORDER BY l.level_rank, l.title",
                (name,),
            ).all()
        return [law_ref(r) for r in rows]

    def law(self, law_id: str) -> LawRef | None:
        with self._engine.connect() as conn:
            row = conn.exec_driver_sql(f"SELECT {LAW_COLUMNS} FROM laws l WHERE l.id = ?", (law_id,)).first()
        return None if row is None else law_ref(row)

    def versions(self, law_id: str) -> list[VersionRef]:
        with self._engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT {VERSION_COLUMNS} FROM law_versions v JOIN laws l ON l.id = v.law_id "
                "WHERE v.law_id = ? ORDER BY v.version_key",
                (law_id,),
            ).all()
        return [version_ref(r) for r in rows]

    def version(self, version_id: str) -> VersionRef | None:
        with self._engine.connect() as conn:
            row = conn.exec_driver_sql(
                f"SELECT {VERSION_COLUMNS} FROM law_versions v JOIN laws l ON l.id = v.law_id WHERE v.id = ?",
                (version_id,),
            ).first()
        return None if row is None else version_ref(row)

    def article(self, version_id: str, number: ArticleNumber) -> ArticleText | None:
        version = self.version(version_id)
        if version is None:
            return None
        with self._engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT path, text, layout FROM articles WHERE version_id = ? AND number = ? AND suffix = ? "
                "ORDER BY seq LIMIT 1",
                (version_id, number.number, number.suffix),
            ).first()
        if row is None:
            return None
        path = tuple(p for p in str(row[0]).split(" / ") if p)
        return ArticleText(version, number, path, split_paragraphs(str(row[1]), str(row[2])))

    def articles(self, version_id: str) -> list[ArticleText]:
        version = self.version(version_id)
        if version is None:
            return []
        with self._engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT number, suffix, path, text, layout FROM articles WHERE version_id = ? ORDER BY seq",
                (version_id,),
            ).all()
        return [
            ArticleText(
                version,
                ArticleNumber(int(r[0]), int(r[1])),
                tuple(p for p in str(r[2]).split(" / ") if p),
                split_paragraphs(str(r[3]), str(r[4])),
            )
            for r in rows
        ]

    def article_count(self, version_id: str) -> int:
        with self._engine.connect() as conn:
            return int(
                conn.exec_driver_sql(
                    "SELECT count(*) FROM articles WHERE version_id = ?", (version_id,)
                ).scalar_one()
            )

    def laws(self) -> list[tuple[LawRef, int]]:
        """Every law with its number of versions, by level then title (the law tree)."""
        with self._engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT {LAW_COLUMNS}, (SELECT count(*) FROM law_versions v WHERE v.law_id = l.id) "
                "FROM laws l ORDER BY l.level_rank, l.category, l.title"
            ).all()
        return [(law_ref(r), int(r[6])) for r in rows]

    def all_versions(self) -> dict[str, list[VersionRef]]:
        """Every law's versions, oldest first, in one query (the law tree)."""
        out: dict[str, list[VersionRef]] = {}
        with self._engine.connect() as conn:
            for row in conn.exec_driver_sql(
                f"SELECT {VERSION_COLUMNS} FROM law_versions v JOIN laws l ON l.id = v.law_id "
                "ORDER BY v.law_id, v.version_key"
            ):
                version = version_ref(row)
                out.setdefault(version.law_id, []).append(version)
        return out

    # ------------------------------------------------------------ favourites

    def set_favourite(self, law_id: str, on: bool) -> None:
        with self._engine.begin() as conn:
            if on:
                conn.exec_driver_sql(
                    "INSERT OR REPLACE INTO law_favourites (law_id, kind, touched_at) "
                    "VALUES (?, 'favourite', ?)",
                    (law_id, dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")),
                )
            else:
                conn.exec_driver_sql(
                    "DELETE FROM law_favourites WHERE law_id = ? AND kind = 'favourite'", (law_id,)
                )

    def touch_recent(self, law_id: str, keep: int = 20) -> None:
        with self._engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT OR REPLACE INTO law_favourites (law_id, kind, touched_at) VALUES (?, 'recent', ?)",
                (law_id, dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")),
            )
            conn.exec_driver_sql(
                "DELETE FROM law_favourites WHERE kind = 'recent' AND law_id NOT IN ("
                "SELECT law_id FROM law_favourites WHERE kind = 'recent' ORDER BY touched_at DESC LIMIT ?)",
                (keep,),
            )

    def marked(self, kind: str) -> list[LawRef]:
        """Favourite ('favourite') or recently viewed ('recent') laws, newest first."""
        with self._engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT {LAW_COLUMNS} FROM law_favourites f JOIN laws l ON l.id = f.law_id "
                "WHERE f.kind = ? ORDER BY f.touched_at DESC",
                (kind,),
            ).all()
        return [law_ref(r) for r in rows]
