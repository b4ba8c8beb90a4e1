"""Storing chained audit rows: one statement on PostgreSQL, tortoise on SQLite.

Why a module of its own: the rows are written while the chain head is locked - the last lock
of every writing transaction, held to COMMIT - so this is on the critical path of every push
and pull. On PostgreSQL the rows (as JSON, ``server.rows``) and the head's new hash go in one
statement instead of a model object per row, a batched INSERT and a second UPDATE.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.audit.models import AuditEvent
from server.db import sql
from server.rows import execute, is_postgres, model_row, typed_arrays, typed_insert_sql


@cache
def _append_sql() -> str:
    insert = typed_insert_sql(AuditEvent)[0]
    last = len(typed_insert_sql(AuditEvent)[1]) + 1
    return (
        f"WITH w AS ({insert}) "  # noqa: S608
        f"UPDATE audit_chain_head SET last_hash = ${last} WHERE id = 1"
    )


async def store_rows(
    connection: BaseDBAsyncClient,
    rows: Sequence[Mapping[str, Any]],
    last_hash: str,
    at: datetime,
) -> None:
    """Insert audit rows (their fields by name) and set the chain head's hash to ``last_hash``.

    The caller holds the head row (``UPDATE audit_chain_head ... RETURNING``) in this
    transaction and has chained the rows to it.
    """
    if is_postgres(connection):
        whole = [model_row(AuditEvent, row, at) for row in rows]
        await execute(connection, _append_sql(), *typed_arrays(AuditEvent, whole), last_hash)
        return
    await AuditEvent.bulk_create([AuditEvent(**row) for row in rows], using_db=connection)
    await connection.execute_query(
        sql(connection, "UPDATE audit_chain_head SET last_hash = $1 WHERE id = 1"), [last_hash]
    )
