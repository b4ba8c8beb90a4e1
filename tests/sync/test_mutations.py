"""Push/pull envelope parsing, digests of raw mutations, errors and limits."""

from __future__ import annotations

import gzip
import json

import pytest

from sync import (
    MAX_MUTATIONS_PER_PUSH,
    MAX_PUSH_BODY_BYTES,
    SyncError,
    decompress_body,
    encode_cursor,
    http_status,
    mutation_digest,
    parse_mutation,
    parse_pull,
    parse_push,
)

CLIENT = "1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a8b"
VISIT = "6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"


def mutation(seq: int, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "seq": seq,
        "collection": "visits",
        "id": VISIT,
        "op": "put",
        "base_rev": None,
        "fields": {"victim.name": "Ann"},
        "at": "2024-05-01T10:00:00.000Z",
    }
    body.update(overrides)
    return body


def test_parse_push_digests_every_entry_including_invalid_content() -> None:
    bad = mutation(2, collection="suspects")
    request = parse_push({"client_id": CLIENT.upper(), "mutations": [mutation(1), bad]})
    assert request.client_id == CLIENT
    assert [e.seq for e in request.entries] == [1, 2]
    # Invalid content still gets a digest so a re-send is recognised.
    assert request.entries[1].digest == mutation_digest(bad)
    with pytest.raises(SyncError):
        parse_mutation(request.entries[1].raw, 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ({"client_id": "nope", "mutations": []}, "client_id"),
        ({"client_id": CLIENT, "mutations": {}}, "mutations"),
        ({"client_id": CLIENT, "mutations": [5]}, "mutations[0]"),
        ({"client_id": CLIENT, "mutations": [mutation(1), {"seq": "2"}]}, "mutations[1].seq"),
    ],
)
def test_parse_push_envelope_errors_name_the_field(body: object, field: str) -> None:
    with pytest.raises(SyncError) as raised:
        parse_push(body)
    assert raised.value.details["field"] == field
    assert raised.value.http_status == 422


def test_parse_push_refuses_too_many_mutations_with_413() -> None:
    body = {"client_id": CLIENT, "mutations": [mutation(i + 1) for i in range(501)]}
    with pytest.raises(SyncError) as raised:
        parse_push(body)
    assert raised.value.code == "too_many_mutations"
    assert raised.value.http_status == 413
    assert MAX_MUTATIONS_PER_PUSH == 500


def test_parse_push_refuses_non_interoperable_json() -> None:
    with pytest.raises(SyncError) as raised:
        parse_push({"client_id": CLIENT, "mutations": [mutation(1, fields={"a": float("nan")})]})
    assert raised.value.code == "invalid_mutation"


def test_parse_pull_decodes_cursor_and_defaults_limit() -> None:
    pull = parse_pull({"client_id": CLIENT, "cursor": encode_cursor(41), "limit": 10})
    assert (pull.client_id, pull.after_version, pull.limit) == (CLIENT, 41, 10)
    assert parse_pull({"client_id": CLIENT, "cursor": None}).after_version == 0


def test_parse_pull_bad_cursor_is_400() -> None:
    with pytest.raises(SyncError) as raised:
        parse_pull({"client_id": CLIENT, "cursor": "###", "limit": 10})
    assert raised.value.code == "bad_cursor"
    assert raised.value.http_status == 400


def test_parse_mutation_ignores_unknown_keys_for_forward_compatibility() -> None:
    parsed = parse_mutation(mutation(1, note="from a newer client"))
    assert mutation_digest(parsed) == mutation_digest(mutation(1))


def test_parse_mutation_accepts_integral_float_seq_as_json_does() -> None:
    body = mutation(1)
    body["seq"] = 3.0
    assert parse_mutation(body).seq == 3


@pytest.mark.parametrize(
    "at",
    ["2024-02-30T10:00:00Z", "2024-05-01 10:00:00Z", "2024-05-01T10:00:00", "2024-05-01T25:00:00Z"],
)
def test_parse_mutation_rejects_malformed_device_times(at: str) -> None:
    with pytest.raises(SyncError) as raised:
        parse_mutation(mutation(1, at=at))
    assert raised.value.details["field"] == "at"


def test_parse_mutation_rejects_lone_surrogates() -> None:
    with pytest.raises(SyncError) as raised:
        parse_mutation(mutation(1, fields={"victim.name": "\ud800"}))
    assert raised.value.code == "invalid_mutation"


def test_parse_mutation_rejects_duplicate_resolve_paths() -> None:
    with pytest.raises(SyncError):
        parse_mutation(mutation(1, fields={"_resolve": ["victim.name", "victim.name"]}))


def test_sync_error_to_json_is_the_wire_error_shape() -> None:
    error = SyncError("seq_gap", "expected 6", {"expected": 6})
    assert error.to_json() == {
        "code": "seq_gap",
        "message": "expected 6",
        "details": {"expected": 6},
    }
    assert http_status("seq_gap") == 409
    assert http_status("unknown_code") == 400


def test_decompress_body_inflates_gzip() -> None:
    payload = json.dumps({"a": "b" * 1000}).encode()
    assert decompress_body(gzip.compress(payload), "gzip") == payload
    assert decompress_body(payload, None) == payload


def test_decompress_body_stops_a_gzip_bomb_at_the_limit() -> None:
    bomb = gzip.compress(b"\0" * (MAX_PUSH_BODY_BYTES + 10))
    assert len(bomb) < 10_000
    with pytest.raises(SyncError) as raised:
        decompress_body(bomb, "gzip")
    assert raised.value.code == "payload_too_large"


@pytest.mark.parametrize(
    ("data", "encoding", "code"),
    [
        (b"not gzip", "gzip", "invalid_request"),
        (gzip.compress(b"{}")[:-4], "gzip", "invalid_request"),
        (b"{}", "br", "unsupported_encoding"),
        (b"x" * (MAX_PUSH_BODY_BYTES + 1), "identity", "payload_too_large"),
    ],
)
def test_decompress_body_errors(data: bytes, encoding: str, code: str) -> None:
    with pytest.raises(SyncError) as raised:
        decompress_body(data, encoding)
    assert raised.value.code == code
