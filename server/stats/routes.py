"""``GET /api/stats``: the pledge figures (thin HTTP)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_query
from server.auth.principal import principal_of
from server.org.models import Role
from server.stats.schemas import Stats, StatsQuery
from server.stats.service import pledge_figures


async def get_stats(request: Request) -> Response:
    """Figures for the caller's scope, by area, team and officer."""
    query = read_query(request, StatsQuery)
    stats = await pledge_figures(principal_of(request), request.app.state.settings, query)
    return json_response(stats)


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
