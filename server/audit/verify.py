"""Checking the audit log: every row's hash under its key, every link, and every anchor.

The walk names the first row that is wrong. Beyond recomputing hashes it refuses the two ways
someone holding the database could make a rewritten chain look valid:

- a downgrade: unkeyed rows are accepted only as the oldest part of the chain, and a chain
  that has any must end in a keyed row (the seal); keyed rows never go back to an older key;
- a truncation: the newest rows deleted and the chain head moved back. Only something outside
  the database can tell, so every signed anchor (``server/audit/anchors.py``) is checked: the
  row it names must exist and have the hash it recorded.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.audit.chain import AuditEntry, keyed_row_hash, unkeyed_row_hash
from server.audit.keys import AuditKeys, audit_keys
from server.audit.models import AuditEvent

if TYPE_CHECKING:
    from server.audit.anchors import Anchor, AnchorStore


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the audit chain (and its anchors)."""

    rows_checked: int
    first_broken_id: int | None
    problem: str = ""
    anchors_checked: int = 0

    @property
    def intact(self) -> bool:
        """True when nothing at all was wrong."""
        return self.first_broken_id is None and not self.problem


class _Broken(Exception):
    def __init__(self, row_id: int, problem: str) -> None:
        self.row_id = row_id
        self.problem = problem


class _Walk:
    """The state of one pass over the rows, oldest first."""

    def __init__(self, keys: AuditKeys, anchors: Sequence[Anchor]) -> None:
        self.keys = keys
        self.anchored = {a.last_id: a for a in anchors}
        self.prev_hash = ""
        self.checked = 0
        self.last_id = 0
        self.rank: int | None = None  # of the newest keyed row's key; None while unkeyed

    def check(self, row: AuditEvent) -> None:
        if row.id != self.last_id + 1:
            raise _Broken(row.id, f"row {self.last_id + 1} is missing")
        if row.prev_hash != self.prev_hash:
            raise _Broken(row.id, "link to the previous row is broken")
        entry = AuditEntry.of_row(row)
        if row.key_id == "":
            if self.rank is not None:
                raise _Broken(row.id, "unkeyed row after keyed rows (a downgrade)")
            digest = unkeyed_row_hash(self.prev_hash, row.id, row.at, entry)
        else:
            rank = self.keys.rank(row.key_id)
            if rank is None:
                raise _Broken(row.id, f"hashed with key {row.key_id}, which is not configured")
            if self.rank is not None and rank > self.rank:
                raise _Broken(row.id, "hashed with an older key than the row before it")
            self.rank = rank
            digest = keyed_row_hash(self.keys.at_rank(rank), self.prev_hash, row.id, row.at, entry)
        if not hmac.compare_digest(digest, row.row_hash):
            raise _Broken(row.id, "content does not match its hash")
        anchor = self.anchored.get(row.id)
        if anchor is not None and not hmac.compare_digest(anchor.last_hash, row.row_hash):
            raise _Broken(
                row.id,
                f"its hash differs from the anchor written at {anchor.anchored_at}: rows up to "
                f"{row.id} were rewritten since",
            )
        self.prev_hash = row.row_hash
        self.last_id = row.id
        self.checked += 1

    def finish(self, head: dict[str, Any] | None) -> None:
        newest = max(self.anchored.values(), key=lambda a: a.last_id, default=None)
        if newest is not None and newest.last_id > self.last_id:
            raise _Broken(
                self.last_id + 1,
                f"rows {self.last_id + 1} to {newest.last_id} are missing: the anchor written "
                f"at {newest.anchored_at} records {newest.last_id} rows",
            )
        if head is not None and (
            int(head["last_id"]) != self.last_id or head["last_hash"] != self.prev_hash
        ):
            raise _Broken(self.last_id + 1, "rows after the last one were removed")
        if self.checked and self.rank is None:
            raise _Broken(
                self.last_id,
                f"rows up to {self.last_id} are unkeyed and no keyed row follows them: after "
                "upgrading, `doorstep audit-anchor` (or starting the server) seals them; "
                "otherwise they were rewritten without the key",
            )


async def verify_chain(
    keys: AuditKeys | None = None, anchors: Sequence[Anchor] = (), batch: int = 5000
) -> ChainReport:
    """Recompute every row's hash in order; name the first row that is wrong.

    On PostgreSQL the walk and the final look at the chain head share one snapshot, so rows
    written meanwhile by a running server are not mistaken for a mismatch. (SQLite in a
    long read transaction would hold writers back, so there it reads as it goes.)
    """
    walk = _Walk(keys or audit_keys(), anchors)
    try:
        if connections.get("default").capabilities.dialect == "postgres":
            async with in_transaction() as conn:
                await conn.execute_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                await _walk_rows(walk, conn, batch)
        else:
            await _walk_rows(walk, connections.get("default"), batch)
    except _Broken as broken:
        return ChainReport(walk.checked, broken.row_id, broken.problem, len(anchors))
    return ChainReport(walk.checked, None, anchors_checked=len(anchors))


async def _walk_rows(walk: _Walk, conn: BaseDBAsyncClient, batch: int) -> None:
    while True:
        newer = AuditEvent.filter(id__gt=walk.last_id).order_by("id").limit(batch)
        rows = await newer.using_db(conn)
        if not rows:
            break
        for row in rows:
            walk.check(row)
    head = await conn.execute_query_dict(
        "SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1"
    )
    walk.finish(head[0] if head else None)


async def verify_audit(keys: AuditKeys, store: AnchorStore) -> ChainReport:
    """Check the chain against every anchor in ``store``; an anchor that is not validly
    signed is itself a finding (the anchor store was tampered with)."""
    from server.audit.anchors import read_anchors

    anchors, problems = await read_anchors(store, keys)
    report = await verify_chain(keys, anchors)
    if report.intact and problems:
        return ChainReport(report.rows_checked, None, problems[0], len(anchors))
    return report
