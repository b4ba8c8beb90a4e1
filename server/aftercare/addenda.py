"""A supervisor's addendum, added online to a sealed visit (officers add theirs by sync).

Written exactly as a pushed one is: the visit locked first (so its status cannot change under
us), the same creation checks, one revision authored ``user:<id>`` and a ``collect`` audit
row, all through ``server.feed.record_changes``; the officer's phone pulls it.
"""

from __future__ import annotations

import uuid

from tortoise.transactions import in_transaction

from server.aftercare.checks import check_addendum
from server.aftercare.models import Addendum
from server.aftercare.records import new_record, written_fields
from server.aftercare.schemas import AddendumCreate, AddendumRecord
from server.audit.models import AuditAction
from server.auth.guard import OutOfScope
from server.auth.scope import may_read_visit
from server.context import RequestContext
from server.errors import Conflict, NotFound, ValidationFailed
from server.feed import lock_records, record_changes
from server.visits.enums import VisitStatus
from server.visits.models import Visit
from sync import SyncError

SEALED = (VisitStatus.COMPLETED, VisitStatus.APPROVED)


async def add_addendum(
    visit_id: uuid.UUID, body: AddendumCreate, *, ctx: RequestContext
) -> tuple[Addendum, bool]:
    """Add an addendum to a completed or approved visit in the caller's scope.

    Returns the addendum and whether it is new: a retry with the same ``id`` and the same
    content answers the stored one; the same ``id`` with other content is 409.
    """
    principal = ctx.caller
    record_id = uuid.UUID(body.id) if body.id else uuid.uuid4()
    record = AddendumRecord.model_validate(
        {**body.model_dump(exclude={"id"}), "visit_id": str(visit_id)}
    )
    async with in_transaction() as connection:
        locked = await lock_records(connection, {Visit: [visit_id], Addendum: [record_id]})
        visit = locked.get((Visit, visit_id))
        if not isinstance(visit, Visit) or visit.deleted:
            raise NotFound("No such visit.")
        if not may_read_visit(
            principal,
            ctx.settings,
            visit.officer_id,  # type: ignore[attr-defined]
            visit.team_id,  # type: ignore[attr-defined]
            visit.area_id,  # type: ignore[attr-defined]
        ):
            raise OutOfScope("visits", visit_id, "No such visit.")
        author = f"user:{principal.officer_id}"
        change = new_record(
            Addendum,
            record_id,
            visit.id,
            record,
            author=author,
            actor_id=principal.officer_id,
            columns={"author_id": principal.officer_id},
        )
        existing = locked.get((Addendum, record_id))
        if isinstance(existing, Addendum):
            same = existing.visit_id == visit.id and (  # type: ignore[attr-defined]
                written_fields(existing) == change.revisions[0].changes
            )
            if not same:
                raise Conflict("That id names another addendum.", code="id_in_use")
            return existing, False
        if visit.status not in SEALED:
            raise Conflict(
                "Addenda are for completed or approved visits: while the visit is a draft or "
                "returned, edit the visit instead.",
                code="visit_not_completed",
                details={"status": visit.status.value},
            )
        try:
            await check_addendum(connection, visit.id, record, (), ctx.settings)
        except SyncError as exc:
            raise ValidationFailed.from_fields(
                [
                    {
                        "field": str(exc.details.get("field", "")),
                        "message": exc.message,
                        "type": exc.code,
                    }
                ]
            ) from exc
        entry = ctx.audit(
            AuditAction.COLLECT,
            record_type="addenda",
            record_id=record_id,
            reason=f"addendum ({record.kind.value}) by a supervisor",
        )
        await record_changes(connection, [change], audit=[entry], now=ctx.now)
    return await Addendum.get(id=record_id), True
