from __future__ import annotations

import datetime as dt

import pytest

from workstation.domain.entities import CertificateStatus, Officer


def _officer(valid_from: dt.date, valid_until: dt.date) -> Officer:
    return Officer("o", "a", "林某", "35000000001", valid_from, valid_until)


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (dt.date(2023, 12, 31), CertificateStatus.NOT_YET_VALID),
        (dt.date(2024, 1, 1), CertificateStatus.VALID),
        (dt.date(2026, 10, 31), CertificateStatus.VALID),
        (dt.date(2026, 11, 1), CertificateStatus.EXPIRING),
        (dt.date(2026, 12, 31), CertificateStatus.EXPIRING),
        (dt.date(2027, 1, 1), CertificateStatus.EXPIRED),
    ],
)
def test_certificate_status_over_its_life(day: dt.date, status: CertificateStatus) -> None:
    officer = _officer(dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    assert officer.certificate_status(day, warn_days=60) is status
    assert officer.certificate_valid_on(day) == (
        status in (CertificateStatus.VALID, CertificateStatus.EXPIRING)
    )
