"""Upload bookkeeping whose loss in a crash costs a resend, never evidence.

An upload's lock, the offset and parts list of an upload not yet complete, and the mark that
an ended upload's chunks are gone are written on every chunk, so on PostgreSQL they commit
without waiting for the WAL flush (``synchronous_commit`` off for that transaction alone).
What a crash can lose, and why nothing is lost with it:

- a lock: the PATCH holding it died with the server; the next one finds the upload free, or
  busy until the lock expires, as after any dead worker;
- an offset: HEAD reports the earlier one and the phone, which keeps the photo until it is
  verified, resends from there (its part files are not fsynced either, and the whole-file
  SHA-256 at completion guards the result);
- a purge mark: ``cleanup`` removes the (already empty) chunk folder again.

A photo becomes verified only in the verifying transaction, whose commit stays durable.
SQLite commits as usual.

The writes every upload makes (take the lock, renew it, move the offset, mark the chunks
purged) are single statements written once here, so no query is built per chunk: on
PostgreSQL each runs as its own implicit transaction, and ``set_config('synchronous_commit',
'off', true)`` in its WHERE clause applies to that transaction alone (a row is only written
once the clause, and so the setting, has been evaluated for it; the setting is read at
commit and reset after it).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from server.db import sql
from server.photos.models import Upload, UploadState

# Appended to a bookkeeping statement's WHERE clause on PostgreSQL (see the module's note).
_NO_FLUSH_WAIT = " AND set_config('synchronous_commit', 'off', true) = 'off'"

_TAKE_LOCK = (
    "UPDATE photo_upload SET lock_token = $1, locked_until = $2 "
    "WHERE id = $3 AND state = $4 AND upload_offset = $5 "
    "AND (lock_token IS NULL OR locked_until < $6)"
)
_MARK_PURGED = "UPDATE photo_upload SET purged = $1 WHERE id = $2"
_RENEW_LOCK = "UPDATE photo_upload SET locked_until = $1 WHERE id = $2 AND lock_token = $3"
_MOVE_OFFSET = (
    "UPDATE photo_upload SET upload_offset = $1, parts = $2, lock_token = NULL, "
    "locked_until = NULL, updated_at = $3, expires_at = $4 "
    "WHERE id = $5 AND lock_token = $6 AND state = $7"
)


def _db(field: str, value: object) -> Any:
    """A value as tortoise writes it to this column (the same text on SQLite)."""
    return Upload._meta.fields_map[field].to_db_value(value, Upload)


async def _bookkeeping(statement: str, values: list[Any]) -> int:
    connection = connections.get("default")
    if isinstance(connection, TransactionalDBClient):
        # Inside a transaction the setting would hold until its end, and that commit (it
        # may verify a photo) must stay durable: these statements commit on their own only.
        raise RuntimeError("upload bookkeeping runs outside any transaction")
    if connection.capabilities.dialect == "postgres":
        statement += _NO_FLUSH_WAIT
    changed, _ = await connection.execute_query(sql(connection, statement), values)
    return int(changed)


async def take_lock(
    upload_id: uuid.UUID, offset: int, token: str, *, now: datetime, until: datetime
) -> bool:
    """Lock an open upload standing at ``offset`` for ``token`` until ``until``, unless
    another request holds it (a lock that ran out by ``now`` is free)."""
    values = [
        token,
        _db("locked_until", until),
        _db("id", upload_id),
        UploadState.OPEN.value,
        offset,
        _db("locked_until", now),
    ]
    return await _bookkeeping(_TAKE_LOCK, values) == 1


async def renew_lock(upload_id: uuid.UUID, token: str, *, until: datetime) -> bool:
    """Keep holding the upload's lock until ``until``; False if it was taken over."""
    values = [_db("locked_until", until), _db("id", upload_id), token]
    return await _bookkeeping(_RENEW_LOCK, values) == 1


async def move_offset(
    upload_id: uuid.UUID,
    token: str,
    offset: int,
    parts: list[dict[str, Any]],
    *,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """Accept a chunk: the new offset and parts list, the lock freed; False unless the
    upload is still open and locked by ``token``."""
    values = [
        offset,
        _db("parts", parts),
        _db("updated_at", now),
        _db("expires_at", expires_at),
        _db("id", upload_id),
        token,
        UploadState.OPEN.value,
    ]
    return await _bookkeeping(_MOVE_OFFSET, values) == 1


async def mark_purged(upload_id: uuid.UUID) -> bool:
    """Note that the upload's chunks are gone from the store."""
    values = [Upload._meta.fields_map["purged"].to_db_value(True, Upload), _db("id", upload_id)]
    return await _bookkeeping(_MARK_PURGED, values) == 1
