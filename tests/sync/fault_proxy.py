"""A fault-injecting HTTP/1.1 proxy on 127.0.0.1 for sync tests (threads, standard library only).

Put it between a client and a real server and decide, per request, what goes wrong::

    from tests.sync.fault_proxy import Fault, FaultProxy

    with FaultProxy("http://127.0.0.1:8765") as proxy:
        gateway = CentralV1Gateway(proxy.base_url, ...)       # talk to the proxy
        proxy.inject(Fault.status(429, retry_after="7"))      # the next request gets a 429
        proxy.inject(Fault.html(), at=proxy.count + 3)        # the 3rd request from now
        proxy.inject(Fault.drop_response(), match="PUT /v1/cases/", times=2)
        proxy.inject(Fault.delay(2.0), match="/v1/changes")   # slow, then passed on
        proxy.clear()                                         # forget pending faults
        proxy.log                                             # [Exchange(number, method, target, fault)]

Requests are numbered from 1 in arrival order (``proxy.count`` is the number seen so far).
A rule applies to a request when its ``at`` equals the request's number (if given) and its
``match`` is a substring of ``"METHOD /path?query"`` (if given); a rule with neither applies
to the next request. Each rule applies ``times`` times (default once), then is dropped; the
oldest applicable rule wins. Rules may be added and cleared at any time, from any thread.

Faults (class methods of :class:`Fault`):

- ``drop()`` — close the connection without answering; the request is not forwarded.
- ``reset()`` — abort the connection with a TCP RST; not forwarded.
- ``drop_response()`` — forward the request, then close without answering (the server
  applied it but the client never learns: the lost acknowledgement).
- ``delay(seconds)`` — wait, then forward normally (client timeouts).
- ``truncate(keep=0.5, fix_length=False)`` — forward, then send the head and only ``keep``
  of the body and close; with ``fix_length`` the ``Content-Length`` is rewritten to match, so
  the client sees a complete response whose JSON is cut short.
- ``corrupt()`` — forward, then flip one byte in the middle of the body (download hash checks).
- ``duplicate()`` — forward the request twice (a retransmission); the second answer is returned.
- ``status(code, retry_after=None, body=None, content_type="application/json")`` — answer
  ``code`` without forwarding (``retry_after`` becomes the ``Retry-After`` header as given:
  seconds or an HTTP-date); the body defaults to a small JSON error object.
- ``html()`` — a captive portal: ``200 text/html`` login page, not forwarded.
- ``invalid_json()`` — ``200 application/json`` whose body is not JSON, not forwarded.

Every answer carries ``Connection: close`` (one request per connection), which keeps the
proxy simple and is invisible to HTTP clients. Request bodies with ``Content-Length`` or
chunked transfer coding are forwarded as they came.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

_HEAD_END = b"\r\n\r\n"
_MAX_HEAD = 64 * 1024


@dataclass(frozen=True)
class Fault:
    """What goes wrong with one request (build with the class methods; see the module doc)."""

    kind: str
    status_code: int = 0
    retry_after: str | None = None
    body: bytes | None = None
    content_type: str = "application/json"
    seconds: float = 0.0
    keep: float = 0.5
    fix_length: bool = False

    @classmethod
    def drop(cls) -> Fault:
        return cls("drop")

    @classmethod
    def reset(cls) -> Fault:
        return cls("reset")

    @classmethod
    def drop_response(cls) -> Fault:
        return cls("drop_response")

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        return cls("delay", seconds=seconds)

    @classmethod
    def truncate(cls, keep: float = 0.5, *, fix_length: bool = False) -> Fault:
        return cls("truncate", keep=keep, fix_length=fix_length)

    @classmethod
    def corrupt(cls) -> Fault:
        return cls("corrupt")

    @classmethod
    def duplicate(cls) -> Fault:
        return cls("duplicate")

    @classmethod
    def status(
        cls,
        code: int,
        retry_after: str | None = None,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> Fault:
        return cls("status", status_code=code, retry_after=retry_after, body=body, content_type=content_type)

    @classmethod
    def html(cls) -> Fault:
        page = "<!DOCTYPE html><html><head><title>上网认证</title></head><body>请先登录无线网络</body></html>"
        return cls(
            "status", status_code=200, body=page.encode("utf-8"), content_type="text/html; charset=utf-8"
        )

    @classmethod
    def invalid_json(cls) -> Fault:
        return cls("status", status_code=200, body=b"{'items': [oops,]", content_type="application/json")


@dataclass
class _Rule:
    fault: Fault
    at: int | None
    match: str | None
    times: int


@dataclass(frozen=True)
class Exchange:
    """One request the proxy saw, and the fault applied to it (``None``: passed through)."""

    number: int
    method: str
    target: str
    fault: Fault | None


@dataclass
class _Request:
    method: str
    target: str
    head_lines: list[bytes]
    body: bytes = field(default=b"")

    def raw(self) -> bytes:
        lines = [line for line in self.head_lines[1:] if not line.lower().startswith(b"connection:")]
        head = b"\r\n".join([self.head_lines[0], *lines, b"Connection: close"])
        return head + _HEAD_END + self.body


class FaultProxy:
    """The proxy (see the module doc). ``upstream`` is ``http://host:port``."""

    def __init__(self, upstream: str, *, host: str = "127.0.0.1", port: int = 0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"upstream must be http://host:port, not {upstream!r}")
        self.upstream = (parts.hostname, parts.port)
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._count = 0
        self.log: list[Exchange] = []
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((host, port), Handler)
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ control

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def count(self) -> int:
        """How many requests arrived so far (the next one is ``count + 1``)."""
        with self._lock:
            return self._count

    def inject(
        self, fault: Fault, *, at: int | None = None, match: str | None = None, times: int = 1
    ) -> None:
        """Apply ``fault`` to matching requests (see the module doc)."""
        with self._lock:
            self._rules.append(_Rule(fault, at, match, times))

    def clear(self) -> None:
        """Forget every pending fault."""
        with self._lock:
            self._rules.clear()

    def pending(self) -> int:
        """How many rule applications are still to come."""
        with self._lock:
            return sum(rule.times for rule in self._rules)

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fault-proxy", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ proxying

    def _choose(self, request: _Request) -> Fault | None:
        line = f"{request.method} {request.target}"
        with self._lock:
            self._count += 1
            number = self._count
            chosen: Fault | None = None
            for rule in self._rules:
                if rule.at is not None and rule.at != number:
                    continue
                if rule.match is not None and rule.match not in line:
                    continue
                rule.times -= 1
                chosen = rule.fault
                if rule.times <= 0:
                    self._rules.remove(rule)
                break
            self.log.append(Exchange(number, request.method, request.target, chosen))
        return chosen

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(30)
        try:
            request = _read_request(client)
        except (OSError, ValueError):
            return
        if request is None:
            return
        fault = self._choose(request)
        with contextlib.suppress(OSError):
            self._answer(client, request, fault)

    def _answer(self, client: socket.socket, request: _Request, fault: Fault | None) -> None:
        kind = fault.kind if fault is not None else "pass"
        if fault is None or kind in ("delay", "duplicate", "drop_response", "truncate", "corrupt"):
            if fault is not None and kind == "delay":
                time.sleep(fault.seconds)
            response = self._forward(request)
            if kind == "duplicate":
                response = self._forward(request)
            if kind == "drop_response":
                client.close()
                return
            if fault is not None and kind == "truncate":
                response = _truncated(response, fault.keep, fix_length=fault.fix_length)
            elif kind == "corrupt":
                response = _corrupted(response)
            client.sendall(_with_close(response))
            client.close()
            return
        if kind == "drop":
            client.close()
        elif kind == "reset":
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        elif kind == "status":
            client.sendall(_synthetic(fault))
            client.close()
        else:  # pragma: no cover
            raise ValueError(f"unknown fault {kind!r}")

    def _forward(self, request: _Request) -> bytes:
        with socket.create_connection(self.upstream, timeout=60) as upstream:
            upstream.sendall(request.raw())
            chunks: list[bytes] = []
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                chunks.append(data)
        return b"".join(chunks)


# ---------------------------------------------------------------- HTTP bits


def _read_request(sock: socket.socket) -> _Request | None:
    buffer = b""
    while _HEAD_END not in buffer:
        data = sock.recv(65536)
        if not data:
            return None
        buffer += data
        if len(buffer) > _MAX_HEAD:
            raise ValueError("request head too large")
    head, rest = buffer.split(_HEAD_END, 1)
    lines = head.split(b"\r\n")
    method, target, _version = lines[0].decode("latin-1").split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while not _chunked_complete(rest):
            data = sock.recv(65536)
            if not data:
                raise ValueError("chunked body cut short")
            rest += data
    else:
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            data = sock.recv(65536)
            if not data:
                raise ValueError("body cut short")
            rest += data
    return _Request(method, target, lines, rest)


def _chunked_complete(body: bytes) -> bool:
    position = 0
    while True:
        end = body.find(b"\r\n", position)
        if end < 0:
            return False
        size = int(body[position:end].split(b";")[0], 16)
        position = end + 2
        if size == 0:
            return body.find(b"\r\n", position) >= 0
        position += size + 2
        if position > len(body):
            return False


def _split(response: bytes) -> tuple[list[bytes], bytes]:
    head, _, body = response.partition(_HEAD_END)
    return head.split(b"\r\n"), body


def _join(lines: list[bytes], body: bytes) -> bytes:
    return b"\r\n".join(lines) + _HEAD_END + body


def _with_close(response: bytes) -> bytes:
    lines, body = _split(response)
    kept = [line for line in lines if not line.lower().startswith(b"connection:")]
    return _join([*kept, b"Connection: close"], body)


def _truncated(response: bytes, keep: float, *, fix_length: bool) -> bytes:
    lines, body = _split(response)
    cut = body[: int(len(body) * keep)]
    if fix_length:
        lines = [
            b"Content-Length: %d" % len(cut) if line.lower().startswith(b"content-length:") else line
            for line in lines
        ]
    return _join(lines, cut)


def _corrupted(response: bytes) -> bytes:
    lines, body = _split(response)
    if not body:
        return response
    middle = len(body) // 2
    flipped = bytes([body[middle] ^ 0xFF])
    return _join(lines, body[:middle] + flipped + body[middle + 1 :])


_REASONS = {200: "OK", 408: "Request Timeout", 429: "Too Many Requests", 500: "Internal Server Error"}


def _synthetic(fault: Fault) -> bytes:
    body = fault.body
    if body is None:
        error = {"error": {"code": "injected", "message": "服务器忙，请稍后重试", "details": {}}}
        body = json.dumps(error, ensure_ascii=False).encode("utf-8")
    reason = _REASONS.get(fault.status_code, "Injected")
    lines = [
        f"HTTP/1.1 {fault.status_code} {reason}".encode("latin-1"),
        f"Content-Type: {fault.content_type}".encode("latin-1"),
        b"Content-Length: %d" % len(body),
        b"Connection: close",
    ]
    if fault.retry_after is not None:
        lines.append(f"Retry-After: {fault.retry_after}".encode("latin-1"))
    return _join(lines, body)
