"""The Nth-call fault sweep: a scripted sync through the fault proxy, a fault at every request.

The script (:func:`script`) is what an officer's day looks like to the sync engine: on device A,
three cases made offline with several 全过程记录 events and one evidence file; a sync; an edit;
meanwhile device B (straight to the server) makes a case and later changes it, so A pulls
another device's work twice; a second sync. A talks to the real reference server through
:class:`~tests.sync.fault_proxy.FaultProxy`; each test injects one fault at the N-th request of
the script (a clean run counts them first), lets the script run, then syncs A to quiescence
and checks: A and the server hold exactly the same cases, records and files (nothing lost,
nothing twice), and A's changes cursor never passed a version A had not applied. In ``stop``
mode the engine does not retry within a run (one attempt), so the fault ends the run: a pull
answered with something unusable must leave the cursor where that request had it, and the
report must say why in Chinese.

CI runs every fault kind at a seeded spread of N (every ``STRIDE``-th request, each kind at
its own offset, both modes); ``WORKSTATION_SLOW_TESTS=1`` runs every kind at every N in both
modes.
"""

from __future__ import annotations

import itertools
import os
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.central.server import CentralServer
from tests.sync.devices import (
    LEAD,
    LI,
    Device,
    ServerView,
    assert_converged,
    assert_cursor_behind_applied,
    make_template,
)
from tests.sync.fault_proxy import Fault, FaultProxy
from workstation.sync.engine import SyncReport
from workstation.sync.http_common import MALFORMED_MESSAGE
from workstation_central.seed import SeededTownship

SLOW = os.environ.get("WORKSTATION_SLOW_TESTS") == "1"
SEED = 20261126
#: In CI each fault kind runs at every STRIDE-th request (from its own seeded offset).
STRIDE = 6
#: The gateway's timeout and the delay fault's (a delay longer than the timeout).
TIMEOUT = 2.0
DELAY = 2.2
PAGE = 2
CHUNK = 8 * 1024
#: More requests than the clean script makes (the slow sweep's range of N).
MAX_REQUESTS = 40
SETTLE_RUNS = 8

FAULTS: dict[str, Fault] = {
    "drop": Fault.drop(),
    "reset": Fault.reset(),
    "drop_response": Fault.drop_response(),
    "delay": Fault.delay(DELAY),
    "truncate": Fault.truncate(),
    "truncate_fixed_length": Fault.truncate(0.6, fix_length=True),
    "corrupt": Fault.corrupt(),
    "duplicate": Fault.duplicate(),
    "status_500": Fault.status(500),
    "status_429": Fault.status(429, retry_after="2"),
    "status_503": Fault.status(503, retry_after="1"),
    "html": Fault.html(),
    "invalid_json": Fault.invalid_json(),
}
#: Faults after which the client holds an answer it must not use.
UNUSABLE = {"truncate", "truncate_fixed_length", "corrupt", "html", "invalid_json"}
MODES = ("retry", "stop")


@dataclass
class World:
    server: CentralServer
    template: Path
    root: Path
    counter: itertools.count[int]

    def township(self) -> SeededTownship:
        return self.server.seed()

    def directory(self, name: str) -> Path:
        return self.root / f"{name}-{next(self.counter)}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("faults")
    template = make_template(root / "template")
    with CentralServer(root / "central") as server:
        yield World(server, template, root, itertools.count())


@dataclass
class Faulted:
    """The run in which the injected fault happened."""

    report: SyncReport
    target: str  # the faulted request: "METHOD /path?query"
    cursor_before: str | None  # the changes cursor when the run began
    cursor_after: str | None


@dataclass
class Outcome:
    """What one scripted run saw."""

    requests: int
    reports: list[SyncReport]
    faulted: Faulted | None


def script(world: World, fault: Fault | None, at: int | None, mode: str, *, check_b: bool = False) -> Outcome:
    """The scripted day (module doc), with ``fault`` at the ``at``-th request of A's syncs."""
    township = world.township()
    officer_a, officer_b = township.officers[0], township.officers[1]
    view = ServerView(world.server, officer_a)
    attempts = 1 if mode == "stop" else 5
    with FaultProxy(world.server.base_url) as proxy:
        b = Device.make(world.template, world.directory("b"), world.server.base_url, officer_b)
        a = Device.make(world.template, world.directory("a"), proxy.base_url, officer_a, timeout=TIMEOUT)
        try:
            # B's case (another device's work), on the server before A's first sync
            theirs = b.new_case("噪声扰民", party=LI)
            b.settle()
            # A works offline: three cases, several events, one evidence file
            first = a.new_case("占道经营")
            a.act(first, "file", {"act_date": "2025-03-01", "brief_facts": "在东街占道摆摊"})
            photo = a.core.paths.root / "现场照片.jpg"
            unique = uuid.uuid4().bytes  # the server stores files by content, once
            photo.write_bytes(b"\xff\xd8\xff" + unique + bytes(range(256)) * 90)  # three chunks
            a.core.evidence.add(first, "audiovisual", "现场照片", photo, LEAD)
            second = a.new_case("乱堆乱放")
            a.act(second, "file", {"act_date": "2025-03-02"})
            a.act(second, "collect_evidence", {"evidence_kinds": ["record"], "place": "西街"})
            a.new_case("违规广告")
            base = proxy.count
            target = None if at is None else base + at
            if fault is not None and target is not None:
                proxy.inject(fault, at=target)
            reports: list[SyncReport] = []
            faulted: list[Faulted] = []

            def sync() -> SyncReport:
                before, seen = a.store.cursor("changes"), proxy.count
                report = a.engine(attempts=attempts, page_size=PAGE, chunk_bytes=CHUNK).run_once()
                reports.append(report)
                assert not report.mismatches, report.mismatches
                assert_cursor_behind_applied(a, view)
                if fault is not None and target is not None and seen < target <= proxy.count:
                    [hit] = [e for e in proxy.log if e.number == target]
                    assert hit.fault == fault
                    line = f"{hit.method} {hit.target}"
                    faulted.append(Faulted(report, line, before, a.store.cursor("changes")))
                return report

            sync()
            # an edit on A; B changes its case meanwhile
            a.act(second, "collect_evidence", {"evidence_kinds": ["record"], "findings": "堆放建材"})
            b.act(theirs, "decline", {"decline_reason": "经核查不属实"})
            b.settle()
            sync()
            requests = proxy.count - base
            # quiescence (a fault the shortened script did not reach yet comes now), the checks
            for _ in range(SETTLE_RUNS):
                if sync().ok and a.pending() == 0 and not proxy.pending():
                    break
            else:
                raise AssertionError(f"A did not settle: {a.store.counts()}, {reports[-1].as_dict()}")
            if fault is not None and fault.kind == "delay":
                time.sleep(DELAY)  # the delayed request lands before the server is read
            assert_cursor_behind_applied(a, view)
            cases = assert_converged(a, view)
            assert len(cases) == 4 and theirs in cases
            assert cases[theirs]["fields"]["stage"] == "not_filed"
            assert cases[second]["fields"]["data"]["findings"] == "堆放建材"
            assert len(a.events(first)) >= 3
            if check_b:
                b.settle()
                assert_converged(b, view, made_files=False)
            return Outcome(requests, reports, faulted[0] if faulted else None)
        finally:
            view.close()
            a.close()
            b.close()


@pytest.fixture(scope="module")
def clean(world: World) -> Outcome:
    return script(world, None, None, "retry", check_b=True)


def test_a_clean_run_converges(clean: Outcome) -> None:
    assert all(report.ok for report in clean.reports)
    assert 20 <= clean.requests <= MAX_REQUESTS
    first, second = clean.reports[:2]
    assert (first.pushed_cases, first.pushed_events, first.attachments, first.pulled) == (3, 7, 1, 1)
    assert (second.pushed_cases, second.pulled, second.pulled_events) == (1, 1, 1)


def _plan() -> list[tuple[str, str | None, int | None]]:
    """(fault kind, mode, N); None: drawn when the clean run's length is known (CI)."""
    if SLOW:
        return [(k, m, n) for k in FAULTS for m in MODES for n in range(1, MAX_REQUESTS + 1)]
    return [(k, None, None) for k in FAULTS]


def _drawn(kind: str, requests: int) -> tuple[str, int]:
    """CI's mode and N for ``kind``: the kinds, in a seeded order, take N spread evenly over
    the clean run from a seeded start, and alternate between the modes."""
    kinds = list(FAULTS)
    rng = random.Random(SEED)
    rng.shuffle(kinds)
    start = rng.randrange(requests)
    place = kinds.index(kind)
    n = 1 + (start + place * requests // len(kinds)) % requests
    return MODES[place % 2], n


@pytest.mark.parametrize(
    ("kind", "mode", "n"),
    _plan(),
    ids=[k if n is None else f"{k}-{m}-{n}" for k, m, n in _plan()],
)
def test_a_fault_at_the_nth_request_loses_and_doubles_nothing(
    world: World, clean: Outcome, kind: str, mode: str | None, n: int | None
) -> None:
    if mode is None or n is None:
        mode, n = _drawn(kind, clean.requests)
    elif n > clean.requests:
        pytest.skip(f"the clean run has {clean.requests} requests")
    fault = FAULTS[kind]
    outcome = script(world, fault, n, mode)  # converged, nothing lost or doubled (see script)
    hit = outcome.faulted
    assert hit is not None, f"request {n} was never sent"
    if mode == "retry" or kind in ("duplicate", "delay"):
        return  # retried within the run, or harmless
    report = hit.report
    assert not report.ok and report.errors, (n, hit.target, report.as_dict())
    if kind not in UNUSABLE:
        return
    assert any(MALFORMED_MESSAGE in error for error in report.errors), (n, hit.target, report.errors)
    if hit.target.startswith("GET /v1/changes"):
        asked = parse_qs(urlsplit(hit.target).query).get("cursor", [None])[0]
        assert hit.cursor_after == asked, f"request {n}: the cursor moved past an unapplied page"


# ---------------------------------------------------------------- an unusable pull, aimed


@pytest.fixture
def pulled_world(world: World) -> tuple[World, SeededTownship, list[str]]:
    """A township where device B has put three cases (with their records) on the server."""
    township = world.township()
    b = Device.make(world.template, world.directory("b"), world.server.base_url, township.officers[1])
    try:
        made = []
        for title in ("噪声扰民", "占道经营", "违规广告"):
            case_id = b.new_case(title, party=LI)
            b.act(case_id, "decline", {"decline_reason": "经核查不属实"})
            made.append(case_id)
        b.settle()
    finally:
        b.close()
    return world, township, made


@pytest.mark.parametrize("kind", sorted(UNUSABLE))
def test_an_unusable_changes_page_leaves_the_cursor_where_it_was(
    pulled_world: tuple[World, SeededTownship, list[str]], kind: str
) -> None:
    world, township, made = pulled_world
    view = ServerView(world.server, township.officers[0])
    with FaultProxy(world.server.base_url) as proxy:
        a = Device.make(world.template, world.directory("a"), proxy.base_url, township.officers[0])
        try:
            proxy.inject(FAULTS[kind], match="GET /v1/changes?limit=1&cursor=")  # the second page
            report = a.engine(attempts=1, page_size=1).run_once()
            assert report.offline and any(MALFORMED_MESSAGE in e for e in report.errors), report.errors
            [hit] = [e for e in proxy.log if e.fault is not None]
            asked = parse_qs(urlsplit(hit.target).query)["cursor"][0]
            assert a.store.cursor("changes") == asked  # the first page's, not beyond
            assert len(a.case_ids()) == 1  # only the first page was applied
            assert_cursor_behind_applied(a, view)
            a.settle(page_size=1)
            assert set(assert_converged(a, view)) == set(made)
        finally:
            a.close()
            view.close()


def test_an_unusable_events_page_is_read_again_later(
    pulled_world: tuple[World, SeededTownship, list[str]],
) -> None:
    world, township, made = pulled_world
    view = ServerView(world.server, township.officers[0])
    with FaultProxy(world.server.base_url) as proxy:
        a = Device.make(world.template, world.directory("a"), proxy.base_url, township.officers[0])
        try:
            proxy.inject(FAULTS["html"], match="/events?")  # the first case's record
            report = a.engine(attempts=1, page_size=1).run_once()
            assert report.offline and any(MALFORMED_MESSAGE in e for e in report.errors), report.errors
            a.settle(page_size=1)
            assert set(assert_converged(a, view)) == set(made)  # fails: the first record is missing
        finally:
            a.close()
            view.close()
