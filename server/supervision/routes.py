"""The supervisor's workspace over HTTP: list, detail, review, figures and CSV export (thin)."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.api import Endpoint, json_response, read_body, read_query
from server.context import RequestContext
from server.org.models import Role
from server.supervision import detail, export, listing, review, stats
from server.supervision.schemas import (
    ExportQuery,
    ReviewRequest,
    ReviewResult,
    Stats,
    StatsQuery,
    VisitDetail,
    VisitFilters,
    VisitListQuery,
    VisitPage,
)

READERS = frozenset({Role.OFFICER, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})


async def list_visits(request: Request, ctx: RequestContext) -> Response:
    """Visits in the caller's scope, filtered, newest first, a page at a time."""
    page = await listing.list_visits(read_query(request, VisitListQuery), ctx=ctx)
    return Response(listing.page_json(page), media_type="application/json")


async def get_visit(request: Request, ctx: RequestContext) -> Response:
    """One visit with everything about it (404 outside the caller's scope)."""
    visit_id: uuid.UUID = request.path_params["visit_id"]
    return json_response(await detail.visit_detail(visit_id, ctx=ctx))


async def review_visit(request: Request, ctx: RequestContext) -> Response:
    """Approve a completed visit, or return it to the officer with a note."""
    visit_id: uuid.UUID = request.path_params["visit_id"]
    body = await read_body(request, ReviewRequest)
    visit = await review.review_visit(visit_id, body, ctx=ctx)
    return json_response(ReviewResult(id=str(visit.id), status=visit.status, rev=visit.rev))


async def get_stats(request: Request, ctx: RequestContext) -> Response:
    """Figures for the caller's scope, by area, team and officer."""
    return json_response(await stats.pledge_figures(read_query(request, StatsQuery), ctx=ctx))


async def export_visits(request: Request, ctx: RequestContext) -> Response:
    """Stream the visits matching the filters as CSV."""
    query = read_query(request, ExportQuery)
    filters = VisitFilters.model_validate(query.model_dump(exclude={"reason"}))
    stamp = ctx.now
    body = export.stream_csv(filters, query.reason.strip(), ctx=ctx)
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="visits-{stamp:%Y%m%d-%H%M}.csv"',
            "Cache-Control": "no-store",
        },
    )


endpoints = [
    Endpoint(
        "/api/visits",
        "GET",
        list_visits,
        summary="Visits in the caller's scope, filtered and paged",
        tag="visits",
        query=VisitListQuery,
        response=VisitPage,
        errors=(400, 403),
        roles=READERS,
    ),
    Endpoint(
        "/api/visits/{visit_id:uuid}",
        "GET",
        get_visit,
        summary="One visit with its records, photos, history and conflicts",
        tag="visits",
        response=VisitDetail,
        errors=(403, 404),
        roles=READERS,
    ),
    Endpoint(
        "/api/visits/{visit_id:uuid}/review",
        "POST",
        review_visit,
        summary="Approve or return a completed visit",
        tag="visits",
        body=ReviewRequest,
        response=ReviewResult,
        errors=(403, 404, 409),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/stats",
        "GET",
        get_stats,
        summary="Pledge figures for a date range, by area, team and officer",
        tag="supervision",
        query=StatsQuery,
        response=Stats,
        errors=(403,),
        roles=SUPERVISORS,
    ),
    Endpoint(
        "/api/exports/visits.csv",
        "GET",
        export_visits,
        summary="Export visits as CSV (a reason is required and audited)",
        tag="supervision",
        query=ExportQuery,
        errors=(403,),
        roles=SUPERVISORS,
        response_media_type="text/csv",
    ),
]
