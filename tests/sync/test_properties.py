"""Property tests: nothing is lost, revs only rise, digests and cursors are stable."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sync import (
    JSONValue,
    MergeStatus,
    RecordState,
    SeqClass,
    SyncError,
    apply_mutation,
    canonical_json,
    check_batch,
    classify_seq,
    decode_cursor,
    encode_cursor,
    flatten,
    json_equal,
    merge_put,
    mutation_digest,
    normalise_json,
    parse_mutation,
    unflatten,
)

FIELDS = ["victim.name", "victim.phone", "address.postcode", "offence.rooms_entered", "status"]
AUTHORS = ["phone-a", "phone-b", "phone-c", None]

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
json_values = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
field_values = st.one_of(
    st.sampled_from(["a", "b", "c"]), st.integers(0, 3), st.lists(st.sampled_from("xy"))
)
segment = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)


@st.composite
def put_streams(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A stream of puts from several clients, each with some base_rev it could have seen."""
    steps = []
    for _ in range(draw(st.integers(1, 25))):
        steps.append(
            {
                "author": draw(st.sampled_from(AUTHORS)),
                "fields": draw(st.dictionaries(st.sampled_from(FIELDS), field_values, max_size=3)),
                # A fraction of the current rev: the client saw some past revision.
                "base_fraction": draw(st.one_of(st.none(), st.floats(0, 1))),
                "resolve": draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True)),
            }
        )
    return steps


@settings(max_examples=300, deadline=None)
@given(put_streams())
def test_merging_any_put_stream_never_loses_a_value_and_revs_strictly_increase(
    steps: list[dict[str, Any]],
) -> None:
    """Every overwritten value is in the change's `previous` and, if unseen, in conflicts."""
    state: RecordState | None = None
    for step in steps:
        rev = 0 if state is None else state.rev
        fraction = step["base_fraction"]
        base = None if fraction is None or state is None else int(rev * fraction)
        outcome = merge_put(state, base, step["fields"], rev + 1, step["author"], step["resolve"])
        new = outcome.state
        if outcome.change is None:
            assert new is state
            continue
        assert new.rev == rev + 1 > rev
        assert all(frev <= new.rev for frev in new.field_revs.values())
        assert set(new.fields) >= (set() if state is None else set(state.fields))
        if state is None:
            state = new
            continue
        seen = 0 if base is None else base
        for path in outcome.change.changed:
            if path not in state.fields:
                continue
            old_value = state.fields[path]
            # History: the revision row keeps the value it replaced.
            assert json_equal(outcome.change.previous[path], old_value)
            unseen = state.field_revs[path] > seen and (
                step["author"] is None or state.field_authors.get(path) != step["author"]
            )
            if unseen:
                assert any(
                    c.field == path
                    and json_equal(c.value, old_value)
                    and c.rev == state.field_revs[path]
                    and c.replaced_by_rev == new.rev
                    for c in new.conflicts
                )
                assert outcome.status is MergeStatus.CONFLICT
        # Conflicts only disappear through an explicit _resolve of seen ones.
        for old in state.conflicts:
            if old not in new.conflicts:
                assert old.field in step["resolve"]
                assert old.replaced_by_rev <= seen
        state = new


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), field_values, max_size=4), st.randoms())
def test_mutation_digest_is_stable_under_key_reordering(
    fields: dict[str, JSONValue], rnd: random.Random
) -> None:
    """Shuffling mutation and field key order never changes the digest."""
    mutation = {
        "seq": 1,
        "collection": "visits",
        "id": "6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
        "op": "put",
        "base_rev": 3,
        "fields": fields,
        "at": "2024-05-01T10:00:00.000Z",
    }

    def shuffled(obj: dict[str, Any]) -> dict[str, Any]:
        items = list(obj.items())
        rnd.shuffle(items)
        return {k: shuffled(v) if isinstance(v, dict) else v for k, v in items}

    digest = mutation_digest(mutation)
    assert mutation_digest(shuffled(mutation)) == digest
    # The parsed form digests like the raw form, so rejected and accepted
    # mutations are compared by one rule.
    assert mutation_digest(parse_mutation(mutation)) == digest


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_canonical_json_round_trips_and_normalising_is_idempotent(value: JSONValue) -> None:
    """Canonical text parses back to an equal value; normalising twice changes nothing."""
    text = canonical_json(value)
    assert json_equal(json.loads(text), value)
    normal = normalise_json(value)
    assert canonical_json(normal) == text
    assert normalise_json(normal) == normal


nested_objects = st.recursive(
    st.dictionaries(segment, json_leaf, min_size=1, max_size=3),
    lambda inner: st.dictionaries(segment, st.one_of(json_leaf, inner), min_size=1, max_size=3),
    max_leaves=10,
)


def _depth(obj: dict[str, Any]) -> int:
    return 1 + max((_depth(v) for v in obj.values() if isinstance(v, dict)), default=0)


@settings(max_examples=200, deadline=None)
@given(nested_objects)
def test_flatten_then_unflatten_round_trips(nested: dict[str, JSONValue]) -> None:
    """unflatten(flatten(x)) == x for objects within the path limits."""
    if _depth(nested) > 4:
        return
    assert unflatten(flatten(nested)) == nested


@given(st.integers(0, 2**53 - 1))
def test_cursor_round_trips(version: int) -> None:
    """decode_cursor(encode_cursor(n)) == n."""
    assert decode_cursor(encode_cursor(version)) == version


@given(st.text(max_size=40))
def test_decode_cursor_only_ever_raises_bad_cursor(text: str) -> None:
    """Garbage cursors fail with bad_cursor, never with another exception."""
    code = None
    try:
        decode_cursor(text)
    except SyncError as exc:
        code = exc.code
    assert code in {None, "bad_cursor"}


# Regression: an unhashable collection once escaped as TypeError.
@example({"seq": 1, "collection": [], "id": None, "op": None, "base_rev": None, "at": None})
@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["seq", "collection", "id", "op", "base_rev", "fields", "at", "x"]),
        json_values,
    )
)
def test_parse_mutation_only_ever_raises_sync_errors(obj: dict[str, JSONValue]) -> None:
    """Arbitrary JSON is either a mutation or a typed SyncError."""
    code = None
    try:
        parse_mutation(obj, 0)
    except SyncError as exc:
        code = exc.code
    assert code in {None, "invalid_mutation", "invalid_path"}


@given(st.integers(0, 50), st.integers(1, 60), st.integers(0, 5))
def test_check_batch_agrees_with_classify_seq(last: int, first: int, length: int) -> None:
    """A contiguous batch is refused exactly when its first seq is a gap."""
    seqs = list(range(first, first + length))
    is_gap = length > 0 and classify_seq(last, first).kind is SeqClass.GAP
    if is_gap:
        with pytest.raises(SyncError, match="seq_gap"):
            check_batch(last, seqs)
        return
    plan = check_batch(last, seqs)
    for seq in plan.replayed:
        assert classify_seq(last, seq).kind is SeqClass.ALREADY_ACKED
    assert plan.new == tuple(s for s in seqs if s > last)
    assert plan.last_seq == max([last, *seqs])


device_times = st.datetimes().map(
    lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}Z"
)


@settings(max_examples=100, deadline=None)
@given(
    device_times, device_times, st.dictionaries(st.sampled_from(FIELDS), field_values, max_size=3)
)
def test_device_clock_never_changes_the_outcome(
    at_one: str, at_two: str, fields: dict[str, JSONValue]
) -> None:
    """Two mutations differing only in `at` merge identically."""
    state = RecordState.from_json(
        {
            "rev": 3,
            "fields": {"victim.name": "Ann", "status": "draft"},
            "field_revs": {"victim.name": 2, "status": 1},
            "field_authors": {"victim.name": "phone-b", "status": "phone-a"},
        }
    )
    base = {
        "seq": 9,
        "collection": "visits",
        "id": "6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
        "op": "put",
        "base_rev": 1,
        "fields": fields,
    }
    one = apply_mutation(state, parse_mutation({**base, "at": at_one}), 4, "phone-c")
    two = apply_mutation(state, parse_mutation({**base, "at": at_two}), 4, "phone-c")
    assert one.to_json() == two.to_json()
