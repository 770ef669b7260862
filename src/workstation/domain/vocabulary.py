"""How case fields and their values read in Chinese: option labels and list vocabularies.

Workflow definitions name choice options by code (``"person"``, ``"direct"``); forms, timelines
and documents show them through :func:`option_label`. List fields whose items come from a fixed
vocabulary (the eight evidence kinds of 《行政处罚法》第四十六条, the penalty kinds of 第九条)
are named in :data:`LIST_VOCABULARIES`, so a form offers exactly those items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workstation.domain.cases import CaseKind, CaseSource, EvidenceKind, Outcome, PenaltyType
from workstation.domain.discretion import STATUTORY_CIRCUMSTANCES, ItemEntry
from workstation.domain.entities import PartyKind
from workstation.domain.guards import (
    COLLECT_REASONS,
    DISCRETION_TIERS,
    MITIGATING_CIRCUMSTANCES,
    PAUSE_REASONS,
    SEIZURE_DOMAINS,
)

#: Option labels by field name, for options that are not one of the shared enums.
_FIELD_OPTIONS: dict[str, Mapping[str, str]] = {
    "service_method": {
        "direct": "直接送达",
        "left": "留置送达",
        "post": "邮寄送达",
        "electronic": "电子送达",
        "announcement": "公告送达",
        "entrusted": "委托送达",
    },
    "inspection_result": {"compliant": "未发现问题", "rectify": "责令整改", "file_case": "立案查处"},
    "measure": {"seal": "查封", "seize": "扣押"},
    "seizure_result": {"confiscate": "没收", "destroy": "销毁", "release": "解除"},
    "pause_reason": PAUSE_REASONS,
    "collect_reason": COLLECT_REASONS,
    "discretion_tier": DISCRETION_TIERS,
    "seizure_domain": SEIZURE_DOMAINS,
    # an item's own factors and preconditions read as their codes (their labels are the item's)
    "circumstances": {code: c.label for code, c in STATUTORY_CIRCUMSTANCES.items()},
}

#: W17 classes of a proposed fine (``discretion.DeviationKind`` values), as a timeline reads them.
DEVIATION_KINDS: dict[str, str] = {
    "inside_tier": "在档次内",
    "outside_tier": "超出裁量档次",
    "outside_statutory": "超出法定幅度",
    "first_violation_fined": "符合首违不罚仍拟罚款",
    "mandatory_no_penalty_fined": "依法应当不予处罚仍拟罚款",
    "precondition_unmet": "尚不具备罚款条件",
}

#: Enum vocabularies by field name: choice fields and list fields drawing from them.
_ENUM_FIELDS: dict[str, Mapping[str, str]] = {
    "party_kind": {k.value: k.label for k in PartyKind},
    "outcome": {k.value: k.label for k in Outcome},
    "penalty_types": {k.value: k.label for k in PenaltyType},
    "evidence_kinds": {k.value: k.label for k in EvidenceKind},
    "evidence.kind": {k.value: k.label for k in EvidenceKind},
    "source": {k.value: k.label for k in CaseSource},
    "kind": {k.value: k.label for k in CaseKind},
}

#: List fields whose items must come from a fixed vocabulary (code → label).
LIST_VOCABULARIES: dict[str, Mapping[str, str]] = {
    "penalty_types": _ENUM_FIELDS["penalty_types"],
    "evidence_kinds": _ENUM_FIELDS["evidence_kinds"],
    "mitigating": MITIGATING_CIRCUMSTANCES,
}

#: List fields of records, with their columns (key, label, type "text" | "bool"): edited as a table.
RECORD_LISTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "checklist": (
        ("department", "部门", "text"),
        ("item", "检查事项", "text"),
        ("result", "检查结果", "text"),
    ),
    "items": (
        ("name", "名称", "text"),
        ("qty", "数量", "text"),
        ("related", "与案件有关", "bool"),
        ("necessity", "生活必需品", "bool"),
        ("sealed_by", "已被其他机关查封（机关名称）", "text"),
    ),
    "qa": (
        ("q", "问", "text"),
        ("a", "答", "text"),
    ),
    "discussion_opinions": (
        ("name", "发言人", "text"),
        ("opinion", "意见", "text"),
    ),
}

#: List fields the case service fills from the case itself when the form leaves them out.
CASE_FILLED = frozenset({"officers"})

#: Action names recorded by the service itself (not workflow actions).
_SERVICE_ACTIONS = {"create": "登记案件", "add_evidence": "登记证据"}


#: What the 案号 column shows for a case without one: a penalty case is numbered when it is
#: filed (立案); a coercive measure or an inspection is not a penalty case and has none.
_UNNUMBERED = {"coercive": "（强制措施）", "inspection": "（行政检查）"}


def case_number_text(number: str | None, kind: str) -> str:
    """The 案号 as a list shows it: the number, or why there is none."""
    return number or _UNNUMBERED.get(kind, "（未立案）")


def option_label(field: str, code: str) -> str:
    """The Chinese label of ``code`` as a value of ``field`` (the code itself when unknown)."""
    labels = _FIELD_OPTIONS.get(field) or _ENUM_FIELDS.get(field) or {}
    return labels.get(code, code)


def action_label(code: str, labels: Mapping[str, str]) -> str:
    """An action's label from a workflow's ``labels`` or the service's own actions."""
    return labels.get(code) or _SERVICE_ACTIONS.get(code, code)


def value_text(field: str, value: Any) -> str:
    """A field value as a person reads it: labels for codes, 是/否, lists joined with 、."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        parts = [value_text(field, item) for item in value]
        return "、".join(parts) if parts else "（无）"
    if isinstance(value, Mapping):
        if "name" in value:
            return str(value["name"])
        return "，".join(f"{v}" for v in value.values() if v not in (None, ""))
    if isinstance(value, str):
        return option_label(field, value)
    return str(value)


__all__ = [
    "CASE_FILLED",
    "DEVIATION_KINDS",
    "FIELD_LABELS",
    "LIST_VOCABULARIES",
    "RECORD_LISTS",
    "action_label",
    "case_number_text",
    "circumstance_choices",
    "option_label",
    "value_text",
]


#: Labels of the fields the service and the ``sets`` of actions write (workflow fields carry their own).
FIELD_LABELS: dict[str, str] = {
    "stage": "阶段",
    "case_number": "案号",
    "deadlines": "期限",
    "clue_received_on": "线索登记日期",
    "filed_on": "立案日期",
    "not_filed_on": "不予立案日期",
    "saved_on": "先行登记保存日期",
    "save_decided_on": "先行登记保存处理日期",
    "investigation_closed_on": "调查终结日期",
    "review_passed_on": "法制审核通过日期",
    "collective_discussion_on": "集体讨论日期",
    "notified_on": "事先告知日期",
    "statement_heard_on": "陈述申辩日期",
    "hearing_notice_on": "听证通知日期",
    "hearing_held_on": "听证日期",
    "decided_on": "决定日期",
    "served_on": "送达日期",
    "transferred_on": "移送日期",
    "closed_on": "结案日期",
    "archived_on": "归档日期",
    "approved_on": "批准日期",
    "seized_on": "查封扣押日期",
    "extended_on": "延长日期",
    "released_on": "解除日期",
    "handled_on": "处理日期",
    "inspected_on": "检查日期",
    "reported_on": "报告日期",
    "title": "案由",
    "documents": "文书",
    "evidence.title": "证据名称",
    "evidence.kind": "证据种类",
    "evidence.sha256": "证据文件哈希",
    "recorded_on": "备案日期",
    "court_applied_on": "申请法院强制执行日期",
    "withdrawn_on": "撤回公示日期",
    "emergency_refused": "紧急措施未获批准",
    "decision_pauses": "办案期限暂停",
    "decision_extensions": "办案期限延长",
    "published_on": "公示日期",
    "cash_handed_in_on": "罚款上交日期",
    "discretion": "裁量基准适用",
    "circumstances": "裁量情节",
    "base_amount": "计算基数",
    "deviation_reason": "偏离理由",
}


def circumstance_choices(entry: ItemEntry) -> list[tuple[str, str, str]]:
    """The circumstances an officer may find for one 执法事项: (code, label, source), the item's
    preconditions and factors first, then the circumstances of the 行政处罚法 itself."""
    out: list[tuple[str, str, str]] = []
    for precondition in entry.preconditions:
        out.append((precondition.code, f"【前提】{precondition.label}", precondition.source))
    for factor in entry.factors:
        out.append((factor.code, f"【{factor.effect.label}】{factor.label}", factor.source))
    seen = {code for code, _label, _source in out}
    for rng in entry.ranges:
        for code in rng.when:
            if code not in seen:
                seen.add(code)
                out.append((code, f"【适用幅度】{entry.circumstance_label(code)}", rng.citation))
    for code, circumstance in STATUTORY_CIRCUMSTANCES.items():
        if code not in seen:
            out.append((code, f"【{circumstance.effect.label}】{circumstance.label}", circumstance.source))
    return out
