"""The digest's fast path (``json.dumps`` for plain values) writes exactly what the canonical
writer does: on every value in the shared vectors and on generated JSON values."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.canonical import CanonicalError, _plain, _written, canonical_digest, canonical_json
from sync.mutations import _digest_view, mutation_digest

VECTOR_DIR = Path(__file__).resolve().parents[2] / "sync" / "vectors"


def _values(node: Any) -> list[Any]:
    """Every JSON value inside a vector file, the whole file included."""
    found = [node]
    if isinstance(node, dict):
        for item in node.values():
            found += _values(item)
    elif isinstance(node, list):
        for item in node:
            found += _values(item)
    return found


def _same(value: Any) -> None:
    try:
        expected = _written(value)
    except CanonicalError:
        with pytest.raises(CanonicalError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected
    assert canonical_digest(value) == hashlib.sha256(expected.encode()).hexdigest()


@pytest.mark.parametrize("path", sorted(VECTOR_DIR.glob("*.json")), ids=lambda p: p.name)
def test_fast_path_equals_the_writer_on_every_vector_value(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for value in _values(data):
        _same(value)
    for case in data["cases"]:
        if case["function"] == "mutation_digest":
            raw = case["input"]["mutation"]
            view = _digest_view(raw)
            assert mutation_digest(raw) == hashlib.sha256(_written(view).encode()).hexdigest()


def test_plain_values_take_the_fast_path_and_others_do_not() -> None:
    assert _plain({"fields": {"victim.name": "Zoë", "n": 650, "ok": True, "l": [None]}})
    for other in (1.5, 650.0, 2**53, {"é": 1}, {1: 2}, {"\U0001f600": 1}, object()):
        assert not _plain(other)


keys = st.one_of(st.text(max_size=6), st.sampled_from(["a", "B", "\U0001f600", "\ue000", "é"]))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.sampled_from(['\x00\x1f"\\', "\ud800", "\u2028", "é\U0001f600"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_fast_path_equals_the_writer_on_generated_values(value: Any) -> None:
    _same(value)


def test_too_deep_is_refused_either_way() -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    _same(deep)
    edge: Any = []
    for _ in range(32):
        edge = [edge]
    _same(edge)
