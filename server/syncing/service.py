"""Push and pull: the server side of sync/PROTOCOL.md, composed from the pure ``sync`` library.

A push runs in one transaction: the client's row is locked first (one push per client at a
time), every new mutation is authorised, validated and merged in seq order against an in-memory
view of the records it touches, and only then - just before COMMIT - are change versions taken
from the counter row, so they become visible in commit order and a pull never skips one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from pydantic import BaseModel, ValidationError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError
from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.auth.principal import Principal
from server.auth.scope import may_read_visit, may_write_visit, visit_scope
from server.context import RequestContext
from server.errors import DoorstepError, NotFound, ServiceUnavailable, validation_problems
from server.observability import MUTATIONS
from server.org.models import Role
from server.settings import Settings
from server.syncing.collections import COLLECTIONS, Collection, wire_value
from server.syncing.models import ChangeCounter, ReceivedMutation, ScopeExit, SyncClient
from server.syncing.records import SyncedRecord
from server.syncing.versions import take_next_versions
from server.visits.enums import VisitStatus
from server.visits.models import Revision, Visit
from server.visits.schemas import VisitRecord, missing_for_completion
from sync import (
    Mutation,
    PullRequest,
    PushRequest,
    RecordState,
    SyncError,
    apply_mutation,
    check_batch,
    check_replay,
    check_visit_put,
    encode_cursor,
    parse_mutation,
    unflatten,
)

log = logging.getLogger("doorstep.sync")
# A lost race: two pushes creating one record, or a deadlock / serialization failure.
_RETRYABLE = (
    IntegrityError,
    OperationalError,
    TransactionManagementError,
    asyncpg.exceptions.TransactionRollbackError,
)
_ATTEMPTS = 4


class SyncRequestError(DoorstepError):
    """A request-level sync refusal (seq_gap, seq_reused, bad_cursor...) with its HTTP status."""

    def __init__(self, error: SyncError) -> None:
        super().__init__(error.message, code=error.code, details=error.details)
        self.status = error.http_status


@dataclass
class Pending:
    """A record touched by this push: its row (None if new) and its state after the merges."""

    collection: Collection
    record_id: uuid.UUID
    row: SyncedRecord | None
    state: RecordState | None
    model: BaseModel | None = None
    changed: set[str] = field(default_factory=set)
    owner: dict[str, Any] = field(default_factory=dict)  # officer/team/area or visit_id
    completed_now: bool = False
    revisions: list[Revision] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        """The visit's status in this view (visits only)."""
        if self.state is None:
            return None
        value = self.state.fields.get("status", VisitStatus.DRAFT.value)
        return str(value)


@dataclass
class PushWork:
    """Everything one push transaction accumulates before it writes."""

    ctx: RequestContext
    client_id: str
    connection: BaseDBAsyncClient
    touched: dict[tuple[str, uuid.UUID], Pending] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)

    @property
    def principal(self) -> Principal:
        """The officer pushing."""
        return self.ctx.caller

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self.ctx.settings


def _rejected(error: SyncError) -> dict[str, Any]:
    return {"status": "rejected", "rev": None, "error": error.to_json()}


def state_of(collection: Collection, row: SyncedRecord) -> RecordState:
    """The merge state of a stored record."""
    return RecordState(
        rev=row.rev,
        fields=collection.current_fields(row),
        field_revs={k: int(v) for k, v in row.field_revs.items() if k in collection.paths},
        field_authors=dict(row.field_authors),
        deleted=row.deleted,
        conflicts=tuple(_conflicts(row.conflicts)),
    )


def _conflicts(raw: list[Any]) -> list[Any]:
    from sync import Conflict

    return [Conflict.from_json(c) for c in raw]


def _validate(collection: Collection, fields: dict[str, Any], settings: Settings) -> BaseModel:
    """Validate (and normalise) fields against the collection's edge schema."""
    context = {"crime_reference_pattern": settings.crime_reference_pattern}
    try:
        return collection.schema.model_validate(unflatten(fields), context=context)
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise SyncError(
            "validation_failed",
            f"{problems[0]['field']}: {problems[0]['message']}",
            {"field": problems[0]["field"], "fields": [dict(p) for p in problems]},
        ) from exc


def _value_at(model: BaseModel, path: str) -> Any:
    value: Any = model
    for part in path.split("."):
        value = getattr(value, part)
    return wire_value(value)


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def _preload(work: PushWork, raws: list[dict[str, Any]]) -> None:
    """Load (and on PostgreSQL lock) every record the batch touches, in one global order.

    Visits first, then children, each by id: two pushes touching the same records lock them
    in the same order and so cannot deadlock; and one query per collection replaces one per
    mutation.
    """
    wanted: dict[str, set[uuid.UUID]] = {name: set() for name in COLLECTIONS}
    for raw in raws:
        name, record_id = raw.get("collection"), _uuid(raw.get("id"))
        if isinstance(name, str) and name in COLLECTIONS and record_id is not None:
            wanted[name].add(record_id)
            fields = raw.get("fields")
            if name != "visits" and isinstance(fields, dict):
                visit_id = _uuid(fields.get("visit_id"))
                if visit_id is not None:
                    wanted["visits"].add(visit_id)
    for name, ids in wanted.items():
        if name != "visits" and ids:
            model = COLLECTIONS[name].model
            parents = (
                await model.filter(id__in=list(ids))
                .using_db(work.connection)
                .values_list("visit_id", flat=True)
            )
            wanted["visits"].update(uuid.UUID(str(p)) for p in parents)
    lock = work.connection.capabilities.dialect == "postgres"
    for name in ["visits", *(n for n in COLLECTIONS if n != "visits")]:
        ordered = sorted(wanted[name])
        if not ordered:
            continue
        collection = COLLECTIONS[name]
        query = collection.model.filter(id__in=ordered).using_db(work.connection).order_by("id")
        if lock:
            query = query.select_for_update()
        rows = {row.id: row for row in await query}
        for record_id in ordered:
            row = rows.get(record_id)
            work.touched[(name, record_id)] = Pending(
                collection, record_id, row, state_of(collection, row) if row else None
            )


async def _load(work: PushWork, collection: Collection, record_id: uuid.UUID) -> Pending:
    key = (collection.name, record_id)
    if key in work.touched:
        return work.touched[key]
    query = collection.model.filter(id=record_id).using_db(work.connection)
    if work.connection.capabilities.dialect == "postgres":
        query = query.select_for_update()
    row = await query.first()
    pending = Pending(collection, record_id, row, state_of(collection, row) if row else None)
    work.touched[key] = pending
    return pending


async def _visit_for_child(work: PushWork, pending: Pending, m: Mutation) -> Pending:
    """The visit a child record belongs to, which the caller must own and be able to edit."""
    if pending.row is not None:
        visit_id = pending.row.visit_id  # type: ignore[attr-defined]
        asked = m.fields.get("visit_id")
        if asked is not None and str(asked).lower() != str(visit_id):
            raise SyncError(
                "immutable_field",
                "visit_id cannot change once a record is created",
                {"field": "visit_id"},
            )
    elif pending.owner.get("visit_id") is not None:
        visit_id = pending.owner["visit_id"]
    else:
        raw = m.fields.get("visit_id")
        try:
            visit_id = uuid.UUID(str(raw))
        except ValueError as exc:
            raise SyncError(
                "validation_failed",
                "visit_id: a new record must name its visit",
                {"field": "visit_id"},
            ) from exc
    visit = await _load(work, COLLECTIONS["visits"], visit_id)
    if visit.state is None or visit.state.deleted or not _may_write(work, visit):
        raise SyncError("not_found", "No such visit.", {"field": "visit_id"})
    return visit


def _visit_owner(pending: Pending) -> Any:
    if pending.row is not None:
        return pending.row.officer_id  # type: ignore[attr-defined]
    return pending.owner.get("officer_id")


def _may_write(work: PushWork, visit: Pending) -> bool:
    return may_write_visit(work.principal, _visit_owner(visit))


def _may_read(work: PushWork, visit: Pending) -> bool:
    if visit.row is None:
        return bool(_visit_owner(visit) == work.principal.officer_id)
    row = visit.row
    return may_read_visit(
        work.principal,
        work.settings,
        row.officer_id,  # type: ignore[attr-defined]
        row.team_id,  # type: ignore[attr-defined]
        row.area_id,  # type: ignore[attr-defined]
    )


async def _apply(work: PushWork, m: Mutation, seq: int) -> dict[str, Any]:
    """Authorise, validate and merge one mutation into the in-memory view; return its result."""
    collection = COLLECTIONS[m.collection]
    record_id = uuid.UUID(m.id)
    pending = await _load(work, collection, record_id)
    principal = work.principal
    if principal.role is not Role.OFFICER:
        raise SyncError(
            "forbidden",
            "Only officers change visits from the app; supervisors review online.",
            {"reason": "role"},
        )
    normalised: dict[str, Any] = {}
    if m.op == "put" and m.fields:
        partial = _validate(collection, dict(m.fields), work.settings)
        normalised = {path: _value_at(partial, path) for path in m.fields}

    if collection.is_child:
        if pending.state is None and (m.op == "delete" or (m.base_rev or 0) > 0):
            raise SyncError("not_found", "No such record.", {"id": m.id})
        visit = await _visit_for_child(work, pending, m)
        if visit.status not in (VisitStatus.DRAFT.value, VisitStatus.RETURNED.value):
            raise SyncError(
                "visit_locked",
                "The visit is completed: its records cannot change until it is returned.",
                {"visit_id": str(visit.record_id)},
            )
        if pending.row is None:
            pending.owner = {"visit_id": visit.record_id}
    elif pending.state is not None:
        if not _may_read(work, pending):
            raise SyncError("not_found", "No such visit.", {"id": m.id})
        if not _may_write(work, pending):
            raise SyncError("forbidden", "Only the visit's officer can change it.", {})
        if m.op == "put":
            check_visit_put(pending.state, normalised, principal.role.value, True)
        elif pending.status != VisitStatus.DRAFT.value and not pending.state.deleted:
            raise SyncError("visit_locked", "Only a draft visit can be deleted.", {})
    else:
        if m.op == "put":
            check_visit_put(None, normalised, principal.role.value, True)
        pending.owner = {
            "officer_id": principal.officer_id,
            "team_id": principal.team_id,
            "area_id": principal.area_id,
        }

    before_status = pending.status
    new_rev = (pending.state.rev if pending.state else 0) + 1
    outcome = apply_mutation(
        pending.state, dataclasses.replace(m, fields=normalised), new_rev, work.client_id
    )
    if outcome.change is None:
        return {"status": outcome.status.value, "rev": outcome.rev, "error": None}

    model = None
    if not outcome.state.deleted:
        model = _validate(collection, dict(outcome.state.fields), work.settings)
        if (
            collection.name == "visits"
            and pending.status != VisitStatus.COMPLETED.value
            and outcome.state.fields.get("status") == VisitStatus.COMPLETED.value
        ):
            assert isinstance(model, VisitRecord)
            missing = missing_for_completion(model)
            if missing:
                raise SyncError(
                    "incomplete",
                    "The visit cannot be completed yet: " + ", ".join(missing) + " missing.",
                    {"missing": list(missing), "field": missing[0]},
                )
            pending.completed_now = True

    change = outcome.change
    pending.state = outcome.state
    pending.model = model
    pending.changed |= set(change.changed)
    pending.revisions.append(
        Revision(
            collection=collection.name,
            record_id=record_id,
            rev=change.rev,
            visit_id=record_id if not collection.is_child else _child_visit_id(pending),
            op=change.op,
            changes={p: outcome.state.fields.get(p) for p in change.changed},
            previous=dict(change.previous),
            conflicts_added=[c.to_json() for c in change.conflicts_added],
            conflicts_cleared=[c.to_json() for c in change.conflicts_cleared],
            author=work.client_id,
            actor_id=principal.officer_id,
            client_id=uuid.UUID(work.client_id),
            seq=seq,
            device_at=m.at,
        )
    )
    action = (
        AuditAction.ERASE
        if change.op == "delete"
        else AuditAction.COLLECT
        if change.op == "create"
        else AuditAction.ALTER
    )
    work.audit.append(
        work.ctx.audit(
            action,
            record_type=collection.name,
            record_id=record_id,
            reason=f"sync seq {seq}" + (f" (was {before_status})" if before_status else ""),
        )
    )
    return {"status": outcome.status.value, "rev": outcome.rev, "error": None}


def _child_visit_id(pending: Pending) -> uuid.UUID:
    if pending.row is not None:
        return uuid.UUID(str(pending.row.visit_id))  # type: ignore[attr-defined]
    return uuid.UUID(str(pending.owner["visit_id"]))


async def _write(work: PushWork) -> None:
    """Take change versions (last, to hold the counter lock briefly) and write every record."""
    changed = [p for p in work.touched.values() if p.revisions]
    if not changed:
        return
    versions = await take_next_versions(work.connection, len(changed))
    created: dict[type[SyncedRecord], list[SyncedRecord]] = {}
    for pending, version in zip(changed, versions, strict=True):
        state = pending.state
        assert state is not None
        meta = {
            "rev": state.rev,
            "field_revs": dict(state.field_revs),
            "field_authors": dict(state.field_authors),
            "conflicts": [c.to_json() for c in state.conflicts],
            "deleted": state.deleted,
            "version": version,
        }
        columns: dict[str, Any] = {}
        if pending.model is not None:
            paths = state.fields if pending.row is None else pending.changed
            columns = pending.collection.columns(
                pending.model, [p for p in paths if p != "visit_id"]
            )
        if pending.completed_now:
            columns["completed_at"] = work.ctx.now
        model = pending.collection.model
        if pending.row is None:
            row = model(id=pending.record_id, **pending.owner, **columns, **meta)
            row.created_at = row.updated_at = work.ctx.now
            created.setdefault(model, []).append(row)
        else:
            await (
                model.filter(id=pending.record_id)
                .using_db(work.connection)
                .update(**columns, **meta)
            )
    # Parents before children (dict order follows the preload order: visits first).
    for model in sorted(created, key=lambda m: m is not Visit):
        await model.bulk_create(created[model], using_db=work.connection)
    await Revision.bulk_create(
        [revision for pending in changed for revision in pending.revisions],
        using_db=work.connection,
    )


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
        if await SyncClient.filter(id=cid).using_db(connection).exists():
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
        await _preload(work, [dict(e.raw) for e in request.entries if e.seq not in results])
        received: list[ReceivedMutation] = []
        for entry in request.entries:
            if entry.seq in results:
                continue
            raw = dict(entry.raw)
            try:
                mutation = parse_mutation(raw, entry.index)
                result = await _apply(work, mutation, entry.seq)
            except SyncError as exc:
                result = _rejected(exc)
            results[entry.seq] = result
            received.append(
                ReceivedMutation(
                    client_id=client.id,
                    seq=entry.seq,
                    digest=entry.digest,
                    collection=str(raw.get("collection", ""))[:20],
                    record_id=_uuid_or_nil(raw.get("id")),
                    op=str(raw.get("op", ""))[:8],
                    base_rev=raw.get("base_rev") if isinstance(raw.get("base_rev"), int) else None,
                    fields_json=raw.get("fields") if isinstance(raw.get("fields"), dict) else {},
                    device_at=str(raw.get("at", ""))[:40],
                    status=result["status"],
                    rev=result["rev"],
                    error=result["error"],
                )
            )
        await _write(work)
        if received:
            await ReceivedMutation.bulk_create(received, using_db=connection)
            await (
                SyncClient.filter(id=client.id).using_db(connection).update(last_seq=plan.last_seq)
            )
        await ctx.write_audit(work.audit, connection)
    for row in received:
        MUTATIONS.labels(row.status).inc()
    return {
        "last_seq": plan.last_seq,
        "results": [{"seq": e.seq, **results[e.seq]} for e in request.entries],
    }


def _uuid_or_nil(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)


async def push(request: PushRequest, *, ctx: RequestContext) -> dict[str, Any]:
    """Apply a push exactly once; a lost race (same new record, deadlock) is retried whole."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return await _push_once(request, ctx)
        except _RETRYABLE as exc:
            log.warning("push retried", extra={"attempt": attempt, "error": type(exc).__name__})
    raise ServiceUnavailable(headers={"Retry-After": "2"})


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


async def pull(
    request: PullRequest, *, ctx: RequestContext, cursor_tag: str | None = None
) -> dict[str, Any]:
    """Changes in the caller's scope after the cursor, from one consistent snapshot.

    What the page discloses to the device is audited (s.62 consultation) once it is read.
    """
    principal, settings = ctx.caller, ctx.settings
    after, limit = request.after_version, request.limit
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            await connection.execute_script(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
            )
        counter = await ChangeCounter.filter(id=1).using_db(connection).first()
        tag = feed_tag(counter.epoch if counter else "", principal, settings)
        reset = after > 0 and cursor_tag != tag
        if reset:
            after = 0
        client = (
            await SyncClient.filter(id=uuid.UUID(request.client_id)).using_db(connection).first()
        )
        if client is not None and client.officer_id != principal.officer_id:  # type: ignore[attr-defined]
            raise NotFound("Unknown client.", code="unknown_client")
        last_seq = client.last_seq if client else 0
        candidates: list[tuple[int, dict[str, Any]]] = []
        # Only officers keep records on their phone; supervisors and administrators work online
        # (the supervisor workspace), so their devices are never sent victims' data.
        offline_scope = COLLECTIONS.values() if principal.role is Role.OFFICER else []
        for collection in offline_scope:
            scope = visit_scope(principal, settings, "visit__" if collection.is_child else "")
            query = collection.model.filter(scope, version__gt=after).using_db(connection)
            if after == 0:
                query = query.filter(deleted=False)
            for row in await query.order_by("version").limit(limit + 1):
                candidates.append((row.version, _change(collection, row)))
        if after > 0 and principal.role is Role.OFFICER:
            candidates += await _scope_exits(connection, principal, settings, after, limit)
    candidates.sort(key=lambda c: c[0])
    page = candidates[:limit]
    has_more = len(candidates) > limit
    cursor = encode_cursor(page[-1][0] if page else after, tag)
    await ctx.write_audit(
        ctx.audit(
            AuditAction.CONSULT,
            record_type=change["collection"],
            record_id=change["id"],
            reason="synchronised to device",
        )
        for _, change in page
        if not change["deleted"]
    )
    body = {
        "cursor": cursor,
        "has_more": has_more,
        "last_seq": last_seq,
        "changes": [change for _, change in page],
    }
    if reset:
        body["reset"] = True
    return body


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
    """Tombstones for records that left the caller's scope after the cursor."""
    # The scope rule applied to the exit row's old owner, team and area, in SQL, so other
    # people's exits can never crowd the caller's out of the page.
    mine = (
        await ScopeExit.filter(visit_scope(principal, settings), version__gt=after)
        .using_db(connection)
        .order_by("version")
        .limit(limit + 1)
    )
    if not mine:
        return []
    still_visible = {
        v.id
        for v in await Visit.filter(
            visit_scope(principal, settings), id__in=[e.visit_id for e in mine]
        ).using_db(connection)
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
