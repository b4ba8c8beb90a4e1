"""What an attacker with the database (but not necessarily the key) does to the audit log.

These helpers go around the append-only triggers the way someone holding the database would
(PostgreSQL: ``session_replication_role = replica`` as a superuser; SQLite: drop the triggers)
and rewrite rows and the chain head consistently, so only the key and the anchors can tell.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.audit.models import AuditEvent
from server.db import sql

# (previous hash, row) -> (key_id, row_hash) the attacker writes for that row.
Rehash = Callable[[str, AuditEvent], tuple[str, str]]


def unkeyed_sha256(prev_hash: str, row: AuditEvent) -> str:
    """The app's original, unkeyed row hash, as anyone reading the source can compute it."""
    content = {
        "id": row.id,
        "at": row.at.isoformat(),
        "action": str(row.action.value if hasattr(row.action, "value") else row.action),
        "actor_id": str(row.actor_id) if row.actor_id else "",
        "device_id": str(row.device_id) if row.device_id else "",
        "record_type": row.record_type,
        "record_id": row.record_id,
        "reason": row.reason,
        "recipient": row.recipient,
        "request_id": row.request_id,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


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
