"""Tasks and clues pushed to a township (发现—推送—处理) and publication (公示)."""

from __future__ import annotations

import httpx
import pytest

from tests.central.helpers import new_id
from tests.central.server import CentralServer

pytestmark = pytest.mark.e2e


def _code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def _case(http: httpx.Client) -> str:
    case_id = new_id()
    response = http.put(
        f"/v1/cases/{case_id}", json={"base_version": 0, "fields": {}}, headers={"Idempotency-Key": new_id()}
    )
    response.raise_for_status()
    return case_id


def test_tasks_are_pushed_listed_and_acknowledged(shared_central_server: CentralServer) -> None:
    server = shared_central_server
    township, other = server.seed(), server.seed()
    with (
        server.client(township.officers[0].username) as http,
        server.client(other.officers[0].username) as theirs,
        server.admin() as admin,
    ):
        page = http.get("/v1/tasks").json()
        tasks = page["items"]
        assert [t["id"] for t in tasks] == list(township.task_ids)
        clue = tasks[0]
        assert clue["kind"] == "clue" and clue["status"] == "open"
        assert clue["evidence_sha256"] == [township.evidence_sha256]
        assert tasks[1]["deadline"] == "2026-12-31"

        pushed = admin.post(
            "/v1/admin/tasks",
            json={
                "township_code": township.code,
                "title": "河道边违规堆放建筑垃圾",
                "description": "视频监控发现",
                "location": "清水河东岸",
                "deadline": "2026-12-05",
                "source": "非现场监测",
                "evidence_sha256": [],
            },
        )
        assert pushed.status_code == 201
        fresh = http.get("/v1/tasks", params={"cursor": page["next_cursor"]}).json()["items"]
        assert [t["title"] for t in fresh] == ["河道边违规堆放建筑垃圾"]

        accepted = http.post(f"/v1/tasks/{clue['id']}/ack", json={"status": "accepted"})
        assert accepted.json()["status"] == "accepted" and accepted.json()["version"] == 2
        repeat = http.post(f"/v1/tasks/{clue['id']}/ack", json={"status": "accepted"})
        assert repeat.json() == accepted.json()  # idempotent: nothing changes
        case_id = _case(http)
        done = http.post(f"/v1/tasks/{clue['id']}/ack", json={"status": "done", "case_id": case_id})
        assert done.json()["status"] == "done" and done.json()["case_id"] == case_id
        assert (
            http.post(f"/v1/tasks/{clue['id']}/ack", json={"status": "done", "case_id": case_id}).json()
            == done.json()
        )
        back = http.post(f"/v1/tasks/{clue['id']}/ack", json={"status": "accepted"})
        assert back.status_code == 409 and _code(back) == "invalid_transition"
        other_case = http.post(f"/v1/tasks/{clue['id']}/ack", json={"status": "done", "case_id": new_id()})
        assert _code(other_case) == "invalid_transition"
        after_ack = http.get("/v1/tasks", params={"cursor": page["next_cursor"]}).json()["items"]
        assert {t["id"] for t in after_ack} == {clue["id"], pushed.json()["id"]}

        assert theirs.post(f"/v1/tasks/{clue['id']}/ack", json={"status": "done"}).status_code == 403
        assert {t["id"] for t in theirs.get("/v1/tasks").json()["items"]} == set(other.task_ids)
        assert http.post(f"/v1/tasks/{new_id()}/ack", json={"status": "done"}).status_code == 404
        bad = http.post(f"/v1/tasks/{clue['id']}/ack", json={"status": "rejected"})
        assert bad.status_code == 422


def test_publication_withdrawal_and_the_public_list(shared_central_server: CentralServer) -> None:
    server = shared_central_server
    township = server.seed()
    with server.client(township.officers[0].username) as http, server.anonymous() as public:
        case_id = _case(http)
        key = new_id()
        body = {
            "case_id": case_id,
            "decision_number": "示综执罚决字〔2026〕第3号",
            "content": "当事人某某于人民路占道经营，决定罚款200元。",
            "published_on": "2026-11-26",
        }
        created = http.post("/v1/publications", json=body, headers={"Idempotency-Key": key})
        assert created.status_code == 201
        publication = created.json()
        assert publication["status"] == "published"
        replay = http.post("/v1/publications", json=body, headers={"Idempotency-Key": key})
        assert replay.status_code == 201 and replay.json() == publication
        assert replay.headers["Idempotent-Replayed"] == "true"
        duplicate = http.post("/v1/publications", json=body, headers={"Idempotency-Key": new_id()})
        assert duplicate.status_code == 409 and _code(duplicate) == "already_published"
        assert http.post("/v1/publications", json=body).status_code == 400  # no key

        listed = public.get("/v1/publications", params={"township": township.code}).json()
        assert [p["id"] for p in listed["items"]] == [publication["id"]]
        assert listed["items"][0]["content"].startswith("当事人")

        withdrawn = http.post(
            f"/v1/publications/{publication['id']}/withdraw", json={"reason": "决定已被撤销"}
        )
        assert withdrawn.json()["status"] == "withdrawn" and withdrawn.json()["content"] is None
        again = http.post(f"/v1/publications/{publication['id']}/withdraw", json={"reason": "另一个理由"})
        assert again.json() == withdrawn.json()
        changed = public.get("/v1/publications", params={"cursor": listed["next_cursor"]}).json()["items"]
        assert [(p["id"], p["status"], p["content"]) for p in changed] == [
            (publication["id"], "withdrawn", None)
        ]
        assert public.get("/v1/publications", params={"township": "999999"}).json()["items"] == []

        republished = http.post("/v1/publications", json=body, headers={"Idempotency-Key": new_id()})
        assert republished.status_code == 201  # allowed again after withdrawal
        missing_case = http.post(
            "/v1/publications", json={**body, "case_id": new_id()}, headers={"Idempotency-Key": new_id()}
        )
        assert missing_case.status_code == 404
