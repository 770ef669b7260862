"""Number blocks (号段) through both adapters: ``SyncGateway.reserve_numbers`` (docs/SYNC-ADAPTERS.md).

Runs once per backend (conftest.py): the central-v1 adapter against the reference server, the
township-v2 adapter against the v2 stand-in.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.sync.backends import Backend, Gateway, new_id
from tests.sync.fault_proxy import Fault, FaultProxy
from workstation.domain.sync_ports import RecordRejected, RetryableError
from workstation.sync.http_common import number_block


def _series() -> str:
    return f"罚决字-{new_id()[:8]}"  # the servers live for the session: a series of this test's own


def _year(gateway: Gateway) -> int:
    server_time = gateway.handshake().server_time
    assert server_time is not None
    return server_time.astimezone(dt.timezone(dt.timedelta(hours=8))).year


def test_blocks_are_unique_across_devices_and_a_key_answers_the_same_block(
    backend: Backend, gateway: Gateway
) -> None:
    other = backend.gateway()
    other.login(backend.username, backend.password, "device-2")
    try:
        series, year = _series(), _year(gateway)
        key = new_id()
        first = gateway.reserve_numbers(series, year, 5, key)
        second = other.reserve_numbers(series, year, 5, new_id())
        third = gateway.reserve_numbers(series, year, 3, new_id())
        assert (first.series, first.year, first.first, first.last) == (series, year, 1, 5)
        assert first.count == 5 and first.township_code
        numbers = [set(range(b.first, b.last + 1)) for b in (first, second, third)]
        assert sum(len(n) for n in numbers) == len(set().union(*numbers)) == 13  # no serial twice
        assert gateway.reserve_numbers(series, year, 5, key) == first  # the same key: the same block
        assert other.reserve_numbers(series, year, 2, new_id()).first == 14
        # Another series (or year) counts on its own.
        assert gateway.reserve_numbers(_series(), year, 1, new_id()).first == 1
    finally:
        other.close()


def test_a_lost_answer_is_fetched_again_with_the_same_key(
    backend: Backend, proxied: Gateway, proxy: FaultProxy
) -> None:
    series, year = _series(), _year(proxied)
    key = new_id()
    proxy.inject(Fault.drop_response(), match="serial-ranges" if backend.name == "township-v2" else "numbers")
    with pytest.raises(RetryableError):
        proxied.reserve_numbers(series, year, 10, key)
    block = proxied.reserve_numbers(series, year, 10, key)
    assert (block.first, block.last) == (1, 10)
    assert proxied.reserve_numbers(series, year, 1, new_id()).first == 11  # nothing reserved twice


@pytest.mark.parametrize(
    ("series", "year_offset", "count"),
    [("罚决字", 0, 0), ("罚决字", 0, 201), ("罚 决", 0, 5), ("罚决字", 5, 5), ("罚决字", -3, 5)],
)
def test_a_bad_request_is_refused(gateway: Gateway, series: str, year_offset: int, count: int) -> None:
    with pytest.raises(RecordRejected) as caught:
        gateway.reserve_numbers(series, _year(gateway) + year_offset, count, new_id())
    assert caught.value.code == "invalid_request"


@pytest.mark.parametrize(
    ("series", "year", "first", "last", "township"),
    [
        ("告字", 2026, 1, 5, "330106001"),  # another series
        ("罚决字", 2025, 1, 5, "330106001"),  # another year
        ("罚决字", 2026, 1, 4, "330106001"),  # not the count asked
        ("罚决字", 2026, 0, 4, "330106001"),  # serials start at 1
        ("罚决字", 2026, 1, 5, ""),  # no township
    ],
)
def test_a_block_that_does_not_answer_the_request_is_malformed(
    series: str, year: int, first: int, last: int, township: str
) -> None:
    with pytest.raises(RetryableError) as caught:
        number_block(("罚决字", 2026, 5), series, year, first, last, township)
    assert caught.value.code == "malformed_response"
    assert number_block(("罚决字", 2026, 5), "罚决字", 2026, 6, 10, "330106001").count == 5
