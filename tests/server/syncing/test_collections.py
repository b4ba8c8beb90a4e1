"""A push builds a put's nested record without unflatten's path checks when every path is the
collection's own: that shortcut must give unflatten's object, and leave its errors to it; an
enum's wire value is read without pydantic, as pydantic would give it."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import to_jsonable_python

import server.aftercare.enums
import server.photos.enums
import server.reports.enums
import server.visits.enums
from server.syncing.collections import COLLECTIONS, attribute_at, path_parts, wire_value
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


def _enum_members() -> list[Enum]:
    modules = (
        server.visits.enums,
        server.reports.enums,
        server.photos.enums,
        server.aftercare.enums,
    )
    kinds = {
        k for m in modules for k in vars(m).values() if isinstance(k, type) and issubclass(k, Enum)
    }
    return [member for kind in sorted(kinds, key=lambda k: k.__name__) for member in kind]


def test_wire_value_of_enum_matches_pydantic() -> None:
    members = _enum_members()
    assert len(members) > 20
    for member in members:
        assert wire_value(member) == to_jsonable_python(member)
        assert type(wire_value(member)) is type(to_jsonable_python(member))
