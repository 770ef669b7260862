"""The 全过程记录: canonical JSON, the hash chain, and finding every kind of tampering."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.domain.clock import CHINA_TZ
from workstation.domain.errors import KnownError
from workstation.domain.record import (
    GENESIS_TAG,
    Anchor,
    CaseEvent,
    ConcurrentEdit,
    FieldChange,
    ProblemKind,
    VerifyReport,
    append,
    canonical_json,
    check_state,
    event_hash,
    genesis_hash,
    has_valid_hash,
    hashed_bytes,
    replay,
    to_json,
    verify,
)

CASE = "c-0001"
OTHER_CASE = "c-0002"
T0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=CHINA_TZ)

# ---------------------------------------------------------------- strategies

CHINESE = st.sampled_from(["立案", "占道经营", "榕溪镇人民政府", "罚款５０００元", "林某某", "“引号”", "𠀀"])
texts = st.one_of(CHINESE, st.text(max_size=12))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=6,
)
payloads = st.dictionaries(texts, json_values, max_size=3)
actions = st.sampled_from(["file_case", "add_evidence", "notify", "hearing", "decide", "serve", "close"])
roles = st.sampled_from(["officer", "reviewer", "admin", "system"])
actor_ids = st.one_of(st.none(), st.uuids().map(str))
field_names = st.sampled_from(["stage", "status", "title", "fine", "lead_officer_id", "案由"])


@st.composite
def change_lists(draw: st.DrawFn) -> list[FieldChange]:
    names = draw(st.lists(field_names, unique=True, max_size=3))
    return [FieldChange(name, draw(scalars), draw(scalars | json_values)) for name in names]


@st.composite
def chains(draw: st.DrawFn, case_id: str = CASE, min_size: int = 1, max_size: int = 6) -> list[CaseEvent]:
    size = draw(st.integers(min_value=min_size, max_value=max_size))
    events: list[CaseEvent] = []
    at = T0
    for _ in range(size):
        at += dt.timedelta(seconds=draw(st.integers(min_value=0, max_value=10**6)), microseconds=1)
        events.append(
            append(
                events[-1] if events else None,
                case_id=case_id,
                actor_id=draw(actor_ids),
                actor_role=draw(roles),
                action=draw(actions),
                occurred_at=at.astimezone(draw(st.sampled_from([CHINA_TZ, dt.UTC]))),
                changes=draw(change_lists()),
                payload=draw(payloads),
                event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{case_id}/{len(events)}")),
            )
        )
    return events


#: Each tampering test draws whole chains; fewer examples keep the suite quick.
tampering = settings(max_examples=50)


def _check(events: list[CaseEvent], original: list[CaseEvent], **kwargs: Any) -> VerifyReport:
    """verify() with the head and count kept from the untampered chain."""
    return verify(
        events, case_id=CASE, expected_head=original[-1].hash, expected_count=len(original), **kwargs
    )


def _found(report: VerifyReport) -> set[tuple[ProblemKind, int]]:
    return {(p.kind, p.seq) for p in report.problems}


def _forge(
    head: CaseEvent | None, case_id: str = CASE, seq_note: str = "伪造", event_id: str | None = None
) -> CaseEvent:
    return append(
        head,
        case_id=case_id,
        actor_id=None,
        actor_role="officer",
        action="decide",
        occurred_at=T0,
        changes=[FieldChange("stage", None, "decided")],
        payload={"note": seq_note},
        event_id=event_id,
    )


def _chain(n: int, case_id: str = CASE) -> list[CaseEvent]:
    events: list[CaseEvent] = []
    for i in range(n):
        events.append(
            append(
                events[-1] if events else None,
                case_id=case_id,
                actor_id=f"o{i}",
                actor_role="officer",
                action="add_evidence",
                occurred_at=T0 + dt.timedelta(hours=i),
                changes=[FieldChange("stage", f"s{i}", f"s{i + 1}")],
                payload={"序号": i},
            )
        )
    return events


# ---------------------------------------------------------------- canonical JSON


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_chinese() -> None:
    assert canonical_json({"b": 1, "a": [1, 2], "名称": "占道经营"}) == (
        '{"a":[1,2],"b":1,"名称":"占道经营"}'.encode()
    )


def test_canonical_json_does_not_depend_on_insertion_order() -> None:
    one = {"z": {"y": 1, "x": 2}, "a": None, "中": "文"}
    two = {"中": "文", "a": None, "z": {"x": 2, "y": 1}}
    assert canonical_json(one) == canonical_json(two)


def test_canonical_json_escapes_control_characters_only() -> None:
    assert canonical_json(["a\nb\x00", "é𠀀"]) == '["a\\nb\\u0000","é𠀀"]'.encode()


def test_datetimes_are_one_utc_instant_whatever_the_offset() -> None:
    beijing = dt.datetime(2026, 3, 1, 9, 30, tzinfo=CHINA_TZ)
    utc = beijing.astimezone(dt.UTC)
    assert canonical_json(beijing) == canonical_json(utc) == b'"2026-03-01T01:30:00.000000+00:00"'


def test_decimals_dates_tuples_and_enums_have_one_form() -> None:
    assert (
        canonical_json(
            {
                "fine": Decimal("5000.50"),
                "day": dt.date(2026, 3, 1),
                "pair": (1, 2.5),
                "kind": ProblemKind.EDITED,
            }
        )
        == b'{"day":"2026-03-01","fine":"5000.50","kind":"edited","pair":[1,2.5]}'
    )


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        Decimal("NaN"),
        Decimal("Infinity"),
        {"x": [float("nan")]},
        {1: "int key"},
        {"s": {1, 2}},
        b"bytes",
        dt.datetime(2026, 3, 1, 9, 30),  # naive
        object(),
        "\ud800",  # lone surrogate
    ],
)
def test_values_without_one_json_form_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        canonical_json(value)


@given(json_values)
def test_canonical_json_round_trips_and_is_stable(value: Any) -> None:
    encoded = canonical_json(value)
    decoded = json.loads(encoded)
    assert decoded == to_json(value)
    assert canonical_json(decoded) == encoded
    assert encoded.decode("utf-8")  # always valid UTF-8


@given(st.dictionaries(texts, json_values, max_size=6), st.randoms())
def test_canonical_json_ignores_key_order(value: dict[str, Any], rnd: Any) -> None:
    items = list(value.items())
    rnd.shuffle(items)
    assert canonical_json(dict(items)) == canonical_json(value)


# ---------------------------------------------------------------- hashing and append


def test_genesis_is_bound_to_the_case() -> None:
    expected = hashlib.sha256(f'{{"case_id":"{CASE}","genesis":"{GENESIS_TAG}"}}'.encode()).hexdigest()
    assert genesis_hash(CASE) == expected
    assert genesis_hash(CASE) != genesis_hash(OTHER_CASE)
    assert len(expected) == 64


def test_hash_covers_every_field_but_itself_known_answer() -> None:
    event = append(
        None,
        case_id="c1",
        actor_id="o1",
        actor_role="officer",
        action="file_case",
        occurred_at=dt.datetime(2026, 3, 1, 9, 30, tzinfo=CHINA_TZ),
        changes=[FieldChange("stage", None, "filed")],
        payload={"案由": "占道经营"},
        event_id="e1",
    )
    expected_bytes = (
        '{"action":"file_case","actor_id":"o1","actor_role":"officer","case_id":"c1",'
        '"changes":[{"field":"stage","new":"filed","old":null}],"event_id":"e1",'
        '"occurred_at":"2026-03-01T01:30:00.000000+00:00","payload":{"案由":"占道经营"},'
        f'"prev_hash":"{genesis_hash("c1")}","seq":1}}'
    ).encode()
    assert hashed_bytes(event) == expected_bytes
    assert event.hash == hashlib.sha256(expected_bytes).hexdigest() == event_hash(event)
    assert event.seq == 1 and event.prev_hash == genesis_hash("c1")


def test_append_links_to_the_head() -> None:
    first, second = _chain(2)
    assert second.seq == 2
    assert second.prev_hash == first.hash
    assert has_valid_hash(first) and has_valid_hash(second)


def test_append_normalises_values_to_what_is_hashed() -> None:
    event = append(
        None,
        case_id=CASE,
        actor_id=None,
        actor_role="system",
        action="decide",
        occurred_at=T0,
        changes=[
            FieldChange("fine", None, Decimal("5000.00")),
            FieldChange("due", None, dt.date(2026, 4, 1)),
        ],
        payload={"at": T0, "items": ("a", "b")},
    )
    assert event.changes == (FieldChange("fine", None, "5000.00"), FieldChange("due", None, "2026-04-01"))
    assert event.payload == {"at": "2026-03-01T01:30:00.000000+00:00", "items": ["a", "b"]}
    uuid.UUID(event.event_id)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"case_id": OTHER_CASE}, ValueError),  # head of another case
        ({"occurred_at": dt.datetime(2026, 3, 1)}, ValueError),
        ({"changes": [FieldChange("stage", 1, 2), FieldChange("stage", 2, 3)]}, ValueError),
        ({"action": ""}, ValueError),
        ({"action": "x" * 61}, ValueError),
        ({"actor_role": "r" * 21}, ValueError),
        ({"event_id": "e" * 37}, ValueError),
        ({"payload": {"x": {1, 2}}}, TypeError),
    ],
)
def test_append_refuses_what_cannot_be_recorded(kwargs: dict[str, Any], error: type[Exception]) -> None:
    head = _chain(1)[0]
    args: dict[str, Any] = {
        "case_id": CASE,
        "actor_id": "o1",
        "actor_role": "officer",
        "action": "notify",
        "occurred_at": T0,
        **kwargs,
    }
    with pytest.raises(error):
        append(head, **args)


def test_concurrent_edit_is_a_known_error_in_chinese() -> None:
    exc = ConcurrentEdit(CASE)
    assert isinstance(exc, KnownError)
    assert exc.message == "该案件刚被其他操作修改，请刷新后重试"
    assert exc.code == "concurrent_edit"
    assert exc.case_id == CASE


# ---------------------------------------------------------------- verify: examples


def test_an_intact_record_verifies() -> None:
    events = _chain(5)
    report = _check(events, events)
    assert report.ok
    assert report.problems == ()
    assert report.head_hash == events[-1].hash
    assert report.summary() == "全过程记录完整：共5条，未发现篡改。"


def test_an_empty_record_is_ok_unless_events_were_expected() -> None:
    assert verify([]).ok
    report = verify([], case_id=CASE, expected_count=2)
    assert _found(report) == {(ProblemKind.TRUNCATED, 1)}
    assert report.messages == ["全过程记录为空（应至少有2条）"]


def test_messages_name_the_record_in_chinese() -> None:
    events = _chain(6)
    report = verify([*events[:3], *events[4:]], case_id=CASE)
    assert report.messages == ["第3条之后缺少记录（缺第4条）"]
    edited = dataclasses.replace(events[4], payload={"序号": 99})
    report = verify([*events[:4], edited, events[5]], case_id=CASE)
    assert report.messages == ["第5条记录的内容被修改过"]
    assert not report.ok
    assert report.summary() == "全过程记录发现1处问题：第5条记录的内容被修改过。"


def test_a_gap_of_several_events_is_one_finding() -> None:
    events = _chain(7)
    report = verify([*events[:2], *events[5:]], case_id=CASE)
    assert report.messages == ["第2条之后缺少记录（缺第3至5条）"]
    report = verify(events[2:], case_id=CASE)
    assert report.messages == ["第1至2条记录缺失"]


def test_a_chain_rebuilt_under_another_case_id_breaks_at_its_first_event() -> None:
    # An attacker copies case B's first event into case A and recomputes its hash, but keeps
    # B's genesis as prev_hash: the case-bound genesis shows it.
    stolen = _forge(None, case_id=OTHER_CASE)
    moved = dataclasses.replace(stolen, case_id=CASE)
    moved = dataclasses.replace(moved, hash=event_hash(moved))
    report = verify([moved], case_id=CASE)
    assert _found(report) == {(ProblemKind.BROKEN_LINK, 1)}
    assert report.messages[0].startswith("第1条记录不是本案件记录的开头")


def test_the_case_is_inferred_from_the_majority() -> None:
    events = _chain(3)
    stranger = _forge(None, case_id=OTHER_CASE)
    report = verify([stranger, *events])
    assert report.case_id == CASE
    assert _found(report) == {(ProblemKind.FOREIGN, 1)}


def test_anchors_allow_later_events_but_catch_rewrites_and_truncation() -> None:
    events = _chain(5)
    anchored = [Anchor(3, events[2].hash)]
    assert verify(events, case_id=CASE, anchors=anchored).ok
    # Rewritten consistently from event 2 onwards: every hash is valid, only the anchor shows it.
    rewritten = events[:1]
    for _ in range(4):
        rewritten.append(_forge(rewritten[-1]))
    report = verify(rewritten, case_id=CASE, anchors=anchored)
    assert _found(report) == {(ProblemKind.REWRITTEN, 3)}
    report = verify(events[:2], case_id=CASE, anchors=anchored)
    assert _found(report) == {(ProblemKind.TRUNCATED, 3)}


def test_events_after_the_expected_head_are_extra() -> None:
    events = _chain(4)
    report = verify(events, case_id=CASE, expected_head=events[1].hash)
    assert _found(report) == {(ProblemKind.EXTRA, 3)}
    assert report.messages == ["第2条之后多出2条记录（存证的最后一条是第2条）"]


def test_an_unhashable_edit_is_reported_not_raised() -> None:
    events = _chain(2)
    broken = dataclasses.replace(events[1], payload={"x": {1, 2}})
    assert _found(verify([events[0], broken], case_id=CASE)) == {(ProblemKind.EDITED, 2)}


@pytest.mark.parametrize(
    ("order", "reported"),
    [
        ([1, 2, 3, 4, 5], []),
        ([2, 1, 3, 4, 5], [1, 2]),
        ([1, 2, 4, 5, 3], [3]),  # one event written late
        ([3, 1, 2, 4, 5], [3]),
        ([1, 5, 3, 4, 2], [2, 5]),
        ([1, 4, 3, 2, 5], [2, 3, 4]),
        ([5, 4, 3, 2, 1], [1, 2, 3, 4, 5]),
    ],
)
def test_only_events_out_of_place_are_reported_as_reordered(order: list[int], reported: list[int]) -> None:
    events = _chain(5)
    report = verify([events[seq - 1] for seq in order], case_id=CASE)
    assert _found(report) == {(ProblemKind.REORDERED, seq) for seq in reported}


def test_a_number_below_one_is_invalid() -> None:
    events = _chain(2)
    report = verify([dataclasses.replace(events[0], seq=0), events[1]], case_id=CASE)
    assert (ProblemKind.INVALID, 0) in _found(report)
    assert (ProblemKind.EDITED, 0) in _found(report)


# ---------------------------------------------------------------- verify: random tampering


@given(chains())
def test_random_chains_verify(events: list[CaseEvent]) -> None:
    assert _check(events, events).ok
    assert verify(events).ok
    assert all(has_valid_hash(e) for e in events)


EDITABLE = [
    "event_id",
    "case_id",
    "seq",
    "occurred_at",
    "actor_id",
    "actor_role",
    "action",
    "changes",
    "payload",
    "prev_hash",
    "hash",
]


def _edited_value(event: CaseEvent, name: str) -> Any:
    value = getattr(event, name)
    if name == "seq":
        return value + 100
    if name == "occurred_at":
        return value + dt.timedelta(microseconds=1)
    if name == "changes":
        return (*value, FieldChange("罚款", None, 200))
    if name == "payload":
        return {**value, "篡改": True}
    if name in ("prev_hash", "hash"):
        return "f" * 64 if value != "f" * 64 else "e" * 64
    if name == "actor_id":
        return "someone-else" if value != "someone-else" else None
    return f"{value}_x"


@tampering
@given(chains(), st.data())
def test_an_edit_without_a_new_hash_is_caught(events: list[CaseEvent], data: st.DataObject) -> None:
    k = data.draw(st.integers(min_value=0, max_value=len(events) - 1))
    name = data.draw(st.sampled_from(EDITABLE))
    tampered_event = dataclasses.replace(events[k], **{name: _edited_value(events[k], name)})
    tampered = [*events[:k], tampered_event, *events[k + 1 :]]
    report = _check(tampered, events)
    assert not report.ok
    assert (ProblemKind.EDITED, tampered_event.seq) in _found(report)


CONTENT = ["occurred_at", "actor_id", "actor_role", "action", "changes", "payload", "event_id"]


@tampering
@given(chains(), st.data())
def test_an_edit_with_a_recomputed_hash_is_caught_by_the_link_or_the_head(
    events: list[CaseEvent], data: st.DataObject
) -> None:
    k = data.draw(st.integers(min_value=0, max_value=len(events) - 1))
    name = data.draw(st.sampled_from(CONTENT))
    edited = dataclasses.replace(events[k], **{name: _edited_value(events[k], name)})
    resealed = dataclasses.replace(edited, hash=event_hash(edited))
    tampered = [*events[:k], resealed, *events[k + 1 :]]
    assert verify(tampered[: k + 1], case_id=CASE).ok  # undetectable from the chain up to it
    report = _check(tampered, events)
    if k < len(events) - 1:
        assert _found(report) == {(ProblemKind.BROKEN_LINK, k + 2)}
    else:
        assert _found(report) == {(ProblemKind.REWRITTEN, k + 1)}


@tampering
@given(chains(), st.data())
def test_a_rewritten_prev_hash_breaks_the_link_at_that_event(
    events: list[CaseEvent], data: st.DataObject
) -> None:
    k = data.draw(st.integers(min_value=0, max_value=len(events) - 1))
    edited = dataclasses.replace(events[k], prev_hash="0" * 64)
    resealed = dataclasses.replace(edited, hash=event_hash(edited))
    report = _check([*events[:k], resealed, *events[k + 1 :]], events)
    assert (ProblemKind.BROKEN_LINK, k + 1) in _found(report)


@tampering
@given(chains(), st.data())
def test_a_deleted_event_is_caught(events: list[CaseEvent], data: st.DataObject) -> None:
    k = data.draw(st.integers(min_value=0, max_value=len(events) - 1))
    report = _check([*events[:k], *events[k + 1 :]], events)
    if k < len(events) - 1:
        assert _found(report) == {(ProblemKind.MISSING, k + 1)}
    else:
        assert _found(report) == {(ProblemKind.TRUNCATED, k + 1)}


@tampering
@given(chains(min_size=2), st.data())
def test_swapped_events_are_caught(events: list[CaseEvent], data: st.DataObject) -> None:
    i, j = data.draw(
        st.lists(st.integers(min_value=0, max_value=len(events) - 1), min_size=2, max_size=2, unique=True)
    )
    swapped = list(events)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    report = _check(swapped, events)
    found = _found(report)
    assert {(ProblemKind.REORDERED, i + 1), (ProblemKind.REORDERED, j + 1)} <= found
    assert {kind for kind, _ in found} == {ProblemKind.REORDERED}
    if abs(i - j) != 2:  # with one event between, either could have moved: all three are named
        assert len(found) == 2
    assert report.head_hash == events[-1].hash


@tampering
@given(chains(), st.data())
def test_an_inserted_event_with_a_valid_hash_is_caught(events: list[CaseEvent], data: st.DataObject) -> None:
    k = data.draw(st.integers(min_value=1, max_value=len(events) + 1))  # the forged seq
    forged = _forge(events[k - 2] if k > 1 else None, seq_note=data.draw(texts))
    assert has_valid_hash(forged) and forged.seq == k
    where = data.draw(st.sampled_from([k - 1, k]))  # just before or just after the genuine one
    tampered = [*events[:where], forged, *events[where:]]
    report = _check(tampered, events)
    if k <= len(events):
        assert _found(report) == {(ProblemKind.INSERTED, k)}
        assert report.head_hash == events[-1].hash
    else:
        assert _found(report) == {(ProblemKind.EXTRA, k)}


@tampering
@given(chains(), chains(case_id=OTHER_CASE), st.data())
def test_an_event_of_another_case_is_caught(
    events: list[CaseEvent], others: list[CaseEvent], data: st.DataObject
) -> None:
    stranger = data.draw(st.sampled_from(others))
    position = data.draw(st.integers(min_value=0, max_value=len(events)))
    report = _check([*events[:position], stranger, *events[position:]], events)
    assert _found(report) == {(ProblemKind.FOREIGN, stranger.seq)}


@tampering
@given(chains(), st.data())
def test_an_event_moved_in_place_of_one_of_ours_is_caught(
    events: list[CaseEvent], data: st.DataObject
) -> None:
    k = data.draw(st.integers(min_value=0, max_value=len(events) - 1))
    stranger = _chain(k + 1, case_id=OTHER_CASE)[k]
    report = _check([*events[:k], stranger, *events[k + 1 :]], events)
    if k < len(events) - 1:
        assert _found(report) == {(ProblemKind.FOREIGN, k + 1), (ProblemKind.MISSING, k + 1)}
    else:
        assert _found(report) == {(ProblemKind.FOREIGN, k + 1), (ProblemKind.TRUNCATED, k + 1)}


# ---------------------------------------------------------------- replay and state


def _stage_events() -> list[CaseEvent]:
    first = append(
        None,
        case_id=CASE,
        actor_id="o1",
        actor_role="officer",
        action="file_case",
        occurred_at=T0,
        changes=[FieldChange("stage", None, "filed"), FieldChange("title", None, "占道经营")],
    )
    second = append(
        first,
        case_id=CASE,
        actor_id="o1",
        actor_role="officer",
        action="notify",
        occurred_at=T0 + dt.timedelta(days=3),
        changes=[FieldChange("stage", "filed", "notified"), FieldChange("fine", None, Decimal("500"))],
    )
    return [first, second]


def test_replay_folds_changes_in_order() -> None:
    events = _stage_events()
    assert replay(events, {"kind": "ordinary"}) == {
        "kind": "ordinary",
        "stage": "notified",
        "title": "占道经营",
        "fine": "500",
    }
    assert replay(reversed(events), {}) == replay(events, {})
    assert replay([], {"stage": "draft"}) == {"stage": "draft"}


def test_check_state_agrees_with_a_faithful_case() -> None:
    current = {"stage": "notified", "title": "占道经营", "fine": Decimal("500"), "untracked": 1}
    assert check_state(_stage_events(), current) == []


def test_check_state_reports_a_stage_changed_behind_the_records_back() -> None:
    current = {"stage": "decided", "title": "占道经营", "fine": "500"}
    assert check_state(_stage_events(), current) == [
        "当前状态与全过程记录不一致：stage 为 “decided” 但记录显示 “notified”"
    ]
    assert check_state(_stage_events(), {"stage": "notified", "title": "占道经营"}) == [
        "当前状态与全过程记录不一致：fine 为 空 但记录显示 “500”"
    ]


def test_check_state_reports_a_change_the_record_does_not_explain() -> None:
    first, second = _stage_events()
    assert check_state([second], {"stage": "notified", "fine": "500"}) == [
        "第2条记录显示 stage 原为 “filed”，但之前的记录显示为 空"
    ]
    assert check_state([second], {"stage": "notified", "fine": "500"}, initial={"stage": "filed"}) == []
    assert check_state([first, second], {"stage": "notified", "title": "占道经营", "fine": "500"}) == []


@given(chains())
def test_replay_matches_the_last_change_of_each_field(events: list[CaseEvent]) -> None:
    state = replay(events, {})
    for name, value in state.items():
        last = [c.new for e in events for c in e.changes if c.field == name][-1]
        assert value == last
    assert not [m for m in check_state(events, state) if m.startswith("当前状态")]
