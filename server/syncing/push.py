"""The push transaction: exactly once per client seq, recorded through the change feed.

A push runs in one transaction: the client's row is locked first (one push per client at a
time), every record the batch touches is locked in the feed's order, every new mutation is
authorised, validated and merged in seq order against that in-memory view
(``server.syncing.apply``), the received mutations are stored, and only then are the changes
recorded by ``server.feed.record_changes`` (versions no pull can skip: ``server.feed.versions``).
All the Python work is done before that; on PostgreSQL the client's row is one upsert and the
received mutations one statement (``server.syncing.received``), so a push of 100 mutations is
about a dozen statements (``tests/server/syncing/test_push_statements.py``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError
from tortoise.transactions import in_transaction

from server.auth.principal import Principal
from server.context import RequestContext
from server.errors import ServiceUnavailable
from server.feed import Change, record_changes
from server.observability import MUTATIONS
from server.rows import execute, is_postgres
from server.syncing.apply import apply_one, child_visit_id, settle_reports
from server.syncing.errors import SyncRequestError, foreign_client
from server.syncing.models import ReceivedMutation, SyncClient
from server.syncing.received import received_row, store_received
from server.syncing.work import PushWork, preload, rejected
from sync import PushRequest, SyncError, check_batch, check_replay, parse_mutation

log = logging.getLogger("doorstep.sync")
# A lost race: two pushes creating one record, or a deadlock / serialization failure.
_RETRYABLE = (
    IntegrityError,
    OperationalError,
    TransactionManagementError,
    asyncpg.exceptions.TransactionRollbackError,
)
# One statement locks (or creates) the client's row and reads its acknowledged seq; a row of
# another officer's is left as it is and yields nothing.
_UPSERT_CLIENT = (
    "INSERT INTO sync_client (id, officer_id, device_id, last_seq, created_at, last_seen_at) "
    "VALUES ($1, $2, $3, 0, $4, $4) ON CONFLICT (id) DO UPDATE "
    "SET last_seen_at = EXCLUDED.last_seen_at, device_id = EXCLUDED.device_id "
    "WHERE sync_client.officer_id = EXCLUDED.officer_id RETURNING last_seq"
)
_ATTEMPTS = 4


def _changes(work: PushWork) -> list[Change]:
    """The feed changes this push made: each touched record's new row and its revisions."""
    changes = []
    for pending in work.touched.values():
        if not pending.revisions:
            continue
        state = pending.state
        assert state is not None
        columns: dict[str, Any] = {
            "rev": state.rev,
            "field_revs": dict(state.field_revs),
            "field_authors": dict(state.field_authors),
            "conflicts": [c.to_json() for c in state.conflicts],
            "deleted": state.deleted,
        }
        if pending.model is not None:
            paths = state.fields if pending.row is None else pending.changed
            columns |= pending.collection.columns(
                pending.model, [p for p in paths if p != "visit_id"]
            )
        if pending.completed_now:
            columns["completed_at"] = work.ctx.now
        columns |= pending.server_columns
        if pending.row is None:
            columns |= pending.owner
        is_child = pending.collection.is_child
        changes.append(
            Change(
                pending.collection.model,
                pending.record_id,
                child_visit_id(pending) if is_child else pending.record_id,
                columns,
                revisions=pending.revisions,
                create=pending.row is None,
            )
        )
    return changes


async def _client_row(
    connection: BaseDBAsyncClient, client_id: str, principal: Principal, now: datetime
) -> int:
    """Lock (or create) the client's row: one push per client at a time, and a write first.

    Returns its acknowledged seq. On PostgreSQL one upsert does it all; two first pushes of
    one client at once meet on the primary key and the second waits for the first.
    """
    cid = uuid.UUID(client_id)
    if is_postgres(connection):
        found = await execute(
            connection, _UPSERT_CLIENT, cid, principal.officer_id, principal.device_id, now
        )
        if found is None:  # another officer's client id is unknown to this one
            raise foreign_client(cid)
        return int(found)
    updated = (
        await SyncClient.filter(id=cid, officer_id=principal.officer_id)
        .using_db(connection)
        .update(last_seen_at=now, device_id=principal.device_id)
    )
    if not updated:
        # Another officer's client id is unknown to this one. The same officer's client may
        # have been created by a concurrent first push since the UPDATE: then the INSERT below
        # fails on the primary key and the whole push is retried, finding the row.
        others = SyncClient.filter(id=cid).exclude(officer_id=principal.officer_id)
        if await others.using_db(connection).exists():
            raise foreign_client(cid)
        await SyncClient.create(
            id=cid,
            officer_id=principal.officer_id,
            device_id=principal.device_id,
            last_seq=0,
            last_seen_at=now,
            using_db=connection,
        )
    query = SyncClient.filter(id=cid).using_db(connection)
    if connection.capabilities.dialect == "postgres":
        query = query.select_for_update()
    client = await query.first()
    assert client is not None
    return int(client.last_seq)


async def _push_once(request: PushRequest, ctx: RequestContext) -> dict[str, Any]:
    async with in_transaction() as connection:
        last_seq = await _client_row(connection, request.client_id, ctx.caller, ctx.now)
        client_id = uuid.UUID(request.client_id)
        try:
            plan = check_batch(last_seq, [e.seq for e in request.entries])
        except SyncError as exc:
            raise SyncRequestError(exc) from exc
        results: dict[int, dict[str, Any]] = {}
        if plan.replayed:
            stored = {
                r.seq: r
                for r in await ReceivedMutation.filter(
                    client_id=client_id, seq__in=list(plan.replayed)
                ).using_db(connection)
            }
            for entry in request.entries:
                if entry.seq in stored:
                    row = stored[entry.seq]
                    try:
                        check_replay(entry.seq, row.digest, entry.digest)
                    except SyncError as exc:
                        raise SyncRequestError(exc) from exc
                    results[entry.seq] = {"status": row.status, "rev": row.rev, "error": row.error}
        work = PushWork(ctx, request.client_id, connection)
        await preload(work, [dict(e.raw) for e in request.entries if e.seq not in results])
        received: list[dict[str, Any]] = []
        for entry in request.entries:
            if entry.seq in results:
                continue
            raw_mutation = dict(entry.raw)
            try:
                mutation = parse_mutation(raw_mutation, entry.index)
                result = await apply_one(work, mutation, entry.seq)
            except SyncError as exc:
                result = rejected(exc)
            results[entry.seq] = result
            received.append(received_row(client_id, entry.seq, entry.digest, raw_mutation, result))
        if received:
            await store_received(connection, client_id, received, plan.last_seq, ctx.now)
        # Reports linked to the pushed visits (server.reports.linking), locked in preload.
        reports, exits = await settle_reports(work)
        await record_changes(
            connection, _changes(work) + reports, exits=exits, audit=work.audit, now=ctx.now
        )
    for stored_row in received:
        MUTATIONS.labels(stored_row["status"]).inc()
    return {
        "last_seq": plan.last_seq,
        "results": [{"seq": e.seq, **results[e.seq]} for e in request.entries],
    }


async def push(request: PushRequest, *, ctx: RequestContext) -> dict[str, Any]:
    """Apply a push exactly once; a lost race (same new record, deadlock) is retried whole."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return await _push_once(request, ctx)
        except _RETRYABLE as exc:
            log.warning("push retried", extra={"attempt": attempt, "error": type(exc).__name__})
    raise ServiceUnavailable(headers={"Retry-After": "2"})
