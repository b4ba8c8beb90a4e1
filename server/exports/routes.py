"""The complete exports over HTTP (thin; rules in exports.archive and exports.paged).

Supervisors only, within their scope, as for the visit CSV (``GET /api/exports/visits.csv``,
which stays as it is). Auditors and administrators see no victims' data; an analyst who needs
the force's records is given a supervisor's account with area scope (docs/deploy.md).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.api import Endpoint, json_response, read_query
from server.context import RequestContext
from server.exports import archive, paged
from server.exports.schemas import ExportPage, PageExportQuery, ZipExportQuery
from server.org.models import Role
from server.supervision.schemas import VisitFilters

SUPERVISORS = frozenset({Role.SUPERVISOR})


async def export_zip(request: Request, ctx: RequestContext) -> Response:
    """Every collection of the matching visits as a zip of CSV or JSON Lines files."""
    query = read_query(request, ZipExportQuery)
    filters = VisitFilters.model_validate(query.model_dump(exclude={"reason", "format"}))
    body = archive.stream_zip(filters, query.format, query.reason.strip(), ctx=ctx)
    return StreamingResponse(
        body,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="visits-{ctx.now:%Y%m%d-%H%M}.zip"',
            "Cache-Control": "no-store",
        },
    )


async def export_collection(request: Request, ctx: RequestContext) -> Response:
    """A page of one collection for the matching visits."""
    query = read_query(request, PageExportQuery)
    name = str(request.path_params["collection"])
    return json_response(await paged.export_page(name, query, ctx=ctx))


endpoints = [
    Endpoint(
        "/api/exports/visits.zip",
        "GET",
        export_zip,
        summary="Export visits and every record of them as a zip of CSV or JSON Lines files "
        "(reason required; every record disclosed is audited)",
        tag="supervision",
        query=ZipExportQuery,
        errors=(403,),
        roles=SUPERVISORS,
        response_media_type="application/zip",
    ),
    Endpoint(
        "/api/exports/{collection}",
        "GET",
        export_collection,
        summary="A page of one collection (visits, property_items, kit_issues, photos, "
        "advice_ticks, reviews) for analysts (reason required; audited)",
        tag="supervision",
        query=PageExportQuery,
        response=ExportPage,
        errors=(400, 403, 404),
        roles=SUPERVISORS,
    ),
]
