"""A push builds a put's nested record without unflatten's path checks when every path is the
collection's own: that shortcut must give unflatten's object, and leave its errors to it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.syncing.collections import COLLECTIONS, attribute_at, path_parts
from server.syncing.state import _nested
from server.visits.schemas import VisitRecord, leaf_value
from sync import SyncError, unflatten, validate_path
from sync.paths import find_prefix_collision

VISITS = COLLECTIONS["visits"]


@pytest.mark.parametrize("name", sorted(COLLECTIONS))
def test_paths_of_collection_are_valid_and_prefix_free(name: str) -> None:
    paths = COLLECTIONS[name].paths
    for path in paths:
        assert validate_path(path) == path
        assert path_parts(path) == tuple(path.split("."))
    assert find_prefix_collision(paths) is None
    assert COLLECTIONS[name].path_set == frozenset(paths)


@settings(deadline=None)  # a shared machine: time is not what is tested
@given(
    st.dictionaries(
        st.sampled_from(VISITS.paths), st.one_of(st.none(), st.integers(), st.text()), max_size=20
    )
)
def test_nested_matches_unflatten_for_collection_paths(fields: dict[str, Any]) -> None:
    nested = _nested(VISITS, fields)
    assert nested == unflatten(fields)
    assert list(nested) == list(unflatten(fields))  # the same key order too


@pytest.mark.parametrize(
    "fields",
    [
        {"victim": "x", "victim.name": "y"},  # a value and a parent at once
        {"victim.name": "y", "victim": "x"},
        {"address.bad-segment!": 1},
    ],
)
def test_nested_leaves_errors_to_unflatten_for_foreign_paths(fields: dict[str, Any]) -> None:
    with pytest.raises(SyncError) as expected:
        unflatten(fields)
    with pytest.raises(SyncError) as got:
        _nested(VISITS, fields)
    assert got.value.to_json() == expected.value.to_json()


def test_attribute_at_reads_dotted_path_of_model() -> None:
    record = VisitRecord.model_validate({"address": {"postcode": "sw1a1aa"}})
    assert attribute_at(record, "address.postcode") == "SW1A 1AA"
    for path in VISITS.paths:
        assert attribute_at(record, path) == leaf_value(record, path)
