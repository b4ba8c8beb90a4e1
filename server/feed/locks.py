"""The feed's lock order: the records a transaction changes are locked visits first, then
children, then reports, each collection by id - the same order for every writer, so none can
deadlock. A writer that learns of more records once it holds some (a push finds the report a
locked visit links to) locks them in a later call, of a higher rank only."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from tortoise.backends.base.client import BaseDBAsyncClient

from server.feed.records import SyncedRecord

LockedRows = dict[tuple[type[SyncedRecord], uuid.UUID], SyncedRecord]


async def lock_records(
    connection: BaseDBAsyncClient, wanted: Mapping[type[SyncedRecord], Iterable[uuid.UUID]]
) -> LockedRows:
    """Load the wanted records, locking them (PostgreSQL) in the feed's global order.

    Returns the rows found, keyed by (model, id); ids with no row are simply absent. On
    SQLite the database-wide write lock, taken by the transaction's first write, serialises
    writers instead.
    """
    lock = connection.capabilities.dialect == "postgres"
    found: LockedRows = {}
    for model in sorted(wanted, key=lambda m: (m.lock_rank, m._meta.db_table)):
        ids = sorted(set(wanted[model]))
        if not ids:
            continue
        query = model.filter(id__in=ids).using_db(connection).order_by("id")
        if lock:
            query = query.select_for_update()
        for row in await query:
            found[(model, row.id)] = row
    return found
