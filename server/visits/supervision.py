"""The supervisor's view of visits: find, read, review. Every read is scoped and audited."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.advice.models import AdviceItem
from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.auth.principal import Principal
from server.auth.scope import may_read_visit, visit_scope
from server.context import RequestContext
from server.errors import BadRequest, Conflict, Forbidden, NotFound
from server.feed import Change, RevisionNote, history, lock_records, record_changes
from server.org.models import Officer, Role
from server.photos.models import Photo
from server.settings import Settings
from server.syncing.collections import COLLECTIONS
from server.syncing.state import state_of
from server.validation import normalise_postcode
from server.visits.enums import ReviewDecision, VisitStatus
from server.visits.models import KitIssue, PropertyItem, Review, Visit
from server.visits.schemas import (
    PersonRef,
    ReviewRequest,
    VisitDetail,
    VisitFilters,
    VisitListQuery,
    VisitPage,
    VisitSummary,
)
from server.visits.service import visit_document
from sync import SyncError, merge_put


def filtered_visits(principal: Principal, settings: Settings, f: VisitFilters) -> QuerySet[Visit]:
    """Visits in the caller's scope matching the filters (deleted visits never appear)."""
    query = Visit.filter(visit_scope(principal, settings), deleted=False)
    if f.date_from:
        query = query.filter(reference_reported_at__gte=f.date_from)
    if f.date_to:
        query = query.filter(reference_reported_at__lt=f.date_to)
    if f.area:
        query = query.filter(area_id=f.area)
    if f.team:
        query = query.filter(team_id=f.team)
    if f.officer:
        query = query.filter(officer_id=f.officer)
    if f.status:
        query = query.filter(status=f.status)
    if f.crime_reference:
        query = query.filter(reference_crime_reference__istartswith=f.crime_reference.strip())
    if f.postcode:
        query = query.filter(address_postcode__startswith=_postcode_prefix(f.postcode))
    return query


def _postcode_prefix(raw: str) -> str:
    """A whole postcode is normalised; a part (``WR3``) matches as typed, upper-cased."""
    try:
        return normalise_postcode(raw)
    except ValueError:
        return " ".join(raw.upper().split())


def _encode_cursor(created_at: datetime, visit_id: uuid.UUID) -> str:
    raw = json.dumps({"c": created_at.isoformat(), "i": str(visit_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(data["c"]), uuid.UUID(data["i"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BadRequest(
            "That page cursor is not valid; start again from the first page.",
            code="bad_cursor",
            details={"field": "cursor"},
        ) from exc


def _person(officer: Officer) -> PersonRef:
    return PersonRef(
        id=str(officer.id), display_name=officer.display_name, collar_number=officer.collar_number
    )


def _audit(
    ctx: RequestContext, action: AuditAction, visit_ids: list[Any], reason: str
) -> list[AuditEntry]:
    return [ctx.audit(action, record_type="visits", record_id=v, reason=reason) for v in visit_ids]


async def list_visits(q: VisitListQuery, *, ctx: RequestContext) -> VisitPage:
    """A page of visits, newest first, keyset-paged; each visit listed is audited as consulted."""
    query = filtered_visits(ctx.caller, ctx.settings, q)
    if q.cursor:
        created, last_id = _decode_cursor(q.cursor)
        query = query.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=last_id))
    rows = await query.order_by("-created_at", "-id").limit(q.limit + 1).select_related("officer")
    page, more = rows[: q.limit], len(rows) > q.limit
    await ctx.write_audit(_audit(ctx, AuditAction.CONSULT, [v.id for v in page], "visit list"))
    return VisitPage(
        visits=[
            VisitSummary(
                id=str(v.id),
                status=v.status,
                crime_reference=v.reference_crime_reference,
                reported_at=v.reference_reported_at,
                arrived_at=v.attendance_arrived_at,
                address_line1=v.address_line1,
                town=v.address_town,
                postcode=v.address_postcode,
                officer=_person(v.officer),
                team_id=v.team_id,  # type: ignore[attr-defined]
                area_id=v.area_id,  # type: ignore[attr-defined]
                completed_at=v.completed_at,
                created_at=v.created_at,
            )
            for v in page
        ],
        next_cursor=_encode_cursor(page[-1].created_at, page[-1].id) if more and page else None,
    )


async def _scoped_visit(principal: Principal, settings: Settings, visit_id: uuid.UUID) -> Visit:
    visit = (
        await Visit.filter(visit_scope(principal, settings), id=visit_id, deleted=False)
        .select_related("officer")
        .first()
    )
    if visit is None:
        raise NotFound("No such visit.")
    return visit


def _records(name: str, rows: list[Any]) -> list[dict[str, Any]]:
    collection = COLLECTIONS[name]
    return [
        {"id": str(r.id), "rev": r.rev, **collection.wire_record(r), "conflicts": r.conflicts}
        for r in rows
    ]


async def visit_detail(visit_id: uuid.UUID, *, ctx: RequestContext) -> VisitDetail:
    """Every section, child record, review and revision of one visit (audited as consulted)."""
    visit = await _scoped_visit(ctx.caller, ctx.settings, visit_id)
    items = await PropertyItem.filter(visit_id=visit.id, deleted=False).order_by("created_at")
    kits = await KitIssue.filter(visit_id=visit.id, deleted=False).order_by("created_at")
    photos = await Photo.filter(visit_id=visit.id, deleted=False).order_by("taken_at", "id")
    reviews = await Review.filter(visit_id=visit.id).order_by("id").select_related("reviewer")
    revisions = await history(visit.id)
    ticks = [t for t in visit.advice_items if isinstance(t, dict)]
    catalogue: dict[tuple[Any, Any], AdviceItem] = {
        (a.item_id, a.version): a
        for a in await AdviceItem.filter(item_id__in=[t.get("id") for t in ticks])
    }
    photo_rows = _records("photos", photos)
    for row in photo_rows:
        base = f"/api/photos/{row['id']}"
        row["urls"] = {k: f"{base}/{k}" for k in ("thumb", "display", "original")}
    await ctx.write_audit(_audit(ctx, AuditAction.CONSULT, [visit.id], "visit detail"))
    return VisitDetail(
        id=str(visit.id),
        rev=visit.rev,
        status=visit.status,
        sections=visit_document(visit),
        officer=_person(visit.officer),
        team_id=visit.team_id,  # type: ignore[attr-defined]
        area_id=visit.area_id,  # type: ignore[attr-defined]
        review_note=visit.review_note,
        completed_at=visit.completed_at,
        approved_at=visit.approved_at,
        property_items=_records("property_items", items),
        kit_issues=_records("kit_issues", kits),
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
                "reviewer": _person(r.reviewer).model_dump(),
                "visit_rev": r.visit_rev,
                "at": r.created_at.isoformat(),
            }
            for r in reviews
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
    )


async def review_visit(visit_id: uuid.UUID, body: ReviewRequest, *, ctx: RequestContext) -> Visit:
    """Approve or return a completed visit: a revision, a review row and an audit event."""
    principal, settings, now = ctx.caller, ctx.settings, ctx.now
    if principal.role is not Role.SUPERVISOR:
        raise Forbidden("Only supervisors review visits.")
    async with in_transaction() as connection:
        locked = await lock_records(connection, {Visit: [visit_id]})
        visit = locked.get((Visit, visit_id))
        if (
            not isinstance(visit, Visit)
            or visit.deleted
            or not may_read_visit(
                principal,
                settings,
                visit.officer_id,  # type: ignore[attr-defined]
                visit.team_id,  # type: ignore[attr-defined]
                visit.area_id,  # type: ignore[attr-defined]
            )
        ):
            raise NotFound("No such visit.")
        if visit.officer_id == principal.officer_id:  # type: ignore[attr-defined]
            raise Forbidden("Nobody reviews their own visit.", code="own_visit")
        if visit.status is not VisitStatus.COMPLETED:
            raise Conflict(
                f"Only a completed visit can be reviewed; this one is {visit.status.value}.",
                code="not_reviewable",
                details={"status": visit.status.value},
            )
        target = (
            VisitStatus.APPROVED
            if body.decision is ReviewDecision.APPROVE
            else VisitStatus.RETURNED
        )
        state = state_of(COLLECTIONS["visits"], visit)
        author = f"user:{principal.officer_id}"
        try:
            outcome = merge_put(state, visit.rev, {"status": target.value}, visit.rev + 1, author)
        except SyncError as exc:  # pragma: no cover - the state was read under lock
            raise Conflict(exc.message, code=exc.code) from exc
        note = body.note.strip()
        await Review.create(
            visit_id=visit.id,
            reviewer_id=principal.officer_id,
            decision=body.decision,
            note=note,
            visit_rev=outcome.rev,
            using_db=connection,
        )
        change = Change(
            Visit,
            visit.id,
            visit.id,
            columns={
                "status": target,
                "rev": outcome.rev,
                "field_revs": dict(outcome.state.field_revs),
                "field_authors": dict(outcome.state.field_authors),
                "conflicts": [c.to_json() for c in outcome.state.conflicts],
                "review_note": note or None,
                "approved_at": now if target is VisitStatus.APPROVED else None,
            },
            revisions=[
                RevisionNote(
                    rev=outcome.rev,
                    op="review",
                    changes={"status": target.value, "review.note": note or None},
                    previous={"status": visit.status.value, "review.note": visit.review_note},
                    author=author,
                    actor_id=principal.officer_id,
                )
            ],
        )
        await record_changes(
            connection,
            [change],
            audit=_audit(ctx, AuditAction.ALTER, [visit.id], f"review: {target.value}"),
            now=now,
        )
    return await Visit.get(id=visit_id)


async def iterate_filtered(
    principal: Principal, settings: Settings, f: VisitFilters, page: int = 500
) -> AsyncIterator[list[Visit]]:
    """Every visit matching the filters in pages, newest first (for streaming exports)."""
    cursor: tuple[datetime, uuid.UUID] | None = None
    while True:
        query = filtered_visits(principal, settings, f)
        if cursor:
            query = query.filter(
                Q(created_at__lt=cursor[0]) | Q(created_at=cursor[0], id__lt=cursor[1])
            )
        rows = await query.order_by("-created_at", "-id").limit(page).select_related("officer")
        if not rows:
            return
        yield rows
        cursor = (rows[-1].created_at, rows[-1].id)
