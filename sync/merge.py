"""Field-level merge of puts and deletes onto a record's state.

A record is a flat map {dotted.path: JSON value}. Besides the values, the state
remembers for every field the rev that last changed it and who wrote it; that is
all a three-way merge needs, because base_rev tells us which field revisions the
writer had seen. The rule, applied per field:

* value equal to the current one: nothing to do (equal values never conflict);
* field unchanged since base_rev, or last written by this same author: the new
  value simply wins (clean);
* field changed since base_rev by someone else: the later ARRIVAL wins and the
  overwritten value is kept in `conflicts` (and in revision history) until
  someone resolves it. Device clocks play no part.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from .canonical import JSONObject, JSONValue, json_equal
from .errors import SyncError
from .mutations import Mutation
from .paths import check_no_collision, path_ok, validate_path


class MergeStatus(StrEnum):
    """Result status of an accepted mutation (rejections raise SyncError)."""

    APPLIED = "applied"
    MERGED = "merged"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Conflict:
    """An overwritten value kept until resolved: what, when, by whom, replaced when."""

    field: str
    value: JSONValue
    rev: int
    replaced_by_rev: int
    author: str | None

    def to_json(self) -> JSONObject:
        """Return the wire shape of a conflict entry."""
        return {
            "field": self.field,
            "value": self.value,
            "rev": self.rev,
            "replaced_by_rev": self.replaced_by_rev,
            "author": self.author,
        }

    @classmethod
    def from_json(cls, obj: object) -> Conflict:
        """Build a conflict entry from its wire shape or raise `invalid_state`."""
        if not isinstance(obj, dict):
            raise _bad_state("conflict entry is not an object")
        path, rev, by, author = (
            obj.get("field"),
            obj.get("rev"),
            obj.get("replaced_by_rev"),
            obj.get("author"),
        )
        if not isinstance(path, str) or not _is_int(rev) or not _is_int(by):
            raise _bad_state("conflict entry needs field, rev, replaced_by_rev")
        if author is not None and not isinstance(author, str):
            raise _bad_state("conflict author must be a string or null")
        assert isinstance(rev, int)
        assert isinstance(by, int)
        return cls(path, obj.get("value"), rev, by, author)


@dataclass(frozen=True)
class RecordState:
    """Everything the merge needs to know about one record at one rev."""

    rev: int
    fields: Mapping[str, JSONValue]
    field_revs: Mapping[str, int]
    field_authors: Mapping[str, str | None] = field(default_factory=dict)
    deleted: bool = False
    conflicts: tuple[Conflict, ...] = ()

    def to_json(self) -> JSONObject:
        """Return the JSON-plain state, the shape stored and used by vectors."""
        return {
            "rev": self.rev,
            "fields": dict(self.fields),
            "field_revs": dict(self.field_revs),
            "field_authors": dict(self.field_authors),
            "deleted": self.deleted,
            "conflicts": [c.to_json() for c in self.conflicts],
        }

    @classmethod
    def from_json(cls, obj: object) -> RecordState:
        """Build a state from its JSON shape (field_authors optional) or raise `invalid_state`."""
        if not isinstance(obj, dict):
            raise _bad_state("state is not an object")
        rev = obj.get("rev")
        fields = obj.get("fields", {})
        field_revs = obj.get("field_revs", {})
        authors = obj.get("field_authors", {})
        deleted = obj.get("deleted", False)
        conflicts = obj.get("conflicts", [])
        if not _is_int(rev) or not isinstance(rev, int) or rev < 1:
            raise _bad_state("rev must be an integer >= 1")
        if not isinstance(fields, dict) or not isinstance(field_revs, dict):
            raise _bad_state("fields and field_revs must be objects")
        if not isinstance(authors, dict) or not isinstance(deleted, bool):
            raise _bad_state("field_authors must be an object, deleted a boolean")
        if not isinstance(conflicts, list):
            raise _bad_state("conflicts must be a list")
        revs: dict[str, int] = {}
        for path in fields:
            frev = field_revs.get(path, rev)
            if not isinstance(frev, int) or isinstance(frev, bool) or frev > rev:
                raise _bad_state(f"field_revs[{path!r}] must be an integer <= rev")
            revs[path] = frev
        return cls(
            rev=rev,
            fields=dict(fields),
            field_revs=revs,
            field_authors={str(k): (v if isinstance(v, str) else None) for k, v in authors.items()},
            deleted=deleted,
            conflicts=tuple(Conflict.from_json(c) for c in conflicts),
        )


@dataclass(frozen=True)
class RecordChange:
    """What one revision changed: for revision-history rows and audit."""

    rev: int
    op: Literal["create", "put", "delete", "resolve"]
    author: str | None
    changed: tuple[str, ...]
    previous: Mapping[str, JSONValue]
    conflicts_added: tuple[Conflict, ...] = ()
    conflicts_cleared: tuple[Conflict, ...] = ()

    def to_json(self) -> JSONObject:
        """Return the JSON-plain change summary."""
        return {
            "rev": self.rev,
            "op": self.op,
            "author": self.author,
            "changed": list(self.changed),
            "previous": dict(self.previous),
            "conflicts_added": [c.to_json() for c in self.conflicts_added],
            "conflicts_cleared": [c.to_json() for c in self.conflicts_cleared],
        }


@dataclass(frozen=True)
class Outcome:
    """An accepted mutation: its status, the new state, and the change (None if a no-op)."""

    status: MergeStatus
    state: RecordState
    change: RecordChange | None

    @property
    def rev(self) -> int:
        """The record's rev after the mutation (unchanged for a no-op)."""
        return self.state.rev

    def to_json(self) -> JSONObject:
        """Return {"status","rev","state","change"} as JSON-plain data."""
        return {
            "status": self.status.value,
            "rev": self.rev,
            "state": self.state.to_json(),
            "change": None if self.change is None else self.change.to_json(),
        }


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bad_state(message: str) -> SyncError:
    return SyncError("invalid_state", message, {})


def _check_new_rev(current: int, new_rev: int) -> None:
    # The server allocates new_rev (normally current + 1); a non-increasing
    # rev would break base_rev comparisons, so it is a programming error.
    if not _is_int(new_rev) or new_rev <= current:
        raise ValueError(f"new_rev must be an int > {current}, got {new_rev!r}")


def _check_base_rev(state: RecordState, base_rev: int | None) -> int:
    base = 0 if base_rev is None else base_rev
    if not _is_int(base) or base < 0 or base > state.rev:
        raise SyncError(
            "bad_base_rev",
            f"base_rev {base_rev} is ahead of the record's rev {state.rev}",
            {"field": "base_rev", "base_rev": base_rev, "rev": state.rev},
        )
    return base


def _changed_by_other(state: RecordState, path: str, base: int, author: str | None) -> bool:
    # Same author = same device queue, applied in seq order: it has "seen" its
    # own earlier write even before it learnt the rev, so that is no conflict.
    if state.field_revs.get(path, 0) <= base:
        return False
    return author is None or state.field_authors.get(path) != author


def merge_put(
    state: RecordState | None,
    base_rev: int | None,
    fields: Mapping[str, JSONValue],
    new_rev: int,
    author: str | None = None,
    resolve: Iterable[str] = (),
) -> Outcome:
    """Merge a put onto a record; raise `not_found`, `deleted`, `bad_base_rev`, `invalid_path`."""
    for path in fields:
        if not path_ok(path):  # the message is built only for a bad path
            validate_path(path, f"fields[{json.dumps(path, ensure_ascii=False)}]")
    resolve_set = frozenset(validate_path(p, 'fields["_resolve"]') for p in resolve)

    if state is None:
        if base_rev not in (None, 0):
            raise SyncError(
                "not_found",
                f"record does not exist, yet base_rev is {base_rev}",
                {"field": "base_rev", "base_rev": base_rev},
            )
        _check_new_rev(0, new_rev)
        check_no_collision(fields.keys())
        created = RecordState(
            rev=new_rev,
            fields=dict(fields),
            field_revs={p: new_rev for p in fields},
            field_authors={p: author for p in fields},
        )
        change = RecordChange(new_rev, "create", author, tuple(sorted(fields)), {})
        return Outcome(MergeStatus.APPLIED, created, change)

    if state.deleted:
        raise SyncError(
            "deleted",
            "record was deleted; a put cannot bring it back",
            {"rev": state.rev},
        )
    base = _check_base_rev(state, base_rev)
    new_paths = [p for p in fields if p not in state.fields]
    check_no_collision(new_paths, state.fields.keys())

    values = dict(state.fields)
    field_revs = dict(state.field_revs)
    authors = dict(state.field_authors)
    changed: list[str] = []
    previous: JSONObject = {}
    added: list[Conflict] = []
    for path in sorted(fields):
        value = fields[path]
        present = path in state.fields
        if present and json_equal(state.fields[path], value):
            continue
        if present and _changed_by_other(state, path, base, author):
            added.append(
                Conflict(
                    field=path,
                    value=state.fields[path],
                    rev=state.field_revs.get(path, 0),
                    replaced_by_rev=new_rev,
                    author=state.field_authors.get(path),
                )
            )
        if present:
            previous[path] = state.fields[path]
        values[path] = value
        field_revs[path] = new_rev
        authors[path] = author
        changed.append(path)

    # `_resolve` clears only conflicts the writer could have seen (created at or
    # before base_rev); one created after it is news to them and must stay.
    def seen(c: Conflict) -> bool:
        return c.field in resolve_set and c.replaced_by_rev <= base

    cleared = tuple(c for c in state.conflicts if seen(c))
    kept = tuple(c for c in state.conflicts if not seen(c))

    if added:
        status = MergeStatus.CONFLICT
    elif base == state.rev:
        status = MergeStatus.APPLIED
    else:
        status = MergeStatus.MERGED

    if not changed and not cleared:
        return Outcome(status, state, None)
    _check_new_rev(state.rev, new_rev)
    new_state = RecordState(
        rev=new_rev,
        fields=values,
        field_revs=field_revs,
        field_authors=authors,
        deleted=False,
        conflicts=kept + tuple(added),
    )
    op: Literal["put", "resolve"] = "put" if changed else "resolve"
    change = RecordChange(new_rev, op, author, tuple(changed), previous, tuple(added), cleared)
    return Outcome(status, new_state, change)


def merge_delete(
    state: RecordState | None,
    base_rev: int | None,
    new_rev: int,
    author: str | None = None,
) -> Outcome:
    """Delete a record (tombstone keeping its fields); raise `not_found`, `bad_base_rev`."""
    if state is None:
        raise SyncError("not_found", "record does not exist", {"field": "id", "base_rev": base_rev})
    if state.deleted:
        # Idempotent: a second delete (another device, or a replay that lost
        # its stored result) changes nothing and creates no revision.
        return Outcome(MergeStatus.APPLIED, state, None)
    base = _check_base_rev(state, base_rev)
    _check_new_rev(state.rev, new_rev)
    # The delete wins (later arrival), but values it removes unseen are
    # reported as conflicts on the tombstone so nobody loses track of them.
    added = tuple(
        Conflict(
            field=path,
            value=state.fields[path],
            rev=state.field_revs.get(path, 0),
            replaced_by_rev=new_rev,
            author=state.field_authors.get(path),
        )
        for path in sorted(state.fields)
        if _changed_by_other(state, path, base, author)
    )
    if added:
        status = MergeStatus.CONFLICT
    elif base == state.rev:
        status = MergeStatus.APPLIED
    else:
        status = MergeStatus.MERGED
    tombstone = RecordState(
        rev=new_rev,
        fields=dict(state.fields),
        field_revs=dict(state.field_revs),
        field_authors=dict(state.field_authors),
        deleted=True,
        conflicts=state.conflicts + added,
    )
    change = RecordChange(new_rev, "delete", author, (), {}, added)
    return Outcome(status, tombstone, change)


def resolve_conflict(
    state: RecordState | None,
    field: str,
    chosen_value: JSONValue,
    new_rev: int,
    author: str | None = None,
) -> Outcome:
    """Set `field` to the chosen value and clear all its conflicts (server-side resolution)."""
    validate_path(field, "field")
    if state is None:
        raise SyncError("not_found", "record does not exist", {"field": "id"})
    if state.deleted:
        raise SyncError("deleted", "record was deleted", {"rev": state.rev})
    cleared = tuple(c for c in state.conflicts if c.field == field)
    present = field in state.fields
    same = present and json_equal(state.fields[field], chosen_value)
    if not cleared and same:
        return Outcome(MergeStatus.APPLIED, state, None)
    if not present:
        check_no_collision([field], state.fields.keys())
    _check_new_rev(state.rev, new_rev)
    values = dict(state.fields)
    field_revs = dict(state.field_revs)
    authors = dict(state.field_authors)
    previous: JSONObject = {}
    changed: tuple[str, ...] = ()
    if not same:
        if present:
            previous[field] = state.fields[field]
        values[field] = chosen_value
        field_revs[field] = new_rev
        authors[field] = author
        changed = (field,)
    new_state = RecordState(
        rev=new_rev,
        fields=values,
        field_revs=field_revs,
        field_authors=authors,
        deleted=False,
        conflicts=tuple(c for c in state.conflicts if c.field != field),
    )
    change = RecordChange(new_rev, "resolve", author, changed, previous, (), cleared)
    return Outcome(MergeStatus.APPLIED, new_state, change)


def apply_mutation(
    state: RecordState | None,
    mutation: Mutation,
    new_rev: int,
    author: str | None = None,
) -> Outcome:
    """Dispatch a parsed mutation to merge_put or merge_delete ("at" is ignored)."""
    if mutation.op == "delete":
        return merge_delete(state, mutation.base_rev, new_rev, author)
    return merge_put(state, mutation.base_rev, mutation.fields, new_rev, author, mutation.resolve)
