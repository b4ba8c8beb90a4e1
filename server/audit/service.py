"""Writing the audit log (DPA 2018 s.62).

Each row is chained to the one before by an HMAC over its content and the previous hash
(``server/audit/chain.py``, key from ``server/audit/keys.py``); the writer locks the chain head
row in the same transaction, so rows are linear and gap-free even with several workers. Rows
carry identifiers only, never victims' personal data.

On PostgreSQL the server's role may only INSERT and SELECT audit rows (``server/db_roles.py``),
the triggers of migration 0003 refuse UPDATE, DELETE and TRUNCATE to anyone else, and signed
anchors outside the database catch truncation (``server/audit/anchors.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.audit.chain import AuditEntry
from server.audit.keys import AuditKey, AuditKeys, audit_keys
from server.audit.models import AuditAction, AuditEvent
from server.audit.store import Chained, store_rows
from server.audit.verify import ChainReport, verify_chain
from server.db import sql

__all__ = ["AuditEntry", "ChainReport", "seal_chain", "verify_chain", "write_audit"]


async def write_audit(
    entries: Iterable[AuditEntry], at: datetime, connection: BaseDBAsyncClient | None = None
) -> int:
    """Append entries to the chain inside ``connection``'s transaction (or a new one).

    Nothing to write needs no key: a command that records feed changes without audit rows
    (installing the default advice catalogue at ``doorstep migrate``) runs without one.
    """
    rows = list(entries)
    if not rows:
        return 0
    return await _append(rows, at, connection, audit_keys().current)


async def _append(
    entries: list[AuditEntry], at: datetime, connection: BaseDBAsyncClient | None, key: AuditKey
) -> int:
    if not entries:
        return 0
    if connection is None:
        async with in_transaction() as own:
            return await _append(entries, at, own, key)
    # Taking the head row first locks the chain until this transaction ends.
    head = await connection.execute_query_dict(
        sql(
            connection,
            "UPDATE audit_chain_head SET last_id = last_id + $1 WHERE id = 1 "
            "RETURNING last_id, last_hash",
        ),
        [len(entries)],
    )
    first_id = int(head[0]["last_id"]) - len(entries) + 1
    prev_hash = str(head[0]["last_hash"])
    await store_rows(connection, Chained.of(key, entries, first_id, prev_hash, at))
    return len(entries)


async def seal_chain(at: datetime, keys: AuditKeys | None = None) -> int:
    """Append one row under the current key if the newest row is not under it; return 1 if so.

    After the upgrade to keyed hashing (or a key rotation) the newest rows are unkeyed (or
    under a retired key) until something is written. The seal's HMAC covers the last of them,
    so from then on they cannot be rewritten without the key. Two servers sealing at once
    write two seal rows, which is harmless.
    """
    keys = keys or audit_keys()
    last = await AuditEvent.all().order_by("-id").first()
    if last is None or last.key_id == keys.current.key_id:
        return 0
    entry = AuditEntry(
        action=AuditAction.ALTER,
        record_type="audit_log",
        reason=f"audit chain continues under HMAC key {keys.current.key_id}",
    )
    return await _append([entry], at, None, keys.current)
