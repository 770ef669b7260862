#!/usr/bin/env python3
"""Statute library on the full shared corpus: import time, search latency, recall, index size.

    .venv/bin/python bench/laws.py [--corpus ../shared/corpus/laws] [--runs 5]

In one run it
- imports the corpus into a fresh data directory (time, counts, unparsed fragments);
- runs 45 realistic officer queries (a third of one or two characters) through the
  service, several times each, and prints p50/p95 of the latency;
- checks recall against a plain substring scan of every article of the latest versions
  (the default search scope), with synonyms off: it must be 100%;
- times a naive SQL LIKE scan for the same queries and prints the speed-up (goal >= 20x);
- prints the full-text index size against the raw corpus size (goal <= 2.5x).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from workstation.app import build_core
from workstation.domain.statutes import SearchQuery
from workstation.library.bigrams import normalise, runs, term_expression
from workstation.paths import prepare_data_dir

ROOT = Path(__file__).resolve().parent.parent

QUERIES = [
    # one or two characters (15)
    "罚款",
    "拆",
    "噪声",
    "扣押",
    "查封",
    "听证",
    "油烟",
    "渣土",
    "犬",
    "焚烧",
    "广告",
    "摊贩",
    "警告",
    "吊销",
    "没收",
    # officers' everyday terms and statutory phrases (30)
    "占道经营",
    "首违不罚",
    "违建",
    "责令改正 罚款",
    "消防车通道",
    "未取得建设工程规划许可证",
    "露天焚烧秸秆",
    "食品生产加工小作坊",
    "户外广告设施",
    "建筑垃圾",
    "河道采砂",
    "燃放烟花爆竹",
    "社会生活噪声",
    "占用耕地建住宅",
    "餐饮服务业经营者",
    "违法所得",
    "滞纳金",
    "送达",
    "行政复议",
    "乡、镇人民政府",
    "限期拆除",
    "强制执行",
    "当场收缴",
    "先行登记保存",
    "乡村建设规划许可证",
    "随地吐痰",
    "养犬",
    "施工扬尘",
    "行政处罚法 33",
    "处罚法第三十三条",
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "laws")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    corpus: Path = args.corpus
    if not corpus.is_dir():
        print(f"corpus not found: {corpus}", file=sys.stderr)
        return 1
    raw_bytes = sum(p.stat().st_size for p in corpus.rglob("*.md"))

    with tempfile.TemporaryDirectory(prefix="bench-laws-") as tmp:
        core = build_core(prepare_data_dir(Path(tmp) / "data"))
        try:
            started = time.perf_counter()
            report = core.statutes.import_laws(corpus).value
            import_s = time.perf_counter() - started
            print(
                f"import             {import_s:.1f} s  ({report.files} files, {report.articles} articles, "
                f"{report.annexes} annexes, {len(report.problems)} unparsed fragments)"
            )
            service = core.statutes
            for query in QUERIES:  # warm caches once
                service.search(SearchQuery(query))
            samples: list[float] = []
            per_query: dict[str, float] = {}
            for query in QUERIES:
                times = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    service.search(SearchQuery(query))
                    times.append((time.perf_counter() - t) * 1000)
                samples.extend(times)
                per_query[query] = statistics.median(times)
            short = sum(1 for q in QUERIES if len(q) <= 2)
            print(
                f"queries            {len(QUERIES)} ({short} of one or two characters), {args.runs} runs each"
            )
            print(f"search p50         {percentile(samples, 50):.2f} ms")
            print(f"search p95         {percentile(samples, 95):.2f} ms  (goal <= 8 ms)")
            slowest = sorted(per_query.items(), key=lambda kv: kv[1], reverse=True)[:3]
            print("slowest            " + ", ".join(f"{q} {ms:.1f} ms" for q, ms in slowest))

            db = sqlite3.connect(core.database.path)
            latest = (
                "SELECT a.id, a.text FROM articles a JOIN law_versions v ON v.id = a.version_id "
                "JOIN index_blocks b ON b.version_no = v.no WHERE b.tier < 2"
            )
            texts = db.execute(latest).fetchall()
            historical = db.execute("SELECT min(block_no) FROM index_blocks WHERE tier >= 2").fetchone()[0]
            bound = (historical << 16) if historical else 1 << 62
            normalised = [(i, normalise(t)) for i, t in texts]
            recall_ok = True
            like_times: list[float] = []
            fts_times: list[float] = []
            for query in QUERIES:
                if any(ch.isdigit() for ch in query) and "法" in query:
                    continue  # direct jumps are not text searches
                pieces = runs(query)
                expected = {i for i, t in normalised if all(p in t for p in pieces)}
                expr = " AND ".join(e for e in (term_expression(w) for w in query.split()) if e)
                t = time.perf_counter()
                got = {
                    r[0]
                    for r in db.execute(
                        "SELECT k.article_id FROM article_fts f JOIN article_keys k ON k.id = f.rowid "
                        "WHERE article_fts MATCH ? AND f.rowid < ?",
                        (expr, bound),
                    )
                }
                fts_times.append((time.perf_counter() - t) * 1000)
                if got != expected:
                    recall_ok = False
                    missing = len(expected - got)
                    extra = len(got - expected)
                    print(f"  recall mismatch for {query!r}: {missing} missing, {extra} extra")
                like = " AND ".join("a.text LIKE ?" for _ in pieces)
                t = time.perf_counter()
                db.execute(
                    "SELECT a.id FROM articles a JOIN law_versions v ON v.id = a.version_id "
                    "JOIN index_blocks b ON b.version_no = v.no "
                    f"WHERE {like} AND b.tier < 2 ORDER BY b.block_no, a.seq LIMIT 20",
                    [f"%{p}%" for p in pieces],
                ).fetchall()
                like_times.append((time.perf_counter() - t) * 1000)
            print(
                f"recall             {'100% on every query' if recall_ok else 'NOT 100% (see above)'} "
                f"against a substring scan of {len(texts)} articles"
            )
            like_p50 = statistics.median(like_times)
            search_p50 = percentile(samples, 50)
            print(
                f"naive LIKE p50     {like_p50:.1f} ms  -> search is {like_p50 / search_p50:.0f}x faster "
                "(goal >= 20x)"
            )
            index_bytes = sum(
                r[0] or 0
                for r in db.execute(
                    "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'article_fts%' "
                    "OR name IN ('article_keys', 'index_blocks')"
                )
            )
            print(
                f"index size         {index_bytes / 1e6:.1f} MB vs raw corpus {raw_bytes / 1e6:.1f} MB "
                f"= {index_bytes / raw_bytes:.2f}x (goal <= 2.5x)"
            )
            db.close()
        finally:
            core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
