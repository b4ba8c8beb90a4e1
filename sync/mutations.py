"""Mutation parsing, normalisation and content digests.

Parsing is split in two on purpose. `parse_push` checks only the envelope
(client_id, the list, each seq): if that fails nothing can be acknowledged, so
the whole request is refused (422). `parse_mutation` checks the content: if that
fails the server records the mutation as "rejected" under its seq, so one bad
change never blocks the queue behind it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from .canonical import (
    MAX_SAFE_INTEGER,
    CanonicalError,
    JSONObject,
    canonical_digest,
    normalise_json,
)
from .cursor import decode_cursor
from .errors import SyncError
from .limits import MAX_FIELDS_PER_MUTATION, check_pull_limit, check_push_limits
from .paths import check_no_collision, path_ok, validate_path

# "reports" come from the force's crime system and "advice_items" is the prevention advice
# catalogue: both pull-only, the server refuses a push to them (PROTOCOL.md section 14), but a
# mutation naming them is well formed.
COLLECTIONS = frozenset(
    {
        "visits",
        "property_items",
        "kit_issues",
        "photos",
        # Aftercare: children of a completed visit (PROTOCOL.md sections 2.1 and 14).
        "addenda",
        "victim_updates",
        "survey_responses",
        "leave_behinds",
        "reports",
        "advice_items",
    }
)
OPS = frozenset({"put", "delete"})
# Keys starting with "_" can never be valid paths, so they are free to carry
# directives. "_resolve": ["victim.name"] says "I have seen the conflicts on
# these fields; my value in this mutation is the resolution".
RESOLVE_KEY = "_resolve"
DIRECTIVES = frozenset({RESOLVE_KEY})
DIGEST_KEYS = ("collection", "id", "op", "base_rev", "fields", "at")

UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)
# Device time as JS Date.toISOString() writes it, or with a numeric offset.
AT_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})\Z"
)
MAX_SEQ = 2**53 - 1

Op = Literal["put", "delete"]


@dataclass(frozen=True)
class Mutation:
    """One normalised client change; `resolve` holds the `_resolve` directive."""

    seq: int
    collection: str
    id: str
    op: Op
    base_rev: int | None
    fields: JSONObject
    at: str
    resolve: tuple[str, ...] = ()

    def to_wire(self) -> JSONObject:
        """Return the mutation as it goes on the wire (with `_resolve` back in fields)."""
        fields: JSONObject = dict(self.fields)
        if self.resolve:
            fields[RESOLVE_KEY] = list(self.resolve)
        return {
            "seq": self.seq,
            "collection": self.collection,
            "id": self.id,
            "op": self.op,
            "base_rev": self.base_rev,
            "fields": fields,
            "at": self.at,
        }


@dataclass(frozen=True)
class PushEntry:
    """A mutation whose envelope is valid: its seq, raw body and content digest."""

    index: int
    seq: int
    raw: Mapping[str, object]
    digest: str


@dataclass(frozen=True)
class PushRequest:
    """A push whose envelope is valid; each entry's content is parsed later."""

    client_id: str
    entries: tuple[PushEntry, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PullRequest:
    """A validated pull: from which change version, and how many changes at most."""

    client_id: str
    after_version: int
    limit: int


def _where(index: int | None, name: str) -> str:
    return name if index is None else f"mutations[{index}].{name}"


def _invalid(code: str, where: str, message: str) -> SyncError:
    return SyncError(code, f"{where}: {message}", {"field": where})


def parse_uuid(value: object, where: str, code: str = "invalid_mutation") -> str:
    """Return a UUID in canonical lower-case hyphenated form or raise `code`."""
    # Ids are made on the device; lower-casing them means "ABC…" and "abc…"
    # name the same record and digest identically.
    if not isinstance(value, str) or not UUID_RE.match(value):
        raise _invalid(code, where, "must be a UUID like 8-4-4-4-12 hex digits")
    return value.lower()


def _parse_int(value: object, where: str, minimum: int, code: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON has one number type; 3.0 is 3
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(code, where, "must be an integer")
    if not minimum <= value <= MAX_SEQ:
        raise _invalid(code, where, f"must be an integer from {minimum} to 2^53-1")
    return value


def parse_seq(value: object, where: str = "seq") -> int:
    """Return a valid seq (integer >= 1) or raise `invalid_mutation`."""
    return _parse_int(value, where, 1, "invalid_mutation")


def parse_at(value: object, where: str = "at") -> str:
    """Return a device time string unchanged if it is ISO-8601 with an offset."""
    if not isinstance(value, str) or not (match := AT_RE.match(value)):
        raise _invalid("invalid_mutation", where, "must be ISO-8601 like 2024-05-01T10:00:00.000Z")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        # Only the calendar is checked: "at" is information, never an input to
        # ordering, so a wildly wrong but well-formed clock is accepted as is.
        datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        raise _invalid("invalid_mutation", where, "is not a real date-time") from None
    if match.group(8) != "Z":
        offset_h, offset_m = int(value[-5:-3]), int(value[-2:])
        if offset_h > 23 or offset_m > 59:
            raise _invalid("invalid_mutation", where, "has an invalid UTC offset")
    return value


def _parse_fields(value: object, op: str, index: int | None) -> tuple[JSONObject, tuple[str, ...]]:
    where = _where(index, "fields")
    if value is None and op == "delete":
        return {}, ()
    if not isinstance(value, dict):
        raise _invalid("invalid_mutation", where, "must be an object")
    if op == "delete" and value:
        raise _invalid("invalid_mutation", where, "must be empty for a delete")
    if len(value) > MAX_FIELDS_PER_MUTATION:
        raise _invalid("invalid_mutation", where, f"has more than {MAX_FIELDS_PER_MUTATION} keys")
    fields: JSONObject = {}
    resolve: tuple[str, ...] = ()
    for key, item in value.items():
        if isinstance(key, str) and key.startswith("_"):
            key_where = _key_where(where, key)
            if key not in DIRECTIVES:
                raise _invalid("invalid_mutation", key_where, "unknown directive")
            resolve = _parse_resolve(item, key_where)
            continue
        if not path_ok(key):
            validate_path(key, _key_where(where, key))
        assert isinstance(key, str)
        if isinstance(item, dict):
            # An object leaf would make {"a": {"b": 1}} and {"a.b": 1} two
            # spellings of one thing; nested data must be sent as dotted paths.
            raise _invalid(
                "invalid_mutation",
                _key_where(where, key),
                "object values are not allowed; send dotted paths",
            )
        kind = type(item)
        if (
            item is None
            or kind is bool
            or (kind is str and item.isascii())
            or (kind is int and -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER)
        ):
            fields[key] = item  # what normalise_json returns for these, unchanged
            continue
        try:
            fields[key] = normalise_json(item, _key_where(where, key))
        except CanonicalError as exc:
            raise _invalid("invalid_mutation", _key_where(where, key), exc.reason) from None
    check_no_collision(fields.keys(), field=where)
    return fields, resolve


def _key_where(where: str, key: object) -> str:
    # JSON-quoted so the TypeScript client can build the same text; built only for a message.
    return f"{where}[{json.dumps(key, ensure_ascii=False)}]" if isinstance(key, str) else where


def _parse_resolve(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _invalid("invalid_mutation", where, "must be a non-empty list of paths")
    paths = tuple(validate_path(p, f"{where}[{i}]") for i, p in enumerate(value))
    if len(set(paths)) != len(paths):
        raise _invalid("invalid_mutation", where, "lists a path twice")
    return paths


def parse_mutation(obj: object, index: int | None = None) -> Mutation:
    """Validate and normalise one wire mutation or raise `invalid_mutation`/`invalid_path`."""
    where = "mutation" if index is None else f"mutations[{index}]"
    if not isinstance(obj, dict):
        raise _invalid("invalid_mutation", where, "must be an object")
    # Unknown keys are ignored, not refused, so a newer client can add
    # informational keys without an older server rejecting its queue.
    for key in ("seq", "collection", "id", "op", "base_rev", "at"):
        if key not in obj:
            raise _invalid("invalid_mutation", _where(index, key), "is required")
    seq = parse_seq(obj["seq"], _where(index, "seq"))
    collection = obj["collection"]
    if not isinstance(collection, str) or collection not in COLLECTIONS:
        raise _invalid(
            "invalid_mutation",
            _where(index, "collection"),
            f"must be one of {', '.join(sorted(COLLECTIONS))}",
        )
    record_id = parse_uuid(obj["id"], _where(index, "id"))
    op = obj["op"]
    if op != "put" and op != "delete":
        raise _invalid("invalid_mutation", _where(index, "op"), "must be put or delete")
    base_rev_raw = obj["base_rev"]
    base_rev = (
        None
        if base_rev_raw is None
        else _parse_int(base_rev_raw, _where(index, "base_rev"), 0, "invalid_mutation")
    )
    if "fields" not in obj and op == "put":
        raise _invalid("invalid_mutation", _where(index, "fields"), "is required")
    fields, resolve = _parse_fields(obj.get("fields"), op, index)
    at = parse_at(obj["at"], _where(index, "at"))
    return Mutation(seq, collection, record_id, op, base_rev, fields, at, resolve)


def _digest_view(m: Mutation | Mapping[str, object]) -> dict[str, object]:
    if isinstance(m, Mutation):
        wire = m.to_wire()
        return {key: wire[key] for key in DIGEST_KEYS}
    # A raw (possibly invalid) mutation is digested too, because rejected
    # mutations are stored and a re-send must still be recognised as the same.
    view: dict[str, object] = {key: m.get(key) for key in DIGEST_KEYS}
    if view["fields"] is None:
        view["fields"] = {}
    if isinstance(view["id"], str) and UUID_RE.match(view["id"]):
        view["id"] = view["id"].lower()
    return view


def mutation_digest(m: Mutation | Mapping[str, object]) -> str:
    """SHA-256 hex of canonical JSON of {collection,id,op,base_rev,fields,at}."""
    try:
        return canonical_digest(_digest_view(m))
    except CanonicalError as exc:
        raise SyncError(
            "invalid_mutation",
            f"mutation is not interoperable JSON: {exc.reason}",
            {"field": "mutation", "reason": exc.reason},
        ) from None


def parse_push(body: object, body_bytes: int = 0) -> PushRequest:
    """Check a push envelope (client_id, mutations list, each seq) and digest entries."""
    if not isinstance(body, dict):
        raise _invalid("invalid_request", "body", "must be a JSON object")
    client_id = parse_uuid(body.get("client_id"), "client_id", "invalid_request")
    mutations = body.get("mutations")
    if not isinstance(mutations, list):
        raise _invalid("invalid_request", "mutations", "must be a list")
    check_push_limits(len(mutations), body_bytes)
    entries: list[PushEntry] = []
    for i, raw in enumerate(mutations):
        if not isinstance(raw, dict):
            raise _invalid("invalid_mutation", f"mutations[{i}]", "must be an object")
        seq = parse_seq(raw.get("seq"), f"mutations[{i}].seq")
        digest = mutation_digest(raw)
        entries.append(PushEntry(i, seq, raw, digest))
    return PushRequest(client_id, tuple(entries))


def parse_pull(body: object) -> PullRequest:
    """Check a pull body and decode its cursor (null means from the beginning)."""
    if not isinstance(body, dict):
        raise _invalid("invalid_request", "body", "must be a JSON object")
    client_id = parse_uuid(body.get("client_id"), "client_id", "invalid_request")
    cursor = body.get("cursor")
    after = 0 if cursor is None else decode_cursor(cursor)
    return PullRequest(client_id, after, check_pull_limit(body.get("limit")))
