"""Rules for visits: turning the validated record into columns and back, and storing it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from tortoise.transactions import in_transaction

from server.errors import NotFound
from server.org.models import Officer
from server.syncing.collections import column_for
from server.syncing.versions import take_next_versions
from server.visits.models import Revision, Visit
from server.visits.schemas import VisitRecord, leaf_paths

VISIT_PATHS = leaf_paths(VisitRecord)


def flat_fields(record: VisitRecord) -> dict[str, Any]:
    """The record as ``{dotted path: python value}``, lists made JSON-plain."""
    flat: dict[str, Any] = {}
    for path in VISIT_PATHS:
        value: Any = record
        for part in path.split("."):
            value = getattr(value, part)
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
    officer: Officer, record: VisitRecord, *, visit_id: uuid.UUID | None = None
) -> Visit:
    """Store a whole new visit for an officer in one transaction, with its first revision."""
    await officer.fetch_related("team")
    flat = flat_fields(record)
    async with in_transaction() as connection:
        (version,) = await take_next_versions(connection, 1)
        visit = await Visit.create(
            id=visit_id or uuid.uuid4(),
            officer=officer,
            team=officer.team,
            area_id=officer.team.area_id,  # type: ignore[attr-defined]
            rev=1,
            version=version,
            field_revs=dict.fromkeys(flat, 1),
            using_db=connection,
            **{column_for(path): value for path, value in flat.items()},
        )
        await Revision.create(
            collection="visits",
            record_id=visit.id,
            rev=1,
            visit_id=visit.id,
            op="put",
            changes=to_jsonable_python(flat),
            previous={},
            actor=officer,
            using_db=connection,
        )
    return visit


async def reassign_visit(
    visit_id: uuid.UUID, new_officer: Officer, actor_id: uuid.UUID | None, now: datetime
) -> Visit:
    """Move a visit (and so its records) to another officer and their team.

    Callers who could see it through the old owner, team or area and cannot see it now get
    a tombstone on their next pull: a scope-exit row per record, in change-version order.
    """
    from server.audit.models import AuditAction
    from server.audit.service import AuditEntry, write_audit
    from server.photos.models import Photo
    from server.syncing.models import ScopeExit
    from server.visits.models import KitIssue, PropertyItem

    await new_officer.fetch_related("team")
    async with in_transaction() as connection:
        # Lock the visit first, as a push does (visit, then children, then the counter), so a
        # concurrent push and a reassignment queue instead of deadlocking, and no child can be
        # added between reading the children and moving them.
        query = Visit.filter(id=visit_id).using_db(connection)
        if connection.capabilities.dialect == "postgres":
            query = query.select_for_update()
        visit = await query.first()
        if visit is None:
            raise NotFound("No such visit.")
        children: list[tuple[str, uuid.UUID]] = [("visits", visit.id)]
        for name, model in (
            ("property_items", PropertyItem),
            ("kit_issues", KitIssue),
            ("photos", Photo),
        ):
            ids = (
                await model.filter(visit_id=visit.id)
                .using_db(connection)
                .values_list("id", flat=True)
            )
            children += [(name, uuid.UUID(str(i))) for i in ids]
        # One version for each record's exit from the old scope, then one for each record in
        # the new scope, so both old and new readers meet every record after their cursors.
        versions = await take_next_versions(connection, 2 * len(children))
        exit_versions, new_versions = versions[: len(children)], versions[len(children) :]
        await ScopeExit.bulk_create(
            [
                ScopeExit(
                    version=version,
                    collection=name,
                    record_id=record_id,
                    visit_id=visit.id,
                    officer_id=visit.officer_id,  # type: ignore[attr-defined]
                    team_id=visit.team_id,  # type: ignore[attr-defined]
                    area_id=visit.area_id,  # type: ignore[attr-defined]
                )
                for (name, record_id), version in zip(children, exit_versions, strict=True)
            ],
            using_db=connection,
        )
        models = {"visits": Visit, "property_items": PropertyItem, "kit_issues": KitIssue}
        models["photos"] = Photo
        for (name, record_id), version in zip(children, new_versions, strict=True):
            changes: dict[str, object] = {"version": version}
            if name == "visits":
                changes |= {
                    "officer_id": new_officer.id,
                    "team_id": new_officer.team.id,
                    "area_id": new_officer.team.area_id,  # type: ignore[attr-defined]
                }
            await models[name].filter(id=record_id).using_db(connection).update(**changes)
        await write_audit(
            [
                AuditEntry(
                    action=AuditAction.ALTER,
                    actor_id=actor_id,
                    record_type="visits",
                    record_id=str(visit.id),
                    reason=f"reassigned to officer {new_officer.id}",
                )
            ],
            now,
            connection,
        )
    refreshed = await Visit.get(id=visit_id)
    return refreshed
