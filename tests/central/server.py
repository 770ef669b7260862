"""The real central server for tests: uvicorn on 127.0.0.1 over a temporary SQLite file.

Reusable by any test that needs a central platform (the sync client tests too)::

    from tests.central.server import CentralServer

    with CentralServer(tmp_path) as server:
        server.base_url            # "http://127.0.0.1:<free port>"
        server.township            # SeededTownship: code, name, officers, task_ids, evidence_sha256
        server.officer             # the first seeded officer: .username, .password, .name
        server.admin_token         # the X-Admin-Token of /v1/admin/*
        server.db_url, server.storage_dir
        server.clock.advance(600)  # move the server's clock (token expiry) without sleeping
        tokens = server.login()    # POST /v1/auth/login as server.officer → the Tokens JSON
        tokens = server.login("lisi", device_id="tablet-2")
        with server.client() as http:        # httpx.Client, base_url set, logged in (Bearer)
            http.get("/v1/tasks")
        with server.client("lisi", device_id="b", headers={"X-Client-Version": "0.1.0"}) as http:
            ...
        with server.anonymous() as http:     # httpx.Client without credentials
            http.get("/v1/handshake")
        with server.admin() as http:         # httpx.Client with the admin token
            http.post("/v1/admin/tasks", json={...})
        other = server.seed("330106002")     # another township (usernames suffixed "-330106002")
        fresh = server.seed()                # another township with a code not used before
        server.townships                     # every SeededTownship, the first one first
        server.service                       # the CentralService, to set data up without HTTP

Keyword options of ``CentralServer``: ``township`` (code seeded at start, default the
classroom township 330106001), ``access_ttl`` and ``refresh_ttl`` (seconds),
``max_chunk_bytes``, ``max_file_bytes``, ``max_json_bytes``, ``min_client_version``,
``max_client_version``. The server runs in a daemon thread of the test process (so the clock
can be moved); :meth:`CentralServer.stop` (or leaving the ``with``) shuts it down. The
pytest fixtures ``central_server`` (one per test) and ``shared_central_server`` (one per
module) in tests/central/conftest.py wrap it.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import socket
import ssl
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn

from workstation_central.app import create_app
from workstation_central.config import MiB, Settings
from workstation_central.seed import CLASSROOM_TOWNSHIP, SeededOfficer, SeededTownship, seed
from workstation_central.service import CentralService
from workstation_central.store import Database


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # The server speaks plain HTTP; one shared context spares every client loading the CA store.
    return ssl.create_default_context()


class MovableClock:
    """The server's clock: real time plus an offset tests can advance."""

    def __init__(self) -> None:
        self._offset = dt.timedelta()
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return dt.datetime.now(dt.UTC) + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += dt.timedelta(seconds=seconds)


class CentralServer:
    """A seeded central server on a free port of 127.0.0.1 (see the module doc)."""

    def __init__(
        self,
        directory: Path,
        *,
        township: str = CLASSROOM_TOWNSHIP,
        access_ttl: float = 15 * 60,
        refresh_ttl: float = 30 * 24 * 3600,
        max_json_bytes: int = 4 * MiB,
        max_chunk_bytes: int = 8 * MiB,
        max_file_bytes: int = 512 * MiB,
        min_client_version: str = "0.1.0",
        max_client_version: str = "0.999.999",
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.db_url = f"sqlite:///{directory / 'central.db'}"
        self.storage_dir = directory / "central.files"
        self.admin_token = secrets.token_urlsafe(16)
        self.clock = MovableClock()
        self.settings = Settings(
            db_url=self.db_url,
            storage_dir=self.storage_dir,
            admin_token=self.admin_token,
            access_ttl=access_ttl,
            refresh_ttl=refresh_ttl,
            max_json_bytes=max_json_bytes,
            max_chunk_bytes=max_chunk_bytes,
            max_file_bytes=max_file_bytes,
            min_client_version=min_client_version,
            max_client_version=max_client_version,
            clock=self.clock.now,
        )
        self._township_code = township
        self._db: Database | None = None
        self._service: CentralService | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.township: SeededTownship
        self.townships: list[SeededTownship] = []

    # ------------------------------------------------------------ life cycle

    def start(self) -> Self:
        self._db = Database(self.db_url)
        self._db.open(self.clock.now())
        self._service = CentralService(self._db, self.settings)
        self.township = seed(self._service, self._township_code)
        self.townships = [self.township]
        app = create_app(self.settings, self._db)
        # proto=IPPROTO_TCP: asyncio then sets TCP_NODELAY on accepted connections (no Nagle delays).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="central-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the central server did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        if self._db is not None:
            self._db.dispose()
        self._server = self._thread = None
        self._db = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ helpers

    @property
    def service(self) -> CentralService:
        """The server's service object (for setting up data without HTTP)."""
        assert self._service is not None, "the server is not running"
        return self._service

    @property
    def officer(self) -> SeededOfficer:
        return self.township.officers[0]

    def seed(self, code: str | None = None) -> SeededTownship:
        """Seed another township into the running server (a fresh code unless ``code`` is given)."""
        if code is None:
            code = f"99{len(self.townships):07d}"
        seeded = seed(self.service, code)
        self.townships.append(seeded)
        return seeded

    def login(
        self, username: str | None = None, password: str | None = None, device_id: str = "device-1"
    ) -> Any:
        """POST /v1/auth/login; returns the Tokens JSON (raises on a non-2xx answer)."""
        officer = self._find(username)
        with self.anonymous() as http:
            response = http.post(
                "/v1/auth/login",
                json={
                    "username": officer.username,
                    "password": password or officer.password,
                    "device_id": device_id,
                },
                timeout=10,
            )
        response.raise_for_status()
        return response.json()

    def client(self, username: str | None = None, device_id: str = "device-1", **kwargs: Any) -> httpx.Client:
        """An httpx.Client on base_url, logged in as ``username`` (default: the first officer)."""
        tokens = self.login(username, device_id=device_id)
        headers = {"Authorization": f"Bearer {tokens['access_token']}", **kwargs.pop("headers", {})}
        return self.anonymous(headers=headers, **kwargs)

    def anonymous(self, **kwargs: Any) -> httpx.Client:
        """An httpx.Client on base_url without credentials (``kwargs`` go to httpx.Client)."""
        kwargs.setdefault("timeout", 10)
        return httpx.Client(base_url=self.base_url, verify=_ssl_context(), **kwargs)

    def admin(self) -> httpx.Client:
        """An httpx.Client on base_url sending the admin token."""
        return self.anonymous(headers={"X-Admin-Token": self.admin_token})

    def put_reference(
        self, kind: str, item_id: str, payload: dict[str, Any], township_code: str | None = None
    ) -> None:
        """Publish a reference item through the admin API (asserting it was taken)."""
        with self.admin() as http:
            response = http.put(
                f"/v1/admin/reference/{kind}/{item_id}",
                json={"township_code": township_code, "payload": payload},
            )
            assert response.status_code == 200, response.text

    def _find(self, username: str | None) -> SeededOfficer:
        if username is None:
            return self.officer
        for township in self.townships:
            for officer in township.officers:
                if officer.username == username:
                    return officer
        raise KeyError(f"no seeded officer {username!r}")
