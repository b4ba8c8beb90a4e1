"""The push transaction: exactly once per client seq, recorded through the change feed.

A push runs in one transaction: the client's row is locked first (one push per client at a
time), every record the batch touches is locked in the feed's order, every new mutation is
authorised, validated and merged in seq order against that in-memory view
(``server.syncing.apply``), the received mutations are stored, and only then are the changes
recorded by ``server.feed.record_changes``, which takes change versions last, just before
COMMIT, so they become visible in commit order and a pull never skips one.
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
from server.errors import NotFound, ServiceUnavailable
from server.feed import Change, record_changes
from server.observability import MUTATIONS
from server.syncing.apply import (
    PushWork,
    apply_one,
    child_visit_id,
    preload,
    rejected,
    settle_reports,
    uuid_or_none,
)
from server.syncing.errors import SyncRequestError
from server.syncing.models import ReceivedMutation, SyncClient
from sync import PushRequest, SyncError, check_batch, check_replay, parse_mutation

log = logging.getLogger("doorstep.sync")
# A lost race: two pushes creating one record, or a deadlock / serialization failure.
_RETRYABLE = (
    IntegrityError,
    OperationalError,
    TransactionManagementError,
    asyncpg.exceptions.TransactionRollbackError,
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
) -> SyncClient:
    """Lock (or create) the client's row: one push per client at a time, and a write first."""
    cid = uuid.UUID(client_id)
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
            raise NotFound("Unknown client.", code="unknown_client")
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
    return client


async def _push_once(request: PushRequest, ctx: RequestContext) -> dict[str, Any]:
    async with in_transaction() as connection:
        client = await _client_row(connection, request.client_id, ctx.caller, ctx.now)
        try:
            plan = check_batch(client.last_seq, [e.seq for e in request.entries])
        except SyncError as exc:
            raise SyncRequestError(exc) from exc
        results: dict[int, dict[str, Any]] = {}
        if plan.replayed:
            stored = {
                r.seq: r
                for r in await ReceivedMutation.filter(
                    client_id=client.id, seq__in=list(plan.replayed)
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
        received: list[ReceivedMutation] = []
        for entry in request.entries:
            if entry.seq in results:
                continue
            raw = dict(entry.raw)
            try:
                mutation = parse_mutation(raw, entry.index)
                result = await apply_one(work, mutation, entry.seq)
            except SyncError as exc:
                result = rejected(exc)
            results[entry.seq] = result
            received.append(
                ReceivedMutation(
                    client_id=client.id,
                    seq=entry.seq,
                    digest=entry.digest,
                    collection=str(raw.get("collection", ""))[:20],
                    record_id=uuid_or_none(raw.get("id")) or uuid.UUID(int=0),
                    op=str(raw.get("op", ""))[:8],
                    base_rev=raw.get("base_rev") if isinstance(raw.get("base_rev"), int) else None,
                    fields_json=raw.get("fields") if isinstance(raw.get("fields"), dict) else {},
                    device_at=str(raw.get("at", ""))[:40],
                    status=result["status"],
                    rev=result["rev"],
                    error=result["error"],
                )
            )
        if received:
            await ReceivedMutation.bulk_create(received, using_db=connection)
            await (
                SyncClient.filter(id=client.id).using_db(connection).update(last_seq=plan.last_seq)
            )
        # Reports linked to the pushed visits (server.reports.linking), locked in preload.
        reports, exits = await settle_reports(work)
        await record_changes(
            connection, _changes(work) + reports, exits=exits, audit=work.audit, now=ctx.now
        )
    for row in received:
        MUTATIONS.labels(row.status).inc()
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
