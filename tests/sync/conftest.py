"""Fixtures of the adapter conformance suite (the backends are described in backends.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.central.server import CentralServer
from tests.sync.alt_server import AltServer
from tests.sync.backends import CHUNK, Backend, Gateway, alt_backend, central_backend
from tests.sync.fault_proxy import FaultProxy


@pytest.fixture(scope="session")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    with CentralServer(tmp_path_factory.mktemp("central"), max_chunk_bytes=CHUNK) as server:
        yield server


@pytest.fixture(scope="session")
def alt() -> Iterator[AltServer]:
    with AltServer(part_size=CHUNK) as server:
        yield server


@pytest.fixture(params=["central-v1", "township-v2"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "central-v1":
        return central_backend(request.getfixturevalue("central"))
    return alt_backend(request.getfixturevalue("alt"))


@pytest.fixture
def gateway(backend: Backend) -> Iterator[Gateway]:
    """A logged-in gateway talking straight to the server."""
    gateway = backend.gateway()
    backend.login(gateway)
    yield gateway
    gateway.close()


@pytest.fixture
def proxy(backend: Backend) -> Iterator[FaultProxy]:
    with FaultProxy(backend.base_url) as running:
        yield running


@pytest.fixture
def proxied(backend: Backend, proxy: FaultProxy) -> Iterator[Gateway]:
    """A logged-in gateway talking to the server through the fault proxy.

    Its timeout is generous: a request the proxy passes on must not time out on a loaded
    machine (tests of timeouts make their own short-timeout gateway)."""
    gateway = backend.gateway(proxy.base_url, timeout=10.0)
    backend.login(gateway)
    yield gateway
    gateway.close()
