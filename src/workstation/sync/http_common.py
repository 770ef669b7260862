"""Helpers shared by the HTTP sync adapters: sending, strict response reading, Retry-After.

Nothing here knows an API's shapes. :func:`send` turns transport failures (refused, reset,
timeout, a body cut short) into :class:`RetryableError`; :func:`json_body` refuses anything
that is not complete, well-formed JSON of the expected media type; :class:`Fields` reads a
JSON object field by field, raising :class:`RetryableError` on the first missing or mistyped
value, so an adapter either returns a whole value or raises. :func:`read_event` and
:func:`write_event` move a 全过程记录 event under an API's field names (:class:`EventKeys`);
:func:`write_checked` streams a download into its sink and checks its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import logging
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, NoReturn, TypeVar

import httpx

from workstation.domain.record import CaseEvent, FieldChange, genesis_hash, has_valid_hash, to_json
from workstation.domain.sync_ports import (
    AnchorHead,
    AnchorReceipt,
    CaseAck,
    NumberBlock,
    RecordRejected,
    RetryableError,
    ServerCase,
    SessionExpired,
    TokenListener,
    Tokens,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

JSON = "application/json"
MALFORMED_MESSAGE = "服务器响应不完整或格式不对（可能是网络门户页），本批数据未应用，稍后重试"
NETWORK_MESSAGE = "无法连接中心服务器（网络中断或超时），稍后自动重试"
BUSY_MESSAGE = "中心服务器繁忙或暂时不可用，稍后自动重试"
#: Statuses that mean "try again later" whatever the body says.
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def malformed(reason: str) -> RetryableError:
    """The error for a response that is not what the API promises (logged with ``reason``)."""
    log.warning("malformed server response: %s", reason)
    return RetryableError(MALFORMED_MESSAGE, code="malformed_response")


def send(client: httpx.Client, request: httpx.Request) -> httpx.Response:
    """Send ``request`` and read the whole body; transport failures → RetryableError.

    No answer (refused, reset, dropped, timed out) is a network failure; an answer whose body
    is cut short (fewer bytes than its ``Content-Length``) is an incomplete response.
    """
    try:
        response = client.send(request, stream=True)
    except httpx.TimeoutException as exc:
        log.info("%s %s timed out: %s", request.method, request.url.path, exc)
        raise RetryableError(NETWORK_MESSAGE, code="timeout") from exc
    except httpx.TransportError as exc:  # connect, write, no answer
        log.info("%s %s failed: %r", request.method, request.url.path, exc)
        raise RetryableError(NETWORK_MESSAGE, code="network") from exc
    try:
        response.read()
    except httpx.TimeoutException as exc:
        log.info("%s %s timed out reading the answer: %s", request.method, request.url.path, exc)
        raise RetryableError(NETWORK_MESSAGE, code="timeout") from exc
    except httpx.TransportError as exc:  # the body ended early
        log.warning("malformed server response: %s %s cut short: %r", request.method, request.url.path, exc)
        raise RetryableError(MALFORMED_MESSAGE, code="malformed_response") from exc
    finally:
        response.close()
    return response


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delay-seconds or an HTTP-date; None if absent or bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    current = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - current).total_seconds())


def retryable_for_status(response: httpx.Response, message: str = "") -> RetryableError:
    """The RetryableError of a 408/429/5xx answer, with the server's Retry-After."""
    return RetryableError(
        message or BUSY_MESSAGE,
        code=f"http_{response.status_code}",
        status=response.status_code,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )


def media_type(response: httpx.Response) -> str:
    value: str = response.headers.get("Content-Type", "")
    return value.split(";")[0].strip().lower()


def json_body(response: httpx.Response) -> Any:
    """The response's JSON document; anything else (HTML, bad UTF-8, bad JSON) → RetryableError."""
    kind = media_type(response)
    if kind != "application/json" and not (kind.startswith("application/") and kind.endswith("+json")):
        raise malformed(f"{response.request.method} {response.request.url.path}: Content-Type {kind!r}")
    length = response.headers.get("Content-Length")
    if length is not None and length.isdigit() and int(length) != len(response.content):
        raise malformed(f"body of {len(response.content)} bytes, Content-Length {length}")
    try:
        return json.loads(response.content.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise malformed(f"{response.request.method} {response.request.url.path}: {exc}") from exc


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def anchor_each(
    anchor: Callable[[str, int, str], AnchorReceipt], heads: Sequence[AnchorHead]
) -> list[AnchorReceipt | RecordRejected]:
    """``anchor_many`` one request per head (for a server without a batch): each head's
    receipt or its refusal; a RetryableError ends the call."""
    results: list[AnchorReceipt | RecordRejected] = []
    for head in heads:
        try:
            results.append(anchor(head.case_id, head.head_seq, head.head_hash))
        except RecordRejected as exc:
            results.append(exc)
    return results


def json_object(response: httpx.Response, what: str) -> Fields:
    """The response's JSON object as :class:`Fields` (an array or scalar → RetryableError)."""
    return Fields.of(json_body(response), what)


class Fields:
    """Typed, strict reads from one JSON object of a response (``what`` names it in logs)."""

    def __init__(self, data: Mapping[str, Any], what: str) -> None:
        self.data = data
        self.what = what

    @classmethod
    def of(cls, value: object, what: str) -> Fields:
        if not isinstance(value, dict):
            raise malformed(f"{what}: expected an object, got {type(value).__name__}")
        return cls(value, what)

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str) -> Any:
        if key not in self.data:
            raise malformed(f"{self.what}: missing {key!r}")
        return self.data[key]

    def _fail(self, key: str, expected: str) -> NoReturn:
        raise malformed(f"{self.what}.{key}: expected {expected}, got {self.data.get(key)!r:.80}")

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            self._fail(key, "a string")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self._get(key)
        if value is not None and not isinstance(value, str):
            self._fail(key, "a string or null")
        return value

    def integer(self, key: str) -> int:
        value = self._get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self._fail(key, "an integer")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            self._fail(key, "true or false")
        return value

    def obj(self, key: str) -> Fields:
        value = self._get(key)
        if not isinstance(value, dict):
            self._fail(key, "an object")
        return Fields(value, f"{self.what}.{key}")

    def opt_obj(self, key: str) -> Fields | None:
        value = self._get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self._fail(key, "an object or null")
        return Fields(value, f"{self.what}.{key}")

    def mapping(self, key: str) -> dict[str, Any]:
        return dict(self.obj(key).data)

    def array(self, key: str) -> list[Any]:
        value = self._get(key)
        if not isinstance(value, list):
            self._fail(key, "an array")
        return value

    def objects(self, key: str) -> list[Fields]:
        return [Fields.of(item, f"{self.what}.{key}[{i}]") for i, item in enumerate(self.array(key))]

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.array(key)
        if not all(isinstance(item, str) for item in values):
            self._fail(key, "an array of strings")
        return tuple(values)

    def time(self, key: str) -> dt.datetime:
        text = self.text(key)
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            self._fail(key, "an ISO 8601 time")
        if value.tzinfo is None:
            self._fail(key, "a time with its offset")
        return value

    def day(self, key: str) -> dt.date:
        return self._parse(key, dt.date.fromisoformat, "a date YYYY-MM-DD")

    def opt_day(self, key: str) -> dt.date | None:
        if self._get(key) is None:
            return None
        return self.day(key)

    def _parse(self, key: str, parse: Callable[[str], T], expected: str) -> T:
        text = self.text(key)
        try:
            return parse(text)
        except ValueError:
            self._fail(key, expected)

    def choice(self, key: str, allowed: frozenset[str]) -> str:
        value = self.text(key)
        if value not in allowed:
            self._fail(key, f"one of {sorted(allowed)}")
        return value


@dataclass(frozen=True, slots=True)
class EventKeys:
    """The names an API gives a 全过程记录 event's fields on the wire."""

    event_id: str = "event_id"
    seq: str = "seq"
    occurred_at: str = "occurred_at"
    actor_id: str = "actor_id"
    actor_role: str = "actor_role"
    action: str = "action"
    changes: str = "changes"
    payload: str = "payload"
    prev_hash: str = "prev_hash"
    hash: str = "hash"


def read_event(data: Fields, case_id: str, keys: EventKeys) -> CaseEvent:
    """One event of ``case_id`` as the server sent it; its ``hash`` must match its content."""
    changes = []
    for change in data.objects(keys.changes):
        name = change.text("field")
        if not change.has("old") or not change.has("new"):
            raise malformed(f"{data.what}.{keys.changes}: a change without old or new")
        changes.append(FieldChange(name, change.data["old"], change.data["new"]))
    try:
        event = CaseEvent(
            event_id=data.text(keys.event_id),
            case_id=case_id,
            seq=data.integer(keys.seq),
            occurred_at=data.time(keys.occurred_at),
            actor_id=data.opt_text(keys.actor_id),
            actor_role=data.text(keys.actor_role),
            action=data.text(keys.action),
            changes=tuple(changes),
            payload=to_json(data.obj(keys.payload).data),
            prev_hash=data.text(keys.prev_hash),
            hash=data.text(keys.hash),
        )
    except TypeError as exc:  # a value with no JSON form
        raise malformed(f"{data.what}: {exc}") from exc
    if not has_valid_hash(event):
        raise malformed(f"{data.what}: event {event.event_id} does not match its hash")
    return event


def write_event(event: CaseEvent, keys: EventKeys) -> dict[str, Any]:
    """``event`` as the API's JSON under its field names (what :func:`read_event` reads)."""
    data: dict[str, Any] = to_json(
        {
            keys.event_id: event.event_id,
            keys.seq: event.seq,
            keys.occurred_at: event.occurred_at,
            keys.actor_id: event.actor_id,
            keys.actor_role: event.actor_role,
            keys.action: event.action,
            keys.changes: [{"field": c.field, "old": c.old, "new": c.new} for c in event.changes],
            keys.payload: event.payload,
            keys.prev_hash: event.prev_hash,
            keys.hash: event.hash,
        }
    )
    return data


def check_event_run(events: Sequence[CaseEvent], case_id: str, after_seq: int) -> None:
    """``events`` must continue a record right after ``after_seq``: consecutive ``seq`` numbers,
    each ``prev_hash`` the hash of the event before (the first one's checked when it is seq 1)."""
    previous: CaseEvent | None = None
    for event in events:
        expected_seq = after_seq + 1 if previous is None else previous.seq + 1
        if event.seq != expected_seq:
            raise malformed(f"events of {case_id}: seq {event.seq} where {expected_seq} was due")
        if previous is not None and event.prev_hash != previous.hash:
            raise malformed(f"events of {case_id}: seq {event.seq} does not follow seq {previous.seq}")
        if event.seq == 1 and event.prev_hash != genesis_hash(case_id):
            raise malformed(f"events of {case_id}: the first event does not start the record")
        previous = event


def number_block(
    asked: tuple[str, int, int], series: str, year: int, first: int, last: int, township_code: str
) -> NumberBlock:
    """The block a server answered to ``asked`` = (series, year, count), checked: the same
    series and year, exactly ``count`` serials from 1 up (anything else is malformed)."""
    want_series, want_year, count = asked
    if (series, year) != (want_series, want_year) or first < 1 or last - first + 1 != count:
        raise malformed(
            f"number block {series!r} {year} {first}-{last} "
            f"does not answer {want_series!r} {want_year} ×{count}"
        )
    if not township_code:
        raise malformed("number block without township")
    return NumberBlock(series, year, first, last, township_code)


def case_ack(case: ServerCase, *, replayed: bool) -> CaseAck:
    """The answer to a case write: the server's ``case``, and whether it was a replay."""
    return CaseAck(
        **{name: getattr(case, name) for name in ServerCase.__dataclass_fields__}, replayed=replayed
    )


def write_checked(response: httpx.Response, sha256: str, sink: IO[bytes]) -> int:
    """Stream a download's body into ``sink``; its size. A transfer cut short, or bytes whose
    SHA-256 is not ``sha256``, raise :class:`RetryableError` (the caller discards the sink)."""
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in response.iter_bytes(1024 * 1024):
            digest.update(chunk)
            sink.write(chunk)
            size += len(chunk)
    except httpx.TransportError as exc:
        raise RetryableError("附件下载中断，稍后自动重试", code="network") from exc
    if digest.hexdigest() != sha256:
        raise RetryableError(
            "下载的附件与其校验值不符（可能传输出错），已丢弃，稍后重试", code="download_corrupt"
        )
    return size


class TokenKeeper:
    """An adapter's tokens: the current pair, the ``on_tokens`` callback, one refresh at a time.

    With rotating refresh tokens, two threads refreshing at once would send the same refresh
    token twice, which servers treat as theft; :meth:`retry_after_auth_failure` lets the first
    thread refresh and the others retry with its new tokens.
    """

    def __init__(self, on_tokens: TokenListener | None, tokens: Tokens | None) -> None:
        self._on_tokens = on_tokens
        self._tokens = tokens
        self._lock = threading.Lock()  # guards _tokens
        self._refresh_lock = threading.Lock()  # one refresh at a time (taken before _lock)

    @property
    def tokens(self) -> Tokens | None:
        with self._lock:
            return self._tokens

    def set(self, tokens: Tokens | None) -> None:
        """Use ``tokens`` without telling the listener (they came from it)."""
        with self._lock:
            self._tokens = tokens

    def store(self, tokens: Tokens | None) -> None:
        """Use ``tokens`` and tell the listener (new pair, or ``None``: the session ended)."""
        with self._lock:
            self._tokens = tokens
        if self._on_tokens is not None:
            self._on_tokens(tokens)

    def access_token(self) -> str:
        tokens = self.tokens
        if tokens is None:
            raise SessionExpired("尚未登录中心服务器，请先登录")
        return tokens.access_token

    def retry_after_auth_failure(
        self, used_access_token: str | None, *, expired: bool, refresh: Callable[[str], object]
    ) -> bool:
        """After the server refused ``used_access_token``: may the request be sent again?

        Yes when another thread rotated the tokens meanwhile (servers may revoke the old
        access token at once), or when the token merely expired and one refresh — for all
        threads — succeeded. No when the session is gone.
        """
        with self._refresh_lock:
            current = self.tokens
            if current is None:
                return False
            if current.access_token != used_access_token:
                return True  # another thread refreshed meanwhile: retry with its tokens
            if not expired:
                return False
            refresh(current.refresh_token)
            return True
