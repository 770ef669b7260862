"""The three-way merge of case documents (domain/merge.py): examples and Hypothesis properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.domain.merge import (
    APPEND_ONLY,
    MISSING,
    SERVER_OWNED,
    get_path,
    merge,
    same,
    set_path,
)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["甲", "乙", "丙", ""]))
values = st.one_of(scalars, st.lists(scalars, max_size=2))
FIELDS = ["title", "stage", "closed_on", "party_ids"]
DATA_KEYS = ["fine", "facts", "outcome"]
IDS = ["e1", "e2", "e3"]


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for name in FIELDS:
        if draw(st.booleans()):
            doc[name] = draw(values)
    doc["data"] = {k: draw(values) for k in DATA_KEYS if draw(st.booleans())}
    doc["evidence"] = {
        i: {"id": i, "title": draw(st.sampled_from(["照片", "笔录"]))} for i in IDS if draw(st.booleans())
    }
    for name in SERVER_OWNED:
        if draw(st.booleans()):
            doc[name] = draw(scalars)
    return doc


def _leaves(doc: dict[str, Any]) -> set[str]:
    """Every mergeable field path of a document."""
    out = {k for k in doc if k not in ("data", "evidence") and k not in SERVER_OWNED}
    out |= {f"data.{k}" for k in doc.get("data", {})}
    out |= {f"evidence.{k}" for k in doc.get("evidence", {})}
    return out


# ---------------------------------------------------------------- examples


def test_different_fields_merge_silently() -> None:
    base = {"title": "占道经营", "data": {"fine": 100, "facts": "甲"}}
    local = {"title": "占道经营", "data": {"fine": 200, "facts": "甲"}}
    remote = {"title": "占道经营（更正）", "data": {"fine": 100, "facts": "乙"}}
    result = merge(base, local, remote)
    assert result.clean
    assert result.document == {"title": "占道经营（更正）", "data": {"facts": "乙", "fine": 200}}


def test_the_same_field_changed_differently_is_put_to_a_person() -> None:
    base = {"data": {"fine": 100}}
    result = merge(base, {"data": {"fine": 200}}, {"data": {"fine": 300}})
    assert [(c.field, c.base, c.local, c.remote) for c in result.conflicts] == [("data.fine", 100, 200, 300)]
    assert result.document["data"]["fine"] == 300  # the server keeps its value until decided


def test_append_only_parts_are_unions_and_server_owned_fields_come_from_the_server() -> None:
    base = {"evidence": [{"id": "a"}], "case_number": None}
    local = {"evidence": [{"id": "a"}, {"id": "b"}], "case_number": "本地号", "locked": False}
    remote = {"evidence": [{"id": "a"}, {"id": "c"}], "case_number": "某综执罚〔2026〕1号", "locked": True}
    result = merge(base, local, remote)
    assert result.clean
    assert [e["id"] for e in result.document["evidence"]] == ["a", "c", "b"]
    assert result.document["case_number"] == "某综执罚〔2026〕1号"
    assert result.document["locked"] is True


def test_a_deleted_key_on_one_side_and_an_untouched_other_side_stays_deleted() -> None:
    result = merge({"data": {"x": 1}}, {"data": {}}, {"data": {"x": 1}})
    assert result.clean and result.document["data"] == {}


def test_json_equality_tells_one_from_true() -> None:
    assert not same(1, True) and not same(1, 1.0) and same({"a": [1]}, {"a": [1]})
    result = merge({"x": 1}, {"x": True}, {"x": 1.0})
    assert [c.field for c in result.conflicts] == ["x"]


def test_paths_read_and_write_nested_and_append_only_parts() -> None:
    doc = {"data": {"fine": 1}, "evidence": [{"id": "a", "t": 1}], "title": "x"}
    assert get_path(doc, "data.fine") == 1 and get_path(doc, "evidence.a") == {"id": "a", "t": 1}
    assert get_path(doc, "data.none") is MISSING
    changed = set_path(set_path(doc, "data.fine", 2), "evidence.a", {"id": "a", "t": 2})
    assert changed["data"] == {"fine": 2} and changed["evidence"] == [{"id": "a", "t": 2}]
    assert set_path(changed, "title", MISSING).get("title", MISSING) is MISSING
    assert doc["data"] == {"fine": 1}  # the original is untouched


# ---------------------------------------------------------------- properties


@settings(max_examples=120, deadline=None)
@given(documents(), documents())
def test_identical_sides_merge_to_themselves(base: dict[str, Any], side: dict[str, Any]) -> None:
    result = merge(base, side, side)
    assert result.clean
    assert same(result.document, side)


def _without_union(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "evidence"}


@settings(max_examples=120, deadline=None)
@given(documents(), documents())
def test_one_side_unchanged_takes_the_other(base: dict[str, Any], changed: dict[str, Any]) -> None:
    union = {**base.get("evidence", {}), **changed.get("evidence", {})}  # items are never dropped
    remote_changed = merge(base, base, changed)
    assert remote_changed.clean
    assert same(_without_union(remote_changed.document), _without_union(changed))
    assert same(remote_changed.document["evidence"], union)
    local_changed = merge(base, changed, base)
    assert local_changed.clean
    expected = {k: v for k, v in _without_union(changed).items() if k not in SERVER_OWNED}
    expected |= {k: base[k] for k in SERVER_OWNED if k in base}
    assert same(_without_union(local_changed.document), expected)
    assert same(local_changed.document["evidence"], union)


@settings(max_examples=120, deadline=None)
@given(documents(), documents(), documents())
def test_conflicts_are_symmetric(base: dict[str, Any], a: dict[str, Any], b: dict[str, Any]) -> None:
    one, two = merge(base, a, b), merge(base, b, a)
    assert {c.field for c in one.conflicts} == {c.field for c in two.conflicts}
    for left, right in zip(
        sorted(one.conflicts, key=lambda c: c.field),
        sorted(two.conflicts, key=lambda c: c.field),
        strict=True,
    ):
        assert same(left.local, right.remote) and same(left.remote, right.local)


@settings(max_examples=200, deadline=None)
@given(documents(), documents(), documents())
def test_no_change_is_silently_lost(
    base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any]
) -> None:
    """Every field each side changed is in the merged document or in a conflict."""
    result = merge(base, local, remote)
    conflicted = {c.field for c in result.conflicts}
    for side in (local, remote):
        for path in _leaves(side) | _leaves(base):
            mine, was = get_path(side, path), get_path(base, path)
            if same(mine, was):
                continue
            if path.startswith("evidence.") and mine is MISSING:
                continue  # an append-only part never loses an item, so dropping one is no change
            assert path in conflicted or same(get_path(result.document, path), mine), path


@settings(max_examples=120, deadline=None)
@given(documents(), documents(), documents())
def test_server_owned_fields_come_from_the_server(
    base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any]
) -> None:
    result = merge(base, local, remote)
    for key in SERVER_OWNED:
        assert same(result.document.get(key, MISSING), remote.get(key, MISSING))
    assert not any(c.field in SERVER_OWNED for c in result.conflicts)


@settings(max_examples=120, deadline=None)
@given(documents(), documents(), documents())
def test_unions_keep_every_item_either_side_has(
    base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any]
) -> None:
    merged = merge(base, local, remote).document
    for part in APPEND_ONLY & {"evidence"}:
        have = set(merged.get(part, {}))
        assert set(local.get(part, {})) | set(remote.get(part, {})) <= have


@settings(max_examples=100, deadline=None)
@given(documents(), documents(), documents())
def test_merging_again_with_the_result_changes_nothing(
    base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any]
) -> None:
    """Once the merged document is on the server it is the new base: re-merging is stable."""
    merged = merge(base, local, remote).document
    again = merge(merged, merged, merged)
    assert again.clean and same(again.document, merged)
