"""Cases (案件): kinds, sources, outcomes, penalties and evidence, as the procedure law names them.

The workflow of each kind is data (resources/workflows/, interpreted by domain/workflow.py);
this module holds the vocabulary every part of the case handling shares.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class CaseKind(enum.StrEnum):
    INSPECTION = "inspection"  # 行政检查（含“综合查一次”：多部门一次检查、合并检查单）
    SIMPLE = "simple"  # 简易程序（当场处罚）《行政处罚法》第五十一条
    ORDINARY = "ordinary"  # 普通程序 《行政处罚法》第五十四条起
    COERCIVE = "coercive"  # 行政强制措施（查封、扣押）《行政强制法》第二十二条起

    @property
    def label(self) -> str:
        return {
            "inspection": "行政检查",
            "simple": "简易程序",
            "ordinary": "普通程序",
            "coercive": "行政强制措施",
        }[self.value]


class CaseSource(enum.StrEnum):
    """案件来源."""

    PATROL = "patrol"
    COMPLAINT = "complaint"
    HOTLINE = "hotline_12345"
    TRANSFER = "transfer"
    ASSIGNED = "assigned"
    OFF_SITE = "off_site"

    @property
    def label(self) -> str:
        return {
            "patrol": "巡查发现",
            "complaint": "投诉举报",
            "hotline_12345": "12345热线",
            "transfer": "部门移送",
            "assigned": "上级交办",
            "off_site": "非现场执法",
        }[self.value]


class EvidenceKind(enum.StrEnum):
    """The eight kinds of evidence of 《行政处罚法》第四十六条."""

    DOCUMENTARY = "documentary"
    PHYSICAL = "physical"
    AUDIOVISUAL = "audiovisual"
    ELECTRONIC = "electronic"
    WITNESS = "witness"
    PARTY_STATEMENT = "party_statement"
    EXPERT_OPINION = "expert_opinion"
    RECORD = "record"

    @property
    def label(self) -> str:
        return {
            "documentary": "书证",
            "physical": "物证",
            "audiovisual": "视听资料",
            "electronic": "电子数据",
            "witness": "证人证言",
            "party_statement": "当事人的陈述",
            "expert_opinion": "鉴定意见",
            "record": "勘验笔录、现场笔录",
        }[self.value]


class PenaltyType(enum.StrEnum):
    """行政处罚的种类 (《行政处罚法》第九条)."""

    WARNING = "warning"
    CRITICISM = "criticism"
    FINE = "fine"
    CONFISCATE_GAINS = "confiscate_gains"
    CONFISCATE_PROPERTY = "confiscate_property"
    SUSPEND_PERMIT = "suspend_permit"
    LOWER_QUALIFICATION = "lower_qualification"
    REVOKE_PERMIT = "revoke_permit"
    RESTRICT_BUSINESS = "restrict_business"
    SUSPEND_BUSINESS = "suspend_business"
    CLOSE = "close"
    RESTRICT_PRACTICE = "restrict_practice"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "warning": "警告",
            "criticism": "通报批评",
            "fine": "罚款",
            "confiscate_gains": "没收违法所得",
            "confiscate_property": "没收非法财物",
            "suspend_permit": "暂扣许可证件",
            "lower_qualification": "降低资质等级",
            "revoke_permit": "吊销许可证件",
            "restrict_business": "限制开展生产经营活动",
            "suspend_business": "责令停产停业",
            "close": "责令关闭",
            "restrict_practice": "限制从业",
            "other": "法律、行政法规规定的其他行政处罚",
        }[self.value]


class Outcome(enum.StrEnum):
    """How an ordinary-procedure case ends (《行政处罚法》第五十七条)."""

    PENALTY = "penalty"  # 第五十七条第一款第（一）项
    NO_PENALTY_MINOR = "no_penalty_minor"  # 第三十三条第一款前段：轻微、及时改正、无危害后果（不予处罚）
    NO_PENALTY_FIRST = "no_penalty_first"  # 第三十三条第一款后段：首违不罚（可以不予处罚）
    NO_PENALTY_NO_FAULT = "no_penalty_no_fault"  # 第三十三条第二款：无主观过错
    NOT_ESTABLISHED = "not_established"  # 第五十七条第一款第（三）项：违法事实不能成立
    TRANSFER = "transfer"  # 移送有管辖权的机关
    CRIMINAL_TRANSFER = "criminal_transfer"  # 行刑衔接：涉嫌犯罪，移送司法机关（第二十七条）

    @property
    def label(self) -> str:
        return {
            "penalty": "给予行政处罚",
            "no_penalty_minor": "不予行政处罚（违法行为轻微并及时改正，没有造成危害后果）",
            "no_penalty_first": "不予行政处罚（初次违法且危害后果轻微并及时改正）",
            "no_penalty_no_fault": "不予行政处罚（有证据足以证明没有主观过错）",
            "not_established": "不予行政处罚（违法事实不能成立）",
            "transfer": "移送有管辖权的行政机关",
            "criminal_transfer": "移送司法机关（涉嫌犯罪）",
        }[self.value]

    @property
    def basis(self) -> str:
        return {
            "penalty": "《中华人民共和国行政处罚法》第五十七条第一款第（一）项",
            "no_penalty_minor": "《中华人民共和国行政处罚法》第三十三条第一款",
            "no_penalty_first": "《中华人民共和国行政处罚法》第三十三条第一款",
            "no_penalty_no_fault": "《中华人民共和国行政处罚法》第三十三条第二款",
            "not_established": "《中华人民共和国行政处罚法》第五十七条第一款第（三）项",
            "transfer": "《中华人民共和国行政处罚法》第五十七条第一款第（四）项",
            "criminal_transfer": "《中华人民共和国行政处罚法》第二十七条、第五十七条第一款第（四）项",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Case:
    """A case as the domain sees it; ``data`` holds the workflow's fields (JSON values)."""

    id: str
    agency_id: str
    kind: CaseKind
    title: str  # 案由
    source: CaseSource
    stage: str
    opened_on: dt.date
    case_number: str | None = None  # 案号, given when the case is filed (立案)
    item_code: str | None = None  # 执法事项
    party_ids: tuple[str, ...] = ()
    officer_ids: tuple[str, ...] = ()  # lead officer first
    #: 综合查一次: the departments taking part in one visit (empty for other cases).
    departments: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    closed_on: dt.date | None = None
    is_training: bool = False
    row_version: int = 1
