"""Run every case in sync/vectors/*.json against the Python implementation.

The TypeScript client runs the same files; the adapters here define how each
vector `function` maps onto the library (documented in sync/PROTOCOL.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from sync import (
    RecordState,
    SyncError,
    apply_mutation,
    canonical_json,
    check_batch,
    check_pull_limit,
    check_push_limits,
    check_replay,
    check_transition,
    check_visit_put,
    classify_seq,
    decode_cursor,
    encode_cursor,
    flatten,
    merge_delete,
    merge_put,
    mutation_digest,
    officer_may_edit,
    parse_mutation,
    replay_verdict,
    resolve_conflict,
    unflatten,
    validate_path,
)

VECTOR_DIR = Path(__file__).resolve().parents[2] / "sync" / "vectors"

Case = Mapping[str, Any]


def _state(case: Case) -> RecordState | None:
    raw = case.get("state")
    return None if raw is None else RecordState.from_json(raw)


def _apply_sequence(case: Case) -> dict[str, Any]:
    """Apply steps in arrival order to one record, turning SyncErrors into rejections."""
    state = _state(case)
    results: list[dict[str, Any]] = []
    for step in case["input"]["steps"]:
        try:
            mutation = parse_mutation(step["mutation"])
            if "actor_role" in step and mutation.op == "put":
                check_visit_put(state, mutation.fields, step["actor_role"], step["is_owner"])
            new_rev = (0 if state is None else state.rev) + 1
            outcome = apply_mutation(state, mutation, new_rev, step["author"])
        except SyncError as exc:
            results.append({"status": "rejected", "rev": None, "error": exc.to_json()})
            continue
        state = outcome.state
        results.append({"status": outcome.status.value, "rev": outcome.rev, "error": None})
    return {"results": results, "state": None if state is None else state.to_json()}


def _seq_verdict(i: Mapping[str, Any]) -> dict[str, Any]:
    verdict = classify_seq(i["last_acked_seq"], i["seq"])
    return {"kind": verdict.kind.value, "expected": verdict.expected}


def _batch(i: Mapping[str, Any]) -> dict[str, Any]:
    plan = check_batch(i["last_acked"], i["seqs"])
    return {"replayed": list(plan.replayed), "new": list(plan.new), "last_seq": plan.last_seq}


ADAPTERS: dict[str, Callable[[Case], Any]] = {
    "merge_put": lambda c: merge_put(
        _state(c),
        c["input"]["base_rev"],
        c["input"]["fields"],
        c["input"]["new_rev"],
        c["input"].get("author"),
        c["input"].get("resolve", []),
    ).to_json(),
    "merge_delete": lambda c: merge_delete(
        _state(c), c["input"]["base_rev"], c["input"]["new_rev"], c["input"].get("author")
    ).to_json(),
    "resolve_conflict": lambda c: resolve_conflict(
        _state(c),
        c["input"]["field"],
        c["input"]["chosen_value"],
        c["input"]["new_rev"],
        c["input"].get("author"),
    ).to_json(),
    "apply_mutation": lambda c: apply_mutation(
        _state(c),
        parse_mutation(c["input"]["mutation"]),
        c["input"]["new_rev"],
        c["input"].get("author"),
    ).to_json(),
    "apply_sequence": _apply_sequence,
    "classify_seq": lambda c: _seq_verdict(c["input"]),
    "check_batch": lambda c: _batch(c["input"]),
    "replay_verdict": lambda c: (
        replay_verdict(c["input"]["stored_digest"], c["input"]["new_digest"]).value
    ),
    "check_replay": lambda c: check_replay(
        c["input"]["seq"], c["input"]["stored_digest"], c["input"]["new_digest"]
    ),
    "check_transition": lambda c: check_transition(
        c["input"]["current"],
        c["input"]["target"],
        c["input"]["actor_role"],
        c["input"]["is_owner"],
        c["input"].get("note"),
    ),
    "officer_may_edit": lambda c: officer_may_edit(c["input"]["status"]),
    "check_visit_put": lambda c: check_visit_put(
        _state(c), c["input"]["fields"], c["input"]["actor_role"], c["input"]["is_owner"]
    ),
    "mutation_digest": lambda c: mutation_digest(c["input"]["mutation"]),
    "canonical_json": lambda c: canonical_json(c["input"]["value"]),
    "parse_mutation": lambda c: parse_mutation(
        c["input"]["obj"], c["input"].get("index")
    ).to_wire(),
    "flatten": lambda c: flatten(c["input"]["nested"]),
    "unflatten": lambda c: unflatten(c["input"]["flat"]),
    "validate_path": lambda c: validate_path(c["input"]["path"]),
    "encode_cursor": lambda c: encode_cursor(c["input"]["version"]),
    "decode_cursor": lambda c: decode_cursor(c["input"]["cursor"]),
    "check_pull_limit": lambda c: check_pull_limit(c["input"]["limit"]),
    "check_push_limits": lambda c: check_push_limits(
        c["input"]["mutation_count"], c["input"]["body_bytes"]
    ),
}

# Functions whose result is an object matched key by key (a vector may leave
# out keys it does not care about, e.g. "change").
KEYWISE = {"merge_put", "merge_delete", "resolve_conflict", "apply_mutation", "apply_sequence"}


def _load() -> list[tuple[str, Case]]:
    cases: list[tuple[str, Case]] = []
    for path in sorted(VECTOR_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"] if isinstance(data, dict) else data:
            cases.append((f"{path.stem}: {case['comment']}", case))
    return cases


CASES = _load()


def _assert_subset(expected: Any, actual: Any, where: str) -> None:
    """Dicts: every expected key must match; lists of dicts: element-wise; else equal."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing from {actual!r}"
            _assert_subset(value, actual[key], f"{where}.{key}")
    else:
        assert expected == actual, f"{where}: expected {expected!r}, got {actual!r}"


def _assert_matches(case: Case, actual: Any) -> None:
    expected = case["expected"]
    if case["function"] == "apply_sequence":
        assert len(actual["results"]) == len(expected["results"])
        for i, (want, got) in enumerate(zip(expected["results"], actual["results"], strict=True)):
            _assert_subset(want, got, f"results[{i}]")
        assert actual["state"] == expected["state"]
    elif case["function"] in KEYWISE:
        for key, value in expected.items():
            assert actual[key] == value, f"{key}: expected {value!r}, got {actual[key]!r}"
    else:
        assert actual == expected
        # bool is an int in Python; JSON keeps them apart, so must we.
        assert type(actual) is type(expected) or expected is None


def test_vectors_are_plentiful_and_uniquely_named() -> None:
    """The vector suite covers every adapter and comments are unique ids."""
    ids = [case_id for case_id, _ in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40
    assert {case["function"] for _, case in CASES} == set(ADAPTERS)


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_vector(case: Case) -> None:
    """One vector case gives its expected result or its expected error."""
    adapter = ADAPTERS[case["function"]]
    if "error" in case:
        with pytest.raises(SyncError) as raised:
            adapter(case)
        assert raised.value.code == case["error"]["code"]
        _assert_subset(case["error"].get("details", {}), raised.value.details, "details")
        return
    _assert_matches(case, adapter(case))
