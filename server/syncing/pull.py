"""The pull: a page of the change feed in the caller's scope, from one consistent snapshot."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.auth.principal import Principal
from server.auth.scope import report_scope, scope_exit_scope, scope_rule, visit_scope
from server.context import RequestContext
from server.feed import (
    SyncedRecord,
    feed_position,
    position_of,
    scope_exits_after,
    wait_for_position,
)
from server.observability import PULL_WAITS
from server.org.models import Role
from server.reports.models import Report
from server.settings import Settings
from server.syncing import audit, pull_rows
from server.syncing.collections import COLLECTIONS, Collection
from server.syncing.errors import foreign_client
from server.syncing.models import SyncClient
from server.visits.models import Visit
from sync import PullRequest, encode_cursor

# Tests turn this off to run the tortoise path on PostgreSQL as the reference.
ROWS = True
# Seconds a pull waits, one after another, for transactions holding back committed changes.
LATE_WAITS = (0.1, 0.3, 0.6)
_CLIENT = "SELECT officer_id, last_seq FROM sync_client WHERE id = $1"


def feed_tag(epoch: str, principal: Principal, settings: Settings) -> str:
    """What a cursor is only valid for: this feed epoch and this caller's scope.

    A cursor from before a restore (another epoch) or from before the caller's scope changed
    (moved team, new role) would skip records; such a pull starts again from the beginning
    with ``reset: true``.
    """
    parts = [
        epoch,
        str(principal.officer_id),
        principal.role.value,
        str(principal.team_id),
        str(principal.area_id),
        principal.supervision_scope.value,
        str(settings.officers_see_team_visits),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass
class _Read:
    """What one snapshot gave: the candidates and what the answer needs."""

    candidates: list[tuple[int, dict[str, Any]]]
    after: int
    tag: str
    last_seq: int
    reset: bool
    bound: int | None

    def late(self, limit: int) -> int | None:
        """The first version this snapshot had to hold back, when the page has room for it.

        Held back: committed, but above a transaction still in progress (``feed_position``).
        """
        if self.bound is None:
            return None
        held = [v for v, _ in self.candidates if v >= self.bound]
        below = len(self.candidates) - len(held)
        return min(held) if held and below <= limit else None


async def pull(
    request: PullRequest, *, ctx: RequestContext, cursor_tag: str | None = None
) -> dict[str, Any]:
    """Changes in the caller's scope after the cursor, from one consistent snapshot.

    When the snapshot has to hold back changes that are already committed (a transaction that
    started earlier is still in progress), the pull waits a moment for it and reads again, so
    a phone pulling just after a push sees what the server did, not only on its next pull.
    What the page discloses to the device is audited (s.62 consultation) once it is read.
    """
    limit = request.limit
    client = connections.get("default")
    read = _read_rows if ROWS and client.capabilities.dialect == "postgres" else _read_orm
    got = await read(request, ctx, cursor_tag)
    for wait in LATE_WAITS:
        late = got.late(limit)
        if late is None:
            break
        passed = await wait_for_position(late, wait)
        PULL_WAITS.labels("passed" if passed else "still_held").inc()
        if not passed:
            break
        got = await read(request, ctx, cursor_tag)
    return await _answer(ctx, got, limit)


async def _read_orm(request: PullRequest, ctx: RequestContext, cursor_tag: str | None) -> _Read:
    """The candidates read by tortoise (SQLite; the reference path on PostgreSQL)."""
    principal, settings = ctx.caller, ctx.settings
    after, limit = request.after_version, request.limit
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            await connection.execute_script(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
            )
        epoch, bound = await feed_position(connection)
        tag = feed_tag(epoch, principal, settings)
        reset = after > 0 and cursor_tag != tag
        if reset:
            after = 0
        client = (
            await SyncClient.filter(id=uuid.UUID(request.client_id)).using_db(connection).first()
        )
        if client is not None and client.officer_id != principal.officer_id:  # type: ignore[attr-defined]
            raise foreign_client(uuid.UUID(request.client_id))
        last_seq = client.last_seq if client else 0
        candidates: list[tuple[int, dict[str, Any]]] = []
        # Only officers keep records on their phone; supervisors and administrators work online
        # (the supervisor workspace), so their devices are never sent victims' data.
        offline_scope = COLLECTIONS.values() if principal.role is Role.OFFICER else []
        for collection in offline_scope:
            candidates += await _orm_changes(connection, collection, ctx, after, limit)
        if after > 0 and principal.role is Role.OFFICER:
            candidates += await _scope_exits(connection, principal, settings, after, limit)
    return _Read(candidates, after, tag, last_seq, reset, bound)


async def _answer(ctx: RequestContext, got: _Read, limit: int) -> dict[str, Any]:
    """The page: the first ``limit`` changes by version below the snapshot's bound (versions
    a transaction still in progress may yet fill in are for a later pull), audited once read.

    Each collection was read in version order, so a candidate at or above the bound is
    followed only by others above it: dropping them leaves ``has_more`` right.
    """
    bound = got.bound
    candidates = [c for c in got.candidates if bound is None or c[0] < bound]
    candidates.sort(key=lambda c: c[0])
    page = candidates[:limit]
    has_more = len(candidates) > limit
    cursor = encode_cursor(page[-1][0] if page else got.after, got.tag)
    await ctx.write_audit(audit.pulled(ctx, (change for _, change in page)))
    body = {
        "cursor": cursor,
        "has_more": has_more,
        "last_seq": got.last_seq,
        "changes": [change for _, change in page],
    }
    if got.reset:
        body["reset"] = True
    return body


async def _read_rows(request: PullRequest, ctx: RequestContext, cursor_tag: str | None) -> _Read:
    """``pull`` on PostgreSQL: plain rows, in the one ``REPEATABLE READ READ ONLY`` snapshot.

    The collections ``pull_rows`` reads as plain rows (visits and their first children: the
    bulk of every page) go straight to wire records; the others (reports, aftercare records)
    are read by tortoise in the same transaction, so every collection comes from one snapshot
    and a page never skips a version.
    """
    principal, settings = ctx.caller, ctx.settings
    after, limit = request.after_version, request.limit
    rule = scope_rule(principal, settings)
    async with in_transaction() as connection:
        conn = connection._connection
        await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        epoch, bound = await position_of(conn)
        tag = feed_tag(epoch, principal, settings)
        reset = after > 0 and cursor_tag != tag
        if reset:
            after = 0
        owner = await conn.fetchrow(_CLIENT, uuid.UUID(request.client_id))
        if owner is not None and owner[0] != principal.officer_id:
            raise foreign_client(uuid.UUID(request.client_id))
        last_seq = int(owner[1]) if owner is not None else 0
        candidates: list[tuple[int, dict[str, Any]]] = []
        # Only officers keep records on their phone (see ``pull``).
        if principal.role is Role.OFFICER:
            candidates = await pull_rows.read_changes(conn, rule, after, limit)
            for collection in COLLECTIONS.values():
                if collection.name not in pull_rows.READS:
                    candidates += await _orm_changes(connection, collection, ctx, after, limit)
            if after > 0:
                candidates += await _scope_exits(connection, principal, settings, after, limit)
    return _Read(candidates, after, tag, last_seq, reset, bound)


async def _orm_changes(
    connection: BaseDBAsyncClient,
    collection: Collection,
    ctx: RequestContext,
    after: int,
    limit: int,
) -> list[tuple[int, dict[str, Any]]]:
    """One collection's next changes in the caller's scope, read by tortoise."""
    scope = collection.readable_by(ctx.caller, ctx.settings)
    query = collection.model.filter(scope, version__gt=after).using_db(connection)
    if after == 0:
        query = query.filter(deleted=False)
    return [
        (row.version, _change(collection, row))
        for row in await query.order_by("version").limit(limit + 1)
    ]


def _change(collection: Collection, row: SyncedRecord) -> dict[str, Any]:
    if row.deleted:
        return {
            "collection": collection.name,
            "id": str(row.id),
            "rev": row.rev,
            "deleted": True,
            "record": None,
            "conflicts": list(row.conflicts),
            "reason": "deleted",
        }
    return {
        "collection": collection.name,
        "id": str(row.id),
        "rev": row.rev,
        "deleted": False,
        "record": collection.wire_record(row),
        "conflicts": list(row.conflicts),
    }


async def _scope_exits(
    connection: BaseDBAsyncClient,
    principal: Principal,
    settings: Settings,
    after: int,
    limit: int,
) -> list[tuple[int, dict[str, Any]]]:
    """Tombstones for records that left the caller's scope after the cursor.

    An exit is meant for this reader when the old scope matched (``scope_exit_scope``: the
    visit rule for visits and their children, the report rule for reports) and the record is
    not still visible now (e.g. reassigned within the reader's own team).
    """
    exits = scope_exit_scope(principal, settings)
    mine = await scope_exits_after(connection, exits, after, limit + 1)
    if not mine:
        return []
    visit_ids = [e.visit_id for e in mine if e.collection != "reports"]
    report_ids = [e.record_id for e in mine if e.collection == "reports"]
    still_visible = {
        v.id
        for v in await Visit.filter(visit_scope(principal, settings), id__in=visit_ids).using_db(
            connection
        )
    } | {
        r.id
        for r in await Report.filter(report_scope(principal, settings), id__in=report_ids).using_db(
            connection
        )
    }
    return [
        (
            e.version,
            {
                "collection": e.collection,
                "id": str(e.record_id),
                "rev": 0,
                "deleted": True,
                "record": None,
                "conflicts": [],
                "reason": "out_of_scope",
            },
        )
        for e in mine
        if e.visit_id not in still_visible
    ]
