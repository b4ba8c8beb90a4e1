"""A visit's aftercare section: what happened after it was sealed, as the visit shows it.

``server.supervision.detail`` adds it to ``GET /api/visits/{id}`` with one call, and
``GET /api/visits/{id}/aftercare`` serves it alone. The caller has already decided the visit is
in scope; every aftercare record shown is audited as consulted (DPA 2018 s.62).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from server.aftercare.enums import AddendumKind
from server.aftercare.models import Addendum, LeaveBehind, MailJob, SurveyResponse, VictimUpdate
from server.aftercare.records import delivery_status, written_fields
from server.aftercare.schemas import (
    AftercareRecord,
    AftercareSection,
    LeaveBehindDelivery,
    PersonRef,
)
from server.audit.models import AuditAction
from server.auth.guard import OutOfScope
from server.auth.scope import visit_scope
from server.context import RequestContext
from server.errors import NotFound
from server.feed import SyncedRecord
from server.org.models import Officer
from server.visits.models import Visit


def person_ref(officer: Officer) -> PersonRef:
    """An officer as aftercare answers name them."""
    return PersonRef(
        id=str(officer.id), display_name=officer.display_name, collar_number=officer.collar_number
    )


def one_record(row: SyncedRecord) -> AftercareRecord:
    """One aftercare record as the visit shows it (its ``author`` fetched)."""
    return _record(row)


def _record(row: SyncedRecord) -> AftercareRecord:
    return AftercareRecord(
        id=str(row.id),
        rev=row.rev,
        fields=written_fields(row),
        author=person_ref(author) if (author := getattr(row, "author", None)) else None,
        recorded_at=row.created_at,
    )


async def aftercare_section(visit_id: uuid.UUID, *, ctx: RequestContext) -> AftercareSection:
    """Addenda, victim updates, the survey and the leave-behinds of one (in-scope) visit."""
    live = {"visit_id": visit_id, "deleted": False}
    addenda = await Addendum.filter(**live).order_by("created_at", "id").select_related("author")
    updates = (
        await VictimUpdate.filter(**live).order_by("contacted_at", "id").select_related("author")
    )
    survey = await SurveyResponse.filter(**live).select_related("author").first()
    given = await LeaveBehind.filter(**live).order_by("created_at", "id").select_related("author")
    jobs = {
        job.leave_behind_id: job  # type: ignore[attr-defined]
        for job in await MailJob.filter(leave_behind_id__in=[g.id for g in given])
    }
    shown: Sequence[SyncedRecord] = [*addenda, *updates, *given, *([survey] if survey else [])]
    await ctx.write_audit(
        [
            ctx.audit(
                AuditAction.CONSULT,
                record_type=row.feed_collection,
                record_id=row.id,
                reason="visit aftercare",
            )
            for row in shown
        ]
    )
    latest = max(updates, key=lambda u: (u.contacted_at, str(u.id)), default=None)
    return AftercareSection(
        addenda=[_record(a) for a in addenda],
        victim_updates=[_record(u) for u in updates],
        next_update_due=latest.next_update_due if latest else None,
        survey=_record(survey) if survey else None,
        survey_channel=survey.channel if survey else None,
        leave_behinds=[
            LeaveBehindDelivery(
                **_record(g).model_dump(),
                mail_status=delivery_status(g),
                mail_sent_at=g.mail_sent_at,
                mail_attempts=jobs[g.id].attempts if g.id in jobs else 0,
            )
            for g in given
        ],
        kits_registered=sorted(
            {
                a.kit_issue_id
                for a in addenda
                if a.kind is AddendumKind.KIT_REGISTERED and a.kit_issue_id
            }
        ),
    )


async def visit_aftercare(visit_id: uuid.UUID, *, ctx: RequestContext) -> AftercareSection:
    """The section alone, for the visit's officer or a supervisor online (404 out of scope)."""
    in_scope = await Visit.filter(
        visit_scope(ctx.caller, ctx.settings), id=visit_id, deleted=False
    ).exists()
    if not in_scope:
        if await Visit.filter(id=visit_id, deleted=False).exists():  # asked only on refusals
            raise OutOfScope("visits", visit_id, "No such visit.")
        raise NotFound("No such visit.")
    return await aftercare_section(visit_id, ctx=ctx)
