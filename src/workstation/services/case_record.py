"""The 全过程记录 of a case as people read it: who did what, when, and what changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workstation.domain.case_ports import CaseStore
from workstation.domain.entities import OfficerRole
from workstation.domain.errors import NotFound
from workstation.domain.record import CaseEvent
from workstation.domain.vocabulary import FIELD_LABELS, action_label, value_text
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


def _role_label(role: str) -> str:
    try:
        return OfficerRole(role).label
    except ValueError:
        return role


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
        lines = []
        for change in event.changes:
            label = fields.get(change.field) or FIELD_LABELS.get(change.field) or change.field
            if change.field == "stage":
                old_stage = stages.get(str(change.old), "") if change.old else ""
                new_stage = stages.get(str(change.new), str(change.new))
                lines.append(f"{label}：{old_stage} → {new_stage}" if old_stage else f"{label}：{new_stage}")
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


__all__ = ["CaseRecordService", "TimelineEntry"]
