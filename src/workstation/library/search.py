"""StatuteIndex over SQLite FTS5 with bigram tokens (library/bigrams.py).

Ranking: a match in the law's title first, versions in force (or the latest) before
historical ones, higher-level law before lower, then bm25 relevance. The same article
is shown once, from its best version, unless all versions are asked for. A very common
term returns hit counts per law and a suggestion to narrow the query.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import Engine

from workstation.domain.statute_query import ParsedQuery, Term, parse_query
from workstation.domain.statutes import (
    ArticleNumber,
    ArticleText,
    LawHitCount,
    LawRef,
    SearchHit,
    SearchQuery,
    SearchResult,
    VersionRef,
)
from workstation.library.bigrams import normalise, runs, term_expression
from workstation.library.store import LAW_COLUMNS, VERSION_COLUMNS, SqlStatuteLookup, law_ref, version_ref

log = logging.getLogger(__name__)

#: More matching articles than this: show hits per law and suggest narrowing.
COMMON_TERM_ARTICLES = 3000
#: Up to this many matches, ties are broken by bm25 relevance (it costs a few microseconds a match).
BM25_MAX_MATCHES = 800
SNIPPET_CHARS = 90


def load_synonyms() -> dict[str, tuple[str, ...]]:
    text = resources.files("workstation.resources").joinpath("statutes/synonyms.json").read_text("utf-8")
    return {key: tuple(values) for key, values in json.loads(text)["synonyms"].items()}


@dataclass(frozen=True, slots=True)
class _Group:
    """One AND-ed term with the synonyms OR-ed to it."""

    term: Term
    alternatives: tuple[str, ...]

    def expression(self) -> str | None:
        parts = [e for e in (term_expression(t) for t in (self.term.text, *self.alternatives)) if e]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def words(self) -> tuple[str, ...]:
        return (self.term.text, *self.alternatives)


def highlight(text: str, words: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """A window of ``text`` around the first match, every match wrapped in 【】."""
    flat = text.replace("\n", " ")
    lowered = normalise(flat)
    pieces = sorted({r for w in words for r in runs(w)}, key=len, reverse=True)
    spans: list[tuple[int, int]] = []
    if len(lowered) == len(flat):  # NFKC kept positions: highlight exactly
        for piece in pieces:
            start = lowered.find(piece)
            while start != -1:
                end = start + len(piece)
                if not any(s < end and start < e for s, e in spans):
                    spans.append((start, end))
                start = lowered.find(piece, end)
    spans.sort()
    first = spans[0][0] if spans else 0
    begin = max(0, first - width // 3)
    stop = min(len(flat), begin + width)
    out = []
    cursor = begin
    for s, e in spans:
        if s < begin or e > stop:
            continue
        out.append(flat[cursor:s])
        out.append(f"【{flat[s:e]}】")
        cursor = e
    out.append(flat[cursor:stop])
    return ("…" if begin > 0 else "") + "".join(out) + ("…" if stop < len(flat) else "")


class SqlStatuteIndex:
    """The StatuteIndex port."""

    def __init__(self, engine: Engine, synonyms: dict[str, tuple[str, ...]] | None = None) -> None:
        self._engine = engine
        self._lookup = SqlStatuteLookup(engine)
        self._synonyms = load_synonyms() if synonyms is None else synonyms

    @property
    def lookup(self) -> SqlStatuteLookup:
        return self._lookup

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        parsed = parse_query(query.text)
        if parsed.error:
            return SearchResult(query, (), (), (), 0, messages=(parsed.error,))
        jump = self._resolve_jump(parsed, query)
        if jump is not None:
            return SearchResult(
                query,
                tuple(t.text for t in parsed.terms),
                (),
                (),
                0,
                jump=jump,
                elapsed_ms=(time.perf_counter() - started) * 1000,
            )
        groups = [self._group(term, query.expand_synonyms) for term in parsed.terms]
        also = tuple(a for g in groups for a in g.alternatives)
        expressions = [g.expression() for g in groups]
        if not groups or any(e is None for e in expressions):
            return SearchResult(query, (), (), (), 0, messages=("查询中没有可查找的文字：请输入关键词。",))
        match = " AND ".join(e for e in expressions if e)
        words = tuple(w for g in groups for w in g.words())
        with self._engine.connect() as conn:
            hits, total, per_law = self._run(conn.connection.driver_connection, match, groups, words, query)
        suggestion = ""
        if per_law:
            suggestion = (
                f"“{query.text.strip()}”出现在 {len(per_law)} 部法规的 {total} 条条文中。"
                "请再加一个词缩小范围（如违法行为、场所或法规名称），或在左侧按法规查看。"
            )
        return SearchResult(
            query=query,
            terms=tuple(t.text for t in parsed.terms),
            also_searched=also,
            hits=tuple(hits),
            total_articles=total,
            per_law=tuple(per_law),
            suggestion=suggestion,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def _group(self, term: Term, expand: bool) -> _Group:
        if term.quoted or not expand:
            return _Group(term, ())
        alternatives = self._synonyms.get(term.text, ())
        return _Group(term, tuple(a for a in alternatives if a != term.text))

    # ---------------------------------------------------------------- jumps

    def _resolve_jump(self, parsed: ParsedQuery, query: SearchQuery) -> ArticleText | None:
        if parsed.jump is None:
            return None
        jump = parsed.jump
        if jump.law_name is None:
            if not query.within_law:
                return None
            laws = (
                [law]
                if (law := self._lookup.law(query.within_law))
                else self._lookup.find_laws(query.within_law)
            )
        else:
            laws = self._lookup.find_laws(jump.law_name)
        for law in laws:
            version = self._best_version(self._lookup.versions(law.law_id), query.at)
            if version is not None:
                article = self._lookup.article(version.version_id, jump.article)
                if article is not None:
                    return article
        return None

    @staticmethod
    def _best_version(versions: list[VersionRef], at: dt.date | None) -> VersionRef | None:
        if not versions:
            return None
        if at is not None:
            in_force = [v for v in versions if v.in_force_on(at)]
            if in_force:
                return in_force[-1]
            earlier = [v for v in versions if (v.effective_date or v.version_date or dt.date.min) <= at]
            return earlier[-1] if earlier else versions[0]
        return versions[-1]

    # ---------------------------------------------------------------- search

    def _version_filter(self, query: SearchQuery) -> tuple[str, list[Any]]:
        """A condition on article_keys.version_no for the query's filters ('' when none)."""
        clauses: list[str] = []
        params: list[Any] = []
        if query.levels:
            clauses.append(f"l.level IN ({','.join('?' * len(query.levels))})")
            params.extend(level.value for level in query.levels)
        if query.region:
            clauses.append("l.region = ?")
            params.append(query.region)
        if query.category:
            clauses.append("l.category = ?")
            params.append(query.category)
        if query.statuses:
            clauses.append(f"v.status IN ({','.join('?' * len(query.statuses))})")
            params.extend(s.value for s in query.statuses)
        if query.at is not None:
            day = query.at.isoformat()
            clauses.append(
                "COALESCE(v.effective_date, v.version_date, '0000') <= ? "
                "AND (v.superseded_on IS NULL OR v.superseded_on > ?) "
                "AND (v.repealed_on IS NULL OR v.repealed_on > ?) "
                "AND NOT (v.status = '已废止' AND v.repealed_on IS NULL)"
            )
            params.extend([day, day, day])
        if not clauses:
            return "", []
        return (
            " AND k.version_no IN (SELECT v.no FROM law_versions v JOIN laws l ON l.id = v.law_id WHERE "
            + " AND ".join(clauses)
            + ")",
            params,
        )

    def _title_laws(self, raw: Any, words: Sequence[str]) -> set[int]:
        found: set[int] = set()
        for word in words:
            pieces = runs(word)
            if not pieces:
                continue
            where = " AND ".join("instr(lower(title), ?) > 0" for _ in pieces)
            found.update(int(r[0]) for r in raw.execute(f"SELECT no FROM laws WHERE {where}", pieces))
        return found

    def _run(
        self,
        raw: Any,
        match: str,
        groups: list[_Group],
        words: tuple[str, ...],
        query: SearchQuery,
    ) -> tuple[list[SearchHit], int, list[LawHitCount]]:
        version_filter, params = self._version_filter(query)
        title_laws = self._title_laws(raw, [g.term.text for g in groups])
        title_case = (
            f"CASE WHEN k.law_no IN ({','.join(str(n) for n in sorted(title_laws))}) THEN 0 ELSE 1 END"
            if title_laws
            else "1"
        )
        matches = int(
            raw.execute("SELECT count(*) FROM article_fts WHERE article_fts MATCH ?", (match,)).fetchone()[0]
        )
        # bm25 costs a few microseconds a match: for very common terms rank ties by length instead.
        relevance = "bm25(article_fts)" if matches <= BM25_MAX_MATCHES else "0"
        # Each article once: from the latest version of each law, or (with a date) from the version
        # in force that day. Asked for all versions, historical ones follow the current ones.
        tier = " AND k.srank % 4 < 2" if query.at is None and not query.all_versions else ""
        base = (
            f"WITH m AS MATERIALIZED (SELECT rowid AS id, {relevance} AS score FROM article_fts "
            "WHERE article_fts MATCH ?), "
            f"c AS (SELECT k.id, k.law_no, k.version_no, k.number, k.suffix, k.srank, "
            f"{title_case} AS tm, k.size, m.score FROM m JOIN article_keys k ON k.id = m.id "
            f"WHERE 1 = 1{tier}{version_filter}) "
        )
        base_params: list[Any] = [match, *params]
        limit = max(1, min(query.limit, 200))
        rows = raw.execute(
            base + "SELECT id, version_no, number, suffix, law_no, score, tm, count(*) OVER () FROM c "
            "ORDER BY tm, srank, score, size, id LIMIT ?",
            [*base_params, limit],
        ).fetchall()
        total = int(rows[0][7]) if rows else 0
        per_law: list[LawHitCount] = []
        if total > COMMON_TERM_ARTICLES:
            counts = raw.execute(
                base + "SELECT law_no, MIN(version_no), count(*) AS n FROM c "
                "GROUP BY law_no ORDER BY MIN(tm), MIN(srank), n DESC LIMIT 50",
                base_params,
            ).fetchall()
            per_law = self._law_counts(raw, counts)
        return self._hits(raw, rows, words), total, per_law

    def _law_counts(self, raw: Any, rows: list[Any]) -> list[LawHitCount]:
        if not rows:
            return []
        laws = self._laws(raw, [int(r[0]) for r in rows])
        versions = self._versions(raw, [int(r[1]) for r in rows])
        return [LawHitCount(laws[int(r[0])], versions[int(r[1])], int(r[2])) for r in rows]

    def _laws(self, raw: Any, numbers: list[int]) -> dict[int, LawRef]:
        unique = sorted(set(numbers))
        rows = raw.execute(
            f"SELECT l.no, {LAW_COLUMNS} FROM laws l WHERE l.no IN ({','.join('?' * len(unique))})", unique
        ).fetchall()
        return {int(r[0]): law_ref(r[1:]) for r in rows}

    def _versions(self, raw: Any, numbers: list[int]) -> dict[int, VersionRef]:
        unique = sorted(set(numbers))
        rows = raw.execute(
            f"SELECT v.no, {VERSION_COLUMNS} FROM law_versions v JOIN laws l ON l.id = v.law_id "
            f"WHERE v.no IN ({','.join('?' * len(unique))})",
            unique,
        ).fetchall()
        return {int(r[0]): version_ref(r[1:]) for r in rows}

    def _hits(self, raw: Any, rows: list[Any], words: tuple[str, ...]) -> list[SearchHit]:
        if not rows:
            return []
        ids = [int(r[0]) for r in rows]
        texts = {
            int(r[0]): (str(r[1]), str(r[2]))
            for r in raw.execute(
                f"SELECT id, path, text FROM articles WHERE id IN ({','.join('?' * len(ids))})", ids
            )
        }
        laws = self._laws(raw, [int(r[4]) for r in rows])
        versions = self._versions(raw, [int(r[1]) for r in rows])
        hits = []
        for row in rows:
            path, text = texts[int(row[0])]
            hits.append(
                SearchHit(
                    law=laws[int(row[4])],
                    version=versions[int(row[1])],
                    article=ArticleNumber(int(row[2]), int(row[3])),
                    path=tuple(p for p in path.split(" / ") if p),
                    snippet=highlight(text, words),
                    score=float(row[5]),
                    title_match=int(row[6]) == 0,
                )
            )
        return hits
