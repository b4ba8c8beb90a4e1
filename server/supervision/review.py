"""``POST /api/visits/{id}/review``: a supervisor approves a completed visit or returns it.

The decision is a change to the visit like any other: merged by the sync engine's rule,
recorded through the change feed (so the officer's phone pulls it), with a review row and an
audit entry in the same transaction.
"""

from __future__ import annotations

import uuid

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.auth.guard import OutOfScope
from server.auth.scope import may_read_visit
from server.context import RequestContext
from server.errors import Conflict, Forbidden, NotFound
from server.feed import Change, RevisionNote, lock_records, record_changes
from server.org.models import Role
from server.photos.enums import PhotoStatus
from server.photos.models import Photo
from server.supervision.schemas import ReviewRequest
from server.supervision.scoped import visit_entries
from server.syncing.collections import COLLECTIONS
from server.syncing.state import state_of
from server.visits.enums import ReviewDecision, VisitStatus
from server.visits.models import Review, Visit
from sync import SyncError, merge_put


async def review_visit(visit_id: uuid.UUID, body: ReviewRequest, *, ctx: RequestContext) -> Visit:
    """Approve or return a completed visit: a revision, a review row and an audit event."""
    principal, settings, now = ctx.caller, ctx.settings, ctx.now
    if principal.role is not Role.SUPERVISOR:
        raise Forbidden("Only supervisors review visits.")
    async with in_transaction() as connection:
        locked = await lock_records(connection, {Visit: [visit_id]})
        visit = locked.get((Visit, visit_id))
        if not isinstance(visit, Visit) or visit.deleted:
            raise NotFound("No such visit.")
        if not may_read_visit(
            principal,
            settings,
            visit.officer_id,  # type: ignore[attr-defined]
            visit.team_id,  # type: ignore[attr-defined]
            visit.area_id,  # type: ignore[attr-defined]
        ):
            raise OutOfScope("visits", visit_id, "No such visit.")
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
        if target is VisitStatus.APPROVED:
            await _check_photos_verified(visit, connection)
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
            audit=visit_entries(ctx, AuditAction.ALTER, [visit.id], f"review: {target.value}"),
            now=now,
        )
    return await Visit.get(id=visit_id)


async def _check_photos_verified(visit: Visit, connection: BaseDBAsyncClient) -> None:
    """Refuse (409 ``photos_unverified``) to approve a visit with a photo not yet verified.

    A completed visit still takes the bytes its photos declared (the officer completes at the
    door; the photos follow with signal), an approved one takes none (docs/photos.md). Approving
    first would shut a photo on its way out for ever, and the approved evidence would lack it
    without anyone having decided so. The supervisor waits for it, or returns the visit. The
    visit row is locked, and every upload's verification locks it too, so this holds at commit.
    """
    waiting = (
        await Photo.filter(visit_id=visit.id, deleted=False)
        .exclude(status=PhotoStatus.VERIFIED)
        .using_db(connection)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )
    if not waiting:
        return
    count = len(waiting)
    what = "1 photo of this visit has" if count == 1 else f"{count} photos of this visit have"
    raise Conflict(
        f"{what} not reached the server yet, or failed verification. Approve once the officer's "
        "phone has sent them (it does when it has signal), or return the visit so the officer "
        "can send or remove them.",
        code="photos_unverified",
        details={"photos": [str(photo_id) for photo_id in waiting]},
    )
