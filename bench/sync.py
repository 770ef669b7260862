#!/usr/bin/env python3
"""Sync with the central server over loopback: push, statute pack, no-op sync, memory.

    .venv/bin/python bench/sync.py [--cases 10000] [--events-per-case 5] [--attachments 1000]
                                   [--attachment-mb 1] [--statutes 0] [--runs 7] [--keep DIR]

The server is a separate process (``workstation-central serve`` on 127.0.0.1 over a
temporary SQLite file, seeded with the classroom township), so client and server do not
share a GIL. The client is a real data directory made by the app's ``build_core`` (demo
office seeded) and the real engine (``SyncEngine`` over ``CentralV1Gateway``).

The local cases: one through the CaseService (created and filed), the rest copies of it
written in one transaction of the persistence layer, their events appended through
``SqlCaseEventStore`` so the outbox hook queues them exactly as the app does. The first
``--attachments`` cases also get evidence with a distinct file of ``--attachment-mb`` MiB
(its event is one of the case's events). The statute pack is the real corpus
(``../shared/corpus/laws``) parsed by the app's Markdown parser, one ``statutes`` item per
law file, each a whole statute pack of that one law (library/pack.py: ``format``, ``version``,
``laws``, as the client's importer reads it; ``--statutes N`` takes the first N files, 0 all
of them; the few files the parser finds neither article nor annex in are left out, as the
client refuses such a pack whole), written through the server's seed code before it starts.

Each measured step runs in a child process, which reports its wall time and its peak
resident set (``VmHWM``, else ``ru_maxrss``; ``--tracemalloc`` adds the Python heap peak, and
slows the step):

- push: the engine's ``run_once`` over the whole outbox (upserts, event batches,
  attachments, pull of what it pushed, read-back check), the engine built without the app's
  sync steps so that it measures the push lane alone, against a naive client over the
  same data dir to a second server started from the same database: one request per record
  (each case PUT, each event POSTed alone, each file in one chunk);
- statute pack: the whole ``statutes`` feed read through the engine's gateway in pages of 500
  (the server's largest, as the engine reads feeds) against one request per item (its import
  into the local library is bench/laws.py's subject);
- first sync after the push: the engine now built with the app's sync steps
  (``Core._sync_steps``: reference feeds, 公示, anchors, task acks, evidence files, number
  blocks), its first ``run_once`` after the push, which does real work: it imports the statute
  packs through the app's importer and anchors every case head (500 per request); reported
  on its own line with the anchors and reference items it took;
- no-op sync: the median of ``--runs`` further runs of ``run_once`` of that engine (with the
  app's steps, as the app syncs) with nothing to do (goal <= 100 ms) against a naive client
  that keeps no cursors (re-reads the changes feed);
- memory: the children's peak resident set size.

Ratios are engine / baseline (below 1 is better).

Figures of the last run (2026-11-26), full scale (the defaults: 10,000 cases, 49,997
events, 1,000 files of 1 MiB, 2,581 statute packs of 51.6 MiB), 51.0 min in all (26 of them
building the client data, partly beside a CI run). 2 CPUs::

    figure                       engine   baseline   ratio
    push (s)                      408.4      834.3   0.489   (62,997 baseline requests)
    first sync after push (s)     124.6          -       -   2,581 packs imported, 10,000 anchors
    statute pack (s)                7.3       53.9   0.136
    no-op sync (ms)                29.8     2538.9   0.012   min 28.3, max 31.3; goal <= 100 ms
    push peak RSS (MiB)           100.8       83.0   1.214
    statutes peak RSS (MiB)       161.5       69.7   2.316

The run before (same day, full scale) measured the no-op without the app's steps and missed
the goal: 131.5 ms (122–143), the steps after the pull reading whole tables and every feed
asked for in every run; push 403.0 vs 820.5 s, statute pack 8.1 vs 57.8 s. At one fifth
(2,000 cases): push 85.7 vs 154.4 s, no-op 51.6 ms. docs/SYNC.md "Speed" discusses them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workstation import __version__  # noqa: E402
from workstation.app import Core, build_core  # noqa: E402
from workstation.domain.cases import CaseKind, CaseSource  # noqa: E402
from workstation.domain.record import CaseEvent, FieldChange, append, canonical_json  # noqa: E402
from workstation.paths import prepare_data_dir  # noqa: E402
from workstation.persistence.case_events import SqlCaseEventStore  # noqa: E402
from workstation.persistence.models import CaseRow, EvidenceRow  # noqa: E402
from workstation.persistence.sync_store import SqlSyncStore, event_body  # noqa: E402
from workstation.services.cases import NewCaseSpec  # noqa: E402
from workstation.sync.central_v1 import CentralV1Gateway  # noqa: E402
from workstation.sync.engine import SyncEngine  # noqa: E402
from workstation.sync.lock import SyncLock  # noqa: E402

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
PARTY = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）
USERNAME, PASSWORD = "zhangsan", "classroom-2026"
ADMIN_TOKEN = "bench-admin-token"
MiB = 1024 * 1024
CORPUS = ROOT.parent / "shared" / "corpus" / "laws"


# ---------------------------------------------------------------- the server


def build_server_db(db_path: Path, statutes: int, corpus: Path) -> int:
    """The central database: classroom township and the statute pack; the items written."""
    from workstation.library.markdown import decode_law_file, level_for_path, parse_markdown
    from workstation.library.pack import PACK_FORMAT, PACK_VERSION, law_to_pack_entry
    from workstation.library.sources import iter_law_files
    from workstation_central.config import Settings
    from workstation_central.schemas import ReferenceIn
    from workstation_central.seed import seed
    from workstation_central.service import CentralService
    from workstation_central.store import Database

    settings = Settings(db_url=f"sqlite:///{db_path}", storage_dir=db_path.with_suffix(".files"))
    db = Database(settings.db_url)
    db.open(settings.clock())
    written = 0
    try:
        service = CentralService(db, settings)
        seed(service)
        if corpus.is_dir():
            for file in iter_law_files(corpus):
                if statutes and written >= statutes:
                    break
                text_, _ = decode_law_file(file.data)
                level, category, region = level_for_path(file.relative_path)
                law = parse_markdown(text_, file.relative_path, category=category, region=region, level=level)
                if not law.articles and not law.annexes:
                    continue  # a pack without text is refused by the client (steps.import_statute_pack)
                item_id = "law:" + hashlib.sha256(file.relative_path.encode()).hexdigest()[:32]
                pack = {"format": PACK_FORMAT, "version": PACK_VERSION, "laws": [law_to_pack_entry(law)]}
                service.put_reference("statutes", item_id, ReferenceIn(payload=pack))
                written += 1
    finally:
        db.dispose()
    return written


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(db_path: Path, log: Path) -> Iterator[str]:
    """``workstation-central serve`` over ``db_path`` in its own process; its base URL."""
    port = free_port()
    exe = Path(sys.executable).parent / "workstation-central"
    argv = [str(exe), "serve", "--db", f"sqlite:///{db_path}", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--admin-token", ADMIN_TOKEN, "--access-ttl", "86400"]
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{url}/v1/handshake", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the central server did not start; see {log}")
                time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


# ---------------------------------------------------------------- the client's data


def build_client(
    data: Path, cases: int, per_case: int, attachments: int, attachment_mb: float
) -> dict[str, int]:
    """A data dir with ``cases`` synced cases of ``per_case`` events, the outbox filled by the app."""
    core = build_core(prepare_data_dir(data))
    try:
        core.office.seed_demo()
        spec = NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title="占道经营",
            source=CaseSource.PATROL,
            opened_on=dt.date(2026, 3, 3),
            actor_id=LEAD,
            party_ids=(PARTY,),
            officer_ids=(LEAD, SECOND),
            data={"location": "榕溪镇中心街 18 号", "area": "约 12 平方米"},
        )
        template = core.cases.new_case(spec).value.case.id
        core.cases.act(template, "file", {"act_date": "2026-03-04"}, LEAD, dt.date(2026, 3, 4))
        _copy_cases(core, template, cases - _synced_cases(core), per_case, attachments, attachment_mb)
        with core.database.engine.connect() as conn:
            counts = dict(
                conn.execute(text("SELECT operation, count(*) FROM sync_outbox GROUP BY operation")).all()
            )
            counts["cases"] = _synced_cases(core)
            counts["files"] = conn.execute(
                text("SELECT count(*) FROM evidence WHERE attachment_id IS NOT NULL")
            ).scalar_one()
        return counts
    finally:
        core.close()


def _synced_cases(core: Core) -> int:
    with core.database.engine.connect() as conn:
        found: int = conn.execute(
            select(text("count(*)")).select_from(CaseRow).where(CaseRow.is_training.is_(False))
        ).scalar_one()
        return found


def _copy_cases(
    core: Core, template: str, count: int, per_case: int, attachments: int, attachment_mb: float
) -> None:
    engine = core.database.engine
    events = SqlCaseEventStore(engine)
    shape = events.events(template)
    files = []
    size = int(attachment_mb * MiB)
    store = core._attachments()  # the app's content-addressed store
    for n in range(min(attachments, count)):
        seed = hashlib.sha256(f"bench-file-{n}".encode()).digest()
        data = (seed * (size // len(seed) + 1))[:size]
        files.append(store.put(data, "image/jpeg", f"现场照片{n + 1}.jpg"))
    with engine.begin() as conn:
        row = dict(conn.execute(select(CaseRow.__table__).where(CaseRow.id == template)).mappings().one())
        parties = conn.execute(
            text("SELECT party_id, role FROM case_parties WHERE case_id = :c"), {"c": template}
        ).all()
        officers = conn.execute(
            text("SELECT officer_id, role FROM case_officers WHERE case_id = :c"), {"c": template}
        ).all()
        number = row["case_number"] or ""
        stem = number.split("第")[0] if "第" in number else "榕溪镇罚立字〔2026〕"
        for n in range(count):
            case_id = str(uuid.uuid4())
            conn.execute(
                insert(CaseRow).values(
                    {
                        **row,
                        "id": case_id,
                        "case_number": f"{stem}第{n + 1000}号",
                        "title": f"占道经营（{n + 1}）",
                    }
                )
            )
            for party_id, role in parties:
                conn.execute(
                    text("INSERT INTO case_parties (case_id, party_id, role) VALUES (:c, :p, :r)"),
                    {"c": case_id, "p": party_id, "r": role},
                )
            for officer_id, role in officers:
                conn.execute(
                    text("INSERT INTO case_officers (case_id, officer_id, role) VALUES (:c, :o, :r)"),
                    {"c": case_id, "o": officer_id, "r": role},
                )
            when = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
            head: CaseEvent | None = None
            for k in range(per_case):
                model = shape[k % len(shape)]
                action, changes, payload = model.action, model.changes, dict(model.payload)
                if k >= len(shape):
                    action = "add_note"
                if k == per_case - 1 and n < len(files):
                    stored = files[n]
                    evidence_id = str(uuid.uuid4())
                    conn.execute(
                        insert(EvidenceRow).values(
                            id=evidence_id,
                            case_id=case_id,
                            kind="photo",
                            title="现场照片",
                            description="占道经营现场",
                            collected_at=when.replace(tzinfo=None),
                            collected_by=LEAD,
                            attachment_id=stored.id,
                            created_at=when.replace(tzinfo=None),
                        )
                    )
                    action = "add_evidence"
                    changes = (FieldChange("evidence.sha256", None, stored.sha256),)
                    payload = {"evidence_id": evidence_id, "original_name": stored.original_name}
                head = append(
                    head,
                    case_id=case_id,
                    actor_id=model.actor_id,
                    actor_role=model.actor_role,
                    action=action,
                    occurred_at=when + dt.timedelta(minutes=k),
                    changes=changes,
                    payload=payload,
                )
                events.append(conn, head)  # the app's choke point: the outbox hook queues it


# ---------------------------------------------------------------- the measured steps (children)


def _open(data: Path) -> tuple[Core, SqlSyncStore]:
    core = build_core(prepare_data_dir(data))
    return core, SqlSyncStore(core.database.engine, core.paths.root)


def _gateway(url: str, store: SqlSyncStore) -> CentralV1Gateway:
    gateway = CentralV1Gateway(url, client_version=__version__, device_id=store.device_id())
    gateway.login(USERNAME, PASSWORD, store.device_id())
    return gateway


def _engine(
    store: SqlSyncStore, core: Core, gateway: CentralV1Gateway, *, app_steps: bool = False
) -> SyncEngine:
    """The real engine; with ``app_steps`` also the app's sync steps (``Core._sync_steps``:
    reference feeds, 公示, anchors, task acks, evidence files, number blocks), as the app runs it."""
    steps = core._sync_steps() if app_steps else None
    return SyncEngine(store, gateway, SyncLock(core.paths.sessions), sleep=lambda _s: None, steps=steps)


def step_engine_push(data: Path, url: str) -> dict[str, Any]:
    """The push lane alone: the engine without the app's sync steps (no reference feeds,
    公示, anchors, task acks or evidence files), so the figure is the outbox and its check."""
    core, store = _open(data)
    gateway = _gateway(url, store)
    try:
        start = time.perf_counter()
        report = _engine(store, core, gateway).run_once()
        seconds = time.perf_counter() - start
        return {
            "seconds": seconds,
            "ok": report.ok,
            "report": report.as_dict() | {"verified": report.verified},
        }
    finally:
        gateway.close()
        core.close()


def step_engine_statutes(data: Path, url: str) -> dict[str, Any]:
    core, store = _open(data)
    gateway = _gateway(url, store)
    try:
        items = 0
        size = 0

        def take(page: Any) -> None:
            nonlocal items, size
            items += len(page.items)
            size += sum(len(canonical_json(i.payload or {})) for i in page.items)

        start = time.perf_counter()
        cursor: str | None = None
        while True:  # as the engine reads a feed: pages of the server's largest size
            page = gateway.pull_reference("statutes", cursor, 500)
            take(page)
            cursor = page.next_cursor
            if not page.has_more or not page.items:
                break
        return {"seconds": time.perf_counter() - start, "items": items, "bytes": size}
    finally:
        gateway.close()
        core.close()


def step_engine_noop(data: Path, url: str, runs: int) -> dict[str, Any]:
    """The engine with the app's sync steps: its first run after the push (the statute packs
    imported, every case head anchored), timed on its own, then ``runs`` runs with nothing to do."""
    core, store = _open(data)
    gateway = _gateway(url, store)
    try:
        engine = _engine(store, core, gateway, app_steps=True)
        start = time.perf_counter()
        warm = engine.run_once()  # real work: reference feeds, anchors; also connection, caches
        warm_seconds = time.perf_counter() - start
        if not warm.ok:  # shown by ``child`` with the failure, as the push step's report is
            print(f"first sync after push not ok: {warm.as_dict()}", flush=True)
        assert warm.ok, warm.errors
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            report = engine.run_once()
            times.append((time.perf_counter() - start) * 1000)
            assert report.ok and not report.pushed, report.as_dict()
        done = warm.as_dict()
        return {
            "ms": statistics.median(times),
            "min_ms": min(times),
            "max_ms": max(times),
            "warm_seconds": warm_seconds,
            "anchored": done["anchored"],
            "reference": done["reference"],
        }
    finally:
        gateway.close()
        core.close()


class Naive:
    """The baseline client: one request per record, over one keep-alive connection."""

    def __init__(self, url: str, device_id: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60)
        response = self.http.post(
            "/v1/auth/login", json={"username": USERNAME, "password": PASSWORD, "device_id": device_id}
        )
        response.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        self.http.headers["X-Client-Version"] = __version__

    def send(self, method: str, path: str, body: bytes, ctype: str = "application/json", **kw: Any) -> Any:
        response = self.http.request(
            method, path, content=body, headers={"Content-Type": ctype, **kw.pop("headers", {})}, **kw
        )
        if response.status_code >= 300:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def feed(self, path: str, limit: int, cursor: str | None = None) -> int:
        items = 0
        while True:
            params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
            page = self.http.get(path, params=params).json()
            items += len(page["items"])
            cursor = page["next_cursor"]
            if not page["has_more"] or not page["items"]:
                return items


def step_baseline_push(data: Path, url: str) -> dict[str, Any]:
    core, store = _open(data)
    naive = Naive(url, "bench-baseline")
    events = SqlCaseEventStore(core.database.engine)
    try:
        start = time.perf_counter()
        cases = requests = 0
        with core.database.engine.connect() as conn:
            ids = list(
                conn.execute(
                    select(CaseRow.id)
                    .where(CaseRow.is_training.is_(False))
                    .order_by(CaseRow.created_at, CaseRow.id)
                ).scalars()
            )
        for case_id in ids:
            document, number = store.local_document(case_id)
            body = canonical_json({"base_version": 0, "fields": document, "case_number": number})
            naive.send("PUT", f"/v1/cases/{case_id}", body, headers={"Idempotency-Key": str(uuid.uuid4())})
            cases += 1
            requests += 1
            for event in events.events(case_id):
                wire = json.loads(event_body(event))
                del wire["case_id"]
                naive.send("POST", f"/v1/cases/{case_id}/events", canonical_json({"events": [wire]}))
                requests += 1
        files = 0
        with core.database.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT a.sha256, a.size, a.media_type, a.original_name, a.stored_path "
                    "FROM attachments a JOIN evidence e ON e.attachment_id = a.id ORDER BY e.created_at"
                )
            ).all()
        for sha256, size, media_type, name, path in rows:
            meta = {"sha256": sha256, "size": size, "filename": name, "media_type": media_type}
            upload = naive.send("POST", "/v1/attachments", canonical_json(meta))
            requests += 1
            if upload["upload_id"]:
                blob = (core.paths.root / path).read_bytes()
                naive.send(
                    "PUT",
                    f"/v1/attachments/uploads/{upload['upload_id']}",
                    blob,
                    "application/octet-stream",
                    params={"offset": 0},
                )
                naive.send("POST", f"/v1/attachments/uploads/{upload['upload_id']}/complete", b"{}")
                requests += 2
            files += 1
        return {"seconds": time.perf_counter() - start, "cases": cases, "files": files, "requests": requests}
    finally:
        naive.http.close()
        core.close()


def step_baseline_statutes(url: str) -> dict[str, Any]:
    naive = Naive(url, "bench-baseline")
    try:
        start = time.perf_counter()
        items = naive.feed("/v1/reference/statutes", 1)
        return {"seconds": time.perf_counter() - start, "items": items}
    finally:
        naive.http.close()


def step_baseline_noop(url: str, runs: int) -> dict[str, Any]:
    naive = Naive(url, "bench-baseline")
    try:
        times = []
        for _ in range(runs + 1):
            start = time.perf_counter()
            naive.http.get("/v1/handshake").raise_for_status()
            naive.feed("/v1/changes", 100)
            naive.feed("/v1/tasks", 100)
            times.append((time.perf_counter() - start) * 1000)
        return {"ms": statistics.median(times[1:])}
    finally:
        naive.http.close()


STEPS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "engine-push": lambda a: step_engine_push(a.data, a.url),
    "engine-statutes": lambda a: step_engine_statutes(a.data, a.url),
    "engine-noop": lambda a: step_engine_noop(a.data, a.url, a.runs),
    "baseline-push": lambda a: step_baseline_push(a.data, a.url),
    "baseline-statutes": lambda a: step_baseline_statutes(a.url),
    "baseline-noop": lambda a: step_baseline_noop(a.url, a.runs),
}


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM: per address space, so not the parent's before
    exec, unlike ``ru_maxrss``); ``ru_maxrss`` where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_step(args: argparse.Namespace) -> int:
    if args.tracemalloc:
        tracemalloc.start()
    out = STEPS[args.step](args)
    out["maxrss_mb"] = peak_rss_mb()
    if args.tracemalloc:
        out["heap_peak_mb"] = tracemalloc.get_traced_memory()[1] / MiB
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def child(step: str, args: argparse.Namespace, data: Path, url: str) -> dict[str, Any]:
    argv = [
        sys.executable,
        __file__,
        "--step",
        step,
        "--data",
        str(data),
        "--url",
        url,
        "--runs",
        str(args.runs),
    ]
    if args.tracemalloc:
        argv.append("--tracemalloc")
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return result
    raise SystemExit(f"step {step} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")


# ---------------------------------------------------------------- the run


def ratio(engine: float, baseline: float) -> str:
    return f"{engine / baseline:.3f}" if baseline else "-"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events-per-case", type=int, default=5)
    parser.add_argument("--attachments", type=int, default=1_000)
    parser.add_argument("--attachment-mb", type=float, default=1.0)
    parser.add_argument("--statutes", type=int, default=0, help="law files of the corpus (0: all)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tracemalloc", action="store_true", help="also the Python heap peak (slower)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it (default: a temporary one)")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        return run_step(args)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        return bench(args, args.keep)
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        return bench(args, Path(tmp))


def bench(args: argparse.Namespace, work: Path) -> int:
    total = time.perf_counter()
    t = time.perf_counter()
    items = build_server_db(work / "central.db", args.statutes, args.corpus)
    shutil.copyfile(work / "central.db", work / "baseline.db")
    print(f"server db          {items:,} statute items, seeded in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    counts = build_client(
        work / "data", args.cases, args.events_per_case, args.attachments, args.attachment_mb
    )
    print(
        f"client data        {counts['cases']:,} cases, {counts.get('event', 0):,} events queued, "
        f"{counts['files']:,} files of {args.attachment_mb:g} MiB, in {time.perf_counter() - t:.1f} s"
    )
    rows: list[tuple[str, float, float | None, str]] = []
    with serve(work / "central.db", work / "central.log") as url:
        push = child("engine-push", args, work / "data", url)
        if not push["ok"]:
            print(f"engine push not ok: {push['report']}")
        statutes = child("engine-statutes", args, work / "data", url)
        noop = child("engine-noop", args, work / "data", url)
        base_noop = child("baseline-noop", args, work / "data", url) if not args.skip_baseline else None
    base_push = base_statutes = None
    if not args.skip_baseline:
        with serve(work / "baseline.db", work / "baseline.log") as url:
            base_push = child("baseline-push", args, work / "data", url)
            base_statutes = child("baseline-statutes", args, work / "data", url)
    rep = push["report"]
    print(
        f"engine push        {push['seconds']:8.1f} s   {rep['pushed_cases']:,} cases, "
        f"{rep['pushed_events']:,} events, {rep['attachments']:,} files, {rep['verified']:,} verified"
    )
    print(
        f"first sync after push {noop['warm_seconds']:5.1f} s   (anchored {noop['anchored']:,}, "
        f"reference items {noop['reference']:,})"
    )
    rows.append(("push (s)", push["seconds"], base_push["seconds"] if base_push else None, ""))
    rows.append(
        (
            "statute pack (s)",
            statutes["seconds"],
            base_statutes["seconds"] if base_statutes else None,
            f"{statutes['items']:,} items, {statutes['bytes'] / MiB:.1f} MiB",
        )
    )
    rows.append(
        (
            "no-op sync (ms)",
            noop["ms"],
            base_noop["ms"] if base_noop else None,
            f"min {noop['min_ms']:.1f}, max {noop['max_ms']:.1f}; goal <= 100 ms",
        )
    )
    rows.append(("push peak RSS (MiB)", push["maxrss_mb"], base_push["maxrss_mb"] if base_push else None, ""))
    rows.append(
        (
            "statutes peak RSS (MiB)",
            statutes["maxrss_mb"],
            base_statutes["maxrss_mb"] if base_statutes else None,
            "",
        )
    )
    if args.tracemalloc:
        rows.append(
            (
                "push heap peak (MiB)",
                push["heap_peak_mb"],
                base_push["heap_peak_mb"] if base_push else None,
                "tracemalloc",
            )
        )
    print(f"{'figure':24} {'engine':>10} {'baseline':>10} {'ratio':>7}")
    for name, value, base, note in rows:
        shown = f"{base:10.1f}" if base is not None else f"{'-':>10}"
        print(f"{name:24} {value:10.1f} {shown} {ratio(value, base) if base else '-':>7}  {note}")
    if base_push:
        print(f"baseline requests  {base_push['requests']:,} for the push")
    print(f"whole run          {(time.perf_counter() - total) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
