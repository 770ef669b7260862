"""Reference data feeds: cursors never miss or repeat, deletions, township scope."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.central.server import CentralServer
from workstation_central import cursors

pytestmark = pytest.mark.e2e


def _put(
    admin: httpx.Client, kind: str, item_id: str, payload: dict[str, Any], township: str | None = None
) -> Any:
    response = admin.put(
        f"/v1/admin/reference/{kind}/{item_id}", json={"township_code": township, "payload": payload}
    )
    response.raise_for_status()
    return response.json()


def test_paging_with_writes_between_pages_never_misses_or_repeats(central_server: CentralServer) -> None:
    with central_server.admin() as admin, central_server.client() as http:
        for n in range(5):
            _put(admin, "benchmarks", f"item:extra-{n}", {"n": n})
        mirror: dict[str, dict[str, Any]] = {}
        seen: list[tuple[str, int]] = []
        cursor: str | None = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 2}
            if cursor is not None:
                params["cursor"] = cursor
            page = http.get("/v1/reference/benchmarks", params=params).json()
            pages += 1
            for item in page["items"]:
                seen.append((item["id"], item["updated_seq"]))
                if item["deleted"]:
                    mirror.pop(item["id"], None)
                else:
                    mirror[item["id"]] = item
            cursor = page["next_cursor"]
            if pages == 1:
                # Writes between pages: a new item, a change to one already read, a deletion.
                _put(admin, "benchmarks", "item:late", {"late": True})
                _put(admin, "benchmarks", "item:extra-0", {"n": 0, "changed": True})
                admin.delete("/v1/admin/reference/benchmarks/item:extra-4").raise_for_status()
            if not page["has_more"]:
                break
        assert len(seen) == len(set(seen))  # no (id, seq) twice
        seqs = [seq for _, seq in seen]
        assert seqs == sorted(seqs)
        assert mirror["item:late"]["payload"] == {"late": True}
        assert mirror["item:extra-0"]["payload"] == {"n": 0, "changed": True}
        assert mirror["item:extra-0"]["version"] == 2
        assert "item:extra-4" not in mirror
        assert "benchmarks:示例" in mirror  # seeded
        # The stored cursor is up to date: nothing new.
        empty = http.get("/v1/reference/benchmarks", params={"cursor": cursor}).json()
        assert empty == {"items": [], "next_cursor": cursor, "has_more": False}
        # A deletion arrives as an item with the deleted flag and no payload.
        admin.delete("/v1/admin/reference/benchmarks/item:extra-1").raise_for_status()
        deleted = http.get("/v1/reference/benchmarks", params={"cursor": cursor}).json()["items"]
        assert [(d["id"], d["deleted"], d["payload"]) for d in deleted] == [("item:extra-1", True, None)]


def test_every_kind_is_served_and_township_items_stay_in_their_township(
    central_server: CentralServer,
) -> None:
    other = central_server.seed("330106002")
    with central_server.client() as mine, central_server.client(other.officers[0].username) as theirs:
        for kind in ("benchmarks", "officers", "holidays"):
            assert mine.get(f"/v1/reference/{kind}").json()["items"], kind
        assert mine.get("/v1/reference/statutes").json()["items"] == []  # no law text is seeded
        my_officers = {i["id"] for i in mine.get("/v1/reference/officers").json()["items"]}
        their_officers = {i["id"] for i in theirs.get("/v1/reference/officers").json()["items"]}
        assert my_officers == {"officer:zhangsan", "officer:lisi", "officer:wangwu"}
        assert their_officers == {f"officer:{o.username}" for o in other.officers}
        # Province-wide items reach everyone.
        assert theirs.get("/v1/reference/holidays").json()["items"][0]["payload"]["year"] == 2026


def test_cursor_errors(shared_central_server: CentralServer) -> None:
    with shared_central_server.client() as http:
        page = http.get("/v1/reference/statutes").json()
        wrong_feed = http.get("/v1/reference/holidays", params={"cursor": page["next_cursor"]})
        assert wrong_feed.status_code == 400 and wrong_feed.json()["error"]["code"] == "invalid_cursor"
        garbage = http.get("/v1/reference/statutes", params={"cursor": "%%%"})
        assert garbage.json()["error"]["code"] == "invalid_cursor"
        ahead = http.get(
            "/v1/reference/statutes", params={"cursor": cursors.encode("reference/statutes", 10**9)}
        )
        assert ahead.status_code == 409
        assert ahead.json()["error"]["code"] == "cursor_ahead"
        assert ahead.json()["error"]["details"]["high_water"] < 10**9
        assert http.get("/v1/reference/laws").status_code == 422  # not one of the kinds
        too_many = http.get("/v1/reference/statutes", params={"limit": 501})
        assert too_many.status_code == 422 and too_many.json()["error"]["code"] == "validation_error"


def test_admin_endpoints_need_the_admin_token(shared_central_server: CentralServer) -> None:
    with shared_central_server.client() as http:
        response = http.put("/v1/admin/reference/statutes/x", json={"payload": {}})
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
        response = http.put(
            "/v1/admin/reference/statutes/x", json={"payload": {}}, headers={"X-Admin-Token": "wrong"}
        )
        assert response.status_code == 403
