"""The adapters' shared pieces without a server: Retry-After, strict field reads, canonical JSON."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest

from workstation.domain.sync_ports import RetryableError, canonical_json
from workstation.sync.http_common import MALFORMED_MESSAGE, Fields, json_body, parse_retry_after

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
