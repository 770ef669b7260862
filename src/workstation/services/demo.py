"""``workstation demo seed``: an idempotent demo office, every record marked 示例."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from workstation.domain.entities import Agency, EnforcementItem, Officer, OfficerRole, Party, PartyKind
from workstation.domain.errors import InvalidInput
from workstation.domain.identifiers import is_valid_resident_id, is_valid_uscc
from workstation.domain.ports import UnitOfWorkFactory
from workstation.services.changes import Changes, Result, Topic


@dataclass(frozen=True, slots=True)
class DemoOffice:
    agency: Agency
    officers: tuple[Officer, ...]
    parties: tuple[Party, ...]
    items: tuple[EnforcementItem, ...]


@dataclass(frozen=True, slots=True)
class SeedReport:
    agency: str
    officers: int
    parties: int
    items: int
    changed: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "officers": self.officers,
            "parties": self.parties,
            "items": self.items,
            "changed": self.changed,
        }


def load_demo_office(raw: dict[str, Any] | None = None) -> DemoOffice:
    """Parse (and validate) the bundled demo office, resources/demo/demo_office.json."""
    if raw is None:
        text = resources.files("workstation.resources").joinpath("demo/demo_office.json").read_text("utf-8")
        raw = json.loads(text)
    try:
        a = raw["agency"]
        agency = Agency(a["id"], a["code"], a["name"], a["region_code"], is_sample=True)
        officers = tuple(
            Officer(
                id=o["id"],
                agency_id=agency.id,
                name=o["name"],
                certificate_no=o["certificate_no"],
                certificate_valid_from=dt.date.fromisoformat(o["valid_from"]),
                certificate_valid_until=dt.date.fromisoformat(o["valid_until"]),
                roles=tuple(OfficerRole(r) for r in o["roles"]),
                is_sample=True,
            )
            for o in raw["officers"]
        )
        parties = tuple(
            Party(
                id=p["id"],
                kind=PartyKind(p["kind"]),
                name=p["name"],
                id_number=p.get("id_number"),
                credit_code=p.get("credit_code"),
                legal_representative=p.get("legal_representative"),
                address=p.get("address", ""),
                is_sample=True,
            )
            for p in raw["parties"]
        )
        items = tuple(
            EnforcementItem(
                id=i["id"],
                code=i["code"],
                name=i["name"],
                department=i["department"],
                violation_basis=i.get("violation_basis", ""),
                penalty_basis=i.get("penalty_basis", ""),
                delegated_to_township=bool(i.get("delegated_to_township", True)),
                delegation_document=i.get("delegation_document", ""),
                is_sample=True,
            )
            for i in raw["items"]
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidInput(f"示例数据格式有误：{exc}", "请检查 resources/demo/demo_office.json。") from exc
    for party in parties:
        if party.id_number and not is_valid_resident_id(party.id_number):
            raise InvalidInput(f"示例当事人身份证号码校验位错误：{party.name}", "请更正示例数据。")
        if party.credit_code and not is_valid_uscc(party.credit_code):
            raise InvalidInput(f"示例当事人统一社会信用代码校验位错误：{party.name}", "请更正示例数据。")
    return DemoOffice(agency, officers, parties, items)


def seed_demo(uow_factory: UnitOfWorkFactory, office: DemoOffice | None = None) -> Result[SeedReport]:
    """Insert or refresh the demo office in one transaction; running it twice changes nothing."""
    office = office or load_demo_office()
    changed = 0
    with uow_factory() as uow:
        repo = uow.office
        changed += repo.upsert_agency(office.agency)
        stored = repo.agency_by_code(office.agency.code)
        agency_id = stored.id if stored else office.agency.id
        for officer in office.officers:
            changed += repo.upsert_officer(replace(officer, agency_id=agency_id))
        for party in office.parties:
            changed += repo.upsert_party(party)
        for item in office.items:
            changed += repo.upsert_item(item)
        uow.commit()
    report = SeedReport(
        agency=office.agency.name,
        officers=len(office.officers),
        parties=len(office.parties),
        items=len(office.items),
        changed=changed,
    )
    return Result(report, Changes.of(Topic.OFFICE) if changed else Changes())
