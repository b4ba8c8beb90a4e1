"""Reports over HTTP (thin): intake from the crime system; the queue, figures and history."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_body, read_json, read_query
from server.context import RequestContext
from server.errors import ValidationFailed
from server.org.models import Role
from server.reports import assignment, figures, history, intake, queue
from server.reports.schemas import MAX_BATCH, IntakeBatch, IntakeResult
from server.reports.views import (
    AddressHistory,
    Assignees,
    AssignRequest,
    CloseRequest,
    HistoryQuery,
    Pledge,
    PledgeQuery,
    QueuePage,
    QueueQuery,
    ReportDetail,
    ReportOut,
)

SUPERVISORS = frozenset({Role.SUPERVISOR})
READERS = frozenset({Role.OFFICER, Role.SUPERVISOR})


def _rows(body: Any) -> list[intake.IntakeRow]:
    """The batch's rows, or 422 when the body is not a batch at all."""
    problem = None
    if not isinstance(body, dict) or set(body) - {"reports"}:
        problem = ("", "send an object with one key, reports (a list of reports)")
    elif not isinstance(body.get("reports"), list):
        problem = ("reports", "a list of 1 to 500 reports is required")
    elif not 1 <= len(body["reports"]) <= MAX_BATCH:
        problem = ("reports", f"a list of 1 to {MAX_BATCH} reports is required")
    if problem:
        raise ValidationFailed.from_fields(
            [{"field": problem[0], "message": problem[1], "type": "batch"}]
        )
    return [intake.IntakeRow(i, row) for i, row in enumerate(body["reports"])]


async def take_in(request: Request, ctx: RequestContext) -> Response:
    """A batch of reports from the crime system: an outcome per row (see docs/intake.md)."""
    rows = _rows(await read_json(request, ctx.settings.max_body_bytes))
    integration = ctx.integration
    assert integration is not None  # the guard let only an integration in
    result = await intake.intake(
        rows,
        ctx=ctx,
        author=f"integration:{integration.id}",
        reason=f"integration {integration.name}",
    )
    if result.refused == result.received:
        fields = [
            {"field": f"reports[{r.row}].{p.field}".rstrip("."), "message": p.message}
            for r in result.results
            for p in r.problems
        ]
        raise ValidationFailed(
            "No report in the batch could be taken in; each row's problems are listed.",
            details={"fields": fields, "results": result.model_dump(mode="json")["results"]},
        )
    return json_response(result)


async def list_reports(request: Request, ctx: RequestContext) -> Response:
    """The queue: reports in the caller's scope, oldest first, with age against the target."""
    return json_response(await queue.list_reports(read_query(request, QueueQuery), ctx=ctx))


async def get_report(request: Request, ctx: RequestContext) -> Response:
    """One report with its revisions (404 outside the caller's scope)."""
    report_id: uuid.UUID = request.path_params["report_id"]
    return json_response(await queue.report_detail(report_id, ctx=ctx))


async def get_assignees(request: Request, ctx: RequestContext) -> Response:
    """The teams and officers the caller may assign reports to."""
    return json_response(await assignment.assignees(ctx=ctx))


async def assign_report(request: Request, ctx: RequestContext) -> Response:
    """Assign an awaiting report to an officer or a team."""
    report_id: uuid.UUID = request.path_params["report_id"]
    body = await read_body(request, AssignRequest)
    return json_response(await assignment.assign(report_id, body, ctx=ctx))


async def close_report(request: Request, ctx: RequestContext) -> Response:
    """Close an awaiting report without a visit, with a reason."""
    report_id: uuid.UUID = request.path_params["report_id"]
    body = await read_body(request, CloseRequest)
    return json_response(await assignment.close(report_id, body, ctx=ctx))


async def get_pledge(request: Request, ctx: RequestContext) -> Response:
    """The pledge figures over reported burglaries, by week, offence type, area, team, officer."""
    return json_response(await figures.pledge(read_query(request, PledgeQuery), ctx=ctx))


async def get_address_history(request: Request, ctx: RequestContext) -> Response:
    """Earlier reports and visits at an address (12 months) the caller may see; repeat flag."""
    query = read_query(request, HistoryQuery)
    return json_response(await history.address_history(query, ctx=ctx))


endpoints = [
    Endpoint(
        "/api/reports",
        "POST",
        take_in,
        summary="Intake: a batch of reported burglaries from the force's crime system",
        tag="reports",
        body=IntakeBatch,
        response=IntakeResult,
        errors=(401, 413, 415, 422, 429, 503),
        auth="integration",
    ),
    Endpoint(
        "/api/reports",
        "GET",
        list_reports,
        summary="The queue: reports in the caller's scope, oldest first, age against the target",
        tag="reports",
        query=QueueQuery,
        response=QueuePage,
        errors=(400, 403),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/reports/{report_id:uuid}",
        "GET",
        get_report,
        summary="One report with its revisions",
        tag="reports",
        response=ReportDetail,
        errors=(403, 404),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/reports/assignees",
        "GET",
        get_assignees,
        summary="The teams and active officers the caller may assign reports to",
        tag="reports",
        response=Assignees,
        errors=(403,),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/reports/{report_id:uuid}/assign",
        "POST",
        assign_report,
        summary="Assign an awaiting report to an officer or a team (reassigning tombstones it)",
        tag="reports",
        body=AssignRequest,
        response=ReportOut,
        errors=(403, 404, 409),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/reports/{report_id:uuid}/close",
        "POST",
        close_report,
        summary="Close an awaiting report without a visit (victim declined, duplicate...)",
        tag="reports",
        body=CloseRequest,
        response=ReportOut,
        errors=(403, 404, 409),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/pledge",
        "GET",
        get_pledge,
        summary="Pledge figures over every reported burglary: visited, awaiting, overdue, "
        "report-to-arrival, repeats; by week, offence type, area, team and officer",
        tag="reports",
        query=PledgeQuery,
        response=Pledge,
        errors=(403,),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/addresses/history",
        "GET",
        get_address_history,
        summary="Earlier reports and visits at an address within 12 months that the caller "
        "may see, and the server's repeat-victim flag",
        tag="reports",
        query=HistoryQuery,
        response=AddressHistory,
        errors=(403,),
        roles=READERS,
    ),
]
