"""Every mutation a push received, stored with its digest and result (rejected ones too).

The rows are written before the feed's global lock is taken: they need no change version, and
the client's row, locked first by the push, already keeps two pushes of one client apart. On
PostgreSQL they go in one set-based statement (``server.rows``); SQLite keeps tortoise.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.rows import execute, insert_rows, is_postgres, model_row
from server.syncing.models import ReceivedMutation, SyncClient
from server.syncing.work import uuid_or_none


def received_row(
    client_id: uuid.UUID,
    seq: int,
    digest: str,
    raw_mutation: Mapping[str, Any],
    result: Mapping[str, Any],
) -> dict[str, Any]:
    """The stored form of one received mutation (by field name), from its raw wire form."""
    base_rev = raw_mutation.get("base_rev")
    fields = raw_mutation.get("fields")
    return {
        "client_id": client_id,
        "seq": seq,
        "digest": digest,
        "collection": str(raw_mutation.get("collection", ""))[:20],
        "record_id": uuid_or_none(raw_mutation.get("id")) or uuid.UUID(int=0),
        "op": str(raw_mutation.get("op", ""))[:8],
        "base_rev": base_rev if isinstance(base_rev, int) else None,
        "fields_json": fields if isinstance(fields, dict) else {},
        "device_at": str(raw_mutation.get("at", ""))[:40],
        "status": result["status"],
        "rev": result["rev"],
        "error": result["error"],
    }


_LAST_SEQ = "UPDATE sync_client SET last_seq = $1 WHERE id = $2"


async def store_received(
    connection: BaseDBAsyncClient,
    client_id: uuid.UUID,
    rows: Sequence[Mapping[str, Any]],
    last_seq: int,
    now: datetime,
) -> None:
    """Store the received mutations and move the client's acknowledged seq to ``last_seq``."""
    if is_postgres(connection):
        whole = [model_row(ReceivedMutation, r, now) for r in rows]
        await insert_rows(connection, ReceivedMutation, whole)
        await execute(connection, _LAST_SEQ, last_seq, client_id)
        return
    await ReceivedMutation.bulk_create([ReceivedMutation(**r) for r in rows], using_db=connection)
    await SyncClient.filter(id=client_id).using_db(connection).update(last_seq=last_seq)
