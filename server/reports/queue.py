"""The queue: reports awaiting a visit in a supervisor's scope, oldest first, against the target.

Every read is scoped by ``server.auth.scope.report_scope`` (404 outside it) and audited as a
consultation, per report listed or opened. Age is measured from the reported-at time that came
from the crime system, never a time typed at the door.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from server.audit.models import AuditAction
from server.auth.guard import OutOfScope
from server.auth.scope import report_scope
from server.context import RequestContext
from server.errors import NotFound
from server.feed import history
from server.org.models import Area, Officer, Team
from server.paging import decode_keyset, encode_keyset
from server.reports.enums import ReportState
from server.reports.models import Report
from server.reports.views import (
    Closure,
    LinkedVisit,
    Named,
    OfficerRef,
    QueuePage,
    QueueQuery,
    QueueState,
    ReportAddressOut,
    ReportDetail,
    ReportOut,
    ReportVictimOut,
)
from server.validation import postcode_prefix
from server.visits.models import Visit

OPEN = (ReportState.AWAITING, ReportState.IN_PROGRESS)


def _states(state: QueueState) -> list[ReportState]:
    if state is QueueState.ALL:
        return list(ReportState)
    if state is QueueState.OPEN:
        return list(OPEN)
    return [ReportState(state.value)]


def filtered(q: QueueQuery, *, ctx: RequestContext) -> QuerySet[Report]:
    """Reports in the caller's scope matching the queue's filters."""
    target = timedelta(seconds=ctx.settings.attendance_target_seconds)
    query = Report.filter(report_scope(ctx.caller, ctx.settings), state__in=_states(q.state))
    if q.overdue is not None:
        late = Q(state__in=OPEN, reference_reported_at__lt=ctx.now - target)
        query = query.filter(late if q.overdue else ~late)
    if q.unassigned is not None:
        nobody = Q(holder_officer_id__isnull=True, holder_team_id__isnull=True)
        query = query.filter(nobody if q.unassigned else ~nobody)
    for column, value in (
        ("area_id", q.area),
        ("team_id", q.team),
        ("officer_id", q.officer),
        ("offence_type", q.offence_type),
    ):
        if value is not None:
            query = query.filter(**{column: value})
    if q.date_from:
        query = query.filter(reference_reported_at__gte=q.date_from)
    if q.date_to:
        query = query.filter(reference_reported_at__lt=q.date_to)
    if q.crime_reference:
        query = query.filter(reference_crime_reference__startswith=q.crime_reference.upper())
    if q.postcode:
        query = query.filter(address_postcode__startswith=postcode_prefix(q.postcode))
    return query


async def list_reports(q: QueueQuery, *, ctx: RequestContext) -> QueuePage:
    """A page of the queue, oldest first, keyset-paged; each report listed is audited."""
    query = filtered(q, ctx=ctx)
    if q.cursor:
        at, last = decode_keyset(q.cursor)
        query = query.filter(
            Q(reference_reported_at__gt=at) | Q(reference_reported_at=at, id__gt=last)
        )
    rows = await query.order_by("reference_reported_at", "id").limit(q.limit + 1)
    page, more = rows[: q.limit], len(rows) > q.limit
    await ctx.write_audit(
        [
            ctx.audit(AuditAction.CONSULT, record_type="reports", record_id=r.id, reason="queue")
            for r in page
        ]
    )
    return QueuePage(
        reports=await reports_out(page, ctx=ctx),
        next_cursor=encode_keyset(page[-1].reference_reported_at, page[-1].id)
        if more and page
        else None,
        target_seconds=ctx.settings.attendance_target_seconds,
        as_of=ctx.now,
    )


async def scoped_report(report_id: uuid.UUID, *, ctx: RequestContext) -> Report:
    """One report in the caller's scope; 404 for anything else."""
    row = await Report.filter(report_scope(ctx.caller, ctx.settings), id=report_id).first()
    if row is None:
        if await Report.filter(id=report_id).exists():  # asked only on refusals
            raise OutOfScope("reports", report_id, "No such report.")
        raise NotFound("No such report.")
    return row


async def report_detail(report_id: uuid.UUID, *, ctx: RequestContext) -> ReportDetail:
    """One report with its revisions (audited as consulted)."""
    row = await scoped_report(report_id, ctx=ctx)
    revisions = [
        {
            "rev": r.rev,
            "op": r.op,
            "changes": r.changes,
            "previous": r.previous,
            "author": r.author,
            "at": r.created_at.isoformat(),
        }
        for r in await history(row.id)
    ]
    await ctx.write_audit(
        [ctx.audit(AuditAction.CONSULT, record_type="reports", record_id=row.id, reason="detail")]
    )
    [out] = await reports_out([row], ctx=ctx)
    return ReportDetail(**out.model_dump(), revisions=revisions)


async def reports_out(rows: list[Report], *, ctx: RequestContext) -> list[ReportOut]:
    """Reports as the queue shows them (their areas, teams, officers and visits in 4 queries)."""
    ids = {name: {getattr(r, f"{name}_id") for r in rows} - {None} for name in ("area", "team")}
    areas = {a.id: a.name for a in await Area.filter(id__in=ids["area"])}
    teams = {t.id: t.name for t in await Team.filter(id__in=ids["team"])}
    officer_ids = {r.officer_id for r in rows} - {None}  # type: ignore[attr-defined]
    officers = {o.id: o for o in await Officer.filter(id__in=officer_ids)}
    visit_ids = {r.linked_visit_id for r in rows} - {None}  # type: ignore[attr-defined]
    visits = {v.id: v for v in await Visit.filter(id__in=visit_ids)}
    return [_out(r, areas, teams, officers, visits, ctx) for r in rows]


def _out(
    r: Report,
    areas: dict[int, str],
    teams: dict[int, str],
    officers: dict[Any, Officer],
    visits: dict[Any, Any],
    ctx: RequestContext,
) -> ReportOut:
    target = timedelta(seconds=ctx.settings.attendance_target_seconds)
    team_id, officer_id = r.team_id, r.officer_id  # type: ignore[attr-defined]
    officer = officers.get(officer_id)
    visit = visits.get(r.linked_visit_id)  # type: ignore[attr-defined]
    is_open = r.state in OPEN
    arrived = visit.attendance_arrived_at if visit else None
    return ReportOut(
        id=str(r.id),
        rev=r.rev,
        crime_reference=r.reference_crime_reference,
        incident_number=r.reference_incident_number,
        reported_at=r.reference_reported_at,
        offence_type=r.offence_type,
        address=ReportAddressOut(
            line1=r.address_line1,
            line2=r.address_line2,
            town=r.address_town,
            postcode=r.address_postcode,
        ),
        victim=ReportVictimOut(
            name=r.victim_name,
            phone=r.victim_phone,
            email=r.victim_email,
            vulnerabilities=r.victim_vulnerabilities,
            repeat_victim=r.victim_repeat_victim,
        ),
        repeat_computed=r.repeat_computed,
        state=r.state,
        area=Named(id=r.area_id, name=areas.get(r.area_id, "?")),  # type: ignore[attr-defined]
        team=Named(id=team_id, name=teams.get(team_id, "?")) if team_id else None,
        assigned_officer=OfficerRef(
            id=str(officer.id),
            display_name=officer.display_name,
            collar_number=officer.collar_number,
        )
        if officer
        else None,
        assigned_at=r.assigned_at,
        held_by_team=r.holder_team_id is not None,
        visit=LinkedVisit(
            id=str(visit.id),
            status=visit.status,
            arrived_at=arrived,
            arrival_seconds=(arrived - r.reference_reported_at).total_seconds()
            if arrived
            else None,
        )
        if visit
        else None,
        closure=Closure(
            reason=r.close_reason,
            note=r.close_note,
            closed_at=r.closed_at,
            closed_by=str(r.closed_by_id) if r.closed_by_id else None,
        )
        if r.close_reason
        else None,
        due_at=r.reference_reported_at + target,
        age_seconds=(ctx.now - r.reference_reported_at).total_seconds() if is_open else None,
        overdue=is_open and ctx.now > r.reference_reported_at + target,
        received_at=r.created_at,
    )
