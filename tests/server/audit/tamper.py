"""What an attacker with the database (but not necessarily the key) does to the audit log.

These helpers go around the append-only triggers the way someone holding the database would
(PostgreSQL: ``session_replication_role = replica`` as a superuser; SQLite: drop the triggers)
and rewrite rows and the chain head consistently, so only the key and the anchors can tell.
"""

from __future__ import annotations

from collections.abc import Callable

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.audit.chain import AuditEntry, keyed_row_hash, unkeyed_row_hash
from server.audit.keys import AuditKey
from server.audit.models import AuditEvent
from server.db import sql

# (previous hash, row) -> (key_id, row_hash) the attacker writes for that row.
Rehash = Callable[[str, AuditEvent], tuple[str, str]]


def unkeyed(prev_hash: str, row: AuditEvent) -> tuple[str, str]:
    """Rehash a row as unkeyed with the app's own plain SHA-256, as anyone reading the source
    can (and label it as an unkeyed row)."""
    return "", unkeyed_row_hash(prev_hash, row.id, row.at, AuditEntry.of_row(row))


def unkeyed_keeping_label(prev_hash: str, row: AuditEvent) -> tuple[str, str]:
    """Rehash a row with plain SHA-256 but keep its key id (as if nobody checked the scheme)."""
    return row.key_id, unkeyed(prev_hash, row)[1]


def keyed_with(key: AuditKey, label: str | None = None) -> Rehash:
    """Rehash rows under ``key``, labelled with ``label`` (default: that key's own id)."""

    def rehash(prev_hash: str, row: AuditEvent) -> tuple[str, str]:
        digest = keyed_row_hash(key, prev_hash, row.id, row.at, AuditEntry.of_row(row))
        return (key.key_id if label is None else label), digest

    return rehash


async def _open_up(backend: str, conn: BaseDBAsyncClient) -> None:
    if backend == "postgres":
        await conn.execute_script("SET LOCAL session_replication_role = replica")
    else:
        await conn.execute_script("DROP TRIGGER IF EXISTS audit_event_no_update")
        await conn.execute_script("DROP TRIGGER IF EXISTS audit_event_no_delete")


async def run_bypassing_triggers(backend: str, *statements: str) -> None:
    """Run raw statements on the audit table with its triggers out of the way."""
    async with in_transaction() as conn:
        await _open_up(backend, conn)
        for statement in statements:
            await conn.execute_script(statement)


async def rewrite_chain_from(backend: str, first_id: int, rehash: Rehash) -> None:
    """Recompute every row's link and hash from ``first_id`` on, and the chain head to match."""
    async with in_transaction() as conn:
        await _open_up(backend, conn)
        prev = ""
        if first_id > 1:
            prev = (await AuditEvent.get(id=first_id - 1).using_db(conn)).row_hash
        rows = await AuditEvent.filter(id__gte=first_id).order_by("id").using_db(conn)
        for row in rows:
            key_id, digest = rehash(prev, row)
            await conn.execute_query(
                sql(
                    conn,
                    "UPDATE audit_event SET prev_hash = $1, row_hash = $2, key_id = $3 "
                    "WHERE id = $4",
                ),
                [prev, digest, key_id, row.id],
            )
            prev = digest
        await conn.execute_query(
            sql(conn, "UPDATE audit_chain_head SET last_hash = $1 WHERE id = 1"), [prev]
        )


async def truncate_to(backend: str, last_kept: int) -> None:
    """Delete every row after ``last_kept`` and point the chain head at it, as an insider would."""
    async with in_transaction() as conn:
        await _open_up(backend, conn)
        kept = await AuditEvent.get(id=last_kept).using_db(conn)
        await conn.execute_query(sql(conn, "DELETE FROM audit_event WHERE id > $1"), [last_kept])
        await conn.execute_query(
            sql(conn, "UPDATE audit_chain_head SET last_id = $1, last_hash = $2 WHERE id = 1"),
            [last_kept, kept.row_hash],
        )
