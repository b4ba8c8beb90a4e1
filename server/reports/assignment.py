"""A supervisor assigns an awaiting report to an officer or a team, or closes it with a reason.

Both are changes to the report like any other: made under its lock, recorded through the
change feed (so the new holder's phone pulls it, and the old holder's gets a tombstone), one
revision and one audit entry each. Only what is in the supervisor's own scope can be touched:
the report (404 otherwise), and the officer or team it goes to.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.auth.guard import OutOfScope
from server.auth.scope import report_scope_rule
from server.context import RequestContext
from server.errors import Conflict, NotFound, ValidationFailed
from server.feed import lock_records, record_changes
from server.org.models import Officer, Role, SupervisionScope, Team
from server.reports.enums import ReportState
from server.reports.models import Report
from server.reports.queue import reports_out, scoped_report
from server.reports.records import ReportView
from server.reports.views import (
    AssigneeOfficer,
    Assignees,
    AssigneeTeam,
    AssignRequest,
    CloseRequest,
    ReportOut,
)

_DONE = {"assign": "assigned", "close": "closed"}


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_fields([{"field": field, "message": message, "type": "scope"}])


async def _team_in_scope(team_id: int, *, ctx: RequestContext, field: str = "team_id") -> Team:
    principal = ctx.caller
    team = await Team.get_or_none(id=team_id)
    in_scope = team is not None and (
        team.id == principal.team_id
        if principal.supervision_scope is SupervisionScope.TEAM
        else team.area_id == principal.area_id  # type: ignore[attr-defined]
    )
    if team is None or not in_scope:
        raise _refuse(
            field, f"not {'an officer' if field == 'officer_id' else 'a team'} you supervise"
        )
    return team


async def _target(body: AssignRequest, *, ctx: RequestContext) -> tuple[dict[str, object], str]:
    """The assignment's facts, and how the audit names it."""
    if body.officer_id is not None:
        officer = await Officer.get_or_none(id=body.officer_id, active=True, role=Role.OFFICER)
        if officer is None:
            raise _refuse("officer_id", "not an officer you supervise")
        team_id = officer.team_id  # type: ignore[attr-defined]
        team = await _team_in_scope(team_id, ctx=ctx, field="officer_id")
        facts = {"officer_id": officer.id, "team_id": team.id, "area_id": team.area_id}  # type: ignore[attr-defined]
        return facts, f"assigned to officer {officer.id}"
    assert body.team_id is not None
    team = await _team_in_scope(body.team_id, ctx=ctx)
    facts = {"officer_id": None, "team_id": team.id, "area_id": team.area_id}  # type: ignore[attr-defined]
    return facts, f"assigned to team {team.id}"


async def _change(
    report_id: uuid.UUID,
    op: str,
    facts: Mapping[str, object],
    reason: str,
    *,
    ctx: RequestContext,
    stamp: str,
) -> ReportOut:
    """Lock the report, check the caller may act on it and it is awaiting, write, record.

    ``stamp`` (a time fact) is set to now only if something else changes, so the same
    request sent twice changes nothing the second time.
    """
    principal = ctx.caller
    async with in_transaction() as connection:
        locked = await lock_records(connection, {Report: [report_id]})
        row = locked.get((Report, report_id))
        view = ReportView.of(row) if isinstance(row, Report) else None
        rule = report_scope_rule(principal, ctx.settings)
        if view is None:
            raise NotFound("No such report.")
        if not rule.admits(view.scope_columns()):
            raise OutOfScope("reports", report_id, "No such report.")
        if view.state is not ReportState.AWAITING:
            raise Conflict(
                f"Only a report awaiting a visit can be {_DONE[op]}; it is {view.state.value}.",
                code="not_awaiting",
                details={"state": view.state.value},
            )
        if view.diff(facts=dict(facts)) or view.get(stamp) is None:
            author = f"user:{principal.officer_id}"
            stamped = {**facts, stamp: ctx.now}
            view.write(op, facts=stamped, author=author, actor_id=principal.officer_id)
        change = view.change()
        if change is not None:
            exit_note = view.exit()
            await record_changes(
                connection,
                [change],
                exits=[exit_note] if exit_note else [],
                audit=[
                    ctx.audit(
                        AuditAction.ALTER, record_type="reports", record_id=report_id, reason=reason
                    )
                ],
                now=ctx.now,
            )
    [out] = await reports_out([await Report.get(id=report_id)], ctx=ctx)
    return out


async def assign(report_id: uuid.UUID, body: AssignRequest, *, ctx: RequestContext) -> ReportOut:
    """Assign (or reassign) an awaiting report; assigning it again as it is changes nothing."""
    await scoped_report(report_id, ctx=ctx)  # 404 before anything is said about the target
    facts, reason = await _target(body, ctx=ctx)
    return await _change(report_id, "assign", facts, reason, ctx=ctx, stamp="assigned_at")


async def close(report_id: uuid.UUID, body: CloseRequest, *, ctx: RequestContext) -> ReportOut:
    """Close an awaiting report without a visit, for one of the allowed reasons."""
    facts = {
        "state": ReportState.CLOSED.value,
        "close_reason": body.reason.value,
        "close_note": body.note.strip() or None,
        "closed_by_id": ctx.caller.officer_id,
    }
    reason = f"closed: {body.reason.value}"
    return await _change(report_id, "close", facts, reason, ctx=ctx, stamp="closed_at")


async def assignees(*, ctx: RequestContext) -> Assignees:
    """The teams and active officers the caller supervises (the assign picker's choices)."""
    principal = ctx.caller
    if principal.supervision_scope is SupervisionScope.AREA:
        teams = await Team.filter(area_id=principal.area_id).order_by("name")
    else:
        teams = await Team.filter(id=principal.team_id)
    officers = await Officer.filter(
        team_id__in=[t.id for t in teams], active=True, role=Role.OFFICER
    ).order_by("display_name", "collar_number")
    return Assignees(
        teams=[AssigneeTeam(id=t.id, name=t.name, area_id=t.area_id) for t in teams],  # type: ignore[attr-defined]
        officers=[
            AssigneeOfficer(
                id=str(o.id),
                display_name=o.display_name,
                collar_number=o.collar_number,
                team_id=o.team_id,  # type: ignore[attr-defined]
            )
            for o in officers
        ],
    )
