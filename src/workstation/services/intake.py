"""Opening a case: who may be chosen as officers, which parties exist, registering a new party."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from workstation.domain.entities import (
    CertificateStatus,
    EnforcementItem,
    Officer,
    OfficerRole,
    Party,
    PartyKind,
)
from workstation.domain.errors import FieldError
from workstation.domain.identifiers import normalise_credit_code, normalise_resident_id
from workstation.domain.ports import Clock, UnitOfWorkFactory
from workstation.services.changes import Changes, Result, Topic

#: How many parties a search returns at most.
PARTY_SEARCH_LIMIT = 50


@dataclass(frozen=True, slots=True)
class OfficerChoice:
    """An officer as the new-case wizard offers them: with the 执法证 state today."""

    officer: Officer
    status: CertificateStatus

    @property
    def may_act(self) -> bool:
        """Only an officer whose 执法证 is valid today may act (《行政处罚法》第四十二条)."""
        return self.status in (CertificateStatus.VALID, CertificateStatus.EXPIRING)

    @property
    def is_reviewer(self) -> bool:
        return OfficerRole.REVIEWER in self.officer.roles


@dataclass(frozen=True, slots=True)
class IntakeOptions:
    officers: tuple[OfficerChoice, ...]
    items: tuple[EnforcementItem, ...]


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(key, f"“{key}”应为文字。")
    return value.strip()


def party_from_input(raw: Mapping[str, Any]) -> Party:
    """A new party from form or JSON input, identifiers normalised; FieldError names the field.

    ``kind`` is person / organisation / other; a natural person needs the 公民身份号码, an
    organisation its 统一社会信用代码 (both checked by their check digit); 15-digit legacy ID
    numbers, full-width digits, spaces and a lower-case x are normalised.
    """
    kind_text = _text(raw, "kind") or "person"
    try:
        kind = PartyKind(kind_text)
    except ValueError:
        raise FieldError(
            "kind", f"当事人类别“{kind_text}”无效，应为 person、organisation 或 other。"
        ) from None
    name = _text(raw, "name")
    if not name:
        raise FieldError("name", "请填写当事人姓名或名称。")
    id_number: str | None = None
    credit_code: str | None = None
    if kind is PartyKind.PERSON:
        typed = _text(raw, "id_number")
        if not typed:
            raise FieldError("id_number", "自然人当事人须填写公民身份号码。", "请对照身份证件填写18位号码。")
        id_number = normalise_resident_id(typed)
    else:
        typed = _text(raw, "credit_code")
        if typed:
            credit_code = normalise_credit_code(typed)
        elif kind is PartyKind.ORGANISATION:
            raise FieldError(
                "credit_code", "法人当事人须填写统一社会信用代码。", "请对照营业执照填写18位代码。"
            )
    return Party(
        id=str(uuid.uuid4()),
        kind=kind,
        name=name,
        id_number=id_number,
        credit_code=credit_code,
        legal_representative=_text(raw, "legal_representative") or None,
        address=_text(raw, "address"),
    )


class IntakeService:
    """``inactive_officers`` names the officers no longer in service (deactivated by the
    provincial platform's officer feed): they stay on the cases that name them but are not
    offered as 承办人, collectors or the user at this desk."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        warn_days: int = 30,
        inactive_officers: Callable[[], Collection[str]] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._warn_days = warn_days
        self._inactive = inactive_officers or (lambda: ())

    def options(self) -> Result[IntakeOptions]:
        """The officers in service (with their 执法证 state today) and the 执法事项 a case may name."""
        today = self._clock.today()
        with self._uow() as uow:
            officers = uow.office.officers()
            items = uow.office.items()
        inactive = set(self._inactive())
        choices = tuple(
            OfficerChoice(o, o.certificate_status(today, self._warn_days))
            for o in officers
            if o.id not in inactive
        )
        return Result(IntakeOptions(choices, tuple(items)))

    def find_parties(self, text: str) -> Result[list[Party]]:
        with self._uow() as uow:
            return Result(uow.office.find_parties(text, PARTY_SEARCH_LIMIT))

    def add_party(self, raw: Mapping[str, Any]) -> Result[Party]:
        """Register a party; one already known by the same ID number or credit code is updated."""
        party = party_from_input(raw)
        with self._uow() as uow:
            uow.office.upsert_party(party)
            stored = uow.office.party_by_identifier(party.id_number, party.credit_code)
            uow.commit()
        return Result(stored or party, Changes.of(Topic.OFFICE))


__all__ = ["IntakeOptions", "IntakeService", "OfficerChoice", "party_from_input"]
