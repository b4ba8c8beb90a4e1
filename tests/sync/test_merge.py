"""Merge rules beyond the shared vectors: purity of inputs, state parsing, misuse."""

from __future__ import annotations

import copy

import pytest

from sync import MergeStatus, RecordState, SyncError, merge_delete, merge_put, resolve_conflict

STATE_JSON = {
    "rev": 3,
    "fields": {"victim.name": "Ann", "offence.point_of_entry": "rear_door"},
    "field_revs": {"victim.name": 1, "offence.point_of_entry": 3},
    "field_authors": {"victim.name": "phone-a", "offence.point_of_entry": "phone-b"},
    "deleted": False,
    "conflicts": [],
}


def state() -> RecordState:
    return RecordState.from_json(copy.deepcopy(STATE_JSON))


def test_merge_put_conflicts_when_field_changed_since_base() -> None:
    outcome = merge_put(state(), 2, {"offence.point_of_entry": "window"}, 4, "phone-c")
    assert outcome.status is MergeStatus.CONFLICT
    assert outcome.state.fields["offence.point_of_entry"] == "window"
    [conflict] = outcome.state.conflicts
    assert conflict.to_json() == {
        "field": "offence.point_of_entry",
        "value": "rear_door",
        "rev": 3,
        "replaced_by_rev": 4,
        "author": "phone-b",
    }


def test_merge_put_never_mutates_the_input_state() -> None:
    before = state()
    snapshot = before.to_json()
    merge_put(before, 1, {"offence.point_of_entry": "window", "victim.phone": "1"}, 4, "x")
    merge_delete(before, 1, 4, "x")
    resolve_conflict(before, "victim.name", "Bob", 4, "x")
    assert before.to_json() == snapshot


def test_merge_put_state_json_round_trips() -> None:
    assert state().to_json() == STATE_JSON


def test_state_from_json_defaults_optional_keys() -> None:
    parsed = RecordState.from_json({"rev": 2, "fields": {"a": 1}, "field_revs": {"a": 2}})
    assert parsed.field_authors == {}
    assert parsed.deleted is False
    assert parsed.conflicts == ()


@pytest.mark.parametrize(
    "bad",
    [
        {"rev": 0, "fields": {}, "field_revs": {}},
        {"rev": True, "fields": {}, "field_revs": {}},
        {"rev": 2, "fields": {"a": 1}, "field_revs": {"a": 3}},
        {"rev": 2, "fields": [], "field_revs": {}},
        {"rev": 2, "fields": {}, "field_revs": {}, "conflicts": [{"field": "a"}]},
        "not a state",
    ],
)
def test_state_from_json_rejects_malformed_state_as_invalid_state(bad: object) -> None:
    with pytest.raises(SyncError) as raised:
        RecordState.from_json(bad)
    assert raised.value.code == "invalid_state"


def test_merge_put_refuses_a_new_rev_that_does_not_increase() -> None:
    with pytest.raises(ValueError, match="new_rev"):
        merge_put(state(), 3, {"victim.name": "Bob"}, 3, "phone-a")


def test_merge_put_noop_needs_no_new_rev_and_returns_current_rev() -> None:
    outcome = merge_put(state(), 3, {"victim.name": "Ann"}, 3, "phone-a")
    assert outcome.change is None
    assert outcome.rev == 3


def test_merge_put_validates_paths_when_called_directly() -> None:
    with pytest.raises(SyncError) as raised:
        merge_put(state(), 3, {"Victim": "x"}, 4, "phone-a")
    assert raised.value.code == "invalid_path"
    assert raised.value.details["field"] == 'fields["Victim"]'


def test_merge_put_rejects_colliding_paths_on_creation() -> None:
    with pytest.raises(SyncError) as raised:
        merge_put(None, None, {"victim": "x", "victim.name": "y"}, 1, "phone-a")
    assert raised.value.details["reason"] == "prefix_collision"


def test_merge_put_base_rev_zero_creates_like_null() -> None:
    outcome = merge_put(None, 0, {"victim.name": "Ann"}, 1, "phone-a")
    assert outcome.status is MergeStatus.APPLIED
    assert outcome.rev == 1


def test_merge_delete_then_put_is_rejected_deleted_and_tombstone_keeps_values() -> None:
    tombstone = merge_delete(state(), 3, 4, "phone-a").state
    assert tombstone.deleted
    assert tombstone.fields == STATE_JSON["fields"]
    with pytest.raises(SyncError) as raised:
        merge_put(tombstone, 4, {"victim.name": "Bob"}, 5, "phone-a")
    assert raised.value.code == "deleted"


def test_resolve_conflict_on_missing_or_deleted_record_is_rejected() -> None:
    with pytest.raises(SyncError) as raised:
        resolve_conflict(None, "victim.name", "x", 1)
    assert raised.value.code == "not_found"
    tombstone = merge_delete(state(), 3, 4).state
    with pytest.raises(SyncError) as raised:
        resolve_conflict(tombstone, "victim.name", "x", 5)
    assert raised.value.code == "deleted"


def test_resolve_conflict_without_conflicts_and_same_value_is_a_noop() -> None:
    outcome = resolve_conflict(state(), "victim.name", "Ann", 4)
    assert outcome.change is None
    assert outcome.rev == 3


def test_outcome_to_json_is_json_plain() -> None:
    outcome = merge_put(state(), 1, {"offence.point_of_entry": "window"}, 4, "phone-c")
    data = outcome.to_json()
    assert data["status"] == "conflict"
    assert isinstance(data["state"], dict)
    assert isinstance(data["change"], dict)
    assert data["change"]["previous"] == {"offence.point_of_entry": "rear_door"}
