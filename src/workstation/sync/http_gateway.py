"""The part of an HTTP sync adapter that is the same whatever the API: client, tokens, session.

:class:`HttpGateway` takes the constructor every adapter has (docs/SYNC-ADAPTERS.md §4), owns
the httpx client it made, keeps the tokens in a :class:`~workstation.sync.http_common.TokenKeeper`
and keeps the port's session rules: ``login`` stores the new pair and the device it is bound
to, a ``refresh`` the server refuses ends the session, and ``logout`` ends it here even when the
server does not confirm. A subclass says how its API signs in, renews and signs out, and how a
request carries the client version and the token; everything else is its own.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar

import httpx

from workstation.domain.sync_ports import LoginFailed, RetryableError, SessionExpired, TokenListener, Tokens
from workstation.sync.http_common import JSON, TokenKeeper

log = logging.getLogger(__name__)


class HttpGateway(ABC):
    """Base of the HTTP :class:`~workstation.domain.sync_ports.SyncGateway` adapters.

    ``client`` may be shared (its base URL is ignored: paths are joined to ``base_url``);
    without one the gateway makes and owns one (:meth:`close`). ``client_version`` is sent in
    :attr:`VERSION_HEADER`; ``device_id`` is the device the tokens are bound to (login may name
    another). ``on_tokens`` receives every new token pair and ``None`` when the session ends.
    """

    #: Appended to ``base_url``: where the API's paths start.
    API_ROOT: ClassVar[str] = ""
    #: The request header that carries ``client_version``.
    VERSION_HEADER: ClassVar[str]

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.Client | None = None,
        timeout: float = 30.0,
        client_version: str,
        device_id: str,
        on_tokens: TokenListener | None = None,
        tokens: Tokens | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + self.API_ROOT
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)
        self._timeout = timeout
        self.client_version = client_version
        self.device_id = device_id
        self._keeper = TokenKeeper(on_tokens, tokens)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    # ------------------------------------------------------------ session

    @property
    def tokens(self) -> Tokens | None:
        return self._keeper.tokens

    def set_tokens(self, tokens: Tokens | None) -> None:
        self._keeper.set(tokens)

    def login(self, username: str, password: str, device_id: str) -> Tokens:
        tokens = self._sign_in(username, password, device_id)
        self.device_id = device_id
        self._keeper.store(tokens)
        return tokens

    def refresh(self, refresh_token: str) -> Tokens:
        try:
            tokens = self._renew(refresh_token)
        except (LoginFailed, SessionExpired):
            self._keeper.store(None)
            raise SessionExpired() from None
        self._keeper.store(tokens)
        return tokens

    def logout(self) -> None:
        try:
            if self.tokens is not None:
                self._sign_out()
        except (RetryableError, SessionExpired) as exc:
            log.info("logout not confirmed by the server: %s", exc.code)
        finally:
            self._keeper.store(None)

    @abstractmethod
    def _sign_in(self, username: str, password: str, device_id: str) -> Tokens:
        """The API's login: the new tokens (not yet stored)."""

    @abstractmethod
    def _renew(self, refresh_token: str) -> Tokens:
        """The API's token renewal with ``self.device_id``: the new tokens (not yet stored)."""

    @abstractmethod
    def _sign_out(self) -> None:
        """The API's logout of the current session (no refresh on an expired token)."""

    # ------------------------------------------------------------ HTTP

    @abstractmethod
    def _credentials(self, token: str) -> Mapping[str, str]:
        """The header(s) by which a request carries the access ``token``."""

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None,
        content_type: str,
        params: Mapping[str, str] | None,
        token: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        """A request to ``base_url + path`` with the client version, ``Accept: application/json``,
        ``headers``, the body's ``content_type`` and the token's credentials."""
        all_headers = {self.VERSION_HEADER: self.client_version, "Accept": JSON, **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = content_type
        if token is not None:
            all_headers.update(self._credentials(token))
        return self._client.build_request(
            method,
            self.base_url + path,
            content=body,
            params=params,
            headers=all_headers,
            timeout=self._timeout,
        )
