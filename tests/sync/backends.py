"""The adapter conformance suite's backends: one :class:`Backend` per adapter.

A backend is a real server on 127.0.0.1 (the reference central server of
tests/central/server.py for ``central-v1``, the v2 stand-in of tests/sync/alt_server.py for
``township-v2``) plus what the suite needs to steer it without the adapter: moving its
clock, writing reference data, locking a case, pushing a task, starting a fresh instance.
The servers live for the whole session; tests use their own case ids and read feeds to the
end instead of counting what others wrote.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tests.central.server import CentralServer
from tests.sync.alt_server import AltServer
from workstation.domain.record import CaseEvent
from workstation.domain.sync_ports import SyncGateway, TokenListener, Tokens
from workstation.sync import central_v1, township_v2
from workstation.sync.central_v1 import CentralV1Gateway
from workstation.sync.township_v2 import TownshipV2Gateway

CLIENT_VERSION = "0.1.0"
CHUNK = 64 * 1024


class Gateway(SyncGateway, Protocol):
    """What the suite calls: the port plus ``close`` (both adapters have it)."""

    def close(self) -> None: ...


@dataclass
class Backend:
    """One adapter and the real server it talks to (see the module doc)."""

    name: str
    base_url: str
    username: str
    password: str
    access_ttl: float
    refresh_ttl: float
    factory: Callable[..., Any]
    advance_clock: Callable[[float], None]
    put_reference: Callable[[str, str, dict[str, Any]], None]
    delete_reference: Callable[[str, str], None]
    lock_case: Callable[[str], None]
    add_task: Callable[[str], str]
    fresh: Callable[[Path], contextlib.AbstractContextManager[str]]
    #: The body of a successful events page as this API writes it (to hand-craft bad answers).
    events_body: Callable[[Sequence[CaseEvent], bool], bytes]

    def gateway(
        self,
        base_url: str | None = None,
        *,
        on_tokens: TokenListener | None = None,
        client_version: str = CLIENT_VERSION,
        timeout: float = 10.0,
        tokens: Tokens | None = None,
    ) -> Gateway:
        gateway: Gateway = self.factory(
            base_url or self.base_url,
            client_version=client_version,
            device_id="device-1",
            on_tokens=on_tokens,
            timeout=timeout,
            tokens=tokens,
        )
        return gateway

    def login(self, gateway: SyncGateway) -> Tokens:
        return gateway.login(self.username, self.password, "device-1")


def central_backend(server: CentralServer) -> Backend:
    code = server.township.code

    def admin(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        with server.admin() as http:
            response = http.request(method, path, json=body)
            response.raise_for_status()
            return response.json()

    def add_task(title: str) -> str:
        task = admin(
            "POST",
            "/v1/admin/tasks",
            {
                "township_code": code,
                "kind": "clue",
                "title": title,
                "description": "巡查发现，请核查处理。",
                "location": "示范镇人民路",
                "deadline": "2026-12-01",
                "source": "巡查",
                "evidence_sha256": [],
            },
        )
        return str(task["id"])

    @contextlib.contextmanager
    def fresh(directory: Path) -> Iterator[str]:
        with CentralServer(directory) as other:
            yield other.base_url

    return Backend(
        name="central-v1",
        base_url=server.base_url,
        username=server.officer.username,
        password=server.officer.password,
        access_ttl=server.settings.access_ttl,
        refresh_ttl=server.settings.refresh_ttl,
        factory=CentralV1Gateway,
        advance_clock=server.clock.advance,
        put_reference=lambda kind, item_id, payload: admin(
            "PUT", f"/v1/admin/reference/{kind}/{item_id}", {"township_code": None, "payload": payload}
        ),
        delete_reference=lambda kind, item_id: admin("DELETE", f"/v1/admin/reference/{kind}/{item_id}"),
        lock_case=lambda case_id: admin(
            "POST", f"/v1/admin/cases/{case_id}/review", {"review_status": "approved", "locked": True}
        ),
        add_task=add_task,
        fresh=fresh,
        events_body=central_events_body,
    )


def central_events_body(events: Sequence[CaseEvent], has_more: bool) -> bytes:
    last = events[-1] if events else None
    body = {
        "items": [central_v1._wire_event(event) for event in events],
        "head_seq": last.seq if last else 0,
        "head_hash": last.hash if last else None,
        "has_more": has_more,
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def township_events_body(events: Sequence[CaseEvent], has_more: bool) -> bytes:
    rows = [township_v2._wire_event(event) for event in events]
    body = {"errcode": 0, "errmsg": "ok", "total": len(rows) + (1 if has_more else 0), "rows": rows}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def alt_backend(server: AltServer) -> Backend:
    @contextlib.contextmanager
    def fresh(directory: Path) -> Iterator[str]:
        with AltServer() as other:
            yield other.base_url

    return Backend(
        name="township-v2",
        base_url=server.base_url,
        username=server.username,
        password=server.password,
        access_ttl=server.state.access_ttl,
        refresh_ttl=server.state.refresh_ttl,
        factory=TownshipV2Gateway,
        advance_clock=server.advance_clock,
        put_reference=server.put_dict,
        delete_reference=server.remove_dict,
        lock_case=server.freeze_case,
        add_task=server.add_clue,
        fresh=fresh,
        events_body=township_events_body,
    )


def new_id() -> str:
    return str(uuid.uuid4())


def drain(pull: Callable[[str | None], Any], cursor: str | None = None) -> tuple[list[Any], str]:
    """Every item of a feed from ``cursor``, and the cursor to store at its end."""
    items: list[Any] = []
    for _ in range(1000):
        page = pull(cursor)
        items.extend(page.items)
        next_cursor: str = page.next_cursor
        if not page.has_more:
            return items, next_cursor
        cursor = next_cursor
    raise AssertionError("the feed never ended")


def implements_the_port(central: CentralV1Gateway, township: TownshipV2Gateway) -> tuple[Gateway, Gateway]:
    """Never called: mypy checks here that both adapters implement SyncGateway (and close)."""
    return central, township
