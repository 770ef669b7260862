"""Officers the provincial platform deactivated (``officers.is_active`` false, written by the sync
officer feed) are not offered as 承办人 in intake; their cases keep naming them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workstation.app import build_core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.paths import prepare_data_dir
from workstation.persistence.reference_sync import OfficerEntry, ReferenceItem, SqlReferenceSync
from workstation.services.cases import NewCaseSpec

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）


def test_an_officer_deactivated_by_sync_is_not_offered_for_new_cases(tmp_path: Path) -> None:
    core = build_core(prepare_data_dir(tmp_path / "a"))
    try:
        core.office.seed_demo()
        before = {c.officer.id: c.officer for c in core.intake.options().value.officers}
        assert SECOND in before
        case_id = core.cases.new_case(
            NewCaseSpec(
                kind=CaseKind.ORDINARY,
                title="占道经营",
                source=CaseSource.PATROL,
                opened_on=dt.date(2026, 3, 2),
                actor_id=LEAD,
                officer_ids=(LEAD, SECOND),
            )
        ).value.case.id

        officer = before[SECOND]
        item = ReferenceItem("officers", "officer:chenxm", 1, 1, False, None, {"name": officer.name})
        entry = OfficerEntry(
            officer_id=SECOND,
            name=officer.name,
            certificate_no=officer.certificate_no,
            valid_from=officer.certificate_valid_from,
            valid_until=officer.certificate_valid_until,
            roles=None,
            active=False,
        )
        store = SqlReferenceSync(core.database.engine)
        assert store.apply_officers([(item, entry)], "cursor-1") == 1
        assert store.inactive_officer_ids() == {SECOND}

        after = {c.officer.id for c in core.intake.options().value.officers}
        assert SECOND not in after and LEAD in after
        assert after == set(before) - {SECOND}
        # the case made before still names the officer
        assert core.cases.show(case_id, dt.date(2026, 3, 2)).value.case.officer_ids == (LEAD, SECOND)
    finally:
        core.close()
