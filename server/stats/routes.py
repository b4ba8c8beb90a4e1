"""``GET /api/stats``: the pledge figures (thin HTTP)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_query
from server.context import RequestContext
from server.org.models import Role
from server.stats.schemas import Stats, StatsQuery
from server.stats.service import pledge_figures


async def get_stats(request: Request, ctx: RequestContext) -> Response:
    """Figures for the caller's scope, by area, team and officer."""
    return json_response(await pledge_figures(read_query(request, StatsQuery), ctx=ctx))


endpoints = [
    Endpoint(
        "/api/stats",
        "GET",
        get_stats,
        summary="Pledge figures for a date range, by area, team and officer",
        tag="supervision",
        query=StatsQuery,
        response=Stats,
        errors=(403,),
        roles=frozenset({Role.SUPERVISOR}),
    ),
]
