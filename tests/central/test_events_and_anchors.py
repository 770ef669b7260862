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
