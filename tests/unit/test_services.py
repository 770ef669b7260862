from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workstation.domain.clock import FixedClock
from workstation.domain.errors import InvalidInput
from workstation.services.changes import Topic
from workstation.services.demo import load_demo_office, seed_demo
from workstation.services.office import OfficeService

from .fakes import FakeUnitOfWorkFactory


def test_demo_office_is_complete_and_marked_sample() -> None:
    office = load_demo_office()
    assert office.agency.is_sample
    assert "示例" in office.agency.name
    assert len(office.officers) >= 4
    assert all(o.is_sample and "示例" in o.name for o in office.officers)
    assert all(p.is_sample for p in office.parties)
    assert {p.kind.value for p in office.parties} == {"person", "organisation", "other"}
    assert len(office.items) >= 3
    assert all(i.penalty_basis.startswith("《") for i in office.items)


def test_seed_twice_changes_nothing_the_second_time() -> None:
    uow = FakeUnitOfWorkFactory()
    first = seed_demo(uow)
    assert first.value.changed > 0
    assert Topic.OFFICE in first.changes
    assert uow.units[-1].committed
    second = seed_demo(uow)
    assert second.value.changed == 0
    assert not second.changes
    assert len(uow.repo.officers) == first.value.officers


def test_office_summary_flags_expiring_certificates() -> None:
    uow = FakeUnitOfWorkFactory()
    seed_demo(uow)
    service = OfficeService(uow, FixedClock(dt.datetime(2026, 11, 26, 9, 0)), lambda: 60)
    summary = service.summary().value
    expiring = {o.certificate_no for o in summary.expiring_certificates}
    assert "35012100105" in expiring  # valid until 2026-12-19, within 60 days
    assert "35012100101" not in expiring


def test_demo_data_with_a_bad_checksum_is_refused() -> None:
    raw: dict[str, Any] = {
        "agency": {"id": "a", "code": "c", "name": "n", "region_code": "350121"},
        "officers": [],
        "parties": [{"id": "p", "kind": "person", "name": "张三", "id_number": "110105194912310021"}],
        "items": [],
    }
    with pytest.raises(InvalidInput, match="身份证号码校验位错误"):
        load_demo_office(raw)
