"""``GET /api/advice``: the prevention advice catalogue the phone caches for offline use."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.advice.schemas import AdviceCatalogue
from server.advice.service import catalogue_in_force
from server.api import Endpoint, json_response
from server.context import RequestContext


async def get_advice(request: Request, ctx: RequestContext) -> Response:
    """The catalogue in force."""
    return json_response(await catalogue_in_force())


endpoints = [
    Endpoint(
        "/api/advice",
        "GET",
        get_advice,
        "The prevention advice catalogue in force",
        "advice",
        response=AdviceCatalogue,
    ),
]
