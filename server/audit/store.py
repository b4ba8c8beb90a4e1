"""Storing chained audit rows: one statement on PostgreSQL, tortoise on SQLite.

Why a module of its own: the rows are written while the chain head is locked - the last lock
of every writing transaction, held to COMMIT - so this is on the critical path of every push
and pull. On PostgreSQL the rows (as JSON, ``server.rows``) and the head's new hash go in one
statement instead of a model object per row, a batched INSERT and a second UPDATE.

``append_per_record`` is the visit list's: one entry about each of many records, on a raw
asyncpg connection whose statement already took the head (``head_lock_cte``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from operator import attrgetter
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient

from server.audit.chain import AuditEntry, chain_hashes
from server.audit.keys import AuditKey, audit_keys
from server.audit.models import AuditEvent
from server.db import sql
from server.rows import encode_rows, execute, insert_sql, is_postgres, model_row

# Columns every row of one write usually shares (who, on which request): sent once.
_SHARED = ("actor_id", "device_id", "recipient", "request_id")
_shared_of = attrgetter(*_SHARED)


# What differs from row to row of such a write: sent as one JSON array (``server.rows``).
_OWN = ("id", "action", "record_type", "record_id", "reason", "prev_hash", "row_hash")


@cache
def _shared_sql() -> str:
    own = ", ".join(_OWN)
    return (
        f"WITH w AS (INSERT INTO audit_event ({own}, at, {', '.join(_SHARED)}, key_id) "  # noqa: S608
        f"SELECT {', '.join(f'u.{c}' for c in _OWN)}, "
        "$2::timestamptz, $3::uuid, $4::uuid, $5::text, $6::text, $7::text "
        "FROM jsonb_populate_recordset(NULL::audit_event, $1::jsonb) AS u) "
        "UPDATE audit_chain_head SET last_hash = $8 WHERE id = 1"
    )


@cache
def _append_sql() -> str:
    return (
        f"WITH w AS ({insert_sql(AuditEvent)}) "  # noqa: S608
        "UPDATE audit_chain_head SET last_hash = $2 WHERE id = 1"
    )


def _as_stored(entry: AuditEntry) -> AuditEntry:
    """The entry as its row holds it: the columns take 500 and 200 characters, and a row is
    hashed as it is stored."""
    if len(entry.reason) <= 500 and len(entry.recipient) <= 200:
        return entry
    return replace(entry, reason=entry.reason[:500], recipient=entry.recipient[:200])


@dataclass(frozen=True)
class Chained:
    """Rows ready to store: ``entries`` (as stored) at ids ``first_id``..., each hashed under
    the key ``key_id`` and chained to the one before, the first to ``prev_hash``."""

    entries: list[AuditEntry]
    first_id: int
    prev_hash: str
    hashes: list[str]
    at: datetime
    key_id: str

    @classmethod
    def of(
        cls,
        key: AuditKey,
        entries: Sequence[AuditEntry],
        first_id: int,
        prev_hash: str,
        at: datetime,
    ) -> Chained:
        """``entries`` cut to what their rows hold, hashed and chained after ``prev_hash``."""
        stored = [_as_stored(e) for e in entries]
        hashes = chain_hashes(key, prev_hash, first_id, at, stored)
        return cls(stored, first_id, prev_hash, hashes, at, key.key_id)

    def own_columns(self) -> list[dict[str, Any]]:
        """Each row's ``_OWN`` columns: its id, what it records and its place in the chain."""
        return [
            {
                "id": row_id,
                "action": entry.action,
                "record_type": entry.record_type,
                "record_id": entry.record_id,
                "reason": entry.reason,
                "prev_hash": prev,
                "row_hash": digest,
            }
            for row_id, entry, prev, digest in zip(
                range(self.first_id, self.first_id + len(self.entries)),
                self.entries,
                [self.prev_hash, *self.hashes[:-1]],
                self.hashes,
                strict=True,
            )
        ]

    def whole_rows(self) -> list[dict[str, Any]]:
        """Every column of each row, by field name."""
        return [
            {
                **own,
                **dict(zip(_SHARED, _shared_of(e), strict=True)),
                "at": self.at,
                "key_id": self.key_id,
            }
            for own, e in zip(self.own_columns(), self.entries, strict=True)
        ]

    def statement(self) -> tuple[str, list[Any]]:
        """The PostgreSQL statement and arguments that insert the rows and set the chain
        head's hash to the last.

        Rows of one write that share who and which request (a pull page, a list page, a
        push) send those once and only the columns that differ; others go as whole rows
        (``server.rows.insert_sql``).
        """
        shared = _shared_of(self.entries[0])
        if all(_shared_of(e) == shared for e in self.entries):
            own = orjson.dumps(self.own_columns()).decode()
            return _shared_sql(), [own, self.at, *shared, self.key_id, self.hashes[-1]]
        rows = [model_row(AuditEvent, row, self.at) for row in self.whole_rows()]
        return _append_sql(), [encode_rows(rows), self.hashes[-1]]


async def store_rows(connection: BaseDBAsyncClient, chained: Chained) -> None:
    """Insert the chained rows and set the chain head's hash to the last.

    The caller holds the head row (``UPDATE audit_chain_head ... RETURNING``) in this
    transaction and has chained the rows to it.
    """
    if is_postgres(connection):
        statement, args = chained.statement()
        await execute(connection, statement, *args)
        return
    await AuditEvent.bulk_create(
        [AuditEvent(**row) for row in chained.whole_rows()], using_db=connection
    )
    await connection.execute_query(
        sql(connection, "UPDATE audit_chain_head SET last_hash = $1 WHERE id = 1"),
        [chained.hashes[-1]],
    )


# --- one entry per record, on a raw asyncpg connection (the visit list) ------------------------


def head_lock_cte(count_sql: str, when_sql: str = "TRUE") -> str:
    """``head AS (...)``: a data-modifying CTE that takes the chain head for ``count_sql`` new
    rows (only when ``when_sql`` holds) and returns the head's new ``last_id`` and its
    ``last_hash``.

    For a statement that reads what it is about to audit and takes the head in the same round
    trip. The head row stays locked until the transaction ends, and under READ COMMITTED the
    UPDATE waits for a concurrent writer and then works on the head as that writer left it, so
    rows chained to it are linear and gap-free, as ``write_audit``'s are.
    """
    # The fragments are the caller's constant SQL; values travel as parameters.
    return (
        f"head AS (UPDATE audit_chain_head SET last_id = last_id + ({count_sql}) "  # noqa: S608
        f"WHERE id = 1 AND ({when_sql}) RETURNING last_id, last_hash)"
    )


async def append_per_record(
    connection: Any,
    entry: AuditEntry,
    record_ids: Sequence[str],
    last_id: int,
    last_hash: str,
    at: datetime,
) -> None:
    """Store one row of ``entry`` per record, chained, on the asyncpg ``connection`` whose
    transaction holds the head (``head_lock_cte``), taken for ``len(record_ids)`` rows: the
    head now says ``last_id`` and the hash of the row before the first, ``last_hash``.

    One statement inserts them all and sets the head's hash (``Chained.statement``).
    """
    if not record_ids:
        return
    entries = [replace(entry, record_id=record_id) for record_id in record_ids]
    first_id = last_id - len(entries) + 1
    chained = Chained.of(audit_keys().current, entries, first_id, last_hash, at)
    statement, args = chained.statement()
    await connection.execute(statement, *args)
