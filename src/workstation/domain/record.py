"""全过程记录 (《行政处罚法》第四十七条): the tamper-evident, hash-chained record of a case.

Every act in a case (立案, 取证, 告知, 决定 …) appends one :class:`CaseEvent`. Events of a
case form a chain: each event carries the hash of the event before it, and its own hash
covers everything it says, so an edit, a deletion, an insertion, a reordering or an event
copied in from another case shows up in :func:`verify`.

Hashing scheme (version 1)
--------------------------
- ``hash`` = lower-case hex SHA-256 of :func:`canonical_json` of a JSON object with exactly
  these keys: ``event_id``, ``case_id``, ``seq``, ``occurred_at``, ``actor_id``,
  ``actor_role``, ``action``, ``changes`` (a list of ``{"field", "old", "new"}`` objects in
  the event's order), ``payload`` and ``prev_hash`` — every field of the event except
  ``hash`` itself (see :func:`hashed_bytes`).
- ``prev_hash`` of event ``seq = n > 1`` is the ``hash`` of event ``n - 1``.
- ``prev_hash`` of the first event is :func:`genesis_hash` of the case id: the SHA-256 of
  ``canonical_json({"case_id": <case id>, "genesis": "workstation/case-events/v1"})``. A
  chain therefore cannot be spliced into another case without rewriting it from its first
  event, and the version tag leaves room for a later scheme.

The hash is not keyed: someone who can write the database and knows this scheme can
rewrite a whole chain consistently. Such a rewrite is caught only against a hash kept
elsewhere — the head acknowledged by the central server, or printed in the 案卷 — which
:func:`verify` takes as ``expected_head`` / ``expected_count`` / ``anchors``.

Canonical JSON
--------------
:func:`canonical_json` is what is hashed, and also what persistence stores, so a value
reads back exactly as it was hashed: ``json.dumps`` with keys sorted (by Unicode code
point, as Python sorts ``str``), no whitespace (``","`` and ``":"`` separators),
``ensure_ascii=False`` and UTF-8 bytes. Values are normalised first (:func:`to_json`):

- ``None``, ``bool``, ``int``, ``str`` as they are; ``float`` as Python's shortest repr
  (``1.0`` stays ``1.0``, distinct from ``1``); NaN and infinities are refused;
- ``decimal.Decimal`` as ``str(d)`` (scale kept: ``Decimal("1.50")`` is ``"1.50"``);
- ``datetime`` must be timezone-aware and becomes ISO 8601 in UTC with microseconds
  (``"2026-03-01T01:30:00.000000+00:00"``): the same instant always gives the same bytes,
  whatever offset it was written with; ``date`` becomes ``"YYYY-MM-DD"``;
- lists and tuples become lists; mappings must have ``str`` keys;
- anything else (sets, bytes, naive datetimes, objects, lone surrogates) raises TypeError.

Control characters are escaped as ``\\uXXXX``; all other characters (Chinese included) are
written as themselves.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import enum
import hashlib
import json
import math
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workstation.domain.errors import KnownError

#: Tag hashed into every chain's first ``prev_hash``; changes if the scheme ever changes.
GENESIS_TAG = "workstation/case-events/v1"
#: Lengths of the ``case_events`` columns (persistence/models.py), checked by :func:`append`.
MAX_ID_LENGTH = 36
MAX_ROLE_LENGTH = 20
MAX_ACTION_LENGTH = 60


class ConcurrentEdit(KnownError):
    """Another operation appended to the case's record first (the same ``seq`` is taken)."""

    code = "concurrent_edit"

    def __init__(self, case_id: str = "") -> None:
        super().__init__(
            "该案件刚被其他操作修改，请刷新后重试",
            "您刚才的操作没有保存；刷新后可看到最新的案件情况，再重新操作。",
        )
        self.case_id = case_id


# ---------------------------------------------------------------- canonical JSON


def to_json(value: object) -> Any:
    """``value`` as plain JSON data (dict, list, str, int, float, bool, None); see the module doc.

    Raises TypeError for anything that has no single JSON form.
    """
    return _plain(value)


def _plain(value: object) -> Any:
    """:func:`to_json` with a fast path for values that are already plain JSON (exact ``dict``,
    ``list``, ``tuple``, ``str``, ``int``, ``bool``, ``None``); anything else takes the general
    path, so the result is the same value of the same types either way."""
    kind = type(value)
    if kind is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is str:
                if not key.isascii():
                    _check_unicode(key)
            elif isinstance(key, str):
                key = _general(key)
            else:
                raise TypeError(f"JSON object keys must be str, not {type(key).__name__}: {key!r}")
            leaf = type(item)
            if leaf is str:
                if not item.isascii():
                    _check_unicode(item)
                out[key] = item
            elif item is None or leaf is int or leaf is bool:
                out[key] = item
            else:
                out[key] = _plain(item)
        return out
    if kind is str:
        _check_unicode(value)  # type: ignore[arg-type]
        return value
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]  # type: ignore[attr-defined]
    if value is None or kind is bool or kind is int:
        return value
    return _general(value)


def _check_unicode(value: str) -> None:
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise TypeError(f"string is not valid Unicode: {value!r}") from exc


def _general(value: object) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"not a finite number: {value!r}")
        return float(value)
    if isinstance(value, str):
        _check_unicode(value)
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"not a finite number: {value!r}")
        return str(value)
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            raise TypeError(f"datetime without a timezone: {value!r}")
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be str, not {type(key).__name__}: {key!r}")
            out[_plain(key)] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not JSON-compatible: {value!r}")


def canonical_json(obj: object) -> bytes:
    """The one byte form of ``obj``: sorted keys, no whitespace, UTF-8 (see the module doc)."""
    text = json.dumps(
        to_json(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


# ---------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of the case changed by an event; ``old`` and ``new`` are JSON data."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One entry of a case's 全过程记录.

    ``seq`` counts from 1 within the case; ``occurred_at`` is timezone-aware; ``changes`` and
    ``payload`` hold plain JSON data (as :func:`to_json` makes it) and must not be mutated.
    """

    event_id: str
    case_id: str
    seq: int
    occurred_at: dt.datetime
    actor_id: str | None
    actor_role: str
    action: str
    changes: tuple[FieldChange, ...]
    payload: dict[str, Any] = dataclasses.field(hash=False)
    prev_hash: str
    hash: str


def genesis_hash(case_id: str) -> str:
    """``prev_hash`` of a case's first event: SHA-256 of the case id under :data:`GENESIS_TAG`."""
    return hashlib.sha256(canonical_json({"case_id": case_id, "genesis": GENESIS_TAG})).hexdigest()


def hashed_bytes(event: CaseEvent) -> bytes:
    """The exact bytes whose SHA-256 is ``event.hash``: every field except ``hash``."""
    return canonical_json(
        {
            "event_id": event.event_id,
            "case_id": event.case_id,
            "seq": event.seq,
            "occurred_at": event.occurred_at,
            "actor_id": event.actor_id,
            "actor_role": event.actor_role,
            "action": event.action,
            "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in event.changes],
            "payload": event.payload,
            "prev_hash": event.prev_hash,
        }
    )


def event_hash(event: CaseEvent) -> str:
    """What ``event.hash`` must be (lower-case hex SHA-256 of :func:`hashed_bytes`)."""
    return hashlib.sha256(hashed_bytes(event)).hexdigest()


def has_valid_hash(event: CaseEvent) -> bool:
    """True when the event's content matches its own ``hash``."""
    try:
        return event_hash(event) == event.hash
    except (TypeError, ValueError, OverflowError, AttributeError):
        return False


def _check_text(name: str, value: str, limit: int) -> None:
    if not value or len(value) > limit:
        raise ValueError(f"{name} must have 1 to {limit} characters: {value!r}")


def append(
    chain_head: CaseEvent | None,
    *,
    case_id: str,
    actor_id: str | None,
    actor_role: str,
    action: str,
    occurred_at: dt.datetime,
    changes: Iterable[FieldChange] = (),
    payload: Mapping[str, object] | None = None,
    event_id: str | None = None,
) -> CaseEvent:
    """The event that follows ``chain_head`` (None for a case's first event), sealed with its hash.

    ``changes`` and ``payload`` are normalised with :func:`to_json` (a Decimal becomes a
    string, a datetime an ISO string …) so the event holds exactly what is hashed and stored.
    Raises ValueError for a head of another case, a naive ``occurred_at``, a field changed
    twice or text too long for storage, and TypeError for values that are not JSON data.
    """
    if chain_head is not None and chain_head.case_id != case_id:
        raise ValueError(f"chain head belongs to case {chain_head.case_id!r}, not {case_id!r}")
    if occurred_at.utcoffset() is None:
        raise ValueError("occurred_at must be timezone-aware")
    event_id = str(uuid.uuid4()) if event_id is None else event_id
    _check_text("case_id", case_id, MAX_ID_LENGTH)
    _check_text("event_id", event_id, MAX_ID_LENGTH)
    if actor_id is not None:
        _check_text("actor_id", actor_id, MAX_ID_LENGTH)
    _check_text("actor_role", actor_role, MAX_ROLE_LENGTH)
    _check_text("action", action, MAX_ACTION_LENGTH)
    normalised: list[FieldChange] = []
    for change in changes:
        if not change.field:
            raise ValueError("a changed field needs a name")
        if any(c.field == change.field for c in normalised):
            raise ValueError(f"field {change.field!r} is changed twice in one event")
        normalised.append(FieldChange(change.field, to_json(change.old), to_json(change.new)))
    unsealed = CaseEvent(
        event_id=event_id,
        case_id=case_id,
        seq=1 if chain_head is None else chain_head.seq + 1,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        changes=tuple(normalised),
        payload=to_json(dict(payload or {})),
        prev_hash=genesis_hash(case_id) if chain_head is None else chain_head.hash,
        hash="",
    )
    return dataclasses.replace(unsealed, hash=event_hash(unsealed))


# ---------------------------------------------------------------- verification


class ProblemKind(enum.StrEnum):
    """What :func:`verify` found wrong with a record."""

    EDITED = "edited"  # content does not match the event's own hash
    MISSING = "missing"  # a gap in the numbering: events deleted
    BROKEN_LINK = "broken_link"  # prev_hash is not the hash of the event before
    INSERTED = "inserted"  # a second event with a number already taken
    FOREIGN = "foreign"  # an event of another case
    REORDERED = "reordered"  # not in numbering order
    INVALID = "invalid"  # a number below 1
    TRUNCATED = "truncated"  # fewer events than anchored: the tail was deleted
    EXTRA = "extra"  # more events than anchored
    REWRITTEN = "rewritten"  # differs from an anchored hash: rewritten with recomputed hashes

    @property
    def label(self) -> str:
        return {
            "edited": "内容被修改",
            "missing": "记录缺失",
            "broken_link": "前后衔接不上",
            "inserted": "插入的记录",
            "foreign": "其他案件的记录",
            "reordered": "顺序被调换",
            "invalid": "编号无效",
            "truncated": "末尾记录缺失",
            "extra": "多出的记录",
            "rewritten": "与存证不一致",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: its kind, the record number (``seq``) it concerns and a Chinese message."""

    kind: ProblemKind
    seq: int
    message: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Anchor:
    """A hash kept outside this database: event ``seq`` of the case had ``hash`` when anchored."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of :func:`verify`: ``ok`` when no problem was found."""

    case_id: str | None
    count: int
    head_hash: str | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def messages(self) -> list[str]:
        return [p.message for p in self.problems]

    def summary(self) -> str:
        if self.ok:
            return f"全过程记录完整：共{self.count}条，未发现篡改。"
        return f"全过程记录发现{len(self.problems)}处问题：" + "；".join(self.messages) + "。"


class _Findings:
    def __init__(self) -> None:
        self._by_key: dict[tuple[ProblemKind, int], Problem] = {}

    def add(self, kind: ProblemKind, seq: int, message: str, event_id: str | None = None) -> None:
        self._by_key.setdefault((kind, seq), Problem(kind, seq, message, event_id))

    def sorted(self) -> tuple[Problem, ...]:
        order = list(ProblemKind)

        def key(p: Problem) -> tuple[int, int]:
            return (p.seq if isinstance(p.seq, int) else -1, order.index(p.kind))

        return tuple(sorted(self._by_key.values(), key=key))


def _infer_case_id(events: Sequence[CaseEvent]) -> str | None:
    """The case most events belong to; on a tie, one whose first event starts from its genesis."""
    if not events:
        return None
    counts = Counter(e.case_id for e in events)
    rooted = {e.case_id for e in events if e.seq == 1 and e.prev_hash == genesis_hash(e.case_id)}
    first_seen = {e.case_id: i for i, e in reversed(list(enumerate(events)))}
    return min(counts, key=lambda c: (-counts[c], c not in rooted, first_seen[c]))


def _longest_runs(values: Sequence[int]) -> list[int]:
    """For each position, the length of the longest non-decreasing run of values ending there."""
    tails: list[int] = []  # tails[k]: smallest last value of such a run of length k + 1
    out: list[int] = []
    for value in values:
        k = bisect.bisect_right(tails, value)
        if k == len(tails):
            tails.append(value)
        else:
            tails[k] = value
        out.append(k + 1)
    return out


def _out_of_place(seqs: Sequence[int]) -> list[int]:
    """Positions that are not in every longest non-decreasing subsequence of ``seqs``.

    Events read in order all belong to every such subsequence; an event moved elsewhere does
    not. Two swapped neighbours are both reported (either could be the one kept), and so is
    anything caught between two swapped events when the order cannot tell which one moved.
    """
    ending = _longest_runs(seqs)
    starting = _longest_runs([-s for s in reversed(seqs)])[::-1]
    longest = max(ending, default=0)
    on_some = [i for i in range(len(seqs)) if ending[i] + starting[i] - 1 == longest]
    at_length = Counter(ending[i] for i in on_some)
    on_all = {i for i in on_some if at_length[ending[i]] == 1}
    return [i for i in range(len(seqs)) if i not in on_all]


def _is_seq(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def verify(
    events: Sequence[CaseEvent],
    *,
    case_id: str | None = None,
    expected_head: str | None = None,
    expected_count: int | None = None,
    anchors: Iterable[Anchor] = (),
) -> VerifyReport:
    """Check a case's events, in the order they were read, and list every problem found.

    ``case_id`` defaults to the case most events belong to. Without outside information a
    deleted or rewritten *last* event cannot be told from a shorter record; give what was
    kept elsewhere: ``expected_head`` (hash the last event must have), ``expected_count``
    (how many events there must be) and/or ``anchors`` (events that must exist with these
    hashes; later events are allowed).

    Findings, each with the number it concerns and a Chinese message:
    EDITED (content differs from its hash), REORDERED (read out of numbering order),
    FOREIGN (belongs to another case), INVALID (number below 1), INSERTED (a second event
    with a taken number — the one the chain does not run through), MISSING (a gap: events
    deleted), BROKEN_LINK (prev_hash differs from the previous event's hash: an event was
    replaced, rewritten with a recomputed hash, or spliced in), TRUNCATED / EXTRA (fewer /
    more events than expected) and REWRITTEN (an event differs from an anchored hash).
    """
    found = _Findings()
    items = list(enumerate(events))
    case = case_id if case_id is not None else _infer_case_id(events)

    valid = {pos: has_valid_hash(e) for pos, e in items}
    for pos, e in items:
        if not valid[pos]:
            found.add(ProblemKind.EDITED, e.seq, f"第{e.seq}条记录的内容被修改过", e.event_id)

    own: list[tuple[int, CaseEvent]] = []
    for pos, e in items:
        if e.case_id == case:
            own.append((pos, e))
        else:
            found.add(
                ProblemKind.FOREIGN,
                e.seq,
                f"第{e.seq}条记录属于其他案件（案件标识 {e.case_id}），不应出现在本案件的记录中",
                e.event_id,
            )

    def seq_key(item: tuple[int, CaseEvent]) -> int:
        seq = item[1].seq
        return seq if isinstance(seq, int) else 0

    for index in _out_of_place([seq_key(item) for item in own]):
        read = own[index][1]
        found.add(
            ProblemKind.REORDERED,
            read.seq,
            f"第{read.seq}条记录的顺序被调换过（不在应有的位置上）",
            read.event_id,
        )
    in_order = sorted(own, key=seq_key)

    numbered: list[tuple[int, CaseEvent]] = []
    for pos, e in in_order:
        if _is_seq(e.seq):
            numbered.append((pos, e))
        else:
            found.add(ProblemKind.INVALID, e.seq, f"有一条记录的编号无效（{e.seq}）", e.event_id)

    anchors = tuple(anchors)
    kept_elsewhere = {a.hash for a in anchors} | ({expected_head} if expected_head else set())
    genesis = genesis_hash(case) if case is not None else ""
    chain = _choose_chain(numbered, valid, genesis, kept_elsewhere, found)

    previous_seq, previous_hash = 0, genesis
    for pos, e in chain:
        if e.seq > previous_seq + 1:
            if previous_seq == 0:
                where = "第1条记录缺失" if e.seq == 2 else f"第1至{e.seq - 1}条记录缺失"
            else:
                missing = (
                    f"第{previous_seq + 1}条"
                    if e.seq == previous_seq + 2
                    else f"第{previous_seq + 1}至{e.seq - 1}条"
                )
                where = f"第{previous_seq}条之后缺少记录（缺{missing}）"
            found.add(ProblemKind.MISSING, previous_seq + 1, where)
        elif valid[pos] and e.prev_hash != previous_hash:
            if e.seq == 1:
                message = "第1条记录不是本案件记录的开头（起始校验值不符，可能从其他案件移来或被改写）"
            else:
                message = (
                    f"第{e.seq}条记录与第{e.seq - 1}条衔接不上"
                    f"（第{e.seq - 1}条被改写或替换过，或二者之间插入、删除过记录）"
                )
            found.add(ProblemKind.BROKEN_LINK, e.seq, message, e.event_id)
        previous_seq, previous_hash = e.seq, e.hash

    _check_expectations(chain, expected_head, expected_count, anchors, found)
    head = chain[-1][1] if chain else None
    return VerifyReport(
        case_id=case,
        count=len(events),
        head_hash=None if head is None else head.hash,
        problems=found.sorted(),
    )


def _choose_chain(
    numbered: list[tuple[int, CaseEvent]],
    valid: dict[int, bool],
    genesis: str,
    kept_elsewhere: set[str],
    found: _Findings,
) -> list[tuple[int, CaseEvent]]:
    """One event per number, in numbering order; the others are reported as inserted.

    Among events sharing a number the chain keeps, in this order of preference: one whose
    hash is valid, one the next event points to (or whose hash was kept elsewhere), one that
    points to the kept previous event, the one read first.
    """
    groups: dict[int, list[tuple[int, CaseEvent]]] = {}
    for pos, e in numbered:
        groups.setdefault(e.seq, []).append((pos, e))
    chain: list[tuple[int, CaseEvent]] = []
    for seq in sorted(groups):
        group = groups[seq]
        if len(group) > 1:
            pointed_to = {e.prev_hash for _, e in groups.get(seq + 1, [])} | kept_elsewhere
            if chain and chain[-1][1].seq == seq - 1:
                before: str | None = chain[-1][1].hash
            else:
                before = genesis if seq == 1 else None
            ranked = sorted(
                ((valid[pos], e.hash in pointed_to, e.prev_hash == before, -pos), (pos, e))
                for pos, e in group
            )
            group = [item for _, item in reversed(ranked)]
            for _, extra in group[1:]:
                found.add(
                    ProblemKind.INSERTED,
                    seq,
                    f"第{seq}条记录出现了不止一次，其中一条是后来插入的（记录标识 {extra.event_id}）",
                    extra.event_id,
                )
        chain.append(group[0])
    return chain


def _check_expectations(
    chain: list[tuple[int, CaseEvent]],
    expected_head: str | None,
    expected_count: int | None,
    anchors: Iterable[Anchor],
    found: _Findings,
) -> None:
    last_seq = chain[-1][1].seq if chain else 0
    by_seq = {e.seq: e for _, e in chain}

    def truncated(should_have: int) -> None:
        if last_seq == 0:
            message = f"全过程记录为空（应至少有{should_have}条）"
        else:
            message = f"第{last_seq}条之后缺少记录（应至少有{should_have}条，末尾的记录被删除）"
        found.add(ProblemKind.TRUNCATED, last_seq + 1, message)

    if expected_count is not None:
        if last_seq < expected_count:
            truncated(expected_count)
        elif last_seq > expected_count:
            found.add(
                ProblemKind.EXTRA,
                expected_count + 1,
                f"第{expected_count}条之后多出{last_seq - expected_count}条记录（应只有{expected_count}条）",
            )
    if expected_head is not None:
        if not chain:
            truncated(1)
        elif chain[-1][1].hash != expected_head:
            match = next((e for _, e in chain if e.hash == expected_head), None)
            if match is not None:
                found.add(
                    ProblemKind.EXTRA,
                    match.seq + 1,
                    f"第{match.seq}条之后多出{last_seq - match.seq}条记录（存证的最后一条是第{match.seq}条）",
                )
            elif expected_count is None or last_seq >= expected_count:
                found.add(
                    ProblemKind.REWRITTEN,
                    last_seq,
                    f"第{last_seq}条记录与存证的最后一条不一致（该条被改写过，或其后的记录被删除）",
                    chain[-1][1].event_id,
                )
    for anchor in anchors:
        event = by_seq.get(anchor.seq)
        if event is None:
            if anchor.seq > last_seq:
                truncated(anchor.seq)
        elif event.hash != anchor.hash:
            found.add(
                ProblemKind.REWRITTEN,
                anchor.seq,
                f"第{anchor.seq}条记录与存证不一致（记录被改写过并重新计算了校验值）",
                event.event_id,
            )


# ---------------------------------------------------------------- state


def replay(events: Iterable[CaseEvent], initial: Mapping[str, object]) -> dict[str, Any]:
    """The case's fields after applying every change, in numbering order, to ``initial``."""
    state: dict[str, Any] = to_json(dict(initial))
    for event in sorted(events, key=lambda e: e.seq):
        for change in event.changes:
            state[change.field] = change.new
    return state


def _shown(value: object) -> str:
    if value is None:
        return "空"
    if isinstance(value, str):
        return f"“{value}”"
    return canonical_json(value).decode("utf-8")


def check_state(
    events: Iterable[CaseEvent],
    current: Mapping[str, object],
    initial: Mapping[str, object] | None = None,
) -> list[str]:
    """Where the stored case disagrees with its record, in Chinese; empty when they agree.

    Reports each change whose ``old`` is not what the record before it says (a change the
    record does not explain), then each field of ``initial`` or set by the record whose value
    in ``current`` differs (a missing field counts as empty). Values are compared as
    :func:`to_json` data, so a ``date`` in ``current`` equals its ISO string in the record.
    Other fields of ``current`` are not checked.
    """
    problems: list[str] = []
    state: dict[str, Any] = to_json(dict(initial or {}))
    for event in sorted(events, key=lambda e: e.seq):
        for change in event.changes:
            before = state.get(change.field)
            if before != change.old:
                problems.append(
                    f"第{event.seq}条记录显示 {change.field} 原为 {_shown(change.old)}，"
                    f"但之前的记录显示为 {_shown(before)}"
                )
            state[change.field] = change.new
    now = to_json(dict(current))
    for name in sorted(state):
        if now.get(name) != state[name]:
            problems.append(
                f"当前状态与全过程记录不一致：{name} 为 {_shown(now.get(name))}"
                f" 但记录显示 {_shown(state[name])}"
            )
    return problems
