"""``GET /api/exports/visits.csv``: a streamed, audited export that asks for a reason."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.api import Endpoint, read_query
from server.context import RequestContext
from server.exports.service import stream_csv
from server.org.models import Role
from server.visits.schemas import VisitFilters


class ExportQuery(VisitFilters):
    """The visit filters, and why the export is needed (kept in the audit log)."""

    reason: Annotated[str, Field(min_length=5, max_length=500)]


async def export_visits(request: Request, ctx: RequestContext) -> Response:
    """Stream the visits matching the filters as CSV."""
    query = read_query(request, ExportQuery)
    filters = VisitFilters.model_validate(query.model_dump(exclude={"reason"}))
    stamp = ctx.now
    body = stream_csv(filters, query.reason.strip(), ctx=ctx)
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
