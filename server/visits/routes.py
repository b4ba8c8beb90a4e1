"""Visit record endpoints (the supervisor's list, detail and review: ``server.supervision``;
erasure: ``server.retention``)."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_body
from server.context import RequestContext
from server.org.models import Role
from server.visits import admin
from server.visits.admin_schemas import ReassignRequest, VisitOwner
from server.visits.models import Visit
from server.visits.schemas import VisitRecord, VisitValidation, missing_for_completion


async def validate_visit(request: Request, ctx: RequestContext) -> Response:
    """Check a visit record without storing it: 422 naming each bad field, else what is missing."""
    pattern = ctx.settings.crime_reference_pattern
    record = await read_body(request, VisitRecord, {"crime_reference_pattern": pattern})
    return json_response(
        VisitValidation(valid=True, missing_for_completion=missing_for_completion(record))
    )


def visit_owner(visit: Visit) -> VisitOwner:
    """Whose a visit is, as the administrator's actions answer."""
    return VisitOwner(
        id=visit.id,
        status=visit.status,
        officer_id=visit.officer_id,  # type: ignore[attr-defined]
        team_id=visit.team_id,  # type: ignore[attr-defined]
        area_id=visit.area_id,  # type: ignore[attr-defined]
        rev=visit.rev,
    )


async def reassign_visit(request: Request, ctx: RequestContext) -> Response:
    """Give a visit to another officer; both officers' phones follow by sync."""
    body = await read_body(request, ReassignRequest)
    visit_id: uuid.UUID = request.path_params["visit_id"]
    visit = await admin.reassign_to(visit_id, body.officer_id, body.reason, ctx=ctx)
    return json_response(visit_owner(visit))


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
        "/api/admin/visits/{visit_id:uuid}/reassign",
        "POST",
        reassign_visit,
        summary="Reassign a visit to another officer (their phones follow by sync)",
        tag="admin",
        body=ReassignRequest,
        response=VisitOwner,
        errors=(403, 404, 409),
        roles=frozenset({Role.ADMIN}),
    ),
]
