"""Visit record endpoints (the supervisor's list, detail and review: ``server.supervision``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_body
from server.context import RequestContext
from server.visits.schemas import VisitRecord, VisitValidation, missing_for_completion


async def validate_visit(request: Request, ctx: RequestContext) -> Response:
    """Check a visit record without storing it: 422 naming each bad field, else what is missing."""
    pattern = ctx.settings.crime_reference_pattern
    record = await read_body(request, VisitRecord, {"crime_reference_pattern": pattern})
    return json_response(
        VisitValidation(valid=True, missing_for_completion=missing_for_completion(record))
    )


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
]
