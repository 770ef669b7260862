"""The 全过程记录 on the server: append-only, idempotent by event id, chain checked; anchors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.central.helpers import chain, new_id
from tests.central.server import CentralServer

pytestmark = pytest.mark.e2e


def _case(http: httpx.Client) -> str:
    case_id = new_id()
    response = http.put(
        f"/v1/cases/{case_id}",
        json={"base_version": 0, "fields": {}},
        headers={"Idempotency-Key": new_id()},
    )
    assert response.status_code == 201
    return case_id


def _post(http: httpx.Client, case_id: str, events: list[dict[str, Any]]) -> httpx.Response:
    return http.post(f"/v1/cases/{case_id}/events", json={"events": events})


def _code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def test_events_are_appended_once_and_read_back(shared_central_server: CentralServer) -> None:
    with shared_central_server.client() as http:
        case_id = _case(http)
        events = chain(case_id, 5)
        first = _post(http, case_id, list(reversed(events[:3])))  # any order within a batch
        assert first.json() == {"accepted": 3, "duplicates": 0, "head_seq": 3, "head_hash": events[2]["hash"]}
        again = _post(http, case_id, events)  # 3 re-sent, 2 new
        assert again.json() == {"accepted": 2, "duplicates": 3, "head_seq": 5, "head_hash": events[4]["hash"]}
        assert _post(http, case_id, events).json()["accepted"] == 0
        page = http.get(f"/v1/cases/{case_id}/events", params={"after_seq": 1, "limit": 2}).json()
        assert [e["seq"] for e in page["items"]] == [2, 3] and page["has_more"]
        assert page["items"][0] == events[1]
        assert page["head_seq"] == 5
        everything = http.get(f"/v1/cases/{case_id}/events").json()
        assert everything["items"] == events and not everything["has_more"]


def test_event_mismatch_gap_conflict_and_broken_chains(shared_central_server: CentralServer) -> None:
    with shared_central_server.client() as http:
        case_id = _case(http)
        events = chain(case_id, 3)
        assert _post(http, case_id, events[:2]).status_code == 200

        altered = {**events[1], "payload": {"note": "改过"}}
        mismatch = _post(http, case_id, [altered])
        assert mismatch.status_code == 409 and _code(mismatch) == "event_mismatch"
        assert mismatch.json()["error"]["details"] == {"event_id": events[1]["event_id"]}

        later = chain(case_id, 2, start=4, prev_hash=events[2]["hash"])
        gap = _post(http, case_id, later)
        assert gap.status_code == 409 and _code(gap) == "event_gap"
        assert gap.json()["error"]["details"] == {"head_seq": 2, "head_hash": events[1]["hash"]}

        fork = chain(case_id, 2)[1]  # another event at seq 2
        conflict = _post(http, case_id, [fork])
        assert conflict.status_code == 409 and _code(conflict) == "chain_conflict"
        assert conflict.json()["error"]["details"]["event_id"] == events[1]["event_id"]

        forged = {**events[2], "action": "改判"}
        invalid = _post(http, case_id, [forged])
        assert invalid.status_code == 422 and _code(invalid) == "hash_invalid"

        unlinked = chain(case_id, 1, start=3, prev_hash="0" * 64)
        broken = _post(http, case_id, unlinked)
        assert broken.status_code == 422 and _code(broken) == "chain_broken"
        assert broken.json()["error"]["details"]["expected_prev_hash"] == events[1]["hash"]

        # All or nothing: a good event with a bad one stores neither.
        assert _post(http, case_id, [events[2], *later[:1], forged]).status_code in (409, 422)
        assert http.get(f"/v1/cases/{case_id}/events").json()["head_seq"] == 2

        wrong_genesis = chain(new_id(), 1)  # a chain made for another case id
        other_case = _case(http)
        assert _code(_post(http, other_case, wrong_genesis)) == "hash_invalid"
        assert _post(http, new_id(), chain(new_id(), 1)).status_code == 404


def test_events_of_another_township_are_forbidden(shared_central_server: CentralServer) -> None:
    server = shared_central_server
    other = server.seed()
    with server.client() as mine, server.client(other.officers[0].username) as theirs:
        case_id = _case(mine)
        assert _post(theirs, case_id, chain(case_id, 1)).status_code == 403
        assert theirs.get(f"/v1/cases/{case_id}/events").status_code == 403
        assert (
            theirs.post(
                f"/v1/cases/{case_id}/anchor", json={"head_seq": 1, "head_hash": "a" * 64}
            ).status_code
            == 403
        )


def test_anchors_record_heads_and_refuse_conflicting_ones(shared_central_server: CentralServer) -> None:
    with shared_central_server.client() as http:
        case_id = _case(http)
        events = chain(case_id, 3)
        _post(http, case_id, events)
        first = http.post(f"/v1/cases/{case_id}/anchor", json={"head_seq": 3, "head_hash": events[2]["hash"]})
        assert first.status_code == 201
        anchored = first.json()
        assert anchored["head_seq"] == 3 and anchored["anchored_at"].endswith("+00:00")
        same = http.post(f"/v1/cases/{case_id}/anchor", json={"head_seq": 3, "head_hash": events[2]["hash"]})
        assert same.status_code == 200 and same.json() == anchored

        against_record = http.post(f"/v1/cases/{case_id}/anchor", json={"head_seq": 2, "head_hash": "b" * 64})
        assert against_record.status_code == 409 and _code(against_record) == "anchor_mismatch"
        assert against_record.json()["error"]["details"] == {"head_seq": 2, "head_hash": events[1]["hash"]}

        # A head the server has no events for yet is recorded; a later different hash conflicts.
        assert (
            http.post(f"/v1/cases/{case_id}/anchor", json={"head_seq": 9, "head_hash": "c" * 64}).status_code
            == 201
        )
        clash = http.post(f"/v1/cases/{case_id}/anchor", json={"head_seq": 9, "head_hash": "d" * 64})
        assert _code(clash) == "anchor_mismatch"
        assert "篡改" in clash.json()["error"]["message"]

        listed = http.get(f"/v1/cases/{case_id}/anchor").json()["items"]
        assert [(a["head_seq"], a["head_hash"]) for a in listed] == [(3, events[2]["hash"]), (9, "c" * 64)]
        bad = http.post(
            f"/v1/cases/{case_id}/anchor",
            content=json.dumps({"head_seq": 0, "head_hash": "x"}),
            headers={"Content-Type": "application/json"},
        )
        assert bad.status_code == 422


def _batch(http: httpx.Client, items: list[dict[str, Any]]) -> httpx.Response:
    return http.post("/v1/anchors", json={"items": items})


def test_batch_anchors_many_heads_once(shared_central_server: CentralServer) -> None:
    with shared_central_server.client() as http:
        heads: list[dict[str, Any]] = []
        for count in (1, 2, 3):
            case_id = _case(http)
            events = chain(case_id, count)
            _post(http, case_id, events)
            heads.append({"case_id": case_id, "head_seq": count, "head_hash": events[-1]["hash"]})
        first = _batch(http, heads)
        assert first.status_code == 200
        results = first.json()["items"]
        assert [(r["case_id"], r["head_seq"], r["head_hash"], r["status"]) for r in results] == [
            (h["case_id"], h["head_seq"], h["head_hash"], "anchored") for h in heads
        ]
        assert all(r["anchored_at"].endswith("+00:00") for r in results)
        for head, result in zip(heads, results, strict=True):
            listed = http.get(f"/v1/cases/{head['case_id']}/anchor").json()["items"]
            assert listed == [{k: v for k, v in result.items() if k != "status"}]

        again = _batch(http, heads)  # idempotent: the same anchored_at
        assert again.status_code == 200 and again.json() == first.json()
        single = http.post(
            f"/v1/cases/{heads[0]['case_id']}/anchor",
            json={"head_seq": heads[0]["head_seq"], "head_hash": heads[0]["head_hash"]},
        )
        assert single.status_code == 200 and single.json()["anchored_at"] == results[0]["anchored_at"]


def test_batch_items_fail_alone_with_the_single_endpoints_errors(
    shared_central_server: CentralServer,
) -> None:
    server = shared_central_server
    other = server.seed()
    with server.client() as mine, server.client(other.officers[0].username) as theirs:
        case_id = _case(mine)
        events = chain(case_id, 3)
        _post(mine, case_id, events)
        foreign = _case(theirs)
        unknown = new_id()
        fresh = _case(mine)
        items = [
            {"case_id": case_id, "head_seq": 3, "head_hash": events[2]["hash"]},
            {"case_id": case_id, "head_seq": 2, "head_hash": "b" * 64},  # the record says otherwise
            {"case_id": foreign, "head_seq": 1, "head_hash": "c" * 64},
            {"case_id": unknown, "head_seq": 1, "head_hash": "c" * 64},
            {"case_id": fresh, "head_seq": 4, "head_hash": "d" * 64},  # no events yet: recorded
            {"case_id": fresh, "head_seq": 4, "head_hash": "e" * 64},  # against the item before it
        ]
        response = _batch(mine, items)
        assert response.status_code == 200
        results = response.json()["items"]
        assert [r["status"] for r in results] == ["anchored", "error", "error", "error", "anchored", "error"]
        assert [r["case_id"] for r in results] == [i["case_id"] for i in items]
        assert [r["head_seq"] for r in results] == [i["head_seq"] for i in items]

        single = {
            index: mine.post(
                f"/v1/cases/{items[index]['case_id']}/anchor",
                json={"head_seq": items[index]["head_seq"], "head_hash": items[index]["head_hash"]},
            )
            for index in (1, 2, 3, 5)
        }
        for index, answer in single.items():
            assert answer.status_code in (403, 404, 409)
            error = answer.json()["error"]
            assert {k: results[index][k] for k in ("code", "message", "details")} == error
        assert results[1]["code"] == "anchor_mismatch"
        assert results[1]["details"] == {"head_seq": 2, "head_hash": events[1]["hash"]}
        assert results[2]["code"] == "forbidden"
        assert results[3]["code"] == "not_found"
        assert results[5]["code"] == "anchor_mismatch"
        assert results[5]["details"] == {"head_seq": 4, "head_hash": "d" * 64}

        listed = mine.get(f"/v1/cases/{case_id}/anchor").json()["items"]
        assert [(a["head_seq"], a["head_hash"]) for a in listed] == [(3, events[2]["hash"])]
        listed = mine.get(f"/v1/cases/{fresh}/anchor").json()["items"]
        assert [(a["head_seq"], a["head_hash"]) for a in listed] == [(4, "d" * 64)]
        assert theirs.get(f"/v1/cases/{foreign}/anchor").json()["items"] == []


def test_batch_anchor_limits(shared_central_server: CentralServer) -> None:
    with shared_central_server.client() as http:
        case_id = _case(http)
        item = {"case_id": case_id, "head_seq": 1, "head_hash": "a" * 64}
        empty = _batch(http, [])
        assert empty.status_code == 422 and _code(empty) == "validation_error"
        too_many = _batch(http, [{**item, "head_seq": seq} for seq in range(1, 502)])
        assert too_many.status_code == 422 and _code(too_many) == "validation_error"
        bad_head = _batch(http, [item, {**item, "head_seq": 0, "head_hash": "x"}])
        assert bad_head.status_code == 422 and _code(bad_head) == "validation_error"
        assert http.get(f"/v1/cases/{case_id}/anchor").json()["items"] == []
        at_most = _batch(http, [{**item, "head_seq": seq} for seq in range(1, 501)])
        assert at_most.status_code == 200
        assert {r["status"] for r in at_most.json()["items"]} == {"anchored"}
        assert len(http.get(f"/v1/cases/{case_id}/anchor").json()["items"]) == 500
