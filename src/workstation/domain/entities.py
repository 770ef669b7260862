"""Core entities shared by every capability, as frozen dataclasses.

Later capabilities (cases, statutes, discretion, documents, sync) add their
own modules beside this one; these are the records of the office itself.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field


class PartyKind(enum.StrEnum):
    """当事人类别."""

    PERSON = "person"  # 自然人
    ORGANISATION = "organisation"  # 法人
    OTHER = "other"  # 其他组织

    @property
    def label(self) -> str:
        return {"person": "自然人", "organisation": "法人", "other": "其他组织"}[self.value]


class CertificateStatus(enum.StrEnum):
    """State of an 执法证 on a given day."""

    VALID = "valid"
    EXPIRING = "expiring"  # valid, but expires within the warning window
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"

    @property
    def label(self) -> str:
        return {
            "valid": "有效",
            "expiring": "即将到期",
            "expired": "已过期",
            "not_yet_valid": "尚未生效",
        }[self.value]


class OfficerRole(enum.StrEnum):
    OFFICER = "officer"  # 执法人员
    REVIEWER = "reviewer"  # 法制审核人员
    TRAINER = "trainer"  # 培训师
    ADMIN = "admin"  # 系统管理员

    @property
    def label(self) -> str:
        return {
            "officer": "执法人员",
            "reviewer": "法制审核人员",
            "trainer": "培训师",
            "admin": "系统管理员",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Agency:
    """执法主体: a township government or street office."""

    id: str
    code: str
    name: str
    region_code: str
    is_sample: bool = False


@dataclass(frozen=True, slots=True)
class Officer:
    """执法人员 with the 执法证 that entitles them to act."""

    id: str
    agency_id: str
    name: str
    certificate_no: str
    certificate_valid_from: dt.date
    certificate_valid_until: dt.date
    roles: tuple[OfficerRole, ...] = (OfficerRole.OFFICER,)
    is_sample: bool = False

    def certificate_valid_on(self, day: dt.date) -> bool:
        """Whether the 执法证 is valid on ``day`` (both ends inclusive)."""
        return self.certificate_valid_from <= day <= self.certificate_valid_until

    def certificate_status(self, day: dt.date, warn_days: int) -> CertificateStatus:
        """执法证 state on ``day``; an officer may act only while it is valid
        (《行政处罚法》第四十二条: 执法人员应当具有行政执法资格)."""
        if day < self.certificate_valid_from:
            return CertificateStatus.NOT_YET_VALID
        if day > self.certificate_valid_until:
            return CertificateStatus.EXPIRED
        if (self.certificate_valid_until - day).days <= warn_days:
            return CertificateStatus.EXPIRING
        return CertificateStatus.VALID


@dataclass(frozen=True, slots=True)
class Party:
    """当事人."""

    id: str
    kind: PartyKind
    name: str
    id_number: str | None = None  # 公民身份号码, natural persons
    credit_code: str | None = None  # 统一社会信用代码, organisations
    legal_representative: str | None = None
    address: str = ""
    is_sample: bool = False


@dataclass(frozen=True, slots=True)
class EnforcementItem:
    """执法事项 (the catalogue entry; the discretion benchmark extends it)."""

    id: str
    code: str
    name: str
    department: str
    violation_basis: str = ""
    penalty_basis: str = ""
    delegated_to_township: bool = True
    delegation_document: str = ""
    is_sample: bool = False


@dataclass(frozen=True, slots=True)
class CaseBrief:
    """One line of a case on the 工作台 (我的待办, 近期到期)."""

    id: str
    kind: str
    stage: str
    title: str
    case_number: str | None = None
    party_names: str = ""
    lead_officer_id: str | None = None
    lead_officer_name: str = ""
    next_deadline: dt.date | None = None
    stage_label: str = ""

    def days_left(self, today: dt.date) -> int | None:
        """Days until the next deadline (negative when overdue), None without one."""
        return None if self.next_deadline is None else (self.next_deadline - today).days


@dataclass(frozen=True, slots=True)
class StageCount:
    """How many cases of one kind are in one stage (各阶段案件数)."""

    kind: str
    stage: str
    count: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class OfficeSummary:
    """What the 工作台 shows of the office before any case exists."""

    agencies: tuple[Agency, ...]
    officers: tuple[Officer, ...]
    party_count: int
    item_count: int
    case_count: int
    today: dt.date
    warn_days: int
    expiring_certificates: tuple[Officer, ...] = field(default_factory=tuple)
    #: Cases by kind and stage, in workflow order once labelled by the service.
    stage_counts: tuple[StageCount, ...] = field(default_factory=tuple)
    #: Open cases whose next deadline is within ``due_days`` (overdue ones too), soonest first.
    due_soon: tuple[CaseBrief, ...] = field(default_factory=tuple)
    #: Open cases led by ``officer_id`` (every open case when it is None), soonest deadline first.
    my_tasks: tuple[CaseBrief, ...] = field(default_factory=tuple)
    officer_id: str | None = None
    due_days: int = 7
    #: 案由 of the cases marked 示例 (the demo seed skips those it finds).
    sample_case_titles: frozenset[str] = field(default_factory=frozenset)
