"""to_json's fast path for plain JSON gives exactly what the general normalisation gave.

The hash chain depends on canonical_json, so the reference below is the general normalisation
kept as it was; every value must give the same result (same values, same types, same bytes) or
the same TypeError.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections import OrderedDict
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.domain.record import canonical_json, to_json


def reference(value: object) -> Any:
    """The general normalisation (the module doc's rules, one isinstance test after another)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"not a finite number: {value!r}")
        return float(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise TypeError(f"string is not valid Unicode: {value!r}") from exc
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
            out[reference(key)] = reference(item)
        return out
    if isinstance(value, list | tuple):
        return [reference(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not JSON-compatible: {value!r}")


class Colour(str, enum.Enum):  # noqa: UP042  (str() is "Colour.RED", not its value)
    RED = "红"


class Level(enum.IntEnum):
    HIGH = 3


class Text(str):
    pass


def typed(value: Any) -> Any:
    """``value`` with the type of every node, so 1, 1.0 and True compare different."""
    if isinstance(value, dict):
        return ("dict", sorted((typed(k), typed(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def outcome(function: Any, value: object) -> tuple[str, Any]:
    try:
        return "ok", typed(function(value))
    except TypeError as exc:
        return "error", str(exc)


def assert_same(value: object) -> None:
    assert outcome(to_json, value) == outcome(reference, value)
    try:
        expected = reference(value)
    except TypeError:
        return
    import json

    text = json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    assert canonical_json(value) == text.encode("utf-8")


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),  # lone surrogates included: both must refuse them alike
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    st.sampled_from([Colour.RED, Level.HIGH, Text("案件"), b"bytes", frozenset({1})]),
)
keys = st.one_of(st.text(max_size=8), st.sampled_from([Colour.RED, Text("k"), 1, None]))
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=5).map(tuple),
        st.dictionaries(keys, children, max_size=5),
        st.dictionaries(st.text(max_size=8), children, max_size=5).map(OrderedDict),
        st.dictionaries(st.text(max_size=8), children, max_size=5).map(MappingProxyType),
    ),
    max_leaves=30,
)


@settings(max_examples=600, deadline=None)
@given(values)
def test_fast_path_matches_the_general_normalisation(value: object) -> None:
    assert_same(value)


@pytest.mark.parametrize(
    "value",
    [
        {"title": "违法建设案", "data": {"fine": 5000, "rate": 1.5, "ok": True, "none": None}},
        {"list": [1, 1.0, True, "1", [], {}], "tuple": (1, (2, 3))},
        {"bad\ud800": 1},
        {"text": "a\ud800b"},
        {1: "int key"},
        {Colour.RED: Level.HIGH, Text("k"): Text("v")},
        [float("nan")],
        {"when": dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))},
        {"naive": dt.datetime(2026, 3, 1, 9, 30)},
        {"money": Decimal("1.50"), "day": dt.date(2026, 11, 26)},
        {"控制\u0001字符": "换行\n"},
        {"set": {1, 2}},
    ],
)
def test_known_values(value: object) -> None:
    assert_same(value)
