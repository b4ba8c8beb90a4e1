"""Writing and checking the audit log (DPA 2018 s.62).

Each row is chained to the one before by SHA-256 over its content and the previous hash; the
writer locks the chain head row in the same transaction, so rows are linear and gap-free even
with several workers. Rows carry identifiers only, never victims' personal data.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.audit.models import AuditAction, AuditEvent
from server.audit.store import store_rows
from server.db import sql


@dataclass(frozen=True)
class AuditEntry:
    """What to record: who did what to which record, and why."""

    action: AuditAction
    actor_id: uuid.UUID | None = None
    device_id: uuid.UUID | None = None
    record_type: str = ""
    record_id: str = ""
    reason: str = ""
    recipient: str = ""
    request_id: str = ""


def row_hash(prev_hash: str, row_id: int, at: datetime, entry: AuditEntry) -> str:
    """The hash that chains one audit row to the previous one."""
    content = {
        "id": row_id,
        "at": at.isoformat(),
        "action": entry.action.value,
        "actor_id": str(entry.actor_id) if entry.actor_id else "",
        "device_id": str(entry.device_id) if entry.device_id else "",
        "record_type": entry.record_type,
        "record_id": entry.record_id,
        "reason": entry.reason,
        "recipient": entry.recipient,
        "request_id": entry.request_id,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _entry_of(row: AuditEvent) -> AuditEntry:
    return AuditEntry(
        action=AuditAction(row.action),
        actor_id=row.actor_id,
        device_id=row.device_id,
        record_type=row.record_type,
        record_id=row.record_id,
        reason=row.reason,
        recipient=row.recipient,
        request_id=row.request_id,
    )


async def write_audit(
    entries: Iterable[AuditEntry], at: datetime, connection: BaseDBAsyncClient | None = None
) -> int:
    """Append entries to the chain inside ``connection``'s transaction (or a new one)."""
    entries = list(entries)
    if not entries:
        return 0
    if connection is None:
        async with in_transaction() as own:
            return await write_audit(entries, at, own)
    # Taking the head row first locks the chain until this transaction ends.
    head = await connection.execute_query_dict(
        sql(
            connection,
            "UPDATE audit_chain_head SET last_id = last_id + $1 WHERE id = 1 "
            "RETURNING last_id, last_hash",
        ),
        [len(entries)],
    )
    last_id = int(head[0]["last_id"]) - len(entries)
    prev_hash = str(head[0]["last_hash"])
    rows = []
    for entry in entries:
        last_id += 1
        digest = row_hash(prev_hash, last_id, at, entry)
        rows.append(
            dict(
                id=last_id,
                at=at,
                action=entry.action,
                actor_id=entry.actor_id,
                device_id=entry.device_id,
                record_type=entry.record_type,
                record_id=entry.record_id,
                reason=entry.reason[:500],
                recipient=entry.recipient[:200],
                request_id=entry.request_id,
                prev_hash=prev_hash,
                row_hash=digest,
            )
        )
        prev_hash = digest
    await store_rows(connection, rows, prev_hash, at)
    return len(rows)


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the audit chain."""

    rows_checked: int
    first_broken_id: int | None
    problem: str = ""


async def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every row's hash in order; name the first row whose hash or link is wrong."""
    prev_hash = ""
    expected_id = 1
    checked = 0
    last_seen = 0
    while True:
        rows = await AuditEvent.filter(id__gt=last_seen).order_by("id").limit(batch)
        if not rows:
            break
        for row in rows:
            if row.id != expected_id:
                return ChainReport(checked, row.id, f"row {expected_id} is missing")
            if row.prev_hash != prev_hash:
                return ChainReport(checked, row.id, "link to the previous row is broken")
            if row_hash(prev_hash, row.id, row.at, _entry_of(row)) != row.row_hash:
                return ChainReport(checked, row.id, "content does not match its hash")
            prev_hash = row.row_hash
            expected_id += 1
            checked += 1
            last_seen = row.id
    head = await _chain_head()
    if head is not None and (head["last_id"] != last_seen or head["last_hash"] != prev_hash):
        return ChainReport(checked, last_seen + 1, "rows after the last one were removed")
    return ChainReport(checked, None)


async def _chain_head() -> dict[str, Any] | None:
    from tortoise import connections

    rows = await connections.get("default").execute_query_dict(
        "SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1"
    )
    return rows[0] if rows else None
