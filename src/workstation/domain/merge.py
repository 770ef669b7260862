"""Three-way merge of a case document: this machine's version, the server's, and their base.

A case document is a JSON object (the ``fields`` the central server stores, docs/SYNC.md).
:func:`merge` combines ``local`` and ``remote`` against ``base`` (what both last agreed on):

- a field changed on one side only takes that side's value; changed on both sides to the same
  value, that value;
- a field changed on both sides to different values is a :class:`FieldConflict` put to a
  person: the merged document keeps the server's value (so the server is never silently
  overwritten) and the conflict keeps this machine's (so it is never silently lost);
- ``data`` (the workflow fields of a case) is merged key by key, so two officers filling in
  different fields of the same case never conflict;
- append-only parts (:data:`APPEND_ONLY`: evidence, notes, the snapshots of parties and
  officers) are unions by id: nothing either side added is dropped; an item changed
  differently on both sides is a conflict like any field;
- server-owned fields (:data:`SERVER_OWNED`: the 案号 once recorded, the review status and the
  lock after review) always come from the server.

Field paths name what conflicted: ``title``, ``data.fine``, ``evidence.<id>``. Values are
plain JSON data; an absent field is :data:`MISSING`. Pure Python, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

#: Fields only the server sets; the merged document always has the server's.
SERVER_OWNED: Final = ("case_number", "review_status", "locked")
#: Parts merged as unions by id (a mapping id → item, or a list of objects with an ``id``).
APPEND_ONLY: Final = frozenset({"evidence", "notes", "parties", "officers"})
#: Objects merged key by key (each key a field of its own).
NESTED: Final = frozenset({"data"})


class _Missing:
    """An absent field (distinct from JSON null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """One field changed differently on both sides (values are JSON data or MISSING)."""

    field: str
    base: Any
    local: Any
    remote: Any


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The merged document and what a person still has to decide."""

    document: dict[str, Any]
    conflicts: tuple[FieldConflict, ...]

    @property
    def clean(self) -> bool:
        return not self.conflicts


def same(a: Any, b: Any) -> bool:
    """JSON equality: ``1``, ``1.0`` and ``true`` are different values; MISSING equals only itself."""
    if a is MISSING or b is MISSING:
        return a is b
    return _canon(a) == _canon(b)


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _three_way(path: str, base: Any, local: Any, remote: Any, out: list[FieldConflict]) -> Any:
    if same(local, remote):
        return local
    if same(local, base):
        return remote
    if same(remote, base):
        return local
    out.append(FieldConflict(path, base, local, remote))
    return remote


def _get(doc: Mapping[str, Any] | None, key: str) -> Any:
    if doc is None:
        return MISSING
    return doc.get(key, MISSING) if isinstance(doc, Mapping) else MISSING


def _by_id(value: Any) -> tuple[dict[str, Any], bool]:
    """An append-only part as ``{id: item}``, and whether it was a list."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}, False
    if isinstance(value, list):
        out: dict[str, Any] = {}
        for i, item in enumerate(value):
            key = str(item.get("id")) if isinstance(item, Mapping) and "id" in item else f"#{i}"
            out[key] = item
        return out, True
    return {}, False


def _union(path: str, base: Any, local: Any, remote: Any, out: list[FieldConflict]) -> Any:
    if local is MISSING and remote is MISSING:
        return MISSING
    b, _ = _by_id(base)
    loc, local_list = _by_id(local)
    rem, remote_list = _by_id(remote)
    merged: dict[str, Any] = {}
    for key in [*rem, *(k for k in loc if k not in rem)]:
        item_local, item_remote = loc.get(key, MISSING), rem.get(key, MISSING)
        if item_local is MISSING:
            merged[key] = item_remote
        elif item_remote is MISSING:
            merged[key] = item_local
        else:
            merged[key] = _three_way(f"{path}.{key}", b.get(key, MISSING), item_local, item_remote, out)
    as_list = remote_list if remote is not MISSING else local_list
    return list(merged.values()) if as_list else merged


def _nested(path: str, base: Any, local: Any, remote: Any, out: list[FieldConflict]) -> Any:
    def as_map(value: Any) -> Mapping[str, Any] | None:
        return value if isinstance(value, Mapping) else None

    b, loc, rem = as_map(base), as_map(local), as_map(remote)
    if loc is None or rem is None:  # not objects on both sides: one field like any other
        return _three_way(path, base, local, remote, out)
    merged: dict[str, Any] = {}
    for key in sorted({*loc, *rem}):
        value = _three_way(f"{path}.{key}", _get(b, key), _get(loc, key), _get(rem, key), out)
        if value is not MISSING:
            merged[key] = value
    return merged


def merge(base: Mapping[str, Any] | None, local: Mapping[str, Any], remote: Mapping[str, Any]) -> MergeResult:
    """Merge ``local`` and ``remote`` against ``base`` (None: no common base, e.g. both created)."""
    conflicts: list[FieldConflict] = []
    merged: dict[str, Any] = {}
    keys = sorted({*local, *remote} - set(SERVER_OWNED))
    for key in keys:
        b, loc, rem = _get(base, key), _get(local, key), _get(remote, key)
        if key in APPEND_ONLY:
            value = _union(key, b, loc, rem, conflicts)
        elif key in NESTED:
            value = _nested(key, b, loc, rem, conflicts)
        else:
            value = _three_way(key, b, loc, rem, conflicts)
        if value is not MISSING:
            merged[key] = value
    for key in SERVER_OWNED:
        if key in remote:
            merged[key] = remote[key]
    return MergeResult(merged, tuple(conflicts))


def get_path(document: Mapping[str, Any], path: str) -> Any:
    """The value at a conflict's field path (``data.fine``, ``evidence.<id>``), or MISSING."""
    head, _, rest = path.partition(".")
    value = document.get(head, MISSING)
    if not rest or value is MISSING:
        return value
    if head in APPEND_ONLY:
        return _by_id(value)[0].get(rest, MISSING)
    return value.get(rest, MISSING) if isinstance(value, Mapping) else MISSING


def set_path(document: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``document`` with ``path`` set to ``value`` (MISSING removes it)."""
    out = dict(document)
    head, _, rest = path.partition(".")
    if not rest:
        if value is MISSING:
            out.pop(head, None)
        else:
            out[head] = value
        return out
    if head in APPEND_ONLY:
        items, as_list = _by_id(out.get(head))
        if value is MISSING:
            items.pop(rest, None)
        else:
            items[rest] = value
        out[head] = list(items.values()) if as_list else items
        return out
    inner = dict(out.get(head) or {}) if isinstance(out.get(head), Mapping) else {}
    if value is MISSING:
        inner.pop(rest, None)
    else:
        inner[rest] = value
    out[head] = inner
    return out
