"""One conformance suite for every SyncGateway adapter (docs/SYNC-ADAPTERS.md).

Each test runs once per backend (conftest.py): the central-v1 adapter against the real
reference server, the township-v2 adapter against the v2 stand-in, both under real uvicorn
on 127.0.0.1 and, where the network misbehaves, through the fault proxy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import hashlib
import io
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.sync.backends import CHUNK, Backend, Gateway, drain, new_id
from tests.sync.fault_proxy import Fault, FaultProxy
from workstation.domain import record
from workstation.domain.record import CaseEvent, FieldChange
from workstation.domain.sync_ports import (
    AnchorHead,
    AnchorReceipt,
    CaseLocked,
    LoginFailed,
    Page,
    RecordRejected,
    RefItem,
    RetryableError,
    ServerRestored,
    SessionExpired,
    Task,
    Tokens,
    UpgradeRequired,
    VersionConflict,
    upload_file,
)
from workstation.sync.http_common import MALFORMED_MESSAGE

WHEN = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def events(case_id: str, count: int, head: CaseEvent | None = None) -> list[CaseEvent]:
    made: list[CaseEvent] = []
    for _ in range(count):
        head = record.append(
            head,
            case_id=case_id,
            actor_id="officer-1",
            actor_role="承办人",
            action="取证",
            occurred_at=WHEN,
            changes=(FieldChange("status", None, "取证"),),
            payload={"note": "现场检查", "amount": "500.00"},
        )
        made.append(head)
    return made


def new_case(gateway: Gateway, document: dict[str, object] | None = None) -> str:
    case_id = new_id()
    gateway.push_case(case_id, document or {"当事人": "某商店"}, None, new_id())
    return case_id


# ---------------------------------------------------------------- session


def test_handshake_identifies_the_server(backend: Backend) -> None:
    gateway = backend.gateway()
    info = gateway.handshake()
    assert info.instance_id and info.api_version
    assert info.high_water >= 0
    assert info.min_client_version <= "0.1.0"
    gateway.close()


def test_wrong_password_is_a_login_failure(backend: Backend) -> None:
    gateway = backend.gateway()
    with pytest.raises(LoginFailed) as caught:
        gateway.login(backend.username, "wrong-password", "device-1")
    assert caught.value.message and gateway.tokens is None
    gateway.close()


def test_login_reports_tokens_and_officer(backend: Backend) -> None:
    seen: list[Tokens | None] = []
    gateway = backend.gateway(on_tokens=seen.append)
    tokens = backend.login(gateway)
    assert seen == [tokens] and gateway.tokens == tokens
    assert tokens.officer is not None and tokens.officer.username == backend.username
    assert tokens.access_expires_at > dt.datetime.now(dt.UTC)
    assert "access_token" not in repr(tokens) or tokens.access_token not in repr(tokens)
    gateway.close()


def test_no_tokens_means_log_in_first(backend: Backend) -> None:
    gateway = backend.gateway()
    with pytest.raises(SessionExpired):
        gateway.pull_tasks(None)
    gateway.close()


def test_expired_access_token_is_refreshed_once_and_reported(backend: Backend) -> None:
    seen: list[Tokens | None] = []
    gateway = backend.gateway(on_tokens=seen.append)
    first = backend.login(gateway)
    backend.advance_clock(backend.access_ttl + 5)
    gateway.pull_tasks(None, limit=1)
    assert len(seen) == 2 and seen[1] is not None
    assert seen[1].access_token != first.access_token and seen[1].refresh_token != first.refresh_token
    gateway.pull_tasks(None, limit=1)  # the new token works without another refresh
    assert len(seen) == 2
    # A used refresh token is refused (servers treat its reuse as theft).
    with pytest.raises(SessionExpired):
        gateway.refresh(first.refresh_token)
    assert seen[-1] is None and gateway.tokens is None
    gateway.close()


def test_concurrent_expiry_refreshes_only_once(backend: Backend) -> None:
    seen: list[Tokens | None] = []
    gateway = backend.gateway(on_tokens=seen.append)
    backend.login(gateway)
    backend.advance_clock(backend.access_ttl + 5)
    errors: list[BaseException] = []

    def pull() -> None:
        try:
            gateway.pull_tasks(None, limit=1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=pull) for _ in range(6)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    finally:
        gateway.close()
    assert errors == []
    assert len(seen) == 2  # login, then exactly one refresh


def test_refresh_failure_asks_to_log_in_again(backend: Backend) -> None:
    seen: list[Tokens | None] = []
    gateway = backend.gateway(on_tokens=seen.append)
    backend.login(gateway)
    backend.advance_clock(backend.refresh_ttl + 5)
    with pytest.raises(SessionExpired) as caught:
        gateway.pull_tasks(None)
    assert "重新登录" in caught.value.message
    assert seen[-1] is None and gateway.tokens is None
    gateway.close()


def test_logout_ends_the_session(backend: Backend) -> None:
    seen: list[Tokens | None] = []
    gateway = backend.gateway(on_tokens=seen.append)
    tokens = backend.login(gateway)
    gateway.logout()
    assert seen[-1] is None and gateway.tokens is None
    gateway.set_tokens(tokens)
    with pytest.raises(SessionExpired):
        gateway.pull_tasks(None)
    gateway.close()


def test_stored_tokens_are_used(backend: Backend, gateway: Gateway) -> None:
    other = backend.gateway(tokens=gateway.tokens)
    assert isinstance(other.pull_tasks(None, limit=1), Page)
    other.close()


def test_unsupported_client_version_requires_an_upgrade(backend: Backend) -> None:
    gateway = backend.gateway(client_version="9.0.0")
    with pytest.raises(UpgradeRequired) as caught:
        gateway.handshake()
    assert "升级" in caught.value.message
    gateway.close()


# ---------------------------------------------------------------- reference data


def test_reference_paging_never_misses_or_repeats(backend: Backend, gateway: Gateway) -> None:
    tag = new_id()[:8]
    names = [f"{tag}-{n}" for n in range(7)]
    for name in names:
        backend.put_reference("holidays", name, {"year": 2026, "name": name})

    def pull(cursor: str | None) -> Page[RefItem]:
        return gateway.pull_reference("holidays", cursor, 3)

    page = pull(None)
    got = list(page.items)
    cursor = page.next_cursor
    # Between pages: an item already read changes, another is added, one is deleted.
    first_read = got[0].item_id
    backend.put_reference("holidays", first_read, {"changed": True})
    backend.put_reference("holidays", f"{tag}-late", {"late": True})
    backend.delete_reference("holidays", names[-1])
    rest, cursor = drain(pull, cursor)
    got.extend(rest)
    seqs = [item.updated_seq for item in got]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    latest = {item.item_id: item for item in got}
    assert {*names, f"{tag}-late"} <= set(latest)
    assert latest[first_read].payload == {"changed": True}
    assert latest[names[-1]].deleted and latest[names[-1]].payload is None
    # An object shows up again only when it changed after it was read.
    repeated = {item.item_id for item in got if sum(i.item_id == item.item_id for i in got) > 1}
    assert repeated <= {first_read, names[-1]}
    # The stored cursor is at the end: nothing new, and it stays usable.
    again = pull(cursor)
    assert again.items == () and not again.has_more
    backend.put_reference("holidays", names[0], {"again": True})
    newer = pull(again.next_cursor)
    assert [item.item_id for item in newer.items] == [names[0]]


def test_a_foreign_cursor_is_refused(backend: Backend, gateway: Gateway) -> None:
    cursor = gateway.pull_changes(None, 1).next_cursor
    with pytest.raises(RecordRejected) as caught:
        gateway.pull_reference("holidays", cursor, 10)
    assert caught.value.code == "invalid_cursor"


def test_a_cursor_beyond_the_server_means_it_was_restored(
    backend: Backend, gateway: Gateway, tmp_path: Path
) -> None:
    for n in range(30):
        backend.put_reference("holidays", f"restore-{n}", {"n": n})
    _, cursor = drain(lambda c: gateway.pull_reference("holidays", c, 100))
    with backend.fresh(tmp_path / "restored") as base_url:
        restored = backend.gateway(base_url)
        backend.login(restored)
        with pytest.raises(ServerRestored) as caught:
            restored.pull_reference("holidays", cursor, 10)
        assert caught.value.high_water < 30
        restored.close()


# ---------------------------------------------------------------- cases


def test_case_create_update_and_conflict(gateway: Gateway) -> None:
    case_id = new_id()
    created = gateway.push_case(case_id, {"当事人": "某商店", "罚款": "500.00"}, None, new_id())
    assert (created.version, created.replayed, created.locked) == (1, False, False)
    assert created.review_status == "none" and created.document == {"当事人": "某商店", "罚款": "500.00"}
    updated = gateway.push_case(case_id, {"当事人": "某商店", "罚款": "800.00"}, 1, new_id())
    assert updated.version == 2 and updated.updated_seq > created.updated_seq
    with pytest.raises(VersionConflict) as caught:
        gateway.push_case(case_id, {"当事人": "另一版本"}, 1, new_id())
    assert caught.value.current_version == 2
    assert caught.value.server_document is not None
    assert caught.value.server_document.document["罚款"] == "800.00"
    with pytest.raises(VersionConflict) as again:
        gateway.push_case(case_id, {"当事人": "重复新建"}, None, new_id())
    assert again.value.current_version == 2
    with pytest.raises(VersionConflict) as missing:
        gateway.push_case(new_id(), {"x": 1}, 3, new_id())
    assert missing.value.current_version == 0 and missing.value.server_document is None
    server = gateway.get_case(case_id)
    assert server is not None and server.version == 2 and server.updated_at is not None
    assert gateway.get_case(new_id()) is None


def test_case_number_is_recorded_once(gateway: Gateway) -> None:
    case_id = new_id()
    number = f"某综执罚〔2026〕{new_id()[:6]}号"
    ack = gateway.push_case(case_id, {"a": 1}, None, new_id(), case_number=number)
    assert ack.case_number == number
    kept = gateway.push_case(case_id, {"a": 2}, 1, new_id())
    assert kept.case_number == number
    with pytest.raises(RecordRejected) as caught:
        gateway.push_case(case_id, {"a": 3}, 2, new_id(), case_number="另一个案号")
    assert caught.value.code == "case_number_immutable" and caught.value.status == 409


def test_a_locked_case_refuses_edits(backend: Backend, gateway: Gateway) -> None:
    case_id = new_case(gateway)
    backend.lock_case(case_id)
    server = gateway.get_case(case_id)
    assert server is not None and server.locked and server.review_status == "approved"
    with pytest.raises(CaseLocked) as caught:
        gateway.push_case(case_id, {"x": 1}, server.version, new_id())
    assert caught.value.server_document is not None and caught.value.server_document.locked
    assert "锁定" in caught.value.message


def test_changes_feed_has_each_case_at_its_latest_version(backend: Backend, gateway: Gateway) -> None:
    _, cursor = drain(lambda c: gateway.pull_changes(c, 50))
    first = new_case(gateway)
    second = new_case(gateway)
    gateway.push_case(first, {"步骤": 2}, 1, new_id())
    items, cursor = drain(lambda c: gateway.pull_changes(c, 1), cursor)
    assert [(item.case_id, item.version) for item in items] == [(second, 1), (first, 2)]
    backend.lock_case(second)
    items, _ = drain(lambda c: gateway.pull_changes(c, 10), cursor)
    assert [(item.case_id, item.locked) for item in items] == [(second, True)]


def test_a_lost_acknowledgement_is_replayed_not_conflicted(proxied: Gateway, proxy: FaultProxy) -> None:
    case_id, key = new_id(), new_id()
    document = {"当事人": "某商店", "金额": "500.00", "时间": "2026-11-26"}
    proxy.inject(Fault.drop_response(), match="case")
    with pytest.raises(RetryableError):
        proxied.push_case(case_id, document, None, key)
    ack = proxied.push_case(case_id, dict(reversed(list(document.items()))), None, key)
    assert ack.version == 1 and ack.replayed
    # A retransmitted request is applied once.
    proxy.inject(Fault.duplicate(), match="case")
    second = proxied.push_case(case_id, {"当事人": "某商店"}, 1, new_id())
    assert second.version == 2
    server = proxied.get_case(case_id)
    assert server is not None and server.version == 2


# ---------------------------------------------------------------- events, anchors


def test_events_are_idempotent_and_chained(gateway: Gateway) -> None:
    case_id = new_case(gateway)
    chain = events(case_id, 5)
    ack = gateway.push_events(case_id, chain[:3])
    assert (ack.accepted, ack.duplicates, ack.head_seq, ack.head_hash) == (3, 0, 3, chain[2].hash)
    again = gateway.push_events(case_id, chain[:3])
    assert (again.accepted, again.duplicates, again.head_seq) == (0, 3, 3)
    more = gateway.push_events(case_id, chain[2:])
    assert (more.accepted, more.duplicates, more.head_seq) == (2, 1, 5)
    later = events(case_id, 2, chain[-1])
    with pytest.raises(RecordRejected) as gap:
        gateway.push_events(case_id, later[1:])
    assert gap.value.code == "event_gap" and gap.value.details["head_seq"] == 5
    with pytest.raises(RecordRejected) as missing:
        gateway.push_events(new_id(), chain[:1])
    assert missing.value.code == "not_found"


def test_events_are_read_back_in_pages(gateway: Gateway) -> None:
    case_id = new_case(gateway)
    chain = events(case_id, 7)
    gateway.push_events(case_id, chain)
    whole = gateway.pull_events(case_id, 0)
    assert list(whole.items) == chain and not whole.has_more
    assert whole.next_cursor == "7"
    read: list[CaseEvent] = []
    after = 0
    for _ in range(10):
        page = gateway.pull_events(case_id, after, limit=3)
        read.extend(page.items)
        after = int(page.next_cursor)
        if not page.has_more:
            break
    assert read == chain and after == 7
    tail = gateway.pull_events(case_id, 5)
    assert [e.seq for e in tail.items] == [6, 7] and tail.items[0].prev_hash == chain[4].hash
    end = gateway.pull_events(case_id, 7)
    assert end.items == () and not end.has_more and end.next_cursor == "7"
    empty = new_case(gateway)
    assert gateway.pull_events(empty, 0).items == ()
    with pytest.raises(RecordRejected) as missing:
        gateway.pull_events(new_id(), 0)
    assert missing.value.code == "not_found"


def _tampered_payload(chain: list[CaseEvent]) -> list[CaseEvent]:
    return [chain[0], dataclasses.replace(chain[1], payload={"note": "被改过"}), *chain[2:]]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(_tampered_payload, id="hash"),
        pytest.param(lambda chain: [chain[0], chain[2]], id="gap"),
        pytest.param(lambda chain: [chain[1], chain[0], chain[2]], id="order"),
        pytest.param(lambda chain: events("another-case", 1), id="foreign"),
        pytest.param(lambda chain: chain[1:], id="late-start"),
    ],
)
def test_events_that_do_not_make_a_record_are_refused_whole(
    backend: Backend,
    proxied: Gateway,
    proxy: FaultProxy,
    tamper: Callable[[list[CaseEvent]], list[CaseEvent]],
) -> None:
    case_id = new_case(proxied)
    chain = events(case_id, 3)
    proxied.push_events(case_id, chain)
    proxy.inject(Fault.status(200, body=backend.events_body(tamper(chain), False)), match="GET")
    with pytest.raises(RetryableError) as caught:
        proxied.pull_events(case_id, 0)
    assert caught.value.message == MALFORMED_MESSAGE
    assert list(proxied.pull_events(case_id, 0).items) == chain


@pytest.mark.parametrize(
    "fault",
    [
        Fault.html(),
        Fault.invalid_json(),
        Fault.truncate(0.7, fix_length=True),
        Fault.truncate(),
        Fault.corrupt(),
    ],
    ids=lambda fault: f"{fault.kind}-{fault.keep}-{fault.fix_length}-{fault.content_type[:9]}",
)
def test_a_broken_events_page_is_retryable_and_never_partial(
    proxied: Gateway, proxy: FaultProxy, fault: Fault
) -> None:
    case_id = new_case(proxied)
    chain = events(case_id, 4)
    proxied.push_events(case_id, chain)
    proxy.inject(fault, match="GET")
    with pytest.raises(RetryableError):
        proxied.pull_events(case_id, 0)
    assert list(proxied.pull_events(case_id, 0).items) == chain


def test_anchor_records_the_head_once(gateway: Gateway) -> None:
    case_id = new_case(gateway)
    chain = events(case_id, 2)
    gateway.push_events(case_id, chain)
    receipt = gateway.anchor(case_id, 2, chain[1].hash)
    assert (receipt.case_id, receipt.head_seq, receipt.head_hash) == (case_id, 2, chain[1].hash)
    assert receipt.anchored_at.utcoffset() is not None
    assert gateway.anchor(case_id, 2, chain[1].hash).head_hash == chain[1].hash
    with pytest.raises(RecordRejected) as caught:
        gateway.anchor(case_id, 2, "0" * 64)
    assert caught.value.code == "anchor_mismatch" and caught.value.details["head_hash"] == chain[1].hash


def test_anchor_many_answers_each_head_as_anchor_would(gateway: Gateway) -> None:
    cases = [new_case(gateway) for _ in range(3)]
    chains = [events(case_id, 2) for case_id in cases]
    for case_id, chain in zip(cases, chains, strict=True):
        gateway.push_events(case_id, chain)
    assert gateway.anchor_many([]) == []
    heads = [AnchorHead(case_id, 2, chain[1].hash) for case_id, chain in zip(cases, chains, strict=True)]
    heads.insert(1, AnchorHead(cases[0], 1, "0" * 64))  # not the hash the server holds
    first = gateway.anchor_many(heads)
    assert len(first) == 4
    refused = first.pop(1)
    assert isinstance(refused, RecordRejected) and refused.code == "anchor_mismatch"
    assert refused.details["head_hash"] == chains[0][0].hash
    receipts = [r for r in first if isinstance(r, AnchorReceipt)]
    assert [(r.case_id, r.head_seq, r.head_hash) for r in receipts] == [
        (h.case_id, h.head_seq, h.head_hash) for h in heads if h.head_seq == 2
    ]
    assert all(r.anchored_at.utcoffset() is not None for r in receipts)
    # Again: the same anchors, at the same time (the server's record, not a new one).
    again = gateway.anchor_many([h for h in heads if h.head_seq == 2])
    assert [r.anchored_at for r in again if isinstance(r, AnchorReceipt)] == [r.anchored_at for r in receipts]


# ---------------------------------------------------------------- attachments


def test_chunked_upload_resumes_from_the_server_offset(gateway: Gateway) -> None:
    data = new_id().encode() * (CHUNK * 5 // 72)  # about 2.5 chunks
    sha = hashlib.sha256(data).hexdigest()
    state = gateway.start_upload(sha, len(data), "现场照片.jpg", "image/jpeg")
    assert state.upload_id is not None and state.offset == 0 and not state.already_present
    assert gateway.send_chunk(state.upload_id, 0, data[:CHUNK]) == CHUNK
    # The workstation restarts: the server says where to go on.
    resumed = gateway.start_upload(sha, len(data), "现场照片.jpg", "image/jpeg")
    assert resumed.upload_id == state.upload_id and resumed.offset == CHUNK
    assert gateway.upload_offset(state.upload_id) == CHUNK
    with pytest.raises(RecordRejected) as caught:
        gateway.send_chunk(state.upload_id, 0, data[:CHUNK])
    assert caught.value.code == "offset_mismatch" and caught.value.details["offset"] == CHUNK
    with pytest.raises(RecordRejected) as early:
        gateway.complete_upload(state.upload_id)
    assert early.value.code == "upload_incomplete"
    done = upload_file(gateway, sha, len(data), "现场照片.jpg", "image/jpeg", lambda o, n: data[o : o + n])
    assert done.complete and done.offset == len(data) and done.sha256 == sha
    present = gateway.start_upload(sha, len(data), "again.jpg", "image/jpeg")
    assert present.already_present and present.upload_id is None
    sink = io.BytesIO()
    assert gateway.download(sha, sink) == len(data) and sink.getvalue() == data


def test_upload_resumes_after_a_lost_chunk_acknowledgement(
    backend: Backend, proxied: Gateway, proxy: FaultProxy
) -> None:
    data = new_id().encode() * (CHUNK * 3 // 36)  # three chunks
    sha = hashlib.sha256(data).hexdigest()

    def read(offset: int, length: int) -> bytes:
        return data[offset : offset + length]

    chunk_path = "?offset=" if backend.name == "central-v1" else "/part?pos="
    proxy.inject(Fault.drop_response(), match=chunk_path)
    with pytest.raises(RetryableError):
        upload_file(proxied, sha, len(data), "录像.mp4", "video/mp4", read)
    sent_before = [e for e in proxy.log if chunk_path in e.target]
    assert len(sent_before) == 1  # the first chunk arrived, its answer was lost
    done = upload_file(proxied, sha, len(data), "录像.mp4", "video/mp4", read)
    assert done.complete
    chunks = [e.target for e in proxy.log if chunk_path in e.target]
    assert len(chunks) == 3  # resumed after the lost answer: the first chunk was not sent again
    sink = io.BytesIO()
    proxied.download(sha, sink)
    assert sink.getvalue() == data


def test_upload_with_the_wrong_hash_is_refused_and_restarts(gateway: Gateway) -> None:
    data = new_id().encode() * 100
    wrong = hashlib.sha256(data + b"!").hexdigest()
    state = gateway.start_upload(wrong, len(data), "a.pdf", "application/pdf")
    assert state.upload_id is not None
    gateway.send_chunk(state.upload_id, 0, data)
    with pytest.raises(RecordRejected) as caught:
        gateway.complete_upload(state.upload_id)
    assert caught.value.code == "hash_mismatch" and caught.value.status == 422
    assert gateway.upload_offset(state.upload_id) == 0


def test_a_corrupted_download_is_discarded_and_retried(
    proxied: Gateway, proxy: FaultProxy, gateway: Gateway
) -> None:
    data = new_id().encode() * 50
    sha = hashlib.sha256(data).hexdigest()
    upload_file(gateway, sha, len(data), "b.bin", "application/octet-stream", lambda o, n: data[o : o + n])
    proxy.inject(Fault.corrupt(), match="GET")
    with pytest.raises(RetryableError) as caught:
        proxied.download(sha, io.BytesIO())
    assert "校验" in caught.value.message
    proxy.inject(Fault.truncate(), match="GET")
    with pytest.raises(RetryableError):
        proxied.download(sha, io.BytesIO())
    with pytest.raises(RecordRejected) as missing:
        proxied.download("0" * 64, io.BytesIO())
    assert missing.value.code == "not_found"


# ---------------------------------------------------------------- tasks, publication


def test_tasks_are_pulled_and_acknowledged(backend: Backend, gateway: Gateway) -> None:
    _, cursor = drain(lambda c: gateway.pull_tasks(c, 50))
    task_id = backend.add_task("巡查发现：占道经营")
    items, cursor = drain(lambda c: gateway.pull_tasks(c, 10), cursor)
    assert [(task.task_id, task.status, task.case_id) for task in items] == [(task_id, "open", None)]
    assert items[0].title == "巡查发现：占道经营" and items[0].kind == "clue"
    case_id = new_case(gateway)
    accepted = gateway.ack_task(task_id, "accepted", case_id)
    assert (accepted.status, accepted.case_id) == ("accepted", case_id)
    assert gateway.ack_task(task_id, "accepted", None).version == accepted.version
    done = gateway.ack_task(task_id, "done", case_id)
    assert done.status == "done"
    with pytest.raises(RecordRejected) as caught:
        gateway.ack_task(task_id, "accepted", case_id)
    assert caught.value.code == "invalid_transition"
    later: list[Task]
    later, _ = drain(lambda c: gateway.pull_tasks(c, 10), cursor)
    assert [(task.task_id, task.status) for task in later] == [(task_id, "done")]


def test_publication_and_withdrawal(proxied: Gateway, proxy: FaultProxy) -> None:
    case_id = new_case(proxied)
    key = new_id()
    number = f"某综执罚决〔2026〕{new_id()[:6]}号"
    args = (case_id, number, "对某商店占道经营罚款五百元。", dt.date(2026, 11, 26))
    proxy.inject(Fault.drop_response(), match="publi")
    with pytest.raises(RetryableError):
        proxied.publish(*args, idempotency_key=key)
    published = proxied.publish(*args, idempotency_key=key)
    assert published.status == "published" and published.content == args[2]
    assert proxied.publish(*args, idempotency_key=key).publication_id == published.publication_id
    with pytest.raises(RecordRejected) as caught:
        proxied.publish(case_id, number, "另一份内容", dt.date(2026, 11, 27), idempotency_key=new_id())
    assert caught.value.code == "already_published"
    withdrawn = proxied.withdraw(published.publication_id, "决定被撤销")
    assert withdrawn.status == "withdrawn" and withdrawn.content is None
    assert withdrawn.withdrawn_reason == "决定被撤销"
    assert proxied.withdraw(published.publication_id, "再次撤回") == withdrawn


# ---------------------------------------------------------------- error classification


#: Stands for an HTTP-date two minutes after the request (made when the test runs).
IN_TWO_MINUTES = "in-two-minutes"


@pytest.mark.parametrize(
    ("fault", "retry_after"),
    [
        (Fault.status(429, retry_after="7"), 7.0),
        (Fault.status(503, retry_after=IN_TWO_MINUTES), 120.0),
        (Fault.status(500), None),
        (Fault.status(502, body=b"<html>Bad Gateway</html>", content_type="text/html"), None),
        (Fault.status(408), None),
        (Fault.status(302, body=b"", content_type="text/html"), None),
        (Fault.html(), None),
        (Fault.invalid_json(), None),
        (Fault.status(200, body=b'{"items": [], "has_more": false}'), None),
        (Fault.status(200, body=b'{"items": []}', content_type="text/plain"), None),
        (Fault.truncate(), None),
        (Fault.truncate(0.6, fix_length=True), None),
        (Fault.drop(), None),
        (Fault.reset(), None),
        (Fault.drop_response(), None),
    ],
    ids=lambda value: value.kind if isinstance(value, Fault) else str(value),
)
def test_failures_are_retryable_and_never_partial(
    proxied: Gateway, proxy: FaultProxy, fault: Fault, retry_after: float | None
) -> None:
    if fault.retry_after == IN_TWO_MINUTES:
        when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)
        fault = dataclasses.replace(fault, retry_after=email.utils.format_datetime(when, usegmt=True))
    proxy.inject(fault)
    with pytest.raises(RetryableError) as caught:
        proxied.pull_reference("holidays", None, 50)
    error = caught.value
    if retry_after is None:
        assert error.retry_after is None
    else:
        assert error.retry_after is not None and abs(error.retry_after - retry_after) < 5
    if (fault.kind == "status" and fault.status_code == 200) or fault.kind == "truncate":
        assert error.message == MALFORMED_MESSAGE  # an answer came, but not a usable one
    assert proxy.pending() == 0
    assert proxied.pull_reference("holidays", None, 50).items  # the next try goes through


def test_a_slow_server_times_out_as_retryable(backend: Backend, proxy: FaultProxy) -> None:
    gateway = backend.gateway(proxy.base_url, timeout=1.0)
    proxy.inject(Fault.delay(1.6))
    with pytest.raises(RetryableError) as caught:
        gateway.handshake()
    assert caught.value.code == "timeout"
    gateway.close()


def test_a_captive_portal_during_login_is_retryable(backend: Backend, proxy: FaultProxy) -> None:
    gateway = backend.gateway(proxy.base_url)
    proxy.inject(Fault.html())
    with pytest.raises(RetryableError):
        backend.login(gateway)
    assert gateway.tokens is None
    gateway.close()
