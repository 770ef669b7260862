"""The 全过程记录 of a case as people read it: who did what, when, and what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from workstation.domain.case_ports import CaseStore
from workstation.domain.entities import OfficerRole
from workstation.domain.errors import NotFound
from workstation.domain.evidence_ports import CORRECT_EVIDENCE, CORRECTION_ACTIONS, CORRECTION_LABELS
from workstation.domain.formatting import yuan
from workstation.domain.record import CaseEvent
from workstation.domain.signature_ports import ROLE_LABELS, SIGN_DOCUMENT
from workstation.domain.vocabulary import DEVIATION_KINDS, FIELD_LABELS, action_label, value_text
from workstation.domain.workflow import WorkflowEngine
from workstation.services.changes import Result

#: Fields too bulky or too technical to spell out in a timeline line.
_SUMMARISED = frozenset({"deadlines", "officers", "checklist"})


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    seq: int
    occurred_at: dt.datetime
    actor: str
    role: str
    action: str
    changes: tuple[str, ...]
    warnings: tuple[str, ...]
    hash: str


_WAN = Decimal(10_000)
_SEVERITY = {"yellow": "黄色预警", "red": "红色预警"}


def chinese_amount(value: object) -> str:
    """Yuan as a timeline reads it: 30000 → 3万元, 36500 → 3.65万元, 3000 → 3,000元."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if amount >= _WAN and amount % 100 == 0:
        wan = (amount / _WAN).normalize()
        return f"{wan:f}万元"
    return yuan(amount)


def discretion_summary(record: object) -> str:
    """One line for a ``discretion`` change: the tier and its range, the proposed fine and the
    W17 finding, e.g. “一般档（1.85万元至3.65万元），拟罚款3万元，在档次内”."""
    if not isinstance(record, Mapping):
        return "（空）"
    if record.get("status") == "no_benchmark":
        return "本案执法事项没有裁量基准，未适用"
    parts = []
    tier = record.get("tier")
    span = record.get("tier_range")
    if isinstance(tier, Mapping):
        text = f"{tier.get('label')}档"
        if isinstance(span, Mapping):
            text += f"（{chinese_amount(span.get('min'))}至{chinese_amount(span.get('max'))}）"
        parts.append(text)
    else:
        parts.append("未确定裁量档次")
    fine = record.get("proposed_fine")
    parts.append(f"拟罚款{chinese_amount(fine)}" if fine else "未拟罚款")
    explained = bool(record.get("deviation_reason"))
    for deviation in record.get("deviations") or ():
        if not isinstance(deviation, Mapping):
            continue
        kind = str(deviation.get("kind"))
        text = DEVIATION_KINDS.get(kind, kind)
        severity = _SEVERITY.get(str(deviation.get("severity")))
        if severity:
            text += f"（{severity}{'，已说明理由' if explained else ''}）"
        parts.append(text)
    return "，".join(parts)


def _circumstance_labels(event: CaseEvent) -> dict[str, str]:
    """The labels of the circumstances the event's ``discretion`` record names (an item's own
    factors and preconditions have no label outside its benchmark)."""
    for change in event.changes:
        if change.field == "discretion" and isinstance(change.new, Mapping):
            return {
                str(c.get("code")): str(c.get("label"))
                for c in change.new.get("circumstances") or ()
                if isinstance(c, Mapping)
            }
    return {}


def _role_label(role: str) -> str:
    try:
        return OfficerRole(role).label
    except ValueError:
        return ROLE_LABELS.get(role, role)


def _text(payload: Mapping[str, object], key: str) -> str:
    value = payload.get(key)
    return value if isinstance(value, str) else ""


def _hash_text(value: str) -> str:
    return f"{value[:16]}…" if len(value) > 16 else value


def signature_lines(payload: Mapping[str, object]) -> tuple[str, tuple[str, ...]]:
    """The action label and lines of a ``sign_document`` event, e.g. “签名” and
    “当事人签名：行政处罚决定书 罚决字〔2026〕第3号”, or “拒签” and “当事人拒签（见证人：王某）：…”."""
    role = _text(payload, "role_label") or ROLE_LABELS.get(_text(payload, "role"), "签名人")
    document = " ".join(p for p in (_text(payload, "document_title"), _text(payload, "document_number")) if p)
    document = document or _text(payload, "document_code")
    name = _text(payload, "name")
    if payload.get("refused"):
        detail = []
        if witness := _text(payload, "witness"):
            detail.append(f"见证人：{witness}")
        if evidence := _text(payload, "evidence_sha256"):
            detail.append("拍照、录像存证")
        lines = [f"{role}拒签（{'；'.join(detail) or '未记录见证'}）：{document}"]
        if name:
            lines.append(f"拒签人：{name}")
        if evidence:
            lines.append(f"拍照、录像文件 SHA-256：{_hash_text(evidence)}")
        return "拒签", tuple(lines)
    lines = [f"{role}签名：{document}"]
    if name:
        lines.append(f"签名人：{name}")
    if image := _text(payload, "image_sha256"):
        lines.append(f"签名图像 SHA-256：{_hash_text(image)}")
    return "签名", tuple(lines)


def correction_lines(payload: Mapping[str, object]) -> tuple[str, tuple[str, ...]]:
    """The action label and lines of a ``correct_evidence`` event (更正证据 / 作废证据)."""
    kind = _text(payload, "correction")
    title = _text(payload, "title")
    kind_label = _text(payload, "kind_label")
    lines = (
        f"证据：{title}（{kind_label}）" if kind_label else f"证据：{title}",
        f"{CORRECTION_LABELS.get(kind, kind)}，理由：{_text(payload, 'reason')}",
    )
    return CORRECTION_ACTIONS.get(kind, "更正证据"), lines


class CaseRecordService:
    """Reads a case's events into timeline entries with names and Chinese labels."""

    def __init__(self, store: CaseStore, engine: WorkflowEngine) -> None:
        self._store = store
        self._engine = engine

    def timeline(self, case_id: str) -> Result[list[TimelineEntry]]:
        with self._store.transaction() as tx:
            case = tx.load(case_id)
            events = self._store.events(case.id)
            names: dict[str, str] = {}
            for actor_id in {e.actor_id for e in events if e.actor_id}:
                try:
                    names[actor_id] = tx.officer(actor_id).name
                except NotFound:
                    names[actor_id] = "（已删除的人员）"
        definition = self._engine.definition(case.kind)
        actions = {a.code: a.label for a in definition.actions}
        fields = {f.name: f.label for a in definition.actions for f in a.required_fields}
        stages = {s.code: s.label for s in definition.stages}
        return Result([self._entry(e, names, actions, fields, stages) for e in events])

    @staticmethod
    def _entry(
        event: CaseEvent,
        names: dict[str, str],
        actions: dict[str, str],
        fields: dict[str, str],
        stages: dict[str, str],
    ) -> TimelineEntry:
        if event.action in (SIGN_DOCUMENT, CORRECT_EVIDENCE):
            return CaseRecordService._own_entry(event, names)
        lines = []
        circumstances = _circumstance_labels(event)
        for change in event.changes:
            label = fields.get(change.field) or FIELD_LABELS.get(change.field) or change.field
            if change.field == "circumstances" and isinstance(change.new, list) and circumstances:
                shown = [circumstances.get(str(code), value_text(change.field, code)) for code in change.new]
                lines.append(f"{label}：{'、'.join(shown) or '（无）'}")
            elif change.field == "stage":
                old_stage = stages.get(str(change.old), "") if change.old else ""
                new_stage = stages.get(str(change.new), str(change.new))
                lines.append(f"{label}：{old_stage} → {new_stage}" if old_stage else f"{label}：{new_stage}")
            elif change.field == "discretion":
                lines.append(f"{label}：{discretion_summary(change.new)}")
            elif change.field in _SUMMARISED:
                lines.append(f"{label}：已更新")
            elif isinstance(change.old, list) and isinstance(change.new, list) and change.old:
                added = [item for item in change.new if item not in change.old]
                removed = [item for item in change.old if item not in change.new]
                parts = []
                if added:
                    parts.append("新增 " + value_text(change.field, added))
                if removed:
                    parts.append("去除 " + value_text(change.field, removed))
                lines.append(f"{label}：{'；'.join(parts) or '未变'}")
            elif change.old in (None, "", [], {}):
                lines.append(f"{label}：{value_text(change.field, change.new)}")
            else:
                old = value_text(change.field, change.old)
                lines.append(f"{label}：{old} → {value_text(change.field, change.new)}")
        warnings = event.payload.get("warnings") or []
        return TimelineEntry(
            seq=event.seq,
            occurred_at=event.occurred_at,
            actor=names.get(event.actor_id or "", "系统"),
            role=_role_label(event.actor_role),
            action=action_label(event.action, actions),
            changes=tuple(lines),
            warnings=tuple(str(w) for w in warnings),
            hash=event.hash,
        )

    @staticmethod
    def _own_entry(event: CaseEvent, names: dict[str, str]) -> TimelineEntry:
        """A signature or an evidence correction: labelled from its payload."""
        if event.action == SIGN_DOCUMENT:
            action, lines = signature_lines(event.payload)
            signer = _text(event.payload, "name") or _text(event.payload, "role_label")
            actor = names.get(event.actor_id or "", "") or signer or "系统"
        else:
            action, lines = correction_lines(event.payload)
            actor = names.get(event.actor_id or "", "系统")
        return TimelineEntry(
            seq=event.seq,
            occurred_at=event.occurred_at,
            actor=actor,
            role=_role_label(event.actor_role),
            action=action,
            changes=lines,
            warnings=(),
            hash=event.hash,
        )


__all__ = [
    "CaseRecordService",
    "TimelineEntry",
    "chinese_amount",
    "correction_lines",
    "discretion_summary",
    "signature_lines",
]
