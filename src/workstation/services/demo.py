"""``workstation demo seed``: an idempotent demo office, every record marked 示例.

With the 裁量基准 service it also stores the sample benchmarks
(resources/discretion/sample_benchmarks.json, docs/DISCRETION.md) without the citation check:
tests/db/test_discretion_citations.py checks them against the real statute corpus.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import TYPE_CHECKING, Any

from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.discretion import Benchmark, load_benchmarks
from workstation.domain.entities import Agency, EnforcementItem, Officer, OfficerRole, Party, PartyKind
from workstation.domain.errors import InvalidInput
from workstation.domain.identifiers import is_valid_resident_id, is_valid_uscc
from workstation.domain.ports import UnitOfWorkFactory
from workstation.services.changes import Changes, Result, Topic

if TYPE_CHECKING:
    from workstation.services.cases import CaseService
    from workstation.services.discretion import DiscretionService


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
    cases: int = 0
    #: Sample 裁量基准 stored (``items`` then counts their item codes too).
    benchmarks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "officers": self.officers,
            "parties": self.parties,
            "items": self.items,
            "changed": self.changed,
            "cases": self.cases,
            "benchmarks": self.benchmarks,
        }


def load_sample_benchmarks() -> list[Benchmark]:
    """The bundled sample 裁量基准, resources/discretion/sample_benchmarks.json (validated)."""
    text = (
        resources.files("workstation.resources")
        .joinpath("discretion/sample_benchmarks.json")
        .read_text("utf-8")
    )
    return load_benchmarks(text)


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


def seed_demo(
    uow_factory: UnitOfWorkFactory,
    office: DemoOffice | None = None,
    cases: Callable[[], CaseService] | None = None,
    today: dt.date | None = None,
    discretion: Callable[[], DiscretionService] | None = None,
) -> Result[SeedReport]:
    """Insert or refresh the demo office in one transaction; running it twice changes nothing.

    With ``discretion`` the sample 裁量基准 are stored too (in their own transaction, without
    the citation check; an unchanged benchmark is left alone), so their 事项 join the 事项目录.
    With ``cases`` (and ``today``) the demo cases at their different stages are added too,
    each in its own transactions through the case service; existing ones are skipped.
    """
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
    codes = {item.code for item in office.items}
    benchmarks = 0
    if discretion is not None:
        sample = load_sample_benchmarks()
        imported = discretion().import_benchmarks(sample, check_citations=False).value
        changed += imported.changed
        benchmarks = imported.benchmarks
        codes.update(item.item_code for b in sample for item in b.items)
    created = 0
    if cases is not None:
        day = today or dt.date.today()

        def existing() -> frozenset[str]:
            with uow_factory() as uow:
                return uow.office.summary(day, 0).sample_case_titles

        created = seed_demo_cases(cases(), existing, day)
    report = SeedReport(
        agency=office.agency.name,
        officers=len(office.officers),
        parties=len(office.parties),
        items=len(codes),
        changed=changed + created,
        cases=created,
        benchmarks=benchmarks,
    )
    topics = ([Topic.OFFICE] if changed else []) + ([Topic.CASES] if created else [])
    return Result(report, Changes.of(*topics) if topics else Changes())


# ---------------------------------------------------------------------- demo cases


@dataclass(frozen=True, slots=True)
class DemoStep:
    action: str
    day: int  # relative to today
    inputs: Mapping[str, Any] = field(default_factory=dict)
    actor_id: str | None = None


@dataclass(frozen=True, slots=True)
class DemoCase:
    """One demo case: how it is opened and the workflow actions that bring it to its stage.

    Dates are days relative to the day of seeding, so a 事先告知 case always has a deadline
    due soon; in ``data`` and step inputs a key ``x_day`` (an int) becomes ``x`` (a date).
    """

    title: str
    kind: CaseKind
    source: CaseSource
    opened_day: int
    lead_id: str
    officer_ids: tuple[str, ...]
    party_ids: tuple[str, ...]
    item_code: str | None
    data: Mapping[str, Any]
    steps: tuple[DemoStep, ...]


def load_demo_cases(raw: dict[str, Any] | None = None) -> tuple[DemoCase, ...]:
    """Parse the bundled demo cases, resources/demo/demo_cases.json; every 案由 ends with （示例）."""
    if raw is None:
        text = resources.files("workstation.resources").joinpath("demo/demo_cases.json").read_text("utf-8")
        raw = json.loads(text)
    try:
        cases = tuple(
            DemoCase(
                title=c["title"],
                kind=CaseKind(c["kind"]),
                source=CaseSource(c["source"]),
                opened_day=int(c["opened_day"]),
                lead_id=c["lead"],
                officer_ids=tuple(c.get("officers") or (c["lead"],)),
                party_ids=tuple(c.get("parties", ())),
                item_code=c.get("item_code"),
                data=dict(c.get("data", {})),
                steps=tuple(
                    DemoStep(s["action"], int(s["day"]), dict(s.get("inputs", {})), s.get("actor"))
                    for s in c.get("steps", ())
                ),
            )
            for c in raw["cases"]
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidInput(f"示例案件数据格式有误：{exc}", "请检查 resources/demo/demo_cases.json。") from exc
    for case in cases:
        if not case.title.endswith("（示例）"):
            raise InvalidInput(f"示例案件的案由须以“（示例）”结尾：{case.title}", "请更正示例数据。")
    if len({c.title for c in cases}) != len(cases):
        raise InvalidInput("示例案件的案由重复。", "请更正示例数据。")
    return cases


def _dated(values: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """``x_day: n`` becomes ``x: today + n days`` (ISO date); other values are kept."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key.endswith("_day") and isinstance(value, int) and not isinstance(value, bool):
            out[key.removesuffix("_day")] = (today + dt.timedelta(days=value)).isoformat()
        else:
            out[key] = value
    return out


def seed_demo_cases(
    cases: CaseService,
    existing_titles: Callable[[], frozenset[str]],
    today: dt.date,
    demo: tuple[DemoCase, ...] | None = None,
) -> int:
    """Open the demo cases that do not exist yet (matched by 案由) and act them to their stage.

    Returns how many cases were created; running it twice creates nothing the second time.
    """
    from workstation.services.cases import NewCaseSpec

    demo = load_demo_cases() if demo is None else demo
    existing = existing_titles()
    created = 0
    for item in demo:
        if item.title in existing:
            continue
        opened = today + dt.timedelta(days=item.opened_day)
        view = cases.new_case(
            NewCaseSpec(
                kind=item.kind,
                title=item.title,
                source=item.source,
                opened_on=opened,
                actor_id=item.lead_id,
                party_ids=item.party_ids,
                officer_ids=item.officer_ids,
                item_code=item.item_code,
                data=_dated(item.data, today),
            )
        ).value
        for step in item.steps:
            view = cases.act(
                view.case.id,
                step.action,
                _dated(step.inputs, today),
                step.actor_id or item.lead_id,
                today + dt.timedelta(days=step.day),
                expected_version=view.case.row_version,
            ).value
        created += 1
    return created
