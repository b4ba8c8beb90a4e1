"""Columns every synchronised record carries, so the sync engine can merge and order it.

The ``version`` column is the record's position in the change feed; only ``server.feed``
assigns it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tortoise import Tortoise, fields
from tortoise.models import Model


def column_for(path: str) -> str:
    """The column that stores a dotted path (``address.postcode`` -> ``address_postcode``)."""
    return path.replace(".", "_")


class SyncedRecord(Model):
    """Abstract base: revision, per-field revisions, open conflicts and the change-feed position."""

    # The collection the sync protocol calls it, and its place in the feed's lock order:
    # visits (rank 0) are locked before their children (rank 1), and both before reports
    # (rank 2), whose link to a visit is only known once the visit is locked. Set by each
    # concrete model.
    feed_collection: ClassVar[str] = ""
    lock_rank: ClassVar[int] = 1

    id = fields.UUIDField(primary_key=True)
    rev = fields.IntField(default=1)
    # Revision at which each dotted field last changed: the merge rule compares these to base_rev.
    field_revs = fields.JSONField[dict[str, Any]](default=dict)
    # Who wrote each field's current value (a client_id, or "user:<id>" for server screens).
    field_authors = fields.JSONField[dict[str, Any]](default=dict)
    # Values overwritten by a later arrival and not yet resolved (kept, never lost).
    conflicts = fields.JSONField[list[Any]](default=list)
    # Position in the change feed, allocated in the writing transaction (see sync/PROTOCOL.md).
    version = fields.BigIntField(default=0, db_index=True)
    deleted = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True

    @classmethod
    def derived_columns(cls, columns: dict[str, Any]) -> dict[str, Any]:
        """Columns the server keeps in step with ``columns`` being written (a stored search key
        of a written value); ``server.feed`` adds them to every write, so no writer forgets."""
        return {}


def visit_children() -> list[type[SyncedRecord]]:
    """Every synchronised record that belongs to a visit (it has a ``visit`` foreign key).

    Read from the ORM's registry, so a new child collection follows its visit (reassignment,
    erasure) without the feed or the visit knowing it by name.
    """
    return sorted(
        (
            model
            for app in Tortoise.apps.values()
            for model in app.values()
            if issubclass(model, SyncedRecord) and "visit" in model._meta.fk_fields
        ),
        key=lambda model: model._meta.db_table,
    )


def feed_tables() -> list[str]:
    """The table of every synchronised record (each has a ``version`` column), sorted."""
    return sorted(
        model._meta.db_table
        for app in Tortoise.apps.values()
        for model in app.values()
        if issubclass(model, SyncedRecord) and not model._meta.abstract
    )
