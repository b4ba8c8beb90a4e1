"""``GET /api/exports/visits.csv``: a streamed, audited export that asks for a reason."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.api import Endpoint, read_query
from server.auth.principal import principal_of
from server.exports.service import stream_csv
from server.org.models import Role
from server.visits.schemas import VisitFilters


class ExportQuery(VisitFilters):
    """The visit filters, and why the export is needed (kept in the audit log)."""

    reason: Annotated[str, Field(min_length=5, max_length=500)]


async def export_visits(request: Request) -> Response:
    """Stream the visits matching the filters as CSV."""
    query = read_query(request, ExportQuery)
    filters = VisitFilters.model_validate(query.model_dump(exclude={"reason"}))
    stamp = request.app.state.clock.now()
    body = stream_csv(
        principal_of(request),
        request.app.state.settings,
        filters,
        query.reason.strip(),
        str(request.scope.get("state", {}).get("request_id", "")),
        stamp,
    )
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
        "/api/exports/visits.csv",
        "GET",
        export_visits,
        summary="Export visits as CSV (a reason is required and audited)",
        tag="supervision",
        query=ExportQuery,
        errors=(403,),
        roles=frozenset({Role.SUPERVISOR}),
        response_media_type="text/csv",
    ),
]
