"""Registering parties (identifiers normalised, duplicates merged); the 全过程记录 as a timeline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workstation.app import Core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.clock import FixedClock
from workstation.domain.entities import CertificateStatus, PartyKind
from workstation.domain.errors import FieldError
from workstation.domain.identifiers import resident_id_check_char, uscc_check_char
from workstation.services.cases import NewCaseSpec
from workstation.services.intake import IntakeService, party_from_input

D = dt.date
LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
REVIEWER = "14b192db-916d-58a7-86a9-b2fcb2a0598b"  # 郑雅琴（示例）
ID17 = "35010219800101123"
ID18 = ID17 + resident_id_check_char(ID17)
USCC17 = "91350102MA2Y8XQ31"
USCC_WRONG = USCC17 + ("0" if uscc_check_char(USCC17) != "0" else "1")


@pytest.fixture
def seeded(core: Core) -> Core:
    core.office.seed_demo()
    return core


@pytest.mark.parametrize(
    "typed",
    [
        ID18,
        f"  {ID18[:6]} {ID18[6:14]} {ID18[14:]} ",
        "".join(chr(ord(c) + 0xFEE0) for c in ID18),  # full-width digits
        "350102800101123",  # 15-digit legacy number of the same person
    ],
)
def test_person_identifiers_are_normalised(typed: str) -> None:
    party = party_from_input({"kind": "person", "name": "王某某", "id_number": typed})
    assert party.id_number == ID18 and party.kind is PartyKind.PERSON


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (
            {"kind": "person", "name": "王某某", "id_number": ID18[:-1] + ("0" if ID18[-1] != "0" else "1")},
            "id_number",
        ),
        ({"kind": "person", "name": "王某某"}, "id_number"),
        ({"kind": "person", "name": " ", "id_number": ID18}, "name"),
        ({"kind": "organisation", "name": "某某公司"}, "credit_code"),
        ({"kind": "organisation", "name": "某某公司", "credit_code": USCC_WRONG}, "credit_code"),
        ({"kind": "company", "name": "某某公司"}, "kind"),
    ],
)
def test_bad_party_input_names_the_field(raw: dict[str, str], field: str) -> None:
    with pytest.raises(FieldError) as caught:
        party_from_input(raw)
    assert caught.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)


def test_add_party_merges_the_same_person(seeded: Core) -> None:
    first = seeded.intake.add_party(
        {"kind": "person", "name": "王某某", "id_number": "350102800101123"}
    ).value
    again = seeded.intake.add_party(
        {"kind": "person", "name": "王某某", "id_number": ID18.lower(), "address": "榕溪镇新街12号"}
    ).value
    assert again.id == first.id and again.address == "榕溪镇新街12号"
    found = seeded.intake.find_parties(ID18[-6:]).value
    assert [p.id for p in found] == [first.id]
    organisation = seeded.intake.add_party(
        {
            "kind": "organisation",
            "name": "某某建材有限公司",
            "credit_code": (USCC17 + uscc_check_char(USCC17)).lower(),
        }
    ).value
    assert organisation.credit_code == USCC17 + uscc_check_char(USCC17)
    assert {p.id for p in seeded.intake.find_parties("某某").value} >= {first.id, organisation.id}


def test_intake_options_mark_officers_who_may_not_act(seeded: Core) -> None:
    """On 2027-03-01 two demo certificates have expired: those officers may not take a case."""
    intake = IntakeService(seeded.uow, FixedClock(dt.datetime(2027, 3, 1, 9, 0)))
    options = intake.options().value
    blocked = sorted(c.officer.name for c in options.officers if not c.may_act)
    assert blocked == ["吴永福（示例）", "黄志强（示例）"]
    assert all(c.status is CertificateStatus.EXPIRED for c in options.officers if not c.may_act)
    assert any(c.is_reviewer for c in options.officers)


def test_timeline_reads_each_event_with_names_and_labels(seeded: Core) -> None:
    cases = seeded.cases
    view = cases.new_case(
        NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title="占用消防通道",
            source=CaseSource.HOTLINE,
            opened_on=D(2025, 9, 22),
            actor_id=LEAD,
            party_ids=("fd2f6168-66e1-5b4b-a1bd-1d86e71bb09b",),
            officer_ids=(LEAD, SECOND),
        )
    ).value
    case_id = view.case.id
    cases.act(case_id, "file", {"act_date": "2025-09-20"}, LEAD, D(2025, 9, 22))
    acted = cases.act(
        case_id, "collect_evidence", {"evidence_kinds": ["record", "audiovisual"]}, LEAD, D(2025, 9, 24)
    ).value
    # The count includes the event written by this action (regression: it used to lag by one).
    assert view.event_count == 1 and acted.event_count == 3
    timeline = seeded.case_record.timeline(case_id).value
    assert [e.seq for e in timeline] == [1, 2, 3]
    assert [e.action for e in timeline] == ["登记案件", "立案", "调查取证"]
    assert timeline[1].actor.startswith("林建华") and timeline[1].role == "执法人员"
    filed = "\n".join(timeline[1].changes)
    assert "阶段：线索登记 → 调查取证" in filed
    assert "违法行为发生日期：2025-09-20" in filed
    assert "案号：榕溪镇罚立字〔2025〕第" in filed
    evidence = "\n".join(timeline[2].changes)
    assert "现场笔录" in evidence and "视听资料" in evidence
    assert all(len(e.hash) == 64 for e in timeline)


def test_timeline_names_evidence_added_to_the_case(seeded: Core, tmp_path: Path) -> None:
    view = seeded.cases.new_case(
        NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title="占用消防通道",
            source=CaseSource.PATROL,
            opened_on=D(2025, 9, 22),
            actor_id=LEAD,
            party_ids=("fd2f6168-66e1-5b4b-a1bd-1d86e71bb09b",),
            officer_ids=(LEAD, SECOND),
        )
    ).value
    photo = tmp_path / "scene.png"
    photo.write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
        b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    seeded.evidence.add(view.case.id, "record", "现场照片", photo, LEAD)
    last = seeded.case_record.timeline(view.case.id).value[-1]
    assert last.action == "登记证据"
    assert "证据名称：现场照片" in last.changes and "证据种类：勘验笔录、现场笔录" in last.changes
