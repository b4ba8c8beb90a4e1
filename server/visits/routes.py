"""Visit endpoints (thin HTTP: validation at the edge, rules in the services)."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_body, read_query
from server.auth.principal import principal_of
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


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


async def validate_visit(request: Request) -> Response:
    """Check a visit record without storing it: 422 naming each bad field, else what is missing."""
    settings = request.app.state.settings
    record = await read_body(
        request, VisitRecord, {"crime_reference_pattern": settings.crime_reference_pattern}
    )
    return json_response(
        VisitValidation(valid=True, missing_for_completion=missing_for_completion(record))
    )


async def list_visits(request: Request) -> Response:
    """Visits in the caller's scope, filtered, newest first, a page at a time."""
    query = read_query(request, VisitListQuery)
    page = await supervision.list_visits(
        principal_of(request),
        request.app.state.settings,
        query,
        request.app.state.clock.now(),
        _request_id(request),
    )
    return json_response(page)


async def get_visit(request: Request) -> Response:
    """One visit with everything about it (404 outside the caller's scope)."""
    visit_id: uuid.UUID = request.path_params["visit_id"]
    detail = await supervision.visit_detail(
        principal_of(request),
        request.app.state.settings,
        visit_id,
        request.app.state.clock.now(),
        _request_id(request),
    )
    return json_response(detail)


async def review_visit(request: Request) -> Response:
    """Approve a completed visit, or return it to the officer with a note."""
    visit_id: uuid.UUID = request.path_params["visit_id"]
    body = await read_body(request, ReviewRequest)
    visit = await supervision.review_visit(
        principal_of(request),
        request.app.state.settings,
        visit_id,
        body,
        request.app.state.clock.now(),
        _request_id(request),
    )
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
