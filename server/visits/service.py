"""Rules for visits: turning the validated record into columns and back, and storing it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.context import RequestContext
from server.errors import NotFound
from server.feed import (
    Change,
    RevisionNote,
    ScopeExitNote,
    SyncedRecord,
    column_for,
    lock_records,
    record_changes,
    visit_children,
)
from server.org.models import Officer
from server.visits.models import Visit
from server.visits.schemas import VisitRecord, leaf_paths, leaf_value

VISIT_PATHS = leaf_paths(VisitRecord)


def flat_fields(record: VisitRecord) -> dict[str, Any]:
    """The record as ``{dotted path: python value}``, lists made JSON-plain."""
    flat: dict[str, Any] = {}
    for path in VISIT_PATHS:
        value = leaf_value(record, path)
        flat[path] = to_jsonable_python(value) if isinstance(value, list) else value
    return flat


def visit_document(visit: Visit) -> dict[str, Any]:
    """The visit's sections as the nested JSON the API and sync pull return."""
    document: dict[str, Any] = {}
    for path in VISIT_PATHS:
        value = getattr(visit, column_for(path))
        if isinstance(value, datetime):
            value = value.isoformat()
        elif hasattr(value, "value"):  # enums
            value = value.value
        node = document
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return document


async def create_visit(
    officer: Officer,
    record: VisitRecord,
    *,
    ctx: RequestContext,
    visit_id: uuid.UUID | None = None,
    completed_at: datetime | None = None,
) -> Visit:
    """Store a whole new visit for an officer in one transaction, with its first revision.

    ``completed_at`` is for visits that arrive already completed (the demo, imports).
    """
    await officer.fetch_related("team")
    flat = flat_fields(record)
    new_id = visit_id or uuid.uuid4()
    change = Change(
        Visit,
        new_id,
        new_id,
        columns={
            "officer_id": officer.id,
            "team_id": officer.team.id,
            "area_id": officer.team.area_id,  # type: ignore[attr-defined]
            "rev": 1,
            "field_revs": dict.fromkeys(flat, 1),
            "completed_at": completed_at,
            **{column_for(path): value for path, value in flat.items()},
        },
        revisions=[
            RevisionNote(rev=1, op="put", changes=to_jsonable_python(flat), actor_id=officer.id)
        ],
        create=True,
    )
    async with in_transaction() as connection:
        await record_changes(connection, [change], now=ctx.now)
    return await Visit.get(id=new_id)


async def reassign_visit(
    visit_id: uuid.UUID, new_officer: Officer, *, ctx: RequestContext, reason: str = ""
) -> Visit:
    """Move a visit (and so its records) to another officer and their team.

    Callers who could see it through the old owner, team or area and cannot see it now get
    a tombstone on their next pull: a scope-exit row per record, in change-version order, and
    every record is announced again to its new readers.
    """
    await new_officer.fetch_related("team")
    async with in_transaction() as connection:
        # The visit is locked first, as every feed writer does, so no child can be added
        # between reading the children and moving them.
        locked = await lock_records(connection, {Visit: [visit_id]})
        visit = locked.get((Visit, visit_id))
        if not isinstance(visit, Visit):
            raise NotFound("No such visit.")
        records: list[tuple[type[SyncedRecord], uuid.UUID]] = [(Visit, visit.id)]
        for model in visit_children():
            ids = (
                await model.filter(visit_id=visit.id)
                .using_db(connection)
                .values_list("id", flat=True)
            )
            records += [(model, uuid.UUID(str(i))) for i in ids]
        owner = {
            "officer_id": new_officer.id,
            "team_id": new_officer.team.id,
            "area_id": new_officer.team.area_id,  # type: ignore[attr-defined]
        }
        await record_changes(
            connection,
            [
                Change(model, record_id, visit.id, owner if model is Visit else {})
                for model, record_id in records
            ],
            exits=[
                ScopeExitNote(
                    collection=model.feed_collection,
                    record_id=record_id,
                    visit_id=visit.id,
                    officer_id=visit.officer_id,  # type: ignore[attr-defined]
                    team_id=visit.team_id,  # type: ignore[attr-defined]
                    area_id=visit.area_id,  # type: ignore[attr-defined]
                )
                for model, record_id in records
            ],
            audit=[
                ctx.audit(
                    AuditAction.ALTER,
                    record_type="visits",
                    record_id=visit.id,
                    reason=f"reassigned to officer {new_officer.id}"
                    + (f": {reason}" if reason else ""),
                )
            ],
            now=ctx.now,
        )
    return await Visit.get(id=visit_id)
