"""Erasure: a visit and its records become tombstones, and their revisions lose their contents.

This is the one exception to "nothing is ever overwritten away", made for lawful erasure
(``server.retention``): the feed owns revisions, versions and tombstones, so it is done here.

- The visit row is blanked in place (reviews and children refer to it): every column but its
  identity, owner, team and area, and the feed's own, goes back to null or its default.
- Each child row is deleted and written again as a blank tombstone under the same id, so no
  guard on updates (a verified photo's original is immutable, issue 14.1) needs an exception:
  a deletion is the sanctioned way out of the table.
- Every revision of those records keeps its number, kind, author and time, and loses what it
  changed and what it replaced.
- Each record gets one more revision (``erase``) at a fresh change version, so every phone that
  holds it receives ``deleted: true, record: null`` on its next pull and drops it.

The caller has locked the records (``lock_records``) and removed whatever else refers to a child
row (a photo's uploads) in the same transaction; audit entries are written last, as always.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import JSONField

from server.audit.service import AuditEntry
from server.feed.models import Revision
from server.feed.records import SyncedRecord
from server.feed.writer import Change, RevisionNote, record_changes

# SyncedRecord's own columns: set below, never blanked.
_FEED_COLUMNS = {
    "id",
    "rev",
    "field_revs",
    "field_authors",
    "conflicts",
    "version",
    "deleted",
    "created_at",
    "updated_at",
}


def _key_columns(model: type[SyncedRecord]) -> list[str]:
    """The columns holding a record's foreign keys (``visit_id``, ``officer_id``...)."""
    return [f"{name}_id" for name in sorted(model._meta.fk_fields)]


def blank_columns(model: type[SyncedRecord], keep: Sequence[str] = ()) -> dict[str, Any]:
    """Every data column of a record at its empty value: null where allowed, else its default.

    Foreign keys (owner, team, area, visit) stay: a tombstone must still reach whoever held the
    record, and they are identifiers, not anyone's personal data.
    """
    meta = model._meta
    related = set(meta.fk_fields) | set(_key_columns(model))
    columns: dict[str, Any] = {}
    for name, field in meta.fields_map.items():
        if name in _FEED_COLUMNS or name in related or name in keep:
            continue
        if field.null:
            columns[name] = None
        elif field.default is not None:
            default = field.default
            columns[name] = default() if callable(default) else default
        elif isinstance(field, JSONField):
            columns[name] = None
    return columns


def _tombstone(
    row: SyncedRecord, author: str, actor_id: uuid.UUID | None, columns: dict[str, Any]
) -> tuple[dict[str, Any], RevisionNote]:
    rev = row.rev + 1
    state = {"rev": rev, "deleted": True, "field_revs": {}, "field_authors": {}, "conflicts": []}
    note = RevisionNote(rev=rev, op="erase", changes={}, author=author, actor_id=actor_id)
    return {**columns, **state}, note


async def erase_visit_records(
    connection: BaseDBAsyncClient,
    visit: SyncedRecord,
    children: Sequence[SyncedRecord],
    *,
    now: datetime,
    author: str,
    actor_id: uuid.UUID | None = None,
    visit_columns: dict[str, Any] | None = None,
    audit: Sequence[AuditEntry] = (),
) -> list[int]:
    """Erase a locked visit and its locked children; return the tombstones' change versions.

    ``visit_columns`` are set on the visit's tombstone after blanking (e.g. when it was erased).
    """
    for model in {type(visit), *(type(c) for c in children)}:
        ids = [r.id for r in (visit, *children) if type(r) is model]
        await (
            Revision.filter(collection=model.feed_collection, record_id__in=ids)
            .using_db(connection)
            .update(
                changes={}, previous={}, conflicts_added=[], conflicts_cleared=[], device_at=None
            )
        )
    extra = visit_columns or {}
    columns, note = _tombstone(visit, author, actor_id, blank_columns(type(visit), list(extra)))
    changes = [Change(type(visit), visit.id, visit.id, {**columns, **extra}, revisions=[note])]
    for child in children:
        model = type(child)
        owner = {column: getattr(child, column) for column in _key_columns(model)}
        await model.filter(id=child.id).using_db(connection).delete()
        columns, note = _tombstone(child, author, actor_id, {})
        changes.append(
            Change(model, child.id, visit.id, {**owner, **columns}, revisions=[note], create=True)
        )
    return await record_changes(connection, changes, now=now, audit=audit)
