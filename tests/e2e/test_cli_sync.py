"""``workstation login / logout / sync …`` as real processes: the real reference server under
uvicorn, the real data directory, tokens in a real Secret Service (gnome-keyring on a private
D-Bus session), and crashes (``os._exit(137)``) at the engine's named points."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.central.server import CentralServer
from workstation.app import build_core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.paths import prepare_data_dir
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.sync_store import SqlSyncStore
from workstation.services.cases import NewCaseSpec
from workstation.sync.lock import SyncLock

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
PARTIES = ("ddb69b6a-e595-5420-8f4e-5d9b67257046", "018f0c86-94dc-50c1-bc59-1a1adaa4f9d6")


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A private D-Bus session with an unlocked gnome-keyring: the environment to run in."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: run scripts/setup.sh test")
    home = tmp_path_factory.mktemp("home")
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.pop("WORKSTATION_SYNC_CRASH_AT", None)
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert bus.stdout is not None
    env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert daemon.stdin is not None
    daemon.stdin.write(b"ci-pass")
    daemon.stdin.close()
    probe = (
        "from workstation.credentials.keyring_store import KeyringCredentialStore as K;"
        "K('probe').set('a', 'b')"
    )
    deadline = time.monotonic() + 20
    while subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, check=False).returncode:
        if time.monotonic() > deadline:
            pytest.fail("gnome-keyring did not start")
        time.sleep(0.2)
    try:
        yield env
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        bus.terminate()
        bus.wait(timeout=10)
        bus.stdout.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(tmp_path / "central") as running:
        yield running


def cli(
    env: dict[str, str], data: Path, *args: str, stdin: str = "", extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workstation", *args, "--data-dir", str(data)],
        input=stdin,
        capture_output=True,
        text=True,
        env={**env, **(extra or {})},
        timeout=120,
        check=False,
    )


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def login(env: dict[str, str], data: Path, server: CentralServer) -> None:
    officer = server.officer
    result = cli(
        env,
        data,
        "login",
        "--server",
        server.base_url,
        "--username",
        officer.username,
        "--password-stdin",
        stdin=officer.password + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert officer.name in result.stdout


def seed(data: Path) -> None:
    """The demo township's officers and parties (without its sample cases)."""
    core = build_core(prepare_data_dir(data))
    try:
        core.office.seed_demo()
    finally:
        core.close()


def new_cases(data: Path, count: int = 1, *, act: bool = True, evidence: Path | None = None) -> list[str]:
    """Cases made on this machine while offline (in-process, between CLI runs)."""
    core = build_core(prepare_data_dir(data))
    try:
        core.office.seed_demo()
        ids = []
        for i in range(count):
            spec = NewCaseSpec(
                kind=CaseKind.ORDINARY,
                title=f"占道经营{i + 1}",
                source=CaseSource.PATROL,
                opened_on=dt.date(2025, 3, 3),
                actor_id=LEAD,
                party_ids=(PARTIES[i % 2],),
                officer_ids=(LEAD, SECOND),
                data={},
            )
            case_id = core.cases.new_case(spec).value.case.id
            if act:
                core.cases.act(case_id, "file", {"act_date": "2025-03-01"}, LEAD, dt.date(2025, 3, 4))
            if evidence is not None:
                core.evidence.add(case_id, "audiovisual", "现场视频", evidence, LEAD)
            ids.append(case_id)
        return ids
    finally:
        core.close()


def act(data: Path, case_id: str, action: str, inputs: dict[str, Any], day: dt.date) -> None:
    core = build_core(prepare_data_dir(data))
    try:
        core.cases.act(case_id, action, inputs, LEAD, day)
    finally:
        core.close()


def local_events(data: Path, case_id: str) -> list[str]:
    core = build_core(prepare_data_dir(data))
    try:
        return [e.event_id for e in SqlCaseEventStore(core.database.engine).events(case_id)]
    finally:
        core.close()


def pending(data: Path) -> int:
    core = build_core(prepare_data_dir(data))
    try:
        counts = SqlSyncStore(core.database.engine, core.paths.root).counts()
        return counts.pending_ops + counts.pending_attachments
    finally:
        core.close()


def server_view(server: CentralServer) -> tuple[list[str], dict[str, list[str]]]:
    """Every case id the server holds (as often as it holds it) and each case's event ids."""
    with server.client() as http:
        ids: list[str] = []
        params: dict[str, Any] = {"limit": 500}
        while True:
            page = http.get("/v1/changes", params=params).json()
            ids += [c["case_id"] for c in page["items"]]
            params["cursor"] = page["next_cursor"]
            if not page["has_more"]:
                break
        events = {i: [e["event_id"] for e in http.get(f"/v1/cases/{i}/events").json()["items"]] for i in ids}
    return ids, events


# ---------------------------------------------------------------- the commands


def test_login_sync_conflict_resolve_and_logout(
    secret_service: dict[str, str], server: CentralServer, tmp_path: Path
) -> None:
    env = secret_service
    a, b = tmp_path / "a", tmp_path / "b"
    for data in (a, b):
        seed(data)
        login(env, data, server)
    # the token lives in the keyring only: not in the settings, not in the database
    settings = json.loads((a / "settings.json").read_text("utf-8"))
    assert settings["central_server_url"] == server.base_url
    assert not any("token" in key for key in settings)
    account = f"central:{server.base_url}"
    read = cli(env, a, "sync", "status", "--json")
    assert ok_json(read)["logged_in"] is True
    probe = (
        "import json,sys; from workstation.credentials.keyring_store import KeyringCredentialStore as K;"
        f"print(json.loads(K().get({account!r}))['refresh_token'])"
    )
    refresh = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    token = refresh.stdout.strip()
    assert len(token) > 20
    for path in a.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path

    [case_id] = new_cases(a)
    report = ok_json(cli(env, a, "sync", "--json"))
    assert (report["pushed_cases"], report["pushed_events"], report["quarantined"]) == (1, 2, 0)
    text = cli(env, b, "sync")
    assert text.returncode == 0 and "下载案件 1 件" in text.stdout

    act(
        a, case_id, "collect_evidence", {"evidence_kinds": ["record"], "place": "东街口"}, dt.date(2025, 3, 5)
    )
    act(
        b, case_id, "collect_evidence", {"evidence_kinds": ["record"], "place": "西街口"}, dt.date(2025, 3, 5)
    )
    assert ok_json(cli(env, a, "sync", "--json"))["pushed_cases"] == 1
    synced = ok_json(cli(env, b, "sync", "--json"))
    assert synced["conflicts"] == 1
    status = ok_json(cli(env, b, "sync", "status", "--json"))
    [conflict] = status["conflicts"]
    assert (conflict["field"], conflict["local"], conflict["remote"]) == ("data.place", "西街口", "东街口")
    shown = cli(env, b, "sync", "status")
    assert "冲突待处理 1 个" in shown.stdout and "西街口" in shown.stdout

    resolved = ok_json(cli(env, b, "sync", "resolve", conflict["id"][:8], "--take", "local", "--json"))
    assert resolved["conflict"]["status"] == "resolved" and resolved["conflict"]["value"] == "西街口"
    assert ok_json(cli(env, b, "sync", "status", "--json"))["conflicts"] == []
    again = cli(env, b, "sync", "resolve", conflict["id"], "--take", "remote")
    assert again.returncode == 1 and "没有找到待处理的冲突" in again.stderr
    ok_json(cli(env, b, "sync", "--json"))
    with server.client() as http:
        stored = http.get(f"/v1/cases/{case_id}").json()
        assert stored["fields"]["data"]["place"] == "西街口"
        actions = [e["action"] for e in http.get(f"/v1/cases/{case_id}/events").json()["items"]]
    assert actions.count("resolve_sync_conflict") == 1

    out = cli(env, b, "logout")
    assert out.returncode == 0 and "已退出登录" in out.stdout
    refused = cli(env, b, "sync")
    assert refused.returncode == 1 and "尚未登录中心服务器" in refused.stderr


def test_a_second_concurrent_sync_is_refused(
    secret_service: dict[str, str], server: CentralServer, tmp_path: Path
) -> None:
    data = tmp_path / "a"
    seed(data)
    login(secret_service, data, server)
    with SyncLock(data / "run"):
        result = cli(secret_service, data, "sync")
    assert result.returncode == 1
    assert "另一个同步正在进行" in result.stderr
    assert cli(secret_service, data, "sync").returncode == 0


def test_quarantine_is_shown_with_its_reason_and_can_be_retried(
    secret_service: dict[str, str], tmp_path: Path
) -> None:
    with CentralServer(tmp_path / "central", max_json_bytes=64 * 1024) as small:
        data = tmp_path / "a"
        seed(data)
        login(secret_service, data, small)
        new_cases(data, 1)
        core = build_core(prepare_data_dir(data))
        try:
            big = NewCaseSpec(
                kind=CaseKind.ORDINARY,
                title="超大案件",
                source=CaseSource.PATROL,
                opened_on=dt.date(2025, 3, 3),
                actor_id=LEAD,
                party_ids=(PARTIES[0],),
                officer_ids=(LEAD, SECOND),
                data={"brief_facts": "案情" * 40_000},
            )
            big_id = core.cases.new_case(big).value.case.id
        finally:
            core.close()
        report = ok_json(cli(secret_service, data, "sync", "--json"))
        assert (report["pushed_cases"], report["quarantined"]) == (1, 1)
        status = ok_json(cli(secret_service, data, "sync", "status", "--json"))
        [item] = status["quarantined"]
        assert item["case_id"] == big_id and item["reason_code"] == "too_large" and item["reason"]
        assert "被拒收（隔离）1 条" in cli(secret_service, data, "sync", "status").stdout
        retried = ok_json(cli(secret_service, data, "sync", "retry", item["op_id"], "--json"))
        assert retried["requeued"] == 1
        missing = cli(secret_service, data, "sync", "retry", "no-such-op")
        assert missing.returncode == 1 and "没有找到被拒收的操作" in missing.stderr


# ---------------------------------------------------------------- crash safety


def _sync_to_quiescence(env: dict[str, str], data: Path, crash: str | None = None) -> list[int]:
    codes = []
    extra = {"WORKSTATION_SYNC_CRASH_AT": crash} if crash else {}
    codes.append(cli(env, data, "sync", extra=extra).returncode)
    for _ in range(6):
        result = cli(env, data, "sync")
        codes.append(result.returncode)
        assert result.returncode == 0, result.stderr
        if pending(data) == 0:
            return codes
    pytest.fail(f"still pending after {len(codes)} runs")


def _assert_everything_once(server: CentralServer, data: Path, case_ids: list[str]) -> None:
    ids, events = server_view(server)
    for case_id in case_ids:
        assert ids.count(case_id) == 1
        assert events[case_id] == local_events(data, case_id)


@pytest.mark.parametrize("point", ["local_write", "send", "after_send", "ack", "pull_applied", "chunk_sent"])
def test_a_sync_killed_at_a_named_point_loses_and_duplicates_nothing(
    secret_service: dict[str, str], server: CentralServer, tmp_path: Path, point: str
) -> None:
    data = tmp_path / "a"
    seed(data)
    login(secret_service, data, server)
    video = None
    if point == "chunk_sent":
        video = tmp_path / "现场视频.mp4"
        video.write_bytes(random.Random(7).randbytes(2_500_000))  # three chunks of 1 MiB
    case_ids = new_cases(data, 2, evidence=video)
    codes = _sync_to_quiescence(secret_service, data, point)
    assert codes[0] == 137
    _assert_everything_once(server, data, case_ids)
    if video is not None:
        import hashlib

        sha = hashlib.sha256(video.read_bytes()).hexdigest()
        with server.client() as http:
            assert http.get(f"/v1/attachments/{sha}").content == video.read_bytes()


#: Seeded crash runs: CI runs a few; ``WORKSTATION_SLOW_TESTS=1`` runs 240.
SLOW = os.environ.get("WORKSTATION_SLOW_TESTS") == "1"
CRASH_RUNS = 240 if SLOW else 8
CHECK_EVERY = 20 if SLOW else 4
NAMED_POINTS = ("local_write", "send", "after_send", "ack", "pull_applied", "chunk_sent")


def _killed_at_random(env: dict[str, str], data: Path, delay: float) -> int:
    """``workstation sync`` killed with SIGKILL ``delay`` seconds after it started (or its exit
    code when it finished before)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "workstation", "sync", "--data-dir", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        return process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.kill()  # SIGKILL: no handler, no flush, no cleanup
        return process.wait(timeout=60)


@pytest.mark.timeout(3600 if SLOW else 600)
def test_seeded_crash_runs_lose_and_duplicate_nothing(
    secret_service: dict[str, str], server: CentralServer, tmp_path: Path
) -> None:
    """Each run saves new cases (some filed, some with a two-chunk video) and starts a sync that
    dies: at a named point and call (``os._exit(137)``) or killed with SIGKILL at a random moment.
    The next run starts on what the dead one left. Every few runs, and at the end, a sync to
    quiescence must leave every saved case and event on the server exactly once."""
    rng = random.Random(20261126)
    data = tmp_path / "a"
    seed(data)
    login(secret_service, data, server)
    video = tmp_path / "现场视频.mp4"
    case_ids: list[str] = []
    kinds: list[str] = []
    for run in range(CRASH_RUNS):
        with_video = rng.random() < 0.15
        if with_video:
            video.write_bytes(rng.randbytes(1_200_000 + rng.randrange(900_000)))  # two or three chunks
        case_ids += new_cases(
            data, rng.randint(1, 2), act=rng.random() < 0.7, evidence=video if with_video else None
        )
        if rng.random() < 0.5:
            point = f"{rng.choice(NAMED_POINTS)}:{rng.randint(1, 3)}"
            result = cli(secret_service, data, "sync", extra={"WORKSTATION_SYNC_CRASH_AT": point})
            assert result.returncode in (0, 137), (run, point, result.stderr)
            kinds.append("named" if result.returncode == 137 else "finished")
        else:
            code = _killed_at_random(secret_service, data, rng.uniform(0.3, 3.0))
            assert code in (0, -9), (run, code)
            kinds.append("killed" if code == -9 else "finished")
        if run % CHECK_EVERY == CHECK_EVERY - 1 or run == CRASH_RUNS - 1:
            _sync_to_quiescence(secret_service, data)
            _assert_everything_once(server, data, case_ids)
    # the runs did die, both ways (not a suite of clean syncs)
    assert kinds.count("named") >= CRASH_RUNS // 5 and kinds.count("killed") >= CRASH_RUNS // 8, kinds
