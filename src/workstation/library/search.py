"""StatuteIndex over SQLite FTS5 with bigram tokens (library/bigrams.py).

Ranking: a match in the law's title first, versions in force (or the latest) before
historical ones, higher-level law before lower, then bm25 relevance. The same article
is shown once, from its best version, unless all versions are asked for. A very common
term returns hit counts per law and a suggestion to narrow the query.
"""

from __future__ import annotations

import bisect
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
BM25_MAX_MATCHES = 500
SNIPPET_CHARS = 90
#: Characters of context shown before the first match.
SNIPPET_LEAD = 12
#: At most this many laws whose title matches are ranked first.
MAX_TITLE_LAWS = 10


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
    begin = max(0, first - SNIPPET_LEAD)
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
        self._cached: _IndexFacts | None = None

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
            hits, total, per_law, law_total = self._run(
                conn.connection.driver_connection, match, groups, words, query
            )
        suggestion = ""
        if per_law:
            suggestion = (
                f"“{query.text.strip()}”出现在 {law_total} 部法规的 {total} 条条文中。"
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

    # ---------------------------------------------------------------- index facts

    def _facts(self, raw: Any) -> _IndexFacts:
        row = raw.execute("SELECT value FROM library_meta WHERE key = 'index_generation'").fetchone()
        generation = int(row[0]) if row else 0
        cached = self._cached
        if cached is not None and cached.generation == generation:
            return cached
        blocks = {
            int(r[0]): _Block(int(r[1]), int(r[2]), int(r[3]), int(r[4]))
            for r in raw.execute("SELECT block_no, version_no, law_no, tier, level_rank FROM index_blocks")
        }
        historical = [b for b, info in blocks.items() if info.tier >= 2]
        law_blocks: dict[int, list[int]] = {}
        for number, info in sorted(blocks.items()):
            law_blocks.setdefault(info.law_no, []).append(number)
        titles = [(int(r[0]), normalise(str(r[1]))) for r in raw.execute("SELECT no, title FROM laws")]
        facts = _IndexFacts.build(
            generation, blocks, (min(historical) << 16) if historical else 1 << 62, law_blocks, titles
        )
        self._cached = facts
        return facts

    def _allowed_blocks(self, raw: Any, facts: _IndexFacts, query: SearchQuery) -> set[int] | None:
        """Blocks passing the query's filters; None when nothing is filtered."""
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
            return None
        versions = {
            int(r[0])
            for r in raw.execute(
                "SELECT v.no FROM law_versions v JOIN laws l ON l.id = v.law_id WHERE "
                + " AND ".join(clauses),
                params,
            )
        }
        return {b for b, info in facts.blocks.items() if info.version_no in versions}

    def _run(
        self,
        raw: Any,
        match: str,
        groups: list[_Group],
        words: tuple[str, ...],
        query: SearchQuery,
    ) -> tuple[list[SearchHit], int, list[LawHitCount], int]:
        """Hits, matching articles, hits per law (very common terms only), and matching laws."""
        facts = self._facts(raw)
        allowed = self._allowed_blocks(raw, facts, query)
        # Each article once: by default only the latest version of each law (blocks of tier 0 and 1
        # come first in rowid order); with a date, the version in force that day; all versions on request.
        bound = facts.latest_end if query.at is None and not query.all_versions else 1 << 62
        where = "article_fts MATCH ? AND rowid < ?"
        params: list[Any] = [match, bound]
        if allowed is not None:
            if not allowed:
                return [], 0, [], 0
            where += f" AND (rowid >> 16) IN ({','.join(str(b) for b in sorted(allowed))})"
        # Laws whose title contains the first term (a handful at most get the title boost).
        title_laws = facts.laws_with_title_containing(runs(groups[0].term.text) if groups else [])
        if len(title_laws) > MAX_TITLE_LAWS:
            title_laws = set(
                sorted(title_laws, key=lambda n: facts.law_blocks.get(n, [1 << 40])[0])[:MAX_TITLE_LAWS]
            )
        # Count up to BM25_MAX_MATCHES + 1 only (cheap); count everything only for common terms.
        total = int(
            raw.execute(
                f"SELECT count(*) FROM (SELECT rowid FROM article_fts WHERE {where} LIMIT ?)",
                [*params, BM25_MAX_MATCHES + 1],
            ).fetchone()[0]
        )
        if total > BM25_MAX_MATCHES:
            total = int(raw.execute(f"SELECT count(*) FROM article_fts WHERE {where}", params).fetchone()[0])
        limit = max(1, min(query.limit, 200))
        if total == 0:
            return [], 0, [], 0
        if total <= BM25_MAX_MATCHES:
            scored = raw.execute(
                f"SELECT rowid, bm25(article_fts) FROM article_fts WHERE {where}", params
            ).fetchall()

            def key(row: Any) -> tuple[int, int, int, float, int]:
                info = facts.blocks[row[0] >> 16]
                return (0 if info.law_no in title_laws else 1, info.tier, info.level_rank, row[1], row[0])

            chosen = [(int(r[0]), float(r[1])) for r in sorted(scored, key=key)[:limit]]
        else:
            # Very many matches: rank by index order (tier, level, law) without bm25.
            chosen = []
            seen: set[int] = set()
            for law_no in sorted(title_laws, key=lambda n: facts.law_blocks.get(n, [1 << 40])[0]):
                for block in facts.law_blocks.get(law_no, []):
                    if len(chosen) >= limit:
                        break
                    lo, hi = block << 16, (block << 16) | 0xFFFF
                    for (rowid,) in raw.execute(
                        f"SELECT rowid FROM article_fts WHERE {where} AND rowid BETWEEN ? AND ? "
                        "ORDER BY rowid LIMIT ?",
                        [*params, lo, hi, limit - len(chosen)],
                    ):
                        chosen.append((int(rowid), 0.0))
                        seen.add(int(rowid))
            if len(chosen) < limit:
                for (rowid,) in raw.execute(
                    f"SELECT rowid FROM article_fts WHERE {where} ORDER BY rowid LIMIT ?",
                    [*params, limit + len(seen)],
                ):
                    if int(rowid) not in seen and len(chosen) < limit:
                        chosen.append((int(rowid), 0.0))
        per_law: list[LawHitCount] = []
        law_total = 0
        if total > COMMON_TERM_ARTICLES:
            counts: dict[int, int] = {}
            first_block: dict[int, int] = {}
            for block, n in raw.execute(
                f"SELECT rowid >> 16, count(*) FROM article_fts WHERE {where} GROUP BY 1", params
            ):
                info = facts.blocks[int(block)]
                counts[info.law_no] = counts.get(info.law_no, 0) + int(n)
                first_block.setdefault(info.law_no, int(block))
            law_total = len(counts)
            ranked = sorted(
                counts,
                key=lambda law_no: (
                    0 if law_no in title_laws else 1,
                    facts.blocks[first_block[law_no]].tier,
                    facts.blocks[first_block[law_no]].level_rank,
                    -counts[law_no],
                ),
            )[:50]
            per_law = self._law_counts(
                raw, [(n, facts.blocks[first_block[n]].version_no, counts[n]) for n in ranked]
            )
        return self._hits(raw, facts, chosen, title_laws, words), total, per_law, law_total

    def _law_counts(self, raw: Any, rows: list[tuple[int, int, int]]) -> list[LawHitCount]:
        if not rows:
            return []
        laws = self._laws(raw, [r[0] for r in rows])
        versions = self._versions(raw, [r[1] for r in rows])
        return [LawHitCount(laws[r[0]], versions[r[1]], r[2]) for r in rows]

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

    def _hits(
        self,
        raw: Any,
        facts: _IndexFacts,
        chosen: list[tuple[int, float]],
        title_laws: set[int],
        words: tuple[str, ...],
    ) -> list[SearchHit]:
        if not chosen:
            return []
        rowids = [rowid for rowid, _ in chosen]
        texts = {
            int(r[0]): (int(r[1]), int(r[2]), str(r[3]), str(r[4]))
            for r in raw.execute(
                "SELECT k.id, a.number, a.suffix, a.path, a.text FROM article_keys k "
                f"JOIN articles a ON a.id = k.article_id WHERE k.id IN ({','.join('?' * len(rowids))})",
                rowids,
            )
        }
        infos = [facts.blocks[rowid >> 16] for rowid in rowids]
        laws = self._laws(raw, [i.law_no for i in infos])
        versions = self._versions(raw, [i.version_no for i in infos])
        hits = []
        for (rowid, score), info in zip(chosen, infos, strict=True):
            number, suffix, path, text = texts[rowid]
            hits.append(
                SearchHit(
                    law=laws[info.law_no],
                    version=versions[info.version_no],
                    article=ArticleNumber(number, suffix),
                    path=tuple(p for p in path.split(" / ") if p),
                    snippet=highlight(text, words),
                    score=score,
                    title_match=info.law_no in title_laws,
                )
            )
        return hits


@dataclass(frozen=True, slots=True)
class _Block:
    version_no: int
    law_no: int
    tier: int
    level_rank: int


@dataclass(frozen=True, slots=True)
class _IndexFacts:
    """What the search keeps in memory about the index (reloaded when it is rebuilt)."""

    generation: int
    blocks: dict[int, _Block]
    latest_end: int
    law_blocks: dict[int, list[int]]
    titles: list[tuple[int, str]]
    #: All normalised titles joined by NUL, with each title's start offset and law number.
    joined: str = ""
    starts: tuple[int, ...] = ()
    numbers: tuple[int, ...] = ()

    @classmethod
    def build(
        cls,
        generation: int,
        blocks: dict[int, _Block],
        latest_end: int,
        law_blocks: dict[int, list[int]],
        titles: list[tuple[int, str]],
    ) -> _IndexFacts:
        starts = []
        offset = 0
        for _, title in titles:
            starts.append(offset)
            offset += len(title) + 1
        return cls(
            generation,
            blocks,
            latest_end,
            law_blocks,
            titles,
            "\x00".join(t for _, t in titles),
            tuple(starts),
            tuple(n for n, _ in titles),
        )

    def laws_with_title_containing(self, pieces: Sequence[str]) -> set[int]:
        """Laws whose (normalised) title contains every piece: one C-level scan per piece."""
        found: set[int] | None = None
        for piece in pieces:
            here = set()
            start = self.joined.find(piece)
            while start != -1:
                here.add(self.numbers[bisect.bisect_right(self.starts, start) - 1])
                start = self.joined.find(piece, start + 1)
            found = here if found is None else found & here
            if not found:
                return set()
        return found or set()
