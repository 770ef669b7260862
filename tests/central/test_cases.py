"""Case upload: If-Match, conflicts with the server document, idempotent replay, server-owned fields."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from tests.central.helpers import new_id
from tests.central.server import CentralServer

pytestmark = pytest.mark.e2e


def _put(
    http: httpx.Client,
    case_id: str,
    body: dict[str, Any],
    *,
    version: int | None = None,
    key: str | None = None,
) -> httpx.Response:
    headers = {"Idempotency-Key": key or new_id(), "Content-Type": "application/json"}
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return http.put(f"/v1/cases/{case_id}", content=json.dumps(body).encode(), headers=headers)


def _code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def test_create_update_and_conflict_with_the_server_document(shared_central_server: CentralServer) -> None:
    case_id = new_id()
    with (
        shared_central_server.client(device_id="a") as a,
        shared_central_server.client("lisi", device_id="b") as b,
    ):
        created = _put(a, case_id, {"base_version": 0, "fields": {"party": "甲", "fine": 200}})
        assert created.status_code == 201
        assert created.headers["ETag"] == '"1"'
        doc = created.json()
        assert doc["version"] == 1 and doc["review_status"] == "none" and doc["locked"] is False
        assert doc["updated_by"] == {"officer_id": doc["updated_by"]["officer_id"], "device_id": "a"}

        updated = _put(b, case_id, {"base_version": 1, "fields": {"party": "甲", "fine": 300}}, version=1)
        assert updated.status_code == 200 and updated.json()["version"] == 2

        stale = _put(a, case_id, {"base_version": 1, "fields": {"party": "乙", "fine": 200}}, version=1)
        assert stale.status_code == 409 and _code(stale) == "version_conflict"
        details = stale.json()["error"]["details"]
        assert details["current_version"] == 2
        assert details["server_document"]["fields"] == {"party": "甲", "fine": 300}

        again = _put(a, case_id, {"base_version": 0, "fields": {}})  # "create" of an existing case
        assert _code(again) == "version_conflict"
        missing = _put(a, new_id(), {"base_version": 4, "fields": {}}, version=4)
        assert _code(missing) == "version_conflict"
        assert missing.json()["error"]["details"] == {"current_version": 0, "server_document": None}
        mismatch = _put(a, case_id, {"base_version": 1, "fields": {}}, version=2)
        assert mismatch.status_code == 422 and _code(mismatch) == "validation_error"

        fetched = a.get(f"/v1/cases/{case_id}")
        assert fetched.headers["ETag"] == '"2"' and fetched.json()["fields"]["fine"] == 300


def test_idempotent_replay_and_key_reuse(shared_central_server: CentralServer) -> None:
    case_id = new_id()
    key = new_id()
    body = json.dumps({"base_version": 0, "fields": {"n": 1}}).encode()
    with shared_central_server.client() as http:
        headers = {"Idempotency-Key": key, "Content-Type": "application/json"}
        first = http.put(f"/v1/cases/{case_id}", content=body, headers=headers)
        assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
        second = http.put(f"/v1/cases/{case_id}", content=body, headers=headers)
        assert second.status_code == 201
        assert second.headers["Idempotent-Replayed"] == "true"
        assert second.json() == first.json()
        assert http.get(f"/v1/cases/{case_id}").json()["version"] == 1  # applied once
        other = http.put(
            f"/v1/cases/{case_id}",
            content=json.dumps({"base_version": 0, "fields": {"n": 2}}).encode(),
            headers=headers,
        )
        assert other.status_code == 422 and _code(other) == "idempotency_key_reused"
        no_key = http.put(f"/v1/cases/{case_id}", content=body, headers={"Content-Type": "application/json"})
        assert no_key.status_code == 400 and _code(no_key) == "idempotency_key_required"
        no_type = http.put(f"/v1/cases/{case_id}", content=body, headers={"Idempotency-Key": new_id()})
        assert no_type.status_code == 415 and _code(no_type) == "unsupported_media_type"
        # A failed request does not use up its key.
        failing_key = new_id()
        failed = _put(http, case_id, {"base_version": 5, "fields": {}}, version=5, key=failing_key)
        assert failed.status_code == 409
        ok = _put(http, case_id, {"base_version": 1, "fields": {"n": 3}}, version=1, key=failing_key)
        assert ok.status_code == 200


def test_case_number_is_recorded_once_and_locked_cases_refuse_edits(
    shared_central_server: CentralServer,
) -> None:
    case_id = new_id()
    with shared_central_server.client() as http, shared_central_server.admin() as admin:
        created = _put(http, case_id, {"base_version": 0, "fields": {}, "case_number": None})
        assert created.json()["case_number"] is None
        numbered = _put(
            http, case_id, {"base_version": 1, "fields": {}, "case_number": "示综执罚〔2026〕1号"}, version=1
        )
        assert numbered.json()["case_number"] == "示综执罚〔2026〕1号"
        kept = _put(http, case_id, {"base_version": 2, "fields": {"a": 1}, "case_number": None}, version=2)
        assert kept.json()["case_number"] == "示综执罚〔2026〕1号"
        changed = _put(
            http, case_id, {"base_version": 3, "fields": {}, "case_number": "示综执罚〔2026〕9号"}, version=3
        )
        assert changed.status_code == 409 and _code(changed) == "case_number_immutable"
        assert changed.json()["error"]["details"]["case_number"] == "示综执罚〔2026〕1号"

        reviewed = admin.post(
            f"/v1/admin/cases/{case_id}/review", json={"review_status": "approved", "locked": True}
        )
        assert reviewed.status_code == 200
        assert reviewed.json()["version"] == 4 and reviewed.json()["locked"] is True
        locked = _put(http, case_id, {"base_version": 4, "fields": {"a": 2}}, version=4)
        assert locked.status_code == 409 and _code(locked) == "case_locked"
        server_doc = locked.json()["error"]["details"]["server_document"]
        assert server_doc["review_status"] == "approved"
        assert "锁定" in locked.json()["error"]["message"]


def test_townships_do_not_see_each_others_cases(shared_central_server: CentralServer) -> None:
    server = shared_central_server
    mine_township, other = server.seed(), server.seed()
    case_id = new_id()
    with (
        server.client(mine_township.officers[0].username) as mine,
        server.client(other.officers[0].username) as theirs,
    ):
        assert _put(mine, case_id, {"base_version": 0, "fields": {"secret": 1}}).status_code == 201
        assert theirs.get(f"/v1/cases/{case_id}").status_code == 403
        assert _code(_put(theirs, case_id, {"base_version": 1, "fields": {}}, version=1)) == "forbidden"
        assert theirs.get("/v1/changes").json()["items"] == []
        assert [c["case_id"] for c in mine.get("/v1/changes").json()["items"]] == [case_id]
        assert theirs.get(f"/v1/cases/{new_id()}").status_code == 404


def test_changes_feed_serves_each_case_at_its_latest_version(shared_central_server: CentralServer) -> None:
    server = shared_central_server
    township = server.seed()
    first, second = (o.username for o in township.officers[:2])
    with server.client(first, device_id="a") as a, server.client(second, device_id="b") as b:
        ids = [new_id() for _ in range(3)]
        for case_id in ids:
            _put(a, case_id, {"base_version": 0, "fields": {"v": 1}})
        page = b.get("/v1/changes", params={"limit": 2}).json()
        assert [c["case_id"] for c in page["items"]] == ids[:2] and page["has_more"]
        _put(a, ids[0], {"base_version": 1, "fields": {"v": 2}}, version=1)
        rest = b.get("/v1/changes", params={"cursor": page["next_cursor"]}).json()
        assert [(c["case_id"], c["version"]) for c in rest["items"]] == [(ids[2], 1), (ids[0], 2)]
        assert not rest["has_more"]


def test_concurrent_writers_and_a_paging_reader_agree(shared_central_server: CentralServer) -> None:
    """Writers on several threads while a reader pages: the reader ends with every latest version."""
    server = shared_central_server
    officers = [o.username for o in server.seed().officers]
    writers = 3
    per_writer = 6
    expected: dict[str, int] = {}
    lock = threading.Lock()

    def write(n: int) -> None:
        with server.client(officers[n], device_id=f"w{n}") as http:
            for _ in range(per_writer):
                case_id = new_id()
                assert _put(http, case_id, {"base_version": 0, "fields": {"w": n}}).status_code == 201
                assert (
                    _put(http, case_id, {"base_version": 1, "fields": {"w": n}}, version=1).status_code == 200
                )
                with lock:
                    expected[case_id] = 2

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    seen: dict[str, int] = {}
    with server.client(officers[0], device_id="reader") as reader:
        cursor = ""
        for thread in threads:
            thread.start()
        while True:
            alive = any(t.is_alive() for t in threads)
            page = reader.get("/v1/changes", params={"cursor": cursor, "limit": 3}).json()
            for item in page["items"]:
                assert seen.get(item["case_id"], 0) < item["version"]  # never older, never repeated
                seen[item["case_id"]] = item["version"]
            cursor = page["next_cursor"]
            if not alive and not page["has_more"]:
                break
    for thread in threads:
        thread.join()
    assert seen == expected


def test_request_body_limits_and_bad_json(tmp_path: Any) -> None:
    with CentralServer(tmp_path / "small", max_json_bytes=2048) as server, server.client() as http:
        big = _put(http, new_id(), {"base_version": 0, "fields": {"text": "字" * 2000}})
        assert big.status_code == 413 and _code(big) == "too_large"
        broken = http.put(
            f"/v1/cases/{new_id()}",
            content=b'{"base_version": 0,',
            headers={"Idempotency-Key": "k1", "Content-Type": "application/json"},
        )
        assert broken.status_code == 400 and _code(broken) == "bad_request"
        not_object = http.put(
            f"/v1/cases/{new_id()}",
            content=b"[1, 2]",
            headers={"Idempotency-Key": "k2", "Content-Type": "application/json"},
        )
        assert not_object.status_code == 422 and _code(not_object) == "validation_error"

        def chunks() -> Any:
            yield b'{"base_version": 0, "fields": {"t": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}}'

        streamed = http.put(
            f"/v1/cases/{new_id()}",
            content=chunks(),
            headers={"Idempotency-Key": "k3", "Content-Type": "application/json"},
        )
        assert streamed.status_code == 413
