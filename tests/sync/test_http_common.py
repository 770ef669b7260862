"""The adapters' shared pieces without a server: Retry-After, strict field reads, canonical JSON,
events under an API's field names, checked downloads and case acknowledgements."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, replace
from decimal import Decimal

import httpx
import pytest

from workstation.domain.record import CaseEvent, FieldChange, event_hash, genesis_hash
from workstation.domain.sync_ports import CaseAck, RetryableError, ServerCase, canonical_json
from workstation.sync.http_common import (
    MALFORMED_MESSAGE,
    EventKeys,
    Fields,
    case_ack,
    json_body,
    parse_retry_after,
    read_event,
    write_checked,
    write_event,
)

NOW = dt.datetime(2026, 11, 26, 4, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("Thu, 26 Nov 2026 04:32:00 GMT", 120.0),
        ("Thu, 26 Nov 2026 04:00:00 GMT", 0.0),  # in the past: now
        ("-3", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


def _response(body: bytes, content_type: str = "application/json", **headers: str) -> httpx.Response:
    request = httpx.Request("GET", "http://127.0.0.1/v1/x")
    return httpx.Response(
        200, content=body, headers={"Content-Type": content_type, **headers}, request=request
    )


@pytest.mark.parametrize(
    "response",
    [
        _response(b"<html>portal</html>", "text/html"),
        _response(b'{"a": 1'),
        _response(b'{"a": NaN}'),
        _response(b"\xff\xfe"),
        _response(b'{"a": 1}', "application/json", **{"Content-Length": "99"}),
    ],
    ids=["html", "cut", "nan", "not-utf8", "short"],
)
def test_anything_but_complete_json_is_retryable(response: httpx.Response) -> None:
    with pytest.raises(RetryableError) as caught:
        json_body(response)
    assert caught.value.message == MALFORMED_MESSAGE


def test_fields_refuse_missing_and_mistyped_values() -> None:
    data = Fields.of(
        {"n": 1, "flag": True, "s": "x", "when": "2026-11-26T04:30:00+00:00", "naive": "2026-11-26T04:30:00"},
        "t",
    )
    assert (data.integer("n"), data.flag("flag"), data.text("s")) == (1, True, "x")
    assert data.time("when") == NOW
    for read in (
        lambda: data.integer("flag"),  # a bool is not an integer
        lambda: data.text("n"),
        lambda: data.flag("n"),
        lambda: data.text("missing"),
        lambda: data.time("naive"),
        lambda: data.obj("s"),
        lambda: Fields.of([1], "list"),
    ):
        with pytest.raises(RetryableError):
            read()


def test_canonical_json_is_stable_across_a_round_trip() -> None:
    value = {"b": [1, 2.5, None], "a": "案件", "d": Decimal("1.50"), "t": NOW}
    once = canonical_json(value)
    assert once == '{"a":"案件","b":[1,2.5,null],"d":"1.50","t":"2026-11-26T04:30:00.000000+00:00"}'.encode()
    assert canonical_json(json.loads(once)) == once


# ---------------------------------------------------------------- events, downloads, acks

CASE_ID = "5f0c2b1e-0000-4000-8000-000000000001"


def _event(case_id: str = CASE_ID, seq: int = 1, prev_hash: str | None = None) -> CaseEvent:
    draft = CaseEvent(
        event_id=f"ev-{seq}",
        case_id=case_id,
        seq=seq,
        occurred_at=dt.datetime(2026, 11, 26, 12, 30, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        actor_id=None if seq > 1 else "49bf81a3-a552-5e7c-872e-72e52c276398",
        actor_role="承办人",
        action="立案",
        changes=(FieldChange("stage", "clue", "investigation"), FieldChange("fine", None, "500.00")),
        payload={"note": "东街口", "items": [1, 2.5, None], "nested": {"签收": True}},
        prev_hash=prev_hash or genesis_hash(case_id),
        hash="",
    )
    return replace(draft, hash=event_hash(draft))


@pytest.mark.parametrize(
    "keys",
    [
        EventKeys(),
        EventKeys(event_id="eventId", occurred_at="occurredAt", actor_id="actorId", prev_hash="prevHash"),
    ],
    ids=["central-v1", "camel-case"],
)
def test_write_event_puts_every_field_under_the_api_names_and_reads_back(keys: EventKeys) -> None:
    event = _event()
    wire = write_event(event, keys)
    names = [getattr(keys, f) for f in EventKeys.__dataclass_fields__]
    assert sorted(wire) == sorted(names)  # no case_id: the API carries it in the path
    assert wire[keys.occurred_at] == "2026-11-26T04:30:00.123456+00:00"  # in UTC, to the microsecond
    assert wire[keys.changes] == [
        {"field": "stage", "old": "clue", "new": "investigation"},
        {"field": "fine", "old": None, "new": "500.00"},
    ]
    assert (wire[keys.actor_id], wire[keys.hash], wire[keys.prev_hash]) == (
        event.actor_id,
        event.hash,
        genesis_hash(CASE_ID),
    )
    # plain JSON: it survives the wire and reads back as the same event
    sent = json.loads(json.dumps(wire, ensure_ascii=False))
    assert read_event(Fields.of(sent, "event"), CASE_ID, keys) == event
    assert canonical_json(sent) == canonical_json(wire)


def test_a_written_event_read_under_another_case_or_altered_is_refused() -> None:
    wire = write_event(_event(), EventKeys())
    with pytest.raises(RetryableError):  # the hash covers the case id
        read_event(Fields.of(wire, "event"), "another-case", EventKeys())
    with pytest.raises(RetryableError):
        read_event(Fields.of({**wire, "action": "结案"}, "event"), CASE_ID, EventKeys())


class _Chunks(httpx.SyncByteStream):
    """A response body arriving in pieces; ``fail_after`` pieces, then the connection drops."""

    def __init__(self, chunks: list[bytes], fail_after: int | None = None) -> None:
        self.chunks = chunks
        self.fail_after = fail_after

    def __iter__(self) -> Iterator[bytes]:
        for index, chunk in enumerate(self.chunks):
            if index == self.fail_after:
                raise httpx.ReadError("connection reset")
            yield chunk


def _download(stream: httpx.SyncByteStream) -> httpx.Response:
    request = httpx.Request("GET", "http://127.0.0.1/v1/attachments/x")
    return httpx.Response(200, stream=stream, headers={"Content-Type": "image/png"}, request=request)


def test_write_checked_streams_the_body_into_the_sink_and_returns_its_size() -> None:
    chunks = [b"\x89PNG\r\n\x1a\n", b"x" * 70_000, b"", b"end"]
    body = b"".join(chunks)
    sink = io.BytesIO()
    assert write_checked(_download(_Chunks(chunks)), hashlib.sha256(body).hexdigest(), sink) == len(body)
    assert sink.getvalue() == body
    empty = io.BytesIO()
    assert write_checked(_download(_Chunks([])), hashlib.sha256(b"").hexdigest(), empty) == 0


def test_write_checked_refuses_bytes_that_are_not_the_declared_sha256() -> None:
    body = b"the file as the server sent it"
    declared = hashlib.sha256(b"the file as it was uploaded").hexdigest()
    with pytest.raises(RetryableError) as caught:
        write_checked(_download(_Chunks([body])), declared, io.BytesIO())
    assert caught.value.code == "download_corrupt"
    assert "校验值不符" in caught.value.message
    # the check is over every byte: a correct file with one byte changed is refused too
    good = hashlib.sha256(body).hexdigest()
    with pytest.raises(RetryableError):
        write_checked(_download(_Chunks([body[:-1] + b"!"])), good, io.BytesIO())
    # upper-case hex is not the lower-case hex the APIs use
    with pytest.raises(RetryableError):
        write_checked(_download(_Chunks([body])), good.upper(), io.BytesIO())


def test_write_checked_turns_a_transfer_cut_short_into_a_network_retry() -> None:
    chunks = [b"first part ", b"second part"]
    whole = hashlib.sha256(b"".join(chunks)).hexdigest()
    with pytest.raises(RetryableError) as caught:
        write_checked(_download(_Chunks(chunks, fail_after=1)), whole, io.BytesIO())
    assert caught.value.code == "network"
    assert "中断" in caught.value.message


def test_case_ack_is_the_server_case_with_the_replay_flag() -> None:
    case = ServerCase(
        case_id=CASE_ID,
        township_code="330106001",
        version=4,
        updated_seq=51,
        case_number="榕溪镇罚立字〔2026〕第12号",
        review_status="approved",
        locked=True,
        document={"title": "占道经营"},
        updated_at=NOW,
    )
    for replayed in (False, True):
        ack = case_ack(case, replayed=replayed)
        assert isinstance(ack, CaseAck) and ack.replayed is replayed
        assert {name: getattr(ack, name) for name in ServerCase.__dataclass_fields__} == asdict(case)
    unstamped = replace(case, updated_at=None, case_number=None)
    assert case_ack(unstamped, replayed=False) == CaseAck(**asdict(unstamped), replayed=False)
