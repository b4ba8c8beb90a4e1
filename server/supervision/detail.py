"""``GET /api/visits/{id}``: one visit with everything about it, for review (audited)."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import connections

from server.advice.models import AdviceItem
from server.aftercare.detail import aftercare_section
from server.audit.models import AuditAction
from server.context import RequestContext
from server.feed import history
from server.photos.models import Photo
from server.rows import is_postgres
from server.supervision import detail_postgres
from server.supervision.detail_postgres import DetailRows
from server.supervision.schemas import PersonRef, VisitDetail
from server.supervision.scoped import person, scoped_visit, visit_entries
from server.syncing.collections import COLLECTIONS
from server.visits.models import KitIssue, PropertyItem, Review
from server.visits.service import visit_document


def _records(name: str, rows: list[Any]) -> list[dict[str, Any]]:
    collection = COLLECTIONS[name]
    return [
        {"id": str(r.id), "rev": r.rev, **collection.wire_record(r), "conflicts": r.conflicts}
        for r in rows
    ]


async def _orm_rows(visit_id: uuid.UUID, ctx: RequestContext) -> DetailRows:
    """The ORM path (SQLite): the visit's rows, then its consult row."""
    visit = await scoped_visit(ctx.caller, ctx.settings, visit_id)
    live = {"visit_id": visit.id, "deleted": False}
    items = await PropertyItem.filter(**live).order_by("created_at", "id")
    kits = await KitIssue.filter(**live).order_by("created_at", "id")
    photos = await Photo.filter(**live).order_by("taken_at", "id")
    reviews = await Review.filter(visit_id=visit.id).order_by("id").select_related("reviewer")
    await ctx.write_audit(visit_entries(ctx, AuditAction.CONSULT, [visit.id], "visit detail"))
    return DetailRows(
        visit=visit,
        officer=person(visit.officer).model_dump(),
        items=items,
        kits=kits,
        photos=photos,
        reviews=[(r, person(r.reviewer).model_dump()) for r in reviews],
    )


async def visit_detail(visit_id: uuid.UUID, *, ctx: RequestContext) -> VisitDetail:
    """Every section, child record, review and revision of one visit (audited as consulted).

    On PostgreSQL the visit, its records and its consult row take four round trips
    (``detail_postgres``); SQLite reads them through the ORM.
    """
    if is_postgres(connections.get("default")):
        rows = await detail_postgres.read_and_audit(visit_id, ctx)
    else:
        rows = await _orm_rows(visit_id, ctx)
    visit = rows.visit
    revisions = await history(visit.id)
    ticks = [t for t in visit.advice_items if isinstance(t, dict)]
    catalogue: dict[tuple[Any, Any], AdviceItem] = (
        {
            (a.item_id, a.item_version): a
            for a in await AdviceItem.filter(item_id__in=[t.get("id") for t in ticks])
        }
        if ticks
        else {}
    )
    photo_rows = _records("photos", rows.photos)
    for row in photo_rows:
        base = f"/api/photos/{row['id']}"
        row["urls"] = {k: f"{base}/{k}" for k in ("thumb", "display", "original")}
    return VisitDetail(
        id=str(visit.id),
        rev=visit.rev,
        status=visit.status,
        sections=visit_document(visit),
        officer=PersonRef(**rows.officer),
        team_id=visit.team_id,  # type: ignore[attr-defined]
        area_id=visit.area_id,  # type: ignore[attr-defined]
        review_note=visit.review_note,
        completed_at=visit.completed_at,
        approved_at=visit.approved_at,
        property_items=_records("property_items", rows.items),
        kit_issues=_records("kit_issues", rows.kits),
        photos=photo_rows,
        advice=[
            {
                "id": t.get("id"),
                "version": t.get("version"),
                "title": item.title
                if (item := catalogue.get((t.get("id"), t.get("version"))))
                else None,
            }
            for t in ticks
        ],
        reviews=[
            {
                "decision": r.decision.value,
                "note": r.note,
                "reviewer": reviewer,
                "visit_rev": r.visit_rev,
                "at": r.created_at.isoformat(),
            }
            for r, reviewer in rows.reviews
        ],
        revisions=[
            {
                "collection": r.collection,
                "record_id": str(r.record_id),
                "rev": r.rev,
                "op": r.op,
                "changes": r.changes,
                "previous": r.previous,
                "conflicts_added": r.conflicts_added,
                "author": r.author,
                "actor": r.actor.display_name if r.actor else None,
                "device_at": r.device_at,
                "at": r.created_at.isoformat(),
            }
            for r in revisions
        ],
        conflicts=list(visit.conflicts),
        aftercare=await aftercare_section(visit.id, ctx=ctx),
    )
