"""Small builders shared by the central server tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from workstation.domain.record import CaseEvent, FieldChange, event_hash, genesis_hash, to_json


def new_id() -> str:
    return str(uuid.uuid4())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chain(case_id: str, count: int, start: int = 1, prev_hash: str | None = None) -> list[dict[str, Any]]:
    """``count`` wire events of a valid hash chain from ``seq = start`` (docs/CENTRAL.md §6)."""
    events: list[dict[str, Any]] = []
    prev = prev_hash or genesis_hash(case_id)
    for seq in range(start, start + count):
        draft = CaseEvent(
            event_id=new_id(),
            case_id=case_id,
            seq=seq,
            occurred_at=dt.datetime(2026, 11, 26, 9, seq % 60, tzinfo=dt.UTC),
            actor_id="officer-1",
            actor_role="承办人",
            action="取证" if seq > 1 else "立案",
            changes=(FieldChange("status", seq - 1, seq),),
            payload={"note": f"第{seq}步", "amount": "500.00"},
            prev_hash=prev,
            hash="",
        )
        digest = event_hash(draft)
        events.append(
            {
                "event_id": draft.event_id,
                "seq": seq,
                "occurred_at": to_json(draft.occurred_at),
                "actor_id": draft.actor_id,
                "actor_role": draft.actor_role,
                "action": draft.action,
                "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in draft.changes],
                "payload": draft.payload,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return events
