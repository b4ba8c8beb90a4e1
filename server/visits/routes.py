"""Visit endpoints (thin HTTP: validation at the edge, rules in the services)."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_body, read_query
from server.context import RequestContext
from server.org.models import Role
from server.visits import supervision
from server.visits.schemas import (
    ReviewRequest,
    ReviewResult,
    VisitDetail,
    VisitListQuery,
    VisitPage,
    VisitRecord,
    VisitValidation,
    missing_for_completion,
)

READERS = frozenset({Role.OFFICER, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})


async def validate_visit(request: Request, ctx: RequestContext) -> Response:
    """Check a visit record without storing it: 422 naming each bad field, else what is missing."""
    pattern = ctx.settings.crime_reference_pattern
    record = await read_body(request, VisitRecord, {"crime_reference_pattern": pattern})
    return json_response(
        VisitValidation(valid=True, missing_for_completion=missing_for_completion(record))
    )


async def list_visits(request: Request, ctx: RequestContext) -> Response:
    """Visits in the caller's scope, filtered, newest first, a page at a time."""
    page = await supervision.list_visits(read_query(request, VisitListQuery), ctx=ctx)
    return json_response(page)


async def get_visit(request: Request, ctx: RequestContext) -> Response:
    """One visit with everything about it (404 outside the caller's scope)."""
    visit_id: uuid.UUID = request.path_params["visit_id"]
    return json_response(await supervision.visit_detail(visit_id, ctx=ctx))


async def review_visit(request: Request, ctx: RequestContext) -> Response:
    """Approve a completed visit, or return it to the officer with a note."""
    visit_id: uuid.UUID = request.path_params["visit_id"]
    body = await read_body(request, ReviewRequest)
    visit = await supervision.review_visit(visit_id, body, ctx=ctx)
    return json_response(ReviewResult(id=str(visit.id), status=visit.status, rev=visit.rev))


endpoints = [
    Endpoint(
        "/api/visits/validate",
        "POST",
        validate_visit,
        summary="Validate a visit record without storing it",
        tag="visits",
        body=VisitRecord,
        response=VisitValidation,
    ),
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
]
